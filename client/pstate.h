/*
 * pstate.h: a party's own records (protocol version 2): the small private
 * folder in which a party keeps, across commands and crashes, what it has
 * committed to under each session digest D, so that it never signs two
 * cohorts, shares two inputs or posts two sumpoints for one D, never
 * quietly shares one input in two instances of a session name, and never
 * rejoins a D whose records it lost; and a cache of the certificates it has
 * verified. docs/PARTY-STATE.md gives the layout of every file.
 *
 * THE ORDER THAT MAKES IT WORK: record, then send. Before it acts under a
 * D at all, a command compares what the server holds from it with its
 * records (pstate_check_rejoin). Then it records what it is about to do
 * (pstate_input_reused unless --reuse-input, then pstate_record_input,
 * before SubmitShares; pstate_record_cohort before it sends its COHORT
 * signature; pstate_record_sumpoint before PostSumpoint), and sends only
 * once the call returned SS_OK: by then the record is on disk (written to
 * a temporary file, fsynced, renamed into place, the folder fsynced). A crash
 * between the two leaves a record of something never sent, which is
 * harmless: the retry records the same thing again (idempotent) and sends
 * it. The other order would leave, after a crash, something sent and not
 * recorded, and the next command could then contradict it.
 *
 * Every record is checksummed (SHA-256): a damaged one is reported
 * (SS_ERR_CHECKSUM, naming the file), never skipped. Every read-modify-write
 * holds an exclusive flock on the folder's lock file, so two commands of
 * one party running at once (`run` in two terminals) still record one
 * input, one cohort and one sumpoint per D. A struct pstate belongs to one
 * process: open it again after fork().
 *
 * Never stored: the input itself, any key, any share. An input is recorded
 * as SHA-256(salt || H), H = pstate_input_hash(input), with a random salt
 * per record. What is kept of a submission is what the server saw: the
 * signed SUBMIT and the ciphertexts.
 */
#ifndef SS_CLIENT_PSTATE_H
#define SS_CLIENT_PSTATE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "err.h"
#include "hpke.h"
#include "name.h"
#include "params.h"

#define PSTATE_HASH_LEN     32          /* SHA-256: D, salts, digests */
#define PSTATE_BITMAP_MAX   (PARAMS_MAX_PARTIES / 8)
/* Instances of one session id whose inputs are remembered. */
#define PSTATE_MAX_INSTANCES 4096
/* Certificates the cache holds at most. */
#define PSTATE_CERT_MAX     100000
/* The longest serial number RFC 5280 (4.1.2.2) allows: 20 octets. */
#define PSTATE_SERIAL_MAX   20

struct pstate;

/* ---- the folder ------------------------------------------------------- */

/*
 * The default folder of party: $XDG_STATE_HOME/secure-sum/PARTY, or
 * $HOME/.local/state/secure-sum/PARTY when XDG_STATE_HOME is unset, empty
 * or relative (as the XDG specification says). SS_ERR_NOT_FOUND when
 * neither variable is usable, SS_ERR_TOO_LARGE when the path does not fit.
 */
int pstate_default_dir(const char *party, char *out, size_t outlen,
    struct ss_error *e) SS_WUR;

/*
 * Opens party's folder dir (pstate_default_dir's, or --state DIR),
 * creating it and any missing parent with mode 0700. Refuses
 * (SS_ERR_KEY_PERMS) a folder or file that group or others may use, or that
 * belongs to another user; refuses (SS_ERR_DENIED) a folder that holds
 * another party's records. Removes the temporary files a crash left behind.
 * *out is closed with pstate_close.
 */
int pstate_open(const char *dir, const char *party, struct pstate **out,
    struct ss_error *e) SS_WUR;
void pstate_close(struct pstate *st);
const char *pstate_path(const struct pstate *st);

/* ---- records per session digest D ------------------------------------- */

/* What a party did under one D; also what a server says it holds from us. */
#define PSTATE_DID_SUBMIT   0x1u        /* shared an input (SUBMIT) */
#define PSTATE_DID_COHORT   0x2u        /* signed a cohort (COHORT) */
#define PSTATE_DID_SUMPOINT 0x4u        /* posted a sumpoint (SUMPOINT) */

/* The record of one D, as pstate_get reads it. */
struct pstate_record {
	uint8_t d[PARAMS_DIGEST_LEN];
	char session_id[SESSION_ID_BUF];
	unsigned did;                   /* PSTATE_DID_* bits */
	/* PSTATE_DID_SUBMIT: the input, as SHA-256(salt || H) */
	uint8_t salt[PSTATE_HASH_LEN];
	uint8_t input_digest[PSTATE_HASH_LEN];
	/* PSTATE_DID_COHORT: the cohort signed, a bitmap in statement.h's
	 * layout (party i is bit (i - 1) % 8 of byte (i - 1) / 8) */
	uint32_t n;
	uint8_t cohort[PSTATE_BITMAP_MAX];
	/* ... and the COHORT's submits digest (statement_submits_digest) */
	uint8_t submits[PSTATE_HASH_LEN];
	/* PSTATE_DID_SUMPOINT: the digest of the values posted
	 * (statement_values_digest) */
	uint8_t sumpoint[PSTATE_HASH_LEN];
	/* PSTATE_DID_SUBMIT: SHA-256 of the body of the SUBMIT signed, whose
	 * submission is kept (pstate_record_submission); all zero in a
	 * record written before submissions were kept */
	uint8_t submit[PSTATE_HASH_LEN];
};

