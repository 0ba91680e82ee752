/*
 * client.h: what the party's operations share: the client (the settings,
 * the connection, the clock of the operation), the operations of
 * libsecuresum (cmd_*.c, one file each), and the steps `run` borrows from
 * share, sumpoint and result. sumpoint, result and status act on the
 * session's status, which the library fetches and checks first
 * (call_on_status).
 *
 * Every function that can fail returns SS_OK or an SS_ERR_* code and says
 * why in e (core/err.h). Nothing here prints: an operation hands its
 * warnings to `say`, its progress to `progress`, its steps to `step_out`
 * and its answer to the *_out member its caller set (securesum.c), and
 * mpc-client prints them (cli*.c). The command line's own settings (json,
 * printed) ride along for mpc-client's side.
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
#include "agree.h"
#include "hpke.h"
#include "input.h"
#include "invite.h"
#include "name.h"
#include "output.h"
#include "params.h"
#include "retry.h"
#include "statement.h"
#include "wire.h"

struct cohort;
struct peers;
struct status_view;
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

/*
 * A signing certificate checked in this process (peers.c), found again by
 * the digest of its DER for the same party, so that a command that reads
 * the signers twice (run: sumpoint, then result) parses and checks each
 * once.
 */
/*
 * A sum as `result` and `run` decided it, for a caller that reads it
 * rather than prints it (the library): filled when sum_out is set.
 */
struct client_sum {
	int64_t *values;           /* L elements, in units of 10^-decimals */
	size_t length;
	unsigned decimals;
	int verified;              /* 1: VERIFIED; 0: UNVERIFIED */
	size_t posted;             /* sumpoints that agree */
	unsigned quorum;
	size_t nparties;
	char **cohort;             /* ncohort names, each malloc'd */
	size_t ncohort;
};

/* What create made, for a caller that reads it rather than prints it. */
struct client_created {
	int created;               /* 0: in place already (our retry) */
	char invite[INVITE_CODE_BUF];
	uint32_t min_cohort;
	uint64_t deadline;         /* unix seconds; 0: none */
	uint8_t nonce[PARAMS_NONCE_LEN];
};

/* What delete released, for its caller. */
struct client_deleted {
	int known;                 /* 0: an earlier attempt's answer was lost */
	uint64_t released_bytes;
};

/* The sessions list read, page after page (free with client_listed_free). */
struct client_listed {
	struct wire_session *v;    /* session ids and creators made printable */
	size_t n, cap;
};

/* A line for the caller (warnings, notes, progress), without a newline. */
typedef void client_say_fn(void *arg, const char *line);

struct client_signer {
	uint8_t fp[STATEMENT_HASH_LEN];        /* SHA-256 of its DER */
	char name[NAME_BUF];                    /* the party it was checked as */
	struct statement_signer sg;
};

struct result_verdict;
struct call_count;

