/*
 * test_core_sealed.c: unit tests of core/sealed.c, share vectors sealed
 * from one party to another.
 *
 * Round trips at L = 1 and L = 100000; then every way the relay could
 * misuse a ciphertext (alter it, replay it into another session or another
 * instance of the same session id, that is another session digest D,
 * re-route it, re-attribute it, cut it short) must fail authentication, and an
 * authentic but out-of-range element must be refused. The range test seals
 * its plaintext with raw_seal_auth (tests/fixture/hpke_raw.h) directly,
 * rebuilding the info from the layout documented in sealed.c, so it also
 * pins that wire format; and the vector of docs/PROTOCOL.md section 9.6
 * (tests/data/v2-share-vector.txt, written by an implementation
 * independent of core/) opens here, and its info and plaintext seal to its
 * ciphertext.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "bytes.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "hpke_raw.h"
#include "sealed.h"
#include "vectors.h"

/* Two session digests D (params.h) differing in one bit of the last byte. */
static const uint8_t g_d1[SEALED_D_LEN] = {
	0x88, 0x7f, 0x9a, 0x83, 0x71, 0xc8, 0xe1, 0x13, 0x96, 0x1a, 0xae,
	0x6c, 0x12, 0x3e, 0xa6, 0xe4, 0xfd, 0x8a, 0xfd, 0x87, 0x6e, 0x23,
	0x75, 0xa1, 0xf8, 0x0d, 0x32, 0x58, 0x23, 0x2f, 0xdd, 0x3d,
};
static const uint8_t g_d2[SEALED_D_LEN] = {
	0x88, 0x7f, 0x9a, 0x83, 0x71, 0xc8, 0xe1, 0x13, 0x96, 0x1a, 0xae,
	0x6c, 0x12, 0x3e, 0xa6, 0xe4, 0xfd, 0x8a, 0xfd, 0x87, 0x6e, 0x23,
	0x75, 0xa1, 0xf8, 0x0d, 0x32, 0x58, 0x23, 0x2f, 0xdd, 0x3c,
};
#define SESSION	g_d1
#define ALICE	"alice"
#define BOB	"bob"

struct keys {
	uint8_t skA[32], pkA[32];	/* sender */
	uint8_t skB[32], pkB[32];	/* recipient */
	uint8_t skC[32], pkC[32];	/* a third party */
};

static void
make_keys(struct keys *k)
{
	assert_int_equal(hpke_keygen(k->skA, k->pkA), SS_OK);
	assert_int_equal(hpke_keygen(k->skB, k->pkB), SS_OK);
	assert_int_equal(hpke_keygen(k->skC, k->pkC), SS_OK);
}

/* L random elements in [0, p), with 0 and p - 1 at the ends. */
static uint64_t *
random_values(size_t L)
{
	uint64_t *v = calloc(L, sizeof(*v));
	size_t i;

	assert_non_null(v);
	assert_int_equal(RAND_bytes((unsigned char *)v,
	    (int)(L * sizeof(*v))), 1);
	for (i = 0; i < L; i++) {
		v[i] &= FIELD_P;	/* 61 bits */
		if (v[i] == FIELD_P)
			v[i] = 0;
	}
	v[0] = 0;
	if (L > 1)
		v[L - 1] = FIELD_P - 1;
	return v;
}

/* A sealed vector and what it takes to open it. */
struct fixture {
	struct keys k;
	size_t L, len;
	uint64_t *values, *back;
	uint8_t *ct;
};

static void
fixture_init(struct fixture *f, size_t L)
{
	make_keys(&f->k);
	f->L = L;
	f->len = sealed_len(L);
	assert_int_equal(f->len, HPKE_KEY_LEN + 8 * L + HPKE_TAG_LEN);
	f->values = random_values(L);
	assert_non_null(f->back = calloc(L, sizeof(uint64_t)));
	assert_non_null(f->ct = malloc(f->len));
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, f->values, L,
	    f->k.skA, f->k.pkB, f->ct, f->len), SS_OK);
}

static void
fixture_free(struct fixture *f)
{
	free(f->values);
	free(f->back);
	free(f->ct);
}

