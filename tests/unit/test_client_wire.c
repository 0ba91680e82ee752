/*
 * test_client_wire.c: the limits of the client's codec (client/wire.c):
 * over-long strings and fields, truncated and malformed input, bodies for
 * the wrong method, unknown fields (skipped), unpacked repeated uint64
 * (accepted), and a mutation fuzz that must never crash or leak.
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
#include "securesum.pb-c.h"
#include "wire.h"

static const struct wire_limits lim = {
	.max_items = 16, .max_bytes = 4096, .max_values = 1000,
	.max_statement = 300,
};

/* ---- a tiny protobuf writer for hand-made input ------------------------ */

struct pbuf {
	uint8_t b[65536];
	size_t n;
};

static void
put_varint(struct pbuf *p, uint64_t v)
{
	do {
		assert_true(p->n < sizeof(p->b));
		p->b[p->n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
}

static void
put_tag(struct pbuf *p, uint32_t field, unsigned wt)
{
	put_varint(p, ((uint64_t)field << 3) | wt);
}

static void
put_bytes(struct pbuf *p, uint32_t field, const void *data, size_t len)
{
	put_tag(p, field, 2);
	put_varint(p, len);
	assert_true(p->n + len <= sizeof(p->b));
	memcpy(p->b + p->n, data, len);
	p->n += len;
}

static void
put_str(struct pbuf *p, uint32_t field, const char *s)
{
	put_bytes(p, field, s, strlen(s));
}

static void
put_u64(struct pbuf *p, uint32_t field, uint64_t v)
{
	put_tag(p, field, 0);
	put_varint(p, v);
}

/* 8 bytes, little-endian: one element of a fixed64 run. */
static void
put_le64(struct pbuf *p, uint64_t v)
{
	int i;

	assert_true(p->n + 8 <= sizeof(p->b));
	for (i = 0; i < 8; i++)
		p->b[p->n++] = (uint8_t)(v >> (8 * i));
}

static void
put_fixed64(struct pbuf *p, uint32_t field, uint64_t v)
{
	put_tag(p, field, 1);
	put_le64(p, v);
}

static int
decode(const struct pbuf *p, int method, struct wire_response *r)
{
	struct ss_error err;
	int rc;

	ss_error_clear(&err);
	rc = wire_decode_response(p->b, p->n, method, &lim, r, &err);
	/* A refusal says why, under its own code. */
	if (rc != SS_OK) {
		assert_true(err.msg[0] != '\0');
		assert_int_equal(err.code, rc);
	}
	/* Whatever happened, the response must be safe to free. */
	return rc;
}

static size_t
pack(const Securesum__Response *m, struct pbuf *p)
{
	size_t len = securesum__response__get_packed_size(m);

	assert_true(len <= sizeof(p->b));
	p->n = securesum__response__pack(m, p->b);
	assert_int_equal(p->n, len);
	return len;
}

/* ---- strings ----------------------------------------------------------- */

static void
test_long_name_rejected(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetShareResponse b = SECURESUM__GET_SHARE_RESPONSE__INIT;
	Securesum__IncomingShare in = SECURESUM__INCOMING_SHARE__INIT;
	Securesum__IncomingShare *pin = &in;
	char name[NAME_MAX_LEN + 2];
	struct wire_response r;
	struct pbuf p;

	(void)state;
	memset(name, 'a', sizeof(name));
	name[NAME_MAX_LEN] = '\0';
	in.sender = name;
	m.id = 1;
	m.body_case = SECURESUM__RESPONSE__BODY_GET_SHARE;
	m.get_share = &b;
	b.n_shares = 1;
	b.shares = &pin;

	/* 64 characters: the longest name there is. */
	pack(&m, &p);
	assert_int_equal(decode(&p, WIRE_GET_SHARE, &r), SS_OK);
	assert_string_equal(r.shares[0].sender, name);
	wire_response_free(&r);

	/* 65: refused. */
	name[NAME_MAX_LEN] = 'a';
	name[NAME_MAX_LEN + 1] = '\0';
	pack(&m, &p);
	assert_int_not_equal(decode(&p, WIRE_GET_SHARE, &r), SS_OK);
	wire_response_free(&r);
}

static void
test_long_message_rejected(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	char msg[WIRE_MESSAGE_MAX + 2];
	struct wire_response r;
	struct pbuf p;

	(void)state;
	memset(msg, 'x', sizeof(msg));
	msg[WIRE_MESSAGE_MAX] = '\0';
	m.code = SECURESUM__CODE__INTERNAL;
	m.message = msg;
	pack(&m, &p);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_int_equal(strlen(r.message), WIRE_MESSAGE_MAX);
	wire_response_free(&r);

	msg[WIRE_MESSAGE_MAX] = 'x';
	msg[WIRE_MESSAGE_MAX + 1] = '\0';
	pack(&m, &p);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);
}

static void
test_nul_in_message_rejected(void **state)
{
	struct wire_response r;
	struct pbuf p = { .n = 0 };

	(void)state;
	put_u64(&p, 1, 9);
	put_bytes(&p, 3, "bad\0text", 8);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);
}

