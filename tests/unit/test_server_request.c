/*
 * test_server_request.c: proto3 conformance of request decoding. Every
 * request kind is written by hand in its canonical encoding and in
 * equivalent ones (scalars repeated, fields in another order, packed runs
 * split or mixed with unpacked values, message fields given several times,
 * a oneof switching case, unknown fields), and each must mean the
 * canonical request on both of the server's paths: the in-place readers
 * (request_view.c) and request_decode (request.c), as rpc.c tries them.
 * Last, the server itself must answer the equivalents alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bigmem.h"
#include "err.h"
#include "request.h"
#include "request_view.h"
#include "rpc.h"
#include "securesum.pb-c.h"

/* Field numbers of proto/securesum.proto. */
enum {
	ID = 1, METHOD = 2, DEADLINE = 3,
	CREATE = 10, SUBMIT = 11, GET_SHARE = 12, POST = 13, LIST = 14,
	STATUS = 15, PUBLISH = 16, GET_KEYS = 17, POST_COHORT = 18,
	GET_COHORT = 19,
	/* inside the bodies */
	PARAMS = 1, SESSION = 1, PARTY = 2, SHARES = 3, VALUES = 3,
	P_PARTIES = 2, P_THRESHOLD = 3, P_LENGTH = 4, P_DECIMALS = 5,
	P_MIN_COHORT = 7, P_DEADLINE_UNIX = 8, P_NONCE = 9,
	RECIPIENT = 1, CIPHERTEXT = 2, CERTIFICATE = 1, K_PARTIES = 1,
	/* version 2: a statement, in SubmitShares, PostSumpoint, PostCohort */
	STATEMENT = 4, COHORT_STATEMENT = 3, S_BODY = 1, S_SIGNATURE = 2,
};

/* ---- writing encodings by hand ------------------------------------------- */

struct enc {
	uint8_t b[2048];
	size_t n;
};

static void
put(struct enc *e, const void *p, size_t n)
{
	assert_true(n <= sizeof(e->b) - e->n);
	memcpy(e->b + e->n, p, n);
	e->n += n;
}

static void
put_varint(struct enc *e, uint64_t v)
{
	uint8_t b;

	do {
		b = (uint8_t)(v & 0x7f);
		v >>= 7;
		b |= v ? 0x80 : 0;
		put(e, &b, 1);
	} while (v);
}

static void
tag(struct enc *e, uint32_t field, uint32_t wire_type)
{
	put_varint(e, (uint64_t)field << 3 | wire_type);
}

static void
f_varint(struct enc *e, uint32_t field, uint64_t v)
{
	tag(e, field, 0);
	put_varint(e, v);
}

static void
f_bytes(struct enc *e, uint32_t field, const void *p, size_t n)
{
	tag(e, field, 2);
	put_varint(e, n);
	put(e, p, n);
}

static void
f_str(struct enc *e, uint32_t field, const char *s)
{
	f_bytes(e, field, s, strlen(s));
}

static void
f_msg(struct enc *e, uint32_t field, const struct enc *m)
{
	f_bytes(e, field, m->b, m->n);
}

/* A packed run of fixed64 values, little-endian. */
static void
f_run(struct enc *e, uint32_t field, const uint64_t *v, size_t n)
{
	struct enc run = { .n = 0 };
	uint8_t le[8];
	size_t i, b;

	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++)
			le[b] = (uint8_t)(v[i] >> (8 * b));
		put(&run, le, 8);
	}
	f_msg(e, field, &run);
}

/* One fixed64 value, unpacked. */
static void
f_fixed64(struct enc *e, uint32_t field, uint64_t v)
{
	uint8_t le[8];
	size_t b;

	for (b = 0; b < 8; b++)
		le[b] = (uint8_t)(v >> (8 * b));
	tag(e, field, 1);
	put(e, le, 8);
}

/* The envelope: id, method, then the body field. */
static struct enc
request(uint64_t id, uint64_t method, uint32_t body_field, const struct enc *body)
{
	struct enc e = { .n = 0 };

	f_varint(&e, ID, id);
	f_varint(&e, METHOD, method);
	f_msg(&e, body_field, body);
	return e;
}

/* ---- what the server makes of a frame ------------------------------------ */

struct bytes {
	uint8_t *p;   /* NULL: refused */
	size_t n;
};

static struct bytes
pack(const Securesum__Request *req)
{
	struct bytes k;

	k.n = securesum__request__get_packed_size(req);
	k.p = malloc(k.n + 1);
	assert_non_null(k.p);
	assert_int_equal(securesum__request__pack(req, k.p), k.n);
	return k;
}

