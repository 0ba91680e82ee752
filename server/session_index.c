/*
 * session_index.c: an open-addressing table (linear probing, at most half
 * full, removal by backward shift, so no tombstones) of session pointers
 * keyed by the session's id. Ids are chosen by clients, so the hash and
 * the probe are strtab.h's (SipHash under a key drawn at start).
 * OpenSSL's LHASH would need a whole struct session as the key of a lookup
 * and offers no way to make room before a change is logged, after which
 * adding must not fail; this table is small enough to read whole.
 * Keyed by NAME parts, equal keys lie in one probe run, found in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "session_index.h"
#include "strtab.h"

/* se's key in ix. */
static const char *
key_of(const struct session_index *ix, const struct session *se)
{
	return ix->by_name ? session_id_name(se->p.id) : se->p.id;
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
	size_t i = home(ix, key_of(ix, se));

	while (ix->slot[i] != NULL)
		i = strtab_next(i, ix->cap);
	ix->slot[i] = se;
}

static const char *
id_of(const void *slots, size_t i)
{
	const struct session *se = ((struct session *const *)slots)[i];

	return se != NULL ? se->p.id : NULL;
}

static const char *
name_of(const void *slots, size_t i)
{
	const struct session *se = ((struct session *const *)slots)[i];

	return se != NULL ? session_id_name(se->p.id) : NULL;
}

/* How ix's slots name their keys. */
static strtab_key_of
key_fn(const struct session_index *ix)
{
	return ix->by_name ? name_of : id_of;
}

int
session_index_reserve(struct session_index *ix)
{
	void *slot;

	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	slot = strtab_make_room(ix->slot, &ix->cap, ix->used, sizeof(*ix->slot),
	    ix->key, key_fn(ix));
	if (slot == NULL)
		return SS_ERR_ALLOC;
	ix->slot = slot;
	return SS_OK;
}

void
session_index_add(struct session_index *ix, struct session *se)
{
	place(ix, se);
	ix->used++;
}

/* The slot holding key (by NAME: the first of its run), or cap if none does. */
static size_t
slot_of(const struct session_index *ix, const char *key)
{
	size_t i;

	if (ix->cap == 0)
		return 0;
	i = strtab_probe(ix->key, ix->slot, ix->cap,
	    ix->by_name ? name_of : id_of, key);
	return ix->slot[i] != NULL ? i : ix->cap;
}

/*
 * The slot of the first entry from slot i on, in key's probe run, whose
 * key is key and which is se (NULL: any); cap if none is.
 */
static size_t
slot_from(const struct session_index *ix, const char *key,
    const struct session *se, size_t i)
{
	if (key == NULL)
		return ix->cap;
	for (; ix->slot[i] != NULL; i = strtab_next(i, ix->cap))
		if ((se == NULL || ix->slot[i] == se) &&
		    strcmp(key_of(ix, ix->slot[i]), key) == 0)
			return i;
	return ix->cap;
}

struct session *
session_index_find(const struct session_index *ix, const char *id)
{
	size_t i = slot_of(ix, id);

	return i < ix->cap ? ix->slot[i] : NULL;
}

struct session *
session_index_next(const struct session_index *ix, const char *key,
    size_t *pos)
{
	size_t i;

	/* *pos: 1 + the slot after the last found; past cap: the end. */
	if (*pos > ix->cap || ix->cap == 0)
		i = ix->cap;
	else if (*pos == 0)
		i = slot_of(ix, key);
	else
		i = slot_from(ix, key, NULL, *pos - 1);
	if (i >= ix->cap) {
		*pos = ix->cap + 1;
		return NULL;
	}
	*pos = strtab_next(i, ix->cap) + 1;
	return ix->slot[i];
}

void
session_index_remove(struct session_index *ix, const struct session *se)
{
	size_t i;

	if (ix->cap == 0)
		return;
	i = slot_from(ix, key_of(ix, se), se, home(ix, key_of(ix, se)));
	if (i >= ix->cap)
		return;
	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	strtab_remove(ix->slot, ix->cap, sizeof(*ix->slot), i, ix->key,
	    key_fn(ix));
	ix->used--;
}
