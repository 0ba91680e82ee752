/*
 * server.h: the coordinator's process: its configuration and its event
 * loop. server_run loads the state (snapshot, then journal), listens, and
 * runs a libevent loop whose connections (connection.h) run TLS 1.3
 * handshakes with client certificates and hand each frame to the RPC layer
 * (rpc.h) with the caller's certified identity. Timers apply deadlines,
 * sync the journal and start snapshots in a child process (bgsave.h);
 * SIGTERM and SIGINT write a last snapshot and stop.
 */
#ifndef SS_SERVER_H
#define SS_SERVER_H

#include <stdint.h>

#include "journal.h"
#include "store.h"

struct server_config {
	const char *listen;            /* HOST:PORT; port 0 picks a free one */
	const char *certs_dir;
	const char *state_dir;
	unsigned snapshot_interval;    /* seconds */
	uint32_t max_frame;            /* bytes of one frame's body */
	unsigned max_connections;
	unsigned handshake_timeout;    /* seconds */
	unsigned idle_timeout;         /* seconds */
	uint64_t max_output;           /* bytes queued to one client before reading pauses */
	enum journal_fsync fsync;      /* when the journal is forced to disk */
	struct store_limits limits;
};

void server_default_config(struct server_config *cfg);

/*
 * Runs until SIGTERM/SIGINT, then stops accepting, sends what is in flight,
 * writes a final snapshot and returns (within about a second). Returns the
 * process exit status.
 */
int server_run(const struct server_config *cfg);

#endif
