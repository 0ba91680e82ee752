/*
 * test_client_input.c: reading a party's inputs (client/input.c): values as
 * arguments and in files, counts, syntax, the bound that keeps the sum
 * decodable, and the wiping of the output on failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "amount.h"
#include "err.h"
#include "field.h"
#include "input.h"

static struct ss_error err;

static int
from_args(const char *const *args, size_t n, unsigned decimals,
    unsigned nparties, size_t L, int64_t *out)
{
	struct input_src src = { .args = args, .nargs = n };

	ss_error_clear(&err);
	return input_read(&src, decimals, nparties, L, out, &err);
}

/* Writes text (len bytes) to a temporary file; returns its path. */
static char *
temp_file(const void *text, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_client_input.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static int
from_file(const void *text, size_t len, unsigned decimals, size_t L,
    int64_t *out)
{
	struct input_src src = { .path = NULL };
	char *path = temp_file(text, len);
	int r;

	src.path = path;
	ss_error_clear(&err);
	r = input_read(&src, decimals, 3, L, out, &err);
	unlink(path);
	return r;
}

static void
test_args(void **state)
{
	static const char *const v[] = { "-7", "+3", "12", "0" };
	int64_t out[4];

	(void)state;
	assert_int_equal(from_args(v, 4, 0, 3, 4, out), SS_OK);
	assert_int_equal(out[0], -7);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 12);
	assert_int_equal(out[3], 0);

	/* Not exactly L of them. */
	assert_int_equal(from_args(v, 3, 0, 3, 4, out), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "4 values, 3 given"));
	assert_int_equal(from_args(v, 4, 0, 3, 3, out), SS_ERR_INVALID);
}

static void
test_decimals(void **state)
{
	static const char *const ok[] = { "1.25", "-0.5", "3" };
	static const char *const bad[] = { "1.255" };
	static const char *const junk[] = { "12abc" };
	int64_t out[3] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(from_args(ok, 3, 2, 3, 3, out), SS_OK);
	assert_int_equal(out[0], 125);
	assert_int_equal(out[1], -50);
	assert_int_equal(out[2], 300);
	assert_int_equal(from_args(bad, 1, 2, 3, 1, out), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "at most 2 decimals"));
	assert_int_equal(from_args(junk, 1, 0, 3, 1, out), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "12abc"));
}

static void
test_bound(void **state)
{
	char at[32], over[32], under[32];
	const char *v[1];
	int64_t bound = amount_bound(5), out[1];

	(void)state;
	snprintf(at, sizeof(at), "%lld", (long long)bound);
	snprintf(over, sizeof(over), "%lld", (long long)bound + 1);
	snprintf(under, sizeof(under), "%lld", -(long long)bound - 1);
	v[0] = at;
	assert_int_equal(from_args(v, 1, 0, 5, 1, out), SS_OK);
	assert_int_equal(out[0], bound);
	v[0] = over;
	assert_int_equal(from_args(v, 1, 0, 5, 1, out), SS_ERR_RANGE);
	assert_non_null(strstr(err.msg, "is outside +-"));
	assert_non_null(strstr(err.msg, "the sum of 5 inputs must fit in the "
	    "field (2^61-1)"));
	assert_int_equal(out[0], 0);           /* wiped */
	v[0] = under;
	assert_int_equal(from_args(v, 1, 0, 5, 1, out), SS_ERR_RANGE);
	/* Beyond int64 altogether. */
	v[0] = "99999999999999999999";
	assert_int_equal(from_args(v, 1, 0, 5, 1, out), SS_ERR_RANGE);
}

static void
test_file(void **state)
{
	static const char text[] = "1\n-2  3\t4\r\n+5";   /* no final newline */
	int64_t out[6];

	(void)state;
	assert_int_equal(from_file(text, sizeof(text) - 1, 0, 5, out), SS_OK);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], -2);
	assert_int_equal(out[2], 3);
	assert_int_equal(out[3], 4);
	assert_int_equal(out[4], 5);

	/* Too few, too many, none at all. */
	assert_int_equal(from_file(text, sizeof(text) - 1, 0, 6, out),
	    SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "holds 5 values"));
	assert_int_equal(from_file(text, sizeof(text) - 1, 0, 4, out),
	    SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "more than"));
	assert_int_equal(from_file("", 0, 0, 1, out), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "no values"));
	assert_int_equal(from_file(" \n\n\t ", 5, 0, 1, out), SS_ERR_INVALID);
}

static void
test_file_bad(void **state)
{
	char longtok[INPUT_TOKEN_MAX + 10];
	struct input_src src = { .path = "/nonexistent/input" };
	int64_t out[2] = { 5, 5 };

	(void)state;
	assert_int_equal(from_file("1\0002", 3, 0, 2, out), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_int_equal(out[0], 0);           /* wiped */
	memset(longtok, '1', sizeof(longtok));
	assert_int_equal(from_file(longtok, sizeof(longtok), 0, 1, out),
	    SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(from_file("1 x", 3, 0, 2, out), SS_ERR_INVALID);
	assert_int_equal(input_read(&src, 0, 3, 1, out, &err),
	    SS_ERR_IO);
	/* L = 0 or no parties is refused, not read. */
	assert_int_equal(input_read(&src, 0, 0, 1, out, &err),
	    SS_ERR_INVALID);
}

/* A file much larger than one read() chunk, split across chunks. */
static void
test_file_large(void **state)
{
	const size_t L = 50000;
	char *text = malloc(L * 12), *p = text;
	int64_t *out = calloc(L, sizeof(*out));
	size_t i;

	(void)state;
	assert_non_null(text);
	assert_non_null(out);
	for (i = 0; i < L; i++)
		p += sprintf(p, "%s%zu\n", i % 2 ? "-" : "", i * 1000);
	assert_int_equal(from_file(text, (size_t)(p - text), 0, L, out), SS_OK);
	for (i = 0; i < L; i++)
		assert_int_equal(out[i], (i % 2 ? -1 : 1) * (int64_t)(i * 1000));
	free(text);
	free(out);
}

static void
test_looks_numeric(void **state)
{
	(void)state;
	assert_true(input_looks_numeric("-7"));
	assert_true(input_looks_numeric("+3"));
	assert_true(input_looks_numeric("-.5"));
	assert_true(input_looks_numeric(".5"));
	assert_true(input_looks_numeric("0"));
	assert_false(input_looks_numeric("--input"));
	assert_false(input_looks_numeric("-h"));
	assert_false(input_looks_numeric("-"));
	assert_false(input_looks_numeric(""));
}

/* Values given already scaled (the library): counted and bounded only. */
static void
test_fixed(void **state)
{
	const int64_t ok[2] = { -7, 1250 };
	const int64_t big[1] = { INT64_MAX };
	struct input_src src = { .fixed = ok, .nfixed = 2 };
	int64_t out[2] = { 0, 0 };

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(input_read(&src, 2, 3, 2, out, &err), SS_OK);
	assert_true(out[0] == -7 && out[1] == 1250);
	/* One value for a session of two: refused, saying how many. */
	assert_int_equal(input_read(&src, 2, 3, 1, out, &err), SS_ERR_INVALID);
	assert_non_null(strstr(err.msg, "takes 1 value, 2 given"));
	src.fixed = big;
	src.nfixed = 1;
	assert_int_equal(input_read(&src, 0, 3, 1, out, &err), SS_ERR_RANGE);
	assert_non_null(strstr(err.msg, "value 1 is outside"));
	/* A refused input leaves nothing behind. */
	assert_true(out[0] == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_bad),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_file_large),
		cmocka_unit_test(test_looks_numeric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
