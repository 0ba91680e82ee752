/*
 * pin.c: pinning the session a command acts on: D from the command line
 * (an invite code, or the parameters as flags) against D recomputed from
 * the parameters the server reports. The server's own `digest` field is
 * never used for this: a lying server would simply report the pinned one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "err.h"
#include "invite.h"
#include "output.h"
#include "params.h"
#include "pin.h"
#include "wire.h"

int
pin_args_check(const struct pin_args *a, const char *session,
    struct ss_error *e)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	int flags = a->have_parties || a->have_threshold || a->have_nonce ||
	    a->have_other;

	if (a->invite != NULL && flags)
		return ss_error_set(e, SS_ERR_INVALID, "give --invite CODE or "
		    "the parameters as flags, not both");
	if (a->invite == NULL && !flags)
		return ss_error_set(e, SS_ERR_INVALID, "which session of id %s? "
		    "give --invite CODE (from create), or the parameters: "
		    "--parties, --threshold, --nonce and any of --length, "
		    "--decimals, --min-cohort, --deadline-unix", session);
	if (a->invite == NULL && (!a->have_parties || !a->have_threshold ||
	    !a->have_nonce))
		return ss_error_set(e, SS_ERR_INVALID, "pinning a session by "
		    "its parameters needs at least --parties, --threshold and "
		    "--nonce (or give --invite CODE)");
	/* A mistyped code or a broken rule fails here, before any connection. */
	return pin_expected(a, session, d, e);
}

int
pin_expected(const struct pin_args *a, const char *session,
    uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e)
{
	struct session_params p;
	int rc;

	if (a->invite != NULL)
		return invite_decode(a->invite, d, e);
	memset(&p, 0, sizeof(p));
	p.session_id = session;
	p.parties = a->parties;
	p.n = (uint32_t)a->nparties;
	p.t = a->threshold;
	p.length = a->length;
	p.decimals = a->decimals;
	p.deadline = a->deadline_unix;
	memcpy(p.nonce, a->nonce, sizeof(p.nonce));
	if ((rc = params_choose_min_cohort(a->min_cohort, p.n, p.deadline,
	    &p.min_cohort, e)) != SS_OK)
		return rc;
	if ((rc = params_digest(&p, d, e)) != SS_OK)
		(void)ss_error_prefix(e, "the parameters given as flags");
	return rc;
}

int
pin_digest(const struct wire_params *wp, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e)
{
	int rc;

	if (wp->nonce_len == 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "session %s was created "
		    "without a nonce: a version-1 session cannot be pinned",
		    wp->session_id);
	if (wp->nonce_len != PARAMS_NONCE_LEN)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server reports a "
		    "nonce of %zu bytes for session %s, not %d", wp->nonce_len,
		    wp->session_id, PARAMS_NONCE_LEN);
	if ((rc = params_digest_of(wp->session_id, wp->parties.v,
	    (uint32_t)wp->parties.n, wp->threshold, wp->length, wp->decimals,
	    wp->min_cohort, wp->deadline_unix, wp->nonce, d, e)) != SS_OK)
		(void)ss_error_prefix(e, "the server's parameters for session "
		    "%s break a rule", wp->session_id);
	return rc;
}

void
pin_deadline(char *buf, size_t len, uint64_t unix_s)
{
	char date[64];
	struct tm tm;
	time_t t = (time_t)unix_s;

	if (unix_s == 0)
		snprintf(buf, len, "none");
	/* Past time_t's range (2^63 and up wrap to before 1970): no date. */
	else if (t < 0 || (uint64_t)t != unix_s || gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%llu", (unsigned long long)unix_s);
	else
		snprintf(buf, len, "%s (unix %llu)", date,
		    (unsigned long long)unix_s);
}

void
pin_describe(char *buf, size_t len, const struct wire_params *wp,
    const uint8_t *d)
{
	char parties[512], deadline[80], code[INVITE_CODE_BUF];

	out_join(parties, sizeof(parties), &wp->parties, ",");
	pin_deadline(deadline, sizeof(deadline), wp->deadline_unix);
	if (d != NULL)
		invite_encode(d, code);
	else
		snprintf(code, sizeof(code), "(none: version 1)");
	snprintf(buf, len, "parties %s, threshold %u, length %u, decimals %u, "
	    "min_cohort %u, deadline %s, invite %s", parties, wp->threshold,
	    wp->length, wp->decimals, wp->min_cohort, deadline, code);
}

/* Appends name to the list in buf when the flag and the server differ. */
static void
differ(char *buf, size_t len, int differs, const char *name)
{
	size_t used = strlen(buf);

	if (differs && used < len)
		snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
		    name);
}

