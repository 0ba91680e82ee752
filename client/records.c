/*
 * records.c: how a command keeps pstate.h's order, record then send, and
 * what it says when the records refuse.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client.h"
#include "err.h"
#include "invite.h"
#include "pstate.h"
#include "records.h"
#include "signer.h"
#include "wire.h"

int
records_open(struct client *c, struct ss_error *e)
{
	char dir[PATH_MAX];
	const char *path = c->state;
	int rc;

	if (c->pstate != NULL)
		return SS_OK;
	if (path == NULL) {
		if ((rc = pstate_default_dir(c->party, dir, sizeof(dir), e)) !=
		    SS_OK) {
			(void)ss_error_prefix(e, "no folder for this party's "
			    "records (give --state DIR)");
			return rc;
		}
		path = dir;
	}
	return pstate_open(path, c->party, &c->pstate, e);
}

unsigned
records_held(const struct wire_response *st, const char *self)
{
	unsigned held = 0;

	if (wire_names_has(&st->shared, self))
		held |= PSTATE_DID_SUBMIT;
	if (wire_names_has(&st->signers, self))
		held |= PSTATE_DID_COHORT;
	if (wire_names_has(&st->posted, self))
		held |= PSTATE_DID_SUMPOINT;
	return held;
}

int
records_check(struct client *c, const struct wire_response *st,
    struct ss_error *e)
{
	int rc;

	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	return pstate_check_rejoin(c->pstate, c->d, records_held(st, c->party),
	    e);
}

int
records_input_hash(const int64_t *values, size_t L,
    uint8_t h[PSTATE_HASH_LEN], struct ss_error *e)
{
	if (pstate_input_hash(values, L, h) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the input");
	return SS_OK;
}

int
records_reuse_check(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct ss_error *e)
{
	uint8_t other[PARAMS_DIGEST_LEN];
	char code[INVITE_CODE_BUF];
	int rc;

	if (c->reuse_input)
		return SS_OK;
	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	rc = pstate_input_reused(c->pstate, session, c->d, h, other, e);
	if (rc <= 0)
		return rc;
	invite_encode(other, code);
	return ss_error_set(e, SS_ERR_EXISTS, "%s already shared this input in "
	    "another instance of a session named %s, in this or another "
	    "creator's namespace (%s): whoever learns both sums "
	    "learns the difference of the others' inputs, or this input itself "
	    "when the two cohorts differ by it alone; refusing (--reuse-input "
	    "shares it anyway)", c->party, session_id_name(session), code);
}

int
records_input(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct ss_error *e)
{
	int rc;

	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	return pstate_record_input(c->pstate, c->d, session, h, e);
}

int
records_kept(struct client *c, const uint8_t h[PSTATE_HASH_LEN],
    struct submission *sub, struct ss_error *e)
{
	struct pstate_submission kept;
	int rc;

	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	rc = pstate_submission_load(c->pstate, c->d, h, &kept, e);
	if (rc == SS_ERR_NOT_FOUND) {
		ss_error_clear(e);
		return 0;
	}
	if (rc != SS_OK)
		return rc;
	/* D pins n and L, so a copy of another shape is not ours. */
	if (kept.n != sub->n || kept.clen != sub->clen) {
		rc = ss_error_set(e, SS_ERR_INVALID, "the submission kept in "
		    "%s for this session digest holds %zu ciphertexts of %zu "
		    "bytes, not %zu of %zu", pstate_path(c->pstate), kept.n,
		    kept.clen, sub->n, sub->clen);
		pstate_submission_free(&kept);
		return rc;
	}
	memcpy(sub->cts, kept.cts, kept.n * kept.clen);
	signer_stmt_free(&sub->submit);
	sub->submit.body = kept.body;
	sub->submit.body_len = kept.body_len;
	sub->submit.sig = kept.sig;
	sub->submit.sig_len = kept.sig_len;
	kept.body = kept.sig = NULL;
	pstate_submission_free(&kept);
	return 1;
}

int
records_submission(struct client *c, const char *session,
    const uint8_t h[PSTATE_HASH_LEN], struct submission *sub,
    struct ss_error *e)
{
	struct pstate_submission s = {
		sub->submit.body, sub->submit.body_len,
		sub->submit.sig, sub->submit.sig_len,
		sub->cts, sub->n, sub->clen,
	};
	int rc;

	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	rc = pstate_record_submission(c->pstate, c->d, session, h, &s, e);
	if (rc != PSTATE_OTHER_SUBMIT)
		return rc;
	rc = records_kept(c, h, sub, e);
	return rc == 1 ? SS_OK : rc == 0 ? ss_error_set(e, SS_ERR_INTERNAL,
	    "another SUBMIT is on record and none is kept") : rc;
}

int
records_shared(struct client *c, struct ss_error *e)
{
	struct pstate_record r;
	int rc;

	if ((rc = records_open(c, e)) != SS_OK)
		return rc;
	rc = pstate_get(c->pstate, c->d, &r, e);
	if (rc == SS_ERR_NOT_FOUND)
		return 0;
	if (rc != SS_OK)
		return rc;
	return (r.did & PSTATE_DID_SUBMIT) != 0;
}
