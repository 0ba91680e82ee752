/*
 * call.c: a command's exchanges with the server, and what an answer other
 * than OK means to the person running the command.
 */
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "name.h"
#include "output.h"
#include "params.h"
#include "claims.h"
#include "pin.h"
#include "retry.h"
#include "statement.h"
#include "status.h"
#include "trace.h"
#include "wire.h"

const struct wire_limits call_small_limits = {
	.max_items = CLIENT_MAX_PARTIES, .max_bytes = 0, .max_values = 0,
	/* GetStatus relays conflicts, which may be SUBMITs. */
	.max_statement = STATEMENT_LEN_MAX(CLIENT_MAX_PARTIES),
};

void
call_request(struct wire_request *req, int method, const char *session,
    const char *party)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->session_id = session;
	req->party = party;
}

int
call_exchange(struct client *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	int r;

	r = retry_call(&c->rpc, &c->conn, req, lim, resp, e);
	if (r == SS_OK)
		out_sanitize(resp->message);
	return r;
}

const char *
call_message(const struct wire_response *r, const char *dflt)
{
	return r->message[0] != '\0' ? r->message : dflt;
}

int
call_refused(const struct client *c, const struct wire_response *r,
    int method, const char *session, struct ss_error *e)
{
	const char *msg = call_message(r, "(no message)");
	int code = status_to_err(r->code);
	/* The key directory is not a session's: its refusals name no session. */
	int about_session = session != NULL && method != WIRE_GET_KEYS &&
	    method != WIRE_PUBLISH_KEY;

	if (about_session && r->code == ST_NOT_FOUND)
		return ss_error_set(e, code, "session %s does not exist",
		    session);
	/* The server's reason (who is not a party of what), said once. */
	if (about_session && r->code == ST_PERMISSION_DENIED)
		return ss_error_set(e, code, "permission denied in session %s: "
		    "%s (check --party %s and its certificate in --certs %s)",
		    session, r->message[0] != '\0' ? msg : "not a party of it",
		    c->party, c->certs != NULL ? c->certs : "DIR");
	return ss_error_set(e, code, "%s refused: %s: %s",
	    wire_method_name(method), status_name(r->code), msg);
}

int
call_get(struct client *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	int r;

	if ((r = call_exchange(c, req, lim, resp, e)) != SS_OK)
		return r;
	if (resp->code == ST_OK)
		return SS_OK;
	r = call_refused_phase(c, resp, req->method, req->session_id,
	    "not yet", e);
	wire_response_free(resp);
	return r;
}

int
call_refused_phase(const struct client *c, const struct wire_response *r,
    int method, const char *session, const char *dflt, struct ss_error *e)
{
	if (r->code == ST_FAILED_PRECONDITION)
		return ss_error_set(e, status_to_err(r->code), "%s refused: %s",
		    wire_method_name(method), call_message(r, dflt));
	return call_refused(c, r, method, session, e);
}

/*
 * The warning create gives its creator (cmd_create.c), given to every party
 * that acts on the session: one that joined by an invite code agreed to
 * parameters it could not read in the code.
 */
static void
warn_exposure(struct client *c, const struct wire_params *wp,
    const char *session)
{
	struct session_params p;

	memset(&p, 0, sizeof(p));
	p.t = wp->threshold;
	p.min_cohort = wp->min_cohort;
	if (params_exposes_one_input(&p))
		client_say(c, "mpc-client: warning: session %s: min_cohort - "
		    "threshold = 1: %u colluding parties in a cohort of %u "
		    "learn the one remaining honest input from the sum itself",
		    session, p.t, p.min_cohort);
}

/*
 * The session st describes is the one pinned (pin.h): D recomputed from
 * its parameters is the pinned D, into c->d. The parameters acted on are
 * said once, on stderr (client_say), with warn_exposure's warning.
 */
static int
pinned(struct client *c, const struct wire_response *st, const char *session,
    struct ss_error *e)
{
	char line[900];
	int r;

	if ((r = pin_check(c->pin, &st->params, session, c->d, e)) != SS_OK)
		return r;
	if (!c->pinned) {
		pin_describe(line, sizeof(line), &st->params, c->d);
		out_sanitize(line);
		client_say(c, "mpc-client: session %s: %s", session, line);
		warn_exposure(c, &st->params, session);
		c->pinned = 1;
	}
	return SS_OK;
}

/*
 * A bare NAME typed (in c->session) names the session the server resolved
 * it to, which the answer calls CREATOR/NAME: from now on c->session is
 * that, so that D is recomputed of it and later calls and lines name it.
 */
