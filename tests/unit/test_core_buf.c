/* test_core_buf.c: bounded reads and writes, frame rules and error strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

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
	buf_reader_big_endian(&r, 1);
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
	/* The same bytes through a reader left little-endian, or set back. */
	buf_reader_init(&r, d, sizeof(d));
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0xefbeadde);
	buf_reader_big_endian(&r, 1);
	buf_reader_big_endian(&r, 0);
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0x01000000);
}

/* The fixed-width stores, in both orders, read back by a reader of each. */
static void
test_stores(void **state)
{
	const uint8_t be[] = { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 2 };
	uint8_t out[12];
	struct buf_reader r;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	buf_store_uint(out, 4, 1, 0xdeadbeef);
	buf_store_uint(out + 4, 8, 1, 2);
	assert_memory_equal(out, be, sizeof(be));
	buf_store_u32(out, 0xdeadbeef);
	buf_store_u64(out + 4, 2);
	buf_reader_init(&r, out, sizeof(out));
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(buf_get_u64(&r, &u64), SS_OK);
	assert_true(u64 == 2);
	assert_int_equal(out[0], 0xef);
	/* Fewer than 8 bytes: the low ones, the rest left alone. */
	memset(out, 0, sizeof(out));
	buf_store_uint(out, 2, 1, 0x10203);
	assert_int_equal(out[0], 0x02);
	assert_int_equal(out[1], 0x03);
	assert_int_equal(out[2], 0);
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
	buf_reader_big_endian(&r, 1);
	assert_int_equal(buf_get_string(&r, out, sizeof(out)), SS_OK);
	assert_string_equal(out, "abc");
	buf_reader_init(&r, ok, sizeof(ok));
	buf_reader_big_endian(&r, 1);
	assert_int_equal(buf_get_string(&r, out, 3), SS_ERR_TOO_LARGE);
	assert_int_equal(buf_remaining(&r), sizeof(ok));
	buf_reader_init(&r, nul, sizeof(nul));
	buf_reader_big_endian(&r, 1);
	assert_int_equal(buf_get_string(&r, out, sizeof(out)), SS_ERR_INVALID);
	buf_reader_init(&r, longer, sizeof(longer));
	buf_reader_big_endian(&r, 1);
	assert_int_equal(buf_get_string(&r, out, 16 > sizeof(out) ? sizeof(out) : 16), SS_ERR_TOO_LARGE);
	buf_reader_init(&r, huge, sizeof(huge));
	buf_reader_big_endian(&r, 1);
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
	for (c = SS_ERR_UNAUTHENTICATED; c <= SS_OK; c++)
		assert_string_not_equal(ss_strerror(c), "unknown error");
	assert_string_equal(ss_strerror(-999), "unknown error");
}

static void
test_little_endian(void **state)
{
	static const uint8_t d[] = { 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1,
	    2, 0, 0, 0, 'h', 'i' };
	struct buf_reader r;
	uint32_t u32;
	uint64_t u64;
	char s[8];

	(void)state;
	buf_reader_init(&r, d, sizeof(d));
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0x01020304);
	assert_int_equal(buf_get_u64(&r, &u64), SS_OK);
	assert_true(u64 == UINT64_C(0x0102030405060708));
	assert_int_equal(buf_get_string(&r, s, sizeof(s)), SS_OK);
	assert_string_equal(s, "hi");
	assert_int_equal(buf_get_u8(&r, (uint8_t *)s), SS_ERR_TRUNCATED);
}

