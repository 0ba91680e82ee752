/*
 * conn_internal.h: what connection.c (a connection from accept to close)
 * and conn_watch.c (the held GetStatus) share: the connection itself, and
 * the few steps each takes of the other's.
 */
#ifndef SS_CONN_INTERNAL_H
#define SS_CONN_INTERNAL_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "connection.h"
#include "err.h"
#include "frame_in.h"
#include "handshakes.h"
#include "name.h"
#include "rpc.h"

struct conn {
	struct conns *cs;
	struct bufferevent *bev;
	char peer[NAME_BUF];
	char addr[NI_MAXHOST + NI_MAXSERV + 4];    /* [HOST]:PORT, numeric */
	uint64_t req_start_us;  /* CLOCK_MONOTONIC: the request in hand arrived */
	int ready;      /* handshake done and identity known */
	int closing;    /* flush the output, then free */
	int paused;     /* reading stopped until the output drains */
	int held;       /* responses wait in `pending` for a journal fsync */
	int charged;    /* CONN_MEMORY is charged to the budget */
	int counted;    /* in its identity's quota_use.conns */
	struct handshake hs;    /* in cs->handshakes while !ready */
	uint64_t held_seq;      /* ...of the records up to this one */
	struct evbuffer *pending;
	struct frame_in frame;  /* a large frame being read into its own buffer */
	LIST_ENTRY(conn) link;  /* in cs->all */
	/* A held GetStatus (the watch), first in the input buffer: */
	int watching;           /* held; reading stopped */
	int watch_expired;      /* its time is up: answer, hold no more */
	uint64_t watch_until;   /* CLOCK_MONOTONIC ms; 0: not held yet */
	struct event *watch_ev; /* its bound */
	void **whead;           /* the list it is in (NULL: none) ... */
	struct conn *wprev, *wnext;
	uint64_t wake_seq;      /* woken by the journal record of this seq */
	char watch_name[NAME_BUF]; /* in `creating`: the NAME it waits for */
};

/* The connection a handshake list entry belongs to. */
static inline struct conn *
conn_of(struct handshake *h)
{
	return (struct conn *)(void *)((char *)h - offsetof(struct conn, hs));
}

/* ---- connection.c ---------------------------------------------------- */

/* Closes c at once and frees it, with everything it is charged or counted. */
void conn_free(struct conn *c);

/* Handles every whole frame in the input, unless c pauses or closes. */
void conn_process(struct conn *c);

/*
 * Handles the next frame of the input, or starts reading it into a buffer
 * of its own. SS_OK: c reads on; SS_ERR_TRUNCATED: the frame is not whole
 * yet; SS_ERR_TOO_LARGE, SS_ERR_PROTOCOL: c is closing or freed;
 * SS_ERR_ALLOC: out of memory (e says where), the caller frees c.
 */
int conn_next_frame(struct conn *c, struct ss_error *e) SS_WUR;

/* ---- conn_watch.c ---------------------------------------------------- */

/*
 * Holds c's request as w says: in its session's list (or the creation
 * waiters'), with a timer at the end of its wait, which a request handed
 * in again keeps (bounded by the idle timeout too), and reading stopped.
 * SS_ERR_TIMEOUT when no time is left: answer it now.
 */
int conn_watch_hold(struct conn *c, const struct rpc_watch *w) SS_WUR;

/* Takes c out of whichever list of held requests it is in, if any. */
void conn_watch_unlink(struct conn *c);

/* Ends c's wait: its held request is answered as it stands. */
void conn_watch_expire(struct conn *c);

#endif