/* A request of method SubmitShares or PostSumpoint around body, packed. */
static struct bytes
pack_request(uint64_t id, uint64_t deadline, Securesum__Method method, void *body)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;

	req.id = id;
	req.method = method;
	req.deadline_unix_ms = deadline;
	if (method == SECURESUM__METHOD__SUBMIT_SHARES) {
		req.body_case = SECURESUM__REQUEST__BODY_SUBMIT_SHARES;
		req.submit_shares = body;
	} else {
		req.body_case = SECURESUM__REQUEST__BODY_POST_SUMPOINT;
		req.post_sumpoint = body;
	}
	return pack(&req);
}

/* The Statement message a view read (NULL: none). */
static Securesum__Statement *
statement_of(int has, const struct statement_in *in, Securesum__Statement *m)
{
	if (!has)
		return NULL;
	securesum__statement__init(m);
	m->body.data = (uint8_t *)in->body;
	m->body.len = in->len;
	m->signature.data = (uint8_t *)in->sig;
	m->signature.len = in->sig_len;
	return m;
}

static struct bytes
pack_submit_view(const struct submit_view *v)
{
	Securesum__SubmitSharesRequest body = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare sh[4], *ptrs[4];
	Securesum__Statement m;
	size_t i;

	assert_true(v->n_shares <= 4);
	for (i = 0; i < v->n_shares; i++) {
		securesum__encrypted_share__init(&sh[i]);
		sh[i].recipient = (char *)v->shares[i].recipient;
		sh[i].ciphertext.data = (uint8_t *)v->shares[i].ct;
		sh[i].ciphertext.len = v->shares[i].ct_len;
		ptrs[i] = &sh[i];
	}
	body.session_id = (char *)v->session_id;
	body.party = (char *)v->party;
	body.n_shares = v->n_shares;
	body.shares = ptrs;
	body.submit = statement_of(v->has_submit, &v->submit, &m);
	return pack_request(v->id, v->deadline_unix_ms,
	    SECURESUM__METHOD__SUBMIT_SHARES, &body);
}

static struct bytes
pack_sumpoint_view(const struct sumpoint_view *v)
{
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	Securesum__Statement m;
	uint64_t values[16];
	size_t i;
	int b;

	assert_true(v->n_values <= 16);
	for (i = 0; i < v->n_values; i++)
		for (values[i] = 0, b = 7; b >= 0; b--)
			values[i] = values[i] << 8 | v->values[8 * i + (size_t)b];
	body.session_id = (char *)v->session_id;
	body.party = (char *)v->party;
	body.n_values = v->n_values;
	body.values = values;
	body.statement = statement_of(v->has_statement, &v->statement, &m);
	return pack_request(v->id, v->deadline_unix_ms,
	    SECURESUM__METHOD__POST_SUMPOINT, &body);
}

/*
 * The request a frame means, packed canonically: read in place when a
 * reader takes it, and then request_decode must mean the same.
 */
static struct bytes
meaning(const struct enc *e)
{
	struct bytes decoded = { NULL, 0 }, viewed = { NULL, 0 };
	struct sumpoint_view pv;
	struct submit_view sv;
	Securesum__Request *req;
	int rc;

	if ((rc = request_decode(NULL, e->b, e->n, &req)) == SS_OK) {
		decoded = pack(req);
		securesum__request__free_unpacked(req, NULL);
	} else
		assert_int_equal(rc, SS_ERR_PROTOCOL);
	if (submit_view_read(&sv, e->b, e->n, 1000) == SS_OK) {
		viewed = pack_submit_view(&sv);
		submit_view_free(&sv);
	} else if (sumpoint_view_read(&pv, e->b, e->n) == SS_OK)
		viewed = pack_sumpoint_view(&pv);
	if (viewed.p != NULL) {
		assert_non_null(decoded.p);
		assert_int_equal(viewed.n, decoded.n);
		assert_memory_equal(viewed.p, decoded.p, decoded.n);
		free(viewed.p);
	}
	return decoded;
}

/*
 * canonical is a request in its canonical encoding (protobuf-c packs what
 * it unpacks from it to the same bytes); equivalent must mean it.
 */
