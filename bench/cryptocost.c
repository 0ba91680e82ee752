/*
 * cryptocost.c: what a party's public-key operations cost through the
 * project's functions against the bare OpenSSL calls they wrap, in
 * microseconds per operation, so that the overhead above OpenSSL's own
 * arithmetic (docs/BENCHMARKS.md 6.7) is measured rather than inferred
 * from instruction counts. `openssl speed ecdsap256 ecdhx25519` gives the
 * floor below the "raw" rows (it calls the curve code without providers).
 *
 *   build/bench/cryptocost [iterations]     (default 1000)
 *
 * Each row is the best of 5 rounds of `iterations` operations: the
 * machine is shared, and the least disturbed round is the one to compare.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hpke.h"
#include "hpke_internal.h"
#include "statement.h"

#define ROUNDS 5
#define PARTIES 100

struct fixture {
	EVP_PKEY *ec;                   /* the signer's P-256 key */
	struct statement_signer sg;
	uint8_t d[PARAMS_DIGEST_LEN];
	uint8_t *body;                  /* a SUBMIT of PARTIES digests */
	size_t len;
	uint8_t sig[STATEMENT_SIG_MAX];
	size_t siglen;
	uint8_t hash[32];               /* SHA-256(body) */
	struct hpke_key *alice, *bob;
	EVP_PKEY *ec_x;                 /* an ephemeral X25519 key */
	uint8_t box[HPKE_KEY_LEN + 8 + HPKE_TAG_LEN];
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
die(const char *what)
{
	fprintf(stderr, "cryptocost: %s failed\n", what);
	exit(1);
}

typedef int (*op_fn)(struct fixture *f, EVP_PKEY_CTX *ctx);

