/*
 * cmd_result.c: `result`: fetches the posted sumpoints, keeps those signed
 * on the cohort every member signed (listing.h), and decides on them by
 * agreement (core/agree.h), never by correction: VERIFIED when at least
 * Q = floor(n/2) + t + 1 of them agree, so that every honest reader prints
 * the same sum; UNVERIFIED when fewer agree (said, and refused with
 * --require-verified); INCONSISTENT when any disagree: no sum, and the
 * points off the polynomial of Q points named as "the poster or one of the
 * cohort's dealers".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agree.h"
#include "amount.h"
#include "call.h"
#include "claims.h"
#include "client.h"
#include "err.h"
#include "field.h"
#include "listing.h"
#include "output.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

/* ListSumpoints into ls (freed on failure), for parameters p. */
static int
fetch_sumpoints(struct client *c, const char *session,
    const struct wire_params *p, struct wire_response *ls,
    struct ss_error *e)
{
	struct wire_limits lim = { .max_items = p->parties.n, .max_bytes = 0,
	    .max_values = p->length,
	    .max_statement = STATEMENT_LEN_MAX(p->parties.n) };
	struct wire_request req;

	call_request(&req, WIRE_LIST_SUMPOINTS, session, NULL);
	return call_get(c, &req, &lim, ls, e);
}

/* The names of the positions whose mark is `mark` (or ignored), joined. */
static void
names_marked(const struct wire_params *p, const uint8_t *marks, int mark,
    const unsigned char *ignored, char *buf, size_t len)
{
	const char **names;
	size_t i, k = 0;

	if ((names = calloc(p->parties.n + 1, sizeof(*names))) == NULL) {
		snprintf(buf, len, "(out of memory)");
		return;
	}
	for (i = 0; i < p->parties.n; i++)
		if (ignored != NULL ? ignored[i] != 0 : marks[i] == mark)
			names[k++] = p->parties.v[i];
	out_join_strs(buf, len, names, k, ",");
	free(names);
}

/* The sumpoints disagree: the error, naming what can be named. */
static int
inconsistent(const struct wire_params *p, const struct agree_result *res,
    const uint8_t *marks, const char *session, struct ss_error *e)
{
	char who[512];

	if (!res->located)
		return ss_error_set(e, SS_ERR_INCONSISTENT, "the sumpoints of "
		    "session %s are inconsistent (element %zu), and no %u of "
		    "them agree: every one is suspect, no sum printed", session,
		    res->first_bad_element + 1, res->quorum);
	names_marked(p, marks, AGREE_OFF, NULL, who, sizeof(who));
	return ss_error_set(e, SS_ERR_INCONSISTENT, "the sumpoints of session "
	    "%s are inconsistent (element %zu): off the polynomial of %u or "
	    "more: %s (each the poster or one of the cohort's dealers); no "
	    "sum printed", session, res->first_bad_element + 1, res->quorum,
	    who);
}

/*
 * Fewer than t + 1 sumpoints taken: which ones there are, and which were
 * listed but ignored, so that "0 taken" is not read as "none posted".
 */
static int
too_few(const struct wire_params *p, const struct result_verdict *v,
    const char *session, struct ss_error *e)
{
	const size_t m = v->res.posted;
	char who[512], ignored[640];

	names_marked(p, v->marks, AGREE_UNCHECKED, NULL, who, sizeof(who));
	ignored[0] = '\0';
	if (v->nignored > 0) {
		char names[480];

		names_marked(p, v->marks, 0, v->ignored, names, sizeof(names));
		(void)snprintf(ignored, sizeof(ignored), "; %zu more listed "
		    "but ignored (%s): not signed by their posters on this "
		    "cohort and these values", v->nignored, names);
	}
	return ss_error_set(e, SS_ERR_PRECONDITION, "%zu sumpoint%s taken for "
	    "session %s%s%s%s; %u needed%s", m, m == 1 ? "" : "s", session,
	    m > 0 ? " (" : "", m > 0 ? who : "", m > 0 ? ")" : "",
	    p->threshold + 1, ignored);
}

/* What the label says, to the caller; an unverified sum refused on request. */
static int
say_label(struct client *c, const struct wire_params *p,
    const struct result_verdict *v, const char *session, struct ss_error *e)
{
	char who[512];

	if (v->res.label == AGREE_VERIFIED)
		client_say(c, "mpc-client: sum verified: %zu sumpoints agree "
		    "(quorum %u of %zu parties)", v->res.posted,
		    v->res.quorum, p->parties.n);
	else
		client_say(c, "mpc-client: sum UNVERIFIED: %zu sumpoints "
		    "agree, fewer than the quorum of %u: corrupt posters may "
		    "have shown other readers another sum", v->res.posted,
		    v->res.quorum);
	if (v->nignored > 0) {
		names_marked(p, v->marks, 0, v->ignored, who, sizeof(who));
		client_say(c, "mpc-client: ignored the sumpoints of %s: not "
		    "signed by their posters on this cohort and these values",
		    who);
	}
	if (v->res.label != AGREE_VERIFIED && c->require_verified)
		return ss_error_set(e, SS_ERR_PRECONDITION, "the sum of session %s "
		    "is unverified and --require-verified was given", session);
	return SS_OK;
}

