/*
 * change.c: a signed change of a party's, counted, recorded and kept. See
 * change.h.
 */
#include <string.h>

#include "change.h"
#include "quota.h"
#include "record.h"

void
change_fix_cohort(struct session *se)
{
	uint32_t i;

	for (i = 0; i < se->p.n; i++)
		se->in_cohort[i] = se->shares[i] != NULL;
	se->phase = PHASE_AGGREGATING;
	statements_fix_cohort(se);
}

/* Completes se once every party of its cohort has its sumpoint in. */
static void
update_complete(struct session *se)
{
	uint32_t i;

	for (i = 0; i < se->p.n; i++)
		if (se->in_cohort[i] && se->sumpoints[i] == NULL)
			return;
	se->phase = PHASE_COMPLETE;
}

/*
 * Counts what party holds in se now beyond before. Its entry exists for a
 * live change (change_room); replayed, one that cannot be made leaves the
 * bytes uncounted rather than the change refused.
 */
static void
party_holds(struct store *s, const struct session *se, uint32_t party,
    uint64_t before)
{
	uint64_t now = quota_party_bytes(se, party);
	struct quota_use *u;

	if (now > before && (u = quota_get(&s->quotas, se->p.parties[party])) != NULL)
		u->bytes += now - before;
}

int
change_room(struct store *s, const struct session *se, uint32_t party,
    uint64_t bytes, struct ss_error *st)
{
	const char *name = se->p.parties[party];
	struct quota_use *u;

	if ((u = quota_get(&s->quotas, name)) == NULL)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	/* Its large frames in progress count too (connection.c). */
	if (bytes > s->lim.max_bytes_per_party ||
	    u->bytes > s->lim.max_bytes_per_party - bytes ||
	    u->frames > s->lim.max_bytes_per_party - bytes - u->bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "%s holds %llu bytes "
		    "(and is sending %llu); %llu more would pass the server's "
		    "limit per party (--max-bytes-per-party %llu)", name,
		    (unsigned long long)u->bytes, (unsigned long long)u->frames,
		    (unsigned long long)bytes,
		    (unsigned long long)s->lim.max_bytes_per_party);
	return SS_OK;
}

void
change_keep(struct store *s, struct change *ch, void *data)
{
	struct session *se = ch->se;
	uint64_t before = quota_party_bytes(se, ch->party);

	statements_keep(s, se, ch->party, ch->type, ch->second, &ch->h);
	if (ch->kind == CHANGE_SHARES)
		se->shares[ch->party] = data;
	else if (ch->kind == CHANGE_SUMPOINT)
		se->sumpoints[ch->party] = data;
	party_holds(s, se, ch->party, before);
	if (ch->kind == CHANGE_SHARES) {
		s->stored_bytes += (uint64_t)se->p.n * se->ct_len;
		if (session_count_shared(se) == se->p.n)
			change_fix_cohort(se);
	} else if (ch->kind == CHANGE_SUMPOINT) {
		s->stored_bytes += (uint64_t)se->p.length * sizeof(uint64_t);
		update_complete(se);
	} else
		return;
	s->version++;
	record_changed(s, se, 0);
}

int
change_check_held(const struct session *se, uint32_t party, const void *held,
    const void *data, uint64_t bytes, const char *did, int *duplicate,
    struct ss_error *st)
{
	*duplicate = 0;
	if (held == NULL)
		return SS_OK;
	if (memcmp(held, data, bytes) != 0)
		return ss_error_set(st, SS_ERR_EXISTS, "%s already %s to session "
		    "%s", se->p.parties[party], did, se->p.id);
	*duplicate = 1;
	return ss_error_set(st, SS_OK, "%s", "");
}

int
change_commit(struct store *s, struct change *ch, void *data,
    struct ss_error *st)
{
	const struct held_statement *h = ch->h.body != NULL ? &ch->h : NULL;
	const struct store_log_ops *ops = s->log.ops;
	struct ss_error e;
	uint64_t seq = 0;
	int rc;

	if (ops != NULL) {
		if (ch->kind == CHANGE_SHARES)
			rc = ops->submit(s->log.ctx, ch->se, ch->party, data, h,
			    &seq, &e);
		else if (ch->kind == CHANGE_SUMPOINT)
			rc = ops->sumpoint(s->log.ctx, ch->se, ch->party, data, h,
			    &seq, &e);
		else if (ch->second)
			rc = ops->conflict(s->log.ctx, ch->se, ch->party,
			    ch->type, &ch->h, &seq, &e);
		else
			rc = ops->cohort(s->log.ctx, ch->se, ch->party, &ch->h,
			    &seq, &e);
		if (!record_logged(s, rc, &seq)) {
			record_failed(&e, st);
			return 0;
		}
	}
	change_keep(s, ch, data);
	ss_error_set(st, SS_OK, "%s", "");
	return 1;
}

int
change_keep_conflict(struct store *s, struct change *ch, struct ss_error *st)
{
	struct session *se = ch->se;
	uint64_t bytes = held_statement_bytes(&ch->h);
	/* The statement alone: not the shares or sumpoint it came with. */
	struct change proof = { .kind = CHANGE_STATEMENT, .type = ch->type,
	    .second = 1, .se = se, .party = ch->party };

	/* A statement for se's D is no longer than se's n makes it. */
	if (ch->h.len > STATEMENT_LEN_MAX(se->p.n))
		ss_error_set(st, SS_ERR_INVALID, "the %s statement has %zu "
		    "bytes, more than any of a session of %u parties (%zu)",
		    statement_type_name(ch->type), ch->h.len, se->p.n,
		    (size_t)STATEMENT_LEN_MAX(se->p.n));
	else if (record_room(s, bytes, st) == SS_OK &&
	    change_room(s, se, ch->party, bytes, st) == SS_OK) {
		proof.h = ch->h;
		memset(&ch->h, 0, sizeof(ch->h));
		if (change_commit(s, &proof, NULL, st))
			statements_refusal(se, ch->party, ch->type,
			    STATEMENTS_CONFLICT, st);
		/* Kept: the store took it (zeroed); not logged: freed. */
		held_statement_free(&proof.h);
	}
	held_statement_free(&ch->h);
	return st->code;
}
