/*
 * connection.h: the server's client connections, as Redis's networking.c.
 * It accepts them, runs their TLS 1.3 handshake and takes the identity
 * their certificate names, reads length-prefixed frames (bounded by
 * max_frame before any byte of a body is buffered) and hands each to the
 * RPC layer, queues the answers -- held back while the journal records they
 * report wait for an fsync -- stops reading a client that does not read its
 * answers, applies the handshake and idle timeouts, and closes. A GetStatus
 * that watches its session (docs/PROTOCOL.md 7.6) is held, the connection
 * read no further, until the session changes or its wait ends.
 */
#ifndef SS_CONNECTION_H
#define SS_CONNECTION_H

#include <sys/queue.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "budget.h"
#include "handshakes.h"
#include "server_config.h"
#include "journal.h"
#include "metrics.h"
#include "rpc.h"

/*
 * What each connection is charged against the memory budget from accept to
 * close: its input buffer (a frame under 64 KiB is read there whole), its
 * two 16 KiB TLS buffers and its structures, rounded up. A large frame's
 * own buffer is charged on top as it grows, and its answers as they wait
 * to be sent (answer_sink.h).
 */
#define CONN_MEMORY (128u * 1024)

struct conn;

/* Every open connection, and what they need of the server. */
struct conns {
	/* Set by the server before it accepts the first connection. */
	const struct server_config *cfg;
	struct event_base *base;
	SSL_CTX *ssl;
	struct rpc_server *rpc;
	/* Counts each request, accept and refusal (never NULL once serving). */
	struct metrics *metrics;
	/* With fsync "always", answers wait for its fsync (NULL: none open). */
	const struct journal *journal;
	/* Made active when an answer waits for the fsync: the group commit. */
	struct event *flush_ev;
	/* The server's memory budget (--max-memory). */
	struct budget *budget;

	unsigned n;
	LIST_HEAD(conn_list, conn) all;  /* zeroed: empty */

	/*
	 * Connections still in their TLS handshake: at most half the slots,
	 * their deadline counted from accept.
	 */
	struct handshakes handshakes;
	/* Since the last tick, for one log line each (conns_tick). */
	unsigned long evicted, expired, refused_memory, refused_full;
	unsigned long evicted_busiest;  /* authenticated, of the busiest identity */
	unsigned long refused_answers;  /* reads the budget had no room for */

	/*
	 * Held GetStatus requests (the watch). Each waits in its session's
	 * list (struct session's waiters) or, for a session not created yet,
	 * in `creating`; a change moves that session's waiters to `woken`,
	 * which wake_ev hands in again once the change's request is done.
	 */
	void *creating;
	void *woken;
	struct event *wake_ev;
	unsigned watching;      /* how many are held */
	int stopping;           /* conns_stop_reading: answer, read no more */
};

/*
 * The listener's callback (arg: the struct conns): takes the new socket
 * and starts its TLS handshake, or closes it at max_connections.
 */
void conns_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);

/*
 * Sets up the watch: the event that hands woken requests in again, and the
 * store's changed hook (cs->base and cs->rpc set). SS_ERR_INTERNAL.
 */
int conns_watch_start(struct conns *cs) SS_WUR;

/*
 * Once a second: closes the connections whose handshake has run past
 * --handshake-timeout since accept (however slowly they keep sending), and
 * logs in one line each what was refused or closed since the last tick.
 */
void conns_tick(struct conns *cs);

/* Sends the held answers whose journal records are now on disk. */
void conns_release_held(struct conns *cs);

/*
 * Stops reading from every connection: the server is stopping. Held
 * GetStatus requests are answered now, before the final snapshot.
 */
void conns_stop_reading(struct conns *cs);

/* Whether any connection still has answers to send. */
int conns_sending(const struct conns *cs);

/* Closes and frees every connection at once. */
void conns_free(struct conns *cs);

#endif