static void
take_canonical(struct client *c, const struct wire_response *st,
    const char *session)
{
	const char *id = st->params.session_id;

	if (session != c->session || !st->has_params ||
	    session_id_qualified(session) || !session_id_valid(id) ||
	    !session_id_qualified(id) ||
	    strcmp(session_id_name(id), session) != 0)
		return;
	memcpy(c->session, id, strlen(id) + 1);
}

/* Checks GetStatus answer st about session. */
static int
status_answer(struct client *c, const struct wire_response *st,
    const char *session, struct ss_error *e)
{
	int r;

	/* A failed session answers every call so, with its reason. */
	if (st->code == ST_FAILED_PRECONDITION)
		return ss_error_set(e, status_to_err(st->code), "session %s "
		    "failed: %s", session, call_message(st, "(no reason given)"));
	if (st->code != ST_OK)
		return call_refused(c, st, WIRE_GET_STATUS, session, e);
	take_canonical(c, st, session);
	if ((r = claims_check(st, session, c->party, e)) != SS_OK ||
	    (r = claims_check_status(st, session, e)) != SS_OK)
		return r;
	return c->pin != NULL ? pinned(c, st, session, e) : SS_OK;
}

/*
 * GetStatus of session, waiting up to watch_ms for a change (0: none), and
 * what its answer says of the watch. *waited: the ms the answer took.
 */
static int
status_call(struct client *c, const char *session, struct wire_response *st,
    uint32_t watch_ms, const struct call_until *until, uint64_t *waited,
    struct ss_error *e)
{
	struct wire_request req;
	uint64_t t0 = conn_now_ms();
	int same = strcmp(c->watch_session, session) == 0, r;

	call_request(&req, WIRE_GET_STATUS, session, NULL);
	req.watch_version = same ? c->watch_version : 0;
	req.watch_ms = watch_ms;
	if (until != NULL && same && watch_ms > 0) {
		req.watch_until = 1;
		req.watch_phase = until->phase;
		req.watch_signers = until->signers;
		req.watch_posted = until->posted;
		req.watch_conflicts = until->conflicts;
	}
	r = call_exchange(c, &req, &call_small_limits, st, e);
	*waited = conn_now_ms() - t0;
	if (r != SS_OK)
		return r;
	if ((r = status_answer(c, st, session, e)) != SS_OK) {
		wire_response_free(st);
		return r;
	}
	snprintf(c->watch_session, sizeof(c->watch_session), "%s", session);
	c->watch_version = st->version;
	c->watch_fallback = st->version == 0;
	return SS_OK;
}

int
call_status(struct client *c, const char *session, struct wire_response *st,
    struct ss_error *e)
{
	uint64_t waited;

	return status_call(c, session, st, 0, NULL, &waited, e);
}

/* How long a watch may ask for now: 0 when it cannot (time is short). */
static uint32_t
watch_ms(const struct client *c, uint64_t bound_ms)
{
	uint64_t now = conn_now_ms(), ms = bound_ms < CALL_WATCH_MS ?
	    bound_ms : CALL_WATCH_MS;
	uint64_t exchange = (uint64_t)c->rpc.exchange_ms;

	if (exchange <= CALL_WATCH_MARGIN_MS ||
	    now + CALL_WATCH_MARGIN_MS >= c->deadline)
		return 0;
	if (ms > exchange - CALL_WATCH_MARGIN_MS)
		ms = exchange - CALL_WATCH_MARGIN_MS;
	if (ms > c->deadline - now - CALL_WATCH_MARGIN_MS)
		ms = c->deadline - now - CALL_WATCH_MARGIN_MS;
	return (uint32_t)ms;
}

int
call_status_wait(struct client *c, const char *session,
    struct wire_response *st, uint64_t bound_ms, uint64_t *delay,
    struct ss_error *e)
{
	return call_status_until(c, session, st, bound_ms, delay, NULL, e);
}

int
call_status_until(struct client *c, const char *session,
    struct wire_response *st, uint64_t bound_ms, uint64_t *delay,
    const struct call_until *until, struct ss_error *e)
{
	uint32_t ms = watch_ms(c, bound_ms);
	uint64_t waited;
	int r;

	if (c->watch_fallback || ms == 0) {
		client_backoff(c, delay);
		ms = 0;
	}
	r = status_call(c, session, st, ms, until, &waited, e);
	/*
	 * A session not created yet that the server did not wait for: it
	 * does not watch (an older server), or time was short. Back off.
	 */
	if (r == SS_ERR_NOT_FOUND)
		c->watch_fallback = ms == 0 || waited < ms / 2;
	return r;
}

