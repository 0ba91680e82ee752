/*
 * test_client_conn.c: the client's TLS connection (client/conn.c) against a
 * scripted fake server in a child process, over loopback with certificates
 * from scripts/mkcerts.sh: a good exchange, several on one connection, and
 * a server that lies about the id, sends the wrong body, announces a huge
 * frame, goes silent, or hangs up. Also the parsing of HOST:PORT.
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
#include "frame.h"
#include "securesum.pb-c.h"
#include "wire.h"

static const char *certdir;

enum scenario { SC_OK, SC_WRONG_ID, SC_WRONG_BODY, SC_HUGE, SC_SILENT,
    SC_CLOSE, SC_SHARES, SC_CUT };

/*
 * SC_SHARES answers with two shares of BIG_CT bytes each, so that the
 * response crosses many TLS records and the client's read buffer; SC_CUT
 * announces more bytes than it sends and hangs up.
 */
#define BIG_CT  100003

static const struct wire_limits lim = {
	.max_items = 16, .max_bytes = 1024, .max_values = 16,
};

/* ---- the fake server (child process) ----------------------------------- */

/*
 * Two shares of BIG_CT bytes, byte i of share k being (i * 7 + k) & 0xff;
 * cut: the frame announces 100 bytes more than follow, then the hang-up.
 */
static int
serve_shares(SSL *ssl, Securesum__Request *req, int cut)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetShareResponse gs = SECURESUM__GET_SHARE_RESPONSE__INIT;
	Securesum__IncomingShare in[2] = { SECURESUM__INCOMING_SHARE__INIT,
	    SECURESUM__INCOMING_SHARE__INIT };
	Securesum__IncomingShare *list[2] = { &in[0], &in[1] };
	static char *names[] = { "alice", "bob" };
	uint8_t *ct[2], *buf;
	size_t i, k, len, done;
	int r = 0;

	for (k = 0; k < 2; k++) {
		if ((ct[k] = malloc(BIG_CT)) == NULL)
			return 6;
		for (i = 0; i < BIG_CT; i++)
			ct[k][i] = (uint8_t)(i * 7 + k);
		in[k].sender = names[k];
		in[k].ciphertext.data = ct[k];
		in[k].ciphertext.len = BIG_CT;
	}
	gs.n_shares = 2;
	gs.shares = list;
	m.id = req->id;
	m.code = SECURESUM__CODE__OK;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_SHARE;
	m.get_share = &gs;
	if (!cut)
		r = server_write_response(ssl, &m) != 0 ? 5 : 0;
	else {
		len = securesum__response__get_packed_size(&m);
		if ((buf = malloc(FRAME_HEADER_LEN + len)) == NULL)
			r = 6;
		else {
			frame_put_header(buf, (uint32_t)(len + 100));
			securesum__response__pack(&m, buf + FRAME_HEADER_LEN);
			if (SSL_write_ex(ssl, buf, FRAME_HEADER_LEN + len,
			    &done) != 1)
				r = 5;
			free(buf);
			server_hang_up(ssl);
		}
	}
	securesum__request__free_unpacked(req, NULL);
	free(ct[0]);
	free(ct[1]);
	return r;
}

/* Serves one connection as the scenario (*arg) says. */
static int
serve(int lfd, const void *arg)
{
	static char *parties[] = { "alice", "bob" };
	const enum scenario sc = *(const enum scenario *)arg;
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetStatusResponse st = SECURESUM__GET_STATUS_RESPONSE__INIT;
	Securesum__GetKeysResponse gk = SECURESUM__GET_KEYS_RESPONSE__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	Securesum__Request *req;
	uint8_t hdr[FRAME_HEADER_LEN];
	SSL *ssl;
	int i, r;

	if ((ssl = server_accept(lfd, server_tls_ctx(certdir))) == NULL)
		return 2;
	for (i = 0; i < 3; i++) {
		if ((req = server_read_request(ssl)) == NULL)
			return i > 0 ? 0 : 3;
		switch (sc) {
		case SC_SILENT:
			sleep(10);
			return 0;
		case SC_CLOSE:
			SSL_shutdown(ssl);
			server_hang_up(ssl);
			return 0;
		case SC_HUGE:
			frame_put_header(hdr, 0xFFFFFFFFu);
			SSL_write(ssl, hdr, sizeof(hdr));
			sleep(2);
			return 0;
		case SC_CUT:
			return serve_shares(ssl, req, 1);
		case SC_SHARES:
			/* Then on to the next request, or the client's close. */
			if ((r = serve_shares(ssl, req, 0)) != 0)
				return r;
			continue;
		default:
			break;
		}
		m.id = req->id + (sc == SC_WRONG_ID ? 1 : 0);
		m.code = SECURESUM__CODE__OK;
		if (sc == SC_WRONG_BODY) {
			m.body_case = SECURESUM__RESPONSE__BODY_GET_KEYS;
			m.get_keys = &gk;
		} else {
			p.session_id = req->get_status != NULL ?
			    req->get_status->session_id : "";
			p.n_parties = 2;
			p.parties = parties;
			p.threshold = 1;
			p.length = 1;
			st.params = &p;
			st.phase = SECURESUM__PHASE__SHARING;
			st.n_missing = 2;
			st.missing = parties;
			m.body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
			m.get_status = &st;
		}
		if (server_write_response(ssl, &m) != 0)
			return 5;
		securesum__request__free_unpacked(req, NULL);
	}
	return 0;
}

