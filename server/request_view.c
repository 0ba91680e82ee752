/*
 * request_view.c: reading plainly encoded SubmitShares and PostSumpoint
 * requests in place (see request_view.h for why). Every byte is read through a buf_reader, and
 * every doubt declines the frame to protobuf-c rather than guessing.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "request_view.h"

/* Field numbers and wire types of proto/securesum.proto. */
#define WT_VARINT 0
#define WT_LEN    2

#define REQ_ID        1
#define REQ_METHOD    2
#define REQ_DEADLINE  3
#define REQ_SUBMIT    11
#define REQ_SUMPOINT  13
#define METHOD_SUBMIT   2
#define METHOD_SUMPOINT 4

#define SUB_SESSION   1
#define SUB_PARTY     2
#define SUB_SHARES    3

#define SHARE_RECIPIENT  1
#define SHARE_CIPHERTEXT 2

#define SUMPOINT_SESSION 1
#define SUMPOINT_PARTY   2
#define SUMPOINT_VALUES  3

/* A varint of at most 64 bits in at most 10 bytes. */
static int
get_varint(struct buf_reader *r, uint64_t *v)
{
	uint64_t x = 0;
	uint8_t b;
	int i;

	for (i = 0; i < 10; i++) {
		if (buf_get_u8(r, &b) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (i == 9 && b > 1)
			return SS_ERR_PROTOCOL;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = x;
			return SS_OK;
		}
	}
	return SS_ERR_PROTOCOL;
}

static int
get_tag(struct buf_reader *r, uint32_t *field, uint32_t *wire_type)
{
	uint64_t t;

	if (get_varint(r, &t) != SS_OK || t > UINT32_MAX || (t >> 3) == 0)
		return SS_ERR_PROTOCOL;
	*field = (uint32_t)(t >> 3);
	*wire_type = (uint32_t)(t & 7);
	return SS_OK;
}

/* The bytes of a length-delimited field, as a reader of its own. */
static int
get_nested(struct buf_reader *r, struct buf_reader *sub)
{
	const uint8_t *p;
	uint64_t n;

	if (get_varint(r, &n) != SS_OK || n > buf_remaining(r) ||
	    buf_get_bytes(r, (size_t)n, &p) != SS_OK)
		return SS_ERR_PROTOCOL;
	buf_reader_init(sub, p, (size_t)n);
	return SS_OK;
}

/* A name field: 1-64 bytes, no NUL, copied NUL-terminated. */
static int
get_name(struct buf_reader *r, char out[NAME_BUF])
{
	struct buf_reader s;

	if (get_nested(r, &s) != SS_OK || s.len == 0 || s.len >= NAME_BUF ||
	    memchr(s.data, '\0', s.len) != NULL)
		return SS_ERR_PROTOCOL;
	memcpy(out, s.data, s.len);
	out[s.len] = '\0';
	return SS_OK;
}

/* One EncryptedShare: exactly one recipient and one ciphertext. */
static int
read_share(struct buf_reader *r, char recipient[NAME_BUF],
    struct submitted_share *sh)
{
	uint32_t field, wt;
	int have_recipient = 0, have_ct = 0;
	struct buf_reader ct;

