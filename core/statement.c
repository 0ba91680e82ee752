/*
 * statement.c: bodies, digests and signatures of version-2 statements; see
 * statement.h for the layout and docs/PROTOCOL.md section 19.
 *
 * Every body starts with "secure-sum/v2 ", whose first byte is 's'. TLS 1.3
 * signs, with the same certificate key, a CertificateVerify input that
 * starts with 64 spaces (0x20; RFC 8446 section 4.4.3), so no statement is
 * a prefix of a TLS signature's input, nor the reverse, and a signature
 * made for one is never valid for the other. statement_sign also refuses
 * bytes that do not parse as a statement, so the key signs nothing else.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "name.h"
#include "params.h"
#include "spki.h"
#include "statement.h"
#include "x509ctx.h"

/* Certificates are about 600 bytes of DER; anything far larger is not ours. */
#define SIGNER_DER_MAX (16 * 1024)
/* Values hashed per update: 4 KiB of little-endian words. */
#define VALUES_CHUNK 512

static const enum statement_type all_types[] = {
	STATEMENT_SUBMIT, STATEMENT_COHORT, STATEMENT_SUMPOINT,
};

const char *
statement_type_name(enum statement_type type)
{
	switch (type) {
	case STATEMENT_SUBMIT:   return "SUBMIT";
	case STATEMENT_COHORT:   return "COHORT";
	case STATEMENT_SUMPOINT: return "SUMPOINT";
	}
	return "?";
}

/* ---- bitmaps ----------------------------------------------------------- */

size_t
statement_bitmap_len(uint32_t n)
{
	return ((size_t)n + 7) / 8;
}

void
statement_bitmap_set(uint8_t *bitmap, uint32_t pos)
{
	bitmap[(pos - 1) / 8] |= (uint8_t)(1u << ((pos - 1) % 8));
}

int
statement_bitmap_has(const uint8_t *bitmap, uint32_t n, uint32_t pos)
{
	if (pos < 1 || pos > n)
		return 0;
	return (bitmap[(pos - 1) / 8] >> ((pos - 1) % 8)) & 1;
}

/* 1 if a bit past n is set: such a bitmap has a second spelling. */
static int
bitmap_has_padding(const uint8_t *bitmap, uint32_t n)
{
	unsigned used = n % 8;

	return used != 0 && (bitmap[n / 8] >> used) != 0;
}

/* ---- field checks ------------------------------------------------------ */

static int
check_n(const struct statement *s, struct ss_error *e)
{
	if (s->n < PARAMS_MIN_PARTIES || s->n > PARAMS_MAX_PARTIES)
		return ss_error_set(e, SS_ERR_INVALID, "%s statement: n must "
		    "be %d to %d, got %u", statement_type_name(s->type),
		    PARAMS_MIN_PARTIES, PARAMS_MAX_PARTIES, s->n);
	return SS_OK;
}

/* The rules a body's fields obey, for building and parsing alike. */
static int
check_fields(const struct statement *s, struct ss_error *e)
{
	const char *type = statement_type_name(s->type);
	int rc;

	switch (s->type) {
	case STATEMENT_SUBMIT:
		if ((rc = check_n(s, e)) != SS_OK)
			return rc;
		if (s->position < 1 || s->position > s->n)
			return ss_error_set(e, SS_ERR_INVALID, "%s statement: "
			    "position %u is not between 1 and n = %u", type,
			    s->position, s->n);
		if (s->digests == NULL)
			return ss_error_set(e, SS_ERR_INVALID, "%s statement "
			    "without digests", type);
		return SS_OK;
	case STATEMENT_COHORT:
		if ((rc = check_n(s, e)) != SS_OK)
			return rc;
		if (s->cohort == NULL)
			return ss_error_set(e, SS_ERR_INVALID, "%s statement "
			    "without a cohort", type);
		if (bitmap_has_padding(s->cohort, s->n))
			return ss_error_set(e, SS_ERR_INVALID, "%s statement: "
			    "the cohort names a position past n = %u", type,
			    s->n);
		return SS_OK;
	case STATEMENT_SUMPOINT:
		if (s->position < 1 || s->position > PARAMS_MAX_PARTIES)
			return ss_error_set(e, SS_ERR_INVALID, "%s statement: "
			    "position %u is not between 1 and %d", type,
			    s->position, PARAMS_MAX_PARTIES);
		if (s->length < 1)
			return ss_error_set(e, SS_ERR_INVALID, "%s statement: "
			    "vector length 0", type);
		return SS_OK;
	}
	return ss_error_set(e, SS_ERR_INVALID, "unknown statement type %d",
	    (int)s->type);
}