static void
same_meaning(const struct enc *canonical, const struct enc *equivalent)
{
	Securesum__Request *req;
	struct bytes k;

	req = securesum__request__unpack(NULL, canonical->n, canonical->b);
	assert_non_null(req);
	k = pack(req);
	securesum__request__free_unpacked(req, NULL);
	assert_int_equal(k.n, canonical->n);
	assert_memory_equal(k.p, canonical->b, k.n);
	free(k.p);

	k = meaning(equivalent);
	assert_non_null(k.p);
	assert_int_equal(k.n, canonical->n);
	assert_memory_equal(k.p, canonical->b, k.n);
	free(k.p);
}

static void
refused(const struct enc *e)
{
	struct bytes k = meaning(e);

	assert_null(k.p);
}

/* A body holding one session id. */
static struct enc
session_body(const char *id)
{
	struct enc b = { .n = 0 };

	f_str(&b, SESSION, id);
	return b;
}

/* ---- the cases ----------------------------------------------------------- */

/* The frame of issue 10: GetStatus("conf") then an empty GetStatus body. */
static void
test_the_reported_frame(void **state)
{
	static const uint8_t frame[] = {
		0x08, 0x01, 0x10, 0x06, 0x7a, 0x06, 0x0a, 0x04, 'c', 'o', 'n', 'f',
		0x7a, 0x00,
	};
	struct enc body = session_body("conf"), canonical, e = { .n = 0 };
	Securesum__Request *req;

	(void)state;
	put(&e, frame, sizeof(frame));
	assert_int_equal(request_decode(NULL, e.b, e.n, &req), SS_OK);
	assert_int_equal(req->method, SECURESUM__METHOD__GET_STATUS);
	assert_int_equal(req->body_case, SECURESUM__REQUEST__BODY_GET_STATUS);
	assert_string_equal(req->get_status->session_id, "conf");
	securesum__request__free_unpacked(req, NULL);
	canonical = request(1, 6, STATUS, &body);
	same_meaning(&canonical, &e);
}

/* A scalar given again: the last one counts, even an explicit zero. */
static void
test_scalars_last_wins(void **state)
{
	struct enc body = session_body("conf"), canonical, e = { .n = 0 }, b2 = { .n = 0 };

	(void)state;
	canonical = request(7, 6, STATUS, &body);
	f_varint(&e, ID, 99);
	f_varint(&e, METHOD, 3);
	f_varint(&e, DEADLINE, 12345);
	f_str(&b2, SESSION, "other");
	f_str(&b2, SESSION, "conf");
	f_msg(&e, STATUS, &b2);
	f_varint(&e, ID, 7);
	f_varint(&e, METHOD, 6);
	f_varint(&e, DEADLINE, 0);
	same_meaning(&canonical, &e);
}

/* Two shares for SubmitShares, ciphertexts of 56 bytes (L = 1). */
static void
share(struct enc *e, const char *recipient, uint8_t fill, int reversed)
{
	struct enc sh = { .n = 0 };
	uint8_t ct[56];

	memset(ct, fill, sizeof(ct));
	if (reversed)
		f_bytes(&sh, CIPHERTEXT, ct, sizeof(ct));
	f_str(&sh, RECIPIENT, recipient);
	if (!reversed)
		f_bytes(&sh, CIPHERTEXT, ct, sizeof(ct));
	f_msg(e, SHARES, &sh);
}

static struct enc
submit_canonical(const char *party)
{
	struct enc b = { .n = 0 };

	f_str(&b, SESSION, "conf");
	f_str(&b, PARTY, party);
	share(&b, "alice", 0xa1, 0);
	share(&b, "bob", 0xb0, 0);
	return request(2, 2, SUBMIT, &b);
}

/* Fields in any order, at every level; a repeated field keeps its own order. */
static void
test_fields_in_any_order(void **state)
{
	struct enc canonical = submit_canonical("alice"), e = { .n = 0 }, b = { .n = 0 };

	(void)state;
	share(&b, "alice", 0xa1, 1);
	f_str(&b, PARTY, "alice");
	share(&b, "bob", 0xb0, 1);
	f_str(&b, SESSION, "conf");
	f_msg(&e, SUBMIT, &b);
	f_varint(&e, METHOD, 2);
	f_varint(&e, ID, 2);
	same_meaning(&canonical, &e);
}

