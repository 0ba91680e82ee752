/*
 * store.c: the server's sessions and key directory, and the rules of the
 * protocol's phases. See store.h.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "field.h"
#include "frame.h"
#include "sealed.h"
#include "store.h"

void
store_default_limits(struct store_limits *lim)
{
	lim->max_parties = 4096;
	lim->max_length = 4u * 1024 * 1024;
	lim->max_sessions = 1024;
	lim->max_deadline_seconds = 30u * 24 * 3600;
	lim->max_stored_bytes = UINT64_C(4) << 30;
	lim->max_keys = 65536;
	lim->max_cert_bytes = 16384;
	lim->max_message = 128u * 1024 * 1024;
}

struct store *
store_new(const struct store_limits *lim)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->lim = *lim;
	return s;
}

void
store_set_log(struct store *s, const struct store_log *log)
{
	if (log != NULL)
		s->log = *log;
	else
		memset(&s->log, 0, sizeof(s->log));
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsessions; i++)
		session_free(s->sessions[i]);
	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i].der);
	free(s->sessions);
	free(s->keys);
	free(s);
}

struct session *
store_find(struct store *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nsessions; i++)
		if (strcmp(s->sessions[i]->p.id, id) == 0)
			return s->sessions[i];
	return NULL;
}

/* Fixes the cohort as the parties whose shares are in. */
static void
fix_cohort(struct session *se)
{
	uint32_t i;

	for (i = 0; i < se->p.n; i++)
		se->in_cohort[i] = se->shares[i] != NULL;
	se->phase = PHASE_AGGREGATING;
}

/*
 * Whether a change about to be made was logged (rc, from one of s->log's
 * functions): then the store reflects the record seq. Else the caller
 * changes nothing and answers with logged_failed.
 */
static int
logged(struct store *s, int rc, const uint64_t *seq)
{
	if (rc != SS_OK)
		return 0;
	s->journal_seq = *seq;
	return 1;
}

static int
log_failed(const struct ss_error *e, struct ss_error *st)
{
	return ss_error_set(st, SS_ERR_UNAVAILABLE, "the server cannot write its "
	    "journal (%s); nothing was changed, try again later",
	    ss_error_msg(e));
}

/* Ends the sharing phase now, as its deadline does. */
static void
close_sharing(struct store *s, struct session *se)
{
	size_t k;

	k = session_count_shared(se);
	if (k >= (size_t)se->p.threshold + 1) {
		fix_cohort(se);
	} else {
		se->phase = PHASE_FAILED;
		snprintf(se->fail_reason, sizeof(se->fail_reason),
		    "the sharing deadline passed with %zu of %u parties' shares in; "
		    "threshold %u needs at least %u", k, se->p.n, se->p.threshold,
		    se->p.threshold + 1);
	}
	s->version++;
}

static void
session_tick(struct store *s, struct session *se, uint64_t now)
{
	struct ss_error e;
	uint64_t seq = 0;

	if (se->phase != PHASE_SHARING || se->deadline_unix == 0 ||
	    now < se->deadline_unix)
		return;
	/* Without a record the deadline is applied again at the next tick. */
	if (s->log.ops != NULL &&
	    !logged(s, s->log.ops->close(s->log.ctx, se, &seq, &e), &seq))
		return;
	close_sharing(s, se);
}

void
store_tick(struct store *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < s->nsessions; i++)
		session_tick(s, s->sessions[i], now);
}

int
store_check_params(const struct store *s, const struct session_params *p,
    struct ss_error *st)
{
	uint32_t i;
	uint64_t need, total;

