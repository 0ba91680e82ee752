/*
 * test_core_shamir.c: unit tests of core/shamir.c: splitting, Lagrange
 * coefficients, reconstruction from any t + 1 sumpoints, the aggregate of
 * several parties, detection and naming of a tampered sumpoint, and the
 * refusal of bad arguments.
 *
 * Shares are checked against a naive reference interpolation written here
 * with 128-bit % arithmetic, not with the module's own Lagrange code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "amount.h"
#include "err.h"
#include "field.h"
#include "rng.h"
#include "shamir.h"

__extension__ typedef unsigned __int128 u128;

#define P FIELD_P

/* ---- reference arithmetic ------------------------------------------- */

static uint64_t
rmul(uint64_t a, uint64_t b)
{
	return (uint64_t)(((u128)a * b) % P);
}

static uint64_t
radd(uint64_t a, uint64_t b)
{
	return (uint64_t)(((u128)a + b) % P);
}

static uint64_t
rsub(uint64_t a, uint64_t b)
{
	return (uint64_t)(((u128)a + P - b) % P);
}

static uint64_t
rinv(uint64_t a)
{
	uint64_t r = 1, e = P - 2;

	while (e) {
		if (e & 1)
			r = rmul(r, a);
		a = rmul(a, a);
		e >>= 1;
	}
	return r;
}

/*
 * Value at `at` of the polynomial through (xs[k], ys[k]), k < m: the plain
 * Lagrange formula, kept as one fraction num/den so that it needs a single
 * inversion.
 */
static uint64_t
ref_interp(const uint64_t *xs, const uint64_t *ys, size_t m, uint64_t at)
{
	uint64_t num = 0, den = 1, n_k, d_k;
	size_t i, k;

	for (k = 0; k < m; k++) {
		n_k = ys[k];
		d_k = 1;
		for (i = 0; i < m; i++) {
			if (i == k)
				continue;
			n_k = rmul(n_k, rsub(at, xs[i]));
			d_k = rmul(d_k, rsub(xs[k], xs[i]));
		}
		/* num/den + n_k/d_k */
		num = radd(rmul(num, d_k), rmul(n_k, den));
		den = rmul(den, d_k);
	}
	return rmul(num, rinv(den));
}

static uint64_t
enc(int64_t x)
{
	uint64_t v = 0;

	assert_int_equal(field_from_int64(x, &v), SS_OK);
	return v;
}

static uint64_t rng_state = 0x5eed;

static uint64_t
sm64(void)
{
	return splitmix64(&rng_state);
}

/* Uniform in [-bound, bound], with both ends drawn on purpose now and then. */
static int64_t
rand_input(int64_t bound)
{
	uint64_t r = sm64();

	switch (r % 8) {
	case 0: return bound;
	case 1: return -bound;
	case 2: return 0;
	default:
		return (int64_t)(sm64() % (2 * (uint64_t)bound + 1)) - bound;
	}
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	assert_non_null(p);
	return p;
}

/* ---- split ------------------------------------------------------------ */

/*
 * Splits random inputs for (n, t, L) and checks, for each element, with the
 * reference: any t + 1 shares give the secret at 0, every share lies on
 * that polynomial (degree <= t), t shares alone do not give the secret
 * (degree exactly t, up to probability 2^-61), and shamir_combine agrees.
 */
