/*
 * securesum.c: the public API of libsecuresum (include/securesum.h): a
 * party's settings kept in an opaque handle, and each operation run by
 * its cmd_*.c over a struct client, which print nothing: warnings,
 * progress and steps go to the caller's callbacks, and the answers
 * (invite code, sum and verdict, status, server figures) into structs the
 * caller frees (the handle and its settings: securesum_settings.c). The
 * operations by invite code are those by pin, given a pin of that code. Only the functions of securesum.h are exported from
 * the shared library (SECURESUM_API; all else is hidden).
 */
#define SECURESUM_BUILDING 1

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "securesum.h"

#include "amount.h"
#include "api_copy.h"
#include "call.h"
#include "client.h"
#include "err.h"
#include "input.h"
#include "invite.h"
#include "keydir.h"
#include "name.h"
#include "pin.h"
#include "securesum_internal.h"
#include "status.h"
#include "trace.h"

_Static_assert(SECURESUM_INVITE_MAX >= INVITE_CODE_BUF,
    "SECURESUM_INVITE_MAX must hold an invite code");
_Static_assert(SECURESUM_NAME_MAX == NAME_BUF,
    "SECURESUM_NAME_MAX must be a name's buffer");
_Static_assert(SECURESUM_SESSION_MAX == SESSION_ID_BUF,
    "SECURESUM_SESSION_MAX must be a session id's buffer");
_Static_assert(SECURESUM_NONCE_LEN == PARAMS_NONCE_LEN,
    "SECURESUM_NONCE_LEN must be the nonce's length");

/* ---- one operation ------------------------------------------------------ */

/* What an operation needs beyond the client: SIGPIPE as it was. */
struct op {
	struct client c;
	struct sigaction old_pipe;
	int pipe_saved;
};

/* The client's lines, to the caller's callback (or nowhere). */
static void
say(void *arg, const char *line)
{
	const securesum *h = arg;

	if (h->log != NULL)
		h->log(h->log_arg, line);
}

/* A step of share, sumpoint or run, to the caller's step callback. */
static void
step(void *arg, const char *session, const char *what, const char *done,
    int duplicate, int again, const struct call_count *counts,
    size_t ncounts)
{
	const securesum *h = arg;
	struct securesum_count sc[4];
	struct securesum_step s;
	size_t i;

	for (i = 0; i < ncounts && i < sizeof(sc) / sizeof(sc[0]); i++) {
		sc[i].name = counts[i].name;
		sc[i].n = counts[i].n;
	}
	s = (struct securesum_step){ .session = session, .party = h->party,
	    .what = what, .done = done, .duplicate = duplicate,
	    .again = again, .counts = sc, .ncounts = i };
	h->step(h->step_arg, &s);
}

/* The client's progress, live, to the caller's progress callback. */
static void
live(void *arg, const char *line, unsigned pause_ms)
{
	const securesum *h = arg;

	h->progress(h->progress_arg, line, pause_ms);
}

/*
 * A client with h's settings, started: the clock, the trace file checked,
 * our encryption key published, as every mpc-client command does. A
 * server that goes away mid-write must be an error, not a signal that
 * kills the caller: SIGPIPE is ignored for the operation (as libcurl
 * does), unless the caller handles it already.
 */
static int
op_begin(securesum *h, struct op *o)
{
	struct client *c = &o->c;
	struct sigaction ign;
	int r;

	memset(o, 0, sizeof(*o));
	conn_init(&c->conn);
	ss_error_clear(&h->err);
	if (h->server == NULL || h->certs == NULL || h->party == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "the %s is not set: call securesum_set_server, _set_certs "
		    "and _set_party first",
		    h->server == NULL ? "server" : h->certs == NULL ?
		    "certificate folder" : "party");
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, NULL, &o->old_pipe) == 0 &&
	    o->old_pipe.sa_handler == SIG_DFL &&
	    sigaction(SIGPIPE, &ign, NULL) == 0)
		o->pipe_saved = 1;
	c->server = h->server;
	c->server_name = h->server_name;
	c->certs = h->certs;
	c->party = h->party;
	c->state = h->state;
	c->trace = h->trace;
	c->timeout_s = h->timeout_s;
	c->wait = h->wait;
	c->say = say;
	c->say_arg = h;
	client_start(c);
	if (h->step != NULL) {
		c->step_out = step;
		c->step_arg = h;
	}
	if (h->progress != NULL) {
		c->progress.live = live;
		c->progress.live_arg = h;
	}
	if ((r = trace_check(c, &h->err)) != SS_OK)
		return r;
	return keydir_announce(c, &h->err);
}

