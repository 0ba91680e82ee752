/*
 * cohort.c: the consistency round: checking the cohort C, signing our
 * COHORT once (recorded first), and waiting for every member's.
 *
 * Statements are compared by content, never by signature (ECDSA signatures
 * are randomized): two members' COHORTs agree when they parse to the same
 * n, bitmap and submits digest, whatever their signer fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "buf.h"
#include "claims.h"
#include "client.h"
#include "cohort.h"
#include "conn.h"
#include "digest.h"
#include "err.h"
#include "output.h"
#include "peers.h"
#include "pstate.h"
#include "records.h"
#include "signer.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

int
cohort_of(const struct wire_names *parties, const struct wire_names *names,
    struct cohort *co, struct ss_error *e)
{
	size_t i;
	int idx;

	memset(co, 0, sizeof(*co));
	if (parties->n > CLIENT_MAX_PARTIES)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "%zu parties",
		    parties->n);
	co->n = (uint32_t)parties->n;
	for (i = 0; i < names->n; i++) {
		if ((idx = claims_index(parties, names->v[i])) < 0)
			return ss_error_set(e, SS_ERR_PROTOCOL, "the server's "
			    "cohort names a party outside the session");
		if (statement_bitmap_has(co->bitmap, co->n, (uint32_t)idx + 1))
			return ss_error_set(e, SS_ERR_PROTOCOL, "the server's "
			    "cohort names %s twice", names->v[i]);
		statement_bitmap_set(co->bitmap, (uint32_t)idx + 1);
		co->size++;
	}
	return SS_OK;
}

int
cohort_same_members(const struct cohort *a, const struct cohort *b)
{
	return a->n == b->n && memcmp(a->bitmap, b->bitmap,
	    statement_bitmap_len(a->n)) == 0;
}

int
cohort_has(const struct cohort *co, uint32_t pos)
{
	return statement_bitmap_has(co->bitmap, co->n, pos);
}

int
cohort_rules(const struct wire_params *p, const struct cohort *co,
    uint32_t self_pos, int shared, uint64_t now, const char *session,
    struct ss_error *e)
{
	if (co->size < p->min_cohort || co->size == 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server's cohort of "
		    "session %s has %zu members, fewer than its min_cohort %u",
		    session, co->size, p->min_cohort);
	if (co->size < co->n && (p->deadline_unix == 0 ||
	    now < p->deadline_unix))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server closed the "
		    "sharing of session %s with %zu of %u parties before its "
		    "deadline (%s on this party's clock)", session, co->size,
		    co->n, p->deadline_unix == 0 ? "it has none" :
		    "not reached yet");
	if (self_pos > 0 && cohort_has(co, self_pos) && !shared)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server's cohort of "
		    "session %s holds this party, which shared no input under "
		    "it", session);
	if (self_pos > 0 && !cohort_has(co, self_pos) && shared)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server's cohort of "
		    "session %s leaves out this party, whose input it recorded "
		    "as shared", session);
	return SS_OK;
}

/* CLOCK_REALTIME, not time(): glibc's time() reads the coarse clock, which
 * can still show the last second a few milliseconds after the server's
 * clock_gettime() has passed the deadline on the same machine. */
static uint64_t
wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
cohort_now(const struct wire_params *p, const struct cohort *co)
{
	uint64_t now_ms = wall_ms(), due_ms;

	/* The server's word: a deadline past any clock's waits for nothing. */
	due_ms = p->deadline_unix <= UINT64_MAX / 1000 ?
	    p->deadline_unix * 1000 : UINT64_MAX;

	if (co->size < co->n && p->deadline_unix != 0 && now_ms < due_ms &&
	    due_ms - now_ms <= COHORT_CLOCK_SLACK * 1000) {
		conn_sleep_ms(due_ms - now_ms);
		now_ms = wall_ms();
	}
	return now_ms / 1000;
}

