/*
 * membership.h: the sessions each name is a party of, in creation order,
 * so that what a party asks about its own sessions (ListSessions,
 * GetServerInfo's own figures) and a change of its key cost what that
 * party is in, not what the server holds. Names are listed by creators,
 * so the table is keyed as strtab.h says, and a name's entry goes with
 * its last session: what it holds follows the sessions held. It holds
 * pointers only; the store owns the sessions.
 */
#ifndef SS_MEMBERSHIP_H
#define SS_MEMBERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "session.h"

struct membership_entry;

struct membership {
	struct membership_entry **slot; /* NULL: empty */
	size_t cap;             /* 0 or a power of two */
	size_t used;
	uint64_t key[2];        /* the hash's secret key */
	uint64_t next_serial;   /* the serial of the next session added */
};

/* An empty table with a fresh random key: SS_OK or SS_ERR_CRYPTO. */
int membership_init(struct membership *m) SS_WUR;
void membership_free(struct membership *m);

/*
 * Room for se in the list of each of its parties, so that membership_add
 * cannot fail: SS_OK or SS_ERR_ALLOC. Entries it made stay, empty, until
 * se is added; membership_unreserve takes them back if it never is.
 */
int membership_reserve(struct membership *m, const struct session *se) SS_WUR;
void membership_unreserve(struct membership *m, const struct session *se);

/* Adds se, reserved, as the newest session of each of its parties. */
void membership_add(struct membership *m, struct session *se);
/* Takes se, added, out of its parties' lists. */
void membership_remove(struct membership *m, const struct session *se);

/* Walks the sessions of one name, oldest first. */
struct membership_walk {
	const struct membership_entry *e;       /* NULL: none left */
	size_t i;
};

/* The first of name's sessions, or NULL; w keeps the place. */
struct session *membership_first(const struct membership *m,
    const char *name, struct membership_walk *w);
/* The one after the last membership_first or _next gave, or NULL. */
struct session *membership_next(struct membership_walk *w);

#endif
