/*
 * record.c: recording a change of the store; see record.h.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "membership.h"
#include "record.h"

int
record_logged(struct store *s, int rc, const uint64_t *seq)
{
	if (rc != SS_OK)
		return 0;
	s->journal_seq = *seq;
	return 1;
}

int
record_failed(const struct ss_error *e, struct ss_error *st)
{
	return ss_error_set(st, SS_ERR_UNAVAILABLE, "the server cannot write its "
	    "journal (%s); nothing was changed, try again later",
	    ss_error_msg(e));
}

int
record_room(const struct store *s, uint64_t bytes, struct ss_error *st)
{
	if (bytes > s->lim.max_stored_bytes ||
	    s->stored_bytes > s->lim.max_stored_bytes - bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "the server holds its "
		    "limit of %llu bytes",
		    (unsigned long long)s->lim.max_stored_bytes);
	return record_budget_room(s, bytes, st);
}

int
record_budget_room(const struct store *s, uint64_t bytes, struct ss_error *st)
{
	if (s->budget != NULL && !budget_fits(s->budget, bytes))
		return ss_error_set(st, SS_ERR_EXHAUSTED, "the server's memory "
		    "budget (--max-memory %llu) has no room for %llu more bytes; "
		    "try again later", (unsigned long long)s->budget->limit,
		    (unsigned long long)bytes);
	return SS_OK;
}

void *
record_copy(const void *p, size_t n)
{
	void *c = malloc(n > 0 ? n : 1);

	if (c != NULL && n > 0)
		memcpy(c, p, n);
	return c;
}

void
record_changed(struct store *s, struct session *se, int created)
{
	se->changes++;
	se->touched_unix = s->now;
	if (s->changed != NULL)
		s->changed(s->changed_ctx, se, created);
}

/* The party's sessions only (membership.h), whatever the store holds. */
void
record_key_changed(struct store *s, const char *party)
{
	struct membership_walk w;
	struct session *se;

	for (se = membership_first(&s->members, party, &w); se != NULL;
	    se = membership_next(&w))
		record_changed(s, se, 0);
}
