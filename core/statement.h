/*
 * statement.h: the signed statements of protocol version 2 (SUBMIT, COHORT,
 * SUMPOINT): their bodies, byte for byte, their signatures with the key of
 * the signer's TLS certificate (ECDSA P-256 with SHA-256), and the check of
 * that certificate against the CA.
 *
 * A body is what is signed:
 *
 *   "secure-sum/v2 " TYPE 0x00      the context: TYPE is SUBMIT, COHORT or
 *                                   SUMPOINT
 *   D                     32 bytes  the session digest (params.h)
 *   signer                32 bytes  SHA-256 of the signer's certificate, DER
 *   then, integers little-endian:
 *   SUBMIT    u32 position, u32 n, n digests of 32 bytes: SHA-256 of the
 *             ciphertext for recipient j (1..n) at (j - 1) * 32
 *   COHORT    u32 n, ceil(n / 8) bytes: party i is in the cohort if bit
 *             (i - 1) % 8 of byte (i - 1) / 8 is set; the bits past n are
 *             0; then the 32-byte submits digest: SHA-256 of the
 *             concatenation, over the members in position order, of
 *             SHA-256(that member's SUBMIT body) (statement_submits_digest)
 *   SUMPOINT  32-byte cohort digest, u32 position, u32 L, 32-byte digest of
 *             the values (each value as 8 bytes little-endian)
 *
 * The cohort digest is the SHA-256 of a COHORT body without its signer
 * field: it names the cohort and the SUBMITs its members dealt, the same
 * for every member's COHORT statement and for parties outside the cohort,
 * who post sumpoints but sign no COHORT. Because COHORT names one SUBMIT
 * per member, a dealer that signed two SUBMITs for one D splits the
 * members' COHORT signatures and the cohort never completes.
 * docs/PROTOCOL.md section 19 has the layouts, section 22 a test vector.
 *
 * Statements are compared by content (statement_same), never by signature:
 * ECDSA signatures are randomized, so one statement has many signatures.
 */
#ifndef SS_STATEMENT_H
#define SS_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"
#include "err.h"
#include "params.h"

#define STATEMENT_CONTEXT  "secure-sum/v2 "
#define STATEMENT_HASH_LEN 32           /* every digest in a body: SHA-256 */
#define STATEMENT_SIG_MAX  72           /* a DER ECDSA P-256 signature */
/* The length of a SUBMIT body for n parties, and of a SUMPOINT body. */
#define STATEMENT_SUBMIT_LEN(n) (93 + (size_t)(n) * STATEMENT_HASH_LEN)
#define STATEMENT_SUMPOINT_LEN 159
/*
 * The longest body of a session of n parties: a SUBMIT's from 3 parties
 * up, a SUMPOINT's below (a COHORT's, 121 + ceil(n / 8), is never longer).
 */
#define STATEMENT_LEN_MAX(n) (STATEMENT_SUBMIT_LEN(n) > \
    STATEMENT_SUMPOINT_LEN ? STATEMENT_SUBMIT_LEN(n) : STATEMENT_SUMPOINT_LEN)
/* The longest body: a SUBMIT of PARAMS_MAX_PARTIES digests. */
#define STATEMENT_BODY_MAX STATEMENT_SUBMIT_LEN(PARAMS_MAX_PARTIES)

enum statement_type {
	STATEMENT_SUBMIT = 1,
	STATEMENT_COHORT = 2,
	STATEMENT_SUMPOINT = 3,
};

/*
 * A statement's fields; which ones count depends on the type. A parsed
 * statement's arrays point into the body it was parsed from.
 */
struct statement {
	enum statement_type type;
	uint8_t d[PARAMS_DIGEST_LEN];
	uint8_t signer[STATEMENT_HASH_LEN];
	uint32_t position;      /* SUBMIT: the dealer; SUMPOINT: the poster */
	uint32_t n;             /* SUBMIT, COHORT: the session's parties */
	const uint8_t *digests; /* SUBMIT: n * STATEMENT_HASH_LEN bytes */
	const uint8_t *cohort;  /* COHORT: statement_bitmap_len(n) bytes */
	uint8_t submits[STATEMENT_HASH_LEN];    /* COHORT: submits digest */
	uint8_t cohort_digest[STATEMENT_HASH_LEN];      /* SUMPOINT */
	uint32_t length;        /* SUMPOINT: L */
	uint8_t values_digest[STATEMENT_HASH_LEN];      /* SUMPOINT */
};

