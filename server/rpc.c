/*
 * rpc.c: decoding, checking and dispatching requests, and encoding their
 * responses. A frame is decoded once (decode_frame); its method picks
 * its handler from one table (methods[]); the handler answers from the
 * store into a response built for that call alone. Responses point into
 * the store's memory instead of copying shares and sumpoints; they are
 * packed straight into the connection's output buffer. What every handler
 * shares is rpc_call.c's; the version-2 cohort's methods are
 * signed_cohort.c's; packing the response is rpc_answer.c's.
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "rpc_call.h"
#include "server_info.h"
#include "signed_cohort.h"
#include "statements.h"
#include "lifecycle_rpc.h"
#include "err.h"
#include "frame.h"
#include "hpke.h"
#include "pki.h"
#include "rpc.h"
#include "rpc_answer.h"
#include "securesum.pb-c.h"
#include "request.h"
#include "request_view.h"

void
rpc_write_error(uint64_t id, int code, const char *msg, ProtobufCBuffer *out)
{
	Response resp = SECURESUM__RESPONSE__INIT;

	resp.id = id;
	resp.code = (Securesum__Code)code;
	resp.message = (char *)msg;
	rpc_answer_write(&resp, out);
}

/* ---- decoding --------------------------------------------------------- */

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
 * it, what it allocates metered (call_meter). SS_ERR_PROTOCOL: the frame
 * is not a Request at all; SS_ERR_EXHAUSTED: decoding it would take more
 * memory than the meter allows.
 */
