/*
 * test_client_cmd_result.c: `result`'s reconstruction (client/cmd_result.c)
 * from sumpoints made by Shamir-sharing a known sum: every sumpoint the
 * server lists is checked (a party of the session, once, at its own x, of
 * the session's length, inside the field); t+1 of them give the sum, every
 * other must agree, and a lying one is named when enough points tell; the
 * sum is printed as text or JSON, with the session's decimals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "field.h"
#include "shamir.h"
#include "status.h"
#include "wire.h"

#define N 5
#define T 2
#define L 2

static const char *const names[N] = { "p1", "p2", "p3", "p4", "p5" };

/* The sum -1234, 5 (as field elements) shared among the 5 parties. */
static uint64_t secret[L];
static uint64_t shares[N * L];

/* A ListSumpoints answer of session s1 without sumpoints. */
static void
empty_list(struct wire_response *ls)
{
	fx_status(ls, "s1", "p1,p2,p3,p4,p5", T, L, PHASE_UNSPECIFIED);
	fx_set(&ls->cohort, "p1,p2,p3,p4,p5");
}

/* Appends party j's sumpoint (its share, x = j + 1) to ls. */
static void
add_point(struct wire_response *ls, size_t j)
{
	struct wire_sumpoint *sp;

	ls->sumpoints = realloc(ls->sumpoints, (ls->nsumpoints + 1) *
	    sizeof(*ls->sumpoints));
	assert_non_null(ls->sumpoints);
	sp = &ls->sumpoints[ls->nsumpoints++];
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->party, sizeof(sp->party), "%s", names[j]);
	sp->x = (uint32_t)j + 1;
	assert_non_null(sp->values.v = calloc(L, sizeof(uint64_t)));
	memcpy(sp->values.v, &shares[j * L], L * sizeof(uint64_t));
	sp->values.n = sp->values.cap = L;
}

/* The points of ls, checked, then combined into out: the outcome. */
static int
reconstruct(const struct wire_response *ls, uint64_t *out,
    struct ss_error *e)
{
	uint64_t xs[N + 1];
	const uint64_t *ys[N + 1];
	int r;

	ss_error_clear(e);
	if ((r = cmd_result_points(ls, &ls->params, "s1", xs, ys, e)) != SS_OK)
		return r;
	return cmd_result_combine(ls, "s1", xs, ys, T, L, out, e);
}

static void
test_any_points_give_the_sum(void **state)
{
	static const size_t orders[][N] = {
		{ 0, 1, 2, 3, 4 }, { 4, 2, 0, 1, 3 }, { 3, 1, 4 }, { 0, 4, 2 },
	};
	static const size_t count[] = { 5, 5, 3, 3 };
	struct wire_response ls;
	struct ss_error e;
	uint64_t out[L];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(count) / sizeof(count[0]); i++) {
		empty_list(&ls);
		for (k = 0; k < count[i]; k++)
			add_point(&ls, orders[i][k]);
		assert_int_equal(reconstruct(&ls, out, &e), SS_OK);
		assert_memory_equal(out, secret, sizeof(out));
		wire_response_free(&ls);
	}
}

static void
test_too_few(void **state)
{
	struct wire_response ls;
	struct ss_error e;
	uint64_t out[L];

	(void)state;
	empty_list(&ls);
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_INVALID,
	    "0 sumpoints posted for session s1; 3 needed");
	add_point(&ls, 3);
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_INVALID,
	    "1 sumpoint posted for session s1 (p4); 3 needed");
	add_point(&ls, 0);
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_INVALID,
	    "2 sumpoints posted for session s1 (p4,p1); 3 needed");
	wire_response_free(&ls);
}

static void
test_inconsistent(void **state)
{
	struct wire_response ls;
	struct ss_error e;
	uint64_t out[L];
	size_t j;

	(void)state;
	/* Five points, one off: the culprit is named. */
	empty_list(&ls);
	for (j = 0; j < N; j++)
		add_point(&ls, j);
	ls.sumpoints[2].values.v[1] = field_add(ls.sumpoints[2].values.v[1], 1);
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_INCONSISTENT,
	    "the sumpoint of p3 is inconsistent with the others (element 2): "
	    "no sum printed");
	wire_response_free(&ls);
	/* Four (t + 2): a mismatch is seen, the culprit cannot be told. */
	empty_list(&ls);
	for (j = 0; j < N - 1; j++)
		add_point(&ls, j);
	ls.sumpoints[0].values.v[0] = field_add(ls.sumpoints[0].values.v[0], 9);
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_INCONSISTENT,
	    "the sumpoints are inconsistent (element 1), and too few to tell "
	    "which is wrong: no sum printed");
	wire_response_free(&ls);
}

static void
test_points_checked(void **state)
{
	struct wire_response ls;
	struct ss_error e;
	uint64_t out[L];

	(void)state;
	empty_list(&ls);
	add_point(&ls, 0);
	add_point(&ls, 1);
	add_point(&ls, 2);
	snprintf(ls.sumpoints[1].party, sizeof(ls.sumpoints[1].party), "eve");
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_PROTOCOL,
	    "the server listed a sumpoint from outside session s1");
	snprintf(ls.sumpoints[1].party, sizeof(ls.sumpoints[1].party), "p1");
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_PROTOCOL,
	    "the server listed two sumpoints from p1");
	snprintf(ls.sumpoints[1].party, sizeof(ls.sumpoints[1].party), "p2");
	ls.sumpoints[2].x = 4;
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_PROTOCOL,
	    "the server gave p3 the point x=4, but its position is 3");
	ls.sumpoints[2].x = 3;
	ls.sumpoints[0].values.n = 1;
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_PROTOCOL,
	    "the sumpoint of p1 has 1 elements, not 2");
	ls.sumpoints[0].values.n = 2;
	ls.sumpoints[0].values.v[1] = FIELD_P;
	fx_expect(reconstruct(&ls, out, &e), &e, SS_ERR_PROTOCOL,
	    "the sumpoint of p1 holds a value outside the field");
	ls.sumpoints[0].values.v[1] = shares[1];
	assert_int_equal(reconstruct(&ls, out, &e), SS_OK);
	wire_response_free(&ls);
}

/* What cmd_result_print writes for the sum. */
static char *
printed(int json, unsigned decimals, const struct wire_names *cohort)
{
	struct ss_error e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cmd_result_print(f, json, "s1", secret, L, decimals,
	    cohort, &e), SS_OK);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_print(void **state)
{
	struct wire_names cohort;
	char *s;

	(void)state;
	fx_names(&cohort, "p1,p3,p4");
	s = printed(0, 0, &cohort);
	assert_string_equal(s, "-1234 5\n");
	free(s);
	s = printed(0, 2, &cohort);
	assert_string_equal(s, "-12.34 0.05\n");
	free(s);
	s = printed(1, 1, &cohort);
	assert_string_equal(s, "{\"session\":\"s1\",\"sum\":[-123.4,0.5],"
	    "\"cohort\":[\"p1\",\"p3\",\"p4\"]}\n");
	free(s);
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
		cmocka_unit_test(test_any_points_give_the_sum),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_points_checked),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
