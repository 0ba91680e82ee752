/*
 * certcache.h: the certificate cache (pstate.h) as a command uses it. A
 * certificate verified once against our CA (a party's signing certificate,
 * or its encryption-key certificate) is found again by the digest of its
 * DER, so that the next command does not check its chain and signature
 * again (about 66 us each, n of them per step); its revocation is checked
 * every time against the CA's current CRL. What a command verifies is
 * written to the cache once, at the end, in one durable write.
 */
#ifndef SS_CLIENT_CERTCACHE_H
#define SS_CLIENT_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "client.h"
#include "err.h"
#include "pstate.h"

struct certcache {
	struct client *c;
	int on;                         /* c->pstate is open: the cache is used */
	uint8_t ca[PSTATE_HASH_LEN];    /* SHA-256 of our CA's certificate */
	uint64_t now;                   /* Unix time of the command */
	struct pstate_cert *fresh;      /* verified now, for the cache */
	EVP_PKEY *p256;                 /* certcache_p256, once made */
	size_t nfresh, cap;
};

/*
 * Starts a use of the cache for up to n certificates verified now: our CA
 * (client_ca), its digest, the time. With c->pstate not open, or a CRL in
 * our certificate folder that is not our CA's or not current, the cache is
 * off: every lookup misses and nothing is noted.
 */
int certcache_begin(struct client *c, struct certcache *cc, size_t n,
    struct ss_error *e) SS_WUR;

/*
 * The entry of der, party name's certificate of kind: SS_OK and *hit when
 * cached for our CA, unexpired and not revoked by the CRL (a revoked entry
 * is dropped); SS_ERR_NOT_FOUND when it must be verified; SS_ERR_CERT
 * when the cache knows it as another party's or kind.
 */
int certcache_lookup(struct certcache *cc, const uint8_t *der, size_t len,
    enum pstate_cert_kind kind, const char *name, struct pstate_cert *hit,
    struct ss_error *e) SS_WUR;

/*
 * A P-256 key object without a key (statement_p256_template) that the
 * signing keys of cached certificates are copied from: made at the first
 * call, freed by certcache_end. NULL if OpenSSL cannot make it.
 */
EVP_PKEY *certcache_p256(struct certcache *cc);

/*
 * Notes der (x, its parse, or NULL to parse it here), just verified as
 * party name's certificate of kind (pk: its X25519 key, ENC only), for the
 * cache.
 */
int certcache_note(struct certcache *cc, const uint8_t *der, size_t len,
    X509 *x, enum pstate_cert_kind kind, const char *name, const uint8_t *pk,
    struct ss_error *e) SS_WUR;

/* Writes what was noted, in one durable write; frees cc. */
int certcache_end(struct certcache *cc, struct ss_error *e) SS_WUR;

#endif