/* SubmitShares spread over three bodies: one body, merged. */
static void
test_submit_bodies_merge(void **state)
{
	struct enc canonical = submit_canonical("alice"), e = { .n = 0 };
	struct enc b1 = session_body("conf"), b2 = { .n = 0 }, b3 = { .n = 0 };

	(void)state;
	share(&b2, "alice", 0xa1, 0);
	f_str(&b3, PARTY, "alice");
	share(&b3, "bob", 0xb0, 0);
	f_varint(&e, ID, 2);
	f_msg(&e, SUBMIT, &b1);
	f_varint(&e, METHOD, 2);
	f_msg(&e, SUBMIT, &b2);
	f_msg(&e, SUBMIT, &b3);
	same_meaning(&canonical, &e);
}

static const uint64_t sumpoint[4] = { 1, 2, (1ull << 61) - 2, 0x0102030405060708ull };

static struct enc
post_body(void)
{
	struct enc b = { .n = 0 };

	f_str(&b, SESSION, "conf");
	f_str(&b, PARTY, "alice");
	return b;
}

/* Packed runs split, packed and unpacked mixed, empty runs, bodies split. */
static void
test_packed_runs(void **state)
{
	struct enc b = post_body(), canonical, e;
	struct enc b1 = session_body("conf"), b2 = { .n = 0 };

	(void)state;
	f_run(&b, VALUES, sumpoint, 4);
	canonical = request(4, 4, POST, &b);

	b = post_body();
	f_run(&b, VALUES, sumpoint, 2);
	f_run(&b, VALUES, sumpoint + 2, 2);
	e = request(4, 4, POST, &b);
	same_meaning(&canonical, &e);

	b = post_body();
	f_fixed64(&b, VALUES, sumpoint[0]);
	f_run(&b, VALUES, sumpoint + 1, 2);
	f_run(&b, VALUES, NULL, 0);
	f_fixed64(&b, VALUES, sumpoint[3]);
	e = request(4, 4, POST, &b);
	same_meaning(&canonical, &e);

	f_run(&b1, VALUES, sumpoint, 3);
	f_str(&b2, PARTY, "alice");
	f_fixed64(&b2, VALUES, sumpoint[3]);
	e = request(4, 4, POST, &b1);
	f_msg(&e, POST, &b2);
	same_meaning(&canonical, &e);
}

static struct enc
params_canonical(void)
{
	struct enc p = { .n = 0 }, b = { .n = 0 };

	f_str(&p, SESSION, "alice/conf");
	f_str(&p, P_PARTIES, "alice");
	f_str(&p, P_PARTIES, "bob");
	f_varint(&p, P_THRESHOLD, 1);
	f_varint(&p, P_LENGTH, 1);
	f_msg(&b, PARAMS, &p);
	return request(1, 1, CREATE, &b);
}

/*
 * A message given again merges into the first, at every depth: the later
 * one's scalars override, repeated fields join, absent fields change nothing.
 */
static void
test_messages_merge(void **state)
{
	struct enc canonical = params_canonical(), e, b = { .n = 0 };
	struct enc p1 = { .n = 0 }, p2 = { .n = 0 }, p3 = { .n = 0 };
	struct enc b1 = { .n = 0 }, b2 = { .n = 0 }, b3 = { .n = 0 };

	(void)state;
	/* params twice in one body: the earlier scalars must survive. */
	f_varint(&p1, P_THRESHOLD, 1);
	f_varint(&p1, P_LENGTH, 1);
	f_str(&p1, P_PARTIES, "alice");
	f_str(&p2, SESSION, "alice/conf");
	f_str(&p2, P_PARTIES, "bob");
	f_msg(&b, PARAMS, &p1);
	f_msg(&b, PARAMS, &p2);
	e = request(1, 1, CREATE, &b);
	same_meaning(&canonical, &e);

	/* The body three times, params in each. */
	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	f_str(&p1, SESSION, "alice/conf");
	f_varint(&p1, P_DECIMALS, 4);
	f_str(&p2, P_PARTIES, "alice");
	f_varint(&p2, P_THRESHOLD, 5);
	f_varint(&p2, P_DECIMALS, 0);   /* explicit zero, read last */
	f_str(&p3, P_PARTIES, "bob");
	f_varint(&p3, P_THRESHOLD, 1);
	f_varint(&p3, P_LENGTH, 1);
	f_msg(&b1, PARAMS, &p1);
	f_msg(&b2, PARAMS, &p2);
	f_msg(&b3, PARAMS, &p3);
	e = request(1, 1, CREATE, &b1);
	f_msg(&e, CREATE, &b2);
	f_msg(&e, CREATE, &b3);
	same_meaning(&canonical, &e);
}

