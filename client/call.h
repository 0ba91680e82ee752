/*
 * call.h: a command's exchanges with the server: one call, retried within
 * the command's --timeout (retry.c); a change of ours, sent and traced; an
 * answer other than OK turned into an error; and the session's status,
 * fetched and checked before anything is decided on it.
 */
#ifndef SS_CLIENT_CALL_H
#define SS_CLIENT_CALL_H

#include "client.h"
#include "err.h"
#include "wire.h"

/* Bounds for answers without vectors or certificates. */
extern const struct wire_limits call_small_limits;

/* Zeroes req and sets its method, session and party (either may be NULL). */
void call_request(struct wire_request *req, int method, const char *session,
    const char *party);

/*
 * One exchange, retried (retry.c) after a lost connection, a refused
 * connect, a timeout or UNAVAILABLE, within the command's --timeout. The
 * request is resent as it is: every request of the protocol is idempotent
 * when repeated with the same content. On SS_OK resp holds the answer,
 * whatever its code, its message made safe to print (free it).
 */
int call_exchange(struct client *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;

/*
 * Sends req, a change of ours to a session (SubmitShares or PostSumpoint),
 * and once the server took it writes its trace line (trace.h); *duplicate
 * says whether the server already held the same. A refusal is the error,
 * worded for the change.
 */
int call_change(struct client *c, struct wire_request *req, int *duplicate,
    struct ss_error *e) SS_WUR;

/* A number a step reports: "3 ciphertexts" in its line, "ciphertexts":3 in JSON. */
struct call_count {
	const char *name;
	size_t n;
};

/*
 * A command's step that changes its session: sends req, SubmitShares or
 * PostSumpoint (call_change), and once the server took it reports it
 * (call_report).
 */
int call_step(struct client *c, struct wire_request *req, int flags,
    const struct call_count *counts, size_t ncounts, struct ss_error *e)
    SS_WUR;

/*
 * The report of such a step, on req: what went, counts[0..ncounts),
 * whether the server had it already (duplicate) and whether it went again
 * (STEP_AGAIN in flags), to c->step_out if set; nothing is printed.
 */
void call_report(struct client *c, const struct wire_request *req, int flags,
    int duplicate, const struct call_count *counts, size_t ncounts);

/*
 * One exchange that reads the session (GetShare, GetCohort,
 * ListSumpoints): SS_OK with resp holding an OK answer (free it); any
 * other answer is the error (call_refused_phase, "not yet" by default),
 * resp freed.
 */
int call_get(struct client *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;

/* The message of answer r, or dflt when it has none. */
const char *call_message(const struct wire_response *r, const char *dflt);

/*
 * The error for answer r to method (about session, or NULL), which is not
 * OK: its code is status_to_err(r->code), its message one line.
 */
int call_refused(const struct client *c, const struct wire_response *r,
    int method, const char *session, struct ss_error *e) SS_WUR;

/*
 * The same for a call the session's phase may not allow (yet, or any
 * more): FAILED_PRECONDITION is "METHOD refused: " and its message, or
 * dflt when it has none.
 */
int call_refused_phase(const struct client *c, const struct wire_response *r,
    int method, const char *session, const char *dflt, struct ss_error *e)
    SS_WUR;

/*
 * GetStatus of session, checked (claims.h). SS_ERR_NOT_FOUND when the
 * session does not exist, so that `run` can wait for it. On SS_OK st
 * holds the status (free it); on failure it is freed.
 */
int call_status(struct client *c, const char *session,
    struct wire_response *st, struct ss_error *e) SS_WUR;

/*
 * The longest wait a watch asks for (docs/PROTOCOL.md 7.6); the server
 * answers sooner at any change of the session.
 */
#define CALL_WATCH_MS 20000
/* What a watch leaves of an exchange's time: the answer's way back. */
#define CALL_WATCH_MARGIN_MS 1000

/*
 * As call_status, once the session changes: a GetStatus that the server
 * holds until the session's version is no longer the one call_status (or
 * this) saw last, or until bound_ms pass (capped by CALL_WATCH_MS, the
 * time an exchange may take, and --timeout). A session not found is
 * waited for until it is created. With a server that does not watch (it
 * answered version 0, or a wait at once), it sleeps *delay first instead
 * and doubles it, as client_backoff does: so the client never polls on a
 * timer unless the server leaves it no other way.
 */
int call_status_wait(struct client *c, const char *session,
    struct wire_response *st, uint64_t bound_ms, uint64_t *delay,
    struct ss_error *e) SS_WUR;

/*
 * What a wait is for (docs/PROTOCOL.md 7.6.1): the server holds the watch
 * across changes that leave the session in phase, with fewer than signers
 * COHORT statements and fewer than posted sumpoints (0: not waited for)
 * and conflicts conflicts; so a party wakes once for what it waits for,
 * not once per other party's change.
 */
struct call_until {
	uint32_t phase, signers, posted, conflicts;
};

/*
 * As call_status_wait, the wait ending when the session is no longer
 * short of until (or at any change, with a server that predates it).
 */
int call_status_until(struct client *c, const char *session,
    struct wire_response *st, uint64_t bound_ms, uint64_t *delay,
    const struct call_until *until, struct ss_error *e) SS_WUR;

/*
 * Waits, as call_status_wait, for the session call_status read last to
 * change (no session read yet: sleeps *delay). The status is not kept.
 */
int call_wait(struct client *c, uint64_t bound_ms, uint64_t *delay,
    struct ss_error *e) SS_WUR;

/* A command's step on the status st of its session, checked. */
typedef int (*call_step_fn)(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e);

/* GetStatus of session (call_status), then step on it; st freed after. */
int call_on_status(struct client *c, const char *session, call_step_fn step,
    struct ss_error *e) SS_WUR;

/* The error of a session whose status st is FAILED. */
int call_session_failed(const struct wire_response *st, const char *session,
    struct ss_error *e) SS_WUR;

#endif
