/*
 * test_client_trace.c: the --trace file (client/trace.c): a sumpoint is
 * hashed as 8-byte little-endian words (not big-endian, as before), the
 * shares as the bytes sent; each acknowledgement is one whole line
 * "OK METHOD SESSION PARTY SHA256" appended to the file; a file that
 * cannot be written is an error to the caller.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "err.h"
#include "files.h"
#include "tempdir.h"
#include "trace.h"

static char *dir;

static void
sha256(const uint8_t *p, size_t n, uint8_t md[TRACE_HASH_LEN])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(len, TRACE_HASH_LEN);
}

static void
test_sumpoint_hash_little_endian(void **state)
{
	static const uint64_t v[3] = { 1, 0x0102030405060708ull,
	    0x1fffffffffffffffull };
	uint8_t le[24], be[24], md[TRACE_HASH_LEN], want[TRACE_HASH_LEN];
	size_t i, k;

	(void)state;
	for (i = 0; i < 3; i++)
		for (k = 0; k < 8; k++) {
			le[8 * i + k] = (uint8_t)(v[i] >> (8 * k));
			be[8 * i + 7 - k] = (uint8_t)(v[i] >> (8 * k));
		}
	assert_int_equal(trace_hash_sumpoint(v, 3, md), SS_OK);
	sha256(le, sizeof(le), want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
	sha256(be, sizeof(be), want);
	assert_memory_not_equal(md, want, TRACE_HASH_LEN);
	/* Nothing at all: the hash of no bytes. */
	assert_int_equal(trace_hash_sumpoint(v, 0, md), SS_OK);
	sha256(le, 0, want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
}

static void
test_shares_hash(void **state)
{
	uint8_t cts[1000], md[TRACE_HASH_LEN], want[TRACE_HASH_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cts); i++)
		cts[i] = (uint8_t)(i * 7);
	assert_int_equal(trace_hash_shares(cts, sizeof(cts), md), SS_OK);
	sha256(cts, sizeof(cts), want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
}

static void
test_append(void **state)
{
	static const char want[] =
	    "OK SubmitShares s1 alice f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
	    "000102030405060708090a0b0c0d0e0f\n"
	    "OK PostSumpoint s1 bob 00f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
	    "000102030405060708090a0b0c0d0e0f\n";
	uint8_t md[TRACE_HASH_LEN], *got;
	char path[300];
	size_t i, len;

	(void)state;
	for (i = 0; i < TRACE_HASH_LEN; i++)
		md[i] = (uint8_t)(0xf0 + i);
	path_of(path, sizeof(path), dir, "trace.log");
	assert_int_equal(trace_append(path, "SubmitShares", "s1", "alice", md),
	    SS_OK);
	md[0] = 0x00;
	assert_int_equal(trace_append(path, "PostSumpoint", "s1", "bob", md),
	    SS_OK);
	assert_int_equal(slurp(path, &got, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
	/* A folder that does not exist. */
	path_of(path, sizeof(path), dir, "none/trace.log");
	assert_int_equal(trace_append(path, "PostSumpoint", "s1", "bob", md),
	    SS_ERR_IO);
}

static int
setup(void **state)
{
	(void)state;
	dir = tempdir();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sumpoint_hash_little_endian),
		cmocka_unit_test(test_shares_hash),
		cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
