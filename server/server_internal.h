/*
 * server_internal.h: what server.c (the loop: start-up, ticks, signals,
 * shutdown) and persistence.c (its journal syncs and snapshots) share:
 * the server itself, and persistence's steps the loop calls.
 */
#ifndef SS_SERVER_INTERNAL_H
#define SS_SERVER_INTERNAL_H

#include <stdint.h>

#include <event2/event.h>

#include "acceptor.h"
#include "bgsave.h"
#include "budget.h"
#include "connection.h"
#include "credentials.h"
#include "journal.h"
#include "metrics.h"
#include "metrics_http.h"
#include "rpc.h"
#include "server.h"

struct server {
	const struct server_config *cfg;
	struct event_base *base;
	struct acceptor acceptor;
	struct credentials cred;        /* rpc.ca and conns.ssl are its */
	struct rpc_server rpc;
	struct conns conns;
	struct bgsave bgsave;
	struct budget budget;           /* --max-memory */
	struct event *tick_ev, *snap_ev, *sigterm_ev, *sigint_ev, *sighup_ev;
	struct event *flush_ev, *sync_ev, *synced_ev, *drain_ev, *child_ev;
	struct journal *journal;
	int journal_open;
	struct metrics metrics;
	struct metrics_http *http;      /* --metrics-listen; NULL without it */
	uint64_t snapshot_started_ms;   /* the running snapshot's start (wall) */
	uint64_t outgrown_tried_ms;     /* the last early one (snapshot_if_outgrown) */
	uint64_t outgrown_ok;           /* snapshots_ok when it started */
	int lock_fd;                    /* statelock's; -1 before it is taken */
	int stopping;
	uint64_t stop_deadline_ms;
	uint64_t saved_version;
	uint64_t expired_logged;        /* the store's expired count, logged */
	int exit_status;
};

/*
 * The journal's group commit (the flush event, and with "everysec" the
 * timer's once a second): one fdatasync asked of the sync thread for every
 * record written so far; then the journal may have outgrown the state.
 */
void persist_on_flush(evutil_socket_t fd, short what, void *arg);
/* The sync thread finished an fdatasync (or, from the tick, may have). */
void persist_on_synced(evutil_socket_t fd, short what, void *arg);
/* A failed fdatasync: logged, and with "always" the server stops. */
void persist_sync_failed(struct server *srv);
/* The --snapshot-interval timer: a snapshot in a child, if anything changed. */
void persist_on_snapshot(evutil_socket_t fd, short what, void *arg);
/* SIGCHLD: takes the snapshot child's end; persist_reap does it each tick. */
void persist_on_child(evutil_socket_t fd, short what, void *arg);
void persist_reap(struct server *srv);
/* A snapshot now if the journal has outgrown what the server holds. */
void persist_if_outgrown(struct server *srv);
/* The final snapshot at a stop, in the loop: SS_OK, or why not. */
int persist_save(struct server *srv) SS_WUR;

#endif
