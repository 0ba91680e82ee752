/*
 * store.c: the server's sessions and key directory, and the rules of the
 * protocol's phases. See store.h.
 */
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "change.h"
#include "err.h"
#include "field.h"
#include "frame.h"
#include "keys.h"
#include "lifecycle.h"
#include "membership.h"
#include "record.h"
#include "sealed.h"
#include "session_names.h"
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
	lim->max_sessions_per_party = 256;
	lim->max_bytes_per_party = UINT64_C(1) << 30;
	lim->session_ttl = STORE_DEFAULT_SESSION_TTL;
}

struct store *
store_new(const struct store_limits *lim)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (session_names_init(s) != SS_OK) {
		free(s);
		return NULL;
	}
	if (quota_init(&s->quotas) != SS_OK) {
		session_names_free(s);
		free(s);
		return NULL;
	}
	if (membership_init(&s->members) != SS_OK ||
	    store_keys_init(s) != SS_OK) {
		membership_free(&s->members);
		quota_free(&s->quotas);
		session_names_free(s);
		free(s);
		return NULL;
	}
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
	/*
	 * A response may still send from one: the last unpin frees it. The
	 * server is stopping and takes nothing more in, so no charge.
	 */
	for (i = 0; i < s->nsessions; i++)
		session_drop(s->sessions[i], NULL);
	store_keys_free(s);
	free(s->sessions);
	session_names_free(s);
	quota_free(&s->quotas);
	membership_free(&s->members);
	free(s);
}

struct session *
store_find(struct store *s, const char *id)
{
	return session_index_find(&s->index, id);
}

/* Ends the sharing phase now, as its deadline does. */
static void
close_sharing(struct store *s, struct session *se)
{
	size_t k;

	k = session_count_shared(se);
	if (k >= session_min_cohort(se)) {
		change_fix_cohort(se);
	} else {
		se->phase = PHASE_FAILED;
		snprintf(se->fail_reason, sizeof(se->fail_reason),
		    "the sharing deadline passed with %zu of %u parties' shares in; "
		    "%s %u needs at least %u", k, se->p.n, se->p.v2 ?
		    "min_cohort" : "threshold", se->p.v2 ? se->p.min_cohort :
		    se->p.threshold, session_min_cohort(se));
	}
	s->version++;
	record_changed(s, se, 0);
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
	    !record_logged(s, s->log.ops->close(s->log.ctx, se, &seq, &e), &seq))
		return;
	close_sharing(s, se);
}

/*
 * When se next needs the tick: the end of its sharing phase or its drop
 * after the TTL, whichever comes first; UINT64_MAX: neither.
 */
static uint64_t
session_due(const struct store *s, const struct session *se)
{
	uint64_t due = lifecycle_expires(s, se);

	if (due == 0)
		due = UINT64_MAX;
	if (se->phase == PHASE_SHARING && se->deadline_unix != 0 &&
	    se->deadline_unix < due)
		due = se->deadline_unix;
	return due;
}

/* The store's next due time, lowered to se's if that comes first. */
static void
note_due(struct store *s, const struct session *se)
{
	uint64_t due = session_due(s, se);

	if (due < s->next_due)
		s->next_due = due;
}

void
store_tick(struct store *s, uint64_t now)
{
	size_t i;

	s->now = now;
	if (s->boot_unix == 0)
		s->boot_unix = now;
	if (now < s->next_due && s->due_ttl == s->lim.session_ttl)
		return;
	for (i = 0; i < s->nsessions; i++)
		session_tick(s, s->sessions[i], now);
	lifecycle_expire(s, now);
	/* A change whose record failed leaves its session due now: tried again. */
	s->next_due = UINT64_MAX;
	s->due_ttl = s->lim.session_ttl;
	for (i = 0; i < s->nsessions; i++)
		note_due(s, s->sessions[i]);
}

/* The rules that tell the two versions apart. */
static int
check_version(const struct session_spec *p, struct ss_error *st)
{
	if (!p->v2 && (p->min_cohort != 0 || p->deadline_unix != 0))
		return ss_error_set(st, SS_ERR_INVALID, "min_cohort and "
		    "deadline_unix are parameters of protocol version 2: they "
		    "need a nonce");
	if (p->v2 && p->deadline_seconds != 0)
		return ss_error_set(st, SS_ERR_INVALID, "a session of protocol "
		    "version 2 has an absolute deadline (deadline_unix), not "
		    "deadline_seconds");
	return p->v2 ? session_check_v2(p, st) : SS_OK;
}

