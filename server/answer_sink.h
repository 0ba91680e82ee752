/*
 * answer_sink.h: the bytes of the server's answers on their way into a
 * connection's output buffer, charged to the memory budget until sent.
 *
 * What protobuf-c appends is gathered into blocks, each added to the
 * buffer by reference with its charge; libevent frees a block once its
 * bytes are sent (or the connection is gone), and the charge is given
 * back then. Bytes a session holds are added by reference too, the
 * session pinned until they are sent, and only libevent's piece for each
 * is charged (their bytes count as the store's already). The charge is
 * made whether it fits or not -- the RPC layer refuses a read's answer
 * that would not (rpc_answer.h) -- so the caller stops reading from a
 * connection while the budget is over.
 */
#ifndef SS_ANSWER_SINK_H
#define SS_ANSWER_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <protobuf-c/protobuf-c.h>

#include "budget.h"
#include "session.h"

/* Copied bytes are gathered up to this many before they make a block. */
#define ANSWER_STAGE BUDGET_ANSWER_BLOCK

struct answer_sink {
	ProtobufCBuffer base;
	struct evbuffer *out;
	struct budget *budget;
	uint8_t stage[ANSWER_STAGE];
	size_t len;             /* bytes in stage */
	uint64_t refs;          /* references not yet charged: with the next block */
	int failed;             /* out of memory: the answer is incomplete */
};

/* An empty sink appending to out, charging b (NULL: nothing). */
void answer_sink_init(struct answer_sink *s, struct evbuffer *out,
    struct budget *b);

/* rpc_held_fn (rpc.h): bytes owner holds, added by reference. */
void answer_sink_held(ProtobufCBuffer *b, size_t len, const uint8_t *data,
    struct session *owner);

/* Adds what is gathered to out: SS_OK, or SS_ERR_ALLOC if anything failed. */
int answer_sink_finish(struct answer_sink *s) SS_WUR;

#endif
