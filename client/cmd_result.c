/*
 * cmd_result.c: `result`: fetches the posted sumpoints, checks each one
 * (from a party of the session, once, at its own x, of the session's
 * length, inside the field), interpolates the sum at 0 from t+1 of them,
 * and checks every other against it: a sum is printed only when all the
 * sumpoints agree, or when too few are posted to tell.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "call.h"
#include "client.h"
#include "err.h"
#include "field.h"
#include "output.h"
#include "claims.h"
#include "shamir.h"
#include "status.h"
#include "wire.h"

/* The parameters of ls, checked, must be p, which define x and L. */
static int
same_params(const struct client *c, const struct wire_response *ls,
    const struct wire_params *p, const char *session, struct ss_error *e)
{
	const struct wire_params *q = &ls->params;
	size_t i;
	int r;

	if ((r = claims_check(ls, session, c->party, e)) != SS_OK)
		return r;
	if (q->parties.n != p->parties.n || q->threshold != p->threshold ||
	    q->length != p->length || q->decimals != p->decimals)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent two "
		    "different sets of parameters for session %s", session);
	for (i = 0; i < p->parties.n; i++)
		if (strcmp(q->parties.v[i], p->parties.v[i]) != 0)
			return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent "
			    "two different party lists for session %s", session);
	return SS_OK;
}

/* ListSumpoints into ls (freed on failure), for parameters p. */
static int
fetch_sumpoints(struct client *c, const char *session,
    const struct wire_params *p, struct wire_response *ls,
    struct ss_error *e)
{
	struct wire_limits lim = { .max_items = p->parties.n, .max_bytes = 0,
	    .max_values = p->length };
	struct wire_request req;
	int r;

	call_request(&req, WIRE_LIST_SUMPOINTS, session, NULL);
	if ((r = call_exchange(c, &req, &lim, ls, e)) != SS_OK)
		return r;
	if (ls->code != ST_OK)
		r = call_refused_phase(c, ls, WIRE_LIST_SUMPOINTS, session,
		    "not yet", e);
	else
		r = same_params(c, ls, p, session, e);
	if (r != SS_OK)
		wire_response_free(ls);
	return r;
}

/* One sumpoint: its point x = the party's position, checked. */
static int
check_point(const struct wire_sumpoint *sp, const struct wire_params *p,
    const char *session, unsigned char *seen, uint64_t *x,
    struct ss_error *e)
{
	size_t k;
	int idx;

	if ((idx = claims_index(&p->parties, sp->party)) < 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server listed a "
		    "sumpoint from outside session %s", session);
	if (seen[idx])
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server listed two "
		    "sumpoints from %s", sp->party);
	seen[idx] = 1;
	/* x is the party's position; the server's x must agree. */
	if (sp->x != (uint32_t)idx + 1)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server gave %s the "
		    "point x=%u, but its position is %d", sp->party, sp->x,
		    idx + 1);
	if (sp->values.n != p->length)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the sumpoint of %s has "
		    "%zu elements, not %zu", sp->party, sp->values.n,
		    (size_t)p->length);
	for (k = 0; k < sp->values.n; k++)
		if (sp->values.v[k] >= FIELD_P)
			return ss_error_set(e, SS_ERR_PROTOCOL, "the sumpoint of "
			    "%s holds a value outside the field", sp->party);
	*x = (uint64_t)idx + 1;
	return SS_OK;
}

