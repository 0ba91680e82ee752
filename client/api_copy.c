/*
 * api_copy.c: the library's answers copied out of the client's wire
 * structs (api_copy.h): names, conflicts, result's verdict, and the pin a
 * caller gives turned into the command line's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_copy.h"
#include "call.h"
#include "invite.h"
#include "output.h"
#include "status.h"

void
api_names_free(struct securesum_names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
api_names_free_each(struct securesum_names *const *lists)
{
	for (; *lists != NULL; lists++)
		api_names_free(*lists);
}


static void
stmt_free(struct securesum_statement *st)
{
	free(st->body);
	free(st->sig);
}


int
api_names_copy(struct securesum_names *l, const char *const *v, size_t n,
    struct ss_error *e)
{
	if ((l->v = calloc(n + 1, sizeof(*l->v))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (l->n = 0; l->n < n; l->n++)
		if ((l->v[l->n] = strdup(v[l->n])) == NULL)
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	return SS_OK;
}


int
api_wire_names_copy(struct securesum_names *l, const struct wire_names *w,
    struct ss_error *e)
{
	const char **v;
	size_t i;
	int r;

	if ((v = calloc(w->n + 1, sizeof(*v))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < w->n; i++)
		v[i] = w->v[i];
	r = api_names_copy(l, v, w->n, e);
	free(v);
	return r;
}


/* n bytes of p into a new *out (a byte more, so that n may be 0). */
static int
bytes_copy(uint8_t **out, const uint8_t *p, size_t n, struct ss_error *e)
{
	if ((*out = malloc(n + 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if (n > 0)
		memcpy(*out, p, n);
	return SS_OK;
}


static int
stmt_copy(struct securesum_statement *to, const struct wire_stmt *w,
    struct ss_error *e)
{
	int r;

	to->body_len = w->body_len;
	to->sig_len = w->sig_len;
	if ((r = bytes_copy(&to->body, w->body, w->body_len, e)) != SS_OK)
		return r;
	return bytes_copy(&to->sig, w->sig, w->sig_len, e);
}


int
api_conflicts_copy(struct securesum_conflict **out, size_t *n,
    const struct wire_response *st, const unsigned char *proven,
    struct ss_error *e)
{
	size_t i;
	int r;

	if ((*out = calloc(st->nconflicts + 1, sizeof(**out))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	*n = st->nconflicts;
	for (i = 0; i < st->nconflicts; i++) {
		const struct wire_conflict *w = &st->conflicts[i];
		struct securesum_conflict *cf = &(*out)[i];

		snprintf(cf->party, sizeof(cf->party), "%s", w->party);
		snprintf(cf->type, sizeof(cf->type), "%s",
		    cmd_status_conflict_type(w));
		cf->verified = proven != NULL && proven[i];
		if ((r = stmt_copy(&cf->first, &w->first, e)) != SS_OK ||
		    (r = stmt_copy(&cf->second, &w->second, e)) != SS_OK)
			return r;
	}
	return SS_OK;
}

void
api_conflicts_free(struct securesum_conflict *cf, size_t n)
{
	size_t i;

	for (i = 0; cf != NULL && i < n; i++) {
		stmt_free(&cf[i].first);
		stmt_free(&cf[i].second);
	}
	free(cf);
}

/* The names of the positions of p whose mark is `mark` (or ignored), into l. */
static int
marked_copy(struct securesum_names *l, const struct wire_params *p,
    const struct result_verdict *v, int mark, int ignored,
    struct ss_error *e)
{
	const char **names;
	size_t i, k = 0;
	int r;

	if ((names = calloc(p->parties.n + 1, sizeof(*names))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < p->parties.n; i++)
		if (ignored ? v->ignored != NULL && v->ignored[i] != 0 :
		    v->marks[i] == mark)
			names[k++] = p->parties.v[i];
	r = api_names_copy(l, names, k, e);
	free(names);
	return r;
}

int
api_verdict_copy(struct securesum_result *r, const struct wire_params *p,
    const struct wire_names *cohort, const struct result_verdict *v,
    struct ss_error *e)
{
	int rc;

	r->decided = 1;
	snprintf(r->session, sizeof(r->session), "%s", p->session_id);
	snprintf(r->label, sizeof(r->label), "%s",
	    agree_label_name(v->res.label));
	r->quorum = v->res.quorum;
	r->taken = v->res.posted;
	if ((rc = api_wire_names_copy(&r->parties, &p->parties, e)) != SS_OK ||
	    (rc = api_wire_names_copy(&r->cohort, cohort, e)) != SS_OK ||
	    (rc = marked_copy(&r->on, p, v, AGREE_ON, 0, e)) != SS_OK ||
	    (rc = marked_copy(&r->off, p, v, AGREE_OFF, 0, e)) != SS_OK ||
	    (rc = marked_copy(&r->suspect, p, v, AGREE_SUSPECT, 0, e)) !=
	    SS_OK ||
	    (rc = marked_copy(&r->ignored, p, v, 0, 1, e)) != SS_OK)
		return rc;
	if (v->st == NULL)
		return SS_OK;
	/* run's wait for sumpoints ends before every one is in. */
	if (v->st->phase != PHASE_COMPLETE) {
		r->posted = v->st->posted.n;
		if ((rc = api_wire_names_copy(&r->missing, &v->st->missing,
		    e)) != SS_OK)
			return rc;
	}
	return api_conflicts_copy(&r->conflicts, &r->nconflicts, v->st,
	    v->proven, e);
}

int
api_status_copy(struct securesum_status *s, const struct wire_response *st,
    const struct status_view *v, struct ss_error *e)
{
	int r;

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

void
api_server_info_copy(struct securesum_server_info *out,
    const struct wire_server_info *in)
{
	snprintf(out->version, sizeof(out->version), "%s", in->version);
	/* The server's text reaches a terminal only made safe. */
	out_sanitize(out->version);
	out->journal_healthy = in->journal_healthy;
	out->uptime_seconds = in->uptime_seconds;
	out->sessions_sharing = in->sessions_sharing;
	out->sessions_aggregating = in->sessions_aggregating;
	out->sessions_complete = in->sessions_complete;
	out->sessions_failed = in->sessions_failed;
	out->sessions_max = in->sessions_max;
	out->connections = in->connections;
	out->connections_max = in->connections_max;
	out->stored_bytes = in->stored_bytes;
	out->stored_bytes_max = in->stored_bytes_max;
	out->journal_unsynced_records = in->journal_unsynced_records;
	out->snapshot_age_seconds = in->snapshot_age_seconds;
	out->snapshot_duration_ms = in->snapshot_duration_ms;
	out->snapshots_failed = in->snapshots_failed;
	out->requests = in->requests;
}

int
api_pin(struct pin_args *pa, const struct securesum_pin *pin,
    const char *session, struct ss_error *e)
{
	memset(pa, 0, sizeof(*pa));
	if (pin == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "session %.129s: no pin "
		    "given (an invite code, or the parameters)",
		    session != NULL ? session : "");
	pa->invite = pin->invite;
	if (pin->invite == NULL) {
		pa->parties = pin->parties;
		pa->nparties = pin->nparties;
		pa->threshold = pin->threshold;
		pa->length = pin->length != 0 ? pin->length : 1;
		pa->decimals = pin->decimals;
		pa->min_cohort = pin->min_cohort;
		pa->deadline_unix = pin->deadline_unix;
		if (pin->nonce != NULL)
			memcpy(pa->nonce, pin->nonce, sizeof(pa->nonce));
		pa->have_parties = pin->parties != NULL;
		pa->have_threshold = pin->parties != NULL;
		pa->have_nonce = pin->nonce != NULL;
	}
	return pin_args_check(pa, session, e);
}
