/*
 * securesum.c: the public API of libsecuresum (include/securesum.h): a
 * party's settings kept in an opaque handle, and each operation run as
 * mpc-client runs its command (the same cmd_*.c over the same struct
 * client) but with nothing printed: `print` off, warnings and progress to
 * the caller's callback, and the answers (invite code, sum, status) kept
 * into structs the caller frees. Only the functions of securesum.h are
 * exported from the shared library (SECURESUM_API; all else is hidden).
 */
#define SECURESUM_BUILDING 1

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "securesum.h"

#include "addr.h"
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
#include "pki.h"
#include "status.h"
#include "trace.h"

#ifndef SS_VERSION
#error "SS_VERSION must be defined (the Makefile gives it from VERSION)"
#endif

_Static_assert(SECURESUM_INVITE_MAX >= INVITE_CODE_BUF,
    "SECURESUM_INVITE_MAX must hold an invite code");
_Static_assert(SECURESUM_NAME_MAX == NAME_BUF,
    "SECURESUM_NAME_MAX must be a name's buffer");
_Static_assert(SECURESUM_SESSION_MAX == SESSION_ID_BUF,
    "SECURESUM_SESSION_MAX must be a session id's buffer");
_Static_assert(SECURESUM_NONCE_LEN == PARAMS_NONCE_LEN,
    "SECURESUM_NONCE_LEN must be the nonce's length");

#define DEFAULT_TIMEOUT_S 120
#define MAX_TIMEOUT_S     2147483   /* INT_MAX ms, as mpc-client's */

struct securesum {
	char *server, *server_name, *certs, *party, *state, *trace;
	unsigned timeout_s;
	int wait;
	securesum_log_fn *log;
	void *log_arg;
	securesum_progress_fn *progress;
	void *progress_arg;
	securesum_step_fn *step;
	void *step_arg;
	struct ss_error err;       /* the last failure */
};

/* ---- settings ----------------------------------------------------------- */

securesum *
securesum_new(void)
{
	securesum *h = calloc(1, sizeof(*h));

	if (h != NULL) {
		h->timeout_s = DEFAULT_TIMEOUT_S;
		ss_error_clear(&h->err);
	}
	return h;
}

void
securesum_free(securesum *h)
{
	if (h == NULL)
		return;
	free(h->server);
	free(h->server_name);
	free(h->certs);
	free(h->party);
	free(h->state);
	free(h->trace);
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
}

/* *slot = a copy of val (NULL: unset). */
static int
set_string(securesum *h, char **slot, const char *val)
{
	char *copy = NULL;

	if (val != NULL && (copy = strdup(val)) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	free(*slot);
	*slot = copy;
	ss_error_clear(&h->err);
	return SS_OK;
}

int
securesum_set_server(securesum *h, const char *host_port)
{
	struct hostport hp;

	if (host_port == NULL || addr_split(host_port, &hp, 0) != SS_OK)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "server: '%.80s' is not HOST:PORT (or [IPv6]:PORT)",
		    host_port ? host_port : "");
	return set_string(h, &h->server, host_port);
}

int
securesum_set_certs(securesum *h, const char *dir)
{
	if (dir == NULL || *dir == '\0')
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "certs: give the folder of ca.crt and this party's "
		    "certificates and keys");
	return set_string(h, &h->certs, dir);
}

int
securesum_set_party(securesum *h, const char *name)
{
	if (name == NULL || !name_valid(name))
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "party: invalid name: %s", CLIENT_NAME_RULE);
	return set_string(h, &h->party, name);
}

int
securesum_set_state(securesum *h, const char *dir)
{
	return set_string(h, &h->state, dir);
}

int
securesum_set_server_name(securesum *h, const char *name)
{
	if (name != NULL && !pki_host_valid(name))
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "server name: '%.80s' is neither a DNS name (letters, "
		    "digits, '-', '.') nor an IP address", name);
	return set_string(h, &h->server_name, name);
}

int
securesum_set_timeout(securesum *h, unsigned seconds)
{
	if (seconds == 0 || seconds > MAX_TIMEOUT_S)
		return ss_error_set(&h->err, SS_ERR_RANGE,
		    "timeout: give 1 to %d seconds", MAX_TIMEOUT_S);
	h->timeout_s = seconds;
	ss_error_clear(&h->err);
	return SS_OK;
}

int
securesum_set_trace(securesum *h, const char *file)
{
	return set_string(h, &h->trace, file);
}

