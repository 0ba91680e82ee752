/*
 * wire.h: the client's protobuf codec (nanopb). It encodes a Request and
 * decodes a Response without fixed-size arrays for anything long: vectors of
 * field elements and ciphertexts are produced by and handed to callbacks, so
 * their size is bounded only by the frame and by the caller's limits.
 *
 * The rest of the client sees only the plain structures below, never the
 * generated nanopb types. wire_request.c encodes, wire.c decodes.
 */
#ifndef SS_CLIENT_WIRE_H
#define SS_CLIENT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "err.h"
#include "name.h"
#include "status.h"

#define WIRE_MESSAGE_MAX STATUS_MESSAGE_MAX  /* Response.message */

/* Methods: the numbers of proto/securesum.proto (codes and phases: status.h). */
enum wire_method {
	WIRE_CREATE_SESSION = 1,
	WIRE_SUBMIT_SHARES = 2,
	WIRE_GET_SHARE = 3,
	WIRE_POST_SUMPOINT = 4,
	WIRE_LIST_SUMPOINTS = 5,
	WIRE_GET_STATUS = 6,
	WIRE_PUBLISH_KEY = 7,
	WIRE_GET_KEYS = 8,
	WIRE_POST_COHORT = 9,          /* version 2 */
	WIRE_GET_COHORT = 10,          /* version 2 */
	WIRE_DELETE_SESSION = 11,
	WIRE_LIST_SESSIONS = 12,
	WIRE_GET_SERVER_INFO = 13,
};
#define WIRE_METHOD_LAST WIRE_GET_SERVER_INFO

typedef char wire_name[NAME_MAX_LEN + 1];
typedef char wire_sid[SESSION_ID_BUF];     /* a session id: CREATOR/NAME */

/* A list of names decoded from a repeated string field. */
struct wire_names {
	wire_name *v;
	size_t n;
	size_t cap;
};

/* A vector decoded from a repeated uint64 field. */
struct wire_vec {
	uint64_t *v;
	size_t n;
	size_t cap;
};

/*
 * A signed statement (core/statement.h): its body and its signature, as
 * they travel. Decoded ones are malloc'd and freed with the response.
 */
struct wire_stmt {
	uint8_t *body;
	size_t body_len;
	uint8_t *sig;
	size_t sig_len;
};

/* One ciphertext of a SubmitShares request. */
struct wire_share {
	const char *recipient;
	const uint8_t *ct;
	size_t ct_len;
};

/*
 * A request. Only the members the method uses are read; the codec borrows
 * every pointer for the duration of the encoding.
 */
struct wire_request {
	uint64_t id;
	int method;                    /* enum wire_method */
	uint64_t deadline_unix_ms;     /* 0: none */
	const char *session_id;        /* all but PUBLISH_KEY and GET_KEYS */
	/* SUBMIT_SHARES, GET_SHARE, POST_SUMPOINT, POST_COHORT */
	const char *party;
	const char *const *names;      /* CREATE_SESSION parties, GET_KEYS parties */
	size_t nnames;
	uint32_t threshold, length, decimals, deadline_seconds; /* CREATE_SESSION */
	uint32_t min_cohort;           /* CREATE_SESSION, version 2 */
	uint64_t deadline_unix;        /* ... */
	const uint8_t *nonce;          /* ... nonce_len bytes (NULL: version 1) */
	size_t nonce_len;
	const struct wire_share *shares;   /* SUBMIT_SHARES */
	size_t nshares;
	const uint64_t *values;        /* POST_SUMPOINT */
	size_t nvalues;
	const uint8_t *cert;           /* PUBLISH_KEY: DER */
	size_t cert_len;
	/* SUBMIT_SHARES (SUBMIT), POST_SUMPOINT (SUMPOINT), POST_COHORT (COHORT) */
	const struct wire_stmt *stmt;
	/* GET_STATUS: wait until the version is not this one (watch_ms > 0) */
	uint64_t watch_version;
	uint32_t watch_ms;             /* ... for this long at most; 0: no wait */
	/*
	 * ... and with watch_until, until the session, in this boot epoch,
	 * is no longer in watch_phase, has watch_signers COHORT statements or
	 * watch_posted sumpoints (0: not waited for), or conflicts other than
	 * watch_conflicts (docs/PROTOCOL.md 7.6.1)
	 */
	int watch_until;
	uint32_t watch_phase, watch_signers, watch_posted, watch_conflicts;
	uint32_t offset;               /* LIST_SESSIONS: the page's first */
};

/* Longest fixed bytes fields of a response: a digest, a nonce. */
#define WIRE_DIGEST_LEN 32
#define WIRE_NONCE_MAX  32

struct wire_params {
	wire_sid session_id;
	struct wire_names parties;
	uint32_t threshold, length, decimals, deadline_seconds;
	uint32_t min_cohort;               /* version 2 */
	uint64_t deadline_unix;
	uint8_t nonce[WIRE_NONCE_MAX];     /* nonce_len bytes: 0 for version 1 */
	size_t nonce_len;
};

struct wire_incoming {                 /* GetShareResponse.shares */
	wire_name sender;
	uint8_t *ct;
	size_t ct_len;
	struct wire_stmt submit;           /* the sender's SUBMIT */
};

struct wire_sumpoint {                 /* ListSumpointsResponse.sumpoints */
	wire_name party;
	uint32_t x;
	struct wire_vec values;
	struct wire_stmt stmt;             /* the poster's SUMPOINT */
};

