/*
 * claims.c: the checks of the session parameters and party lists the
 * server sends. The server is trusted for availability only: a list that
 * named a stranger, or a party twice, could make the client seal a share
 * for the wrong key or count a sumpoint twice, so none is used unchecked.
 *
 * Every GetStatus answer is checked, and a waiting party reads one at each
 * change of its session (the watch), so the checks take O(n log n): the
 * party list sorted once per list checked, each name found by bisection.
 */
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "client.h"
#include "err.h"
#include "frame.h"
#include "name.h"
#include "claims.h"
#include "status.h"
#include "wire.h"

int
claims_fit(size_t n, size_t L)
{
	return frame_session_fits(n, L, FRAME_DEFAULT_MAX, NULL);
}

int
claims_index(const struct wire_names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return (int)i;
	return -1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The names of l sorted, into by[] (room for CLIENT_MAX_PARTIES): NULL, or
 * a name that is there twice (*too_long: l is too long to sort).
 */
static const char *
sorted_twice(const struct wire_names *l, const char **by, int *too_long)
{
	size_t i;

	if ((*too_long = l->n > CLIENT_MAX_PARTIES))
		return NULL;
	for (i = 0; i < l->n; i++)
		by[i] = l->v[i];
	qsort(by, l->n, sizeof(*by), cmp_names);
	for (i = 1; i < l->n; i++)
		if (strcmp(by[i - 1], by[i]) == 0)
			return by[i];
	return NULL;
}

/* The names of l sorted into by[]: 1, or 0 when one is there twice. */
static int
sorted_once(const struct wire_names *l, const char **by)
{
	int too_long;

	return sorted_twice(l, by, &too_long) == NULL && !too_long;
}

/* Whether name is one of the n sorted names of by. */
static int
sorted_has(const char *const *by, size_t n, const char *name)
{
	return bsearch(&name, by, n, sizeof(*by), cmp_names) != NULL;
}

int
claims_names_ok(const struct wire_names *l, const struct wire_names *parties)
{
	const char *p[CLIENT_MAX_PARTIES], *s[CLIENT_MAX_PARTIES];
	size_t i;

	if (l->n > parties->n || !sorted_once(parties, p) ||
	    !sorted_once(l, s))
		return 0;
	for (i = 0; i < l->n; i++)
		if (!name_valid(l->v[i]) || !sorted_has(p, parties->n, l->v[i]))
			return 0;
	return 1;
}

/* The numbers of p: possible, and within our frames. */
static int
check_numbers(const struct wire_params *p, const char *session,
    struct ss_error *e)
{
	size_t n = p->parties.n;

	if (n < 2 || n > CLIENT_MAX_PARTIES || p->threshold < 1 ||
	    p->threshold >= n || p->length < 1 ||
	    p->decimals > AMOUNT_MAX_DECIMALS)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent "
		    "impossible parameters for session %s (%zu parties, "
		    "threshold %u, length %u, decimals %u)", session, n,
		    p->threshold, p->length, p->decimals);
	if (!claims_fit(n, p->length))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "session %s is too "
		    "large: %zu parties with vectors of %u elements do not fit "
		    "the %u-byte frame limit", session, n, p->length,
		    (unsigned)FRAME_DEFAULT_MAX);
	return SS_OK;
}

/* The party list of p: valid names, each once. */
static int
check_parties(const struct wire_params *p, const char *session,
    struct ss_error *e)
{
	const char *by[CLIENT_MAX_PARTIES], *twice;
	size_t i;
	int too_long;

	for (i = 0; i < p->parties.n; i++)
		if (!name_valid(p->parties.v[i]))
			return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent "
			    "an invalid party name for session %s", session);
	/* check_numbers bounded n by CLIENT_MAX_PARTIES. */
	if ((twice = sorted_twice(&p->parties, by, &too_long)) != NULL ||
	    too_long)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server listed %s "
		    "twice in session %s", twice != NULL ? twice : "a party",
		    session);
	return SS_OK;
}

/* A session's creator, who names it CREATOR/NAME, is one of its parties. */
static int
claims_creator(const struct wire_params *p, const char *session,
    struct ss_error *e)
{
	char creator[NAME_BUF];
	size_t len;

	if (!session_id_qualified(session))
		return SS_OK;
	len = (size_t)(session_id_name(session) - session) - 1;
	if (len >= sizeof(creator))
		return ss_error_set(e, SS_ERR_PROTOCOL, "session %s: its "
		    "creator's name is too long", session);
	memcpy(creator, session, len);
	creator[len] = '\0';
	if (claims_index(&p->parties, creator) < 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server holds "
		    "session %s, whose creator %s is not one of its parties",
		    session, creator);
	return SS_OK;
}

int
claims_check(const struct wire_response *r, const char *session,
    const char *self, struct ss_error *e)
{
	const struct wire_params *p = &r->params;
	int rc;

	if (!r->has_params)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent no "
		    "parameters for session %s", session);
	if (strcmp(p->session_id, session) != 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server answered "
		    "about another session than %s", session);
	if ((rc = check_numbers(p, session, e)) != SS_OK ||
	    (rc = check_parties(p, session, e)) != SS_OK)
		return rc;
	if (!claims_names_ok(&r->cohort, &p->parties))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent a "
		    "cohort that is not made of the parties of session %s",
		    session);
	if (claims_index(&p->parties, self) < 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s is not a party of "
		    "session %s", self, session);
	return claims_creator(p, session, e);
}

int
claims_check_status(const struct wire_response *st, const char *session,
    struct ss_error *e)
{
	const struct wire_names *parties = &st->params.parties;

	if (!claims_names_ok(&st->shared, parties) ||
	    !claims_names_ok(&st->posted, parties) ||
	    !claims_names_ok(&st->missing, parties) ||
	    !claims_names_ok(&st->signers, parties))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server's status of "
		    "session %s names parties that are not in it", session);
	if (st->phase < PHASE_SHARING || st->phase > PHASE_FAILED)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent an "
		    "unknown phase (%d) for session %s", st->phase, session);
	return SS_OK;
}
