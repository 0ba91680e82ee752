/*
 * cmd_share.c: `share`: reads this party's input, Shamir-shares every
 * element among the session's parties, seals each party's vector of shares
 * to that party's encryption key (HPKE, authenticated as us, bound to the
 * pinned session digest D), signs a SUBMIT naming the digest of every
 * ciphertext, records the input in this party's records and keeps the
 * submission there, and only then submits the n ciphertexts and the SUBMIT
 * in one SubmitShares. A later `share` or `run` under the same D sends that
 * kept submission again, byte for byte, and never signs another SUBMIT.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "input.h"
#include "keydir.h"
#include "output.h"
#include "claims.h"
#include "records.h"
#include "sealed.h"
#include "shamir.h"
#include "signer.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

/*
 * The shares of this many bytes of elements are made at a time (all n
 * parties' parts of a block of elements): they stay in the cache between
 * being made and being sealed.
 */
#define SEAL_BLOCK_BYTES	(256 * 1024)

int
cmd_share_check(const struct wire_response *st, const char *self,
    const char *session, struct ss_error *e)
{
	char who[512];

	/* By hand, a second `share` is a mistake: say so. */
	if (wire_names_has(&st->shared, self))
		return ss_error_set(e, SS_ERR_EXISTS, "%s already shared an "
		    "input in session %s; a party shares once", self, session);
	if (st->phase == PHASE_FAILED)
		return call_session_failed(st, session, e);
	if (st->phase != PHASE_SHARING) {
		out_join(who, sizeof(who), &st->cohort, ",");
		return ss_error_set(e, SS_ERR_PRECONDITION, "session %s no longer "
		    "takes shares: its cohort is fixed (%s)", session, who);
	}
	return SS_OK;
}

static int
no_memory(size_t n, size_t L, struct ss_error *e)
{
	return ss_error_set(e, SS_ERR_ALLOC, "out of memory for %zu parties "
	    "and %zu elements", n, L);
}

int
cmd_share_alloc(struct submission *sub, const struct wire_names *parties,
    size_t L, struct ss_error *e)
{
	const size_t n = parties->n, clen = sealed_len(L);
	size_t i;

	memset(sub, 0, sizeof(*sub));
	if (clen == 0 || (n > 0 && clen > SIZE_MAX / n))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "%zu ciphertexts of %zu "
		    "elements are too large", n, L);
	if ((sub->cts = malloc(n * clen > 0 ? n * clen : 1)) == NULL ||
	    (sub->names = calloc(n ? n : 1, sizeof(*sub->names))) == NULL ||
	    (sub->ws = calloc(n ? n : 1, sizeof(*sub->ws))) == NULL) {
		cmd_share_free(sub);
		return no_memory(n, L, e);
	}
	sub->n = n;
	sub->clen = clen;
	for (i = 0; i < n; i++) {
		/* Our own copies: the status is freed before a resubmission. */
		snprintf(sub->names[i], sizeof(sub->names[i]), "%s",
		    parties->v[i]);
		sub->ws[i].recipient = sub->names[i];
		sub->ws[i].ct = sub->cts + i * clen;
		sub->ws[i].ct_len = clen;
	}
	return SS_OK;
}