static int SS_WUR
decode_frame(struct decoded_request *r, const uint8_t *frame, size_t len,
    int writable, size_t max_shares)
{
	memset(r, 0, sizeof(*r));
	call_meter_start(r, len, (uint32_t)max_shares);
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
	if (request_decode(&r->alloc, frame, len, &r->pb) != SS_OK) {
		r->pb = NULL;
		return r->meter.over ? SS_ERR_EXHAUSTED : SS_ERR_PROTOCOL;
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
		securesum__request__free_unpacked(r->pb, &r->alloc);
}

/* ---- CreateSession --------------------------------------------------- */

/* The version-2 parameters of m, when it has a nonce. */
static int
params_v2_from_msg(const Securesum__SessionParams *m, struct session_spec *p,
    struct ss_error *e)
{
	if (m->nonce.len == 0)
		return SS_OK;
	if (m->nonce.len != PARAMS_NONCE_LEN)
		return ss_error_set(e, SS_ERR_INVALID, "nonce must be %d bytes, "
		    "got %zu", PARAMS_NONCE_LEN, m->nonce.len);
	p->v2 = 1;
	memcpy(p->nonce, m->nonce.data, PARAMS_NONCE_LEN);
	return SS_OK;
}

static int
params_from_msg(struct call *c, const Securesum__SessionParams *m,
    struct session_spec *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (m == NULL)
		return ss_error_set(&c->err, SS_ERR_INVALID, "params missing");
	if (call_check_session(c, m->session_id) != SS_OK)
		return c->err.code;
	if (m->n_parties < 2 || m->n_parties > c->store->lim.max_parties)
		return ss_error_set(&c->err, m->n_parties < 2 ? SS_ERR_INVALID :
		    SS_ERR_EXHAUSTED, "a session needs 2 to %u parties, got %zu",
		    c->store->lim.max_parties, m->n_parties);
	for (i = 0; i < m->n_parties; i++)
		if (call_check_name(c, "every party", m->parties[i]) != SS_OK)
			return c->err.code;
	if (params_v2_from_msg(m, p, &c->err) != SS_OK)
		return c->err.code;
	if ((p->parties = calloc(m->n_parties, NAME_BUF)) == NULL)
		return call_out_of_memory(c);
	memcpy(p->id, m->session_id, strlen(m->session_id) + 1);
	for (i = 0; i < m->n_parties; i++)
		memcpy(p->parties[i], m->parties[i], strlen(m->parties[i]) + 1);
	p->n = (uint32_t)m->n_parties;
	p->threshold = m->threshold;
	p->length = m->length;
	p->decimals = m->decimals;
	p->deadline_seconds = m->deadline_seconds;
	p->min_cohort = m->min_cohort;
	p->deadline_unix = m->deadline_unix;
	return SS_OK;
}

static int
do_create(struct call *c)
{
	Securesum__CreateSessionResponse *body = &c->body.create;
	struct session_spec p;
	struct session *se;
	uint64_t deadline = 0;
	int created = 0, rc;

	if (params_from_msg(c, c->req.pb->create_session->params, &p) != SS_OK) {
		free(p.parties);
		return c->err.code;
	}
	rc = store_create(c->store, c->caller, &p, call_now(c), &created,
	    &deadline, &c->err);
	free(p.parties);
	if (rc != SS_OK)
		return rc;
	body->created = created;
	body->deadline_unix = deadline;
	if ((se = store_find(c->store, p.id)) != NULL && se->p.v2) {
		body->digest.data = se->digest;
		body->digest.len = sizeof(se->digest);
	}
	return SS_OK;
}

/* ---- SubmitShares ---------------------------------------------------- */

/*
 * A SubmitShares request, decoded by protobuf-c or read in place: names
 * whole (NUL-free), session_id and party still to be checked; the SUBMIT
 * statement, if it has one.
 */
struct submit_args {
	const char *session_id;
	const char *party;
	const struct submitted_share *shares;
	size_t n_shares;
	const struct statement_in *stmt;
};

/*
 * Checks the request's names, then hands the shares to the store; those
 * read in place lie in the frame, which the store may then keep.
 */
static int
submit(struct call *c, const struct submit_args *a, int in_frame)
{
	struct store *s = c->store;
	struct store_signed sg = { c->cert, a->stmt };
	uint8_t **keep = in_frame ? c->frame : NULL;
	int duplicate = 0, rc;
	size_t i;

	if (call_check_whole_session(c, a->session_id) != SS_OK ||
	    call_check_whole_name(c, "party", a->party) != SS_OK)
		return c->err.code;
	if (a->n_shares > s->lim.max_parties)
		return ss_error_set(&c->err, SS_ERR_INVALID, "%zu shares is more "
		    "than the %u parties a session may have", a->n_shares,
		    s->lim.max_parties);
	for (i = 0; i < a->n_shares; i++)
		if (call_check_whole_name(c, "recipient", a->shares[i].recipient)
		    != SS_OK)
			return c->err.code;
	rc = store_submit_signed(s, c->caller, a->session_id, a->party,
	    a->shares, a->n_shares, keep, keep != NULL ? c->frame_len : 0,
	    call_now(c), &sg, &duplicate, &c->err);
	return call_acknowledge(c, rc, duplicate);
}

/* A SubmitShares decoded by protobuf-c: its shares are protobuf-c's copies. */
static int
submit_decoded(struct call *c)
{
	const Securesum__SubmitSharesRequest *m = c->req.pb->submit_shares;
	struct submitted_share *v = NULL;
	struct statement_in in;
	struct submit_args a = { call_whole(m->session_id),
	    call_whole(m->party), NULL, m->n_shares,
	    call_statement_in(m->submit, &in) };
	size_t i;
	int rc;

	if (m->n_shares > 0 && m->n_shares <= c->store->lim.max_parties &&
	    (v = calloc(m->n_shares, sizeof(*v))) == NULL)
		return call_out_of_memory(c);
	for (i = 0; v != NULL && i < m->n_shares; i++) {
		v[i].recipient = call_whole(m->shares[i]->recipient);
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
	struct submit_args a = { v->session_id, v->party, v->shares,
	    v->n_shares, v->has_submit ? &v->submit : NULL };

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
	Securesum__Statement *stmts;
	struct session *se;
	uint32_t me, i, k = 0;

	if (call_check_session(c, m->session_id) != SS_OK ||
	    call_check_name(c, "party", m->party) != SS_OK)
		return c->err.code;
	if (store_get_share(c->store, c->caller, m->session_id, m->party,
	    call_now(c), &se, &me, &c->err) != SS_OK)
		return c->err.code;
	stmts = call_scratch(c, se->p.n, sizeof(*stmts));
	if (stmts == NULL || CALL_REPEATED(c, se->p.n, items, ptrs))
		return call_out_of_memory(c);
	for (i = 0; i < se->p.n; i++) {
		if (!se->in_cohort[i])
			continue;
		securesum__incoming_share__init(&items[k]);
		items[k].sender = se->p.parties[i];
		items[k].ciphertext.data = se->shares[i] + (size_t)me * se->ct_len;
		items[k].ciphertext.len = se->ct_len;
		items[k].submit = call_statement_msg(session_statement(se, i,
		    STATEMENT_SUBMIT, 0), &stmts[k]);
		ptrs[k] = &items[k];
		k++;
	}
	body->n_shares = k;
	body->shares = ptrs;
	c->held_se = se;
	return SS_OK;
}

/* ---- PostSumpoint ---------------------------------------------------- */

/* Checks the request's names, then hands the values to the store. */
static int
post(struct call *c, const char *session_id, const char *party,
    const uint64_t *values, size_t n, const struct statement_in *stmt,
    int in_frame)
{
	struct store_signed sg = { c->cert, stmt };
	int duplicate = 0, rc;

	if (call_check_whole_session(c, session_id) != SS_OK ||
	    call_check_whole_name(c, "party", party) != SS_OK)
		return c->err.code;
	rc = store_post_sumpoint_signed(c->store, c->caller, session_id,
	    party, values, n, in_frame ? c->frame : NULL, call_now(c), &sg,
	    &duplicate, &c->err);
	return call_acknowledge(c, rc, duplicate);
}

/*
 * Moves the values of a PostSumpoint read in place to the start of its
 * frame (malloc'd, so aligned for uint64_t), in host order: the frame may
 * then become the stored sumpoint.
 */
static const uint64_t *
values_to_frame_start(uint8_t *frame, const struct sumpoint_view *v)
{
	uint64_t *values = (uint64_t *)(void *)frame, x;
	size_t i;

	memmove(frame, v->values, v->n_values * 8);
	for (i = 0; i < v->n_values; i++) {
		memcpy(&x, frame + 8 * i, 8);
		values[i] = le64toh(x);
	}
	return values;
}

/*
 * The statement of a PostSumpoint read in place, copied out of the frame
 * before its values move to the start of it: into *out (scratch memory),
 * or NULL when it has none. Bounded first: the copy is not charged, and a
 * frame's worth of it would be.
 */
static int
statement_out_of_frame(struct call *c, const struct sumpoint_view *v,
    struct statement_in *out, const struct statement_in **stmt)
{
	uint8_t *p;

	*stmt = NULL;
	if (!v->has_statement)
		return SS_OK;
	if (statements_bounded(&v->statement, &c->err) != SS_OK)
		return c->err.code;
	if ((p = call_scratch(c, v->statement.len + v->statement.sig_len,
	    1)) == NULL)
		return call_out_of_memory(c);
	memcpy(p, v->statement.body, v->statement.len);
	memcpy(p + v->statement.len, v->statement.sig, v->statement.sig_len);
	out->body = p;
	out->len = v->statement.len;
	out->sig = p + v->statement.len;
	out->sig_len = v->statement.sig_len;
	*stmt = out;
	return SS_OK;
}

static int
do_post(struct call *c)
{
	const Securesum__PostSumpointRequest *m;
	const struct sumpoint_view *v = &c->req.sumpoint;
	const struct statement_in *stmt;
	struct statement_in in;

	/* Read in place only from a frame of its own (decode_frame). */
	if (c->req.form == FORM_SUMPOINT_VIEW) {
		if (statement_out_of_frame(c, v, &in, &stmt) != SS_OK)
			return c->err.code;
		return post(c, v->session_id, v->party,
		    values_to_frame_start(*c->frame, v), v->n_values, stmt, 1);
	}
	m = c->req.pb->post_sumpoint;
	return post(c, call_whole(m->session_id), call_whole(m->party),
	    m->values, m->n_values, call_statement_in(m->statement, &in), 0);
}

/* ---- ListSumpoints and GetStatus ------------------------------------- */

static int
do_list(struct call *c)
{
	Securesum__ListSumpointsResponse *body = &c->body.list;
	Securesum__Sumpoint *items, **ptrs;
	Securesum__Statement *stmts;
	struct session *se;
	char **names, **cohort;
	uint32_t i, k = 0, n_cohort = 0;

	if ((se = call_read_session(c, c->req.pb->list_sumpoints->session_id)) == NULL)
		return c->err.code;
	names = call_scratch(c, se->p.n, sizeof(*names));
	cohort = call_scratch(c, se->p.n, sizeof(*cohort));
	stmts = call_scratch(c, se->p.n, sizeof(*stmts));
	if (names == NULL || cohort == NULL || stmts == NULL ||
	    CALL_REPEATED(c, se->p.n, items, ptrs))
		return call_out_of_memory(c);
	call_params_to_msg(c, se, names);
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
		items[k].statement = call_statement_msg(session_statement(se, i,
		    STATEMENT_SUMPOINT, 0), &stmts[k]);
		ptrs[k] = &items[k];
		k++;
	}
	if (signed_cohort_list(c, se, &body->cohort_signatures,
	    &body->n_cohort_signatures) != SS_OK)
		return c->err.code;
	body->params = &c->params;
	body->n_cohort = n_cohort;
	body->cohort = cohort;
	body->n_sumpoints = k;
	body->sumpoints = ptrs;
	c->held_se = se;
	return SS_OK;
}

/*
 * Whether party i is a cohort member whose COHORT is in: GetStatus's
 * signers, and what a watch_until's watch_signers counts.
 */
static int
is_signer(const struct session *se, uint32_t i)
{
	const struct held_statement *h = session_statement(se, i,
	    STATEMENT_COHORT, 0);

	return se->in_cohort[i] && h != NULL && h->body != NULL;
}

/*
 * The second of party i's statements of type t, that conflicts with its
 * first (NULL: none): GetStatus's conflicts, and what watch_conflicts
 * counts.
 */
static const struct held_statement *
conflict_of(const struct session *se, uint32_t i, enum statement_type t)
{
	const struct held_statement *h = session_statement(se, i, t, 1);

	return h != NULL && h->body != NULL ? h : NULL;
}

/*
 * Who is in the cohort, has shared, has posted, is still awaited, and (in
 * version 2) has signed the cohort.
 */
static void
status_lists(const struct session *se, Securesum__GetStatusResponse *body,
    char **lists)
{
	uint32_t i, n = se->p.n;

	body->cohort = lists;
	body->shared = lists + n;
	body->posted = lists + 2 * (size_t)n;
	body->missing = lists + 3 * (size_t)n;
	body->signers = lists + 4 * (size_t)n;
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
		if (is_signer(se, i))
			body->signers[body->n_signers++] = name;
	}
}

