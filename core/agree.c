/*
 * agree.c: reconstruction by agreement; see agree.h for the rule and
 * docs/PROTOCOL.md sections 11 and 21 for why it holds.
 *
 * The sum and the all-agree check are shamir_combine's. Only when the
 * points disagree does this file do more: it looks for the polynomial of at
 * least Q points, element by element, to say which points are off it. Per
 * element, the polynomial through the first t + 1 remaining points is tried
 * first (it is the one whenever those points are on it); when it has fewer
 * than Q points, Gao's decoder ("A new algorithm for decoding Reed-Solomon
 * codes", 2003) finds the polynomial that agrees with at least
 * (a + t + 1) / 2 of the a remaining points, if there is one, and Q is at
 * least that many (a <= n). A candidate is accepted only after counting
 * that Q points lie on it, so the decoder can miss nothing and invent
 * nothing. The remaining points shrink to those on the polynomial; a point
 * off it in any element is off it.
 *
 * Positions are small integers, so the inverses of their differences come
 * from a table of 1/d for d < n instead of an inversion each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"
#include "err.h"
#include "field.h"
#include "params.h"
#include "shamir.h"

uint32_t
agree_quorum(uint32_t n, uint32_t t)
{
	return n / 2 + t + 1;
}

const char *
agree_label_name(enum agree_label label)
{
	switch (label) {
	case AGREE_TOO_FEW:      return "too few sumpoints";
	case AGREE_UNVERIFIED:   return "unverified";
	case AGREE_VERIFIED:     return "verified";
	case AGREE_INCONSISTENT: return "inconsistent";
	}
	return "?";
}

/* ---- polynomials over GF(p), lowest coefficient first ----------------- */

/* The degree of c[0..d], trailing zeros dropped; -1 for zero. */
static int
poly_trim(const uint64_t *c, int d)
{
	while (d >= 0 && c[d] == 0)
		d--;
	return d;
}

/* c *= (x - root); c has room for one more coefficient. */
static void
poly_mul_linear(uint64_t *c, int *d, uint64_t root)
{
	int i;

	if (*d < 0)
		return;
	c[*d + 1] = c[*d];
	for (i = *d; i > 0; i--)
		c[i] = field_sub(c[i - 1], field_mul(root, c[i]));
	c[0] = field_neg(field_mul(root, c[0]));
	(*d)++;
}

static uint64_t
poly_eval(const uint64_t *c, int d, uint64_t x)
{
	uint64_t r = 0;
	int i;

	for (i = d; i >= 0; i--)
		r = field_add(field_mul(r, x), c[i]);
	return r;
}

/*
 * a = q * b + r, deg r < deg b, b non-zero: q into q (zeroed first), r in
 * place of a. Every array is zero above its degree, and stays so.
 */
static void
poly_divmod(uint64_t *a, int *da, const uint64_t *b, int db, uint64_t *q,
    int *dq)
{
	uint64_t lead_inv = field_inv(b[db]), k;
	int i, j;

	*dq = *da - db;
	if (*dq < 0) {
		*dq = -1;
		return;
	}
	memset(q, 0, ((size_t)*dq + 1) * sizeof(*q));
	for (i = *dq; i >= 0; i--) {
		k = field_mul(a[i + db], lead_inv);
		q[i] = k;
		for (j = 0; j <= db; j++)
			a[i + j] = field_sub(a[i + j], field_mul(k, b[j]));
	}
	*da = poly_trim(a, db - 1);
}

/* v -= q * w. */
static void
poly_sub_mul(uint64_t *v, int *dv, const uint64_t *q, int dq,
    const uint64_t *w, int dw)
{
	int i, j, top = dq + dw;

	if (dq < 0 || dw < 0)
		return;
	for (i = 0; i <= dq; i++)
		for (j = 0; j <= dw; j++)
			v[i + j] = field_sub(v[i + j], field_mul(q[i], w[j]));
	*dv = poly_trim(v, top > *dv ? top : *dv);
}

/* ---- the locator ------------------------------------------------------ */

/* The search for the polynomial of Q points, and its working memory. */
struct locator {
	const struct agree_point *pts;
	size_t na;
	uint32_t t, quorum;
	size_t *cand;           /* [m] indices of the points still on it, by position */
	uint8_t *on;            /* [m] on this element's polynomial */
	uint64_t *inv;          /* [n] inv[d] = 1/d, d >= 1 */
	uint64_t *xs, *ys, *c;  /* [m + 2] the remaining points, Newton form */
	uint64_t *r0, *r1, *v0, *v1, *q, *f; /* [m + 2] Gao's polynomials */
};

