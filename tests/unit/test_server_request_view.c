/*
 * test_server_request_view.c: SubmitShares and PostSumpoint read in place
 * must mean exactly what protobuf-c decodes from the same bytes, and
 * anything not plainly encoded must be declined (left to protobuf-c). A
 * version-2 statement is read in place too, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "request_view.h"
#include "securesum.pb-c.h"

struct packed {
	uint8_t *p;
	size_t len;
};

static struct packed
pack(const Securesum__Request *req)
{
	struct packed k;

	k.len = securesum__request__get_packed_size(req);
	k.p = malloc(k.len ? k.len : 1);
	assert_non_null(k.p);
	assert_int_equal(securesum__request__pack(req, k.p), k.len);
	return k;
}

/* A SubmitShares request of n shares of ct_len bytes, share i filled with i+1. */
static struct packed
submit_frame(size_t n, size_t ct_len, uint64_t id, uint64_t deadline)
{
	static char *recipients[] = { "alice", "bob", "carol" };
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest body = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare sh[3], *ptrs[3];
	static uint8_t ct[3][512];
	struct packed k;
	size_t i;

	assert_true(n <= 3 && ct_len <= sizeof(ct[0]));
	for (i = 0; i < n; i++) {
		securesum__encrypted_share__init(&sh[i]);
		memset(ct[i], (int)i + 1, ct_len);
		sh[i].recipient = recipients[i];
		sh[i].ciphertext.data = ct[i];
		sh[i].ciphertext.len = ct_len;
		ptrs[i] = &sh[i];
	}
	body.session_id = "s1";
	body.party = "bob";
	body.n_shares = n;
	body.shares = ptrs;
	req.id = id;
	req.method = SECURESUM__METHOD__SUBMIT_SHARES;
	req.deadline_unix_ms = deadline;
	req.body_case = SECURESUM__REQUEST__BODY_SUBMIT_SHARES;
	req.submit_shares = &body;
	k = pack(&req);
	return k;
}

static void
test_submit_read_matches_protobuf_c(void **state)
{
	struct packed k = submit_frame(3, 100, 77, 123456789);
	Securesum__Request *req;
	struct submit_view v;
	size_t i;

	(void)state;
	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_OK);
	req = securesum__request__unpack(NULL, k.len, k.p);
	assert_non_null(req);
	assert_int_equal(v.id, req->id);
	assert_int_equal(v.deadline_unix_ms, req->deadline_unix_ms);
	assert_string_equal(v.session_id, req->submit_shares->session_id);
	assert_string_equal(v.party, req->submit_shares->party);
	assert_int_equal(v.n_shares, req->submit_shares->n_shares);
	for (i = 0; i < v.n_shares; i++) {
		const Securesum__EncryptedShare *sh = req->submit_shares->shares[i];

		assert_string_equal(v.shares[i].recipient, sh->recipient);
		assert_int_equal(v.shares[i].ct_len, sh->ciphertext.len);
		assert_memory_equal(v.shares[i].ct, sh->ciphertext.data, sh->ciphertext.len);
		/* In place: the view points into the frame itself. */
		assert_true(v.shares[i].ct > k.p && v.shares[i].ct < k.p + k.len);
	}
	securesum__request__free_unpacked(req, NULL);
	submit_view_free(&v);
	free(k.p);
}

/* Appends one more field (tag bytes then payload) to a packed frame. */
static void
append(struct packed *k, const uint8_t *bytes, size_t n)
{
	uint8_t *p = realloc(k->p, k->len + n);

	assert_non_null(p);
	memcpy(p + k->len, bytes, n);
	k->p = p;
	k->len += n;
}

static void
test_submit_declines_what_is_not_plain(void **state)
{
	static const uint8_t id_again[] = { 0x08, 0x05 };          /* id = 5, twice */
	static const uint8_t unknown[] = { 0xa0, 0x01, 0x01 };     /* field 20 */
	static const uint8_t id_as_len[] = { 0x0a, 0x00 };         /* id, wire type 2 */
	struct submit_view v;
	struct packed k;

	(void)state;
	k = submit_frame(3, 64, 5, 0);
	append(&k, id_again, sizeof(id_again));
	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	free(k.p);

	k = submit_frame(3, 64, 5, 0);
	append(&k, unknown, sizeof(unknown));
	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	free(k.p);

	k = submit_frame(3, 64, 0, 0);
	append(&k, id_as_len, sizeof(id_as_len));
	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	free(k.p);

	/* More shares than allowed: protobuf-c's path names the limit. */
	k = submit_frame(3, 64, 1, 0);
	assert_int_equal(submit_view_read(&v, k.p, k.len, 2), SS_ERR_PROTOCOL);
	/* Every truncation of a valid frame is declined, never misread. */
	for (size_t cut = 0; cut < k.len; cut++)
		assert_int_equal(submit_view_read(&v, k.p, cut, 1000), SS_ERR_PROTOCOL);
	free(k.p);
}

