/*
 * test_core_hpke.c: unit tests of core/hpke.c.
 *
 * The known answers are RFC 9180's own test vectors for our suite, base mode
 * (A.1.1) and auth mode (A.1.3), read from
 * tests/data/hpke-x25519-sha256-aes128gcm.txt (path relative to the
 * repository root, where the test runner starts us; HPKE_TEST_VECTORS
 * overrides it). For each mode we check the public keys, enc, the key
 * schedule's outputs, every published encryption and decryption and every
 * export. The rest checks what vectors cannot: that tampering with any bit,
 * or using the wrong key, info or aad, fails authentication, and that the
 * bounds hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "hpke.h"
#include "hpke_raw.h"

#define VECTOR_FILE	"tests/data/hpke-x25519-sha256-aes128gcm.txt"
#define VECTOR_ENV	"HPKE_TEST_VECTORS"

/* ---- the vector file -------------------------------------------------- */

#define MAX_FIELDS	24
#define MAX_HEX		256	/* bytes in one decoded value */

struct field {
	char *name;
	char *value;
};

/* One blank-line-separated group of "name = value" lines. */
struct record {
	struct field f[MAX_FIELDS];
	size_t n;
};

struct records {
	struct record *r;
	size_t n;
};

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
add_record(struct records *rs, struct record *cur)
{
	if (cur->n == 0)
		return;
	rs->r = realloc(rs->r, (rs->n + 1) * sizeof(*rs->r));
	assert_non_null(rs->r);
	rs->r[rs->n++] = *cur;
	memset(cur, 0, sizeof(*cur));
}

static void
load_records(struct records *rs, const char *path)
{
	struct record cur;
	char *line = NULL, *s, *eq;
	size_t cap = 0;
	FILE *f;

	memset(&cur, 0, sizeof(cur));
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s (run from the repository root, or set "
		    VECTOR_ENV ")", path);
	while (getline(&line, &cap, f) != -1) {
		s = trim(line);
		if (*s == '#')
			continue;
		if (*s == '\0') {
			add_record(rs, &cur);
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL)
			fail_msg("%s: line without '=': %s", path, s);
		*eq = '\0';
		assert_true(cur.n < MAX_FIELDS);
		cur.f[cur.n].name = strdup(trim(s));
		cur.f[cur.n].value = strdup(trim(eq + 1));
		assert_non_null(cur.f[cur.n].name);
		assert_non_null(cur.f[cur.n].value);
		cur.n++;
	}
	add_record(rs, &cur);
	free(line);
	fclose(f);
}

static void
free_records(struct records *rs)
{
	size_t i, j;

	for (i = 0; i < rs->n; i++)
		for (j = 0; j < rs->r[i].n; j++) {
			free(rs->r[i].f[j].name);
			free(rs->r[i].f[j].value);
		}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

static const char *
lookup(const struct record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].name, name) == 0)
			return r->f[i].value;
	return NULL;
}

static int
has(const struct record *r, const char *name)
{
	return lookup(r, name) != NULL;
}

