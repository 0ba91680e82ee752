/*
 * rpc_answer.c: packing a call's Response; see rpc_answer.h.
 *
 * protobuf-c appends a bytes field, and on a little-endian host a packed
 * fixed64 run, as one call with the field's own pointer; only an append
 * that is exactly the next such vector of the body goes to held(), so
 * nothing else (protobuf-c's own scratch, a name) can be taken for store
 * memory. Short ones are copied: a reference costs more than a few bytes
 * of copy.
 *
 * In version 2 every GetShare answer carries each dealer's SUBMIT (93 +
 * 32 n bytes), n of them: 32 MB an answer at n = 1,000, copied a thousand
 * times over when the whole cohort asks at once. Sent by reference, they
 * cost the answer a chain each; what is copied is charged to the budget
 * as it waits to be sent (answer_sink.h), and checked against it first.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "budget.h"
#include "frame.h"
#include "metrics.h"
#include "rpc_answer.h"
#include "status.h"

#define HELD_MIN_BYTES 4096

void
rpc_answer_write(const Response *resp, ProtobufCBuffer *out)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t n = securesum__response__get_packed_size(resp);

	frame_put_header(hdr, (uint32_t)n);
	out->append(out, sizeof(hdr), hdr);
	securesum__response__pack_to_buffer(resp, out);
}

/* ---- the vectors a session holds --------------------------------------- */

struct held_filter {
	ProtobufCBuffer base;
	ProtobufCBuffer *out;
	rpc_answer_held_fn held;
	struct session *se;     /* whose memory they are */
	const Response *resp;
	size_t next;        /* the vector expected next */
};

/*
 * The k-th store-held vector of the response, in the order it is packed
 * (a GetShare's: each share's ciphertext, then its SUBMIT's body); 0 past
 * the last. *p is NULL for one the response has not (no SUBMIT).
 */
static int
held_vector(const Response *resp, size_t k, const uint8_t **p, size_t *len)
{
	const Securesum__IncomingShare *in;

	if (resp->body_case == SECURESUM__RESPONSE__BODY_GET_SHARE &&
	    k / 2 < resp->get_share->n_shares) {
		in = resp->get_share->shares[k / 2];
		*p = k % 2 == 0 ? in->ciphertext.data :
		    in->submit != NULL ? in->submit->body.data : NULL;
		*len = k % 2 == 0 ? in->ciphertext.len :
		    in->submit != NULL ? in->submit->body.len : 0;
		return 1;
	}
	if (resp->body_case == SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS &&
	    k < resp->list_sumpoints->n_sumpoints) {
		*p = (const uint8_t *)resp->list_sumpoints->sumpoints[k]->values;
		*len = resp->list_sumpoints->sumpoints[k]->n_values * 8;
		return 1;
	}
	return 0;
}

/* Whether the k-th vector is one held() takes: present and not short. */
static int
held_by_reference(const Response *resp, size_t k, const uint8_t **p,
    size_t *len)
{
	return held_vector(resp, k, p, len) && *p != NULL &&
	    *len >= HELD_MIN_BYTES;
}

static void
held_filter_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct held_filter *f = (struct held_filter *)b;
	const uint8_t *p;
	size_t n;

	/* Those the response has not are never appended: skip them. */
	while (held_vector(f->resp, f->next, &p, &n) && p == NULL)
		f->next++;
	if (held_vector(f->resp, f->next, &p, &n) && data == p && len == n) {
		f->next++;
		if (len >= HELD_MIN_BYTES) {
			f->held(f->out, len, data, f->se);
			return;
		}
	}
	f->out->append(f->out, len, data);
}

/* ---- the memory budget -------------------------------------------------- */

/* Whether a method only reads: its answer may be refused unmade. */
static int
only_reads(int method)
{
	switch (method) {
	case SECURESUM__METHOD__GET_SHARE:
	case SECURESUM__METHOD__LIST_SUMPOINTS:
	case SECURESUM__METHOD__GET_STATUS:
	case SECURESUM__METHOD__GET_KEYS:
	case SECURESUM__METHOD__GET_COHORT:
	case SECURESUM__METHOD__LIST_SESSIONS:
	case SECURESUM__METHOD__GET_SERVER_INFO:
		return 1;
	default:
		return 0;
	}
}

/*
 * What the answer, framed, will cost in the output buffer (budget.h): its
 * bytes less those sent by reference, and a piece for each reference.
 */
static uint64_t
answer_cost(const Response *resp, int by_reference, size_t *framed)
{
	uint64_t copied, refs = 0;
	const uint8_t *p;
	size_t k, len;

	*framed = securesum__response__get_packed_size(resp) + FRAME_HEADER_LEN;
	copied = *framed;
	for (k = 0; by_reference && held_vector(resp, k, &p, &len); k++)
		if (held_by_reference(resp, k, &p, &len)) {
			copied -= len;
			refs++;
		}
	return budget_answer_cost(copied, refs);
}

/*
 * A read's answer that the budget has no room for becomes a refusal: the
 * client asks again once the answers ahead of it are sent.
 */
static void
refuse_unless_room(struct call *c, int by_reference, int *refused)
{
	const struct budget *b = c->store->budget;
	uint64_t cost;
	size_t framed;

	if (b == NULL || b->limit == 0 || c->err.code != SS_OK ||
	    !only_reads(c->req.method))
		return;
	cost = answer_cost(&c->resp, by_reference, &framed);
	if (budget_fits(b, cost))
		return;
	*refused = 1;
	ss_error_set(&c->err, SS_ERR_EXHAUSTED, "the %s answer of %zu bytes "
	    "(%llu to hold while it is sent) does not fit in the server's "
	    "memory budget (--max-memory %llu, %llu in use); try again later",
	    metrics_method_name(c->req.method), framed,
	    (unsigned long long)cost, (unsigned long long)b->limit,
	    (unsigned long long)budget_total(b));
}

void
rpc_answer_finish(struct call *c, ProtobufCBuffer *out,
    rpc_answer_held_fn held, int *refused)
{
	Response *resp = &c->resp;
	struct held_filter f = { { held_filter_append }, out, held, c->held_se,
	    resp, 0 };
	int by_reference = held != NULL &&
	    (resp->body_case == SECURESUM__RESPONSE__BODY_GET_SHARE ||
	    resp->body_case == SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS);

	*refused = 0;
	resp->id = c->req.id;
	refuse_unless_room(c, by_reference, refused);
	resp->code = (Securesum__Code)status_from_err(c->err.code);
	status_message_fit(c->err.msg);
	resp->message = c->err.msg;
	if (c->err.code != SS_OK) {
		resp->body_case = SECURESUM__RESPONSE__BODY__NOT_SET;
		by_reference = 0;
	}
	rpc_answer_write(resp, by_reference ? &f.base : out);
}
