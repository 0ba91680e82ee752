/*
 * test_client_peers.c: the parties' signing certificates (client/peers.c)
 * as a server relays them in GetKeys (a fake server, fake_server.h, with
 * certificates from the real scripts/mkcerts.sh): each is checked against
 * our CA before any statement is believed, and cached in this party's
 * records; one of another CA, or another party's passed off as a party's,
 * is refused; a party without one is left without, and its statements
 * cannot be verified; a statement verifies only as its own signer's, for
 * the pinned D.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "fake_server.h"
#include "peers.h"
#include "pstate.h"
#include "signed.h"
#include "statement.h"
#include "tempdir.h"
#include "wire.h"

static const uint8_t d1[32] = { 0xd1 }, d2[32] = { 0xd2 };
static char *dir;                       /* our records' folders */
static uint8_t *der[SIGNED_PARTIES], *impostor;
static size_t der_len[SIGNED_PARTIES], impostor_len;

/* A client of the five parties' PKI as alice, on server where. */
static void
start(struct client *c, const char *where, const char *state)
{
	memset(c, 0, sizeof(*c));
	c->server = where;
	c->certs = signed_certs_dir();
	c->party = "alice";
	c->timeout_s = 10;
	c->state = state;
	memcpy(c->d, d1, sizeof(d1));
	client_start(c);
}

/*
 * Fetches the certificates of want (a csv of parties) from keys[0..n), as
 * a new client c, or with state NULL as c again (another server, the same
 * process's memory).
 */
static int
fetch(const struct signed_key *keys, size_t n, const char *want_csv,
    const char *state, struct peers *pc, struct client *c, struct ss_error *e)
{
	static char where[64];          /* c->server, after the call too */
	unsigned char want[SIGNED_PARTIES] = { 0 };
	struct wire_names parties, w;
	size_t i;
	pid_t pid;
	int rc;

	fx_names(&parties, "alice,bob,carol,dave,erin");
	fx_names(&w, want_csv);
	for (i = 0; i < SIGNED_PARTIES; i++)
		want[i] = (unsigned char)wire_names_has(&w, parties.v[i]);
	if (state == NULL)
		conn_close(&c->conn);
	pid = signed_key_server(keys, n, where, sizeof(where));
	if (state != NULL)
		start(c, where, state);
	ss_error_clear(e);
	rc = peers_fetch(c, &parties, want, pc, e);
	stop_server(pid);
	free(parties.v);
	free(w.v);
	return rc;
}

/* 1 if sg is the signer of name's certificate: its key and digest. */
static int
is_signer(const struct statement_signer *sg, const char *name)
{
	uint8_t digest[STATEMENT_HASH_LEN];
	X509 *x = signed_cert(name);

	return sg->key != NULL && statement_cert_digest(x, digest) == SS_OK &&
	    memcmp(digest, sg->digest, sizeof(digest)) == 0 &&
	    EVP_PKEY_eq(sg->key, X509_get0_pubkey(x)) == 1;
}

/* bob's signing certificate, relayed as alice's. */
static struct signed_key
bobs_as_alices(void)
{
	struct signed_key k = { "alice", der[1], der_len[1] };

	return k;
}

