/*
 * conn_watch.c: a watched GetStatus (rpc.h's RPC_WATCH), held. It stays in
 * its connection's input buffer while it is held, reading stopped; it
 * costs a list link and a timer. The store's changed hook moves the
 * waiters of the session that changed (only those; for a creation, those
 * waiting for a session of its NAME) to the woken list; wake_ev, made
 * active by the hook and by each journal sync, hands each request in again
 * once the change that woke it is on disk, and connection.c answers it
 * like any other.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "clock.h"
#include "conn_internal.h"
#include "journal.h"
#include "log.h"
#include "name.h"
#include "session.h"
#include "store.h"

/* ---- the lists of held requests ---------------------------------------- */

static void
watch_link(struct conn *c, void **head)
{
	c->whead = head;
	c->wprev = NULL;
	c->wnext = *head;
	if (c->wnext != NULL)
		c->wnext->wprev = c;
	*head = c;
}

void
conn_watch_unlink(struct conn *c)
{
	if (c->whead == NULL)
		return;
	if (c->wprev != NULL)
		c->wprev->wnext = c->wnext;
	else
		*c->whead = c->wnext;
	if (c->wnext != NULL)
		c->wnext->wprev = c->wprev;
	c->whead = NULL;
	c->wprev = c->wnext = NULL;
}

/*
 * The journal record a change just made: with fsync "always" its answer,
 * and any that reports it, waits for that record on disk (0: none waits).
 */
static uint64_t
unsynced_seq(const struct conns *cs)
{
	if (cs->cfg->fsync != FSYNC_ALWAYS || cs->journal == NULL)
		return 0;
	return journal_written_seq(cs->journal);
}

/*
 * Moves the requests of the list at head to the woken list: every one, or
 * with name, those waiting for a session of that NAME.
 */
static void
watch_wake_list(struct conns *cs, void **head, const char *name)
{
	uint64_t seq = unsynced_seq(cs);
	struct conn *c, *next;

	for (c = *head; c != NULL; c = next) {
		next = c->wnext;
		if (name != NULL && strcmp(c->watch_name, name) != 0)
			continue;
		conn_watch_unlink(c);
		c->wake_seq = seq;
		watch_link(c, &cs->woken);
	}
}

/* ---- holding a watched GetStatus -------------------------------------- */

static void conn_resume(struct conn *c);

void
conn_watch_expire(struct conn *c)
{
	conn_watch_unlink(c);
	c->watch_expired = 1;
	conn_resume(c);
}

/* The held request's time is up: answer it as it stands. */
static void
on_watch_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	conn_watch_expire(arg);
}

int
conn_watch_hold(struct conn *c, const struct rpc_watch *w)
{
	struct conns *cs = c->cs;
	uint64_t now = clock_mono_ms(), ms = w->ms, idle;
	struct timeval tv;

	idle = (uint64_t)cs->cfg->idle_timeout * 1000;
	if (ms > idle)
		ms = idle;
	if (c->watch_until == 0 || now + ms < c->watch_until)
		c->watch_until = now + ms;
	if (c->watch_until <= now)
		return SS_ERR_TIMEOUT;
	if (c->watch_ev == NULL &&
	    (c->watch_ev = evtimer_new(cs->base, on_watch_timeout, c)) == NULL)
		return SS_ERR_TIMEOUT;
	tv.tv_sec = (time_t)((c->watch_until - now) / 1000);
	tv.tv_usec = (suseconds_t)((c->watch_until - now) % 1000 * 1000);
	if (evtimer_add(c->watch_ev, &tv) != 0)
		return SS_ERR_TIMEOUT;
	snprintf(c->watch_name, sizeof(c->watch_name), "%s", w->name);
	watch_link(c, w->se != NULL ? &w->se->waiters : &cs->creating);
	c->watching = 1;
	cs->watching++;
	bufferevent_disable(c->bev, EV_READ);
	return SS_OK;
}

/* Hands the held request in again: it is answered, or held on. */
static void
conn_resume(struct conn *c)
{
	struct ss_error e;

	c->cs->watching--;
	c->watching = 0;
	if (c->watch_ev != NULL)
		evtimer_del(c->watch_ev);
	if (!c->cs->stopping) {
		if (!c->paused)
			bufferevent_enable(c->bev, EV_READ);
		conn_process(c);
		return;
	}
	/* Stopping: this request is answered, nothing after it is read. */
	ss_error_clear(&e);
	if (conn_next_frame(c, &e) == SS_ERR_ALLOC) {
		logmsg("%s: %s", c->peer, ss_error_msg(&e));
		conn_free(c);
	}
}

/* The store's changed hook (store_data.h): wakes se's waiters. */
static void
conns_changed(void *ctx, struct session *se, int created)
{
	struct conns *cs = ctx;

	if (se->waiters == NULL && (!created || cs->creating == NULL))
		return;
	watch_wake_list(cs, &se->waiters, NULL);
	/*
	 * A creation wakes those waiting for a session of its NAME (a bare
	 * NAME may name it, or may not: each looks again), not every one.
	 */
	if (created)
		watch_wake_list(cs, &cs->creating, session_id_name(se->p.id));
	event_active(cs->wake_ev, EV_TIMEOUT, 0);
}

/*
 * wake_ev: hands in again every woken request whose change is on disk.
 * Its answer could not go out before that anyway (release_or_hold); read
 * then, it also reports every change made while the journal synced, so a
 * party sees a burst of changes in one answer rather than one by one. The
 * others wait for the next sync (conns_release_held), one at most.
 */
static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct conns *cs = arg;
	uint64_t synced = cs->journal != NULL ?
	    journal_synced_seq(cs->journal) : 0;
	void *batch = NULL;
	struct conn *c;

	(void)fd; (void)what;
	while ((c = cs->woken) != NULL) {
		conn_watch_unlink(c);
		watch_link(c, &batch);
	}
	while ((c = batch) != NULL) {
		conn_watch_unlink(c);
		if (c->wake_seq > synced)
			watch_link(c, &cs->woken);
		else
			conn_resume(c);
	}
}

int
conns_watch_start(struct conns *cs)
{
	struct store *s = cs->rpc->store;

	if ((cs->wake_ev = event_new(cs->base, -1, 0, on_wake, cs)) == NULL ||
	    event_priority_set(cs->wake_ev, 0) != 0)
		return SS_ERR_INTERNAL;
	s->changed = conns_changed;
	s->changed_ctx = cs;
	return SS_OK;
}
