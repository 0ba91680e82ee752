/* test_core_digest.c: SHA-256 of bytes and of a writer's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "digest.h"

/* FIPS 180-2 example: SHA-256("abc"). */
static const uint8_t abc_sha256[DIGEST_LEN] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
	0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static void
test_bytes(void **state)
{
	uint8_t out[DIGEST_LEN];

	(void)state;
	assert_int_equal(digest_bytes("abc", 3, out), SS_OK);
	assert_memory_equal(out, abc_sha256, DIGEST_LEN);
	assert_int_equal(digest_bytes(NULL, 0, out), SS_OK);
	assert_int_equal(out[0], 0xe3);   /* SHA-256 of nothing: e3b0c442... */
	assert_int_equal(digest_bytes(NULL, 1, out), SS_ERR_INVALID);
}

/* What a writer puts is hashed as if it were one string. */
static void
test_writer(void **state)
{
	struct digest d;
	uint8_t out[DIGEST_LEN];

	(void)state;
	assert_int_equal(digest_begin(&d), SS_OK);
	buf_put(&d.w, "a", 1);
	buf_put_u8(&d.w, 'b');
	buf_put(&d.w, "c", 1);
	assert_int_equal(digest_end(&d, out), SS_OK);
	assert_memory_equal(out, abc_sha256, DIGEST_LEN);
	assert_null(d.md);
}

/* A failed put makes the digest fail, and zeroes what it would have given. */
static void
test_failed_put(void **state)
{
	struct digest d;
	uint8_t out[DIGEST_LEN];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(digest_begin(&d), SS_OK);
	buf_put_u8(&d.w, 1);
	d.w.err = SS_ERR_TOO_LARGE;   /* as a put past a bound leaves it */
	buf_put_u8(&d.w, 2);
	assert_int_equal(digest_end(&d, out), SS_ERR_TOO_LARGE);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[DIGEST_LEN - 1], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_failed_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