/* Opens f->ct as given; on failure the output must have been wiped. */
static int
try_open(struct fixture *f, const uint8_t *session, const char *sender,
    const char *recipient, size_t L, const uint8_t *skR, const uint8_t *pkS,
    const uint8_t *in, size_t in_len)
{
	int r;

	assert_true(L <= f->L + 1);
	free(f->back);
	assert_non_null(f->back = malloc((f->L + 1) * sizeof(uint64_t)));
	memset(f->back, 0xa5, (f->L + 1) * sizeof(uint64_t));
	r = sealed_open(session, sender, recipient, L, skR, pkS, in, in_len,
	    f->back);
	/* Argument errors leave it untouched; crypto failures wipe it. */
	if (r == SS_ERR_AUTH || r == SS_ERR_RANGE)
		assert_true(all_zero((const uint8_t *)f->back,
		    L * sizeof(uint64_t)));
	return r;
}

static void
roundtrip(size_t L)
{
	struct fixture f;

	fixture_init(&f, L);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_OK);
	assert_memory_equal(f.back, f.values, L * sizeof(uint64_t));
	fixture_free(&f);
}

static void
test_roundtrip_1(void **state)
{
	(void)state;
	roundtrip(1);
}

static void
test_roundtrip_100000(void **state)
{
	(void)state;
	roundtrip(100000);
}

static void
test_len(void **state)
{
	/* AES-GCM's 2^36 - 32 byte message limit, in 8-byte elements. */
	const size_t max = ((size_t)1 << 33) - 4;

	(void)state;
	assert_int_equal(sealed_len(0), 48);
	assert_int_equal(sealed_len(1), 56);
	assert_int_equal(sealed_len(100000), 800048);
	assert_int_equal(sealed_len(1000000), 8000048);
	assert_int_equal(sealed_len(max), 48 + 8 * (uint64_t)max);
	assert_int_equal(sealed_len(max + 1), 0);
	assert_int_equal(sealed_len((SIZE_MAX - 48) / 8), 0);
	assert_int_equal(sealed_len((SIZE_MAX - 48) / 8 + 1), 0);
	assert_int_equal(sealed_len(SIZE_MAX / 8 + 1), 0);
	assert_int_equal(sealed_len(SIZE_MAX), 0);
}

/* Any changed byte -- in enc, the ciphertext or the tag -- fails. */
static void
test_altered(void **state)
{
	const size_t L = 1000;
	struct fixture f;
	size_t where[6], i;

	(void)state;
	fixture_init(&f, L);
	where[0] = 0;				/* enc */
	where[1] = HPKE_KEY_LEN - 1;		/* enc, top bit ignored by X25519 */
	where[2] = HPKE_KEY_LEN;		/* first element */
	where[3] = HPKE_KEY_LEN + 8 * L / 2 + 3;/* an element in the middle */
	where[4] = f.len - HPKE_TAG_LEN;	/* tag */
	where[5] = f.len - 1;			/* tag, last byte */
	for (i = 0; i < 6; i++) {
		f.ct[where[i]] ^= i == 1 ? 0x80 : 0x01;
		assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
		    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
		f.ct[where[i]] ^= i == 1 ? 0x80 : 0x01;
	}
	/* Two ciphertexts spliced: enc of one, body of another. */
	{
		uint8_t *other = malloc(f.len);

		assert_non_null(other);
		assert_int_equal(sealed_seal(SESSION, ALICE, BOB, f.values, L,
		    f.k.skA, f.k.pkB, other, f.len), SS_OK);
		memcpy(other, f.ct, HPKE_KEY_LEN);
		assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
		    f.k.pkA, other, f.len), SS_ERR_AUTH);
		free(other);
	}
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_OK);
	fixture_free(&f);
}

/*
 * Replay into another session digest (another session, or another instance
 * of the same id), re-attribution, re-routing.
 */