static void
check_split(unsigned n, unsigned t, size_t L)
{
	uint64_t *sec = xcalloc(L, sizeof(*sec));
	uint64_t *sh = xcalloc((size_t)n * L, sizeof(*sh));
	uint64_t *xs = xcalloc(n, sizeof(*xs));
	uint64_t *col = xcalloc(n, sizeof(*col));
	uint64_t *out = xcalloc(L, sizeof(*out));
	const uint64_t **ys = xcalloc(n, sizeof(*ys));
	struct shamir_verdict v;
	int64_t bound = amount_bound(n);
	size_t e;
	unsigned j;

	for (e = 0; e < L; e++)
		sec[e] = enc(rand_input(bound));
	for (j = 0; j < n; j++) {
		xs[j] = (uint64_t)j + 1;
		ys[j] = sh + (size_t)j * L;
	}
	assert_int_equal(shamir_split(sec, L, n, t, sh), SS_OK);

	for (e = 0; e < L; e++) {
		for (j = 0; j < n; j++) {
			col[j] = sh[(size_t)j * L + e];
			assert_true(col[j] < P);
		}
		assert_int_equal(ref_interp(xs, col, t + 1, 0), sec[e]);
		/* The last t + 1 parties too, not only the first. */
		assert_int_equal(ref_interp(xs + (n - t - 1), col + (n - t - 1),
		    t + 1, 0), sec[e]);
		for (j = t + 1; j < n; j++)
			assert_int_equal(ref_interp(xs, col, t + 1, xs[j]),
			    col[j]);
		assert_int_not_equal(ref_interp(xs, col, t, 0), sec[e]);
	}

	memset(out, 0xff, L * sizeof(*out));
	assert_int_equal(shamir_combine(xs, ys, n, t, L, out, &v), SS_OK);
	assert_int_equal(v.consistent, 1);
	assert_int_equal(v.bad_point, -1);
	assert_memory_equal(out, sec, L * sizeof(*out));

	/* Only the last t + 1 sumpoints, and without a verdict. */
	memset(out, 0xff, L * sizeof(*out));
	assert_int_equal(shamir_combine(xs + (n - t - 1), ys + (n - t - 1),
	    t + 1, t, L, out, NULL), SS_OK);
	assert_memory_equal(out, sec, L * sizeof(*out));

	free(sec);
	free(sh);
	free(xs);
	free(col);
	free(out);
	free(ys);
}

static void
test_split_small(void **state)
{
	static const size_t lens[] = { 1, 2, 7, 1000 };
	unsigned n, t;
	size_t i;

	(void)state;
	for (n = 2; n <= 7; n++)
		for (t = 1; t < n; t++)
			for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
				check_split(n, t, lens[i]);
}

static void
test_split_blocks(void **state)
{
	(void)state;
	/* Several blocks plus a short last one, for small and large t. */
	check_split(10, 4, 3001);
	check_split(10, 9, 1001);
	check_split(3, 1, 10000);
	check_split(40, 39, 300);
	check_split(12, 5, 1);
}

static void
test_split_many_parties(void **state)
{
	(void)state;
	check_split(200, 100, 3);
	check_split(300, 299, 1);
}

/*
 * Monomial coefficients a[0..m) of the polynomial through (xs[k], ys[k]):
 * Newton's divided differences, then expansion of the Newton form.
 * inv[k * m + i] holds 1 / (xs[i] - xs[i - k]), shared by all calls.
 */
