/*
 * securesum.h: a party of secure-sum, embedded in a program.
 *
 * The parties of a session add private vectors of numbers through a
 * coordinating server (mpc-server) over mutually authenticated TLS: each
 * party's input is Shamir-shared and sealed to the other parties, so that
 * the server, and any coalition of at most `threshold` parties, learns
 * nothing but the sum. mpc-client is one program over this library; this
 * header lets any other program be a party too.
 *
 * Usage:
 *
 *     securesum *h = securesum_new();
 *     securesum_set_server(h, "127.0.0.1:7000");
 *     securesum_set_certs(h, "/etc/secure-sum/alice");
 *     securesum_set_party(h, "alice");
 *     int64_t v[1] = { 42 };
 *     struct securesum_sum *sum;
 *     int r = securesum_run(h, "payroll", invite, v, 1, 0, &sum);
 *     if (r < 0)
 *         fprintf(stderr, "%s\n", securesum_message(h));
 *     else
 *         printf("%s\n", sum->text[0]), securesum_sum_free(sum);
 *     securesum_free(h);
 *
 * Conventions:
 *  - Every operation returns SECURESUM_OK (0) or a negative
 *    SECURESUM_ERR_* code; securesum_strerror names a code, and
 *    securesum_message(h) holds the full sentence of the last failure
 *    (which file, flag or party is wrong and what to do).
 *  - Results come back in structs the library allocates; the caller
 *    reads them and frees them with the matching *_free function.
 *  - The library never writes to stdout or stderr. Warnings, notes and
 *    the progress of long waits go to the callback set with
 *    securesum_set_log, if any.
 *  - Inputs are arrays of int64_t in units of 10^-decimals (the session's
 *    decimals, fixed at create); securesum_parse_amount reads "12.50"
 *    into such a unit. Inputs and sums are wiped from the library's
 *    memory before it is freed.
 *  - h is never NULL. A handle is used by one thread at a time; different
 *    handles are independent, but see SIGPIPE. Nothing here is
 *    async-signal-safe.
 *  - A server that goes away mid-write must not kill the caller: while an
 *    operation runs, SIGPIPE is ignored if the program left it at its
 *    default (and restored after). A program with threads should ignore
 *    SIGPIPE itself, once, before any operation.
 *  - mpc-client's commands are this API (client/cli*.c), all of them:
 *    create, delete, list, status, share, sumpoint, result, run and
 *    server-info; its messages name
 *    mpc-client's flags where the library's settings mean the same
 *    (--wait: securesum_set_wait).
 *  - Names are stable: everything public starts with securesum_ or
 *    SECURESUM_, and nothing else is exported from libsecuresum.
 */
#ifndef SECURESUM_H
#define SECURESUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(SECURESUM_BUILDING)
#define SECURESUM_API __attribute__((visibility("default")))
#else
#define SECURESUM_API
#endif

/* ---- error codes (the values of the project's SS_ERR_*, core/err.h) --- */

#define SECURESUM_OK                       0
#define SECURESUM_ERR_INTERNAL          (-1)  /* a bug, or a library failure */
#define SECURESUM_ERR_ALLOC             (-2)  /* out of memory */
#define SECURESUM_ERR_INVALID           (-3)  /* a malformed argument */
#define SECURESUM_ERR_RANGE             (-4)  /* a value outside its range */
#define SECURESUM_ERR_TOO_LARGE         (-5)  /* a length over its bound */
#define SECURESUM_ERR_TRUNCATED         (-6)  /* input ended early */
#define SECURESUM_ERR_CRYPTO            (-7)  /* a cryptographic call failed */
#define SECURESUM_ERR_AUTH              (-8)  /* a ciphertext failed to open */
#define SECURESUM_ERR_INCONSISTENT      (-9)  /* sumpoints disagree: no sum */
#define SECURESUM_ERR_IO               (-10)  /* a file or socket call failed */
#define SECURESUM_ERR_CHECKSUM         (-11)  /* a record failed its checksum */
#define SECURESUM_ERR_VERSION          (-12)  /* a record of unknown version */
#define SECURESUM_ERR_CERT             (-13)  /* a certificate failed checks */
#define SECURESUM_ERR_KEY_PERMS        (-14)  /* a key file others can read */
#define SECURESUM_ERR_NOT_FOUND        (-15)  /* no such session, key or file */
#define SECURESUM_ERR_TIMEOUT          (-16)  /* the timeout passed */
#define SECURESUM_ERR_PROTOCOL         (-17)  /* the server broke protocol */
#define SECURESUM_ERR_EXISTS           (-18)  /* exists with other parameters */
#define SECURESUM_ERR_DENIED           (-19)  /* the server refused us this */
#define SECURESUM_ERR_PRECONDITION     (-20)  /* not in this phase: not ready */
#define SECURESUM_ERR_EXHAUSTED        (-21)  /* a server limit is reached */
#define SECURESUM_ERR_UNAVAILABLE      (-22)  /* the server cannot serve now */
#define SECURESUM_ERR_UNAUTHENTICATED  (-23)  /* the peer proved no identity */

