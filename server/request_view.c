/*
 * request_view.c: reading plainly encoded SubmitShares and PostSumpoint
 * requests in place (see request_view.h for why). Every byte is read
 * through pbwire's reader, and every doubt declines the frame to
 * request_decode rather than guessing.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "pbwire.h"
#include "request_view.h"

/* Field numbers of proto/securesum.proto. */
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
#define SUB_STATEMENT 4

#define SHARE_RECIPIENT  1
#define SHARE_CIPHERTEXT 2

#define SUMPOINT_SESSION   1
#define SUMPOINT_PARTY     2
#define SUMPOINT_VALUES    3
#define SUMPOINT_STATEMENT 4

#define STATEMENT_BODY      1
#define STATEMENT_SIGNATURE 2

/*
 * A name field (a session id: CREATOR/NAME) of 1 to cap - 1 bytes, copied
 * NUL-terminated. A NUL or a byte past
 * ASCII is left to protobuf-c's path: a name holds neither, and proto3
 * refuses the whole frame when a string is not UTF-8 (server/request.c).
 */
static int
get_name(struct buf_reader *r, char *out, size_t cap)
{
	struct buf_reader s;
	size_t i;

	if (pbwire_len(r, &s) != SS_OK || s.len == 0 || s.len >= cap)
		return SS_ERR_PROTOCOL;
	for (i = 0; i < s.len; i++)
		if (s.data[i] == '\0' || s.data[i] >= 0x80)
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
		if (pbwire_tag(r, &field, &wt) != SS_OK || wt != PBWIRE_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SHARE_RECIPIENT && !have_recipient) {
			if (get_name(r, recipient, NAME_BUF) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_recipient = 1;
		} else if (field == SHARE_CIPHERTEXT && !have_ct) {
			if (pbwire_len(r, &ct) != SS_OK)
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
 * A Statement given once in the message around it (*have says whether it
 * was): its body and signature at most once each, views into the frame.
 */
static int
read_statement(struct buf_reader *r, int *have, struct statement_in *st)
{
	int have_body = 0, have_sig = 0;
	uint32_t field, wt;
	struct buf_reader m, b;

	if (*have || pbwire_len(r, &m) != SS_OK)
		return SS_ERR_PROTOCOL;
	memset(st, 0, sizeof(*st));
	while (buf_remaining(&m) > 0) {
		if (pbwire_tag(&m, &field, &wt) != SS_OK || wt != PBWIRE_LEN ||
		    pbwire_len(&m, &b) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (field == STATEMENT_BODY && !have_body) {
			st->body = b.data;
			st->len = b.len;
			have_body = 1;
		} else if (field == STATEMENT_SIGNATURE && !have_sig) {
			st->sig = b.data;
			st->sig_len = b.len;
			have_sig = 1;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	*have = 1;
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

	v->has_submit = 0;
	while (buf_remaining(&r) > 0) {
		if (pbwire_tag(&r, &field, &wt) != SS_OK || wt != PBWIRE_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SUB_SESSION && !have_session) {
			if (get_name(&r, v->session_id, sizeof(v->session_id)) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_session = 1;
		} else if (field == SUB_PARTY && !have_party) {
			if (get_name(&r, v->party, sizeof(v->party)) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_party = 1;
		} else if (field == SUB_SHARES) {
			if (pbwire_len(&r, &sub) != SS_OK || k >= max_shares)
				return SS_ERR_PROTOCOL;
			if (v->shares != NULL &&
			    read_share(&sub, v->recipients[k], &v->shares[k]) != SS_OK)
				return SS_ERR_PROTOCOL;
			k++;
		} else if (field == SUB_STATEMENT) {
			if (read_statement(&r, &v->has_submit, &v->submit) != SS_OK)
				return SS_ERR_PROTOCOL;
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
		if (pbwire_tag(r, &field, &wt) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (field == body_field && wt == PBWIRE_LEN && !have_body) {
			if (pbwire_len(r, &e->body) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_body = 1;
			continue;
		}
		if (wt != PBWIRE_VARINT || pbwire_varint(r, &x) != SS_OK)
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
		if (pbwire_tag(&e.body, &field, &wt) != SS_OK || wt != PBWIRE_LEN)
			return SS_ERR_PROTOCOL;
		if (field == SUMPOINT_SESSION && !have_session) {
			if (get_name(&e.body, v->session_id, sizeof(v->session_id)) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_session = 1;
		} else if (field == SUMPOINT_PARTY && !have_party) {
			if (get_name(&e.body, v->party, sizeof(v->party)) != SS_OK)
				return SS_ERR_PROTOCOL;
			have_party = 1;
		} else if (field == SUMPOINT_VALUES && !have_values) {
			if (pbwire_len(&e.body, &run) != SS_OK || run.len == 0 ||
			    run.len % 8 != 0)
				return SS_ERR_PROTOCOL;
			v->values = run.data;
			v->n_values = run.len / 8;
			have_values = 1;
		} else if (field == SUMPOINT_STATEMENT) {
			if (read_statement(&e.body, &v->has_statement,
			    &v->statement) != SS_OK)
				return SS_ERR_PROTOCOL;
		} else {
			return SS_ERR_PROTOCOL;
		}
	}
	return have_session && have_party && have_values ? SS_OK : SS_ERR_PROTOCOL;
}
