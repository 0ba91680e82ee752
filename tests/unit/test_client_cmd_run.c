/*
 * test_client_cmd_run.c: the state machine of `run` (client/cmd_run.c):
 * which step each status calls for, given what run has sent already:
 * share once and resend the same sealed bytes when the server lost them,
 * check the input against the records when the shares went in an earlier
 * run,
 * post the sumpoint and repost the same one unless the cohort changed,
 * wait while sumpoints keep coming, reconstruct at COMPLETE, after the
 * grace period without a new sumpoint, or at the timeout; and warn once
 * when the cohort was fixed without us.
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
#include "status.h"
#include "wire.h"

/* A run state that has posted a sumpoint for cohort csv. */
static void
posted_for(struct run_state *rs, const char *csv)
{
	struct wire_names l;

	fx_names(&l, csv);
	rs->cohort = l.v;
	rs->ncohort = l.n;
	rs->sp.L = 1;
	assert_non_null(rs->sp.sum = calloc(1, sizeof(*rs->sp.sum)));
}

static void
test_sharing(void **state)
{
	struct run_state rs;
	struct wire_response st;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_SUBMIT);
	/* Sealed before, yet not in: the server lost it; the same again. */
	rs.have_sub = 1;
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_RESUBMIT);
	fx_set(&st.shared, "bob,alice");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0),
	    RUN_WAIT_SHARES);
	/* The timeout is the caller's to report: still a wait. */
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 1),
	    RUN_WAIT_SHARES);
	/*
	 * Our shares in, from an earlier run (nothing sealed in this one):
	 * first the input is checked against our records, then the wait.
	 */
	rs.have_sub = 0;
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_RECORD);
	st.phase = PHASE_AGGREGATING;
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_RECORD);
	st.phase = PHASE_SHARING;
	rs.input_checked = 1;
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0),
	    RUN_WAIT_SHARES);
	st.phase = PHASE_FAILED;
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_FAILED);
	wire_response_free(&st);
}

static void
test_posting(void **state)
{
	struct run_state rs;
	struct wire_response st;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_AGGREGATING);
	fx_set(&st.cohort, "alice,bob");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_POST);
	/* Posted for this cohort and lost: the same values again. */
	posted_for(&rs, "alice,bob");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_REPOST);
	/* A cohort fixed again, otherwise (a restarted server): compute anew. */
	fx_set(&st.cohort, "alice,bob,carol");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_POST);
	fx_set(&st.cohort, "bob,alice");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_POST);
	/* Not in the cohort, still a sumpoint to post. */
	fx_set(&st.cohort, "bob,carol");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", 0, 0), RUN_POST);
	cmd_run_state_free(&rs);
	assert_null(rs.sp.sum);
	wire_response_free(&st);
}

static void
test_waiting_for_sumpoints(void **state)
{
	struct run_state rs;
	struct wire_response st;
	const uint64_t t0 = 100000;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	fx_status(&st, "s1", "alice,bob,carol,dave", 2, 1, PHASE_AGGREGATING);
	fx_set(&st.cohort, "alice,bob,carol,dave");
	fx_set(&st.posted, "alice,bob");
	/* Fewer than t + 1: wait, however long, timeout or not. */
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 0),
	    RUN_WAIT_SUMPOINTS);
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0 + 60000, 0),
	    RUN_WAIT_SUMPOINTS);
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 1),
	    RUN_WAIT_SUMPOINTS);
	/* t + 1 posted: wait while more may come, for the grace period. */
	fx_set(&st.posted, "alice,bob,carol");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 0),
	    RUN_WAIT_SUMPOINTS);
	assert_int_equal(cmd_run_next(&rs, &st, "alice",
	    t0 + RUN_GRACE_MS - 1, 0), RUN_WAIT_SUMPOINTS);
	/* A new one restarts the grace period. */
	fx_set(&st.posted, "alice,bob,carol,dave");
	assert_int_equal(cmd_run_next(&rs, &st, "alice",
	    t0 + RUN_GRACE_MS - 1, 0), RUN_WAIT_SUMPOINTS);
	assert_int_equal(cmd_run_next(&rs, &st, "alice",
	    t0 + 2 * RUN_GRACE_MS - 2, 0), RUN_WAIT_SUMPOINTS);
	assert_int_equal(cmd_run_next(&rs, &st, "alice",
	    t0 + 2 * RUN_GRACE_MS - 1, 0), RUN_RECONSTRUCT);
	/* Enough, and the time is up: reconstruct at once. */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 1),
	    RUN_RECONSTRUCT);
	/* COMPLETE: every cohort member posted. */
	st.phase = PHASE_COMPLETE;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 0),
	    RUN_RECONSTRUCT);
	/* ... but ours first, if the server lost it. */
	fx_set(&st.posted, "bob,carol,dave");
	assert_int_equal(cmd_run_next(&rs, &st, "alice", t0, 0), RUN_POST);
	wire_response_free(&st);
}

static void
test_left_out_warned_once(void **state)
{
	struct run_state rs;
	struct wire_response st;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	fx_set(&st.cohort, "bob,carol");
	assert_false(cmd_run_left_out(&rs, &st, "alice"));
	st.phase = PHASE_AGGREGATING;
	assert_false(cmd_run_left_out(&rs, &st, "bob"));
	assert_true(cmd_run_left_out(&rs, &st, "alice"));
	assert_false(cmd_run_left_out(&rs, &st, "alice"));
	memset(&rs, 0, sizeof(rs));
	st.phase = PHASE_COMPLETE;
	assert_true(cmd_run_left_out(&rs, &st, "alice"));
	memset(&rs, 0, sizeof(rs));
	st.phase = PHASE_FAILED;
	assert_false(cmd_run_left_out(&rs, &st, "alice"));
	wire_response_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sharing),
		cmocka_unit_test(test_posting),
		cmocka_unit_test(test_waiting_for_sumpoints),
		cmocka_unit_test(test_left_out_warned_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