static void
ref_coefficients(const uint64_t *xs, const uint64_t *ys, size_t m,
    const uint64_t *inv, uint64_t *a)
{
	uint64_t *dd = xcalloc(m, sizeof(*dd));
	size_t i, k;

	memcpy(dd, ys, m * sizeof(*dd));
	for (k = 1; k < m; k++)
		for (i = m - 1; i >= k; i--)
			dd[i] = rmul(rsub(dd[i], dd[i - 1]), inv[k * m + i]);
	memset(a, 0, m * sizeof(*a));
	a[0] = dd[m - 1];
	for (k = m - 1; k-- > 0;) {
		/* a = a * (x - xs[k]) + dd[k] */
		for (i = m - 1; i > 0; i--)
			a[i] = rsub(a[i - 1], rmul(a[i], xs[k]));
		a[0] = radd(rmul(a[0], P - xs[k]), dd[k]);
	}
	free(dd);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Recovers every polynomial from n = t + 1 shares and checks that its
 * constant term is the secret, and that no coefficient is ever reused
 * across elements or degrees: fresh randomness in every block, including a
 * short last one.  (All equal secrets, so only the randomness differs.)
 */
static void
check_fresh_coefficients(unsigned t, size_t L)
{
	unsigned n = t + 1, j;
	uint64_t *sec = xcalloc(L, sizeof(*sec));
	uint64_t *sh = xcalloc((size_t)n * L, sizeof(*sh));
	uint64_t *xs = xcalloc(n, sizeof(*xs));
	uint64_t *col = xcalloc(n, sizeof(*col));
	uint64_t *a = xcalloc(n, sizeof(*a));
	uint64_t *all = xcalloc((size_t)t * L, sizeof(*all));
	uint64_t *inv = xcalloc((size_t)n * n, sizeof(*inv));
	size_t e, k, i;

	for (e = 0; e < L; e++)
		sec[e] = 42;
	for (j = 0; j < n; j++)
		xs[j] = (uint64_t)j + 1;
	for (k = 1; k < n; k++)
		for (i = k; i < n; i++)
			inv[k * n + i] = rinv(rsub(xs[i], xs[i - k]));
	assert_int_equal(shamir_split(sec, L, n, t, sh), SS_OK);
	for (e = 0; e < L; e++) {
		for (j = 0; j < n; j++)
			col[j] = sh[(size_t)j * L + e];
		ref_coefficients(xs, col, n, inv, a);
		assert_int_equal(a[0], 42);
		for (k = 1; k <= t; k++)
			all[e * t + (k - 1)] = a[k];
	}
	qsort(all, (size_t)t * L, sizeof(*all), cmp_u64);
	for (k = 1; k < (size_t)t * L; k++)
		assert_int_not_equal(all[k], all[k - 1]);
	free(sec);
	free(sh);
	free(xs);
	free(col);
	free(a);
	free(all);
	free(inv);
}

static void
test_split_fresh_coefficients(void **state)
{
	(void)state;
	check_fresh_coefficients(1, 5000);
	check_fresh_coefficients(4, 2500);
	check_fresh_coefficients(9, 1001);
	check_fresh_coefficients(100, 90);
	check_fresh_coefficients(499, 20);
}

static void
test_split_extremes(void **state)
{
	uint64_t sec[6], sh[6 * 3], xs[3] = { 1, 2, 3 }, col[3];
	size_t e;
	unsigned j;

	(void)state;
	sec[0] = 0;
	sec[1] = 1;
	sec[2] = P - 1;
	sec[3] = FIELD_HALF;
	sec[4] = FIELD_HALF + 1;
	sec[5] = enc(-amount_bound(3));
	assert_int_equal(shamir_split(sec, 6, 3, 2, sh), SS_OK);
	for (e = 0; e < 6; e++) {
		for (j = 0; j < 3; j++)
			col[j] = sh[j * 6 + e];
		assert_int_equal(ref_interp(xs, col, 3, 0), sec[e]);
	}
}

static void
test_split_is_random(void **state)
{
	uint64_t sec[4] = { 5, 5, 5, 5 }, a[4 * 4], b[4 * 4];
	size_t i, same = 0;

	(void)state;
	assert_int_equal(shamir_split(sec, 4, 4, 2, a), SS_OK);
	assert_int_equal(shamir_split(sec, 4, 4, 2, b), SS_OK);
	for (i = 0; i < 16; i++)
		same += a[i] == b[i];
	assert_int_equal(same, 0);
	/* Equal secrets in one call get different polynomials too. */
	assert_int_not_equal(a[0], a[1]);
	assert_int_not_equal(a[2], a[3]);
}

static void
test_split_invalid(void **state)
{
	uint64_t sec[2] = { 1, 2 }, sh[2 * 4];

	(void)state;
	assert_int_equal(shamir_split(NULL, 2, 4, 2, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 4, 2, NULL), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 0, 4, 2, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 4, 0, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 4, 4, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 4, 5, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 1, 1, sh), SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, 2, 0, 0, sh), SS_ERR_INVALID);
	/* n * L * 8 would overflow: refused before any memory is touched. */
	assert_int_equal(shamir_split(sec, SIZE_MAX / 16, 4, 2, sh),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_split(sec, SIZE_MAX, 2, 1, sh), SS_ERR_INVALID);
	/* A secret that is not a reduced element. */
	sec[1] = P;
	assert_int_equal(shamir_split(sec, 2, 4, 2, sh), SS_ERR_RANGE);
	sec[1] = UINT64_MAX;
	assert_int_equal(shamir_split(sec, 2, 4, 2, sh), SS_ERR_RANGE);
}