/* ---- truncation and malformed input ------------------------------------ */

static void
test_truncated_rejected(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__GetStatusResponse b = SECURESUM__GET_STATUS_RESPONSE__INIT;
	Securesum__SessionParams sp = SECURESUM__SESSION_PARAMS__INIT;
	static char *parties[] = { "alice", "bob", "carol" };
	struct wire_response r;
	struct pbuf p, cut;
	size_t body_at, len, n;

	(void)state;
	sp.session_id = "trunc";
	sp.n_parties = 3;
	sp.parties = parties;
	sp.threshold = 1;
	sp.length = 1;
	m.id = 300;
	m.message = "";
	b.params = &sp;
	b.phase = SECURESUM__PHASE__SHARING;
	b.n_missing = 3;
	b.missing = parties;
	b.deadline_unix = 123456789;

	/* Where the body starts: the size of the same envelope without it. */
	body_at = pack(&m, &p);
	m.body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
	m.get_status = &b;
	len = pack(&m, &p);
	assert_true(len > body_at + 2);

	for (n = 0; n < len; n++) {
		int rc;

		memcpy(cut.b, p.b, n);
		cut.n = n;
		rc = decode(&cut, WIRE_GET_STATUS, &r);
		/* Any cut inside the body leaves a field unfinished. */
		if (n > body_at)
			assert_int_not_equal(rc, SS_OK);
		wire_response_free(&r);
	}
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_int_equal(r.id, 300);
	assert_int_equal(r.missing.n, 3);
	wire_response_free(&r);
}

static void
test_bad_wire_type_rejected(void **state)
{
	struct wire_response r;
	struct pbuf p = { .n = 0 };

	(void)state;
	/* id as a length-delimited field */
	put_str(&p, 1, "x");
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);

	/* body as a varint */
	p.n = 0;
	put_u64(&p, 15, 1);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);

	/* field number 0 */
	p.n = 0;
	put_u64(&p, 0, 1);
	assert_int_not_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	wire_response_free(&r);

	/* an over-long varint */
	p.n = 0;
	put_tag(&p, 1, 0);
	memset(p.b + p.n, 0xff, 11);
	p.n += 11;
	p.b[p.n++] = 0x01;
	assert_int_not_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	wire_response_free(&r);

	/* a length past the end */
	p.n = 0;
	put_tag(&p, 3, 2);
	put_varint(&p, 1000);
	assert_int_not_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	wire_response_free(&r);
}

static void
test_wrong_or_double_body_rejected(void **state)
{
	struct wire_response r;
	struct pbuf p = { .n = 0 };

	(void)state;
	/* A GetKeys body in answer to GetStatus. */
	put_u64(&p, 1, 1);
	put_bytes(&p, 17, "", 0);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);

	/* The right body twice. */
	p.n = 0;
	put_u64(&p, 1, 1);
	put_bytes(&p, 15, "", 0);
	put_bytes(&p, 15, "", 0);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);

	/* Once is fine; an empty buffer is an empty response. */
	p.n = 0;
	put_u64(&p, 1, 1);
	put_bytes(&p, 15, "", 0);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_true(r.has_body);
	wire_response_free(&r);
	p.n = 0;
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_int_equal(r.id, 0);
	assert_false(r.has_body);
	wire_response_free(&r);
}

/* ---- unknown fields and encodings -------------------------------------- */