	if (!name_valid(p->id))
		return ss_error_set(st, SS_ERR_INVALID, "session id must be 1-64 "
		    "characters of A-Z a-z 0-9 . _ - and not start with . or -");
	if (p->n < 2 || p->n > s->lim.max_parties)
		return ss_error_set(st, p->n < 2 ? SS_ERR_INVALID :
		    SS_ERR_EXHAUSTED, "a session needs 2 to %u parties, got %u",
		    s->lim.max_parties, p->n);
	for (i = 0; i < p->n; i++)
		if (!name_valid(p->parties[i]))
			return ss_error_set(st, SS_ERR_INVALID,
			    "party %u has an invalid name", i + 1);
	if (p->threshold < 1 || p->threshold > p->n - 1)
		return ss_error_set(st, SS_ERR_INVALID, "threshold must be "
		    "between 1 and n-1 = %u, got %u", p->n - 1, p->threshold);
	if (p->length < 1 || p->length > s->lim.max_length)
		return ss_error_set(st, p->length < 1 ? SS_ERR_INVALID :
		    SS_ERR_EXHAUSTED, "vector length must be 1 to %u, got %u",
		    s->lim.max_length, p->length);
	if (p->decimals > 18)
		return ss_error_set(st, SS_ERR_INVALID,
		    "decimals must be 0 to 18, got %u", p->decimals);
	if (p->deadline_seconds > s->lim.max_deadline_seconds)
		return ss_error_set(st, SS_ERR_INVALID, "deadline must be at "
		    "most %u seconds", s->lim.max_deadline_seconds);
	if (!frame_session_fits(p->n, p->length, s->lim.max_message, &need))
		return ss_error_set(st, SS_ERR_EXHAUSTED, "a session of %u "
		    "parties and length %u needs messages of %llu bytes, over the "
		    "server's frame limit of %llu", p->n, p->length,
		    (unsigned long long)need,
		    (unsigned long long)s->lim.max_message);
	total = (uint64_t)p->n * p->n * sealed_len(p->length) +
	    (uint64_t)p->n * p->length * 8;
	if (total > s->lim.max_stored_bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "a session of %u "
		    "parties and length %u would hold more than the server's "
		    "limit of %llu bytes", p->n, p->length,
		    (unsigned long long)s->lim.max_stored_bytes);
	return SS_OK;
}

static int
same_params(const struct session_params *a, const struct session_params *b)
{
	return a->n == b->n && a->threshold == b->threshold &&
	    a->length == b->length && a->decimals == b->decimals &&
	    a->deadline_seconds == b->deadline_seconds &&
	    memcmp(a->parties, b->parties, (size_t)a->n * NAME_BUF) == 0;
}

/* Room for one more session, so that adding it cannot fail once its record is logged. */
static int
reserve_session(struct store *s)
{
	struct session **v;

	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	v = realloc(s->sessions, (s->nsessions + 1) * sizeof(*v));
	if (v == NULL)
		return SS_ERR_ALLOC;
	s->sessions = v;
	return SS_OK;
}

int
store_adopt_session(struct store *s, struct session *se)
{
	if (reserve_session(s) != SS_OK)
		return SS_ERR_ALLOC;
	s->sessions[s->nsessions++] = se;
	s->stored_bytes += session_bytes(se);
	return SS_OK;
}

/*
 * A new session of params p created at now, not yet added, or NULL with st
 * saying why: the checks that do not depend on who asks (p itself passed
 * store_check_params, and no session has its id).
 */
static struct session *
new_session(struct store *s, const struct session_params *p, uint64_t now,
    struct ss_error *st)
{
	struct session *se;
	const char *dup;

	if (s->nsessions >= s->lim.max_sessions) {
		ss_error_set(st, SS_ERR_EXHAUSTED, "the server holds its limit "
		    "of %u sessions", s->lim.max_sessions);
		return NULL;
	}
	if ((se = session_new(p)) == NULL || reserve_session(s) != SS_OK) {
		session_free(se);
		ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
		return NULL;
	}
	if ((dup = session_repeated_party(se)) != NULL) {
		ss_error_set(st, SS_ERR_INVALID, "party %s is listed twice", dup);
		session_free(se);
		return NULL;
	}
	se->created_unix = now;
	se->deadline_unix = p->deadline_seconds ? now + p->deadline_seconds : 0;
	return se;
}

