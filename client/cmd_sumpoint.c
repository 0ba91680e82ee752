/*
 * cmd_sumpoint.c: `sumpoint`: once the session's cohort is fixed, fetches
 * the shares addressed to this party, checks that there is exactly one
 * from every cohort member, opens (authenticates) each with the sender's
 * key, adds them, and posts the sum: this party's sumpoint.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "keydir.h"
#include "output.h"
#include "claims.h"
#include "sealed.h"
#include "status.h"
#include "wire.h"

/* GetShare: the shares addressed to us, into gs (freed on failure). */
static int
fetch_shares(struct client *c, const char *session,
    const struct wire_response *st, struct wire_response *gs,
    struct ss_error *e)
{
	struct wire_limits lim = { .max_items = st->params.parties.n,
	    .max_bytes = sealed_len(st->params.length), .max_values = 0 };
	struct wire_request req;
	int r;

	call_request(&req, WIRE_GET_SHARE, session, c->party);
	if ((r = call_exchange(c, &req, &lim, gs, e)) != SS_OK)
		return r;
	if (gs->code == ST_OK)
		return SS_OK;
	r = call_refused_phase(c, gs, WIRE_GET_SHARE, session, "not yet", e);
	wire_response_free(gs);
	return r;
}

/* One share: from a cohort member not seen before, of clen bytes. */
static int
check_share(const struct wire_response *st, const struct wire_incoming *in,
    unsigned char *seen, size_t clen, struct ss_error *e)
{
	int idx;

	if (!wire_names_has(&st->cohort, in->sender) ||
	    (idx = claims_index(&st->params.parties, in->sender)) < 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent a share "
		    "from outside the cohort");
	if (seen[idx])
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent two "
		    "shares from %s", in->sender);
	seen[idx] = 1;
	if (in->ct_len != clen)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the share from %s has "
		    "%zu bytes, not %zu", in->sender, in->ct_len, clen);
	return SS_OK;
}

