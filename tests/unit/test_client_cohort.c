/*
 * test_client_cohort.c: the consistency round's checks (client/cohort.c)
 * with statements signed by keys from the real scripts/mkcerts.sh: the
 * cohort C from the server's names (a stranger or a name twice refused);
 * the rules a party checks C against (min_cohort, a C smaller than n only
 * after the deadline on our clock, which waits out a deadline a moment
 * ahead; ourselves in C exactly when we shared);
 * the cohort digest a SUMPOINT names; and unanimity: every member's COHORT
 * verified and the same, a missing one waited for and named, one of
 * another cohort, over other SUBMITs, under another D or signed by another
 * key refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "cohort.h"
#include "err.h"
#include "peers.h"
#include "signed.h"
#include "statement.h"
#include "wire.h"

static const uint8_t d1[32] = { 0xd1, 1 }, d2[32] = { 0xd2, 2 };
static const uint8_t submits[32] = { 0x5b, 0x17 };

/* The parameters of a session of the five parties, t = 1. */
static void
params(struct wire_params *p, unsigned min_cohort, uint64_t deadline)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->session_id, sizeof(p->session_id), "s1");
	fx_names(&p->parties, "alice,bob,carol,dave,erin");
	p->threshold = 1;
	p->length = 1;
	p->min_cohort = min_cohort;
	p->deadline_unix = deadline;
}

/* C of the names in csv. */
static void
cohort(const struct wire_params *p, const char *csv, struct cohort *co)
{
	struct wire_names l;
	struct ss_error e;

	fx_names(&l, csv);
	assert_int_equal(cohort_of(&p->parties, &l, co, &e), SS_OK);
	free(l.v);
}

static void
test_of(void **state)
{
	struct wire_params p;
	struct wire_names l;
	struct cohort co;
	struct ss_error e;

	(void)state;
	params(&p, 3, 0);
	cohort(&p, "erin,alice,carol", &co);
	assert_int_equal(co.n, 5);
	assert_int_equal(co.size, 3);
	assert_int_equal(co.bitmap[0], 0x15);
	assert_true(cohort_has(&co, 5) && !cohort_has(&co, 2));
	assert_false(cohort_has(&co, 6));
	fx_names(&l, "alice,mallory");
	fx_expect(cohort_of(&p.parties, &l, &co, &e), &e, SS_ERR_PROTOCOL,
	    "outside the session");
	free(l.v);
	fx_names(&l, "alice,bob,alice");
	fx_expect(cohort_of(&p.parties, &l, &co, &e), &e, SS_ERR_PROTOCOL,
	    "names alice twice");
	free(l.v);
	free(p.parties.v);
}

