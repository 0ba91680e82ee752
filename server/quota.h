/*
 * quota.h: what each identity holds, for the per-party quotas
 * (--max-sessions-per-party, --max-bytes-per-party): the sessions it
 * created that the store holds (in any phase), the bytes
 * of its own shares, sumpoints and statements the store keeps, and those of
 * the large frames it is sending; and the connections it holds open, for
 * the server's choice of one to close when every slot is taken. Entries are
 * made for authenticated callers only (creators, senders), so the table
 * grows with the parties the CA certified, not with names a request lists.
 */
#ifndef SS_QUOTA_H
#define SS_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "name.h"
#include "session.h"

struct quota_use {
	char name[NAME_BUF];    /* "": an empty slot */
	uint32_t sessions;      /* created, held */
	uint64_t bytes;         /* held in its name */
	uint64_t frames;        /* of large frames it is sending (connection.c) */
	uint32_t conns;         /* authenticated connections open (connection.c) */
};

struct quota_table {
	struct quota_use *slot;
	size_t cap;             /* 0 or a power of two */
	size_t used;
	uint64_t key[2];        /* the hash's secret key */
};

/* An empty table with a fresh random key: SS_OK or SS_ERR_CRYPTO. */
int quota_init(struct quota_table *q) SS_WUR;
void quota_free(struct quota_table *q);

/* name's use, or NULL when it holds nothing. */
const struct quota_use *quota_find(const struct quota_table *q,
    const char *name);

/*
 * name's use, added (at zero) when missing: NULL when out of memory. The
 * pointer stays valid until the next entry is added.
 */
struct quota_use *quota_get(struct quota_table *q, const char *name);

/* Bytes of party i's own state in se: its shares, sumpoint and statements. */
uint64_t quota_party_bytes(const struct session *se, uint32_t i);

/*
 * Whether se counts against its creator's --max-sessions-per-party: its
 * creator is known (se->creator; a session of a journal or snapshot that
 * predates the field has none). It counts in every phase, until it leaves
 * the store: a complete or failed session holds one of --max-sessions as
 * an open one does, and failing at once costs its creator nothing else.
 */
int quota_counts_creator(const struct session *se);

/*
 * Adds what se counts for as it joins the store (created, replayed or
 * loaded from disk): every party's bytes and, if quota_counts_creator, its
 * creator's session. Out of memory, a count is left out, never doubled.
 */
void quota_add_session(struct quota_table *q, const struct session *se);

/*
 * Takes back what se counts for as it leaves the store (deleted, expired,
 * a delete replayed): every party's bytes and, if quota_counts_creator,
 * its creator's session.
 */
void quota_drop_session(struct quota_table *q, const struct session *se);

#endif
