/*
 * cli.h: mpc-client's commands over libsecuresum (include/securesum.h):
 * the command line's settings made into a handle, the library's lines
 * written to stderr as mpc-client writes them, and the answer printed, as
 * text or one --json document, from the struct the library returns. Only
 * main.c uses it (and the unit tests); it is not part of libsecuresum.
 */
#ifndef SS_CLIENT_CLI_H
#define SS_CLIENT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "securesum.h"

#include "client.h"
#include "err.h"
#include "output.h"

/* ---- writing (cli_output.c) --------------------------------------------- */

/*
 * The version of the JSON documents --json prints (docs/CLI.md): raised on
 * any change a parser could trip on (a key removed, a type changed).
 * OUT_JSON_OPEN starts every document: '{' and the version, then a comma.
 */
#define OUT_JSON_VERSION 1
#define OUT_JSON_STR_(x) #x
#define OUT_JSON_STR(x) OUT_JSON_STR_(x)
#define OUT_JSON_OPEN "{\"version\":" OUT_JSON_STR(OUT_JSON_VERSION) ","

/* Writes s as a JSON string, quotes included. */
void out_json_string(FILE *f, const char *s);
/* Writes a JSON array of the n strings of v. */
void out_json_strs(FILE *f, const char *const *v, size_t n);
/*
 * Writes ,"key":{"body":HEX,"signature":HEX}: a signed statement, whole,
 * for whoever checks it.
 */
void out_json_stmt(FILE *f, const char *key, const uint8_t *body,
    size_t body_len, const uint8_t *sig, size_t sig_len);

/* A line of the library's (securesum_log_fn): "mpc-client: LINE" on stderr. */
void cli_log(void *arg, const char *line);
/*
 * p as mpc-client's progress line on stderr: redrawn in place on a
 * terminal, else whole lines through cli_log (throttled by output.c).
 */
void cli_progress_init(struct progress *p);
/* Whether p (from cli_progress_init) draws on a terminal. */
int cli_on_terminal(const struct progress *p);

/* ---- the commands --------------------------------------------------------- */

/* A handle with c's settings, or NULL with the reason in e. */
securesum *cli_handle(struct client *c, struct ss_error *e);
/*
 * The end of a command on h: the library's failure r, if any, into e (its
 * code and its sentence), and h freed. Returns r.
 */
int cli_done(securesum *h, int r, struct ss_error *e);

/*
 * create through securesum_create, printing what it made; SS_OK or the
 * library's code, with its message in e.
 */
int cli_create(struct client *c, const struct create_args *a,
    struct ss_error *e) SS_WUR;
/* delete through securesum_delete, saying what was let go. */
int cli_delete(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;
/*
 * list through securesum_list: the sessions as lines or one JSON object;
 * one cut short by an error is left open (c->printed) for main's error.
 */
int cli_list(struct client *c, struct ss_error *e) SS_WUR;

/* status through securesum_status: "key: value" lines or one JSON object. */
int cli_status(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;
/* Writes the status s of session as text or JSON (cli_status.c). */
void cli_status_print(FILE *f, int json, const char *session,
    const struct securesum_status *s);
/* The n conflicts cf as a JSON array, as status writes them. */
void cli_json_conflicts(FILE *f, const struct securesum_conflict *cf,
    size_t n);

/* The command line's pin a as the API's, into sp (pointing into a). */
void cli_pin(struct securesum_pin *sp, const struct pin_args *a);
/* share through securesum_share_input: values, or a file. */
int cli_share(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e) SS_WUR;
/* sumpoint through securesum_sumpoint_pinned, its step printed. */
int cli_sumpoint(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;

/* Writes step s of share or sumpoint: its line, or its JSON object. */
void cli_step_print(FILE *f, int json, const struct securesum_step *s);
/* Writes run's note of step s: "PARTY: shares for session S submitted ...". */
void cli_step_note(FILE *f, const struct securesum_step *s);
/* run's steps (securesum_step_fn, arg the client): noted on a terminal only. */
void cli_run_step(void *arg, const struct securesum_step *s);

/* result through securesum_result_pinned: the sum and its verdict. */
int cli_result(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;
/*
 * run through securesum_run_input: values, or a file; the sum and its
 * notes as result prints them, then the sumpoints still missing.
 */
int cli_run(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e) SS_WUR;
/* Writes the sum of res and its verdict, as result and run print them. */
void cli_sum_print(FILE *f, int json, const char *session,
    const struct securesum_result *res);

/* server-info through securesum_server_info: lines or one JSON object. */
int cli_server_info(struct client *c, struct ss_error *e) SS_WUR;
/* Writes in as "key: value" lines or one JSON object. */
void cli_server_info_print(FILE *f, int json,
    const struct securesum_server_info *in);

#endif