void
cmd_share_free(struct submission *sub)
{
	/* The memset below makes a second call free NULLs. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	free(sub->cts);
	free(sub->names);
	free(sub->ws);
	signer_stmt_free(&sub->submit);
	memset(sub, 0, sizeof(*sub));
}

/*
 * Our input, as field elements in secrets[0..L) (L = p->length), and its
 * hash H for our records into h (the caller wipes it).
 */
static int
read_secrets(const struct input_src *in, const struct wire_params *p,
    uint64_t *secrets, uint8_t h[PSTATE_HASH_LEN], struct ss_error *e)
{
	const size_t L = p->length;
	int64_t *values;
	size_t i;
	int r;

	if ((values = calloc(L, sizeof(*values))) == NULL)
		return no_memory(p->parties.n, L, e);
	r = input_read(in, p->decimals, (unsigned)p->parties.n, L, values, e);
	if (r == SS_OK)
		r = records_input_hash(values, L, h, e);
	for (i = 0; i < L && r == SS_OK; i++)
		if ((r = field_from_int64(values[i], &secrets[i])) != SS_OK)
			ss_error_set(e, r, "input %zu cannot be encoded", i + 1);
	client_wipe_free(values, L * sizeof(*values));
	return r;
}

int
cmd_share_record(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct ss_error *e)
{
	const size_t L = st->params.length;
	uint8_t h[PSTATE_HASH_LEN];
	uint64_t *secrets;
	int r;

	if ((secrets = calloc(L, sizeof(*secrets))) == NULL)
		return no_memory(st->params.parties.n, L, e);
	if ((r = read_secrets(in, &st->params, secrets, h, e)) == SS_OK)
		r = records_input(c, session, h, e);
	OPENSSL_cleanse(h, sizeof(h));
	client_wipe_free(secrets, L * sizeof(*secrets));
	return r;
}

/*
 * Signs the SUBMIT of sub, from position pos: the digest of every
 * ciphertext, in party order, for each recipient to check its own.
 */
static int
sign_submit(struct client *c, struct submission *sub, uint32_t pos,
    struct ss_error *e)
{
	struct statement s;
	uint8_t *digests;
	size_t i;
	int r = SS_OK;

	if ((digests = calloc(sub->n ? sub->n : 1, STATEMENT_HASH_LEN)) ==
	    NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < sub->n && r == SS_OK; i++)
		if (statement_hash(sub->ws[i].ct, sub->ws[i].ct_len,
		    digests + i * STATEMENT_HASH_LEN) != SS_OK)
			r = ss_error_set(e, SS_ERR_CRYPTO, "cannot hash a "
			    "ciphertext");
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUBMIT;
	s.position = pos;
	s.n = (uint32_t)sub->n;
	s.digests = digests;
	if (r == SS_OK)
		r = signer_make(c, &s, &sub->submit, e);
	free(digests);
	return r;
}

/*
 * Our key (into *key), published to the server's directory, and every
 * recipient's public key, into pks.
 */
static int
gather_keys(struct client *c, const struct submission *sub,
    struct hpke_key **key, uint8_t (*pks)[HPKE_KEY_LEN], struct ss_error *e)
{
	const char **names;
	const uint8_t *der = NULL;
	size_t derlen = 0, i;
	int r;

	if ((names = calloc(sub->n ? sub->n : 1, sizeof(*names))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < sub->n; i++)
		names[i] = sub->names[i];
	if ((r = keydir_own_key(c, key, &der, &derlen, e)) == SS_OK &&
	    (r = keydir_publish(c, der, derlen, e)) == SS_OK)
		r = keydir_get_keys(c, names, sub->n, pks, 1, e);
	free(names);
	return r;
}

/*
 * Adds party i's part of a block to its ciphertext and, with the last
 * block, ends it there and then (ss[i] NULL after). Ending each stream
 * right after its last piece, rather than all of them after the last
 * block, also keeps valgrind quiet: OpenSSL 3.0's AVX AES-GCM reads stale
 * stack when it makes a tag (openssl/openssl#19719, closed unfixed; the
 * tags are right), which valgrind then sees in the tag of a stream ended
 * after other streams' work.
 */
static int
seal_piece(struct submission *sub, struct sealed_stream **ss, size_t i,
    const uint64_t *piece, size_t k, int last, struct ss_error *e)
{
	struct sealed_stream *s = ss[i];
	int r;

	if ((r = sealed_stream_add(s, piece, k)) == SS_OK && last) {
		ss[i] = NULL;
		r = sealed_stream_end(s);
	}
	if (r != SS_OK)
		ss_error_set(e, r, "sealing the share for %s failed: %s",
		    sub->names[i], ss_strerror(r));
	return r;
}

int
cmd_share_seal_shares(struct submission *sub, const uint8_t *d,
    const char *self, const struct hpke_key *key,
    const uint8_t (*pks)[HPKE_KEY_LEN], const uint64_t *secrets, size_t L,
    unsigned threshold, struct ss_error *e)
{
	const size_t n = sub->n;
	struct sealed_stream **ss;
	uint64_t *shares;
	size_t i, b, off, nb;
	int r = SS_OK;

	if (n == 0 || L == 0)
		return ss_error_set(e, SS_ERR_INVALID, "nothing to share");
	/*
	 * The shares are made a block of elements at a time and each party's
	 * part of the block sealed into its ciphertext there and then, so
	 * that they never exist whole: n * L elements would be as large again
	 * as the ciphertexts, all of it memory touched for the first time.
	 */
	b = SEAL_BLOCK_BYTES / sizeof(*shares) / n;
	b = b == 0 ? 1 : b > L ? L : b;
	if ((shares = calloc(n * b, sizeof(*shares))) == NULL)
		return no_memory(n, L, e);
	if ((ss = calloc(n, sizeof(struct sealed_stream *))) == NULL) {
		free(shares);
		return no_memory(n, L, e);
	}
	for (i = 0; i < n && r == SS_OK; i++)
		if ((r = sealed_stream_begin(d, self, sub->names[i], L, key,
		    pks[i], sub->cts + i * sub->clen, sub->clen, &ss[i])) !=
		    SS_OK)
			ss_error_set(e, r, "sealing the share for %s failed: %s",
			    sub->names[i], ss_strerror(r));
	for (off = 0; off < L && r == SS_OK; off += nb) {
		nb = L - off < b ? L - off : b;
		if ((r = shamir_split(secrets + off, nb, (unsigned)n, threshold,
		    shares)) != SS_OK)
			ss_error_set(e, r, "sharing failed: %s", ss_strerror(r));
		for (i = 0; i < n && r == SS_OK; i++)
			r = seal_piece(sub, ss, i, &shares[i * nb], nb,
			    off + nb == L, e);
	}
	/* Those not ended: a failure stopped them. */
	for (i = 0; i < n; i++)
		sealed_stream_free(ss[i]);
	client_wipe_free(shares, n * b * sizeof(*shares));
	free(ss);
	return r;
}

int
cmd_share_seal(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct submission *sub, struct ss_error *e)
{
	const struct wire_params *p = &st->params;
	const size_t n = p->parties.n, L = p->length;
	const int pos = claims_index(&p->parties, c->party) + 1;
	uint64_t *secrets = NULL;
	uint8_t (*pks)[HPKE_KEY_LEN] = NULL, h[PSTATE_HASH_LEN];
	struct hpke_key *key = NULL;        /* c's (keydir_own_key) */
	int r;

	memset(sub, 0, sizeof(*sub));
	/* claims_check bounded n and L by the frame, so these cannot wrap. */
	if (sealed_len(L) == 0 || !claims_fit(n, L))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "session %s is too "
		    "large", session);
	if ((r = cmd_share_alloc(sub, &p->parties, L, e)) != SS_OK)
		return r;
	if ((secrets = calloc(L, sizeof(*secrets))) == NULL ||
	    (pks = calloc(n, sizeof(*pks))) == NULL) {
		r = no_memory(n, L, e);
		goto out;
	}
	/*
	 * The input first: a typo should fail before anything is sent. It is
	 * recorded last, once sealed and signed, and before it is sent. A
	 * submission on record under D (an earlier command's, sent or not) is
	 * sent again as it is: a second SUBMIT would prove us dishonest.
	 */
	if ((r = read_secrets(in, p, secrets, h, e)) == SS_OK &&
	    (r = records_reuse_check(c, session, h, e)) == SS_OK &&
	    (r = records_kept(c, h, sub, e)) == 0 &&
	    (r = gather_keys(c, sub, &key, pks, e)) == SS_OK &&
	    (r = cmd_share_seal_shares(sub, c->d, c->party, key,
	    (const uint8_t (*)[HPKE_KEY_LEN])pks, secrets, L, p->threshold,
	    e)) == SS_OK &&
	    (r = sign_submit(c, sub, (uint32_t)pos, e)) == SS_OK)
		r = records_submission(c, session, h, sub, e);
	if (r == 1)
		r = SS_OK;
 out:
	OPENSSL_cleanse(h, sizeof(h));
	if (r != SS_OK)
		cmd_share_free(sub);
	client_wipe_free(secrets, secrets != NULL ? L * sizeof(*secrets) : 0);
	free(pks);
	return r;
}

int
cmd_share_submit(struct client *c, const char *session,
    const struct submission *sub, int flags, struct ss_error *e)
{
	const struct call_count counts[] = {
		{ "ciphertexts", sub->n }, { "bytes", sub->n * sub->clen },
	};
	struct wire_request req;

	call_request(&req, WIRE_SUBMIT_SHARES, session, c->party);
	req.shares = sub->ws;
	req.nshares = sub->n;
	req.stmt = &sub->submit;
	return call_step(c, &req, flags, counts, 2, e);
}

int
cmd_share(struct client *c, const char *session, const struct input_src *in,
    struct ss_error *e)
{
	struct wire_response st;
	struct submission sub;
	int r;

	if ((r = call_status(c, session, &st, e)) != SS_OK)
		return r;
	/* Lost records first: they say more than "shared already". */
	if ((r = records_check(c, &st, e)) == SS_OK &&
	    (r = cmd_share_check(&st, c->party, session, e)) == SS_OK &&
	    (r = cmd_share_seal(c, session, &st, in, &sub, e)) == SS_OK) {
		r = cmd_share_submit(c, session, &sub, 0, e);
		cmd_share_free(&sub);
	}
	wire_response_free(&st);
	return r;
}