/* ---- Lagrange --------------------------------------------------------- */

static void
test_lagrange_known(void **state)
{
	uint64_t xs[3] = { 1, 2, 3 }, c[3], sum;
	uint64_t x2[2] = { 1, 2 };
	uint64_t ys[5] = { 17, 0, 0, 0, 0 };
	size_t k;

	(void)state;
	/* At 0 through 1, 2, 3: 3, -3, 1 (worked by hand). */
	assert_int_equal(shamir_lagrange(xs, 3, 0, c), SS_OK);
	assert_int_equal(c[0], 3);
	assert_int_equal(c[1], P - 3);
	assert_int_equal(c[2], 1);
	/* At 0 through 1, 2: 2, -1. */
	assert_int_equal(shamir_lagrange(x2, 2, 0, c), SS_OK);
	assert_int_equal(c[0], 2);
	assert_int_equal(c[1], P - 1);
	/* At one of the points: the unit vector. */
	assert_int_equal(shamir_lagrange(xs, 3, 2, c), SS_OK);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], 1);
	assert_int_equal(c[2], 0);
	/* At 4: (4-2)(4-3)/2 = 1, (4-1)(4-3)/-1 = -3, (4-1)(4-2)/2 = 3. */
	assert_int_equal(shamir_lagrange(xs, 3, 4, c), SS_OK);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], P - 3);
	assert_int_equal(c[2], 3);
	/* A single point: the constant polynomial. */
	assert_int_equal(shamir_lagrange(ys, 1, 0, c), SS_OK);
	assert_int_equal(c[0], 1);
	/* Coefficients sum to 1 at any point (interpolating the constant 1). */
	assert_int_equal(shamir_lagrange(xs, 3, P - 1, c), SS_OK);
	for (sum = 0, k = 0; k < 3; k++)
		sum = radd(sum, c[k]);
	assert_int_equal(sum, 1);
}

static void
test_lagrange_random(void **state)
{
	uint64_t xs[20], ys[20], c[20], at, got, unit[20];
	size_t m, k, i;
	int round;

	(void)state;
	for (round = 0; round < 50; round++) {
		m = 1 + (size_t)(sm64() % 20);
		for (k = 0; k < m; k++) {
			/* Distinct, non-zero, anywhere in the field. */
			do {
				xs[k] = 1 + sm64() % (P - 1);
				for (i = 0; i < k && xs[i] != xs[k]; i++)
					;
			} while (i < k);
			ys[k] = sm64() % P;
		}
		at = sm64() % P;
		assert_int_equal(shamir_lagrange(xs, m, at, c), SS_OK);
		for (got = 0, k = 0; k < m; k++)
			got = radd(got, rmul(c[k], ys[k]));
		assert_int_equal(got, ref_interp(xs, ys, m, at));
		/* Each coefficient is the basis polynomial's value. */
		for (k = 0; k < m; k++) {
			memset(unit, 0, sizeof(unit));
			unit[k] = 1;
			assert_int_equal(c[k], ref_interp(xs, unit, m, at));
		}
	}
}

static void
test_lagrange_invalid(void **state)
{
	uint64_t xs[3] = { 1, 2, 3 }, c[3];

	(void)state;
	assert_int_equal(shamir_lagrange(NULL, 3, 0, c), SS_ERR_INVALID);
	assert_int_equal(shamir_lagrange(xs, 3, 0, NULL), SS_ERR_INVALID);
	assert_int_equal(shamir_lagrange(xs, 0, 0, c), SS_ERR_INVALID);
	assert_int_equal(shamir_lagrange(xs, 3, P, c), SS_ERR_INVALID);
	xs[2] = 1;
	assert_int_equal(shamir_lagrange(xs, 3, 0, c), SS_ERR_INVALID);
	xs[2] = 0;
	assert_int_equal(shamir_lagrange(xs, 3, 0, c), SS_ERR_INVALID);
	xs[2] = P;
	assert_int_equal(shamir_lagrange(xs, 3, 0, c), SS_ERR_INVALID);
	xs[2] = P + 1;	/* would alias x = 1 if reduced silently */
	assert_int_equal(shamir_lagrange(xs, 3, 0, c), SS_ERR_INVALID);
}

