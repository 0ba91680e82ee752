/*
 * test_core_statement.c: unit tests of core/statement.c: the bodies of
 * SUBMIT, COHORT and SUMPOINT against tests/data/v2-vectors.txt byte for
 * byte, the separation from TLS 1.3's signed input, strict parsing, the
 * comparison by content, and signatures with keys made by the real
 * scripts/mkcerts.sh: round trips, and failures for a tampered body or
 * signature, another party's key, another session digest, and a
 * certificate from another CA.
 *
 * The group setup takes the certificates of tests/fixture/certs.c, made by
 * the real scripts/mkcerts.sh: the project's PKI (alice, bob) and an
 * unrelated CA that has an alice too, the impostor.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certs.h"
#include "err.h"
#include "field.h"
#include "params.h"
#include "pki.h"
#include "statement.h"
#include "tempdir.h"
#include "vectors.h"

/* ---- fixtures ---------------------------------------------------------- */

struct party {
	X509 *cert;
	EVP_PKEY *key;
	uint8_t digest[STATEMENT_HASH_LEN];
};

static X509_STORE *g_store;
static struct party g_alice, g_bob, g_impostor;     /* impostor: other CA */
static X509 *g_server_cert, *g_enc_cert, *g_ca_cert;
static EVP_PKEY *g_enc_key;

/* A PEM certificate (key == 0) or private key (key == 1) from dir/file. */
static void *
read_pem(const char *dir, const char *file, int key)
{
	char path[PATH_MAX];
	void *obj;
	FILE *f;

	path_of(path, sizeof(path), dir, file);
	assert_non_null(f = fopen(path, "r"));
	obj = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(obj);
	return obj;
}

static void
load_party(struct party *p, const char *dir, const char *name)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.crt", name);
	p->cert = read_pem(dir, file, 0);
	snprintf(file, sizeof(file), "%s.key", name);
	p->key = read_pem(dir, file, 1);
	assert_int_equal(statement_cert_digest(p->cert, p->digest), SS_OK);
}

static int
setup(void **state)
{
	const char *dir, *other;
	struct ss_error e;

	(void)state;
	if ((dir = certs_dir()) == NULL || (other = other_certs_dir()) == NULL)
		return -1;
	ss_error_clear(&e);
	if ((g_store = pki_ca_store(dir, &e)) == NULL) {
		print_error("%s\n", e.msg);
		return -1;
	}
	load_party(&g_alice, dir, "alice");
	load_party(&g_bob, dir, "bob");
	load_party(&g_impostor, other, "alice");
	g_server_cert = read_pem(dir, "server.crt", 0);
	g_enc_cert = read_pem(dir, "alice.enc.crt", 0);
	g_ca_cert = read_pem(dir, "ca.crt", 0);
	g_enc_key = read_pem(dir, "alice.enc.key", 1);
	return 0;
}

static void
free_party(struct party *p)
{
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
}

static int
teardown(void **state)
{
	(void)state;
	free_party(&g_alice);
	free_party(&g_bob);
	free_party(&g_impostor);
	X509_free(g_server_cert);
	X509_free(g_enc_cert);
	X509_free(g_ca_cert);
	EVP_PKEY_free(g_enc_key);
	X509_STORE_free(g_store);
	certs_remove();
	return 0;
}

/* ---- the vector's statements ------------------------------------------- */

#define VEC_N 5

static uint8_t g_submit_digests[VEC_N * STATEMENT_HASH_LEN];
static uint8_t g_bitmap[1];

static void encode(const struct statement *s, struct buf_writer *w);

/*
 * The submits digest of the vector's cohort {1, 2, 4, 5}: over the SUBMIT
 * of sub (the vector's SUBMIT) with each member's position in turn.
 */
static void
vector_submits_digest(const struct statement *sub,
    uint8_t out[STATEMENT_HASH_LEN])
{
	static const uint32_t members[4] = { 1, 2, 4, 5 };
	struct buf_writer w[4];
	const uint8_t *bodies[4];
	size_t lens[4], i;
	struct statement m;

	for (i = 0; i < 4; i++) {
		m = *sub;
		m.position = members[i];
		encode(&m, &w[i]);
		bodies[i] = w[i].data;
		lens[i] = w[i].len;
	}
	assert_int_equal(statement_submits_digest(bodies, lens, 4, out), SS_OK);
	for (i = 0; i < 4; i++)
		buf_writer_free(&w[i]);
}

/* The vector's statement of a type, for signer (the vector's if NULL). */
static void
vector_statement(enum statement_type type, const uint8_t *signer,
    struct statement *s)
{
	static const uint64_t values[3] = { 52000, FIELD_P - 7, 0 };
	struct statement cohort, sub;
	uint8_t *bytes;
	size_t len, j;