static void
test_unknown_fields_skipped(void **state)
{
	struct wire_response r;
	struct pbuf body = { .n = 0 }, share = { .n = 0 }, p = { .n = 0 };
	uint8_t ct[100];

	(void)state;
	memset(ct, 0xab, sizeof(ct));
	/* IncomingShare with unknown fields of every wire type around. */
	put_u64(&share, 99, 12345);
	put_str(&share, 1, "alice");
	put_tag(&share, 50, 5);                 /* fixed32 */
	memcpy(share.b + share.n, "\1\2\3\4", 4);
	share.n += 4;
	put_bytes(&share, 2, ct, sizeof(ct));
	put_tag(&share, 51, 1);                 /* fixed64 */
	memcpy(share.b + share.n, "\1\2\3\4\5\6\7\10", 8);
	share.n += 8;
	put_str(&share, 52, "future");

	put_bytes(&body, 1, share.b, share.n);
	put_u64(&body, 7, 1);                   /* unknown in GetShareResponse */

	put_u64(&p, 1, 77);
	put_str(&p, 4, "an unknown string");   /* unknown in Response */
	put_u64(&p, 9, 5);
	put_bytes(&p, 12, body.b, body.n);
	put_u64(&p, 1000, 1);
	assert_int_equal(decode(&p, WIRE_GET_SHARE, &r), SS_OK);
	assert_int_equal(r.id, 77);
	assert_int_equal(r.nshares, 1);
	assert_string_equal(r.shares[0].sender, "alice");
	assert_int_equal(r.shares[0].ct_len, sizeof(ct));
	assert_memory_equal(r.shares[0].ct, ct, sizeof(ct));
	wire_response_free(&r);
}

/* A Sumpoint with its values in unpacked, packed and mixed encodings. */
static void
test_unpacked_values_accepted(void **state)
{
	static const uint64_t want[] = { 0, 1, 300, UINT64_C(0x1FFFFFFFFFFFFFFE),
	    42, 7 };
	struct pbuf sp = { .n = 0 }, packed = { .n = 0 }, body = { .n = 0 },
	    p = { .n = 0 };
	struct wire_response r;
	size_t i;

	(void)state;
	put_str(&sp, 1, "bob");
	put_u64(&sp, 2, 2);
	for (i = 0; i < 4; i++)                 /* unpacked */
		put_fixed64(&sp, 3, want[i]);
	for (i = 4; i < 6; i++)                 /* then a packed run */
		put_le64(&packed, want[i]);
	put_bytes(&sp, 3, packed.b, packed.n);

	put_str(&body, 2, "bob");               /* cohort */
	put_bytes(&body, 3, sp.b, sp.n);
	put_u64(&p, 1, 5);
	put_bytes(&p, 14, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_LIST_SUMPOINTS, &r), SS_OK);
	assert_int_equal(r.nsumpoints, 1);
	assert_string_equal(r.sumpoints[0].party, "bob");
	assert_int_equal(r.sumpoints[0].x, 2);
	assert_int_equal(r.sumpoints[0].values.n, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(r.sumpoints[0].values.v[i], want[i]);
	assert_int_equal(r.cohort.n, 1);
	wire_response_free(&r);
}

/* ---- limits ------------------------------------------------------------ */

