/*
 * test_client_call.c: how the client turns the server's answers into
 * errors (client/call.c): each wire status keeps its own SS_ERR_* code
 * (status_to_err), a session's NOT_FOUND and PERMISSION_DENIED read as
 * such but never for the key directory, a phase's refusal carries the
 * server's reason or a default, and a failed session names who shared;
 * and how a step that changed the session reports it.
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

#include "call.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "status.h"
#include "wire.h"

static struct client cl = { .party = "alice" };

/* The answer code with message msg. */
static struct wire_response
answer(int code, const char *msg)
{
	struct wire_response r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	snprintf(r.message, sizeof(r.message), "%s", msg);
	return r;
}

static void
expect(int got, const struct ss_error *e, int code, const char *msg)
{
	assert_int_equal(got, code);
	assert_int_equal(e->code, code);
	assert_string_equal(e->msg, msg);
}

static void
test_request_and_message(void **state)
{
	struct wire_request req;
	struct wire_response r = answer(ST_OK, "");

	(void)state;
	memset(&req, 0xa5, sizeof(req));
	call_request(&req, WIRE_GET_SHARE, "s1", "bob");
	assert_int_equal(req.method, WIRE_GET_SHARE);
	assert_string_equal(req.session_id, "s1");
	assert_string_equal(req.party, "bob");
	assert_null(req.names);
	assert_int_equal(req.nshares, 0);
	assert_int_equal(req.id, 0);
	assert_string_equal(call_message(&r, "dflt"), "dflt");
	r = answer(ST_OK, "said");
	assert_string_equal(call_message(&r, "dflt"), "said");
}

static void
test_refused(void **state)
{
	struct wire_response r;
	struct ss_error e;

	(void)state;
	r = answer(ST_NOT_FOUND, "no such session");
	expect(call_refused(&cl, &r, WIRE_GET_STATUS, "s1", &e), &e,
	    SS_ERR_NOT_FOUND, "session s1 does not exist");
	/* The key directory's NOT_FOUND is not about a session. */
	expect(call_refused(&cl, &r, WIRE_GET_KEYS, "s1", &e), &e,
	    SS_ERR_NOT_FOUND, "GetKeys refused: NOT_FOUND: no such session");
	r = answer(ST_PERMISSION_DENIED, "not yours");
	expect(call_refused(&cl, &r, WIRE_GET_SHARE, "s1", &e), &e,
	    SS_ERR_DENIED, "permission denied: alice is not a party of "
	    "session s1 (not yours)");
	expect(call_refused(&cl, &r, WIRE_PUBLISH_KEY, NULL, &e), &e,
	    SS_ERR_DENIED, "PublishKey refused: PERMISSION_DENIED: not yours");
	r = answer(ST_DEADLINE_EXCEEDED, "");
	expect(call_refused(&cl, &r, WIRE_LIST_SUMPOINTS, "s1", &e), &e,
	    SS_ERR_TIMEOUT, "ListSumpoints refused: DEADLINE_EXCEEDED: "
	    "(no message)");
	r = answer(ST_RESOURCE_EXHAUSTED, "full");
	expect(call_refused(&cl, &r, WIRE_CREATE_SESSION, NULL, &e), &e,
	    SS_ERR_EXHAUSTED, "CreateSession refused: RESOURCE_EXHAUSTED: full");
	r = answer(ST_INVALID_ARGUMENT, "bad");
	expect(call_refused(&cl, &r, WIRE_SUBMIT_SHARES, "s1", &e), &e,
	    SS_ERR_INVALID, "SubmitShares refused: INVALID_ARGUMENT: bad");
	/* A code the protocol does not use is the server breaking it. */
	r = answer(2, "huh");
	expect(call_refused(&cl, &r, WIRE_GET_STATUS, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "GetStatus refused: UNKNOWN: huh");
	r = answer(99, "");
	expect(call_refused(&cl, &r, WIRE_GET_STATUS, "s1", &e), &e,
	    SS_ERR_PROTOCOL, "GetStatus refused: UNKNOWN_CODE: (no message)");
}

static void
test_refused_phase(void **state)
{
	struct wire_response r;
	struct ss_error e;

	(void)state;
	r = answer(ST_FAILED_PRECONDITION, "");
	expect(call_refused_phase(&cl, &r, WIRE_GET_SHARE, "s1", "not yet",
	    &e), &e, SS_ERR_PRECONDITION, "GetShare refused: not yet");
	r = answer(ST_FAILED_PRECONDITION, "cohort not fixed");
	expect(call_refused_phase(&cl, &r, WIRE_POST_SUMPOINT, "s1",
	    "wrong phase", &e), &e, SS_ERR_PRECONDITION, "PostSumpoint "
	    "refused: cohort not fixed");
	r = answer(ST_NOT_FOUND, "");
	expect(call_refused_phase(&cl, &r, WIRE_GET_SHARE, "s1", "not yet",
	    &e), &e, SS_ERR_NOT_FOUND, "session s1 does not exist");
}

static void
test_session_failed(void **state)
{
	struct wire_response st;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol,dave", 2, 1, PHASE_FAILED);
	fx_set(&st.shared, "alice,carol");
	expect(call_session_failed(&st, "s1", &e), &e, SS_ERR_PRECONDITION,
	    "session s1 failed: the sharing deadline passed with fewer than 3 "
	    "parties' shares (shared: alice,carol)");
	snprintf(st.message, sizeof(st.message), "the operator cancelled it");
	fx_set(&st.shared, "");
	expect(call_session_failed(&st, "s1", &e), &e, SS_ERR_PRECONDITION,
	    "session s1 failed: the operator cancelled it (shared: (none))");
	wire_response_free(&st);
}

/*
 * What fd 1 or 2 (which) receives while call_report(req, flags, duplicate)
 * runs, into out.
 */
static void
reported(int which, const struct wire_request *req, int flags, int duplicate,
    char *out, size_t outsz)
{
	static const struct call_count share_counts[] = {
		{ "ciphertexts", 3 }, { "bytes", 96 },
	};
	static const struct call_count sumpoint_counts[] = { { "shares", 4 } };
	int saved, shares = req->method == WIRE_SUBMIT_SHARES;
	FILE *f;
	size_t n;

	assert_non_null(f = tmpfile());
	fflush(stdout);
	fflush(stderr);
	assert_true((saved = dup(which)) >= 0);
	assert_true(dup2(fileno(f), which) >= 0);
	call_report(&cl, req, flags, duplicate, shares ? share_counts :
	    sumpoint_counts, shares ? 2 : 1);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(saved, which) >= 0);
	close(saved);
	rewind(f);
	n = fread(out, 1, outsz - 1, f);
	out[n] = '\0';
	fclose(f);
}

