/*
 * retry.h: how a call to the server survives a server that restarts, a
 * connection that drops and a server that is briefly unavailable: which
 * failures are worth another attempt, how long to pause before it
 * (exponential backoff with full jitter), and the loop that makes one call,
 * reconnecting as needed, until it is answered, fails for good, or the
 * command's time is up.
 *
 * The loop resends the request exactly as the caller built it: a retried
 * SubmitShares carries the same ciphertexts, a retried PostSumpoint the same
 * values, so the server answers a repeat of an applied write with a
 * duplicate OK rather than ALREADY_EXISTS. Only the envelope's id differs
 * (ids are per connection).
 */
#ifndef SS_CLIENT_RETRY_H
#define SS_CLIENT_RETRY_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "err.h"
#include "output.h"
#include "wire.h"

/* The pause after the first failure is at most this; it doubles ... */
#define RETRY_FIRST_MS 100
/* ... up to this. */
#define RETRY_MAX_MS 2000
/* One attempt's time: a quarter of the command's, at least this ... */
#define RETRY_EXCHANGE_MIN_MS 10000
/* ... and the first attempt of a call gets at least this, even when the
 * command's time is up (so that `run` can still fetch a result then). */
#define RETRY_FIRST_ATTEMPT_MIN_MS 1000
/*
 * A fresh connection that the server ends right after the handshake,
 * before it has ever answered this client, is most often the server
 * refusing our certificate (TLS 1.3 judges it after our side of the
 * handshake; the alert is often lost to a reset). Such drops are retried
 * only this many times in all, then reported as a likely refusal.
 */
#define RETRY_UNPROVEN_MAX 3
/*
 * Without --wait, a command whose server has not answered it once gives
 * up this soon (issue 13 point 2): a server that is down is said at once.
 */
#define RETRY_FAIL_FAST_MS 1500

/*
 * The cap of the pause after `failures` failed attempts (1 or more):
 * 100, 200, 400, 800, 1600, then 2000 ms. 0 failures: 0.
 */
uint64_t retry_cap_ms(unsigned failures);

/*
 * Full jitter: the pause after `failures` failed attempts, uniform in
 * [0, retry_cap_ms(failures)], drawn from the 32 random bits rnd.
 */
uint64_t retry_pause_ms(unsigned failures, uint32_t rnd);

/* 32 random bits from OpenSSL's CSPRNG (a fixed value if it fails). */
uint32_t retry_random(void);

/*
 * Whether an attempt that ended so is worth another one. rc: what
 * conn_open or conn_call returned; transient: conn.transient after a
 * failure; code: the response's code when rc is SS_OK. Retried: transport
 * failures marked transient (refused or failed connects, resets, ends of
 * stream, timeouts of one exchange) and UNAVAILABLE. Never retried: a
 * certificate refused, a TLS alert, a protocol violation, a local error,
 * and every other response code (OK included), which are answers.
 */
int retry_worth(int rc, int transient, int code);

/* What one command keeps across its calls. */
struct retry_ctx {
	const char *server;         /* HOST:PORT */
	const char *certs;          /* certificate folder */
	const char *party;          /* our name */
	uint64_t deadline;          /* CLOCK_MONOTONIC ms: no pause past it */
	uint64_t started;           /* when the command started, for messages */
	int exchange_ms;            /* the most one attempt may take */
	int answered;               /* the server has answered us once */
	uint64_t fail_fast_ms;      /* 0, or give up this soon unanswered */
	unsigned unproven;          /* drops counted for RETRY_UNPROVEN_MAX */
	struct progress *progress;  /* NULL: show nothing while retrying */
	/* Out: about the last call. */
	unsigned attempts;          /* attempts it made */
};

/*
 * Sets up r for a command that may take timeout_ms from now; progress may
 * be NULL.
 */
void retry_init(struct retry_ctx *r, const char *server, const char *certs,
    const char *party, unsigned timeout_ms, struct progress *progress);

/*
 * One call: opens c if it is closed, sends req and reads its response into
 * resp, retrying as retry_worth says with pauses from retry_pause_ms until
 * r->deadline. SS_OK with any code but UNAVAILABLE in resp (free it);
 * otherwise the error of the last attempt, in e with the number of
 * attempts made when there was more than one, resp left safe to free.
 */
int retry_call(struct retry_ctx *r, struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;

#endif