/* ---- bodies ------------------------------------------------------------ */

/*
 * The body of s into w; without the signer field for the cohort digest.
 * Fields are checked by the caller.
 */
static void
put_body(const struct statement *s, int with_signer, struct buf_writer *w)
{
	const char *type = statement_type_name(s->type);

	buf_put(w, STATEMENT_CONTEXT, sizeof(STATEMENT_CONTEXT) - 1);
	buf_put(w, type, strlen(type) + 1);     /* the name and its NUL */
	buf_put(w, s->d, sizeof(s->d));
	if (with_signer)
		buf_put(w, s->signer, sizeof(s->signer));
	switch (s->type) {
	case STATEMENT_SUBMIT:
		buf_put_u32(w, s->position);
		buf_put_u32(w, s->n);
		buf_put(w, s->digests, (size_t)s->n * STATEMENT_HASH_LEN);
		break;
	case STATEMENT_COHORT:
		buf_put_u32(w, s->n);
		buf_put(w, s->cohort, statement_bitmap_len(s->n));
		buf_put(w, s->submits, sizeof(s->submits));
		break;
	case STATEMENT_SUMPOINT:
		buf_put(w, s->cohort_digest, sizeof(s->cohort_digest));
		buf_put_u32(w, s->position);
		buf_put_u32(w, s->length);
		buf_put(w, s->values_digest, sizeof(s->values_digest));
		break;
	}
}

int
statement_encode(const struct statement *s, struct buf_writer *w,
    struct ss_error *e)
{
	int rc;

	if (s == NULL || w == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no statement to encode");
	if ((rc = check_fields(s, e)) != SS_OK)
		return rc;
	put_body(s, 1, w);
	if ((rc = buf_writer_error(w)) != SS_OK)
		return ss_error_set(e, rc, "cannot write a %s statement: %s",
		    statement_type_name(s->type), ss_strerror(rc));
	return SS_OK;
}

/* The context and type at the start of a body. */
static int
parse_context(struct buf_reader *r, enum statement_type *type,
    struct ss_error *e)
{
	const size_t clen = sizeof(STATEMENT_CONTEXT) - 1;
	const uint8_t *p;
	const char *name;
	size_t i, nlen;

	for (i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++) {
		name = statement_type_name(all_types[i]);
		nlen = strlen(name) + 1;
		if (buf_remaining(r) < clen + nlen ||
		    memcmp(r->data + r->off, STATEMENT_CONTEXT, clen) != 0 ||
		    memcmp(r->data + r->off + clen, name, nlen) != 0)
			continue;
		*type = all_types[i];
		return buf_get_bytes(r, clen + nlen, &p);
	}
	if (buf_remaining(r) < clen ||
	    memcmp(r->data + r->off, STATEMENT_CONTEXT, clen) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "not a statement: it "
		    "does not start with \"" STATEMENT_CONTEXT "\"");
	return ss_error_set(e, SS_ERR_INVALID, "statement of an unknown type");
}

/* The fields after the signer; arrays are left pointing into the body. */
static int
parse_fields(struct buf_reader *r, struct statement *s, struct ss_error *e)
{
	int rc;

	switch (s->type) {
	case STATEMENT_SUBMIT:
		if ((rc = buf_get_u32(r, &s->position)) != SS_OK ||
		    (rc = buf_get_u32(r, &s->n)) != SS_OK)
			return rc;
		/* Bounded before the length is used: n * 32 cannot wrap. */
		if ((rc = check_n(s, e)) != SS_OK)
			return rc;
		return buf_get_bytes(r, (size_t)s->n * STATEMENT_HASH_LEN,
		    &s->digests);
	case STATEMENT_COHORT:
		if ((rc = buf_get_u32(r, &s->n)) != SS_OK)
			return rc;
		if ((rc = check_n(s, e)) != SS_OK)
			return rc;
		if ((rc = buf_get_bytes(r, statement_bitmap_len(s->n),
		    &s->cohort)) != SS_OK)
			return rc;
		return buf_get_copy(r, s->submits, sizeof(s->submits));
	case STATEMENT_SUMPOINT:
		if ((rc = buf_get_copy(r, s->cohort_digest,
		    sizeof(s->cohort_digest))) != SS_OK ||
		    (rc = buf_get_u32(r, &s->position)) != SS_OK ||
		    (rc = buf_get_u32(r, &s->length)) != SS_OK)
			return rc;
		return buf_get_copy(r, s->values_digest, sizeof(s->values_digest));
	}
	return SS_ERR_INTERNAL;
}

int
statement_parse(const uint8_t *body, size_t len, struct statement *s,
    struct ss_error *e)
{
	struct buf_reader r;
	int rc;

