/*
 * cli.h: mpc-client's commands over libsecuresum (include/securesum.h):
 * the command line's settings made into a handle, the library's lines
 * written to stderr as mpc-client writes them, and the answer printed, as
 * text or one --json document, from the struct the library returns. Only
 * main.c uses it (and the unit tests); it is not part of libsecuresum.
 */
#ifndef SS_CLIENT_CLI_H
#define SS_CLIENT_CLI_H

#include <stdio.h>

#include "securesum.h"

#include "client.h"
#include "err.h"

/* A handle with c's settings, or NULL with the reason in e. */
securesum *cli_handle(struct client *c, struct ss_error *e);
/* The library's failure r on h, into e: its code and its sentence. */
int cli_failed(const securesum *h, int r, struct ss_error *e);

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
/* share through securesum_share_input: values, or a file (path). */
int cli_share(struct client *c, const char *session,
    const char *const *values, size_t nvalues, const char *path,
    struct ss_error *e) SS_WUR;
/* sumpoint through securesum_sumpoint_pinned, its step printed. */
int cli_sumpoint(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;

/* result through securesum_result_pinned: the sum and its verdict. */
int cli_result(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;

#endif
