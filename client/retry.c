/*
 * retry.c: backoff, classification and the retry loop of one call.
 *
 * The pauses use "full jitter" (a pause uniform between 0 and a cap that
 * doubles from 100 ms to 2 s): when a server restarts, every client that
 * lost it retries at once, and jitter spreads their reconnections so that
 * they do not arrive in lockstep. The random bits come from RAND_bytes.
 * The pause is no secret, so any PRNG would do; but the CSPRNG is already
 * linked, seeded by the operating system, safe across fork and threads,
 * and a pause needs 4 bytes at most a few times a second, so a second
 * generator would only add state and a seeding step to get wrong. (rand()
 * is banned by the design, and would make every client that starts at the
 * same second pause alike.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "conn.h"
#include "err.h"
#include "output.h"
#include "retry.h"
#include "wire.h"

/* A retry with less time than this left is not started. */
#define RETRY_MIN_LEFT_MS 100

uint64_t
retry_cap_ms(unsigned failures)
{
	uint64_t cap = RETRY_FIRST_MS;
	unsigned i;

	if (failures == 0)
		return 0;
	for (i = 1; i < failures && cap < RETRY_MAX_MS; i++)
		cap *= 2;
	return cap > RETRY_MAX_MS ? RETRY_MAX_MS : cap;
}

uint64_t
retry_pause_ms(unsigned failures, uint32_t rnd)
{
	/* (cap + 1) * rnd / 2^32: uniform on [0, cap] to within 2^-21. */
	return ((retry_cap_ms(failures) + 1) * (uint64_t)rnd) >> 32;
}

uint32_t
retry_random(void)
{
	unsigned char b[4];
	uint32_t v;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return UINT32_MAX / 2;  /* half the cap: still bounded */
	v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
	return v;
}

int
retry_worth(int rc, int transient, int code)
{
	if (rc == SS_OK)
		return code == ST_UNAVAILABLE;
	return transient && (rc == SS_ERR_IO || rc == SS_ERR_TIMEOUT);
}

void
retry_init(struct retry_ctx *r, const char *server, const char *certs,
    const char *party, unsigned timeout_ms, struct progress *progress)
{
	memset(r, 0, sizeof(*r));
	r->server = server;
	r->certs = certs;
	r->party = party;
	r->started = conn_now_ms();
	r->deadline = r->started + timeout_ms;
	r->exchange_ms = timeout_ms / 4 > RETRY_EXCHANGE_MIN_MS ?
	    (int)(timeout_ms / 4) : RETRY_EXCHANGE_MIN_MS;
	r->progress = progress;
}