/*
 * H, the hash an input is recorded by: SHA-256 of "secure-sum/v2 input",
 * a zero byte, L as 8 bytes and each value as 8 bytes (two's complement),
 * little-endian. H itself identifies a guessable input: the caller wipes it
 * after use, and only salted digests of it are stored.
 */
int pstate_input_hash(const int64_t *values, size_t L,
    uint8_t h[PSTATE_HASH_LEN]) SS_WUR;

/*
 * Records that this party shares, under d (of session session_id), the
 * input whose hash is h; and adds d to session_id's instances (that list
 * is written first, then d's record). SS_OK if recorded now or before (the
 * same input: a retry); SS_ERR_EXISTS, naming both digests, if another
 * input is recorded under d, in its record or, after a crash between the
 * two writes, in the list. SS_ERR_EXHAUSTED past PSTATE_MAX_INSTANCES
 * instances of one session id.
 */
int pstate_record_input(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const char *session_id, const uint8_t h[PSTATE_HASH_LEN],
    struct ss_error *e) SS_WUR;

/* ---- the submission kept for sending again ---------------------------- */

/*
 * A SubmitShares as this party sent it under one D: its SUBMIT statement
 * (body and signature) and the n ciphertexts it names, of clen bytes each,
 * in party order. Ciphertexts only, sealed to their recipients: nothing in
 * it is a share, a key or the input.
 */
struct pstate_submission {
	uint8_t *body;
	size_t body_len;
	uint8_t *sig;
	size_t sig_len;
	uint8_t *cts;
	size_t n, clen;
};

/* pstate_record_submission's answer when another SUBMIT is on record. */
#define PSTATE_OTHER_SUBMIT 2

/*
 * As pstate_record_input, for the submission sub about to be sent: keeps
 * sub in the folder, then records the input and the digest of sub's SUBMIT
 * body under d, all under the lock. A party that signed two SUBMITs for
 * one D would hand every reader proof that it cheated, so every later
 * command sends these very bytes again (pstate_submission_load) and never
 * signs another. SS_OK when sub is on record (now, or before: the same
 * body); PSTATE_OTHER_SUBMIT when another SUBMIT is on record under d for
 * this input (another command of this party's, before or at the same
 * time): the caller sends that one, not sub; SS_ERR_EXISTS for another
 * input, as pstate_record_input. The copy stays until this party records
 * its sumpoint under d.
 */
int pstate_record_submission(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const char *session_id,
    const uint8_t h[PSTATE_HASH_LEN], const struct pstate_submission *sub,
    struct ss_error *e) SS_WUR;

/*
 * The submission on record under d for the input whose hash is h, into
 * *out (pstate_submission_free): SS_OK; SS_ERR_NOT_FOUND when no SUBMIT is
 * on record under d (nothing, or only the input, in a record written
 * before submissions were kept); SS_ERR_EXISTS when another input is on
 * record; SS_ERR_PRECONDITION when a SUBMIT is on record and its copy is
 * gone (removed with the sumpoint, or lost): signing another would
 * contradict it; SS_ERR_CHECKSUM or SS_ERR_INVALID when the copy is
 * damaged or is not the one on record. Every message names the file.
 */
int pstate_submission_load(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t h[PSTATE_HASH_LEN],
    struct pstate_submission *out, struct ss_error *e) SS_WUR;

/* Frees what pstate_submission_load made; safe on a zeroed one. */
void pstate_submission_free(struct pstate_submission *s);

/*
 * Records that this party signs, under d, the cohort `bitmap` of n parties
 * (PARAMS_MIN_PARTIES <= n <= PARAMS_MAX_PARTIES, no bit set past n) over
 * the SUBMITs whose submits digest is `submits` (not all zero): the content
 * of its COHORT statement. SS_OK now or before (the same cohort and
 * digest); SS_ERR_EXISTS, naming both cohorts, if another is recorded.
 */
