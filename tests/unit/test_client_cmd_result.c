/*
 * test_client_cmd_result.c: `result`'s decision (client/cmd_result.c) on
 * sumpoints made by Shamir-sharing a known sum, taken as listing.h leaves
 * them: with n = 5, t = 2 the quorum is Q = 5; five agreeing points are a
 * verified sum, three an unverified one, two too few; five with one off
 * name it (the poster or one of the cohort's dealers), four with one off
 * name none (every point suspect, as no Q agree); and the verdict handed
 * to the library's caller, the sum printed from it by mpc-client as text
 * or JSON with the label and the points.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "securesum.h"

#include "agree.h"
#include "api_copy.h"
#include "cli.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "field.h"
#include "listing.h"
#include "shamir.h"
#include "status.h"
#include "wire.h"

#define N 5
#define T 2
#define L 2

/* The sum -1234, 5 (as field elements) shared among the 5 parties. */
static uint64_t secret[L];
static uint64_t shares[N * L];

/* The session, and the points taken: positions (1-based) in order. */
struct scene {
	struct wire_response st;
	struct listing l;
	uint64_t values[8][L];
	uint64_t out[L];
	struct result_verdict v;
};

static void
scene(struct scene *sc, const unsigned *pos, size_t m)
{
	size_t i;

	memset(sc, 0, sizeof(*sc));
	fx_status(&sc->st, "s1", "p1,p2,p3,p4,p5", T, L, PHASE_COMPLETE);
	assert_non_null(sc->l.pts = calloc(N, sizeof(*sc->l.pts)));
	assert_non_null(sc->l.ignored = calloc(N, 1));
	for (i = 0; i < m; i++) {
		memcpy(sc->values[i], &shares[(pos[i] - 1) * L],
		    sizeof(sc->values[i]));
		sc->l.pts[i].position = pos[i];
		sc->l.pts[i].values = sc->values[i];
	}
	sc->l.m = m;
}

static int
decide(struct scene *sc, struct ss_error *e)
{
	ss_error_clear(e);
	free(sc->v.marks);
	return cmd_result_decide(&sc->st.params, &sc->l, sc->out, &sc->v,
	    "s1", e);
}

static void
scene_free(struct scene *sc)
{
	free(sc->v.marks);
	free(sc->l.pts);
	free(sc->l.ignored);
	wire_response_free(&sc->st);
}

static void
test_verified_and_unverified(void **state)
{
	static const unsigned all[N] = { 4, 2, 5, 1, 3 }, three[3] = { 5, 1, 3 };
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, all, N);
	assert_int_equal(decide(&sc, &e), SS_OK);
	assert_int_equal(sc.v.res.label, AGREE_VERIFIED);
	assert_int_equal(sc.v.res.quorum, 5);
	assert_memory_equal(sc.out, secret, sizeof(sc.out));
	assert_int_equal(sc.v.marks[2], AGREE_ON);
	scene_free(&sc);
	scene(&sc, three, 3);
	assert_int_equal(decide(&sc, &e), SS_OK);
	assert_int_equal(sc.v.res.label, AGREE_UNVERIFIED);
	assert_memory_equal(sc.out, secret, sizeof(sc.out));
	assert_int_equal(sc.v.marks[1], AGREE_ABSENT);
	scene_free(&sc);
}

static void
test_too_few(void **state)
{
	static const unsigned two[2] = { 4, 1 };
	struct scene sc;
	struct ss_error e;

	(void)state;
	scene(&sc, two, 0);
	fx_expect(decide(&sc, &e), &e, SS_ERR_PRECONDITION,
	    "0 sumpoints taken for session s1; 3 needed");
	scene_free(&sc);
	scene(&sc, two, 1);
	fx_expect(decide(&sc, &e), &e, SS_ERR_PRECONDITION,
	    "1 sumpoint taken for session s1 (p4); 3 needed");
	scene_free(&sc);
	scene(&sc, two, 2);
	fx_expect(decide(&sc, &e), &e, SS_ERR_PRECONDITION,
	    "2 sumpoints taken for session s1 (p1,p4); 3 needed");
	scene_free(&sc);
	/* Posted but not signed: named, so that "0 taken" is not "none posted". */
	scene(&sc, two, 0);
	sc.l.ignored[1] = 1;
	sc.l.ignored[2] = 1;
	sc.l.nignored = 2;
	fx_expect(decide(&sc, &e), &e, SS_ERR_PRECONDITION,
	    "0 sumpoints taken for session s1; 3 needed; 2 more listed but "
	    "ignored (p2,p3): not signed by their posters on this cohort and "
	    "these values");
	scene_free(&sc);
}

static void
test_inconsistent(void **state)
{
	static const unsigned all[N] = { 1, 2, 3, 4, 5 };
	struct scene sc;
	struct ss_error e;

	(void)state;
	/* Five points, one off: Q = 5 cannot hold four, so nothing is named. */
	scene(&sc, all, N);
	sc.values[2][1] = field_add(sc.values[2][1], 1);
	fx_expect(decide(&sc, &e), &e, SS_ERR_INCONSISTENT,
	    "the sumpoints of session s1 are inconsistent (element 2), and no "
	    "5 of them agree: every one is suspect, no sum printed");
	assert_int_equal(sc.v.res.label, AGREE_INCONSISTENT);
	assert_int_equal(sc.v.marks[0], AGREE_SUSPECT);
	scene_free(&sc);
}