/* A constant English phrase for code; never NULL. */
SECURESUM_API const char *securesum_strerror(int code);
/* The library's version, "MAJOR.MINOR.PATCH" (the file VERSION). */
SECURESUM_API const char *securesum_version(void);

/* ---- the handle: one party, its settings ------------------------------- */

typedef struct securesum securesum;

/* A new handle with no settings, or NULL when out of memory. */
SECURESUM_API securesum *securesum_new(void);
/* Frees h and wipes what it held; h may be NULL. */
SECURESUM_API void securesum_free(securesum *h);

/*
 * The settings, each copied into h; SECURESUM_ERR_INVALID (with a message)
 * for a malformed one. server, certs and party are required by every
 * operation; the others have the defaults of mpc-client (docs/CLI.md).
 */
/* HOST:PORT or [IPv6]:PORT of mpc-server */
SECURESUM_API int securesum_set_server(securesum *h, const char *host_port);
/* the folder of ca.crt, PARTY.crt, PARTY.key, PARTY.enc.crt, PARTY.enc.key */
SECURESUM_API int securesum_set_certs(securesum *h, const char *dir);
/* our name: our certificate's common name */
SECURESUM_API int securesum_set_party(securesum *h, const char *name);
/* the folder of our records (docs/PARTY-STATE.md); NULL: the default */
SECURESUM_API int securesum_set_state(securesum *h, const char *dir);
/* the name the server's certificate must carry; NULL: HOST */
SECURESUM_API int securesum_set_server_name(securesum *h, const char *name);
/* the bound on every operation, in seconds (default 120; 1 to 2147483) */
SECURESUM_API int securesum_set_timeout(securesum *h, unsigned seconds);
/* a file each acknowledged change is appended to; NULL: none */
SECURESUM_API int securesum_set_trace(securesum *h, const char *file);
/*
 * 1: keep retrying a server that refuses connections until the timeout
 * (run always does); 0 (default): fail within about 2 s.
 */
SECURESUM_API int securesum_set_wait(securesum *h, int wait);

/*
 * Lines for a person, without a newline: warnings ("sum UNVERIFIED: ..."),
 * notes, and the progress of waits and retries longer than 2 s ("...;
 * retrying", at most one line each 10 s). fn NULL (the default): they are
 * dropped; the library itself never writes to stdout or stderr.
 */
typedef void securesum_log_fn(void *arg, const char *line);
SECURESUM_API void securesum_set_log(securesum *h, securesum_log_fn *fn,
    void *arg);
/*
 * For a caller that shows progress live (a line redrawn on a terminal):
 * every progress line as it changes, unthrottled, with the pause in ms
 * that follows it when known (else 0); line NULL: the wait is over, clear
 * it. Set, it takes the progress lines away from the log callback.
 */
typedef void securesum_progress_fn(void *arg, const char *line,
    unsigned pause_ms);
SECURESUM_API void securesum_set_progress(securesum *h,
    securesum_progress_fn *fn, void *arg);

/*
 * A change share, sumpoint or run made on the server, for a caller that
 * shows it (mpc-client's share and sumpoint print one line, or one JSON
 * object, from it; its run notes it on a terminal).
 */