	while (buf_remaining(r) > 0) {
		if (get_tag(r, &field, &wt) != SS_OK || wt != WT_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SHARE_RECIPIENT && !have_recipient) {
			if (get_name(r, recipient) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_recipient = 1;
		} else if (field == SHARE_CIPHERTEXT && !have_ct) {
			if (get_nested(r, &ct) != SS_OK)
				return SS_ERR_PROTOCOL;
			sh->ct = ct.data;
			sh->ct_len = ct.len;
			have_ct = 1;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	if (!have_recipient || !have_ct)
		return SS_ERR_PROTOCOL;
	sh->recipient = recipient;
	return SS_OK;
}

/*
 * The SubmitSharesRequest body. With v->shares NULL it only counts the
 * shares; with the arrays allocated it fills them.
 */
static int
read_body(struct buf_reader r, struct submit_view *v, size_t max_shares)
{
	uint32_t field, wt;
	int have_session = 0, have_party = 0;
	struct buf_reader sub;
	size_t k = 0;

	while (buf_remaining(&r) > 0) {
		if (get_tag(&r, &field, &wt) != SS_OK || wt != WT_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SUB_SESSION && !have_session) {
			if (get_name(&r, v->session_id) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_session = 1;
		} else if (field == SUB_PARTY && !have_party) {
			if (get_name(&r, v->party) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_party = 1;
		} else if (field == SUB_SHARES) {
			if (get_nested(&r, &sub) != SS_OK || k >= max_shares)
				return SS_ERR_PROTOCOL;
			if (v->shares != NULL &&
			    read_share(&sub, v->recipients[k], &v->shares[k]) != SS_OK)
				return SS_ERR_PROTOCOL;
			k++;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	if (!have_session || !have_party || k == 0)
		return SS_ERR_PROTOCOL;
	v->n_shares = k;
	return SS_OK;
}

/* The envelope of a request read in place: id, deadline and body. */
struct envelope {
	uint64_t id;
	uint64_t deadline_unix_ms;
	struct buf_reader body;
};

/* The Request envelope: id, the given method, deadline, its body once. */
static int
read_request(struct buf_reader *r, uint64_t method, uint32_t body_field,
    struct envelope *e)
{
	int have_id = 0, have_method = 0, have_deadline = 0, have_body = 0;
	uint32_t field, wt;
	uint64_t x;

	memset(e, 0, sizeof(*e));
	while (buf_remaining(r) > 0) {
		if (get_tag(r, &field, &wt) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (field == body_field && wt == WT_LEN && !have_body) {
			if (get_nested(r, &e->body) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_body = 1;
			continue;
		}
		if (wt != WT_VARINT || get_varint(r, &x) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (field == REQ_ID && !have_id) {
			e->id = x;
			have_id = 1;
		} else if (field == REQ_METHOD && !have_method && x == method) {
			have_method = 1;
		} else if (field == REQ_DEADLINE && !have_deadline) {
			e->deadline_unix_ms = x;
			have_deadline = 1;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	return have_method && have_body ? SS_OK : SS_ERR_PROTOCOL;
}

int
submit_view_read(struct submit_view *v, const uint8_t *frame, size_t len,
    size_t max_shares)
{
	struct envelope e;
	struct buf_reader r;
	int rc;

	memset(v, 0, sizeof(*v));
	buf_reader_init(&r, frame, len);
	if ((rc = read_request(&r, METHOD_SUBMIT, REQ_SUBMIT, &e)) != SS_OK)
		return rc;
	v->id = e.id;
	v->deadline_unix_ms = e.deadline_unix_ms;
	if ((rc = read_body(e.body, v, max_shares)) != SS_OK)
		return rc;
	v->shares = calloc(v->n_shares, sizeof(*v->shares));
	v->recipients = calloc(v->n_shares, sizeof(*v->recipients));
	if (v->shares == NULL || v->recipients == NULL)
		rc = SS_ERR_ALLOC;
	else
		rc = read_body(e.body, v, max_shares);
	if (rc != SS_OK)
		submit_view_free(v);
	return rc;
}

void
submit_view_free(struct submit_view *v)
{
	free(v->shares);
	free(v->recipients);
	v->shares = NULL;
	v->recipients = NULL;
	v->n_shares = 0;
}

int
sumpoint_view_read(struct sumpoint_view *v, const uint8_t *frame, size_t len)
{
	int have_session = 0, have_party = 0, have_values = 0;
	struct buf_reader r, run;
	struct envelope e;
	uint32_t field, wt;

	memset(v, 0, sizeof(*v));
	buf_reader_init(&r, frame, len);
	if (read_request(&r, METHOD_SUMPOINT, REQ_SUMPOINT, &e) != SS_OK)
		return SS_ERR_PROTOCOL;
	v->id = e.id;
	v->deadline_unix_ms = e.deadline_unix_ms;
	while (buf_remaining(&e.body) > 0) {
		if (get_tag(&e.body, &field, &wt) != SS_OK || wt != WT_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SUMPOINT_SESSION && !have_session) {
			if (get_name(&e.body, v->session_id) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_session = 1;
		} else if (field == SUMPOINT_PARTY && !have_party) {
			if (get_name(&e.body, v->party) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_party = 1;
		} else if (field == SUMPOINT_VALUES && !have_values) {
			if (get_nested(&e.body, &run) != SS_OK || run.len == 0 ||
			    run.len % 8 != 0)
				return SS_ERR_PROTOCOL;
			v->values = run.data;
			v->n_values = run.len / 8;
			have_values = 1;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	return have_session && have_party && have_values ? SS_OK : SS_ERR_PROTOCOL;
}