static void
locator_free(struct locator *lc)
{
	free(lc->cand);
	free(lc->on);
	free(lc->inv);
	free(lc->xs);	/* one block for every [m + 2] array */
}

static int
locator_init(struct locator *lc, const struct agree_point *pts, size_t m,
    uint32_t n, uint32_t t, const size_t *by_pos)
{
	const size_t w = m + 2, arrays = 9;
	size_t i, k = 0;

	memset(lc, 0, sizeof(*lc));
	lc->pts = pts;
	lc->t = t;
	lc->quorum = agree_quorum(n, t);
	if ((lc->cand = calloc(m, sizeof(*lc->cand))) == NULL ||
	    (lc->on = calloc(m, 1)) == NULL ||
	    (lc->inv = calloc(n, sizeof(*lc->inv))) == NULL ||
	    (lc->xs = calloc(w * arrays, sizeof(*lc->xs))) == NULL) {
		locator_free(lc);
		return SS_ERR_ALLOC;
	}
	lc->ys = lc->xs + w;
	lc->c = lc->ys + w;
	lc->r0 = lc->c + w;
	lc->r1 = lc->r0 + w;
	lc->v0 = lc->r1 + w;
	lc->v1 = lc->v0 + w;
	lc->q = lc->v1 + w;
	lc->f = lc->q + w;
	for (i = 1; i < n; i++)
		lc->inv[i] = field_inv(i);
	for (i = 0; i < n; i++)
		if (by_pos[i] != SIZE_MAX)
			lc->cand[k++] = by_pos[i];
	lc->na = k;
	return SS_OK;
}

/* 1 / (a - b) for distinct positions a, b. */
static uint64_t
inv_diff(const struct locator *lc, uint64_t a, uint64_t b)
{
	return a > b ? lc->inv[a - b] : field_neg(lc->inv[b - a]);
}

/* c[0..k) from values at xs[0..k) to Newton's divided differences. */
static void
newton_divdiff(const struct locator *lc, uint64_t *c, size_t k)
{
	size_t lvl, i;

	for (lvl = 1; lvl < k; lvl++)
		for (i = k - 1; i >= lvl; i--)
			c[i] = field_mul(field_sub(c[i], c[i - 1]),
			    inv_diff(lc, lc->xs[i], lc->xs[i - lvl]));
}

static uint64_t
newton_eval(const struct locator *lc, size_t k, uint64_t x)
{
	uint64_t r = lc->c[k - 1];
	size_t i;

	for (i = k - 1; i-- > 0;)
		r = field_add(field_mul(r, field_sub(x, lc->xs[i])), lc->c[i]);
	return r;
}

/* Newton form c[0..k) into coefficients out, of degree *d. */
static void
newton_to_poly(const struct locator *lc, size_t k, uint64_t *out, int *d)
{
	size_t i;

	memset(out, 0, (k + 1) * sizeof(*out));
	out[0] = lc->c[k - 1];
	*d = 0;
	for (i = k - 1; i-- > 0;) {
		poly_mul_linear(out, d, lc->xs[i]);
		out[0] = field_add(out[0], lc->c[i]);
	}
	*d = poly_trim(out, *d);
}

#define SWAP(a, b, type) do { type tmp_ = (a); (a) = (b); (b) = tmp_; } while (0)

/*
 * Gao's decoder over the na remaining points: the polynomial of degree
 * <= t in lc->f (degree *df) that agrees with at least (na + t + 1) / 2 of
 * them, if there is one (return 1); else 0. lc->c holds their Newton form.
 */
static int
gao_decode(struct locator *lc, int *df)
{
	const size_t na = lc->na, k = (size_t)lc->t + 1;
	int d0 = 0, d1, dv0 = -1, dv1 = 0, dq;
	size_t i;

	memset(lc->r0, 0, (na + 2) * sizeof(*lc->r0));
	memset(lc->v0, 0, (na + 2) * sizeof(*lc->v0));
	memset(lc->v1, 0, (na + 2) * sizeof(*lc->v1));
	lc->r0[0] = 1;                          /* g0 = prod (x - x_i) */
	for (i = 0; i < na; i++)
		poly_mul_linear(lc->r0, &d0, lc->xs[i]);
	newton_to_poly(lc, na, lc->r1, &d1);    /* g1: through every point */
	lc->v1[0] = 1;
	/* Extended Euclid on (g0, g1), stopped once 2 deg r < na + k. */
	while (d1 >= 0 && 2 * (size_t)d1 >= na + k) {
		poly_divmod(lc->r0, &d0, lc->r1, d1, lc->q, &dq);
		poly_sub_mul(lc->v0, &dv0, lc->q, dq, lc->v1, dv1);
		SWAP(lc->r0, lc->r1, uint64_t *);
		SWAP(d0, d1, int);
		SWAP(lc->v0, lc->v1, uint64_t *);
		SWAP(dv0, dv1, int);
	}
	/* f = g / v, exactly, of degree below k; v is never zero. */
	poly_divmod(lc->r1, &d1, lc->v1, dv1, lc->f, df);
	return d1 < 0 && *df < (int)k;
}

