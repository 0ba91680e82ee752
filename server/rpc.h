/*
 * rpc.h: one request in, one response out. Decodes a Request frame (the
 * bulk uploads in place, request_view.h; anything else with protobuf-c),
 * checks it (method, body, deadline, sizes), performs it on the store for
 * the caller's certified identity, and encodes the Response with its
 * length prefix.
 */
#ifndef SS_RPC_H
#define SS_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "metrics.h"
#include "name.h"
#include "store.h"

/* What the last call did: for the connection's log line and the metrics. */
struct rpc_outcome {
	int method;                /* Securesum__Method as sent; 0: not a Request */
	int code;                  /* the wire status answered */
	char session[SESSION_ID_BUF]; /* the session it names, if a valid id; else "" */
	int refused_memory;        /* a read's answer the budget had no room for */
};

struct rpc_server {
	struct store *store;
	X509_STORE *ca;            /* verifies published encryption-key certificates */
	uint64_t (*now_ms)(void);  /* wall clock, replaceable in tests */
	/*
	 * The boot epoch, random and nonzero, chosen at start: the high half
	 * of every session's version. 0: the server does not watch (versions
	 * are 0, no GetStatus is held), as one older than the watch.
	 */
	uint32_t epoch;
	/*
	 * GetServerInfo's figures. info.metrics NULL: the method answers
	 * UNAVAILABLE (an RPC layer without a server, in tests).
	 */
	struct metrics_source info;
	/*
	 * The identities (comma-separated, --monitor) GetServerInfo gives the
	 * whole server's figures to; any other caller is given its own. NULL:
	 * none.
	 */
	const char *monitors;
	/* Written by every rpc_handle* call that answers (or holds). */
	struct rpc_outcome last;
};

/* The longest a GetStatus is held, whatever its watch_ms asks. */
#define RPC_WATCH_MAX_MS 30000u

/* What the connection should do after the response is sent. */
enum rpc_after {
	RPC_CONTINUE = 0,
	RPC_CLOSE = 1,   /* the frame was not a Request, or too costly to decode */
	RPC_WATCH = 2,   /* nothing was written: hold the request (rpc_watch) */
};

/*
 * A GetStatus that asks to wait for a change (docs/PROTOCOL.md 7.6). In:
 * whether the connection may hold it. Out, with RPC_WATCH: the session
 * it waits on (NULL: one not created yet) and for how long at most, in
 * ms (bounded by RPC_WATCH_MAX_MS and the request's deadline). The
 * connection hands the same frame in again when the session changes
 * (store_data.h's changed hook) or, with may_hold 0, when the time is up.
 */
struct rpc_watch {
	int may_hold;
	struct session *se;
	uint32_t ms;
	/* se NULL: the NAME part of the id waited for, whose creation wakes it. */
	char name[NAME_BUF];
};

/*
 * Receives len bytes of a response that session owner holds and never
 * changes (GetShare's ciphertexts, ListSumpoints' values), to be sent from
 * where they lie instead of copied into out. The session may be deleted
 * before they are sent: whoever keeps a reference pins owner until it is
 * done with it (session_pin, session_unpin), which then frees it.
 */
typedef void (*rpc_held_fn)(ProtobufCBuffer *out, size_t len,
    const uint8_t *data, struct session *owner);

/*
 * Handles the frame body (without its length prefix) sent by caller (whose
 * certificate is not known: rpc_handle_as) and appends the framed Response
 * to out. held, if not NULL, takes the
 * store-held bytes of the response. Returns what to do next.
 */
enum rpc_after rpc_handle(struct rpc_server *srv, const char *caller,
    const uint8_t *frame, size_t len, ProtobufCBuffer *out, rpc_held_fn held)
    SS_WUR;

/* A frame body in a block of its own (core/bigmem.h). */
struct rpc_frame {
	uint8_t *p;     /* NULL once the store has kept it */
	size_t len;
};

/*
 * As rpc_handle, for a frame the RPC layer may keep and change: the shares
 * of a SubmitShares request, or the values of a PostSumpoint, are then
 * stored where they arrived, and f->p is NULL afterwards. The caller frees
 * f->p (whatever it then is) with bigmem_free.
 */
enum rpc_after rpc_handle_frame(struct rpc_server *srv, const char *caller,
    struct rpc_frame *f, ProtobufCBuffer *out, rpc_held_fn held) SS_WUR;

/*
 * The entry point of both: the frame is frame (when the RPC layer may keep
 * it, as rpc_handle_frame) or else bytes, len (borrowed, as rpc_handle);
 * cert is the caller's TLS client certificate, which signs its version-2
 * statements and is recorded by PublishKey (NULL: not known; version-2
 * statements are then refused).
 */
enum rpc_after rpc_handle_as(struct rpc_server *srv, const char *caller,
    X509 *cert, const uint8_t *bytes, size_t len, struct rpc_frame *frame,
    ProtobufCBuffer *out, rpc_held_fn held) SS_WUR;

/*
 * As rpc_handle_as, with a watch: a GetStatus that asks to wait, when w
 * allows it, is not answered but held (RPC_WATCH, w says on what).
 */
enum rpc_after rpc_handle_watch(struct rpc_server *srv, const char *caller,
    X509 *cert, const uint8_t *bytes, size_t len, struct rpc_frame *frame,
    ProtobufCBuffer *out, rpc_held_fn held, struct rpc_watch *w) SS_WUR;

/* Appends a framed Response with only id, code and message (no body). */
void rpc_write_error(uint64_t id, int code, const char *msg, ProtobufCBuffer *out);

#endif