	memset(s, 0, sizeof(*s));
	s->type = type;
	bytes = vector_hex(VECTORS_V2, "D", &len);
	assert_int_equal(len, PARAMS_DIGEST_LEN);
	memcpy(s->d, bytes, len);
	free(bytes);
	bytes = vector_hex(VECTORS_V2, "signer", &len);
	assert_int_equal(len, STATEMENT_HASH_LEN);
	memcpy(s->signer, signer != NULL ? signer : bytes, len);
	free(bytes);
	for (j = 0; j < VEC_N; j++)
		memset(g_submit_digests + j * STATEMENT_HASH_LEN, (int)j + 1,
		    STATEMENT_HASH_LEN);
	g_bitmap[0] = 0;
	statement_bitmap_set(g_bitmap, 1);
	statement_bitmap_set(g_bitmap, 2);
	statement_bitmap_set(g_bitmap, 4);
	statement_bitmap_set(g_bitmap, 5);
	s->n = VEC_N;
	sub = *s;
	sub.type = STATEMENT_SUBMIT;
	sub.position = 2;
	sub.digests = g_submit_digests;
	if (type == STATEMENT_SUBMIT) {
		*s = sub;
	} else if (type == STATEMENT_COHORT) {
		s->cohort = g_bitmap;
		vector_submits_digest(&sub, s->submits);
	} else {
		s->n = 0;
		cohort = *s;
		cohort.type = STATEMENT_COHORT;
		cohort.n = VEC_N;
		cohort.cohort = g_bitmap;
		vector_submits_digest(&sub, cohort.submits);
		assert_int_equal(statement_cohort_digest(&cohort,
		    s->cohort_digest), SS_OK);
		s->position = 3;
		s->length = 3;
		assert_int_equal(statement_values_digest(values, 3,
		    s->values_digest), SS_OK);
	}
}

/* The body of s in w (memory, freed by the caller). */
static void
encode(const struct statement *s, struct buf_writer *w)
{
	struct ss_error e;

	buf_writer_init(w, STATEMENT_BODY_MAX);
	ss_error_clear(&e);
	if (statement_encode(s, w, &e) != SS_OK)
		fail_msg("%s", e.msg);
}

static const char *const body_names[] = {
	NULL, "submit_body", "cohort_body", "sumpoint_body",
};

static void
test_vector(void **state)
{
	struct statement s, back;
	struct buf_writer w, w2;
	struct ss_error e;
	int type;

	(void)state;
	vector_expect(VECTORS_V2, "submit_position", "2");
	vector_expect(VECTORS_V2, "cohort_members", "1,2,4,5");
	vector_expect(VECTORS_V2, "sumpoint_position", "3");
	vector_expect(VECTORS_V2, "sumpoint_values", "52000,2305843009213693944,0");
	for (type = STATEMENT_SUBMIT; type <= STATEMENT_SUMPOINT; type++) {
		vector_statement((enum statement_type)type, NULL, &s);
		if (type == STATEMENT_COHORT)
			vector_expect_hex(VECTORS_V2, "submits_digest",
			    s.submits, STATEMENT_HASH_LEN);
		if (type == STATEMENT_SUMPOINT) {
			vector_expect_hex(VECTORS_V2, "cohort_digest",
			    s.cohort_digest, STATEMENT_HASH_LEN);
			vector_expect_hex(VECTORS_V2, "values_digest",
			    s.values_digest, STATEMENT_HASH_LEN);
		}
		encode(&s, &w);
		vector_expect_hex(VECTORS_V2, body_names[type], w.data, w.len);
		/* Parsed back: the same content, encoded to the same bytes. */
		ss_error_clear(&e);
		assert_int_equal(statement_parse(w.data, w.len, &back, &e),
		    SS_OK);
		assert_int_equal(back.type, type);
		assert_true(statement_same(&s, &back));
		encode(&back, &w2);
		assert_int_equal(w2.len, w.len);
		assert_memory_equal(w2.data, w.data, w.len);
		buf_writer_free(&w2);
		buf_writer_free(&w);
	}
}

/*
 * TLS 1.3 signs 64 spaces, a context string and a NUL, then a transcript
 * hash, with the same certificate key (RFC 8446 section 4.4.3): no
 * statement may be a prefix of that input, nor have it as a prefix.
 */
static void
test_not_a_tls_signature_input(void **state)
{
	static const char *const ctx[] = {
		"TLS 1.3, client CertificateVerify",
		"TLS 1.3, server CertificateVerify",
	};
	uint8_t tls[64 + 34 + 1 + 32];
	struct statement s;
	struct buf_writer w;
	size_t i, n;
	int type;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* Both context strings are 33 bytes: the last byte is spare. */
		memset(tls, 0, sizeof(tls));
		memset(tls, 0x20, 64);
		memcpy(tls + 64, ctx[i], strlen(ctx[i]) + 1);
		memset(tls + 64 + strlen(ctx[i]) + 1, 0x5a, 32);
		for (type = STATEMENT_SUBMIT; type <= STATEMENT_SUMPOINT;
		    type++) {
			vector_statement((enum statement_type)type, NULL, &s);
			encode(&s, &w);
			n = w.len < sizeof(tls) ? w.len : sizeof(tls);
			assert_memory_not_equal(w.data, tls, n);
			assert_int_not_equal(w.data[0], 0x20);
			buf_writer_free(&w);
		}
	}
}

/* ---- strict parsing ---------------------------------------------------- */