int
call_wait(struct client *c, uint64_t bound_ms, uint64_t *delay,
    struct ss_error *e)
{
	struct wire_response st;
	wire_sid session;
	int r;

	if (c->watch_session[0] == '\0') {
		client_backoff(c, delay);
		return SS_OK;
	}
	memcpy(session, c->watch_session, sizeof(session));
	if ((r = call_status_wait(c, session, &st, bound_ms, delay, e)) ==
	    SS_OK)
		wire_response_free(&st);
	return r;
}

/* The server's answer to our change req, as an error unless it is OK. */
static int
change_answer(const struct client *c, const struct wire_request *req,
    const struct wire_response *resp, struct ss_error *e)
{
	const char *session = req->session_id;
	int submit = req->method == WIRE_SUBMIT_SHARES;
	int code = status_to_err(resp->code);

	/*
	 * Our retries resend the same bytes, which the server calls a
	 * duplicate: this is another change, made before.
	 */
	if (resp->code == ST_ALREADY_EXISTS && submit)
		return ss_error_set(e, code, "%s already submitted other "
		    "shares for session %s; the first submission stands",
		    c->party, session);
	if (resp->code == ST_ALREADY_EXISTS && req->method == WIRE_POST_COHORT)
		return ss_error_set(e, code, "%s already signed a different "
		    "cohort for session %s", c->party, session);
	if (resp->code == ST_ALREADY_EXISTS)
		return ss_error_set(e, code, "%s already posted a different "
		    "sumpoint for session %s", c->party, session);
	if (resp->code == ST_FAILED_PRECONDITION && submit)
		return ss_error_set(e, code, "session %s no longer takes "
		    "shares: %s", session,
		    call_message(resp, "its sharing phase is over"));
	if (resp->code != ST_OK)
		return call_refused_phase(c, resp, req->method, session,
		    "wrong phase", e);
	return SS_OK;
}

int
call_change(struct client *c, struct wire_request *req, int *duplicate,
    struct ss_error *e)
{
	struct wire_response resp;
	int r;

	if ((r = call_exchange(c, req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if ((r = change_answer(c, req, &resp, e)) == SS_OK) {
		*duplicate = resp.duplicate;
		r = trace_request(c, req, e);
	}
	wire_response_free(&resp);
	return r;
}

/* The words of the report on a change: SubmitShares's, PostSumpoint's. */
static const struct change_words {
	const char *what, *done;
} change_words[] = {
	{ "shares", "submitted" },
	{ "sumpoint", "posted" },
};

void
call_report(struct client *c, const struct wire_request *req, int flags,
    int duplicate, const struct call_count *counts, size_t ncounts)
{
	const struct change_words *w =
	    &change_words[req->method == WIRE_POST_SUMPOINT];

	if (c->step_out != NULL)
		c->step_out(c->step_arg, req->session_id, w->what, w->done,
		    duplicate, (flags & STEP_AGAIN) != 0, counts, ncounts);
}

int
call_step(struct client *c, struct wire_request *req, int flags,
    const struct call_count *counts, size_t ncounts, struct ss_error *e)
{
	int duplicate = 0, r;

	if ((r = call_change(c, req, &duplicate, e)) == SS_OK)
		call_report(c, req, flags, duplicate, counts, ncounts);
	return r;
}

int
call_on_status(struct client *c, const char *session, call_step_fn step,
    struct ss_error *e)
{
	struct wire_response st;
	int r;

	if ((r = call_status(c, session, &st, e)) != SS_OK)
		return r;
	r = step(c, session, &st, e);
	wire_response_free(&st);
	return r;
}

int
call_session_failed(const struct wire_response *st, const char *session,
    struct ss_error *e)
{
	char who[512];

	out_join(who, sizeof(who), &st->shared, ",");
	/* The server says FAILED_PRECONDITION to a failed session's calls. */
	if (st->message[0] != '\0')
		return ss_error_set(e, SS_ERR_PRECONDITION, "session %s failed: "
		    "%s (shared: %s)", session, st->message, who);
	return ss_error_set(e, SS_ERR_PRECONDITION, "session %s failed: the "
	    "sharing deadline passed with fewer than %u parties' shares "
	    "(shared: %s)", session, st->params.nonce_len > 0 ?
	    st->params.min_cohort : st->params.threshold + 1, who);
}