/* ---- the aggregate ----------------------------------------------------- */

/*
 * `np` parties with inputs drawn up to ±amount_bound(n) each split their
 * vector; each party j adds the shares addressed to it into its sumpoint;
 * any t + 1 sumpoints then give the element-wise sum of the inputs.
 */
static void
check_aggregate(unsigned n, unsigned t, size_t L, int mode)
{
	int64_t *in = xcalloc((size_t)n * L, sizeof(*in));
	int64_t *want = xcalloc(L, sizeof(*want));
	uint64_t *sec = xcalloc(L, sizeof(*sec));
	uint64_t *sh = xcalloc((size_t)n * L, sizeof(*sh));
	uint64_t *sum = xcalloc((size_t)n * L, sizeof(*sum));
	uint64_t *xs = xcalloc(n, sizeof(*xs));
	uint64_t *out = xcalloc(L, sizeof(*out));
	const uint64_t **ys = xcalloc(n, sizeof(*ys));
	struct shamir_verdict v;
	int64_t bound = amount_bound(n);
	size_t e, idx;
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (e = 0; e < L; e++) {
			idx = (size_t)i * L + e;
			/* mode 1: all at +bound; mode 2: all at -bound. */
			in[idx] = mode == 1 ? bound : mode == 2 ? -bound :
			    rand_input(bound);
			sec[e] = enc(in[idx]);
			want[e] += in[idx];
		}
		assert_int_equal(shamir_split(sec, L, n, t, sh), SS_OK);
		for (j = 0; j < n; j++)
			for (e = 0; e < L; e++) {
				idx = (size_t)j * L + e;
				sum[idx] = field_add(sum[idx], sh[idx]);
			}
	}
	for (j = 0; j < n; j++) {
		xs[j] = (uint64_t)j + 1;
		ys[j] = sum + (size_t)j * L;
	}
	assert_int_equal(shamir_combine(xs, ys, n, t, L, out, &v), SS_OK);
	assert_int_equal(v.consistent, 1);
	for (e = 0; e < L; e++)
		assert_int_equal(field_to_int64(out[e]), want[e]);
	assert_int_equal(shamir_combine(xs + (n - t - 1), ys + (n - t - 1),
	    t + 1, t, L, out, &v), SS_OK);
	for (e = 0; e < L; e++)
		assert_int_equal(field_to_int64(out[e]), want[e]);
	if (mode == 1)
		assert_true(want[0] <= (int64_t)FIELD_HALF &&
		    want[0] > (int64_t)FIELD_HALF - (int64_t)n);

	free(in);
	free(want);
	free(sec);
	free(sh);
	free(sum);
	free(xs);
	free(out);
	free(ys);
}

static void
test_aggregate(void **state)
{
	int mode;

	(void)state;
	for (mode = 0; mode < 3; mode++) {
		check_aggregate(2, 1, 10, mode);
		check_aggregate(5, 2, 100, mode);
		check_aggregate(7, 6, 33, mode);
		check_aggregate(10, 4, 1000, mode);
	}
}

/*
 * n = 6, t = 2: every subset of 3 or more sumpoints, in a shuffled order,
 * reconstructs the same total.
 */
