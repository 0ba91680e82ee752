/*
 * test_core_agree.c: unit tests of core/agree.c, reconstruction by
 * agreement: the four labels, the quorum floor(n/2) + t + 1, which points
 * are named and when, the attacks of issue 11 that aim at a wrong
 * "verified" sum, and the refusal of bad arguments.
 *
 * The naming is checked against a brute force written here: every t + 1
 * posted points define a candidate polynomial (evaluated with
 * shamir_lagrange, not with agree.c's Newton form or decoder), and the
 * candidate with at least Q points in every element, if any, is the one.
 * Random draws come from a fixed-seed generator, so failures reproduce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "agree.h"
#include "err.h"
#include "field.h"
#include "rng.h"
#include "shamir.h"

#define MAXN 128

/* ---- a reproducible generator ---------------------------------------- */

static uint64_t g_rng = 11;

static uint64_t
rnd(void)
{
	return splitmix64(&g_rng);
}

static uint64_t
rnd_elem(void)
{
	return field_reduce(rnd());
}

static uint32_t
rnd_below(uint32_t k)
{
	return (uint32_t)(rnd() % k);
}

/* ---- scenarios --------------------------------------------------------- */

/*
 * The values every position would post: vals[(pos - 1) * L + e], on the
 * polynomials coef[e * (t + 1) + k] (coefficient of x^k of element e).
 */
struct world {
	uint32_t n, t;
	size_t L;
	uint64_t *coef;
	uint64_t *vals;
};

static uint64_t
horner(const uint64_t *c, uint32_t t, uint64_t x)
{
	uint64_t r = 0;
	uint32_t k;

	for (k = t + 1; k-- > 0;)
		r = field_add(field_mul(r, x), c[k]);
	return r;
}

/* A world whose points all lie on random polynomials of degree t. */
static void
world_new(struct world *w, uint32_t n, uint32_t t, size_t L)
{
	uint32_t pos;
	size_t e, k;

	w->n = n;
	w->t = t;
	w->L = L;
	w->coef = calloc(L * (t + 1), sizeof(*w->coef));
	w->vals = calloc((size_t)n * L, sizeof(*w->vals));
	assert_non_null(w->coef);
	assert_non_null(w->vals);
	for (k = 0; k < L * (t + 1); k++)
		w->coef[k] = rnd_elem();
	for (pos = 1; pos <= n; pos++)
		for (e = 0; e < L; e++)
			w->vals[(pos - 1) * L + e] =
			    horner(w->coef + e * (t + 1), t, pos);
}

static void
world_free(struct world *w)
{
	free(w->coef);
	free(w->vals);
}

static uint64_t *
val(struct world *w, uint32_t pos)
{
	return w->vals + (size_t)(pos - 1) * w->L;
}

/* Puts an error into element e of position pos. */
static void
spoil(struct world *w, uint32_t pos, size_t e)
{
	val(w, pos)[e] = field_add(val(w, pos)[e], 1 + rnd_below(1000));
}

/* The points of the positions in `posted` (a bitmask over 1..n, n <= 64). */
static size_t
points_of(struct world *w, uint64_t posted, struct agree_point *pts)
{
	uint32_t pos;
	size_t m = 0;

	for (pos = 1; pos <= w->n; pos++) {
		if (!(posted >> (pos - 1) & 1))
			continue;
		pts[m].position = pos;
		pts[m].values = val(w, pos);
		m++;
	}
	return m;
}

static size_t
all_points(struct world *w, struct agree_point *pts)
{
	uint32_t pos;

	for (pos = 1; pos <= w->n; pos++) {
		pts[pos - 1].position = pos;
		pts[pos - 1].values = val(w, pos);
	}
	return w->n;
}

struct outcome {
	struct agree_result res;
	uint64_t *sum;
	uint8_t marks[MAXN];
};

static void
decide(struct world *w, const struct agree_point *pts, size_t m,
    struct outcome *o)
{
	struct ss_error e;