static void
test_limits(void **state)
{
	struct pbuf body = { .n = 0 }, p = { .n = 0 }, sp = { .n = 0 },
	    packed = { .n = 0 };
	struct wire_response r;
	static uint8_t big[5000];
	size_t i;

	(void)state;
	/* Names: max_items of them is fine, one more is not. */
	for (i = 0; i < lim.max_items; i++)
		put_str(&body, 3, "alice");
	put_bytes(&p, 15, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_int_equal(r.cohort.n, lim.max_items);
	wire_response_free(&r);
	put_str(&body, 3, "alice");
	p.n = 0;
	put_bytes(&p, 15, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);

	/* A certificate over max_bytes. */
	body.n = 0;
	sp.n = 0;
	put_str(&sp, 1, "alice");
	put_bytes(&sp, 2, big, lim.max_bytes + 1);
	put_bytes(&body, 1, sp.b, sp.n);
	p.n = 0;
	put_bytes(&p, 17, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_KEYS, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);

	/* A vector over max_values. */
	for (i = 0; i <= lim.max_values; i++)
		put_le64(&packed, i);
	sp.n = 0;
	put_str(&sp, 1, "bob");
	put_bytes(&sp, 3, packed.b, packed.n);
	body.n = 0;
	put_bytes(&body, 3, sp.b, sp.n);
	p.n = 0;
	put_bytes(&p, 14, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_LIST_SUMPOINTS, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);

	/* Too many shares. */
	sp.n = 0;
	put_str(&sp, 1, "c");
	body.n = 0;
	for (i = 0; i <= lim.max_items; i++)
		put_bytes(&body, 1, sp.b, sp.n);
	p.n = 0;
	put_bytes(&p, 12, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_SHARE, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);
}

/*
 * Version 2's fields: a statement's body or signature over max_statement,
 * a digest or nonce over its array, too many conflicts or cohort
 * signatures; and what fits is there.
 */
static void
test_limits_v2(void **state)
{
	struct pbuf body = { .n = 0 }, p = { .n = 0 }, st = { .n = 0 },
	    sc = { .n = 0 };
	struct wire_response r;
	static uint8_t big[400];
	size_t i;

	(void)state;
	/* GetCohort: a signed cohort whose body is max_statement long. */
	put_bytes(&st, 1, big, lim.max_statement);
	put_bytes(&st, 2, big, 72);
	put_str(&sc, 1, "carol");
	put_bytes(&sc, 2, st.b, st.n);
	put_bytes(&body, 2, sc.b, sc.n);
	put_bytes(&p, 19, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_COHORT, &r), SS_OK);
	assert_int_equal(r.nsigned, 1);
	assert_int_equal(r.signed_[0].stmt.body_len, lim.max_statement);
	assert_int_equal(r.signed_[0].stmt.sig_len, 72);
	wire_response_free(&r);
	/* One byte more. */
	st.n = sc.n = body.n = p.n = 0;
	put_bytes(&st, 1, big, lim.max_statement + 1);
	put_str(&sc, 1, "carol");
	put_bytes(&sc, 2, st.b, st.n);
	put_bytes(&body, 2, sc.b, sc.n);
	put_bytes(&p, 19, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_COHORT, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);
	/* Too many cohort signatures. */
	body.n = p.n = 0;
	for (i = 0; i <= lim.max_items; i++)
		put_bytes(&body, 2, sc.b, 7);           /* party "carol" only */
	put_bytes(&p, 19, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_COHORT, &r), SS_ERR_TOO_LARGE);
	wire_response_free(&r);
	/* GetStatus: a digest of 32 bytes, and of 33. */
	body.n = p.n = 0;
	put_bytes(&body, 9, big, 32);
	put_bytes(&p, 15, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_OK);
	assert_int_equal(r.digest_len, 32);
	wire_response_free(&r);
	body.n = p.n = 0;
	put_bytes(&body, 9, big, 33);
	put_bytes(&p, 15, body.b, body.n);
	assert_int_equal(decode(&p, WIRE_GET_STATUS, &r), SS_ERR_PROTOCOL);
	wire_response_free(&r);
}

/* ---- the encoder's own checks ------------------------------------------ */

