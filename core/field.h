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

#define FIELD_P UINT64_C(0x1FFFFFFFFFFFFFFF)
/* Largest magnitude that decodes unambiguously: (p - 1) / 2. */
#define FIELD_HALF (FIELD_P >> 1)

/* Operands must be elements (< p); the results always are. */
uint64_t field_add(uint64_t a, uint64_t b);
uint64_t field_sub(uint64_t a, uint64_t b);
uint64_t field_neg(uint64_t a);
uint64_t field_mul(uint64_t a, uint64_t b);
/* Multiplicative inverse; a must be non-zero (returns 0 for 0). */
uint64_t field_inv(uint64_t a);
/* Reduces any 64-bit value into [0, p). */
uint64_t field_reduce(uint64_t a);

/*
 * Encodes x (|x| <= FIELD_HALF) as an element; SS_ERR_RANGE otherwise (and
 * SS_ERR_INVALID for a NULL out), leaving *out untouched.
 */
int field_from_int64(int64_t x, uint64_t *out);
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
int field_random(uint64_t *out, size_t n);

#endif