struct securesum_count {
	const char *name;               /* "ciphertexts", "bytes", "shares" */
	size_t n;
};
struct securesum_step {
	const char *session;
	const char *party;              /* we */
	const char *what;               /* "shares" or "sumpoint" */
	const char *done;               /* "submitted" or "posted" */
	int duplicate;                  /* 1: made before (our retry) */
	const struct securesum_count *counts;   /* what it carried */
	size_t ncounts;
	int again;                      /* 1: run sent it again, the server
	                                   having lost the first */
};
typedef void securesum_step_fn(void *arg, const struct securesum_step *s);
/* Each step of share, sumpoint and run to fn; NULL: none. */
SECURESUM_API void securesum_set_step(securesum *h, securesum_step_fn *fn,
    void *arg);

/* The sentence of the last failure on h; "" after a success. */
SECURESUM_API const char *securesum_message(const securesum *h);

/* ---- amounts ------------------------------------------------------------ */

/*
 * "-12.5" with `decimals` decimals (0 to 18) into *out in units of
 * 10^-decimals (-1250 for 2). SECURESUM_ERR_INVALID for malformed text
 * or more decimals than that, SECURESUM_ERR_RANGE out of int64.
 */
SECURESUM_API int securesum_parse_amount(const char *text, unsigned decimals,
    int64_t *out);
/* The reverse: value as text into buf of len bytes (32 always suffice). */
SECURESUM_API int securesum_format_amount(int64_t value, unsigned decimals,
    char *buf, size_t len);

/* ---- create ------------------------------------------------------------- */

struct securesum_create_args {
	const char *session;            /* the session's id */
	const char *const *parties;     /* in order; we are one of them */
	size_t nparties;                /* 2 or more */
	unsigned threshold;             /* 1 to nparties - 1 */
	unsigned length;                /* elements per input; 0: 1 */
	unsigned decimals;              /* 0 to 18 */
	unsigned deadline_s;            /* close sharing after this; 0: none */
	unsigned min_cohort;            /* with a deadline: fewest to close */
	int allow_unknown;              /* 1: a party without a key is fine */
	/*
	 * SECURESUM_NONCE_LEN bytes: create the same session again (a retry
	 * whose answer was lost: the same nonce is the same session); NULL:
	 * a fresh random nonce, a new session
	 */
	const uint8_t *nonce;
};

#define SECURESUM_INVITE_MAX 128
#define SECURESUM_NONCE_LEN  16
#define SECURESUM_NAME_MAX   65   /* a party or session name and its NUL */
/*
 * A session id and its NUL: CREATOR/NAME, the creator's namespace. Every
 * call that takes a session takes its CREATOR/NAME or its bare NAME, which
 * the server resolves among the caller's sessions (create: in the caller's
 * own namespace); see docs/PROTOCOL.md section 2.1.
 */
#define SECURESUM_SESSION_MAX 130

struct securesum_created {
	char invite[SECURESUM_INVITE_MAX];  /* the code the others pin it by */
	int created;                    /* 0: in place already (our retry) */
	unsigned min_cohort;            /* as chosen (the default rule, if 0) */
	uint64_t deadline_unix;         /* 0: none */
	char nonce[2 * SECURESUM_NONCE_LEN + 1];    /* in hex */
};

/* Creates the session; out gets its invite code. */
SECURESUM_API int securesum_create(securesum *h,
    const struct securesum_create_args *a, struct securesum_created *out);

/* ---- share, sumpoint, result, run ---------------------------------------
 *
 * Each acts on a session pinned by its invite code (from create): a
 * session whose parameters are not the invite's is refused.
 */

#define SECURESUM_REUSE_INPUT      1u  /* this input may have gone to an
                                          earlier instance of the id */
#define SECURESUM_REQUIRE_VERIFIED 2u  /* an UNVERIFIED sum is an error */

/* Shares values[0..n) (n = the session's length) with the other parties. */
SECURESUM_API int securesum_share(securesum *h, const char *session,
    const char *invite, const int64_t *values, size_t n, unsigned flags);
/* Computes and posts our sumpoint, once the session's cohort is fixed. */
SECURESUM_API int securesum_sumpoint(securesum *h, const char *session,
    const char *invite);

/* A sum, as result and run return it. */
struct securesum_sum {
	size_t length;                  /* elements */
	unsigned decimals;              /* the session's */
	int64_t *values;                /* in units of 10^-decimals */
	char **text;                    /* the same as decimal strings (one block) */
	int verified;                   /* 1: VERIFIED; 0: UNVERIFIED */
	size_t sumpoints;               /* the agreeing sumpoints */
	unsigned quorum;                /* how many make it verified */
	size_t nparties;                /* of the session */
	char **cohort;                  /* the parties whose inputs it adds */
	size_t ncohort;
};

