/*
 * field.h: arithmetic in GF(p), p = 2^61 - 1, and the encoding of signed
 * 64-bit integers into it.
 *
 * Elements are uint64_t in [0, p). Reduction uses the Mersenne identity
 * 2^61 = 1 (mod p), so no division and no data-dependent branches on secrets
 * beyond a final conditional subtraction done with a mask.
 */
#ifndef SS_FIELD_H
#define SS_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FIELD_P UINT64_C(0x1FFFFFFFFFFFFFFF)
/* Largest magnitude that decodes unambiguously: (p - 1) / 2. */
#define FIELD_HALF (FIELD_P >> 1)

/*
 * The operations below are inline: Shamir sharing, the sumpoint and the
 * reconstruction run them once or more per element and per party, and a
 * call per operation cost more than the arithmetic (see docs/BENCHMARKS.md).
 */
__extension__ typedef unsigned __int128 field_u128;

/*
 * Returns r - p if r >= p, else r, for r < 2p.  The borrow of r - p lands in
 * bit 63 exactly when r < p (r < 2^62, so the wrapped difference is above
 * 2^63), and becomes an all-ones mask that selects r.
 */
static inline uint64_t
field_sub_p_if_ge(uint64_t r)
{
	uint64_t d = r - FIELD_P;
	uint64_t keep_r = (uint64_t)0 - (d >> 63);

	return (d & ~keep_r) | (r & keep_r);
}

/* Operands must be elements (< p); the results always are. */
static inline uint64_t
field_add(uint64_t a, uint64_t b)
{
	return field_sub_p_if_ge(a + b);
}

static inline uint64_t
field_sub(uint64_t a, uint64_t b)
{
	/* Adding p first keeps the difference non-negative; it stays < 2p. */
	return field_sub_p_if_ge(a + FIELD_P - b);
}

static inline uint64_t
field_neg(uint64_t a)
{
	/* p - 0 = p must come out as 0, which the masked subtraction does. */
	return field_sub_p_if_ge(FIELD_P - a);
}

static inline uint64_t
field_mul(uint64_t a, uint64_t b)
{
	/*
	 * a, b < 2^61 give a product below 2^122; its high part (>> 61) is
	 * below 2^61, so low + high < 2^62 < 2p and one fold suffices.
	 */
	field_u128 prod = (field_u128)a * b;
	uint64_t lo = (uint64_t)prod & FIELD_P;
	uint64_t hi = (uint64_t)(prod >> 61);

	return field_sub_p_if_ge(lo + hi);
}

/* Reduces any 64-bit value into [0, p). */
static inline uint64_t
field_reduce(uint64_t a)
{
	/* 2^61 = 1 (mod p): fold the top 3 bits onto the low 61; sum < 2p. */
	return field_sub_p_if_ge((a & FIELD_P) + (a >> 61));
}

/* Multiplicative inverse; a must be non-zero (returns 0 for 0). */
uint64_t field_inv(uint64_t a);

/*
 * Encodes x (|x| <= FIELD_HALF) as an element; SS_ERR_RANGE otherwise (and
 * SS_ERR_INVALID for a NULL out), leaving *out untouched.
 */
int field_from_int64(int64_t x, uint64_t *out) SS_WUR;
/*
 * Decodes an element to the symmetric range [-FIELD_HALF, FIELD_HALF]; a
 * value >= p is reduced first.
 */
int64_t field_to_int64(uint64_t a);

/*
 * Fills out[0..n) with independent uniform elements from OpenSSL's private
 * CSPRNG, by rejection sampling (61 random bits, redrawn when == p).
 */
/* SS_ERR_CRYPTO if the CSPRNG fails, and out is then zeroed. */
int field_random(uint64_t *out, size_t n) SS_WUR;

#endif