void
cohort_statement(const struct cohort *co, struct statement *s)
{
	memset(s, 0, sizeof(*s));
	s->type = STATEMENT_COHORT;
	s->n = co->n;
	s->cohort = co->bitmap;
	memcpy(s->submits, co->submits, sizeof(s->submits));
}

int
cohort_digest(const struct cohort *co, const uint8_t *d,
    uint8_t out[STATEMENT_HASH_LEN])
{
	struct statement s;

	if (!co->have_submits)
		return SS_ERR_INVALID;
	cohort_statement(co, &s);
	memcpy(s.d, d, sizeof(s.d));
	return statement_cohort_digest(&s, out);
}

/*
 * The COHORT statements verified in the earlier looks of one round, by
 * position: the SHA-256 of each one's body length, body and signature.
 * GetCohort relays every member's COHORT at each look; one that comes back
 * byte for byte was verified then and is only parsed again.
 */
struct verified {
	uint8_t (*digest)[STATEMENT_HASH_LEN];
	unsigned char *have;
};

/* The SHA-256 of ws as struct verified keeps it. */
static int
relayed_digest(const struct wire_stmt *ws, uint8_t out[STATEMENT_HASH_LEN])
{
	struct digest d;

	if (digest_begin(&d) != SS_OK)
		return SS_ERR_ALLOC;
	buf_put_u64(&d.w, ws->body_len);
	buf_put(&d.w, ws->body, ws->body_len);
	buf_put(&d.w, ws->sig, ws->sig_len);
	return digest_end(&d, out);
}

/*
 * Member pos's statement ws, parsed into s: verified with its signer's
 * certificate unless v (may be NULL) holds it verified already.
 */
static int
member_statement(struct client *c, const struct peers *pc,
    const struct wire_params *p, uint32_t pos, const struct wire_stmt *ws,
    struct verified *v, struct statement *s, struct ss_error *e)
{
	uint8_t h[STATEMENT_HASH_LEN];
	int known, rc;

	known = v != NULL && relayed_digest(ws, h) == SS_OK;
	if (known && v->have[pos - 1] &&
	    memcmp(v->digest[pos - 1], h, sizeof(h)) == 0)
		return statement_parse(ws->body, ws->body_len, s, e);
	if ((rc = peers_verify(c, pc, &p->parties, pos, ws, s, e)) != SS_OK)
		return rc;
	if (known) {
		memcpy(v->digest[pos - 1], h, sizeof(h));
		v->have[pos - 1] = 1;
	}
	return SS_OK;
}

/* One member's COHORT, at list entry ws from party pos: the same as co's. */
static int
check_one(struct client *c, const struct peers *pc,
    const struct wire_params *p, struct cohort *co, uint32_t pos,
    const struct wire_stmt *ws, struct verified *v, struct ss_error *e)
{
	const char *who = p->parties.v[pos - 1];
	struct statement s;
	int rc;

	if ((rc = member_statement(c, pc, p, pos, ws, v, &s, e)) != SS_OK)
		return rc;
	if (s.type != STATEMENT_COHORT)
		return ss_error_set(e, SS_ERR_AUTH, "%s's statement relayed as "
		    "its COHORT is a %s", who, statement_type_name(s.type));
	if (s.n != co->n || memcmp(s.cohort, co->bitmap,
	    statement_bitmap_len(co->n)) != 0)
		return ss_error_set(e, SS_ERR_INCONSISTENT, "%s signed another "
		    "cohort than the one the server fixed", who);
	if (!co->have_submits) {
		memcpy(co->submits, s.submits, sizeof(co->submits));
		co->have_submits = 1;
	} else if (memcmp(s.submits, co->submits, sizeof(co->submits)) != 0)
		return ss_error_set(e, SS_ERR_INCONSISTENT, "%s signed the "
		    "cohort over other SUBMITs of its members: a dealer signed "
		    "two, or the server showed two", who);
	return SS_OK;
}