/* How many entries c's certificate cache holds; all must be TLS ones. */
static size_t
cached_tls(struct client *c)
{
	const struct pstate_cert *cached;
	struct ss_error e;
	size_t n, i;

	assert_int_equal(pstate_cert_entries(c->pstate, &cached, &n, &e),
	    SS_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(cached[i].kind, PSTATE_CERT_TLS);
	return n;
}

static void
test_fetch_and_cache(void **state)
{
	const struct signed_key keys[] = {
		{ "bob", der[1], der_len[1] },
		{ "alice", der[0], der_len[0] },
		{ "carol", NULL, 0 },           /* published no signing cert */
		{ "dave", der[3], der_len[3] }, /* not asked for */
		{ "mallory", der[4], der_len[4] },
	};
	char st[PATH_MAX];
	struct peers pc;
	struct client c;
	struct ss_error e;

	(void)state;
	path_of(st, sizeof(st), dir, "alice-1");
	assert_int_equal(fetch(keys, 5, "alice,bob,carol", st, &pc, &c, &e),
	    SS_OK);
	assert_int_equal(pc.n, SIGNED_PARTIES);
	assert_true(is_signer(&pc.sg[0], "alice"));
	assert_true(is_signer(&pc.sg[1], "bob"));
	assert_false(is_signer(&pc.sg[1], "alice"));
	assert_null(pc.sg[2].key);
	assert_null(pc.sg[3].key);
	/* Both checked certificates are cached, as TLS certificates. */
	assert_int_equal(cached_tls(&c), 2);
	peers_free(&pc);
	client_free(&c);
	/* Again, from the cache: the same certificates. */
	assert_int_equal(fetch(keys, 5, "alice,bob", st, &pc, &c, &e), SS_OK);
	assert_true(is_signer(&pc.sg[1], "bob"));
	assert_int_equal(cached_tls(&c), 2);
	peers_free(&pc);
	client_free(&c);
}

/*
 * A second fetch in one process finds what the first checked in memory:
 * nothing new is checked nor noted for the cache, and a certificate
 * checked as bob's is still refused as alice's.
 */
static void
test_in_process(void **state)
{
	const struct signed_key keys[] = {
		{ "alice", der[0], der_len[0] },
		{ "bob", der[1], der_len[1] },
	};
	const struct signed_key passed_off = bobs_as_alices();
	char st[PATH_MAX];
	struct peers pc;
	struct client c;
	struct ss_error e;

	(void)state;
	path_of(st, sizeof(st), dir, "alice-4");
	assert_int_equal(fetch(keys, 2, "bob", st, &pc, &c, &e), SS_OK);
	assert_int_equal(c.nsigners, 1);
	peers_free(&pc);
	assert_int_equal(fetch(keys, 2, "alice,bob", NULL, &pc, &c, &e),
	    SS_OK);
	assert_true(is_signer(&pc.sg[0], "alice"));
	assert_true(is_signer(&pc.sg[1], "bob"));
	assert_int_equal(c.nsigners, 2);
	assert_int_equal(c.nsorted, 2);
	peers_free(&pc);
	/* bob's from memory, alice's checked now: both in the cache. */
	assert_int_equal(cached_tls(&c), 2);
	fx_expect(fetch(&passed_off, 1, "alice", NULL, &pc, &c, &e), &e,
	    SS_ERR_CERT, "the server's signing certificate for alice is "
	    "bob's");
	assert_null(pc.sg);
	client_free(&c);
	assert_null(c.signers);
	assert_int_equal(c.nsigners, 0);
}

static void
test_refused(void **state)
{
	const struct signed_key other_ca[] = {
		{ "alice", impostor, impostor_len },
	};
	const struct signed_key passed_off = bobs_as_alices();
	char st[PATH_MAX];
	struct peers pc;
	struct client c;
	struct ss_error e;

	(void)state;
	path_of(st, sizeof(st), dir, "alice-2");
	fx_expect(fetch(other_ca, 1, "alice", st, &pc, &c, &e), &e,
	    SS_ERR_CERT, "the server's signing certificate for alice: signer "
	    "alice: certificate does not verify against the CA");
	assert_null(pc.sg);
	client_free(&c);
	fx_expect(fetch(&passed_off, 1, "alice", st, &pc, &c, &e), &e,
	    SS_ERR_CERT, "not alice's");
	client_free(&c);
	/* bob's, cached as bob's, then relayed as alice's: still refused. */
	path_of(st, sizeof(st), dir, "alice-3");
	{
		const struct signed_key good[] = { { "bob", der[1], der_len[1] } };

		assert_int_equal(fetch(good, 1, "bob", st, &pc, &c, &e), SS_OK);
		peers_free(&pc);
		client_free(&c);
	}
	fx_expect(fetch(&passed_off, 1, "alice", st, &pc, &c, &e), &e,
	    SS_ERR_CERT, "alice");
	client_free(&c);
}

/*
 * The scene of the statement checks: the five parties, a client for D d1
 * with nothing verified, alice's and bob's signers, and s a COHORT of the
 * first three (bitmap) whose submits digest the caller fills.
 */
static void
verify_scene(struct wire_names *parties, struct client *c, struct peers *pc,
    struct statement *s, uint8_t *bitmap)
{
	fx_names(parties, "alice,bob,carol,dave,erin");
	memset(c, 0, sizeof(*c));
	memcpy(c->d, d1, sizeof(d1));
	pc->n = SIGNED_PARTIES;
	pc->sg = signed_signers(2);
	memset(s, 0, sizeof(*s));
	s->type = STATEMENT_COHORT;
	s->n = SIGNED_PARTIES;
	s->cohort = bitmap;
}

/* Statements checked against pc: their own signer's, for D. */
static void
test_verify(void **state)
{
	struct wire_names parties;
	struct wire_stmt ws, none;
	struct statement s, got;
	struct peers pc;
	struct client c;
	struct ss_error e;
	uint8_t bitmap[1] = { 0x07 };

	(void)state;
	verify_scene(&parties, &c, &pc, &s, bitmap);
	s.submits[0] = 1;
	signed_make("bob", d1, &s, &ws);
	assert_int_equal(peers_verify(&c, &pc, &parties, 2, &ws, &got, &e),
	    SS_OK);
	assert_int_equal(got.type, STATEMENT_COHORT);
	fx_expect(peers_verify(&c, &pc, &parties, 1, &ws, &got, &e), &e,
	    SS_ERR_AUTH, "alice's statement: COHORT statement names another "
	    "signer");
	fx_expect(peers_verify(&c, &pc, &parties, 3, &ws, &got, &e), &e,
	    SS_ERR_AUTH, "no signing certificate of carol is known");
	fx_expect(peers_verify(&c, &pc, &parties, 6, &ws, &got, &e), &e,
	    SS_ERR_PROTOCOL, "position 6, outside the session");
	memset(&none, 0, sizeof(none));
	fx_expect(peers_verify(&c, &pc, &parties, 2, &none, &got, &e), &e,
	    SS_ERR_AUTH, "bob's statement is missing");
	memcpy(c.d, d2, sizeof(d2));
	/* Verified before, yet checked again for this D. */
	fx_expect(peers_verify(&c, &pc, &parties, 2, &ws, &got, &e), &e,
	    SS_ERR_AUTH, "for another session digest");
	free(ws.body);
	free(ws.sig);
	peers_free(&pc);
	free(parties.v);
	free(c.verified);
}

/*
 * A statement verified once in a process is found again (its ECDSA check
 * not repeated) for the same bytes and signer only: a changed signature is
 * verified, and refused; the set grows past its first size.
 */
static void
test_verify_again(void **state)
{
	enum { M = 130 };               /* past the first table's half, 128 */
	static struct wire_stmt ws[M];
	struct wire_names parties;
	struct wire_stmt bad;
	struct statement s;
	struct peers pc;
	struct client c;
	struct ss_error e;
	uint8_t bitmap[1] = { 0x07 };
	size_t i;

	(void)state;
	verify_scene(&parties, &c, &pc, &s, bitmap);
	for (i = 0; i < M; i++) {
		s.submits[0] = (uint8_t)i;
		s.submits[1] = (uint8_t)(i >> 8);
		signed_make("bob", d1, &s, &ws[i]);
		assert_int_equal(peers_verify(&c, &pc, &parties, 2, &ws[i], NULL,
		    &e), SS_OK);
	}
	assert_int_equal(c.nverified, M);
	assert_int_equal(c.capverified, 512);
	for (i = 0; i < M; i++)
		assert_int_equal(peers_verify(&c, &pc, &parties, 2, &ws[i], NULL,
		    &e), SS_OK);
	assert_int_equal(c.nverified, M);
	/* The same body with another signature: verified, and refused. */
	bad = ws[0];
	assert_non_null(bad.sig = malloc(bad.sig_len));
	memcpy(bad.sig, ws[0].sig, bad.sig_len);
	bad.sig[bad.sig_len - 1] ^= 1;
	fx_expect(peers_verify(&c, &pc, &parties, 2, &bad, NULL, &e), &e,
	    SS_ERR_AUTH, "signature does not verify");
	free(bad.sig);
	/* bob's statement as alice's: refused, verified before or not. */
	fx_expect(peers_verify(&c, &pc, &parties, 1, &ws[0], NULL, &e), &e,
	    SS_ERR_AUTH, "names another signer");
	assert_int_equal(c.nverified, M);
	for (i = 0; i < M; i++) {
		free(ws[i].body);
		free(ws[i].sig);
	}
	peers_free(&pc);
	free(parties.v);
	free(c.verified);
}

/* The DER of the other CA's alice (certs.h's impostor). */
static uint8_t *
impostor_der(size_t *len)
{
	char path[PATH_MAX];
	unsigned char *p = NULL;
	uint8_t *out;
	X509 *x;
	FILE *f;
	int n;

	path_of(path, sizeof(path), other_certs_dir(), "alice.crt");
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_true((n = i2d_X509(x, &p)) > 0);
	assert_non_null(out = malloc((size_t)n));
	memcpy(out, p, (size_t)n);
	OPENSSL_free(p);
	X509_free(x);
	*len = (size_t)n;
	return out;
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	if (signed_certs_dir() == NULL || other_certs_dir() == NULL)
		return -1;
	for (i = 0; i < SIGNED_PARTIES; i++)
		der[i] = signed_cert_der(signed_names[i], &der_len[i]);
	impostor = impostor_der(&impostor_len);
	dir = tempdir();
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < SIGNED_PARTIES; i++)
		free(der[i]);
	free(impostor);
	rmdir_all(dir);
	return signed_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_and_cache),
		cmocka_unit_test(test_in_process),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_verify_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