static void
test_rules(void **state)
{
	const uint64_t now = 1800000000;
	struct wire_params p;
	struct cohort co;
	struct ss_error e;

	(void)state;
	params(&p, 3, 0);
	cohort(&p, "alice,bob,carol,dave,erin", &co);
	assert_int_equal(cohort_rules(&p, &co, 1, 1, now, "s1", &e), SS_OK);
	/* Smaller than min_cohort, whatever the deadline. */
	free(p.parties.v);
	params(&p, 3, now - 10);
	cohort(&p, "alice,bob", &co);
	fx_expect(cohort_rules(&p, &co, 1, 1, now, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "2 members, fewer than its min_cohort 3");
	/* Smaller than n: only once the deadline passed on our clock. */
	cohort(&p, "alice,bob,carol", &co);
	assert_int_equal(cohort_rules(&p, &co, 1, 1, now, "s1", &e), SS_OK);
	assert_int_equal(cohort_rules(&p, &co, 1, 1, now - 10, "s1", &e),
	    SS_OK);
	fx_expect(cohort_rules(&p, &co, 1, 1, now - 11, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "3 of 5 parties before its deadline (not reached");
	p.deadline_unix = 0;
	fx_expect(cohort_rules(&p, &co, 1, 1, now, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "(it has none on this party's clock)");
	p.deadline_unix = now;
	/* Ourselves in C exactly when we shared; 0: a reader, not checked. */
	fx_expect(cohort_rules(&p, &co, 2, 0, now, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "holds this party, which shared no input");
	fx_expect(cohort_rules(&p, &co, 4, 1, now, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "leaves out this party, whose input it recorded");
	assert_int_equal(cohort_rules(&p, &co, 4, 0, now, "s1", &e), SS_OK);
	assert_int_equal(cohort_rules(&p, &co, 0, 0, now, "s1", &e), SS_OK);
	free(p.parties.v);
}

/* The current Unix time in milliseconds. */
static uint64_t
ms_now(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Our clock waits out a deadline at most COHORT_CLOCK_SLACK seconds ahead,
 * only for a cohort short of n; a later one is judged at once (refused). */
static void
test_now(void **state)
{
	struct wire_params p;
	struct cohort co;
	struct ss_error e;
	uint64_t t0 = ms_now(), due = t0 / 1000 + 1, got;

	(void)state;
	params(&p, 3, due);
	cohort(&p, "alice,bob,carol", &co);
	got = cohort_now(&p, &co);
	assert_true(got >= due && ms_now() >= due * 1000);
	assert_int_equal(cohort_rules(&p, &co, 1, 1, got, "s1", &e), SS_OK);
	t0 = ms_now();
	p.deadline_unix = t0 / 1000 + COHORT_CLOCK_SLACK + 2;
	got = cohort_now(&p, &co);
	assert_true(ms_now() - t0 < 500 && got < p.deadline_unix);
	fx_expect(cohort_rules(&p, &co, 1, 1, got, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "before its deadline (not reached yet");
	free(p.parties.v);
	/* The whole of n: no deadline to wait for. */
	params(&p, 3, ms_now() / 1000 + 1);
	cohort(&p, "alice,bob,carol,dave,erin", &co);
	t0 = ms_now();
	(void)cohort_now(&p, &co);
	assert_true(ms_now() - t0 < 500);
	free(p.parties.v);
}

static void
test_digest(void **state)
{
	uint8_t a[32], b[32];
	struct wire_params p;
	struct cohort co;
	struct statement s;

	(void)state;
	params(&p, 3, 0);
	cohort(&p, "alice,bob,carol", &co);
	/* Without its submits digest, C names no SUMPOINT's cohort. */
	assert_int_equal(cohort_digest(&co, d1, a), SS_ERR_INVALID);
	memcpy(co.submits, submits, sizeof(submits));
	co.have_submits = 1;
	assert_int_equal(cohort_digest(&co, d1, a), SS_OK);
	cohort_statement(&co, &s);
	assert_int_equal(s.type, STATEMENT_COHORT);
	memcpy(s.d, d1, sizeof(s.d));
	assert_int_equal(statement_cohort_digest(&s, b), SS_OK);
	assert_memory_equal(a, b, 32);
	/* Another D, other SUBMITs: another cohort digest. */
	assert_int_equal(cohort_digest(&co, d2, b), SS_OK);
	assert_memory_not_equal(a, b, 32);
	co.submits[0] ^= 1;
	assert_int_equal(cohort_digest(&co, d1, b), SS_OK);
	assert_memory_not_equal(a, b, 32);
	free(p.parties.v);
}

/* Everything a unanimity check needs. */
struct scene {
	struct client c;
	struct wire_params p;
	struct peers pc;
	struct cohort co;
	struct wire_signed list[8];
	size_t n;
};

static void
scene(struct scene *sc, const char *members)
{
	memset(sc, 0, sizeof(*sc));
	sc->c.party = "alice";
	client_start(&sc->c);
	memcpy(sc->c.d, d1, sizeof(d1));
	params(&sc->p, 3, 0);
	cohort(&sc->p, members, &sc->co);
	sc->pc.n = SIGNED_PARTIES;
	sc->pc.sg = signed_signers(SIGNED_PARTIES);
}

/* Appends who's COHORT for C (cohort co), relayed as relayed_as's. */
static void
sign(struct scene *sc, const char *who, const char *relayed_as,
    const struct cohort *co, const uint8_t *sub, const uint8_t *d)
{
	struct wire_signed *ws = &sc->list[sc->n++];
	struct statement s;
	struct cohort c = *co;

	memcpy(c.submits, sub, sizeof(c.submits));
	cohort_statement(&c, &s);
	snprintf(ws->party, sizeof(ws->party), "%s", relayed_as);
	signed_make(who, d, &s, &ws->stmt);
}

static void
scene_free(struct scene *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->list[i].stmt.body);
		free(sc->list[i].stmt.sig);
	}
	peers_free(&sc->pc);
	free(sc->p.parties.v);
	client_free(&sc->c);
}

static int
unanimous(struct scene *sc, struct ss_error *e)
{
	ss_error_clear(e);
	return cohort_unanimous(&sc->c, &sc->pc, &sc->p, &sc->co, sc->list,
	    sc->n, e);
}

static void
test_unanimous(void **state)
{
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, "alice,carol,erin");
	sign(&sc, "carol", "carol", &sc.co, submits, d1);
	/* A non-member's signature does not count, nor one twice. */
	sign(&sc, "bob", "bob", &sc.co, submits, d1);
	sign(&sc, "carol", "carol", &sc.co, submits, d1);
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_NOT_FOUND,
	    "waiting for the COHORT signatures of: alice, erin");
	/* The first member's submits digest was adopted. */
	assert_true(sc.co.have_submits);
	assert_memory_equal(sc.co.submits, submits, 32);
	sign(&sc, "erin", "erin", &sc.co, submits, d1);
	sign(&sc, "alice", "alice", &sc.co, submits, d1);
	assert_int_equal(unanimous(&sc, &e), SS_OK);
	scene_free(&sc);
}

static void
test_not_unanimous(void **state)
{
	static const uint8_t other[32] = { 0x5b, 0x18 };
	struct scene sc;
	struct cohort bigger;
	struct ss_error e;

	(void)state;
	/* Over other SUBMITs: a dealer signed two, or the server showed two. */
	scene(&sc, "alice,carol,erin");
	sign(&sc, "alice", "alice", &sc.co, submits, d1);
	sign(&sc, "carol", "carol", &sc.co, other, d1);
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_INCONSISTENT,
	    "carol signed the cohort over other SUBMITs");
	scene_free(&sc);
	/* Another cohort. */
	scene(&sc, "alice,carol,erin");
	cohort(&sc.p, "alice,bob,carol,erin", &bigger);
	sign(&sc, "carol", "carol", &bigger, submits, d1);
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_INCONSISTENT,
	    "carol signed another cohort than the one the server fixed");
	scene_free(&sc);
	/* Another session digest; another party's statement as carol's. */
	scene(&sc, "alice,carol,erin");
	sign(&sc, "carol", "carol", &sc.co, submits, d2);
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_AUTH,
	    "carol's statement: COHORT statement is for another session");
	scene_free(&sc);
	scene(&sc, "alice,carol,erin");
	sign(&sc, "erin", "carol", &sc.co, submits, d1);
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_AUTH, "names another signer");
	scene_free(&sc);
	/* A signature broken in transit. */
	scene(&sc, "alice,carol,erin");
	sign(&sc, "carol", "carol", &sc.co, submits, d1);
	sc.list[0].stmt.sig[sc.list[0].stmt.sig_len - 1] ^= 1;
	fx_expect(unanimous(&sc, &e), &e, SS_ERR_AUTH, "does not verify");
	scene_free(&sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_unanimous),
		cmocka_unit_test(test_not_unanimous),
	};

	return cmocka_run_group_tests(tests, signed_setup, signed_teardown);
}