static void
expect_parse_error(const uint8_t *body, size_t len, int rc, const char *words)
{
	struct statement s;
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(statement_parse(body, len, &s, &e), rc);
	if (words != NULL && strstr(e.msg, words) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
}

static void
test_parse_every_truncation_and_extension(void **state)
{
	struct statement s;
	uint8_t *body, *longer;
	size_t len, cut;
	int type, rc;

	(void)state;
	for (type = STATEMENT_SUBMIT; type <= STATEMENT_SUMPOINT; type++) {
		body = vector_hex(VECTORS_V2, body_names[type], &len);
		for (cut = 0; cut < len; cut++) {
			/* A copy of exactly cut bytes, so ASan sees overreads. */
			uint8_t *p = malloc(cut + 1);

			assert_non_null(p);
			memcpy(p, body, cut);
			rc = statement_parse(p, cut, &s, NULL);
			assert_true(rc == SS_ERR_TRUNCATED || rc == SS_ERR_INVALID);
			free(p);
		}
		longer = malloc(len + 1);
		assert_non_null(longer);
		memcpy(longer, body, len);
		longer[len] = 0;
		expect_parse_error(longer, len + 1, SS_ERR_TOO_LARGE,
		    "1 bytes after its last field");
		free(longer);
		free(body);
	}
	expect_parse_error(NULL, 0, SS_ERR_INVALID, "not a statement");
}

/* Offsets in the vector's bodies: context, D, signer, then the fields. */
#define AFTER_SIGNER(type_len) (14 + (type_len) + 1 + 64)

static void
test_parse_bad_fields(void **state)
{
	uint8_t *body;
	size_t len, off;

	(void)state;
	body = vector_hex(VECTORS_V2, "submit_body", &len);
	off = AFTER_SIGNER(6);
	body[off] = 0;                                  /* position 0 */
	expect_parse_error(body, len, SS_ERR_INVALID, "position 0 is not "
	    "between 1 and n = 5");
	body[off] = 6;
	expect_parse_error(body, len, SS_ERR_INVALID, "position 6");
	body[off] = 2;
	body[off + 4] = 1;                              /* n = 1 */
	expect_parse_error(body, len, SS_ERR_INVALID, "n must be 2 to 65536, "
	    "got 1");
	body[off + 4] = 0xff;                           /* n = 2^32 - 1 */
	body[off + 5] = body[off + 6] = body[off + 7] = 0xff;
	expect_parse_error(body, len, SS_ERR_INVALID, "got 4294967295");
	body[off + 4] = 0x00;                           /* n = 65536: short */
	body[off + 5] = 0x00;
	body[off + 6] = 0x01;
	body[off + 7] = 0x00;
	expect_parse_error(body, len, SS_ERR_TRUNCATED, "SUBMIT statement "
	    "truncated");
	body[14] = 'X';
	expect_parse_error(body, len, SS_ERR_INVALID, "unknown type");
	body[0] = ' ';
	expect_parse_error(body, len, SS_ERR_INVALID, "does not start with");
	free(body);

	body = vector_hex(VECTORS_V2, "cohort_body", &len);
	assert_int_equal(len, AFTER_SIGNER(6) + 4 + 1 + 32);
	body[len - 33] |= 0x20;                         /* position 6 of 5 */
	expect_parse_error(body, len, SS_ERR_INVALID, "names a position past "
	    "n = 5");
	free(body);

	body = vector_hex(VECTORS_V2, "sumpoint_body", &len);
	off = AFTER_SIGNER(8) + 32;
	body[off + 4] = 0;                              /* L = 0 */
	expect_parse_error(body, len, SS_ERR_INVALID, "vector length 0");
	body[off + 4] = 3;
	memset(body + off, 0, 4);                       /* position 0 */
	expect_parse_error(body, len, SS_ERR_INVALID, "position 0");
	free(body);
}

static void
test_encode_refuses(void **state)
{
	struct statement s;
	struct buf_writer w;
	struct ss_error e;

	(void)state;
	vector_statement(STATEMENT_COHORT, NULL, &s);
	g_bitmap[0] = 0xff;
	buf_writer_init(&w, 4096);
	ss_error_clear(&e);
	assert_int_equal(statement_encode(&s, &w, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "past n = 5"));
	s.type = (enum statement_type)7;
	assert_int_equal(statement_encode(&s, &w, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "unknown statement type 7"));
	assert_int_equal(w.len, 0);
	buf_writer_free(&w);

	vector_statement(STATEMENT_SUBMIT, NULL, &s);
	s.digests = NULL;
	buf_writer_init(&w, 4096);
	assert_int_equal(statement_encode(&s, &w, &e), SS_ERR_INVALID);
	buf_writer_free(&w);
	vector_statement(STATEMENT_SUBMIT, NULL, &s);
	buf_writer_init(&w, 100);                       /* too small */
	assert_int_equal(statement_encode(&s, &w, &e), SS_ERR_TOO_LARGE);
	buf_writer_free(&w);
	assert_int_equal(statement_encode(NULL, &w, &e), SS_ERR_INVALID);
}

/* ---- content ----------------------------------------------------------- */

static void
test_same_and_conflict(void **state)
{
	uint8_t other_digests[VEC_N * STATEMENT_HASH_LEN];
	struct statement a, b;
	int type;

	(void)state;
	for (type = STATEMENT_SUBMIT; type <= STATEMENT_SUMPOINT; type++) {
		vector_statement((enum statement_type)type, NULL, &a);
		b = a;
		assert_true(statement_same(&a, &b));
		assert_false(statement_conflict(&a, &b));
		/* Another signer, or another D: different, but no proof. */
		b.signer[31] ^= 1;
		assert_false(statement_same(&a, &b));
		assert_false(statement_conflict(&a, &b));
		b = a;
		b.d[0] ^= 1;
		assert_false(statement_conflict(&a, &b));
	}
	/* One signer, one D, two contents: proof. */
	vector_statement(STATEMENT_SUBMIT, NULL, &a);
	b = a;
	memcpy(other_digests, a.digests, sizeof(other_digests));
	other_digests[4 * STATEMENT_HASH_LEN] ^= 1;     /* carol's digest */
	b.digests = other_digests;
	assert_false(statement_same(&a, &b));
	assert_true(statement_conflict(&a, &b));
	vector_statement(STATEMENT_SUMPOINT, NULL, &a);
	b = a;
	b.values_digest[0] ^= 1;
	assert_true(statement_conflict(&a, &b));
	b = a;
	b.cohort_digest[0] ^= 1;
	assert_true(statement_conflict(&a, &b));
	/* A COHORT of the same members over other SUBMITs: proof too. */
	vector_statement(STATEMENT_COHORT, NULL, &a);
	b = a;
	b.submits[0] ^= 1;
	assert_false(statement_same(&a, &b));
	assert_true(statement_conflict(&a, &b));
	vector_statement(STATEMENT_SUMPOINT, NULL, &a);
	/* Statements of two types never conflict. */
	vector_statement(STATEMENT_COHORT, NULL, &b);
	assert_false(statement_conflict(&a, &b));
	assert_string_equal(statement_type_name(STATEMENT_COHORT), "COHORT");
	assert_string_equal(statement_type_name((enum statement_type)0), "?");
}

/* The submits digest takes SUBMITs only, in increasing position order. */
static void
test_submits_digest_refuses(void **state)
{
	uint8_t out[STATEMENT_HASH_LEN], zero[STATEMENT_HASH_LEN] = { 0 };
	struct statement sub, other;
	struct buf_writer a, b, c;
	const uint8_t *bodies[2];
	size_t lens[2];

	(void)state;
	vector_statement(STATEMENT_SUBMIT, NULL, &sub);
	encode(&sub, &a);                               /* position 2 */
	other = sub;
	other.position = 4;
	encode(&other, &b);
	vector_statement(STATEMENT_COHORT, NULL, &other);
	encode(&other, &c);
	bodies[0] = a.data;
	lens[0] = a.len;
	bodies[1] = b.data;
	lens[1] = b.len;
	assert_int_equal(statement_submits_digest(bodies, lens, 2, out), SS_OK);
	assert_memory_not_equal(out, zero, sizeof(out));
	/* 4 then 2, or 2 twice: not position order. */
	bodies[0] = b.data;
	bodies[1] = a.data;
	lens[1] = a.len;
	lens[0] = b.len;
	assert_int_equal(statement_submits_digest(bodies, lens, 2, out),
	    SS_ERR_INVALID);
	assert_memory_equal(out, zero, sizeof(out));
	bodies[0] = a.data;
	lens[0] = a.len;
	assert_int_equal(statement_submits_digest(bodies, lens, 2, out),
	    SS_ERR_INVALID);
	/* A COHORT is no SUBMIT; a cut SUBMIT does not parse; none at all. */
	bodies[1] = c.data;
	lens[1] = c.len;
	assert_int_equal(statement_submits_digest(bodies, lens, 2, out),
	    SS_ERR_INVALID);
	lens[0] = a.len - 1;
	assert_int_equal(statement_submits_digest(bodies, lens, 1, out),
	    SS_ERR_INVALID);
	assert_int_equal(statement_submits_digest(bodies, lens, 0, out),
	    SS_ERR_INVALID);
	buf_writer_free(&a);
	buf_writer_free(&b);
	buf_writer_free(&c);
}

static void
test_bitmap(void **state)
{
	uint8_t map[3] = { 0 };

	(void)state;
	assert_int_equal(statement_bitmap_len(2), 1);
	assert_int_equal(statement_bitmap_len(8), 1);
	assert_int_equal(statement_bitmap_len(9), 2);
	assert_int_equal(statement_bitmap_len(65536), 8192);
	statement_bitmap_set(map, 1);
	statement_bitmap_set(map, 9);
	statement_bitmap_set(map, 17);
	assert_int_equal(map[0], 0x01);
	assert_int_equal(map[1], 0x01);
	assert_int_equal(map[2], 0x01);
	assert_true(statement_bitmap_has(map, 17, 9));
	assert_false(statement_bitmap_has(map, 17, 2));
	assert_false(statement_bitmap_has(map, 16, 17));        /* past n */
	assert_false(statement_bitmap_has(map, 17, 0));
}

static void
test_values_digest(void **state)
{
	uint64_t values[1300];
	uint8_t bytes[8 * 1300], want[STATEMENT_HASH_LEN], got[STATEMENT_HASH_LEN];
	unsigned int len;
	size_t i;

	(void)state;
	/* More than one 512-value chunk, and a partial one at the end. */
	for (i = 0; i < 1300; i++) {
		values[i] = field_reduce(i * UINT64_C(0x9E3779B97F4A7C15));
		buf_store_u64(bytes + 8 * i, values[i]);
	}
	assert_int_equal(EVP_Digest(bytes, sizeof(bytes), want, &len,
	    EVP_sha256(), NULL), 1);
	assert_int_equal(statement_values_digest(values, 1300, got), SS_OK);
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(EVP_Digest("", 0, want, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(statement_values_digest(values, 0, got), SS_OK);
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(statement_values_digest(NULL, 1, got), SS_ERR_INVALID);
	assert_int_equal(statement_hash(bytes, 8, got), SS_OK);
	assert_int_equal(EVP_Digest(bytes, 8, want, &len, EVP_sha256(), NULL), 1);
	assert_memory_equal(got, want, sizeof(got));
}

/* ---- signers ----------------------------------------------------------- */

static void
expect_signer_refused(X509 *cert, const char *party, const char *words)
{
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(statement_check_signer(g_store, cert, party, &e),
	    SS_ERR_CERT);
	if (strstr(e.msg, words) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
}

static void
test_check_signer(void **state)
{
	struct ss_error e;

	(void)state;
	ss_error_clear(&e);
	assert_int_equal(statement_check_signer(g_store, g_alice.cert, "alice",
	    &e), SS_OK);
	assert_int_equal(statement_check_signer(g_store, g_bob.cert, "bob",
	    &e), SS_OK);
	expect_signer_refused(g_alice.cert, "bob", "is not bob's");
	expect_signer_refused(g_alice.cert, "alic", "is not alic's");
	expect_signer_refused(g_impostor.cert, "alice", "does not verify "
	    "against the CA");
	/* The server's certificate is for TLS servers only. */
	expect_signer_refused(g_server_cert, "alice", "does not verify");
	/* The encryption-key certificate cannot sign. */
	expect_signer_refused(g_enc_cert, "alice", "digitalSignature");
	expect_signer_refused(g_ca_cert, "alice", "unsuitable certificate purpose");
	assert_int_equal(statement_check_signer(g_store, g_alice.cert, "-x",
	    NULL), SS_ERR_INVALID);
	assert_int_equal(statement_check_signer(NULL, g_alice.cert, "alice",
	    NULL), SS_ERR_INVALID);
}

static void
test_load_signer(void **state)
{
	uint8_t *der = NULL, *longer;
	struct ss_error e;
	X509 *x = NULL;
	int len;

	(void)state;
	len = i2d_X509(g_alice.cert, &der);
	assert_true(len > 0);
	ss_error_clear(&e);
	assert_int_equal(statement_load_signer(g_store, der, (size_t)len,
	    "alice", &x, &e), SS_OK);
	assert_int_equal(X509_cmp(x, g_alice.cert), 0);
	X509_free(x);
	assert_int_equal(statement_load_signer(g_store, der, (size_t)len,
	    "bob", &x, &e), SS_ERR_CERT);
	assert_null(x);
	longer = malloc((size_t)len + 1);
	assert_non_null(longer);
	memcpy(longer, der, (size_t)len);
	longer[len] = 0;
	assert_int_equal(statement_load_signer(g_store, longer, (size_t)len + 1,
	    "alice", &x, &e), SS_ERR_CERT);
	assert_string_equal(e.msg, "not one DER certificate");
	assert_int_equal(statement_load_signer(g_store, der, (size_t)len - 1,
	    "alice", &x, &e), SS_ERR_CERT);
	assert_int_equal(statement_load_signer(g_store, der, 20000, "alice",
	    &x, &e), SS_ERR_TOO_LARGE);
	free(longer);
	OPENSSL_free(der);
}

/* ---- signatures -------------------------------------------------------- */

/* s's body signed by key: body in w, signature in sig. */
static void
sign(const struct statement *s, EVP_PKEY *key, struct buf_writer *w,
    uint8_t sig[STATEMENT_SIG_MAX], size_t *siglen)
{
	struct ss_error e;

	encode(s, w);
	ss_error_clear(&e);
	if (statement_sign(key, w->data, w->len, sig, siglen, &e) != SS_OK)
		fail_msg("%s", e.msg);
	assert_true(*siglen > 0 && *siglen <= STATEMENT_SIG_MAX);
}

static int
verify(X509 *cert, const uint8_t *d, const struct buf_writer *w,
    const uint8_t *sig, size_t siglen, struct ss_error *e)
{
	struct statement s;

	ss_error_clear(e);
	return statement_verify(cert, d, w->data, w->len, sig, siglen, &s, e);
}

static void
test_sign_verify_round_trip(void **state)
{
	uint8_t sig1[STATEMENT_SIG_MAX], sig2[STATEMENT_SIG_MAX];
	struct statement s, got;
	struct buf_writer w;
	struct ss_error e;
	size_t len1, len2;
	int type;

	(void)state;
	for (type = STATEMENT_SUBMIT; type <= STATEMENT_SUMPOINT; type++) {
		vector_statement((enum statement_type)type, g_alice.digest, &s);
		sign(&s, g_alice.key, &w, sig1, &len1);
		ss_error_clear(&e);
		assert_int_equal(statement_verify(g_alice.cert, s.d, w.data,
		    w.len, sig1, len1, &got, &e), SS_OK);
		assert_true(statement_same(&s, &got));
		/* ECDSA is randomized: another signature, also valid. */
		assert_int_equal(statement_sign(g_alice.key, w.data, w.len,
		    sig2, &len2, &e), SS_OK);
		assert_false(len1 == len2 && memcmp(sig1, sig2, len1) == 0);
		assert_int_equal(statement_verify(g_alice.cert, s.d, w.data,
		    w.len, sig2, len2, NULL, &e), SS_OK);
		buf_writer_free(&w);
	}
}

/*
 * A signer made ready (statement_signer_of) verifies as its certificate
 * does: its key and digest are the certificate's, it accepts the same
 * statements, refuses another signer's and outlives the certificate's
 * own reference.
 */
static void
test_signer_ready(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX];
	struct statement_signer sg, none;
	struct statement s, got;
	struct buf_writer w;
	struct ss_error e;
	X509 *cert = g_alice.cert;
	size_t len;

	(void)state;
	assert_int_equal(X509_up_ref(cert), 1);
	assert_int_equal(statement_signer_of(cert, &sg), SS_OK);
	assert_memory_equal(sg.digest, g_alice.digest, STATEMENT_HASH_LEN);
	assert_int_equal(EVP_PKEY_eq(sg.key, X509_get0_pubkey(cert)), 1);
	X509_free(cert);        /* the signer holds its own reference */
	vector_statement(STATEMENT_SUMPOINT, g_alice.digest, &s);
	sign(&s, g_alice.key, &w, sig, &len);
	ss_error_clear(&e);
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len, sig,
	    len, 0, &got, &e), SS_OK);
	assert_true(statement_same(&s, &got));
	sig[len / 2] ^= 1;
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len, sig,
	    len, 0, NULL, &e), SS_ERR_AUTH);
	sig[len / 2] ^= 1;
	/* The same key under another certificate's digest: not its signer. */
	sg.digest[0] ^= 1;
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len, sig,
	    len, 0, NULL, &e), SS_ERR_AUTH);
	assert_non_null(strstr(e.msg, "names another signer"));
	sg.digest[0] ^= 1;
	/* Again (verified before): every check but the signature's. */
	sig[len / 2] ^= 1;
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len,
	    sig, len, 1, &got, &e), SS_OK);
	assert_true(statement_same(&s, &got));
	assert_int_equal(statement_verify_signer(&sg,
	    (uint8_t[PARAMS_DIGEST_LEN]){ 0xd2 }, w.data, w.len, sig, len, 1, NULL,
	    &e), SS_ERR_AUTH);
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len,
	    sig, 0, 1, NULL, &e), SS_ERR_AUTH);
	sg.digest[0] ^= 1;
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len,
	    sig, len, 1, NULL, &e), SS_ERR_AUTH);
	assert_non_null(strstr(e.msg, "names another signer"));
	sg.digest[0] ^= 1;
	sig[len / 2] ^= 1;
	/* A copy owns its key and context: it verifies after sg is gone. */
	assert_non_null(sg.verify);
	assert_int_equal(statement_signer_copy(&none, &sg), SS_OK);
	assert_ptr_not_equal(none.verify, sg.verify);
	statement_signer_clear(&sg);
	assert_int_equal(statement_verify_signer(&none, s.d, w.data, w.len,
	    sig, len, 0, NULL, &e), SS_OK);
	sig[len / 2] ^= 1;
	assert_int_equal(statement_verify_signer(&none, s.d, w.data, w.len,
	    sig, len, 0, NULL, &e), SS_ERR_AUTH);
	statement_signer_clear(&none);
	assert_int_equal(statement_signer_copy(&none, &sg), SS_ERR_CRYPTO);
	assert_null(none.key);
	statement_signer_clear(&sg);
	assert_null(sg.key);
	statement_signer_clear(&sg);
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len, sig,
	    len, 0, NULL, &e), SS_ERR_INVALID);
	assert_int_equal(statement_signer_of(NULL, &none), SS_ERR_INVALID);
	assert_null(none.key);
	buf_writer_free(&w);
}

