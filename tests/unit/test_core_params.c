/*
 * test_core_params.c: unit tests of core/params.c: the canonical encoding
 * and D against tests/data/v2-vectors.txt (written by an independent
 * implementation of docs/PROTOCOL.md), every field moving D, every rule
 * with its message and its boundary, the choice of min_cohort and the
 * warning of create.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "params.h"
#include "vectors.h"

static const char *const vec_parties[] = {
	"alice", "bob", "carol", "dave", "erin",
};

/* The parameters of the test vector. */
static void
vector_params(struct session_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->session_id = "payroll";
	p->parties = vec_parties;
	p->n = 5;
	p->t = 2;
	p->length = 3;
	p->decimals = 2;
	p->min_cohort = 4;
	p->deadline = 1767225600;
	for (i = 0; i < PARAMS_NONCE_LEN; i++)
		p->nonce[i] = (uint8_t)i;
}

static void
digest_ok(const struct session_params *p, uint8_t d[PARAMS_DIGEST_LEN])
{
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(params_digest(p, d, &e), SS_OK);
	assert_int_equal(e.code, SS_OK);
}

/* ---- the vector -------------------------------------------------------- */

static void
test_vector(void **state)
{
	struct session_params p;
	struct buf_writer w;
	uint8_t d[PARAMS_DIGEST_LEN], sha[PARAMS_DIGEST_LEN];
	unsigned int len;

	(void)state;
	vector_params(&p);
	/* The file's inputs are the ones used here. */
	vector_expect(VECTORS_V2, "session", "payroll");
	vector_expect(VECTORS_V2, "parties", "alice,bob,carol,dave,erin");
	vector_expect(VECTORS_V2, "threshold", "2");
	vector_expect(VECTORS_V2, "length", "3");
	vector_expect(VECTORS_V2, "decimals", "2");
	vector_expect(VECTORS_V2, "min_cohort", "4");
	vector_expect(VECTORS_V2, "deadline", "1767225600");
	vector_expect_hex(VECTORS_V2, "nonce", p.nonce, sizeof(p.nonce));

	buf_writer_init(&w, 4096);
	params_encode(&p, &w);
	assert_int_equal(buf_writer_error(&w), SS_OK);
	vector_expect_hex(VECTORS_V2, "params_encoding", w.data, w.len);
	/* D is the SHA-256 of exactly those bytes. */
	assert_int_equal(EVP_Digest(w.data, w.len, sha, &len, EVP_sha256(),
	    NULL), 1);
	digest_ok(&p, d);
	assert_memory_equal(d, sha, sizeof(d));
	vector_expect_hex(VECTORS_V2, "D", d, sizeof(d));
	buf_writer_free(&w);
}

