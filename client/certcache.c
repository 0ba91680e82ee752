/*
 * certcache.c: looking certificates up in, and adding them to, the
 * party's certificate cache, with the revocation of every hit checked
 * against the CA's CRL.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "certcache.h"
#include "client.h"
#include "err.h"
#include "pstate.h"
#include "statement.h"

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

/* 1 if a CRL in the store lists the cached certificate pc. */
static int
revoked(X509_STORE *store, const struct pstate_cert *pc)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(
		    sk_X509_OBJECT_value(objs, i));

		/* Listed, or it cannot tell: not taken from the cache. */
		if (crl != NULL && pstate_cert_revoked(pc, crl) != 0)
			return 1;
	}
	return 0;
}

/*
 * 1 if every CRL in the store is signed by ca and current at now. A hit
 * only looks its serial up in the CRLs, while a verification also checks
 * each CRL's signature and dates (X509_V_FLAG_CRL_CHECK); with a CRL that
 * would fail those, the cache is not used, so that every certificate is
 * verified and refused as that says why.
 */
static int
crls_current(X509_STORE *store, X509 *ca, time_t now)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	const ASN1_TIME *next, *last;
	EVP_PKEY *key = X509_get0_pubkey(ca);
	X509_CRL *crl;
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		if ((crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objs,
		    i))) == NULL)
			continue;
		last = X509_CRL_get0_lastUpdate(crl);
		next = X509_CRL_get0_nextUpdate(crl);
		if (key == NULL || X509_CRL_verify(crl, key) != 1 ||
		    last == NULL || X509_cmp_time(last, &now) > 0 ||
		    (next != NULL && X509_cmp_time(next, &now) <= 0)) {
			ERR_clear_error();
			return 0;
		}
	}
	return 1;
}

int
certcache_begin(struct client *c, struct certcache *cc, size_t n,
    struct ss_error *e)
{
	unsigned int len = 0;
	X509 *ca;
	int rc;

	memset(cc, 0, sizeof(*cc));
	cc->c = c;
	if ((rc = client_ca(c, e)) != SS_OK)
		return rc;
	cc->now = (uint64_t)time(NULL);
	if (c->pstate == NULL)
		return SS_OK;
	if ((ca = store_ca(c->ca)) == NULL ||
	    X509_digest(ca, EVP_sha256(), cc->ca, &len) != 1 ||
	    len != PSTATE_HASH_LEN) {
		ERR_clear_error();
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the CA "
		    "certificate");
	}
	if (!crls_current(c->ca, ca, (time_t)cc->now))
		return SS_OK;
	if ((cc->fresh = calloc(n ? n : 1, sizeof(*cc->fresh))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	cc->cap = n;
	cc->on = 1;
	return SS_OK;
}

int
certcache_lookup(struct certcache *cc, const uint8_t *der, size_t len,
    enum pstate_cert_kind kind, const char *name, struct pstate_cert *hit,
    struct ss_error *e)
{
	uint8_t fp[PSTATE_HASH_LEN];
	int rc;

	if (!cc->on)
		return SS_ERR_NOT_FOUND;
	if (statement_hash(der, len, fp) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a certificate");
	rc = pstate_cert_lookup(cc->c->pstate, fp, cc->ca, kind, name, cc->now,
	    hit, e);
	if (rc != SS_OK || !revoked(cc->c->ca, hit))
		return rc;
	/* Revoked since it was cached: gone, and verified (and refused). */
	if ((rc = pstate_cert_forget(cc->c->pstate, fp, e)) != SS_OK)
		return rc;
	return SS_ERR_NOT_FOUND;
}

int
certcache_note(struct certcache *cc, const uint8_t *der, size_t len, X509 *x,
    enum pstate_cert_kind kind, const char *name, const uint8_t *pk,
    struct ss_error *e)
{
	const unsigned char *p = der;
	X509 *own = NULL;
	int rc;

	if (!cc->on || cc->nfresh >= cc->cap)
		return SS_OK;
	if (x == NULL) {
		own = x = d2i_X509(NULL, &p, (long)len);
		ERR_clear_error();
		if (x == NULL)
			return ss_error_set(e, SS_ERR_CERT, "cannot parse a "
			    "certificate it verified");
	}
	rc = pstate_cert_fill(x, kind, name, cc->ca, pk, cc->now,
	    &cc->fresh[cc->nfresh], e);
	if (rc == SS_OK)
		cc->nfresh++;
	X509_free(own);
	return rc;
}

EVP_PKEY *
certcache_p256(struct certcache *cc)
{
	if (cc->p256 == NULL)
		cc->p256 = statement_p256_template();
	return cc->p256;
}

int
certcache_end(struct certcache *cc, struct ss_error *e)
{
	int rc = SS_OK;

	if (cc->on && cc->nfresh > 0)
		rc = pstate_cert_put(cc->c->pstate, cc->fresh, cc->nfresh,
		    cc->now, e);
	free(cc->fresh);
	cc->fresh = NULL;
	EVP_PKEY_free(cc->p256);
	cc->p256 = NULL;
	cc->nfresh = 0;
	return rc;
}
