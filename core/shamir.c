/*
 * shamir.c: Shamir sharing of vectors over GF(2^61 - 1), Lagrange
 * interpolation, and the reconstruction of the aggregate with its
 * consistency check and single-culprit identification.
 *
 * Splitting works on blocks of elements so that the coefficients in memory
 * (and the secrets to wipe) stay O(block * t) whatever the vector length,
 * and so that each party's row of shares is written sequentially.
 *
 * Combining picks a base of t + 1 points, interpolates at 0 from it, and
 * predicts every other ("extra") point from it; the differences between
 * prediction and point are the syndromes.  A single wrong point leaves a
 * recognisable pattern in them (see classify_syndromes), which identifies
 * the culprit in one pass instead of re-running the check with each point
 * left out.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "field.h"
#include "shamir.h"

/*
 * Coefficient words drawn per block: 32 KiB keeps the block's coefficients
 * in L1/L2 while every party's row is evaluated from them.
 */
#define SPLIT_BLOCK_WORDS 4096

/* Returns a * b elements of size sz, or NULL on overflow or failure. */
static void *
alloc_array(size_t a, size_t b, size_t sz)
{
	if (a == 0 || b == 0 || sz == 0)
		return NULL;
	if (a > SIZE_MAX / b || a * b > SIZE_MAX / sz)
		return NULL;
	return calloc(a * b, sz);
}

int
shamir_split(const uint64_t *secrets, size_t L, unsigned n, unsigned t,
    uint64_t *shares)
{
	uint64_t *coef = NULL;
	uint64_t out_of_range = 0;
	size_t block, e0, nb, e, coef_len = 0;
	unsigned j, k;
	int r = SS_ERR_INTERNAL;

	if (secrets == NULL || shares == NULL || L == 0)
		return SS_ERR_INVALID;
	if (t < 1 || t >= n)
		return SS_ERR_INVALID;
	/* shares[j * L + e] must be addressable for every j < n. */
	if (L > SIZE_MAX / sizeof(*shares) / n)
		return SS_ERR_INVALID;

	/*
	 * Accumulated without a branch per element so that the check does not
	 * time individual secrets; the verdict is public either way.
	 */
	for (e = 0; e < L; e++)
		out_of_range |= (uint64_t)(secrets[e] >= FIELD_P);
	if (out_of_range)
		return SS_ERR_RANGE;

	block = SPLIT_BLOCK_WORDS / t;
	if (block == 0)
		block = 1;
	if (block > L)
		block = L;
	/* coef[k * block + e]: coefficient of x^(k+1) for element e0 + e. */
	if ((coef = alloc_array(block, t, sizeof(*coef))) == NULL)
		return SS_ERR_ALLOC;
	coef_len = block * t;

	for (e0 = 0; e0 < L; e0 += nb) {
		nb = L - e0 < block ? L - e0 : block;
		if ((r = field_random(coef, nb * t)) != SS_OK)
			goto out;
		/*
		 * Horner's rule, run across the whole block one coefficient at
		 * a time with the party's row of shares as the accumulator:
		 * sequential writes, and an inner loop free of dependencies.
		 * The coefficients just drawn are packed with stride nb, which
		 * is less than block in a short final block.
		 */
		for (j = 0; j < n; j++) {
			uint64_t x = (uint64_t)j + 1;
			uint64_t *row = shares + (size_t)j * L + e0;
			const uint64_t *top = coef + (size_t)(t - 1) * nb;

			for (e = 0; e < nb; e++)
				row[e] = top[e];
			for (k = t - 1; k-- > 0;) {
				const uint64_t *c = coef + (size_t)k * nb;

				for (e = 0; e < nb; e++)
					row[e] = field_add(field_mul(row[e], x),
					    c[e]);
			}
			for (e = 0; e < nb; e++)
				row[e] = field_add(field_mul(row[e], x),
				    secrets[e0 + e]);
		}
	}
	r = SS_OK;
 out:
	OPENSSL_cleanse(coef, coef_len * sizeof(*coef));
	free(coef);
	/* A partial set of shares is of no use and still secret. */
	if (r != SS_OK)
		OPENSSL_cleanse(shares, (size_t)n * L * sizeof(*shares));
	return r;
}

/* Distinct, non-zero, reduced x-coordinates: anything else is no share. */
static int
xs_valid(const uint64_t *xs, size_t m)
{
	size_t i, k;

	for (k = 0; k < m; k++) {
		if (xs[k] == 0 || xs[k] >= FIELD_P)
			return 0;
		for (i = 0; i < k; i++)
			if (xs[i] == xs[k])
				return 0;
	}
	return 1;
}

/* Barycentric weights w[k] = 1 / prod_{i != k} (xs[k] - xs[i]). */
static void
bary_weights(const uint64_t *xs, size_t m, uint64_t *w)
{
	size_t i, k;
	uint64_t d;

	for (k = 0; k < m; k++) {
		d = 1;
		for (i = 0; i < m; i++)
			if (i != k)
				d = field_mul(d, field_sub(xs[k], xs[i]));
		/* Non-zero because the xs are distinct. */
		w[k] = field_inv(d);
	}
}

