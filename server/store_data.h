/*
 * store_data.h: what the store holds, as the files that implement it
 * (store.c: the sessions; keys.c: the key directory; record.c: how a change
 * is recorded) share it: the store, its limits, the directory's entries, and
 * the log every change goes to first. A header without a module of its own:
 * store.h is the store's interface, and includes it.
 */
#ifndef SS_STORE_DATA_H
#define SS_STORE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "err.h"
#include "membership.h"
#include "name.h"
#include "quota.h"
#include "session.h"
#include "session_index.h"
#include "statement.h"

/* --session-ttl's default: 30 days, as the longest sharing deadline. */
#define STORE_DEFAULT_SESSION_TTL (UINT64_C(30) * 24 * 3600)

struct store_limits {
	uint32_t max_parties;
	uint32_t max_length;
	uint32_t max_sessions;
	uint32_t max_deadline_seconds;
	uint64_t max_stored_bytes;   /* ciphertexts, sumpoints and certificates */
	uint32_t max_keys;
	uint32_t max_cert_bytes;
	uint64_t max_message;        /* largest frame a session's messages may need */
	uint32_t max_sessions_per_party;  /* sessions held one identity created */
	uint64_t max_bytes_per_party;     /* bytes held in one identity's name */
	/*
	 * Seconds without a change after which a session is dropped
	 * (lifecycle.h); 0: never.
	 */
	uint64_t session_ttl;
};

struct key_entry {
	char name[NAME_BUF];
	uint8_t *der;           /* the encryption-key certificate */
	size_t der_len;
	uint8_t *sign_der;      /* version 2: the TLS certificate it was published over, or NULL */
	size_t sign_len;
};

/*
 * Where the store records a change before it makes it. The journal
 * implements it (journal_store_log), so that the store knows nothing of
 * files and the journal depends on the store, never the reverse. Each
 * function writes one record and returns SS_OK with *seq its sequence
 * number, or an SS_ERR_* code with e saying why: the store then changes
 * nothing and answers UNAVAILABLE, so that no client is told of a change
 * the log does not hold.
 */
struct store_log_ops {
	int (*create)(void *ctx, const struct session *se, uint64_t *seq,
	    struct ss_error *e);
	/*
	 * block: the sender's n sealed shares in recipient order; stmt: its
	 * SUBMIT statement (version 2), or NULL.
	 */
	int (*submit)(void *ctx, const struct session *se, uint32_t sender,
	    const uint8_t *block, const struct held_statement *stmt,
	    uint64_t *seq, struct ss_error *e);
	/* The sharing phase ended at its deadline. */
	int (*close)(void *ctx, const struct session *se, uint64_t *seq,
	    struct ss_error *e);
	/* stmt: the poster's SUMPOINT statement (version 2), or NULL. */
	int (*sumpoint)(void *ctx, const struct session *se, uint32_t party,
	    const uint64_t *values, const struct held_statement *stmt,
	    uint64_t *seq, struct ss_error *e);
	/* The directory's entry k as it is after the change. */
	int (*key)(void *ctx, const struct key_entry *k, uint64_t *seq,
	    struct ss_error *e);
	/* Version 2: a member's COHORT statement. */
	int (*cohort)(void *ctx, const struct session *se, uint32_t party,
	    const struct held_statement *stmt, uint64_t *seq, struct ss_error *e);
	/* Version 2: a statement of party's that conflicts with its first. */
	int (*conflict)(void *ctx, const struct session *se, uint32_t party,
	    enum statement_type type, const struct held_statement *second,
	    uint64_t *seq, struct ss_error *e);
	/*
	 * The session is dropped (lifecycle.h): deleted by party by (reason
	 * STORE_DROP_DELETED), or expired (STORE_DROP_EXPIRED, by "").
	 */
	int (*drop)(void *ctx, const struct session *se, int reason,
	    const char *by, uint64_t now, uint64_t *seq, struct ss_error *e);
};

/* Why a session was dropped, as the journal records it. */
enum store_drop_reason { STORE_DROP_DELETED = 1, STORE_DROP_EXPIRED = 2 };

struct store_log {
	const struct store_log_ops *ops;        /* NULL: nothing is logged */
	void *ctx;
};

struct store {
	struct store_limits lim;
	struct store_log log;   /* where changes are logged first */
	uint64_t journal_seq;   /* the last journal record reflected here */
	struct session **sessions;      /* in creation order: ticks and snapshots */
	size_t nsessions;
	size_t sessions_cap;            /* room in sessions, grown by doubling */
	struct session_index index;     /* the same sessions by id */
	struct session_index by_name;   /* ... and by NAME (session_names.h) */
	struct membership members;      /* ... and by each party's name */
	struct key_entry *keys;         /* in the order added */
	size_t nkeys;
	size_t keys_cap;                /* room in keys, grown by doubling */
	/*
	 * The same entries by name (keys.c): 2 x keys_cap slots of pointers
	 * into keys, NULL when empty, placed as strtab.h says under key_hash.
	 */
	struct key_entry **key_slot;
	uint64_t key_hash[2];
	uint64_t stored_bytes;
	uint64_t meta_bytes;    /* the sessions' bookkeeping (session_meta_bytes) */
	struct quota_table quotas;      /* what each identity holds (quota.h) */
	/*
	 * The server's memory budget, which a live change must fit, and which
	 * a deleted session still sent from stays charged to (NULL: none).
	 */
	struct budget *budget;
	uint64_t version;       /* bumped by every change; snapshots compare it */
	/*
	 * The clock as store_tick last saw it, and at the first tick since
	 * start: a session's idle time counts from its last change, and at
	 * most from the start (lifecycle.h).
	 */
	uint64_t now;
	uint64_t boot_unix;
	/*
	 * No session falls due (its sharing deadline, its drop after the TTL)
	 * before next_due, as the tick computed it under --session-ttl
	 * due_ttl: until then a tick has nothing to do. Every request ticks,
	 * and a look at every session per request made a server holding
	 * 200,000 spend 3 ms on each. A lower bound: a session added lowers
	 * it, a change only makes a session due later.
	 */
	uint64_t next_due;
	uint64_t due_ttl;
	uint64_t expired;       /* sessions dropped after the TTL since start */
	uint64_t deleted;       /* sessions DeleteSession dropped since start */
	/*
	 * Told of every change of a session once it is made (record_changed),
	 * created when the change made it: the connections' watches. NULL: no
	 * one. It looks at that session only: an expiry calls it with the
	 * sessions array mid-compaction (lifecycle_expire).
	 */
	void (*changed)(void *ctx, struct session *se, int created);
	void *changed_ctx;
};

#endif