static void
test_every_subset(void **state)
{
	enum { N = 6, T = 2, L = 5, PARTIES = 4 };
	uint64_t sec[L], sh[N * L], sum[N * L], xs[N], out[L];
	const uint64_t *ys[N];
	unsigned member[N];
	int64_t want[L];
	struct shamir_verdict v;
	unsigned mask, i, j, m, subsets = 0;
	size_t e;

	(void)state;
	memset(sum, 0, sizeof(sum));
	memset(want, 0, sizeof(want));
	for (i = 0; i < PARTIES; i++) {
		for (e = 0; e < L; e++) {
			int64_t x = rand_input(amount_bound(PARTIES));

			sec[e] = enc(x);
			want[e] += x;
		}
		assert_int_equal(shamir_split(sec, L, N, T, sh), SS_OK);
		for (e = 0; e < N * L; e++)
			sum[e] = field_add(sum[e], sh[e]);
	}
	for (mask = 0; mask < (1u << N); mask++) {
		for (m = 0, j = 0; j < N; j++)
			if (mask & (1u << j))
				member[m++] = j;
		/* Rotated by mask so that the base is not always the lowest x. */
		for (i = 0; i < m; i++) {
			j = member[(i + mask) % m];
			xs[i] = (uint64_t)j + 1;
			ys[i] = sum + (size_t)j * L;
		}
		if (m < T + 1) {
			assert_int_equal(shamir_combine(xs, ys, m, T, L, out,
			    &v), SS_ERR_INVALID);
			continue;
		}
		assert_int_equal(shamir_combine(xs, ys, m, T, L, out, &v), SS_OK);
		assert_int_equal(v.consistent, 1);
		for (e = 0; e < L; e++)
			assert_int_equal(field_to_int64(out[e]), want[e]);
		subsets++;
	}
	/* C(6,3) + C(6,4) + C(6,5) + C(6,6) = 20 + 15 + 6 + 1 */
	assert_int_equal(subsets, 42);
}

/* ---- tampering ---------------------------------------------------------- */

struct fixture {
	unsigned n, t;
	size_t L;
	uint64_t *sec, *sh, *xs;
	const uint64_t **ys;
	uint64_t *out;
};

static void
fixture_make(struct fixture *f, unsigned n, unsigned t, size_t L)
{
	size_t e;
	unsigned j;

	f->n = n;
	f->t = t;
	f->L = L;
	f->sec = xcalloc(L, sizeof(*f->sec));
	f->sh = xcalloc((size_t)n * L, sizeof(*f->sh));
	f->xs = xcalloc(n, sizeof(*f->xs));
	f->ys = xcalloc(n, sizeof(*f->ys));
	f->out = xcalloc(L, sizeof(*f->out));
	for (e = 0; e < L; e++)
		f->sec[e] = sm64() % P;
	assert_int_equal(shamir_split(f->sec, L, n, t, f->sh), SS_OK);
	for (j = 0; j < n; j++) {
		f->xs[j] = (uint64_t)j + 1;
		f->ys[j] = f->sh + (size_t)j * L;
	}
}

static void
fixture_free(struct fixture *f)
{
	free(f->sec);
	free(f->sh);
	free(f->xs);
	free(f->ys);
	free(f->out);
}

static void
tamper(struct fixture *f, unsigned j, size_t e, uint64_t delta)
{
	uint64_t *p = f->sh + (size_t)j * f->L + e;

	*p = field_add(*p, delta);
}

/*
 * The definition, by brute force through the public API: the candidates are
 * the points whose removal leaves a consistent set.  Returns the single
 * candidate, or -1 when there are none or several.
 */
static long
brute_force_culprit(const struct fixture *f)
{
	uint64_t xs[64];
	const uint64_t *ys[64];
	long found = -1;
	unsigned k, j, m;
	int rc, ncand = 0;

	assert_true(f->n <= 64);
	for (k = 0; k < f->n; k++) {
		for (m = 0, j = 0; j < f->n; j++) {
			if (j == k)
				continue;
			xs[m] = f->xs[j];
			ys[m] = f->ys[j];
			m++;
		}
		rc = shamir_combine(xs, ys, m, f->t, f->L, f->out, NULL);
		assert_true(rc == SS_OK || rc == SS_ERR_INCONSISTENT);
		if (rc == SS_OK) {
			ncand++;
			found = (long)k;
		}
	}
	return ncand == 1 ? found : -1;
}

