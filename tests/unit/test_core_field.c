/*
 * test_core_field.c: unit tests of core/field.c, GF(2^61 - 1) arithmetic, the
 * int64 encoding and the CSPRNG sampler.
 *
 * Expected values come from an independent reference: plain % on 128-bit
 * integers, which is slow but obviously right, and hand-derived constants.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "err.h"
#include "field.h"
#include "rng.h"

__extension__ typedef unsigned __int128 u128;

#define P FIELD_P

static uint64_t
ref_mod(u128 v)
{
	return (uint64_t)(v % P);
}

static uint64_t
ref_mul(uint64_t a, uint64_t b)
{
	return ref_mod((u128)a * b);
}

/* Elements that exercise carries and the final subtraction. */
static const uint64_t edges[] = {
	0, 1, 2, 3, FIELD_HALF - 1, FIELD_HALF, FIELD_HALF + 1,
	UINT64_C(1) << 32, (UINT64_C(1) << 32) - 1, (UINT64_C(1) << 60),
	P - 3, P - 2, P - 1,
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(P, (UINT64_C(1) << 61) - 1);
	assert_int_equal(FIELD_HALF, (UINT64_C(1) << 60) - 1);
	assert_int_equal(2 * FIELD_HALF + 1, P);
}

static void
test_reduce_edges(void **state)
{
	(void)state;
	assert_int_equal(field_reduce(0), 0);
	assert_int_equal(field_reduce(1), 1);
	assert_int_equal(field_reduce(P - 1), P - 1);
	assert_int_equal(field_reduce(P), 0);
	assert_int_equal(field_reduce(P + 1), 1);
	assert_int_equal(field_reduce(UINT64_C(1) << 61), 1);
	assert_int_equal(field_reduce(UINT64_C(1) << 62), 2);
	assert_int_equal(field_reduce(UINT64_C(1) << 63), 4);
	assert_int_equal(field_reduce(2 * P), 0);
	assert_int_equal(field_reduce(2 * P - 1), P - 1);
	/* 2^64 = 8 * 2^61 = 8, so 2^64 - 1 = 7 (mod p). */
	assert_int_equal(field_reduce(UINT64_MAX), 7);
	assert_int_equal(field_reduce(UINT64_MAX), UINT64_MAX % P);
}

static void
test_reduce_random(void **state)
{
	uint64_t s = 1, a;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		a = splitmix64(&s);
		assert_int_equal(field_reduce(a), a % P);
	}
}

static void
test_ops_edges(void **state)
{
	size_t i, j;
	uint64_t a, b;

	(void)state;
	for (i = 0; i < NEDGES; i++) {
		for (j = 0; j < NEDGES; j++) {
			a = edges[i];
			b = edges[j];
			assert_int_equal(field_add(a, b), ref_mod((u128)a + b));
			assert_int_equal(field_sub(a, b),
			    ref_mod((u128)a + P - b));
			assert_int_equal(field_mul(a, b), ref_mul(a, b));
		}
	}
}

static void
test_ops_random(void **state)
{
	uint64_t s = 42, a, b;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		a = splitmix64(&s) % P;
		b = splitmix64(&s) % P;
		assert_int_equal(field_add(a, b), ref_mod((u128)a + b));
		assert_int_equal(field_sub(a, b), ref_mod((u128)a + P - b));
		assert_int_equal(field_mul(a, b), ref_mul(a, b));
		assert_int_equal(field_neg(a), (P - a) % P);
	}
}

static void
test_identities(void **state)
{
	uint64_t s = 7, a, b, c;
	int i;

	(void)state;
	assert_int_equal(field_neg(0), 0);
	assert_int_equal(field_neg(1), P - 1);
	assert_int_equal(field_neg(P - 1), 1);
	assert_int_equal(field_mul(P - 1, P - 1), 1);	/* (-1)^2 */
	assert_int_equal(field_add(P - 1, 1), 0);
	assert_int_equal(field_sub(0, 1), P - 1);
	for (i = 0; i < 10000; i++) {
		a = splitmix64(&s) % P;
		b = splitmix64(&s) % P;
		c = splitmix64(&s) % P;
		assert_int_equal(field_add(a, 0), a);
		assert_int_equal(field_mul(a, 1), a);
		assert_int_equal(field_mul(a, 0), 0);
		assert_int_equal(field_add(a, field_neg(a)), 0);
		assert_int_equal(field_sub(field_add(a, b), b), a);
		assert_int_equal(field_mul(a, b), field_mul(b, a));
		assert_int_equal(field_mul(a, field_add(b, c)),
		    field_add(field_mul(a, b), field_mul(a, c)));
		assert_int_equal(field_mul(field_mul(a, b), c),
		    field_mul(a, field_mul(b, c)));
	}
}

static void
test_inverse(void **state)
{
	uint64_t buf[1000], a, inv;
	size_t i;

	(void)state;
	assert_int_equal(field_inv(0), 0);
	assert_int_equal(field_inv(1), 1);
	assert_int_equal(field_inv(P - 1), P - 1);
	assert_int_equal(field_inv(2), (P + 1) / 2);
	for (i = 0; i < NEDGES; i++) {
		if (edges[i] == 0)
			continue;
		assert_int_equal(ref_mul(edges[i], field_inv(edges[i])), 1);
	}
	assert_int_equal(field_random(buf, 1000), SS_OK);
	for (i = 0; i < 1000; i++) {
		a = buf[i];
		if (a == 0)
			continue;	/* probability 2^-61 */
		inv = field_inv(a);
		assert_true(inv < P);
		assert_int_equal(ref_mul(a, inv), 1);
		assert_int_equal(field_inv(inv), a);
	}
}