/* Reconstructs the sum from the posted sumpoints; free *out. */
SECURESUM_API int securesum_result(securesum *h, const char *session,
    const char *invite, unsigned flags, struct securesum_sum **out);
/*
 * The whole of a party's part: shares values (unless the server has our
 * shares already), waits for the cohort, posts our sumpoint, waits for
 * enough sumpoints, and returns the sum in *out (free it).
 */
SECURESUM_API int securesum_run(securesum *h, const char *session,
    const char *invite, const int64_t *values, size_t n, unsigned flags,
    struct securesum_sum **out);
/* Wipes and frees s; s may be NULL. */
SECURESUM_API void securesum_sum_free(struct securesum_sum *s);

/*
 * A session pinned by its invite code, or by every parameter as create
 * was given them (the other fields are read only when invite is NULL):
 * a session whose parameters differ from the pin is refused.
 */
struct securesum_pin {
	const char *invite;             /* the code create returned, or NULL */
	const char *const *parties;     /* in order, as create had them */
	size_t nparties;
	unsigned threshold;
	unsigned length;                /* 0: 1 */
	unsigned decimals;
	unsigned min_cohort;            /* 0: the default rule */
	uint64_t deadline_unix;         /* 0: none */
	const uint8_t *nonce;           /* SECURESUM_NONCE_LEN bytes */
};

/* A list of names. */
struct securesum_names {
	char **v;
	size_t n;
};

/* A statement as a party signed it (docs/PROTOCOL.md): its bytes. */
struct securesum_statement {
	uint8_t *body;
	size_t body_len;
	uint8_t *sig;
	size_t sig_len;
};

/* Two different statements of one type one party signed for a session. */
struct securesum_conflict {
	char party[SECURESUM_NAME_MAX];
	char type[16];          /* SUBMIT, COHORT or SUMPOINT; "?": unreadable */
	int verified;           /* 1: both checked here against the party's
	                           certificate: proof that it broke protocol */
	struct securesum_statement first, second;
};

/*
 * What result decided, sum or not. On SECURESUM_ERR_INCONSISTENT or
 * SECURESUM_ERR_PRECONDITION (too few sumpoints) the verdict is there too,
 * with sum NULL, naming the points: decided says whether it is.
 */
struct securesum_result {
	struct securesum_sum *sum;      /* NULL: no sum */
	int decided;                    /* 1: the fields below are the verdict */
	char label[32];                 /* verified, unverified, inconsistent,
	                                   "too few sumpoints" */
	unsigned quorum;                /* the agreeing points a verified sum
	                                   needs */
	size_t taken;                   /* the sumpoints judged */
	struct securesum_names parties; /* of the session */
	struct securesum_names cohort;
	struct securesum_names on, off, suspect;  /* the points, by poster */
	struct securesum_names ignored; /* listed but not signed on this
	                                   cohort and these values */
	struct securesum_conflict *conflicts;     /* as status reports them */
	size_t nconflicts;
	/*
	 * The session not COMPLETE when the points were judged (run's wait
	 * for them ends after a grace): the cohort's members whose sumpoint
	 * was not in then, and how many were posted.
	 */
	struct securesum_names missing;
	size_t posted;
	char session[SECURESUM_SESSION_MAX];      /* its id, CREATOR/NAME */
};

/*
 * result with the whole verdict, the session pinned by pin; *out is
 * allocated whenever the points were judged (free it), else NULL.
 */
SECURESUM_API int securesum_result_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, unsigned flags,
    struct securesum_result **out);
SECURESUM_API void securesum_result_free(struct securesum_result *r);
/*
 * An input as text, as mpc-client takes it: decimal strings, read with
 * the session's decimals once its parameters are known, or a file of
 * them separated by white space ("-": standard input); one of the two.
 */
struct securesum_input {
	const char *const *texts;
	size_t ntexts;
	const char *path;
};
/* share, an input given as text; errors name the file and line. */
SECURESUM_API int securesum_share_input(securesum *h, const char *session,
    const struct securesum_pin *pin, const struct securesum_input *in,
    unsigned flags);
/* share, sumpoint and run as above, the session pinned by pin. */
SECURESUM_API int securesum_share_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags);
SECURESUM_API int securesum_sumpoint_pinned(securesum *h,
    const char *session, const struct securesum_pin *pin);