int
store_check_params(const struct store *s, const struct session_spec *p,
    struct ss_error *st)
{
	uint32_t i;
	uint64_t need, total;

	if (!session_id_valid(p->id))
		return ss_error_set(st, SS_ERR_INVALID, "session id must be NAME "
		    "or CREATOR/NAME, each 1-64 characters of A-Z a-z 0-9 . _ - "
		    "and not starting with . or -");
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
	if (check_version(p, st) != SS_OK)
		return st->code;
	if (!frame_session_fits(p->n, p->length, s->lim.max_message, &need) ||
	    (p->v2 && (need += statements_max_message(p->n)) >
	    s->lim.max_message))
		return ss_error_set(st, SS_ERR_EXHAUSTED, "a session of %u "
		    "parties and length %u needs messages of %llu bytes, over the "
		    "server's frame limit of %llu", p->n, p->length,
		    (unsigned long long)need,
		    (unsigned long long)s->lim.max_message);
	total = (uint64_t)p->n * p->n * sealed_len(p->length) +
	    (uint64_t)p->n * p->length * 8 +
	    (p->v2 ? statements_max_bytes(p->n) : 0);
	if (total > s->lim.max_stored_bytes)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "a session of %u "
		    "parties and length %u would hold more than the server's "
		    "limit of %llu bytes", p->n, p->length,
		    (unsigned long long)s->lim.max_stored_bytes);
	return SS_OK;
}

static int
same_params(const struct session_spec *a, const struct session_spec *b)
{
	return a->n == b->n && a->threshold == b->threshold &&
	    a->length == b->length && a->decimals == b->decimals &&
	    a->deadline_seconds == b->deadline_seconds && a->v2 == b->v2 &&
	    a->min_cohort == b->min_cohort &&
	    a->deadline_unix == b->deadline_unix &&
	    memcmp(a->nonce, b->nonce, sizeof(a->nonce)) == 0 &&
	    memcmp(a->parties, b->parties, (size_t)a->n * NAME_BUF) == 0;
}

/* Room for one more session, so that adding it cannot fail once its record is logged. */
static int
reserve_session(struct store *s)
{
	struct session **v;
	size_t cap = s->sessions_cap ? s->sessions_cap * 2 : 16;

	/* Doubling: one realloc per create would copy the array each time. */
	if (s->nsessions == s->sessions_cap) {
		/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if (cap > SIZE_MAX / sizeof(*v))
			return SS_ERR_ALLOC;
		/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if ((v = realloc(s->sessions, cap * sizeof(*v))) == NULL)
			return SS_ERR_ALLOC;
		s->sessions = v;
		s->sessions_cap = cap;
	}
	return session_names_reserve(s);
}

/*
 * Puts se, whose room is reserved (reserve_session, membership_reserve),
 * in the store: its place in creation order, its indexes, its bytes and
 * its quotas, and its due time.
 */
static void
enter_session(struct store *s, struct session *se)
{
	s->sessions[s->nsessions++] = se;
	membership_add(&s->members, se);
	session_names_add(s, se);
	s->stored_bytes += session_bytes(se);
	s->meta_bytes += session_meta_bytes(se);
	quota_add_session(&s->quotas, se);
	note_due(s, se);
}

int
store_adopt_session(struct store *s, struct session *se)
{
	if (reserve_session(s) != SS_OK)
		return SS_ERR_ALLOC;
	if (membership_reserve(&s->members, se) != SS_OK) {
		membership_unreserve(&s->members, se);
		return SS_ERR_ALLOC;
	}
	enter_session(s, se);
	return SS_OK;
}

/* Frees se, which new_session made and the store never added. */
static void
discard_session(struct store *s, struct session *se)
{
	membership_unreserve(&s->members, se);
	session_free(se);
}

/*
 * A new session of params p created at now, not yet added (free it with
 * discard_session), or NULL with st saying why: the checks that do not
 * depend on who asks (p itself passed store_check_params, and no session
 * has its id).
 */