/* Ends the operation of result r: the client freed, SIGPIPE restored. */
static int
op_end(securesum *h, struct op *o, int r)
{
	client_free(&o->c);
	if (o->pipe_saved)
		(void)sigaction(SIGPIPE, &o->old_pipe, NULL);
	if (r != SS_OK && h->err.code == SS_OK)
		(void)ss_error_set(&h->err, r, "%s", ss_strerror(r));
	if (r == SS_OK)
		ss_error_clear(&h->err);
	OPENSSL_cleanse(o, sizeof(*o));
	return r;
}

/* The session's id: given, and a valid NAME or CREATOR/NAME. */
static int
check_session(securesum *h, const char *session)
{
	if (session == NULL || !session_id_valid(session))
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "invalid session id: NAME or CREATOR/NAME; %s",
		    CLIENT_NAME_RULE);
	return SS_OK;
}

/*
 * The session a command acts on, as typed: in o's client, where the first
 * status answered turns a bare NAME into the CREATOR/NAME the server
 * resolved it to (call.c), so that the command's calls and lines name it.
 */
static const char *
op_session(struct op *o, const char *session)
{
	snprintf(o->c.session, sizeof(o->c.session), "%s", session);
	return o->c.session;
}

/* The session and its invite code, checked, as a pin into *pin. */
static int
invite_pin(securesum *h, const char *session, const char *invite,
    struct securesum_pin *pin)
{
	int r;

	if ((r = check_session(h, session)) != SS_OK)
		return r;
	if (invite == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "session %.129s: no invite code given (create returns it)",
		    session);
	memset(pin, 0, sizeof(*pin));
	pin->invite = invite;
	return SS_OK;
}

/* The session and its pin, checked before any connection, into *pa. */
static int
check_pin(securesum *h, const char *session, const struct securesum_pin *pin,
    struct pin_args *pa)
{
	int r;

	if ((r = check_session(h, session)) != SS_OK)
		return r;
	return api_pin(pa, pin, session, &h->err);
}

int
securesum_create(securesum *h, const struct securesum_create_args *a,
    struct securesum_created *out)
{
	struct client_created made;
	struct create_args ca;
	struct op o;
	size_t i;
	int r;

	if (a == NULL || out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "create: %s is NULL", a == NULL ? "the arguments" : "out");
	memset(out, 0, sizeof(*out));
	memset(&ca, 0, sizeof(ca));
	ca.session = a->session;
	ca.parties = a->parties;
	ca.nparties = a->nparties;
	ca.threshold = a->threshold;
	ca.length = a->length != 0 ? a->length : 1;
	ca.decimals = a->decimals;
	ca.deadline = a->deadline_s;
	ca.min_cohort = a->min_cohort;
	ca.allow_unknown = a->allow_unknown;
	ca.nonce = a->nonce;
	if ((r = check_session(h, a->session)) != SS_OK)
		return r;
	if (a->parties == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "create: the "
		    "parties are NULL");
	if (h->party != NULL &&
	    (r = cmd_create_check(&ca, h->party, &h->err)) != SS_OK)
		return r;
	memset(&made, 0, sizeof(made));
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.created_out = &made;
		r = cmd_create(&o.c, &ca, &h->err);
	}
	if (r == SS_OK) {
		memcpy(out->invite, made.invite, sizeof(made.invite));
		out->created = made.created;
		out->min_cohort = made.min_cohort;
		out->deadline_unix = made.deadline;
		for (i = 0; i < sizeof(made.nonce); i++)
			snprintf(out->nonce + 2 * i, 3, "%02x", made.nonce[i]);
	}
	return op_end(h, &o, r);
}

/* share and run: values into the source of the input. */
static int
take_values(securesum *h, struct input_src *in, const int64_t *values,
    size_t n)
{
	memset(in, 0, sizeof(*in));
	if (values == NULL || n == 0)
		return ss_error_set(&h->err, SS_ERR_INVALID, "no values given");
	in->fixed = values;
	in->nfixed = n;
	return SS_OK;
}

/* share and run: an input as text into the source of the input. */
static int
take_input(securesum *h, struct input_src *src,
    const struct securesum_input *in)
{
	memset(src, 0, sizeof(*src));
	if (in == NULL || (in->path != NULL) == (in->ntexts > 0) ||
	    (in->ntexts > 0 && in->texts == NULL))
		return ss_error_set(&h->err, SS_ERR_INVALID, "give values or "
		    "--input FILE, not both and not neither");
	src->args = in->texts;
	src->nargs = in->ntexts;
	src->path = in->path;
	return SS_OK;
}