/*
 * coef[k] = w[k] * prod_{i != k} (at - xs[i]), from prefix and suffix
 * products: O(m) and no inversion, and correct even when at is one of xs.
 */
static void
lagrange_from_weights(const uint64_t *xs, const uint64_t *w, size_t m,
    uint64_t at, uint64_t *coef)
{
	size_t k;
	uint64_t suffix = 1;

	/* First pass: coef[k] = prod_{i < k} (at - xs[i]). */
	coef[0] = 1;
	for (k = 1; k < m; k++)
		coef[k] = field_mul(coef[k - 1], field_sub(at, xs[k - 1]));
	for (k = m; k-- > 0;) {
		coef[k] = field_mul(field_mul(coef[k], suffix), w[k]);
		suffix = field_mul(suffix, field_sub(at, xs[k]));
	}
}

int
shamir_lagrange(const uint64_t *xs, size_t m, uint64_t at, uint64_t *coef)
{
	uint64_t *w;

	if (xs == NULL || coef == NULL || m == 0 || at >= FIELD_P)
		return SS_ERR_INVALID;
	if (!xs_valid(xs, m))
		return SS_ERR_INVALID;
	if ((w = alloc_array(m, 1, sizeof(*w))) == NULL)
		return SS_ERR_ALLOC;
	bary_weights(xs, m, w);
	lagrange_from_weights(xs, w, m, at, coef);
	free(w);
	return SS_OK;
}

/* What one element's syndromes say about a single bad point. */
#define NO_CULPRIT (-1L)

/*
 * Given the non-zero syndrome vector s[0..ne) of one element (s[j] = point
 * of extra j minus its prediction from the base), returns the index into xs
 * of the one point whose error alone explains it, or NO_CULPRIT.
 *
 * With base size b = t + 1 and pred[j][k] the Lagrange coefficient of base
 * point k at extra point j (never zero: the xs are distinct):
 *  - an error d in extra point j0 alone gives s[j0] = d and s[j] = 0 else;
 *  - an error d in base point k alone gives s[j] = -d * pred[j][k] for all j,
 *    all non-zero and proportional to column k.
 * Leaving out point k makes the rest consistent exactly when the error is
 * confined to k, so these two tests are the "check all others" test for
 * every candidate.  With ne >= 2 (m >= t + 3) the code has distance >= 3 and
 * at most one candidate passes; callers only ask then.
 */
static long
classify_syndromes(const uint64_t *s, size_t ne, const uint64_t *pred,
    size_t b)
{
	size_t j, k, nonzero = 0, last = 0;
	long found = NO_CULPRIT;
	int ok;

	for (j = 0; j < ne; j++) {
		if (s[j] != 0) {
			nonzero++;
			last = j;
		}
	}
	if (nonzero == 1)
		return (long)(b + last);
	if (nonzero != ne)
		return NO_CULPRIT;
	for (k = 0; k < b; k++) {
		ok = 1;
		/* s[j] / pred[j][k] == s[0] / pred[0][k], cross-multiplied. */
		for (j = 1; j < ne && ok; j++)
			ok = field_mul(s[j], pred[k]) ==
			    field_mul(s[0], pred[j * b + k]);
		if (ok) {
			if (found != NO_CULPRIT)
				return NO_CULPRIT;	/* not unique */
			found = (long)k;
		}
	}
	return found;
}

/* Whether combine's arguments make sense: SS_OK, INVALID or RANGE. */
static int
combine_args_valid(const uint64_t *xs, const uint64_t *const *ys, size_t m,
    unsigned t, size_t L, const uint64_t *secret)
{
	size_t k, e;

	if (xs == NULL || ys == NULL || secret == NULL || L == 0 ||
	    L > SIZE_MAX / sizeof(*secret))
		return SS_ERR_INVALID;
	/* m > t is m >= t + 1 without overflowing t + 1. */
	if (t < 1 || m <= t)
		return SS_ERR_INVALID;
	if (m > (size_t)LONG_MAX)
		return SS_ERR_INVALID;	/* bad_point could not name them */
	if (!xs_valid(xs, m))
		return SS_ERR_INVALID;
	/* Sumpoints come from the network: refuse what is not an element. */
	for (k = 0; k < m; k++) {
		if (ys[k] == NULL)
			return SS_ERR_INVALID;
		for (e = 0; e < L; e++)
			if (ys[k][e] >= FIELD_P)
				return SS_ERR_RANGE;
	}
	return SS_OK;
}

/*
 * What combine precomputes once, so that its pass over the elements costs
 * O(m * b) each: the first b = t + 1 points interpolate, the ne others are
 * checked against them.
 */