static struct session *
new_session(struct store *s, const struct session_spec *p, uint64_t now,
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
	if (membership_reserve(&s->members, se) != SS_OK) {
		discard_session(s, se);
		ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
		return NULL;
	}
	se->created_unix = now;
	if (p->v2)
		se->deadline_unix = p->deadline_unix;
	else
		se->deadline_unix = p->deadline_seconds ? now + p->deadline_seconds : 0;
	return se;
}

/*
 * Adds se, which new_session made (its room is reserved), counted against
 * its creator (whose entry creator_room made, live).
 */
static void
add_session(struct store *s, struct session *se)
{
	enter_session(s, se);
	s->version++;
	record_changed(s, se, 1);
}

/*
 * Whether the caller has room for one more open session; its entry is made
 * now, so that counting the session cannot fail once its creation is
 * logged. SS_OK, or st saying which limit.
 */
static int
creator_room(struct store *s, const char *caller, struct ss_error *st)
{
	const struct quota_use *u;

	if ((u = quota_get(&s->quotas, caller)) == NULL)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	if (u->sessions >= s->lim.max_sessions_per_party)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "%s has %u sessions "
		    "held (created by it, in any phase, not yet deleted or "
		    "expired), the server's limit per party "
		    "(--max-sessions-per-party %u); delete one it no longer needs "
		    "(mpc-client delete) or wait for --session-ttl", caller,
		    u->sessions, s->lim.max_sessions_per_party);
	return SS_OK;
}

int
store_create(struct store *s, const char *caller, const struct session_spec *p,
    uint64_t now, int *created, uint64_t *deadline_unix, struct ss_error *st)
{
	struct session *se;
	struct ss_error e;
	uint64_t seq = 0;
	uint32_t i;

	*created = 0;
	/*
	 * The namespace and membership first, from p alone, so that nobody
	 * learns which ids exist: only the caller creates in its namespace.
	 */
	if (store_check_params(s, p, st) != SS_OK ||
	    session_names_may_create(caller, p->id, st) != SS_OK)
		return st->code;
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
	if (p->v2 && p->deadline_unix != 0 && (p->deadline_unix <= now ||
	    p->deadline_unix - now > s->lim.max_deadline_seconds))
		return ss_error_set(st, SS_ERR_INVALID, "deadline_unix %llu must "
		    "lie ahead of the server's clock (%llu) by at most %u "
		    "seconds", (unsigned long long)p->deadline_unix,
		    (unsigned long long)now, s->lim.max_deadline_seconds);
	if (creator_room(s, caller, st) != SS_OK ||
	    (se = new_session(s, p, now, st)) == NULL)
		return st->code;
	/* Its bookkeeping, whatever it will hold (not --max-stored-bytes). */
	if (record_budget_room(s, session_meta_bytes(se), st) != SS_OK) {
		discard_session(s, se);
		return st->code;
	}
	/* A party's name (checked above): it fits, NUL and all. */
	memcpy(se->creator, caller, strnlen(caller, NAME_MAX_LEN));
	if (s->log.ops != NULL &&
	    !record_logged(s, s->log.ops->create(s->log.ctx, se, &seq, &e), &seq)) {
		discard_session(s, se);
		return record_failed(&e, st);
	}
	add_session(s, se);
	*created = 1;
	*deadline_unix = se->deadline_unix;
	return ss_error_set(st, SS_OK, "%s", "");
}

/*
 * Finds the session among the caller's (session_names.h: another's is not
 * found) and checks that `party`, when given, is the caller: identity
 * comes from the certificate.
 */
static int
lookup(struct store *s, const char *caller, const char *session_id,
    const char *party, uint64_t now, struct session **sep, long *idx,
    struct ss_error *st)
{
	struct session *se;

	/* Checks before the lookup depend on the request alone. */
	if (!session_id_valid(session_id))
		return ss_error_set(st, SS_ERR_INVALID, "invalid session id");
	if (party != NULL && strcmp(party, caller) != 0)
		return ss_error_set(st, SS_ERR_DENIED, "%s may not act for "
		    "party %.64s", caller, party);
	if ((se = session_names_resolve(s, caller, session_id, st)) == NULL)
		return st->code;
	*idx = session_party_index(se, caller);
	session_tick(s, se, now);
	*sep = se;
	return SS_OK;
}