static unsigned long long
get_num(const struct record *r, const char *name)
{
	const char *v = lookup(r, name);
	char *end;
	unsigned long long n;

	if (v == NULL)
		fail_msg("vector lacks %s", name);
	n = strtoull(v, &end, 10);
	assert_true(*v != '\0' && *end == '\0');
	return n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex field name into out (cap bytes); returns its length. */
static size_t
get_hex(const struct record *r, const char *name, uint8_t *out, size_t cap)
{
	const char *v = lookup(r, name);
	size_t i, len;
	int hi, lo;

	if (v == NULL)
		fail_msg("vector lacks %s", name);
	len = strlen(v);
	if (len % 2 != 0 || len / 2 > cap)
		fail_msg("bad hex length for %s", name);
	for (i = 0; i < len / 2; i++) {
		hi = hexval(v[2 * i]);
		lo = hexval(v[2 * i + 1]);
		if (hi < 0 || lo < 0)
			fail_msg("bad hex in %s", name);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return len / 2;
}

/* Decodes a field that must be exactly len bytes. */
static void
get_fixed(const struct record *r, const char *name, uint8_t *out, size_t len)
{
	assert_int_equal(get_hex(r, name, out, len), len);
}

static struct records vectors;

static int
group_setup(void **state)
{
	const char *path = getenv(VECTOR_ENV);

	(void)state;
	load_records(&vectors, path != NULL ? path : VECTOR_FILE);
	return vectors.n > 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	free_records(&vectors);
	return 0;
}

/* Index of the record opening the vector of that mode for our suite. */
static size_t
find_vector(int mode)
{
	size_t i;

	for (i = 0; i < vectors.n; i++) {
		const struct record *r = &vectors.r[i];

		if (has(r, "mode") && get_num(r, "mode") == (unsigned)mode &&
		    get_num(r, "kem_id") == 0x20 && get_num(r, "kdf_id") == 1 &&
		    get_num(r, "aead_id") == 1)
			return i;
	}
	fail_msg("no vector for mode %d", mode);
	return 0;
}

/* ---- known answers ------------------------------------------------------ */

static void
check_vector(int mode, size_t want_encryptions, size_t want_exports)
{
	size_t i = find_vector(mode);
	const struct record *v = &vectors.r[i];
	uint8_t skE[32], pkE[32], skR[32], pkR[32], skS[32], pkS[32];
	uint8_t enc[32], want_enc[32], pk[32];
	uint8_t info[MAX_HEX], key[16], base_nonce[12], exporter_secret[32];
	uint8_t pt[MAX_HEX], aad[MAX_HEX], nonce[12], ct[MAX_HEX];
	uint8_t got[MAX_HEX + HPKE_TAG_LEN], expctx[MAX_HEX];
	uint8_t value[MAX_HEX];
	size_t info_len, pt_len, aad_len, ct_len, ctx_len, L;
	size_t n_enc = 0, n_exp = 0;
	struct hpke_ctx s, r;
	uint64_t seq;
	int k, auth = mode == HPKE_MODE_AUTH;

	get_fixed(v, "skEm", skE, 32);
	get_fixed(v, "pkEm", pkE, 32);
	get_fixed(v, "skRm", skR, 32);
	get_fixed(v, "pkRm", pkR, 32);
	get_fixed(v, "enc", want_enc, 32);
	get_fixed(v, "key", key, 16);
	get_fixed(v, "base_nonce", base_nonce, 12);
	get_fixed(v, "exporter_secret", exporter_secret, 32);
	info_len = get_hex(v, "info", info, sizeof(info));

	assert_int_equal(hpke_public_key(skE, pk), SS_OK);
	assert_memory_equal(pk, pkE, 32);
	assert_int_equal(hpke_public_key(skR, pk), SS_OK);
	assert_memory_equal(pk, pkR, 32);
	if (auth) {
		get_fixed(v, "skSm", skS, 32);
		get_fixed(v, "pkSm", pkS, 32);
		assert_int_equal(hpke_public_key(skS, pk), SS_OK);
		assert_memory_equal(pk, pkS, 32);
	}

	/* Encap (or AuthEncap) with the vector's ephemeral key gives enc. */
	assert_int_equal(hpke_setup_sender(&s, mode, pkR, auth ? skS : NULL,
	    skE, info, info_len, enc), SS_OK);
	assert_memory_equal(enc, want_enc, 32);
	assert_memory_equal(s.key, key, 16);
	assert_memory_equal(s.base_nonce, base_nonce, 12);
	assert_memory_equal(s.exporter_secret, exporter_secret, 32);
	assert_true(s.seq == 0);

	assert_int_equal(hpke_setup_receiver(&r, mode, want_enc, skR,
	    auth ? pkS : NULL, info, info_len), SS_OK);
	assert_memory_equal(r.key, key, 16);
	assert_memory_equal(r.base_nonce, base_nonce, 12);
	assert_memory_equal(r.exporter_secret, exporter_secret, 32);

	for (i++; i < vectors.n && !has(&vectors.r[i], "mode"); i++) {
		const struct record *e = &vectors.r[i];

		if (has(e, "seq")) {
			seq = get_num(e, "seq");
			pt_len = get_hex(e, "pt", pt, sizeof(pt));
			aad_len = get_hex(e, "aad", aad, sizeof(aad));
			get_fixed(e, "nonce", nonce, 12);
			ct_len = get_hex(e, "ct", ct, sizeof(ct));
			assert_int_equal(ct_len, pt_len + HPKE_TAG_LEN);

			/* The data itself: nonce = base_nonce XOR seq. */
			for (k = 0; k < 8; k++)
				nonce[11 - k] ^= (uint8_t)(seq >> (8 * k));
			assert_memory_equal(nonce, base_nonce, 12);

			/*
			 * Sequential where the vector is (all of A.1.1);
			 * the RFC prints only some of A.1.3's, so jump.
			 */
			assert_true(seq >= s.seq);
			s.seq = r.seq = seq;

			assert_int_equal(hpke_seal(&s, aad, aad_len, pt, pt_len,
			    got), SS_OK);
			assert_memory_equal(got, ct, ct_len);
			assert_true(s.seq == seq + 1);

			memset(got, 0xa5, sizeof(got));
			assert_int_equal(hpke_open(&r, aad, aad_len, ct, ct_len,
			    got), SS_OK);
			assert_memory_equal(got, pt, pt_len);
			assert_true(r.seq == seq + 1);
			n_enc++;
		} else if (has(e, "exporter_context")) {
			ctx_len = get_hex(e, "exporter_context", expctx,
			    sizeof(expctx));
			L = get_num(e, "L");
			assert_true(L <= sizeof(value));
			get_fixed(e, "exported_value", value, L);
			assert_int_equal(hpke_export(&s, expctx, ctx_len, got, L),
			    SS_OK);
			assert_memory_equal(got, value, L);
			assert_int_equal(hpke_export(&r, expctx, ctx_len, got, L),
			    SS_OK);
			assert_memory_equal(got, value, L);
			n_exp++;
		} else
			fail_msg("record %zu is neither encryption nor export", i);
	}
	/* Guards against a truncated data file passing vacuously. */
	assert_int_equal(n_enc, want_encryptions);
	assert_int_equal(n_exp, want_exports);
	hpke_ctx_clear(&s);
	hpke_ctx_clear(&r);
}

static void
test_rfc9180_base(void **state)
{
	(void)state;
	check_vector(HPKE_MODE_BASE, 257, 3);
}

static void
test_rfc9180_auth(void **state)
{
	(void)state;
	check_vector(HPKE_MODE_AUTH, 6, 3);
}

/* ---- tampering and wrong keys ----------------------------------------- */

static const uint8_t msg[] = "Beauty is truth, truth beauty";
#define MSG_LEN		(sizeof(msg) - 1)
#define SEALED_LEN	(HPKE_KEY_LEN + MSG_LEN + HPKE_TAG_LEN)
static const uint8_t tinfo[] = "test_hpke info";
static const uint8_t taad[] = "test_hpke aad";

struct parties {
	uint8_t skS[32], pkS[32], skR[32], pkR[32];
	uint8_t sealed[SEALED_LEN];
};

static void
make_sealed(struct parties *p)
{
	uint8_t pt[MSG_LEN];

	assert_int_equal(hpke_keygen(p->skS, p->pkS), SS_OK);
	assert_int_equal(hpke_keygen(p->skR, p->pkR), SS_OK);
	assert_int_equal(raw_seal_auth(p->pkR, p->skS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), msg, MSG_LEN, p->sealed, SEALED_LEN), SS_OK);
	assert_int_equal(raw_open_auth(p->skR, p->pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p->sealed, SEALED_LEN, pt, MSG_LEN), SS_OK);
	assert_memory_equal(pt, msg, MSG_LEN);
}

/* Flips each bit of sealed[from, to) in turn; every one must fail. */
static void
flip_each_bit(size_t from, size_t to)
{
	struct parties p;
	uint8_t bad[SEALED_LEN], pt[MSG_LEN];
	size_t i;
	int bit;

	make_sealed(&p);
	for (i = from; i < to; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, p.sealed, SEALED_LEN);
			bad[i] ^= (uint8_t)(1 << bit);
			memset(pt, 0xa5, sizeof(pt));
			assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo,
			    sizeof(tinfo), taad, sizeof(taad), bad, SEALED_LEN,
			    pt, MSG_LEN), SS_ERR_AUTH);
			/* Unauthenticated plaintext must not be left behind. */
			assert_true(all_zero(pt, MSG_LEN));
		}
}

