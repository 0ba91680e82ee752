/*
 * test_client_listing.c: what a reader takes from ListSumpoints
 * (client/listing.c), with statements signed by keys from the real
 * scripts/mkcerts.sh and the signing certificates relayed by a fake
 * server: the sumpoints signed on the cohort every member signed, one per
 * position; a sumpoint whose values, position or cohort are not the ones
 * its poster signed is left out and named; a listing under other
 * parameters, with another cohort than the status's, a cohort smaller than
 * min_cohort, or a member's COHORT missing gives no points at all.
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

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "cohort.h"
#include "err.h"
#include "fake_server.h"
#include "listing.h"
#include "pin.h"
#include "signed.h"
#include "statement.h"
#include "status.h"
#include "tempdir.h"
#include "wire.h"

#define L 2
static char *dir, where[64];
static pid_t keyserver;
static uint8_t *der[SIGNED_PARTIES];
static size_t der_len[SIGNED_PARTIES];
static const uint8_t submits[32] = { 0x5b };

/* The session s1 of the five parties, t = 1, as a status and a listing. */
struct scene {
	struct client c;
	struct wire_response st, ls;
	struct cohort co;
	uint8_t cohort_digest[32];
	struct listing l;
};

/* The parameters of s1: a deadline long passed, so C may be small. */
static void
params(struct wire_response *r, unsigned min_cohort)
{
	size_t i;

	fx_status(r, "s1", "alice,bob,carol,dave,erin", 1, L, PHASE_COMPLETE);
	r->params.min_cohort = min_cohort;
	r->params.deadline_unix = 1;
	for (i = 0; i < 16; i++)
		r->params.nonce[i] = (uint8_t)(0x40 + i);
	r->params.nonce_len = 16;
	fx_set(&r->cohort, "alice,carol,erin");
}

/* Appends who's COHORT on co (with submits sub) to ls, relayed as as. */
static void
add_cohort(struct scene *sc, const char *who, const uint8_t *sub)
{
	struct wire_response *ls = &sc->ls;
	struct wire_signed *w;
	struct statement s;
	struct cohort co = sc->co;

	memcpy(co.submits, sub, sizeof(co.submits));
	ls->signed_ = realloc(ls->signed_, (ls->nsigned + 1) * sizeof(*w));
	assert_non_null(ls->signed_);
	w = &ls->signed_[ls->nsigned++];
	ls->signed_cap = ls->nsigned;
	memset(w, 0, sizeof(*w));
	snprintf(w->party, sizeof(w->party), "%s", who);
	cohort_statement(&co, &s);
	signed_make(who, sc->c.d, &s, &w->stmt);
}

/* Appends who's sumpoint (position pos, values base, base + 1), signed. */
static struct wire_sumpoint *
add_point(struct scene *sc, const char *who, uint32_t pos, uint64_t base)
{
	struct wire_response *ls = &sc->ls;
	struct wire_sumpoint *sp;
	struct statement s;

	ls->sumpoints = realloc(ls->sumpoints, (ls->nsumpoints + 1) *
	    sizeof(*sp));
	assert_non_null(ls->sumpoints);
	sp = &ls->sumpoints[ls->nsumpoints++];
	ls->sumpoints_cap = ls->nsumpoints;
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->party, sizeof(sp->party), "%s", who);
	sp->x = pos;
	assert_non_null(sp->values.v = calloc(L, sizeof(uint64_t)));
	sp->values.v[0] = base;
	sp->values.v[1] = base + 1;
	sp->values.n = sp->values.cap = L;
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUMPOINT;
	s.position = pos;
	s.length = L;
	memcpy(s.cohort_digest, sc->cohort_digest, 32);
	assert_int_equal(statement_values_digest(sp->values.v, L,
	    s.values_digest), SS_OK);
	signed_make(who, sc->c.d, &s, &sp->stmt);
	return sp;
}

/*
 * The scene: every member of {alice, carol, erin} signed; alice, bob (no
 * member, who posts all the same) and erin posted.
 */
static void
scene(struct scene *sc, unsigned min_cohort)
{
	static char state[PATH_MAX];
	static int k;
	char sub[32];
	struct ss_error e;

	memset(sc, 0, sizeof(*sc));
	snprintf(sub, sizeof(sub), "state-%d", k++);
	path_of(state, sizeof(state), dir, sub);
	sc->c.server = where;
	sc->c.certs = signed_certs_dir();
	sc->c.party = "bob";
	sc->c.timeout_s = 10;
	sc->c.state = state;
	client_start(&sc->c);
	params(&sc->st, min_cohort);
	params(&sc->ls, min_cohort);
	assert_int_equal(pin_digest(&sc->st.params, sc->c.d, &e), SS_OK);
	assert_int_equal(cohort_of(&sc->st.params.parties, &sc->st.cohort,
	    &sc->co, &e), SS_OK);
	memcpy(sc->co.submits, submits, 32);
	sc->co.have_submits = 1;
	assert_int_equal(cohort_digest(&sc->co, sc->c.d, sc->cohort_digest),
	    SS_OK);
	add_cohort(sc, "alice", submits);
	add_cohort(sc, "carol", submits);
	add_cohort(sc, "erin", submits);
	add_point(sc, "alice", 1, 100);
	add_point(sc, "bob", 2, 200);
	add_point(sc, "erin", 5, 500);
}