/* Adds se, which new_session made (its room is reserved). */
static void
add_session(struct store *s, struct session *se)
{
	s->sessions[s->nsessions++] = se;
	s->stored_bytes += session_bytes(se);
	s->version++;
}

int
store_create(struct store *s, const char *caller, const struct session_params *p,
    uint64_t now, int *created, uint64_t *deadline_unix, struct ss_error *st)
{
	struct session *se;
	struct ss_error e;
	uint64_t seq = 0;
	uint32_t i;

	*created = 0;
	if (store_check_params(s, p, st) != SS_OK)
		return st->code;
	/* Membership first, so that outsiders cannot probe which ids exist. */
	for (i = 0; i < p->n && strcmp(p->parties[i], caller) != 0; i++)
		;
	if (i == p->n)
		return ss_error_set(st, SS_ERR_DENIED, "%s may not create a "
		    "session it is not a party of", caller);
	if ((se = store_find(s, p->id)) != NULL) {
		if (!same_params(&se->p, p))
			return ss_error_set(st, SS_ERR_EXISTS, "session %s "
			    "exists with different parameters", p->id);
		*deadline_unix = se->deadline_unix;
		return ss_error_set(st, SS_OK, "%s", "");
	}
	if ((se = new_session(s, p, now, st)) == NULL)
		return st->code;
	if (s->log.ops != NULL &&
	    !logged(s, s->log.ops->create(s->log.ctx, se, &seq, &e), &seq)) {
		session_free(se);
		return log_failed(&e, st);
	}
	add_session(s, se);
	*created = 1;
	*deadline_unix = se->deadline_unix;
	return ss_error_set(st, SS_OK, "%s", "");
}

/*
 * Finds the session and checks that the caller is a party of it and that
 * `party`, when given, is the caller: identity comes from the certificate.
 */
static int
lookup(struct store *s, const char *caller, const char *session_id,
    const char *party, uint64_t now, struct session **sep, long *idx,
    struct ss_error *st)
{
	struct session *se;

	if (!name_valid(session_id))
		return ss_error_set(st, SS_ERR_INVALID, "invalid session id");
	if (party != NULL && strcmp(party, caller) != 0)
		return ss_error_set(st, SS_ERR_DENIED, "%s may not act for "
		    "party %.64s", caller, party);
	if ((se = store_find(s, session_id)) == NULL)
		return ss_error_set(st, SS_ERR_NOT_FOUND, "no session %s", session_id);
	if ((*idx = session_party_index(se, caller)) < 0)
		return ss_error_set(st, SS_ERR_DENIED, "%s is not a party of "
		    "session %s", caller, session_id);
	session_tick(s, se, now);
	*sep = se;
	return SS_OK;
}

static int
phase_refusal(const struct session *se, struct ss_error *st)
{
	switch (se->phase) {
	case PHASE_SHARING:
		return ss_error_set(st, SS_ERR_PRECONDITION, "session %s is still "
		    "in its sharing phase (%zu of %u shared)", se->p.id,
		    session_count_shared(se), se->p.n);
	case PHASE_FAILED:
		return ss_error_set(st, SS_ERR_PRECONDITION, "session %s failed: "
		    "%s", se->p.id, se->fail_reason);
	default:
		return ss_error_set(st, SS_ERR_PRECONDITION, "session %s has fixed "
		    "its cohort; shares are no longer accepted", se->p.id);
	}
}

int
store_submit(struct store *s, const char *caller, const char *session_id,
    const char *party, const struct submitted_share *shares, size_t nshares,
    uint64_t now, int *duplicate, struct ss_error *st)
{
	return store_submit_in_place(s, caller, session_id, party, shares,
	    nshares, NULL, 0, now, duplicate, st);
}

/*
 * Whether the shares can be moved down inside frame into a block: each in
 * recipient order, wholly inside the frame, after the slot it moves to and
 * after the share before it, so that moving them in order never overwrites
 * one not yet moved.
 */