/* ---- signed changes ---------------------------------------------------- */

/*
 * A live change's start: caller's session (of version 2 for a statement
 * alone) and position, and its statement taken (statements_take). The
 * session, also in ch->se; NULL when refused (st says why).
 */
static struct session *
change_begin(struct store *s, const char *caller, const char *session_id,
    const char *party, uint64_t now, const struct store_signed *sg,
    struct change *ch, struct ss_error *st)
{
	struct session *se = NULL;
	long me = 0;

	memset(&ch->h, 0, sizeof(ch->h));
	/* se tested too: lookup's codes come from another file. */
	if (lookup(s, caller, session_id, party, now, &se, &me, st) != SS_OK ||
	    se == NULL)
		return NULL;
	ch->se = se;
	ch->party = (uint32_t)me;
	if (ch->kind == CHANGE_STATEMENT && !se->p.v2) {
		ss_error_set(st, SS_ERR_INVALID, "session %s is of protocol "
		    "version 1 (created without a nonce): its cohort is not "
		    "signed", se->p.id);
		return NULL;
	}
	if (statements_take(se, ch->party, ch->type, sg, &ch->h, &ch->stmt,
	    &ch->news, st) != SS_OK)
		return NULL;
	if (ch->news == STATEMENTS_CONFLICT) {
		(void)change_keep_conflict(s, ch, st);
		return NULL;
	}
	return se;
}

/* ---- submissions ----------------------------------------------------------- */

int
store_submit(struct store *s, const char *caller, const char *session_id,
    const char *party, const struct submitted_share *shares, size_t nshares,
    uint64_t now, int *duplicate, struct ss_error *st)
{
	return store_submit_signed(s, caller, session_id, party, shares,
	    nshares, NULL, 0, now, NULL, duplicate, st);
}

int
store_submit_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, int *duplicate, struct ss_error *st)
{
	return store_submit_signed(s, caller, session_id, party, shares,
	    nshares, frame, frame_len, now, NULL, duplicate, st);
}

/*
 * Whether sender's block of shares, with stmt_bytes of statement, may be
 * added to se: OK with *duplicate set when the very same block is already
 * in.
 */
static int
check_shares(const struct store *s, const struct session *se, uint32_t sender,
    const uint8_t *block, uint64_t stmt_bytes, int *duplicate,
    struct ss_error *st)
{
	uint64_t bytes = (uint64_t)se->p.n * se->ct_len;

	if (change_check_held(se, sender, se->shares[sender], block, bytes,
	    "submitted different shares", duplicate, st) != SS_OK || *duplicate)
		return st->code;
	if (se->phase != PHASE_SHARING)
		return session_phase_refusal(se, st);
	return record_room(s, bytes + stmt_bytes, st);
}

/* The shares of a submission, checked one by one, into their block. */
static int
submission_block(const struct session *se, const struct submitted_share *shares,
    size_t nshares, uint8_t **frame, size_t frame_len, uint8_t **block,
    struct ss_error *st)
{
	size_t i;

	*block = NULL;
	if (nshares != se->p.n)
		return ss_error_set(st, SS_ERR_INVALID, "expected %u shares, "
		    "one for every party, got %zu", se->p.n, nshares);
	for (i = 0; i < nshares; i++)
		if (shares[i].ct_len != se->ct_len)
			return ss_error_set(st, SS_ERR_INVALID, "share %zu has "
			    "%zu bytes; length %u needs %zu", i + 1,
			    shares[i].ct_len, se->p.length, se->ct_len);
	return session_build_block(se, shares, frame, frame_len, block, st);
}

int
store_submit_signed(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, const struct store_signed *sg,
    int *duplicate, struct ss_error *st)
{
	struct change ch = { .kind = CHANGE_SHARES, .type = STATEMENT_SUBMIT };
	uint8_t *block = NULL;

	*duplicate = 0;
	/* Before the block: shares read in place may move within the frame. */
	if (change_begin(s, caller, session_id, party, now, sg, &ch,
	    st) == NULL)
		return st->code;
	if (submission_block(ch.se, shares, nshares, frame, frame_len, &block,
	    st) == SS_OK && block != NULL &&
	    (ch.h.body == NULL || ch.news != STATEMENTS_NEW ||
	    statements_check_submit(ch.se, ch.party, &ch.stmt, block,
	    st) == SS_OK) &&
	    check_shares(s, ch.se, ch.party, block, held_statement_bytes(&ch.h),
	    duplicate, st) == SS_OK && !*duplicate &&
	    change_room(s, ch.se, ch.party, (uint64_t)ch.se->p.n * ch.se->ct_len +
	    held_statement_bytes(&ch.h), st) == SS_OK &&
	    change_commit(s, &ch, block, st))
		return SS_OK;
	bigmem_free(block);
	held_statement_free(&ch.h);
	return st->code;
}

