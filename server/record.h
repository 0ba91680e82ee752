/*
 * record.h: how the store makes a change: recorded through its log first
 * (store_data.h's struct store_log: the journal), so that no client hears
 * of a change the log does not hold, and within its limit of stored bytes.
 * Shared by the files of the store (store.c, keys.c).
 */
#ifndef SS_RECORD_H
#define SS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store_data.h"

/*
 * Whether a change about to be made was logged (rc, from one of s->log's
 * functions): then the store reflects the record seq. Else the caller
 * changes nothing and answers with record_failed.
 */
int record_logged(struct store *s, int rc, const uint64_t *seq);

/* UNAVAILABLE: the log could not take the change (e says why). */
int record_failed(const struct ss_error *e, struct ss_error *st);

/*
 * SS_OK if the store may hold bytes more, within --max-stored-bytes and the
 * memory budget (when set: it is set after the journal is replayed, so that
 * acknowledged changes are never refused), else st says which is full.
 */
int record_room(const struct store *s, uint64_t bytes, struct ss_error *st);
/* The memory budget's part of record_room alone (a session's bookkeeping). */
int record_budget_room(const struct store *s, uint64_t bytes,
    struct ss_error *st);

/* A malloc'd copy of the n bytes at p that a change keeps, or NULL. */
void *record_copy(const void *p, size_t n);

/*
 * A change of se was made (created: se is new): counts it in se->changes
 * and tells whoever watches the store (s->changed).
 */
void record_changed(struct store *s, struct session *se, int created);

/*
 * The directory's entry of party changed: a change of every session that
 * names it, so that a party waiting for a key wakes (docs/PROTOCOL.md 7.6).
 */
void record_key_changed(struct store *s, const char *party);

#endif
