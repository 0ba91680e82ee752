/*
 * rpc_call.h: one call in the RPC layer: the request as decoded (by
 * protobuf-c, or read in place), the response being built for it and the
 * memory it borrows, and what every method's handler uses to read the
 * request and answer: checked names, the statements of version 2 in and
 * out, the session's parameters as a message. rpc.c decodes, dispatches
 * and encodes; the handlers live in rpc.c and signed_cohort.c. (It does
 * not include rpc.h: rpc.c includes it.)
 */
#ifndef SS_RPC_CALL_H
#define SS_RPC_CALL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "err.h"
#include "metrics.h"
#include "request_view.h"
#include "securesum.pb-c.h"
#include "session.h"
#include "statements.h"
#include "store.h"

typedef Securesum__Request Request;
typedef Securesum__Response Response;

/*
 * What decoding one request may take. protobuf-c unpacks each element of a
 * repeated field into blocks of its own, with some 80 bytes of bookkeeping
 * (a pointer, a block, a scanned-member entry while it unpacks), so a frame
 * of tiny elements (millions of empty names) would take 40 to 70 times its
 * size. What the decode allocates is therefore counted and refused past the
 * frame's own size and CALL_DECODE_ELEMENT bytes for each element a valid
 * request can hold: 4 per party (a share's message, recipient and
 * ciphertext) and CALL_DECODE_FIXED more. Not charged to the memory budget:
 * the server handles one request at a time and frees it before the next,
 * so this bound is all a decode ever adds, and a budget full of queued
 * answers must refuse a read (RESOURCE_EXHAUSTED, try again later), not
 * close the connection that asked.
 */
#define CALL_DECODE_ELEMENT 256u
#define CALL_DECODE_FIXED   1024u

enum { CALL_METER_CAP = 1, CALL_METER_MEMORY = 2 };

struct call_meter {
	uint64_t used, cap;
	int over;               /* 0, or why an allocation was refused */
};

enum request_form {
	FORM_PROTOBUF,          /* decoded by request_decode: pb */
	FORM_SUBMIT_VIEW,       /* a SubmitShares read in place: submit */
	FORM_SUMPOINT_VIEW,     /* a PostSumpoint read in place: sumpoint */
};

/* A request as decoded, whichever way. */
struct decoded_request {
	enum request_form form;
	uint64_t id;
	uint64_t deadline_unix_ms;
	int method;             /* Securesum__Method, as sent */
	int body_case;          /* Securesum__Request__BodyCase */
	Request *pb;
	struct submit_view submit;
	struct sumpoint_view sumpoint;
	/*
	 * What pb was unpacked and is freed with (call_meter_start): it
	 * remembers the size of each block, so that string_whole can tell a
	 * string cut short by a NUL, and meters them.
	 */
	ProtobufCAllocator alloc;
	struct call_meter meter;
};

/*
 * r's allocator, metering the decode of a frame of len bytes for a server
 * of at most max_parties parties a session.
 */
void call_meter_start(struct decoded_request *r, size_t len,
    uint32_t max_parties);

/* Memory a response borrows for its lists; freed after packing. */
#define CALL_SCRATCH 12

struct scratch {
	void *p[CALL_SCRATCH];
};

struct rpc_watch;   /* rpc.h's */

struct call {
	/* What the server gives every call (rpc.h's struct rpc_server). */
	struct store *store;
	X509_STORE *ca;
	uint64_t (*now_ms)(void);
	const struct metrics_source *info;
	const char *monitors;      /* rpc_server's */
	/* Who calls, and with what. */
	const char *caller;
	X509 *cert;                /* the caller's TLS certificate, or NULL */
	uint8_t **frame;           /* the frame, if the store may keep it; else NULL */
	size_t frame_len;
	struct decoded_request req;
	/* The response, and what it points to. */
	Response resp;
	union {
		Securesum__CreateSessionResponse create;
		Securesum__SubmitSharesResponse submit;
		Securesum__GetShareResponse get_share;
		Securesum__PostSumpointResponse post;
		Securesum__ListSumpointsResponse list;
		Securesum__GetStatusResponse status;
		Securesum__PublishKeyResponse publish;
		Securesum__GetKeysResponse get_keys;
		Securesum__PostCohortResponse post_cohort;
		Securesum__GetCohortResponse get_cohort;
		Securesum__DeleteSessionResponse delete_session;
		Securesum__ListSessionsResponse list_sessions;
		Securesum__GetServerInfoResponse server_info;
	} body;
	Securesum__SessionParams params;
	struct scratch sc;
	struct ss_error err;       /* the response's code and message */
	/* A GetStatus that may wait: what it waits on (NULL: it may not). */
	struct rpc_watch *watch;
	uint32_t epoch;            /* rpc_server's */
	/* The session a GetShare or ListSumpoints sends from (rpc_held_fn). */
	struct session *held_se;
	int holding;               /* held: no response now (RPC_WATCH) */
};

/* n zeroed elements of size bytes that live until the response is sent; NULL if none. */
void *call_scratch(struct call *c, size_t n, size_t size);
/*
 * Scratch for a repeated message field of up to n entries: items, the n
 * messages, and ptrs, the n pointers to them that protobuf-c's n_X/X pair
 * holds. Nonzero when out of memory.
 */
#define CALL_REPEATED(c, n, items, ptrs) \
	(((items) = call_scratch((c), (n), sizeof(*(items)))) == NULL || \
	 /* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */ \
	 ((ptrs) = call_scratch((c), (n), sizeof(*(ptrs)))) == NULL)
/* Frees the scratch memory (after the response is packed). */
void call_scratch_free(struct call *c);
/* c->err: out of memory. */
int call_out_of_memory(struct call *c);

/* The wall clock in seconds. */
uint64_t call_now(const struct call *c);

/*
 * A decoded string, or "" (never a valid name) if a NUL cut it short. An
 * absent field is protobuf-c's shared "".
 */
const char *call_whole(const char *v);
/* Checks that a whole string is a valid name; c->err says which field is not. */
int call_check_whole_name(struct call *c, const char *what, const char *v);
/* The same for a string as protobuf-c decoded it. */
int call_check_name(struct call *c, const char *what, const char *v);
/* The same for a session id: NAME or CREATOR/NAME (core/name.h). */
int call_check_whole_session(struct call *c, const char *v);
int call_check_session(struct call *c, const char *v);

/* The session a read names, if the caller may read it; else NULL (c->err says why). */
struct session *call_read_session(struct call *c, const char *session_id);

/*
 * The answer of a change (SubmitShares, PostSumpoint, PublishKey,
 * PostCohort) once the store has answered rc (a refusal says why in
 * c->err): whether it already held the same.
 */
int call_acknowledge(struct call *c, int rc, int duplicate);

/* The session's parameters into c->params (names: n pointers of scratch). */
void call_params_to_msg(struct call *c, const struct session *se, char **names);

/* A request's Statement (NULL: absent) as the store takes it; returns in or NULL. */
const struct statement_in *call_statement_in(const Securesum__Statement *m,
    struct statement_in *in);
/* A held statement as a message pointing into it; NULL if it has none. */
Securesum__Statement *call_statement_msg(const struct held_statement *h,
    Securesum__Statement *m);

#endif