static int
movable_in_place(const struct session *se, const struct submitted_share *shares,
    const long *slot, const uint8_t *frame, size_t frame_len)
{
	const uint8_t *end = frame + frame_len, *prev_end = frame;
	uint32_t i;

	for (i = 0; i < se->p.n; i++) {
		const uint8_t *ct = shares[i].ct;

		if (slot[i] != (long)i || ct < prev_end || ct > end ||
		    (size_t)(end - ct) < se->ct_len ||
		    (size_t)(ct - frame) < (size_t)i * se->ct_len)
			return 0;
		prev_end = ct + se->ct_len;
	}
	return 1;
}

/*
 * Builds the block of a submission: the shares in recipient order. With a
 * frame it may be the frame itself (*frame is then NULL), else a new copy.
 */
static int
build_block(const struct session *se, const struct submitted_share *shares,
    uint8_t **frame, size_t frame_len, uint8_t **blockp, struct ss_error *st)
{
	size_t bytes = (size_t)se->p.n * se->ct_len, i;
	uint8_t *block, *seen;
	long *slot;

	seen = calloc(se->p.n, 1);
	slot = calloc(se->p.n, sizeof(*slot));
	if (seen == NULL || slot == NULL) {
		free(seen);
		free(slot);
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	}
	/* Every share goes to its recipient's slot; a gap or repeat is refused. */
	for (i = 0; i < se->p.n; i++) {
		long j = session_party_index(se, shares[i].recipient);

		if (j < 0 || seen[j]) {
			ss_error_set(st, SS_ERR_INVALID, "share %zu is for %s "
			    "recipient %.64s", i + 1, j < 0 ? "unknown" : "repeated",
			    shares[i].recipient);
			free(seen);
			free(slot);
			return st->code;
		}
		seen[j] = 1;
		slot[i] = j;
	}
	free(seen);
	if (frame != NULL && *frame != NULL &&
	    movable_in_place(se, shares, slot, *frame, frame_len)) {
		for (i = 0; i < se->p.n; i++)
			memmove(*frame + i * se->ct_len, shares[i].ct, se->ct_len);
		/* Give back the frame's tail; keeping it whole is harmless. */
		if ((block = realloc(*frame, bytes)) == NULL)
			block = *frame;
		*frame = NULL;
	} else if ((block = malloc(bytes)) != NULL) {
		for (i = 0; i < se->p.n; i++)
			memcpy(block + (size_t)slot[i] * se->ct_len, shares[i].ct,
			    se->ct_len);
	}
	free(slot);
	if (block == NULL)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	*blockp = block;
	return SS_OK;
}

/*
 * Whether sender's block of shares may be added to se: OK with *duplicate
 * set when the very same block is already in.
 */
static int
check_shares(const struct store *s, const struct session *se, uint32_t sender,
    const uint8_t *block, int *duplicate, struct ss_error *st)
{
	uint64_t bytes = (uint64_t)se->p.n * se->ct_len;

	*duplicate = 0;
	if (se->shares[sender] != NULL) {
		if (memcmp(se->shares[sender], block, bytes) != 0)
			return ss_error_set(st, SS_ERR_EXISTS, "%s already "
			    "submitted different shares to session %s",
			    se->p.parties[sender], se->p.id);
		*duplicate = 1;
		return ss_error_set(st, SS_OK, "%s", "");
	}
	if (se->phase != PHASE_SHARING)
		return phase_refusal(se, st);
	if (s->stored_bytes + bytes > s->lim.max_stored_bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "the server holds "
		    "its limit of %llu bytes", (unsigned long long)s->lim.max_stored_bytes);
	return SS_OK;
}

/* Adds the block that check_shares passed; the store owns it from now on. */
static void
add_shares(struct store *s, struct session *se, uint32_t sender, uint8_t *block)
{
	se->shares[sender] = block;
	s->stored_bytes += (uint64_t)se->p.n * se->ct_len;
	if (session_count_shared(se) == se->p.n)
		fix_cohort(se);
	s->version++;
}

