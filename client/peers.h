/*
 * peers.h: the parties' signing certificates (protocol version 2): the TLS
 * client certificate each party published its key over, which the server
 * relays in GetKeys as signing_certificate. Every one is checked here
 * against our CA (statement_check_signer: chain, validity, CRL, a client
 * certificate whose CN is the party, a P-256 key) before any statement is
 * believed; a certificate checked once is kept in this party's certificate
 * cache (pstate.h), so that the next command checks only its revocation,
 * and in the process (struct client_signer), so that a command reading the
 * signers twice neither checks nor parses one again.
 */
#ifndef SS_CLIENT_PEERS_H
#define SS_CLIENT_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "client.h"
#include "err.h"
#include "statement.h"
#include "wire.h"

/*
 * The signers of a session's n parties, by position: each checked
 * certificate's key and digest (statement_signer), all a statement's
 * verification needs.
 */
struct peers {
	size_t n;
	struct statement_signer *sg;    /* sg[i]: party i + 1's; key NULL if not known */
};

void peers_free(struct peers *pc);

/*
 * Fetches (GetKeys) and checks the signing certificates of the parties of
 * `parties` whose position i + 1 has want[i] set, into pc (set up here for
 * parties->n). A party the server knows no certificate for is left NULL;
 * a certificate that fails its check is an error (SS_ERR_CERT), since the
 * server relayed it as that party's.
 */
int peers_fetch(struct client *c, const struct wire_names *parties,
    const unsigned char *want, struct peers *pc, struct ss_error *e) SS_WUR;

/*
 * Verifies ws as a statement signed by the party at position pos (1-based)
 * under the pinned D (c->d): its certificate known, the body parsing, for
 * c->d, naming that certificate and carrying its valid signature. s gets
 * the content (its arrays point into ws->body). SS_ERR_AUTH and the like
 * with the reason, naming the party.
 */
int peers_verify(struct client *c, const struct peers *pc,
    const struct wire_names *parties, uint32_t pos, const struct wire_stmt *ws,
    struct statement *s, struct ss_error *e) SS_WUR;

#endif
