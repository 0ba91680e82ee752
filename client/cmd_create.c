/*
 * cmd_create.c: `create`: checks a session's parameters locally, completes
 * them as protocol version 2 pins them (min_cohort, an absolute deadline
 * on the creator's clock, a random nonce), computes the session digest D,
 * asks the server to create the session, and keeps what it made
 * (c->created_out) with the invite code, which carries all of D, for the
 * other parties to pin it with; client/cli.c prints it for mpc-client. A
 * retry of the same request (same nonce) is harmless: the server says it
 * exists, and so do we. A session of that id with other parameters is refused. So is,
 * unless --allow-unknown, a party whose encryption key is neither in our
 * folder nor published: nobody could share to it, and the session could
 * never end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agree.h"
#include "amount.h"
#include "call.h"
#include "client.h"
#include "err.h"
#include "frame.h"
#include "invite.h"
#include "keydir.h"
#include "name.h"
#include "output.h"
#include "claims.h"
#include "params.h"
#include "pin.h"
#include "status.h"
#include "trace.h"
#include "wire.h"

_Static_assert(PARAMS_DIGEST_LEN == TRACE_HASH_LEN, "D is the trace's hash");

/*
 * The session's name (NAME, or CREATOR/NAME in the creator's own
 * namespace: nobody creates in another's) and the number of parties.
 */
static int
check_session(const struct create_args *a, const char *creator,
    struct ss_error *e)
{
	if (!session_id_valid(a->session))
		return ss_error_set(e, SS_ERR_INVALID, "invalid session name: "
		    "NAME or CREATOR/NAME; " CLIENT_NAME_RULE);
	if (session_id_qualified(a->session) &&
	    !session_id_in(a->session, creator))
		return ss_error_set(e, SS_ERR_INVALID, "invalid session name "
		    "%s: %s creates sessions in its own namespace only, as %s/%s "
		    "or %s", a->session, creator, creator,
		    session_id_name(a->session), session_id_name(a->session));
	if (a->nparties < 2)
		return ss_error_set(e, SS_ERR_INVALID, "a session needs at least "
		    "2 parties");
	if (a->nparties > CLIENT_MAX_PARTIES)
		return ss_error_set(e, SS_ERR_INVALID, "at most %d parties",
		    CLIENT_MAX_PARTIES);
	return SS_OK;
}

/* Every party's name: valid, and listed once; *in if creator is one. */
static int
check_parties(const struct create_args *a, const char *creator, int *in,
    struct ss_error *e)
{
	char q[80];
	size_t i, j;

	*in = 0;
	for (i = 0; i < a->nparties; i++) {
		if (!name_valid(a->parties[i])) {
			snprintf(q, sizeof(q), "%.64s", a->parties[i]);
			out_sanitize(q);
			return ss_error_set(e, SS_ERR_INVALID, "invalid party "
			    "name '%s': " CLIENT_NAME_RULE, q);
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->parties[i], a->parties[j]) == 0)
				return ss_error_set(e, SS_ERR_INVALID, "party %s "
				    "is listed twice", a->parties[i]);
		if (strcmp(a->parties[i], creator) == 0)
			*in = 1;
	}
	return SS_OK;
}

/* Threshold, length and decimals; and whether the messages fit a frame. */
static int
check_numbers(const struct create_args *a, struct ss_error *e)
{
	size_t n = a->nparties;

	if (a->threshold < 1 || a->threshold > n - 1)
		return ss_error_set(e, SS_ERR_INVALID, "the threshold must be "
		    "between 1 and %zu (the number of parties - 1)", n - 1);
	if (a->length < 1)
		return ss_error_set(e, SS_ERR_INVALID, "the length must be at "
		    "least 1");
	if (!claims_fit(n, a->length))
		return ss_error_set(e, SS_ERR_INVALID, "%zu parties with vectors "
		    "of %u elements do not fit the %u-byte frame limit", n,
		    a->length, (unsigned)FRAME_DEFAULT_MAX);
	if (a->decimals > AMOUNT_MAX_DECIMALS)
		return ss_error_set(e, SS_ERR_INVALID, "at most %d decimals",
		    AMOUNT_MAX_DECIMALS);
	if (a->min_cohort != 0 && (a->min_cohort < a->threshold + 1 ||
	    a->min_cohort > n))
		return ss_error_set(e, SS_ERR_INVALID, "min_cohort must be "
		    "between t+1 = %u and n = %zu, got %u", a->threshold + 1, n,
		    a->min_cohort);
	if (a->deadline != 0 && a->min_cohort == 0)
		return ss_error_set(e, SS_ERR_INVALID, "with --deadline, say how "
		    "small a cohort the deadline may close sharing with: "
		    "--min-cohort M (t+1 = %u to n = %zu)", a->threshold + 1, n);
	return SS_OK;
}

int
cmd_create_check(const struct create_args *a, const char *creator,
    struct ss_error *e)
{
	int r, in;

	if ((r = check_session(a, creator, e)) != SS_OK ||
	    (r = check_parties(a, creator, &in, e)) != SS_OK ||
	    (r = check_numbers(a, e)) != SS_OK)
		return r;
	if (!in)
		return ss_error_set(e, SS_ERR_INVALID, "the creator (%s) must be "
		    "one of the parties", creator);
	return SS_OK;
}

/*
 * Every party's encryption key is known, in our folder or the server's
 * directory: else an error naming those without one, or with
 * --allow-unknown a warning.
 */