static void
test_tamper_named(void **state)
{
	struct fixture f;
	struct shamir_verdict v;
	unsigned k;

	(void)state;
	/* m = 7 >= t + 3 = 5: a single bad point, anywhere, is named. */
	for (k = 0; k < 7; k++) {
		fixture_make(&f, 7, 2, 50);
		tamper(&f, k, 3, 1);
		tamper(&f, k, 17, sm64() % (P - 1) + 1);
		tamper(&f, k, 49, P - 1);
		memset(&v, 0x55, sizeof(v));
		assert_int_equal(shamir_combine(f.xs, f.ys, 7, 2, 50, f.out,
		    &v), SS_ERR_INCONSISTENT);
		assert_int_equal(v.consistent, 0);
		assert_int_equal(v.bad_point, (long)k);
		assert_int_equal(v.first_bad_element, 3);
		assert_int_equal(brute_force_culprit(&f), (long)k);
		/* Without a verdict: still refused. */
		assert_int_equal(shamir_combine(f.xs, f.ys, 7, 2, 50, f.out,
		    NULL), SS_ERR_INCONSISTENT);
		fixture_free(&f);
	}
	/* The smallest case that can name: m = t + 3, and t = 1. */
	for (k = 0; k < 4; k++) {
		fixture_make(&f, 4, 1, 1);
		tamper(&f, k, 0, 12345);
		assert_int_equal(shamir_combine(f.xs, f.ys, 4, 1, 1, f.out, &v),
		    SS_ERR_INCONSISTENT);
		assert_int_equal(v.bad_point, (long)k);
		assert_int_equal(v.first_bad_element, 0);
		fixture_free(&f);
	}
}

static void
test_tamper_many_parties(void **state)
{
	struct fixture f;
	struct shamir_verdict v;

	(void)state;
	fixture_make(&f, 60, 20, 4);
	tamper(&f, 0, 2, 1);		/* in the base */
	assert_int_equal(shamir_combine(f.xs, f.ys, 60, 20, 4, f.out, &v),
	    SS_ERR_INCONSISTENT);
	assert_int_equal(v.bad_point, 0);
	assert_int_equal(v.first_bad_element, 2);
	tamper(&f, 0, 2, P - 1);	/* undo */
	tamper(&f, 59, 1, 7);		/* an extra point */
	assert_int_equal(shamir_combine(f.xs, f.ys, 60, 20, 4, f.out, &v),
	    SS_ERR_INCONSISTENT);
	assert_int_equal(v.bad_point, 59);
	assert_int_equal(v.first_bad_element, 1);
	assert_int_equal(brute_force_culprit(&f), 59);
	fixture_free(&f);
}

static void
test_tamper_unnamed(void **state)
{
	struct fixture f;
	struct shamir_verdict v;
	unsigned k;

	(void)state;
	/* m = t + 2: detected, but any point could be the culprit. */
	for (k = 0; k < 4; k++) {
		fixture_make(&f, 4, 2, 10);
		tamper(&f, k, 6, 99);
		assert_int_equal(shamir_combine(f.xs, f.ys, 4, 2, 10, f.out,
		    &v), SS_ERR_INCONSISTENT);
		assert_int_equal(v.consistent, 0);
		assert_int_equal(v.bad_point, -1);
		assert_int_equal(v.first_bad_element, 6);
		assert_int_equal(brute_force_culprit(&f), -1);
		fixture_free(&f);
	}

	/* Two bad points in different elements: no single culprit. */
	fixture_make(&f, 7, 2, 20);
	tamper(&f, 1, 4, 5);
	tamper(&f, 5, 9, 5);
	assert_int_equal(shamir_combine(f.xs, f.ys, 7, 2, 20, f.out, &v),
	    SS_ERR_INCONSISTENT);
	assert_int_equal(v.bad_point, -1);
	assert_int_equal(v.first_bad_element, 4);
	assert_int_equal(brute_force_culprit(&f), -1);
	fixture_free(&f);

	/* Two bad points in one element; m - t = 5 so they cannot pass for one. */
	fixture_make(&f, 7, 2, 3);
	tamper(&f, 0, 1, 5);
	tamper(&f, 6, 1, 8);
	assert_int_equal(shamir_combine(f.xs, f.ys, 7, 2, 3, f.out, &v),
	    SS_ERR_INCONSISTENT);
	assert_int_equal(v.bad_point, -1);
	assert_int_equal(v.first_bad_element, 1);
	assert_int_equal(brute_force_culprit(&f), -1);
	fixture_free(&f);

	/* With m = t + 1 there is nothing to check against: accepted. */
	fixture_make(&f, 3, 2, 2);
	tamper(&f, 1, 0, 5);
	assert_int_equal(shamir_combine(f.xs, f.ys, 3, 2, 2, f.out, &v), SS_OK);
	assert_int_equal(v.consistent, 1);
	fixture_free(&f);
}