int
store_submit_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, int *duplicate, struct ss_error *st)
{
	struct session *se;
	struct ss_error e;
	uint8_t *block = NULL;
	uint64_t seq = 0;
	long me;
	size_t i;

	*duplicate = 0;
	if (lookup(s, caller, session_id, party, now, &se, &me, st) != SS_OK)
		return st->code;
	/* lookup() set se: it returned SS_OK (another file). */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	if (nshares != se->p.n)
		return ss_error_set(st, SS_ERR_INVALID, "expected %u shares, "
		    "one for every party, got %zu", se->p.n, nshares);
	for (i = 0; i < nshares; i++)
		if (shares[i].ct_len != se->ct_len)
			return ss_error_set(st, SS_ERR_INVALID, "share %zu has "
			    "%zu bytes; length %u needs %zu", i + 1,
			    shares[i].ct_len, se->p.length, se->ct_len);
	if (build_block(se, shares, frame, frame_len, &block, st) != SS_OK ||
	    block == NULL)
		return st->code;
	if (check_shares(s, se, (uint32_t)me, block, duplicate, st) != SS_OK ||
	    *duplicate) {
		free(block);
		return st->code;
	}
	if (s->log.ops != NULL && !logged(s, s->log.ops->submit(s->log.ctx, se,
	    (uint32_t)me, block, &seq, &e), &seq)) {
		free(block);
		return log_failed(&e, st);
	}
	add_shares(s, se, (uint32_t)me, block);
	return ss_error_set(st, SS_OK, "%s", "");
}

static int
require_aggregating(const struct session *se, struct ss_error *st)
{
	if (se->phase == PHASE_AGGREGATING || se->phase == PHASE_COMPLETE)
		return SS_OK;
	return phase_refusal(se, st);
}

int
store_get_share(struct store *s, const char *caller, const char *session_id,
    const char *party, uint64_t now, struct session **sep, uint32_t *recipient,
    struct ss_error *st)
{
	long me;

	if (lookup(s, caller, session_id, party, now, sep, &me, st) != SS_OK)
		return st->code;
	if (require_aggregating(*sep, st) != SS_OK)
		return st->code;
	/* lookup() set me: it returned SS_OK (another file). */
	/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign) */
	*recipient = (uint32_t)me;
	return ss_error_set(st, SS_OK, "%s", "");
}

static void
update_complete(struct session *se)
{
	uint32_t i;

	for (i = 0; i < se->p.n; i++)
		if (se->in_cohort[i] && se->sumpoints[i] == NULL)
			return;
	se->phase = PHASE_COMPLETE;
}

int
store_post_sumpoint(struct store *s, const char *caller, const char *session_id,
    const char *party, const uint64_t *values, size_t nvalues, uint64_t now,
    int *duplicate, struct ss_error *st)
{
	return store_post_sumpoint_in_place(s, caller, session_id, party, values,
	    nvalues, NULL, now, duplicate, st);
}

/*
 * Whether party's sumpoint values may be added to se: OK with *duplicate
 * set when the very same values are already in.
 */
static int
check_sumpoint(const struct store *s, const struct session *se, uint32_t party,
    const uint64_t *values, size_t nvalues, int *duplicate, struct ss_error *st)
{
	uint64_t bytes = (uint64_t)nvalues * sizeof(*values);
	size_t i;

	*duplicate = 0;
	if (require_aggregating(se, st) != SS_OK)
		return st->code;
	if (nvalues != se->p.length)
		return ss_error_set(st, SS_ERR_INVALID, "a sumpoint has %u "
		    "values in session %s, got %zu", se->p.length, se->p.id, nvalues);
	for (i = 0; i < nvalues; i++)
		if (values[i] >= FIELD_P)
			return ss_error_set(st, SS_ERR_INVALID, "sumpoint value "
			    "%zu is not below 2^61-1", i + 1);
	if (se->sumpoints[party] != NULL) {
		if (memcmp(se->sumpoints[party], values, bytes) != 0)
			return ss_error_set(st, SS_ERR_EXISTS, "%s already posted "
			    "a different sumpoint to session %s",
			    se->p.parties[party], se->p.id);
		*duplicate = 1;
		return ss_error_set(st, SS_OK, "%s", "");
	}
	if (s->stored_bytes + bytes > s->lim.max_stored_bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "the server holds "
		    "its limit of %llu bytes", (unsigned long long)s->lim.max_stored_bytes);
	return SS_OK;
}