	o->sum = calloc(w->L, sizeof(*o->sum));
	assert_non_null(o->sum);
	ss_error_clear(&e);
	assert_int_equal(agree_decide(w->n, w->t, w->L, pts, m, o->sum,
	    o->marks, &o->res, &e), SS_OK);
	assert_int_equal(o->res.posted, m);
	assert_int_equal(o->res.quorum, w->n / 2 + w->t + 1);
}

static void
outcome_free(struct outcome *o)
{
	free(o->sum);
}

static void
expect_true_sum(struct world *w, const struct outcome *o)
{
	size_t e;

	for (e = 0; e < w->L; e++)
		assert_int_equal(o->sum[e], w->coef[e * (w->t + 1)]);
}

static void
expect_zero_sum(struct world *w, const struct outcome *o)
{
	size_t e;

	for (e = 0; e < w->L; e++)
		assert_int_equal(o->sum[e], 0);
}

/*
 * Every point posted, some spoiled: INCONSISTENT, no sum, and exactly the
 * positions flagged in off[position - 1] named; first_bad is checked
 * unless SIZE_MAX.
 */
static void
expect_named(struct world *w, const uint8_t *off, size_t first_bad)
{
	struct agree_point pts[MAXN];
	struct outcome o;
	uint32_t pos;

	decide(w, pts, all_points(w, pts), &o);
	assert_int_equal(o.res.label, AGREE_INCONSISTENT);
	assert_int_equal(o.res.located, 1);
	if (first_bad != SIZE_MAX)
		assert_int_equal(o.res.first_bad_element, first_bad);
	expect_zero_sum(w, &o);
	for (pos = 1; pos <= w->n; pos++)
		assert_int_equal(o.marks[pos - 1],
		    off[pos - 1] ? AGREE_OFF : AGREE_ON);
	outcome_free(&o);
}

/* ---- brute force ------------------------------------------------------- */

/*
 * Of the posted points, those on the candidate through base[0..t] in every
 * element, as a bitmask of positions.
 */
static uint64_t
support_of(struct world *w, const struct agree_point *pts, size_t m,
    const size_t *base)
{
	uint64_t xs[MAXN], coef[MAXN], support = 0, y;
	uint32_t k, b = w->t + 1;
	size_t j, e;
	int on;

	for (k = 0; k < b; k++)
		xs[k] = pts[base[k]].position;
	for (j = 0; j < m; j++) {
		assert_int_equal(shamir_lagrange(xs, b, pts[j].position, coef),
		    SS_OK);
		on = 1;
		for (e = 0; e < w->L && on; e++) {
			y = 0;
			for (k = 0; k < b; k++)
				y = field_add(y, field_mul(coef[k],
				    pts[base[k]].values[e]));
			on = y == pts[j].values[e];
		}
		if (on)
			support |= UINT64_C(1) << (pts[j].position - 1);
	}
	return support;
}

/* The support (bitmask) of the polynomial of Q points, or 0 if none. */
static uint64_t
brute_force(struct world *w, const struct agree_point *pts, size_t m)
{
	size_t base[MAXN], b = w->t + 1, i;
	uint64_t s;
	uint32_t quorum = w->n / 2 + w->t + 1;

	if (m < b)
		return 0;
	for (i = 0; i < b; i++)
		base[i] = i;
	for (;;) {
		s = support_of(w, pts, m, base);
		if ((uint32_t)__builtin_popcountll(s) >= quorum)
			return s;
		/* The next b-subset of 0..m-1 in lexicographic order. */
		for (i = b; i-- > 0;)
			if (base[i] < m - b + i)
				break;
		if (i == (size_t)-1)
			return 0;
		base[i]++;
		for (i++; i < b; i++)
			base[i] = base[i - 1] + 1;
	}
}

/* ---- the labels -------------------------------------------------------- */

static void
test_quorum(void **state)
{
	(void)state;
	assert_int_equal(agree_quorum(5, 2), 5);
	assert_int_equal(agree_quorum(10, 2), 8);
	assert_int_equal(agree_quorum(7, 2), 6);
	assert_int_equal(agree_quorum(2, 1), 3);        /* over n: never verified */
	assert_int_equal(agree_quorum(1000, 49), 550);
}

