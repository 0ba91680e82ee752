/*
 * session.h: one session as the server holds it: its parameters, phase,
 * sealed shares and sumpoints, and, for a version-2 session, its digest D
 * and every party's signed statements; and the questions the store and its
 * readers ask of it. The rules that change a session are the store's
 * (store.h); those of its statements statements.h's.
 */
#ifndef SS_SESSION_H
#define SS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "err.h"
#include "name.h"
#include "params.h"
#include "statement.h"
#include "status.h"

/*
 * The parameters of a session as the server keeps them (the names copied
 * in; core/params.h's struct session_params is a view of the same for the
 * digest).
 */
struct session_spec {
	char id[SESSION_ID_BUF];     /* CREATOR/NAME, or NAME if older */
	uint32_t n;
	char (*parties)[NAME_BUF];   /* n names, in x order */
	uint32_t threshold;
	uint32_t length;
	uint32_t decimals;
	uint32_t deadline_seconds;   /* version 1: the deadline after creation */
	/* Version 2, when the creator gave a nonce (v2 set): */
	int v2;
	uint32_t min_cohort;         /* the smallest cohort sharing closes with */
	uint64_t deadline_unix;      /* the absolute deadline; 0: none */
	uint8_t nonce[PARAMS_NONCE_LEN];
};

/* Statement types are 1..3 (core/statement.h); arrays of them count from 0. */
#define SESSION_STATEMENT_TYPES 3

/* A signed statement as a party sent it, copied: compared by its body. */
struct held_statement {
	uint8_t *body;          /* malloc'd; NULL: none */
	size_t len;
	uint8_t sig[STATEMENT_SIG_MAX];
	size_t sig_len;
};

/*
 * A party's statements in a version-2 session, by type - 1: the first it
 * made that the server accepted, and a second of the same type with another
 * body (a conflict: proof that the party equivocated), if it sent one.
 */
struct party_statements {
	struct held_statement first[SESSION_STATEMENT_TYPES];
	struct held_statement second[SESSION_STATEMENT_TYPES];
};

struct session {
	struct session_spec p;
	uint32_t *by_name;      /* indices of p.parties sorted by name */
	uint64_t created_unix;
	uint64_t deadline_unix; /* 0: none */
	enum phase phase;
	char fail_reason[160];
	size_t ct_len;          /* bytes of one sealed share */
	uint8_t **shares;       /* [sender]: n * ct_len bytes in recipient order, or NULL */
	uint8_t *in_cohort;     /* [party]: 1 once the cohort is fixed */
	uint64_t **sumpoints;   /* [party]: length values, or NULL */
	/* Version 2 only (p.v2): */
	uint8_t digest[PARAMS_DIGEST_LEN];      /* D, of p */
	struct party_statements *statements;    /* [party]; NULL in version 1 */
	/*
	 * Once the cohort is fixed: the digest of its members' SUBMITs, which
	 * every COHORT names, and the cohort digest, which every SUMPOINT
	 * names (statements_fix_cohort; recomputed when not have_digests).
	 */
	int have_digests;
	uint8_t submits_digest[STATEMENT_HASH_LEN];
	uint8_t cohort_digest[STATEMENT_HASH_LEN];
	/*
	 * Changes since the server started (record_changed): the low half of
	 * the version GetStatus reports, which a watch waits to see move on.
	 * Not saved: the boot epoch in the high half tells a restart apart.
	 */
	uint32_t changes;
	/* The connections waiting for it to change (connection.c's; opaque here). */
	void *waiters;
	/*
	 * What a watch's watch_until compares (rpc.c): COHORT statements of
	 * the cohort, sumpoints and conflicts, counted once per change for all
	 * the watches it wakes; valid while tally_changes is changes.
	 */
	int tally_valid;
	uint32_t tally_changes;
	uint32_t tally_signers, tally_posted, tally_conflicts;
	/*
	 * Who created it: it may delete it at any time (lifecycle.h), and it
	 * counts against its --max-sessions-per-party while held (quota.h).
	 * Empty for a session of a journal or snapshot that predates the
	 * field: then it counts against no one's.
	 */
	char creator[NAME_BUF];
	/* Its place in the store's creation order (membership.h); not saved. */
	uint64_t serial;
	/* The store's clock at its last change since start (0: none); not saved. */
	uint64_t touched_unix;
	/*
	 * Responses being sent from its memory without a copy (rpc.h's
	 * rpc_held_fn): a session dropped meanwhile (dropped) is freed by
	 * the last session_unpin instead of at once.
	 */
	unsigned pins;
	int dropped;
	/*
	 * A session dropped while pinned stays in memory until the last
	 * unpin: its bytes stay charged to this budget until then (NULL:
	 * none), so that a slow reader cannot hold memory --max-memory no
	 * longer sees.
	 */
	struct budget *drop_budget;
	uint64_t drop_charge;
};