	if (s == NULL || (body == NULL && len > 0))
		return ss_error_set(e, SS_ERR_INVALID, "no statement to parse");
	memset(s, 0, sizeof(*s));
	buf_reader_init(&r, body, len);
	if ((rc = parse_context(&r, &s->type, e)) != SS_OK)
		return rc;
	if ((rc = buf_get_copy(&r, s->d, sizeof(s->d))) != SS_OK ||
	    (rc = buf_get_copy(&r, s->signer, sizeof(s->signer))) != SS_OK ||
	    (rc = parse_fields(&r, s, e)) != SS_OK) {
		if (rc == SS_ERR_TRUNCATED)
			ss_error_set(e, rc, "%s statement truncated: %zu bytes",
			    statement_type_name(s->type), len);
		return rc;
	}
	if (buf_remaining(&r) != 0)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "%s statement has %zu "
		    "bytes after its last field", statement_type_name(s->type),
		    buf_remaining(&r));
	return check_fields(s, e);
}

int
statement_same(const struct statement *a, const struct statement *b)
{
	if (a->type != b->type || memcmp(a->d, b->d, sizeof(a->d)) != 0 ||
	    memcmp(a->signer, b->signer, sizeof(a->signer)) != 0)
		return 0;
	switch (a->type) {
	case STATEMENT_SUBMIT:
		return a->position == b->position && a->n == b->n &&
		    memcmp(a->digests, b->digests,
		    (size_t)a->n * STATEMENT_HASH_LEN) == 0;
	case STATEMENT_COHORT:
		return a->n == b->n && memcmp(a->cohort, b->cohort,
		    statement_bitmap_len(a->n)) == 0 &&
		    memcmp(a->submits, b->submits, sizeof(a->submits)) == 0;
	case STATEMENT_SUMPOINT:
		return a->position == b->position && a->length == b->length &&
		    memcmp(a->cohort_digest, b->cohort_digest,
		    sizeof(a->cohort_digest)) == 0 &&
		    memcmp(a->values_digest, b->values_digest,
		    sizeof(a->values_digest)) == 0;
	}
	return 0;
}

int
statement_conflict(const struct statement *a, const struct statement *b)
{
	return a->type == b->type && memcmp(a->d, b->d, sizeof(a->d)) == 0 &&
	    memcmp(a->signer, b->signer, sizeof(a->signer)) == 0 &&
	    !statement_same(a, b);
}

/* ---- digests ----------------------------------------------------------- */

int
statement_hash(const uint8_t *p, size_t n, uint8_t out[STATEMENT_HASH_LEN])
{
	return digest_bytes(p, n, out);
}

int
statement_values_digest(const uint64_t *values, size_t L,
    uint8_t out[STATEMENT_HASH_LEN])
{
	uint8_t chunk[VALUES_CHUNK * 8];
	struct digest h;
	size_t i, k;
	int rc;

	if (values == NULL && L > 0)
		return SS_ERR_INVALID;
	if ((rc = digest_begin(&h)) != SS_OK)
		return rc;
	for (i = 0; i < L; i += k) {
		for (k = 0; k < VALUES_CHUNK && i + k < L; k++)
			buf_store_u64(chunk + 8 * k, values[i + k]);
		buf_put(&h.w, chunk, 8 * k);
	}
	return digest_end(&h, out);
}

