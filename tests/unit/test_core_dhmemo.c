/*
 * test_core_dhmemo.c: the table of DH values by public key (core/dhmemo.c):
 * what is put is found, by the whole key; it grows past its first size and
 * stops at its bound, unchanged; a value replaced is the new one; cleared,
 * it finds nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dhmemo.h"
#include "err.h"

/* A key and a value made from i, all bytes depending on it. */
static void
key_of(size_t i, uint8_t pk[DHMEMO_KEY_LEN], uint8_t dh[DHMEMO_KEY_LEN])
{
	size_t k;

	for (k = 0; k < DHMEMO_KEY_LEN; k++) {
		pk[k] = (uint8_t)((i * 131 + k * 7) ^ (i >> 8));
		dh[k] = (uint8_t)(i * 17 + k + 1);
	}
}

static void
test_put_get(void **state)
{
	uint8_t pk[DHMEMO_KEY_LEN], dh[DHMEMO_KEY_LEN], got[DHMEMO_KEY_LEN];
	struct dhmemo m;
	size_t i;

	(void)state;
	assert_int_equal(dhmemo_init(&m, 0), SS_ERR_INVALID);
	assert_int_equal(dhmemo_init(&m, ((size_t)1 << 20) + 1), SS_ERR_INVALID);
	assert_int_equal(dhmemo_init(&m, 1000), SS_OK);
	key_of(0, pk, dh);
	assert_int_equal(dhmemo_get(&m, pk, got), 0);
	for (i = 0; i < 1000; i++) {
		key_of(i, pk, dh);
		assert_int_equal(dhmemo_put(&m, pk, dh), SS_OK);
	}
	for (i = 0; i < 1000; i++) {
		key_of(i, pk, dh);
		memset(got, 0, sizeof(got));
		assert_int_equal(dhmemo_get(&m, pk, got), 1);
		assert_memory_equal(got, dh, sizeof(dh));
		/* One bit of the key other: not found (the last byte too). */
		pk[DHMEMO_KEY_LEN - 1] ^= 0x80;
		assert_int_equal(dhmemo_get(&m, pk, got), 0);
	}
	/* Full: a new key is refused and the table unchanged ... */
	key_of(5000, pk, dh);
	assert_int_equal(dhmemo_put(&m, pk, dh), SS_ERR_EXHAUSTED);
	assert_int_equal(dhmemo_get(&m, pk, got), 0);
	/* ... but a known one takes its new value. */
	key_of(7, pk, dh);
	memset(dh, 0x5a, sizeof(dh));
	assert_int_equal(dhmemo_put(&m, pk, dh), SS_OK);
	assert_int_equal(dhmemo_get(&m, pk, got), 1);
	assert_memory_equal(got, dh, sizeof(dh));
	assert_int_equal(m.n, 1000);
	assert_true(m.cap >= 2 * m.n);
	dhmemo_clear(&m);
	assert_null(m.slots);
	key_of(7, pk, dh);
	assert_int_equal(dhmemo_get(&m, pk, got), 0);
	/* Cleared, it fills again. */
	assert_int_equal(dhmemo_put(&m, pk, dh), SS_OK);
	assert_int_equal(dhmemo_get(&m, pk, got), 1);
	dhmemo_clear(&m);
	dhmemo_clear(&m);
}

/* Keys alike but for one byte, anywhere, are told apart. */
static void
test_near_keys(void **state)
{
	uint8_t pk[DHMEMO_KEY_LEN], dh[DHMEMO_KEY_LEN], got[DHMEMO_KEY_LEN];
	struct dhmemo m;
	size_t i;

	(void)state;
	assert_int_equal(dhmemo_init(&m, 64), SS_OK);
	for (i = 0; i < DHMEMO_KEY_LEN; i++) {
		memset(pk, 0, sizeof(pk));
		pk[i] = 1;
		memset(dh, (int)i + 1, sizeof(dh));
		assert_int_equal(dhmemo_put(&m, pk, dh), SS_OK);
	}
	for (i = 0; i < DHMEMO_KEY_LEN; i++) {
		memset(pk, 0, sizeof(pk));
		pk[i] = 1;
		memset(dh, (int)i + 1, sizeof(dh));
		assert_int_equal(dhmemo_get(&m, pk, got), 1);
		assert_memory_equal(got, dh, sizeof(dh));
	}
	memset(pk, 0, sizeof(pk));
	assert_int_equal(dhmemo_get(&m, pk, got), 0);
	dhmemo_clear(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_near_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
