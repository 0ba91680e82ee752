/*
 * statements.c: the checks of a version-2 session's statements; see
 * statements.h. The bytes and the signature are core/statement.c's; what
 * is checked here is what only the session knows: its digest, who is at
 * which position, the ciphertexts, the cohort, the values.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "record.h"
#include "session.h"
#include "statement.h"
#include "statements.h"

int
statements_expected(const struct session *se, enum statement_type type,
    const struct statement_in *in, struct ss_error *st)
{
	const char *name = statement_type_name(type);

	if (se->p.v2 && in == NULL)
		return ss_error_set(st, SS_ERR_INVALID, "session %s is of "
		    "protocol version 2: the request must carry the caller's "
		    "signed %s statement", se->p.id, name);
	if (!se->p.v2 && in != NULL)
		return ss_error_set(st, SS_ERR_INVALID, "session %s is of "
		    "protocol version 1 (created without a nonce) and takes no "
		    "%s statement", se->p.id, name);
	return SS_OK;
}

int
statements_bounded(const struct statement_in *in, struct ss_error *st)
{
	if (in->len == 0)
		return ss_error_set(st, SS_ERR_INVALID, "the statement has no "
		    "body");
	if (in->len > STATEMENT_BODY_MAX)
		return ss_error_set(st, SS_ERR_INVALID, "the statement's body "
		    "has %zu bytes, more than any statement's %zu", in->len,
		    (size_t)STATEMENT_BODY_MAX);
	if (in->sig_len == 0 || in->sig_len > STATEMENT_SIG_MAX)
		return ss_error_set(st, SS_ERR_INVALID, "a statement's "
		    "signature is 1 to %d bytes of DER, got %zu",
		    STATEMENT_SIG_MAX, in->sig_len);
	return SS_OK;
}

int
statements_copy(const struct statement_in *in, struct held_statement *h,
    struct ss_error *st)
{
	int rc;

	memset(h, 0, sizeof(*h));
	if ((rc = statements_bounded(in, st)) != SS_OK)
		return rc;
	if ((h->body = malloc(in->len)) == NULL)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	memcpy(h->body, in->body, in->len);
	h->len = in->len;
	memcpy(h->sig, in->sig, in->sig_len);
	h->sig_len = in->sig_len;
	return SS_OK;
}

/*
 * The signer's part of statements_verify: the caller's certificate signed
 * it. held: h's body is one the session holds, whose signature was
 * verified when it was taken (resent); every other check is made.
 */
static int
verify_signer(const struct session *se, X509 *cert,
    const struct held_statement *h, int held, struct statement *s,
    struct ss_error *st)
{
	const char *name = statement_type_name(s->type);
	struct statement_signer sg;
	struct ss_error why;

	if (statement_signer_view(cert, &sg) != SS_OK)
		return ss_error_set(st, SS_ERR_INTERNAL, "cannot hash the "
		    "caller's certificate");
	if (CRYPTO_memcmp(s->signer, sg.digest, sizeof(sg.digest)) != 0)
		return ss_error_set(st, SS_ERR_DENIED, "the %s statement names "
		    "another signer than the caller's TLS certificate", name);
	ss_error_clear(&why);
	if (statement_verify_signer(&sg, se->digest, h->body, h->len, h->sig,
	    h->sig_len, held, s, &why) != SS_OK)
		return ss_error_set(st, SS_ERR_INVALID, "the %s statement does "
		    "not verify with the caller's certificate: %s", name,
		    ss_error_msg(&why));
	return SS_OK;
}

/*
 * Whether h's body is that of the first statement of its type that se
 * holds from party: the same content sent again (its answer lost, say),
 * signed again, so with another signature (ECDSA is randomized). It is
 * answered as a duplicate and nothing of it is kept or relayed, so the
 * signature the first was taken with stands for it, and the ECDSA
 * verification (the bulk of such a request's cost) is not made again.
 */
static int
resent(const struct session *se, uint32_t party, enum statement_type type,
    const struct held_statement *h)
{
	const struct held_statement *first;

	first = session_statement(se, party, type, 0);
	return first != NULL && first->body != NULL && first->len == h->len &&
	    memcmp(first->body, h->body, h->len) == 0;
}

