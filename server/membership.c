/*
 * membership.c: see membership.h. An open-addressing table (linear
 * probing, at most half full, removal by backward shift) of entries keyed
 * by name, hashed, probed, grown and emptied as strtab.h does. An entry's
 * list holds its sessions by serial, ascending (each one added is the
 * newest), so that a session is found in it by binary search; a removal
 * leaves a hole, and the list is closed up once its holes outnumber its
 * sessions, so that many removals from one long list (sessions expiring
 * together) cost no more than the list.
 */
#include <stdlib.h>
#include <string.h>

#include "membership.h"
#include "name.h"
#include "strtab.h"

struct membership_place {
	uint64_t serial;
	struct session *se;     /* NULL: removed */
};

struct membership_entry {
	char name[NAME_BUF];
	struct membership_place *list;
	size_t n;               /* places used, holes included */
	size_t cap;
	size_t live;            /* places that hold a session */
};

static const char *
name_of(const void *slots, size_t i)
{
	const struct membership_entry *e =
	    ((struct membership_entry *const *)slots)[i];

	return e != NULL ? e->name : NULL;
}

int
membership_init(struct membership *m)
{
	memset(m, 0, sizeof(*m));
	return strtab_key_new(m->key);
}

static void
entry_free(struct membership_entry *e)
{
	if (e == NULL)
		return;
	free(e->list);
	free(e);
}

void
membership_free(struct membership *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		entry_free(m->slot[i]);
	strtab_release(m->slot, m->key);
	memset(m, 0, sizeof(*m));
}

/* The slot of name's entry, or m->cap when it has none. */
static size_t
slot_of(const struct membership *m, const char *name)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	i = strtab_probe(m->key, m->slot, m->cap, name_of, name);
	return m->slot[i] != NULL ? i : m->cap;
}

static struct membership_entry *
find(const struct membership *m, const char *name)
{
	size_t i = slot_of(m, name);

	return i < m->cap ? m->slot[i] : NULL;
}

/* Room in the table for one more entry: SS_OK or SS_ERR_ALLOC (unchanged). */
static int
grow(struct membership *m)
{
	void *slot;

	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	slot = strtab_make_room(m->slot, &m->cap, m->used, sizeof(*m->slot),
	    m->key, name_of);
	if (slot == NULL)
		return SS_ERR_ALLOC;
	m->slot = slot;
	return SS_OK;
}

/* Takes the entry at slot i out of the table and frees it. */
static void
drop_entry(struct membership *m, size_t i)
{
	entry_free(m->slot[i]);
	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	strtab_remove(m->slot, m->cap, sizeof(*m->slot), i, m->key, name_of);
	m->used--;
}

/* Closes e's holes up, its sessions in the same order. */
static void
close_up(struct membership_entry *e)
{
	size_t i, k = 0;

	for (i = 0; i < e->n; i++)
		if (e->list[i].se != NULL)
			e->list[k++] = e->list[i];
	e->n = k;
}

/* Room in e's list for one more place: SS_OK or SS_ERR_ALLOC (unchanged). */
static int
list_room(struct membership_entry *e)
{
	struct membership_place *v;
	size_t cap;

	if (e->n < e->cap)
		return SS_OK;
	if (e->live < e->n) {
		close_up(e);
		return SS_OK;
	}
	cap = e->cap ? e->cap * 2 : 4;
	if (cap > SIZE_MAX / sizeof(*v) ||
	    (v = realloc(e->list, cap * sizeof(*v))) == NULL)
		return SS_ERR_ALLOC;
	e->list = v;
	e->cap = cap;
	return SS_OK;
}

/* name's entry, made (empty) if it has none: NULL when out of memory. */
static struct membership_entry *
entry_get(struct membership *m, const char *name)
{
	struct membership_entry *e;

	if ((e = find(m, name)) != NULL)
		return e;
	if (grow(m) != SS_OK || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	/* A party's name: checked to fit, NUL and all (calloc's). */
	memcpy(e->name, name, strnlen(name, NAME_MAX_LEN));
	m->slot[strtab_probe(m->key, m->slot, m->cap, name_of, name)] = e;
	m->used++;
	return e;
}

int
membership_reserve(struct membership *m, const struct session *se)
{
	struct membership_entry *e;
	uint32_t j;

	for (j = 0; j < se->p.n; j++)
		if ((e = entry_get(m, se->p.parties[j])) == NULL ||
		    list_room(e) != SS_OK)
			return SS_ERR_ALLOC;
	return SS_OK;
}

void
membership_unreserve(struct membership *m, const struct session *se)
{
	size_t i;
	uint32_t j;

	for (j = 0; j < se->p.n; j++)
		if ((i = slot_of(m, se->p.parties[j])) < m->cap &&
		    m->slot[i]->live == 0)
			drop_entry(m, i);
}

void
membership_add(struct membership *m, struct session *se)
{
	struct membership_entry *e;
	uint32_t j;

	se->serial = m->next_serial++;
	for (j = 0; j < se->p.n; j++) {
		/* Unreserved (a caller's bug: left out), or a name listed twice. */
		if ((e = find(m, se->p.parties[j])) == NULL || e->n == e->cap ||
		    (e->n > 0 && e->list[e->n - 1].se == se))
			continue;
		e->list[e->n].serial = se->serial;
		e->list[e->n].se = se;
		e->n++;
		e->live++;
	}
}

/* The place of serial in e's list, or e->n when it has none. */
static size_t
place_of(const struct membership_entry *e, uint64_t serial)
{
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->list[mid].serial == serial)
			return mid;
		if (e->list[mid].serial < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return e->n;
}

void
membership_remove(struct membership *m, const struct session *se)
{
	struct membership_entry *e;
	size_t i, k;
	uint32_t j;

	for (j = 0; j < se->p.n; j++) {
		if ((i = slot_of(m, se->p.parties[j])) >= m->cap)
			continue;
		e = m->slot[i];
		if ((k = place_of(e, se->serial)) == e->n || e->list[k].se != se)
			continue;
		e->list[k].se = NULL;
		e->live--;
		if (e->live == 0)
			drop_entry(m, i);
		else if (e->n - e->live > e->live)
			close_up(e);
	}
}

struct session *
membership_first(const struct membership *m, const char *name,
    struct membership_walk *w)
{
	w->e = find(m, name);
	w->i = 0;
	return membership_next(w);
}

struct session *
membership_next(struct membership_walk *w)
{
	struct session *se;

	while (w->e != NULL && w->i < w->e->n)
		if ((se = w->e->list[w->i++].se) != NULL)
			return se;
	w->e = NULL;
	return NULL;
}