struct client {
	/* Settings, from the command line. */
	const char *server;        /* HOST:PORT */
	const char *server_name;   /* --server-name; NULL: HOST */
	const char *certs;         /* certificate folder */
	const char *party;         /* our name = our certificate's CN */
	int json;
	unsigned timeout_s;
	int wait;                  /* --wait, or run: retry an absent server */
	const char *trace;         /* file of acknowledged changes, or NULL */
	const char *state;         /* --state DIR; NULL: the default folder */
	/* share, run, sumpoint, result: the session pinned (pin.h) */
	const struct pin_args *pin;
	int reuse_input;           /* --reuse-input */
	int require_verified;      /* --require-verified */
	int printed;               /* mpc-client: a JSON answer is open on
	                              stdout; main adds the error and closes it */
	client_say_fn *say;        /* warnings and notes; NULL: dropped */
	void *say_arg;
	struct client_sum *sum_out;    /* non-NULL: result and run fill it */
	/* share's, sumpoint's and run's steps, for a caller that shows them */
	void (*step_out)(void *arg, const char *session, const char *what,
	    const char *done, int duplicate, int again,
	    const struct call_count *counts, size_t ncounts);
	void *step_arg;
	/* result's verdict, sum or not, for a caller that reads it */
	int (*verdict_out)(void *arg, const struct wire_params *p,
	    const struct wire_names *cohort,
	    const struct result_verdict *v, struct ss_error *e);
	void *verdict_arg;
	struct client_created *created_out;    /* non-NULL: create fills it */
	struct client_deleted *deleted_out;    /* non-NULL: delete fills it */
	struct client_listed *list_out;        /* non-NULL: list fills it */
	/* status: its answer, for a caller that reads it (the library) */
	int (*status_out)(void *arg, const char *session,
	    const struct wire_response *st, const struct status_view *v,
	    struct ss_error *e);
	void *status_arg;

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
	int key_published;         /* this process published our key (keydir.h) */
	/*
	 * Our encryption-key certificate once verified, and the private key
	 * once loaded against it, for the whole process (keydir.c): a `run`
	 * seals and opens with one key, which remembers its DH values.
	 */
	uint8_t *enc_der;
	size_t enc_der_len;
	uint8_t enc_pk[HPKE_KEY_LEN];
	struct hpke_key *enc_key;
	/*
	 * The watch (call.h): the session whose status we read last, the
	 * version it had then, and whether the server showed that it does
	 * not watch (version 0, or a wait answered at once).
	 */
	wire_sid watch_session;
	/*
	 * The session acted on, when the command was given it here: as typed,
	 * then as the first status named it (a bare NAME becomes CREATOR/NAME).
	 */
	char session[SESSION_ID_BUF];
	uint64_t watch_version;
	int watch_fallback;
	EVP_PKEY *sign_key;        /* our statements' key (signer.c) ... */
	X509 *sign_cert;           /* ... its certificate ... */
	uint8_t sign_digest[STATEMENT_HASH_LEN];    /* ... and its digest */
	struct client_signer *signers;  /* checked: [0, nsorted) by fp */
	size_t nsigners, nsorted, capsigners;
	/* statements whose signature this process verified (peers.c) */
	uint8_t (*verified)[STATEMENT_HASH_LEN];    /* a hash set; zero: empty */
	size_t nverified, capverified;  /* capverified: 0 or a power of 2 */
};

/* Sets up c from the settings already in it; starts the timeout clock. */
void client_start(struct client *c);
void client_free(struct client *c);
/* Loads our CA's certificate (and its CRL, if any) into c->ca, once. */
int client_ca(struct client *c, struct ss_error *e) SS_WUR;

/* 1 once the command's --timeout has passed. */
int client_expired(const struct client *c);
/* Sleeps for *delay ms (never past the deadline), then doubles it. */
void client_backoff(struct client *c, uint64_t *delay);
/*
 * A warning or note for the caller: to c->say without its "mpc-client: "
 * prefix (nowhere when c->say is NULL: the library never prints).
 */
