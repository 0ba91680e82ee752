/*
 * server_config.h: the server's configuration, as main.c reads it from the
 * command line (server_default_config, server.h, gives the defaults), and
 * as the loop and the connections consult it. A header of its own so that
 * the connections depend on it and not on the loop that runs them.
 */
#ifndef SS_SERVER_CONFIG_H
#define SS_SERVER_CONFIG_H

#include <stdint.h>

#include "journal.h"
#include "store.h"

struct server_config {
	const char *listen;            /* HOST:PORT; port 0 picks a free one */
	const char *certs_dir;
	const char *state_dir;
	const char *metrics_listen;    /* HOST:PORT of GET /metrics; NULL: none */
	const char *monitors;          /* --monitor NAME,...: whole-server figures; NULL: none */
	unsigned snapshot_interval;    /* seconds */
	uint32_t max_frame;            /* bytes of one frame's body */
	unsigned max_connections;
	int max_connections_given;     /* 0: the default, lowered to fit the fd limit */
	unsigned handshake_timeout;    /* seconds */
	unsigned idle_timeout;         /* seconds */
	uint64_t max_output;           /* bytes queued to one client before reading pauses */
	uint64_t max_memory;           /* the memory budget (budget.h), bytes */
	uint64_t warm_memory;          /* bigmem's pool (bigmem.h), bytes */
	enum journal_fsync fsync;      /* when the journal is forced to disk */
	struct store_limits limits;
};

#endif
