/*
 * cmd_run.c: `run`: all of a party's steps in one command. It polls the
 * session's status and, at every poll, takes the one step the status calls
 * for (cmd_run_next): wait for the session to exist, share, wait for the
 * cohort, sign it and wait for every member's signature while staying
 * online (the consistency round of cohort.h), post the sumpoint, wait for
 * the others' sumpoints; then it decides on the sum as `result` does. What
 * it has sent is kept, so that when a restarted server has lost it the
 * very same bytes go again. A run restarted after its shares went checks
 * its input against this party's records before anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "client.h"
#include "conn.h"
#include "err.h"
#include "output.h"
#include "records.h"
#include "status.h"
#include "wire.h"

void
cmd_run_state_free(struct run_state *rs)
{
	cmd_share_free(&rs->sub);
	cmd_sumpoint_free(&rs->sp);
	free(rs->cohort);
	memset(rs, 0, sizeof(*rs));
}

/* Whether our sumpoint was computed for the cohort st reports. */
static int
same_cohort(const struct run_state *rs, const struct wire_response *st)
{
	size_t i;

	if (rs->sp.sum == NULL || rs->ncohort != st->cohort.n)
		return 0;
	for (i = 0; i < rs->ncohort; i++)
		if (strcmp(rs->cohort[i], st->cohort.v[i]) != 0)
			return 0;
	return 1;
}

int
cmd_run_left_out(struct run_state *rs, const struct wire_response *st,
    const char *self)
{
	if (st->phase != PHASE_AGGREGATING && st->phase != PHASE_COMPLETE)
		return 0;
	if (rs->warned || wire_names_has(&st->cohort, self))
		return 0;
	rs->warned = 1;
	return 1;
}

enum run_action
cmd_run_next(struct run_state *rs, const struct wire_response *st,
    const char *self, uint64_t now, int expired)
{
	const size_t need = (size_t)st->params.threshold + 1;

	if (st->phase == PHASE_FAILED)
		return RUN_FAILED;
	/*
	 * Our shares are in, sent by an earlier run: the input given now must
	 * be the one on record before anything else is done with it.
	 */
	if (wire_names_has(&st->shared, self) && !rs->have_sub &&
	    !rs->input_checked)
		return RUN_RECORD;
	if (st->phase == PHASE_SHARING) {
		/*
		 * Our shares are not in: not sent yet, or sent and lost by a
		 * server restarted from an older state. Either way the same
		 * sealed bytes go (again).
		 */
		if (!wire_names_has(&st->shared, self))
			return rs->have_sub ? RUN_RESUBMIT : RUN_SUBMIT;
		return RUN_WAIT_SHARES;
	}
	/* AGGREGATING or COMPLETE: the cohort is fixed. */
	if (!wire_names_has(&st->posted, self))
		/* The same values again, unless the cohort is another. */
		return same_cohort(rs, st) ? RUN_REPOST : RUN_POST;
	if (st->phase == PHASE_COMPLETE)
		return RUN_RECONSTRUCT;
	if (st->posted.n >= need) {
		if (st->posted.n != rs->last_posted) {
			rs->last_posted = st->posted.n;
			rs->quiet_since = now;
		}
		if (now - rs->quiet_since >= RUN_GRACE_MS || expired)
			return RUN_RECONSTRUCT;
	}
	return RUN_WAIT_SUMPOINTS;
}

/* Seals our input once, keeping it for resubmissions, and submits it. */
static int
submit_first(struct client *c, const char *session,
    const struct input_src *in, struct run_state *rs,
    const struct wire_response *st, struct ss_error *e)
{
	int r;

	if ((r = records_check(c, st, e)) != SS_OK ||
	    (r = cmd_share_seal(c, session, st, in, &rs->sub, e)) != SS_OK)
		return r;
	rs->have_sub = 1;
	return cmd_share_submit(c, session, &rs->sub, 0, e);
}

/*
 * Fetches our shares, takes part in the consistency round, adds them and
 * posts the sumpoint, remembering it and its cohort for a repost.
 */
