/*
 * outcome.h: how a command's result reaches a script: its exit status and
 * the stable error code printed with --json (docs/CLI.md). Every SS_ERR_*
 * code is mapped here and nowhere else, so that the exit status, the JSON
 * "code" and the documentation cannot drift apart.
 */
#ifndef SS_CLIENT_OUTCOME_H
#define SS_CLIENT_OUTCOME_H

/* The exit statuses of mpc-client: small numbers, 2 as every usage error. */
#define EXIT_OK           0  /* done */
#define EXIT_FAILED       1  /* anything below does not name: I/O, memory... */
#define EXIT_USAGE        2  /* arguments, options, input or config file */
#define EXIT_REFUSED      3  /* refused or denied, by the server or here */
#define EXIT_NOT_FOUND    4  /* no such session (or other named thing) */
#define EXIT_NOT_READY    5  /* not in that phase yet: try again later */
#define EXIT_UNAVAILABLE  6  /* the server did not answer in time */
#define EXIT_INTEGRITY    7  /* data failed a check: inconsistent sums... */

/* The exit status of an SS_OK or SS_ERR_* code. */
int outcome_exit(int err);
/*
 * The stable name of an exit status, as --json's "code" ("usage",
 * "not_ready"...); "ok" for 0, "failed" for any number not above.
 */
const char *outcome_code(int status);
/*
 * The stable name of an SS_ERR_* code, as --json's "reason": finer than
 * the code ("timeout" and "unavailable" are both EXIT_UNAVAILABLE).
 */
const char *outcome_reason(int err);

#endif