/* Random single tampering agrees with the brute-force definition. */
static void
test_tamper_agrees_with_brute_force(void **state)
{
	struct fixture f;
	struct shamir_verdict v;
	unsigned n, t, k, bad;
	int round, rc;

	(void)state;
	for (round = 0; round < 60; round++) {
		n = 3 + (unsigned)(sm64() % 8);
		t = 1 + (unsigned)(sm64() % (n - 1));
		fixture_make(&f, n, t, 6);
		/* Usually one point, sometimes two, in random elements. */
		bad = 1 + (unsigned)(sm64() % 4 == 0);
		for (k = 0; k < bad; k++)
			tamper(&f, (unsigned)(sm64() % n), (size_t)(sm64() % 6),
			    1 + sm64() % (P - 1));
		rc = shamir_combine(f.xs, f.ys, n, t, 6, f.out, &v);
		if (n == t + 1) {
			assert_int_equal(rc, SS_OK);
		} else {
			assert_int_equal(rc, SS_ERR_INCONSISTENT);
			if (n >= t + 3)
				assert_int_equal(v.bad_point,
				    brute_force_culprit(&f));
			else
				assert_int_equal(v.bad_point, -1);
		}
		fixture_free(&f);
	}
}

static void
test_combine_invalid(void **state)
{
	uint64_t sh[4 * 2], xs[4] = { 1, 2, 3, 4 }, out[2], sec[2] = { 1, 2 };
	const uint64_t *ys[4] = { sh, sh + 2, sh + 4, sh + 6 };
	struct shamir_verdict v;

	(void)state;
	assert_int_equal(shamir_split(sec, 2, 4, 2, sh), SS_OK);
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v), SS_OK);

	assert_int_equal(shamir_combine(NULL, ys, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, NULL, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, NULL, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 0, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, 0, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 2, 2, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 0, 2, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, 4, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, UINT32_MAX, 2, out, &v),
	    SS_ERR_INVALID);
	assert_int_equal(shamir_combine(xs, ys, 4, 2, SIZE_MAX, out, &v),
	    SS_ERR_INVALID);

	xs[3] = 2;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	xs[3] = 0;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	xs[3] = P + 4;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	xs[3] = 4;

	ys[2] = NULL;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_INVALID);
	ys[2] = sh + 4;

	/* A sumpoint that is not a reduced element. */
	sh[5] = P;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_RANGE);
	sh[5] = UINT64_MAX;
	assert_int_equal(shamir_combine(xs, ys, 4, 2, 2, out, &v),
	    SS_ERR_RANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_small),
		cmocka_unit_test(test_split_blocks),
		cmocka_unit_test(test_split_many_parties),
		cmocka_unit_test(test_split_fresh_coefficients),
		cmocka_unit_test(test_split_extremes),
		cmocka_unit_test(test_split_is_random),
		cmocka_unit_test(test_split_invalid),
		cmocka_unit_test(test_lagrange_known),
		cmocka_unit_test(test_lagrange_random),
		cmocka_unit_test(test_lagrange_invalid),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_every_subset),
		cmocka_unit_test(test_tamper_named),
		cmocka_unit_test(test_tamper_many_parties),
		cmocka_unit_test(test_tamper_unnamed),
		cmocka_unit_test(test_tamper_agrees_with_brute_force),
		cmocka_unit_test(test_combine_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