static void
test_all_agree_verified(void **state)
{
	struct agree_point pts[MAXN];
	struct world w;
	struct outcome o;
	uint32_t pos;

	(void)state;
	world_new(&w, 5, 2, 3);
	decide(&w, pts, all_points(&w, pts), &o);
	assert_int_equal(o.res.label, AGREE_VERIFIED);
	expect_true_sum(&w, &o);
	for (pos = 1; pos <= 5; pos++)
		assert_int_equal(o.marks[pos - 1], AGREE_ON);
	outcome_free(&o);
	world_free(&w);

	/* n = 10, t = 2: Q = 8 of 10 suffice; 7 do not. */
	world_new(&w, 10, 2, 2);
	decide(&w, pts, points_of(&w, 0x0FF, pts), &o);
	assert_int_equal(o.res.label, AGREE_VERIFIED);
	expect_true_sum(&w, &o);
	assert_int_equal(o.marks[8], AGREE_ABSENT);
	assert_int_equal(o.marks[9], AGREE_ABSENT);
	outcome_free(&o);
	decide(&w, pts, points_of(&w, 0x35D, pts), &o);   /* 7 points */
	assert_int_equal(o.res.label, AGREE_UNVERIFIED);
	expect_true_sum(&w, &o);
	outcome_free(&o);
	world_free(&w);
}

static void
test_too_few_agree_unverified(void **state)
{
	struct agree_point pts[MAXN];
	struct world w;
	struct outcome o;

	(void)state;
	world_new(&w, 10, 2, 4);
	/* Exactly t + 1: a sum, and nothing to check it against. */
	decide(&w, pts, points_of(&w, 0x211, pts), &o);
	assert_int_equal(o.res.label, AGREE_UNVERIFIED);
	expect_true_sum(&w, &o);
	assert_int_equal(o.marks[0], AGREE_ON);
	assert_int_equal(o.marks[1], AGREE_ABSENT);
	outcome_free(&o);
	/* t points: no sum at all. */
	decide(&w, pts, points_of(&w, 0x201, pts), &o);
	assert_int_equal(o.res.label, AGREE_TOO_FEW);
	expect_zero_sum(&w, &o);
	assert_int_equal(o.marks[0], AGREE_UNCHECKED);
	assert_int_equal(o.marks[9], AGREE_UNCHECKED);
	assert_int_equal(o.marks[4], AGREE_ABSENT);
	outcome_free(&o);
	decide(&w, pts, 0, &o);
	assert_int_equal(o.res.label, AGREE_TOO_FEW);
	outcome_free(&o);
	world_free(&w);

	/* Q above n (t = 2 of 4): all four agreeing is still unverified. */
	world_new(&w, 4, 2, 1);
	decide(&w, pts, all_points(&w, pts), &o);
	assert_int_equal(o.res.label, AGREE_UNVERIFIED);
	expect_true_sum(&w, &o);
	outcome_free(&o);
	world_free(&w);
}

static void
test_one_bad_point_named(void **state)
{
	uint8_t off[MAXN] = { 0 };
	struct world w;

	(void)state;
	world_new(&w, 10, 2, 3);
	spoil(&w, 7, 1);
	off[6] = 1;
	expect_named(&w, off, 1);
	world_free(&w);
}

/* The first base is off: only the decoder finds the polynomial. */
static void
test_bad_points_in_the_base(void **state)
{
	uint8_t off[MAXN] = { 1, 1, 1 };
	struct world w;

	(void)state;
	/* n = 9, t = 1: Q = 6; 3 errors, within the decoder's radius 3.5. */
	world_new(&w, 9, 1, 2);
	spoil(&w, 1, 0);
	spoil(&w, 2, 0);
	spoil(&w, 3, 1);
	expect_named(&w, off, 0);
	world_free(&w);
}