int
securesum_set_wait(securesum *h, int wait)
{
	h->wait = wait != 0;
	ss_error_clear(&h->err);
	return SS_OK;
}

void
securesum_set_log(securesum *h, securesum_log_fn *fn, void *arg)
{
	h->log = fn;
	h->log_arg = arg;
}

void
securesum_set_progress(securesum *h, securesum_progress_fn *fn, void *arg)
{
	h->progress = fn;
	h->progress_arg = arg;
}

void
securesum_set_step(securesum *h, securesum_step_fn *fn, void *arg)
{
	h->step = fn;
	h->step_arg = arg;
}

const char *
securesum_message(const securesum *h)
{
	return h->err.code == SS_OK ? "" : ss_error_msg(&h->err);
}

const char *
securesum_strerror(int code)
{
	return ss_strerror(code);
}

const char *
securesum_version(void)
{
	return SS_VERSION;
}

int
securesum_parse_amount(const char *text, unsigned decimals, int64_t *out)
{
	if (text == NULL || out == NULL)
		return SS_ERR_INVALID;
	return amount_parse(text, decimals, out);
}

int
securesum_format_amount(int64_t value, unsigned decimals, char *buf,
    size_t len)
{
	if (buf == NULL)
		return SS_ERR_INVALID;
	return amount_format(value, decimals, buf, len);
}

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

/* A step of share or sumpoint, to the caller's step callback. */
static void
step(void *arg, const char *session, const char *what, const char *done,
    int duplicate, const struct call_count *counts, size_t ncounts)
{
	const securesum *h = arg;
	struct securesum_count sc[4];
	struct securesum_step s;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < ncounts && i < sizeof(sc) / sizeof(sc[0]); i++) {
		sc[i].name = counts[i].name;
		sc[i].n = counts[i].n;
	}
	s.session = session;
	s.party = h->party;
	s.what = what;
	s.done = done;
	s.duplicate = duplicate;
	s.counts = sc;
	s.ncounts = i;
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

/* The session pinned by its invite code, checked before any connection. */
static int
pin_invite(securesum *h, struct pin_args *pa, const char *session,
    const char *invite)
{
	memset(pa, 0, sizeof(*pa));
	pa->invite = invite;
	if (invite == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "session %.64s: no invite code given (create returns it)",
		    session ? session : "");
	return pin_args_check(pa, session, &h->err);
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

/* share, once the session's pin pa and the input in are checked. */
static int
share_in(securesum *h, const char *session, const struct pin_args *pa,
    const struct input_src *in, unsigned flags)
{
	struct op o;
	int r;

	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.pin = pa;
		o.c.reuse_input = (flags & SECURESUM_REUSE_INPUT) != 0;
		r = cmd_share(&o.c, op_session(&o, session), in, &h->err);
	}
	return op_end(h, &o, r);
}

/* share of int64 values, once the session's pin pa is checked. */
static int
share_with(securesum *h, const char *session, const struct pin_args *pa,
    const int64_t *values, size_t n, unsigned flags)
{
	struct input_src in;
	int r;

	if ((r = take_values(h, &in, values, n)) != SS_OK)
		return r;
	return share_in(h, session, pa, &in, flags);
}

int
securesum_share_input(securesum *h, const char *session,
    const struct securesum_pin *pin, const struct securesum_input *in,
    unsigned flags)
{
	struct input_src src;
	struct pin_args pa;
	int r;

	if ((r = check_session(h, session)) != SS_OK ||
	    (r = api_pin(&pa, pin, session, &h->err)) != SS_OK)
		return r;
	if (in == NULL || (in->path != NULL) == (in->ntexts > 0) ||
	    (in->ntexts > 0 && in->texts == NULL))
		return ss_error_set(&h->err, SS_ERR_INVALID, "give values or "
		    "--input FILE, not both and not neither");
	memset(&src, 0, sizeof(src));
	src.args = in->texts;
	src.nargs = in->ntexts;
	src.path = in->path;
	return share_in(h, session, &pa, &src, flags);
}

int
securesum_share(securesum *h, const char *session, const char *invite,
    const int64_t *values, size_t n, unsigned flags)
{
	struct pin_args pa;
	int r;

	if ((r = check_session(h, session)) != SS_OK ||
	    (r = pin_invite(h, &pa, session, invite)) != SS_OK)
		return r;
	return share_with(h, session, &pa, values, n, flags);
}

