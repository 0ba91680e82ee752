/*
 * test_client_pin.c: pinning a session (client/pin.c) with the parameters
 * of tests/data/v2-vectors.txt: D from the invite code or from the flags
 * is the vectors' D; the server's parameters pass only when their D,
 * recomputed here, is the pinned one, and a refusal shows what the server
 * holds; a version-1 session (no nonce) is refused; the command line must
 * give an invite or the flags, not both, not neither, not half.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client_fixture.h"
#include "err.h"
#include "invite.h"
#include "params.h"
#include "pin.h"
#include "vectors.h"
#include "wire.h"

static const char *const parties[] = {
	"alice", "bob", "carol", "dave", "erin",
};
#define INVITE \
    "ss2-rb7zva3r-zdqrhfq2-vzwbepvg-4t6yv7mh-nyrxlipy-buzfqizp-3u6tqdry"

/* The vectors' parameters as flags. */
static struct pin_args
flags(void)
{
	struct pin_args a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.parties = parties;
	a.nparties = 5;
	a.threshold = 2;
	a.length = 3;
	a.decimals = 2;
	a.min_cohort = 4;
	a.deadline_unix = 1767225600;
	for (i = 0; i < PARAMS_NONCE_LEN; i++)
		a.nonce[i] = (uint8_t)i;
	a.have_parties = a.have_threshold = a.have_nonce = a.have_other = 1;
	return a;
}

/* The vectors' parameters as the server reports them. */
static void
server(struct wire_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->session_id, sizeof(p->session_id), "payroll");
	fx_names(&p->parties, "alice,bob,carol,dave,erin");
	p->threshold = 2;
	p->length = 3;
	p->decimals = 2;
	p->min_cohort = 4;
	p->deadline_unix = 1767225600;
	for (i = 0; i < PARAMS_NONCE_LEN; i++)
		p->nonce[i] = (uint8_t)i;
	p->nonce_len = PARAMS_NONCE_LEN;
}

static void
test_expected(void **state)
{
	struct pin_args a = flags();
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error e;

	(void)state;
	vector_expect(VECTORS_V2, "invite", INVITE);
	assert_int_equal(pin_expected(&a, "payroll", d, &e), SS_OK);
	vector_expect_hex(VECTORS_V2, "D", d, sizeof(d));
	memset(&a, 0, sizeof(a));
	a.invite = INVITE;
	assert_int_equal(pin_expected(&a, "payroll", d, &e), SS_OK);
	vector_expect_hex(VECTORS_V2, "D", d, sizeof(d));
	/* The session id is the command's: another id, another D. */
	a = flags();
	assert_int_equal(pin_expected(&a, "payrol1", d, &e), SS_OK);
	assert_false(d[0] == 0x88 && d[1] == 0x7f && d[2] == 0x9a);
	/* min_cohort left out: n without a deadline; stated with one. */
	a.deadline_unix = 0;
	a.min_cohort = 0;
	assert_int_equal(pin_expected(&a, "payroll", d, &e), SS_OK);
	a.deadline_unix = 1767225600;
	assert_int_equal(pin_expected(&a, "payroll", d, &e), SS_ERR_INVALID);
}

static void
test_args(void **state)
{
	struct pin_args a;
	struct ss_error e;

	(void)state;
	memset(&a, 0, sizeof(a));
	fx_expect(pin_args_check(&a, "s1", &e), &e, SS_ERR_INVALID,
	    "which session of id s1? give --invite CODE");
	a = flags();
	assert_int_equal(pin_args_check(&a, "payroll", &e), SS_OK);
	a.invite = INVITE;
	fx_expect(pin_args_check(&a, "payroll", &e), &e, SS_ERR_INVALID,
	    "not both");
	a = flags();
	a.have_nonce = 0;
	fx_expect(pin_args_check(&a, "payroll", &e), &e, SS_ERR_INVALID,
	    "needs at least --parties, --threshold and --nonce");
	a = flags();
	a.threshold = 5;
	fx_expect(pin_args_check(&a, "payroll", &e), &e, SS_ERR_INVALID,
	    "the parameters given as flags");
	memset(&a, 0, sizeof(a));
	a.invite = "ss2-rb7zva3r-zdqrhfq2-vzwbepvg-4t6yv7mh-nyrxlipy-buzfqizp-"
	    "3u6tqdra";
	fx_expect(pin_args_check(&a, "payroll", &e), &e, SS_ERR_CHECKSUM,
	    "checksum");
}

static void
test_check(void **state)
{
	struct pin_args a = flags(), inv;
	uint8_t d[PARAMS_DIGEST_LEN];
	struct wire_params p;
	struct ss_error e;

	(void)state;
	memset(&inv, 0, sizeof(inv));
	inv.invite = INVITE;
	server(&p);
	assert_int_equal(pin_check(&a, &p, "payroll", d, &e), SS_OK);
	vector_expect_hex(VECTORS_V2, "D", d, sizeof(d));
	assert_int_equal(pin_check(&inv, &p, "payroll", d, &e), SS_OK);
	/* Squatted: the server holds other parameters; it shows them. */
	p.threshold = 1;
	fx_expect(pin_check(&inv, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    "refusing session payroll: the server holds other parameters than "
	    "the invite's: parties alice,bob,carol,dave,erin, threshold 1, "
	    "length 3, decimals 2, min_cohort 4, deadline "
	    "2026-01-01T00:00:00Z (unix 1767225600), invite ss2-");
	assert_memory_equal(d, (uint8_t[PARAMS_DIGEST_LEN]){ 0 }, sizeof(d));
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    "than the ones given");
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    "invite ss2-");
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    " (the flags give another threshold)");
	p.threshold = 2;
	p.nonce[15] ^= 1;
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    "other parameters");
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    " (the flags give another nonce)");
	p.nonce[15] ^= 1;
	p.length = 4;
	p.deadline_unix += 1;
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_EXISTS,
	    " (the flags give another length, deadline)");
	p.length = 3;
	p.deadline_unix -= 1;
	/* Version 1; a nonce of another length; parameters breaking a rule. */
	p.nonce_len = 0;
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_PROTOCOL,
	    "session payroll was created without a nonce: a version-1 "
	    "session cannot be pinned");
	assert_non_null(strstr(e.msg, "invite (none: version 1)"));
	p.nonce_len = 8;
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_PROTOCOL,
	    "a nonce of 8 bytes");
	p.nonce_len = PARAMS_NONCE_LEN;
	p.min_cohort = 9;
	fx_expect(pin_check(&a, &p, "payroll", d, &e), &e, SS_ERR_INVALID,
	    "the server's parameters for session payroll break a rule");
	free(p.parties.v);
}

static void
test_describe(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	struct wire_params p;
	struct ss_error e;
	char buf[600];

	(void)state;
	server(&p);
	assert_int_equal(pin_digest(&p, d, &e), SS_OK);
	pin_describe(buf, sizeof(buf), &p, d);
	assert_string_equal(buf, "parties alice,bob,carol,dave,erin, "
	    "threshold 2, length 3, decimals 2, min_cohort 4, deadline "
	    "2026-01-01T00:00:00Z (unix 1767225600), invite " INVITE);
	pin_deadline(buf, sizeof(buf), 0);
	assert_string_equal(buf, "none");
	pin_deadline(buf, sizeof(buf), UINT64_MAX);
	assert_string_equal(buf, "18446744073709551615");
	free(p.parties.v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