struct combine {
	const uint64_t *const *ys;
	size_t b, ne;
	uint64_t *w;       /* [b] barycentric weights */
	uint64_t *at0;     /* [b] Lagrange coefficients at 0 */
	uint64_t *pred;    /* [ne][b] coefficients at each extra point */
	uint64_t *syn;     /* [ne] syndromes of the current element */
};

static void
combine_free(struct combine *cb)
{
	free(cb->w);
	free(cb->at0);
	free(cb->pred);
	free(cb->syn);
}

static int
combine_init(struct combine *cb, const uint64_t *xs,
    const uint64_t *const *ys, size_t m, unsigned t)
{
	size_t j;

	memset(cb, 0, sizeof(*cb));
	cb->ys = ys;
	cb->b = (size_t)t + 1;
	cb->ne = m - cb->b;
	if ((cb->w = alloc_array(cb->b, 1, sizeof(*cb->w))) == NULL ||
	    (cb->at0 = alloc_array(cb->b, 1, sizeof(*cb->at0))) == NULL ||
	    (cb->ne > 0 &&
	    ((cb->pred = alloc_array(cb->ne, cb->b, sizeof(*cb->pred))) == NULL ||
	    (cb->syn = alloc_array(cb->ne, 1, sizeof(*cb->syn))) == NULL))) {
		combine_free(cb);
		return SS_ERR_ALLOC;
	}
	bary_weights(xs, cb->b, cb->w);
	lagrange_from_weights(xs, cb->w, cb->b, 0, cb->at0);
	for (j = 0; j < cb->ne; j++)
		lagrange_from_weights(xs, cb->w, cb->b, xs[cb->b + j],
		    cb->pred + j * cb->b);
	return SS_OK;
}

/* sum over k < b of coef[k] * ys[k][e] */
static uint64_t
combine_dot(const struct combine *cb, const uint64_t *coef, size_t e)
{
	uint64_t acc = 0;
	size_t k;

	for (k = 0; k < cb->b; k++)
		acc = field_add(acc, field_mul(coef[k], cb->ys[k][e]));
	return acc;
}

/*
 * Element e: its secret, and its syndromes in cb->syn. 1 if every extra
 * point lies on the polynomial through the first b, else 0.
 */
static int
combine_element(struct combine *cb, size_t e, uint64_t *secret)
{
	size_t j;
	int consistent = 1;

	*secret = combine_dot(cb, cb->at0, e);
	for (j = 0; j < cb->ne; j++) {
		cb->syn[j] = field_sub(cb->ys[cb->b + j][e],
		    combine_dot(cb, cb->pred + j * cb->b, e));
		if (cb->syn[j] != 0)
			consistent = 0;
	}
	return consistent;
}

/*
 * The pass over the elements. Returns the index of the first inconsistent
 * element, or L; *culprit gets the one point every inconsistent element
 * blames, or NO_CULPRIT. Stops early once no culprit can be named.
 */
static size_t
combine_pass(struct combine *cb, size_t L, int identify, uint64_t *secret,
    long *culprit)
{
	size_t e, first = L;
	long c;

	*culprit = NO_CULPRIT;
	for (e = 0; e < L; e++) {
		if (combine_element(cb, e, &secret[e]))
			continue;
		c = identify ? classify_syndromes(cb->syn, cb->ne, cb->pred,
		    cb->b) : NO_CULPRIT;
		if (first == L) {
			first = e;
			*culprit = c;
		} else if (c != *culprit)
			*culprit = NO_CULPRIT;
		/* Every mismatching element must blame the same point. */
		if (*culprit == NO_CULPRIT)
			break;
	}
	return first;
}

int
shamir_combine(const uint64_t *xs, const uint64_t *const *ys, size_t m,
    unsigned t, size_t L, uint64_t *secret, struct shamir_verdict *verdict)
{
	struct combine cb;
	size_t first;
	long culprit;
	int r;

	if (verdict != NULL) {
		verdict->consistent = 0;
		verdict->bad_point = -1;
		verdict->first_bad_element = 0;
	}
	if ((r = combine_args_valid(xs, ys, m, t, L, secret)) != SS_OK)
		return r;
	if ((r = combine_init(&cb, xs, ys, m, t)) != SS_OK)
		return r;
	/*
	 * With one extra point every point is a candidate (any t + 1 points
	 * fit some polynomial), so no culprit can be named.
	 */
	first = combine_pass(&cb, L, cb.ne >= 2 && verdict != NULL, secret,
	    &culprit);
	combine_free(&cb);
	if (first < L) {
		/* Not a sum anyone should print, even by mistake. */
		memset(secret, 0, L * sizeof(*secret));
		if (verdict != NULL) {
			verdict->first_bad_element = first;
			verdict->bad_point = culprit;
		}
		return SS_ERR_INCONSISTENT;
	}
	if (verdict != NULL)
		verdict->consistent = 1;
	return SS_OK;
}
