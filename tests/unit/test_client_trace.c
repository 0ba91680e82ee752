/*
 * test_client_trace.c: the --trace file (client/trace.c): a sumpoint is
 * hashed as 8-byte little-endian words (not big-endian, as before), the
 * shares as the bytes sent, in order, a COHORT as its statement's body; no
 * other request has a hash; each acknowledgement is one whole line "OK
 * METHOD SESSION PARTY SHA256" appended to the file; a file that cannot be
 * written is an error to the caller, naming the file, found before any
 * change by trace_check.
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

#include "client.h"
#include "err.h"
#include "files.h"
#include "tempdir.h"
#include "trace.h"
#include "wire.h"

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
	struct wire_request req;
	size_t i, k;

	(void)state;
	for (i = 0; i < 3; i++)
		for (k = 0; k < 8; k++) {
			le[8 * i + k] = (uint8_t)(v[i] >> (8 * k));
			be[8 * i + 7 - k] = (uint8_t)(v[i] >> (8 * k));
		}
	memset(&req, 0, sizeof(req));
	req.method = WIRE_POST_SUMPOINT;
	req.values = v;
	req.nvalues = 3;
	assert_int_equal(trace_hash(&req, md), SS_OK);
	sha256(le, sizeof(le), want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
	sha256(be, sizeof(be), want);
	assert_memory_not_equal(md, want, TRACE_HASH_LEN);
	/* Nothing at all: the hash of no bytes. */
	req.nvalues = 0;
	assert_int_equal(trace_hash(&req, md), SS_OK);
	sha256(le, 0, want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
}

/* The ciphertexts as sent, one after the other in party order. */
static void
test_shares_hash(void **state)
{
	uint8_t cts[1000], md[TRACE_HASH_LEN], want[TRACE_HASH_LEN];
	struct wire_share ws[3] = {
		{ "alice", cts, 400 }, { "bob", cts + 400, 0 },
		{ "carol", cts + 400, 600 },
	};
	struct wire_request req;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cts); i++)
		cts[i] = (uint8_t)(i * 7);
	memset(&req, 0, sizeof(req));
	req.method = WIRE_SUBMIT_SHARES;
	req.shares = ws;
	req.nshares = 3;
	assert_int_equal(trace_hash(&req, md), SS_OK);
	sha256(cts, sizeof(cts), want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
	/* Only the two changes have a trace line. */
	req.method = WIRE_GET_SHARE;
	assert_int_equal(trace_hash(&req, md), SS_ERR_INVALID);
}

/* A PostCohort: the body of the COHORT statement, which its signature covers. */
static void
test_cohort_hash(void **state)
{
	uint8_t body[77], sig[64], md[TRACE_HASH_LEN], want[TRACE_HASH_LEN];
	struct wire_stmt st = { body, sizeof(body), sig, sizeof(sig) };
	struct wire_request req;

	(void)state;
	memset(body, 0x5a, sizeof(body));
	memset(sig, 0xa5, sizeof(sig));
	memset(&req, 0, sizeof(req));
	req.method = WIRE_POST_COHORT;
	assert_int_equal(trace_hash(&req, md), SS_ERR_INVALID);   /* no statement */
	req.stmt = &st;
	assert_int_equal(trace_hash(&req, md), SS_OK);
	sha256(body, sizeof(body), want);
	assert_memory_equal(md, want, TRACE_HASH_LEN);
}

/* trace_check and trace_change: the file named, with the change lost. */
static void
test_check_and_change(void **state)
{
	uint8_t md[TRACE_HASH_LEN];
	struct ss_error e;
	struct client c;
	char path[300], *got;
	size_t len;

	(void)state;
	memset(md, 0x11, sizeof(md));
	memset(&c, 0, sizeof(c));
	c.party = "alice";
	assert_int_equal(trace_check(&c, &e), SS_OK);        /* no --trace */
	assert_int_equal(trace_change(&c, "CreateSession", "s1", md, &e), SS_OK);
	path_of(path, sizeof(path), dir, "none/trace.log");
	c.trace = path;
	assert_int_equal(trace_check(&c, &e), SS_ERR_IO);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(trace_change(&c, "CreateSession", "s1", md, &e),
	    SS_ERR_IO);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "CreateSession for session s1"));
	path_of(path, sizeof(path), dir, "check.log");
	assert_int_equal(trace_check(&c, &e), SS_OK);        /* made, empty */
	assert_int_equal(slurp(path, (uint8_t **)&got, &len), 0);
	assert_int_equal(len, 0);
	free(got);
	assert_int_equal(trace_change(&c, "CreateSession", "s1", md, &e), SS_OK);
	assert_int_equal(slurp(path, (uint8_t **)&got, &len), 0);
	assert_true(len > 30 && memcmp(got, "OK CreateSession s1 alice 1111",
	    30) == 0);
	free(got);
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
		cmocka_unit_test(test_cohort_hash),
		cmocka_unit_test(test_check_and_change),
		cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