/* share of the input in (in NULL: sumpoint), the session pinned by pin. */
static int
share_in(securesum *h, const char *session, const struct securesum_pin *pin,
    const struct input_src *in, unsigned flags)
{
	struct pin_args pa;
	struct op o;
	int r;

	if ((r = check_pin(h, session, pin, &pa)) != SS_OK)
		return r;
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.pin = &pa;
		o.c.reuse_input = (flags & SECURESUM_REUSE_INPUT) != 0;
		r = in != NULL ?
		    cmd_share(&o.c, op_session(&o, session), in, &h->err) :
		    call_on_status(&o.c, op_session(&o, session), cmd_sumpoint,
		    &h->err);
	}
	return op_end(h, &o, r);
}

int
securesum_share_input(securesum *h, const char *session,
    const struct securesum_pin *pin, const struct securesum_input *in,
    unsigned flags)
{
	struct input_src src;
	int r;

	if ((r = take_input(h, &src, in)) != SS_OK)
		return r;
	return share_in(h, session, pin, &src, flags);
}

int
securesum_share_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags)
{
	struct input_src in;
	int r;

	if ((r = take_values(h, &in, values, n)) != SS_OK)
		return r;
	return share_in(h, session, pin, &in, flags);
}

int
securesum_share(securesum *h, const char *session, const char *invite,
    const int64_t *values, size_t n, unsigned flags)
{
	struct securesum_pin pin;
	int r;

	if ((r = invite_pin(h, session, invite, &pin)) != SS_OK)
		return r;
	return securesum_share_pinned(h, session, &pin, values, n, flags);
}

int
securesum_sumpoint_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin)
{
	return share_in(h, session, pin, NULL, 0);
}

int
securesum_sumpoint(securesum *h, const char *session, const char *invite)
{
	struct securesum_pin pin;
	int r;

	if ((r = invite_pin(h, session, invite, &pin)) != SS_OK)
		return r;
	return securesum_sumpoint_pinned(h, session, &pin);
}

/* ---- sums --------------------------------------------------------------- */

void
securesum_sum_free(struct securesum_sum *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->values != NULL)
		OPENSSL_cleanse(s->values, s->length * sizeof(*s->values));
	free(s->values);
	/* The strings are one block, text[0] its start (sum_text). */
	if (s->text != NULL && s->text[0] != NULL) {
		OPENSSL_cleanse(s->text[0], (size_t)(s->text[s->length - 1] -
		    s->text[0]) + strlen(s->text[s->length - 1]));
		free(s->text[0]);
	}
	free(s->text);
	for (i = 0; i < s->ncohort; i++)
		free(s->cohort[i]);
	free(s->cohort);
	free(s);
}

void
securesum_result_free(struct securesum_result *r)
{
	if (r == NULL)
		return;
	api_names_free_each((struct securesum_names *const []){ &r->parties,
	    &r->cohort, &r->on, &r->off, &r->suspect, &r->ignored,
	    &r->missing, NULL });
	securesum_sum_free(r->sum);
	api_conflicts_free(r->conflicts, r->nconflicts);
	free(r);
}

/*
 * The decimal strings of s's values, one block for all of them (text[0]
 * its start): a sum of 100,000 elements is 100,000 allocations fewer.
 * Formatted twice, once to size the block, since an element's text is
 * 1 to 22 bytes.
 */
static int
sum_text(securesum *h, struct securesum_sum *s)
{
	char num[48], *block = NULL;
	size_t k, len, size = 0, used = 0;
	int r = SS_OK;

	if (s->length == 0)
		return SS_OK;
	for (k = 0; k < s->length && r == SS_OK; k++)
		if ((r = amount_format(s->values[k], s->decimals, num,
		    sizeof(num))) == SS_OK)
			size += strlen(num) + 1;
	OPENSSL_cleanse(num, sizeof(num));
	if (r == SS_OK && (block = malloc(size)) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	for (k = 0; k < s->length && r == SS_OK; k++) {
		if ((r = amount_format(s->values[k], s->decimals, block + used,
		    size - used)) != SS_OK)
			break;
		len = strlen(block + used) + 1;
		s->text[k] = block + used;
		used += len;
	}
	if (r != SS_OK) {
		if (block != NULL)
			OPENSSL_cleanse(block, size);
		free(block);
		memset(s->text, 0, s->length * sizeof(*s->text));
		return ss_error_set(&h->err, SS_ERR_INTERNAL, "cannot format "
		    "the sum as text");
	}
	return SS_OK;
}

/* The sum cs into a new *out; cs's arrays move into it. */
static int
give_sum(securesum *h, struct client_sum *cs, struct securesum_sum **out)
{
	struct securesum_sum *s;
	int r;

	if (cs->values == NULL)
		return ss_error_set(&h->err, SS_ERR_INTERNAL, "no sum was kept");
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->text = calloc(cs->length + 1, sizeof(*s->text))) == NULL) {
		free(s);
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	}
	s->length = cs->length;
	s->decimals = cs->decimals;
	s->values = cs->values;
	s->cohort = cs->cohort;
	s->ncohort = cs->ncohort;
	s->verified = cs->verified;
	s->sumpoints = cs->posted;
	s->quorum = cs->quorum;
	s->nparties = cs->nparties;
	memset(cs, 0, sizeof(*cs));
	if ((r = sum_text(h, s)) != SS_OK) {
		securesum_sum_free(s);
		return r;
	}
	*out = s;
	return SS_OK;
}

