/*
 * acceptor.c: accepting connections, paused with a growing interval while
 * accept fails; see acceptor.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "acceptor.h"
#include "clock.h"
#include "log.h"

/*
 * The listener's callback, whose argument is the acceptor: on to the
 * owner's. A full batch stops the listener's loop of accepts (it looks
 * whether it is still enabled after each) until batch_ev, made active now,
 * runs in the loop's next pass.
 */
static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct acceptor *a = arg;

	a->accepted++;
	if (++a->batch >= ACCEPTOR_BATCH) {
		(void)evconnlistener_disable(l);
		event_active(a->batch_ev, EV_TIMEOUT, 1);
	}
	a->cb(l, fd, sa, salen, a->cb_arg);
}

/* The pass after a full batch: accept again, unless paused or closed. */
static void
on_batch(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor *a = arg;

	(void)fd; (void)what;
	a->batch = 0;
	if (!a->paused && !a->closed)
		(void)evconnlistener_enable(a->listener);
}

/* A second without a failed accept since the last pause: the episode is over. */
static void
on_settle(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor *a = arg;

	(void)fd; (void)what;
	logmsg("accept has not failed for %u ms: accepting connections "
	    "normally again after %.1f s, in which %llu accepts were deferred",
	    ACCEPTOR_SETTLE_MS, (double)(clock_mono_ms() - a->since_ms) / 1000.0,
	    (unsigned long long)a->deferred);
	a->pause_ms = 0;
	a->deferred = 0;
}

/*
 * The pause is over: accept again. A failure pauses for twice as long; a
 * second without one ends the episode.
 */
static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor *a = arg;
	struct timeval tv = { ACCEPTOR_SETTLE_MS / 1000,
	    (ACCEPTOR_SETTLE_MS % 1000) * 1000 };

	(void)fd; (void)what;
	a->paused = 0;
	if (a->closed)
		return;
	(void)evconnlistener_enable(a->listener);
	if (event_add(a->settle_ev, &tv) != 0)
		on_settle(-1, 0, a);
}

/*
 * accept failed with an error libevent does not retry: errno is still
 * accept's. Accepting pauses, for twice as long as the last time if
 * nothing was accepted since, else for the shortest pause (at most 100
 * failed accepts a second); the first failure of an episode is logged.
 */
static void
on_error(struct evconnlistener *l, void *arg)
{
	struct acceptor *a = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	(void)evconnlistener_disable(l);
	(void)event_del(a->settle_ev);
	a->paused = 1;
	a->deferred++;
	if (a->pause_ms == 0) {
		a->since_ms = clock_mono_ms();
		a->pause_ms = ACCEPTOR_PAUSE_FIRST_MS;
		logmsg("accept: %s; pausing new connections (%u ms, doubling up "
		    "to %u ms) until it succeeds%s", strerror(err),
		    ACCEPTOR_PAUSE_FIRST_MS, ACCEPTOR_PAUSE_MAX_MS,
		    err == EMFILE || err == ENFILE ? " (open files: see "
		    "--max-connections and the open-file limit)" : "");
	} else if (a->accepted != 0) {
		/* Descriptors come free now and then: take them as they do. */
		a->pause_ms = ACCEPTOR_PAUSE_FIRST_MS;
	} else if (a->pause_ms < ACCEPTOR_PAUSE_MAX_MS) {
		a->pause_ms = a->pause_ms * 2 < ACCEPTOR_PAUSE_MAX_MS ?
		    a->pause_ms * 2 : ACCEPTOR_PAUSE_MAX_MS;
	}
	a->accepted = 0;
	tv.tv_sec = (time_t)(a->pause_ms / 1000);
	tv.tv_usec = (suseconds_t)(a->pause_ms % 1000) * 1000;
	/* Without the timer accepting would never resume: retry at once. */
	if (a->closed || event_add(a->resume_ev, &tv) != 0)
		on_resume(-1, 0, a);
}

int
acceptor_open(struct acceptor *a, struct event_base *base, evutil_socket_t fd,
    evconnlistener_cb cb, void *arg, struct ss_error *e)
{
	memset(a, 0, sizeof(*a));
	a->cb = cb;
	a->cb_arg = arg;
	if ((a->resume_ev = event_new(base, -1, 0, on_resume, a)) == NULL ||
	    (a->settle_ev = event_new(base, -1, 0, on_settle, a)) == NULL ||
	    (a->batch_ev = event_new(base, -1, 0, on_batch, a)) == NULL) {
		evutil_closesocket(fd);
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up the event loop");
	}
	a->listener = evconnlistener_new(base, on_accept, a,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (a->listener == NULL) {
		evutil_closesocket(fd);
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up the event loop");
	}
	evconnlistener_set_error_cb(a->listener, on_error);
	return SS_OK;
}

void
acceptor_close(struct acceptor *a)
{
	a->closed = 1;
	if (a->resume_ev != NULL)
		(void)event_del(a->resume_ev);
	if (a->settle_ev != NULL)
		(void)event_del(a->settle_ev);
	if (a->batch_ev != NULL)
		(void)event_del(a->batch_ev);
	if (a->listener != NULL)
		(void)evconnlistener_disable(a->listener);
}

void
acceptor_free(struct acceptor *a)
{
	if (a->listener != NULL)
		evconnlistener_free(a->listener);
	if (a->resume_ev != NULL)
		event_free(a->resume_ev);
	if (a->settle_ev != NULL)
		event_free(a->settle_ev);
	if (a->batch_ev != NULL)
		event_free(a->batch_ev);
	a->listener = NULL;
	a->resume_ev = NULL;
	a->settle_ev = NULL;
	a->batch_ev = NULL;
}
