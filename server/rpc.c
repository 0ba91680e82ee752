/*
 * rpc.c: decoding, checking and dispatching requests, and encoding their
 * responses. A frame is decoded once (decode_frame); its method picks
 * its handler from one table (methods[]); the handler answers from the
 * store into a response built for that call alone. Responses point into
 * the store's memory instead of copying shares and sumpoints; they are
 * packed straight into the connection's output buffer.
 *
 * Requests are unpacked with an allocator that remembers the size of each
 * block: protobuf-c hands strings over NUL-terminated without their wire
 * length, and only the size of the block it copied one into shows that a
 * string held a NUL byte ("bob\0x" would otherwise be read as "bob").
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "hpke.h"
#include "pki.h"
#include "rpc.h"
#include "securesum.pb-c.h"
#include "request.h"
#include "request_view.h"

typedef Securesum__Request Request;
typedef Securesum__Response Response;

static void
write_response(const Response *resp, ProtobufCBuffer *out)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t n = securesum__response__get_packed_size(resp);

	frame_put_header(hdr, (uint32_t)n);
	out->append(out, sizeof(hdr), hdr);
	securesum__response__pack_to_buffer(resp, out);
}

void
rpc_write_error(uint64_t id, int code, const char *msg, ProtobufCBuffer *out)
{
	Response resp = SECURESUM__RESPONSE__INIT;

	resp.id = id;
	resp.code = (Securesum__Code)code;
	resp.message = (char *)msg;
	write_response(&resp, out);
}

/* ---- sized allocations ---------------------------------------------- */

/* Each block is preceded by its size, in a header that keeps alignment. */
#define SIZED_HDR sizeof(max_align_t)