static void
test_one_element_wrong_in_long_vector(void **state)
{
	uint8_t off[MAXN] = { 0 };
	struct world w;

	(void)state;
	world_new(&w, 7, 2, 100000);
	spoil(&w, 4, 77777);
	off[3] = 1;
	expect_named(&w, off, 77777);
	/* The same element spoiled at the base point 1 instead. */
	val(&w, 4)[77777] = horner(w.coef + 77777 * 3, 2, 4);
	spoil(&w, 1, 77777);
	off[3] = 0;
	off[0] = 1;
	expect_named(&w, off, 77777);
	world_free(&w);
}

/* ---- attacks ------------------------------------------------------------ */

/*
 * What a server and corrupt parties can show one reader: any subset of the
 * honest points (sumpoints can be withheld), and at each corrupt position
 * nothing or any of the values it could sign (a corrupt poster may sign
 * several). Scalars (L = 1).
 */
struct views {
	struct world *w;
	uint64_t honest;                /* positions, as a bitmask */
	uint32_t corrupt[4];
	size_t ncorrupt;
	uint64_t alt[4][8];             /* candidate values per corrupt position */
	size_t nalt;
	/* results */
	size_t verified, unverified, inconsistent;
	int have_sum;
	uint64_t verified_sum;
};

/* One view: choice[c] = 0 (absent) or 1 + index into alt[c]. */
static void
one_view(struct views *v, uint64_t hmask, const size_t *choice)
{
	struct agree_point pts[MAXN];
	struct outcome o;
	size_t m = points_of(v->w, hmask, pts), c;

	for (c = 0; c < v->ncorrupt; c++) {
		if (choice[c] == 0)
			continue;
		pts[m].position = v->corrupt[c];
		pts[m].values = &v->alt[c][choice[c] - 1];
		m++;
	}
	decide(v->w, pts, m, &o);
	if (o.res.label == AGREE_VERIFIED) {
		v->verified++;
		if (v->have_sum)
			assert_int_equal(o.sum[0], v->verified_sum);
		v->verified_sum = o.sum[0];
		v->have_sum = 1;
	} else if (o.res.label == AGREE_UNVERIFIED)
		v->unverified++;
	else if (o.res.label == AGREE_INCONSISTENT)
		v->inconsistent++;
	outcome_free(&o);
}

/* Every view; all verified ones must show one sum. */
static void
all_views(struct views *v)
{
	size_t choice[4] = { 0 }, c;
	uint64_t hmask;

	v->verified = v->unverified = v->inconsistent = 0;
	v->have_sum = 0;
	for (hmask = v->honest;; hmask = (hmask - 1) & v->honest) {
		memset(choice, 0, sizeof(choice));
		for (;;) {
			one_view(v, hmask, choice);
			/* The next combination of choices, odometer-wise. */
			for (c = 0; c < v->ncorrupt; c++) {
				if (++choice[c] <= v->nalt)
					break;
				choice[c] = 0;
			}
			if (c == v->ncorrupt)
				break;
		}
		if (hmask == 0)
			break;
	}
}

/* G = H + k * prod_{i in roots} (x - i), at x (L = 1). */
static uint64_t
shifted(struct world *w, uint64_t k, const uint32_t *roots, size_t nroots,
    uint32_t x)
{
	uint64_t g = k;
	size_t i;

	for (i = 0; i < nroots; i++)
		g = field_mul(g, field_sub(x, roots[i]));
	return field_add(horner(w->coef, w->t, x), g);
}

/*
 * n = m = 5, t = 2, colluders at 4 and 5 post points of G = H + k (x-a)(x-b)
 * (through the honest points a and b, with G(0) != H(0)), or of H, or
 * anything. No view is verified with a wrong sum; with all five posted the
 * answer is inconsistent and names no one, since no polynomial has Q = 5.
 */