int
statement_submits_digest(const uint8_t *const *bodies, const size_t *lens,
    size_t m, uint8_t out[STATEMENT_HASH_LEN])
{
	uint8_t h[STATEMENT_HASH_LEN];
	struct statement s;
	struct digest d;
	uint32_t last = 0;
	size_t i;
	int rc = SS_OK, end;

	memset(out, 0, STATEMENT_HASH_LEN);
	memset(&s, 0, sizeof(s));
	if (m == 0 || bodies == NULL || lens == NULL)
		return SS_ERR_INVALID;
	/* Every body a SUBMIT, in position order, before anything is hashed. */
	for (i = 0; i < m; i++) {
		if (statement_parse(bodies[i], lens[i], &s, NULL) != SS_OK ||
		    s.type != STATEMENT_SUBMIT || s.position <= last)
			return SS_ERR_INVALID;
		last = s.position;
	}
	if ((rc = digest_begin(&d)) != SS_OK)
		return rc;
	for (i = 0; i < m; i++) {
		if ((rc = digest_bytes(bodies[i], lens[i], h)) != SS_OK)
			break;
		buf_put(&d.w, h, sizeof(h));
	}
	/* digest_end frees d whatever happens, so it runs after a failure too. */
	end = digest_end(&d, out);
	if (rc == SS_OK)
		rc = end;
	if (rc != SS_OK)
		memset(out, 0, STATEMENT_HASH_LEN);
	return rc;
}

int
statement_cohort_digest(const struct statement *cohort,
    uint8_t out[STATEMENT_HASH_LEN])
{
	struct digest h;
	int rc;

	if (cohort == NULL || cohort->type != STATEMENT_COHORT ||
	    check_fields(cohort, NULL) != SS_OK)
		return SS_ERR_INVALID;
	if ((rc = digest_begin(&h)) != SS_OK)
		return rc;
	put_body(cohort, 0, &h.w);
	return digest_end(&h, out);
}

int
statement_cert_digest(X509 *cert, uint8_t out[STATEMENT_HASH_LEN])
{
	unsigned int len = 0;

	if (cert == NULL)
		return SS_ERR_INVALID;
	/* X509_digest hashes the certificate's DER encoding. */
	if (X509_digest(cert, EVP_sha256(), out, &len) != 1 ||
	    len != STATEMENT_HASH_LEN) {
		memset(out, 0, STATEMENT_HASH_LEN);
		ERR_clear_error();
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

/* ---- signatures -------------------------------------------------------- */

/* 1 if key is an EC key on P-256, the only kind that signs statements. */
static int
key_is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (key == NULL || !EVP_PKEY_is_a(key, "EC"))
		return 0;
	if (EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) != 1)
		return 0;
	return strcmp(group, "prime256v1") == 0;
}

int
statement_sign(EVP_PKEY *key, const uint8_t *body, size_t len,
    uint8_t sig[STATEMENT_SIG_MAX], size_t *siglen, struct ss_error *e)
{
	struct statement s;
	EVP_MD_CTX *md;
	size_t max = STATEMENT_SIG_MAX;
	int rc;

	memset(&s, 0, sizeof(s));
	if (siglen == NULL || sig == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no room for a signature");
	*siglen = 0;
	if ((rc = statement_parse(body, len, &s, e)) != SS_OK) {
		(void)ss_error_prefix(e, "refusing to sign");
		return rc;
	}
	if (!key_is_p256(key))
		return ss_error_set(e, SS_ERR_INVALID, "a statement is signed "
		    "with an EC P-256 key, and this key is not one");
	if ((md = EVP_MD_CTX_new()) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory signing");
	rc = SS_ERR_CRYPTO;
	/* max is sig's size going in, the signature's length coming out. */
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, sig, &max, body, len) == 1 &&
	    max <= STATEMENT_SIG_MAX)
		rc = SS_OK;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (rc != SS_OK)
		return ss_error_set(e, rc, "cannot sign the %s statement",
		    statement_type_name(s.type));
	*siglen = max;
	return SS_OK;
}