/*
 * Every bit of enc, including bit 255, which X25519 itself ignores: enc is
 * also hashed into the KEM context, so even that flip changes the key.
 */
static void
test_flip_enc(void **state)
{
	(void)state;
	flip_each_bit(0, HPKE_KEY_LEN);
}

static void
test_flip_ct(void **state)
{
	(void)state;
	flip_each_bit(HPKE_KEY_LEN, HPKE_KEY_LEN + MSG_LEN);
}

static void
test_flip_tag(void **state)
{
	(void)state;
	flip_each_bit(HPKE_KEY_LEN + MSG_LEN, SEALED_LEN);
}

static void
test_wrong_keys_info_aad(void **state)
{
	struct parties p;
	uint8_t sk[32], pk[32], pt[MSG_LEN];

	(void)state;
	make_sealed(&p);
	assert_int_equal(hpke_keygen(sk, pk), SS_OK);

	/* Another sender's public key: auth mode must say no. */
	assert_int_equal(raw_open_auth(p.skR, pk, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	/* The recipient's own key as "sender" (a reflection). */
	assert_int_equal(raw_open_auth(p.skR, p.pkR, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	/* Another recipient. */
	assert_int_equal(raw_open_auth(sk, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	/* Other info, shorter info, other aad, no aad. */
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo) - 1,
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, taad, sizeof(taad),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    tinfo, sizeof(tinfo), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    NULL, 0, p.sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	/* The right everything still works. */
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN), SS_OK);
	assert_memory_equal(pt, msg, MSG_LEN);
}

/* A base-mode context cannot open an auth-mode message, nor vice versa. */
static void
test_mode_confusion(void **state)
{
	struct parties p;
	struct hpke_ctx ctx;
	uint8_t pt[MSG_LEN];

	(void)state;
	make_sealed(&p);
	assert_int_equal(hpke_setup_receiver(&ctx, HPKE_MODE_BASE, p.sealed,
	    p.skR, NULL, tinfo, sizeof(tinfo)), SS_OK);
	assert_int_equal(hpke_open(&ctx, taad, sizeof(taad),
	    p.sealed + HPKE_KEY_LEN, SEALED_LEN - HPKE_KEY_LEN, pt),
	    SS_ERR_AUTH);
	hpke_ctx_clear(&ctx);
}

/*
 * Small-order public keys make X25519 output all zeros; RFC 9180 7.1.4
 * requires that to abort. u = 0, u = 1 and a point of order 8.
 */
static void
test_small_order_points(void **state)
{
	static const uint8_t bad[][32] = {
		{ 0 },
		{ 1 },
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56,
		  0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb,
		  0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
		  0xb8, 0x00 },
	};
	struct hpke_ctx ctx;
	uint8_t sk[32], pk[32], skS[32], pkS[32], enc[32];
	size_t i;

	(void)state;
	assert_int_equal(hpke_keygen(sk, pk), SS_OK);
	assert_int_equal(hpke_keygen(skS, pkS), SS_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, bad[i],
		    NULL, NULL, NULL, 0, enc), SS_ERR_CRYPTO);
		assert_true(all_zero((const uint8_t *)&ctx, sizeof(ctx)));
		assert_int_equal(hpke_setup_receiver(&ctx, HPKE_MODE_BASE,
		    bad[i], sk, NULL, NULL, 0), SS_ERR_CRYPTO);
		/* A sender key of small order, in auth mode. */
		assert_int_equal(hpke_setup_receiver(&ctx, HPKE_MODE_AUTH, pk,
		    sk, bad[i], NULL, 0), SS_ERR_CRYPTO);
	}
}

