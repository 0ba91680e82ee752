/*
 * cmd_sumpoint.c: `sumpoint`: once the session's cohort C is fixed,
 * fetches the shares addressed to this party, each with its dealer's
 * SUBMIT; checks C (cohort.h), exactly one share from every member of C,
 * each SUBMIT signed by its dealer for the pinned D and naming the digest
 * of the very ciphertext received; takes part in the consistency round
 * (signs C and its SUBMITs when a member, waits for every member's
 * signature); only then opens every share, adds them, and posts the sum,
 * this party's sumpoint, with its signed SUMPOINT (recorded first).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "call.h"
#include "claims.h"
#include "client.h"
#include "cohort.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "keydir.h"
#include "output.h"
#include "peers.h"
#include "pstate.h"
#include "records.h"
#include "sealed.h"
#include "signer.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

/* What the step gathers before it may open a share. */
struct gathered {
	struct wire_response gs;        /* GetShare: shares and SUBMITs */
	struct peers pc;                /* the members' signing certificates */
	struct cohort co;               /* C, with its submits digest */
	const char **senders;           /* senders[i]: share i's dealer */
	uint32_t self;                  /* our position */
};

static void
gathered_free(struct gathered *g)
{
	wire_response_free(&g->gs);
	peers_free(&g->pc);
	free(g->senders);
	memset(g, 0, sizeof(*g));
}

/* GetShare: the shares addressed to us, into gs (freed on failure). */
static int
fetch_shares(struct client *c, const char *session,
    const struct wire_response *st, struct wire_response *gs,
    struct ss_error *e)
{
	struct wire_limits lim = { .max_items = st->params.parties.n,
	    .max_bytes = sealed_len(st->params.length), .max_values = 0,
	    .max_statement = STATEMENT_SUBMIT_LEN(st->params.parties.n) };
	struct wire_request req;

	call_request(&req, WIRE_GET_SHARE, session, c->party);
	return call_get(c, &req, &lim, gs, e);
}

/* One share: from a member not seen before, of clen bytes; its position. */
static int
check_share(const struct wire_params *p, const struct cohort *co,
    const struct wire_incoming *in, unsigned char *seen, size_t clen,
    uint32_t *pos, struct ss_error *e)
{
	int idx;

	if ((idx = claims_index(&p->parties, in->sender)) < 0 ||
	    !cohort_has(co, (uint32_t)idx + 1))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent a share "
		    "from outside the cohort");
	if (seen[idx])
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent two "
		    "shares from %s", in->sender);
	seen[idx] = 1;
	if (in->ct_len != clen)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the share from %s has "
		    "%zu bytes, not %zu", in->sender, in->ct_len, clen);
	*pos = (uint32_t)idx + 1;
	return SS_OK;
}

/*
 * The dealer's SUBMIT of share in, from position pos: signed by the dealer
 * for D, its own, for the session's n, and naming the digest of the
 * ciphertext we received, at our position.
 */
static int
check_submit(struct client *c, const struct peers *pc, uint32_t self,
    const struct wire_params *p, const struct wire_incoming *in, uint32_t pos,
    struct ss_error *e)
{
	uint8_t h[STATEMENT_HASH_LEN];
	struct statement s;
	int r;

	if ((r = peers_verify(c, pc, &p->parties, pos, &in->submit, &s,
	    e)) != SS_OK)
		return r;
	if (s.type != STATEMENT_SUBMIT || s.position != pos ||
	    s.n != p->parties.n)
		return ss_error_set(e, SS_ERR_AUTH, "%s's SUBMIT is not its "
		    "submission to this session (a %s, position %u, n %u)",
		    in->sender, statement_type_name(s.type), s.position, s.n);
	if (statement_hash(in->ct, in->ct_len, h) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a share");
	if (CRYPTO_memcmp(h, s.digests + (size_t)(self - 1) *
	    STATEMENT_HASH_LEN, sizeof(h)) != 0)
		return ss_error_set(e, SS_ERR_AUTH, "the share from %s is not "
		    "the ciphertext its SUBMIT names for %s: altered or swapped",
		    in->sender, c->party);
	return SS_OK;
}

int
cmd_sumpoint_check_shares(struct client *c, const struct wire_params *p,
    const struct peers *pc, uint32_t self, struct cohort *co,
    const struct wire_response *gs, const char **senders, struct ss_error *e)
{
	const size_t n = p->parties.n, m = gs->nshares;
	const size_t clen = sealed_len(p->length);
	const uint8_t **bodies;
	unsigned char *seen;
	size_t *lens, i, k = 0;
	uint32_t pos = 0;
	int r = SS_OK;

	co->have_submits = 0;
	if (m != co->size)
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server sent %zu "
		    "shares for a cohort of %zu", m, co->size);
	seen = calloc(n + 1, 1);
	bodies = calloc(n + 1, sizeof(*bodies));
	lens = calloc(n + 1, sizeof(*lens));
	if (seen == NULL || bodies == NULL || lens == NULL) {
		free(seen);
		free(bodies);
		free(lens);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	}
	for (i = 0; i < m && r == SS_OK; i++) {
		const struct wire_incoming *in = &gs->shares[i];

		senders[i] = in->sender;
		if ((r = check_share(p, co, in, seen, clen, &pos, e)) ==
		    SS_OK && (r = check_submit(c, pc, self, p, in, pos, e)) ==
		    SS_OK) {
			bodies[pos - 1] = in->submit.body;
			lens[pos - 1] = in->submit.body_len;
		}
	}
	/* Position order: the slots of the members, compacted. */
	for (i = 0; i < n && r == SS_OK; i++)
		if (bodies[i] != NULL) {
			bodies[k] = bodies[i];
			lens[k++] = lens[i];
		}
	if (r == SS_OK && statement_submits_digest(bodies, lens, k,
	    co->submits) != SS_OK)
		r = ss_error_set(e, SS_ERR_INTERNAL, "cannot hash the SUBMITs");
	co->have_submits = r == SS_OK;
	free(seen);
	free(bodies);
	free(lens);
	return r;
}

