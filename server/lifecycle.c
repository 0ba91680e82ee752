/*
 * lifecycle.c: deleting, expiring and listing sessions; see lifecycle.h.
 */
#include <string.h>

#include "err.h"
#include "lifecycle.h"
#include "membership.h"
#include "name.h"
#include "quota.h"
#include "record.h"
#include "session_names.h"
#include "status.h"

/* Logs that se is dropped; 1 when the log holds it (or nothing is logged). */
static int
drop_logged(struct store *s, const struct session *se, int reason,
    const char *by, uint64_t now, struct ss_error *e)
{
	uint64_t seq = 0;

	if (s->log.ops == NULL)
		return 1;
	if (s->log.ops->drop == NULL) {
		ss_error_set(e, SS_ERR_INTERNAL, "the store's log cannot record "
		    "a deletion");
		return 0;
	}
	return record_logged(s, s->log.ops->drop(s->log.ctx, se, reason, by,
	    now, &seq, e), &seq);
}

/*
 * Takes se, whose place in creation order is already given up, out of the
 * store: its index entry and its bytes (charged to the budget instead while
 * an answer still sends from its memory); wakes its watchers (who then find
 * it gone) before it goes.
 */
static void
let_go(struct store *s, struct session *se)
{
	uint64_t bytes = session_bytes(se), meta = session_meta_bytes(se);

	session_names_remove(s, se);
	membership_remove(&s->members, se);
	s->stored_bytes -= bytes <= s->stored_bytes ? bytes : s->stored_bytes;
	s->meta_bytes -= meta <= s->meta_bytes ? meta : s->meta_bytes;
	/* Its creator's open session and each party's bytes, given back. */
	quota_drop_session(&s->quotas, se);
	s->version++;
	record_changed(s, se, 0);
	session_drop(se, s->budget);
}

/* Takes se out of the store, its place in creation order with the rest. */
static void
remove_session(struct store *s, struct session *se)
{
	size_t i, n;

	for (i = 0; i < s->nsessions && s->sessions[i] != se; i++)
		;
	if (i == s->nsessions)
		return;
	n = s->nsessions - i - 1;
	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	memmove(&s->sessions[i], &s->sessions[i + 1], n * sizeof(*s->sessions));
	s->nsessions--;
	let_go(s, se);
}

int
lifecycle_delete(struct store *s, const char *caller, const char *session_id,
    uint64_t now, uint64_t *released, struct ss_error *st)
{
	struct session *se;
	struct ss_error e;

	*released = 0;
	if (!session_id_valid(session_id))
		return ss_error_set(st, SS_ERR_INVALID, "invalid session id");
	/* An outsider learns nothing: the answer of a missing session. */
	if ((se = session_names_resolve(s, caller, session_id, st)) == NULL)
		return st->code;
	if (strcmp(se->creator, caller) != 0 && se->phase != PHASE_COMPLETE &&
	    se->phase != PHASE_FAILED)
		return ss_error_set(st, SS_ERR_PRECONDITION, "session %s is %s: "
		    "only its creator may delete it before it is COMPLETE or "
		    "FAILED", se->p.id, phase_name((int)se->phase));
	if (!drop_logged(s, se, STORE_DROP_DELETED, caller, now, &e))
		return record_failed(&e, st);
	*released = session_bytes(se);
	remove_session(s, se);
	s->deleted++;
	return ss_error_set(st, SS_OK, "%s", "");
}

static uint64_t
later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

uint64_t
lifecycle_expires(const struct store *s, const struct session *se)
{
	uint64_t since, ttl = s->lim.session_ttl;

	if (ttl == 0)
		return 0;
	since = later(later(se->created_unix, se->deadline_unix),
	    later(se->touched_unix, s->boot_unix));
	return since > UINT64_MAX - ttl ? UINT64_MAX : since + ttl;
}

void
lifecycle_expire(struct store *s, uint64_t now)
{
	struct session *se;
	struct ss_error e;
	size_t i, kept = 0;
	int stuck = 0;

	if (s->lim.session_ttl == 0)
		return;
	/*
	 * One pass that closes the gaps as it goes: removing each in turn
	 * moved the rest of the array once per session dropped, which made
	 * many expiring together cost the square of the sessions held.
	 * let_go runs while the gaps are still open, so nothing it calls (the
	 * changed hook: the connections' watches of se) may walk s->sessions.
	 */
	for (i = 0; i < s->nsessions; i++) {
		se = s->sessions[i];
		if (!stuck && now >= lifecycle_expires(s, se)) {
			if (drop_logged(s, se, STORE_DROP_EXPIRED, "", now, &e)) {
				let_go(s, se);
				s->expired++;
				continue;
			}
			/* Without its record it stays; the next tick tries again. */
			stuck = 1;
		}
		s->sessions[kept++] = se;
	}
	s->nsessions = kept;
}

size_t
lifecycle_list(const struct store *s, const char *caller, size_t offset,
    struct session **out, size_t max, size_t *next)
{
	struct membership_walk w;
	struct session *se;
	size_t seen = 0, n = 0;

	*next = 0;
	for (se = membership_first(&s->members, caller, &w); se != NULL;
	    se = membership_next(&w)) {
		if (seen++ < offset)
			continue;
		if (n == max) {
			*next = offset + n;
			break;
		}
		out[n++] = se;
	}
	return n;
}

int
lifecycle_apply_delete(struct store *s, const char *session_id,
    struct ss_error *e)
{
	struct session *se = session_index_find(&s->index, session_id);

	if (se == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no session %.129s to "
		    "delete", session_id);
	remove_session(s, se);
	return SS_OK;
}