static void
test_other_names(void **state)
{
	const size_t L = 16;
	struct fixture f;

	(void)state;
	fixture_init(&f, L);
	assert_int_equal(try_open(&f, g_d2, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	assert_int_equal(try_open(&f, SESSION, "carol", BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	assert_int_equal(try_open(&f, SESSION, ALICE, "carol", L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	/* Sender and recipient swapped (names only; keys right). */
	assert_int_equal(try_open(&f, SESSION, BOB, ALICE, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	/*
	 * The same bytes split differently between fields: the length
	 * prefixes keep "alice"+"bob" apart from "aliceb"+"ob".
	 */
	assert_int_equal(try_open(&f, SESSION, ALICE "b", "ob", L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_OK);
	fixture_free(&f);
}

static void
test_other_keys(void **state)
{
	const size_t L = 16;
	struct fixture f;

	(void)state;
	fixture_init(&f, L);
	/* Another recipient's key, or the sender's own. */
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skC,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skA,
	    f.k.pkA, f.ct, f.len), SS_ERR_AUTH);
	/* Another sender's public key: the server cannot forge a sender. */
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkC, f.ct, f.len), SS_ERR_AUTH);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkB, f.ct, f.len), SS_ERR_AUTH);
	fixture_free(&f);
}

static void
test_other_length(void **state)
{
	const size_t L = 16;
	struct fixture f;
	uint8_t *longer;

	(void)state;
	fixture_init(&f, L);
	/* A length that does not match the bytes: refused before crypto. */
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L + 1, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_INVALID);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L - 1, f.k.skB,
	    f.k.pkA, f.ct, f.len), SS_ERR_INVALID);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, f.ct, f.len - 1), SS_ERR_INVALID);
	/* Truncated by one element, offered as a vector of L - 1. */
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L - 1, f.k.skB,
	    f.k.pkA, f.ct, sealed_len(L - 1)), SS_ERR_AUTH);
	/* Extended by eight bytes, offered as a vector of L + 1. */
	assert_non_null(longer = calloc(1, f.len + 8));
	memcpy(longer, f.ct, f.len);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L + 1, f.k.skB,
	    f.k.pkA, longer, f.len + 8), SS_ERR_AUTH);
	free(longer);
	fixture_free(&f);
}

/*
 * Seals raw 8-byte elements exactly as sealed_seal would, bypassing its
 * range check: the info layout is the one documented in sealed.c.
 */
static void
seal_raw(const struct keys *k, const uint64_t *raw, size_t L, uint8_t *out)
{
	uint8_t info[128], *pt;
	size_t n = 0, i;
	const char *names[] = { ALICE, BOB };
	int j;

	memcpy(info, "secure-sum/v2 share", 20);    /* with its NUL */
	n = 20;
	memcpy(info + n, SESSION, SEALED_D_LEN);
	n += SEALED_D_LEN;
	for (j = 0; j < 2; j++) {
		size_t len = strlen(names[j]);

		for (i = 0; i < 4; i++)
			info[n++] = (uint8_t)(len >> (8 * i));
		memcpy(info + n, names[j], len);
		n += len;
	}
	for (j = 0; j < 8; j++)
		info[n++] = (uint8_t)((uint64_t)L >> (8 * j));
	assert_non_null(pt = malloc(8 * L));
	for (i = 0; i < L; i++)
		for (j = 0; j < 8; j++)
			pt[8 * i + j] = (uint8_t)(raw[i] >> (8 * j));
	assert_int_equal(raw_seal_auth(k->pkB, k->skA, info, n, NULL, 0, pt,
	    8 * L, out, sealed_len(L)), SS_OK);
	free(pt);
}

static void
test_element_range(void **state)
{
	const size_t L = 4;
	struct fixture f;
	uint64_t raw[4] = { 1, 2, FIELD_P - 1, 3 };
	uint8_t ct[HPKE_KEY_LEN + 32 + HPKE_TAG_LEN];

	(void)state;
	fixture_init(&f, L);

	/* In range: opens, which shows seal_raw matches the format. */
	seal_raw(&f.k, raw, L, ct);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, ct, sizeof(ct)), SS_OK);
	assert_memory_equal(f.back, raw, sizeof(raw));

	/* p itself, and the largest 64-bit value: authentic but refused. */
	raw[2] = FIELD_P;
	seal_raw(&f.k, raw, L, ct);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, ct, sizeof(ct)), SS_ERR_RANGE);
	raw[2] = FIELD_P - 1;
	raw[0] = UINT64_MAX;
	seal_raw(&f.k, raw, L, ct);
	assert_int_equal(try_open(&f, SESSION, ALICE, BOB, L, f.k.skB,
	    f.k.pkA, ct, sizeof(ct)), SS_ERR_RANGE);
	fixture_free(&f);
}