/* Adds the values that check_sumpoint passed; the store owns v from now on. */
static void
add_sumpoint(struct store *s, struct session *se, uint32_t party, uint64_t *v)
{
	se->sumpoints[party] = v;
	s->stored_bytes += (uint64_t)se->p.length * sizeof(*v);
	update_complete(se);
	s->version++;
}

int
store_post_sumpoint_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint8_t **frame, uint64_t now, int *duplicate,
    struct ss_error *st)
{
	struct session *se;
	struct ss_error e;
	uint64_t *v, bytes, seq = 0;
	long me;

	*duplicate = 0;
	if (lookup(s, caller, session_id, party, now, &se, &me, st) != SS_OK)
		return st->code;
	/* lookup() set se: it returned SS_OK (another file). */
	/* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage) */
	if (check_sumpoint(s, se, (uint32_t)me, values, nvalues, duplicate,
	    st) != SS_OK || *duplicate)
		return st->code;
	bytes = (uint64_t)nvalues * sizeof(*v);
	if (frame != NULL && *frame != NULL && (const void *)values == *frame) {
		/* Give back the frame's tail; keeping it whole is harmless. */
		if ((v = realloc(*frame, bytes)) == NULL)
			v = (uint64_t *)*frame;
		*frame = NULL;
		values = v;
	} else if ((v = malloc(bytes)) != NULL) {
		memcpy(v, values, bytes);
	} else {
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	}
	if (s->log.ops != NULL && !logged(s, s->log.ops->sumpoint(s->log.ctx,
	    se, (uint32_t)me, values, &seq, &e), &seq)) {
		free(v);
		return log_failed(&e, st);
	}
	add_sumpoint(s, se, (uint32_t)me, v);
	return ss_error_set(st, SS_OK, "%s", "");
}

int
store_read(struct store *s, const char *caller, const char *session_id,
    uint64_t now, struct session **sep, struct ss_error *st)
{
	long me;

	if (lookup(s, caller, session_id, NULL, now, sep, &me, st) != SS_OK)
		return st->code;
	return ss_error_set(st, SS_OK, "%s", "");
}

const struct key_entry *
store_get_key(const struct store *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, name) == 0)
			return &s->keys[i];
	return NULL;
}

void
store_drop_key(struct store *s, const char *name)
{
	struct key_entry *e = (struct key_entry *)store_get_key(s, name);

	if (e == NULL)
		return;
	s->stored_bytes -= e->der_len;
	free(e->der);
	*e = s->keys[--s->nkeys];
	s->version++;
}

/*
 * A copy of der, and room for it in the directory (a new entry when old,
 * the certificate it replaces, is NULL), so that adding it cannot fail once
 * its record is logged; NULL with st saying why.
 */
static uint8_t *
new_key(struct store *s, const struct key_entry *old, const uint8_t *der,
    size_t der_len, struct ss_error *st)
{
	struct key_entry *v;
	uint8_t *copy;

	if (old == NULL && s->nkeys >= s->lim.max_keys) {
		ss_error_set(st, SS_ERR_EXHAUSTED, "the key directory holds its "
		    "limit of %u keys", s->lim.max_keys);
		return NULL;
	}
	if (s->stored_bytes + der_len > s->lim.max_stored_bytes) {
		ss_error_set(st, SS_ERR_EXHAUSTED, "the server holds its limit "
		    "of %llu bytes", (unsigned long long)s->lim.max_stored_bytes);
		return NULL;
	}
	if (old == NULL) {
		if ((v = realloc(s->keys, (s->nkeys + 1) * sizeof(*v))) == NULL) {
			ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
			return NULL;
		}
		s->keys = v;
	}
	if ((copy = malloc(der_len)) == NULL)
		ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	else
		memcpy(copy, der, der_len);
	return copy;
}