/* The conflicts kept in a version-2 session: each party's, by type. */
static int
status_conflicts(struct call *c, const struct session *se,
    Securesum__GetStatusResponse *body)
{
	const size_t max = (size_t)se->p.n * SESSION_STATEMENT_TYPES;
	Securesum__Conflict *items, **ptrs;
	Securesum__Statement *stmts;
	enum statement_type t;
	uint32_t i;
	size_t k = 0;

	if (!se->p.v2)
		return SS_OK;
	stmts = call_scratch(c, 2 * max, sizeof(*stmts));
	if (stmts == NULL || CALL_REPEATED(c, max, items, ptrs))
		return call_out_of_memory(c);
	for (i = 0; i < se->p.n; i++)
		for (t = STATEMENT_SUBMIT; t <= STATEMENT_SUMPOINT; t++) {
			const struct held_statement *h = conflict_of(se, i, t);

			if (h == NULL)
				continue;
			securesum__conflict__init(&items[k]);
			items[k].party = se->p.parties[i];
			items[k].first = call_statement_msg(session_statement(
			    se, i, t, 0), &stmts[2 * k]);
			items[k].second = call_statement_msg(h, &stmts[2 * k + 1]);
			ptrs[k] = &items[k];
			k++;
		}
	body->conflicts = ptrs;
	body->n_conflicts = k;
	return SS_OK;
}

