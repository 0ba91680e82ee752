/*
 * store.h: everything the server holds: the sessions (session.h), each with
 * its parameters, phase, sealed shares and sumpoints (and in version 2 the
 * parties' signed statements, statements.h), and the directory of the
 * parties' encryption-key and signing certificates; and the rules of the
 * protocol's phases by which they change.
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

#include <openssl/x509.h>

#include "err.h"
#include "keys.h"
#include "pki.h"
#include "session.h"
#include "statement.h"
#include "statements.h"
#include "status.h"
#include "store_data.h"

void store_default_limits(struct store_limits *lim);

struct store *store_new(const struct store_limits *lim) SS_WUR;
void store_free(struct store *s);
/* Logs every later change through log (copied); NULL: logs nothing. */
void store_set_log(struct store *s, const struct store_log *log);

struct session *store_find(struct store *s, const char *id);

/*
 * Applies the deadline: a SHARING session past its deadline fixes its cohort
 * when at least session_min_cohort (min_cohort; t+1 in version 1) have
 * submitted, and fails otherwise. Then drops the sessions idle past the
 * session TTL (lifecycle.h).
 */
void store_tick(struct store *s, uint64_t now);

/*
 * Validates params (names, counts, limits; for version 2 the rules of
 * core/params.h, and no deadline_seconds; for version 1 no version-2
 * parameter); fills st on failure.
 */
int store_check_params(const struct store *s,
    const struct session_spec *p, struct ss_error *st) SS_WUR;

/*
 * The operations; each returns st->code. Pointers in params are copied. A
 * new version-2 session's deadline must lie ahead of now, by at most
 * max_deadline_seconds. An existing session with identical parameters
 * (its nonce included) is no error: *created is 0.
 */
int store_create(struct store *s, const char *caller,
    const struct session_spec *p, uint64_t now, int *created,
    uint64_t *deadline_unix, struct ss_error *st) SS_WUR;

int store_submit(struct store *s, const char *caller,
    const char *session_id, const char *party, const struct submitted_share *shares,
    size_t nshares, uint64_t now, int *duplicate, struct ss_error *st) SS_WUR;
/*
 * As store_submit, for shares that lie in *frame, a bigmem block of
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
/*
 * As store_submit_in_place, with the caller's SUBMIT statement (sg) for a
 * version-2 session, checked as statements.h says and kept with the
 * shares. A retry with the same shares and statement body is a duplicate;
 * a different statement is ALREADY_EXISTS, and kept as a conflict when it
 * proves that the caller signed two (a conflict is logged and kept even
 * though the change is refused).
 */
int store_submit_signed(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, const struct store_signed *sg,
    int *duplicate, struct ss_error *st) SS_WUR;

/* On OK, *sep is the session, *recipient the caller's index. */
int store_get_share(struct store *s, const char *caller,
    const char *session_id, const char *party, uint64_t now,
    struct session **sep, uint32_t *recipient, struct ss_error *st) SS_WUR;

int store_post_sumpoint(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint64_t now, int *duplicate, struct ss_error *st) SS_WUR;
/*
 * As store_post_sumpoint, for values that are the start of *frame, a
 * bigmem block: the store keeps the buffer as the sumpoint instead of a
 * copy, and *frame is NULL afterwards if it did (whatever the outcome).
 */
int store_post_sumpoint_in_place(struct store *s,
    const char *caller, const char *session_id, const char *party,
    const uint64_t *values, size_t nvalues, uint8_t **frame, uint64_t now,
    int *duplicate, struct ss_error *st) SS_WUR;
/* As store_post_sumpoint_in_place, with the SUMPOINT statement, as store_submit_signed. */
int store_post_sumpoint_signed(struct store *s,
    const char *caller, const char *session_id, const char *party,
    const uint64_t *values, size_t nvalues, uint8_t **frame, uint64_t now,
    const struct store_signed *sg, int *duplicate, struct ss_error *st) SS_WUR;

/*
 * Version 2: a cohort member's COHORT statement, once the cohort is fixed.
 * The same body again is a duplicate; another is ALREADY_EXISTS (a
 * conflict, kept, as store_submit_signed).
 */
int store_post_cohort(struct store *s, const char *caller,
    const char *session_id, const char *party, uint64_t now,
    const struct store_signed *sg, int *duplicate, struct ss_error *st) SS_WUR;

/* Read access for ListSumpoints and GetStatus: a listed party only. */
int store_read(struct store *s, const char *caller,
    const char *session_id, uint64_t now, struct session **sep, struct ss_error *st) SS_WUR;

/*
 * Replaying the journal: each applies one recorded change as the operation
 * that logged it made it, under the same rules (a record that breaks one
 * was not written by this server), and logs nothing. SS_OK, or an SS_ERR_*
 * code (SS_ERR_INVALID for a change the rules refuse) with e saying why;
 * nothing is changed then.
 */
/* creator: one of p's parties, or "" (unknown: a record before journal 6). */
int store_apply_create(struct store *s, const struct session_spec *p,
    uint64_t created_unix, uint64_t deadline_unix, const char *creator,
    struct ss_error *e) SS_WUR;
/* block: sender's n sealed shares in recipient order, block_len bytes (copied). */
int store_apply_submit(struct store *s, const char *session_id,
    uint32_t sender, const uint8_t *block, size_t block_len,
    struct ss_error *e) SS_WUR;
int store_apply_close(struct store *s, const char *session_id,
    struct ss_error *e) SS_WUR;
int store_apply_sumpoint(struct store *s, const char *session_id,
    uint32_t party, const uint64_t *values, size_t nvalues,
    struct ss_error *e) SS_WUR;
/*
 * The same with the change's statement (in; NULL: none, as in a version-1
 * session), copied; its signature was checked when the change was made.
 */
int store_apply_submit_signed(struct store *s, const char *session_id,
    uint32_t sender, const uint8_t *block, size_t block_len,
    const struct statement_in *in, struct ss_error *e) SS_WUR;
int store_apply_sumpoint_signed(struct store *s, const char *session_id,
    uint32_t party, const uint64_t *values, size_t nvalues,
    const struct statement_in *in, struct ss_error *e) SS_WUR;
int store_apply_cohort(struct store *s, const char *session_id,
    uint32_t party, const struct statement_in *in, struct ss_error *e) SS_WUR;
int store_apply_conflict(struct store *s, const char *session_id,
    uint32_t party, enum statement_type type, const struct statement_in *in,
    struct ss_error *e) SS_WUR;
/* Low-level insertion used by the snapshot loader; takes ownership of se. */
int store_adopt_session(struct store *s, struct session *se) SS_WUR;

#endif