int
cmd_sumpoint_check_shares(const struct wire_response *st,
    const struct wire_response *gs, const char **senders, struct ss_error *e)
{
	const size_t clen = sealed_len(st->params.length);
	unsigned char *seen;
	size_t i;
	int r = SS_OK;

	/* Exactly one share from every cohort member, or the sum is wrong. */
	if (gs->nshares != st->cohort.n)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent %zu "
		    "shares for a cohort of %zu", gs->nshares, st->cohort.n);
	if ((seen = calloc(st->params.parties.n + 1, 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < gs->nshares && r == SS_OK; i++) {
		r = check_share(st, &gs->shares[i], seen, clen, e);
		senders[i] = gs->shares[i].sender;
	}
	free(seen);
	return r;
}

/*
 * Opens every share of gs, from senders[i] with public key pks[i], with
 * our key, and adds them into sum[0..L).
 */
static int
open_and_add(struct client *c, const char *session,
    const struct wire_response *gs, const char *const *senders,
    const uint8_t (*pks)[HPKE_KEY_LEN], const struct hpke_key *key,
    size_t L, uint64_t *sum, struct ss_error *e)
{
	uint64_t *plain;
	size_t i, k;
	int r = SS_OK;

	(void)session;
	if ((plain = calloc(L, sizeof(*plain))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < gs->nshares && r == SS_OK; i++) {
		r = sealed_open_k(c->d, senders[i], c->party, L, key, pks[i],
		    gs->shares[i].ct, gs->shares[i].ct_len, plain);
		if (r == SS_ERR_AUTH)
			ss_error_set(e, r, "share from %s failed authentication: "
			    "altered, replayed or mis-addressed", senders[i]);
		else if (r != SS_OK)
			ss_error_set(e, r, "cannot open the share from %s: %s",
			    senders[i], ss_strerror(r));
		else
			for (k = 0; k < L; k++)
				sum[k] = field_add(sum[k], plain[k]);
	}
	client_wipe_free(plain, L * sizeof(*plain));
	return r;
}

int
cmd_sumpoint_compute(struct client *c, const char *session,
    const struct wire_response *st, uint64_t **sump, size_t *mp,
    struct ss_error *e)
{
	const size_t L = st->params.length;
	struct wire_response gs;
	const char **senders = NULL;
	uint8_t (*pks)[HPKE_KEY_LEN] = NULL, *der = NULL;
	uint64_t *sum = NULL;
	struct hpke_key *key = NULL;
	size_t m, derlen = 0;
	int r;

	*sump = NULL;
	*mp = 0;
	if ((r = fetch_shares(c, session, st, &gs, e)) != SS_OK)
		return r;
	m = gs.nshares;
	if ((senders = calloc(m ? m : 1, sizeof(*senders))) == NULL ||
	    (pks = calloc(m ? m : 1, sizeof(*pks))) == NULL ||
	    (sum = calloc(L, sizeof(*sum))) == NULL)
		r = ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	else if ((r = cmd_sumpoint_check_shares(st, &gs, senders, e)) ==
	    SS_OK && (r = keydir_get_keys(c, senders, m, pks, 1, e)) == SS_OK &&
	    (r = keydir_own_key(c, &key, &der, &derlen, e)) == SS_OK &&
	    (r = open_and_add(c, session, &gs, senders,
	    (const uint8_t (*)[HPKE_KEY_LEN])pks, key, L, sum, e)) == SS_OK) {
		*sump = sum;
		sum = NULL;
		*mp = m;
	}
	hpke_key_free(key);
	wire_response_free(&gs);
	client_wipe_free(sum, sum != NULL ? L * sizeof(*sum) : 0);
	free(senders);
	free(pks);
	free(der);
	return r;
}

static void
print_posted(struct client *c, const char *session, size_t m, int duplicate,
    int flags)
{
	if (flags & STEP_QUIET) {
		client_note(c, "%s: sumpoint for session %s %s (%zu shares)",
		    c->party, session, (flags & STEP_AGAIN) ? "posted again (the "
		    "server had lost it)" : "posted", m);
	} else if (c->json) {
		client_json_step(c, session);
		printf(",\"shares\":%zu,\"duplicate\":%s}\n", m,
		    duplicate ? "true" : "false");
	} else {
		printf("%s: sumpoint for session %s posted (%zu shares)\n",
		    c->party, session, m);
	}
}

/*
 * The same values again are a duplicate OK, so retries and `run`'s
 * reposting are safe.
 */
int
cmd_sumpoint_post(struct client *c, const char *session, const uint64_t *sum,
    size_t L, size_t m, int flags, struct ss_error *e)
{
	struct wire_request req;
	int duplicate = 0, r;

	call_request(&req, WIRE_POST_SUMPOINT, session, c->party);
	req.values = sum;
	req.nvalues = L;
	if ((r = call_change(c, &req, &duplicate, e)) == SS_OK)
		print_posted(c, session, m, duplicate, flags);
	return r;
}

static int
waiting_for_shares(const struct wire_response *st, const char *session,
    struct ss_error *e)
{
	char who[512];

	out_join(who, sizeof(who), &st->missing, ", ");
	return ss_error_set(e, SS_ERR_INVALID, "session %s is still in its "
	    "sharing phase, waiting for shares from: %s", session, who);
}

int
cmd_sumpoint(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	const size_t L = st->params.length;
	uint64_t *sum = NULL;
	size_t m = 0;
	int r;

	if (st->phase == PHASE_FAILED)
		return call_session_failed(st, session, e);
	if (st->phase == PHASE_SHARING)
		return waiting_for_shares(st, session, e);
	if ((r = cmd_sumpoint_compute(c, session, st, &sum, &m, e)) == SS_OK)
		r = cmd_sumpoint_post(c, session, sum, L, m, 0, e);
	client_wipe_free(sum, sum != NULL ? L * sizeof(*sum) : 0);
	return r;
}