int pstate_record_cohort(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const char *session_id, uint32_t n, const uint8_t *bitmap,
    const uint8_t submits[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * Records that this party posts, under d, the sumpoint whose values have
 * the digest `values`. SS_OK now or before; SS_ERR_EXISTS if another.
 * The submission kept under d is removed then: past its sumpoint a party
 * has no use for it, and a long vector's ciphertexts are large.
 */
int pstate_record_sumpoint(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const char *session_id,
    const uint8_t values[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * The record of d into *out: SS_OK, or SS_ERR_NOT_FOUND when this party has
 * recorded nothing under d (out then holds d and did == 0).
 */
int pstate_get(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    struct pstate_record *out, struct ss_error *e) SS_WUR;

/*
 * Whether the input whose hash is h was recorded under another instance of
 * a session named as session_id is (its NAME part, in any creator's
 * namespace) than d: 1 (and that instance's D in used_under, which may be
 * NULL), 0 if not, or an SS_ERR_* code. Sharing one input in two instances
 * lets whoever learns both sums learn the difference of the other inputs'
 * sums, or this input itself when the two cohorts differ by it alone: the
 * client refuses unless given --reuse-input.
 */
int pstate_input_reused(struct pstate *st, const char *session_id,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t h[PSTATE_HASH_LEN],
    uint8_t used_under[PARAMS_DIGEST_LEN], struct ss_error *e) SS_WUR;

/*
 * Refuses to act under d when the server holds from this party (`held`,
 * PSTATE_DID_* bits, from its status: a SUBMIT, a COHORT or a SUMPOINT
 * statement signed by us) something this folder has no record of: since
 * every record is written before its message is sent, that means the
 * records were lost (a new machine, a deleted folder, another --state), and
 * acting now could contradict what was sent. SS_ERR_PRECONDITION with a
 * message saying so; SS_OK otherwise.
 */
int pstate_check_rejoin(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    unsigned held, struct ss_error *e) SS_WUR;

/* ---- the cache of verified certificates ------------------------------ */

enum pstate_cert_kind {
	PSTATE_CERT_TLS = 1,            /* NAME.crt: signs statements */
	PSTATE_CERT_ENC = 2,            /* NAME.enc.crt: an X25519 key */
};

/* A certificate that was verified, and what the verification found. */
struct pstate_cert {
	uint8_t fingerprint[PSTATE_HASH_LEN];   /* SHA-256 of its DER */
	uint8_t ca[PSTATE_HASH_LEN];    /* SHA-256 of the DER of the CA it chained to */
	enum pstate_cert_kind kind;
	char name[NAME_BUF];            /* its subject CN: a party's name */
	uint64_t not_after;             /* Unix time: its notAfter */
	uint64_t verified_at;           /* Unix time of the verification */
	uint8_t serial[PSTATE_SERIAL_MAX];      /* for CRL re-checks */
	size_t serial_len;
	uint8_t pk[HPKE_KEY_LEN];       /* ENC: the raw X25519 key; TLS: zero */
};

/*
 * Fills *out from cert, which the caller has just verified (against the CA
 * whose DER has the digest ca) as party name's certificate of kind:
 * fingerprint, notAfter and serial from cert; pk (HPKE_KEY_LEN bytes,
 * ENC only; NULL for TLS). SS_ERR_INVALID for a serial that is negative or
 * longer than RFC 5280 allows, which the cache does not hold.
 */
int pstate_cert_fill(X509 *cert, enum pstate_cert_kind kind, const char *name,
    const uint8_t ca[PSTATE_HASH_LEN], const uint8_t *pk, uint64_t verified_at,
    struct pstate_cert *out, struct ss_error *e) SS_WUR;

/*
 * Looks up the certificate whose DER has the digest fingerprint, expected
 * to be name's certificate of kind, verified against the CA ca. SS_OK and
 * *out on a hit; SS_ERR_NOT_FOUND when it is not cached, was verified
 * against another CA, or is expired at now (now >= not_after): the caller
 * verifies it then. SS_ERR_CERT when the cache knows it as another party's
 * or another kind (a certificate passed off as what it is not). A hit says
 * nothing of revocation: the caller re-checks its CRL (pstate_cert_revoked).
 */
int pstate_cert_lookup(struct pstate *st,
    const uint8_t fingerprint[PSTATE_HASH_LEN], const uint8_t ca[PSTATE_HASH_LEN],
    enum pstate_cert_kind kind, const char *name, uint64_t now,
    struct pstate_cert *out, struct ss_error *e) SS_WUR;

/*
 * Adds certs[0..n) to the cache (an entry of the same fingerprint is
 * replaced) and drops the entries expired at now, in one durable write.
 * SS_ERR_EXHAUSTED, and nothing written, if that would hold more than
 * PSTATE_CERT_MAX; SS_ERR_INVALID for an entry that is not well-formed.
 */
int pstate_cert_put(struct pstate *st, const struct pstate_cert *certs,
    size_t n, uint64_t now, struct ss_error *e) SS_WUR;

/* Drops the entry of fingerprint, if any (a certificate found revoked). */
int pstate_cert_forget(struct pstate *st,
    const uint8_t fingerprint[PSTATE_HASH_LEN], struct ss_error *e) SS_WUR;

/*
 * The entries cached, sorted by fingerprint, in *certs (valid until the
 * next call on st) and their number in *n: for re-checking them all
 * against a new CRL.
 */
int pstate_cert_entries(struct pstate *st, const struct pstate_cert **certs,
    size_t *n, struct ss_error *e) SS_WUR;

/*
 * 1 if crl lists c's serial, 0 if not, or an SS_ERR_* code. The caller
 * checks that crl is its CA's, signed and current (pki_ca_store does).
 */
int pstate_cert_revoked(const struct pstate_cert *c, X509_CRL *crl) SS_WUR;

#endif
