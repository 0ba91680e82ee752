/*
 * test_interop.c: proves that the client's nanopb codec and the server's
 * protobuf-c code read each other's bytes, on every message of the proto.
 *
 * Requests: encoded by client/wire.c, unpacked by protobuf-c, every field
 * compared. Responses: packed by protobuf-c, decoded by client/wire.c, every
 * field compared. Long vectors (100,000 elements), ciphertexts of several KB
 * and empty lists are included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pb_encode.h>

#include "err.h"
#include "field.h"
#include "securesum.pb-c.h"
#include "wire.h"

#define BIG_VECTOR 100000
#define CT_SIZE    5000

/* A deterministic generator for test data (not for anything secret). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static void
fill_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* Field elements, with the edge values 0, 1, 127, 128 and p - 1 in front. */
static uint64_t *
make_values(size_t n)
{
	static const uint64_t edge[] = { 0, 1, 127, 128, FIELD_P - 1 };
	uint64_t *v = calloc(n ? n : 1, sizeof(*v));
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = i < 5 ? edge[i] : rnd() % FIELD_P;
	return v;
}

static const struct wire_limits big_limits = {
	.max_items = 1024,
	.max_bytes = 1u << 20,
	.max_values = 1u << 20,
	.max_statement = 1u << 16,
};

/* ---- requests: nanopb -> protobuf-c ------------------------------------ */

static Securesum__Request *
roundtrip_request(const struct wire_request *req)
{
	Securesum__Request *m;
	pb_ostream_t os;
	uint8_t *buf;
	size_t size;

	assert_int_equal(wire_request_size(req, &size), SS_OK);
	buf = malloc(size ? size : 1);
	assert_non_null(buf);
	os = pb_ostream_from_buffer(buf, size);
	assert_int_equal(wire_encode_request(&os, req), SS_OK);
	assert_int_equal(os.bytes_written, size);
	m = securesum__request__unpack(NULL, size, buf);
	free(buf);
	assert_non_null(m);
	assert_int_equal(m->id, req->id);
	assert_int_equal((int)m->method, req->method);
	assert_int_equal(m->deadline_unix_ms, req->deadline_unix_ms);
	assert_int_equal((int)m->body_case, req->method + 9);
	return m;
}

static void
assert_strings(char **got, size_t ngot, const char *const *want, size_t n)
{
	size_t i;

	assert_int_equal(ngot, n);
	for (i = 0; i < n; i++)
		assert_string_equal(got[i], want[i]);
}

