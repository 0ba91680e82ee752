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
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void
pause_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Appends to the message in err. */
static void
append(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t k = strnlen(err, errlen);
	va_list ap;

	if (k + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + k, errlen - k, fmt, ap);
	va_end(ap);
}

int
retry_call(struct retry_ctx *r, struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    char *err, size_t errlen)
{
	const char *what = wire_method_name(req->method);
	uint64_t t0 = conn_now_ms(), now, left, pause;
	unsigned failures = 0;
	int rc, fresh, budget, code;

	r->attempts = 0;
	memset(resp, 0, sizeof(*resp));
	for (;;) {
		now = conn_now_ms();
		left = now < r->deadline ? r->deadline - now : 0;
		budget = left < (uint64_t)r->exchange_ms ? (int)left :
		    r->exchange_ms;
		if (r->attempts == 0 && budget < RETRY_FIRST_ATTEMPT_MIN_MS)
			budget = RETRY_FIRST_ATTEMPT_MIN_MS;
		r->attempts++;
		fresh = !conn_is_open(c);
		code = -1;
		rc = SS_OK;
		if (fresh)
			rc = conn_open(c, r->server, r->certs, r->party, budget,
			    err, errlen);
		else
			c->budget_ms = budget;
		if (rc == SS_OK) {
			rc = conn_call(c, req, lim, resp, err, errlen);
			if (rc == SS_OK) {
				r->answered = 1;
				r->unproven = 0;
				if (resp->code != ST_UNAVAILABLE)
					return SS_OK;
				code = resp->code;
				out_sanitize(resp->message);
				snprintf(err, errlen, "%s: the server is "
				    "unavailable (UNAVAILABLE): %s", what,
				    resp->message[0] != '\0' ? resp->message :
				    "(no message)");
				wire_response_free(resp);
				memset(resp, 0, sizeof(*resp));
			} else if (fresh && !r->answered &&
			    (c->alert || (rc == SS_ERR_IO && c->transient))) {
				/*
				 * The handshake went through and the server
				 * ended the connection before answering, and
				 * it never has answered us: an alert says it
				 * refused our certificate; a bare drop often
				 * does too (the alert lost to a reset).
				 */
				if (c->alert ||
				    ++r->unproven >= RETRY_UNPROVEN_MAX) {
					append(err, errlen, " (did the server "
					    "refuse our certificate %s/%s.crt?",
					    r->certs, r->party);
					if (r->attempts > 1)
						append(err, errlen, " %u "
						    "attempts", r->attempts);
					append(err, errlen, ")");
					return rc;
				}
			}
		}
		if (!retry_worth(rc, c->transient, code)) {
			if (r->attempts > 1)
				append(err, errlen, " (attempt %u)",
				    r->attempts);
			return rc;
		}
		if (rc == SS_OK)
			rc = SS_ERR_TIMEOUT;  /* UNAVAILABLE until the end */

		now = conn_now_ms();
		if (now + RETRY_MIN_LEFT_MS <= r->deadline) {
			pause = retry_pause_ms(++failures, retry_random());
			if (pause > r->deadline - now)
				pause = r->deadline - now;
			if (r->progress != NULL)
				progress_show(r->progress, "%.100s; retrying "
				    "(attempt %u)", err, r->attempts + 1);
			pause_ms(pause);
			now = conn_now_ms();
		}
		if (now + RETRY_MIN_LEFT_MS > r->deadline) {
			if (r->progress != NULL)
				progress_clear(r->progress);
			append(err, errlen, " (gave up after %u attempt%s in "
			    "%.1f s: --timeout reached)", r->attempts,
			    r->attempts == 1 ? "" : "s",
			    (double)(now - t0) / 1000.0);
			return rc;
		}
	}
}