int
cmd_result_points(const struct wire_response *ls,
    const struct wire_params *p, const char *session, uint64_t *xs,
    const uint64_t **ys, struct ss_error *e)
{
	unsigned char *seen;
	size_t i;
	int r = SS_OK;

	if ((seen = calloc(p->parties.n + 1, 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < ls->nsumpoints && r == SS_OK; i++) {
		r = check_point(&ls->sumpoints[i], p, session, seen, &xs[i], e);
		ys[i] = ls->sumpoints[i].values.v;
	}
	free(seen);
	return r;
}

/* Fewer sumpoints than t + 1 posted: which they are. */
static int
too_few(const struct wire_response *ls, const char *session, unsigned t,
    struct ss_error *e)
{
	const size_t m = ls->nsumpoints;
	const char **names;
	char who[512];
	size_t i;

	if ((names = calloc(m ? m : 1, sizeof(*names))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < m; i++)
		names[i] = ls->sumpoints[i].party;
	out_join_strs(who, sizeof(who), names, m, ",");
	free(names);
	return ss_error_set(e, SS_ERR_INVALID, "%zu sumpoint%s posted for "
	    "session %s%s%s%s; %u needed", m, m == 1 ? "" : "s", session,
	    m > 0 ? " (" : "", m > 0 ? who : "", m > 0 ? ")" : "", t + 1);
}

int
cmd_result_combine(const struct wire_response *ls, const char *session,
    const uint64_t *xs, const uint64_t *const *ys, unsigned t, size_t L,
    uint64_t *secret, struct ss_error *e)
{
	const size_t m = ls->nsumpoints;
	struct shamir_verdict verdict;
	int r;

	if (m < (size_t)t + 1)
		return too_few(ls, session, t, e);
	memset(&verdict, 0, sizeof(verdict));
	r = shamir_combine(xs, ys, m, t, L, secret, &verdict);
	if (r == SS_ERR_INCONSISTENT && verdict.bad_point >= 0 &&
	    (size_t)verdict.bad_point < m)
		return ss_error_set(e, r, "the sumpoint of %s is inconsistent "
		    "with the others (element %zu): no sum printed",
		    ls->sumpoints[verdict.bad_point].party,
		    verdict.first_bad_element + 1);
	if (r == SS_ERR_INCONSISTENT)
		return ss_error_set(e, r, "the sumpoints are inconsistent "
		    "(element %zu), and too few to tell which is wrong: no sum "
		    "printed", verdict.first_bad_element + 1);
	if (r != SS_OK)
		return ss_error_set(e, r, "cannot reconstruct the sum: %s",
		    ss_strerror(r));
	return SS_OK;
}

int
cmd_result_print(FILE *f, int json, const char *session,
    const uint64_t *secret, size_t L, unsigned decimals,
    const struct wire_names *cohort, struct ss_error *e)
{
	char num[48];
	size_t k;

	if (json) {
		fputs("{\"session\":", f);
		out_json_string(f, session);
		fputs(",\"sum\":[", f);
	}
	for (k = 0; k < L; k++) {
		if (amount_format(field_to_int64(secret[k]), decimals, num,
		    sizeof(num)) != SS_OK)
			return ss_error_set(e, SS_ERR_INTERNAL, "cannot format "
			    "element %zu of the sum", k + 1);
		if (k > 0)
			fputc(json ? ',' : ' ', f);
		fputs(num, f);
	}
	if (json) {
		fputs("],\"cohort\":", f);
		out_json_names(f, cohort);
		fputs("}\n", f);
	} else
		fputc('\n', f);
	return SS_OK;
}

/* Says on stderr which parties of p the sum of ls leaves out. */
static void
note_left_out(const struct wire_response *ls, const struct wire_params *p)
{
	char cohort[512], who[512];
	const char **out;
	size_t i, k = 0;

	if ((out = calloc(p->parties.n + 1, sizeof(*out))) == NULL)
		return;
	for (i = 0; i < p->parties.n; i++)
		if (!wire_names_has(&ls->cohort, p->parties.v[i]))
			out[k++] = p->parties.v[i];
	out_join(cohort, sizeof(cohort), &ls->cohort, ",");
	out_join_strs(who, sizeof(who), out, k, ",");
	fflush(stdout);
	fprintf(stderr, "cohort: %s (without %s)\n", cohort, who);
	free(out);
}

int
cmd_result_reconstruct(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	const struct wire_params *p = &st->params;
	struct wire_response ls;
	const uint64_t **ys = NULL;
	uint64_t *xs = NULL, *secret = NULL;
	size_t m;
	int r;

	if ((r = fetch_sumpoints(c, session, p, &ls, e)) != SS_OK)
		return r;
	m = ls.nsumpoints;
	if ((xs = calloc(m ? m : 1, sizeof(*xs))) == NULL ||
	    (ys = calloc(m ? m : 1, sizeof(*ys))) == NULL ||
	    (secret = calloc(p->length, sizeof(*secret))) == NULL)
		r = ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	else if ((r = cmd_result_points(&ls, p, session, xs, ys, e)) ==
	    SS_OK && (r = cmd_result_combine(&ls, session, xs, ys,
	    p->threshold, p->length, secret, e)) == SS_OK &&
	    (r = cmd_result_print(stdout, c->json, session, secret, p->length,
	    p->decimals, &ls.cohort, e)) == SS_OK &&
	    ls.cohort.n < p->parties.n && !c->json)
		note_left_out(&ls, p);
	wire_response_free(&ls);
	free(xs);
	free(ys);
	free(secret);
	return r;
}

int
cmd_result(struct client *c, const char *session, struct ss_error *e)
{
	struct wire_response st;
	int r;

	if ((r = call_status(c, session, &st, e)) != SS_OK)
		return r;
	if (st.phase == PHASE_FAILED)
		r = call_session_failed(&st, session, e);
	else
		r = cmd_result_reconstruct(c, session, &st, e);
	wire_response_free(&st);
	return r;
}