/* The version GetStatus reports for se (NULL: a session not created yet). */
static uint64_t
version_of(const struct call *c, const struct session *se)
{
	if (c->epoch == 0 || se == NULL)
		return 0;
	return (uint64_t)c->epoch << 32 | se->changes;
}

/*
 * How many of se's cohort signed it, posted, and conflicts it keeps, as
 * status_lists and status_conflicts list them: counted at the first watch
 * after a change, for all the watches the change wakes.
 */
static void
watch_tally(struct session *se)
{
	enum statement_type type;
	uint32_t i;

	if (se->tally_valid && se->tally_changes == se->changes)
		return;
	se->tally_signers = se->tally_posted = se->tally_conflicts = 0;
	for (i = 0; i < se->p.n; i++) {
		se->tally_signers += is_signer(se, i) != 0;
		se->tally_posted += se->sumpoints[i] != NULL;
		for (type = STATEMENT_SUBMIT; se->p.v2 &&
		    type <= STATEMENT_SUMPOINT; type++)
			se->tally_conflicts += conflict_of(se, i, type) != NULL;
	}
	se->tally_changes = se->changes;
	se->tally_valid = 1;
}

/*
 * Whether the session se is still short of what a watch_until waits for
 * (docs/PROTOCOL.md 7.6.1): a version of this boot epoch named, the phase
 * named, fewer signers and sumpoints than asked for (0: not asked) and the
 * conflicts the client saw. A version of another epoch is a restart, which
 * may have lost what the client saw: that is answered at once.
 */
