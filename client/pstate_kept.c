/*
 * pstate_kept.c: the submission a party sent under a D, kept in its folder
 * as "k-HEX" (HEX: D) until it records its sumpoint there, so that a later
 * command sends those very bytes again rather than signing a second SUBMIT
 * (pstate.h, pstate_record_submission). The file is a record like the
 * others (pstate_internal.h: magic, version, kind, length, SHA-256); its
 * body, integers little-endian:
 *
 *   d               32 bytes: the D it was sent under
 *   body length     u32, then the SUBMIT's body
 *   sig length      u32, then its signature (DER)
 *   n, clen         u32 each
 *   ciphertexts     n * clen bytes, in party order
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "frame.h"
#include "pstate_internal.h"
#include "statement.h"

/* The longest body: a SUBMIT for the most parties, and a frame's worth. */
#define KEPT_BODY_MAX ((size_t)PARAMS_DIGEST_LEN + 4 + STATEMENT_BODY_MAX + \
                       4 + STATEMENT_SIG_MAX + 8 + FRAME_DEFAULT_MAX)

void
pkept_name(const uint8_t d[PARAMS_DIGEST_LEN], char out[PFILE_NAME_MAX])
{
	memcpy(out, "k-", 2);
	pfile_hex(out + 2, d, PARAMS_DIGEST_LEN);
}

/* What pkept_write writes: sub, under d. */
struct kept_write {
	const uint8_t *d;
	const struct pstate_submission *sub;
};

/* 1 if sub is one submission's worth of well-formed lengths. */
static int
kept_valid(const struct pstate_submission *sub)
{
	return sub->body_len > 0 && sub->body_len <= STATEMENT_BODY_MAX &&
	    sub->sig_len > 0 && sub->sig_len <= STATEMENT_SIG_MAX &&
	    sub->n >= PARAMS_MIN_PARTIES && sub->n <= PARAMS_MAX_PARTIES &&
	    sub->clen > 0 && sub->clen <= FRAME_DEFAULT_MAX / sub->n;
}

/* pkept_write's body, straight into the file. */
static void
put_kept(struct buf_writer *w, const void *arg)
{
	const struct kept_write *k = arg;
	const struct pstate_submission *sub = k->sub;

	buf_put(w, k->d, PARAMS_DIGEST_LEN);
	buf_put_u32(w, (uint32_t)sub->body_len);
	buf_put(w, sub->body, sub->body_len);
	buf_put_u32(w, (uint32_t)sub->sig_len);
	buf_put(w, sub->sig, sub->sig_len);
	buf_put_u32(w, (uint32_t)sub->n);
	buf_put_u32(w, (uint32_t)sub->clen);
	buf_put(w, sub->cts, sub->n * sub->clen);
}

int
pkept_write(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const struct pstate_submission *sub, struct ss_error *e)
{
	const struct kept_write k = { d, sub };
	char name[PFILE_NAME_MAX];

	if (!kept_valid(sub))
		return ss_error_set(e, SS_ERR_INVALID, "a submission of %zu "
		    "ciphertexts of %zu bytes cannot be kept", sub->n,
		    sub->clen);
	pkept_name(d, name);
	/* kept_valid bounds every part: the sum cannot wrap. */
	return pfile_write_with(st, name, PFILE_KIND_SUBMISSION,
	    PARAMS_DIGEST_LEN + 4 + sub->body_len + 4 + sub->sig_len + 8 +
	    sub->n * sub->clen, put_kept, &k, e);
}

void
pstate_submission_free(struct pstate_submission *s)
{
	if (s == NULL)
		return;
	free(s->body);
	free(s->sig);
	free(s->cts);
	memset(s, 0, sizeof(*s));
}

/* A copy of the next n bytes of br into *out (malloc'd). */
static int
get_dup(struct buf_reader *br, size_t n, uint8_t **out)
{
	const uint8_t *p;

	if (buf_get_bytes(br, n, &p) != SS_OK)
		return SS_ERR_INVALID;
	if ((*out = malloc(n)) == NULL)
		return SS_ERR_ALLOC;
	memcpy(*out, p, n);
	return SS_OK;
}

struct kept_arg {
	const uint8_t *d;
	struct pstate_submission *out;
};

/* Parses what pkept_write wrote, and nothing else, into arg's out. */
static int
decode_kept(const uint8_t *body, size_t len, void *arg)
{
	struct kept_arg *a = arg;
	struct pstate_submission *s = a->out;
	uint32_t blen, slen, n, clen;
	struct buf_reader br;
	const uint8_t *d;
	int rc;

	buf_reader_init(&br, body, len);
	if (buf_get_bytes(&br, PARAMS_DIGEST_LEN, &d) != SS_OK ||
	    memcmp(d, a->d, PARAMS_DIGEST_LEN) != 0 ||
	    buf_get_u32(&br, &blen) != SS_OK)
		return SS_ERR_INVALID;
	s->body_len = blen;
	if ((rc = get_dup(&br, blen, &s->body)) != SS_OK ||
	    buf_get_u32(&br, &slen) != SS_OK)
		return rc != SS_OK ? rc : SS_ERR_INVALID;
	s->sig_len = slen;
	if ((rc = get_dup(&br, slen, &s->sig)) != SS_OK ||
	    buf_get_u32(&br, &n) != SS_OK || buf_get_u32(&br, &clen) != SS_OK)
		return rc != SS_OK ? rc : SS_ERR_INVALID;
	s->n = n;
	s->clen = clen;
	/* kept_valid bounds n * clen by a frame: it cannot wrap. */
	if (!kept_valid(s) || buf_remaining(&br) != s->n * s->clen)
		return SS_ERR_INVALID;
	return get_dup(&br, s->n * s->clen, &s->cts);
}

int
pkept_read(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const uint8_t submit[PSTATE_HASH_LEN], struct pstate_submission *out,
    struct ss_error *e)
{
	uint8_t digest[PSTATE_HASH_LEN];
	char name[PFILE_NAME_MAX];
	struct kept_arg a = { d, out };
	int rc;

	memset(out, 0, sizeof(*out));
	pkept_name(d, name);
	rc = pfile_load(st, name, PFILE_KIND_SUBMISSION, KEPT_BODY_MAX,
	    decode_kept, &a, "not a well-formed submission of this session "
	    "digest", e);
	if (rc == SS_OK && statement_hash(out->body, out->body_len, digest) !=
	    SS_OK)
		rc = ss_error_set(e, SS_ERR_CRYPTO, "cannot hash");
	else if (rc == SS_OK &&
	    CRYPTO_memcmp(digest, submit, PSTATE_HASH_LEN) != 0)
		rc = ss_error_set(e, SS_ERR_INVALID, "%s/%s holds another "
		    "SUBMIT than the one on record for its session digest",
		    st->path, name);
	if (rc != SS_OK)
		pstate_submission_free(out);
	return rc;
}

void
pkept_remove(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN])
{
	char name[PFILE_NAME_MAX];

	pkept_name(d, name);
	/* Best effort: what is left behind is ciphertexts and disk space. */
	(void)unlinkat(st->dirfd, name, 0);
}