SECURESUM_API int securesum_run_pinned(securesum *h, const char *session,
    const struct securesum_pin *pin, const int64_t *values, size_t n,
    unsigned flags, struct securesum_result **out);
/* run, an input given as text (as securesum_share_input). */
SECURESUM_API int securesum_run_input(securesum *h, const char *session,
    const struct securesum_pin *pin, const struct securesum_input *in,
    unsigned flags, struct securesum_result **out);

/* ---- status, delete ----------------------------------------------------- */

struct securesum_status {
	char phase[16];     /* SHARING, AGGREGATING, COMPLETE or FAILED */
	struct securesum_names parties;
	unsigned threshold, length, decimals, min_cohort;
	uint64_t deadline_unix;         /* 0: none */
	struct securesum_names shared;  /* whose shares are in */
	struct securesum_names cohort;  /* the cohort, once fixed */
	struct securesum_names posted;  /* whose sumpoints are in */
	struct securesum_names missing; /* the cohort's without one */
	struct securesum_names keys_missing;  /* parties without a known key */
	/* D of what the server holds, recomputed here; "": a version-1 session */
	char invite[SECURESUM_INVITE_MAX];
	size_t nconflicts;              /* parties caught signing two things */
	char reason[256];               /* FAILED: why */
	struct securesum_names signers; /* who signed the cohort */
	struct securesum_conflict *conflicts;   /* nconflicts of them */
	char session[SECURESUM_SESSION_MAX];    /* its id, CREATOR/NAME */
};

/* The session's status as the server reports it; free *out. */
SECURESUM_API int securesum_status(securesum *h, const char *session,
    struct securesum_status **out);
SECURESUM_API void securesum_status_free(struct securesum_status *s);

struct securesum_deleted {
	int known;                  /* 0: the session is gone, but the answer
	                               that said how much it freed was lost */
	uint64_t released_bytes;    /* the server's memory it freed */
	char session[SECURESUM_SESSION_MAX];    /* its id, CREATOR/NAME when
	                               the server said (else as given) */
};

/* Deletes the session on the server (its creator only); out may be NULL. */
SECURESUM_API int securesum_delete(securesum *h, const char *session,
    struct securesum_deleted *out);

/* ---- list --------------------------------------------------------------- */

/* A session this party is in; names as the server sent them, made printable. */
struct securesum_session {
	char id[SECURESUM_SESSION_MAX];     /* CREATOR/NAME */
	char phase[16];     /* SHARING, AGGREGATING, COMPLETE or FAILED */
	uint64_t created_unix;
	uint64_t age_seconds;
	char creator[SECURESUM_NAME_MAX];   /* "": unknown */
	unsigned parties;
	uint64_t expires_unix;          /* when the server drops it; 0: never */
};

struct securesum_list {
	struct securesum_session *v;
	size_t n;
};

/*
 * The sessions this party is in, in the server's order; free *out. On a
 * failure after some pages were read, *out holds their sessions (else it
 * is NULL), so that a caller can show what came before the error.
 */
SECURESUM_API int securesum_list(securesum *h, struct securesum_list **out);
SECURESUM_API void securesum_list_free(struct securesum_list *l);

/* ---- the server --------------------------------------------------------- */

/*
 * The server's figures (GetServerInfo, docs/PROTOCOL.md 7.13): counts only;
 * the whole server's for an identity the server names with --monitor, else
 * the caller's own sessions, connections and bytes (and the request,
 * journal and snapshot counts 0).
 */
struct securesum_server_info {
	char version[SECURESUM_NAME_MAX];   /* made printable */
	int journal_healthy;
	uint64_t uptime_seconds;
	uint64_t sessions_sharing, sessions_aggregating, sessions_complete,
	    sessions_failed, sessions_max;
	uint64_t connections, connections_max;
	uint64_t stored_bytes, stored_bytes_max;
	uint64_t journal_unsynced_records;
	uint64_t snapshot_age_seconds, snapshot_duration_ms, snapshots_failed;
	uint64_t requests;
};

/* The server's version, load and health, asked by any party. */
SECURESUM_API int securesum_server_info(securesum *h,
    struct securesum_server_info *out);

#ifdef __cplusplus
}
#endif

#endif