static void
test_seal_arguments(void **state)
{
	struct keys k;
	uint64_t v[3] = { 5, 6, 7 };
	uint8_t out[HPKE_KEY_LEN + 24 + HPKE_TAG_LEN];
	char name[300];

	(void)state;
	make_keys(&k);
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_OK);
	/* Wrong output size, empty vector. */
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out) - 1), SS_ERR_INVALID);
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, 2, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_INVALID);
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, 0, k.skA, k.pkB,
	    out, 48), SS_ERR_INVALID);
	/* An element >= p is refused at the source too. */
	v[1] = FIELD_P;
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_RANGE);
	v[1] = 6;
	/* No D; names: missing, empty, at and over the 255-byte bound. */
	assert_int_equal(sealed_seal(NULL, ALICE, BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_INVALID);
	assert_int_equal(sealed_seal(SESSION, NULL, BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_INVALID);
	assert_int_equal(sealed_seal(SESSION, "", BOB, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_INVALID);
	memset(name, 'n', sizeof(name));
	name[255] = '\0';
	assert_int_equal(sealed_seal(SESSION, ALICE, name, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_OK);
	name[255] = 'n';
	name[256] = '\0';
	assert_int_equal(sealed_seal(SESSION, ALICE, name, v, 3, k.skA, k.pkB,
	    out, sizeof(out)), SS_ERR_TOO_LARGE);
	assert_int_equal(sealed_open(SESSION, ALICE, name, 3, k.skB, k.pkA,
	    out, sizeof(out), v), SS_ERR_TOO_LARGE);
	assert_int_equal(sealed_open(SESSION, ALICE, BOB, 0, k.skB, k.pkA,
	    out, 48, v), SS_ERR_INVALID);
	assert_int_equal(sealed_open(SESSION, ALICE, BOB, SIZE_MAX, k.skB,
	    k.pkA, out, sizeof(out), v), SS_ERR_TOO_LARGE);
}

/* Each seal draws a fresh ephemeral key: equal vectors, unequal bytes. */
static void
test_fresh(void **state)
{
	struct fixture f;
	uint8_t *again;

	(void)state;
	fixture_init(&f, 8);
	assert_non_null(again = malloc(f.len));
	assert_int_equal(sealed_seal(SESSION, ALICE, BOB, f.values, f.L,
	    f.k.skA, f.k.pkB, again, f.len), SS_OK);
	assert_memory_not_equal(again, f.ct, f.len);
	free(again);
	fixture_free(&f);
}

/* ---- prepared keys (sealed_seal_k, sealed_open_k) ----------------------- */

/*
 * The _k calls with one key object per party: round trips at L = 1 and
 * L = 1000, each direction of equivalence with the raw-key calls, and many
 * vectors sealed and opened with the same objects.
 */
static void
test_k_roundtrip_and_equivalence(void **state)
{
	static const size_t Ls[] = { 1, 1000 };
	struct keys k;
	struct hpke_key *kA, *kB;
	uint64_t *v, *back;
	uint8_t *ct;
	size_t i, j, L, len;

	(void)state;
	make_keys(&k);
	assert_int_equal(hpke_key_new(k.skA, &kA), SS_OK);
	assert_int_equal(hpke_key_new(k.skB, &kB), SS_OK);
	for (i = 0; i < sizeof(Ls) / sizeof(Ls[0]); i++) {
		L = Ls[i];
		len = sealed_len(L);
		v = random_values(L);
		assert_non_null(back = calloc(L, sizeof(*back)));
		assert_non_null(ct = malloc(len));
		for (j = 0; j < 4; j++) {
			/* Prepared-key seal; raw-key and prepared-key open. */
			assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, v,
			    L, kA, k.pkB, ct, len), SS_OK);
			memset(back, 0, L * sizeof(*back));
			assert_int_equal(sealed_open(SESSION, ALICE, BOB, L,
			    k.skB, k.pkA, ct, len, back), SS_OK);
			assert_memory_equal(back, v, L * sizeof(*v));
			memset(back, 0, L * sizeof(*back));
			assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L,
			    kB, k.pkA, ct, len, back), SS_OK);
			assert_memory_equal(back, v, L * sizeof(*v));
			/* Raw-key seal, prepared-key open. */
			assert_int_equal(sealed_seal(SESSION, ALICE, BOB, v, L,
			    k.skA, k.pkB, ct, len), SS_OK);
			memset(back, 0, L * sizeof(*back));
			assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L,
			    kB, k.pkA, ct, len, back), SS_OK);
			assert_memory_equal(back, v, L * sizeof(*v));
		}
		free(v);
		free(back);
		free(ct);
	}
	hpke_key_free(kA);
	hpke_key_free(kB);
}