void client_say(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees what s holds and zeroes it. */
void client_sum_free(struct client_sum *s);
/* Wipes len bytes at p, which held secrets, and frees it (p may be NULL). */
void client_wipe_free(void *p, size_t len);

/* A flag of the steps `run` repeats: a resend after the server lost the first. */
#define STEP_AGAIN 1

/* ---- create (cmd_create.c) ---------------------------------------------- */

struct create_args {
	const char *session;
	const char *const *parties;
	size_t nparties;
	unsigned threshold;
	unsigned length;
	unsigned decimals;
	unsigned deadline;         /* seconds from now on our clock; 0: none */
	unsigned min_cohort;       /* 0: not stated (n when there is no deadline) */
	/* PARAMS_NONCE_LEN bytes to reuse (create again, the same session),
	 * or NULL: a fresh random nonce, a new session */
	const uint8_t *nonce;
	/* --allow-unknown: a party whose key is not known is a warning */
	int allow_unknown;
};

/*
 * Checks create's parameters locally; SS_OK if fine, else SS_ERR_INVALID.
 * main.c runs this before connecting, so that a bad request never leaves.
 */
int cmd_create_check(const struct create_args *a, const char *creator,
    struct ss_error *e) SS_WUR;
/*
 * Creates the session, as CREATOR/NAME in our namespace when typed->session
 * is a bare NAME; what it made into c->created_out, if set.
 */
int cmd_create(struct client *c, const struct create_args *typed,
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
	struct wire_stmt submit;   /* our SUBMIT: the digest of each ciphertext */
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
 * public key pks[i] of party i, under session digest d, into sub.
 */
int cmd_share_seal_shares(struct submission *sub, const uint8_t *d,
    const char *self, const struct hpke_key *key,
    const uint8_t (*pks)[HPKE_KEY_LEN], const uint64_t *secrets, size_t L,
    unsigned threshold, struct ss_error *e) SS_WUR;
/*
 * Reads our input and seals it for every party of the session whose
 * status is st, into sub, under the pinned D (c->d); publishes our
 * encryption key and fetches the others' first; signs our SUBMIT; and
 * records the input and keeps the submission (refusing another input under
 * D, and, unless c->reuse_input, one shared in another instance of a
 * session of its NAME), so that what is sent next is on record. A submission on
 * record under D already is loaded into sub instead, to be sent again as
 * it is: this party never signs two SUBMITs for one D.
 */
int cmd_share_seal(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct submission *sub, struct ss_error *e) SS_WUR;
/*
 * Reads our input and records it under the pinned D, sending nothing: for
 * `run` when the server holds our shares already, so that another input
 * than the one shared is refused.
 */
int cmd_share_record(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct ss_error *e) SS_WUR;
/* SubmitShares of sub, with its SUBMIT; flags: STEP_*. */
int cmd_share_submit(struct client *c, const char *session,
    const struct submission *sub, int flags, struct ss_error *e) SS_WUR;
void cmd_share_free(struct submission *sub);

/* ---- sumpoint (cmd_sumpoint.c) ------------------------------------------ */

/* Our sumpoint: its values, and the SUMPOINT that names them. */
struct sumpoint {
	uint64_t *sum;             /* L field elements (secret until posted) */
	size_t L, m;               /* ... its length, and the shares in it */
	struct wire_stmt stmt;     /* our signed SUMPOINT */
};

int cmd_sumpoint(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/*
 * Everything before posting, for the session whose status st shows its
 * cohort C fixed: checks our records against the server's; fetches the
 * shares addressed to us with their SUBMITs; checks C and the members'
 * SUBMITs (signed by each dealer under the pinned D, naming the digest
 * of the share we got); takes part in the consistency round (cohort.h);
 * opens and adds the shares (one that does not open is reported, naming
 * its dealer and SUBMIT, and no sumpoint is made); and signs our SUMPOINT,
 * recorded first. sp is freed with cmd_sumpoint_free.
 */
int cmd_sumpoint_compute(struct client *c, const char *session,
    const struct wire_response *st, struct sumpoint *sp, struct ss_error *e)
    SS_WUR;
void cmd_sumpoint_free(struct sumpoint *sp);
/*
 * Checks the shares of GetShare answer gs addressed to the party at
 * position self, of a session of parameters p, under the pinned D:
 * exactly one from every member of the cohort co, each of the session's
 * ciphertext length, each with its dealer's SUBMIT (verified with the
 * certificates pc: signed by the dealer under D, its own, for the
 * session's n) naming the digest of this very ciphertext at position
 * self. senders[i] gets share i's dealer; co's submits digest is computed
 * over those SUBMITs in position order. SS_ERR_PROTOCOL, SS_ERR_AUTH.
 */
int cmd_sumpoint_check_shares(struct client *c, const struct wire_params *p,
    const struct peers *pc, uint32_t self, struct cohort *co,
    const struct wire_response *gs, const char **senders, struct ss_error *e)
    SS_WUR;
/* PostSumpoint of sp with its SUMPOINT; flags: STEP_*. */
int cmd_sumpoint_post(struct client *c, const char *session,
    const struct sumpoint *sp, int flags, struct ss_error *e) SS_WUR;

/* ---- result (cmd_result.c) ---------------------------------------------- */

struct listing;

/* The verdict on the sumpoints taken (core/agree.h), for its reader. */
struct result_verdict {
	struct agree_result res;
	uint8_t *marks;                 /* an enum agree_mark per position */
	const unsigned char *ignored;   /* ignored[i]: listed but not taken */
	size_t nignored;
	int decided;                    /* res holds agree_decide's verdict */
	/* the conflicts the status reported, each checked (NULL: none) */
	const struct wire_response *st;
	const unsigned char *proven;
};

int cmd_result(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/*
 * Decides on the sumpoints of l (listing.h) for a session of parameters p
 * (agree_decide): v gets the label and each position's mark (free
 * v->marks), secret (p->length elements) the sum when the label is
 * VERIFIED or UNVERIFIED. SS_ERR_INVALID when fewer than t + 1 were taken,
 * SS_ERR_INCONSISTENT (naming the points off the polynomial of Q points,
 * if there is one) when they disagree: no sum then.
 */
int cmd_result_decide(const struct wire_params *p, const struct listing *l,
    uint64_t *secret, struct result_verdict *v, const char *session,
    struct ss_error *e) SS_WUR;
/*
 * Fetches the posted sumpoints, keeps those signed on the cohort every
 * member signed, decides on them by agreement, and hands the verdict to
 * c->verdict_out and the sum to c->sum_out.
 */
int cmd_result_reconstruct(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;

/* ---- server-info (cmd_server_info.c) -------------------------------------- */

/* GetServerInfo into *out; a refusal is the error. */
int cmd_server_info(struct client *c, struct wire_server_info *out,
    struct ss_error *e) SS_WUR;

/* ---- status (cmd_status.c) ---------------------------------------------- */

/* What `status` adds to the server's answer, checked here. */
struct status_view {
	const uint8_t *d;               /* D of its parameters; NULL: version 1 */
	const unsigned char *proven;    /* proven[i]: conflict i verified here */
	/* the parties whose encryption key is nowhere to be found (keydir.h) */
	const char *const *keys_missing;
	size_t nkeys_missing;
};

int cmd_status(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e) SS_WUR;
/*
 * Checks each conflict st reports under the pinned D (c->d), with the
 * parties' certificates: (*proven)[i] is 1 when both statements verify as
 * that party's and differ, a proof; NULL when there is none (free it).
 */
int cmd_status_conflicts(struct client *c, const struct wire_response *st,
    unsigned char **proven, struct ss_error *e) SS_WUR;
/* The type of conflict cf's statements: "SUBMIT" ..., "?" if unreadable. */
const char *cmd_status_conflict_type(const struct wire_conflict *cf);

/* ---- delete and list (cmd_delete.c, cmd_list.c) -------------------------- */

/* Deletes session on the server; what was let go into c->deleted_out. */
int cmd_delete(struct client *c, const char *session, struct ss_error *e)
    SS_WUR;
/*
 * The sessions this party is in (phase, age, creator, expiry), into
 * c->list_out: on a failure, those of the pages read before it.
 */
int cmd_list(struct client *c, struct ss_error *e) SS_WUR;
void client_listed_free(struct client_listed *l);

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
	int input_checked;         /* the input matched our records */
	struct sumpoint sp;        /* our posted sumpoint and SUMPOINT */
	wire_name *cohort;         /* the cohort it was computed for */
	size_t ncohort;
	int warned;                /* said that the cohort closed without us */
	size_t last_posted;        /* sumpoints seen posted ... */
	uint64_t quiet_since;      /* ... and since when no new one came */
};

/* The steps of `run`, one chosen at every poll of the status. */
enum run_action {
	RUN_FAILED,            /* the session failed: stop */
	RUN_RECORD,            /* our shares went earlier: check the input */
	RUN_SUBMIT,            /* our shares are not in: seal and submit them */
	RUN_RESUBMIT,          /* ... submit the same again: the server lost them */
	RUN_WAIT_SHARES,       /* others' shares are missing: poll again */
	RUN_POST,              /* sign the cohort, compute our sumpoint, post it */
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
