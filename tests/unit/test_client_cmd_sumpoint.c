/*
 * test_client_cmd_sumpoint.c: the check of the shares the server hands a
 * party (client/cmd_sumpoint.c) before it signs the cohort or opens any:
 * exactly one from every member of the cohort, each of the session's
 * ciphertext length, each with its dealer's SUBMIT, signed by that dealer
 * (keys from the real scripts/mkcerts.sh) under the pinned D, and naming
 * the digest of the very ciphertext received; then the submits digest of
 * the cohort over those SUBMITs in position order. A share from outside
 * the cohort, a second from one dealer, a missing or short one, a swapped
 * ciphertext, a SUBMIT of another dealer, session or position, or one
 * without its signature is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "cohort.h"
#include "err.h"
#include "peers.h"
#include "sealed.h"
#include "signed.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

#define N SIGNED_PARTIES
#define SELF 2                          /* we are bob */

static const uint8_t d1[32] = { 0xd1 }, d2[32] = { 0xd2 };

/* The session, its certificates, a cohort and the shares of its members. */
struct scene {
	struct client c;
	struct wire_response st, gs;
	struct peers pc;
	struct cohort co;
	const char *senders[N];
};

/*
 * Dealer `who`'s share to us (position SELF), of clen bytes of `fill`,
 * with the SUBMIT `signer` signed under d for position pos: the digest of
 * our ciphertext at our position, of other bytes elsewhere.
 */
static void
deal(struct scene *sc, const char *who, const char *signer, uint32_t pos,
    const uint8_t *d, size_t clen, int fill)
{
	uint8_t digests[N * STATEMENT_HASH_LEN];
	struct wire_incoming *in;
	struct statement s;
	struct wire_response *gs = &sc->gs;

	gs->shares = realloc(gs->shares, (gs->nshares + 1) * sizeof(*in));
	assert_non_null(gs->shares);
	in = &gs->shares[gs->nshares++];
	gs->shares_cap = gs->nshares;
	memset(in, 0, sizeof(*in));
	snprintf(in->sender, sizeof(in->sender), "%s", who);
	assert_non_null(in->ct = malloc(clen));
	memset(in->ct, fill, clen);
	in->ct_len = clen;
	memset(digests, 0x77, sizeof(digests));
	assert_int_equal(statement_hash(in->ct, clen,
	    digests + (SELF - 1) * STATEMENT_HASH_LEN), SS_OK);
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUBMIT;
	s.position = pos;
	s.n = N;
	s.digests = digests;
	signed_make(signer, d, &s, &in->submit);
}

/* Every member of csv deals its share, honestly. */
static void
scene(struct scene *sc, const char *members)
{
	struct ss_error e;

	memset(sc, 0, sizeof(*sc));
	sc->c.party = "bob";
	client_start(&sc->c);
	memcpy(sc->c.d, d1, sizeof(d1));
	fx_status(&sc->st, "s1", "alice,bob,carol,dave,erin", 1, 2,
	    PHASE_AGGREGATING);
	fx_set(&sc->st.cohort, members);
	assert_int_equal(cohort_of(&sc->st.params.parties, &sc->st.cohort,
	    &sc->co, &e), SS_OK);
	sc->pc.n = N;
	sc->pc.sg = signed_signers(N);
}

static void
scene_free(struct scene *sc)
{
	wire_response_free(&sc->st);
	wire_response_free(&sc->gs);
	peers_free(&sc->pc);
	client_free(&sc->c);
}

static int
check(struct scene *sc, struct ss_error *e)
{
	ss_error_clear(e);
	return cmd_sumpoint_check_shares(&sc->c, &sc->st.params, &sc->pc,
	    SELF, &sc->co, &sc->gs, sc->senders, e);
}

static void
test_good(void **state)
{
	const size_t clen = sealed_len(2);
	uint8_t want[32];
	const uint8_t *bodies[3];
	size_t lens[3];
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, "alice,carol,dave");
	/* In any order: the submits digest is over position order. */
	deal(&sc, "dave", "dave", 4, d1, clen, 4);
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	assert_int_equal(check(&sc, &e), SS_OK);
	assert_string_equal(sc.senders[0], "dave");
	assert_string_equal(sc.senders[2], "carol");
	assert_true(sc.co.have_submits);
	bodies[0] = sc.gs.shares[1].submit.body;
	lens[0] = sc.gs.shares[1].submit.body_len;
	bodies[1] = sc.gs.shares[2].submit.body;
	lens[1] = sc.gs.shares[2].submit.body_len;
	bodies[2] = sc.gs.shares[0].submit.body;
	lens[2] = sc.gs.shares[0].submit.body_len;
	assert_int_equal(statement_submits_digest(bodies, lens, 3, want),
	    SS_OK);
	assert_memory_equal(sc.co.submits, want, 32);
	scene_free(&sc);
}

/* The shares the server sends: one per member, of the right size. */
static void
test_shares(void **state)
{
	const size_t clen = sealed_len(2);
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, "alice,carol,dave");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "the server sent 2 "
	    "shares for a cohort of 3");
	/* bob is a party, but not of the cohort. */
	deal(&sc, "bob", "bob", 2, d1, clen, 2);
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "a share from outside "
	    "the cohort");
	assert_false(sc.co.have_submits);
	scene_free(&sc);
	scene(&sc, "alice,carol,dave");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "two shares from carol");
	scene_free(&sc);
	scene(&sc, "alice,carol,dave");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen - 1, 3);
	deal(&sc, "dave", "dave", 4, d1, clen, 4);
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "the share from carol "
	    "has");
	scene_free(&sc);
}

/* The SUBMIT with each share: the dealer's own, for this very ciphertext. */
static void
test_submits(void **state)
{
	const size_t clen = sealed_len(2);
	struct scene sc;
	struct ss_error e;

	(void)state;
	/* A ciphertext swapped for another of the same size. */
	scene(&sc, "alice,carol");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	sc.gs.shares[1].ct[0] ^= 1;
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "the share from carol is "
	    "not the ciphertext its SUBMIT names for bob");
	scene_free(&sc);
	/* Another session digest: another session, or another instance. */
	scene(&sc, "alice,carol");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d2, clen, 3);
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "carol's statement: SUBMIT "
	    "statement is for another session digest");
	scene_free(&sc);
	/* alice's SUBMIT passed off as carol's; carol's for another position. */
	scene(&sc, "alice,carol");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "alice", 3, d1, clen, 3);
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "names another signer");
	scene_free(&sc);
	scene(&sc, "alice,carol");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 5, d1, clen, 3);
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "carol's SUBMIT is not its "
	    "submission to this session (a SUBMIT, position 5");
	scene_free(&sc);
	/* No signature, or none at all. */
	scene(&sc, "alice,carol");
	deal(&sc, "alice", "alice", 1, d1, clen, 1);
	deal(&sc, "carol", "carol", 3, d1, clen, 3);
	sc.gs.shares[1].submit.sig_len = 0;
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "does not verify");
	free(sc.gs.shares[1].submit.body);
	sc.gs.shares[1].submit.body = NULL;
	sc.gs.shares[1].submit.body_len = 0;
	fx_expect(check(&sc, &e), &e, SS_ERR_AUTH, "carol's statement is "
	    "missing");
	scene_free(&sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_submits),
	};

	return cmocka_run_group_tests(tests, signed_setup, signed_teardown);
}
