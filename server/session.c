/*
 * session.c: one session's memory and the questions asked of it; see
 * session.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "params.h"
#include "sealed.h"
#include "session.h"

void
held_statement_free(struct held_statement *h)
{
	free(h->body);
	memset(h, 0, sizeof(*h));
}

uint64_t
held_statement_bytes(const struct held_statement *h)
{
	return h->body != NULL ? (uint64_t)h->len + h->sig_len : 0;
}

/* Frees every statement of a version-2 session's parties. */
static void
free_statements(struct session *se)
{
	uint32_t i;
	int k;

	for (i = 0; se->statements != NULL && i < se->p.n; i++)
		for (k = 0; k < SESSION_STATEMENT_TYPES; k++) {
			held_statement_free(&se->statements[i].first[k]);
			held_statement_free(&se->statements[i].second[k]);
		}
	free(se->statements);
}

void
session_free(struct session *se)
{
	uint32_t i;

	if (se == NULL)
		return;
	for (i = 0; se->shares != NULL && i < se->p.n; i++)
		bigmem_free(se->shares[i]);
	for (i = 0; se->sumpoints != NULL && i < se->p.n; i++)
		bigmem_free(se->sumpoints[i]);
	free_statements(se);
	free(se->shares);
	free(se->sumpoints);
	free(se->in_cohort);
	free(se->by_name);
	free(se->p.parties);
	free(se);
}

int
session_creator_valid(const struct session *se)
{
	return se->creator[0] == '\0' ||
	    session_party_index(se, se->creator) >= 0;
}

void
session_pin(struct session *se)
{
	se->pins++;
}

void
session_unpin(struct session *se)
{
	if (se->pins > 0)
		se->pins--;
	if (se->pins > 0 || !se->dropped)
		return;
	if (se->drop_budget != NULL)
		budget_give(se->drop_budget, se->drop_charge);
	session_free(se);
}

void
session_drop(struct session *se, struct budget *b)
{
	if (se == NULL)
		return;
	se->dropped = 1;
	if (se->pins == 0) {
		session_free(se);
		return;
	}
	/* Out of the store's count, still in memory: charged until freed. */
	if (b != NULL) {
		se->drop_charge = session_bytes(se) + session_meta_bytes(se);
		se->drop_budget = b;
		budget_force(b, se->drop_charge);
	}
}

/* qsort_r context for ordering party indices by name. */
static int
cmp_party(const void *a, const void *b, void *arg)
{
	const char (*names)[NAME_BUF] = arg;

	return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

int
session_digest(const struct session_spec *p, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e)
{
	if (!p->v2)
		return ss_error_set(e, SS_ERR_INVALID, "a version-1 session has "
		    "no digest");
	return params_digest_of(p->id, p->parties, p->n, p->threshold,
	    p->length, p->decimals, p->min_cohort, p->deadline_unix, p->nonce, d,
	    e);
}

int
session_check_v2(const struct session_spec *p, struct ss_error *e)
{
	uint8_t d[PARAMS_DIGEST_LEN];

	return session_digest(p, d, e);
}

uint32_t
session_min_cohort(const struct session *se)
{
	return se->p.v2 ? se->p.min_cohort : se->p.threshold + 1;
}

struct held_statement *
session_statement(const struct session *se, uint32_t party,
    enum statement_type type, int second)
{
	struct party_statements *ps;

	if (se->statements == NULL || party >= se->p.n || type < STATEMENT_SUBMIT ||
	    type > STATEMENT_SUMPOINT)
		return NULL;
	ps = &se->statements[party];
	return second ? &ps->second[type - 1] : &ps->first[type - 1];
}

struct session *
session_new(const struct session_spec *p)
{
	struct session *se;
	uint32_t i;

	if (p->n == 0 || (se = calloc(1, sizeof(*se))) == NULL)
		return NULL;
	se->p = *p;
	if (p->v2 && ((se->statements = calloc(p->n,
	    sizeof(*se->statements))) == NULL ||
	    session_digest(p, se->digest, NULL) != SS_OK)) {
		free(se->statements);
		free(se);
		return NULL;
	}
	se->p.parties = calloc(p->n, NAME_BUF);
	se->by_name = calloc(p->n, sizeof(*se->by_name));
	se->shares = calloc(p->n, sizeof(*se->shares));
	se->sumpoints = calloc(p->n, sizeof(*se->sumpoints));
	se->in_cohort = calloc(p->n, 1);
	if (se->p.parties == NULL || se->by_name == NULL || se->shares == NULL ||
	    se->sumpoints == NULL || se->in_cohort == NULL) {
		session_free(se);
		return NULL;
	}
	memcpy(se->p.parties, p->parties, (size_t)p->n * NAME_BUF);
	for (i = 0; i < p->n; i++)
		se->by_name[i] = i;
	qsort_r(se->by_name, p->n, sizeof(*se->by_name), cmp_party, se->p.parties);
	se->ct_len = sealed_len(p->length);
	se->phase = PHASE_SHARING;
	return se;
}

const char *
session_repeated_party(const struct session *se)
{
	uint32_t i;

	for (i = 1; i < se->p.n; i++)
		if (strcmp(se->p.parties[se->by_name[i - 1]],
		    se->p.parties[se->by_name[i]]) == 0)
			return se->p.parties[se->by_name[i]];
	return NULL;
}

long
session_party_index(const struct session *se, const char *name)
{
	size_t lo = 0, hi = se->p.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, se->p.parties[se->by_name[mid]]);

		if (c == 0)
			return (long)se->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

size_t
session_count_shared(const struct session *se)
{
	size_t i, k = 0;

	for (i = 0; i < se->p.n; i++)
		k += se->shares[i] != NULL;
	return k;
}

size_t
session_count_cohort(const struct session *se)
{
	size_t i, k = 0;

	for (i = 0; i < se->p.n; i++)
		k += se->in_cohort[i] != 0;
	return k;
}

uint64_t
session_meta_bytes(const struct session *se)
{
	uint64_t per = NAME_BUF + sizeof(*se->by_name) + sizeof(*se->shares) +
	    sizeof(*se->in_cohort) + sizeof(*se->sumpoints) +
	    SESSION_MEMBERSHIP_BYTES;

	if (se->statements != NULL)
		per += sizeof(*se->statements);
	return sizeof(*se) + SESSION_STORE_BYTES + (uint64_t)se->p.n * per;
}

uint64_t
session_bytes(const struct session *se)
{
	uint64_t b = 0;
	uint32_t i;

	int k;

	for (i = 0; i < se->p.n; i++) {
		if (se->shares[i] != NULL)
			b += (uint64_t)se->p.n * se->ct_len;
		if (se->sumpoints[i] != NULL)
			b += (uint64_t)se->p.length * 8;
		for (k = 0; se->statements != NULL &&
		    k < SESSION_STATEMENT_TYPES; k++)
			b += held_statement_bytes(&se->statements[i].first[k]) +
			    held_statement_bytes(&se->statements[i].second[k]);
	}
	return b;
}

int
session_phase_refusal(const struct session *se, struct ss_error *st)
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
int
session_build_block(const struct session *se, const struct submitted_share *shares,
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
		block = *frame;
		(void)bigmem_resize(block, bytes);
		*frame = NULL;
	} else if ((block = bigmem_alloc(bytes, 0)) != NULL) {
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