/* n = 7, t = 1: Q = 5, so six points with one off name it. */
static void
test_inconsistent_named(void **state)
{
	static const unsigned six[6] = { 1, 2, 3, 5, 6, 7 };
	uint64_t sh[7 * L];
	struct scene sc;
	struct ss_error e;
	size_t i;

	(void)state;
	assert_int_equal(shamir_split(secret, L, 7, 1, sh), SS_OK);
	scene(&sc, six, 0);
	wire_response_free(&sc.st);
	fx_status(&sc.st, "s1", "p1,p2,p3,p4,p5,p6,p7", 1, L, PHASE_COMPLETE);
	free(sc.l.ignored);
	assert_non_null(sc.l.ignored = calloc(7, 1));
	free(sc.l.pts);
	assert_non_null(sc.l.pts = calloc(7, sizeof(*sc.l.pts)));
	for (i = 0; i < 6; i++) {
		memcpy(sc.values[i], &sh[(six[i] - 1) * L], L * 8);
		sc.l.pts[i].position = six[i];
		sc.l.pts[i].values = sc.values[i];
	}
	sc.l.m = 6;
	sc.values[1][0] = field_add(sc.values[1][0], 7);
	fx_expect(decide(&sc, &e), &e, SS_ERR_INCONSISTENT,
	    "inconsistent (element 1): off the polynomial of 5 or more: p2 "
	    "(each the poster or one of the cohort's dealers)");
	assert_int_equal(sc.v.marks[1], AGREE_OFF);
	assert_int_equal(sc.v.marks[2], AGREE_ON);
	scene_free(&sc);
}

/* What mpc-client's result and run print (cli_sum_print) for res. */
static char *
printed(int json, const struct securesum_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli_sum_print(f, json, "s1", res);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * A sum of two elements, as the library formats them: the texts one block,
 * text[0] its start (securesum_sum_free frees it so).
 */
static struct securesum_sum *
sum_of(const char *a, const char *b)
{
	struct securesum_sum *s = calloc(1, sizeof(*s));
	size_t la = strlen(a) + 1;
	char *block;

	assert_non_null(s);
	assert_non_null(s->text = calloc(3, sizeof(*s->text)));
	assert_non_null(block = malloc(la + strlen(b) + 1));
	memcpy(block, a, la);
	memcpy(block + la, b, strlen(b) + 1);
	s->text[0] = block;
	s->text[1] = block + la;
	s->length = 2;
	return s;
}

/*
 * The verdict as the library hands it on (api_verdict_copy), and the sum
 * printed from it: as text, or as JSON with the label, the quorum, each
 * point and the conflicts; the sumpoints still missing only while the
 * session is not COMPLETE (run's note).
 */
static void
test_print(void **state)
{
	static const unsigned three[3] = { 1, 3, 4 };
	struct securesum_result *res;
	struct wire_names cohort;
	struct scene sc;
	struct ss_error e;
	char *s;

	(void)state;
	fx_names(&cohort, "p1,p3,p4");
	scene(&sc, three, 3);
	sc.l.ignored[4] = 1;
	sc.l.nignored = 1;
	assert_int_equal(decide(&sc, &e), SS_OK);
	sc.v.st = &sc.st;
	assert_non_null(res = calloc(1, sizeof(*res)));
	assert_int_equal(api_verdict_copy(res, &sc.st.params, &cohort, &sc.v,
	    &e), SS_OK);
	assert_int_equal(res->missing.n, 0);
	res->sum = sum_of("-12.34", "0.05");
	s = printed(0, res);
	assert_string_equal(s, "-12.34 0.05\n");
	free(s);
	s = printed(1, res);
	assert_string_equal(s, "{\"version\":1,\"session\":\"s1\",\"sum\":"
	    "[\"-12.34\",\"0.05\"],\"cohort\":[\"p1\",\"p3\",\"p4\"],"
	    "\"label\":\"unverified\",\"quorum\":5,\"points\":{\"taken\":3,"
	    "\"on\":[\"p1\",\"p3\",\"p4\"],\"off\":[],\"suspect\":[],"
	    "\"ignored\":[\"p5\"]},\"conflicts\":[]}\n");
	free(s);
	securesum_result_free(res);
	/* Not COMPLETE: who has not posted, and how many have. */
	sc.st.phase = PHASE_AGGREGATING;
	fx_set(&sc.st.missing, "p5");
	sc.st.posted.n = 4;
	assert_non_null(res = calloc(1, sizeof(*res)));
	assert_int_equal(api_verdict_copy(res, &sc.st.params, &cohort, &sc.v,
	    &e), SS_OK);
	assert_int_equal(res->missing.n, 1);
	assert_string_equal(res->missing.v[0], "p5");
	assert_int_equal(res->posted, 4);
	securesum_result_free(res);
	sc.st.posted.n = 0;
	scene_free(&sc);
	free(cohort.v);
}

static int
setup(void **state)
{
	(void)state;
	if (field_from_int64(-1234, &secret[0]) != SS_OK ||
	    field_from_int64(5, &secret[1]) != SS_OK)
		return -1;
	return shamir_split(secret, L, N, T, shares) == SS_OK ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verified_and_unverified),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_inconsistent_named),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