/* statements_verify, with verify_signer's held. */
static int
verify(const struct session *se, enum statement_type type, X509 *cert,
    const struct held_statement *h, int held, struct statement *s,
    struct ss_error *st)
{
	const char *want = statement_type_name(type);
	struct ss_error why;

	ss_error_clear(&why);
	if (statement_parse(h->body, h->len, s, &why) != SS_OK)
		return ss_error_set(st, SS_ERR_INVALID, "the %s statement is "
		    "not well formed: %s", want, ss_error_msg(&why));
	if (s->type != type)
		return ss_error_set(st, SS_ERR_INVALID, "expected a %s "
		    "statement, got a %s statement", want,
		    statement_type_name(s->type));
	if (CRYPTO_memcmp(s->d, se->digest, sizeof(se->digest)) != 0)
		return ss_error_set(st, SS_ERR_INVALID, "the %s statement is "
		    "for another session digest than session %s's", want,
		    se->p.id);
	return cert != NULL ? verify_signer(se, cert, h, held, s, st) : SS_OK;
}

int
statements_verify(const struct session *se, enum statement_type type,
    X509 *cert, const struct held_statement *h, struct statement *s,
    struct ss_error *st)
{
	return verify(se, type, cert, h, 0, s, st);
}

/* Whether a and b, verified bodies of one type, are from one signer. */
static int
same_signer(const struct held_statement *a, const struct held_statement *b)
{
	struct statement x, y;

	return statement_parse(a->body, a->len, &x, NULL) == SS_OK &&
	    statement_parse(b->body, b->len, &y, NULL) == SS_OK &&
	    statement_conflict(&x, &y);
}

enum statements_news
statements_compare(const struct session *se, uint32_t party,
    enum statement_type type, const struct held_statement *h)
{
	const struct held_statement *first, *second;

	first = session_statement(se, party, type, 0);
	second = session_statement(se, party, type, 1);
	if (first == NULL || second == NULL || first->body == NULL)
		return STATEMENTS_NEW;
	/* One content has one body (statement_parse takes no other). */
	if (first->len == h->len && memcmp(first->body, h->body, h->len) == 0)
		return STATEMENTS_SAME;
	if (!same_signer(first, h))
		return STATEMENTS_OTHER_SIGNER;
	return second->body != NULL ? STATEMENTS_KNOWN : STATEMENTS_CONFLICT;
}

int
statements_refusal(const struct session *se, uint32_t party,
    enum statement_type type, enum statements_news news, struct ss_error *st)
{
	const char *name = statement_type_name(type), *who = se->p.parties[party];

	switch (news) {
	case STATEMENTS_CONFLICT:
		return ss_error_set(st, SS_ERR_EXISTS, "%s already signed a "
		    "different %s statement for session %s; both are kept as "
		    "proof that %s equivocated", who, name, se->p.id, who);
	case STATEMENTS_KNOWN:
		return ss_error_set(st, SS_ERR_EXISTS, "%s already signed a "
		    "different %s statement for session %s (a conflict is "
		    "already kept)", who, name, se->p.id);
	default:
		return ss_error_set(st, SS_ERR_EXISTS, "%s already made a %s "
		    "statement for session %s, signed with another certificate",
		    who, name, se->p.id);
	}
}

/* A statement's position is its signer's. */
static int
check_position(const struct session *se, uint32_t party,
    const struct statement *s, struct ss_error *st)
{
	if (s->position == party + 1)
		return SS_OK;
	return ss_error_set(st, SS_ERR_INVALID, "the %s statement is for "
	    "position %u; %s is at position %u of session %s",
	    statement_type_name(s->type), s->position, se->p.parties[party],
	    party + 1, se->p.id);
}

static int
check_n(const struct session *se, const struct statement *s,
    struct ss_error *st)
{
	if (s->n == se->p.n)
		return SS_OK;
	return ss_error_set(st, SS_ERR_INVALID, "the %s statement is for "
	    "n = %u parties; session %s has %u", statement_type_name(s->type),
	    s->n, se->p.id, se->p.n);
}