/* Appends to e's message; its code stays. */
static void
append(struct ss_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
append(struct ss_error *e, const char *fmt, ...)
{
	size_t k = strnlen(e->msg, sizeof(e->msg));
	va_list ap;

	if (k + 1 >= sizeof(e->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg + k, sizeof(e->msg) - k, fmt, ap);
	va_end(ap);
}

/* The time the next attempt may take. */
static int
attempt_budget(const struct retry_ctx *r)
{
	uint64_t now = conn_now_ms();
	uint64_t left = now < r->deadline ? r->deadline - now : 0;
	int budget = left < (uint64_t)r->exchange_ms ? (int)left :
	    r->exchange_ms;

	if (r->attempts == 0 && budget < RETRY_FIRST_ATTEMPT_MIN_MS)
		budget = RETRY_FIRST_ATTEMPT_MIN_MS;
	return budget;
}

/*
 * The server answered: final unless the answer is UNAVAILABLE, which is
 * turned into an error (with *code set) and freed.
 */
static int
answered(struct retry_ctx *r, struct wire_request *req,
    struct wire_response *resp, int *code, int *final, struct ss_error *e)
{
	r->answered = 1;
	r->unproven = 0;
	if (resp->code != ST_UNAVAILABLE) {
		*final = 1;
		return SS_OK;
	}
	*code = resp->code;
	out_sanitize(resp->message);
	ss_error_set(e, status_to_err(resp->code), "%s: the server is "
	    "unavailable (UNAVAILABLE): %s", wire_method_name(req->method),
	    resp->message[0] != '\0' ? resp->message : "(no message)");
	wire_response_free(resp);
	return SS_OK;
}

/*
 * The handshake went through and the server ended the connection before
 * answering, and it never has answered us: an alert says it refused our
 * certificate; a bare drop often does too (the alert lost to a reset), so
 * after RETRY_UNPROVEN_MAX of them it is taken as such. 1 when it is.
 */
static int
refused_us(struct retry_ctx *r, const struct conn *c, struct ss_error *e)
{
	if (!c->alert && ++r->unproven < RETRY_UNPROVEN_MAX)
		return 0;
	append(e, " (did the server refuse our certificate %s/%s.crt?",
	    r->certs, r->party);
	if (r->attempts > 1)
		append(e, " %u attempts", r->attempts);
	append(e, ")");
	return 1;
}

/*
 * One attempt: opens c if it is closed and makes the call. *final is set
 * when its outcome is the call's, whatever retry_worth would say: an
 * answer, or the server refusing us. *code is the code of an answer that
 * was not final, else -1.
 */
static int
attempt(struct retry_ctx *r, struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp, int *code,
    int *final, struct ss_error *e)
{
	int budget = attempt_budget(r), fresh = !conn_is_open(c), rc;

	r->attempts++;
	*code = -1;
	*final = 0;
	if (fresh) {
		if ((rc = conn_open(c, r->server, r->certs, r->party, budget,
		    e)) != SS_OK)
			return rc;
	} else
		c->budget_ms = budget;
	if ((rc = conn_call(c, req, lim, resp, e)) == SS_OK)
		return answered(r, req, resp, code, final, e);
	if (fresh && !r->answered &&
	    (c->alert || (rc == SS_ERR_IO && c->transient)))
		*final = refused_us(r, c, e);
	return rc;
}

/* Says in e that the call gives up after took_ms, and why. */
static void
gave_up(struct retry_ctx *r, struct ss_error *e, uint64_t took_ms,
    const char *why)
{
	if (r->progress != NULL)
		progress_clear(r->progress);
	append(e, " (gave up after %u attempt%s in %.1f s: %s)", r->attempts,
	    r->attempts == 1 ? "" : "s", (double)took_ms / 1000.0, why);
}

/*
 * Pauses before another attempt, never past the deadline; 0 (having said
 * so in e) when too little time is left for one.
 */
static int
pause_or_give_up(struct retry_ctx *r, unsigned *failures, uint64_t t0,
    struct ss_error *e)
{
	uint64_t now = conn_now_ms(), pause;

	if (!r->answered && r->fail_fast_ms > 0 &&
	    now - t0 + retry_cap_ms(*failures + 1) > r->fail_fast_ms) {
		gave_up(r, e, now - t0, "is the server running? --wait keeps "
		    "retrying up to --timeout");
		return 0;
	}
	if (now + RETRY_MIN_LEFT_MS <= r->deadline) {
		pause = retry_pause_ms(++*failures, retry_random());
		if (pause > r->deadline - now)
			pause = r->deadline - now;
		if (r->progress != NULL) {
			progress_ahead(r->progress, pause);
			progress_show(r->progress, "%.100s; retrying "
			    "(attempt %u)", e->msg, r->attempts + 1);
		}
		conn_sleep_ms(pause);
		now = conn_now_ms();
	}
	if (now + RETRY_MIN_LEFT_MS <= r->deadline)
		return 1;
	gave_up(r, e, now - t0, "--timeout reached");
	return 0;
}

int
retry_call(struct retry_ctx *r, struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	struct ss_error scratch;
	uint64_t t0 = conn_now_ms();
	unsigned failures = 0;
	int rc, code, final;

	if (e == NULL)
		e = &scratch;
	r->attempts = 0;
	memset(resp, 0, sizeof(*resp));
	for (;;) {
		rc = attempt(r, c, req, lim, resp, &code, &final, e);
		if (final)
			return rc;
		if (!retry_worth(rc, c->transient, code)) {
			if (r->attempts > 1)
				append(e, " (attempt %u)", r->attempts);
			return rc;
		}
		if (rc == SS_OK)
			rc = SS_ERR_TIMEOUT;  /* UNAVAILABLE until the end */
		if (!pause_or_give_up(r, &failures, t0, e)) {
			/* Refused or lost each time: the server, not a file. */
			if (rc == SS_ERR_IO)
				rc = SS_ERR_UNAVAILABLE;
			e->code = rc;
			return rc;
		}
	}
}
