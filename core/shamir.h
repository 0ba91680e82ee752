/*
 * shamir.h: Shamir secret sharing of vectors over GF(2^61-1), and the
 * reconstruction and consistency check of the aggregate.
 *
 * Party j (0-based index) evaluates at x = j + 1. A vector of L secrets is
 * shared element by element, each with its own random polynomial of degree t.
 */
#ifndef SS_SHAMIR_H
#define SS_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Splits secrets[0..L) among n parties with threshold t (1 <= t < n):
 * shares[j * L + e] = f_e(j + 1), f_e random of degree t with f_e(0) =
 * secrets[e]. shares must hold n * L elements. Coefficients are drawn from
 * the CSPRNG and wiped before return. SS_ERR_INVALID for bad arguments,
 * SS_ERR_RANGE if a secret is not an element (>= p); on any failure after
 * the checks, shares is wiped.
 */
int shamir_split(const uint64_t *secrets, size_t L, unsigned n, unsigned t,
    uint64_t *shares) SS_WUR;

/*
 * Lagrange coefficients for evaluating at point `at` the polynomial through
 * xs[0..m): coef[k] = prod_{i != k} (at - xs[i]) / (xs[k] - xs[i]).
 * xs must be distinct and non-zero in GF(p); SS_ERR_INVALID otherwise.
 */
int shamir_lagrange(const uint64_t *xs, size_t m, uint64_t at, uint64_t *coef) SS_WUR;

/* Result of shamir_combine's consistency check. */
struct shamir_verdict {
	int consistent;        /* 1: every point lies on one degree-t polynomial */
	long bad_point;        /* index into xs of the one point that does not, or -1 */
	size_t first_bad_element; /* first element index that failed, else 0 */
};

/*
 * Interpolates at 0 from m >= t + 1 points (xs[k], ys[k][0..L)) and writes
 * secret[0..L). With m > t + 1 it checks every point against the polynomial
 * through the others; on a mismatch it returns SS_ERR_INCONSISTENT and fills
 * verdict (bad_point names the culprit when exactly one point explains every
 * mismatch and m >= t + 3, else -1), and secret is left unspecified (it is
 * zeroed). With m == t + 1 nothing can be checked and the result is SS_OK.
 * verdict may be NULL. SS_ERR_INVALID for bad arguments (t < 1, m < t + 1,
 * xs not distinct non-zero elements, L == 0, NULL pointers); SS_ERR_RANGE
 * if some ys value is not an element (>= p).
 */
int shamir_combine(const uint64_t *xs, const uint64_t *const *ys, size_t m,
    unsigned t, size_t L, uint64_t *secret, struct shamir_verdict *verdict) SS_WUR;

#endif