int
securesum_share_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags)
{
	struct pin_args pa;
	int r;

	if ((r = check_session(h, session)) != SS_OK ||
	    (r = api_pin(&pa, pin, session, &h->err)) != SS_OK)
		return r;
	return share_with(h, session, &pa, values, n, flags);
}

/* sumpoint, once the session's pin pa is checked. */
static int
sumpoint_with(securesum *h, const char *session, const struct pin_args *pa)
{
	struct op o;
	int r;

	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.pin = pa;
		r = call_on_status(&o.c, op_session(&o, session), cmd_sumpoint,
		    &h->err);
	}
	return op_end(h, &o, r);
}

int
securesum_sumpoint(securesum *h, const char *session, const char *invite)
{
	struct pin_args pa;
	int r;

	if ((r = check_session(h, session)) != SS_OK ||
	    (r = pin_invite(h, &pa, session, invite)) != SS_OK)
		return r;
	return sumpoint_with(h, session, &pa);
}

int
securesum_sumpoint_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin)
{
	struct pin_args pa;
	int r;

	if ((r = check_session(h, session)) != SS_OK ||
	    (r = api_pin(&pa, pin, session, &h->err)) != SS_OK)
		return r;
	return sumpoint_with(h, session, &pa);
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
	for (i = 0; s->text != NULL && i < s->length; i++) {
		if (s->text[i] != NULL)
			OPENSSL_cleanse(s->text[i], strlen(s->text[i]));
		free(s->text[i]);
	}
	free(s->text);
	for (i = 0; i < s->ncohort; i++)
		free(s->cohort[i]);
	free(s->cohort);
	free(s);
}

/* The sum cs into a new *out; cs's arrays move into it. */
static int
give_sum(securesum *h, struct client_sum *cs, struct securesum_sum **out)
{
	struct securesum_sum *s;
	char num[48];
	size_t k;
	int r = SS_OK;

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
	for (k = 0; k < s->length && r == SS_OK; k++)
		if (amount_format(s->values[k], s->decimals, num,
		    sizeof(num)) != SS_OK)
			r = ss_error_set(&h->err, SS_ERR_INTERNAL, "cannot "
			    "format element %zu of the sum", k + 1);
		else if ((s->text[k] = strdup(num)) == NULL)
			r = ss_error_set(&h->err, SS_ERR_ALLOC,
			    "out of memory");
	OPENSSL_cleanse(num, sizeof(num));
	if (r != SS_OK) {
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
 * result and run, once the pin pa is checked (in NULL for result): the
 * sum into *out, and the verdict into res if not NULL.
 */
static int
sum_with(securesum *h, const char *session, const struct pin_args *pa,
    const struct input_src *in, unsigned flags, struct securesum_result *res,
    struct securesum_sum **out)
{
	struct op o;
	int r;

	if ((r = op_begin(h, &o)) == SS_OK) {
		o.c.pin = pa;
		o.c.reuse_input = (flags & SECURESUM_REUSE_INPUT) != 0;
		o.c.require_verified =
		    (flags & SECURESUM_REQUIRE_VERIFIED) != 0;
		if (res != NULL) {
			o.c.verdict_out = keep_verdict;
			o.c.verdict_arg = res;
		}
		r = op_sum(h, &o, session, in, out);
	}
	return op_end(h, &o, r);
}

/* result and run by invite: the common steps; in NULL for result. */
static int
sum_op(securesum *h, const char *session, const char *invite,
    const struct input_src *in, unsigned flags, struct securesum_sum **out)
{
	struct pin_args pa;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	if ((r = check_session(h, session)) != SS_OK ||
	    (r = pin_invite(h, &pa, session, invite)) != SS_OK)
		return r;
	return sum_with(h, session, &pa, in, flags, NULL, out);
}

/* result and run by pin, with the verdict; in NULL for result. */
static int
verdict_op(securesum *h, const char *session, const struct securesum_pin *pin,
    const struct input_src *in, unsigned flags,
    struct securesum_result **out)
{
	struct securesum_result *res;
	struct pin_args pa;
	int r;

	if (out == NULL)
		return ss_error_set(&h->err, SS_ERR_INVALID, "out is NULL");
	*out = NULL;
	if ((r = check_session(h, session)) != SS_OK ||
	    (r = api_pin(&pa, pin, session, &h->err)) != SS_OK)
		return r;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	r = sum_with(h, session, &pa, in, flags, res, &res->sum);
	if (res->decided)
		*out = res;
	else
		securesum_result_free(res);
	return r;
}

int
securesum_result(securesum *h, const char *session, const char *invite,
    unsigned flags, struct securesum_sum **out)
{
	return sum_op(h, session, invite, NULL, flags, out);
}

int
securesum_run(securesum *h, const char *session, const char *invite,
    const int64_t *values, size_t n, unsigned flags,
    struct securesum_sum **out)
{
	struct input_src in;
	int r, wait = h->wait;

	if ((r = take_values(h, &in, values, n)) != SS_OK)
		return r;
	/* run waits for the others anyway: for the server too. */
	h->wait = 1;
	r = sum_op(h, session, invite, &in, flags, out);
	h->wait = wait;
	return r;
}

void
securesum_result_free(struct securesum_result *r)
{
	if (r == NULL)
		return;
	securesum_sum_free(r->sum);
	api_names_free(&r->parties);
	api_names_free(&r->cohort);
	api_names_free(&r->on);
	api_names_free(&r->off);
	api_names_free(&r->suspect);
	api_names_free(&r->ignored);
	api_conflicts_free(r->conflicts, r->nconflicts);
	free(r);
}

int
securesum_result_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, unsigned flags,
    struct securesum_result **out)
{
	return verdict_op(h, session, pin, NULL, flags, out);
}

int
securesum_run_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags, struct securesum_result **out)
{
	struct input_src in;
	int r, wait = h->wait;

	if (out != NULL)
		*out = NULL;
	if ((r = take_values(h, &in, values, n)) != SS_OK)
		return r;
	/* run waits for the others anyway: for the server too. */
	h->wait = 1;
	r = verdict_op(h, session, pin, &in, flags, out);
	h->wait = wait;
	return r;
}