/* Wrong keys and names with the _k calls: SS_ERR_AUTH, output wiped. */
static void
test_k_wrong_keys(void **state)
{
	const size_t L = 16;
	struct fixture f;
	struct hpke_key *kA, *kB, *kC;
	uint64_t v[3] = { 5, 6, 7 };
	uint8_t out[HPKE_KEY_LEN + 24 + HPKE_TAG_LEN];

	(void)state;
	fixture_init(&f, L);
	assert_int_equal(hpke_key_new(f.k.skA, &kA), SS_OK);
	assert_int_equal(hpke_key_new(f.k.skB, &kB), SS_OK);
	assert_int_equal(hpke_key_new(f.k.skC, &kC), SS_OK);

	/* Another recipient's key, or the sender's own. */
	memset(f.back, 0xa5, L * sizeof(uint64_t));
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L, kC, f.k.pkA,
	    f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_true(all_zero((const uint8_t *)f.back, L * sizeof(uint64_t)));
	memset(f.back, 0xa5, L * sizeof(uint64_t));
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L, kA, f.k.pkA,
	    f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_true(all_zero((const uint8_t *)f.back, L * sizeof(uint64_t)));
	/* Another sender's public key. */
	memset(f.back, 0xa5, L * sizeof(uint64_t));
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L, kB, f.k.pkC,
	    f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_true(all_zero((const uint8_t *)f.back, L * sizeof(uint64_t)));
	/* Other session, sender or recipient name. */
	assert_int_equal(sealed_open_k(g_d2, ALICE, BOB, L, kB,
	    f.k.pkA, f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_int_equal(sealed_open_k(SESSION, "carol", BOB, L, kB, f.k.pkA,
	    f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_int_equal(sealed_open_k(SESSION, ALICE, "carol", L, kB,
	    f.k.pkA, f.ct, f.len, f.back), SS_ERR_AUTH);
	/* Sealed by C claiming to be Alice: refused under Alice's key. */
	assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, f.values, L, kC,
	    f.k.pkB, f.ct, f.len), SS_OK);
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L, kB, f.k.pkA,
	    f.ct, f.len, f.back), SS_ERR_AUTH);
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, L, kB, f.k.pkC,
	    f.ct, f.len, f.back), SS_OK);
	assert_memory_equal(f.back, f.values, L * sizeof(uint64_t));

	/* The argument checks of the raw-key calls. */
	assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, v, 3, NULL, f.k.pkB,
	    out, sizeof(out)), SS_ERR_INVALID);
	assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, v, 3, kA, f.k.pkB,
	    out, sizeof(out) - 1), SS_ERR_INVALID);
	v[1] = FIELD_P;
	assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, v, 3, kA, f.k.pkB,
	    out, sizeof(out)), SS_ERR_RANGE);
	v[1] = 6;
	assert_int_equal(sealed_seal_k(SESSION, ALICE, BOB, v, 3, kA, f.k.pkB,
	    out, sizeof(out)), SS_OK);
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, 3, NULL, f.k.pkA,
	    out, sizeof(out), v), SS_ERR_INVALID);
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, 2, kB, f.k.pkA,
	    out, sizeof(out), v), SS_ERR_INVALID);
	assert_int_equal(sealed_open_k(SESSION, ALICE, BOB, 3, kB, f.k.pkA,
	    out, sizeof(out), v), SS_OK);
	assert_true(v[0] == 5 && v[1] == 6 && v[2] == 7);
	hpke_key_free(kA);
	hpke_key_free(kB);
	hpke_key_free(kC);
	fixture_free(&f);
}

