/*
 * rpc_answer.h: a call's Response packed into the connection's output:
 * the vectors a session holds (GetShare's ciphertexts and SUBMITs,
 * ListSumpoints' values) handed over by reference instead of copied, and
 * a read's answer that the memory budget has no room for refused instead
 * of made (RESOURCE_EXHAUSTED, "try again later").
 */
#ifndef SS_RPC_ANSWER_H
#define SS_RPC_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "rpc_call.h"

/* rpc.h's rpc_held_fn, the same type (rpc.c includes this, not rpc.h). */
typedef void (*rpc_answer_held_fn)(ProtobufCBuffer *out, size_t len,
    const uint8_t *data, struct session *owner);

/* Packs resp with its length prefix into out. */
void rpc_answer_write(const Response *resp, ProtobufCBuffer *out);

/*
 * Gives c's response its id, code and message and packs it into out, the
 * held vectors to held (NULL: copied). A read whose answer does not fit
 * in the store's budget is answered RESOURCE_EXHAUSTED instead; an answer
 * to a change always goes out (the change is made). Sets *refused then.
 */
void rpc_answer_finish(struct call *c, ProtobufCBuffer *out,
    rpc_answer_held_fn held, int *refused);

#endif