/* Stores copy (from new_key) under name, in place of the certificate at e if any. */
static void
add_key(struct store *s, struct key_entry *e, const char *name, uint8_t *copy,
    size_t der_len)
{
	if (e == NULL) {
		e = &s->keys[s->nkeys++];
		snprintf(e->name, sizeof(e->name), "%s", name);
	} else {
		s->stored_bytes -= e->der_len;
		free(e->der);
	}
	e->der = copy;
	e->der_len = der_len;
	s->stored_bytes += der_len;
	s->version++;
}

/* Stores a copy of der under name, replacing any older certificate at e. */
static int
set_key(struct store *s, struct key_entry *e, const char *name,
    const uint8_t *der, size_t der_len, struct ss_error *st)
{
	struct ss_error err;
	uint8_t *copy;
	uint64_t seq = 0;

	if ((copy = new_key(s, e, der, der_len, st)) == NULL)
		return st->code;
	if (s->log.ops != NULL && !logged(s, s->log.ops->key(s->log.ctx, name,
	    der, der_len, &seq, &err), &seq)) {
		free(copy);
		return log_failed(&err, st);
	}
	add_key(s, e, name, copy, der_len);
	return ss_error_set(st, SS_OK, "%s", "");
}

static int
check_key(const struct store *s, const char *name, size_t der_len,
    struct ss_error *st)
{
	if (!name_valid(name))
		return ss_error_set(st, SS_ERR_INVALID, "invalid party name");
	if (der_len == 0 || der_len > s->lim.max_cert_bytes)
		return ss_error_set(st, SS_ERR_INVALID, "a certificate must be "
		    "1 to %u bytes", s->lim.max_cert_bytes);
	return SS_OK;
}

int
store_put_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, int *duplicate, struct ss_error *st)
{
	struct key_entry *e;

	*duplicate = 0;
	if (check_key(s, name, der_len, st) != SS_OK)
		return st->code;
	e = (struct key_entry *)store_get_key(s, name);
	if (e != NULL) {
		if (e->der_len != der_len || memcmp(e->der, der, der_len) != 0)
			return ss_error_set(st, SS_ERR_EXISTS, "%s already has "
			    "a different encryption-key certificate on this server",
			    name);
		*duplicate = 1;
		return ss_error_set(st, SS_OK, "%s", "");
	}
	return set_key(s, NULL, name, der, der_len, st);
}

int
store_replace_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, int *replaced, struct ss_error *st)
{
	struct key_entry *e;

	*replaced = 0;
	if (check_key(s, name, der_len, st) != SS_OK)
		return st->code;
	e = (struct key_entry *)store_get_key(s, name);
	if (e != NULL && e->der_len == der_len && memcmp(e->der, der, der_len) == 0)
		return ss_error_set(st, SS_OK, "%s", "");
	*replaced = e != NULL;
	return set_key(s, e, name, der, der_len, st);
}

/* ---- replay ------------------------------------------------------------ */

/*
 * A replayed change of party's that the store's rules refuse (in the rule's
 * words), or that it holds already (dup): the journal records a change once.
 */
static int
refused(struct ss_error *e, const struct ss_error *st, int dup, const char *what,
    const struct session *se, uint32_t party)
{
	return ss_error_set(e, SS_ERR_INVALID, "%s of %s in %s cannot be "
	    "applied: %s", what, se->p.parties[party], se->p.id,
	    dup ? "duplicate" : st->msg);
}

/* A malloc'd copy of the n bytes at p, or NULL. */
static void *
copy_of(const void *p, size_t n)
{
	void *c = malloc(n > 0 ? n : 1);

	if (c != NULL && n > 0)
		memcpy(c, p, n);
	return c;
}