/* Where the uncompressed point's BIT STRING (03 42 00 04) starts in der. */
static size_t
point_at(const uint8_t *der, size_t len)
{
	static const uint8_t head[] = { 0x03, 0x42, 0x00, 0x04 };
	size_t i;

	for (i = 0; i + sizeof(head) <= len; i++)
		if (memcmp(der + i, head, sizeof(head)) == 0)
			return i;
	fail_msg("no P-256 point in the certificate");
	return 0;
}

/*
 * A signer taken from a certificate's DER without parsing it
 * (statement_signer_of_der, for cached certificates) is the one
 * statement_signer_of makes; every other shape is declined, never misread.
 */
static void
test_signer_of_der(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX], *der = NULL, *enc = NULL, *copy;
	struct statement_signer sg;
	struct statement s;
	struct buf_writer w;
	struct ss_error e;
	EVP_PKEY *tmpl = statement_p256_template();
	size_t len, i, at;
	int n, m;

	(void)state;
	assert_non_null(tmpl);
	assert_true((n = i2d_X509(g_alice.cert, &der)) > 0);
	len = (size_t)n;
	assert_int_equal(statement_signer_of_der(tmpl, der, len, &sg), SS_OK);
	assert_memory_equal(sg.digest, g_alice.digest, STATEMENT_HASH_LEN);
	assert_int_equal(EVP_PKEY_eq(sg.key, X509_get0_pubkey(g_alice.cert)), 1);
	vector_statement(STATEMENT_SUMPOINT, g_alice.digest, &s);
	sign(&s, g_alice.key, &w, sig, &len);
	ss_error_clear(&e);
	assert_int_equal(statement_verify_signer(&sg, s.d, w.data, w.len, sig,
	    len, 0, NULL, &e), SS_OK);
	statement_signer_clear(&sg);
	buf_writer_free(&w);
	/* Another certificate from the same template: bob's key, not alice's. */
	assert_true((m = i2d_X509(g_bob.cert, &enc)) > 0);
	assert_int_equal(statement_signer_of_der(tmpl, enc, (size_t)m, &sg),
	    SS_OK);
	assert_int_equal(EVP_PKEY_eq(sg.key, X509_get0_pubkey(g_bob.cert)), 1);
	assert_int_not_equal(EVP_PKEY_eq(sg.key,
	    X509_get0_pubkey(g_alice.cert)), 1);
	statement_signer_clear(&sg);
	OPENSSL_free(enc);
	enc = NULL;
	len = (size_t)n;
	/* Every truncation, and one byte more, is not one certificate. */
	for (i = 0; i < len; i++)
		assert_int_equal(statement_signer_of_der(tmpl, der, i, &sg),
		    SS_ERR_INVALID);
	assert_non_null(copy = malloc(len + 1));
	memcpy(copy, der, len);
	copy[len] = 0;
	assert_int_equal(statement_signer_of_der(tmpl, copy, len + 1, &sg),
	    SS_ERR_INVALID);
	assert_null(sg.key);
	/* A compressed point, or one off the curve: declined or refused. */
	at = point_at(copy, len);
	copy[at + 3] = 0x02;
	assert_int_equal(statement_signer_of_der(tmpl, copy, len, &sg),
	    SS_ERR_INVALID);
	copy[at + 3] = 0x04;
	copy[at + 10] ^= 1;
	assert_int_equal(statement_signer_of_der(tmpl, copy, len, &sg),
	    SS_ERR_CRYPTO);
	assert_null(sg.key);
	copy[at + 10] ^= 1;
	/* Another algorithm (the OID's last byte): declined. */
	copy[at - 1] ^= 1;
	assert_int_equal(statement_signer_of_der(tmpl, copy, len, &sg),
	    SS_ERR_INVALID);
	free(copy);
	/* An X25519 key (the encryption-key certificate): declined. */
	assert_true((n = i2d_X509(g_enc_cert, &enc)) > 0);
	assert_int_equal(statement_signer_of_der(tmpl, enc, (size_t)n, &sg),
	    SS_ERR_INVALID);
	assert_int_equal(statement_signer_of_der(tmpl, NULL, 10, &sg),
	    SS_ERR_INVALID);
	assert_int_equal(statement_signer_of_der(NULL, der, len, &sg),
	    SS_ERR_INVALID);
	EVP_PKEY_free(tmpl);
	OPENSSL_free(enc);
	OPENSSL_free(der);
}