static void
test_encoder_checks(void **state)
{
	char longname[NAME_MAX_LEN + 2], longsid[SESSION_ID_MAX_LEN + 2];
	struct wire_request req;
	uint8_t small[4];
	pb_ostream_t os;
	size_t size;

	(void)state;
	memset(longname, 'n', sizeof(longname));
	longname[NAME_MAX_LEN + 1] = '\0';
	memset(longsid, 'n', sizeof(longsid));
	longsid[SESSION_ID_MAX_LEN + 1] = '\0';

	memset(&req, 0, sizeof(req));
	req.method = WIRE_GET_STATUS;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.session_id = longsid;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_TOO_LARGE);
	/* A session id may be CREATOR/NAME: longer than a name. */
	req.session_id = longname;
	assert_int_equal(wire_request_size(&req, &size), SS_OK);
	req.session_id = "ok";
	assert_int_equal(wire_request_size(&req, &size), SS_OK);

	req.method = WIRE_GET_SHARE;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.party = longname;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_TOO_LARGE);

	/* A missing array is INVALID before a long name is TOO_LARGE. */
	req.method = WIRE_POST_SUMPOINT;
	req.session_id = "ok";
	req.nvalues = 2;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.nvalues = 0;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_TOO_LARGE);
	req.method = WIRE_SUBMIT_SHARES;
	req.nshares = 1;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	{
		struct wire_share sh = { NULL, NULL, 0 };

		req.party = "alice";
		req.shares = &sh;
		assert_int_equal(wire_request_size(&req, &size),
		    SS_ERR_INVALID);
		sh.recipient = longname;
		assert_int_equal(wire_request_size(&req, &size),
		    SS_ERR_TOO_LARGE);
		sh.recipient = "bob";
		sh.ct_len = 3;
		assert_int_equal(wire_request_size(&req, &size),
		    SS_ERR_INVALID);
		sh.ct = small;
		assert_int_equal(wire_request_size(&req, &size), SS_OK);
		req.session_id = NULL;
		assert_int_equal(wire_request_size(&req, &size),
		    SS_ERR_INVALID);
		req.session_id = "ok";
	}
	memset(&req, 0, sizeof(req));
	req.method = WIRE_GET_KEYS;
	req.nnames = 1;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.method = WIRE_PUBLISH_KEY;
	req.cert_len = 5;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.cert_len = 0;
	assert_int_equal(wire_request_size(&req, &size), SS_OK);

	req.method = 0;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);
	req.method = 9;
	assert_int_equal(wire_request_size(&req, &size), SS_ERR_INVALID);

	/* A stream that runs out of room. */
	req.method = WIRE_GET_STATUS;
	req.session_id = "ok";
	req.id = 1000;
	os = pb_ostream_from_buffer(small, sizeof(small));
	assert_int_equal(wire_encode_request(&os, &req), SS_ERR_IO);
}

/* ---- fuzz: mutations of a valid response ------------------------------- */

static uint64_t fz = 88172645463325252u;

static uint64_t
fznext(void)
{
	fz ^= fz << 13;
	fz ^= fz >> 7;
	fz ^= fz << 17;
	return fz;
}

static void
test_fuzz_no_crash(void **state)
{
	Securesum__Response m = SECURESUM__RESPONSE__INIT;
	Securesum__ListSumpointsResponse b = SECURESUM__LIST_SUMPOINTS_RESPONSE__INIT;
	Securesum__SessionParams sp = SECURESUM__SESSION_PARAMS__INIT;
	Securesum__Sumpoint pt = SECURESUM__SUMPOINT__INIT;
	Securesum__Sumpoint *ppt = &pt;
	static char *parties[] = { "alice", "bob" };
	uint64_t values[20];
	struct wire_response r;
	struct pbuf p, q;
	int method, i;
	size_t k;

	(void)state;
	for (k = 0; k < 20; k++)
		values[k] = fznext() >> 3;
	sp.session_id = "fz";
	sp.n_parties = 2;
	sp.parties = parties;
	pt.party = "alice";
	pt.x = 1;
	pt.n_values = 20;
	pt.values = values;
	b.params = &sp;
	b.n_cohort = 2;
	b.cohort = parties;
	b.n_sumpoints = 1;
	b.sumpoints = &ppt;
	m.id = 1;
	m.message = "hello";
	m.body_case = SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS;
	m.list_sumpoints = &b;
	pack(&m, &p);

	for (i = 0; i < 20000; i++) {
		int flips = 1 + (int)(fznext() % 4), j;

		q = p;
		for (j = 0; j < flips; j++)
			q.b[fznext() % q.n] = (uint8_t)fznext();
		if (fznext() % 4 == 0)
			q.n = (size_t)(fznext() % (q.n + 1));
		for (method = WIRE_CREATE_SESSION; method <= WIRE_GET_KEYS;
		    method += 3) {
			(void)decode(&q, method, &r);
			wire_response_free(&r);
		}
		(void)decode(&q, WIRE_LIST_SUMPOINTS, &r);
		wire_response_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_name_rejected),
		cmocka_unit_test(test_long_message_rejected),
		cmocka_unit_test(test_nul_in_message_rejected),
		cmocka_unit_test(test_truncated_rejected),
		cmocka_unit_test(test_bad_wire_type_rejected),
		cmocka_unit_test(test_wrong_or_double_body_rejected),
		cmocka_unit_test(test_unknown_fields_skipped),
		cmocka_unit_test(test_unpacked_values_accepted),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_v2),
		cmocka_unit_test(test_encoder_checks),
		cmocka_unit_test(test_fuzz_no_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