/* A writer's bytes read back by a reader: the two are counterparts. */
static void
test_writer_round_trip(void **state)
{
	struct buf_writer w;
	struct buf_reader r;
	uint8_t u8;
	uint32_t u32;
	uint64_t u64;
	char s[16];

	(void)state;
	buf_writer_init(&w, 1024);
	buf_put_u8(&w, 7);
	buf_put_u32(&w, 0x01020304);
	buf_put_u64(&w, UINT64_C(0xfffffffffffffffe));
	buf_put_string(&w, "payroll");
	assert_int_equal(buf_writer_error(&w), SS_OK);
	assert_int_equal(w.len, 1 + 4 + 8 + 4 + 7);
	assert_int_equal(w.total, w.len);
	assert_int_equal(w.data[1], 4);   /* little-endian */
	buf_reader_init(&r, w.data, w.len);
	assert_int_equal(buf_get_u8(&r, &u8), SS_OK);
	assert_int_equal(u8, 7);
	assert_int_equal(buf_get_u32(&r, &u32), SS_OK);
	assert_int_equal(u32, 0x01020304);
	assert_int_equal(buf_get_u64(&r, &u64), SS_OK);
	assert_true(u64 == UINT64_C(0xfffffffffffffffe));
	assert_int_equal(buf_get_string(&r, s, sizeof(s)), SS_OK);
	assert_string_equal(s, "payroll");
	assert_int_equal(buf_remaining(&r), 0);
	buf_writer_free(&w);
	assert_null(w.data);
}

static void
test_writer_limit(void **state)
{
	struct buf_writer w;
	uint8_t big[300] = { 0 };

	(void)state;
	buf_writer_init(&w, 260);
	buf_put(&w, big, 256);
	buf_put_u32(&w, 1);
	assert_int_equal(buf_writer_error(&w), SS_OK);
	buf_put_u8(&w, 1);           /* the 261st byte */
	assert_int_equal(buf_writer_error(&w), SS_ERR_TOO_LARGE);
	buf_put(&w, big, 0);
	assert_int_equal(w.len, 260);   /* nothing after the failure */
	assert_int_equal(buf_writer_error(&w), SS_ERR_TOO_LARGE);
	buf_writer_free(&w);
	buf_writer_init(&w, 10);
	buf_put(&w, big, sizeof(big));
	assert_int_equal(buf_writer_error(&w), SS_ERR_TOO_LARGE);
	assert_int_equal(w.len, 0);
	buf_writer_free(&w);
}

/* A sink that takes 5 bytes and then fails. */
static int
five_then_fail(void *ctx, const void *p, size_t n)
{
	struct buf_writer *into = ctx;

	if (into->len + n > 5)
		return SS_ERR_IO;
	buf_put(into, p, n);
	return SS_OK;
}

