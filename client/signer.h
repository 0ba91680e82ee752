/*
 * signer.h: this party's statements (protocol version 2): the key of its
 * TLS certificate (DIR/NAME.key, with DIR/NAME.crt), loaded once per
 * command, and the SUBMIT, COHORT and SUMPOINT statements it signs with it
 * (core/statement.h), made ready to travel.
 */
#ifndef SS_CLIENT_SIGNER_H
#define SS_CLIENT_SIGNER_H

#include <stdint.h>

#include "client.h"
#include "err.h"
#include "statement.h"
#include "wire.h"

/*
 * Signs s, a statement of ours under the pinned session digest (c->d):
 * its D and signer fields are set here, then it is encoded and signed.
 * out's body and signature are malloc'd (signer_stmt_free). The key is
 * loaded on first use.
 */
int signer_make(struct client *c, struct statement *s, struct wire_stmt *out,
    struct ss_error *e) SS_WUR;

/* The digest of our certificate: the signer field of our statements. */
int signer_digest(struct client *c, uint8_t out[STATEMENT_HASH_LEN],
    struct ss_error *e) SS_WUR;

/* Frees what signer_make made; safe on a zeroed or freed one. */
void signer_stmt_free(struct wire_stmt *w);

/* A copy of w (body and signature) into out; SS_ERR_ALLOC. */
int signer_stmt_copy(struct wire_stmt *out, const struct wire_stmt *w) SS_WUR;

#endif