/* statement_make: the body statement_encode writes, signed; nothing on failure. */
static void
test_make(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX];
	struct statement s, bad;
	struct buf_writer w;
	struct ss_error e;
	uint8_t *body;
	size_t len, siglen;

	(void)state;
	vector_statement(STATEMENT_COHORT, g_alice.digest, &s);
	ss_error_clear(&e);
	assert_int_equal(statement_make(&s, g_alice.key, &body, &len, sig,
	    &siglen, &e), SS_OK);
	encode(&s, &w);
	assert_int_equal(len, w.len);
	assert_memory_equal(body, w.data, len);
	assert_int_equal(statement_verify(g_alice.cert, s.d, body, len, sig,
	    siglen, NULL, &e), SS_OK);
	buf_writer_free(&w);
	free(body);
	/* A statement that does not encode, or a key that may not sign. */
	bad = s;
	bad.n = 1;
	assert_int_equal(statement_make(&bad, g_alice.key, &body, &len, sig,
	    &siglen, &e), SS_ERR_INVALID);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_int_not_equal(statement_make(&s, g_enc_key, &body, &len, sig,
	    &siglen, &e), SS_OK);
	assert_null(body);
	assert_int_equal(len, 0);
}

static void
test_tampered_body_or_signature_fails(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX];
	struct statement s;
	struct buf_writer w;
	struct ss_error e;
	size_t siglen, i;
	int rc;

	(void)state;
	vector_statement(STATEMENT_SUBMIT, g_alice.digest, &s);
	sign(&s, g_alice.key, &w, sig, &siglen);
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen, &e), SS_OK);
	/* Every bit of every byte of the body, one at a time. */
	for (i = 0; i < w.len * 8; i++) {
		w.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		rc = verify(g_alice.cert, s.d, &w, sig, siglen, &e);
		assert_int_not_equal(rc, SS_OK);
		w.data[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen, &e), SS_OK);
	for (i = 0; i < siglen; i++) {
		sig[i] ^= 0x40;
		assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen, &e),
		    SS_ERR_AUTH);
		sig[i] ^= 0x40;
	}
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen - 1, &e),
	    SS_ERR_AUTH);
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, 0, &e), SS_ERR_AUTH);
	assert_string_equal(e.msg, "SUBMIT statement's signature does not verify");
	buf_writer_free(&w);
}

