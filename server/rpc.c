/*
 * rpc.c: decoding, checking and dispatching requests, and encoding their
 * responses. Responses point into the store's memory instead of copying
 * shares and sumpoints; they are packed straight into the connection's
 * output buffer.
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
static enum status_code
check_whole_name(const char *what, const char *v, struct status *st)
{
	if (!name_valid(v))
		return status_set(st, ST_INVALID_ARGUMENT, "%s must be 1-64 characters "
		    "of A-Z a-z 0-9 . _ - and not start with . or -", what);
	return ST_OK;
}

/* A decoded string, or "" (never a valid name) if it was cut short by a NUL. */
static const char *
whole_or_empty(const char *v)
{
	return v != NULL && string_whole(v) ? v : "";
}

/* Checks that a decoded request string is a valid name; protobuf-c gives "" for unset. */
static enum status_code
check_name(const char *what, const char *v, struct status *st)
{
	return check_whole_name(what, whole_or_empty(v), st);
}

/* ---- CreateSession --------------------------------------------------- */

static enum status_code
params_from_msg(const struct store *s, const Securesum__SessionParams *m,
    struct session_params *p, struct status *st)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (m == NULL)
		return status_set(st, ST_INVALID_ARGUMENT, "params missing");
	if (check_name("session_id", m->session_id, st) != ST_OK)
		return st->code;
	if (m->n_parties < 2 || m->n_parties > s->lim.max_parties)
		return status_set(st, m->n_parties < 2 ? ST_INVALID_ARGUMENT :
		    ST_RESOURCE_EXHAUSTED, "a session needs 2 to %u parties, got %zu",
		    s->lim.max_parties, m->n_parties);
	for (i = 0; i < m->n_parties; i++)
		if (check_name("every party", m->parties[i], st) != ST_OK)
			return st->code;
	if ((p->parties = calloc(m->n_parties, NAME_BUF)) == NULL)
		return status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
	memcpy(p->id, m->session_id, strlen(m->session_id) + 1);
	for (i = 0; i < m->n_parties; i++)
		memcpy(p->parties[i], m->parties[i], strlen(m->parties[i]) + 1);
	p->n = (uint32_t)m->n_parties;
	p->threshold = m->threshold;
	p->length = m->length;
	p->decimals = m->decimals;
	p->deadline_seconds = m->deadline_seconds;
	return ST_OK;
}