/* The names of co's members without a COHORT in seen, into buf. */
static void
missing_names(const struct wire_params *p, const struct cohort *co,
    const unsigned char *seen, char *buf, size_t len)
{
	const char **names;
	uint32_t pos;
	size_t k = 0;

	if ((names = calloc(co->n ? co->n : 1, sizeof(*names))) == NULL) {
		snprintf(buf, len, "(out of memory)");
		return;
	}
	for (pos = 1; pos <= co->n; pos++)
		if (cohort_has(co, pos) && !seen[pos - 1])
			names[k++] = p->parties.v[pos - 1];
	out_join_strs(buf, len, names, k, ", ");
	free(names);
}

static int
unanimous(struct client *c, const struct peers *pc,
    const struct wire_params *p, struct cohort *co,
    const struct wire_signed *list, size_t n, struct verified *v,
    struct ss_error *e)
{
	unsigned char *seen;
	char who[512];
	size_t i, count = 0;
	int idx, rc = SS_OK;

	if ((seen = calloc(co->n ? co->n : 1, 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < n && rc == SS_OK; i++) {
		idx = claims_index(&p->parties, list[i].party);
		/* Only members sign; a signature relayed twice counts once. */
		if (idx < 0 || !cohort_has(co, (uint32_t)idx + 1) || seen[idx])
			continue;
		rc = check_one(c, pc, p, co, (uint32_t)idx + 1, &list[i].stmt,
		    v, e);
		seen[idx] = 1;
		count++;
	}
	if (rc == SS_OK && count < co->size) {
		missing_names(p, co, seen, who, sizeof(who));
		rc = ss_error_set(e, SS_ERR_NOT_FOUND, "waiting for the COHORT "
		    "signatures of: %s", who);
	}
	free(seen);
	return rc;
}

int
cohort_unanimous(struct client *c, const struct peers *pc,
    const struct wire_params *p, struct cohort *co,
    const struct wire_signed *list, size_t n, struct ss_error *e)
{
	return unanimous(c, pc, p, co, list, n, NULL, e);
}

int
cohort_fetch(struct client *c, const char *session, struct wire_response *gc,
    struct ss_error *e)
{
	struct wire_request req;

	call_request(&req, WIRE_GET_COHORT, session, NULL);
	return call_get(c, &req, &call_small_limits, gc, e);
}

/* Records our COHORT for co (pstate), then signs it into *mine. */
static int
sign_ours(struct client *c, const char *session, const struct cohort *co,
    struct wire_stmt *mine, struct ss_error *e)
{
	struct statement s;
	int rc;

	if (mine->body != NULL)
		return SS_OK;
	if ((rc = records_open(c, e)) != SS_OK ||
	    (rc = pstate_record_cohort(c->pstate, c->d, session, co->n,
	    co->bitmap, co->submits, e)) != SS_OK)
		return rc;
	cohort_statement(co, &s);
	return signer_make(c, &s, mine, e);
}

/* PostCohort of our statement mine. */
static int
post_ours(struct client *c, const char *session, const struct wire_stmt *mine,
    struct ss_error *e)
{
	struct wire_request req;
	int duplicate = 0;

	call_request(&req, WIRE_POST_COHORT, session, c->party);
	req.stmt = mine;
	return call_change(c, &req, &duplicate, e);
}

/* 1 if the signed list of gc holds a COHORT from party self. */
static int
listed(const struct wire_response *gc, const char *self)
{
	size_t i;

	for (i = 0; i < gc->nsigned; i++)
		if (strcmp(gc->signed_[i].party, self) == 0)
			return 1;
	return 0;
}

/* One look at GetCohort: SS_OK when unanimous, SS_ERR_NOT_FOUND to wait. */
static int
look(struct client *c, const char *session, const struct wire_params *p,
    const struct peers *pc, struct cohort *co, const struct wire_stmt *mine,
    struct verified *v, struct ss_error *e)
{
	struct wire_response gc;
	struct cohort now;
	int rc;

	if ((rc = cohort_fetch(c, session, &gc, e)) != SS_OK)
		return rc;
	if ((rc = cohort_of(&p->parties, &gc.cohort, &now, e)) == SS_OK &&
	    !cohort_same_members(&now, co))
		rc = ss_error_set(e, SS_ERR_PROTOCOL, "the server's cohort of "
		    "session %s changed while the members signed it", session);
	/* Ours is missing (a server restarted from an older state): again. */
	if (rc == SS_OK && mine->body != NULL && !listed(&gc, c->party))
		rc = post_ours(c, session, mine, e);
	if (rc == SS_OK)
		rc = unanimous(c, pc, p, co, gc.signed_, gc.nsigned, v, e);
	wire_response_free(&gc);
	return rc;
}

/*
 * Waits until the session's status shows what a look at GetCohort would
 * find worth the look: every member among the signers, ours not there (to
 * post it again), another cohort (the look refuses it), or the end of our
 * time. Each status is a watch (call_status_wait): one small answer per
 * change of the session, and GetCohort with every member's statement once.
 */
static int
wait_signers(struct client *c, const char *session, const struct cohort *co,
    uint32_t self, uint64_t *delay, struct ss_error *e)
{
	/*
	 * The server holds the watch until every member signed, the phase
	 * moved or a conflict came (the first guesses: AGGREGATING, none;
	 * a wrong guess is answered at once). Ours gone, or another cohort,
	 * take a restart, which ends a watch anyway.
	 */
	struct call_until until = { PHASE_AGGREGATING, (uint32_t)co->size, 0,
	    0 };
	struct wire_response st;
	int rc, go;

	do {
		if ((rc = call_status_until(c, session, &st, CALL_WATCH_MS,
		    delay, &until, e)) != SS_OK)
			return rc;
		go = st.signers.n >= st.cohort.n || st.cohort.n != co->size ||
		    (cohort_has(co, self) &&
		    !wire_names_has(&st.signers, c->party)) ||
		    client_expired(c);
		until.phase = (uint32_t)st.phase;
		until.conflicts = (uint32_t)st.nconflicts;
		wire_response_free(&st);
	} while (!go);
	return SS_OK;
}

int
cohort_round(struct client *c, const char *session,
    const struct wire_params *p, const struct peers *pc, struct cohort *co,
    struct wire_stmt *mine, struct ss_error *e)
{
	uint64_t delay = CLIENT_POLL_FIRST_MS;
	uint32_t self = (uint32_t)claims_index(&p->parties, c->party) + 1;
	struct verified v;
	char why[512];
	int rc;

	if (cohort_has(co, self) &&
	    ((rc = sign_ours(c, session, co, mine, e)) != SS_OK ||
	    (rc = post_ours(c, session, mine, e)) != SS_OK))
		return rc;
	v.digest = calloc(co->n ? co->n : 1, sizeof(*v.digest));
	v.have = calloc(co->n ? co->n : 1, 1);
	if (v.digest == NULL || v.have == NULL) {
		free(v.digest);
		free(v.have);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	}
	for (;;) {
		rc = look(c, session, p, pc, co, mine, &v, e);
		if (rc != SS_ERR_NOT_FOUND)
			break;
		snprintf(why, sizeof(why), "%s", ss_error_msg(e));
		if (client_expired(c)) {
			rc = ss_error_set(e, SS_ERR_TIMEOUT, "timed out after %u "
			    "s %s", c->timeout_s, why);
			break;
		}
		progress_show(&c->progress, "%s", why);
		if ((rc = wait_signers(c, session, co, self, &delay, e)) !=
		    SS_OK)
			break;
	}
	free(v.digest);
	free(v.have);
	progress_clear(&c->progress);
	return rc;
}