/* The session a replayed change is for, and the party it names. */
static int
replay_target(struct store *s, const char *session_id, uint32_t party,
    struct session **sep, struct ss_error *e)
{
	if ((*sep = store_find(s, session_id)) == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no session %.64s",
		    session_id);
	if (party >= (*sep)->p.n)
		return ss_error_set(e, SS_ERR_INVALID, "session %s has no party "
		    "%u", session_id, party);
	return SS_OK;
}

int
store_apply_create(struct store *s, const struct session_params *p,
    uint64_t created_unix, uint64_t deadline_unix, struct ss_error *e)
{
	struct ss_error st = { SS_OK, "" };
	struct session *se;

	if (store_check_params(s, p, &st) == SS_OK && store_find(s, p->id) != NULL)
		ss_error_set(&st, SS_ERR_EXISTS, "it exists");
	if (st.code != SS_OK || (se = new_session(s, p, created_unix, &st)) == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "session %.64s cannot be "
		    "created again: %s", p->id, st.msg);
	if (se->deadline_unix != deadline_unix) {
		session_free(se);
		return ss_error_set(e, SS_ERR_INVALID, "session %s cannot be "
		    "created again: its deadline differs", p->id);
	}
	add_session(s, se);
	return SS_OK;
}

int
store_apply_submit(struct store *s, const char *session_id, uint32_t sender,
    const uint8_t *block, size_t block_len, struct ss_error *e)
{
	struct session *se;
	struct ss_error st;
	uint8_t *copy;
	int rc, dup;

	if ((rc = replay_target(s, session_id, sender, &se, e)) != SS_OK)
		return rc;
	if (block_len != (uint64_t)se->p.n * se->ct_len)
		return ss_error_set(e, SS_ERR_INVALID, "shares of %s in %s are "
		    "%zu bytes, not %u of %zu", se->p.parties[sender], se->p.id,
		    block_len, se->p.n, se->ct_len);
	if (check_shares(s, se, sender, block, &dup, &st) != SS_OK || dup)
		return refused(e, &st, dup, "shares", se, sender);
	if ((copy = copy_of(block, block_len)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	add_shares(s, se, sender, copy);
	return SS_OK;
}

int
store_apply_close(struct store *s, const char *session_id, struct ss_error *e)
{
	struct session *se;
	int rc;

	/* Party 0: every session has one. */
	if ((rc = replay_target(s, session_id, 0, &se, e)) != SS_OK)
		return rc;
	/* Only a deadline ends a sharing phase. */
	if (se->phase != PHASE_SHARING || se->deadline_unix == 0)
		return ss_error_set(e, SS_ERR_INVALID, "session %s is not sharing "
		    "until a deadline", se->p.id);
	close_sharing(s, se);
	return SS_OK;
}

int
store_apply_sumpoint(struct store *s, const char *session_id, uint32_t party,
    const uint64_t *values, size_t nvalues, struct ss_error *e)
{
	struct session *se;
	struct ss_error st;
	uint64_t *copy;
	int rc, dup;

	if ((rc = replay_target(s, session_id, party, &se, e)) != SS_OK)
		return rc;
	if (check_sumpoint(s, se, party, values, nvalues, &dup, &st) != SS_OK ||
	    dup)
		return refused(e, &st, dup, "the sumpoint", se, party);
	if ((copy = copy_of(values, nvalues * sizeof(*copy))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	add_sumpoint(s, se, party, copy);
	return SS_OK;
}

int
store_apply_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, struct ss_error *e)
{
	struct key_entry *old;
	struct ss_error st;
	uint8_t *copy;

	if (check_key(s, name, der_len, &st) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "key of %.64s cannot be "
		    "applied: %s", name, st.msg);
	old = (struct key_entry *)store_get_key(s, name);
	/* As store_replace_key: the same certificate again changes nothing. */
	if (old != NULL && old->der_len == der_len &&
	    memcmp(old->der, der, der_len) == 0)
		return SS_OK;
	if ((copy = new_key(s, old, der, der_len, &st)) == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "key of %s cannot be "
		    "applied: %s", name, st.msg);
	add_key(s, old, name, copy, der_len);
	return SS_OK;
}
