/*
 * store.h: everything the server holds: the sessions (session.h), each with
 * its parameters, phase, sealed shares and sumpoints, and the directory of
 * the parties' encryption-key certificates; and the rules of the protocol's
 * phases by which they change.
 *
 * The store knows nothing of sockets or protobuf. Each operation takes the
 * caller's certified identity, checks that it may act, validates its input
 * against the limits, changes state only when everything checks out, and
 * reports a status. It never sees a plaintext share or a private key.
 */
#ifndef SS_STORE_H
#define SS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pki.h"
#include "session.h"
#include "status.h"

struct store_limits {
	uint32_t max_parties;
	uint32_t max_length;
	uint32_t max_sessions;
	uint32_t max_deadline_seconds;
	uint64_t max_stored_bytes;   /* ciphertexts, sumpoints and certificates */
	uint32_t max_keys;
	uint32_t max_cert_bytes;
	uint64_t max_message;        /* largest frame a session's messages may need */
};

void store_default_limits(struct store_limits *lim);

struct key_entry {
	char name[NAME_BUF];
	uint8_t *der;
	size_t der_len;
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
	/* block: the sender's n sealed shares in recipient order. */
	int (*submit)(void *ctx, const struct session *se, uint32_t sender,
	    const uint8_t *block, uint64_t *seq, struct ss_error *e);
	/* The sharing phase ended at its deadline. */
	int (*close)(void *ctx, const struct session *se, uint64_t *seq,
	    struct ss_error *e);
	int (*sumpoint)(void *ctx, const struct session *se, uint32_t party,
	    const uint64_t *values, uint64_t *seq, struct ss_error *e);
	int (*key)(void *ctx, const char *name, const uint8_t *der,
	    size_t der_len, uint64_t *seq, struct ss_error *e);
};

struct store_log {
	const struct store_log_ops *ops;        /* NULL: nothing is logged */
	void *ctx;
};

struct store {
	struct store_limits lim;
	struct store_log log;   /* where changes are logged first */
	uint64_t journal_seq;   /* the last journal record reflected here */
	struct session **sessions;
	size_t nsessions;
	struct key_entry *keys;
	size_t nkeys;
	uint64_t stored_bytes;
	uint64_t version;       /* bumped by every change; snapshots compare it */
};

struct store *store_new(const struct store_limits *lim) SS_WUR;
void store_free(struct store *s);
/* Logs every later change through log (copied); NULL: logs nothing. */
void store_set_log(struct store *s, const struct store_log *log);

struct session *store_find(struct store *s, const char *id);

/*
 * Applies the deadline: a SHARING session past its deadline fixes its cohort
 * when at least t+1 have submitted, and fails otherwise.
 */
void store_tick(struct store *s, uint64_t now);

/* Validates params (names, counts, limits); fills st on failure. */
int store_check_params(const struct store *s,
    const struct session_params *p, struct ss_error *st) SS_WUR;

/* The operations; each returns st->code. Pointers in params are copied. */
int store_create(struct store *s, const char *caller,
    const struct session_params *p, uint64_t now, int *created,
    uint64_t *deadline_unix, struct ss_error *st) SS_WUR;

struct submitted_share {
	const char *recipient;
	const uint8_t *ct;
	size_t ct_len;
};
int store_submit(struct store *s, const char *caller,
    const char *session_id, const char *party, const struct submitted_share *shares,
    size_t nshares, uint64_t now, int *duplicate, struct ss_error *st) SS_WUR;
/*
 * As store_submit, for shares that lie in *frame, a malloc'd buffer of
 * frame_len bytes. When they lie there in recipient order (as clients send
 * them) the store moves them down into place and keeps the buffer as their
 * block instead of copying them; *frame is NULL afterwards if it took the
 * buffer, whatever the outcome. A share block is never changed or freed
 * while the server runs, so responses may send from it without a copy.
 */
int store_submit_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, int *duplicate, struct ss_error *st) SS_WUR;

/* On OK, *sep is the session, *recipient the caller's index. */
int store_get_share(struct store *s, const char *caller,
    const char *session_id, const char *party, uint64_t now,
    struct session **sep, uint32_t *recipient, struct ss_error *st) SS_WUR;

int store_post_sumpoint(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint64_t now, int *duplicate, struct ss_error *st) SS_WUR;
/*
 * As store_post_sumpoint, for values that are the start of *frame, a
 * malloc'd buffer: the store keeps the buffer as the sumpoint instead of a
 * copy, and *frame is NULL afterwards if it did (whatever the outcome).
 */
int store_post_sumpoint_in_place(struct store *s,
    const char *caller, const char *session_id, const char *party,
    const uint64_t *values, size_t nvalues, uint8_t **frame, uint64_t now,
    int *duplicate, struct ss_error *st) SS_WUR;

/* Read access for ListSumpoints and GetStatus: a listed party only. */
int store_read(struct store *s, const char *caller,
    const char *session_id, uint64_t now, struct session **sep, struct ss_error *st) SS_WUR;

/*
 * The directory of encryption-key certificates (already verified by the
 * caller). A party's first certificate stays: a different one is
 * ALREADY_EXISTS, since shares may already be sealed to the first key. The
 * operator replaces one with store_replace_key (the server does so at start
 * for certificates in its certs folder).
 */
int store_put_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *duplicate, struct ss_error *st) SS_WUR;
int store_replace_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *replaced, struct ss_error *st) SS_WUR;
const struct key_entry *store_get_key(const struct store *s, const char *name);
/*
 * Removes a certificate that no longer verifies (revoked, expired), so that
 * the directory never serves it. Not journalled: the start-up check that
 * calls it runs again at every start.
 */
void store_drop_key(struct store *s, const char *name);

/*
 * Replaying the journal: each applies one recorded change as the operation
 * that logged it made it, under the same rules (a record that breaks one
 * was not written by this server), and logs nothing. SS_OK, or an SS_ERR_*
 * code (SS_ERR_INVALID for a change the rules refuse) with e saying why;
 * nothing is changed then.
 */
int store_apply_create(struct store *s, const struct session_params *p,
    uint64_t created_unix, uint64_t deadline_unix, struct ss_error *e) SS_WUR;
/* block: sender's n sealed shares in recipient order, block_len bytes (copied). */
int store_apply_submit(struct store *s, const char *session_id,
    uint32_t sender, const uint8_t *block, size_t block_len,
    struct ss_error *e) SS_WUR;
int store_apply_close(struct store *s, const char *session_id,
    struct ss_error *e) SS_WUR;
int store_apply_sumpoint(struct store *s, const char *session_id,
    uint32_t party, const uint64_t *values, size_t nvalues,
    struct ss_error *e) SS_WUR;
int store_apply_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, struct ss_error *e) SS_WUR;

/* Low-level insertion used by the snapshot loader; takes ownership of se. */
int store_adopt_session(struct store *s, struct session *se) SS_WUR;

#endif