/* ---- the document's vector ---------------------------------------------- */

#define SHARE_VECTOR "tests/data/v2-share-vector.txt"

/* The hex value name of the share vector, which must be want_len bytes. */
static uint8_t *
share_hex(const char *name, size_t want_len)
{
	size_t len = 0;
	uint8_t *p = vector_hex(SHARE_VECTOR, name, &len);

	assert_int_equal(len, want_len);
	return p;
}

/*
 * docs/PROTOCOL.md section 9.6: the ciphertext opens with sealed_open to
 * the vector's values (and under no other D), so sealed.c builds the
 * document's info and reads its little-endian plaintext; sealing the document's info and plaintext
 * with its ephemeral key gives the ciphertext byte for byte; and the
 * public keys are those of the private ones.
 */
static void
test_document_vector(void **state)
{
	uint8_t *d = share_hex("D", SEALED_D_LEN);
	uint8_t *skS = share_hex("skS", HPKE_KEY_LEN);
	uint8_t *pkS = share_hex("pkS", HPKE_KEY_LEN);
	uint8_t *skR = share_hex("skR", HPKE_KEY_LEN);
	uint8_t *pkR = share_hex("pkR", HPKE_KEY_LEN);
	uint8_t *skE = share_hex("skE", HPKE_KEY_LEN);
	uint8_t *pt = share_hex("plaintext", 16);
	uint8_t *ct = share_hex("ciphertext", sealed_len(2));
	uint8_t *info, pk[HPKE_KEY_LEN], out[HPKE_KEY_LEN + 16 + HPKE_TAG_LEN];
	char *sender = vector_get(SHARE_VECTOR, "sender");
	char *recipient = vector_get(SHARE_VECTOR, "recipient");
	uint64_t back[2] = { 0, 0 };
	struct hpke_ctx ctx;
	size_t info_len = 0;

	(void)state;
	assert_non_null(sender);
	assert_non_null(recipient);
	vector_expect(SHARE_VECTOR, "length", "2");
	vector_expect(SHARE_VECTOR, "values", "52000,2305843009213693944");
	assert_int_equal(hpke_public_key(skS, pk), SS_OK);
	assert_memory_equal(pk, pkS, HPKE_KEY_LEN);
	assert_int_equal(hpke_public_key(skR, pk), SS_OK);
	assert_memory_equal(pk, pkR, HPKE_KEY_LEN);

	assert_int_equal(sealed_open(d, sender, recipient, 2, skR, pkS, ct,
	    sealed_len(2), back), SS_OK);
	assert_true(back[0] == 52000 && back[1] == FIELD_P - 7);
	/* Under another D (g_d2 differs from the vector's in one bit): no. */
	assert_memory_equal(d, g_d1, SEALED_D_LEN);
	assert_int_equal(sealed_open(g_d2, sender, recipient, 2, skR, pkS, ct,
	    sealed_len(2), back), SS_ERR_AUTH);

	info = vector_hex(SHARE_VECTOR, "info", &info_len);
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_AUTH, pkR, skS, skE,
	    info, info_len, out), SS_OK);
	assert_int_equal(hpke_seal(&ctx, NULL, 0, pt, 16, out + HPKE_KEY_LEN),
	    SS_OK);
	hpke_ctx_clear(&ctx);
	assert_memory_equal(out, ct, sizeof(out));

	free(d);
	free(skS);
	free(pkS);
	free(skR);
	free(pkR);
	free(skE);
	free(pt);
	free(ct);
	free(info);
	free(sender);
	free(recipient);
}