static struct packed
sumpoint_frame(const uint64_t *values, size_t n)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;

	body.session_id = "s1";
	body.party = "carol";
	body.n_values = n;
	body.values = (uint64_t *)values;
	req.id = 9;
	req.method = SECURESUM__METHOD__POST_SUMPOINT;
	req.body_case = SECURESUM__REQUEST__BODY_POST_SUMPOINT;
	req.post_sumpoint = &body;
	return pack(&req);
}

static void
test_sumpoint_read_matches_protobuf_c(void **state)
{
	static const uint64_t values[] = { 0, 1, (1ull << 61) - 2, 0x0102030405060708ull };
	static const uint8_t method_again[] = { 0x10, 0x04 };
	struct packed k = sumpoint_frame(values, 4);
	struct sumpoint_view v;
	uint64_t x;
	size_t i;

	(void)state;
	assert_int_equal(sumpoint_view_read(&v, k.p, k.len), SS_OK);
	assert_int_equal(v.id, 9);
	assert_string_equal(v.session_id, "s1");
	assert_string_equal(v.party, "carol");
	assert_int_equal(v.n_values, 4);
	for (i = 0; i < 4; i++) {
		/* little-endian on the wire, whatever the host */
		x = 0;
		for (int b = 7; b >= 0; b--)
			x = x << 8 | v.values[8 * i + (size_t)b];
		assert_int_equal(x, values[i]);
	}
	/* A SubmitShares reader does not take it, and the reverse. */
	{
		struct submit_view sv;

		assert_int_equal(submit_view_read(&sv, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	}
	append(&k, method_again, sizeof(method_again));
	assert_int_equal(sumpoint_view_read(&v, k.p, k.len), SS_ERR_PROTOCOL);
	free(k.p);

	k = submit_frame(2, 64, 1, 0);
	assert_int_equal(sumpoint_view_read(&v, k.p, k.len), SS_ERR_PROTOCOL);
	free(k.p);
}

static void
test_sumpoint_declines_unpacked_values(void **state)
{
	/* Request{method=4, post_sumpoint{session "s", party "p", values 7 unpacked}} */
	static const uint8_t frame[] = {
		0x10, 0x04, 0x6a, 0x0f,
		0x0a, 0x01, 's', 0x12, 0x01, 'p',
		0x19, 7, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t odd_run[] = {
		0x10, 0x04, 0x6a, 0x0d,
		0x0a, 0x01, 's', 0x12, 0x01, 'p',
		0x1a, 0x05, 1, 2, 3, 4, 5,
	};
	struct sumpoint_view v;
	Securesum__Request *req;

	(void)state;
	req = securesum__request__unpack(NULL, sizeof(frame), frame);
	assert_non_null(req);    /* valid protobuf, just not the plain form */
	assert_int_equal(req->post_sumpoint->n_values, 1);
	securesum__request__free_unpacked(req, NULL);
	assert_int_equal(sumpoint_view_read(&v, frame, sizeof(frame)), SS_ERR_PROTOCOL);
	assert_int_equal(sumpoint_view_read(&v, odd_run, sizeof(odd_run)), SS_ERR_PROTOCOL);
}

/*
 * The statement of a SubmitShares or a PostSumpoint (version 2) is read in
 * place, pointing into the frame, as protobuf-c reads it; given twice, or
 * with a field of its own given twice, it is declined.
 */
/* Both in-place readers decline the frame of req. */
static void
assert_declined(const Securesum__Request *req)
{
	struct packed k = pack(req);
	struct submit_view v;
	struct sumpoint_view sp;

	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	assert_int_equal(sumpoint_view_read(&sp, k.p, k.len), SS_ERR_PROTOCOL);
	free(k.p);
}

/*
 * DeleteSession and ListSessions are never read in place: both readers
 * decline them, and protobuf-c reads them. So does a SubmitShares body
 * under method 11, which only protobuf-c's path refuses as a mismatch.
 */
static void
test_lifecycle_requests_declined(void **state)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__DeleteSessionRequest del = SECURESUM__DELETE_SESSION_REQUEST__INIT;
	Securesum__ListSessionsRequest list = SECURESUM__LIST_SESSIONS_REQUEST__INIT;
	struct submit_view v;
	struct packed k;

	(void)state;
	del.session_id = "s1";
	req.id = 7;
	req.method = SECURESUM__METHOD__DELETE_SESSION;
	req.body_case = SECURESUM__REQUEST__BODY_DELETE_SESSION;
	req.delete_session = &del;
	assert_declined(&req);
	list.offset = 300;
	req.method = SECURESUM__METHOD__LIST_SESSIONS;
	req.body_case = SECURESUM__REQUEST__BODY_LIST_SESSIONS;
	req.list_sessions = &list;
	assert_declined(&req);
	k = submit_frame(3, 64, 5, 0);
	/* 08 05 (id 5) 10 02 (method 2): the method made 11. */
	assert_int_equal(k.p[2], 0x10);
	assert_int_equal(k.p[3], SECURESUM__METHOD__SUBMIT_SHARES);
	k.p[3] = SECURESUM__METHOD__DELETE_SESSION;
	assert_int_equal(submit_view_read(&v, k.p, k.len, 1000), SS_ERR_PROTOCOL);
	free(k.p);
}

static void
test_statement_read_in_place(void **state)
{
	static const uint64_t values[] = { 3, 4 };
	/* Request{method 4, post_sumpoint{"s", "p", values 7, statement}} */
	static const uint8_t base[] = {
		0x10, 0x04, 0x6a, 0x18,
		0x0a, 0x01, 's', 0x12, 0x01, 'p',
		0x1a, 0x08, 7, 0, 0, 0, 0, 0, 0, 0,
		0x22, 0x06, 0x0a, 0x01, 'b', 0x12, 0x01, 'g',
	};
	uint8_t f[sizeof(base)];
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest *body;
	Securesum__Statement m = SECURESUM__STATEMENT__INIT;
	Securesum__Request *got;
	struct submit_view sv;
	struct sumpoint_view pv;
	struct packed k = submit_frame(2, 64, 5, 0), k2;

	(void)state;
	/* submit_frame's request again, with a statement: packed plainly. */
	got = securesum__request__unpack(NULL, k.len, k.p);
	assert_non_null(got);
	body = got->submit_shares;
	m.body.data = (uint8_t *)"body";
	m.body.len = 4;
	m.signature.data = (uint8_t *)"sig";
	m.signature.len = 3;
	body->submit = &m;
	req = *got;
	k2 = pack(&req);
	body->submit = NULL;
	securesum__request__free_unpacked(got, NULL);
	assert_int_equal(submit_view_read(&sv, k2.p, k2.len, 1000), SS_OK);
	assert_true(sv.has_submit);
	assert_int_equal(sv.submit.len, 4);
	assert_memory_equal(sv.submit.body, "body", 4);
	assert_int_equal(sv.submit.sig_len, 3);
	assert_true(sv.submit.body > k2.p && sv.submit.body < k2.p + k2.len);
	submit_view_free(&sv);
	free(k2.p);
	free(k.p);

	memcpy(f, base, sizeof(f));
	assert_int_equal(sumpoint_view_read(&pv, f, sizeof(f)), SS_OK);
	assert_true(pv.has_statement);
	assert_memory_equal(pv.statement.body, "b", 1);
	assert_memory_equal(pv.statement.sig, "g", 1);
	/* The signature's tag made the body's: the body given twice. */
	f[25] = 0x0a;
	assert_int_equal(sumpoint_view_read(&pv, f, sizeof(f)), SS_ERR_PROTOCOL);
	/* The statement given twice: empty, then a body "bg". */
	memcpy(f, base, sizeof(f));
	f[21] = 0x00;
	f[22] = 0x22;
	f[23] = 0x04;
	f[24] = 0x0a;
	f[25] = 0x02;
	f[26] = 'b';
	f[27] = 'g';
	assert_int_equal(sumpoint_view_read(&pv, f, sizeof(f)), SS_ERR_PROTOCOL);
	got = securesum__request__unpack(NULL, sizeof(f), f);
	assert_non_null(got);   /* valid protobuf, just not the plain form */
	securesum__request__free_unpacked(got, NULL);
	k = sumpoint_frame(values, 2);
	assert_int_equal(sumpoint_view_read(&pv, k.p, k.len), SS_OK);
	assert_false(pv.has_statement);
	free(k.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_read_matches_protobuf_c),
		cmocka_unit_test(test_submit_declines_what_is_not_plain),
		cmocka_unit_test(test_sumpoint_read_matches_protobuf_c),
		cmocka_unit_test(test_sumpoint_declines_unpacked_values),
		cmocka_unit_test(test_statement_read_in_place),
		cmocka_unit_test(test_lifecycle_requests_declined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