/* "SUBMIT", "COHORT", "SUMPOINT", or "?" for anything else. */
const char *statement_type_name(enum statement_type type);

/* ---- bodies ----------------------------------------------------------- */

/*
 * Puts the body of s into w, after checking its fields: a known type,
 * 2 <= n <= PARAMS_MAX_PARTIES, 1 <= position <= n (SUBMIT),
 * 1 <= position <= PARAMS_MAX_PARTIES and L >= 1 (SUMPOINT), no bitmap
 * bits set past n (COHORT). SS_ERR_INVALID
 * with a message, or the writer's error.
 */
int statement_encode(const struct statement *s, struct buf_writer *w,
    struct ss_error *e) SS_WUR;

/*
 * Parses a body, accepting only the bytes statement_encode writes (so two
 * bodies are equal exactly when their contents are). SS_ERR_TRUNCATED,
 * SS_ERR_INVALID or SS_ERR_TOO_LARGE (trailing bytes) with a message.
 */
int statement_parse(const uint8_t *body, size_t len, struct statement *s,
    struct ss_error *e) SS_WUR;

/* 1 if a and b say the same thing (type, D, signer and every field). */
int statement_same(const struct statement *a, const struct statement *b);

/*
 * 1 if a and b prove their signer dishonest: one signer, one D, one type,
 * different contents (a party makes one statement of each type per D).
 * Both must have verified signatures for this to be proof.
 */
int statement_conflict(const struct statement *a, const struct statement *b);

/* ---- digests ---------------------------------------------------------- */

size_t statement_bitmap_len(uint32_t n);
/* Position pos (1-based) in, or tested in, a bitmap of n parties. */
void statement_bitmap_set(uint8_t *bitmap, uint32_t pos);
int statement_bitmap_has(const uint8_t *bitmap, uint32_t n, uint32_t pos);