static void
test_req_create_session(void **state)
{
	static const char *const parties[] = { "alice", "bob", "carol.example-1" };
	struct wire_request req = {
		.id = UINT64_MAX, .method = WIRE_CREATE_SESSION,
		.deadline_unix_ms = 1700000000123u,
		.session_id = "survey-2024.q1",
		.names = parties, .nnames = 3,
		.threshold = 2, .length = 1000000, .decimals = 18,
		.deadline_seconds = 4294967295u,
	};
	Securesum__Request *m;
	Securesum__SessionParams *p;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->create_session);
	p = m->create_session->params;
	assert_non_null(p);
	assert_string_equal(p->session_id, "survey-2024.q1");
	assert_strings(p->parties, p->n_parties, parties, 3);
	assert_int_equal(p->threshold, 2);
	assert_int_equal(p->length, 1000000);
	assert_int_equal(p->decimals, 18);
	assert_int_equal(p->deadline_seconds, 4294967295u);
	securesum__request__free_unpacked(m, NULL);

	/* Zero values and an empty party list. */
	memset(&req, 0, sizeof(req));
	req.id = 1;
	req.method = WIRE_CREATE_SESSION;
	req.session_id = "s";
	m = roundtrip_request(&req);
	p = m->create_session->params;
	assert_non_null(p);
	assert_string_equal(p->session_id, "s");
	assert_int_equal(p->n_parties, 0);
	assert_int_equal(p->threshold, 0);
	assert_int_equal(p->length, 0);
	assert_int_equal(p->decimals, 0);
	assert_int_equal(p->deadline_seconds, 0);
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_submit_shares(void **state)
{
	static const char *const who[] = { "alice", "bob", "carol" };
	/* Longest allowed name: 64 characters. */
	static const char longname[] =
	    "p234567890123456789012345678901234567890123456789012345678901234";
	struct wire_share shares[4];
	uint8_t *ct[4];
	struct wire_request req = {
		.id = 42, .method = WIRE_SUBMIT_SHARES,
		.session_id = "s1", .party = "alice",
		.shares = shares, .nshares = 4,
	};
	Securesum__Request *m;
	Securesum__SubmitSharesRequest *b;
	size_t i;

	(void)state;
	assert_int_equal(strlen(longname), NAME_MAX_LEN);
	for (i = 0; i < 4; i++) {
		size_t len = CT_SIZE + i * 1000;

		ct[i] = malloc(len);
		assert_non_null(ct[i]);
		fill_bytes(ct[i], len);
		shares[i].recipient = i < 3 ? who[i] : longname;
		shares[i].ct = ct[i];
		shares[i].ct_len = len;
	}
	m = roundtrip_request(&req);
	b = m->submit_shares;
	assert_non_null(b);
	assert_string_equal(b->session_id, "s1");
	assert_string_equal(b->party, "alice");
	assert_int_equal(b->n_shares, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(b->shares[i]->recipient, shares[i].recipient);
		assert_int_equal(b->shares[i]->ciphertext.len, shares[i].ct_len);
		assert_memory_equal(b->shares[i]->ciphertext.data, ct[i],
		    shares[i].ct_len);
	}
	securesum__request__free_unpacked(m, NULL);
	for (i = 0; i < 4; i++)
		free(ct[i]);

	/* No shares at all. */
	req.nshares = 0;
	req.shares = NULL;
	m = roundtrip_request(&req);
	assert_non_null(m->submit_shares);
	assert_int_equal(m->submit_shares->n_shares, 0);
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_get_share(void **state)
{
	struct wire_request req = {
		.id = 7, .method = WIRE_GET_SHARE,
		.session_id = "s2", .party = "bob",
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->get_share);
	assert_string_equal(m->get_share->session_id, "s2");
	assert_string_equal(m->get_share->party, "bob");
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_post_sumpoint(void **state)
{
	uint64_t *v = make_values(BIG_VECTOR);
	struct wire_request req = {
		.id = 8, .method = WIRE_POST_SUMPOINT,
		.session_id = "s3", .party = "carol",
		.values = v, .nvalues = BIG_VECTOR,
	};
	Securesum__Request *m;
	size_t i;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->post_sumpoint);
	assert_string_equal(m->post_sumpoint->session_id, "s3");
	assert_string_equal(m->post_sumpoint->party, "carol");
	assert_int_equal(m->post_sumpoint->n_values, BIG_VECTOR);
	for (i = 0; i < BIG_VECTOR; i++)
		if (m->post_sumpoint->values[i] != v[i])
			fail_msg("element %zu differs", i);
	securesum__request__free_unpacked(m, NULL);

	/* One element, and none. */
	req.nvalues = 1;
	m = roundtrip_request(&req);
	assert_int_equal(m->post_sumpoint->n_values, 1);
	assert_int_equal(m->post_sumpoint->values[0], v[0]);
	securesum__request__free_unpacked(m, NULL);
	req.nvalues = 0;
	m = roundtrip_request(&req);
	assert_int_equal(m->post_sumpoint->n_values, 0);
	securesum__request__free_unpacked(m, NULL);
	free(v);
}

static void
test_req_list_sumpoints(void **state)
{
	struct wire_request req = {
		.id = 9, .method = WIRE_LIST_SUMPOINTS, .session_id = "s4",
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->list_sumpoints);
	assert_string_equal(m->list_sumpoints->session_id, "s4");
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_get_status(void **state)
{
	struct wire_request req = {
		.id = 10, .method = WIRE_GET_STATUS, .session_id = "s5",
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->get_status);
	assert_string_equal(m->get_status->session_id, "s5");
	/* No watch asked: both fields at 0, the server answers at once. */
	assert_int_equal(m->get_status->watch_version, 0);
	assert_int_equal(m->get_status->watch_ms, 0);
	securesum__request__free_unpacked(m, NULL);
}

/* The watch's fields (docs/PROTOCOL.md 7.6), full 64 and 32 bits. */
static void
test_req_get_status_watch(void **state)
{
	struct wire_request req = {
		.id = 11, .method = WIRE_GET_STATUS, .session_id = "s5",
		.watch_version = 0xfedcba9800000007ull, .watch_ms = 20000,
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->get_status);
	assert_string_equal(m->get_status->session_id, "s5");
	assert_true(m->get_status->watch_version == 0xfedcba9800000007ull);
	assert_int_equal(m->get_status->watch_ms, 20000);
	securesum__request__free_unpacked(m, NULL);
	req.watch_ms = UINT32_MAX;
	m = roundtrip_request(&req);
	assert_int_equal(m->get_status->watch_ms, UINT32_MAX);
	assert_false(m->get_status->watch_until);
	securesum__request__free_unpacked(m, NULL);
	/* What the watch waits for (7.6.1), each field its own value. */
	req.watch_until = 1;
	req.watch_phase = PHASE_AGGREGATING;
	req.watch_signers = 70000;
	req.watch_posted = 51;
	req.watch_conflicts = UINT32_MAX;
	m = roundtrip_request(&req);
	assert_true(m->get_status->watch_until);
	assert_int_equal(m->get_status->watch_phase,
	    SECURESUM__PHASE__AGGREGATING);
	assert_int_equal(m->get_status->watch_signers, 70000);
	assert_int_equal(m->get_status->watch_posted, 51);
	assert_int_equal(m->get_status->watch_conflicts, UINT32_MAX);
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_publish_key(void **state)
{
	uint8_t cert[1234];
	struct wire_request req = {
		.id = 11, .method = WIRE_PUBLISH_KEY,
		.cert = cert, .cert_len = sizeof(cert),
	};
	Securesum__Request *m;

	(void)state;
	fill_bytes(cert, sizeof(cert));
	m = roundtrip_request(&req);
	assert_non_null(m->publish_key);
	assert_int_equal(m->publish_key->certificate.len, sizeof(cert));
	assert_memory_equal(m->publish_key->certificate.data, cert,
	    sizeof(cert));
	securesum__request__free_unpacked(m, NULL);

	req.cert = NULL;
	req.cert_len = 0;
	m = roundtrip_request(&req);
	assert_non_null(m->publish_key);
	assert_int_equal(m->publish_key->certificate.len, 0);
	securesum__request__free_unpacked(m, NULL);
}

static void
test_req_get_keys(void **state)
{
	static const char *const parties[] = { "alice", "bob", "carol", "dave" };
	struct wire_request req = {
		.id = 12, .method = WIRE_GET_KEYS, .names = parties, .nnames = 4,
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&req);
	assert_non_null(m->get_keys);
	assert_strings(m->get_keys->parties, m->get_keys->n_parties, parties, 4);
	securesum__request__free_unpacked(m, NULL);

	req.nnames = 0;
	req.names = NULL;
	m = roundtrip_request(&req);
	assert_non_null(m->get_keys);
	assert_int_equal(m->get_keys->n_parties, 0);
	securesum__request__free_unpacked(m, NULL);
}

/* A statement of body_len and sig_len bytes of filler, into w (free them). */
static void
make_stmt(struct wire_stmt *w, size_t body_len, size_t sig_len)
{
	assert_non_null(w->body = malloc(body_len));
	assert_non_null(w->sig = malloc(sig_len));
	fill_bytes(w->body, body_len);
	fill_bytes(w->sig, sig_len);
	w->body_len = body_len;
	w->sig_len = sig_len;
}

static void
assert_stmt(const Securesum__Statement *m, const struct wire_stmt *w)
{
	assert_non_null(m);
	assert_int_equal(m->body.len, w->body_len);
	assert_memory_equal(m->body.data, w->body, w->body_len);
	assert_int_equal(m->signature.len, w->sig_len);
	assert_memory_equal(m->signature.data, w->sig, w->sig_len);
}

/* Version 2: the pinned parameters, and a statement in every change. */
static void
test_req_v2(void **state)
{
	static const char *const parties[] = { "alice", "bob" };
	static const uint8_t nonce[16] = { 1, 2, 3, 0xfe, 0xff };
	struct wire_request req = {
		.id = 9, .method = WIRE_CREATE_SESSION, .session_id = "v2",
		.names = parties, .nnames = 2, .threshold = 1, .length = 3,
		.min_cohort = 2, .deadline_unix = UINT64_MAX - 1,
		.nonce = nonce, .nonce_len = sizeof(nonce),
	};
	static const int changes[] = { WIRE_SUBMIT_SHARES, WIRE_POST_SUMPOINT,
	    WIRE_POST_COHORT };
	Securesum__Statement *st;
	Securesum__Request *m;
	struct wire_stmt w;
	size_t i;

	(void)state;
	m = roundtrip_request(&req);
	assert_int_equal(m->create_session->params->min_cohort, 2);
	assert_int_equal(m->create_session->params->deadline_unix,
	    UINT64_MAX - 1);
	assert_int_equal(m->create_session->params->nonce.len, 16);
	assert_memory_equal(m->create_session->params->nonce.data, nonce, 16);
	securesum__request__free_unpacked(m, NULL);
	make_stmt(&w, 3000, 72);
	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.id = 10 + i;
		req.method = changes[i];
		req.session_id = "v2";
		req.party = "bob";
		req.stmt = &w;
		m = roundtrip_request(&req);
		st = i == 0 ? m->submit_shares->submit : i == 1 ?
		    m->post_sumpoint->statement : m->post_cohort->cohort;
		assert_stmt(st, &w);
		if (i == 2)
			assert_string_equal(m->post_cohort->party, "bob");
		securesum__request__free_unpacked(m, NULL);
	}
	free(w.body);
	free(w.sig);
	req.method = WIRE_GET_COHORT;
	req.stmt = NULL;
	m = roundtrip_request(&req);
	assert_string_equal(m->get_cohort->session_id, "v2");
	securesum__request__free_unpacked(m, NULL);
}

/* DeleteSession's session and ListSessions' offset, full 32 bits. */
static void
test_req_lifecycle(void **state)
{
	struct wire_request del = {
		.id = 21, .method = WIRE_DELETE_SESSION, .session_id = "gone",
	};
	struct wire_request list = {
		.id = 22, .method = WIRE_LIST_SESSIONS, .offset = UINT32_MAX,
	};
	Securesum__Request *m;

	(void)state;
	m = roundtrip_request(&del);
	assert_non_null(m->delete_session);
	assert_string_equal(m->delete_session->session_id, "gone");
	securesum__request__free_unpacked(m, NULL);
	m = roundtrip_request(&list);
	assert_non_null(m->list_sessions);
	assert_int_equal(m->list_sessions->offset, UINT32_MAX);
	securesum__request__free_unpacked(m, NULL);
}

/* ---- responses: protobuf-c -> nanopb ----------------------------------- */

static void
roundtrip_response(const Securesum__Response *m, int method,
    struct wire_response *out)
{
	struct ss_error err;
	uint8_t *buf;
	size_t len = securesum__response__get_packed_size(m);

	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	assert_int_equal(securesum__response__pack(m, buf), len);
	ss_error_clear(&err);
	if (wire_decode_response(buf, len, method, &big_limits, out,
	    &err) != SS_OK)
		fail_msg("decode: %s", err.msg);
	free(buf);
	assert_int_equal(out->id, m->id);
	assert_int_equal(out->code, (int)m->code);
	assert_string_equal(out->message, m->message);
}

static void
assert_names(const struct wire_names *got, char **want, size_t n)
{
	size_t i;

	assert_int_equal(got->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(got->v[i], want[i]);
}

static void
test_resp_create_session(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__CreateSessionResponse b = SECURESUM__CREATE_SESSION_RESPONSE__INIT;
	struct wire_response r;
	uint8_t dg[32];

	(void)state;
	m.id = UINT64_MAX;
	m.body_case = SECURESUM__RESPONSE__BODY_CREATE_SESSION;
	m.create_session = &b;
	b.created = 1;
	b.deadline_unix = 1700000000u;
	/* Version 2: D as the server computed it. */
	b.digest.len = sizeof(dg);
	b.digest.data = dg;
	fill_bytes(dg, sizeof(dg));
	roundtrip_response(&m, WIRE_CREATE_SESSION, &r);
	assert_true(r.has_body);
	assert_int_equal(r.created, 1);
	assert_int_equal(r.deadline_unix, 1700000000u);
	assert_int_equal(r.digest_len, sizeof(dg));
	assert_memory_equal(r.digest, dg, sizeof(dg));
	wire_response_free(&r);
	b.digest.len = 0;

	/* An error: code and message, body left out. */
	m.code = SECURESUM__CODE__ALREADY_EXISTS;
	m.message = "session s exists with other parameters";
	m.body_case = SECURESUM__RESPONSE__BODY__NOT_SET;
	roundtrip_response(&m, WIRE_CREATE_SESSION, &r);
	assert_false(r.has_body);
	assert_int_equal(r.code, ST_ALREADY_EXISTS);
	assert_int_equal(r.created, 0);
	wire_response_free(&r);

	/* A body with every field at its default. */
	m.code = SECURESUM__CODE__OK;
	m.message = "";
	m.body_case = SECURESUM__RESPONSE__BODY_CREATE_SESSION;
	b.created = 0;
	b.deadline_unix = 0;
	roundtrip_response(&m, WIRE_CREATE_SESSION, &r);
	assert_true(r.has_body);
	assert_int_equal(r.created, 0);
	assert_int_equal(r.deadline_unix, 0);
	wire_response_free(&r);
}

/* DeleteSession's released bytes; ListSessions' entries, every field. */
static void
test_resp_lifecycle(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__DeleteSessionResponse d = SECURESUM__DELETE_SESSION_RESPONSE__INIT;
	Securesum__ListSessionsResponse l = SECURESUM__LIST_SESSIONS_RESPONSE__INIT;
	Securesum__SessionSummary e[2] = { SECURESUM__SESSION_SUMMARY__INIT,
	    SECURESUM__SESSION_SUMMARY__INIT };
	Securesum__SessionSummary *ep[2] = { &e[0], &e[1] };
	struct wire_response r;

	(void)state;
	m.body_case = SECURESUM__RESPONSE__BODY_DELETE_SESSION;
	m.delete_session = &d;
	d.released_bytes = UINT64_MAX;
	roundtrip_response(&m, WIRE_DELETE_SESSION, &r);
	assert_true(r.has_body);
	assert_int_equal(r.released_bytes, UINT64_MAX);
	wire_response_free(&r);
	e[0].session_id = "payroll";
	e[0].phase = SECURESUM__PHASE__COMPLETE;
	e[0].created_unix = 1700000000u;
	e[0].age_seconds = 3600;
	e[0].creator = "alice";
	e[0].expires_unix = UINT64_MAX;
	e[0].parties = 4096;
	e[1].session_id = "old";     /* an unknown creator, never dropped */
	e[1].phase = SECURESUM__PHASE__SHARING;
	m.body_case = SECURESUM__RESPONSE__BODY_LIST_SESSIONS;
	m.list_sessions = &l;
	l.n_sessions = 2;
	l.sessions = ep;
	l.next_offset = 256;
	roundtrip_response(&m, WIRE_LIST_SESSIONS, &r);
	assert_int_equal(r.nsessions, 2);
	assert_int_equal(r.next_offset, 256);
	assert_string_equal(r.sessions[0].session_id, "payroll");
	assert_int_equal(r.sessions[0].phase, PHASE_COMPLETE);
	assert_int_equal(r.sessions[0].created_unix, 1700000000u);
	assert_int_equal(r.sessions[0].age_seconds, 3600);
	assert_string_equal(r.sessions[0].creator, "alice");
	assert_int_equal(r.sessions[0].expires_unix, UINT64_MAX);
	assert_int_equal(r.sessions[0].parties, 4096);
	assert_string_equal(r.sessions[1].session_id, "old");
	assert_string_equal(r.sessions[1].creator, "");
	assert_int_equal(r.sessions[1].expires_unix, 0);
	wire_response_free(&r);
}

static void
test_resp_duplicate_flags(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__SubmitSharesResponse ss = SECURESUM__SUBMIT_SHARES_RESPONSE__INIT;
	Securesum__PostSumpointResponse ps = SECURESUM__POST_SUMPOINT_RESPONSE__INIT;
	Securesum__PublishKeyResponse pk = SECURESUM__PUBLISH_KEY_RESPONSE__INIT;
	struct wire_response r;
	int dup;

	(void)state;
	for (dup = 0; dup <= 1; dup++) {
		m.id = 100u + (unsigned)dup;
		m.body_case = SECURESUM__RESPONSE__BODY_SUBMIT_SHARES;
		m.submit_shares = &ss;
		ss.duplicate = dup;
		roundtrip_response(&m, WIRE_SUBMIT_SHARES, &r);
		assert_true(r.has_body);
		assert_int_equal(r.duplicate, dup);
		wire_response_free(&r);

		m.body_case = SECURESUM__RESPONSE__BODY_POST_SUMPOINT;
		m.post_sumpoint = &ps;
		ps.duplicate = dup;
		roundtrip_response(&m, WIRE_POST_SUMPOINT, &r);
		assert_true(r.has_body);
		assert_int_equal(r.duplicate, dup);
		wire_response_free(&r);

		m.body_case = SECURESUM__RESPONSE__BODY_PUBLISH_KEY;
		m.publish_key = &pk;
		pk.duplicate = dup;
		roundtrip_response(&m, WIRE_PUBLISH_KEY, &r);
		assert_true(r.has_body);
		assert_int_equal(r.duplicate, dup);
		wire_response_free(&r);
	}
}

static void
test_resp_get_share(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetShareResponse b = SECURESUM__GET_SHARE_RESPONSE__INIT;
	Securesum__IncomingShare in[3];
	Securesum__IncomingShare *pin[3];
	static char *senders[] = { "alice", "bob", "carol" };
	struct wire_response r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		securesum__incoming_share__init(&in[i]);
		in[i].sender = senders[i];
		in[i].ciphertext.len = CT_SIZE + 777 * i;
		in[i].ciphertext.data = malloc(in[i].ciphertext.len);
		assert_non_null(in[i].ciphertext.data);
		fill_bytes(in[i].ciphertext.data, in[i].ciphertext.len);
		pin[i] = &in[i];
	}
	m.id = 5;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_SHARE;
	m.get_share = &b;
	b.n_shares = 3;
	b.shares = pin;
	roundtrip_response(&m, WIRE_GET_SHARE, &r);
	assert_int_equal(r.nshares, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(r.shares[i].sender, senders[i]);
		assert_int_equal(r.shares[i].ct_len, in[i].ciphertext.len);
		assert_memory_equal(r.shares[i].ct, in[i].ciphertext.data,
		    in[i].ciphertext.len);
	}
	wire_response_free(&r);

	b.n_shares = 0;
	b.shares = NULL;
	roundtrip_response(&m, WIRE_GET_SHARE, &r);
	assert_true(r.has_body);
	assert_int_equal(r.nshares, 0);
	wire_response_free(&r);
	for (i = 0; i < 3; i++)
		free(in[i].ciphertext.data);
}

static void
test_resp_list_sumpoints(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__ListSumpointsResponse b = SECURESUM__LIST_SUMPOINTS_RESPONSE__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	Securesum__Sumpoint sp[3];
	Securesum__Sumpoint *psp[3];
	static char *parties[] = { "alice", "bob", "carol", "dave" };
	static char *cohort[] = { "alice", "carol", "dave" };
	struct wire_response r;
	size_t i, e;

	(void)state;
	p.session_id = "big";
	p.n_parties = 4;
	p.parties = parties;
	p.threshold = 2;
	p.length = BIG_VECTOR;
	p.decimals = 2;
	p.deadline_seconds = 600;
	for (i = 0; i < 3; i++) {
		securesum__sumpoint__init(&sp[i]);
		sp[i].party = cohort[i];
		sp[i].x = (uint32_t)(i + 1);
		sp[i].n_values = BIG_VECTOR;
		sp[i].values = make_values(BIG_VECTOR);
		psp[i] = &sp[i];
	}
	m.id = 77;
	m.body_case = SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS;
	m.list_sumpoints = &b;
	b.params = &p;
	b.n_cohort = 3;
	b.cohort = cohort;
	b.n_sumpoints = 3;
	b.sumpoints = psp;
	roundtrip_response(&m, WIRE_LIST_SUMPOINTS, &r);
	assert_true(r.has_params);
	assert_string_equal(r.params.session_id, "big");
	assert_names(&r.params.parties, parties, 4);
	assert_int_equal(r.params.threshold, 2);
	assert_int_equal(r.params.length, BIG_VECTOR);
	assert_int_equal(r.params.decimals, 2);
	assert_int_equal(r.params.deadline_seconds, 600);
	assert_names(&r.cohort, cohort, 3);
	assert_int_equal(r.nsumpoints, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(r.sumpoints[i].party, cohort[i]);
		assert_int_equal(r.sumpoints[i].x, i + 1);
		assert_int_equal(r.sumpoints[i].values.n, BIG_VECTOR);
		for (e = 0; e < BIG_VECTOR; e++)
			if (r.sumpoints[i].values.v[e] != sp[i].values[e])
				fail_msg("sumpoint %zu element %zu differs", i, e);
	}
	wire_response_free(&r);

	/* Empty lists, and a sumpoint with no values. */
	b.n_cohort = 0;
	b.cohort = NULL;
	b.n_sumpoints = 1;
	sp[0].n_values = 0;
	roundtrip_response(&m, WIRE_LIST_SUMPOINTS, &r);
	assert_int_equal(r.cohort.n, 0);
	assert_int_equal(r.nsumpoints, 1);
	assert_int_equal(r.sumpoints[0].values.n, 0);
	wire_response_free(&r);

	b.n_sumpoints = 0;
	b.sumpoints = NULL;
	b.params = NULL;
	roundtrip_response(&m, WIRE_LIST_SUMPOINTS, &r);
	assert_true(r.has_body);
	assert_false(r.has_params);
	assert_int_equal(r.nsumpoints, 0);
	wire_response_free(&r);
	for (i = 0; i < 3; i++)
		free(sp[i].values);
}

static void
test_resp_get_status(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetStatusResponse b = SECURESUM__GET_STATUS_RESPONSE__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	static char *parties[] = { "alice", "bob", "carol", "dave", "erin" };
	static char *cohort[] = { "alice", "bob", "dave" };
	static char *posted[] = { "bob" };
	static char *missing[] = { "alice", "dave" };
	struct wire_response r;
	int phase;

	(void)state;
	p.session_id = "st";
	p.n_parties = 5;
	p.parties = parties;
	p.threshold = 1;
	p.length = 3;
	p.decimals = 0;
	p.deadline_seconds = 0;
	m.id = 3;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
	m.get_status = &b;
	b.params = &p;
	b.n_cohort = 3;
	b.cohort = cohort;
	b.n_shared = 3;
	b.shared = cohort;
	b.n_posted = 1;
	b.posted = posted;
	b.n_missing = 2;
	b.missing = missing;
	b.deadline_unix = 1800000000u;
	for (phase = SECURESUM__PHASE__PHASE_UNSPECIFIED;
	    phase <= SECURESUM__PHASE__FAILED; phase++) {
		b.phase = (Securesum__Phase)phase;
		roundtrip_response(&m, WIRE_GET_STATUS, &r);
		assert_int_equal(r.phase, phase);
		assert_true(r.has_params);
		assert_string_equal(r.params.session_id, "st");
		assert_names(&r.params.parties, parties, 5);
		assert_int_equal(r.params.threshold, 1);
		assert_int_equal(r.params.length, 3);
		assert_names(&r.cohort, cohort, 3);
		assert_names(&r.shared, cohort, 3);
		assert_names(&r.posted, posted, 1);
		assert_names(&r.missing, missing, 2);
		assert_int_equal(r.deadline_unix, 1800000000u);
		wire_response_free(&r);
	}

	/* While SHARING: nothing fixed yet. */
	b.phase = SECURESUM__PHASE__SHARING;
	b.n_cohort = b.n_shared = b.n_posted = 0;
	b.n_missing = 5;
	b.missing = parties;
	b.deadline_unix = 0;
	roundtrip_response(&m, WIRE_GET_STATUS, &r);
	assert_int_equal(r.cohort.n, 0);
	assert_int_equal(r.shared.n, 0);
	assert_int_equal(r.posted.n, 0);
	assert_names(&r.missing, parties, 5);
	assert_int_equal(r.deadline_unix, 0);
	/* A server that does not watch leaves the version out: 0. */
	assert_true(r.version == 0);
	wire_response_free(&r);

	/* The version: the boot epoch in the high half, changes below. */
	b.version = 0x89abcdef00000102ull;
	roundtrip_response(&m, WIRE_GET_STATUS, &r);
	assert_true(r.version == 0x89abcdef00000102ull);
	wire_response_free(&r);
}

static void
test_resp_get_keys(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetKeysResponse b = SECURESUM__GET_KEYS_RESPONSE__INIT;
	Securesum__PartyKey k[2];
	Securesum__PartyKey *pk[2];
	static char *names[] = { "alice", "bob" };
	struct wire_response r;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		securesum__party_key__init(&k[i]);
		k[i].party = names[i];
		k[i].certificate.len = 700 + 100 * i;
		k[i].certificate.data = malloc(k[i].certificate.len);
		assert_non_null(k[i].certificate.data);
		fill_bytes(k[i].certificate.data, k[i].certificate.len);
		pk[i] = &k[i];
	}
	/* Version 2: bob's signing (TLS) certificate too; alice has none. */
	k[1].signing_certificate.len = 650;
	assert_non_null(k[1].signing_certificate.data = malloc(650));
	fill_bytes(k[1].signing_certificate.data, 650);
	m.id = 4;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_KEYS;
	m.get_keys = &b;
	b.n_keys = 2;
	b.keys = pk;
	roundtrip_response(&m, WIRE_GET_KEYS, &r);
	assert_int_equal(r.nkeys, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(r.keys[i].party, names[i]);
		assert_int_equal(r.keys[i].der_len, k[i].certificate.len);
		assert_memory_equal(r.keys[i].der, k[i].certificate.data,
		    k[i].certificate.len);
	}
	assert_int_equal(r.keys[0].sig_der_len, 0);
	assert_int_equal(r.keys[1].sig_der_len, 650);
	assert_memory_equal(r.keys[1].sig_der, k[1].signing_certificate.data,
	    650);
	wire_response_free(&r);

	b.n_keys = 0;
	b.keys = NULL;
	roundtrip_response(&m, WIRE_GET_KEYS, &r);
	assert_true(r.has_body);
	assert_int_equal(r.nkeys, 0);
	wire_response_free(&r);
	for (i = 0; i < 2; i++)
		free(k[i].certificate.data);
	free(k[1].signing_certificate.data);
}

/* A protobuf-c Statement of filler bytes (free its two fields). */
static void
pc_stmt(Securesum__Statement *st, size_t body_len, size_t sig_len)
{
	securesum__statement__init(st);
	st->body.len = body_len;
	assert_non_null(st->body.data = malloc(body_len));
	fill_bytes(st->body.data, body_len);
	st->signature.len = sig_len;
	assert_non_null(st->signature.data = malloc(sig_len));
	fill_bytes(st->signature.data, sig_len);
}

static void
pc_stmt_free(Securesum__Statement *st)
{
	free(st->body.data);
	free(st->signature.data);
}

static void
assert_wire_stmt(const struct wire_stmt *w, const Securesum__Statement *m)
{
	assert_int_equal(w->body_len, m->body.len);
	assert_memory_equal(w->body, m->body.data, m->body.len);
	assert_int_equal(w->sig_len, m->signature.len);
	assert_memory_equal(w->sig, m->signature.data, m->signature.len);
}

/* Version 2: GetStatus's signers, digest, parameters and conflicts. */
static void
test_resp_v2_status(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetStatusResponse b = SECURESUM__GET_STATUS_RESPONSE__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	Securesum__Conflict cf = SECURESUM__CONFLICT__INIT, *cfs[1] = { &cf };
	Securesum__Statement a, c;
	static char *parties[] = { "alice", "bob" };
	uint8_t nonce[16], digest[32];
	struct wire_response r;

	(void)state;
	fill_bytes(nonce, sizeof(nonce));
	fill_bytes(digest, sizeof(digest));
	p.session_id = "v2";
	p.n_parties = 2;
	p.parties = parties;
	p.min_cohort = 2;
	p.deadline_unix = 1800000000u;
	p.nonce.len = 16;
	p.nonce.data = nonce;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
	m.get_status = &b;
	b.params = &p;
	b.n_signers = 2;
	b.signers = parties;
	b.digest.len = 32;
	b.digest.data = digest;
	pc_stmt(&a, 253, 70);
	pc_stmt(&c, 253, 71);
	cf.party = "bob";
	cf.first = &a;
	cf.second = &c;
	b.n_conflicts = 1;
	b.conflicts = cfs;
	roundtrip_response(&m, WIRE_GET_STATUS, &r);
	assert_int_equal(r.params.min_cohort, 2);
	assert_int_equal(r.params.deadline_unix, 1800000000u);
	assert_int_equal(r.params.nonce_len, 16);
	assert_memory_equal(r.params.nonce, nonce, 16);
	assert_names(&r.signers, parties, 2);
	assert_int_equal(r.digest_len, 32);
	assert_memory_equal(r.digest, digest, 32);
	assert_int_equal(r.nconflicts, 1);
	assert_string_equal(r.conflicts[0].party, "bob");
	assert_wire_stmt(&r.conflicts[0].first, &a);
	assert_wire_stmt(&r.conflicts[0].second, &c);
	wire_response_free(&r);
	pc_stmt_free(&a);
	pc_stmt_free(&c);
}

/*
 * Version 2: the statements relayed (GetShare's SUBMITs, ListSumpoints'
 * SUMPOINTs and COHORTs, GetCohort), the signing certificates of GetKeys,
 * CreateSession's digest and PostCohort's duplicate flag.
 */
static void
test_resp_v2_relayed(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetShareResponse gs = SECURESUM__GET_SHARE_RESPONSE__INIT;
	Securesum__IncomingShare in = SECURESUM__INCOMING_SHARE__INIT, *ins[1];
	Securesum__GetCohortResponse gc = SECURESUM__GET_COHORT_RESPONSE__INIT;
	Securesum__SignedCohort sc = SECURESUM__SIGNED_COHORT__INIT, *scs[1];
	Securesum__ListSumpointsResponse ls = SECURESUM__LIST_SUMPOINTS_RESPONSE__INIT;
	Securesum__Sumpoint sp = SECURESUM__SUMPOINT__INIT, *sps[1];
	Securesum__PostCohortResponse pc = SECURESUM__POST_COHORT_RESPONSE__INIT;
	Securesum__Statement st;
	static char *cohort[] = { "carol" };
	uint8_t ct[56];
	struct wire_response r;

	(void)state;
	pc_stmt(&st, 189, 72);
	fill_bytes(ct, sizeof(ct));
	in.sender = "carol";
	in.ciphertext.len = sizeof(ct);
	in.ciphertext.data = ct;
	in.submit = &st;
	ins[0] = &in;
	gs.n_shares = 1;
	gs.shares = ins;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_SHARE;
	m.get_share = &gs;
	roundtrip_response(&m, WIRE_GET_SHARE, &r);
	assert_int_equal(r.nshares, 1);
	assert_wire_stmt(&r.shares[0].submit, &st);
	wire_response_free(&r);

	sc.party = "carol";
	sc.cohort = &st;
	scs[0] = &sc;
	gc.n_cohort = 1;
	gc.cohort = cohort;
	gc.n_signatures = 1;
	gc.signatures = scs;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_COHORT;
	m.get_cohort = &gc;
	roundtrip_response(&m, WIRE_GET_COHORT, &r);
	assert_names(&r.cohort, cohort, 1);
	assert_int_equal(r.nsigned, 1);
	assert_string_equal(r.signed_[0].party, "carol");
	assert_wire_stmt(&r.signed_[0].stmt, &st);
	wire_response_free(&r);

	sp.party = "carol";
	sp.x = 3;
	sp.statement = &st;
	sps[0] = &sp;
	ls.n_sumpoints = 1;
	ls.sumpoints = sps;
	ls.n_cohort_signatures = 1;
	ls.cohort_signatures = scs;
	m.body_case = SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS;
	m.list_sumpoints = &ls;
	roundtrip_response(&m, WIRE_LIST_SUMPOINTS, &r);
	assert_wire_stmt(&r.sumpoints[0].stmt, &st);
	assert_int_equal(r.nsigned, 1);
	assert_wire_stmt(&r.signed_[0].stmt, &st);
	wire_response_free(&r);

	pc.duplicate = 1;
	m.body_case = SECURESUM__RESPONSE__BODY_POST_COHORT;
	m.post_cohort = &pc;
	roundtrip_response(&m, WIRE_POST_COHORT, &r);
	assert_int_equal(r.duplicate, 1);
	wire_response_free(&r);
	pc_stmt_free(&st);
}

/* Every code number survives the trip, with a message at its maximum. */
static void
test_resp_codes(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	char msg[WIRE_MESSAGE_MAX + 1];
	struct wire_response r;
	int code;

	(void)state;
	memset(msg, 'm', WIRE_MESSAGE_MAX);
	msg[WIRE_MESSAGE_MAX] = '\0';
	m.message = msg;
	for (code = SECURESUM__CODE__OK; code <= SECURESUM__CODE__UNAUTHENTICATED;
	    code++) {
		m.id = (uint64_t)code;
		m.code = (Securesum__Code)code;
		roundtrip_response(&m, WIRE_GET_STATUS, &r);
		assert_false(r.has_body);
		assert_string_not_equal(status_name(code), "UNKNOWN_CODE");
		wire_response_free(&r);
	}
}

/* GetServerInfo both ways: an empty request body, every response field. */
static void
test_server_info(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetServerInfoResponse b = SECURESUM__GET_SERVER_INFO_RESPONSE__INIT;
	struct wire_request req;
	struct wire_response r;
	Securesum__Request *q;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.id = 13;
	req.method = WIRE_GET_SERVER_INFO;
	q = roundtrip_request(&req);
	assert_non_null(q->get_server_info);
	securesum__request__free_unpacked(q, NULL);
	b.version = "9.8.7";
	b.uptime_seconds = 1;
	b.sessions_sharing = 2;
	b.sessions_aggregating = 3;
	b.sessions_complete = 4;
	b.sessions_failed = 5;
	b.sessions_max = 6;
	b.connections = 7;
	b.connections_max = 8;
	b.stored_bytes = 9;
	b.stored_bytes_max = UINT64_MAX;
	b.journal_healthy = 1;
	b.journal_unsynced_records = 11;
	b.snapshot_age_seconds = 12;
	b.snapshot_duration_ms = 13;
	b.snapshots_failed = 14;
	b.requests = 15;
	m.id = 13;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_SERVER_INFO;
	m.get_server_info = &b;
	roundtrip_response(&m, WIRE_GET_SERVER_INFO, &r);
	assert_true(r.has_body);
	assert_string_equal(r.server_info.version, "9.8.7");
	assert_int_equal(r.server_info.uptime_seconds, 1);
	assert_int_equal(r.server_info.sessions_sharing, 2);
	assert_int_equal(r.server_info.sessions_aggregating, 3);
	assert_int_equal(r.server_info.sessions_complete, 4);
	assert_int_equal(r.server_info.sessions_failed, 5);
	assert_int_equal(r.server_info.sessions_max, 6);
	assert_int_equal(r.server_info.connections, 7);
	assert_int_equal(r.server_info.connections_max, 8);
	assert_int_equal(r.server_info.stored_bytes, 9);
	assert_true(r.server_info.stored_bytes_max == UINT64_MAX);
	assert_int_equal(r.server_info.journal_healthy, 1);
	assert_int_equal(r.server_info.journal_unsynced_records, 11);
	assert_int_equal(r.server_info.snapshot_age_seconds, 12);
	assert_int_equal(r.server_info.snapshot_duration_ms, 13);
	assert_int_equal(r.server_info.snapshots_failed, 14);
	assert_int_equal(r.server_info.requests, 15);
	wire_response_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_create_session),
		cmocka_unit_test(test_req_submit_shares),
		cmocka_unit_test(test_req_get_share),
		cmocka_unit_test(test_req_post_sumpoint),
		cmocka_unit_test(test_req_list_sumpoints),
		cmocka_unit_test(test_req_get_status),
		cmocka_unit_test(test_req_get_status_watch),
		cmocka_unit_test(test_req_lifecycle),
		cmocka_unit_test(test_resp_lifecycle),
		cmocka_unit_test(test_req_publish_key),
		cmocka_unit_test(test_req_get_keys),
		cmocka_unit_test(test_req_v2),
		cmocka_unit_test(test_resp_create_session),
		cmocka_unit_test(test_resp_duplicate_flags),
		cmocka_unit_test(test_resp_get_share),
		cmocka_unit_test(test_resp_list_sumpoints),
		cmocka_unit_test(test_resp_get_status),
		cmocka_unit_test(test_resp_get_keys),
		cmocka_unit_test(test_resp_codes),
		cmocka_unit_test(test_server_info),
		cmocka_unit_test(test_resp_v2_status),
		cmocka_unit_test(test_resp_v2_relayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
