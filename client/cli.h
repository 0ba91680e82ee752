/*
 * cli.h: mpc-client's commands over libsecuresum (include/securesum.h):
 * the command line's settings made into a handle, the library's lines
 * written to stderr as mpc-client writes them, and the answer printed, as
 * text or one --json document, from the struct the library returns. Only
 * main.c uses it; it is not part of libsecuresum.
 */
#ifndef SS_CLIENT_CLI_H
#define SS_CLIENT_CLI_H

#include "client.h"
#include "err.h"

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

#endif