/*
 * A vector sealed in pieces (sealed_stream_*, pieces of every size up to
 * past the 512-element encoding chunk) opens to the same values; an
 * element >= p in a later piece is refused, and the stream leaves nothing.
 */
static void
test_stream(void **state)
{
	static const size_t pieces[] = { 1, 511, 512, 513, 1000, 1200 };
	const size_t L = 1200;
	struct keys k;
	struct hpke_key *kA;
	struct sealed_stream *s;
	uint64_t *v, *back;
	uint8_t *ct;
	size_t i, off, n, len = sealed_len(L);

	(void)state;
	make_keys(&k);
	assert_int_equal(hpke_key_new(k.skA, &kA), SS_OK);
	v = random_values(L);
	assert_non_null(back = calloc(L, sizeof(*back)));
	assert_non_null(ct = malloc(len));
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		assert_int_equal(sealed_stream_begin(SESSION, ALICE, BOB, L, kA,
		    k.pkB, ct, len, &s), SS_OK);
		for (off = 0; off < L; off += n) {
			n = L - off < pieces[i] ? L - off : pieces[i];
			assert_int_equal(sealed_stream_add(s, v + off, n), SS_OK);
		}
		assert_int_equal(sealed_stream_end(s), SS_OK);
		memset(back, 0, L * sizeof(*back));
		assert_int_equal(sealed_open(SESSION, ALICE, BOB, L, k.skB,
		    k.pkA, ct, len, back), SS_OK);
		assert_memory_equal(back, v, L * sizeof(*v));
	}

	/* p itself in the second piece. */
	assert_int_equal(sealed_stream_begin(SESSION, ALICE, BOB, L, kA, k.pkB,
	    ct, len, &s), SS_OK);
	assert_int_equal(sealed_stream_add(s, v, 600), SS_OK);
	v[700] = FIELD_P;
	assert_int_equal(sealed_stream_add(s, v + 600, 600), SS_ERR_RANGE);
	assert_int_equal(sealed_stream_add(s, v + 600, 600), SS_ERR_INVALID);
	v[700] = 0;
	assert_int_equal(sealed_stream_add(s, v + 600, 600), SS_ERR_INVALID);
	assert_int_equal(sealed_stream_add(s, v, 0), SS_ERR_INVALID);
	assert_int_equal(sealed_stream_end(s), SS_ERR_INVALID);
	for (i = 0; i < len; i++)
		assert_int_equal(ct[i], 0);

	/* Ended short. */
	assert_int_equal(sealed_stream_begin(SESSION, ALICE, BOB, L, kA, k.pkB,
	    ct, len, &s), SS_OK);
	assert_int_equal(sealed_stream_add(s, v, 600), SS_OK);
	assert_int_equal(sealed_stream_end(s), SS_ERR_INVALID);
	for (i = 0; i < len; i++)
		assert_int_equal(ct[i], 0);

	/* sealed_seal_k's checks. */
	assert_int_equal(sealed_stream_begin(SESSION, ALICE, BOB, L, kA, k.pkB,
	    ct, len - 1, &s), SS_ERR_INVALID);
	assert_null(s);
	assert_int_equal(sealed_stream_begin(SESSION, ALICE, BOB, 0, kA, k.pkB,
	    ct, len, &s), SS_ERR_INVALID);
	assert_int_equal(sealed_stream_add(NULL, v, 1), SS_ERR_INVALID);
	assert_int_equal(sealed_stream_end(NULL), SS_ERR_INVALID);
	sealed_stream_free(NULL);
	hpke_key_free(kA);
	free(v);
	free(back);
	free(ct);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_roundtrip_1),
		cmocka_unit_test(test_roundtrip_100000),
		cmocka_unit_test(test_altered),
		cmocka_unit_test(test_other_names),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_other_length),
		cmocka_unit_test(test_element_range),
		cmocka_unit_test(test_seal_arguments),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_k_roundtrip_and_equivalence),
		cmocka_unit_test(test_k_wrong_keys),
		cmocka_unit_test(test_document_vector),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