/* The remaining points' element e into xs, ys. */
static void
load_element(struct locator *lc, size_t e)
{
	size_t j;

	for (j = 0; j < lc->na; j++) {
		lc->xs[j] = lc->pts[lc->cand[j]].position;
		lc->ys[j] = lc->pts[lc->cand[j]].values[e];
	}
}

/* How many remaining points lie on the polynomial in f; marks them in on. */
static size_t
count_on_poly(struct locator *lc, int df)
{
	size_t j, count = 0;

	for (j = 0; j < lc->na; j++) {
		lc->on[j] = poly_eval(lc->f, df, lc->xs[j]) == lc->ys[j];
		count += lc->on[j];
	}
	return count;
}

/* The same for the polynomial through the first t + 1 of them. */
static size_t
count_on_base(struct locator *lc)
{
	const size_t b = (size_t)lc->t + 1;
	size_t j, count = b;

	memcpy(lc->c, lc->ys, b * sizeof(*lc->c));
	newton_divdiff(lc, lc->c, b);
	memset(lc->on, 1, b);
	for (j = b; j < lc->na; j++) {
		lc->on[j] = newton_eval(lc, b, lc->xs[j]) == lc->ys[j];
		count += lc->on[j];
	}
	return count;
}

/*
 * Element e: keeps only the points on its polynomial of Q points. 1 if
 * there is one, 0 if there is none (then no polynomial has Q points in
 * every element).
 */
static int
locate_element(struct locator *lc, size_t e)
{
	size_t j, k = 0;
	int df;

	load_element(lc, e);
	if (count_on_base(lc) < lc->quorum) {
		memcpy(lc->c, lc->ys, lc->na * sizeof(*lc->c));
		newton_divdiff(lc, lc->c, lc->na);
		if (!gao_decode(lc, &df) || count_on_poly(lc, df) < lc->quorum)
			return 0;
	}
	for (j = 0; j < lc->na; j++)
		if (lc->on[j])
			lc->cand[k++] = lc->cand[j];
	lc->na = k;
	return 1;
}

/*
 * Marks each posted point ON or OFF the polynomial of Q points, or every
 * one SUSPECT when there is none. 1 if located, 0 if not, or an error.
 */
static int
locate(const struct agree_point *pts, size_t m, uint32_t n, uint32_t t,
    size_t L, const size_t *by_pos, uint8_t *marks)
{
	struct locator lc;
	size_t e, j;
	int found = 1, rc;

	for (j = 0; j < m; j++)
		marks[pts[j].position - 1] = AGREE_SUSPECT;
	if (m < agree_quorum(n, t))
		return 0;
	if ((rc = locator_init(&lc, pts, m, n, t, by_pos)) != SS_OK)
		return rc;
	for (e = 0; e < L && found; e++)
		found = locate_element(&lc, e);
	if (found) {
		for (j = 0; j < m; j++)
			marks[pts[j].position - 1] = AGREE_OFF;
		for (j = 0; j < lc.na; j++)
			marks[pts[lc.cand[j]].position - 1] = AGREE_ON;
	}
	locator_free(&lc);
	return found;
}

/* ---- the decision ------------------------------------------------------ */

/*
 * Checks the arguments and fills by_pos[position - 1] with the index of
 * that position's point (SIZE_MAX for none).
 */
