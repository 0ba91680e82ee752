/*
 * server_info.h: GetServerInfo on the wire: the server's version, uptime,
 * limits and journal health for any caller with a valid certificate, with
 * the server's sessions by phase, connections, bytes held, requests and
 * snapshots for a --monitor identity (the figures --metrics-listen exposes,
 * metrics.h: counts only), and the caller's own sessions, connections and
 * bytes for any other (docs/PROTOCOL.md 7.13).
 */
#ifndef SS_SERVER_INFO_H
#define SS_SERVER_INFO_H

#include "rpc_call.h"

/* The method's handler (rpc.c's table): SS_OK, or c->err's code. */
int server_info_get(struct call *c) SS_WUR;

#endif
