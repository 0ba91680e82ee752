/*
 * journal_sync.h: the journal's fsync thread, which keeps fdatasync(2) out
 * of the event loop.
 *
 * The loop goes on writing records to the journal; journal_syncer_request
 * asks the thread to make everything written so far durable and returns at
 * once. Records written while an fdatasync runs are covered by the next one
 * (group commit). After each fdatasync the thread's eventfd becomes
 * readable, and journal_syncer_poll gives its news. The thread touches
 * nothing but its own struct, and that only under its mutex.
 */
#ifndef SS_JOURNAL_SYNC_H
#define SS_JOURNAL_SYNC_H

#include <stdint.h>

#include "err.h"
#include "journal_mark.h"
#include "metrics.h"

struct journal_syncer;

/*
 * Starts the thread, syncing fd; the records up to seq count as durable.
 * After each fdatasync it writes the mark (journal_mark.h) to mark_fd,
 * starting from *mark (whose first names fd's segment), before it reports
 * the records durable; then it drops the synced bytes' pages from the page
 * cache (only a start reads the journal). The thread blocks every signal
 * (they are the loop's).
 */
int journal_syncer_start(struct journal_syncer **out, int fd, uint64_t seq,
    int mark_fd, const struct journal_mark *mark, struct ss_error *e) SS_WUR;
/*
 * Stops the thread after the fdatasync it may be running and frees y.
 * SS_ERR_INTERNAL if it cannot be joined: then it might still use its fd,
 * which the caller must keep open (y is not freed).
 */
int journal_syncer_stop(struct journal_syncer *y) SS_WUR;

/*
 * The times the thread's syncs took, so far: the records' fdatasync and
 * then the synced mark's, the wait an answer under --fsync always has.
 */
void journal_syncer_latency(struct journal_syncer *y, struct metrics_histogram *out);

/* The eventfd that becomes readable after each fdatasync. */
int journal_syncer_notify_fd(const struct journal_syncer *y);

/*
 * Asks for the records up to seq, which end at offset off. The thread is woken even when it was
 * asked for them before: after a failed fdatasync (taken by poll since) it
 * waits for a new request before it tries again.
 */
void journal_syncer_request(struct journal_syncer *y, uint64_t seq,
    uint64_t off);
/*
 * Asks for the records up to seq and waits until they are durable and the
 * thread is idle (their pages dropped), or an fdatasync failed.
 */
void journal_syncer_wait(struct journal_syncer *y, uint64_t seq, uint64_t off);
/*
 * The thread's news, without blocking: *done is the last record known
 * durable, and *sync_errno the errno of a failed fdatasync (reported once)
 * or 0. SS_ERR_IO (errno set) if the eventfd cannot be read.
 */
int journal_syncer_poll(struct journal_syncer *y, uint64_t *done,
    int *sync_errno) SS_WUR;
/*
 * Syncs fd, segment first, from now on, once no fdatasync is running on the
 * old one (which the caller may then close); the records up to seq count
 * as durable (the caller made them so), and off is where fd's end.
 */
void journal_syncer_switch(struct journal_syncer *y, int fd, uint64_t seq,
    uint64_t first, uint64_t off);

#endif