/* result and run, once the client is pinned: the sum into *out. */
static int
op_sum(securesum *h, struct op *o, const char *session,
    const struct input_src *in, struct securesum_sum **out)
{
	struct client_sum cs;
	int r;

	memset(&cs, 0, sizeof(cs));
	o->c.sum_out = &cs;
	if (in != NULL)
		r = cmd_run(&o->c, op_session(o, session), in, &h->err);
	else
		r = call_on_status(&o->c, op_session(o, session), cmd_result,
		    &h->err);
	o->c.sum_out = NULL;
	if (r == SS_OK)
		r = give_sum(h, &cs, out);
	client_sum_free(&cs);
	return r;
}

/* result's verdict, kept into the struct securesum_result at arg. */
static int
keep_verdict(void *arg, const struct wire_params *p,
    const struct wire_names *cohort, const struct result_verdict *v,
    struct ss_error *e)
{
	return api_verdict_copy(arg, p, cohort, v, e);
}

/*
 * result and run, the session pinned by pin (in NULL for result): the sum
 * and its verdict into a new *out whenever the points were judged.
 */
static int
verdict_op(securesum *h, const char *session, const struct securesum_pin *pin,
    const struct input_src *in, unsigned flags,
    struct securesum_result **out)
{
	struct securesum_result *res;
	struct pin_args pa;
	struct op o;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	if ((r = check_pin(h, session, pin, &pa)) != SS_OK)
		return r;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.pin = &pa;
		o.c.reuse_input = (flags & SECURESUM_REUSE_INPUT) != 0;
		o.c.require_verified =
		    (flags & SECURESUM_REQUIRE_VERIFIED) != 0;
		o.c.verdict_out = keep_verdict;
		o.c.verdict_arg = res;
		r = op_sum(h, &o, session, in, &res->sum);
	}
	r = op_end(h, &o, r);
	if (res->decided)
		*out = res;
	else
		securesum_result_free(res);
	return r;
}

/* run: verdict_op, a server absent at first waited for. */
static int
run_in(securesum *h, const char *session, const struct securesum_pin *pin,
    const struct input_src *in, unsigned flags,
    struct securesum_result **out)
{
	int r, wait = h->wait;

	/* run waits for the others anyway: for the server too. */
	h->wait = 1;
	r = verdict_op(h, session, pin, in, flags, out);
	h->wait = wait;
	return r;
}

/* result and run by invite code: out and the code checked, into *pin. */
static int
invite_sum(securesum *h, const char *session, const char *invite,
    struct securesum_pin *pin, struct securesum_sum **out)
{
	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	return invite_pin(h, session, invite, pin);
}

/* The sum alone of the result res of r, into *out; res freed. */
static int
sum_only(securesum *h, int r, struct securesum_result *res,
    struct securesum_sum **out)
{
	if (r == SS_OK && res == NULL)
		return ss_error_set(&h->err, SS_ERR_INTERNAL, "no sum was kept");
	if (r == SS_OK) {
		*out = res->sum;
		res->sum = NULL;
	}
	securesum_result_free(res);
	return r;
}

int
securesum_result_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, unsigned flags,
    struct securesum_result **out)
{
	return verdict_op(h, session, pin, NULL, flags, out);
}

int
securesum_result(securesum *h, const char *session, const char *invite,
    unsigned flags, struct securesum_sum **out)
{
	struct securesum_result *res = NULL;
	struct securesum_pin pin;
	int r;

	if ((r = invite_sum(h, session, invite, &pin, out)) != SS_OK)
		return r;
	r = securesum_result_pinned(h, session, &pin, flags, &res);
	return sum_only(h, r, res, out);
}

int
securesum_run_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags, struct securesum_result **out)
{
	struct input_src in;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = take_values(h, &in, values, n)) != SS_OK)
		return r;
	return run_in(h, session, pin, &in, flags, out);
}