/* A failed open leaves the sequence number where it was. */
static void
test_failed_open_keeps_seq(void **state)
{
	struct hpke_ctx s, r;
	uint8_t skR[32], pkR[32], enc[32];
	uint8_t ct[2][MSG_LEN + HPKE_TAG_LEN], pt[MSG_LEN];
	int i;

	(void)state;
	assert_int_equal(hpke_keygen(skR, pkR), SS_OK);
	assert_int_equal(hpke_setup_sender(&s, HPKE_MODE_BASE, pkR, NULL, NULL,
	    tinfo, sizeof(tinfo), enc), SS_OK);
	assert_int_equal(hpke_setup_receiver(&r, HPKE_MODE_BASE, enc, skR,
	    NULL, tinfo, sizeof(tinfo)), SS_OK);
	for (i = 0; i < 2; i++)
		assert_int_equal(hpke_seal(&s, NULL, 0, msg, MSG_LEN, ct[i]),
		    SS_OK);
	/* Out of order: message 1 under nonce 0 fails... */
	assert_int_equal(hpke_open(&r, NULL, 0, ct[1], sizeof(ct[1]), pt),
	    SS_ERR_AUTH);
	assert_true(r.seq == 0);
	ct[0][3] ^= 0x40;
	assert_int_equal(hpke_open(&r, NULL, 0, ct[0], sizeof(ct[0]), pt),
	    SS_ERR_AUTH);
	assert_true(r.seq == 0);
	ct[0][3] ^= 0x40;
	/* ...and the right order still works afterwards. */
	for (i = 0; i < 2; i++) {
		assert_int_equal(hpke_open(&r, NULL, 0, ct[i], sizeof(ct[i]),
		    pt), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
	}
	assert_true(r.seq == 2 && s.seq == 2);
	hpke_ctx_clear(&s);
	hpke_ctx_clear(&r);
}

/* The 64-bit counter refuses to wrap. */
static void
test_seq_limit(void **state)
{
	struct hpke_ctx s, r;
	uint8_t skR[32], pkR[32], enc[32];
	uint8_t ct[MSG_LEN + HPKE_TAG_LEN], pt[MSG_LEN];

	(void)state;
	assert_int_equal(hpke_keygen(skR, pkR), SS_OK);
	assert_int_equal(hpke_setup_sender(&s, HPKE_MODE_BASE, pkR, NULL, NULL,
	    NULL, 0, enc), SS_OK);
	assert_int_equal(hpke_setup_receiver(&r, HPKE_MODE_BASE, enc, skR,
	    NULL, NULL, 0), SS_OK);
	s.seq = r.seq = UINT64_MAX - 1;
	assert_int_equal(hpke_seal(&s, NULL, 0, msg, MSG_LEN, ct), SS_OK);
	assert_true(s.seq == UINT64_MAX);
	assert_int_equal(hpke_open(&r, NULL, 0, ct, sizeof(ct), pt), SS_OK);
	assert_true(r.seq == UINT64_MAX);
	assert_int_equal(hpke_seal(&s, NULL, 0, msg, MSG_LEN, ct),
	    SS_ERR_RANGE);
	assert_int_equal(hpke_open(&r, NULL, 0, ct, sizeof(ct), pt),
	    SS_ERR_RANGE);
	assert_true(s.seq == UINT64_MAX && r.seq == UINT64_MAX);
	hpke_ctx_clear(&s);
	hpke_ctx_clear(&r);
}

/* ---- round trips and bounds ------------------------------------------- */

static void
test_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 4096, 1 << 20 };
	uint8_t skS[32], pkS[32], skR[32], pkR[32], enc[32];
	uint8_t ex1[64], ex2[64];
	struct hpke_ctx s, r;
	uint8_t *pt, *ct, *back;
	size_t i, n;
	int mode;

	(void)state;
	assert_int_equal(hpke_keygen(skS, pkS), SS_OK);
	assert_int_equal(hpke_keygen(skR, pkR), SS_OK);
	assert_memory_not_equal(skS, skR, 32);
	for (mode = 0; mode <= HPKE_MODE_AUTH; mode += HPKE_MODE_AUTH) {
		const uint8_t *sk = mode == HPKE_MODE_AUTH ? skS : NULL;
		const uint8_t *pk = mode == HPKE_MODE_AUTH ? pkS : NULL;

		assert_int_equal(hpke_setup_sender(&s, mode, pkR, sk, NULL,
		    tinfo, sizeof(tinfo), enc), SS_OK);
		assert_int_equal(hpke_setup_receiver(&r, mode, enc, skR, pk,
		    tinfo, sizeof(tinfo)), SS_OK);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			n = sizes[i];
			pt = malloc(n + 1);
			ct = malloc(n + HPKE_TAG_LEN);
			back = malloc(n + 1);
			assert_true(pt && ct && back);
			memset(pt, (int)(n & 0xff), n + 1);
			assert_int_equal(hpke_seal(&s, taad, sizeof(taad), pt,
			    n, ct), SS_OK);
			assert_int_equal(hpke_open(&r, taad, sizeof(taad), ct,
			    n + HPKE_TAG_LEN, back), SS_OK);
			assert_memory_equal(back, pt, n);
			free(pt);
			free(ct);
			free(back);
		}
		/* In place: pt == ct. */
		{
			uint8_t buf[MSG_LEN + HPKE_TAG_LEN];

			memcpy(buf, msg, MSG_LEN);
			assert_int_equal(hpke_seal(&s, NULL, 0, buf, MSG_LEN,
			    buf), SS_OK);
			assert_int_equal(hpke_open(&r, NULL, 0, buf,
			    sizeof(buf), buf), SS_OK);
			assert_memory_equal(buf, msg, MSG_LEN);
		}
		assert_int_equal(hpke_export(&s, tinfo, sizeof(tinfo), ex1,
		    sizeof(ex1)), SS_OK);
		assert_int_equal(hpke_export(&r, tinfo, sizeof(tinfo), ex2,
		    sizeof(ex2)), SS_OK);
		assert_memory_equal(ex1, ex2, sizeof(ex1));
		assert_int_equal(hpke_export(&r, NULL, 0, ex2, sizeof(ex2)),
		    SS_OK);
		assert_memory_not_equal(ex1, ex2, sizeof(ex1));
		hpke_ctx_clear(&s);
		hpke_ctx_clear(&r);
	}
}

