/*
 * rpc.h: one request in, one response out. Decodes a Request frame with
 * protobuf-c, checks it (method, body, deadline, sizes), performs it on the
 * store for the caller's certified identity, and encodes the Response with
 * its length prefix.
 */
#ifndef SS_RPC_H
#define SS_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "store.h"

struct rpc_server {
	struct store *store;
	X509_STORE *ca;            /* verifies published encryption-key certificates */
	uint64_t (*now_ms)(void);  /* wall clock, replaceable in tests */
};

/* What the connection should do after the response is sent. */
enum rpc_after {
	RPC_CONTINUE = 0,
	RPC_CLOSE = 1,   /* the frame was not a Request at all */
};

/*
 * Handles the frame body (without its length prefix) sent by caller and
 * appends the framed Response to out. Returns what to do next.
 */
enum rpc_after rpc_handle(struct rpc_server *srv, const char *caller,
    const uint8_t *frame, size_t len, ProtobufCBuffer *out);

/* Appends a framed Response with only id, code and message (no body). */
void rpc_write_error(uint64_t id, int code, const char *msg, ProtobufCBuffer *out);

#endif
