/*
 * lifecycle_rpc.h: DeleteSession and ListSessions on the wire
 * (docs/PROTOCOL.md 7.11, 7.12). The rules are lifecycle.h's.
 */
#ifndef SS_LIFECYCLE_RPC_H
#define SS_LIFECYCLE_RPC_H

#include "rpc_call.h"

/* The methods' handlers (rpc.c's table): SS_OK, or c->err's code. */
int lifecycle_rpc_delete(struct call *c) SS_WUR;
int lifecycle_rpc_list(struct call *c) SS_WUR;

/* Most sessions in one ListSessions answer. */
#define LIFECYCLE_LIST_PAGE 256

#endif