int
statement_make(const struct statement *s, EVP_PKEY *key, uint8_t **body,
    size_t *len, uint8_t sig[STATEMENT_SIG_MAX], size_t *siglen,
    struct ss_error *e)
{
	struct buf_writer w;
	int rc;

	if (body == NULL || len == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no room for a body");
	*body = NULL;
	*len = 0;
	buf_writer_init(&w, STATEMENT_BODY_MAX);
	if ((rc = statement_encode(s, &w, e)) != SS_OK ||
	    (rc = statement_sign(key, w.data, w.len, sig, siglen, e)) != SS_OK) {
		buf_writer_free(&w);
		return rc;
	}
	/* The writer's memory is the body's now. */
	*body = w.data;
	*len = w.len;
	return SS_OK;
}

/*
 * A verification context of key, an EC P-256 key; NULL if OpenSSL fails.
 * The signature algorithm is fetched here, once: EVP_PKEY_verify then
 * only checks a digest against a signature, and the context may verify
 * again and again (ECDSA keeps no state between verifications).
 */
static EVP_PKEY_CTX *
verify_ctx(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) != NULL &&
	    EVP_PKEY_verify_init(ctx) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ctx = NULL;
	}
	ERR_clear_error();
	return ctx;
}

/*
 * 1 if sig is the signature of body by the key of ctx (verify_ctx): an
 * ECDSA signature of SHA-256(body), as EVP_DigestVerify with SHA-256
 * checks it, the digest taken here.
 */
static int
signature_valid(EVP_PKEY_CTX *ctx, const uint8_t *body, size_t len,
    const uint8_t *sig, size_t siglen)
{
	uint8_t h[STATEMENT_HASH_LEN];
	int ok;

	ok = ctx != NULL && statement_hash(body, len, h) == SS_OK &&
	    EVP_PKEY_verify(ctx, sig, siglen, h, sizeof(h)) == 1;
	ERR_clear_error();
	return ok;
}

/* The context of sg, or one of its key made now (*made, to free). */
static EVP_PKEY_CTX *
signer_ctx(const struct statement_signer *sg, EVP_PKEY_CTX **made)
{
	*made = NULL;
	if (sg->verify != NULL)
		return sg->verify;
	return *made = verify_ctx(sg->key);
}

/*
 * Sets sg's verification context up when its key is EC P-256 (and leaves
 * it NULL when not: verification refuses that key). On failure sg is
 * cleared and SS_ERR_CRYPTO returned.
 */
