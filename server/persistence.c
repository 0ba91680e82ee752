/*
 * persistence.c: the loop's side of durability (server_internal.h): the
 * journal's group commit and what a failed fdatasync means, and the
 * snapshots: periodic in a child process (bgsave.c), early once the
 * journal outgrows the state, and the final one at a stop.
 */
#include <stdint.h>

#include <event2/event.h>

#include "bgsave.h"
#include "clock.h"
#include "connection.h"
#include "err.h"
#include "journal.h"
#include "log.h"
#include "server_internal.h"
#include "snapshot.h"

/* ---- the journal's syncs ---------------------------------------------- */

/*
 * The group commit, once every ready connection has been served, and with
 * "everysec" the timer's once a second: asks the sync thread for one
 * fdatasync covering every record written so far. The loop goes on
 * meanwhile; persist_on_synced sends what waited for it. Records were just
 * written: the journal may have outgrown the state.
 */
void
persist_on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd; (void)what;
	journal_sync_request(srv->journal);
	persist_if_outgrown(srv);
}

/* A failed fdatasync, whether the sync thread's or journal_sync's (see persist_on_synced). */
void
persist_sync_failed(struct server *srv)
{
	if (srv->cfg->fsync != FSYNC_ALWAYS) {
		logmsg("%s", ss_error_msg(journal_error(srv->journal)));
		return;
	}
	logmsg("%s; stopping without acknowledging unsynced changes",
	    ss_error_msg(journal_error(srv->journal)));
	srv->exit_status = 1;
	srv->stopping = 2;
	event_base_loopbreak(srv->base);
}

/*
 * The sync thread finished an fdatasync (or, from on_tick, may have).
 * A failed one leaves the kernel's copy of the journal in doubt: with
 * "always" the server stops without acknowledging anything more, and a
 * restart recovers what is on disk (as PostgreSQL does); with "everysec" it
 * is logged and the next second tries again.
 */
void
persist_on_synced(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd; (void)what;
	if (journal_sync_poll(srv->journal) != SS_OK) {
		persist_sync_failed(srv);
		return;
	}
	conns_release_held(&srv->conns);
}

/* ---- snapshots -------------------------------------------------------- */

/*
 * The periodic snapshot is written by a child process (bgsave.c). Journal
 * records from then on go to a new segment, so once the child's snapshot
 * is on disk the older segments can go. Only the final snapshot at SIGTERM
 * (and one whose fork fails) is written in the loop.
 */

/* Whether anything changed since the last snapshot. */
static int
snapshot_wanted(struct server *srv)
{
	/* Changes replayed from the journal at start count as unsaved too. */
	return srv->rpc.store->version != srv->saved_version ||
	    journal_has_records(srv->journal);
}

/* A snapshot of the store at version, with the records up to seq, is on disk. */
static void
snapshot_done(struct server *srv, uint64_t seq, uint64_t version)
{
	uint64_t now = clock_wall_ms();

	srv->metrics.snapshots_ok++;
	srv->metrics.snapshot_unix_ms = now;
	srv->metrics.snapshot_seconds = now > srv->snapshot_started_ms ?
	    (double)(now - srv->snapshot_started_ms) / 1000 : 0;
	log_at(LOG_DEBUG, "snapshot seconds=%.3f sessions=%zu",
	    srv->metrics.snapshot_seconds, srv->rpc.store->nsessions);
	srv->saved_version = version;
	if (journal_remove_segments(srv->journal, seq) != SS_OK)
		logmsg("%s (an old segment is only read again at start; the next "
		    "snapshot tries again)", ss_error_msg(journal_error(srv->journal)));
}

/*
 * Writes the snapshot in the loop, then moves appends to a new segment
 * (every record is in the snapshot, so none waits for an fsync any more)
 * and removes the older ones.
 */
static int
snapshot_inline(struct server *srv)
{
	struct store *s = srv->rpc.store;
	uint64_t seq = s->journal_seq, version = s->version;
	struct ss_error e;
	int rc;

	ss_error_clear(&e);
	srv->snapshot_started_ms = clock_wall_ms();
	if ((rc = snapshot_write(s, srv->cfg->state_dir, &e)) != SS_OK) {
		srv->metrics.snapshots_failed++;
		logmsg("snapshot failed (the journal keeps every change): %s",
		    ss_error_msg(&e));
		return rc;
	}
	/* Without a new segment the records stay in the newest: still correct. */
	if (journal_start_segment(srv->journal) != SS_OK)
		logmsg("%s", ss_error_msg(journal_error(srv->journal)));
	conns_release_held(&srv->conns);
	snapshot_done(srv, seq, version);
	return SS_OK;
}

