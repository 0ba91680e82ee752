/*
 * field.c: arithmetic in GF(2^61 - 1) for Shamir sharing, the signed-integer
 * encoding of inputs, and uniform field elements from OpenSSL's CSPRNG. The
 * four operations and the reduction are inline in field.h.
 *
 * Shares, coefficients and inputs pass through every function here and
 * there, so none of them branches on an element's value: reductions end in a
 * masked subtraction rather than an if.  The exponent in field_inv is public (p - 2),
 * so its square-and-multiply may branch on the exponent's bits.
 */
#include <limits.h>
#include <stdint.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "field.h"

/*
 * RAND_priv_bytes takes an int length; draw at most this many bytes per
 * call, which also matches the DRBG's own largest single request (2^16), so
 * OpenSSL does not have to split it again.
 */
#define RAND_CHUNK_BYTES ((size_t)1 << 16)

uint64_t
field_inv(uint64_t a)
{
	/* Fermat: a^(p-2) = a^-1 for a != 0, and 0^(p-2) = 0. */
	uint64_t e = FIELD_P - 2;
	uint64_t base = field_reduce(a);
	uint64_t acc = 1;

	while (e != 0) {
		if (e & 1)
			acc = field_mul(acc, base);
		base = field_mul(base, base);
		e >>= 1;
	}
	return acc;
}

int
field_from_int64(int64_t x, uint64_t *out)
{
	uint64_t u, neg;

	if (out == NULL)
		return SS_ERR_INVALID;
	/* Compared as signed values, so INT64_MIN is refused without negating it. */
	if (x > (int64_t)FIELD_HALF || x < -(int64_t)FIELD_HALF)
		return SS_ERR_RANGE;
	/*
	 * For x < 0, (uint64_t)x = 2^64 - |x|, and adding p wraps to p - |x|:
	 * the right element, reached without branching on the input's sign.
	 */
	u = (uint64_t)x;
	neg = (uint64_t)0 - (u >> 63);
	*out = u + (FIELD_P & neg);
	return SS_OK;
}

int64_t
field_to_int64(uint64_t a)
{
	uint64_t r = field_reduce(a);
	/* All ones when r encodes a negative number, i.e. r > FIELD_HALF. */
	uint64_t neg = (uint64_t)0 - (uint64_t)(r > FIELD_HALF);

	/*
	 * Both operands are at most FIELD_HALF, so the casts are exact and the
	 * subtraction cannot overflow; one of them is always 0.
	 */
	return (int64_t)(r & ~neg) - (int64_t)((FIELD_P - r) & neg);
}

/* Fills bytes with len bytes from the private DRBG, chunk by chunk. */
static int
rand_fill(unsigned char *bytes, size_t len)
{
	size_t off, chunk;

	for (off = 0; off < len; off += chunk) {
		chunk = len - off;
		if (chunk > RAND_CHUNK_BYTES)
			chunk = RAND_CHUNK_BYTES;
		if (RAND_priv_bytes(bytes + off, (int)chunk) != 1)
			return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

int
field_random(uint64_t *out, size_t n)
{
	size_t i;
	uint64_t redraw = 0;
	int r = SS_OK;

	if (n == 0)
		return SS_OK;
	if (out == NULL || n > SIZE_MAX / sizeof(*out))
		return SS_ERR_INVALID;

	/*
	 * Fill the caller's buffer directly (no copy of secret bits through a
	 * second buffer), then keep 61 bits of each word: uniform on
	 * [0, 2^61), and rejecting the single value p leaves uniform on [0, p)
	 * with no modulo bias.
	 */
	if ((r = rand_fill((unsigned char *)out, n * sizeof(*out))) != SS_OK)
		goto out;
	for (i = 0; i < n; i++) {
		out[i] &= FIELD_P;
		/*
		 * Happens with probability 2^-61 per word; branching here
		 * reveals only that a discarded draw was rejected.
		 */
		while (out[i] == FIELD_P) {
			if ((r = rand_fill((unsigned char *)&redraw,
			    sizeof(redraw))) != SS_OK)
				goto out;
			out[i] = redraw & FIELD_P;
		}
	}
 out:
	OPENSSL_cleanse(&redraw, sizeof(redraw));
	/* Never hand back a half-filled buffer that a caller might use. */
	if (r != SS_OK)
		OPENSSL_cleanse(out, n * sizeof(*out));
	return r;
}
