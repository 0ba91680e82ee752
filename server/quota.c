/*
 * quota.c: per-identity use, for the per-party quotas; see quota.h. An
 * open-addressing table (linear probing, at most half full, never shrunk:
 * an entry at zero costs a slot) keyed by the identity's name, hashed and
 * probed as strtab.h does, as names are chosen by whoever holds a
 * certificate.
 */
#include <stdlib.h>
#include <string.h>

#include "quota.h"
#include "strtab.h"

int
quota_init(struct quota_table *q)
{
	memset(q, 0, sizeof(*q));
	return strtab_key_new(q->key);
}

void
quota_free(struct quota_table *q)
{
	strtab_release(q->slot, q->key);
	memset(q, 0, sizeof(*q));
}

static const char *
name_of(const void *slots, size_t i)
{
	const struct quota_use *u = &((const struct quota_use *)slots)[i];

	return u->name[0] != '\0' ? u->name : NULL;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t
quota_probe(const struct quota_use *slot, size_t cap, const uint64_t key[2],
    const char *name)
{
	return strtab_probe(key, slot, cap, name_of, name);
}

/* The slot holding name, or q->cap when none does. */
static size_t
quota_index(const struct quota_table *q, const char *name)
{
	size_t i;

	if (q->cap == 0 || name[0] == '\0')
		return q->cap;
	i = quota_probe(q->slot, q->cap, q->key, name);
	return q->slot[i].name[0] != '\0' ? i : q->cap;
}

const struct quota_use *
quota_find(const struct quota_table *q, const char *name)
{
	size_t i = quota_index(q, name);

	return i < q->cap ? &q->slot[i] : NULL;
}

/* Room for one more entry: SS_OK or SS_ERR_ALLOC (unchanged). */
static int
quota_grow(struct quota_table *q)
{
	void *slot = strtab_make_room(q->slot, &q->cap, q->used,
	    sizeof(*q->slot), q->key, name_of);

	if (slot == NULL)
		return SS_ERR_ALLOC;
	q->slot = slot;
	return SS_OK;
}

struct quota_use *
quota_get(struct quota_table *q, const char *name)
{
	struct quota_use *u;
	size_t len = strlen(name), i;

	if (len == 0 || len >= NAME_BUF)
		return NULL;
	/* One that is there already never needs the table to grow. */
	if ((i = quota_index(q, name)) < q->cap)
		return &q->slot[i];
	if (quota_grow(q) != SS_OK)
		return NULL;
	u = &q->slot[quota_probe(q->slot, q->cap, q->key, name)];
	memcpy(u->name, name, len + 1);
	q->used++;
	return u;
}

uint64_t
quota_party_bytes(const struct session *se, uint32_t i)
{
	uint64_t b = 0;
	int k;

	if (se->shares[i] != NULL)
		b += (uint64_t)se->p.n * se->ct_len;
	if (se->sumpoints[i] != NULL)
		b += (uint64_t)se->p.length * sizeof(uint64_t);
	for (k = 0; se->statements != NULL && k < SESSION_STATEMENT_TYPES; k++)
		b += held_statement_bytes(&se->statements[i].first[k]) +
		    held_statement_bytes(&se->statements[i].second[k]);
	return b;
}

int
quota_counts_creator(const struct session *se)
{
	return se->creator[0] != '\0';
}

void
quota_add_session(struct quota_table *q, const struct session *se)
{
	struct quota_use *u;
	uint64_t b;
	uint32_t i;

	if (quota_counts_creator(se) && (u = quota_get(q, se->creator)) != NULL)
		u->sessions++;
	for (i = 0; i < se->p.n; i++) {
		if ((b = quota_party_bytes(se, i)) == 0)
			continue;
		/* Out of memory: that party's bytes go uncounted, never over-. */
		if ((u = quota_get(q, se->p.parties[i])) != NULL)
			u->bytes += b;
	}
}

/* The bytes a party no longer holds. */
static void
quota_take_bytes(struct quota_table *q, const char *name, uint64_t b)
{
	size_t i = quota_index(q, name);

	if (i < q->cap)
		q->slot[i].bytes = b < q->slot[i].bytes ? q->slot[i].bytes - b : 0;
}

void
quota_drop_session(struct quota_table *q, const struct session *se)
{
	uint32_t i;
	size_t k;

	for (i = 0; i < se->p.n; i++)
		quota_take_bytes(q, se->p.parties[i], quota_party_bytes(se, i));
	if (!quota_counts_creator(se))
		return;
	k = quota_index(q, se->creator);
	if (k < q->cap && q->slot[k].sessions > 0)
		q->slot[k].sessions--;
}