/* SHA-256 of bytes: a ciphertext's digest in SUBMIT. */
int statement_hash(const uint8_t *p, size_t n,
    uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;
/* SHA-256 of values[0..L), each as 8 bytes little-endian. */
int statement_values_digest(const uint64_t *values, size_t L,
    uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;
/*
 * The submits digest of a COHORT statement: SHA-256 of the concatenation
 * of SHA-256(bodies[i]) for i = 0..m-1, the SUBMIT bodies of the cohort's
 * members (lens[i] bytes each). Each must parse as a SUBMIT, and their
 * positions must increase (position order): SS_ERR_INVALID otherwise,
 * SS_ERR_INVALID for m == 0. On failure out is zeroed.
 */
int statement_submits_digest(const uint8_t *const *bodies, const size_t *lens,
    size_t m, uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;
/* The cohort digest of a COHORT statement (its signer is not hashed). */
int statement_cohort_digest(const struct statement *cohort,
    uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;
/* SHA-256 of the certificate's DER: the signer field. */
int statement_cert_digest(X509 *cert, uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;

/* ---- signatures ------------------------------------------------------- */

/*
 * Signs body with key, which must be an EC P-256 key (the key of the
 * party's TLS certificate): a DER ECDSA signature of SHA-256(body) into
 * sig, its length into *siglen.
 */
int statement_sign(EVP_PKEY *key, const uint8_t *body, size_t len,
    uint8_t sig[STATEMENT_SIG_MAX], size_t *siglen, struct ss_error *e) SS_WUR;

/*
 * What a signer does: encodes s (its d and signer set by the caller) and
 * signs the body with key. *body gets the body, malloc'd (*len bytes), sig
 * and *siglen the signature; on failure *body is NULL and *len 0.
 */
int statement_make(const struct statement *s, EVP_PKEY *key, uint8_t **body,
    size_t *len, uint8_t sig[STATEMENT_SIG_MAX], size_t *siglen,
    struct ss_error *e) SS_WUR;

/*
 * Verifies a signed statement from the holder of cert, which the caller
 * has checked (statement_check_signer): the body must parse, be for
 * session digest d, name cert's digest as its signer, and carry a valid
 * signature by cert's key. Fills s (may be NULL; its arrays then point
 * into body). SS_ERR_AUTH for a statement that is not cert's for d,
 * parse errors as statement_parse.
 */
int statement_verify(X509 *cert, const uint8_t d[PARAMS_DIGEST_LEN],
    const uint8_t *body, size_t len, const uint8_t *sig, size_t siglen,
    struct statement *s, struct ss_error *e) SS_WUR;

/*
 * A signer made ready to verify many statements: its certificate's key and
 * the certificate's digest, taken once, so that a reader neither hashes
 * nor parses the certificate again per statement, and a verification
 * context of the key, set up once, so that each statement costs its
 * SHA-256 and the ECDSA arithmetic and no algorithm lookup (OpenSSL 3.0
 * fetches ECDSA and SHA-256 under a lock for every EVP_DigestVerifyInit).
 * Each struct owns its context: copy one with statement_signer_copy.
 */
struct statement_signer {
	EVP_PKEY *key;                          /* a reference: EVP_PKEY_free */
	uint8_t digest[STATEMENT_HASH_LEN];     /* statement_cert_digest */
	/*
	 * EVP_PKEY_verify_init'ed on key, which is then known to be EC
	 * P-256; NULL when key is not (verification refuses it) or for a
	 * signer filled by hand (each verification sets a context up).
	 */
	EVP_PKEY_CTX *verify;
};

/*
 * Fills *out from cert, checked as a signer (statement_check_signer): its
 * key (a new reference) and digest. SS_ERR_CRYPTO if it cannot be hashed.
 */
int statement_signer_of(X509 *cert, struct statement_signer *out) SS_WUR;
/*
 * An EC key object on P-256 without a key (the curve only), to copy
 * signers' keys from in statement_signer_of_der; NULL if OpenSSL fails.
 * EVP_PKEY_free it.
 */
EVP_PKEY *statement_p256_template(void);
/*
 * statement_signer_of for a certificate whose very bytes (der, len) were
 * checked as a signer before (the certificate cache): its key is read from
 * the DER (spki.h) into a copy of tmpl (statement_p256_template) without
 * parsing the certificate, its digest is the DER's. SS_ERR_INVALID when
 * its key is not in the one form spki.h reads (or tmpl is NULL): parse it
 * then (statement_load_signer); SS_ERR_CRYPTO if OpenSSL fails (a point
 * off the curve included).
 */
int statement_signer_of_der(EVP_PKEY *tmpl, const uint8_t *der,
    size_t len, struct statement_signer *out) SS_WUR;
/*
 * *dst becomes a signer of its own for src's key (a new reference) and
 * digest, with a context of its own. SS_ERR_CRYPTO (*dst zeroed) if
 * OpenSSL fails.
 */
int statement_signer_copy(struct statement_signer *dst,
    const struct statement_signer *src) SS_WUR;
/* Drops the key reference and context and zeroes *sg; a zeroed one is a no-op. */
void statement_signer_clear(struct statement_signer *sg);
/*
 * A signer that borrows cert's key for as long as cert lives: no reference
 * and no context of its own, nothing to clear (each verification sets a
 * context up). SS_ERR_CRYPTO if cert cannot be hashed.
 */
int statement_signer_view(X509 *cert, struct statement_signer *out) SS_WUR;

/*
 * statement_verify with the signer made ready. verified_before: the caller
 * verified this very signature, on these very bytes by this very signer,
 * before; every check is made again but the signature's ECDSA
 * verification, which is the cost.
 */
int statement_verify_signer(const struct statement_signer *sg,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t *body, size_t len,
    const uint8_t *sig, size_t siglen, int verified_before,
    struct statement *s, struct ss_error *e) SS_WUR;

/*
 * Checks a party's TLS certificate as a signer of statements: it chains to
 * the CA in store (pki_ca_store: with its CRL, if any) and is valid now, is
 * a TLS client certificate (not a CA, digitalSignature usage, clientAuth
 * if it has extended usages), its subject has one CN and that CN is party,
 * and its key is EC P-256. SS_ERR_CERT with the reason.
 */
int statement_check_signer(X509_STORE *store, X509 *cert, const char *party,
    struct ss_error *e) SS_WUR;

/*
 * The same for a certificate in DER (as a directory relays it), which must
 * be exactly one certificate; on success *out holds it (X509_free it).
 */
int statement_load_signer(X509_STORE *store, const uint8_t *der, size_t len,
    const char *party, X509 **out, struct ss_error *e) SS_WUR;

#endif