/*
 * Starts a snapshot in a child, unless one runs. Every record is made
 * durable first and appends move to a new segment, so that the older
 * segments hold exactly what the child's snapshot will include.
 */
static void
snapshot_start(struct server *srv)
{
	struct journal *j = srv->journal;
	struct ss_error e;

	/* While stopping, the final snapshot is save()'s, in the loop. */
	if (srv->stopping || bgsave_running(&srv->bgsave) || !snapshot_wanted(srv))
		return;
	/*
	 * A segment is complete on disk before the next one receives a record,
	 * else a crash of the system could leave a gap that stops the start.
	 * With the sync thread this rarely waits (persist_on_flush asked for it
	 * already); with "no" the kernel decides, as it does for every record.
	 */
	if (srv->cfg->fsync != FSYNC_NO && journal_sync(j) != SS_OK) {
		persist_sync_failed(srv);
		return;
	}
	conns_release_held(&srv->conns);
	if (journal_start_segment(j) != SS_OK) {
		logmsg("snapshot not started (the journal keeps every change): %s",
		    ss_error_msg(journal_error(j)));
		return;
	}
	srv->snapshot_started_ms = clock_wall_ms();
	if (bgsave_start(&srv->bgsave, srv->rpc.store, srv->cfg->state_dir,
	    &e) != SS_OK) {
		logmsg("cannot start the snapshot's process (%s); writing the "
		    "snapshot in the event loop this time", ss_error_msg(&e));
		(void)snapshot_inline(srv);
	}
}

/* Takes the snapshot child's end if it has ended (SIGCHLD, or each tick). */
void
persist_reap(struct server *srv)
{
	struct bgsave_result r;

	if (!bgsave_reap(&srv->bgsave, &r))
		return;
	if (r.err.code == SS_OK) {
		snapshot_done(srv, r.seq, r.version);
		return;
	}
	srv->metrics.snapshots_failed++;
	logmsg("snapshot failed (the journal keeps every change; trying "
	    "again in %u s): %s", srv->cfg->snapshot_interval,
	    ss_error_msg(&r.err));
}

void
persist_on_child(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	persist_reap(arg);
}

void
persist_on_snapshot(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	snapshot_start(arg);
}

/* The final snapshot, at a stop: in the loop, as nothing is left to serve. */
int
persist_save(struct server *srv)
{
	bgsave_kill(&srv->bgsave);
	if (!srv->journal_open || !snapshot_wanted(srv))
		return SS_OK;
	return snapshot_inline(srv);
}

/*
 * Whether the journal has outgrown what a snapshot would hold: past
 * SNAPSHOT_JOURNAL_MIN and past the bytes held, as when a party creates,
 * fills and deletes sessions, the journal growing while the state does
 * not. A snapshot then lets the segments go before --snapshot-interval
 * (as Redis rewrites its append-only file when it doubles).
 */
#define SNAPSHOT_JOURNAL_MIN (UINT64_C(64) << 20)
static int
journal_outgrown(const struct server *srv)
{
	uint64_t bytes = journal_segment_bytes(srv->journal);

	return bytes > SNAPSHOT_JOURNAL_MIN &&
	    bytes > srv->rpc.store->stored_bytes;
}

/*
 * Starts a snapshot now if the journal has outgrown the state
 * (journal_outgrown): at once if the last one it started has succeeded,
 * else at most once a second, so that a snapshot that keeps failing (a
 * full disk) costs no fork per request.
 */
void
persist_if_outgrown(struct server *srv)
{
	uint64_t now;

	if (!srv->journal_open || bgsave_running(&srv->bgsave) ||
	    !journal_outgrown(srv))
		return;
	now = clock_wall_ms();
	if (srv->metrics.snapshots_ok == srv->outgrown_ok &&
	    now - srv->outgrown_tried_ms < 1000)
		return;
	srv->outgrown_tried_ms = now;
	srv->outgrown_ok = srv->metrics.snapshots_ok;
	log_at(LOG_INFO, "snapshot early: the journal holds %llu bytes since "
	    "the last one, more than the %llu held",
	    (unsigned long long)journal_segment_bytes(srv->journal),
	    (unsigned long long)srv->rpc.store->stored_bytes);
	snapshot_start(srv);
}