static void
params_to_msg(const struct session *se, Securesum__SessionParams *m, char **names)
{
	uint32_t i;

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

static void
do_create(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st)
{
	static Securesum__CreateSessionResponse body;
	struct session_params p;
	int created = 0;
	uint64_t deadline = 0;

	securesum__create_session_response__init(&body);
	if (params_from_msg(srv->store, req->create_session->params, &p, st) == ST_OK &&
	    store_create(srv->store, caller, &p, srv->now_ms() / 1000, &created,
	    &deadline, st) == ST_OK) {
		body.created = created;
		body.deadline_unix = deadline;
		resp->body_case = SECURESUM__RESPONSE__BODY_CREATE_SESSION;
		resp->create_session = &body;
	}
	free(p.parties);
}

/* ---- SubmitShares ---------------------------------------------------- */

/*
 * A SubmitShares request, decoded by protobuf-c or read in place: names
 * whole (NUL-free), session_id and party still to be checked. frame, when
 * not NULL, is the malloc'd frame the shares lie in, which the store may keep.
 */
struct submit_args {
	const char *session_id;
	const char *party;
	const struct submitted_share *shares;
	size_t n_shares;
	uint8_t **frame;
	size_t frame_len;
};

static void
submit(struct rpc_server *srv, const char *caller, const struct submit_args *a,
    Response *resp, struct status *st)
{
	static Securesum__SubmitSharesResponse body;
	int duplicate = 0;
	size_t i;

	securesum__submit_shares_response__init(&body);
	if (check_whole_name("session_id", a->session_id, st) != ST_OK ||
	    check_whole_name("party", a->party, st) != ST_OK)
		return;
	if (a->n_shares > srv->store->lim.max_parties) {
		status_set(st, ST_INVALID_ARGUMENT, "%zu shares is more than the "
		    "%u parties a session may have", a->n_shares,
		    srv->store->lim.max_parties);
		return;
	}
	for (i = 0; i < a->n_shares; i++)
		if (check_whole_name("recipient", a->shares[i].recipient, st) != ST_OK)
			return;
	if (store_submit_in_place(srv->store, caller, a->session_id, a->party,
	    a->shares, a->n_shares, a->frame, a->frame_len,
	    srv->now_ms() / 1000, &duplicate, st) == ST_OK) {
		body.duplicate = duplicate;
		resp->body_case = SECURESUM__RESPONSE__BODY_SUBMIT_SHARES;
		resp->submit_shares = &body;
	}
}

static void
do_submit(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st)
{
	const Securesum__SubmitSharesRequest *m = req->submit_shares;
	struct submitted_share *v = NULL;
	struct submit_args a = { whole_or_empty(m->session_id),
	    whole_or_empty(m->party), NULL, 0, NULL, 0 };
	size_t i;

	if (m->n_shares > 0 && m->n_shares <= srv->store->lim.max_parties &&
	    (v = calloc(m->n_shares, sizeof(*v))) == NULL) {
		status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	for (i = 0; v != NULL && i < m->n_shares; i++) {
		v[i].recipient = whole_or_empty(m->shares[i]->recipient);
		v[i].ct = m->shares[i]->ciphertext.data;
		v[i].ct_len = m->shares[i]->ciphertext.len;
	}
	a.shares = v;
	a.n_shares = m->n_shares;
	submit(srv, caller, &a, resp, st);
	free(v);
}

/* ---- GetShare -------------------------------------------------------- */

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

static void
do_get_share(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st, struct scratch *sc)
{
	static Securesum__GetShareResponse body;
	const Securesum__GetShareRequest *m = req->get_share;
	Securesum__IncomingShare *items, **ptrs;
	struct session *se;
	uint32_t me, i, k = 0;

	securesum__get_share_response__init(&body);
	if (check_name("session_id", m->session_id, st) != ST_OK ||
	    check_name("party", m->party, st) != ST_OK)
		return;
	if (store_get_share(srv->store, caller, m->session_id, m->party,
	    srv->now_ms() / 1000, &se, &me, st) != ST_OK)
		return;
	items = scratch_alloc(sc, se->p.n, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(sc, se->p.n, sizeof(*ptrs));
	if (items == NULL || ptrs == NULL) {
		status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
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
	body.n_shares = k;
	body.shares = ptrs;
	resp->body_case = SECURESUM__RESPONSE__BODY_GET_SHARE;
	resp->get_share = &body;
}

/* ---- PostSumpoint ---------------------------------------------------- */

static void
post(struct rpc_server *srv, const char *caller, const char *session_id,
    const char *party, const uint64_t *values, size_t n, uint8_t **frame,
    Response *resp, struct status *st)
{
	static Securesum__PostSumpointResponse body;
	int duplicate = 0;

	securesum__post_sumpoint_response__init(&body);
	if (check_whole_name("session_id", session_id, st) != ST_OK ||
	    check_whole_name("party", party, st) != ST_OK)
		return;
	if (store_post_sumpoint_in_place(srv->store, caller, session_id, party,
	    values, n, frame, srv->now_ms() / 1000, &duplicate, st) == ST_OK) {
		body.duplicate = duplicate;
		resp->body_case = SECURESUM__RESPONSE__BODY_POST_SUMPOINT;
		resp->post_sumpoint = &body;
	}
}

static void
do_post(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st)
{
	const Securesum__PostSumpointRequest *m = req->post_sumpoint;

	post(srv, caller, whole_or_empty(m->session_id), whole_or_empty(m->party),
	    m->values, m->n_values, NULL, resp, st);
}

/* ---- ListSumpoints and GetStatus ------------------------------------- */

static void
do_list(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st, struct scratch *sc)
{
	static Securesum__ListSumpointsResponse body;
	static Securesum__SessionParams params;
	Securesum__Sumpoint *items, **ptrs;
	struct session *se;
	char **names, **cohort;
	uint32_t i, k = 0, c = 0;

	securesum__list_sumpoints_response__init(&body);
	securesum__session_params__init(&params);
	if (check_name("session_id", req->list_sumpoints->session_id, st) != ST_OK ||
	    store_read(srv->store, caller, req->list_sumpoints->session_id,
	    srv->now_ms() / 1000, &se, st) != ST_OK)
		return;
	names = scratch_alloc(sc, se->p.n, sizeof(*names));
	cohort = scratch_alloc(sc, se->p.n, sizeof(*cohort));
	items = scratch_alloc(sc, se->p.n, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(sc, se->p.n, sizeof(*ptrs));
	if (names == NULL || cohort == NULL || items == NULL || ptrs == NULL) {
		status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	params_to_msg(se, &params, names);
	for (i = 0; i < se->p.n; i++) {
		if (se->in_cohort[i])
			cohort[c++] = se->p.parties[i];
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
	body.params = &params;
	body.n_cohort = c;
	body.cohort = cohort;
	body.n_sumpoints = k;
	body.sumpoints = ptrs;
	resp->body_case = SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS;
	resp->list_sumpoints = &body;
}

static void
do_status(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st, struct scratch *sc)
{
	static Securesum__GetStatusResponse body;
	static Securesum__SessionParams params;
	struct session *se;
	char **names, **lists;
	size_t n_cohort = 0, n_shared = 0, n_posted = 0, n_missing = 0;
	uint32_t i, n;

	securesum__get_status_response__init(&body);
	securesum__session_params__init(&params);
	if (check_name("session_id", req->get_status->session_id, st) != ST_OK ||
	    store_read(srv->store, caller, req->get_status->session_id,
	    srv->now_ms() / 1000, &se, st) != ST_OK)
		return;
	n = se->p.n;
	names = scratch_alloc(sc, n, sizeof(*names));
	lists = scratch_alloc(sc, (size_t)n * 4, sizeof(*lists));
	if (names == NULL || lists == NULL) {
		status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	params_to_msg(se, &params, names);
	body.cohort = lists;
	body.shared = lists + n;
	body.posted = lists + 2 * (size_t)n;
	body.missing = lists + 3 * (size_t)n;
	for (i = 0; i < n; i++) {
		char *name = se->p.parties[i];

		if (se->in_cohort[i])
			body.cohort[n_cohort++] = name;
		if (se->shares[i] != NULL)
			body.shared[n_shared++] = name;
		if (se->sumpoints[i] != NULL)
			body.posted[n_posted++] = name;
		if ((se->phase == PHASE_SHARING && se->shares[i] == NULL) ||
		    (se->phase == PHASE_AGGREGATING && se->in_cohort[i] &&
		    se->sumpoints[i] == NULL))
			body.missing[n_missing++] = name;
	}
	body.n_cohort = n_cohort;
	body.n_shared = n_shared;
	body.n_posted = n_posted;
	body.n_missing = n_missing;
	body.params = &params;
	body.phase = (Securesum__Phase)se->phase;
	body.deadline_unix = se->deadline_unix;
	if (se->phase == PHASE_FAILED)
		status_set(st, ST_OK, "%s", se->fail_reason);
	resp->body_case = SECURESUM__RESPONSE__BODY_GET_STATUS;
	resp->get_status = &body;
}

/* ---- key directory --------------------------------------------------- */

static void
do_publish(struct rpc_server *srv, const char *caller, const Request *req,
    Response *resp, struct status *st)
{
	static Securesum__PublishKeyResponse body;
	const ProtobufCBinaryData *c = &req->publish_key->certificate;
	uint8_t pk[32];
	int duplicate = 0;

	securesum__publish_key_response__init(&body);
	if (c->len == 0 || c->len > srv->store->lim.max_cert_bytes) {
		status_set(st, ST_INVALID_ARGUMENT, "certificate must be 1 to %u "
		    "bytes of DER", srv->store->lim.max_cert_bytes);
		return;
	}
	if (pki_verify_enc_cert(srv->ca, c->data, c->len, caller, pk) != SS_OK) {
		status_set(st, ST_PERMISSION_DENIED, "not an encryption-key "
		    "certificate issued by the project CA to %s", caller);
		return;
	}
	if (store_put_key(srv->store, caller, c->data, c->len, &duplicate, st) == ST_OK) {
		body.duplicate = duplicate;
		resp->body_case = SECURESUM__RESPONSE__BODY_PUBLISH_KEY;
		resp->publish_key = &body;
	}
}

static void
do_get_keys(struct rpc_server *srv, const Request *req, Response *resp,
    struct status *st, struct scratch *sc)
{
	static Securesum__GetKeysResponse body;
	const Securesum__GetKeysRequest *m = req->get_keys;
	Securesum__PartyKey *items, **ptrs;
	const struct key_entry *e;
	size_t i, k = 0;

	securesum__get_keys_response__init(&body);
	if (m->n_parties > srv->store->lim.max_parties) {
		status_set(st, ST_INVALID_ARGUMENT, "at most %u parties per call",
		    srv->store->lim.max_parties);
		return;
	}
	items = scratch_alloc(sc, m->n_parties, sizeof(*items));
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = scratch_alloc(sc, m->n_parties, sizeof(*ptrs));
	if (items == NULL || ptrs == NULL) {
		status_set(st, ST_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	for (i = 0; i < m->n_parties; i++) {
		if (check_name("every party", m->parties[i], st) != ST_OK)
			return;
		if ((e = store_get_key(srv->store, m->parties[i])) == NULL)
			continue;
		securesum__party_key__init(&items[k]);
		items[k].party = (char *)e->name;
		items[k].certificate.data = e->der;
		items[k].certificate.len = e->der_len;
		ptrs[k] = &items[k];
		k++;
	}
	body.n_keys = k;
	body.keys = ptrs;
	resp->body_case = SECURESUM__RESPONSE__BODY_GET_KEYS;
	resp->get_keys = &body;
}

/* ---- dispatch -------------------------------------------------------- */

/* The body case each method must carry. */
static int
body_matches(const Request *req)
{
	switch (req->method) {
	case SECURESUM__METHOD__CREATE_SESSION:
		return req->body_case == SECURESUM__REQUEST__BODY_CREATE_SESSION;
	case SECURESUM__METHOD__SUBMIT_SHARES:
		return req->body_case == SECURESUM__REQUEST__BODY_SUBMIT_SHARES;
	case SECURESUM__METHOD__GET_SHARE:
		return req->body_case == SECURESUM__REQUEST__BODY_GET_SHARE;
	case SECURESUM__METHOD__POST_SUMPOINT:
		return req->body_case == SECURESUM__REQUEST__BODY_POST_SUMPOINT;
	case SECURESUM__METHOD__LIST_SUMPOINTS:
		return req->body_case == SECURESUM__REQUEST__BODY_LIST_SUMPOINTS;
	case SECURESUM__METHOD__GET_STATUS:
		return req->body_case == SECURESUM__REQUEST__BODY_GET_STATUS;
	case SECURESUM__METHOD__PUBLISH_KEY:
		return req->body_case == SECURESUM__REQUEST__BODY_PUBLISH_KEY;
	case SECURESUM__METHOD__GET_KEYS:
		return req->body_case == SECURESUM__REQUEST__BODY_GET_KEYS;
	default:
		return 0;
	}
}

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

static void
finish_response(Response *resp, uint64_t id, const struct status *st,
    ProtobufCBuffer *out, rpc_held_fn held)
{
	struct held_filter f = { { held_filter_append }, out, held, resp, 0 };

	resp->id = id;
	resp->code = (Securesum__Code)st->code;
	resp->message = (char *)st->msg;
	if (st->code != ST_OK)
		resp->body_case = SECURESUM__RESPONSE__BODY__NOT_SET;
	if (held != NULL && (resp->body_case == SECURESUM__RESPONSE__BODY_GET_SHARE ||
	    resp->body_case == SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS))
		write_response(resp, &f.base);
	else
		write_response(resp, out);
}

/* Whether the request's deadline has passed; if not, the store's clock moves on. */
static int
deadline_passed(struct rpc_server *srv, uint64_t deadline_unix_ms,
    struct status *st)
{
	uint64_t now = srv->now_ms();

	if (deadline_unix_ms != 0 && now > deadline_unix_ms) {
		status_set(st, ST_DEADLINE_EXCEEDED, "the request's deadline "
		    "passed before the server read it");
		return 1;
	}
	store_tick(srv->store, now / 1000);
	return 0;
}

/* A SubmitShares read in place (request_view.h): the frame may become the block. */
static void
handle_submit_view(struct rpc_server *srv, const char *caller,
    const struct submit_view *v, uint8_t **frame, size_t len,
    ProtobufCBuffer *out)
{
	Response resp = SECURESUM__RESPONSE__INIT;
	struct submit_args a = { v->session_id, v->party, v->shares, v->n_shares,
	    frame, len };
	struct status st;

	status_set(&st, ST_OK, "%s", "");
	if (!deadline_passed(srv, v->deadline_unix_ms, &st))
		submit(srv, caller, &a, &resp, &st);
	finish_response(&resp, v->id, &st, out, NULL);
}

/*
 * A PostSumpoint read in place: its values are moved to the start of the
 * frame (malloc'd, so aligned for uint64_t) and the frame may become the
 * stored sumpoint.
 */
static void
handle_sumpoint_view(struct rpc_server *srv, const char *caller,
    const struct sumpoint_view *v, uint8_t **frame, ProtobufCBuffer *out)
{
	Response resp = SECURESUM__RESPONSE__INIT;
	uint64_t *values = (uint64_t *)(void *)*frame, x;
	struct status st;
	size_t i;

	memmove(*frame, v->values, v->n_values * 8);
	for (i = 0; i < v->n_values; i++) {
		memcpy(&x, *frame + 8 * i, 8);
		values[i] = le64toh(x);
	}
	status_set(&st, ST_OK, "%s", "");
	if (!deadline_passed(srv, v->deadline_unix_ms, &st))
		post(srv, caller, v->session_id, v->party, values, v->n_values,
		    frame, &resp, &st);
	finish_response(&resp, v->id, &st, out, NULL);
}

static enum rpc_after
handle(struct rpc_server *srv, const char *caller, const uint8_t *frame,
    size_t len, uint8_t **owned, ProtobufCBuffer *out, rpc_held_fn held)
{
	Response resp = SECURESUM__RESPONSE__INIT;
	struct sumpoint_view sumpoint;
	struct submit_view view;
	struct scratch sc;
	struct status st;
	Request *req;
	size_t i;

	if (submit_view_read(&view, frame, len, srv->store->lim.max_parties) == SS_OK) {
		handle_submit_view(srv, caller, &view, owned, len, out);
		submit_view_free(&view);
		return RPC_CONTINUE;
	}
	/* Values are moved within the frame: only a frame of its own will do. */
	if (owned != NULL && sumpoint_view_read(&sumpoint, frame, len) == SS_OK) {
		handle_sumpoint_view(srv, caller, &sumpoint, owned, out);
		return RPC_CONTINUE;
	}
	memset(&sc, 0, sizeof(sc));
	if (request_decode(&sized_allocator, frame, len, &req) != SS_OK) {
		rpc_write_error(0, ST_INVALID_ARGUMENT, "frame is not a valid "
		    "Request message; closing the connection", out);
		return RPC_CLOSE;
	}
	status_set(&st, ST_OK, "%s", "");
	if (req->method == SECURESUM__METHOD__METHOD_UNSPECIFIED ||
	    (int)req->method > SECURESUM__METHOD__GET_KEYS)
		status_set(&st, ST_INVALID_ARGUMENT, "unknown method %d", (int)req->method);
	else if (!body_matches(req))
		status_set(&st, ST_INVALID_ARGUMENT, "the request body does not "
		    "match method %d", (int)req->method);
	else if (!deadline_passed(srv, req->deadline_unix_ms, &st)) {
		switch (req->method) {
		case SECURESUM__METHOD__CREATE_SESSION:
			do_create(srv, caller, req, &resp, &st); break;
		case SECURESUM__METHOD__SUBMIT_SHARES:
			do_submit(srv, caller, req, &resp, &st); break;
		case SECURESUM__METHOD__GET_SHARE:
			do_get_share(srv, caller, req, &resp, &st, &sc); break;
		case SECURESUM__METHOD__POST_SUMPOINT:
			do_post(srv, caller, req, &resp, &st); break;
		case SECURESUM__METHOD__LIST_SUMPOINTS:
			do_list(srv, caller, req, &resp, &st, &sc); break;
		case SECURESUM__METHOD__GET_STATUS:
			do_status(srv, caller, req, &resp, &st, &sc); break;
		case SECURESUM__METHOD__PUBLISH_KEY:
			do_publish(srv, caller, req, &resp, &st); break;
		case SECURESUM__METHOD__GET_KEYS:
			do_get_keys(srv, req, &resp, &st, &sc); break;
		default:
			break;
		}
	}
	finish_response(&resp, req->id, &st, out, held);
	for (i = 0; i < 4; i++)
		free(sc.p[i]);
	securesum__request__free_unpacked(req, &sized_allocator);
	return RPC_CONTINUE;
}

enum rpc_after
rpc_handle(struct rpc_server *srv, const char *caller, const uint8_t *frame,
    size_t len, ProtobufCBuffer *out, rpc_held_fn held)
{
	return handle(srv, caller, frame, len, NULL, out, held);
}

enum rpc_after
rpc_handle_buffer(struct rpc_server *srv, const char *caller, uint8_t **frame,
    size_t len, ProtobufCBuffer *out, rpc_held_fn held)
{
	return handle(srv, caller, *frame, len, frame, out, held);
}
