/*
 * peers.c: fetching and checking the parties' signing certificates, with
 * the certificate cache of pstate.h.
 *
 * A cache hit stands for the chain check and its signature (about 66 us a
 * certificate): the same DER, verified against the same CA, verifies the
 * same way until it expires. Revocation is not cached: a hit is checked
 * against the CA's current CRL, if there is one, every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "call.h"
#include "claims.h"
#include "client.h"
#include "err.h"
#include "keydir.h"
#include "peers.h"
#include "pstate.h"
#include "records.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

void
peers_free(struct peers *pc)
{
	size_t i;

	for (i = 0; pc->cert != NULL && i < pc->n; i++)
		X509_free(pc->cert[i]);
	free(pc->cert);
	memset(pc, 0, sizeof(*pc));
}

/* The store's CA certificate (the first, and only, one it holds). */
static X509 *
store_ca(X509_STORE *store)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (x != NULL)
			return x;
	}
	return NULL;
}

/* 1 if a CRL in the store lists the cached certificate cc. */
static int
revoked(X509_STORE *store, const struct pstate_cert *cc)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(
		    sk_X509_OBJECT_value(objs, i));

		/* Listed, or it cannot tell: not taken from the cache. */
		if (crl != NULL && pstate_cert_revoked(cc, crl) != 0)
			return 1;
	}
	return 0;
}

/* What one fetch checks against: the CA, its digest, the time. */
struct check {
	X509_STORE *store;
	uint8_t ca[PSTATE_HASH_LEN];
	uint64_t now;
	struct pstate_cert *fresh;      /* verified now, for the cache */
	size_t nfresh;
};

