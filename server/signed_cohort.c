/*
 * signed_cohort.c: PostCohort and GetCohort; see signed_cohort.h. The
 * statements go out as the members sent them (the server's copies), never
 * re-encoded: every reader verifies each signature itself.
 */
#include <stddef.h>
#include <stdint.h>

#include "rpc_call.h"
#include "signed_cohort.h"
#include "err.h"
#include "session.h"
#include "statement.h"
#include "store.h"

int
signed_cohort_post(struct call *c)
{
	const Securesum__PostCohortRequest *m = c->req.pb->post_cohort;
	struct statement_in in;
	struct store_signed sg;
	int duplicate = 0, rc;

	if (call_check_session(c, m->session_id) != SS_OK ||
	    call_check_name(c, "party", m->party) != SS_OK)
		return c->err.code;
	sg.cert = c->cert;
	sg.stmt = call_statement_in(m->cohort, &in);
	rc = store_post_cohort(c->store, c->caller, m->session_id, m->party,
	    call_now(c), &sg, &duplicate, &c->err);
	return call_acknowledge(c, rc, duplicate);
}

int
signed_cohort_list(struct call *c, const struct session *se,
    Securesum__SignedCohort ***list, size_t *n)
{
	Securesum__SignedCohort *items, **ptrs;
	Securesum__Statement *msgs;
	const struct held_statement *h;
	uint32_t i;

	*list = NULL;
	*n = 0;
	if (!se->p.v2)
		return SS_OK;
	msgs = call_scratch(c, se->p.n, sizeof(*msgs));
	if (msgs == NULL || CALL_REPEATED(c, se->p.n, items, ptrs))
		return call_out_of_memory(c);
	for (i = 0; i < se->p.n; i++) {
		h = session_statement(se, i, STATEMENT_COHORT, 0);
		if (h == NULL || h->body == NULL)
			continue;
		securesum__signed_cohort__init(&items[*n]);
		items[*n].party = (char *)se->p.parties[i];
		items[*n].cohort = call_statement_msg(h, &msgs[*n]);
		ptrs[*n] = &items[*n];
		(*n)++;
	}
	*list = ptrs;
	return SS_OK;
}

int
signed_cohort_get(struct call *c)
{
	Securesum__GetCohortResponse *body = &c->body.get_cohort;
	struct session *se;
	char **names;
	uint32_t i;

	if ((se = call_read_session(c, c->req.pb->get_cohort->session_id)) == NULL)
		return c->err.code;
	if (!se->p.v2)
		return ss_error_set(&c->err, SS_ERR_PRECONDITION, "session %s is "
		    "of protocol version 1 (created without a nonce): its cohort "
		    "is not signed", se->p.id);
	if (se->phase != PHASE_AGGREGATING && se->phase != PHASE_COMPLETE)
		return session_phase_refusal(se, &c->err);
	if ((names = call_scratch(c, se->p.n, sizeof(*names))) == NULL)
		return call_out_of_memory(c);
	for (i = 0; i < se->p.n; i++)
		if (se->in_cohort[i])
			names[body->n_cohort++] = se->p.parties[i];
	body->cohort = names;
	if (signed_cohort_list(c, se, &body->signatures,
	    &body->n_signatures) != SS_OK)
		return c->err.code;
	return SS_OK;
}
