/*
 * cohort.h: the consistency round of protocol version 2 (DESIGN.md,
 * "Active security", item 4; docs/PROTOCOL.md 23.2). Once the
 * server fixes the cohort C, a party checks it (|C| >= min_cohort; C holds
 * the party exactly when it shared; C smaller than n only after the pinned
 * deadline on the party's own clock); a member signs one COHORT naming C
 * and its members' SUBMITs; and no party opens a share or posts a sumpoint
 * before every member of C has signed a COHORT with the same content. So
 * an input enters only a sum over the one cohort its owner signed, and a
 * dealer's two SUBMITs split the signatures: the cohort never completes.
 */
#ifndef SS_CLIENT_COHORT_H
#define SS_CLIENT_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "err.h"
#include "peers.h"
#include "statement.h"
#include "wire.h"

/* C as a bitmap of the session's n parties, and what its COHORT names. */
struct cohort {
	uint32_t n;
	uint8_t bitmap[(CLIENT_MAX_PARTIES + 7) / 8];
	size_t size;                    /* members */
	int have_submits;               /* submits is known */
	uint8_t submits[STATEMENT_HASH_LEN];
};

/*
 * C from the names of cohort (parties of the session p, each once) into
 * co. SS_ERR_PROTOCOL if a name is not a party, or is there twice.
 */
int cohort_of(const struct wire_names *parties, const struct wire_names *names,
    struct cohort *co, struct ss_error *e) SS_WUR;

/* 1 if a and b hold the same members. */
int cohort_same_members(const struct cohort *a, const struct cohort *b);

/* 1 if the party at position pos (1-based) is a member. */
int cohort_has(const struct cohort *co, uint32_t pos);

/*
 * The checks a party makes of C before it signs or uses it, for session
 * of parameters p: at least min_cohort members; fewer than n only once
 * the pinned deadline has passed on our clock (now, Unix seconds); and,
 * when self_pos > 0, our own position a member exactly when `shared`.
 * SS_ERR_PROTOCOL with the rule broken.
 */
int cohort_rules(const struct wire_params *p, const struct cohort *co,
    uint32_t self_pos, int shared, uint64_t now, const char *session,
    struct ss_error *e) SS_WUR;

/*
 * Our clock (Unix seconds) for judging co under p. When co is short of n
 * and the pinned deadline is at most COHORT_CLOCK_SLACK seconds ahead of
 * our clock, first sleeps until it has passed: the server closed sharing
 * by its own clock, and a party whose clock runs slightly behind should
 * accept the cohort once its own deadline passes rather than refuse it.
 */
#define COHORT_CLOCK_SLACK 2
uint64_t cohort_now(const struct wire_params *p, const struct cohort *co);

/* The COHORT statement of co, with co->submits (its D and signer unset). */
void cohort_statement(const struct cohort *co, struct statement *s);

/*
 * The cohort digest (statement_cohort_digest) of co under D d: what a
 * SUMPOINT names. co->submits must be known.
 */
int cohort_digest(const struct cohort *co, const uint8_t *d,
    uint8_t out[STATEMENT_HASH_LEN]) SS_WUR;

/*
 * Checks the COHORT statements list[0..n) (GetCohort's, or ListSumpoints')
 * of the members of co, for session parameters p: each verified with its
 * signer's certificate (pc), under c->d, for C itself, and all with the
 * same submits digest (co's, if known; else the first's, adopted into co).
 * SS_OK when every member's is in and they agree; SS_ERR_NOT_FOUND when
 * some member's is missing (e names who); SS_ERR_INCONSISTENT when a
 * member's differs; SS_ERR_AUTH when one does not verify.
 */
int cohort_unanimous(struct client *c, const struct peers *pc,
    const struct wire_params *p, struct cohort *co,
    const struct wire_signed *list, size_t n, struct ss_error *e) SS_WUR;

/* GetCohort of session into gc (free it); a refusal is the error. */
int cohort_fetch(struct client *c, const char *session,
    struct wire_response *gc, struct ss_error *e) SS_WUR;

/*
 * Our side of the round, once co (with its submits digest) is checked:
 * when we are a member, records the COHORT (pstate: refused if another is
 * recorded for D), signs it into *mine and posts it; then waits, polling
 * GetCohort within the command's --timeout, until every member of C has
 * signed the same (cohort_unanimous), posting ours again if the server
 * lost it. A member that signs another cohort ends the wait with
 * SS_ERR_INCONSISTENT: the session cannot complete.
 */
int cohort_round(struct client *c, const char *session,
    const struct wire_params *p, const struct peers *pc, struct cohort *co,
    struct wire_stmt *mine, struct ss_error *e) SS_WUR;

#endif