static int
require_aggregating(const struct session *se, struct ss_error *st)
{
	if (se->phase == PHASE_AGGREGATING || se->phase == PHASE_COMPLETE)
		return SS_OK;
	return session_phase_refusal(se, st);
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

/* ---- sumpoints ------------------------------------------------------------- */

int
store_post_sumpoint(struct store *s, const char *caller, const char *session_id,
    const char *party, const uint64_t *values, size_t nvalues, uint64_t now,
    int *duplicate, struct ss_error *st)
{
	return store_post_sumpoint_signed(s, caller, session_id, party, values,
	    nvalues, NULL, now, NULL, duplicate, st);
}

int
store_post_sumpoint_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint8_t **frame, uint64_t now, int *duplicate,
    struct ss_error *st)
{
	return store_post_sumpoint_signed(s, caller, session_id, party, values,
	    nvalues, frame, now, NULL, duplicate, st);
}

/*
 * Whether party's sumpoint values, with stmt_bytes of statement, may be
 * added to se: OK with *duplicate set when the very same values are
 * already in.
 */
static int
check_sumpoint(const struct store *s, const struct session *se, uint32_t party,
    const uint64_t *values, size_t nvalues, uint64_t stmt_bytes,
    int *duplicate, struct ss_error *st)
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
	if (change_check_held(se, party, se->sumpoints[party], values, bytes,
	    "posted a different sumpoint", duplicate, st) != SS_OK || *duplicate)
		return st->code;
	return record_room(s, bytes + stmt_bytes, st);
}

/*
 * The memory of a sumpoint the store keeps: the frame when the values are
 * its start, else a copy. NULL when out of memory.
 */
static uint64_t *
sumpoint_memory(const uint64_t *values, size_t nvalues, uint8_t **frame)
{
	size_t bytes = nvalues * sizeof(*values);
	uint64_t *v;

	if (frame == NULL || *frame == NULL || (const void *)values != *frame)
		return bigmem_dup(values, bytes, 0);
	/* Give back the frame's tail; keeping it whole is harmless. */
	v = (uint64_t *)(void *)*frame;
	(void)bigmem_resize(v, bytes);
	*frame = NULL;
	return v;
}

int
store_post_sumpoint_signed(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint8_t **frame, uint64_t now,
    const struct store_signed *sg, int *duplicate, struct ss_error *st)
{
	struct change ch = { .kind = CHANGE_SUMPOINT,
	    .type = STATEMENT_SUMPOINT };
	uint64_t *v = NULL;

	*duplicate = 0;
	if (change_begin(s, caller, session_id, party, now, sg, &ch,
	    st) == NULL)
		return st->code;
	if (check_sumpoint(s, ch.se, ch.party, values, nvalues,
	    held_statement_bytes(&ch.h), duplicate, st) == SS_OK && !*duplicate &&
	    (ch.h.body == NULL || statements_check_sumpoint(ch.se, ch.party,
	    &ch.stmt, values, nvalues, st) == SS_OK) &&
	    change_room(s, ch.se, ch.party, (uint64_t)nvalues * sizeof(*values) +
	    held_statement_bytes(&ch.h), st) == SS_OK) {
		if ((v = sumpoint_memory(values, nvalues, frame)) == NULL)
			ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
		else if (change_commit(s, &ch, v, st))
			/* The session holds v now (change_keep). */
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
			return SS_OK;
	}
	bigmem_free(v);
	held_statement_free(&ch.h);
	return st->code;
}

/* ---- cohort signatures (version 2) ----------------------------------------- */