/* The certificate der of party name, from the cache or checked, into *out. */
static int
check_cert(struct client *c, struct check *k, const char *name,
    const uint8_t *der, size_t len, X509 **out, struct ss_error *e)
{
	uint8_t fp[PSTATE_HASH_LEN];
	struct pstate_cert hit;
	const unsigned char *p = der;
	int rc;

	*out = NULL;
	if (statement_hash(der, len, fp) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a certificate");
	rc = pstate_cert_lookup(c->pstate, fp, k->ca, PSTATE_CERT_TLS, name,
	    k->now, &hit, e);
	if (rc != SS_OK && rc != SS_ERR_NOT_FOUND)
		return rc;
	/* A hit stands for the chain check, unless the CRL now lists it. */
	if (rc == SS_OK && revoked(k->store, &hit) &&
	    (rc = pstate_cert_forget(c->pstate, fp, e)) != SS_OK)
		return rc;
	if (rc == SS_OK && !revoked(k->store, &hit)) {
		*out = d2i_X509(NULL, &p, (long)len);
		ERR_clear_error();
		if (*out != NULL && p == der + len)
			return SS_OK;
		X509_free(*out);
		*out = NULL;
	}
	if ((rc = statement_load_signer(k->store, der, len, name, out, e)) !=
	    SS_OK) {
		(void)ss_error_prefix(e, "the server's signing certificate for "
		    "%s", name);
		return rc;
	}
	rc = pstate_cert_fill(*out, PSTATE_CERT_TLS, name, k->ca, NULL, k->now,
	    &k->fresh[k->nfresh], e);
	if (rc == SS_OK)
		k->nfresh++;
	return rc;
}

/* Takes the certificates of GetKeys answer resp that pc still lacks. */
static int
adopt(struct client *c, struct check *k, const struct wire_names *parties,
    const unsigned char *want, const struct wire_response *resp,
    struct peers *pc, struct ss_error *e)
{
	const struct wire_key *key;
	size_t i;
	int idx, rc;

	for (i = 0; i < resp->nkeys; i++) {
		key = &resp->keys[i];
		if ((idx = claims_index(parties, key->party)) < 0 ||
		    !want[idx] || pc->cert[idx] != NULL || key->sig_der_len == 0)
			continue;
		if ((rc = check_cert(c, k, parties->v[idx], key->sig_der,
		    key->sig_der_len, &pc->cert[idx], e)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

/* Our CA and its digest, the clock, and room for what is checked now. */
static int
check_init(struct client *c, struct check *k, size_t n, struct ss_error *e)
{
	unsigned int len = 0;
	X509 *ca;
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = keydir_ca(c, e)) != SS_OK || (rc = records_open(c, e)) !=
	    SS_OK)
		return rc;
	k->store = c->ca;
	if ((ca = store_ca(c->ca)) == NULL ||
	    X509_digest(ca, EVP_sha256(), k->ca, &len) != 1 ||
	    len != PSTATE_HASH_LEN) {
		ERR_clear_error();
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the CA "
		    "certificate");
	}
	k->now = (uint64_t)time(NULL);
	if ((k->fresh = calloc(n ? n : 1, sizeof(*k->fresh))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	return SS_OK;
}

/* One GetKeys for the names of `parties` wanted, answered into resp. */
static int
get_keys(struct client *c, const struct wire_names *parties,
    const unsigned char *want, struct wire_response *resp,
    struct ss_error *e)
{
	struct wire_limits lim = { .max_items = CLIENT_MAX_PARTIES,
	    .max_bytes = KEYDIR_CERT_MAX, .max_values = 0,
	    .max_statement = 0 };
	struct wire_request req;
	const char **names;
	size_t i, k = 0;
	int r;

	if ((names = calloc(parties->n ? parties->n : 1, sizeof(*names))) ==
	    NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < parties->n; i++)
		if (want[i])
			names[k++] = parties->v[i];
	call_request(&req, WIRE_GET_KEYS, NULL, NULL);
	req.names = names;
	req.nnames = k;
	r = call_exchange(c, &req, &lim, resp, e);
	free(names);
	if (r == SS_OK && resp->code != ST_OK) {
		r = call_refused(c, resp, WIRE_GET_KEYS, NULL, e);
		wire_response_free(resp);
	}
	return r;
}

int
peers_fetch(struct client *c, const struct wire_names *parties,
    const unsigned char *want, struct peers *pc, struct ss_error *e)
{
	struct wire_response resp;
	struct check k;
	int r;

	memset(&resp, 0, sizeof(resp));
	memset(pc, 0, sizeof(*pc));
	if ((pc->cert = calloc(parties->n ? parties->n : 1,
	    sizeof(X509 *))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	pc->n = parties->n;
	if ((r = check_init(c, &k, parties->n, e)) == SS_OK &&
	    (r = get_keys(c, parties, want, &resp, e)) == SS_OK) {
		r = adopt(c, &k, parties, want, &resp, pc, e);
		wire_response_free(&resp);
	}
	/* What was checked now goes to the cache, in one durable write. */
	if (r == SS_OK && k.nfresh > 0)
		r = pstate_cert_put(c->pstate, k.fresh, k.nfresh, k.now, e);
	free(k.fresh);
	if (r != SS_OK)
		peers_free(pc);
	return r;
}

int
peers_verify(struct client *c, const struct peers *pc,
    const struct wire_names *parties, uint32_t pos, const struct wire_stmt *ws,
    struct statement *s, struct ss_error *e)
{
	const char *name;
	int rc;

	if (pos < 1 || pos > pc->n || pos > parties->n)
		return ss_error_set(e, SS_ERR_PROTOCOL, "a statement from "
		    "position %u, outside the session", pos);
	name = parties->v[pos - 1];
	if (pc->cert[pos - 1] == NULL)
		return ss_error_set(e, SS_ERR_AUTH, "no signing certificate of "
		    "%s is known: its statement cannot be verified", name);
	if (ws->body == NULL || ws->body_len == 0)
		return ss_error_set(e, SS_ERR_AUTH, "%s's statement is missing",
		    name);
	if ((rc = statement_verify(pc->cert[pos - 1], c->d, ws->body,
	    ws->body_len, ws->sig, ws->sig_len, s, e)) != SS_OK) {
		(void)ss_error_prefix(e, "%s's statement", name);
		return rc;
	}
	return SS_OK;
}
