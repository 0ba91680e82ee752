/*
 * test_client_call.c: how the client turns the server's answers into
 * errors (client/call.c): each wire status keeps its own SS_ERR_* code
 * (status_to_err), a session's NOT_FOUND and PERMISSION_DENIED read as
 * such but never for the key directory, a phase's refusal carries the
 * server's reason or a default, and a failed session names who shared;
 * and how a step that changed the session reports it (to its caller,
 * never on stdout or stderr). The watch
 * (call_status_wait), against a scripted fake server over loopback TLS:
 * it names the version last seen and never sleeps while the server
 * watches; it falls back to back-off, asking for no wait, when the server
 * answers version 0.
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

#include <openssl/ssl.h>

#include "call.h"
#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "conn.h"
#include "err.h"
#include "fake_server.h"
#include "securesum.pb-c.h"
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
	    SS_ERR_DENIED, "permission denied in session s1: not yours (check "
	    "--party alice and its certificate in --certs DIR)");
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

/* What call_report handed to step_out last, and how many times. */
static struct seen {
	int calls, duplicate, again;
	const char *session, *what, *done;
	size_t ncounts, first;
} seen;

static void
step_seen(void *arg, const char *session, const char *what, const char *done,
    int duplicate, int again, const struct call_count *counts, size_t ncounts)
{
	assert_ptr_equal(arg, &seen);
	seen = (struct seen){ .calls = seen.calls + 1, .session = session,
	    .what = what, .done = done, .duplicate = duplicate, .again = again,
	    .ncounts = ncounts, .first = ncounts > 0 ? counts[0].n : 0 };
}

/* The step step_out was handed last: its words, flags and counts. */
static void
expect_seen(const char *what, const char *done, int duplicate, int again,
    size_t ncounts, size_t first)
{
	assert_string_equal(seen.session, "s1");
	assert_string_equal(seen.what, what);
	assert_string_equal(seen.done, done);
	assert_int_equal(seen.duplicate, duplicate);
	assert_int_equal(seen.again, again);
	assert_int_equal(seen.ncounts, ncounts);
	assert_int_equal(seen.first, first);
}

/*
 * Each step goes to step_out, with its words, its counts, whether the
 * server had it already and whether run sent it again; nothing is printed
 * (mpc-client prints it: test_client_cli_step.c), step_out set or not.
 */
static void
test_report(void **state)
{
	struct wire_request share, sumpoint;
	char out[256];
	int fd;

	(void)state;
	call_request(&share, WIRE_SUBMIT_SHARES, "s1", "alice");
	call_request(&sumpoint, WIRE_POST_SUMPOINT, "s1", "alice");
	memset(&seen, 0, sizeof(seen));
	cl.step_out = step_seen;
	cl.step_arg = &seen;
	for (fd = 1; fd <= 2; fd++) {
		reported(fd, &share, 0, 1, out, sizeof(out));
		assert_string_equal(out, "");
		expect_seen("shares", "submitted", 1, 0, 2, 3);
		reported(fd, &sumpoint, STEP_AGAIN, 0, out, sizeof(out));
		assert_string_equal(out, "");
		expect_seen("sumpoint", "posted", 0, 1, 1, 4);
	}
	assert_int_equal(seen.calls, 4);
	cl.step_out = NULL;
	reported(1, &share, 0, 0, out, sizeof(out));
	assert_string_equal(out, "");
	reported(2, &sumpoint, STEP_AGAIN, 0, out, sizeof(out));
	assert_string_equal(out, "");
	assert_int_equal(seen.calls, 4);
}

/* ---- the watch ----------------------------------------------------------- */

#define WATCHED 0x4242424200000007ull

/*
 * What the fake server answers to each GetStatus in turn, and what it
 * expects the request to ask: its watch_version, and whether watch_ms is 0.
 */
static const struct turn {
	uint64_t answer, want_version;
	int want_wait;
} turns[] = {
	{ 0, 0, 0 },                    /* call_status: an older server */
	{ 0, 0, 0 },                    /* call_status_wait: no wait asked */
	{ WATCHED, 0, 0 },              /* call_status: a server that watches */
	{ WATCHED + 1, WATCHED, 1 },    /* call_status_wait: a watch */
};
#define NTURNS (sizeof(turns) / sizeof(turns[0]))

/* Exit status: 0 when every request asked what turns[] says, 10 + k when not. */
static int
serve_status(int lfd, const void *arg)
{
	static char *parties[] = { "alice", "bob" };
	SSL_CTX *ctx = server_tls_ctx(arg);
	Securesum__Response m;
	Securesum__GetStatusResponse b;
	Securesum__SessionParams p;
	Securesum__Request *q;
	SSL *ssl;
	size_t k;

	if ((ssl = server_accept(lfd, ctx)) == NULL)
		return 3;
	for (k = 0; k < NTURNS; k++) {
		if ((q = server_read_request(ssl)) == NULL)
			return 4;
		if (q->get_status == NULL ||
		    q->get_status->watch_version != turns[k].want_version ||
		    (q->get_status->watch_ms > 0) != turns[k].want_wait)
			return 10 + (int)k;
		securesum__response__init(&m);
		securesum__get_status_response__init(&b);
		securesum__session_params__init(&p);
		p.session_id = "s1";
		p.n_parties = 2;
		p.parties = parties;
		p.threshold = 1;
		p.length = 1;
		b.params = &p;
		b.phase = SECURESUM__PHASE__SHARING;
		b.version = turns[k].answer;
		m.id = q->id;
		m.body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
		m.get_status = &b;
		securesum__request__free_unpacked(q, NULL);
		if (server_write_response(ssl, &m) != 0)
			return 6;
	}
	server_hang_up(ssl);
	return 0;
}

static void
test_watch_fallback(void **state)
{
	struct client c;
	struct wire_response st;
	struct ss_error e;
	char where[64];
	uint64_t delay = CLIENT_POLL_FIRST_MS, t0;
	const char *dir = certs_dir();
	pid_t pid;

	(void)state;
	assert_non_null(dir);
	memset(&c, 0, sizeof(c));
	pid = fork_server(serve_status, dir, 0, where, sizeof(where));
	c.server = where;
	c.certs = dir;
	c.party = "alice";
	c.timeout_s = 60;
	client_start(&c);
	/* An older server: version 0, so the wait sleeps and asks for none. */
	assert_int_equal(call_status(&c, "s1", &st, &e), SS_OK);
	assert_true(st.version == 0);
	wire_response_free(&st);
	t0 = conn_now_ms();
	assert_int_equal(call_status_wait(&c, "s1", &st, CALL_WATCH_MS, &delay,
	    &e), SS_OK);
	assert_true(conn_now_ms() - t0 >= CLIENT_POLL_FIRST_MS);
	assert_int_equal(delay, 2 * CLIENT_POLL_FIRST_MS);
	wire_response_free(&st);
	/* A server that watches: the wait names its version, sleeps not. */
	assert_int_equal(call_status(&c, "s1", &st, &e), SS_OK);
	assert_true(st.version == WATCHED);
	wire_response_free(&st);
	assert_int_equal(call_status_wait(&c, "s1", &st, CALL_WATCH_MS, &delay,
	    &e), SS_OK);
	assert_true(st.version == WATCHED + 1);
	assert_int_equal(delay, 2 * CLIENT_POLL_FIRST_MS);
	wire_response_free(&st);
	client_free(&c);
	assert_int_equal(server_result(pid), 0);
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
		cmocka_unit_test(test_watch_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