int
cmd_result_decide(const struct wire_params *p, const struct listing *l,
    uint64_t *secret, struct result_verdict *v, const char *session,
    struct ss_error *e)
{
	int r;

	memset(v, 0, sizeof(*v));
	v->ignored = l->ignored;
	v->nignored = l->nignored;
	if ((v->marks = calloc(p->parties.n + 1, 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if ((r = agree_decide((uint32_t)p->parties.n, p->threshold, p->length,
	    l->pts, l->m, secret, v->marks, &v->res, e)) != SS_OK)
		return r;
	v->decided = 1;
	if (v->res.label == AGREE_TOO_FEW)
		return too_few(p, v, session, e);
	if (v->res.label == AGREE_INCONSISTENT)
		return inconsistent(p, &v->res, v->marks, session, e);
	return SS_OK;
}

/* The sum and its verdict, into s, for a caller that reads them. */
static int
keep_sum(struct client_sum *s, const struct wire_params *p,
    const struct wire_names *cohort, const uint64_t *secret,
    const struct result_verdict *v, struct ss_error *e)
{
	size_t k;

	client_sum_free(s);
	s->values = calloc(p->length, sizeof(*s->values));
	s->cohort = calloc(cohort->n + 1, sizeof(*s->cohort));
	if (s->values == NULL || s->cohort == NULL) {
		client_sum_free(s);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	}
	s->length = p->length;
	for (k = 0; k < p->length; k++)
		s->values[k] = field_to_int64(secret[k]);
	for (k = 0; k < cohort->n; k++, s->ncohort++)
		if ((s->cohort[k] = strdup(cohort->v[k])) == NULL) {
			client_sum_free(s);
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		}
	s->decimals = p->decimals;
	s->verified = v->res.label == AGREE_VERIFIED;
	s->posted = v->res.posted;
	s->quorum = v->res.quorum;
	s->nparties = p->parties.n;
	return SS_OK;
}

/*
 * The verdict v on the sumpoints of ls, to its reader (c->verdict_out),
 * a verdict without a sum (inconsistent, too few) too; then the error r,
 * or the sum into c->sum_out.
 */
static int
report(struct client *c, const char *session, const struct wire_params *p,
    const struct wire_response *ls, const uint64_t *secret,
    const struct result_verdict *v, int r, struct ss_error *e)
{
	int r2;

	if (c->verdict_out != NULL && v->decided &&
	    (r2 = c->verdict_out(c->verdict_arg, p, &ls->cohort, v, e)) !=
	    SS_OK)
		return r2;
	if (r != SS_OK)
		return r;
	if ((r = say_label(c, p, v, session, e)) != SS_OK)
		return r;
	if (c->sum_out != NULL)
		return keep_sum(c->sum_out, p, &ls->cohort, secret, v, e);
	return SS_OK;
}

int
cmd_result_reconstruct(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	const struct wire_params *p = &st->params;
	struct result_verdict v;
	struct wire_response ls;
	struct listing l;
	unsigned char *proven = NULL;
	uint64_t *secret;
	int r;

	memset(&v, 0, sizeof(v));
	memset(&l, 0, sizeof(l));
	if ((r = fetch_sumpoints(c, session, p, &ls, e)) != SS_OK)
		return r;
	if ((secret = calloc(p->length, sizeof(*secret))) == NULL)
		r = ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	else if ((r = listing_check(c, st, &ls, &l, e)) == SS_OK &&
	    (r = cmd_status_conflicts(c, st, &proven, e)) == SS_OK) {
		r = cmd_result_decide(p, &l, secret, &v, session, e);
		v.st = st;
		v.proven = proven;
		r = report(c, session, p, &ls, secret, &v, r, e);
	}
	free(proven);
	free(v.marks);
	listing_free(&l);
	wire_response_free(&ls);
	free(secret);
	return r;
}

int
cmd_result(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	if (st->phase == PHASE_FAILED)
		return call_session_failed(st, session, e);
	/* No cohort yet, so no sumpoints: not ready (not a broken server). */
	if (st->phase == PHASE_SHARING)
		return ss_error_set(e, SS_ERR_PRECONDITION, "session %s is still "
		    "in its sharing phase: no sum before its cohort is fixed",
		    session);
	return cmd_result_reconstruct(c, session, st, e);
}
