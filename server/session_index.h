/*
 * session_index.h: the store's sessions by id, so that finding one costs
 * O(1) whatever the number held (issue 12: a scan made creates 12 times
 * slower at 90,000 sessions, and a start spend 35 s replaying the journal).
 * It holds pointers only; the store owns the sessions.
 *
 * A second index, by_name, holds the same sessions by the NAME part of
 * their ids (core/name.h), so that a request naming a session by NAME alone
 * finds the caller's of that NAME without a scan: there a key may repeat,
 * and session_index_next walks the entries of one key.
 */
#ifndef SS_SESSION_INDEX_H
#define SS_SESSION_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "session.h"

struct session_index {
	struct session **slot;  /* NULL: empty */
	size_t cap;             /* 0 or a power of two */
	size_t used;
	uint64_t key[2];        /* the hash's secret key */
	int by_name;            /* keyed by NAME parts, which may repeat */
};

/* An empty index with a fresh random key: SS_OK or SS_ERR_ALLOC/SS_ERR_CRYPTO. */
SS_WUR int session_index_init(struct session_index *ix);
void session_index_free(struct session_index *ix);

/*
 * Room for one more entry, so that session_index_add cannot fail: SS_OK or
 * SS_ERR_ALLOC (the index is unchanged).
 */
SS_WUR int session_index_reserve(struct session_index *ix);
/*
 * Adds se, whose id is not held; session_index_reserve made room. (By
 * NAME: other sessions of its NAME may be.)
 */
void session_index_add(struct session_index *ix, struct session *se);
/* The session whose id (by NAME: the first of NAME) is id, or NULL. */
struct session *session_index_find(const struct session_index *ix,
    const char *id);
/*
 * The entries of key one by one: *pos 0 at first, then as the last call
 * left it; NULL after the last.
 */
struct session *session_index_next(const struct session_index *ix,
    const char *key, size_t *pos);
/* Removes se if held. */
void session_index_remove(struct session_index *ix, const struct session *se);

#endif
