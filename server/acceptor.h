/*
 * acceptor.h: the listening socket's accepting, with a back-off. When
 * accept fails for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM, or any error libevent does not retry) the socket stays
 * readable, and accepting at once again would spin the loop at full CPU
 * and log each failure. Instead accepting pauses for 10 ms, doubling up to
 * 1 s while it keeps failing (back to 10 ms once a socket was taken in
 * between); the pending connections wait in the kernel's backlog meanwhile. The episode ends once accept has not failed for a
 * second after a pause, so that a server hovering at its limit (a burst
 * accepted, then EMFILE again) stays in one episode: one log line when it
 * starts, one when it ends, with how many accepts were deferred.
 *
 * At most ACCEPTOR_BATCH sockets are taken in one pass of the event loop
 * (the count runs on across passes: after every ACCEPTOR_BATCH accepts the
 * listener sits out one pass, so fewer may be taken in a pass, never more):
 * a connection closed to make room for a newcomer gives its descriptor
 * back only when the loop next runs (libevent finalizes a bufferevent
 * later), so a backlog of thousands taken at once would hold thousands of
 * descriptors beyond --max-connections for that moment.
 */
#ifndef SS_ACCEPTOR_H
#define SS_ACCEPTOR_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "err.h"

#define ACCEPTOR_PAUSE_FIRST_MS 10
#define ACCEPTOR_PAUSE_MAX_MS   1000
#define ACCEPTOR_SETTLE_MS      1000
#define ACCEPTOR_BATCH          8

struct acceptor {
	struct evconnlistener *listener;
	struct event *resume_ev;        /* a pause's end */
	struct event *settle_ev;        /* an episode's end, if nothing fails */
	struct event *batch_ev;         /* the next pass, after a full batch */
	evconnlistener_cb cb;           /* takes each accepted socket */
	void *cb_arg;
	unsigned pause_ms;              /* the episode's pause; 0: none */
	uint64_t accepted;              /* sockets taken since the last failure */
	uint64_t deferred;              /* accepts that failed this episode */
	uint64_t since_ms;              /* when the episode began (monotonic) */
	unsigned batch;                 /* taken since batch_ev last ran */
	int paused;                     /* on_error to on_resume */
	int closed;                     /* acceptor_close: never resume */
};

/*
 * Accepts on fd (listening, non-blocking; closed by acceptor_free), handing
 * each socket to cb with arg. SS_ERR_INTERNAL (fd closed then).
 */
int acceptor_open(struct acceptor *a, struct event_base *base,
    evutil_socket_t fd, evconnlistener_cb cb, void *arg,
    struct ss_error *e) SS_WUR;

/* Accepts no more, for good: the server is stopping. */
void acceptor_close(struct acceptor *a);

void acceptor_free(struct acceptor *a);

#endif