/* The other kinds, each body given in two parts. */
static void
test_every_kind_merges(void **state)
{
	static const uint8_t der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct enc canonical, e, b = { .n = 0 }, b1 = { .n = 0 }, b2 = { .n = 0 };
	struct enc empty = { .n = 0 };

	(void)state;
	f_str(&b, SESSION, "conf");
	f_str(&b, PARTY, "bob");
	canonical = request(3, 3, GET_SHARE, &b);
	f_str(&b1, PARTY, "bob");
	b2 = session_body("conf");
	e = request(3, 3, GET_SHARE, &b1);
	f_msg(&e, GET_SHARE, &b2);
	same_meaning(&canonical, &e);

	b = session_body("conf");
	canonical = request(5, 5, LIST, &b);
	e = request(5, 5, LIST, &empty);
	f_msg(&e, LIST, &b);
	f_msg(&e, LIST, &empty);
	same_meaning(&canonical, &e);

	memset(&b, 0, sizeof(b));
	f_bytes(&b, CERTIFICATE, der, sizeof(der));
	canonical = request(6, 7, PUBLISH, &b);
	e = request(6, 7, PUBLISH, &b);
	f_msg(&e, PUBLISH, &empty);
	same_meaning(&canonical, &e);

	memset(&b, 0, sizeof(b));
	memset(&b1, 0, sizeof(b1));
	memset(&b2, 0, sizeof(b2));
	f_str(&b, K_PARTIES, "alice");
	f_str(&b, K_PARTIES, "bob");
	f_str(&b, K_PARTIES, "carol");
	canonical = request(8, 8, GET_KEYS, &b);
	f_str(&b1, K_PARTIES, "alice");
	f_str(&b2, K_PARTIES, "bob");
	f_str(&b2, K_PARTIES, "carol");
	e = request(8, 8, GET_KEYS, &b1);
	f_msg(&e, GET_KEYS, &empty);
	f_msg(&e, GET_KEYS, &b2);
	same_meaning(&canonical, &e);
}

/*
 * A later member of the body oneof replaces the earlier one, and what it
 * replaced does not merge into a later return of the first case.
 */
static void
test_oneof_switches(void **state)
{
	struct enc body = session_body("conf"), canonical, e, other = session_body("x");
	struct enc share_body = { .n = 0 }, empty = { .n = 0 };

	(void)state;
	f_str(&share_body, SESSION, "s");
	f_str(&share_body, PARTY, "p");
	canonical = request(1, 6, STATUS, &body);
	e = request(1, 6, STATUS, &other);
	f_msg(&e, GET_SHARE, &share_body);
	f_msg(&e, STATUS, &body);
	same_meaning(&canonical, &e);

	/* The body that counts is the last: here not the method's. */
	canonical = request(1, 6, GET_KEYS, &empty);
	e = request(1, 6, STATUS, &body);
	f_msg(&e, GET_KEYS, &empty);
	same_meaning(&canonical, &e);
}

/*
 * Unknown fields of every wire type, groups included, and known fields with
 * a wire type their type cannot have: proto3 skips them all.
 */
static void
test_unknown_fields_skipped(void **state)
{
	static const uint8_t group[] = {
		0xa3, 0x01, 0x08, 0x05, 0xab, 0x01, 0xac, 0x01, 0xa4, 0x01,
	};
	static const uint8_t fixed32[] = { 0x25, 1, 2, 3, 4 };
	struct enc body = session_body("conf"), canonical, e, b = { .n = 0 };

	(void)state;
	canonical = request(1, 6, STATUS, &body);
	put(&b, group, sizeof(group));
	f_varint(&b, SESSION, 5);             /* a string as a varint */
	f_str(&b, SESSION, "conf");
	f_varint(&b, 9, 1);
	e = request(1, 6, STATUS, &b);
	put(&e, fixed32, sizeof(fixed32));    /* field 4, unknown */
	put(&e, group, sizeof(group));
	f_str(&e, METHOD, "six");             /* the method as bytes */
	f_varint(&e, 1000, 3);
	same_meaning(&canonical, &e);

	/* An unknown field inside a share, read by protobuf-c as it is. */
	memset(&b, 0, sizeof(b));
	f_str(&b, SESSION, "conf");
	f_str(&b, PARTY, "alice");
	share(&b, "alice", 0xa1, 0);
	share(&b, "bob", 0xb0, 0);
	f_varint(&b, 20, 1);
	e = request(2, 2, SUBMIT, &b);
	canonical = submit_canonical("alice");
	same_meaning(&canonical, &e);
}