static void *
sized_alloc(void *ud, size_t n)
{
	unsigned char *p;

	(void)ud;
	if (n > SIZE_MAX - SIZED_HDR || (p = malloc(SIZED_HDR + n)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + SIZED_HDR;
}

static void
sized_free(void *ud, void *ptr)
{
	(void)ud;
	if (ptr != NULL)
		free((unsigned char *)ptr - SIZED_HDR);
}

static ProtobufCAllocator sized_allocator = { sized_alloc, sized_free, NULL };

/*
 * Whether the string the request decoded is whole: no NUL before the end of
 * what was on the wire. An absent field is protobuf-c's shared "".
 */
static int
string_whole(const char *v)
{
	size_t n;

	if (v == NULL || v == protobuf_c_empty_string)
		return 1;
	memcpy(&n, (const unsigned char *)v - SIZED_HDR, sizeof(n));
	return strlen(v) + 1 == n;
}

/* Checks that a NUL-free string is a valid name. */
static int
check_whole_name(const char *what, const char *v, struct ss_error *e)
{
	if (!name_valid(v))
		return ss_error_set(e, SS_ERR_INVALID, "%s must be 1-64 characters "
		    "of A-Z a-z 0-9 . _ - and not start with . or -", what);
	return SS_OK;
}

/* A decoded string, or "" (never a valid name) if it was cut short by a NUL. */
static const char *
whole_or_empty(const char *v)
{
	return v != NULL && string_whole(v) ? v : "";
}

/* Checks that a decoded request string is a valid name; protobuf-c gives "" for unset. */
static int
check_name(const char *what, const char *v, struct ss_error *e)
{
	return check_whole_name(what, whole_or_empty(v), e);
}

/* ---- decoding --------------------------------------------------------- */

enum request_form {
	FORM_PROTOBUF,          /* decoded by request_decode: pb */
	FORM_SUBMIT_VIEW,       /* a SubmitShares read in place: submit */
	FORM_SUMPOINT_VIEW,     /* a PostSumpoint read in place: sumpoint */
};

/* A request as decoded, whichever way. */
struct decoded_request {
	enum request_form form;
	uint64_t id;
	uint64_t deadline_unix_ms;
	int method;             /* Securesum__Method, as sent */
	int body_case;          /* Securesum__Request__BodyCase */
	Request *pb;
	struct submit_view submit;
	struct sumpoint_view sumpoint;
};

static void
decoded_head(struct decoded_request *r, enum request_form form, uint64_t id,
    uint64_t deadline_unix_ms, int method, int body_case)
{
	r->form = form;
	r->id = id;
	r->deadline_unix_ms = deadline_unix_ms;
	r->method = method;
	r->body_case = body_case;
}

/*
 * Where a frame becomes a request. A SubmitShares or PostSumpoint in the
 * plain encoding is read where it lies (request_view.h) -- a PostSumpoint
 * only from a frame that may be changed, as its values are moved within
 * it -- and anything else by request_decode (request.h), as proto3 reads
 * it. SS_ERR_PROTOCOL: the frame is not a Request at all.
 */
static int SS_WUR
decode_frame(struct decoded_request *r, const uint8_t *frame, size_t len,
    int writable, size_t max_shares)
{
	memset(r, 0, sizeof(*r));
	if (submit_view_read(&r->submit, frame, len, max_shares) == SS_OK) {
		decoded_head(r, FORM_SUBMIT_VIEW, r->submit.id,
		    r->submit.deadline_unix_ms, SECURESUM__METHOD__SUBMIT_SHARES,
		    SECURESUM__REQUEST__BODY_SUBMIT_SHARES);
		return SS_OK;
	}
	if (writable && sumpoint_view_read(&r->sumpoint, frame, len) == SS_OK) {
		decoded_head(r, FORM_SUMPOINT_VIEW, r->sumpoint.id,
		    r->sumpoint.deadline_unix_ms, SECURESUM__METHOD__POST_SUMPOINT,
		    SECURESUM__REQUEST__BODY_POST_SUMPOINT);
		return SS_OK;
	}
	if (request_decode(&sized_allocator, frame, len, &r->pb) != SS_OK) {
		r->pb = NULL;
		return SS_ERR_PROTOCOL;
	}
	decoded_head(r, FORM_PROTOBUF, r->pb->id, r->pb->deadline_unix_ms,
	    (int)r->pb->method, (int)r->pb->body_case);
	return SS_OK;
}

static void
decoded_free(struct decoded_request *r)
{
	if (r->form == FORM_SUBMIT_VIEW)
		submit_view_free(&r->submit);
	if (r->pb != NULL)
		securesum__request__free_unpacked(r->pb, &sized_allocator);
}

/* ---- one call: a request and its response ----------------------------- */

/* Memory a response borrows for its lists; freed after packing. */
struct scratch {
	void *p[4];
};

static void *
scratch_alloc(struct scratch *sc, size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (sc->p[i] == NULL)
			return sc->p[i] = calloc(n ? n : 1, size);
	return NULL;
}

struct call {
	struct rpc_server *srv;
	const char *caller;
	struct rpc_frame *frame;   /* the frame, if the store may keep it */
	struct decoded_request req;
	/* The response, and what it points to. */
	Response resp;
	union {
		Securesum__CreateSessionResponse create;
		Securesum__SubmitSharesResponse submit;
		Securesum__GetShareResponse get_share;
		Securesum__PostSumpointResponse post;
		Securesum__ListSumpointsResponse list;
		Securesum__GetStatusResponse status;
		Securesum__PublishKeyResponse publish;
		Securesum__GetKeysResponse get_keys;
	} body;
	Securesum__SessionParams params;
	struct scratch sc;
	struct ss_error err;       /* the response's code and message */
};

static uint64_t
now_s(const struct call *c)
{
	return c->srv->now_ms() / 1000;
}

/* Where the store may take the frame from (store_*_in_place), or NULL. */
static uint8_t **
keepable_frame(struct call *c)
{
	return c->frame != NULL ? &c->frame->p : NULL;
}

static int
out_of_memory(struct call *c)
{
	return ss_error_set(&c->err, SS_ERR_EXHAUSTED, "out of memory");
}

/* ---- CreateSession --------------------------------------------------- */

static int
params_from_msg(const struct store *s, const Securesum__SessionParams *m,
    struct session_params *p, struct ss_error *e)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (m == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "params missing");
	if (check_name("session_id", m->session_id, e) != SS_OK)
		return e->code;
	if (m->n_parties < 2 || m->n_parties > s->lim.max_parties)
		return ss_error_set(e, m->n_parties < 2 ? SS_ERR_INVALID :
		    SS_ERR_EXHAUSTED, "a session needs 2 to %u parties, got %zu",
		    s->lim.max_parties, m->n_parties);
	for (i = 0; i < m->n_parties; i++)
		if (check_name("every party", m->parties[i], e) != SS_OK)
			return e->code;
	if ((p->parties = calloc(m->n_parties, NAME_BUF)) == NULL)
		return ss_error_set(e, SS_ERR_EXHAUSTED, "out of memory");
	memcpy(p->id, m->session_id, strlen(m->session_id) + 1);
	for (i = 0; i < m->n_parties; i++)
		memcpy(p->parties[i], m->parties[i], strlen(m->parties[i]) + 1);
	p->n = (uint32_t)m->n_parties;
	p->threshold = m->threshold;
	p->length = m->length;
	p->decimals = m->decimals;
	p->deadline_seconds = m->deadline_seconds;
	return SS_OK;
}

static void
params_to_msg(const struct session *se, Securesum__SessionParams *m, char **names)
{
	uint32_t i;

	securesum__session_params__init(m);
	for (i = 0; i < se->p.n; i++)
		names[i] = (char *)se->p.parties[i];
	m->session_id = (char *)se->p.id;
	m->n_parties = se->p.n;
	m->parties = names;
	m->threshold = se->p.threshold;
	m->length = se->p.length;
	m->decimals = se->p.decimals;
	m->deadline_seconds = se->p.deadline_seconds;
}

static int
do_create(struct call *c)
{
	Securesum__CreateSessionResponse *body = &c->body.create;
	struct session_params p;
	uint64_t deadline = 0;
	int created = 0, rc;

	if (params_from_msg(c->srv->store, c->req.pb->create_session->params, &p,
	    &c->err) != SS_OK) {
		free(p.parties);
		return c->err.code;
	}
	rc = store_create(c->srv->store, c->caller, &p, now_s(c), &created,
	    &deadline, &c->err);
	free(p.parties);
	if (rc != SS_OK)
		return rc;
	body->created = created;
	body->deadline_unix = deadline;
	c->resp.create_session = body;
	return SS_OK;
}

/*
 * The answer of a change -- SubmitShares, PostSumpoint, PublishKey -- once
 * the store has answered rc (a refusal says why in c->err): whether it
 * already held the same.
 */
static int
acknowledge(struct call *c, int rc, int duplicate)
{
	if (rc != SS_OK)
		return rc;
	switch (c->req.method) {
	case SECURESUM__METHOD__SUBMIT_SHARES:
		c->body.submit.duplicate = duplicate;
		c->resp.submit_shares = &c->body.submit;
		break;
	case SECURESUM__METHOD__POST_SUMPOINT:
		c->body.post.duplicate = duplicate;
		c->resp.post_sumpoint = &c->body.post;
		break;
	default:
		c->body.publish.duplicate = duplicate;
		c->resp.publish_key = &c->body.publish;
		break;
	}
	return SS_OK;
}

/* ---- SubmitShares ---------------------------------------------------- */

/*
 * A SubmitShares request, decoded by protobuf-c or read in place: names
 * whole (NUL-free), session_id and party still to be checked.
 */
struct submit_args {
	const char *session_id;
	const char *party;
	const struct submitted_share *shares;
	size_t n_shares;
};

/*
 * Checks the request's names, then hands the shares to the store; those
 * read in place lie in the frame, which the store may then keep.
 */
static int
submit(struct call *c, const struct submit_args *a, int in_frame)
{
	struct store *s = c->srv->store;
	uint8_t **keep = in_frame ? keepable_frame(c) : NULL;
	int duplicate = 0, rc;
	size_t i;

	if (check_whole_name("session_id", a->session_id, &c->err) != SS_OK ||
	    check_whole_name("party", a->party, &c->err) != SS_OK)
		return c->err.code;
	if (a->n_shares > s->lim.max_parties)
		return ss_error_set(&c->err, SS_ERR_INVALID, "%zu shares is more "
		    "than the %u parties a session may have", a->n_shares,
		    s->lim.max_parties);
	for (i = 0; i < a->n_shares; i++)
		if (check_whole_name("recipient", a->shares[i].recipient,
		    &c->err) != SS_OK)
			return c->err.code;
	rc = store_submit_in_place(s, c->caller, a->session_id, a->party,
	    a->shares, a->n_shares, keep, keep != NULL ? c->frame->len : 0,
	    now_s(c), &duplicate, &c->err);
	return acknowledge(c, rc, duplicate);
}

/* A SubmitShares decoded by protobuf-c: its shares are protobuf-c's copies. */
static int
submit_decoded(struct call *c)
{
	const Securesum__SubmitSharesRequest *m = c->req.pb->submit_shares;
	struct submitted_share *v = NULL;
	struct submit_args a = { whole_or_empty(m->session_id),
	    whole_or_empty(m->party), NULL, m->n_shares };
	size_t i;
	int rc;

	if (m->n_shares > 0 && m->n_shares <= c->srv->store->lim.max_parties &&
	    (v = calloc(m->n_shares, sizeof(*v))) == NULL)
		return out_of_memory(c);
	for (i = 0; v != NULL && i < m->n_shares; i++) {
		v[i].recipient = whole_or_empty(m->shares[i]->recipient);
		v[i].ct = m->shares[i]->ciphertext.data;
		v[i].ct_len = m->shares[i]->ciphertext.len;
	}
	a.shares = v;
	rc = submit(c, &a, 0);
	free(v);
	return rc;
}

static int
do_submit(struct call *c)
{
	const struct submit_view *v = &c->req.submit;
	struct submit_args a = { v->session_id, v->party, v->shares, v->n_shares };

	if (c->req.form != FORM_SUBMIT_VIEW)
		return submit_decoded(c);
	return submit(c, &a, 1);
}

/* ---- GetShare -------------------------------------------------------- */

static int
do_get_share(struct call *c)
{
	const Securesum__GetShareRequest *m = c->req.pb->get_share;
	Securesum__GetShareResponse *body = &c->body.get_share;
	Securesum__IncomingShare *items, **ptrs;
	struct session *se;
	uint32_t me, i, k = 0;

	if (check_name("session_id", m->session_id, &c->err) != SS_OK ||
	    check_name("party", m->party, &c->err) != SS_OK)
		return c->err.code;
	if (store_get_share(c->srv->store, c->caller, m->session_id, m->party,
	    now_s(c), &se, &me, &c->err) != SS_OK)
		return c->err.code;
	items = scratch_alloc(&c->sc, se->p.n, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(&c->sc, se->p.n, sizeof(*ptrs));
	if (items == NULL || ptrs == NULL)
		return out_of_memory(c);
	for (i = 0; i < se->p.n; i++) {
		if (!se->in_cohort[i])
			continue;
		securesum__incoming_share__init(&items[k]);
		items[k].sender = se->p.parties[i];
		items[k].ciphertext.data = se->shares[i] + (size_t)me * se->ct_len;
		items[k].ciphertext.len = se->ct_len;
		ptrs[k] = &items[k];
		k++;
	}
	body->n_shares = k;
	body->shares = ptrs;
	c->resp.get_share = body;
	return SS_OK;
}

/* ---- PostSumpoint ---------------------------------------------------- */

/* Checks the request's names, then hands the values to the store. */
static int
post(struct call *c, const char *session_id, const char *party,
    const uint64_t *values, size_t n, int in_frame)
{
	int duplicate = 0, rc;

	if (check_whole_name("session_id", session_id, &c->err) != SS_OK ||
	    check_whole_name("party", party, &c->err) != SS_OK)
		return c->err.code;
	rc = store_post_sumpoint_in_place(c->srv->store, c->caller, session_id,
	    party, values, n, in_frame ? keepable_frame(c) : NULL, now_s(c),
	    &duplicate, &c->err);
	return acknowledge(c, rc, duplicate);
}

/*
 * Moves the values of a PostSumpoint read in place to the start of its
 * frame (malloc'd, so aligned for uint64_t), in host order: the frame may
 * then become the stored sumpoint.
 */
static const uint64_t *
values_to_frame_start(struct rpc_frame *f, const struct sumpoint_view *v)
{
	uint64_t *values = (uint64_t *)(void *)f->p, x;
	size_t i;

	memmove(f->p, v->values, v->n_values * 8);
	for (i = 0; i < v->n_values; i++) {
		memcpy(&x, f->p + 8 * i, 8);
		values[i] = le64toh(x);
	}
	return values;
}

static int
do_post(struct call *c)
{
	const Securesum__PostSumpointRequest *m;
	const struct sumpoint_view *v = &c->req.sumpoint;

	/* Read in place only from a frame of its own (decode_frame). */
	if (c->req.form == FORM_SUMPOINT_VIEW)
		return post(c, v->session_id, v->party,
		    values_to_frame_start(c->frame, v), v->n_values, 1);
	m = c->req.pb->post_sumpoint;
	return post(c, whole_or_empty(m->session_id), whole_or_empty(m->party),
	    m->values, m->n_values, 0);
}

/* ---- ListSumpoints and GetStatus ------------------------------------- */

/* The session a read names, if the caller may read it; else NULL. */
static struct session *
read_session(struct call *c, const char *session_id)
{
	struct session *se = NULL;

	if (check_name("session_id", session_id, &c->err) != SS_OK)
		return NULL;
	return store_read(c->srv->store, c->caller, session_id, now_s(c), &se, &c->err) == SS_OK ? se : NULL;
}

static int
do_list(struct call *c)
{
	Securesum__ListSumpointsResponse *body = &c->body.list;
	Securesum__Sumpoint *items, **ptrs;
	struct session *se;
	char **names, **cohort;
	uint32_t i, k = 0, n_cohort = 0;

	if ((se = read_session(c, c->req.pb->list_sumpoints->session_id)) == NULL)
		return c->err.code;
	names = scratch_alloc(&c->sc, se->p.n, sizeof(*names));
	cohort = scratch_alloc(&c->sc, se->p.n, sizeof(*cohort));
	items = scratch_alloc(&c->sc, se->p.n, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(&c->sc, se->p.n, sizeof(*ptrs));
	if (names == NULL || cohort == NULL || items == NULL || ptrs == NULL)
		return out_of_memory(c);
	params_to_msg(se, &c->params, names);
	for (i = 0; i < se->p.n; i++) {
		if (se->in_cohort[i])
			cohort[n_cohort++] = se->p.parties[i];
		if (se->sumpoints[i] == NULL)
			continue;
		securesum__sumpoint__init(&items[k]);
		items[k].party = se->p.parties[i];
		items[k].x = i + 1;
		items[k].n_values = se->p.length;
		items[k].values = se->sumpoints[i];
		ptrs[k] = &items[k];
		k++;
	}
	body->params = &c->params;
	body->n_cohort = n_cohort;
	body->cohort = cohort;
	body->n_sumpoints = k;
	body->sumpoints = ptrs;
	c->resp.list_sumpoints = body;
	return SS_OK;
}

/* Who is in the cohort, has shared, has posted, and is still awaited. */
static void
status_lists(const struct session *se, Securesum__GetStatusResponse *body,
    char **lists)
{
	uint32_t i, n = se->p.n;

	body->cohort = lists;
	body->shared = lists + n;
	body->posted = lists + 2 * (size_t)n;
	body->missing = lists + 3 * (size_t)n;
	for (i = 0; i < n; i++) {
		char *name = se->p.parties[i];

		if (se->in_cohort[i])
			body->cohort[body->n_cohort++] = name;
		if (se->shares[i] != NULL)
			body->shared[body->n_shared++] = name;
		if (se->sumpoints[i] != NULL)
			body->posted[body->n_posted++] = name;
		if ((se->phase == PHASE_SHARING && se->shares[i] == NULL) ||
		    (se->phase == PHASE_AGGREGATING && se->in_cohort[i] &&
		    se->sumpoints[i] == NULL))
			body->missing[body->n_missing++] = name;
	}
}

static int
do_status(struct call *c)
{
	Securesum__GetStatusResponse *body = &c->body.status;
	struct session *se;
	char **names, **lists;

	if ((se = read_session(c, c->req.pb->get_status->session_id)) == NULL)
		return c->err.code;
	names = scratch_alloc(&c->sc, se->p.n, sizeof(*names));
	lists = scratch_alloc(&c->sc, (size_t)se->p.n * 4, sizeof(*lists));
	if (names == NULL || lists == NULL)
		return out_of_memory(c);
	params_to_msg(se, &c->params, names);
	status_lists(se, body, lists);
	body->params = &c->params;
	body->phase = (Securesum__Phase)se->phase;
	body->deadline_unix = se->deadline_unix;
	/* A failed session's reason travels as the message of an OK answer. */
	if (se->phase == PHASE_FAILED)
		ss_error_set(&c->err, SS_OK, "%s", se->fail_reason);
	c->resp.get_status = body;
	return SS_OK;
}

/* ---- key directory --------------------------------------------------- */

static int
do_publish(struct call *c)
{
	const ProtobufCBinaryData *cert = &c->req.pb->publish_key->certificate;
	struct store *s = c->srv->store;
	uint8_t pk[HPKE_KEY_LEN];
	int duplicate = 0, rc;

	if (cert->len == 0 || cert->len > s->lim.max_cert_bytes)
		return ss_error_set(&c->err, SS_ERR_INVALID, "certificate must be "
		    "1 to %u bytes of DER", s->lim.max_cert_bytes);
	if (pki_verify_enc_cert(c->srv->ca, cert->data, cert->len, c->caller,
	    pk) != SS_OK)
		return ss_error_set(&c->err, SS_ERR_DENIED, "not an encryption-key "
		    "certificate issued by the project CA to %s", c->caller);
	rc = store_put_key(s, c->caller, cert->data, cert->len, &duplicate,
	    &c->err);
	return acknowledge(c, rc, duplicate);
}

static int
do_get_keys(struct call *c)
{
	const Securesum__GetKeysRequest *m = c->req.pb->get_keys;
	Securesum__GetKeysResponse *body = &c->body.get_keys;
	Securesum__PartyKey *items, **ptrs;
	const struct key_entry *e;
	size_t i, k = 0;

	if (m->n_parties > c->srv->store->lim.max_parties)
		return ss_error_set(&c->err, SS_ERR_INVALID, "at most %u parties "
		    "per call", c->srv->store->lim.max_parties);
	items = scratch_alloc(&c->sc, m->n_parties, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(&c->sc, m->n_parties, sizeof(*ptrs));
	if (items == NULL || ptrs == NULL)
		return out_of_memory(c);
	for (i = 0; i < m->n_parties; i++) {
		if (check_name("every party", m->parties[i], &c->err) != SS_OK)
			return c->err.code;
		if ((e = store_get_key(c->srv->store, m->parties[i])) == NULL)
			continue;
		securesum__party_key__init(&items[k]);
		items[k].party = (char *)e->name;
		items[k].certificate.data = e->der;
		items[k].certificate.len = e->der_len;
		ptrs[k] = &items[k];
		k++;
	}
	body->n_keys = k;
	body->keys = ptrs;
	c->resp.get_keys = body;
	return SS_OK;
}

/* ---- dispatch -------------------------------------------------------- */

/*
 * The body of a request, and of its response, is the field numbered
 * method + BODY_BASE (proto/securesum.proto): create_session = 10 ...
 */
#define BODY_BASE 9
_Static_assert(SECURESUM__REQUEST__BODY_CREATE_SESSION ==
    SECURESUM__METHOD__CREATE_SESSION + BODY_BASE &&
    SECURESUM__REQUEST__BODY_GET_KEYS ==
    SECURESUM__METHOD__GET_KEYS + BODY_BASE &&
    SECURESUM__RESPONSE__BODY_CREATE_SESSION ==
    SECURESUM__METHOD__CREATE_SESSION + BODY_BASE &&
    SECURESUM__RESPONSE__BODY_GET_KEYS ==
    SECURESUM__METHOD__GET_KEYS + BODY_BASE, "body field numbers");

/* Each method's handler. */
static int (*const methods[])(struct call *c) = {
	[SECURESUM__METHOD__CREATE_SESSION] = do_create,
	[SECURESUM__METHOD__SUBMIT_SHARES] = do_submit,
	[SECURESUM__METHOD__GET_SHARE] = do_get_share,
	[SECURESUM__METHOD__POST_SUMPOINT] = do_post,
	[SECURESUM__METHOD__LIST_SUMPOINTS] = do_list,
	[SECURESUM__METHOD__GET_STATUS] = do_status,
	[SECURESUM__METHOD__PUBLISH_KEY] = do_publish,
	[SECURESUM__METHOD__GET_KEYS] = do_get_keys,
};

#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/*
 * Whether the request has a method it carries the body of; if not, e says
 * why. A negative method is no unknown number but a body that matches none
 * (docs/PROTOCOL.md).
 */
static int
method_check(const struct decoded_request *r, struct ss_error *e)
{
	if (r->method == SECURESUM__METHOD__METHOD_UNSPECIFIED ||
	    (r->method > 0 && (size_t)r->method >= NMETHODS))
		return ss_error_set(e, SS_ERR_INVALID, "unknown method %d",
		    r->method);
	if (r->method < 0 || methods[r->method] == NULL ||
	    r->body_case != r->method + BODY_BASE)
		return ss_error_set(e, SS_ERR_INVALID, "the request body does "
		    "not match method %d", r->method);
	return SS_OK;
}

/*
 * The response's body, of the request's method, initialised; the handler
 * fills it in and points the response at it.
 */
static int
open_body(struct call *c)
{
	const ProtobufCFieldDescriptor *f;
	const ProtobufCMessageDescriptor *m;

	f = protobuf_c_message_descriptor_get_field(
	    &securesum__response__descriptor, (unsigned)(c->req.method +
	    BODY_BASE));
	if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE ||
	    (m = f->descriptor) == NULL || m->sizeof_message > sizeof(c->body))
		return ss_error_set(&c->err, SS_ERR_INTERNAL, "no response "
		    "body for method %d", c->req.method);
	protobuf_c_message_init(m, &c->body);
	c->resp.body_case = (Securesum__Response__BodyCase)f->id;
	return SS_OK;
}

/* Whether the request's deadline has passed; if not, the store's clock moves on. */
static int
check_deadline(struct call *c)
{
	uint64_t now = c->srv->now_ms();

	if (c->req.deadline_unix_ms != 0 && now > c->req.deadline_unix_ms)
		return ss_error_set(&c->err, SS_ERR_TIMEOUT, "the request's deadline "
		    "passed before the server read it");
	store_tick(c->srv->store, now / 1000);
	return SS_OK;
}

static int
call_run(struct call *c)
{
	if (method_check(&c->req, &c->err) != SS_OK ||
	    check_deadline(c) != SS_OK || open_body(c) != SS_OK)
		return c->err.code;
	return methods[c->req.method](c);
}

/* ---- encoding -------------------------------------------------------- */

/*
 * Packs a response into out, handing the vectors it sends from the store --
 * GetShare's ciphertexts, ListSumpoints' values -- to held() instead of
 * copying them. protobuf-c appends a bytes field, and on a little-endian
 * host a packed fixed64 run, as one call with the field's own pointer; only
 * an append that is exactly the next such vector of the body goes to
 * held(), so nothing else (protobuf-c's own scratch, a name) can be taken
 * for store memory. Short ones are copied: a reference costs more than a
 * few bytes of copy.
 */
#define HELD_MIN_BYTES 4096

struct held_filter {
	ProtobufCBuffer base;
	ProtobufCBuffer *out;
	rpc_held_fn held;
	const Response *resp;
	size_t next;        /* the vector expected next */
};

/* The k-th store-held vector of the response; 0 past the last. */
static int
held_vector(const Response *resp, size_t k, const uint8_t **p, size_t *len)
{
	if (resp->body_case == SECURESUM__RESPONSE__BODY_GET_SHARE &&
	    k < resp->get_share->n_shares) {
		*p = resp->get_share->shares[k]->ciphertext.data;
		*len = resp->get_share->shares[k]->ciphertext.len;
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

static void
held_filter_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct held_filter *f = (struct held_filter *)b;
	const uint8_t *p;
	size_t n;

	if (held_vector(f->resp, f->next, &p, &n) && data == p && len == n) {
		f->next++;
		if (len >= HELD_MIN_BYTES) {
			f->held(f->out, len, data);
			return;
		}
	}
	f->out->append(f->out, len, data);
}

/* Gives the response its id, code and message, and packs it into out. */
static void
finish_response(struct call *c, ProtobufCBuffer *out, rpc_held_fn held)
{
	Response *resp = &c->resp;
	struct held_filter f = { { held_filter_append }, out, held, resp, 0 };

	resp->id = c->req.id;
	resp->code = (Securesum__Code)status_from_err(c->err.code);
	status_message_fit(c->err.msg);
	resp->message = c->err.msg;
	if (c->err.code != SS_OK)
		resp->body_case = SECURESUM__RESPONSE__BODY__NOT_SET;
	if (held != NULL && (resp->body_case == SECURESUM__RESPONSE__BODY_GET_SHARE ||
	    resp->body_case == SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS))
		write_response(resp, &f.base);
	else
		write_response(resp, out);
}

/* ---- entry points ----------------------------------------------------- */

/* bytes, len: the frame; frame: the same, when the store may keep it. */
static enum rpc_after
handle(struct rpc_server *srv, const char *caller, const uint8_t *bytes,
    size_t len, struct rpc_frame *frame, ProtobufCBuffer *out, rpc_held_fn held)
{
	struct call c;
	size_t i;

	memset(&c, 0, sizeof(c));
	if (decode_frame(&c.req, bytes, len, frame != NULL,
	    srv->store->lim.max_parties) != SS_OK) {
		rpc_write_error(0, ST_INVALID_ARGUMENT, "frame is not a valid "
		    "Request message; closing the connection", out);
		return RPC_CLOSE;
	}
	c.srv = srv;
	c.caller = caller;
	c.frame = frame;
	securesum__response__init(&c.resp);
	ss_error_clear(&c.err);
	(void)call_run(&c);   /* its outcome is c.err, which the response carries */
	finish_response(&c, out, held);
	for (i = 0; i < 4; i++)
		free(c.sc.p[i]);
	decoded_free(&c.req);
	return RPC_CONTINUE;
}

enum rpc_after
rpc_handle(struct rpc_server *srv, const char *caller, const uint8_t *frame,
    size_t len, ProtobufCBuffer *out, rpc_held_fn held)
{
	return handle(srv, caller, frame, len, NULL, out, held);
}

enum rpc_after
rpc_handle_frame(struct rpc_server *srv, const char *caller,
    struct rpc_frame *f, ProtobufCBuffer *out, rpc_held_fn held)
{
	return handle(srv, caller, f->p, f->len, f, out, held);
}