/* Best of ROUNDS rounds of iters calls of op, in microseconds per call. */
static double
best_of(struct fixture *f, EVP_PKEY_CTX *ctx, op_fn op, int iters)
{
	double best = 0, t;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		t = now_us();
		for (i = 0; i < iters; i++)
			if (op(f, ctx) != 1)
				die("an operation");
		t = (now_us() - t) / iters;
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

/* ---- ECDSA ------------------------------------------------------------- */

static int
op_statement(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	(void)ctx;
	return statement_verify_signer(&f->sg, f->d, f->body, f->len, f->sig,
	    f->siglen, 0, NULL, NULL) == SS_OK;
}

/* The same without the signer's context: one set up per statement. */
static int
op_statement_bare(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	struct statement_signer bare = f->sg;

	(void)ctx;
	bare.verify = NULL;
	return statement_verify_signer(&bare, f->d, f->body, f->len, f->sig,
	    f->siglen, 0, NULL, NULL) == SS_OK;
}

/* What statement.c did up to this tool: DigestVerify in a fresh context. */
static int
op_digestverify(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	(void)ctx;
	ok = md != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, f->ec) == 1 &&
	    EVP_DigestVerify(md, f->sig, f->siglen, f->body, f->len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* The floor through EVP: one context, initialised once, a digest given. */
static int
op_raw_verify(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	return EVP_PKEY_verify(ctx, f->sig, f->siglen, f->hash, 32);
}

static int
op_sha256(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t h[32];

	(void)ctx;
	return statement_hash(f->body, f->len, h) == SS_OK;
}

/* ---- X25519 and HPKE --------------------------------------------------- */

static int
op_seal(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t pk[HPKE_KEY_LEN], pt[8] = { 1 };

	(void)ctx;
	hpke_key_public(f->bob, pk);
	return hpke_seal_auth_k(pk, f->alice, (const uint8_t *)"i", 1,
	    (const uint8_t *)"a", 1, pt, sizeof(pt), f->box,
	    sizeof(f->box)) == SS_OK;
}

static int
op_open(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t pk[HPKE_KEY_LEN], pt[8];

	(void)ctx;
	hpke_key_public(f->alice, pk);
	return hpke_open_auth_k(f->bob, pk, (const uint8_t *)"i", 1,
	    (const uint8_t *)"a", 1, f->box, sizeof(f->box), pt,
	    sizeof(pt)) == SS_OK;
}

/* The project's ephemeral key: a key-generation context each time. */
static int
op_generate(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	EVP_PKEY *k = NULL;
	uint8_t pk[HPKE_KEY_LEN];
	int ok;

	(void)f;
	(void)ctx;
	ok = hpke_pkey_generate(&k, pk) == SS_OK;
	EVP_PKEY_free(k);
	return ok;
}

/* The project's static DH(skS, pkR), not remembered. */
static int
op_static_dh(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t pk[HPKE_KEY_LEN], out[HPKE_KEY_LEN];

	(void)ctx;
	hpke_key_public(f->bob, pk);
	return hpke_x25519(f->alice, NULL, pk, out) == SS_OK;
}

/* The project's ephemeral DH(skE, pkR), the key object given. */
static int
op_eph_dh(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t pk[HPKE_KEY_LEN], out[HPKE_KEY_LEN];

	(void)ctx;
	hpke_key_public(f->bob, pk);
	return hpke_x25519(f->alice, f->ec_x, pk, out) == SS_OK;
}

/* One X25519 derivation in a context set up once. */
static int
op_raw_derive(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	uint8_t out[32];
	size_t len = sizeof(out);

	(void)f;
	return EVP_PKEY_derive(ctx, out, &len);
}

/* One X25519 key generation in a context set up once. */
static int
op_raw_keygen(struct fixture *f, EVP_PKEY_CTX *ctx)
{
	EVP_PKEY *k = NULL;
	int ok;

	(void)f;
	ok = EVP_PKEY_keygen(ctx, &k);
	EVP_PKEY_free(k);
	return ok;
}

static void
setup(struct fixture *f)
{
	struct statement s;
	uint8_t digests[PARTIES * STATEMENT_HASH_LEN];
	uint8_t sk[HPKE_KEY_LEN];

	memset(f, 0, sizeof(*f));
	memset(&s, 0, sizeof(s));
	if ((f->ec = EVP_EC_gen("P-256")) == NULL)
		die("EVP_EC_gen");
	/* A signer as statement_signer_of makes one, context included. */
	f->sg.key = f->ec;
	if ((f->sg.verify = EVP_PKEY_CTX_new_from_pkey(NULL, f->ec,
	    NULL)) == NULL || EVP_PKEY_verify_init(f->sg.verify) != 1)
		die("EVP_PKEY_verify_init");
	if (RAND_bytes(f->sg.digest, sizeof(f->sg.digest)) != 1 ||
	    RAND_bytes(f->d, sizeof(f->d)) != 1 ||
	    RAND_bytes(digests, sizeof(digests)) != 1)
		die("RAND_bytes");
	s.type = STATEMENT_SUBMIT;
	memcpy(s.d, f->d, sizeof(s.d));
	memcpy(s.signer, f->sg.digest, sizeof(s.signer));
	s.position = 1;
	s.n = PARTIES;
	s.digests = digests;
	if (statement_make(&s, f->ec, &f->body, &f->len, f->sig, &f->siglen,
	    NULL) != SS_OK || statement_hash(f->body, f->len, f->hash) != SS_OK)
		die("statement_make");
	if (hpke_keygen(sk, f->box) != SS_OK ||
	    hpke_key_new(sk, &f->alice) != SS_OK ||
	    hpke_keygen(sk, f->box) != SS_OK ||
	    hpke_key_new(sk, &f->bob) != SS_OK)
		die("hpke_key_new");
	if (hpke_pkey_generate(&f->ec_x, sk) != SS_OK)
		die("hpke_pkey_generate");
}

static void
row(const char *name, double us)
{
	printf("%-52s %8.1f us\n", name, us);
}

/* X25519 contexts set up once: a derivation with a peer, a key generation. */
static void
x25519_contexts(const struct fixture *f, EVP_PKEY_CTX **dctx,
    EVP_PKEY_CTX **gctx)
{
	EVP_PKEY *peer, *mine = NULL;

	if ((peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, f->box,
	    HPKE_KEY_LEN)) == NULL ||
	    (*gctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(*gctx) != 1 ||
	    EVP_PKEY_keygen(*gctx, &mine) != 1 ||
	    (*dctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) == NULL ||
	    EVP_PKEY_derive_init(*dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(*dctx, peer) != 1)
		die("X25519 contexts");
	EVP_PKEY_free(mine);
	EVP_PKEY_free(peer);
}

int
main(int argc, char **argv)
{
	struct fixture f;
	EVP_PKEY_CTX *vctx, *dctx, *gctx;
	int iters = argc > 1 ? atoi(argv[1]) : 1000;
	size_t i;

	if (iters < 1)
		iters = 1000;
	setup(&f);
	if ((vctx = EVP_PKEY_CTX_new_from_pkey(NULL, f.ec, NULL)) == NULL ||
	    EVP_PKEY_verify_init(vctx) != 1)
		die("EVP_PKEY_verify_init");
	x25519_contexts(&f, &dctx, &gctx);
	{
		const struct {
			const char *name;
			op_fn op;
			EVP_PKEY_CTX *ctx;      /* the "raw" rows' context */
		} rows[] = {
			{ "statement_verify_signer (SUBMIT)", op_statement, NULL },
			{ "  the same, signer without a context",
			    op_statement_bare, NULL },
			{ "  EVP_DigestVerifyInit + DigestVerify, fresh MD_CTX",
			    op_digestverify, NULL },
			{ "  SHA-256 of the body (statement_hash)", op_sha256,
			    NULL },
			{ "  raw: EVP_PKEY_verify, one ctx, digest given",
			    op_raw_verify, vctx },
			{ "hpke_seal_auth_k (3 X25519 + HKDF + GCM)", op_seal,
			    NULL },
			{ "hpke_open_auth_k (2 X25519 + HKDF + GCM)", op_open,
			    NULL },
			{ "  hpke_pkey_generate (ephemeral key)", op_generate,
			    NULL },
			{ "  hpke_x25519, static key (template copies)",
			    op_static_dh, NULL },
			{ "  hpke_x25519, ephemeral key (new context)",
			    op_eph_dh, NULL },
			{ "  raw: EVP_PKEY_derive, one ctx", op_raw_derive, dctx },
			{ "  raw: EVP_PKEY_keygen, one ctx", op_raw_keygen, gctx },
		};

		printf("%d operations a round, best of %d rounds; SUBMIT body "
		    "of n = %d, %zu bytes\n", iters, ROUNDS, PARTIES, f.len);
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			row(rows[i].name, best_of(&f, rows[i].ctx, rows[i].op,
			    iters));
	}
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_CTX_free(gctx);
	EVP_PKEY_CTX_free(f.sg.verify);
	EVP_PKEY_free(f.ec);
	EVP_PKEY_free(f.ec_x);
	free(f.body);
	hpke_key_free(f.alice);
	hpke_key_free(f.bob);
	return 0;
}