/*
 * Everything before the round: our records consistent with the server,
 * the shares and SUBMITs, C checked, the members' certificates.
 */
static int
gather(struct client *c, const char *session, const struct wire_response *st,
    struct gathered *g, struct ss_error *e)
{
	const struct wire_params *p = &st->params;
	unsigned char want[CLIENT_MAX_PARTIES];
	uint32_t i;
	int r, shared;

	memset(g, 0, sizeof(*g));
	g->self = (uint32_t)claims_index(&p->parties, c->party) + 1;
	if ((r = records_check(c, st, e)) != SS_OK ||
	    (r = cohort_of(&p->parties, &st->cohort, &g->co, e)) != SS_OK)
		return r;
	if ((shared = records_shared(c, e)) < 0)
		return shared;
	if ((r = cohort_rules(p, &g->co, g->self, shared,
	    cohort_now(p, &g->co), session, e)) != SS_OK ||
	    (r = fetch_shares(c, session, st, &g->gs, e)) != SS_OK)
		return r;
	for (i = 0; i < g->co.n; i++)
		want[i] = (unsigned char)cohort_has(&g->co, i + 1);
	if ((g->senders = calloc(g->gs.nshares ? g->gs.nshares : 1,
	    sizeof(*g->senders))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if ((r = peers_fetch(c, &p->parties, want, &g->pc, e)) != SS_OK)
		return r;
	return cmd_sumpoint_check_shares(c, p, &g->pc, g->self, &g->co, &g->gs,
	    g->senders, e);
}

/*
 * A share that does not open: reported by us, naming its dealer and the
 * digest of the dealer's SUBMIT. Evidence, not proof: only the dealer and
 * we can tell what was sealed (HPKE auth mode is deniable).
 */
static int
report(struct client *c, const struct wire_incoming *in, int r,
    struct ss_error *e)
{
	uint8_t h[STATEMENT_HASH_LEN];
	char hex[2 * STATEMENT_HASH_LEN + 1];
	size_t i;

	if (statement_hash(in->submit.body, in->submit.body_len, h) != SS_OK)
		memset(h, 0, sizeof(h));
	for (i = 0; i < sizeof(h); i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	return ss_error_set(e, r, "the share from %s does not open (%s): "
	    "reported by %s, naming dealer %s and its SUBMIT (SHA-256 %s); "
	    "evidence, not proof; no sumpoint posted", in->sender,
	    r == SS_ERR_AUTH ? "it fails authentication" : ss_strerror(r),
	    c->party, in->sender, hex);
}

/* Opens every share of g with our key, and adds them into sum[0..L). */
static int
open_and_add(struct client *c, const struct gathered *g,
    const uint8_t (*pks)[HPKE_KEY_LEN], const struct hpke_key *key,
    size_t L, uint64_t *sum, struct ss_error *e)
{
	uint64_t *plain;
	size_t i, k;
	int r = SS_OK;

	if ((plain = calloc(L, sizeof(*plain))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < g->gs.nshares && r == SS_OK; i++) {
		const struct wire_incoming *in = &g->gs.shares[i];

		r = sealed_open_k(c->d, g->senders[i], c->party, L, key, pks[i],
		    in->ct, in->ct_len, plain);
		if (r != SS_OK)
			r = report(c, in, r, e);
		else
			for (k = 0; k < L; k++)
				sum[k] = field_add(sum[k], plain[k]);
	}
	client_wipe_free(plain, L * sizeof(*plain));
	return r;
}

/* The dealers' keys and ours, then the sum of the shares into sum. */
static int
add_shares(struct client *c, const struct gathered *g, size_t L,
    uint64_t *sum, struct ss_error *e)
{
	const size_t m = g->gs.nshares;
	uint8_t (*pks)[HPKE_KEY_LEN];
	const uint8_t *der = NULL;
	struct hpke_key *key = NULL;        /* c's (keydir_own_key) */
	size_t derlen = 0;
	int r;

	if ((pks = calloc(m ? m : 1, sizeof(*pks))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	/* Published, so that readers find our signing certificate. */
	if ((r = keydir_get_keys(c, g->senders, m, pks, 1, e)) == SS_OK &&
	    (r = keydir_own_key(c, &key, &der, &derlen, e)) == SS_OK &&
	    (r = keydir_publish(c, der, derlen, e)) == SS_OK)
		r = open_and_add(c, g, (const uint8_t (*)[HPKE_KEY_LEN])pks, key,
		    L, sum, e);
	free(pks);
	return r;
}

/* Our SUMPOINT of sum, on C: recorded, then signed into out. */
static int
sign_sumpoint(struct client *c, const char *session, const struct gathered *g,
    const uint64_t *sum, size_t L, struct wire_stmt *out, struct ss_error *e)
{
	struct statement s;
	int r;

	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUMPOINT;
	s.position = g->self;
	s.length = (uint32_t)L;
	if (statement_values_digest(sum, L, s.values_digest) != SS_OK ||
	    cohort_digest(&g->co, c->d, s.cohort_digest) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the sumpoint");
	if ((r = records_open(c, e)) != SS_OK ||
	    (r = pstate_record_sumpoint(c->pstate, c->d, session,
	    s.values_digest, e)) != SS_OK)
		return r;
	return signer_make(c, &s, out, e);
}

int
cmd_sumpoint_compute(struct client *c, const char *session,
    const struct wire_response *st, struct sumpoint *sp, struct ss_error *e)
{
	const size_t L = st->params.length;
	struct wire_stmt cohort_stmt;
	struct gathered g;
	int r;

	memset(sp, 0, sizeof(*sp));
	memset(&cohort_stmt, 0, sizeof(cohort_stmt));
	if ((sp->sum = calloc(L, sizeof(*sp->sum))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	sp->L = L;
	if ((r = gather(c, session, st, &g, e)) == SS_OK &&
	    (r = cohort_round(c, session, &st->params, &g.pc, &g.co,
	    &cohort_stmt, e)) == SS_OK &&
	    (r = add_shares(c, &g, L, sp->sum, e)) == SS_OK &&
	    (r = sign_sumpoint(c, session, &g, sp->sum, L, &sp->stmt, e)) ==
	    SS_OK)
		sp->m = g.gs.nshares;
	signer_stmt_free(&cohort_stmt);
	gathered_free(&g);
	if (r != SS_OK)
		cmd_sumpoint_free(sp);
	return r;
}

void
cmd_sumpoint_free(struct sumpoint *sp)
{
	client_wipe_free(sp->sum, sp->sum != NULL ? sp->L * sizeof(*sp->sum) :
	    0);
	signer_stmt_free(&sp->stmt);
	memset(sp, 0, sizeof(*sp));
}

/*
 * The same values and SUMPOINT again are a duplicate OK, so retries and
 * `run`'s reposting are safe.
 */
int
cmd_sumpoint_post(struct client *c, const char *session,
    const struct sumpoint *sp, int flags, struct ss_error *e)
{
	const struct call_count shares = { "shares", sp->m };
	struct wire_request req;

	call_request(&req, WIRE_POST_SUMPOINT, session, c->party);
	req.values = sp->sum;
	req.nvalues = sp->L;
	req.stmt = &sp->stmt;
	return call_step(c, &req, flags, &shares, 1, e);
}

static int
waiting_for_shares(const struct wire_response *st, const char *session,
    struct ss_error *e)
{
	char who[512];

	out_join(who, sizeof(who), &st->missing, ", ");
	return ss_error_set(e, SS_ERR_PRECONDITION, "session %s is still in its "
	    "sharing phase, waiting for shares from: %s", session, who);
}

int
cmd_sumpoint(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	struct sumpoint sp;
	int r;

	if (st->phase == PHASE_FAILED)
		return call_session_failed(st, session, e);
	if (st->phase == PHASE_SHARING)
		return waiting_for_shares(st, session, e);
	if ((r = cmd_sumpoint_compute(c, session, st, &sp, e)) == SS_OK) {
		r = cmd_sumpoint_post(c, session, &sp, 0, e);
		cmd_sumpoint_free(&sp);
	}
	return r;
}