static int
watch_short(const struct call *c, struct session *se)
{
	const Securesum__GetStatusRequest *m = c->req.pb->get_status;

	if (!m->watch_until || se == NULL ||
	    m->watch_version >> 32 != (uint64_t)c->epoch ||
	    (int)m->watch_phase != (int)se->phase)
		return 0;
	watch_tally(se);
	return (m->watch_signers == 0 || se->tally_signers < m->watch_signers) &&
	    (m->watch_posted == 0 || se->tally_posted < m->watch_posted) &&
	    se->tally_conflicts == m->watch_conflicts;
}

/*
 * Whether to hold this GetStatus rather than answer it (docs/PROTOCOL.md
 * 7.6): it asks to wait, the connection may hold it, and the version it
 * saw is the session's (se NULL: not created yet, version 0), or the
 * session is still short of what its watch_until waits for. The wait is
 * bounded by RPC_WATCH_MAX_MS and by the request's own deadline.
 */
static int
watch_holds(struct call *c, struct session *se)
{
	const Securesum__GetStatusRequest *m = c->req.pb->get_status;
	struct rpc_watch *w = c->watch;
	uint64_t ms = m->watch_ms, now;

	if (w == NULL || !w->may_hold || c->epoch == 0 || ms == 0 ||
	    (m->watch_version != version_of(c, se) && !watch_short(c, se)))
		return 0;
	if (ms > RPC_WATCH_MAX_MS)
		ms = RPC_WATCH_MAX_MS;
	if (c->req.deadline_unix_ms != 0) {
		now = c->now_ms();
		if (c->req.deadline_unix_ms <= now)
			return 0;
		if (c->req.deadline_unix_ms - now < ms)
			ms = c->req.deadline_unix_ms - now;
	}
	w->se = se;
	w->ms = (uint32_t)ms;
	/* call_read_session found the id well formed: its NAME fits. */
	if (se == NULL)
		snprintf(w->name, sizeof(w->name), "%s",
		    session_id_name(call_whole(m->session_id)));
	c->holding = 1;
	return 1;
}