static void
test_colluders_through_honest_points(void **state)
{
	struct agree_point pts[MAXN];
	struct views v;
	struct world w;
	struct outcome o;
	uint32_t roots[2], a, b, pos;
	uint64_t k;

	(void)state;
	world_new(&w, 5, 2, 1);
	for (a = 1; a <= 3; a++)
		for (b = a + 1; b <= 3; b++) {
			roots[0] = a;
			roots[1] = b;
			k = 1 + rnd_below(1000);
			memset(&v, 0, sizeof(v));
			v.w = &w;
			v.honest = 0x07;
			v.corrupt[0] = 4;
			v.corrupt[1] = 5;
			v.ncorrupt = 2;
			v.nalt = 3;
			for (pos = 4; pos <= 5; pos++) {
				v.alt[pos - 4][0] = shifted(&w, k, roots, 2, pos);
				v.alt[pos - 4][1] = val(&w, pos)[0];
				v.alt[pos - 4][2] = rnd_elem();
			}
			all_views(&v);
			/* All five honest-looking: the one verified sum. */
			assert_true(v.verified >= 1);
			assert_int_equal(v.verified_sum, w.coef[0]);
			assert_true(v.unverified > 0 && v.inconsistent > 0);

			/* The full attack: inconsistent, no one named. */
			all_points(&w, pts);
			pts[3].values = &v.alt[0][0];
			pts[4].values = &v.alt[1][0];
			decide(&w, pts, 5, &o);
			assert_int_equal(o.res.label, AGREE_INCONSISTENT);
			assert_int_equal(o.res.located, 0);
			for (pos = 1; pos <= 5; pos++)
				assert_int_equal(o.marks[pos - 1], AGREE_SUSPECT);
			outcome_free(&o);
		}
	world_free(&w);
}

/*
 * n = 10, t = 2 (Q = 8): a corrupt dealer spoils the shares it sent to
 * three honest parties, so their sumpoints are off. Seven points remain on
 * the polynomial, under Q: no one is named (an honest poster cannot be
 * told from the dealer's victims). Two spoiled leave eight: named.
 */
static void
test_dealer_spoils_honest_sumpoints(void **state)
{
	uint8_t off[MAXN] = { 0 };
	struct agree_point pts[MAXN];
	struct world w;
	struct outcome o;
	uint32_t pos;

	(void)state;
	world_new(&w, 10, 2, 2);
	spoil(&w, 2, 0);
	spoil(&w, 5, 1);
	off[1] = off[4] = 1;
	expect_named(&w, off, 0);

	spoil(&w, 9, 0);
	decide(&w, pts, all_points(&w, pts), &o);
	assert_int_equal(o.res.label, AGREE_INCONSISTENT);
	assert_int_equal(o.res.located, 0);
	for (pos = 1; pos <= 10; pos++)
		assert_int_equal(o.marks[pos - 1], AGREE_SUSPECT);
	expect_zero_sum(&w, &o);
	outcome_free(&o);
	world_free(&w);
}

/*
 * n = 7, t = 2 (Q = 6): a corrupt dealer (position 7) shares one
 * polynomial with parties 1-3 and another with 4-5, so the honest
 * sumpoints lie on H + f or on H + g; position 6 colludes. Whatever subset
 * the server shows, and whatever 6 and 7 sign, no reader gets a verified
 * sum: at most three honest points and two corrupt ones share a polynomial.
 */
static void
test_dealer_two_polynomials(void **state)
{
	struct views v;
	struct world w;
	uint32_t pos, none[1] = { 0 };
	uint64_t kf = 17, kg = 99;

	(void)state;
	world_new(&w, 7, 2, 1);
	/* f, g: constants added to the dealer's shares (degree 0 <= t). */
	for (pos = 1; pos <= 5; pos++)
		val(&w, pos)[0] = shifted(&w, pos <= 3 ? kf : kg, none, 0, pos);
	memset(&v, 0, sizeof(v));
	v.w = &w;
	v.honest = 0x1F;
	v.corrupt[0] = 6;
	v.corrupt[1] = 7;
	v.ncorrupt = 2;
	v.nalt = 4;
	for (pos = 6; pos <= 7; pos++) {
		v.alt[pos - 6][0] = shifted(&w, kf, none, 0, pos);
		v.alt[pos - 6][1] = shifted(&w, kg, none, 0, pos);
		v.alt[pos - 6][2] = val(&w, pos)[0];
		v.alt[pos - 6][3] = rnd_elem();
	}
	all_views(&v);
	assert_int_equal(v.verified, 0);
	assert_true(v.unverified > 0);
	assert_true(v.inconsistent > 0);
	world_free(&w);
}

