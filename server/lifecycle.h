/*
 * lifecycle.h: how a session ends its life in the store (issue 12): deleted
 * by a party, dropped once idle past the session TTL, and the list of the
 * sessions a party is in. A dropped session leaves the store's memory at
 * once (its index entry and its bytes), the journal through a delete record
 * logged first (replay drops it again), and the snapshot from the next one
 * on.
 *
 * Idle: no change for session_ttl seconds, counting from the latest of its
 * creation, its sharing deadline, its last change since the server started,
 * and the start itself (changes are not saved, so a restart can only
 * postpone a drop, never hasten it). A COMPLETE or FAILED session never
 * changes again: it is dropped session_ttl seconds after it ended.
 *
 * It uses the store's data (store_data.h), not its interface, so that
 * store.c's tick may call lifecycle_expire.
 */
#ifndef SS_LIFECYCLE_H
#define SS_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "session.h"
#include "store_data.h"

/*
 * Deletes session_id for caller: its creator may at any time, any party
 * once the session is COMPLETE or FAILED. A caller that is no party gets
 * the answer of a missing session (SS_ERR_NOT_FOUND, "no session ID"); a
 * party that may not yet gets SS_ERR_PRECONDITION saying when it may.
 * *released: the bytes it held. Returns st->code.
 */
int lifecycle_delete(struct store *s, const char *caller,
    const char *session_id, uint64_t now, uint64_t *released,
    struct ss_error *st) SS_WUR;

/* Drops every session idle past s->lim.session_ttl at now (0: none ever). */
void lifecycle_expire(struct store *s, uint64_t now);

/* When se will be dropped if nothing changes it: 0 never. */
uint64_t lifecycle_expires(const struct store *s, const struct session *se);

/*
 * The sessions caller is a party of, in creation order, from the
 * offset-th of them: at most max into out, their number returned; *next
 * is the offset of the one after the last returned, or 0 when none is
 * left.
 */
size_t lifecycle_list(const struct store *s, const char *caller,
    size_t offset, struct session **out, size_t max, size_t *next);

/*
 * Replaying a delete record: drops session_id, which must exist (else
 * SS_ERR_INVALID with e saying why); logs nothing.
 */
int lifecycle_apply_delete(struct store *s, const char *session_id,
    struct ss_error *e) SS_WUR;

#endif