/* What proto3 refuses, wherever it lies: protobuf-c took the strings. */
static void
test_refusals(void **state)
{
	static const char bad_utf8[][5] = {
		"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xe2\x82",
	};
	static const uint8_t field_zero[] = { 0x00, 0x01 };
	static const uint8_t lone_end[] = { 0xa4, 0x01 };
	static const uint8_t wrong_end[] = { 0xa3, 0x01, 0xac, 0x01 };
	static const uint8_t wire_type_7[] = { 0x0f };
	static const uint8_t long_length[] = { 0x7a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	const uint8_t *tails[] = { field_zero, lone_end, wrong_end, wire_type_7, long_length };
	const size_t tail_len[] = { 2, 2, 4, 1, 7 };
	struct enc body, e, good = session_body("conf");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		body = session_body(bad_utf8[i]);
		e = request(1, 6, STATUS, &body);
		refused(&e);
		/* even overridden by a later value, or replaced by another member */
		f_msg(&e, STATUS, &good);
		refused(&e);
		f_msg(&e, GET_KEYS, &good);
		refused(&e);
	}
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		e = request(1, 6, STATUS, &good);
		put(&e, tails[i], tail_len[i]);
		refused(&e);
	}
}

/* The in-place readers take only the plain form, never a name past ASCII. */
static void
test_views_decline_the_unusual(void **state)
{
	struct enc e = submit_canonical("alice"), b = post_body();
	struct submit_view sv;
	struct sumpoint_view pv;

	(void)state;
	assert_int_equal(submit_view_read(&sv, e.b, e.n, 1000), SS_OK);
	submit_view_free(&sv);
	f_msg(&e, SUBMIT, &b);   /* a second body */
	assert_int_equal(submit_view_read(&sv, e.b, e.n, 1000), SS_ERR_PROTOCOL);

	f_run(&b, VALUES, sumpoint, 4);
	e = request(4, 4, POST, &b);
	assert_int_equal(sumpoint_view_read(&pv, e.b, e.n), SS_OK);
	b = session_body("conf");
	f_str(&b, PARTY, "al\xc3\xa9");
	f_run(&b, VALUES, sumpoint, 4);
	e = request(4, 4, POST, &b);
	assert_int_equal(sumpoint_view_read(&pv, e.b, e.n), SS_ERR_PROTOCOL);
}

/* ---- the server's answers ------------------------------------------------- */

static uint64_t
fixed_now(void)
{
	return 1700000000000ull;
}

/* The response frame the server writes for e, sent by caller. */
static struct bytes
answer(struct rpc_server *srv, const char *caller, const struct enc *e)
{
	uint8_t pad[64];
	ProtobufCBufferSimple out = PROTOBUF_C_BUFFER_SIMPLE_INIT(pad);
	struct bytes k;
	struct rpc_frame frame = { bigmem_alloc(e->n + 1, 0), e->n };

	assert_non_null(frame.p);
	memcpy(frame.p, e->b, e->n);
	assert_int_equal(rpc_handle_frame(srv, caller, &frame, &out.base,
	    NULL), RPC_CONTINUE);
	bigmem_free(frame.p);
	k.n = out.len;
	k.p = malloc(k.n);
	assert_non_null(k.p);
	memcpy(k.p, out.data, k.n);
	PROTOBUF_C_BUFFER_SIMPLE_CLEAR(&out);
	return k;
}

/* The answer to e, which must be OK. */
static struct bytes
answer_ok(struct rpc_server *srv, const char *caller, const struct enc *e)
{
	struct bytes k = answer(srv, caller, e);
	Securesum__Response *resp;

	assert_true(k.n > 4);
	resp = securesum__response__unpack(NULL, k.n - 4, k.p + 4);
	assert_non_null(resp);
	assert_int_equal(resp->code, SECURESUM__CODE__OK);
	securesum__response__free_unpacked(resp, NULL);
	return k;
}

static void
made(struct rpc_server *srv, const char *caller, const struct enc *e)
{
	free(answer_ok(srv, caller, e).p);
}

static void
same_answer(struct rpc_server *srv, const char *caller, const struct enc *a,
    const struct enc *b)
{
	struct bytes x = answer_ok(srv, caller, a), y = answer_ok(srv, caller, b);

	assert_int_equal(x.n, y.n);
	assert_memory_equal(x.p, y.p, x.n);
	free(x.p);
	free(y.p);
}

/*
 * Session conf (alice, bob; L = 1) made, shared and posted by canonical
 * frames; every equivalent then gets the very answer its canonical form
 * gets (the writes, made already, are answered as repeats).
 */
