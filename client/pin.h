/*
 * pin.h: the session a command acts on, pinned (protocol version 2). A
 * party names the session it agreed to by its digest D (core/params.h):
 * from an invite code (--invite CODE), or from every parameter given as
 * flags. The client recomputes D from the parameters the server reports,
 * never taking the server's word for it, and acts only when the two agree;
 * otherwise it refuses and shows what the server holds, so that a session
 * squatted under the same id with other parameters (other parties, a lower
 * threshold) is never joined.
 *
 * A version-1 session (created without a nonce) cannot be pinned, and is
 * refused.
 */
#ifndef SS_CLIENT_PIN_H
#define SS_CLIENT_PIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "params.h"
#include "wire.h"

/* What the command line pins: an invite code, or the parameters. */
struct pin_args {
	const char *invite;            /* --invite CODE, or NULL */
	/* the parameters as flags (the session id is the command's SESSION) */
	const char *const *parties;    /* --parties A,B,C */
	size_t nparties;
	unsigned threshold;            /* --threshold */
	unsigned length;               /* --length (default 1) */
	unsigned decimals;             /* --decimals (default 0) */
	unsigned min_cohort;           /* --min-cohort (0: the default rule) */
	uint64_t deadline_unix;        /* --deadline-unix (0: none) */
	uint8_t nonce[PARAMS_NONCE_LEN];   /* --nonce HEX */
	int have_parties, have_threshold, have_nonce;
	int have_other;                /* --length ... given: flags were meant */
};

/*
 * Checks the command line's pin for session: an invite, or the flags
 * --parties, --threshold and --nonce at least (and nothing of both); the
 * flags' parameters valid. SS_ERR_INVALID with the reason otherwise.
 */
int pin_args_check(const struct pin_args *a, const char *session,
    struct ss_error *e) SS_WUR;

/* D as the command line pins it, into d. */
int pin_expected(const struct pin_args *a, const char *session,
    uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e) SS_WUR;

/*
 * D of the server's parameters wp, recomputed here; refuses a version-1
 * session ("created without a nonce") and parameters that break a rule.
 */
int pin_digest(const struct wire_params *wp, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e) SS_WUR;

/*
 * Checks the server's parameters wp for session against the pin a: D of
 * wp must be D of a. On SS_OK d holds it. On a mismatch, SS_ERR_EXISTS
 * with a message saying what the server holds and what the pin says.
 */
int pin_check(const struct pin_args *a, const struct wire_params *wp,
    const char *session, uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e)
    SS_WUR;

/*
 * Writes the parameters wp (of digest d) on one line: "parties A,B,C,
 * threshold T, length L, decimals K, min_cohort M, deadline ..., invite
 * ss2-...". The same words as pin_check's refusal.
 */
void pin_describe(char *buf, size_t len, const struct wire_params *wp,
    const uint8_t *d);

/* The deadline as "none" or "2026-01-01T00:00:00Z (unix N)". */
void pin_deadline(char *buf, size_t len, uint64_t unix_s);

#endif