static int
do_status(struct call *c)
{
	Securesum__GetStatusResponse *body = &c->body.status;
	struct session *se;
	char **names, **lists;

	if ((se = call_read_session(c, c->req.pb->get_status->session_id)) == NULL) {
		/* A session waited for before it is created. */
		if (c->err.code == SS_ERR_NOT_FOUND && watch_holds(c, NULL))
			ss_error_clear(&c->err);
		return c->err.code;
	}
	if (watch_holds(c, se))
		return SS_OK;
	names = call_scratch(c, se->p.n, sizeof(*names));
	lists = call_scratch(c, (size_t)se->p.n * 5, sizeof(*lists));
	if (names == NULL || lists == NULL)
		return call_out_of_memory(c);
	call_params_to_msg(c, se, names);
	status_lists(se, body, lists);
	if (status_conflicts(c, se, body) != SS_OK)
		return c->err.code;
	body->params = &c->params;
	body->phase = (Securesum__Phase)se->phase;
	body->deadline_unix = se->deadline_unix;
	body->version = version_of(c, se);
	if (se->p.v2) {
		body->digest.data = se->digest;
		body->digest.len = sizeof(se->digest);
	}
	/* A failed session's reason travels as the message of an OK answer. */
	if (se->phase == PHASE_FAILED)
		ss_error_set(&c->err, SS_OK, "%s", se->fail_reason);
	return SS_OK;
}

/* ---- key directory --------------------------------------------------- */

/*
 * The DER of the caller's TLS certificate, which signs its statements
 * (malloc'd into *der; NULL when no certificate is known).
 */
static int
caller_cert_der(struct call *c, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if (c->cert == NULL)
		return SS_OK;
	if ((n = i2d_X509(c->cert, &p)) <= 0 || p == NULL)
		return ss_error_set(&c->err, SS_ERR_INTERNAL, "cannot encode "
		    "the caller's certificate");
	*der = p;
	*len = (size_t)n;
	return SS_OK;
}

static int
do_publish(struct call *c)
{
	const ProtobufCBinaryData *cert = &c->req.pb->publish_key->certificate;
	struct store *s = c->store;
	uint8_t pk[HPKE_KEY_LEN], *sign;
	size_t sign_len;
	int duplicate = 0, rc;

	if (cert->len == 0 || cert->len > s->lim.max_cert_bytes)
		return ss_error_set(&c->err, SS_ERR_INVALID, "certificate must be "
		    "1 to %u bytes of DER", s->lim.max_cert_bytes);
	if (pki_verify_enc_cert(c->ca, cert->data, cert->len, c->caller,
	    pk) != SS_OK)
		return ss_error_set(&c->err, SS_ERR_DENIED, "not an encryption-key "
		    "certificate issued by the project CA to %s", c->caller);
	if (caller_cert_der(c, &sign, &sign_len) != SS_OK)
		return c->err.code;
	rc = store_publish_key(s, c->caller, cert->data, cert->len, sign,
	    sign_len, &duplicate, &c->err);
	OPENSSL_free(sign);
	return call_acknowledge(c, rc, duplicate);
}

