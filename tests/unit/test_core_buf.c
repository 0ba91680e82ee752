/* test_core_buf.c: bounded reads, frame headers and error strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "frame.h"

static void
test_integers_and_bounds(void **state)
{
	const uint8_t d[] = { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 2, 7 };
	struct buf_reader r;
	uint32_t u32;
	uint64_t u64;
	uint8_t u8;

	(void)state;
	buf_reader_init(&r, d, sizeof(d));
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 1);
	assert_int_equal(buf_get_u64(&r, &u64), SS_OK);
	assert_true(u64 == UINT64_C(0x8000000000000002));
	assert_int_equal(buf_remaining(&r), 1);
	assert_int_equal(buf_get_u32(&r, &u32), SS_ERR_TRUNCATED);
	assert_int_equal(buf_get_u64(&r, &u64), SS_ERR_TRUNCATED);
	assert_int_equal(buf_remaining(&r), 1);   /* a failed read consumes nothing */
	assert_int_equal(buf_get_u8(&r, &u8), SS_OK);
	assert_int_equal(u8, 7);
	assert_int_equal(buf_get_u8(&r, &u8), SS_ERR_TRUNCATED);
}

static void
test_strings(void **state)
{
	const uint8_t ok[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
	const uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'c' };
	const uint8_t longer[] = { 0, 0, 0, 9, 'a', 'b' };
	const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct buf_reader r;
	char out[4];

	(void)state;
	buf_reader_init(&r, ok, sizeof(ok));
	assert_int_equal(buf_get_string(&r, out, sizeof(out)), SS_OK);
	assert_string_equal(out, "abc");
	buf_reader_init(&r, ok, sizeof(ok));
	assert_int_equal(buf_get_string(&r, out, 3), SS_ERR_TOO_LARGE);
	assert_int_equal(buf_remaining(&r), sizeof(ok));
	buf_reader_init(&r, nul, sizeof(nul));
	assert_int_equal(buf_get_string(&r, out, sizeof(out)), SS_ERR_INVALID);
	buf_reader_init(&r, longer, sizeof(longer));
	assert_int_equal(buf_get_string(&r, out, 16 > sizeof(out) ? sizeof(out) : 16), SS_ERR_TOO_LARGE);
	buf_reader_init(&r, huge, sizeof(huge));
	assert_int_equal(buf_get_string(&r, out, sizeof(out)), SS_ERR_TOO_LARGE);
}

static void
test_frame_header(void **state)
{
	uint8_t h[FRAME_HEADER_LEN];
	uint32_t len;

	(void)state;
	frame_put_header(h, 0x01020304);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[3], 4);
	assert_int_equal(frame_get_header(h, 0x01020304, &len), SS_OK);
	assert_int_equal(len, 0x01020304);
	assert_int_equal(frame_get_header(h, 0x01020303, &len), SS_ERR_TOO_LARGE);
	frame_put_header(h, 0xffffffff);
	assert_int_equal(frame_get_header(h, FRAME_DEFAULT_MAX, &len), SS_ERR_TOO_LARGE);
}

static void
test_error_strings(void **state)
{
	int c;

	(void)state;
	for (c = SS_ERR_PROTOCOL; c <= SS_OK; c++)
		assert_string_not_equal(ss_strerror(c), "unknown error");
	assert_string_equal(ss_strerror(-999), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_and_bounds),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_error_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