/* The words of each step, in its line, its JSON object and its note. */
static void
test_report(void **state)
{
	static const struct {
		int fd, sumpoint, flags, json, terminal, duplicate;
		const char *want;
	} cases[] = {
		{ 1, 0, 0, 0, 0, 0, "alice: shares for session s1 submitted (3 "
		    "ciphertexts, 96 bytes)\n" },
		{ 1, 1, 0, 0, 0, 1, "alice: sumpoint for session s1 posted (4 "
		    "shares)\n" },
		{ 1, 0, 0, 1, 0, 1, "{\"session\":\"s1\",\"party\":\"alice\","
		    "\"ciphertexts\":3,\"bytes\":96,\"duplicate\":true}\n" },
		{ 1, 1, 0, 1, 0, 0, "{\"session\":\"s1\",\"party\":\"alice\","
		    "\"shares\":4,\"duplicate\":false}\n" },
		/* `run`'s notes: on a terminal only (stderr), never on stdout. */
		{ 2, 0, STEP_QUIET, 1, 1, 0, "alice: shares for session s1 "
		    "submitted (3 ciphertexts, 96 bytes)\n" },
		{ 2, 0, STEP_QUIET | STEP_AGAIN, 0, 1, 0, "alice: shares for "
		    "session s1 submitted again (the server had lost them) (3 "
		    "ciphertexts, 96 bytes)\n" },
		{ 2, 1, STEP_QUIET | STEP_AGAIN, 0, 1, 0, "alice: sumpoint for "
		    "session s1 posted again (the server had lost it) (4 "
		    "shares)\n" },
		{ 2, 1, STEP_QUIET, 0, 0, 0, "" },
		{ 1, 1, STEP_QUIET, 1, 0, 0, "" },
	};
	struct wire_request share, sumpoint;
	char out[256];
	size_t i;

	(void)state;
	call_request(&share, WIRE_SUBMIT_SHARES, "s1", "alice");
	call_request(&sumpoint, WIRE_POST_SUMPOINT, "s1", "alice");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cl.json = cases[i].json;
		cl.progress.enabled = cases[i].terminal;
		reported(cases[i].fd, cases[i].sumpoint ? &sumpoint : &share,
		    cases[i].flags, cases[i].duplicate, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	cl.json = 0;
	cl.progress.enabled = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_and_message),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_phase),
		cmocka_unit_test(test_session_failed),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