static void
test_server_answers_alike(void **state)
{
	static const uint8_t reported[] = {
		0x08, 0x01, 0x10, 0x06, 0x7a, 0x06, 0x0a, 0x04, 'c', 'o', 'n', 'f',
		0x7a, 0x00,
	};
	struct store_limits lim;
	struct rpc_server srv = { .now_ms = fixed_now };
	struct enc create = params_canonical(), status_body = session_body("conf");
	struct enc alice = submit_canonical("alice"), bob = submit_canonical("bob");
	struct enc b = post_body(), post, status, e = { .n = 0 }, b1 = { .n = 0 };

	(void)state;
	store_default_limits(&lim);
	assert_non_null(srv.store = store_new(&lim));
	f_run(&b, VALUES, sumpoint, 1);
	post = request(4, 4, POST, &b);
	status = request(1, 6, STATUS, &status_body);
	made(&srv, "alice", &create);
	made(&srv, "alice", &alice);
	made(&srv, "bob", &bob);
	made(&srv, "alice", &post);
	put(&e, reported, sizeof(reported));
	same_answer(&srv, "alice", &status, &e);
	/* CreateSession again, its body given twice. */
	f_varint(&b1, P_THRESHOLD, 1);
	memset(&b, 0, sizeof(b));
	f_msg(&b, PARAMS, &b1);
	e = create;
	f_msg(&e, CREATE, &b);
	same_answer(&srv, "alice", &create, &e);
	b = post_body();
	f_fixed64(&b, VALUES, sumpoint[0]);
	e = request(4, 4, POST, &b);
	same_answer(&srv, "alice", &post, &e);
	store_free(srv.store);
}

/* ---- version 2 -------------------------------------------------------------- */

/* A Statement of body b and signature g (either NULL: absent). */
static struct enc
statement(const char *b, const char *g)
{
	struct enc m = { .n = 0 };

	if (b != NULL)
		f_str(&m, S_BODY, b);
	if (g != NULL)
		f_str(&m, S_SIGNATURE, g);
	return m;
}

/*
 * A statement in SubmitShares and PostSumpoint means the same on both
 * paths wherever it lies: read in place before or after the shares or
 * values, and merged as proto3 merges a message given twice (each part's
 * fields, the last body or signature winning), which the readers in place
 * leave to protobuf-c; an unknown field inside it is skipped.
 */
static void
test_statements_merge(void **state)
{
	struct enc canonical, e, b, st = statement("BODY", "SIG");
	struct enc part1 = statement("BODY", NULL), part2 = statement(NULL, "SIG");
	struct enc old = statement("OLD", "OLDSIG");
	struct submit_view sv;
	struct sumpoint_view pv;

	(void)state;
	b = session_body("conf");
	f_str(&b, PARTY, "alice");
	share(&b, "alice", 0xa1, 0);
	share(&b, "bob", 0xb0, 0);
	f_msg(&b, STATEMENT, &st);
	canonical = request(2, 2, SUBMIT, &b);
	/* Before the shares: read in place. */
	b = session_body("conf");
	f_str(&b, PARTY, "alice");
	f_msg(&b, STATEMENT, &st);
	share(&b, "alice", 0xa1, 0);
	share(&b, "bob", 0xb0, 0);
	e = request(2, 2, SUBMIT, &b);
	assert_int_equal(submit_view_read(&sv, e.b, e.n, 1000), SS_OK);
	assert_true(sv.has_submit);
	submit_view_free(&sv);
	same_meaning(&canonical, &e);
	/* In two parts, and an older one overridden: protobuf-c's path. */
	b = session_body("conf");
	f_str(&b, PARTY, "alice");
	f_msg(&b, STATEMENT, &old);
	share(&b, "alice", 0xa1, 0);
	f_msg(&b, STATEMENT, &part1);
	share(&b, "bob", 0xb0, 0);
	f_msg(&b, STATEMENT, &part2);
	e = request(2, 2, SUBMIT, &b);
	assert_int_equal(submit_view_read(&sv, e.b, e.n, 1000), SS_ERR_PROTOCOL);
	same_meaning(&canonical, &e);

	/* PostSumpoint: after, before, and with an unknown field inside. */
	b = post_body();
	f_run(&b, VALUES, sumpoint, 4);
	f_msg(&b, STATEMENT, &st);
	canonical = request(4, 4, POST, &b);
	b = post_body();
	f_msg(&b, STATEMENT, &st);
	f_run(&b, VALUES, sumpoint, 4);
	e = request(4, 4, POST, &b);
	assert_int_equal(sumpoint_view_read(&pv, e.b, e.n), SS_OK);
	assert_true(pv.has_statement);
	assert_int_equal(pv.statement.len, 4);
	same_meaning(&canonical, &e);
	b = post_body();
	f_run(&b, VALUES, sumpoint, 4);
	f_varint(&part1, 7, 1);
	f_msg(&b, STATEMENT, &part1);
	f_msg(&b, STATEMENT, &part2);
	e = request(4, 4, POST, &b);
	assert_int_equal(sumpoint_view_read(&pv, e.b, e.n), SS_ERR_PROTOCOL);
	same_meaning(&canonical, &e);
}