int
statements_check_submit(const struct session *se, uint32_t party,
    const struct statement *s, const uint8_t *block, struct ss_error *st)
{
	uint8_t h[STATEMENT_HASH_LEN];
	uint32_t j;

	if (check_position(se, party, s, st) != SS_OK ||
	    check_n(se, s, st) != SS_OK)
		return st->code;
	for (j = 0; j < se->p.n; j++) {
		if (statement_hash(block + (size_t)j * se->ct_len, se->ct_len,
		    h) != SS_OK)
			return ss_error_set(st, SS_ERR_INTERNAL, "cannot hash a "
			    "ciphertext");
		if (memcmp(h, s->digests + (size_t)j * STATEMENT_HASH_LEN,
		    sizeof(h)) != 0)
			return ss_error_set(st, SS_ERR_INVALID, "the SUBMIT "
			    "statement's digest for recipient %s (position %u) "
			    "is not the SHA-256 of the ciphertext sent to it",
			    se->p.parties[j], j + 1);
	}
	return SS_OK;
}

/*
 * The submits digest and the cohort digest of se's fixed cohort: kept
 * (statements_fix_cohort), or computed from the members' SUBMITs.
 */
static int
cohort_digests(const struct session *se, uint8_t submits[STATEMENT_HASH_LEN],
    uint8_t cohort[STATEMENT_HASH_LEN])
{
	const uint8_t **bodies;
	struct statement c;
	uint8_t *bitmap;
	size_t *lens, m = 0;
	uint32_t i;
	int rc = SS_ERR_ALLOC;

	if (se->have_digests) {
		memcpy(submits, se->submits_digest, STATEMENT_HASH_LEN);
		memcpy(cohort, se->cohort_digest, STATEMENT_HASH_LEN);
		return SS_OK;
	}
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	bodies = calloc(se->p.n, sizeof(*bodies));
	lens = calloc(se->p.n, sizeof(*lens));
	bitmap = calloc(statement_bitmap_len(se->p.n), 1);
	if (bodies != NULL && lens != NULL && bitmap != NULL) {
		for (i = 0; i < se->p.n; i++) {
			const struct held_statement *h;

			if (!se->in_cohort[i])
				continue;
			h = session_statement(se, i, STATEMENT_SUBMIT, 0);
			bodies[m] = h != NULL ? h->body : NULL;
			lens[m++] = h != NULL ? h->len : 0;
			statement_bitmap_set(bitmap, i + 1);
		}
		memset(&c, 0, sizeof(c));
		c.type = STATEMENT_COHORT;
		memcpy(c.d, se->digest, sizeof(c.d));
		c.n = se->p.n;
		c.cohort = bitmap;
		if ((rc = statement_submits_digest(bodies, lens, m,
		    c.submits)) == SS_OK &&
		    (rc = statement_cohort_digest(&c, cohort)) == SS_OK)
			memcpy(submits, c.submits, STATEMENT_HASH_LEN);
	}
	free(bodies);
	free(lens);
	free(bitmap);
	return rc;
}

/*
 * Whether want is the digest of se's cohort that a statement must name:
 * the submits digest (which 0) or the cohort digest (1); if not, st says
 * what (why) with the session's id.
 */
static int
check_digest(const struct session *se, int which, const uint8_t *want,
    const char *why, struct ss_error *st)
{
	uint8_t d[2][STATEMENT_HASH_LEN];

	if (cohort_digests(se, d[0], d[1]) != SS_OK)
		return ss_error_set(st, SS_ERR_INTERNAL, "cannot hash the "
		    "SUBMIT statements of session %s's cohort", se->p.id);
	if (memcmp(d[which], want, STATEMENT_HASH_LEN) != 0)
		return ss_error_set(st, SS_ERR_INVALID, "%s of session %s",
		    why, se->p.id);
	return SS_OK;
}

void
statements_fix_cohort(struct session *se)
{
	se->have_digests = 0;
	if (se->p.v2 && cohort_digests(se, se->submits_digest,
	    se->cohort_digest) == SS_OK)
		se->have_digests = 1;
}