/* Two seals of the same message use fresh ephemeral keys. */
static void
test_fresh_ephemeral(void **state)
{
	struct parties p;
	uint8_t again[SEALED_LEN];

	(void)state;
	make_sealed(&p);
	assert_int_equal(raw_seal_auth(p.pkR, p.skS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), msg, MSG_LEN, again, SEALED_LEN), SS_OK);
	assert_memory_not_equal(again, p.sealed, HPKE_KEY_LEN);
	assert_memory_not_equal(again + HPKE_KEY_LEN, p.sealed + HPKE_KEY_LEN,
	    SEALED_LEN - HPKE_KEY_LEN);
}

static void
test_bounds(void **state)
{
	struct parties p;
	struct hpke_ctx ctx;
	uint8_t big[8192], out[SEALED_LEN + 1], pt[MSG_LEN + 1], enc[32];
	uint8_t *huge;
	size_t huge_len = 64 * 1024 + 1;

	(void)state;
	memset(big, 0x11, sizeof(big));
	make_sealed(&p);

	/* Single-shot sizes must be exact. */
	assert_int_equal(raw_seal_auth(p.pkR, p.skS, NULL, 0, NULL, 0, msg,
	    MSG_LEN, out, SEALED_LEN - 1), SS_ERR_INVALID);
	assert_int_equal(raw_seal_auth(p.pkR, p.skS, NULL, 0, NULL, 0, msg,
	    MSG_LEN, out, SEALED_LEN + 1), SS_ERR_INVALID);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN + 1),
	    SS_ERR_INVALID);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, HPKE_KEY_LEN + HPKE_TAG_LEN - 1, pt,
	    0), SS_ERR_INVALID);
	/* Truncated by one byte: the tag no longer checks. */
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN - 1, pt, MSG_LEN - 1),
	    SS_ERR_AUTH);

	/* Modes and sender keys. */
	assert_int_equal(hpke_setup_sender(&ctx, 1, p.pkR, NULL, NULL, NULL,
	    0, enc), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_sender(&ctx, 3, p.pkR, p.skS, NULL, NULL,
	    0, enc), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, p.pkR, p.skS,
	    NULL, NULL, 0, enc), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_AUTH, p.pkR, NULL,
	    NULL, NULL, 0, enc), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_receiver(&ctx, HPKE_MODE_AUTH, p.sealed,
	    p.skR, NULL, NULL, 0), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_receiver(&ctx, HPKE_MODE_BASE, p.sealed,
	    p.skR, p.pkS, NULL, 0), SS_ERR_INVALID);
	/* info: NULL with a length, and over the bound. */
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, p.pkR, NULL,
	    NULL, NULL, 1, enc), SS_ERR_INVALID);
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, p.pkR, NULL,
	    NULL, big, 1024, enc), SS_OK);
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, p.pkR, NULL,
	    NULL, big, 1025, enc), SS_ERR_TOO_LARGE);
	assert_int_equal(raw_seal_auth(p.pkR, p.skS, big, 1025, NULL, 0, msg,
	    MSG_LEN, out, SEALED_LEN), SS_ERR_TOO_LARGE);

	/* aad: NULL with a length, and over the bound. */
	assert_int_equal(hpke_setup_sender(&ctx, HPKE_MODE_BASE, p.pkR, NULL,
	    NULL, NULL, 0, enc), SS_OK);
	assert_int_equal(hpke_seal(&ctx, NULL, 1, msg, MSG_LEN, out),
	    SS_ERR_INVALID);
	huge = calloc(1, huge_len);
	assert_non_null(huge);
	assert_int_equal(hpke_seal(&ctx, huge, huge_len, msg, MSG_LEN, out),
	    SS_ERR_TOO_LARGE);
	assert_int_equal(hpke_seal(&ctx, huge, huge_len - 1, msg, MSG_LEN,
	    out), SS_OK);
	free(huge);
	/* Ciphertext shorter than a tag. */
	assert_int_equal(hpke_open(&ctx, NULL, 0, out, HPKE_TAG_LEN - 1, pt),
	    SS_ERR_INVALID);

	/* Export lengths: 1..255*32 bytes, context up to 512 bytes. */
	assert_int_equal(hpke_export(&ctx, NULL, 0, big, 0), SS_ERR_INVALID);
	assert_int_equal(hpke_export(&ctx, NULL, 0, big, 255 * 32), SS_OK);
	assert_int_equal(hpke_export(&ctx, NULL, 0, big, 255 * 32 + 1),
	    SS_ERR_TOO_LARGE);
	assert_int_equal(hpke_export(&ctx, big, 512, out, 32), SS_OK);
	assert_int_equal(hpke_export(&ctx, big, 513, out, 32),
	    SS_ERR_TOO_LARGE);
	assert_int_equal(hpke_export(&ctx, NULL, 1, out, 32), SS_ERR_INVALID);
	hpke_ctx_clear(&ctx);
	assert_true(all_zero((const uint8_t *)&ctx, sizeof(ctx)));
}