static int
check(struct scene *sc, struct ss_error *e)
{
	listing_free(&sc->l);
	ss_error_clear(e);
	return listing_check(&sc->c, &sc->st, &sc->ls, &sc->l, e);
}

static void
scene_free(struct scene *sc)
{
	listing_free(&sc->l);
	wire_response_free(&sc->st);
	wire_response_free(&sc->ls);
	client_free(&sc->c);
}

static void
test_taken(void **state)
{
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, 3);
	assert_int_equal(check(&sc, &e), SS_OK);
	assert_int_equal(sc.l.m, 3);
	assert_int_equal(sc.l.nignored, 0);
	assert_int_equal(sc.l.pts[1].position, 2);
	assert_int_equal(sc.l.pts[1].values[0], 200);
	assert_memory_equal(sc.l.cohort_digest, sc.cohort_digest, 32);
	assert_true(cohort_has(&sc.l.co, 5) && !cohort_has(&sc.l.co, 2));
	scene_free(&sc);
}

static void
test_ignored(void **state)
{
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, 3);
	/* Values other than the ones signed; another x; another cohort. */
	sc.ls.sumpoints[1].values.v[1] ^= 1;
	sc.ls.sumpoints[0].x = 4;
	sc.cohort_digest[0] ^= 1;
	(void)add_point(&sc, "dave", 4, 400);
	assert_int_equal(check(&sc, &e), SS_OK);
	assert_int_equal(sc.l.m, 1);
	assert_int_equal(sc.l.pts[0].position, 5);
	assert_int_equal(sc.l.nignored, 3);
	assert_int_equal(sc.l.ignored[0], 1);
	assert_int_equal(sc.l.ignored[1], 1);
	assert_int_equal(sc.l.ignored[3], 1);
	assert_int_equal(sc.l.ignored[4], 0);
	scene_free(&sc);
}

static void
test_refused(void **state)
{
	struct scene sc;
	struct ss_error e;

	(void)state;
	/* A sumpoint from a stranger, or two from one party. */
	scene(&sc, 3);
	snprintf(sc.ls.sumpoints[1].party, sizeof(sc.ls.sumpoints[1].party),
	    "mallory");
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "from outside the "
	    "session, or two from one party");
	scene_free(&sc);
	/* A member's COHORT missing: no sum. */
	scene(&sc, 3);
	sc.ls.nsigned = 2;
	free(sc.ls.signed_[2].stmt.body);
	free(sc.ls.signed_[2].stmt.sig);
	fx_expect(check(&sc, &e), &e, SS_ERR_PRECONDITION, "no sum: the cohort of "
	    "session s1 is not signed by every member: waiting for the COHORT "
	    "signatures of: erin");
	scene_free(&sc);
	/* Another cohort than the status's; other parameters. */
	scene(&sc, 3);
	fx_set(&sc.ls.cohort, "alice,carol");
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "not the one its status "
	    "shows");
	scene_free(&sc);
	scene(&sc, 3);
	sc.ls.params.threshold = 2;
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "under other parameters "
	    "than its status's");
	scene_free(&sc);
	/* A cohort of 3 for a min_cohort of 4. */
	scene(&sc, 4);
	fx_expect(check(&sc, &e), &e, SS_ERR_PROTOCOL, "3 members, fewer than "
	    "its min_cohort 4");
	scene_free(&sc);
}

static int
setup(void **state)
{
	struct signed_key keys[SIGNED_PARTIES];
	size_t i;

	(void)state;
	if (signed_certs_dir() == NULL)
		return -1;
	for (i = 0; i < SIGNED_PARTIES; i++) {
		der[i] = signed_cert_der(signed_names[i], &der_len[i]);
		keys[i].party = signed_names[i];
		keys[i].der = der[i];
		keys[i].len = der_len[i];
	}
	keyserver = signed_key_server(keys, SIGNED_PARTIES, where,
	    sizeof(where));
	dir = tempdir();
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	stop_server(keyserver);
	for (i = 0; i < SIGNED_PARTIES; i++)
		free(der[i]);
	rmdir_all(dir);
	return signed_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
