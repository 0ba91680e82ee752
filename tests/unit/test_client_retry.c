/*
 * test_client_retry.c: the client's retries (client/retry.c). The backoff
 * schedule and its jitter; which failures are retried; and the retry loop
 * against a scripted fake server in a child process, over loopback TLS
 * with certificates from scripts/mkcerts.sh: a dropped connection, an
 * UNAVAILABLE answer and a silent server are retried, and every attempt
 * carries byte for byte the same request; a server that is not there yet
 * is waited for; one that never comes is given up at the deadline with the
 * number of attempts; certificate refusals and ordinary answers are not
 * retried.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "certs.h"
#include "conn.h"
#include "err.h"
#include "fake_server.h"
#include "files.h"
#include "retry.h"
#include "securesum.pb-c.h"
#include "tempdir.h"
#include "wire.h"

static const char *certdir, *otherdir;
static char *mixeddir;

/* ---- the schedule and the classification ------------------------------- */

static void
test_cap_schedule(void **state)
{
	static const uint64_t want[] = { 0, 100, 200, 400, 800, 1600, 2000,
	    2000, 2000 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(retry_cap_ms(i), want[i]);
	assert_int_equal(retry_cap_ms(64), RETRY_MAX_MS);
	assert_int_equal(retry_cap_ms(UINT32_MAX), RETRY_MAX_MS);
}

static void
test_full_jitter(void **state)
{
	uint64_t cap, p, prev, lo = UINT64_MAX, hi = 0;
	unsigned f, i;
	uint32_t rnd;

	(void)state;
	for (f = 1; f <= 8; f++) {
		cap = retry_cap_ms(f);
		/* The whole of [0, cap], and nothing outside it. */
		assert_int_equal(retry_pause_ms(f, 0), 0);
		assert_int_equal(retry_pause_ms(f, UINT32_MAX), cap);
		assert_int_equal(retry_pause_ms(f, 1u << 31), (cap + 1) / 2);
		for (prev = 0, i = 0; i <= 64; i++) {
			rnd = (uint32_t)(((uint64_t)UINT32_MAX * i) / 64);
			p = retry_pause_ms(f, rnd);
			assert_true(p >= prev);
			assert_true(p <= cap);
			prev = p;
		}
	}
	/* Real random bits spread over the range (0.75^2000 to fail). */
	for (i = 0; i < 2000; i++) {
		p = retry_pause_ms(6, retry_random());
		assert_true(p <= RETRY_MAX_MS);
		if (p < lo)
			lo = p;
		if (p > hi)
			hi = p;
	}
	assert_true(lo < RETRY_MAX_MS / 4);
	assert_true(hi > RETRY_MAX_MS * 3 / 4);
}

static void
test_classification(void **state)
{
	(void)state;
	/* Transport failures the network caused: again. */
	assert_true(retry_worth(SS_ERR_IO, 1, -1));
	assert_true(retry_worth(SS_ERR_TIMEOUT, 1, -1));
	/* Verdicts: a certificate, a TLS alert, a protocol violation... */
	assert_false(retry_worth(SS_ERR_IO, 0, -1));
	assert_false(retry_worth(SS_ERR_CERT, 0, -1));
	assert_false(retry_worth(SS_ERR_CERT, 1, -1));
	assert_false(retry_worth(SS_ERR_PROTOCOL, 0, -1));
	assert_false(retry_worth(SS_ERR_PROTOCOL, 1, -1));
	assert_false(retry_worth(SS_ERR_TOO_LARGE, 1, -1));
	assert_false(retry_worth(SS_ERR_INVALID, 0, -1));
	assert_false(retry_worth(SS_ERR_ALLOC, 1, -1));
	/* Answers: only UNAVAILABLE asks for another attempt. */
	assert_true(retry_worth(SS_OK, 0, ST_UNAVAILABLE));
	assert_false(retry_worth(SS_OK, 0, ST_OK));
	assert_false(retry_worth(SS_OK, 0, ST_ALREADY_EXISTS));
	assert_false(retry_worth(SS_OK, 0, ST_FAILED_PRECONDITION));
	assert_false(retry_worth(SS_OK, 0, ST_INTERNAL));
	assert_false(retry_worth(SS_OK, 0, ST_UNAUTHENTICATED));
	assert_false(retry_worth(SS_OK, 0, ST_DEADLINE_EXCEEDED));
	assert_false(retry_worth(SS_OK, 1, ST_NOT_FOUND));
}

/* ---- the fake server (child process) ----------------------------------- */

/* What the server does with each request it reads, in order. */
enum act {
	ACT_END = 0,   /* end of the script */
	ACT_DROP,      /* close the connection without an answer */
	ACT_SILENT,    /* never answer; wait for the client to hang up */
	ACT_UNAVAIL,   /* answer UNAVAILABLE */
	ACT_EXISTS,    /* answer ALREADY_EXISTS */
	ACT_OK,        /* answer OK (duplicate after the first OK) */
};

/*
 * Reads one request; returns it packed again with its id set to 0, so
 * that two attempts of one call compare equal exactly when everything but
 * the id is.
 */
static uint8_t *
read_request(SSL *ssl, uint64_t *id, size_t *blen)
{
	Securesum__Request *req;
	uint8_t *out;

	if ((req = server_read_request(ssl)) == NULL)
		return NULL;
	*id = req->id;
	req->id = 0;
	*blen = securesum__request__get_packed_size(req);
	if ((out = malloc(*blen ? *blen : 1)) != NULL)
		securesum__request__pack(req, out);
	securesum__request__free_unpacked(req, NULL);
	return out;
}

/* What a fake server plays, and with which certificates. */
struct part {
	const enum act *script;
	const char *dir;
};

/*
 * Plays the script over as many connections as it takes. Exit status: 0
 * when every request read was the same (id aside) and the script ran to
 * its end, 10 when they differed, others for a broken harness.
 */
static int
serve(int lfd, const void *arg)
{
	const enum act *script = ((const struct part *)arg)->script;
	SSL_CTX *ctx = server_tls_ctx(((const struct part *)arg)->dir);
	Securesum__Response m;
	Securesum__SubmitSharesResponse body;
	uint8_t *first = NULL, *got;
	size_t flen = 0, glen, step = 0;
	int differ = 0, oks = 0, open_conn;
	uint64_t id;
	SSL *ssl;

	while (script[step] != ACT_END) {
		/* A refused client: try the next connection. */
		if ((ssl = server_accept(lfd, ctx)) == NULL)
			continue;
		for (open_conn = 1; open_conn && script[step] != ACT_END;
		    step++) {
			if ((got = read_request(ssl, &id, &glen)) == NULL)
				return 5;
			if (first == NULL) {
				first = got;
				flen = glen;
			} else {
				if (glen != flen || memcmp(got, first, glen) != 0)
					differ = 1;
				free(got);
			}
			securesum__response__init(&m);
			securesum__submit_shares_response__init(&body);
			m.id = id;
			switch (script[step]) {
			case ACT_DROP:
				open_conn = 0;
				continue;
			case ACT_SILENT:
				/* Until the client gives up on us. */
				while ((got = read_request(ssl, &id,
				    &glen)) != NULL)
					free(got);
				open_conn = 0;
				continue;
			case ACT_UNAVAIL:
				m.code = SECURESUM__CODE__UNAVAILABLE;
				m.message = "the journal cannot be written";
				break;
			case ACT_EXISTS:
				m.code = SECURESUM__CODE__ALREADY_EXISTS;
				m.message = "alice already submitted different "
				    "shares to session sess";
				break;
			default:
				m.code = SECURESUM__CODE__OK;
				body.duplicate = oks++ > 0;
				m.body_case = SECURESUM__RESPONSE__BODY_SUBMIT_SHARES;
				m.submit_shares = &body;
				break;
			}
			if (server_write_response(ssl, &m) != 0)
				return 6;
		}
		server_hang_up(ssl);
	}
	return differ ? 10 : 0;
}

/*
 * Starts the fake server on a free port, after delay_ms (the port refuses
 * connections until then). dir: its certificates.
 */
static pid_t
start_server(const enum act *script, const char *dir, unsigned delay_ms,
    char *where, size_t wlen)
{
	const struct part part = { script, dir };

	return fork_server(serve, &part, delay_ms, where, wlen);
}

/* A SubmitShares request with two fixed "ciphertexts". */
static uint8_t ct[2][56];
static struct wire_share shares[2];

static void
submit_request(struct wire_request *req)
{
	memset(ct[0], 0xa1, sizeof(ct[0]));
	memset(ct[1], 0xb2, sizeof(ct[1]));
	shares[0].recipient = "alice";
	shares[0].ct = ct[0];
	shares[0].ct_len = sizeof(ct[0]);
	shares[1].recipient = "bob";
	shares[1].ct = ct[1];
	shares[1].ct_len = sizeof(ct[1]);
	memset(req, 0, sizeof(*req));
	req->method = WIRE_SUBMIT_SHARES;
	req->session_id = "sess";
	req->party = "alice";
	req->shares = shares;
	req->nshares = 2;
}

static const struct wire_limits lim = {
	.max_items = 16, .max_bytes = 1024, .max_values = 16,
};

/*
 * One retry_call of a SubmitShares as alice with certificates from
 * `mine`, against a server playing `script` with certificates from
 * `theirs`, started after delay_ms; timeout_ms for the whole call.
 */
struct outcome {
	int rc;
	int code;
	int duplicate;
	unsigned attempts;
	uint64_t ms;
	int server;       /* its exit status, -1 if killed */
	struct ss_error err;
};

static void
play(const enum act *script, const char *mine, const char *theirs,
    unsigned delay_ms, unsigned timeout_ms, int exchange_ms,
    struct outcome *o)
{
	struct retry_ctx r;
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	char where[64];
	uint64_t t0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	pid = start_server(script, theirs, delay_ms, where, sizeof(where));
	conn_init(&c);
	retry_init(&r, where, mine, "alice", timeout_ms, NULL);
	if (exchange_ms > 0)
		r.exchange_ms = exchange_ms;
	submit_request(&req);
	t0 = conn_now_ms();
	o->rc = retry_call(&r, &c, &req, &lim, &resp, &o->err);
	o->ms = conn_now_ms() - t0;
	o->attempts = r.attempts;
	o->code = o->rc == SS_OK ? resp.code : -1;
	o->duplicate = resp.duplicate;
	wire_response_free(&resp);
	conn_close(&c);
	if (o->rc == SS_OK) {
		o->server = server_result(pid);
	} else {
		stop_server(pid);
		o->server = -1;
	}
}

/* ---- the loop ----------------------------------------------------------- */

static void
test_drop_unavailable_ok(void **state)
{
	static const enum act script[] = { ACT_DROP, ACT_UNAVAIL, ACT_OK,
	    ACT_END };
	struct outcome o;

	(void)state;
	play(script, certdir, certdir, 0, 10000, 0, &o);
	if (o.rc != SS_OK)
		fail_msg("retry_call: %s", o.err.msg);
	assert_int_equal(o.code, ST_OK);
	assert_int_equal(o.attempts, 3);
	/* The three attempts carried the same request, id aside. */
	assert_int_equal(o.server, 0);
	assert_true(o.ms < 5000);
}

static void
test_lost_answer_is_a_duplicate(void **state)
{
	/* The write was applied but its answer lost: the retry is a duplicate. */
	static const enum act script[] = { ACT_OK, ACT_OK, ACT_END };
	struct wire_request req;
	struct wire_response resp;
	struct retry_ctx r;
	struct conn c;
	struct ss_error err;
	char where[64];
	pid_t pid;

	(void)state;
	pid = start_server(script, certdir, 0, where, sizeof(where));
	conn_init(&c);
	retry_init(&r, where, certdir, "alice", 10000, NULL);
	submit_request(&req);
	assert_int_equal(retry_call(&r, &c, &req, &lim, &resp,
	    &err), SS_OK);
	assert_false(resp.duplicate);
	wire_response_free(&resp);
	/* Same call again on the same connection (as after a lost answer). */
	assert_int_equal(retry_call(&r, &c, &req, &lim, &resp,
	    &err), SS_OK);
	assert_int_equal(resp.code, ST_OK);
	assert_true(resp.duplicate);
	wire_response_free(&resp);
	conn_close(&c);
	assert_int_equal(server_result(pid), 0);
}

static void
test_exchange_timeout_retried(void **state)
{
	static const enum act script[] = { ACT_SILENT, ACT_OK, ACT_END };
	struct outcome o;

	(void)state;
	play(script, certdir, certdir, 0, 10000, 300, &o);
	if (o.rc != SS_OK)
		fail_msg("retry_call: %s", o.err.msg);
	assert_int_equal(o.code, ST_OK);
	assert_int_equal(o.attempts, 2);
	assert_int_equal(o.server, 0);
	/* One exchange's budget, a pause, and the second exchange. */
	assert_true(o.ms >= 300);
	assert_true(o.ms < 3000);
}

static void
test_server_starts_late(void **state)
{
	static const enum act script[] = { ACT_OK, ACT_END };
	struct outcome o;

	(void)state;
	play(script, certdir, certdir, 700, 10000, 0, &o);
	if (o.rc != SS_OK)
		fail_msg("retry_call: %s", o.err.msg);
	assert_int_equal(o.code, ST_OK);
	assert_true(o.attempts >= 2);
	assert_true(o.ms >= 600);
	assert_true(o.ms < 4000);
	assert_int_equal(o.server, 0);
}

/*
 * A call to a port where nothing listens, within timeout_ms, giving up
 * after fail_fast_ms unanswered (0: never): its error in err, its
 * duration in *ms and its attempts in *attempts.
 */
static int
call_no_server(unsigned timeout_ms, uint64_t fail_fast_ms,
    struct ss_error *err, uint64_t *ms, unsigned *attempts)
{
	struct retry_ctx r;
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	char where[64];
	uint64_t t0;
	int rc;

	snprintf(where, sizeof(where), "127.0.0.1:%u", free_port());
	conn_init(&c);
	retry_init(&r, where, certdir, "alice", timeout_ms, NULL);
	r.fail_fast_ms = fail_fast_ms;
	submit_request(&req);
	t0 = conn_now_ms();
	rc = retry_call(&r, &c, &req, &lim, &resp, err);
	*ms = conn_now_ms() - t0;
	*attempts = r.attempts;
	wire_response_free(&resp);
	return rc;
}

static void
test_no_server_gives_up_at_deadline(void **state)
{
	struct ss_error err;
	uint64_t ms;
	unsigned attempts;

	(void)state;
	assert_int_equal(call_no_server(1500, 0, &err, &ms, &attempts),
	    SS_ERR_UNAVAILABLE);
	/* About the deadline: not early, not much later. */
	assert_true(ms >= 1350);
	assert_true(ms < 2500);
	assert_true(attempts >= 3);
	/* What failed last, and how many attempts. */
	if (strstr(err.msg, "Connection refused") == NULL ||
	    strstr(err.msg, "gave up after") == NULL ||
	    strstr(err.msg, "attempts") == NULL)
		fail_msg("error: %s", err.msg);
}

/* Without --wait: a server never heard from is given up well before 2 s. */
static void
test_no_server_fails_fast(void **state)
{
	struct ss_error err;
	uint64_t ms;
	unsigned attempts;

	(void)state;
	assert_int_equal(call_no_server(30000, RETRY_FAIL_FAST_MS, &err, &ms,
	    &attempts), SS_ERR_UNAVAILABLE);
	assert_true(ms < 2000);
	assert_true(attempts >= 2);
	if (strstr(err.msg, "Connection refused") == NULL ||
	    strstr(err.msg, "--wait keeps retrying") == NULL)
		fail_msg("error: %s", err.msg);
}

static void
test_unavailable_until_deadline(void **state)
{
	static const enum act script[] = { ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL, ACT_UNAVAIL,
	    ACT_END };
	struct outcome o;

	(void)state;
	play(script, certdir, certdir, 0, 1200, 0, &o);
	assert_int_equal(o.rc, SS_ERR_TIMEOUT);
	assert_true(o.attempts >= 2);
	assert_true(o.ms >= 1050 && o.ms < 2500);
	if (strstr(o.err.msg, "unavailable (UNAVAILABLE): the journal cannot be "
	    "written") == NULL || strstr(o.err.msg, "gave up after") == NULL)
		fail_msg("error: %s", o.err.msg);
}

static void
test_answers_not_retried(void **state)
{
	static const enum act script[] = { ACT_EXISTS, ACT_END };
	struct outcome o;

	(void)state;
	play(script, certdir, certdir, 0, 10000, 0, &o);
	assert_int_equal(o.rc, SS_OK);
	assert_int_equal(o.code, ST_ALREADY_EXISTS);
	assert_int_equal(o.attempts, 1);
	assert_int_equal(o.server, 0);
}

static void
test_server_certificate_refused_at_once(void **state)
{
	static const enum act script[] = { ACT_OK, ACT_END };
	struct outcome o;

	(void)state;
	/* Our CA does not know the server: a verdict, not a network fault. */
	play(script, otherdir, certdir, 0, 5000, 0, &o);
	assert_int_equal(o.rc, SS_ERR_CERT);
	assert_int_equal(o.attempts, 1);
	assert_true(o.ms < 1000);
	if (strstr(o.err.msg, "verif") == NULL)
		fail_msg("error: %s", o.err.msg);
}

static void
test_our_certificate_refused_soon(void **state)
{
	static const enum act script[] = { ACT_OK, ACT_END };
	struct outcome o;

	(void)state;
	/*
	 * The server trusts another CA: it refuses alice after the handshake,
	 * with an alert or, as often, a reset. Either way: not until the
	 * deadline, and the error points at our certificate.
	 */
	play(script, certdir, mixeddir, 0, 8000, 0, &o);
	assert_int_not_equal(o.rc, SS_OK);
	assert_true(o.attempts >= 1 && o.attempts <= RETRY_UNPROVEN_MAX);
	assert_true(o.ms < 2000);
	if (strstr(o.err.msg, "refuse our certificate") == NULL)
		fail_msg("error: %s", o.err.msg);
}

static int
setup(void **state)
{
	(void)state;
	/*
	 * certdir: our CA, the server, alice. other: another CA with its own
	 * alice. mixed: our server's key pair, but the other CA to judge
	 * clients by. Without them the TLS tests cannot run: a failure.
	 */
	if ((certdir = certs_dir()) == NULL ||
	    (otherdir = other_certs_dir()) == NULL)
		return -1;
	mixeddir = tempdir();
	copy_into(otherdir, "ca.crt", mixeddir, "ca.crt", 0644);
	copy_into(certdir, "server.crt", mixeddir, "server.crt", 0644);
	copy_into(certdir, "server.key", mixeddir, "server.key", 0600);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(mixeddir);
	mixeddir = NULL;
	certs_remove();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_schedule),
		cmocka_unit_test(test_full_jitter),
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_drop_unavailable_ok),
		cmocka_unit_test(test_lost_answer_is_a_duplicate),
		cmocka_unit_test(test_exchange_timeout_retried),
		cmocka_unit_test(test_server_starts_late),
		cmocka_unit_test(test_no_server_gives_up_at_deadline),
		cmocka_unit_test(test_no_server_fails_fast),
		cmocka_unit_test(test_unavailable_until_deadline),
		cmocka_unit_test(test_answers_not_retried),
		cmocka_unit_test(test_server_certificate_refused_at_once),
		cmocka_unit_test(test_our_certificate_refused_soon),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