/*
 * The new bodies merge as the others do: PostCohort in two parts (its
 * statement too), GetCohort with an empty part, and CreateSession's
 * version-2 parameters (a later nonce or min_cohort wins).
 */
static void
test_v2_bodies_merge(void **state)
{
	static const uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16 }, other[16] = { 0 };
	struct enc canonical, e, b = session_body("conf"), b1, b2, p, q;
	struct enc st = statement("BODY", "SIG"), empty = { .n = 0 };

	(void)state;
	f_str(&b, PARTY, "bob");
	f_msg(&b, COHORT_STATEMENT, &st);
	canonical = request(9, 9, POST_COHORT, &b);
	b1 = session_body("conf");
	p = statement("BODY", NULL);
	f_msg(&b1, COHORT_STATEMENT, &p);
	memset(&b2, 0, sizeof(b2));
	f_str(&b2, PARTY, "bob");
	q = statement(NULL, "SIG");
	f_msg(&b2, COHORT_STATEMENT, &q);
	e = request(9, 9, POST_COHORT, &b1);
	f_msg(&e, POST_COHORT, &b2);
	same_meaning(&canonical, &e);

	b = session_body("conf");
	canonical = request(10, 10, GET_COHORT, &b);
	e = request(10, 10, GET_COHORT, &empty);
	f_msg(&e, GET_COHORT, &b);
	same_meaning(&canonical, &e);

	memset(&p, 0, sizeof(p));
	f_str(&p, SESSION, "conf");
	f_str(&p, P_PARTIES, "alice");
	f_str(&p, P_PARTIES, "bob");
	f_varint(&p, P_THRESHOLD, 1);
	f_varint(&p, P_LENGTH, 1);
	f_varint(&p, P_MIN_COHORT, 2);
	f_varint(&p, P_DEADLINE_UNIX, 1700000600);
	f_bytes(&p, P_NONCE, nonce, sizeof(nonce));
	memset(&b, 0, sizeof(b));
	f_msg(&b, PARAMS, &p);
	canonical = request(1, 1, CREATE, &b);
	memset(&q, 0, sizeof(q));
	f_bytes(&q, P_NONCE, other, sizeof(other));
	f_varint(&q, P_MIN_COHORT, 1);
	f_str(&q, SESSION, "conf");
	f_str(&q, P_PARTIES, "alice");
	f_varint(&q, P_DEADLINE_UNIX, 1700000600);
	memset(&b1, 0, sizeof(b1));
	f_msg(&b1, PARAMS, &q);
	memset(&q, 0, sizeof(q));
	f_str(&q, P_PARTIES, "bob");
	f_varint(&q, P_THRESHOLD, 1);
	f_varint(&q, P_LENGTH, 1);
	f_varint(&q, P_MIN_COHORT, 2);
	f_bytes(&q, P_NONCE, nonce, sizeof(nonce));
	memset(&b2, 0, sizeof(b2));
	f_msg(&b2, PARAMS, &q);
	e = request(1, 1, CREATE, &b1);
	f_msg(&e, CREATE, &b2);
	same_meaning(&canonical, &e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_reported_frame),
		cmocka_unit_test(test_scalars_last_wins),
		cmocka_unit_test(test_fields_in_any_order),
		cmocka_unit_test(test_submit_bodies_merge),
		cmocka_unit_test(test_packed_runs),
		cmocka_unit_test(test_messages_merge),
		cmocka_unit_test(test_every_kind_merges),
		cmocka_unit_test(test_oneof_switches),
		cmocka_unit_test(test_unknown_fields_skipped),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_views_decline_the_unusual),
		cmocka_unit_test(test_server_answers_alike),
		cmocka_unit_test(test_statements_merge),
		cmocka_unit_test(test_v2_bodies_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
