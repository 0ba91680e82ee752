/*
 * client.h: what mpc-client's commands share: the client (the settings of
 * the command line, the connection, the clock of the command), the six
 * commands main.c runs (cmd_*.c, one file each), and the steps `run`
 * borrows from share, sumpoint and result. sumpoint, result and status
 * act on the session's status, which main.c fetches and checks first
 * (call_on_status).
 *
 * Every function that can fail returns SS_OK or an SS_ERR_* code and says
 * why in e (core/err.h). A command writes its output, plain text or one
 * JSON object, to stdout.
 */
#ifndef SS_CLIENT_CLIENT_H
#define SS_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "conn.h"
#include "err.h"
#include "hpke.h"
#include "input.h"
#include "output.h"
#include "params.h"
#include "retry.h"
#include "statement.h"
#include "wire.h"

struct pin_args;
struct pstate;

/* Most parties in a session the client deals with. */
#define CLIENT_MAX_PARTIES 1024

/* How to write a valid name (core/name.h), for messages. */
#define CLIENT_NAME_RULE \
	"use 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.' or '-'"

/* Polling the server while waiting: the first pause, and the longest. */
#define CLIENT_POLL_FIRST_MS 50
#define CLIENT_POLL_MAX_MS   500

struct client {
	/* Settings, from the command line. */
	const char *server;        /* HOST:PORT */
	const char *certs;         /* certificate folder */
	const char *party;         /* our name = our certificate's CN */
	int json;
	unsigned timeout_s;
	const char *trace;         /* file of acknowledged changes, or NULL */
	const char *state;         /* --state DIR; NULL: the default folder */
	/* share, run, sumpoint, result: the session pinned (pin.h) */
	const struct pin_args *pin;
	int reuse_input;           /* --reuse-input */
	int require_verified;      /* --require-verified */

	/* State. */
	struct conn conn;
	struct retry_ctx rpc;      /* reconnects and retries every call */
	uint64_t deadline;         /* end of every wait, CLOCK_MONOTONIC ms */
	X509_STORE *ca;            /* loaded on first use */
	struct progress progress;
	/* D of the session, once its status matched the pin (pinned = 1) */
	uint8_t d[PARAMS_DIGEST_LEN];
	int pinned;
	struct pstate *pstate;     /* our records, opened on first use */
	EVP_PKEY *sign_key;        /* our statements' key (signer.c) ... */
	X509 *sign_cert;           /* ... its certificate ... */
	uint8_t sign_digest[STATEMENT_HASH_LEN];    /* ... and its digest */
};

/* Sets up c from the settings already in it; starts the timeout clock. */
void client_start(struct client *c);
void client_free(struct client *c);