int
store_post_cohort(struct store *s, const char *caller, const char *session_id,
    const char *party, uint64_t now, const struct store_signed *sg,
    int *duplicate, struct ss_error *st)
{
	struct change ch = { .kind = CHANGE_STATEMENT,
	    .type = STATEMENT_COHORT };

	*duplicate = 0;
	if (change_begin(s, caller, session_id, party, now, sg, &ch,
	    st) == NULL)
		return st->code;
	if (ch.news == STATEMENTS_SAME) {
		*duplicate = 1;
		ss_error_set(st, SS_OK, "%s", "");
	} else if (require_aggregating(ch.se, st) == SS_OK &&
	    statements_check_cohort(ch.se, ch.party, &ch.stmt, st) == SS_OK &&
	    record_room(s, held_statement_bytes(&ch.h), st) == SS_OK &&
	    change_room(s, ch.se, ch.party, held_statement_bytes(&ch.h),
	    st) == SS_OK && change_commit(s, &ch, NULL, st))
		return SS_OK;
	held_statement_free(&ch.h);
	return st->code;
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

/* The session a replayed change is for, and the party it names. */
static int
replay_target(struct store *s, const char *session_id, uint32_t party,
    struct session **sep, struct ss_error *e)
{
	if ((*sep = store_find(s, session_id)) == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no session %.129s",
		    session_id);
	if (party >= (*sep)->p.n)
		return ss_error_set(e, SS_ERR_INVALID, "session %s has no party "
		    "%u", session_id, party);
	return SS_OK;
}

/*
 * A replayed change's end: refused, in the words of the rule it broke,
 * unless it passed its checks (ok) and is not held already; else kept, data
 * (bytes long; NULL for a statement alone) copied first.
 */
static int
replay_keep(struct store *s, struct change *ch, int ok, const void *data,
    size_t bytes, const struct ss_error *st, struct ss_error *e)
{
	const char *what = ch->kind == CHANGE_SHARES ? "shares" :
	    ch->kind == CHANGE_SUMPOINT ? "the sumpoint" :
	    statement_type_name(ch->type);
	void *copy = NULL;
	int rc = SS_OK;

	if (!ok || ch->dup)
		rc = refused(e, st, ch->dup, what, ch->se, ch->party);
	else if (data != NULL && (copy = bigmem_dup(data, bytes, 0)) == NULL)
		rc = ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	else
		change_keep(s, ch, copy);
	held_statement_free(&ch->h);
	return rc;
}

/* Sets se's creator, as recorded: 1 when it is one of its parties or "". */
static int
replay_creator(struct session *se, const char *creator)
{
	size_t len = strnlen(creator, sizeof(se->creator));

	if (len == sizeof(se->creator))
		return 0;
	memcpy(se->creator, creator, len + 1);
	return session_creator_valid(se);
}

int
store_apply_create(struct store *s, const struct session_spec *p,
    uint64_t created_unix, uint64_t deadline_unix, const char *creator,
    struct ss_error *e)
{
	struct ss_error st = { SS_OK, "" };
	struct session *se;

	if (store_check_params(s, p, &st) == SS_OK && store_find(s, p->id) != NULL)
		ss_error_set(&st, SS_ERR_EXISTS, "it exists");
	if (st.code != SS_OK || (se = new_session(s, p, created_unix, &st)) == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "session %.129s cannot be "
		    "created again: %s", p->id, st.msg);
	if (se->deadline_unix != deadline_unix) {
		discard_session(s, se);
		return ss_error_set(e, SS_ERR_INVALID, "session %s cannot be "
		    "created again: its deadline differs", p->id);
	}
	/* Only a party creates a session, in its namespace (store_create). */
	if (!replay_creator(se, creator) || (creator[0] != '\0' &&
	    session_id_qualified(p->id) && !session_id_in(p->id, creator))) {
		discard_session(s, se);
		return ss_error_set(e, SS_ERR_INVALID, "session %s: its creator "
		    "%.64s is not one of its parties", p->id, creator);
	}
	add_session(s, se);
	return SS_OK;
}

int
store_apply_submit(struct store *s, const char *session_id, uint32_t sender,
    const uint8_t *block, size_t block_len, struct ss_error *e)
{
	return store_apply_submit_signed(s, session_id, sender, block,
	    block_len, NULL, e);
}

int
store_apply_submit_signed(struct store *s, const char *session_id,
    uint32_t sender, const uint8_t *block, size_t block_len,
    const struct statement_in *in, struct ss_error *e)
{
	struct change ch = { .kind = CHANGE_SHARES, .type = STATEMENT_SUBMIT,
	    .party = sender };
	struct ss_error st;
	int rc, ok;

	if ((rc = replay_target(s, session_id, sender, &ch.se, e)) != SS_OK)
		return rc;
	if (block_len != (uint64_t)ch.se->p.n * ch.se->ct_len)
		return ss_error_set(e, SS_ERR_INVALID, "shares of %s in %s are "
		    "%zu bytes, not %u of %zu", ch.se->p.parties[sender],
		    ch.se->p.id, block_len, ch.se->p.n, ch.se->ct_len);
	if ((rc = statements_replay(ch.se, sender, ch.type, 0, in, &ch.h,
	    &ch.stmt, e)) != SS_OK)
		return rc;
	ok = (ch.h.body == NULL || statements_check_submit(ch.se, sender,
	    &ch.stmt, block, &st) == SS_OK) && check_shares(s, ch.se, sender,
	    block, held_statement_bytes(&ch.h), &ch.dup, &st) == SS_OK;
	return replay_keep(s, &ch, ok, block, block_len, &st, e);
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
	return store_apply_sumpoint_signed(s, session_id, party, values, nvalues,
	    NULL, e);
}

int
store_apply_sumpoint_signed(struct store *s, const char *session_id,
    uint32_t party, const uint64_t *values, size_t nvalues,
    const struct statement_in *in, struct ss_error *e)
{
	struct change ch = { .kind = CHANGE_SUMPOINT,
	    .type = STATEMENT_SUMPOINT, .party = party };
	struct ss_error st;
	int rc, ok;

	if ((rc = replay_target(s, session_id, party, &ch.se, e)) != SS_OK ||
	    (rc = statements_replay(ch.se, party, ch.type, 0, in, &ch.h,
	    &ch.stmt, e)) != SS_OK)
		return rc;
	ok = check_sumpoint(s, ch.se, party, values, nvalues,
	    held_statement_bytes(&ch.h), &ch.dup, &st) == SS_OK && !ch.dup &&
	    (ch.h.body == NULL || statements_check_sumpoint(ch.se, party,
	    &ch.stmt, values, nvalues, &st) == SS_OK);
	return replay_keep(s, &ch, ok, values, nvalues * sizeof(*values), &st,
	    e);
}

/*
 * A replayed statement of type of party's: its COHORT (second 0), or the
 * second statement of a conflict.
 */
static int
apply_statement(struct store *s, const char *session_id, uint32_t party,
    enum statement_type type, int second, const struct statement_in *in,
    struct ss_error *e)
{
	struct change ch = { .kind = CHANGE_STATEMENT, .type = type,
	    .second = second, .party = party };
	struct ss_error st;
	int rc, ok;

	if ((rc = replay_target(s, session_id, party, &ch.se, e)) != SS_OK)
		return rc;
	if (in == NULL || !ch.se->p.v2 || type < STATEMENT_SUBMIT ||
	    type > STATEMENT_SUMPOINT)
		return ss_error_set(e, SS_ERR_INVALID, "session %s takes no "
		    "statement of type %d here", ch.se->p.id, (int)type);
	if ((rc = statements_replay(ch.se, party, type, second, in, &ch.h,
	    &ch.stmt, e)) != SS_OK)
		return rc;
	ok = (second || (require_aggregating(ch.se, &st) == SS_OK &&
	    statements_check_cohort(ch.se, party, &ch.stmt, &st) == SS_OK)) &&
	    record_room(s, held_statement_bytes(&ch.h), &st) == SS_OK;
	return replay_keep(s, &ch, ok, NULL, 0, &st, e);
}

int
store_apply_cohort(struct store *s, const char *session_id, uint32_t party,
    const struct statement_in *in, struct ss_error *e)
{
	return apply_statement(s, session_id, party, STATEMENT_COHORT, 0, in, e);
}

int
store_apply_conflict(struct store *s, const char *session_id, uint32_t party,
    enum statement_type type, const struct statement_in *in,
    struct ss_error *e)
{
	return apply_statement(s, session_id, party, type, 1, in, e);
}