static int
check_keys(struct client *c, const struct create_args *a, struct ss_error *e)
{
	const char **missing;
	char list[1024];
	size_t n;
	int r;

	if ((r = keydir_missing(c, a->parties, a->nparties, &missing, &n, e)) !=
	    SS_OK) {
		(void)ss_error_prefix(e, "cannot check the parties' keys");
		return r;
	}
	out_join_strs(list, sizeof(list), missing, n, ", ");
	free(missing);
	if (n == 0)
		return SS_OK;
	if (!a->allow_unknown)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "no encryption key for "
		    "%s: neither %s/NAME.enc.crt nor published to the server. "
		    "Any mpc-client command a party runs against this server "
		    "publishes its key (even `status %s` before the session "
		    "exists); have %s do so, or copy NAME.enc.crt into %s, then "
		    "create again; or give --allow-unknown", list, c->certs,
		    a->session, n == 1 ? "it" : "each of them", c->certs);
	client_say(c, "mpc-client: warning: no encryption key is known yet "
	    "for %s: nobody can share in session %s until each has run an "
	    "mpc-client command against this server", list, a->session);
	return SS_OK;
}

/* The server's answer, as an error unless it is OK. */
static int
create_answer(const struct client *c, const struct create_args *a,
    const struct wire_response *resp, struct ss_error *e)
{
	if (resp->code == ST_ALREADY_EXISTS)
		return ss_error_set(e, status_to_err(resp->code), "session %s "
		    "already exists with different parameters", a->session);
	if (resp->code == ST_PERMISSION_DENIED)
		return ss_error_set(e, status_to_err(resp->code), "the server "
		    "refused to let %s create session %s: %s", c->party,
		    a->session, call_message(resp, "(no message)"));
	if (resp->code != ST_OK)
		return call_refused(c, resp, WIRE_CREATE_SESSION, NULL, e);
	return SS_OK;
}

/* The parameters D is made of: a's, with the nonce and deadline fixed now. */
static int
complete(const struct create_args *a, struct session_params *p,
    uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->session_id = a->session;
	p->parties = a->parties;
	p->n = (uint32_t)a->nparties;
	p->t = a->threshold;
	p->length = a->length;
	p->decimals = a->decimals;
	/* Absolute, on the creator's clock: D is computed before any server. */
	p->deadline = a->deadline != 0 ? (uint64_t)time(NULL) + a->deadline :
	    PARAMS_NO_DEADLINE;
	if ((r = params_choose_min_cohort(a->min_cohort, p->n, p->deadline,
	    &p->min_cohort, e)) != SS_OK) {
		(void)ss_error_prefix(e, "with --deadline, say how small a "
		    "cohort may be: --min-cohort M");
		return r;
	}
	if (a->nonce != NULL)
		memcpy(p->nonce, a->nonce, sizeof(p->nonce));
	else if ((r = params_new_nonce(p->nonce)) != SS_OK)
		return ss_error_set(e, r, "cannot draw a nonce");
	return params_digest(p, d, e);
}

/* What the creator should know of the parameters chosen, on stderr. */
static void
warn(struct client *c, const struct session_params *p)
{
	const uint32_t q = agree_quorum(p->n, p->t);

	if (params_exposes_one_input(p))
		client_say(c, "mpc-client: warning: min_cohort - threshold = 1: "
		    "%u colluding parties in a cohort of %u learn the one "
		    "remaining honest input from the sum itself", p->t,
		    p->min_cohort);
	if (q > p->n)
		client_say(c, "mpc-client: note: no sum of this session can be "
		    "verified: that takes %u agreeing sumpoints (n/2 + t + 1), "
		    "and it has %u parties; results will say UNVERIFIED", q,
		    p->n);
}

/* What was made, for the caller (c->created_out), which prints it. */
static void
keep_created(const struct client *c, const struct wire_response *resp,
    const struct session_params *p, const uint8_t d[PARAMS_DIGEST_LEN])
{
	struct client_created *k = c->created_out;

	if (k == NULL)
		return;
	k->created = resp->created != 0;
	invite_encode(d, k->invite);
	k->min_cohort = p->min_cohort;
	k->deadline = p->deadline;
	memcpy(k->nonce, p->nonce, sizeof(k->nonce));
}

int
cmd_create(struct client *c, const struct create_args *typed,
    struct ss_error *e)
{
	struct create_args q = *typed;
	const struct create_args *a = &q;
	char sid[SESSION_ID_BUF];
	struct session_params p;
	uint8_t d[PARAMS_DIGEST_LEN];
	struct wire_request req;
	struct wire_response resp;
	int r;

	if ((r = cmd_create_check(typed, c->party, e)) != SS_OK)
		return r;
	/* Created in our namespace: NAME is ours as CREATOR/NAME. */
	if (!session_id_qualify(c->party, typed->session, sid))
		return ss_error_set(e, SS_ERR_INVALID, "invalid session name");
	q.session = sid;
	if ((r = check_keys(c, a, e)) != SS_OK ||
	    (r = complete(a, &p, d, e)) != SS_OK)
		return r;
	warn(c, &p);
	call_request(&req, WIRE_CREATE_SESSION, a->session, NULL);
	req.names = a->parties;
	req.nnames = a->nparties;
	req.threshold = a->threshold;
	req.length = a->length;
	req.decimals = a->decimals;
	req.min_cohort = p.min_cohort;
	req.deadline_unix = p.deadline;
	/* Every retry resends this nonce: the same session, idempotent. */
	req.nonce = p.nonce;
	req.nonce_len = sizeof(p.nonce);
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if ((r = create_answer(c, a, &resp, e)) == SS_OK &&
	    (r = trace_change(c, "CreateSession", a->session, d, e)) == SS_OK)
		keep_created(c, &resp, &p, d);
	wire_response_free(&resp);
	return r;
}