static int
signer_ready(struct statement_signer *sg)
{
	sg->verify = NULL;
	if (!key_is_p256(sg->key))
		return SS_OK;
	if ((sg->verify = verify_ctx(sg->key)) == NULL) {
		statement_signer_clear(sg);
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

int
statement_signer_of(X509 *cert, struct statement_signer *out)
{
	memset(out, 0, sizeof(*out));
	if (cert == NULL || X509_get0_pubkey(cert) == NULL)
		return SS_ERR_INVALID;
	if (statement_cert_digest(cert, out->digest) != SS_OK)
		return SS_ERR_CRYPTO;
	out->key = X509_get0_pubkey(cert);
	if (EVP_PKEY_up_ref(out->key) != 1) {
		memset(out, 0, sizeof(*out));
		return SS_ERR_CRYPTO;
	}
	return signer_ready(out);
}

EVP_PKEY *
statement_p256_template(void)
{
	char group[] = "prime256v1";
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group,
		    sizeof(group) - 1),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return key;
}

/*
 * The key object of an uncompressed P-256 point (checked on the curve), a
 * copy of tmpl: copying the curve costs a fraction of building it.
 */
static EVP_PKEY *
p256_key(EVP_PKEY *tmpl, const uint8_t point[SPKI_P256_POINT_LEN])
{
	EVP_PKEY *key;

	if ((key = EVP_PKEY_dup(tmpl)) != NULL &&
	    EVP_PKEY_set1_encoded_public_key(key, point,
	    SPKI_P256_POINT_LEN) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	ERR_clear_error();
	return key;
}

int
statement_signer_of_der(EVP_PKEY *tmpl, const uint8_t *der,
    size_t len, struct statement_signer *out)
{
	uint8_t point[SPKI_P256_POINT_LEN];

	memset(out, 0, sizeof(*out));
	if (tmpl == NULL || der == NULL || len == 0 || len > SIGNER_DER_MAX ||
	    spki_p256_point(der, len, point) != SS_OK)
		return SS_ERR_INVALID;
	if (statement_hash(der, len, out->digest) != SS_OK ||
	    (out->key = p256_key(tmpl, point)) == NULL) {
		memset(out, 0, sizeof(*out));
		return SS_ERR_CRYPTO;
	}
	return signer_ready(out);
}

int
statement_signer_copy(struct statement_signer *dst,
    const struct statement_signer *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->key == NULL || EVP_PKEY_up_ref(src->key) != 1)
		return SS_ERR_CRYPTO;
	dst->key = src->key;
	memcpy(dst->digest, src->digest, sizeof(dst->digest));
	/* A copy of the context: no lookup, unlike setting one up. */
	if (src->verify != NULL &&
	    (dst->verify = EVP_PKEY_CTX_dup(src->verify)) == NULL) {
		statement_signer_clear(dst);
		ERR_clear_error();
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

void
statement_signer_clear(struct statement_signer *sg)
{
	EVP_PKEY_CTX_free(sg->verify);
	EVP_PKEY_free(sg->key);
	memset(sg, 0, sizeof(*sg));
}

/*
 * A flag rather than a pair of wrappers: the caller that may skip the
 * ECDSA verification (peers.c) decides it per statement at run time.
 */
int
statement_verify_signer(const struct statement_signer *sg,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t *body, size_t len,
    const uint8_t *sig, size_t siglen, int verified_before,
    struct statement *s, struct ss_error *e)
{
	struct statement local;
	EVP_PKEY_CTX *made = NULL;
	const char *type;
	int rc, ok;

	memset(&local, 0, sizeof(local));
	if (s == NULL)
		s = &local;
	if (sg == NULL || sg->key == NULL || d == NULL ||
	    (sig == NULL && siglen > 0))
		return ss_error_set(e, SS_ERR_INVALID, "nothing to verify");
	if ((rc = statement_parse(body, len, s, e)) != SS_OK)
		return rc;
	type = statement_type_name(s->type);
	if (CRYPTO_memcmp(s->d, d, PARAMS_DIGEST_LEN) != 0)
		return ss_error_set(e, SS_ERR_AUTH, "%s statement is for "
		    "another session digest", type);
	if (CRYPTO_memcmp(s->signer, sg->digest, sizeof(sg->digest)) != 0)
		return ss_error_set(e, SS_ERR_AUTH, "%s statement names another "
		    "signer than this certificate", type);
	/* A signer with a context has a P-256 key (signer_ready). */
	if (sg->verify == NULL && !key_is_p256(sg->key))
		return ss_error_set(e, SS_ERR_AUTH, "%s statement's signer has "
		    "no EC P-256 key", type);
	if (siglen == 0 || siglen > STATEMENT_SIG_MAX)
		ok = 0;
	else if (verified_before)
		ok = 1;
	else {
		ok = signature_valid(signer_ctx(sg, &made), body, len, sig,
		    siglen);
		EVP_PKEY_CTX_free(made);
	}
	if (!ok)
		return ss_error_set(e, SS_ERR_AUTH, "%s statement's signature "
		    "does not verify", type);
	return SS_OK;
}

int
statement_signer_view(X509 *cert, struct statement_signer *out)
{
	memset(out, 0, sizeof(*out));
	if (statement_cert_digest(cert, out->digest) != SS_OK)
		return SS_ERR_CRYPTO;
	out->key = X509_get0_pubkey(cert);
	return SS_OK;
}

int
statement_verify(X509 *cert, const uint8_t d[PARAMS_DIGEST_LEN],
    const uint8_t *body, size_t len, const uint8_t *sig, size_t siglen,
    struct statement *s, struct ss_error *e)
{
	struct statement_signer sg;

	if (cert == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "nothing to verify");
	if (statement_signer_view(cert, &sg) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the signer's "
		    "certificate");
	return statement_verify_signer(&sg, d, body, len, sig, siglen, 0, s, e);
}

/* ---- signers' certificates --------------------------------------------- */

/* 1 if the subject has exactly one CN and it is party, byte for byte. */
static int
subject_is(X509 *cert, const char *party)
{
	const X509_NAME *subject = X509_get_subject_name(cert);
	const ASN1_STRING *cn;
	int idx, type;
	size_t plen = strlen(party);

	if (subject == NULL ||
	    (idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(subject, NID_commonName, idx) != -1)
		return 0;
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
	if (cn == NULL)
		return 0;
	/* Types that hold an ASCII name byte for byte, as pki.c accepts. */
	type = ASN1_STRING_type(cn);
	if (type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING &&
	    type != V_ASN1_IA5STRING)
		return 0;
	return (size_t)ASN1_STRING_length(cn) == plen &&
	    memcmp(ASN1_STRING_get0_data(cn), party, plen) == 0;
}

/* Chain, validity, revocation and TLS-client purpose, against store. */
static int
chain_valid(X509_STORE *store, X509 *cert, struct ss_error *e)
{
	X509_STORE_CTX *vctx;
	int rc = SS_ERR_CERT;

	if ((vctx = X509_STORE_CTX_new()) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory checking a "
		    "certificate");
	if (X509_STORE_CTX_init(vctx, store, cert, NULL) != 1 ||
	    X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_CLIENT) != 1)
		ss_error_set(e, rc = SS_ERR_CRYPTO, "cannot set up a "
		    "certificate check");
	else if (X509_verify_cert(vctx) != 1)
		ss_error_set(e, rc, "certificate does not verify against the "
		    "CA: %s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
	else
		rc = SS_OK;
	X509_STORE_CTX_free(vctx);
	ERR_clear_error();
	return rc;
}

int
statement_check_signer(X509_STORE *store, X509 *cert, const char *party,
    struct ss_error *e)
{
	uint32_t flags;
	int rc;

	if (store == NULL || cert == NULL || !name_valid(party))
		return ss_error_set(e, SS_ERR_INVALID, "no certificate, store "
		    "or valid party name to check");
	if ((rc = chain_valid(store, cert, e)) != SS_OK) {
		(void)ss_error_prefix(e, "signer %s", party);
		return rc;
	}
	flags = X509_get_extension_flags(cert);
	if ((flags & EXFLAG_INVALID) != 0 || X509_check_ca(cert) != 0 ||
	    (flags & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) == 0)
		return ss_error_set(e, SS_ERR_CERT, "signer %s: not a party's "
		    "TLS certificate (a CA, or no digitalSignature usage)",
		    party);
	if (!subject_is(cert, party))
		return ss_error_set(e, SS_ERR_CERT, "signer %s: the "
		    "certificate is not %s's (its subject's CN differs)",
		    party, party);
	if (!key_is_p256(X509_get0_pubkey(cert)))
		return ss_error_set(e, SS_ERR_CERT, "signer %s: the "
		    "certificate's key is not EC P-256", party);
	return SS_OK;
}

int
statement_load_signer(X509_STORE *store, const uint8_t *der, size_t len,
    const char *party, X509 **out, struct ss_error *e)
{
	uint8_t point[SPKI_P256_POINT_LEN];
	const unsigned char *p = der;
	X509 *x;
	int rc;

	if (out == NULL || der == NULL || len == 0)
		return ss_error_set(e, SS_ERR_INVALID, "no certificate");
	*out = NULL;
	if (len > SIGNER_DER_MAX)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "certificate of %zu "
		    "bytes, over %d", len, SIGNER_DER_MAX);
	/*
	 * Our CA's shape is parsed where decoding its key is cheap
	 * (x509ctx.h), any other in full. The whole buffer must be the one
	 * certificate: no trailing bytes.
	 */
	if ((spki_p256_point(der, len, point) != SS_OK ||
	    (x = x509ctx_parse(der, len)) == NULL) &&
	    (x = d2i_X509(NULL, &p, (long)len)) != NULL && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	if (x == NULL) {
		X509_free(x);
		return ss_error_set(e, SS_ERR_CERT, "not one DER certificate");
	}
	if ((rc = statement_check_signer(store, x, party, e)) != SS_OK) {
		X509_free(x);
		return rc;
	}
	*out = x;
	return SS_OK;
}