/* ---- status, delete ----------------------------------------------------- */

void
securesum_status_free(struct securesum_status *s)
{
	if (s == NULL)
		return;
	api_conflicts_free(s->conflicts, s->nconflicts);
	api_names_free(&s->signers);
	api_names_free(&s->parties);
	api_names_free(&s->shared);
	api_names_free(&s->cohort);
	api_names_free(&s->posted);
	api_names_free(&s->missing);
	api_names_free(&s->keys_missing);
	free(s);
}

/* cmd_status's answer, kept into the struct securesum_status at arg. */
static int
keep_status(void *arg, const char *session, const struct wire_response *st,
    const struct status_view *v, struct ss_error *e)
{
	struct securesum_status *s = arg;
	int r;

	snprintf(s->session, sizeof(s->session), "%s", session);
	snprintf(s->phase, sizeof(s->phase), "%s", phase_name(st->phase));
	s->threshold = st->params.threshold;
	s->length = st->params.length;
	s->decimals = st->params.decimals;
	s->min_cohort = st->params.min_cohort;
	s->deadline_unix = st->deadline_unix;
	if (v->d != NULL)
		invite_encode(v->d, s->invite);
	if (st->phase == PHASE_FAILED)
		snprintf(s->reason, sizeof(s->reason), "%s",
		    call_message(st, "(no reason given)"));
	if ((r = api_wire_names_copy(&s->parties, &st->params.parties, e)) !=
	    SS_OK ||
	    (r = api_wire_names_copy(&s->shared, &st->shared, e)) != SS_OK ||
	    (r = api_wire_names_copy(&s->cohort, &st->cohort, e)) != SS_OK ||
	    (r = api_wire_names_copy(&s->posted, &st->posted, e)) != SS_OK ||
	    (r = api_wire_names_copy(&s->missing, &st->missing, e)) != SS_OK ||
	    (r = api_wire_names_copy(&s->signers, &st->signers, e)) != SS_OK ||
	    (r = api_conflicts_copy(&s->conflicts, &s->nconflicts, st,
	    v->proven, e)) != SS_OK)
		return r;
	return api_names_copy(&s->keys_missing, v->keys_missing,
	    v->nkeys_missing, e);
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

/* ---- list --------------------------------------------------------------- */

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

		snprintf(s->id, sizeof(s->id), "%s", w->session_id);
		snprintf(s->phase, sizeof(s->phase), "%s",
		    phase_name(w->phase));
		snprintf(s->creator, sizeof(s->creator), "%s", w->creator);
		s->created_unix = w->created_unix;
		s->age_seconds = w->age_seconds;
		s->parties = w->parties;
		s->expires_unix = w->expires_unix;
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