static void
test_from_int64(void **state)
{
	uint64_t v = 12345;
	const int64_t half = (int64_t)FIELD_HALF;

	(void)state;
	assert_int_equal(field_from_int64(0, &v), SS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(field_from_int64(1, &v), SS_OK);
	assert_int_equal(v, 1);
	assert_int_equal(field_from_int64(-1, &v), SS_OK);
	assert_int_equal(v, P - 1);
	assert_int_equal(field_from_int64(half, &v), SS_OK);
	assert_int_equal(v, FIELD_HALF);
	assert_int_equal(field_from_int64(-half, &v), SS_OK);
	assert_int_equal(v, FIELD_HALF + 1);

	v = 12345;
	assert_int_equal(field_from_int64(half + 1, &v), SS_ERR_RANGE);
	assert_int_equal(field_from_int64(-half - 1, &v), SS_ERR_RANGE);
	assert_int_equal(field_from_int64(INT64_MAX, &v), SS_ERR_RANGE);
	assert_int_equal(field_from_int64(INT64_MIN, &v), SS_ERR_RANGE);
	assert_int_equal(field_from_int64(INT64_MIN + 1, &v), SS_ERR_RANGE);
	assert_int_equal(v, 12345);	/* untouched on refusal */
	assert_int_equal(field_from_int64(0, NULL), SS_ERR_INVALID);
}

static void
test_to_int64(void **state)
{
	const int64_t half = (int64_t)FIELD_HALF;

	(void)state;
	assert_int_equal(field_to_int64(0), 0);
	assert_int_equal(field_to_int64(1), 1);
	assert_int_equal(field_to_int64(P - 1), -1);
	assert_int_equal(field_to_int64(FIELD_HALF), half);
	assert_int_equal(field_to_int64(FIELD_HALF + 1), -half);
	/* Unreduced input is reduced first rather than misread. */
	assert_int_equal(field_to_int64(P), 0);
	assert_int_equal(field_to_int64(P + 5), 5);
}

static void
test_int64_round_trip(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 2, -2, 1000000, -1000000, INT32_MAX, INT32_MIN,
		(int64_t)FIELD_HALF, -(int64_t)FIELD_HALF,
		(int64_t)FIELD_HALF - 1, -(int64_t)FIELD_HALF + 1,
	};
	uint64_t s = 99, v;
	int64_t x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		assert_int_equal(field_from_int64(fixed[i], &v), SS_OK);
		assert_true(v < P);
		assert_int_equal(field_to_int64(v), fixed[i]);
	}
	for (i = 0; i < 100000; i++) {
		/* Uniform in [-FIELD_HALF, FIELD_HALF]. */
		x = (int64_t)(splitmix64(&s) % P) - (int64_t)FIELD_HALF;
		assert_int_equal(field_from_int64(x, &v), SS_OK);
		assert_true(v < P);
		assert_int_equal(v, x >= 0 ? (uint64_t)x : P - (uint64_t)-x);
		assert_int_equal(field_to_int64(v), x);
	}
}

static void
test_encoding_is_additive(void **state)
{
	uint64_t s = 5, a, b;
	int64_t x, y;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		/* Halves of the range, so that the sum stays decodable. */
		x = (int64_t)(splitmix64(&s) % (FIELD_HALF + 1)) -
		    (int64_t)(FIELD_HALF / 2);
		y = (int64_t)(splitmix64(&s) % (FIELD_HALF / 2)) -
		    (int64_t)(FIELD_HALF / 4);
		if (x + y > (int64_t)FIELD_HALF || x + y < -(int64_t)FIELD_HALF)
			continue;
		assert_int_equal(field_from_int64(x, &a), SS_OK);
		assert_int_equal(field_from_int64(y, &b), SS_OK);
		assert_int_equal(field_to_int64(field_add(a, b)), x + y);
		assert_int_equal(field_to_int64(field_sub(a, b)), x - y);
	}
}

static void
test_random(void **state)
{
	static uint64_t big[20000];	/* several DRBG chunks */
	uint64_t a[64], b[64], or_all = 0, and_all = FIELD_P;
	size_t i, same = 0;

	(void)state;
	assert_int_equal(field_random(NULL, 0), SS_OK);
	assert_int_equal(field_random(NULL, 1), SS_ERR_INVALID);
	assert_int_equal(field_random(a, SIZE_MAX / 4), SS_ERR_INVALID);

	assert_int_equal(field_random(a, 64), SS_OK);
	assert_int_equal(field_random(b, 64), SS_OK);
	for (i = 0; i < 64; i++) {
		assert_true(a[i] < P);
		same += a[i] == b[i];
	}
	assert_true(same < 2);	/* any repeat has probability ~2^-55 */

	assert_int_equal(field_random(big, 20000), SS_OK);
	for (i = 0; i < 20000; i++) {
		assert_true(big[i] < P);
		or_all |= big[i];
		and_all &= big[i];
	}
	/* Every one of the 61 bits is both set and clear somewhere. */
	assert_int_equal(or_all, FIELD_P);
	assert_int_equal(and_all, 0);
	/* The last word was filled too: the chunking reached the end. */
	assert_true(big[19999] != 0 || big[19998] != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_reduce_edges),
		cmocka_unit_test(test_reduce_random),
		cmocka_unit_test(test_ops_edges),
		cmocka_unit_test(test_ops_random),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_inverse),
		cmocka_unit_test(test_from_int64),
		cmocka_unit_test(test_to_int64),
		cmocka_unit_test(test_int64_round_trip),
		cmocka_unit_test(test_encoding_is_additive),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