/* 1 if the flags' parties are the server's, in the same order. */
static int
same_parties(const struct pin_args *a, const struct wire_params *wp)
{
	size_t i;

	if (a->nparties != wp->parties.n)
		return 0;
	for (i = 0; i < a->nparties; i++)
		if (strcmp(a->parties[i], wp->parties.v[i]) != 0)
			return 0;
	return 1;
}

/*
 * Which of the parameters given as flags differ from the server's wp, so
 * that a refusal says what to fix and not only what the server holds.
 */
static void
pin_differences(const struct pin_args *a, const struct wire_params *wp,
    char *buf, size_t len)
{
	uint32_t min_cohort = 0;
	struct ss_error ignore;

	buf[0] = '\0';
	/* pin_expected checked the flags' rule already; 0 differs anyway. */
	if (params_choose_min_cohort(a->min_cohort, (uint32_t)a->nparties,
	    a->deadline_unix, &min_cohort, &ignore) != SS_OK)
		min_cohort = 0;
	differ(buf, len, !same_parties(a, wp), "parties");
	differ(buf, len, a->threshold != wp->threshold, "threshold");
	differ(buf, len, a->length != wp->length, "length");
	differ(buf, len, a->decimals != wp->decimals, "decimals");
	differ(buf, len, min_cohort != wp->min_cohort, "min_cohort");
	differ(buf, len, a->deadline_unix != wp->deadline_unix, "deadline");
	differ(buf, len, wp->nonce_len != PARAMS_NONCE_LEN ||
	    CRYPTO_memcmp(a->nonce, wp->nonce, PARAMS_NONCE_LEN) != 0, "nonce");
}

int
pin_check(const struct pin_args *a, const struct wire_params *wp,
    const char *session, uint8_t d[PARAMS_DIGEST_LEN], struct ss_error *e)
{
	uint8_t want[PARAMS_DIGEST_LEN];
	char held[900], fields[96];
	struct ss_error pe;
	int rc;

	memset(d, 0, PARAMS_DIGEST_LEN);
	if ((rc = pin_expected(a, session, want, e)) != SS_OK)
		return rc;
	ss_error_clear(&pe);
	rc = pin_digest(wp, d, &pe);
	if (rc == SS_ERR_ALLOC)
		return ss_error_set(e, rc, "%s", pe.msg);
	if (rc == SS_OK && CRYPTO_memcmp(d, want, sizeof(want)) == 0)
		return SS_OK;
	pin_describe(held, sizeof(held), wp, rc == SS_OK ? d : NULL);
	memset(d, 0, PARAMS_DIGEST_LEN);
	if (rc != SS_OK)
		return ss_error_set(e, rc, "refusing session %s: %s (the server "
		    "holds %s)", session, pe.msg, held);
	if (a->invite != NULL)
		return ss_error_set(e, SS_ERR_EXISTS, "refusing session %s: the "
		    "server holds other parameters than the invite's: %s",
		    session, held);
	pin_differences(a, wp, fields, sizeof(fields));
	return ss_error_set(e, SS_ERR_EXISTS, "refusing session %s: the server "
	    "holds other parameters than the ones given: %s (the flags give "
	    "another %s)", session, held, fields);
}