/* 1 once the command's --timeout has passed. */
int client_expired(const struct client *c);
/* Sleeps for *delay ms (never past the deadline), then doubles it. */
void client_backoff(struct client *c, uint64_t *delay);
/* Notes a step of `run` on a terminal; commands print to stdout instead. */
void client_note(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Starts the JSON object of a step: {"session":SESSION,"party":PARTY */
void client_json_step(const struct client *c, const char *session);
/* Wipes len bytes at p, which held secrets, and frees it (p may be NULL). */
void client_wipe_free(void *p, size_t len);

/* Flags of the steps `run` repeats. */
#define STEP_QUIET 1   /* report on a terminal only, as `run` does */
#define STEP_AGAIN 2   /* a resend after the server lost the first */

/* ---- create (cmd_create.c) ---------------------------------------------- */

struct create_args {
	const char *session;
	const char *const *parties;
	size_t nparties;
	unsigned threshold;
	unsigned length;
	unsigned decimals;
	unsigned deadline;
};

/*
 * Checks create's parameters locally; SS_OK if fine, else SS_ERR_INVALID.
 * main.c runs this before connecting, so that a bad request never leaves.
 */
int cmd_create_check(const struct create_args *a, const char *creator,
    struct ss_error *e) SS_WUR;
int cmd_create(struct client *c, const struct create_args *a,
    struct ss_error *e) SS_WUR;

/* ---- share (cmd_share.c) ------------------------------------------------ */

/*
 * Our sealed submission to one session: n ciphertexts, one for every party.
 * Sealing is randomised, so it is made once and kept: every retry, and in
 * `run` every resubmission after a server lost it, sends these very bytes,
 * which the server takes as a duplicate of what it already holds. A new
 * sealing would be a different submission: ALREADY_EXISTS.
 */
struct submission {
	size_t n, clen;
	uint8_t *cts;              /* n * clen bytes */
	wire_name *names;          /* the recipients, in party order */
	struct wire_share *ws;     /* points into cts and names */
};

int cmd_share(struct client *c, const char *session,
    const struct input_src *in, struct ss_error *e) SS_WUR;
/* Whether a party may share in the session whose status is st. */
int cmd_share_check(const struct wire_response *st, const char *self,
    const char *session, struct ss_error *e) SS_WUR;
/* Room for a submission to the n parties named, of L elements each. */
int cmd_share_alloc(struct submission *sub, const struct wire_names *parties,
    size_t L, struct ss_error *e) SS_WUR;
/*
 * Shamir-shares secrets[0..L) among sub's parties (any t+1 shares give
 * them) and seals one vector for each, from `self` with key to the
 * public key pks[i] of party i, into sub.
 */
int cmd_share_seal_shares(struct submission *sub, const uint8_t *d,
    const char *self, const struct hpke_key *key,
    const uint8_t (*pks)[HPKE_KEY_LEN], const uint64_t *secrets, size_t L,
    unsigned threshold, struct ss_error *e) SS_WUR;
/*
 * Reads our input and seals it for every party of the session whose
 * status is st, into sub; publishes our encryption key and fetches the
 * others' first.
 */
int cmd_share_seal(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct submission *sub, struct ss_error *e) SS_WUR;
/* SubmitShares of sub; flags: STEP_*. */
int cmd_share_submit(struct client *c, const char *session,
    const struct submission *sub, int flags, struct ss_error *e) SS_WUR;
void cmd_share_free(struct submission *sub);

/* ---- sumpoint (cmd_sumpoint.c) ------------------------------------------ */

int cmd_sumpoint(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/*
 * Checks the shares of GetShare answer gs against the status st: exactly
 * one from every cohort member, each of the session's ciphertext length.
 * senders[i] (m entries) gets the sender of share i.
 */
int cmd_sumpoint_check_shares(const struct wire_response *st,
    const struct wire_response *gs, const char **senders, struct ss_error *e)
    SS_WUR;
/*
 * Fetches the shares addressed to us in the session whose status is st,
 * opens every one and adds them: our sumpoint, L values in *sump (the
 * caller wipes and frees it), from *mp shares.
 */
int cmd_sumpoint_compute(struct client *c, const char *session,
    const struct wire_response *st, uint64_t **sump, size_t *mp,
    struct ss_error *e) SS_WUR;
/* PostSumpoint of sum (L values, from m shares); flags: STEP_*. */
int cmd_sumpoint_post(struct client *c, const char *session,
    const uint64_t *sum, size_t L, size_t m, int flags, struct ss_error *e)
    SS_WUR;

/* ---- result (cmd_result.c) ---------------------------------------------- */

int cmd_result(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/*
 * The sum (p->length elements into secret) that the sumpoints of the
 * ListSumpoints answer ls give for a session of parameters p. Every one is
 * checked: from a party of the session, once, at that party's x, of length
 * L, inside the field. t + 1 of them define the sum, and every other must
 * agree. SS_ERR_INVALID when fewer than t + 1 are posted,
 * SS_ERR_INCONSISTENT (naming the culprit when the points tell) when they
 * disagree: no sum then.
 */
int cmd_result_sum(const struct wire_response *ls,
    const struct wire_params *p, const char *session, uint64_t *secret,
    struct ss_error *e) SS_WUR;
/* Writes the sum, as text or JSON. */
int cmd_result_print(FILE *f, int json, const char *session,
    const uint64_t *secret, size_t L, unsigned decimals,
    const struct wire_names *cohort, struct ss_error *e) SS_WUR;
/* Reconstructs the sum from the posted sumpoints, checks and prints it. */
int cmd_result_reconstruct(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;

/* ---- status (cmd_status.c) ---------------------------------------------- */

int cmd_status(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/* Writes the status st of session, as text or JSON. */
void cmd_status_print(FILE *f, int json, const char *session,
    const struct wire_response *st);

/* ---- run (cmd_run.c) ---------------------------------------------------- */

int cmd_run(struct client *c, const char *session,
    const struct input_src *in, struct ss_error *e) SS_WUR;

/*
 * Once threshold+1 sumpoints are posted, how long `run` waits for more
 * before it reconstructs without them: it goes on at COMPLETE, or when no
 * new sumpoint has come for this long, or at its --timeout. Any t+1
 * sumpoints give the sum; the others are only for cross-checking, so a
 * party that shared and then vanished delays the others by this much, not
 * by the whole --timeout.
 */
#define RUN_GRACE_MS 2000

/* What `run` has sent, kept to send the same again if the server lost it. */
struct run_state {
	struct submission sub;     /* our sealed shares */
	int have_sub;
	uint64_t *sum;             /* our posted sumpoint, L values */
	size_t L, m;               /* ... its length, and shares in it */
	wire_name *cohort;         /* the cohort it was computed for */
	size_t ncohort;
	int warned;                /* said that the cohort closed without us */
	size_t last_posted;        /* sumpoints seen posted ... */
	uint64_t quiet_since;      /* ... and since when no new one came */
};

/* The steps of `run`, one chosen at every poll of the status. */
enum run_action {
	RUN_FAILED,            /* the session failed: stop */
	RUN_SUBMIT,            /* our shares are not in: seal and submit them */
	RUN_RESUBMIT,          /* ... submit the same again: the server lost them */
	RUN_WAIT_SHARES,       /* others' shares are missing: poll again */
	RUN_POST,              /* compute our sumpoint for the cohort, post it */
	RUN_REPOST,            /* post the same again: the server lost it */
	RUN_WAIT_SUMPOINTS,    /* sumpoints are missing: poll again */
	RUN_RECONSTRUCT,       /* enough sumpoints: reconstruct the sum */
};

/*
 * The step for the status st of a session with party `self`, at time now
 * (CLOCK_MONOTONIC ms), `expired` once --timeout has passed; keeps in rs
 * since when the count of posted sumpoints has not changed.
 */
enum run_action cmd_run_next(struct run_state *rs,
    const struct wire_response *st, const char *self, uint64_t now,
    int expired);
/*
 * 1 the first time st shows a cohort fixed without `self` (its input is
 * not in the sum: `run` warns once), else 0.
 */
int cmd_run_left_out(struct run_state *rs, const struct wire_response *st,
    const char *self);
void cmd_run_state_free(struct run_state *rs);

#endif