/*
 * With every dealer honest, corrupt posters (t of them) can delay or spoil
 * but never make two readers' verified sums differ, nor differ from the
 * true sum: n = 7, t = 2, colluders at 3 and 6 with values on polynomials
 * through up to two honest points.
 */
static void
test_verified_sums_agree(void **state)
{
	struct views v;
	struct world w;
	uint32_t pos, roots[2] = { 1, 2 }, roots2[2] = { 4, 5 };

	(void)state;
	world_new(&w, 7, 2, 1);
	memset(&v, 0, sizeof(v));
	v.w = &w;
	v.honest = 0x5B;        /* 1, 2, 4, 5, 7 */
	v.corrupt[0] = 3;
	v.corrupt[1] = 6;
	v.ncorrupt = 2;
	v.nalt = 4;
	for (pos = 3; pos <= 6; pos += 3) {
		size_t c = pos == 3 ? 0 : 1;

		v.alt[c][0] = shifted(&w, 5, roots, 2, pos);
		v.alt[c][1] = shifted(&w, 8, roots2, 2, pos);
		v.alt[c][2] = val(&w, pos)[0];
		v.alt[c][3] = rnd_elem();
	}
	all_views(&v);
	assert_true(v.verified > 0);
	assert_int_equal(v.verified_sum, w.coef[0]);
	world_free(&w);
}

/* ---- the naming against brute force ------------------------------------ */

static void
check_against_brute_force(struct world *w, const struct agree_point *pts,
    size_t m)
{
	struct outcome o;
	uint64_t want;
	size_t j;

	decide(w, pts, m, &o);
	if (o.res.label != AGREE_INCONSISTENT) {
		outcome_free(&o);
		return;
	}
	want = brute_force(w, pts, m);
	assert_int_equal(o.res.located, want != 0);
	for (j = 0; j < m; j++) {
		uint8_t mark = o.marks[pts[j].position - 1];

		if (want == 0)
			assert_int_equal(mark, AGREE_SUSPECT);
		else
			assert_int_equal(mark, (want >> (pts[j].position - 1) & 1) ?
			    AGREE_ON : AGREE_OFF);
	}
	outcome_free(&o);
}

static void
test_naming_matches_brute_force(void **state)
{
	struct agree_point pts[MAXN];
	struct world w;
	uint32_t n, t, errors, i;
	uint64_t posted;
	size_t L, m;
	int trial;

	(void)state;
	for (trial = 0; trial < 3000; trial++) {
		n = 3 + rnd_below(8);                   /* 3..10 */
		t = 1 + rnd_below(n - 1);               /* 1..n-1 */
		L = 1 + rnd_below(3);
		world_new(&w, n, t, L);
		/* Errors: mostly few (named), sometimes many (suspect). */
		errors = rnd_below(n / 2 + 2);
		for (i = 0; i < errors; i++)
			spoil(&w, 1 + rnd_below(n), rnd_below((uint32_t)L));
		posted = (UINT64_C(1) << n) - 1;
		if (rnd_below(3) == 0)
			posted &= ~(UINT64_C(1) << rnd_below(n));
		m = points_of(&w, posted, pts);
		check_against_brute_force(&w, pts, m);
		world_free(&w);
	}
}

/* Larger: n = 100, t = 10 (Q = 61), 30 spoiled points over 5 elements. */
static void
test_naming_many_parties(void **state)
{
	uint8_t off[MAXN] = { 0 };
	struct world w;
	uint32_t pos, i;

	(void)state;
	world_new(&w, 100, 10, 5);
	for (i = 0; i < 30; i++) {
		/* The lowest positions are all among them: the base is off. */
		pos = i < 11 ? i + 1 : 12 + rnd_below(89);
		off[pos - 1] = 1;
		spoil(&w, pos, rnd_below(5));
	}
	expect_named(&w, off, SIZE_MAX);
	world_free(&w);
}