static void
test_writer_sinks(void **state)
{
	struct buf_writer w, copy;
	EVP_MD_CTX *md;
	uint8_t d1[32], d2[32];
	unsigned dl;
	char path[] = "/tmp/test_buf.XXXXXX";
	int fd;

	(void)state;
	/* A file sink with a digest tee: the file and the digest see the same bytes. */
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(md = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	buf_writer_init_sink(&w, buf_sink_fd, &fd);
	buf_writer_tee(&w, buf_sink_digest, md);
	buf_put_string(&w, "secure-sum");
	buf_put_u64(&w, 42);
	assert_int_equal(buf_writer_error(&w), SS_OK);
	assert_int_equal(w.total, 4 + 10 + 8);
	assert_int_equal(EVP_DigestFinal_ex(md, d1, &dl), 1);
	assert_int_equal(lseek(fd, 0, SEEK_END), 22);
	{
		uint8_t back[22];

		assert_int_equal(pread(fd, back, sizeof(back), 0), 22);
		assert_int_equal(EVP_Digest(back, sizeof(back), d2, &dl,
		    EVP_sha256(), NULL), 1);
	}
	assert_memory_equal(d1, d2, 32);
	EVP_MD_CTX_free(md);
	close(fd);
	unlink(path);
	/* A failing sink stops the writer; later puts do nothing. */
	buf_writer_init(&copy, 64);
	buf_writer_init_sink(&w, five_then_fail, &copy);
	buf_put_u32(&w, 1);
	buf_put_u32(&w, 2);
	buf_put_u8(&w, 3);
	assert_int_equal(buf_writer_error(&w), SS_ERR_IO);
	assert_int_equal(copy.len, 4);
	assert_int_equal(w.total, 4);
	buf_writer_free(&copy);
}

static void
test_session_fits(void **state)
{
	uint64_t need;

	(void)state;
	assert_true(frame_session_fits(5, 1, FRAME_DEFAULT_MAX, &need));
	assert_true(need < 4096);
	assert_true(frame_session_fits(5, 1000000, FRAME_DEFAULT_MAX, NULL));
	/* 20 parties of 10^6 elements: 20 sealed vectors of 8 MB each. */
	assert_false(frame_session_fits(20, 1000000, FRAME_DEFAULT_MAX, &need));
	assert_true(need > FRAME_DEFAULT_MAX && need < 200000000);
	/* The rule is monotone around its edge. */
	assert_true(frame_session_fits(5, 1, need, NULL) ||
	    !frame_session_fits(5, 1, need - 1, NULL));
	assert_true(frame_session_fits(20, 1000000, need, NULL));
	assert_false(frame_session_fits(20, 1000000, need - 1, NULL));
	assert_false(frame_session_fits(0, 1, FRAME_DEFAULT_MAX, &need));
	assert_true(need == UINT64_MAX);
	assert_false(frame_session_fits(2, 0, FRAME_DEFAULT_MAX, NULL));
	assert_false(frame_session_fits(UINT64_MAX, UINT64_MAX, UINT64_MAX - 1,
	    NULL));
}

/* buf_get_copy: the bytes when they are there, nothing written when not. */
static void
test_get_copy(void **state)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5 };
	struct buf_reader r;
	uint8_t out[4];

	(void)state;
	buf_reader_init(&r, data, sizeof(data));
	memset(out, 0xee, sizeof(out));
	assert_int_equal(buf_get_copy(&r, out, 3), SS_OK);
	assert_memory_equal(out, data, 3);
	assert_int_equal(out[3], 0xee);
	assert_int_equal(buf_remaining(&r), 2);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(buf_get_copy(&r, out, 3), SS_ERR_TRUNCATED);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(buf_remaining(&r), 2);
	assert_int_equal(buf_get_copy(&r, out, 0), SS_OK);
	assert_int_equal(buf_get_copy(&r, out, 2), SS_OK);
	assert_memory_equal(out, data + 3, 2);
}

/*
 * buf_read_fd, the file sink's counterpart: exactly n bytes back, the end
 * of the file is SS_ERR_TRUNCATED, a descriptor that cannot be read or
 * written is SS_ERR_IO.
 */
static void
test_read_fd(void **state)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t back[8];
	int fds[2], bad = -1;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(buf_sink_fd(&fds[1], data, sizeof(data)), SS_OK);
	assert_int_equal(close(fds[1]), 0);
	memset(back, 0xee, sizeof(back));
	assert_int_equal(buf_read_fd(fds[0], back, 3), SS_OK);
	assert_memory_equal(back, data, 3);
	assert_int_equal(buf_read_fd(fds[0], back, 0), SS_OK);
	/* Four bytes are left: asking for five reads them and meets the end. */
	assert_int_equal(buf_read_fd(fds[0], back, 5), SS_ERR_TRUNCATED);
	assert_memory_equal(back, data + 3, 4);
	assert_int_equal(buf_read_fd(fds[0], back, 1), SS_ERR_TRUNCATED);
	assert_int_equal(close(fds[0]), 0);
	assert_int_equal(buf_read_fd(bad, back, 1), SS_ERR_IO);
	assert_int_equal(buf_sink_fd(&bad, data, 1), SS_ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_and_bounds),
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_error_strings),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_writer_limit),
		cmocka_unit_test(test_writer_sinks),
		cmocka_unit_test(test_session_fits),
		cmocka_unit_test(test_get_copy),
		cmocka_unit_test(test_read_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