struct wire_key {                      /* GetKeysResponse.keys */
	wire_name party;
	uint8_t *der;
	size_t der_len;
	uint8_t *sig_der;                  /* the signing (TLS) certificate */
	size_t sig_der_len;
};

/* A member's COHORT (GetCohort, ListSumpoints.cohort_signatures). */
struct wire_signed {
	wire_name party;
	struct wire_stmt stmt;
};

/* One session the caller is a party of (ListSessions). */
struct wire_session {
	wire_sid session_id;
	int phase;                         /* enum phase, or any other number */
	uint64_t created_unix, age_seconds;
	wire_name creator;                 /* empty: unknown */
	uint64_t expires_unix;             /* 0: never */
	uint32_t parties;
};

/* Two statements of one type one party signed for one D (GetStatus). */
struct wire_conflict {
	wire_name party;
	struct wire_stmt first, second;
};

/* GetServerInfoResponse (docs/PROTOCOL.md 7.13), field for field. */
struct wire_server_info {
	char version[NAME_MAX_LEN + 1];
	uint64_t uptime_seconds;
	uint64_t sessions_sharing, sessions_aggregating, sessions_complete,
	    sessions_failed, sessions_max;
	uint64_t connections, connections_max;
	uint64_t stored_bytes, stored_bytes_max;
	int journal_healthy;
	uint64_t journal_unsynced_records;
	uint64_t snapshot_age_seconds, snapshot_duration_ms, snapshots_failed;
	uint64_t requests;
};

/*
 * A decoded response. The body members filled are those of the method the
 * response answers; the others stay zero. wire_response_free releases it.
 */
struct wire_response {
	uint64_t id;
	int code;                          /* enum status_code, or any other number */
	char message[WIRE_MESSAGE_MAX + 1];
	int has_body;
	/* CreateSession */
	int created;
	uint64_t deadline_unix;            /* also GetStatus */
	uint8_t digest[WIRE_DIGEST_LEN];   /* also GetStatus: D, digest_len bytes */
	size_t digest_len;
	/* SubmitShares, PostSumpoint, PublishKey, PostCohort */
	int duplicate;
	/* GetShare */
	struct wire_incoming *shares;
	size_t nshares, shares_cap;
	/* ListSumpoints and GetStatus; cohort also GetCohort */
	int has_params;
	struct wire_params params;
	struct wire_names cohort;
	struct wire_sumpoint *sumpoints;
	size_t nsumpoints, sumpoints_cap;
	int phase;                         /* enum wire_phase, or any other number */
	struct wire_names shared, posted, missing;
	struct wire_names signers;         /* GetStatus: whose COHORT is in */
	struct wire_conflict *conflicts;   /* GetStatus */
	size_t nconflicts, conflicts_cap;
	uint64_t version;                  /* GetStatus: 0 from a server that does not watch */
	/* GetCohort signatures, ListSumpoints cohort_signatures */
	struct wire_signed *signed_;
	size_t nsigned, signed_cap;
	/* GetKeys */
	struct wire_key *keys;
	size_t nkeys, keys_cap;
	/* DeleteSession */
	uint64_t released_bytes;
	wire_sid deleted_id;               /* "" from an older server */
	/* ListSessions */
	struct wire_session *sessions;
	size_t nsessions, sessions_cap;
	uint32_t next_offset;
	/* GetServerInfo */
	struct wire_server_info server_info;
};

/* Bounds on what a response may make the decoder allocate. */
struct wire_limits {
	size_t max_items;   /* entries of any one repeated field */
	size_t max_bytes;   /* length of any one bytes field but a statement's */
	size_t max_values;  /* elements of any one repeated uint64 field */
	size_t max_statement;   /* length of a statement's body or signature */
};

/*
 * Encodes req onto stream (the frame body, without its length prefix).
 * SS_ERR_INVALID for an unknown method or a NULL that the method needs,
 * SS_ERR_TOO_LARGE for a name over NAME_MAX_LEN, SS_ERR_IO when the stream
 * refuses bytes.
 */
int wire_encode_request(pb_ostream_t *stream, const struct wire_request *req)
    SS_WUR;
/* The number of bytes wire_encode_request would write. */
int wire_request_size(const struct wire_request *req, size_t *size) SS_WUR;

/*
 * Decodes buf[0..len) as the Response to a request of method `method`.
 * A body for another method, two bodies, a field over its limit, a string
 * over its maximum or holding a NUL, or truncated input is refused:
 * SS_ERR_PROTOCOL, or SS_ERR_TOO_LARGE for limits, SS_ERR_ALLOC. e gets a
 * one-line reason. Unknown fields are skipped. resp is always left safe to
 * pass to wire_response_free.
 */
int wire_decode_response(const uint8_t *buf, size_t len, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;

/*
 * The same from the stream s, all s->bytes_left bytes of it (a response
 * read from the connection as it is decoded, so that no copy of the whole
 * frame is made). A failure of s's callback fails the decoding: its caller
 * knows why.
 */
int wire_decode_response_from(pb_istream_t *s, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;
void wire_response_free(struct wire_response *resp);

/* 1 if name is in list. */
int wire_names_has(const struct wire_names *list, const char *name);

/* "GetStatus"...; "an unknown method" for other numbers. */
const char *wire_method_name(int method);

#endif