/* ---- bad arguments ------------------------------------------------------ */

static void
expect_refused(uint32_t n, uint32_t t, size_t L, const struct agree_point *pts,
    size_t m, int code, const char *words)
{
	struct agree_result res;
	struct ss_error e;
	uint64_t sum[4];
	uint8_t marks[16];

	ss_error_clear(&e);
	assert_int_equal(agree_decide(n, t, L, pts, m, sum, marks, &res, &e),
	    code);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.msg, words));
}

static void
test_bad_arguments(void **state)
{
	uint64_t v1[2] = { 1, 2 }, v2[2] = { 3, 4 }, big[2] = { 5, FIELD_P };
	struct agree_point pts[3] = {
		{ 1, v1 }, { 2, v2 }, { 3, v1 },
	};
	struct agree_result res;
	uint64_t sum[2];
	uint8_t marks[4];

	(void)state;
	expect_refused(4, 0, 2, pts, 3, SS_ERR_INVALID, "threshold");
	expect_refused(4, 4, 2, pts, 3, SS_ERR_INVALID, "threshold");
	expect_refused(1, 1, 2, pts, 1, SS_ERR_INVALID, "parties");
	expect_refused(70000, 1, 2, pts, 1, SS_ERR_INVALID, "parties");
	expect_refused(4, 1, 0, pts, 3, SS_ERR_INVALID, "length 0");
	expect_refused(2, 1, 2, pts, 3, SS_ERR_INVALID, "3 sumpoints for 2");
	pts[2].position = 2;
	expect_refused(4, 1, 2, pts, 3, SS_ERR_INVALID, "two sumpoints at position 2");
	pts[2].position = 5;
	expect_refused(4, 1, 2, pts, 3, SS_ERR_INVALID, "position 5, outside 1..4");
	pts[2].position = 0;
	expect_refused(4, 1, 2, pts, 3, SS_ERR_INVALID, "position 0");
	pts[2].position = 3;
	pts[2].values = NULL;
	expect_refused(4, 1, 2, pts, 3, SS_ERR_INVALID, "without values");
	pts[2].values = big;
	expect_refused(4, 1, 2, pts, 3, SS_ERR_RANGE, "position 3: element 1");
	assert_int_equal(agree_decide(4, 1, 2, NULL, 1, sum, marks, &res, NULL),
	    SS_ERR_INVALID);
	assert_int_equal(agree_decide(4, 1, 2, pts, 2, NULL, marks, &res, NULL),
	    SS_ERR_INVALID);
	assert_int_equal(agree_decide(4, 1, 2, pts, 2, sum, NULL, &res, NULL),
	    SS_ERR_INVALID);
	assert_int_equal(agree_decide(4, 1, 2, pts, 2, sum, marks, NULL, NULL),
	    SS_ERR_INVALID);
	assert_string_equal(agree_label_name(AGREE_VERIFIED), "verified");
	assert_string_equal(agree_label_name(AGREE_INCONSISTENT), "inconsistent");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_quorum),
	cmocka_unit_test(test_all_agree_verified),
	cmocka_unit_test(test_too_few_agree_unverified),
	cmocka_unit_test(test_one_bad_point_named),
	cmocka_unit_test(test_bad_points_in_the_base),
	cmocka_unit_test(test_one_element_wrong_in_long_vector),
	cmocka_unit_test(test_colluders_through_honest_points),
	cmocka_unit_test(test_dealer_spoils_honest_sumpoints),
	cmocka_unit_test(test_dealer_two_polynomials),
	cmocka_unit_test(test_verified_sums_agree),
	cmocka_unit_test(test_naming_matches_brute_force),
	cmocka_unit_test(test_naming_many_parties),
	cmocka_unit_test(test_bad_arguments),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