/* ---- prepared keys (struct hpke_key, the _k calls) --------------------- */

/* A key object knows the public key of its private key. */
static void
test_key_object(void **state)
{
	struct hpke_key *k = (struct hpke_key *)&k;
	uint8_t sk[32], pk[32], pk2[32];

	(void)state;
	assert_int_equal(hpke_keygen(sk, pk), SS_OK);
	assert_int_equal(hpke_key_new(sk, &k), SS_OK);
	assert_non_null(k);
	memset(pk2, 0, sizeof(pk2));
	hpke_key_public(k, pk2);
	assert_memory_equal(pk2, pk, 32);
	hpke_key_free(k);
	hpke_key_free(NULL);

	k = (struct hpke_key *)&k;
	assert_int_equal(hpke_key_new(NULL, &k), SS_ERR_INVALID);
	assert_null(k);
	assert_int_equal(hpke_key_new(sk, NULL), SS_ERR_INVALID);
}

/*
 * The _k calls make and take the very same messages as the raw-key calls:
 * each opens what the other sealed, and a key object serves many seals.
 */
static void
test_k_roundtrip_and_equivalence(void **state)
{
	struct parties p;
	struct hpke_key *kS, *kR;
	uint8_t sealed[SEALED_LEN], again[SEALED_LEN], pt[MSG_LEN];
	int i;

	(void)state;
	make_sealed(&p);
	assert_int_equal(hpke_key_new(p.skS, &kS), SS_OK);
	assert_int_equal(hpke_key_new(p.skR, &kR), SS_OK);

	/* Raw-key seal, prepared-key open. */
	memset(pt, 0, sizeof(pt));
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN), SS_OK);
	assert_memory_equal(pt, msg, MSG_LEN);

	for (i = 0; i < 3; i++) {
		/* Prepared-key seal, raw-key open. */
		assert_int_equal(hpke_seal_auth_k(p.pkR, kS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), msg, MSG_LEN, sealed,
		    SEALED_LEN), SS_OK);
		memset(pt, 0, sizeof(pt));
		assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), sealed, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
		/* And prepared on both sides. */
		memset(pt, 0, sizeof(pt));
		assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), sealed, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
		/* A fresh ephemeral key every time. */
		assert_memory_not_equal(sealed, p.sealed, HPKE_KEY_LEN);
		if (i > 0)
			assert_memory_not_equal(sealed, again, HPKE_KEY_LEN);
		memcpy(again, sealed, SEALED_LEN);
	}

	/* Empty message, no info, no aad. */
	assert_int_equal(hpke_seal_auth_k(p.pkR, kS, NULL, 0, NULL, 0, NULL, 0,
	    sealed, HPKE_KEY_LEN + HPKE_TAG_LEN), SS_OK);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, NULL, 0, NULL, 0, sealed,
	    HPKE_KEY_LEN + HPKE_TAG_LEN, NULL, 0), SS_OK);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, NULL, 0, NULL, 0, sealed,
	    HPKE_KEY_LEN + HPKE_TAG_LEN, NULL, 0), SS_OK);

	/* The same argument checks as the raw-key calls. */
	assert_int_equal(hpke_seal_auth_k(p.pkR, NULL, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_auth_k(NULL, kS, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_auth_k(p.pkR, kS, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN - 1), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_auth_k(p.pkR, kS, NULL, 1, NULL, 0, msg,
	    MSG_LEN, sealed, SEALED_LEN), SS_ERR_INVALID);
	assert_int_equal(hpke_open_auth_k(NULL, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_INVALID);
	assert_int_equal(hpke_open_auth_k(kR, NULL, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_INVALID);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN - 1),
	    SS_ERR_INVALID);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, HPKE_KEY_LEN + HPKE_TAG_LEN - 1, pt,
	    0), SS_ERR_INVALID);
	hpke_key_free(kS);
	hpke_key_free(kR);
}

/*
 * A seal given in pieces (hpke_seal_stream_*) is a message like any other:
 * it opens with the single-shot open, whatever the pieces; adding past the
 * plaintext's length or ending short fails and leaves nothing of it; an
 * abandoned stream leaves nothing either.
 */