/*
 * Allocates a session with copies of p, empty state, and for version 2 its
 * digest (p must then pass session_check_v2). NULL on failure.
 */
struct session *session_new(const struct session_spec *p) SS_WUR;
void session_free(struct session *se);
/*
 * A response borrows se's memory (session_pin) or gives it back
 * (session_unpin, which frees se once it is dropped and unborrowed).
 */
void session_pin(struct session *se);
void session_unpin(struct session *se);
/*
 * The store lets se go: freed now, or by the last session_unpin while a
 * response still sends from its memory, its bytes charged to b (NULL:
 * none) meanwhile.
 */
void session_drop(struct session *se, struct budget *b);
/* Bytes of state the session holds (shares, sumpoints, statements). */
uint64_t session_bytes(const struct session *se);
/*
 * What one party's place in the store's lists by name costs at most
 * (membership.h): its slot, with the list's room to grow, and the name's
 * entry when no other session lists the name.
 */
#define SESSION_MEMBERSHIP_BYTES 192
/*
 * What its places in the store's own tables cost at most: a pointer in the
 * array of sessions (which doubles: up to 2 a session) and in each of the
 * two indexes by id and by NAME (at most half full, doubled when they
 * pass it: up to 4 a session each).
 */
#define SESSION_STORE_BYTES (10 * sizeof(void *))
/*
 * Bytes of its own bookkeeping: the struct, its places in the store's
 * tables, its arrays per party and its parties' places in the store's
 * lists (some 860 a party in version 2), whatever it holds.
 */
uint64_t session_meta_bytes(const struct session *se);

/*
 * The rules of core/params.h for a version-2 session's parameters
 * (params_validate), and D: SS_ERR_INVALID with the first broken rule.
 */
int session_check_v2(const struct session_spec *p, struct ss_error *e) SS_WUR;
int session_digest(const struct session_spec *p, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e) SS_WUR;

/* The smallest cohort sharing may close with: min_cohort, or t+1 in version 1. */
uint32_t session_min_cohort(const struct session *se);

/*
 * SS_ERR_PRECONDITION with why the session's phase refuses a change that
 * needs another: still sharing, failed, or its cohort fixed.
 */
int session_phase_refusal(const struct session *se, struct ss_error *st);

/* One share of a submission, as a request carries it. */
struct submitted_share {
	const char *recipient;
	const uint8_t *ct;
	size_t ct_len;
};

/*
 * The block of a submission of n shares of ct_len bytes: the shares in
 * recipient order, into *blockp (a bigmem block, as every block of shares
 * and every sumpoint a session holds). A recipient unknown or
 * repeated is SS_ERR_INVALID. With frame (a bigmem block of frame_len
 * bytes that the shares lie in, in recipient order) the block may be the
 * frame itself, the shares moved down into place: *frame is NULL then.
 */
int session_build_block(const struct session *se,
    const struct submitted_share *shares, uint8_t **frame, size_t frame_len,
    uint8_t **blockp, struct ss_error *st) SS_WUR;

/* A name listed twice in the session's parties, or NULL. */
const char *session_repeated_party(const struct session *se);
/* Whether its creator is one of its parties, or unknown (empty). */
int session_creator_valid(const struct session *se);
/* Index of name in the session's party list, or -1. */
long session_party_index(const struct session *se, const char *name);
/* How many parties have submitted their shares. */
size_t session_count_shared(const struct session *se);
/* How many parties are in the cohort. */
size_t session_count_cohort(const struct session *se);

/*
 * Party's statement of type (NULL in version 1): the first accepted, or
 * (second) the one that conflicts with it. Its body is NULL when there is
 * none.
 */
struct held_statement *session_statement(const struct session *se,
    uint32_t party, enum statement_type type, int second);
/* The bytes a held statement takes (0: none). */
uint64_t held_statement_bytes(const struct held_statement *h);
void held_statement_free(struct held_statement *h);

#endif