static int
do_get_keys(struct call *c)
{
	const Securesum__GetKeysRequest *m = c->req.pb->get_keys;
	Securesum__GetKeysResponse *body = &c->body.get_keys;
	Securesum__PartyKey *items, **ptrs;
	const struct key_entry *e;
	size_t i, k = 0;

	if (m->n_parties > c->store->lim.max_parties)
		return ss_error_set(&c->err, SS_ERR_INVALID, "at most %u parties "
		    "per call", c->store->lim.max_parties);
	if (CALL_REPEATED(c, m->n_parties, items, ptrs))
		return call_out_of_memory(c);
	for (i = 0; i < m->n_parties; i++) {
		if (call_check_name(c, "every party", m->parties[i]) != SS_OK)
			return c->err.code;
		if ((e = store_get_key(c->store, m->parties[i])) == NULL)
			continue;
		securesum__party_key__init(&items[k]);
		items[k].party = (char *)e->name;
		items[k].certificate.data = e->der;
		items[k].certificate.len = e->der_len;
		items[k].signing_certificate.data = e->sign_der;
		items[k].signing_certificate.len = e->sign_der != NULL ?
		    e->sign_len : 0;
		ptrs[k] = &items[k];
		k++;
	}
	body->n_keys = k;
	body->keys = ptrs;
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
    SECURESUM__REQUEST__BODY_GET_COHORT ==
    SECURESUM__METHOD__GET_COHORT + BODY_BASE &&
    SECURESUM__RESPONSE__BODY_CREATE_SESSION ==
    SECURESUM__METHOD__CREATE_SESSION + BODY_BASE &&
    SECURESUM__RESPONSE__BODY_GET_COHORT ==
    SECURESUM__METHOD__GET_COHORT + BODY_BASE &&
    SECURESUM__REQUEST__BODY_GET_SERVER_INFO ==
    SECURESUM__METHOD__GET_SERVER_INFO + BODY_BASE &&
    SECURESUM__RESPONSE__BODY_GET_SERVER_INFO ==
    SECURESUM__METHOD__GET_SERVER_INFO + BODY_BASE, "body field numbers");

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
	[SECURESUM__METHOD__POST_COHORT] = signed_cohort_post,
	[SECURESUM__METHOD__GET_COHORT] = signed_cohort_get,
	[SECURESUM__METHOD__DELETE_SESSION] = lifecycle_rpc_delete,
	[SECURESUM__METHOD__LIST_SESSIONS] = lifecycle_rpc_list,
	[SECURESUM__METHOD__GET_SERVER_INFO] = server_info_get,
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
	/* A number no handler serves (beyond the last) is unknown too. */
	if (r->method == SECURESUM__METHOD__METHOD_UNSPECIFIED ||
	    (r->method > 0 && ((size_t)r->method >= NMETHODS ||
	    methods[r->method] == NULL)))
		return ss_error_set(e, SS_ERR_INVALID, "unknown method %d",
		    r->method);
	if (r->method < 0 || r->body_case != r->method + BODY_BASE)
		return ss_error_set(e, SS_ERR_INVALID, "the request body does "
		    "not match method %d", r->method);
	return SS_OK;
}

/*
 * The response's body, of the request's method, initialised and pointed
 * at by the response; the handler fills it in. On an error the body is
 * not sent (rpc_answer_finish).
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
	/* The oneof's members share one pointer, at the field's offset. */
	*(void **)(void *)((char *)&c->resp + f->offset) = &c->body;
	return SS_OK;
}

