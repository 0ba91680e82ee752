/*
 * params.h: the parameters of a version-2 session, their rules, their
 * canonical encoding, and the session digest D, the SHA-256 of that
 * encoding.
 *
 * D names one instance of a session: every party pins it (from an invite
 * code or from the parameters given as flags) before it shares, and it is
 * bound into every share's HPKE info and every signed statement, so nothing
 * moves between sessions, nor between two instances of one session id (the
 * creator's random nonce tells them apart). docs/PROTOCOL.md section 17
 * gives the encoding byte for byte.
 */
#ifndef SS_PARAMS_H
#define SS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "name.h"

#define PARAMS_DIGEST_LEN  32           /* D: SHA-256 */
#define PARAMS_NONCE_LEN   16           /* the creator's 128-bit nonce */
/*
 * The format's own bounds. A server or client sets lower ones of its own
 * (the server's --max-parties and --max-length) for what it will hold.
 */
#define PARAMS_MIN_PARTIES 2
#define PARAMS_MAX_PARTIES 65536
#define PARAMS_MAX_DECIMALS 18          /* 10^18 < 2^63 */
#define PARAMS_NO_DEADLINE UINT64_C(0)
/* The context string that starts the encoding (a NUL follows it). */
#define PARAMS_CONTEXT     "secure-sum/v2 params"

/*
 * A view of the parameters: the strings belong to the caller and must
 * outlive the struct. Party i (1-based, its evaluation point x_i = i) is
 * parties[i - 1].
 */
struct session_params {
	const char *session_id;
	const char *const *parties;
	uint32_t n;                     /* number of parties */
	uint32_t t;                     /* threshold: any t + 1 sumpoints reconstruct */
	uint32_t length;                /* L: elements per input vector */
	uint32_t decimals;              /* k: fixed-point decimals */
	uint32_t min_cohort;            /* smallest cohort sharing may close with */
	uint64_t deadline;              /* absolute Unix time (s), or PARAMS_NO_DEADLINE */
	uint8_t nonce[PARAMS_NONCE_LEN];
};

/*
 * Checks every rule: a valid session id; n in [PARAMS_MIN_PARTIES,
 * PARAMS_MAX_PARTIES] valid, distinct party names; 1 <= t <= n - 1;
 * L >= 1; k <= PARAMS_MAX_DECIMALS; t + 1 <= min_cohort <= n; a deadline
 * that fits a signed 64-bit time. SS_ERR_INVALID with the first broken rule
 * in e; SS_ERR_ALLOC if the check of distinct names runs out of memory.
 */
int params_validate(const struct session_params *p, struct ss_error *e) SS_WUR;

/*
 * The min_cohort to use when the creator stated `stated` (0: not stated):
 * the stated value, or n when none was stated and there is no deadline.
 * With a deadline the creator must state it (SS_ERR_INVALID), because a
 * silent default would let the deadline decide how small a cohort may be.
 * The value is not range-checked here; params_validate does that.
 */
int params_choose_min_cohort(uint32_t stated, uint32_t n, uint64_t deadline,
    uint32_t *min_cohort, struct ss_error *e) SS_WUR;

/*
 * 1 if `create` must warn: min_cohort - t == 1, so t colluding parties in a
 * cohort of min_cohort learn one honest input from the sum itself.
 */
int params_exposes_one_input(const struct session_params *p);

/* Fills nonce from OpenSSL's CSPRNG; SS_ERR_CRYPTO if it fails. */
int params_new_nonce(uint8_t nonce[PARAMS_NONCE_LEN]) SS_WUR;

/*
 * Puts the canonical encoding of valid parameters into w (any writer: in
 * memory, or a digest sink). The caller validates first; only a writer's
 * failure is reported, through buf_writer_error(w).
 */
void params_encode(const struct session_params *p, struct buf_writer *w);

/* D: validates p, then hashes its encoding. On failure d is zeroed. */
int params_digest(const struct session_params *p,
    uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e) SS_WUR;

/*
 * D of parameters that the server or the client holds in its own form: the
 * session id, the n party names parties[0..n) (each in a char[NAME_BUF], as
 * both sides keep them) and the rest as the wire carries them. Both sides'
 * digests are computed here, so that they are of the same fields.
 */
int params_digest_of(const char *session_id,
    const char (*parties)[NAME_BUF], uint32_t n, uint32_t t, uint32_t length,
    uint32_t decimals, uint32_t min_cohort, uint64_t deadline,
    const uint8_t nonce[PARAMS_NONCE_LEN], uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e) SS_WUR;

#endif
