/*
 * listing.c: checking what ListSumpoints lists before a sum is decided on.
 *
 * Nothing the server says is taken on its word: the parameters must hash
 * to the pinned D, the cohort must carry every member's signature, and a
 * sumpoint counts only with its poster's signature on this very cohort and
 * these very values. A sumpoint that fails is left out rather than fatal:
 * the server could drop it anyway, and what remains is decided on by
 * agreement, which never lets a missing point make a wrong sum verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "agree.h"
#include "claims.h"
#include "client.h"
#include "cohort.h"
#include "err.h"
#include "field.h"
#include "listing.h"
#include "peers.h"
#include "pin.h"
#include "statement.h"
#include "wire.h"

void
listing_free(struct listing *l)
{
	free(l->pts);
	free(l->ignored);
	peers_free(&l->pc);
	memset(l, 0, sizeof(*l));
}

/* ls's parameters are the pinned ones, and its cohort the status's. */
static int
same_session(struct client *c, const struct wire_response *st,
    const struct wire_response *ls, struct cohort *co, struct ss_error *e)
{
	const char *session = st->params.session_id;
	uint8_t d[PARAMS_DIGEST_LEN];
	struct cohort from_status;
	int r;

	if ((r = claims_check(ls, session, c->party, e)) != SS_OK ||
	    (r = pin_digest(&ls->params, d, e)) != SS_OK)
		return r;
	if (CRYPTO_memcmp(d, c->d, sizeof(d)) != 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server listed the "
		    "sumpoints of session %s under other parameters than its "
		    "status's", session);
	if ((r = cohort_of(&st->params.parties, &ls->cohort, co, e)) != SS_OK ||
	    (r = cohort_of(&st->params.parties, &st->cohort, &from_status,
	    e)) != SS_OK)
		return r;
	if (!cohort_same_members(co, &from_status))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the cohort the server "
		    "lists with the sumpoints of session %s is not the one its "
		    "status shows", session);
	return cohort_rules(&st->params, co, 0, 0, cohort_now(&st->params, co),
	    session, e);
}

/* The certificates of C's members and of every poster, into l->pc. */
static int
fetch_certs(struct client *c, const struct wire_response *ls,
    struct listing *l, struct ss_error *e)
{
	const struct wire_names *parties = &ls->params.parties;
	unsigned char want[CLIENT_MAX_PARTIES];
	size_t i;
	int idx;

	for (i = 0; i < parties->n; i++)
		want[i] = (unsigned char)cohort_has(&l->co, (uint32_t)i + 1);
	for (i = 0; i < ls->nsumpoints; i++)
		if ((idx = claims_index(parties, ls->sumpoints[i].party)) >= 0)
			want[idx] = 1;
	return peers_fetch(c, parties, want, &l->pc, e);
}

/* 1 if sumpoint sp, from position pos, is signed on l's cohort for its values. */
static int
point_signed(struct client *c, const struct wire_params *p,
    const struct listing *l, const struct wire_sumpoint *sp, uint32_t pos)
{
	uint8_t vd[STATEMENT_HASH_LEN];
	struct statement s;
	size_t k;

	if (sp->values.n != p->length)
		return 0;
	for (k = 0; k < sp->values.n; k++)
		if (sp->values.v[k] >= FIELD_P)
			return 0;
	if (peers_verify(c, &l->pc, &p->parties, pos, &sp->stmt, &s, NULL) !=
	    SS_OK || s.type != STATEMENT_SUMPOINT || s.position != pos ||
	    s.length != p->length ||
	    memcmp(s.cohort_digest, l->cohort_digest, STATEMENT_HASH_LEN) != 0)
		return 0;
	return statement_values_digest(sp->values.v, sp->values.n, vd) ==
	    SS_OK && memcmp(vd, s.values_digest, sizeof(vd)) == 0;
}

/* Every sumpoint of ls: taken into l->pts, or ignored. */
static int
take_points(struct client *c, const struct wire_response *ls,
    struct listing *l, struct ss_error *e)
{
	const struct wire_params *p = &ls->params;
	unsigned char *seen;
	size_t i;
	int idx;

	seen = calloc(p->parties.n + 1, 1);
	l->ignored = calloc(p->parties.n + 1, 1);
	l->pts = calloc(ls->nsumpoints + 1, sizeof(*l->pts));
	if (seen == NULL || l->ignored == NULL || l->pts == NULL) {
		free(seen);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	}
	for (i = 0; i < ls->nsumpoints; i++) {
		const struct wire_sumpoint *sp = &ls->sumpoints[i];

		if ((idx = claims_index(&p->parties, sp->party)) < 0 ||
		    seen[idx]) {
			free(seen);
			return ss_error_set(e, SS_ERR_PROTOCOL, "the server "
			    "listed a sumpoint from outside the session, or two "
			    "from one party");
		}
		seen[idx] = 1;
		if (sp->x != (uint32_t)idx + 1 ||
		    !point_signed(c, p, l, sp, (uint32_t)idx + 1)) {
			l->ignored[idx] = 1;
			l->nignored++;
			continue;
		}
		l->pts[l->m].position = (uint32_t)idx + 1;
		l->pts[l->m++].values = sp->values.v;
	}
	free(seen);
	return SS_OK;
}

int
listing_check(struct client *c, const struct wire_response *st,
    const struct wire_response *ls, struct listing *l, struct ss_error *e)
{
	int r;

	memset(l, 0, sizeof(*l));
	if ((r = same_session(c, st, ls, &l->co, e)) != SS_OK ||
	    (r = fetch_certs(c, ls, l, e)) != SS_OK)
		return r;
	if ((r = cohort_unanimous(c, &l->pc, &ls->params, &l->co,
	    ls->signed_, ls->nsigned, e)) != SS_OK) {
		(void)ss_error_prefix(e, "no sum: the cohort of session %s is "
		    "not signed by every member", st->params.session_id);
		/* Signatures still to come: not ready (not "no session"). */
		if (r == SS_ERR_NOT_FOUND && e != NULL)
			e->code = SS_ERR_PRECONDITION;
		return r == SS_ERR_NOT_FOUND ? SS_ERR_PRECONDITION : r;
	}
	if (cohort_digest(&l->co, c->d, l->cohort_digest) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the cohort");
	return take_points(c, ls, l, e);
}
