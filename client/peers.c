/*
 * peers.c: fetching and checking the parties' signing certificates, with
 * the certificate cache of pstate.h.
 *
 * A cache hit (certcache.h) stands for the chain check and its signature
 * (about 66 us a certificate): the same DER, verified against the same CA,
 * verifies the same way until it expires. Revocation is not cached: a hit
 * is checked against the CA's current CRL, if there is one, every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "call.h"
#include "certcache.h"
#include "claims.h"
#include "client.h"
#include "digest.h"
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

	for (i = 0; pc->sg != NULL && i < pc->n; i++)
		statement_signer_clear(&pc->sg[i]);
	free(pc->sg);
	memset(pc, 0, sizeof(*pc));
}

static int
cmp_seen(const void *a, const void *b)
{
	return memcmp(((const struct client_signer *)a)->fp,
	    ((const struct client_signer *)b)->fp, STATEMENT_HASH_LEN);
}

/*
 * The signer of certificate digest fp checked in this process, into *out
 * (a new reference): SS_OK, SS_ERR_NOT_FOUND, or SS_ERR_CERT when it was
 * checked as another party's.
 */
static int
seen_lookup(struct client *c, const uint8_t fp[STATEMENT_HASH_LEN],
    const char *name, struct statement_signer *out, struct ss_error *e)
{
	struct client_signer key, *hit;

	memset(&key, 0, sizeof(key));
	memcpy(key.fp, fp, STATEMENT_HASH_LEN);
	if (c->nsorted == 0 || (hit = bsearch(&key, c->signers, c->nsorted,
	    sizeof(*c->signers), cmp_seen)) == NULL)
		return SS_ERR_NOT_FOUND;
	if (strcmp(hit->name, name) != 0)
		return ss_error_set(e, SS_ERR_CERT, "the server's signing "
		    "certificate for %s is %s's", name, hit->name);
	if (statement_signer_copy(out, &hit->sg) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot take a key");
	return SS_OK;
}

/* Keeps sg, name's checked signer of digest fp, for this process. */
static int
seen_add(struct client *c, const uint8_t fp[STATEMENT_HASH_LEN],
    const char *name, const struct statement_signer *sg, struct ss_error *e)
{
	struct client_signer *v, *it;
	size_t cap;

	if (c->nsigners == c->capsigners) {
		cap = c->capsigners ? 2 * c->capsigners : 64;
		if ((v = realloc(c->signers, cap * sizeof(*v))) == NULL)
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		c->signers = v;
		c->capsigners = cap;
	}
	it = &c->signers[c->nsigners];
	if (statement_signer_copy(&it->sg, sg) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot take a key");
	c->nsigners++;
	memcpy(it->fp, fp, STATEMENT_HASH_LEN);
	snprintf(it->name, sizeof(it->name), "%s", name);
	return SS_OK;
}

/*
 * The signer of party name whose certificate is der, into *out: from the
 * cache, or checked now (and noted for the cache).
 */
static int
cache_or_check(struct certcache *cc, const char *name, const uint8_t *der,
    size_t len, struct statement_signer *out, struct ss_error *e)
{
	struct pstate_cert hit;
	X509 *x = NULL;
	int rc;

	rc = certcache_lookup(cc, der, len, PSTATE_CERT_TLS, name, &hit, e);
	if (rc != SS_OK && rc != SS_ERR_NOT_FOUND)
		return rc;
	/* A hit stands for the chain check: the key alone is left to take. */
	if (rc == SS_OK && statement_signer_of_der(certcache_p256(cc), der, len,
	    out) == SS_OK)
		return SS_OK;
	if ((rc = statement_load_signer(cc->c->ca, der, len, name, &x, e)) !=
	    SS_OK) {
		(void)ss_error_prefix(e, "the server's signing certificate for "
		    "%s", name);
		return rc;
	}
	rc = certcache_note(cc, der, len, x, PSTATE_CERT_TLS, name, NULL, e);
	/* Its key off the DER: x has none when it has our CA's shape. */
	if (rc == SS_OK && statement_signer_of_der(certcache_p256(cc), der,
	    len, out) != SS_OK && (rc = statement_signer_of(x, out)) != SS_OK)
		rc = ss_error_set(e, rc, "cannot take %s's signing key", name);
	X509_free(x);
	return rc;
}

/*
 * The signer of party name whose certificate is der, into *out: as this
 * process checked it before, else through cache_or_check.
 */
static int
check_cert(struct certcache *cc, const char *name, const uint8_t *der,
    size_t len, struct statement_signer *out, struct ss_error *e)
{
	uint8_t fp[STATEMENT_HASH_LEN];
	int rc;

	memset(out, 0, sizeof(*out));
	if (statement_hash(der, len, fp) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a "
		    "certificate");
	if ((rc = seen_lookup(cc->c, fp, name, out, e)) != SS_ERR_NOT_FOUND)
		return rc;
	if ((rc = cache_or_check(cc, name, der, len, out, e)) != SS_OK)
		return rc;
	return seen_add(cc->c, fp, name, out, e);
}

/* Takes the certificates of GetKeys answer resp that pc still lacks. */
static int
adopt(struct certcache *cc, const struct wire_names *parties,
    const unsigned char *want, const struct wire_response *resp,
    struct peers *pc, struct ss_error *e)
{
	const struct wire_key *key;
	size_t i;
	int idx, rc;

	for (i = 0; i < resp->nkeys; i++) {
		key = &resp->keys[i];
		if ((idx = claims_index(parties, key->party)) < 0 ||
		    !want[idx] || pc->sg[idx].key != NULL ||
		    key->sig_der_len == 0)
			continue;
		if ((rc = check_cert(cc, parties->v[idx], key->sig_der,
		    key->sig_der_len, &pc->sg[idx], e)) != SS_OK)
			return rc;
	}
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
	struct certcache cc;
	int r, end;

	memset(&resp, 0, sizeof(resp));
	memset(&cc, 0, sizeof(cc));
	memset(pc, 0, sizeof(*pc));
	if ((pc->sg = calloc(parties->n ? parties->n : 1,
	    sizeof(*pc->sg))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	pc->n = parties->n;
	if ((r = records_open(c, e)) == SS_OK &&
	    (r = certcache_begin(c, &cc, parties->n, e)) == SS_OK &&
	    (r = get_keys(c, parties, want, &resp, e)) == SS_OK) {
		r = adopt(&cc, parties, want, &resp, pc, e);
		wire_response_free(&resp);
	}
	/* What was checked now is found again by this process ... */
	if (c->nsigners > 1)
		qsort(c->signers, c->nsigners, sizeof(*c->signers), cmp_seen);
	c->nsorted = c->nsigners;
	/* ... and by the next, from the cache, in one durable write. */
	end = certcache_end(&cc, r == SS_OK ? e : NULL);
	if (r == SS_OK)
		r = end;
	if (r != SS_OK)
		peers_free(pc);
	return r;
}

/*
 * The name of a statement verified in this process: SHA-256 of its
 * signer's certificate digest, its body's length, its body and its
 * signature, so that the same bytes from the same signer are found again.
 */
static int
statement_id(const struct statement_signer *sg, const struct wire_stmt *ws,
    uint8_t id[STATEMENT_HASH_LEN])
{
	struct digest dg;

	if (digest_begin(&dg) != SS_OK)
		return SS_ERR_CRYPTO;
	buf_put(&dg.w, sg->digest, sizeof(sg->digest));
	buf_put_u32(&dg.w, (uint32_t)ws->body_len);
	buf_put(&dg.w, ws->body, ws->body_len);
	buf_put(&dg.w, ws->sig, ws->sig_len);
	return digest_end(&dg, id);
}

static int
is_zero(const uint8_t id[STATEMENT_HASH_LEN])
{
	static const uint8_t zero[STATEMENT_HASH_LEN];

	return memcmp(id, zero, STATEMENT_HASH_LEN) == 0;
}

/* The slot of id in the set of verified statements (c->verified). */
static size_t
verified_slot(const struct client *c, const uint8_t id[STATEMENT_HASH_LEN])
{
	size_t i = 0, k;

	for (k = 0; k < sizeof(size_t); k++)
		i = i << 8 | id[k];
	/* Open addressing; the table is never more than half full. */
	for (i &= c->capverified - 1;
	    !is_zero(c->verified[i]) &&
	    memcmp(c->verified[i], id, STATEMENT_HASH_LEN) != 0;
	    i = (i + 1) & (c->capverified - 1))
		;
	return i;
}

/* 1 if this process verified the statement named id before. */
static int
verified_before(const struct client *c, const uint8_t id[STATEMENT_HASH_LEN])
{
	return c->capverified > 0 && memcmp(c->verified[verified_slot(c, id)],
	    id, STATEMENT_HASH_LEN) == 0;
}

/* Notes id as verified; an all-zero id (the empty slot) is not kept. */
static int
verified_add(struct client *c, const uint8_t id[STATEMENT_HASH_LEN],
    struct ss_error *e)
{
	uint8_t (*old)[STATEMENT_HASH_LEN] = c->verified;
	size_t oldcap = c->capverified, i;

	if (is_zero(id))
		return SS_OK;
	if (2 * (c->nverified + 1) > c->capverified) {
		if ((c->verified = calloc(oldcap ? 2 * oldcap : 256,
		    sizeof(*c->verified))) == NULL) {
			c->verified = old;
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		}
		c->capverified = oldcap ? 2 * oldcap : 256;
		for (i = 0; i < oldcap; i++)
			if (!is_zero(old[i]))
				memcpy(c->verified[verified_slot(c, old[i])],
				    old[i], STATEMENT_HASH_LEN);
		free(old);
	}
	memcpy(c->verified[verified_slot(c, id)], id, STATEMENT_HASH_LEN);
	c->nverified++;
	return SS_OK;
}

int
peers_verify(struct client *c, const struct peers *pc,
    const struct wire_names *parties, uint32_t pos, const struct wire_stmt *ws,
    struct statement *s, struct ss_error *e)
{
	const struct statement_signer *sg;
	uint8_t id[STATEMENT_HASH_LEN];
	const char *name;
	int rc, again;

	if (pos < 1 || pos > pc->n || pos > parties->n)
		return ss_error_set(e, SS_ERR_PROTOCOL, "a statement from "
		    "position %u, outside the session", pos);
	name = parties->v[pos - 1];
	sg = &pc->sg[pos - 1];
	if (sg->key == NULL)
		return ss_error_set(e, SS_ERR_AUTH, "no signing certificate of "
		    "%s is known: its statement cannot be verified", name);
	if (ws->body == NULL || ws->body_len == 0)
		return ss_error_set(e, SS_ERR_AUTH, "%s's statement is missing",
		    name);
	if (statement_id(sg, ws, id) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a statement");
	/*
	 * A statement this process verified already (run reads the COHORTs
	 * in sumpoint and again in result) is checked again but for the
	 * ECDSA verification, whose answer for the same bytes and key is
	 * the same.
	 */
	again = verified_before(c, id);
	if ((rc = statement_verify_signer(sg, c->d, ws->body, ws->body_len,
	    ws->sig, ws->sig_len, again, s, e)) != SS_OK) {
		(void)ss_error_prefix(e, "%s's statement", name);
		return rc;
	}
	return again ? SS_OK : verified_add(c, id, e);
}