int
securesum_run_input(securesum *h, const char *session,
    const struct securesum_pin *pin, const struct securesum_input *in,
    unsigned flags, struct securesum_result **out)
{
	struct input_src src;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = take_input(h, &src, in)) != SS_OK)
		return r;
	return run_in(h, session, pin, &src, flags, out);
}

int
securesum_run(securesum *h, const char *session, const char *invite,
    const int64_t *values, size_t n, unsigned flags,
    struct securesum_sum **out)
{
	struct securesum_result *res = NULL;
	struct securesum_pin pin;
	int r;

	if ((r = invite_sum(h, session, invite, &pin, out)) != SS_OK)
		return r;
	r = securesum_run_pinned(h, session, &pin, values, n, flags, &res);
	return sum_only(h, r, res, out);
}

/* ---- status, delete ----------------------------------------------------- */

void
securesum_status_free(struct securesum_status *s)
{
	if (s == NULL)
		return;
	api_conflicts_free(s->conflicts, s->nconflicts);
	api_names_free_each((struct securesum_names *const []){ &s->signers,
	    &s->parties, &s->shared, &s->cohort, &s->posted, &s->missing,
	    &s->keys_missing, NULL });
	free(s);
}

/* cmd_status's answer, kept into the struct securesum_status at arg. */
static int
keep_status(void *arg, const char *session, const struct wire_response *st,
    const struct status_view *v, struct ss_error *e)
{
	struct securesum_status *s = arg;

	snprintf(s->session, sizeof(s->session), "%s", session);
	return api_status_copy(arg, st, v, e);
}

int
securesum_status(securesum *h, const char *session,
    struct securesum_status **out)
{
	struct securesum_status *s;
	struct op o;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	if ((r = check_session(h, session)) != SS_OK)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.status_out = keep_status;
		o.c.status_arg = s;
		r = call_on_status(&o.c, op_session(&o, session), cmd_status,
		    &h->err);
	}
	if (r == SS_OK)
		*out = s;
	else
		securesum_status_free(s);
	return op_end(h, &o, r);
}

int
securesum_delete(securesum *h, const char *session,
    struct securesum_deleted *out)
{
	struct client_deleted gone;
	struct op o;
	int r;

	if ((r = check_session(h, session)) != SS_OK)
		return r;
	memset(&gone, 0, sizeof(gone));
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.deleted_out = &gone;
		r = cmd_delete(&o.c, op_session(&o, session), &h->err);
	}
	if (r == SS_OK && out != NULL) {
		out->known = gone.known;
		out->released_bytes = gone.released_bytes;
		snprintf(out->session, sizeof(out->session), "%s", o.c.session);
	}
	return op_end(h, &o, r);
}

/* ---- list, server-info ------------------------------------------------- */

void
securesum_list_free(struct securesum_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l);
}

/* The sessions of got into a new *out; none read and r failed: NULL. */
static int
give_list(securesum *h, const struct client_listed *got, int r,
    struct securesum_list **out)
{
	struct securesum_list *l;
	size_t i;

	if (r != SS_OK && got->n == 0)
		return r;
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->v = calloc(got->n + 1, sizeof(*l->v))) == NULL) {
		free(l);
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	}
	for (i = 0; i < got->n; i++) {
		const struct wire_session *w = &got->v[i];
		struct securesum_session *s = &l->v[i];

		*s = (struct securesum_session){ .parties = w->parties,
		    .created_unix = w->created_unix,
		    .age_seconds = w->age_seconds,
		    .expires_unix = w->expires_unix };
		snprintf(s->id, sizeof(s->id), "%s", w->session_id);
		snprintf(s->phase, sizeof(s->phase), "%s",
		    phase_name(w->phase));
		snprintf(s->creator, sizeof(s->creator), "%s", w->creator);
	}
	l->n = got->n;
	*out = l;
	return r;
}

int
securesum_list(securesum *h, struct securesum_list **out)
{
	struct client_listed got;
	struct op o;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	memset(&got, 0, sizeof(got));
	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.list_out = &got;
		r = cmd_list(&o.c, &h->err);
	}
	r = give_list(h, &got, r, out);
	client_listed_free(&got);
	return op_end(h, &o, r);
}

int
securesum_server_info(securesum *h, struct securesum_server_info *out)
{
	struct wire_server_info in;
	struct op o;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	memset(out, 0, sizeof(*out));
	if ((r = op_begin(h, &o)) == SS_OK &&
	    (r = cmd_server_info(&o.c, &in, &h->err)) == SS_OK)
		api_server_info_copy(out, &in);
	return op_end(h, &o, r);
}