static void
status_request(struct wire_request *req)
{
	memset(req, 0, sizeof(*req));
	req->method = WIRE_GET_STATUS;
	req->session_id = "sess";
}

/* Opens a connection to a fresh fake server playing sc. */
static pid_t
connect_to(enum scenario sc, struct conn *c, int budget_ms)
{
	struct ss_error err;
	char where[64];
	pid_t pid;

	pid = fork_server(serve, &sc, 0, where, sizeof(where));
	conn_init(c);
	if (conn_open(c, where, certdir, "alice", budget_ms, &err) != SS_OK) {
		stop_server(pid);
		fail_msg("conn_open: %s", err.msg);
	}
	assert_true(conn_is_open(c));
	return pid;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_exchanges(void **state)
{
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	struct ss_error err;
	uint64_t first_id = 0;
	pid_t pid;
	int i;

	(void)state;
	pid = connect_to(SC_OK, &c, 5000);
	for (i = 0; i < 3; i++) {
		status_request(&req);
		assert_int_equal(conn_call(&c, &req, &lim, &resp, &err),
		    SS_OK);
		if (i == 0)
			first_id = req.id;
		/* Every request gets a new id, echoed back. */
		assert_int_equal(req.id, first_id + (uint64_t)i);
		assert_int_equal(resp.id, req.id);
		assert_int_equal(resp.code, ST_OK);
		assert_int_equal(resp.phase, PHASE_SHARING);
		assert_string_equal(resp.params.session_id, "sess");
		assert_int_equal(resp.params.parties.n, 2);
		wire_response_free(&resp);
	}
	conn_close(&c);
	stop_server(pid);
}

static void
expect_failure(enum scenario sc, int want, int budget_ms)
{
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	struct ss_error err;
	uint64_t t0;
	pid_t pid;

	pid = connect_to(sc, &c, budget_ms);
	status_request(&req);
	t0 = conn_now_ms();
	ss_error_clear(&err);
	assert_int_equal(conn_call(&c, &req, &lim, &resp, &err), want);
	/* Within the budget (plus scheduling slack), with a reason. */
	assert_true(conn_now_ms() - t0 < (uint64_t)budget_ms + 1000);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(err.code, want);
	/* A failed exchange leaves the stream unusable: closed. */
	assert_false(conn_is_open(&c));
	assert_int_equal(resp.nshares, 0);
	wire_response_free(&resp);
	conn_close(&c);
	stop_server(pid);
}

static void
test_wrong_id(void **state)
{
	(void)state;
	expect_failure(SC_WRONG_ID, SS_ERR_PROTOCOL, 5000);
}

static void
test_wrong_body(void **state)
{
	(void)state;
	expect_failure(SC_WRONG_BODY, SS_ERR_PROTOCOL, 5000);
}

static void
test_huge_frame(void **state)
{
	(void)state;
	expect_failure(SC_HUGE, SS_ERR_TOO_LARGE, 5000);
}

static void
test_silent_server(void **state)
{
	(void)state;
	expect_failure(SC_SILENT, SS_ERR_TIMEOUT, 500);
}

static void
test_hang_up(void **state)
{
	(void)state;
	expect_failure(SC_CLOSE, SS_ERR_IO, 5000);
}

/*
 * A response of two 100 KB ciphertexts, read as it is decoded (through the
 * client's one-record buffer and straight into place), arrives whole; one
 * whose frame ends early is the network's failure, not a decoding error.
 */
static void
test_large_response(void **state)
{
	static const struct wire_limits big = {
		.max_items = 16, .max_bytes = 2 * BIG_CT, .max_values = 16,
	};
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	struct ss_error err;
	size_t i, k;
	pid_t pid;

	(void)state;
	pid = connect_to(SC_SHARES, &c, 5000);
	memset(&req, 0, sizeof(req));
	req.method = WIRE_GET_SHARE;
	req.session_id = "sess";
	req.party = "alice";
	if (conn_call(&c, &req, &big, &resp, &err) != SS_OK)
		fail_msg("conn_call: %s", err.msg);
	assert_int_equal(resp.nshares, 2);
	for (k = 0; k < 2; k++) {
		assert_int_equal(resp.shares[k].ct_len, BIG_CT);
		for (i = 0; i < BIG_CT; i++)
			if (resp.shares[k].ct[i] != (uint8_t)(i * 7 + k))
				fail_msg("share %zu byte %zu", k, i);
	}
	assert_string_equal(resp.shares[1].sender, "bob");
	wire_response_free(&resp);
	conn_close(&c);
	stop_server(pid);

	pid = connect_to(SC_CUT, &c, 5000);
	ss_error_clear(&err);
	assert_int_equal(conn_call(&c, &req, &big, &resp, &err), SS_ERR_IO);
	assert_true(err.msg[0] != '\0');
	assert_false(conn_is_open(&c));
	wire_response_free(&resp);
	conn_close(&c);
	stop_server(pid);
}

static void
test_not_connected(void **state)
{
	struct wire_request req;
	struct wire_response resp;
	struct conn c;
	struct ss_error err;

	(void)state;
	conn_init(&c);
	status_request(&req);
	assert_int_equal(conn_call(&c, &req, &lim, &resp, &err), SS_ERR_IO);
	/* Nobody listens on port 1. */
	assert_int_equal(conn_open(&c, "127.0.0.1:1", certdir, "alice",
	    2000, &err), SS_ERR_IO);
	/* A party without a certificate never reaches the network. */
	assert_int_equal(conn_open(&c, "127.0.0.1:1", "/nonexistent", "alice",
	    2000, &err), SS_ERR_CERT);
	conn_close(&c);
}

/*
 * conn.server_name: the server's certificate (localhost, 127.0.0.1, ::1)
 * is checked against it, not against the host connected to.
 */
static void
test_server_name(void **state)
{
	enum scenario sc = SC_OK;
	struct ss_error err;
	struct conn c;
	char where[64];
	pid_t pid;

	(void)state;
	/* Connected to 127.0.0.1, checked as localhost: accepted. */
	pid = fork_server(serve, &sc, 0, where, sizeof(where));
	conn_init(&c);
	c.server_name = "localhost";
	if (conn_open(&c, where, certdir, "alice", 5000, &err) != SS_OK)
		fail_msg("conn_open as localhost: %s", err.msg);
	conn_close(&c);
	stop_server(pid);
	/* Checked as a name the certificate lacks: refused, said so. */
	pid = fork_server(serve, &sc, 0, where, sizeof(where));
	conn_init(&c);
	c.server_name = "other.example.org";
	ss_error_clear(&err);
	assert_int_equal(conn_open(&c, where, certdir, "alice", 5000, &err),
	    SS_ERR_CERT);
	assert_non_null(strstr(err.msg, "(as other.example.org)"));
	assert_non_null(strstr(err.msg, "hostname mismatch"));
	assert_false(c.transient);
	/* The setting outlives the failed connection. */
	assert_string_equal(c.server_name, "other.example.org");
	conn_close(&c);
	stop_server(pid);
}

static int
setup(void **state)
{
	(void)state;
	/* Without certificates the TLS tests cannot run: that is a failure. */
	return (certdir = certs_dir()) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	certs_remove();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_connected),
		cmocka_unit_test(test_exchanges),
		cmocka_unit_test(test_wrong_id),
		cmocka_unit_test(test_wrong_body),
		cmocka_unit_test(test_huge_frame),
		cmocka_unit_test(test_silent_server),
		cmocka_unit_test(test_hang_up),
		cmocka_unit_test(test_large_response),
		cmocka_unit_test(test_server_name),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