int
statements_check_cohort(const struct session *se, uint32_t party,
    const struct statement *s, struct ss_error *st)
{
	uint32_t i;
	int in;

	if (!se->in_cohort[party])
		return ss_error_set(st, SS_ERR_DENIED, "%s is not in the cohort "
		    "of session %s: only its members sign it",
		    se->p.parties[party], se->p.id);
	if (check_n(se, s, st) != SS_OK)
		return st->code;
	for (i = 0; i < se->p.n; i++) {
		in = statement_bitmap_has(s->cohort, s->n, i + 1);
		if (in != (se->in_cohort[i] != 0))
			return ss_error_set(st, SS_ERR_INVALID, "the COHORT "
			    "statement %s %s (position %u), and the cohort the "
			    "server fixed for session %s %s", in ? "holds" :
			    "leaves out", se->p.parties[i], i + 1, se->p.id,
			    in ? "does not" : "does");
	}
	return check_digest(se, 0, s->submits, "the COHORT statement names "
	    "other SUBMIT statements (its submits digest) than those of the "
	    "members of the cohort", st);
}

int
statements_check_sumpoint(const struct session *se, uint32_t party,
    const struct statement *s, const uint64_t *values, size_t nvalues,
    struct ss_error *st)
{
	uint8_t h[STATEMENT_HASH_LEN];

	if (check_position(se, party, s, st) != SS_OK)
		return st->code;
	if (s->length != se->p.length)
		return ss_error_set(st, SS_ERR_INVALID, "the SUMPOINT statement "
		    "is for vectors of length %u; session %s's are %u",
		    s->length, se->p.id, se->p.length);
	if (statement_values_digest(values, nvalues, h) != SS_OK)
		return ss_error_set(st, SS_ERR_INTERNAL, "cannot hash the "
		    "sumpoint");
	if (memcmp(h, s->values_digest, sizeof(h)) != 0)
		return ss_error_set(st, SS_ERR_INVALID, "the SUMPOINT "
		    "statement's values digest is not that of the values sent");
	return check_digest(se, 1, s->cohort_digest, "the SUMPOINT statement "
	    "names another cohort (its cohort digest) than the one fixed, "
	    "with its members' SUBMITs,", st);
}

/* Whether party's first statement of type is as the rules leave it. */
static int
first_consistent(const struct session *se, uint32_t party,
    enum statement_type type)
{
	const struct held_statement *h = session_statement(se, party, type, 0);
	struct ss_error e;
	struct statement s;
	int have = h->body != NULL;

	if ((type == STATEMENT_SUBMIT && have != (se->shares[party] != NULL)) ||
	    (type == STATEMENT_SUMPOINT &&
	    have != (se->sumpoints[party] != NULL)))
		return 0;
	if (!have)
		return 1;
	if (statements_verify(se, type, NULL, h, &s, &e) != SS_OK)
		return 0;
	switch (type) {
	case STATEMENT_SUBMIT:
		return statements_check_submit(se, party, &s, se->shares[party],
		    &e) == SS_OK;
	case STATEMENT_COHORT:
		return statements_check_cohort(se, party, &s, &e) == SS_OK;
	default:
		return statements_check_sumpoint(se, party, &s,
		    se->sumpoints[party], se->p.length, &e) == SS_OK;
	}
}

int
statements_consistent(const struct session *se)
{
	const struct held_statement *first, *second;
	struct statement s;
	struct ss_error e;
	enum statement_type t;
	uint32_t i;

	if (!se->p.v2)
		return se->statements == NULL;
	for (i = 0; i < se->p.n; i++)
		for (t = STATEMENT_SUBMIT; t <= STATEMENT_SUMPOINT; t++) {
			first = session_statement(se, i, t, 0);
			second = session_statement(se, i, t, 1);
			if (!first_consistent(se, i, t))
				return 0;
			if (second->body != NULL && (first->body == NULL ||
			    statements_verify(se, t, NULL, second, &s,
			    &e) != SS_OK || !same_signer(first, second)))
				return 0;
		}
	return 1;
}

