/*
 * test_client_claims.c: the checks of what the server says about a session
 * (client/claims.c): its parameters, party list and cohort, and the lists
 * and phase of a status. Each lie the server could tell is refused with
 * its own message; a truthful answer passes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "claims.h"
#include "status.h"
#include "wire.h"

/* claims_check refuses st with code, and a message containing want. */
static void
refused(const struct wire_response *st, const char *self, int code,
    const char *want)
{
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(claims_check(st, "s1", self, &e), code);
	assert_int_equal(e.code, code);
	if (strstr(e.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, want);
}

static void
test_index_and_names(void **state)
{
	struct wire_names parties, l;

	(void)state;
	fx_names(&parties, "alice,bob,carol");
	assert_int_equal(claims_index(&parties, "alice"), 0);
	assert_int_equal(claims_index(&parties, "carol"), 2);
	assert_int_equal(claims_index(&parties, "dave"), -1);
	fx_names(&l, "carol,alice");
	assert_true(claims_names_ok(&l, &parties));
	free(l.v);
	fx_names(&l, "");
	assert_true(claims_names_ok(&l, &parties));
	fx_names(&l, "carol,dave");
	assert_false(claims_names_ok(&l, &parties));
	free(l.v);
	fx_names(&l, "bob,bob");
	assert_false(claims_names_ok(&l, &parties));
	free(l.v);
	fx_names(&l, "alice,bob,carol,alice");
	assert_false(claims_names_ok(&l, &parties));
	free(l.v);
	free(parties.v);
}

static void
test_good(void **state)
{
	struct wire_response st;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol", 2, 3, PHASE_AGGREGATING);
	fx_set(&st.cohort, "alice,carol,bob");
	assert_int_equal(claims_check(&st, "s1", "bob", &e), SS_OK);
	fx_set(&st.shared, "alice,bob,carol");
	fx_set(&st.posted, "carol");
	fx_set(&st.missing, "alice,bob");
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_OK);
	wire_response_free(&st);
}

static void
test_bad_params(void **state)
{
	struct wire_response st;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	st.has_params = 0;
	refused(&st, "alice", SS_ERR_PROTOCOL, "sent no parameters for "
	    "session s1");
	st.has_params = 1;
	snprintf(st.params.session_id, sizeof(st.params.session_id), "s2");
	refused(&st, "alice", SS_ERR_PROTOCOL, "about another session than s1");
	snprintf(st.params.session_id, sizeof(st.params.session_id), "s1");
	st.params.threshold = 3;
	refused(&st, "alice", SS_ERR_PROTOCOL, "impossible parameters for "
	    "session s1 (3 parties, threshold 3, length 1, decimals 0)");
	st.params.threshold = 0;
	refused(&st, "alice", SS_ERR_PROTOCOL, "impossible");
	st.params.threshold = 1;
	st.params.length = 0;
	refused(&st, "alice", SS_ERR_PROTOCOL, "impossible");
	st.params.length = 1;
	st.params.decimals = 19;
	refused(&st, "alice", SS_ERR_PROTOCOL, "impossible");
	st.params.decimals = 0;
	st.params.length = 100000000;
	refused(&st, "alice", SS_ERR_TOO_LARGE, "session s1 is too large: 3 "
	    "parties with vectors of 100000000 elements do not fit");
	wire_response_free(&st);

	fx_status(&st, "s1", "alice", 1, 1, PHASE_SHARING);
	refused(&st, "alice", SS_ERR_PROTOCOL, "impossible");
	wire_response_free(&st);
}

static void
test_bad_parties(void **state)
{
	struct wire_response st;

	(void)state;
	fx_status(&st, "s1", "alice,bob,.evil", 1, 1, PHASE_SHARING);
	refused(&st, "alice", SS_ERR_PROTOCOL, "an invalid party name for "
	    "session s1");
	fx_set(&st.params.parties, "alice,bob,alice");
	refused(&st, "alice", SS_ERR_PROTOCOL, "listed alice twice in session "
	    "s1");
	fx_set(&st.params.parties, "alice,bob,carol");
	fx_set(&st.cohort, "alice,mallory");
	refused(&st, "alice", SS_ERR_PROTOCOL, "a cohort that is not made of "
	    "the parties of session s1");
	fx_set(&st.cohort, "alice,alice");
	refused(&st, "alice", SS_ERR_PROTOCOL, "cohort");
	fx_set(&st.cohort, "");
	/* Not ours: our own mistake rather than the server's. */
	refused(&st, "dave", SS_ERR_INVALID, "dave is not a party of session "
	    "s1");
	wire_response_free(&st);
}

static void
test_bad_status(void **state)
{
	struct wire_response st;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	fx_set(&st.shared, "alice,zed");
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_ERR_PROTOCOL);
	assert_non_null(strstr(e.msg, "status of session s1 names parties "
	    "that are not in it"));
	fx_set(&st.shared, "");
	fx_set(&st.posted, "bob,bob");
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_ERR_PROTOCOL);
	fx_set(&st.posted, "");
	fx_set(&st.missing, "carol,x");
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_ERR_PROTOCOL);
	fx_set(&st.missing, "");
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_OK);
	st.phase = PHASE_UNSPECIFIED;
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_ERR_PROTOCOL);
	assert_non_null(strstr(e.msg, "unknown phase (0) for session s1"));
	st.phase = 9;
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_ERR_PROTOCOL);
	st.phase = PHASE_FAILED;
	assert_int_equal(claims_check_status(&st, "s1", &e), SS_OK);
	wire_response_free(&st);
}

static void
test_fit(void **state)
{
	(void)state;
	assert_true(claims_fit(3, 1000));
	assert_false(claims_fit(3, 100000000));
	assert_false(claims_fit(0, 1));
	assert_false(claims_fit(2, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_and_names),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_bad_parties),
		cmocka_unit_test(test_bad_status),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
