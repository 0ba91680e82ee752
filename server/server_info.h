/*
 * server_info.h: GetServerInfo on the wire: the server's version, uptime,
 * sessions by phase, connections, bytes held and the health of its journal
 * and snapshots, for any caller with a valid certificate (docs/PROTOCOL.md
 * 7.13). The figures are the ones --metrics-listen exposes (metrics.h):
 * counts only, no session's or party's name.
 */
#ifndef SS_SERVER_INFO_H
#define SS_SERVER_INFO_H

#include "rpc_call.h"

/* The method's handler (rpc.c's table): SS_OK, or c->err's code. */
int server_info_get(struct call *c) SS_WUR;

#endif