static void
test_seal_stream(void **state)
{
	static const uint8_t zero[SEALED_LEN];
	static const size_t cuts[][3] = {
		{ MSG_LEN, 0, 0 }, { 1, MSG_LEN - 1, 0 }, { 7, 0, MSG_LEN - 7 },
		{ 10, 10, MSG_LEN - 20 },
	};
	struct parties p;
	struct hpke_key *kS, *kR;
	struct hpke_seal_stream *s;
	uint8_t sealed[SEALED_LEN], pt[MSG_LEN];
	size_t i, j, off;

	(void)state;
	make_sealed(&p);
	assert_int_equal(hpke_key_new(p.skS, &kS), SS_OK);
	assert_int_equal(hpke_key_new(p.skR, &kR), SS_OK);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), MSG_LEN, sealed,
		    SEALED_LEN, &s), SS_OK);
		for (j = 0, off = 0; j < 3; off += cuts[i][j], j++)
			assert_int_equal(hpke_seal_stream_add(s, msg + off,
			    cuts[i][j]), SS_OK);
		assert_int_equal(hpke_seal_stream_end(s), SS_OK);
		memset(pt, 0, sizeof(pt));
		assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), sealed, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
	}

	/* One byte too many: refused, wiped, and the stream stays failed. */
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, &s), SS_OK);
	assert_int_equal(hpke_seal_stream_add(s, msg, MSG_LEN - 1), SS_OK);
	assert_int_equal(hpke_seal_stream_add(s, msg, 2), SS_ERR_INVALID);
	assert_memory_equal(sealed, zero, SEALED_LEN);
	assert_int_equal(hpke_seal_stream_add(s, msg, 1), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_stream_end(s), SS_ERR_INVALID);

	/* Ended short: no tag, nothing left. */
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, &s), SS_OK);
	assert_int_equal(hpke_seal_stream_add(s, msg, MSG_LEN - 1), SS_OK);
	assert_int_equal(hpke_seal_stream_end(s), SS_ERR_INVALID);
	assert_memory_equal(sealed, zero, SEALED_LEN);

	/* Failed from above (hpke_seal_stream_fail): wiped, no more adds. */
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, &s), SS_OK);
	assert_int_equal(hpke_seal_stream_add(s, msg, 5), SS_OK);
	hpke_seal_stream_fail(s);
	assert_memory_equal(sealed, zero, SEALED_LEN);
	assert_int_equal(hpke_seal_stream_add(s, msg, 0), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_stream_end(s), SS_ERR_INVALID);
	hpke_seal_stream_fail(NULL);

	/* Abandoned half way. */
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, &s), SS_OK);
	assert_int_equal(hpke_seal_stream_add(s, msg, 5), SS_OK);
	hpke_seal_stream_free(s);
	assert_memory_equal(sealed, zero, SEALED_LEN);
	hpke_seal_stream_free(NULL);

	/* The single-shot call's argument checks. */
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN - 1, &s),
	    SS_ERR_INVALID);
	assert_null(s);
	assert_int_equal(hpke_seal_stream_begin(p.pkR, NULL, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, &s),
	    SS_ERR_INVALID);
	assert_int_equal(hpke_seal_stream_begin(p.pkR, kS, tinfo,
	    sizeof(tinfo), NULL, 0, MSG_LEN, sealed, SEALED_LEN, NULL),
	    SS_ERR_INVALID);
	assert_int_equal(hpke_seal_stream_add(NULL, msg, 1), SS_ERR_INVALID);
	assert_int_equal(hpke_seal_stream_end(NULL), SS_ERR_INVALID);
	hpke_key_free(kS);
	hpke_key_free(kR);
}

/*
 * A sealed message of S for R (make_sealed), a third key pair X, and the
 * key objects of S, R and X.
 */
static void
three_keys(struct parties *p, uint8_t skX[32], uint8_t pkX[32],
    struct hpke_key **kS, struct hpke_key **kR, struct hpke_key **kX)
{
	make_sealed(p);
	assert_int_equal(hpke_keygen(skX, pkX), SS_OK);
	assert_int_equal(hpke_key_new(p->skS, kS), SS_OK);
	assert_int_equal(hpke_key_new(p->skR, kR), SS_OK);
	assert_int_equal(hpke_key_new(skX, kX), SS_OK);
}