static int
post_first(struct client *c, const char *session, struct run_state *rs,
    const struct wire_response *st, struct ss_error *e)
{
	size_t i;
	int r;

	cmd_sumpoint_free(&rs->sp);
	free(rs->cohort);
	rs->cohort = NULL;
	rs->ncohort = 0;
	if ((r = cmd_sumpoint_compute(c, session, st, &rs->sp, e)) != SS_OK)
		return r;
	if ((rs->cohort = calloc(st->cohort.n ? st->cohort.n : 1,
	    sizeof(*rs->cohort))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < st->cohort.n; i++)
		memcpy(rs->cohort[i], st->cohort.v[i], sizeof(rs->cohort[i]));
	rs->ncohort = st->cohort.n;
	return cmd_sumpoint_post(c, session, &rs->sp, 0, e);
}

/* Our shares went in an earlier run: this input must be the one recorded. */
static int
record_input(struct client *c, const char *session,
    const struct input_src *in, struct run_state *rs,
    const struct wire_response *st, struct ss_error *e)
{
	int r;

	if ((r = records_check(c, st, e)) == SS_OK &&
	    (r = cmd_share_record(c, session, st, in, e)) == SS_OK)
		rs->input_checked = 1;
	return r;
}

static int
wait_shares(struct client *c, const struct wire_response *st, int expired,
    struct ss_error *e)
{
	char who[512];

	out_join(who, sizeof(who), &st->missing, ", ");
	if (expired)
		return ss_error_set(e, SS_ERR_TIMEOUT, "timed out after %u s "
		    "waiting for shares from: %s", c->timeout_s, who);
	progress_show(&c->progress, "waiting for shares: %zu/%zu (missing: "
	    "%s)", st->shared.n, st->params.parties.n, who);
	return SS_OK;
}

static int
wait_sumpoints(struct client *c, const struct wire_response *st,
    int expired, struct ss_error *e)
{
	char who[512];

	out_join(who, sizeof(who), &st->missing, ", ");
	if (expired)
		return ss_error_set(e, SS_ERR_TIMEOUT, "timed out after %u s "
		    "waiting for sumpoints: %zu posted, %zu needed (missing: "
		    "%s)", c->timeout_s, st->posted.n,
		    (size_t)st->params.threshold + 1, who);
	progress_show(&c->progress, "waiting for sumpoints: %zu/%zu (missing: "
	    "%s)", st->posted.n, st->cohort.n, who);
	return SS_OK;
}

static void
warn_left_out(struct client *c, const char *session)
{
	/* Our sumpoint still helps the others; our input is not in. */
	progress_clear(&c->progress);
	client_say(c, "mpc-client: warning: the sharing phase of session %s "
	    "closed before %s's shares were in: the sum will not include %s's "
	    "input", session, c->party, c->party);
}

/* Chooses the step for the status st (into *a) and takes it. */
static int
run_step(struct client *c, const char *session, const struct input_src *in,
    struct run_state *rs, const struct wire_response *st,
    enum run_action *a, struct ss_error *e)
{
	const int expired = client_expired(c);

	if (cmd_run_left_out(rs, st, c->party))
		warn_left_out(c, session);
	switch ((*a = cmd_run_next(rs, st, c->party, conn_now_ms(), expired))) {
	case RUN_FAILED:
		return call_session_failed(st, session, e);
	case RUN_RECORD:
		return record_input(c, session, in, rs, st, e);
	case RUN_SUBMIT:
		return submit_first(c, session, in, rs, st, e);
	case RUN_RESUBMIT:
		return cmd_share_submit(c, session, &rs->sub, STEP_AGAIN, e);
	case RUN_WAIT_SHARES:
		return wait_shares(c, st, expired, e);
	case RUN_POST:
		return post_first(c, session, rs, st, e);
	case RUN_REPOST:
		return cmd_sumpoint_post(c, session, &rs->sp, STEP_AGAIN, e);
	case RUN_WAIT_SUMPOINTS:
		return wait_sumpoints(c, st, expired, e);
	case RUN_RECONSTRUCT:
		return SS_OK;
	}
	return ss_error_set(e, SS_ERR_INTERNAL, "unknown step of run");
}

/* The session does not exist (yet, or any more): wait for it. */
static int
wait_created(struct client *c, const char *session, struct ss_error *e)
{
	if (client_expired(c))
		return ss_error_set(e, SS_ERR_TIMEOUT, "timed out after %u s "
		    "waiting for session %s to be created", c->timeout_s,
		    session);
	progress_show(&c->progress, "waiting for session %s to be created",
	    session);
	return SS_OK;
}

/*
 * How long the next status may wait for a change after step a: not at all
 * after a step of ours (its effect, or the next step, is to be seen at
 * once); while sumpoints come in, no longer than the grace left.
 */
static uint64_t
run_wait_bound(const struct run_state *rs, enum run_action a)
{
	uint64_t now = conn_now_ms(), end = rs->quiet_since + RUN_GRACE_MS;

	if (a == RUN_WAIT_SHARES)
		return CALL_WATCH_MS;
	if (a != RUN_WAIT_SUMPOINTS)
		return 0;
	/* quiet_since is set once t+1 are in: the grace runs. */
	if (rs->last_posted > 0)
		return end > now ? end - now : 0;
	return CALL_WATCH_MS;
}

/*
 * What the wait after step a on the status st is for: the end of the
 * sharing phase; t+1 sumpoints, then each new one (the grace restarts at
 * each). Any other phase, or a new conflict, ends either.
 */
static void
run_wait_until(const struct wire_response *st, enum run_action a,
    struct call_until *u)
{
	const uint32_t need = st->params.threshold + 1;

	memset(u, 0, sizeof(*u));
	u->phase = (uint32_t)st->phase;
	u->conflicts = (uint32_t)st->nconflicts;
	if (a == RUN_WAIT_SUMPOINTS)
		u->posted = st->posted.n < need ? need :
		    (uint32_t)st->posted.n + 1;
}

/*
 * Reads the status of session, waiting for what the step before waits for
 * while it was a wait (call_status_until), and takes the steps it calls
 * for, until it is time to reconstruct: then st holds the last status
 * (free it).
 */
static int
run_until_ready(struct client *c, const char *session,
    const struct input_src *in, struct run_state *rs,
    struct wire_response *st, struct ss_error *e)
{
	uint64_t delay = CLIENT_POLL_FIRST_MS, bound = 0;
	struct call_until until;
	enum run_action a;
	int r;

	memset(&until, 0, sizeof(until));
	for (;;) {
		r = bound > 0 ? call_status_until(c, session, st, bound, &delay,
		    &until, e) : call_status(c, session, st, e);
		if (r == SS_ERR_NOT_FOUND) {
			if ((r = wait_created(c, session, e)) != SS_OK)
				return r;
			bound = CALL_WATCH_MS;
			continue;
		}
		if (r != SS_OK)
			return r;
		r = run_step(c, session, in, rs, st, &a, e);
		if (r == SS_OK && a == RUN_RECONSTRUCT)
			return SS_OK;
		run_wait_until(st, a, &until);
		wire_response_free(st);
		if (r != SS_OK)
			return r;
		/* After sending something, see its effect at once. */
		if ((bound = run_wait_bound(rs, a)) == 0)
			delay = CLIENT_POLL_FIRST_MS;
	}
}

int
cmd_run(struct client *c, const char *session, const struct input_src *in,
    struct ss_error *e)
{
	struct run_state rs;
	struct wire_response st;
	int r;

	memset(&rs, 0, sizeof(rs));
	if ((r = run_until_ready(c, session, in, &rs, &st, e)) == SS_OK) {
		progress_clear(&c->progress);
		/* The sumpoints still missing go with the verdict (st). */
		r = cmd_result_reconstruct(c, session, &st, e);
		wire_response_free(&st);
	}
	progress_clear(&c->progress);
	cmd_run_state_free(&rs);
	return r;
}
