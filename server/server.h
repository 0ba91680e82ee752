/*
 * server.h: the coordinator's process: its configuration and its event
 * loop. server_run loads the state (snapshot, then journal), listens, and
 * runs a libevent loop whose connections (connection.h) run TLS 1.3
 * handshakes with client certificates and hand each frame to the RPC layer
 * (rpc.h) with the caller's certified identity. Timers apply deadlines,
 * sync the journal and start snapshots in a child process (bgsave.h);
 * SIGTERM and SIGINT write a last snapshot and stop; SIGHUP loads the
 * certs folder's server.crt, server.key and crl.pem again (credentials.h).
 */
#ifndef SS_SERVER_H
#define SS_SERVER_H

#include "server_config.h"

void server_default_config(struct server_config *cfg);

/*
 * Runs until SIGTERM/SIGINT, then stops accepting, sends what is in flight,
 * writes a final snapshot and returns (within about a second). Returns the
 * process exit status.
 */
int server_run(const struct server_config *given);

#endif