/* Wrong keys, info or aad with the _k calls: SS_ERR_AUTH, nothing left. */
static void
test_k_wrong_keys(void **state)
{
	struct parties p;
	struct hpke_key *kS, *kR, *kX;
	uint8_t skX[32], pkX[32], pt[MSG_LEN], sealed[SEALED_LEN];
	static const uint8_t zero[32];

	(void)state;
	three_keys(&p, skX, pkX, &kS, &kR, &kX);

	/* Another recipient's key. */
	memset(pt, 0xa5, sizeof(pt));
	assert_int_equal(hpke_open_auth_k(kX, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_true(all_zero(pt, MSG_LEN));
	/* Another claimed sender. */
	memset(pt, 0xa5, sizeof(pt));
	assert_int_equal(hpke_open_auth_k(kR, pkX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_true(all_zero(pt, MSG_LEN));
	/* Other info, other aad. */
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, taad, sizeof(taad),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    tinfo, sizeof(tinfo), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_AUTH);
	/* Sealed by X: a recipient expecting S refuses it. */
	assert_int_equal(hpke_seal_auth_k(p.pkR, kX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), msg, MSG_LEN, sealed, SEALED_LEN), SS_OK);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	/* Sealed for R, opened with another private key. */
	assert_int_equal(hpke_open_auth_k(kS, pkX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	/* Small-order points still abort. */
	assert_int_equal(hpke_seal_auth_k(zero, kS, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN), SS_ERR_CRYPTO);
	assert_int_equal(hpke_open_auth_k(kR, zero, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_CRYPTO);
	memcpy(sealed, p.sealed, SEALED_LEN);
	memset(sealed, 0, HPKE_KEY_LEN);
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN),
	    SS_ERR_CRYPTO);
	hpke_key_free(kS);
	hpke_key_free(kR);
	hpke_key_free(kX);
}

/*
 * A key that remembers its DH values (hpke_key_remember) seals and opens
 * the very messages a key without memory does: a party that sealed to R
 * opens what R sealed to it with the value it remembered (RFC 9180's
 * DH(skS, pkR) = DH(skR, pkS)); wrong keys still fail, and the memory is
 * one value per peer, not per message.
 */
static void
test_k_remember(void **state)
{
	struct parties p;
	struct hpke_key *kS, *kR, *kX;
	uint8_t skX[32], pkX[32], pt[MSG_LEN], sealed[SEALED_LEN];
	uint8_t back[SEALED_LEN];
	static const uint8_t zero[32];
	int i;

	(void)state;
	three_keys(&p, skX, pkX, &kS, &kR, &kX);
	assert_int_equal(hpke_key_remember(NULL, 4), SS_ERR_INVALID);
	assert_int_equal(hpke_key_remember(kS, 0), SS_ERR_INVALID);
	assert_int_equal(hpke_key_remember(kS, 4), SS_OK);
	assert_int_equal(hpke_key_remember(kS, 4), SS_OK);
	assert_int_equal(hpke_key_remember(kR, 1), SS_OK);
	for (i = 0; i < 3; i++) {
		/* S seals to R (remembering DH(skS, pkR)); R opens. */
		assert_int_equal(hpke_seal_auth_k(p.pkR, kS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), msg, MSG_LEN, sealed,
		    SEALED_LEN), SS_OK);
		assert_int_equal(raw_open_auth(p.skR, p.pkS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), sealed, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), sealed, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
		/* R seals back; S opens with the value it remembered. */
		assert_int_equal(raw_seal_auth(p.pkS, p.skR, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), msg, MSG_LEN, back,
		    SEALED_LEN), SS_OK);
		memset(pt, 0, sizeof(pt));
		assert_int_equal(hpke_open_auth_k(kS, p.pkR, tinfo,
		    sizeof(tinfo), taad, sizeof(taad), back, SEALED_LEN, pt,
		    MSG_LEN), SS_OK);
		assert_memory_equal(pt, msg, MSG_LEN);
	}
	/* The RFC's own message opens with a key that remembers. */
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), p.sealed, SEALED_LEN, pt, MSG_LEN), SS_OK);
	/* R remembers one peer: X, a second, is computed, not mistaken. */
	assert_int_equal(hpke_seal_auth_k(p.pkR, kX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), msg, MSG_LEN, sealed, SEALED_LEN), SS_OK);
	assert_int_equal(hpke_open_auth_k(kR, pkX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_OK);
	memset(pt, 0xa5, sizeof(pt));
	assert_int_equal(hpke_open_auth_k(kR, p.pkS, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	assert_true(all_zero(pt, MSG_LEN));
	/* S's memory of R does not open what X sealed to S as R. */
	assert_int_equal(hpke_seal_auth_k(p.pkS, kX, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), msg, MSG_LEN, sealed, SEALED_LEN), SS_OK);
	assert_int_equal(hpke_open_auth_k(kS, p.pkR, tinfo, sizeof(tinfo),
	    taad, sizeof(taad), sealed, SEALED_LEN, pt, MSG_LEN), SS_ERR_AUTH);
	/* Small-order points abort and are not remembered. */
	assert_int_equal(hpke_seal_auth_k(zero, kS, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN), SS_ERR_CRYPTO);
	assert_int_equal(hpke_seal_auth_k(zero, kS, tinfo, sizeof(tinfo),
	    NULL, 0, msg, MSG_LEN, sealed, SEALED_LEN), SS_ERR_CRYPTO);
	hpke_key_free(kS);
	hpke_key_free(kR);
	hpke_key_free(kX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9180_base),
		cmocka_unit_test(test_rfc9180_auth),
		cmocka_unit_test(test_flip_enc),
		cmocka_unit_test(test_flip_ct),
		cmocka_unit_test(test_flip_tag),
		cmocka_unit_test(test_wrong_keys_info_aad),
		cmocka_unit_test(test_mode_confusion),
		cmocka_unit_test(test_small_order_points),
		cmocka_unit_test(test_failed_open_keeps_seq),
		cmocka_unit_test(test_seq_limit),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fresh_ephemeral),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_k_remember),
		cmocka_unit_test(test_key_object),
		cmocka_unit_test(test_k_roundtrip_and_equivalence),
		cmocka_unit_test(test_seal_stream),
		cmocka_unit_test(test_k_wrong_keys),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