static void
test_other_party_or_session_fails(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX], other_d[PARAMS_DIGEST_LEN];
	struct statement s;
	struct buf_writer w;
	struct ss_error e;
	size_t siglen;

	(void)state;
	/* bob signs a statement that names alice as its signer. */
	vector_statement(STATEMENT_COHORT, g_alice.digest, &s);
	sign(&s, g_bob.key, &w, sig, &siglen);
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen, &e),
	    SS_ERR_AUTH);
	assert_string_equal(e.msg, "COHORT statement's signature does not verify");
	assert_int_equal(verify(g_bob.cert, s.d, &w, sig, siglen, &e),
	    SS_ERR_AUTH);
	assert_string_equal(e.msg, "COHORT statement names another signer "
	    "than this certificate");
	buf_writer_free(&w);

	/* alice's own statement, read for another session digest. */
	vector_statement(STATEMENT_SUMPOINT, g_alice.digest, &s);
	sign(&s, g_alice.key, &w, sig, &siglen);
	memcpy(other_d, s.d, sizeof(other_d));
	other_d[31] ^= 1;
	assert_int_equal(verify(g_alice.cert, other_d, &w, sig, siglen, &e),
	    SS_ERR_AUTH);
	assert_string_equal(e.msg, "SUMPOINT statement is for another session "
	    "digest");
	buf_writer_free(&w);
}