static int
check_points(uint32_t n, uint32_t t, size_t L, const struct agree_point *pts,
    size_t m, size_t *by_pos, struct ss_error *e)
{
	size_t j, x;

	if (t < 1 || t > n - 1)
		return ss_error_set(e, SS_ERR_INVALID, "threshold must be "
		    "between 1 and n-1 = %u, got %u", n - 1, t);
	if (m > n)
		return ss_error_set(e, SS_ERR_INVALID, "%zu sumpoints for %u "
		    "parties", m, n);
	for (j = 0; j < n; j++)
		by_pos[j] = SIZE_MAX;
	for (j = 0; j < m; j++) {
		if (pts[j].position < 1 || pts[j].position > n)
			return ss_error_set(e, SS_ERR_INVALID, "sumpoint at "
			    "position %u, outside 1..%u", pts[j].position, n);
		if (by_pos[pts[j].position - 1] != SIZE_MAX)
			return ss_error_set(e, SS_ERR_INVALID, "two sumpoints "
			    "at position %u", pts[j].position);
		if (pts[j].values == NULL)
			return ss_error_set(e, SS_ERR_INVALID, "sumpoint at "
			    "position %u without values", pts[j].position);
		for (x = 0; x < L; x++)
			if (pts[j].values[x] >= FIELD_P)
				return ss_error_set(e, SS_ERR_RANGE, "sumpoint at "
				    "position %u: element %zu is not below p",
				    pts[j].position, x);
		by_pos[pts[j].position - 1] = j;
	}
	return SS_OK;
}

/* shamir_combine over the points: SS_OK (all agree) or SS_ERR_INCONSISTENT. */
static int
combine(const struct agree_point *pts, size_t m, uint32_t t, size_t L,
    uint64_t *sum, size_t *first_bad)
{
	struct shamir_verdict verdict;
	const uint64_t **ys;
	uint64_t *xs;
	size_t j;
	int rc = SS_ERR_ALLOC;

	xs = calloc(m, sizeof(*xs));
	ys = calloc(m, sizeof(*ys));
	if (xs != NULL && ys != NULL) {
		for (j = 0; j < m; j++) {
			xs[j] = pts[j].position;
			ys[j] = pts[j].values;
		}
		rc = shamir_combine(xs, ys, m, t, L, sum, &verdict);
		*first_bad = verdict.first_bad_element;
	}
	free(xs);
	free(ys);
	return rc;
}

/* Labels and marks once the arguments are known good. */
static int
decide(uint32_t n, uint32_t t, size_t L, const struct agree_point *pts,
    size_t m, const size_t *by_pos, uint64_t *sum, uint8_t *marks,
    struct agree_result *res)
{
	enum agree_mark mark = AGREE_ON;
	size_t j;
	int rc;

	if (m < (size_t)t + 1) {
		res->label = AGREE_TOO_FEW;
		mark = AGREE_UNCHECKED;
	} else if ((rc = combine(pts, m, t, L, sum,
	    &res->first_bad_element)) == SS_OK) {
		res->label = m >= res->quorum ? AGREE_VERIFIED : AGREE_UNVERIFIED;
	} else if (rc == SS_ERR_INCONSISTENT) {
		res->label = AGREE_INCONSISTENT;
		memset(sum, 0, L * sizeof(*sum));
		if ((rc = locate(pts, m, n, t, L, by_pos, marks)) < 0)
			return rc;
		res->located = rc;
		return SS_OK;
	} else
		return rc;
	for (j = 0; j < m; j++)
		marks[pts[j].position - 1] = (uint8_t)mark;
	return SS_OK;
}

int
agree_decide(uint32_t n, uint32_t t, size_t L, const struct agree_point *pts,
    size_t m, uint64_t *sum, uint8_t *marks, struct agree_result *res,
    struct ss_error *e)
{
	size_t *by_pos;
	int rc;

	if (sum == NULL || marks == NULL || res == NULL || (pts == NULL && m > 0))
		return ss_error_set(e, SS_ERR_INVALID, "missing argument");
	if (n < PARAMS_MIN_PARTIES || n > PARAMS_MAX_PARTIES || L == 0 ||
	    L > SIZE_MAX / sizeof(*sum))
		return ss_error_set(e, SS_ERR_INVALID, "a session of %u parties "
		    "and length %zu is outside the protocol's bounds", n, L);
	memset(res, 0, sizeof(*res));
	res->quorum = agree_quorum(n, t);
	res->posted = m;
	memset(marks, AGREE_ABSENT, n);
	memset(sum, 0, L * sizeof(*sum));
	if ((by_pos = calloc(n, sizeof(*by_pos))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	rc = check_points(n, t, L, pts, m, by_pos, e);
	if (rc == SS_OK &&
	    (rc = decide(n, t, L, pts, m, by_pos, sum, marks, res)) != SS_OK)
		ss_error_set(e, rc, "cannot reconstruct: %s", ss_strerror(rc));
	free(by_pos);
	return rc;
}