/* The layout itself, field by field, on a small case. */
static void
test_layout(void **state)
{
	static const char *const two[] = { "a", "bc" };
	static const uint8_t want[] = {
		's', 'e', 'c', 'u', 'r', 'e', '-', 's', 'u', 'm', '/', 'v', '2',
		' ', 'p', 'a', 'r', 'a', 'm', 's', 0,
		1, 0, 0, 0, 'x',                /* session id */
		2, 0, 0, 0,                     /* n */
		1, 0, 0, 0, 'a',
		2, 0, 0, 0, 'b', 'c',
		1, 0, 0, 0,                     /* t */
		0x40, 0x42, 0x0f, 0,            /* L = 1000000 */
		0, 0, 0, 0,                     /* k */
		2, 0, 0, 0,                     /* min_cohort */
		0, 0, 0, 0, 0, 0, 0, 0,         /* no deadline */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	struct session_params p = {
		.session_id = "x", .parties = two, .n = 2, .t = 1,
		.length = 1000000, .decimals = 0, .min_cohort = 2,
		.deadline = PARAMS_NO_DEADLINE,
	};
	struct buf_writer w;

	(void)state;
	memset(p.nonce, 0xff, sizeof(p.nonce));
	assert_int_equal(params_validate(&p, NULL), SS_OK);
	buf_writer_init(&w, 4096);
	params_encode(&p, &w);
	assert_int_equal(buf_writer_error(&w), SS_OK);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	buf_writer_free(&w);

	/* A writer too small for it reports the failure. */
	buf_writer_init(&w, 20);
	params_encode(&p, &w);
	assert_int_equal(buf_writer_error(&w), SS_ERR_TOO_LARGE);
	buf_writer_free(&w);
}

/* ---- every field is bound ---------------------------------------------- */

static void
test_every_field_moves_d(void **state)
{
	static const char *const swapped[] = {
		"bob", "alice", "carol", "dave", "erin",
	};
	static const char *const renamed[] = {
		"alice", "bob", "carol", "dave", "eric",
	};
	/* The same letters split differently: the lengths tell them apart. */
	static const char *const split1[] = { "ab", "c" };
	static const char *const split2[] = { "a", "bc" };
	struct session_params base, p;
	uint8_t d0[PARAMS_DIGEST_LEN], d[PARAMS_DIGEST_LEN];
	int i;

	(void)state;
	vector_params(&base);
	digest_ok(&base, d0);
	for (i = 0; i < 9; i++) {
		p = base;
		switch (i) {
		case 0: p.session_id = "payroll2"; break;
		case 1: p.parties = swapped; break;
		case 2: p.parties = renamed; break;
		case 3: p.t = 1; break;
		case 4: p.length = 4; break;
		case 5: p.decimals = 3; break;
		case 6: p.min_cohort = 5; break;
		case 7: p.deadline++; break;
		case 8: p.nonce[15] ^= 1; break;
		}
		digest_ok(&p, d);
		assert_memory_not_equal(d, d0, sizeof(d));
	}
	p = base;
	p.parties = split1;
	p.n = 2;
	p.t = 1;
	p.min_cohort = 2;
	digest_ok(&p, d0);
	p.parties = split2;
	digest_ok(&p, d);
	assert_memory_not_equal(d, d0, sizeof(d));
}

/* ---- the rules --------------------------------------------------------- */

static void
expect_invalid(const struct session_params *p, const char *words)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(params_validate(p, &e), SS_ERR_INVALID);
	assert_int_equal(e.code, SS_ERR_INVALID);
	if (strstr(e.msg, words) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
	/* params_digest refuses the same, and leaves no digest behind. */
	memset(d, 0xaa, sizeof(d));
	assert_int_equal(params_digest(p, d, NULL), SS_ERR_INVALID);
	assert_memory_equal(d, (uint8_t[PARAMS_DIGEST_LEN]){ 0 }, sizeof(d));
}

static void
test_rules(void **state)
{
	static const char *const bad_name[] = {
		"alice", "bob", "-carol", "dave", "erin",
	};
	static const char *const escape[] = {
		"alice", "bob", "carol", "da\033[2Jve", "erin",
	};
	static const char *const twice[] = {
		"alice", "bob", "carol", "bob", "erin",
	};
	struct session_params p;

	(void)state;
	vector_params(&p);
	assert_int_equal(params_validate(&p, NULL), SS_OK);
	assert_int_equal(params_validate(NULL, NULL), SS_ERR_INVALID);

	p.session_id = "../etc";
	expect_invalid(&p, "session id must be NAME or CREATOR/NAME, each 1 to 64 of");
	p.session_id = NULL;
	expect_invalid(&p, "session id");
	vector_params(&p);
	p.n = 1;
	expect_invalid(&p, "a session needs 2 to 65536 parties, got 1");
	p.n = PARAMS_MAX_PARTIES + 1;
	expect_invalid(&p, "got 65537");
	vector_params(&p);
	p.parties = NULL;
	expect_invalid(&p, "no party list");
	p.parties = bad_name;
	expect_invalid(&p, "party 3 of 5 is not a valid name");
	/* An invalid name is never echoed: it may hold terminal escapes. */
	p.parties = escape;
	expect_invalid(&p, "party 4 of 5 is not a valid name");
	p.parties = twice;
	expect_invalid(&p, "party bob is listed twice, at positions 2 and 4");
	vector_params(&p);
	p.t = 0;
	expect_invalid(&p, "threshold must be between 1 and n-1 = 4, got 0");
	p.t = 5;
	expect_invalid(&p, "got 5");
	vector_params(&p);
	p.length = 0;
	expect_invalid(&p, "vector length must be at least 1");
	vector_params(&p);
	p.decimals = 19;
	expect_invalid(&p, "decimals must be 0 to 18, got 19");
	vector_params(&p);
	p.min_cohort = 2;
	expect_invalid(&p, "min_cohort must be between t+1 = 3 and n = 5, got 2");
	p.min_cohort = 6;
	expect_invalid(&p, "got 6");
	vector_params(&p);
	p.deadline = (uint64_t)INT64_MAX + 1;
	expect_invalid(&p, "is not a Unix time");
}

static void
test_boundaries_accepted(void **state)
{
	static const char *const two[] = {
		"a", "Z0123456789_.-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
	};
	struct session_params p;

	(void)state;
	vector_params(&p);
	p.t = 4;
	p.min_cohort = 5;
	assert_int_equal(params_validate(&p, NULL), SS_OK);
	p.t = 1;
	p.min_cohort = 2;
	p.decimals = 18;
	p.deadline = (uint64_t)INT64_MAX;
	assert_int_equal(params_validate(&p, NULL), SS_OK);
	p.deadline = PARAMS_NO_DEADLINE;
	assert_int_equal(params_validate(&p, NULL), SS_OK);
	assert_int_equal(strlen(two[1]), 64);
	p.parties = two;
	p.n = 2;
	assert_int_equal(params_validate(&p, NULL), SS_OK);
}

/* 65536 parties: names checked in O(n log n), a repeat found at the end. */
static void
test_many_parties(void **state)
{
	const char **names;
	char *store;
	struct session_params p;
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error e;
	size_t i;

	(void)state;
	names = calloc(PARAMS_MAX_PARTIES, sizeof(*names));
	store = calloc(PARAMS_MAX_PARTIES, 8);
	assert_non_null(names);
	assert_non_null(store);
	for (i = 0; i < PARAMS_MAX_PARTIES; i++) {
		snprintf(store + 8 * i, 8, "p%zu", i);
		names[i] = store + 8 * i;
	}
	vector_params(&p);
	p.parties = names;
	p.n = PARAMS_MAX_PARTIES;
	digest_ok(&p, d);
	names[PARAMS_MAX_PARTIES - 1] = names[17];
	ss_error_clear(&e);
	assert_int_equal(params_validate(&p, &e), SS_ERR_INVALID);
	assert_string_equal(e.msg, "party p17 is listed twice, at positions "
	    "18 and 65536");
	free(names);
	free(store);
}

/* ---- min_cohort and the warning ---------------------------------------- */

static void
test_min_cohort_choice(void **state)
{
	struct ss_error e;
	uint32_t mc = 0;

	(void)state;
	assert_int_equal(params_choose_min_cohort(0, 7, PARAMS_NO_DEADLINE,
	    &mc, NULL), SS_OK);
	assert_int_equal(mc, 7);
	assert_int_equal(params_choose_min_cohort(4, 7, 1767225600, &mc, NULL),
	    SS_OK);
	assert_int_equal(mc, 4);
	mc = 99;
	ss_error_clear(&e);
	assert_int_equal(params_choose_min_cohort(0, 7, 1767225600, &mc, &e),
	    SS_ERR_INVALID);
	assert_int_equal(mc, 99);
	assert_non_null(strstr(e.msg, "must state its minimum cohort "
	    "(--min-cohort N"));
	assert_int_equal(params_choose_min_cohort(0, 7, 0, NULL, NULL),
	    SS_ERR_INVALID);
}

static void
test_warning(void **state)
{
	struct session_params p;

	(void)state;
	vector_params(&p);              /* t = 2, min_cohort = 4 */
	assert_int_equal(params_exposes_one_input(&p), 0);
	p.min_cohort = 3;
	assert_int_equal(params_exposes_one_input(&p), 1);
	p.min_cohort = 5;
	assert_int_equal(params_exposes_one_input(&p), 0);
	p.t = 4;
	assert_int_equal(params_exposes_one_input(&p), 1);
	assert_int_equal(params_exposes_one_input(NULL), 0);
}

/*
 * D of the parameters as the server and the client hold them (names in
 * char[NAME_BUF] arrays) is D of the same view; a broken rule is refused.
 */
static void
test_digest_of_held(void **state)
{
	char names[5][NAME_BUF];
	struct session_params p;
	uint8_t want[PARAMS_DIGEST_LEN], got[PARAMS_DIGEST_LEN];
	struct ss_error e;
	size_t i;

	(void)state;
	vector_params(&p);
	digest_ok(&p, want);
	for (i = 0; i < 5; i++)
		snprintf(names[i], sizeof(names[i]), "%s", vec_parties[i]);
	assert_int_equal(params_digest_of(p.session_id, names, p.n, p.t,
	    p.length, p.decimals, p.min_cohort, p.deadline, p.nonce, got, &e),
	    SS_OK);
	assert_memory_equal(got, want, sizeof(want));
	/* Threshold n: broken; d is zeroed. */
	assert_int_equal(params_digest_of(p.session_id, names, p.n, p.n,
	    p.length, p.decimals, p.min_cohort, p.deadline, p.nonce, got, &e),
	    SS_ERR_INVALID);
	memset(want, 0, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_nonce(void **state)
{
	uint8_t a[PARAMS_NONCE_LEN], b[PARAMS_NONCE_LEN];
	uint8_t zero[PARAMS_NONCE_LEN] = { 0 };

	(void)state;
	assert_int_equal(params_new_nonce(a), SS_OK);
	assert_int_equal(params_new_nonce(b), SS_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vector),
	cmocka_unit_test(test_layout),
	cmocka_unit_test(test_every_field_moves_d),
	cmocka_unit_test(test_rules),
	cmocka_unit_test(test_boundaries_accepted),
	cmocka_unit_test(test_many_parties),
	cmocka_unit_test(test_min_cohort_choice),
	cmocka_unit_test(test_warning),
	cmocka_unit_test(test_digest_of_held),
	cmocka_unit_test(test_nonce),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