uint64_t
statements_max_message(uint32_t n)
{
	/* Each statement with its signature and the tags around them. */
	return 2 * (uint64_t)n * (STATEMENT_SUBMIT_LEN(n) + STATEMENT_SIG_MAX +
	    16);
}

uint64_t
statements_max_bytes(uint32_t n)
{
	/* Context, type, D and signer; then each type's fields. */
	const uint64_t head = 32 + 2 * STATEMENT_HASH_LEN;
	uint64_t submit = head + 8 + (uint64_t)n * STATEMENT_HASH_LEN;
	/* Room for a digest beside the bitmap (docs/PROTOCOL.md 23.2). */
	uint64_t cohort = head + 4 + statement_bitmap_len(n) + STATEMENT_HASH_LEN;
	uint64_t sumpoint = head + 2 * STATEMENT_HASH_LEN + 8;

	/* Each party's three, and a conflicting second of each. */
	return 2 * (uint64_t)n * (submit + cohort + sumpoint +
	    3 * (uint64_t)STATEMENT_SIG_MAX);
}

/* ---- the store's side --------------------------------------------------- */

void
statements_keep(struct store *s, struct session *se, uint32_t party,
    enum statement_type type, int second, struct held_statement *h)
{
	struct held_statement *slot = session_statement(se, party, type, second);

	if (slot == NULL || h->body == NULL)
		return;
	*slot = *h;
	memset(h, 0, sizeof(*h));
	s->stored_bytes += held_statement_bytes(slot);
	s->version++;
	record_changed(s, se, 0);
}

int
statements_take(struct session *se, uint32_t party,
    enum statement_type type, const struct store_signed *sg,
    struct held_statement *h, struct statement *sp,
    enum statements_news *news, struct ss_error *st)
{
	const struct statement_in *in = sg != NULL ? sg->stmt : NULL;
	int held;

	memset(h, 0, sizeof(*h));
	*news = STATEMENTS_NEW;
	if (statements_expected(se, type, in, st) != SS_OK)
		return st->code;
	if (in == NULL)
		return SS_OK;
	if (sg->cert == NULL)
		return ss_error_set(st, SS_ERR_UNAUTHENTICATED, "the caller's "
		    "TLS certificate is not known: its %s statement cannot be "
		    "checked", statement_type_name(type));
	if (statements_copy(in, h, st) != SS_OK)
		goto refuse;
	held = resent(se, party, type, h);
	if (verify(se, type, sg->cert, h, held, sp, st) != SS_OK)
		goto refuse;
	/* A body the session holds first is what statements_compare calls SAME. */
	*news = held ? STATEMENTS_SAME : statements_compare(se, party, type, h);
	/* A conflict is the caller's to keep (change_keep_conflict). */
	if (*news == STATEMENTS_NEW || *news == STATEMENTS_SAME ||
	    *news == STATEMENTS_CONFLICT)
		return SS_OK;
	statements_refusal(se, party, type, *news, st);
refuse:
	held_statement_free(h);
	return st->code;
}

int
statements_replay(const struct session *se, uint32_t party,
    enum statement_type type, int second, const struct statement_in *in,
    struct held_statement *h, struct statement *sp, struct ss_error *e)
{
	struct ss_error st;

	memset(h, 0, sizeof(*h));
	ss_error_clear(&st);
	if (statements_expected(se, type, in, &st) == SS_OK && in != NULL &&
	    statements_copy(in, h, &st) == SS_OK &&
	    statements_verify(se, type, NULL, h, sp, &st) == SS_OK &&
	    statements_compare(se, party, type, h) !=
	    (second ? STATEMENTS_CONFLICT : STATEMENTS_NEW))
		ss_error_set(&st, SS_ERR_INVALID, "%s", second ? "it proves no "
		    "new conflict" : "it is not the first of its type");
	if (st.code == SS_OK)
		return SS_OK;
	held_statement_free(h);
	return ss_error_set(e, SS_ERR_INVALID, "the %s statement of %s in %s "
	    "cannot be applied: %s", statement_type_name(type),
	    se->p.parties[party], se->p.id, st.msg);
}
