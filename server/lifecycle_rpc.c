/*
 * lifecycle_rpc.c: DeleteSession and ListSessions; see lifecycle_rpc.h.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "lifecycle.h"
#include "lifecycle_rpc.h"
#include "rpc_call.h"
#include "session.h"
#include "session_names.h"

int
lifecycle_rpc_delete(struct call *c)
{
	const Securesum__DeleteSessionRequest *m = c->req.pb->delete_session;
	Securesum__DeleteSessionResponse *body = &c->body.delete_session;
	struct session *se;
	char *id;

	/* The id as the store names it, answered: a bare NAME resolved. */
	if (call_check_session(c, m->session_id) != SS_OK ||
	    (se = session_names_resolve(c->store, c->caller, m->session_id,
	    &c->err)) == NULL)
		return c->err.code;
	if ((id = call_scratch(c, 1, SESSION_ID_BUF)) == NULL)
		return call_out_of_memory(c);
	memcpy(id, se->p.id, strlen(se->p.id) + 1);
	if (lifecycle_delete(c->store, c->caller, id, call_now(c),
	    &body->released_bytes, &c->err) != SS_OK)
		return c->err.code;
	body->session_id = id;
	return SS_OK;
}

/* se as a SessionSummary at now. */
static void
summary(const struct store *s, const struct session *se, uint64_t now,
    Securesum__SessionSummary *m)
{
	securesum__session_summary__init(m);
	m->session_id = (char *)se->p.id;
	m->phase = (Securesum__Phase)se->phase;
	m->created_unix = se->created_unix;
	m->age_seconds = now > se->created_unix ? now - se->created_unix : 0;
	m->creator = (char *)se->creator;
	m->expires_unix = lifecycle_expires(s, se);
	m->parties = se->p.n;
}

int
lifecycle_rpc_list(struct call *c)
{
	Securesum__ListSessionsResponse *body = &c->body.list_sessions;
	Securesum__SessionSummary *items, **ptrs;
	struct session **found;
	size_t i, n, next;
	uint64_t now = call_now(c);

	items = call_scratch(c, LIFECYCLE_LIST_PAGE, sizeof(*items));
	/* Arrays of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ptrs = call_scratch(c, LIFECYCLE_LIST_PAGE, sizeof(*ptrs));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	found = call_scratch(c, LIFECYCLE_LIST_PAGE, sizeof(*found));
	if (items == NULL || ptrs == NULL || found == NULL)
		return call_out_of_memory(c);
	n = lifecycle_list(c->store, c->caller, c->req.pb->list_sessions->offset,
	    found, LIFECYCLE_LIST_PAGE, &next);
	for (i = 0; i < n; i++) {
		summary(c->store, found[i], now, &items[i]);
		ptrs[i] = &items[i];
	}
	body->sessions = ptrs;
	body->n_sessions = n;
	/* Past UINT32_MAX sessions of one party: said to be the last page. */
	body->next_offset = next <= UINT32_MAX ? (uint32_t)next : 0;
	return SS_OK;
}
