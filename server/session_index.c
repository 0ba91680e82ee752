/*
 * session_index.c: an open-addressing table (linear probing, at most half
 * full, removal by backward shift, so no tombstones) of session pointers
 * keyed by the session's id. Ids are chosen by clients, so the hash and
 * the probe are strtab.h's (SipHash under a key drawn at start).
 * OpenSSL's LHASH would need a whole struct session as the key of a lookup
 * and offers no way to make room before a change is logged, after which
 * adding must not fail; this table is small enough to read whole.
 */
#include <stdlib.h>
#include <string.h>

#include "session_index.h"
#include "strtab.h"

uint64_t
session_index_siphash(const uint64_t key[2], const uint8_t *msg, size_t len)
{
	return strtab_siphash(key, msg, len);
}

static size_t
home(const struct session_index *ix, const char *id)
{
	return strtab_home(ix->key, id, ix->cap);
}

int
session_index_init(struct session_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	return strtab_key_new(ix->key);
}

void
session_index_free(struct session_index *ix)
{
	strtab_release(ix->slot, ix->key);
	memset(ix, 0, sizeof(*ix));
}

/* Places se in the first free slot from its home (the table has one). */
static void
place(struct session_index *ix, struct session *se)
{
	size_t i = home(ix, se->p.id);

	while (ix->slot[i] != NULL)
		i = strtab_next(i, ix->cap);
	ix->slot[i] = se;
}

int
session_index_reserve(struct session_index *ix)
{
	struct session **old = ix->slot;
	size_t i, oldcap = ix->cap, cap = oldcap ? oldcap : 16;

	/* At most half full keeps probe runs short. */
	while ((ix->used + 1) * 2 > cap) {
		/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if (cap > SIZE_MAX / 2 / sizeof(*old))
			return SS_ERR_ALLOC;
		cap *= 2;
	}
	if (cap == oldcap)
		return SS_OK;
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((ix->slot = calloc(cap, sizeof(*old))) == NULL) {
		ix->slot = old;
		return SS_ERR_ALLOC;
	}
	ix->cap = cap;
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			place(ix, old[i]);
	free(old);
	return SS_OK;
}

void
session_index_add(struct session_index *ix, struct session *se)
{
	place(ix, se);
	ix->used++;
}

static const char *
id_of(const void *slots, size_t i)
{
	const struct session *se = ((struct session *const *)slots)[i];

	return se != NULL ? se->p.id : NULL;
}

/* The slot holding id, or cap if none does. */
static size_t
slot_of(const struct session_index *ix, const char *id)
{
	size_t i;

	if (ix->cap == 0)
		return 0;
	i = strtab_probe(ix->key, ix->slot, ix->cap, id_of, id);
	return ix->slot[i] != NULL ? i : ix->cap;
}

struct session *
session_index_find(const struct session_index *ix, const char *id)
{
	size_t i = slot_of(ix, id);

	return i < ix->cap ? ix->slot[i] : NULL;
}

void
session_index_remove(struct session_index *ix, const struct session *se)
{
	size_t i = slot_of(ix, se->p.id), j, h, mask = ix->cap - 1;

	if (i >= ix->cap || ix->slot[i] != se)
		return;
	ix->slot[i] = NULL;
	ix->used--;
	/*
	 * Backward shift: an entry after the hole moves into it unless its
	 * home lies cyclically in (i, j], where it is found without the move.
	 */
	for (j = (i + 1) & mask; ix->slot[j] != NULL; j = (j + 1) & mask) {
		h = home(ix, ix->slot[j]->p.id);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			ix->slot[i] = ix->slot[j];
			ix->slot[j] = NULL;
			i = j;
		}
	}
}