/*
 * An "alice" of another CA signs correctly with her own key: her
 * certificate fails the check against our CA, and our alice's certificate
 * does not verify her statement.
 */
static void
test_other_ca_fails(void **state)
{
	uint8_t sig[STATEMENT_SIG_MAX];
	struct statement s;
	struct buf_writer w;
	struct ss_error e;
	size_t siglen;

	(void)state;
	vector_statement(STATEMENT_SUBMIT, g_impostor.digest, &s);
	sign(&s, g_impostor.key, &w, sig, &siglen);
	/* Valid in itself ... */
	assert_int_equal(verify(g_impostor.cert, s.d, &w, sig, siglen, &e),
	    SS_OK);
	/* ... but no reader accepts her certificate, */
	expect_signer_refused(g_impostor.cert, "alice", "does not verify");
	/* and the real alice's certificate does not make it hers. */
	assert_int_equal(verify(g_alice.cert, s.d, &w, sig, siglen, &e),
	    SS_ERR_AUTH);
	buf_writer_free(&w);
}

static void
test_sign_refuses(void **state)
{
	static const uint8_t junk[] = "secure-sum/v2 SUBMIT";
	uint8_t sig[STATEMENT_SIG_MAX];
	struct statement s;
	struct buf_writer w;
	struct ss_error e;
	EVP_PKEY *p384;
	size_t siglen = 99;

	(void)state;
	ss_error_clear(&e);
	assert_int_equal(statement_sign(g_alice.key, junk, sizeof(junk) - 1,
	    sig, &siglen, &e), SS_ERR_INVALID);
	assert_int_equal(siglen, 0);
	assert_non_null(strstr(e.msg, "refusing to sign: "));
	vector_statement(STATEMENT_COHORT, g_alice.digest, &s);
	encode(&s, &w);
	assert_int_equal(statement_sign(g_enc_key, w.data, w.len, sig, &siglen,
	    &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "EC P-256 key"));
	p384 = EVP_EC_gen("P-384");
	assert_non_null(p384);
	assert_int_equal(statement_sign(p384, w.data, w.len, sig, &siglen, &e),
	    SS_ERR_INVALID);
	EVP_PKEY_free(p384);
	assert_int_equal(statement_sign(g_alice.key, w.data, w.len, sig, NULL,
	    &e), SS_ERR_INVALID);
	buf_writer_free(&w);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vector),
	cmocka_unit_test(test_not_a_tls_signature_input),
	cmocka_unit_test(test_parse_every_truncation_and_extension),
	cmocka_unit_test(test_parse_bad_fields),
	cmocka_unit_test(test_encode_refuses),
	cmocka_unit_test(test_same_and_conflict),
	cmocka_unit_test(test_submits_digest_refuses),
	cmocka_unit_test(test_bitmap),
	cmocka_unit_test(test_values_digest),
	cmocka_unit_test(test_check_signer),
	cmocka_unit_test(test_load_signer),
	cmocka_unit_test(test_sign_verify_round_trip),
		cmocka_unit_test(test_signer_ready),
	cmocka_unit_test(test_signer_of_der),
	cmocka_unit_test(test_make),
	cmocka_unit_test(test_tampered_body_or_signature_fails),
	cmocka_unit_test(test_other_party_or_session_fails),
	cmocka_unit_test(test_other_ca_fails),
	cmocka_unit_test(test_sign_refuses),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, setup, teardown);
}