/* Whether the request's deadline has passed; if not, the store's clock moves on. */
static int
check_deadline(struct call *c)
{
	uint64_t now = c->now_ms();

	if (c->req.deadline_unix_ms != 0 && now > c->req.deadline_unix_ms)
		return ss_error_set(&c->err, SS_ERR_TIMEOUT, "the request's deadline "
		    "passed before the server read it");
	store_tick(c->store, now / 1000);
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

/* ---- entry points ----------------------------------------------------- */

/* The session_id of a protobuf-c request's body (CreateSession's params' too), or NULL. */
static const char *
pb_session_id(const Request *pb)
{
	const ProtobufCFieldDescriptor *f, *sf;
	const ProtobufCMessage *body;

	if (pb->body_case == SECURESUM__REQUEST__BODY_CREATE_SESSION)
		return pb->create_session != NULL &&
		    pb->create_session->params != NULL ?
		    pb->create_session->params->session_id : NULL;
	f = protobuf_c_message_descriptor_get_field(&securesum__request__descriptor,
	    (unsigned)pb->body_case);
	if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	/* The oneof's members share one pointer, at the field's offset. */
	body = *(const ProtobufCMessage *const *)(const void *)
	    ((const char *)pb + f->offset);
	if (body == NULL || (sf = protobuf_c_message_descriptor_get_field_by_name(
	    body->descriptor, "session_id")) == NULL ||
	    sf->type != PROTOBUF_C_TYPE_STRING || sf->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return *(const char *const *)(const void *)((const char *)body + sf->offset);
}

/* Records what the call did in srv->last (a session only by a valid name). */
static void
note_outcome(struct rpc_server *srv, const struct call *c)
{
	struct rpc_outcome *o = &srv->last;
	const char *sid = NULL;

	o->method = c->req.method;
	o->code = (int)status_from_err(c->err.code);
	if (c->req.form == FORM_SUBMIT_VIEW)
		sid = c->req.submit.session_id;
	else if (c->req.form == FORM_SUMPOINT_VIEW)
		sid = c->req.sumpoint.session_id;
	else if (c->req.pb != NULL)
		sid = pb_session_id(c->req.pb);
	if (sid == NULL || !session_id_valid(sid))
		sid = "";
	snprintf(o->session, sizeof(o->session), "%s", sid);
}

/*
 * The answer to a frame decode_frame refused (rc), which closes the
 * connection: the request's id is unknown, so it is answered as id 0.
 */
static enum rpc_after
undecodable(struct rpc_server *srv, const struct decoded_request *r,
    size_t len, int rc, ProtobufCBuffer *out)
{
	int code = rc == SS_ERR_EXHAUSTED ? ST_RESOURCE_EXHAUSTED :
	    ST_INVALID_ARGUMENT;
	char msg[200];

	if (rc == SS_ERR_EXHAUSTED && r->meter.over == CALL_METER_CAP)
		snprintf(msg, sizeof(msg), "decoding this request of %zu bytes "
		    "would take more than the %llu bytes of memory any request "
		    "may (too many elements); closing the connection", len,
		    (unsigned long long)r->meter.cap);
	else if (rc == SS_ERR_EXHAUSTED)
		snprintf(msg, sizeof(msg), "out of memory decoding this request "
		    "of %zu bytes; closing the connection", len);
	else
		snprintf(msg, sizeof(msg), "frame is not a valid Request "
		    "message; closing the connection");
	rpc_write_error(0, code, msg, out);
	memset(&srv->last, 0, sizeof(srv->last));
	srv->last.code = code;
	return RPC_CLOSE;
}

enum rpc_after
rpc_handle_watch(struct rpc_server *srv, const char *caller, X509 *cert,
    const uint8_t *bytes, size_t len, struct rpc_frame *frame,
    ProtobufCBuffer *out, rpc_held_fn held, struct rpc_watch *w)
{
	struct call c;
	int refused = 0, rc;

	memset(&c, 0, sizeof(c));
	if (frame != NULL) {
		bytes = frame->p;
		len = frame->len;
	}
	if ((rc = decode_frame(&c.req, bytes, len, frame != NULL,
	    srv->store->lim.max_parties)) != SS_OK)
		return undecodable(srv, &c.req, len, rc, out);
	c.store = srv->store;
	c.ca = srv->ca;
	c.now_ms = srv->now_ms;
	c.info = &srv->info;
	c.monitors = srv->monitors;
	c.caller = caller;
	c.cert = cert;
	c.watch = w;
	c.epoch = srv->epoch;
	if (frame != NULL) {
		c.frame = &frame->p;
		c.frame_len = frame->len;
	}
	securesum__response__init(&c.resp);
	ss_error_clear(&c.err);
	(void)call_run(&c);   /* its outcome is c.err, which the response carries */
	if (!c.holding)
		rpc_answer_finish(&c, out, held, &refused);
	note_outcome(srv, &c);
	srv->last.refused_memory = refused;
	call_scratch_free(&c);
	decoded_free(&c.req);
	return c.holding ? RPC_WATCH : RPC_CONTINUE;
}

enum rpc_after
rpc_handle_as(struct rpc_server *srv, const char *caller, X509 *cert,
    const uint8_t *bytes, size_t len, struct rpc_frame *frame,
    ProtobufCBuffer *out, rpc_held_fn held)
{
	return rpc_handle_watch(srv, caller, cert, bytes, len, frame, out,
	    held, NULL);
}

enum rpc_after
rpc_handle(struct rpc_server *srv, const char *caller, const uint8_t *frame,
    size_t len, ProtobufCBuffer *out, rpc_held_fn held)
{
	return rpc_handle_as(srv, caller, NULL, frame, len, NULL, out, held);
}

enum rpc_after
rpc_handle_frame(struct rpc_server *srv, const char *caller,
    struct rpc_frame *f, ProtobufCBuffer *out, rpc_held_fn held)
{
	return rpc_handle_as(srv, caller, NULL, NULL, 0, f, out, held);
}
