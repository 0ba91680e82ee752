/*
 * records.h: a command's use of this party's records (client/pstate.h,
 * docs/PARTY-STATE.md): the folder opened once (--state DIR, or the
 * default under $XDG_STATE_HOME), the check that the server holds nothing
 * of ours the records do not show, and the input recorded before its
 * shares are sent. The order is pstate.h's: record, then send.
 */
#ifndef SS_CLIENT_RECORDS_H
#define SS_CLIENT_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "err.h"
#include "pstate.h"
#include "wire.h"

/* Opens c's state folder into c->pstate, on first use. */
int records_open(struct client *c, struct ss_error *e) SS_WUR;

/*
 * What the status st says the server holds from `self` (PSTATE_DID_*
 * bits): its shares (SUBMIT), its COHORT signature, its sumpoint.
 */
unsigned records_held(const struct wire_response *st, const char *self);

/*
 * Before acting under the pinned D (c->d): refuses (SS_ERR_PRECONDITION)
 * when the server holds a statement of ours this folder has no record of,
 * the sign of lost records (pstate_check_rejoin).
 */
int records_check(struct client *c, const struct wire_response *st,
    struct ss_error *e) SS_WUR;

/*
 * The hash H of an input (pstate_input_hash) of L values; the caller
 * wipes it (OPENSSL_cleanse) after use: it identifies a guessable input.
 */
int records_input_hash(const int64_t *values, size_t L,
    uint8_t h[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * Refuses an input of hash h that was shared in another instance of a
 * session of session's NAME, in any creator's namespace, unless
 * c->reuse_input: the difference of the two sums would reveal it.
 * SS_ERR_EXISTS with the other instance's invite code.
 */
int records_reuse_check(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * Records, durably, that this party shares the input of hash h under the
 * pinned D of session (after records_reuse_check): SS_OK now or before,
 * SS_ERR_EXISTS when another input is recorded for D.
 */
int records_input(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * The submission on record under the pinned D for the input of hash h,
 * into sub (cmd_share_alloc'd for the session's parties and length): 1
 * when there is one, which is what must be sent, and never another; 0 when
 * there is none, to seal and sign one and then records_submission; or an
 * error (pstate_submission_load): another input on record, or a SUBMIT on
 * record whose kept copy is gone, damaged, or of another shape than sub.
 */
int records_kept(struct client *c, const uint8_t h[PSTATE_HASH_LEN],
    struct submission *sub, struct ss_error *e) SS_WUR;

/*
 * Records, durably, the input of hash h and the submission sub about to be
 * sent under the pinned D of session (pstate_record_submission): SS_OK, or
 * SS_ERR_EXISTS when another input is on record. When another command of
 * this party's recorded another SUBMIT first, sub is replaced by that one
 * (records_kept), which is what must be sent.
 */
int records_submission(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct submission *sub,
    struct ss_error *e) SS_WUR;

/* 1 if this party's records say it shared an input under c->d. */
int records_shared(struct client *c, struct ss_error *e) SS_WUR;

#endif
