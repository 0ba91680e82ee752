/*
 * journal.h: the server's append-only journal, so that nothing it has
 * acknowledged is lost between snapshots (as Redis pairs its RDB snapshot
 * with an append-only file).
 *
 * Every change to the store (session created, shares accepted, sharing
 * closed at a deadline, sumpoint accepted, key published) is appended as one
 * record before it is applied and before any response reporting it is sent:
 * the journal is the store's log (struct store_log, journal_store_log).
 * Records carry a sequence number, a length and a checksum. The snapshot
 * remembers the last sequence number it includes, so start-up loads the
 * snapshot and replays only the records after it.
 *
 * The journal is a series of segment files (journal_file.h); records are
 * appended to the newest only. A snapshot starts a new segment at the
 * record after the last it includes, so that it can be written by a child
 * process while the server appends to the new segment; once it is on disk,
 * the older segments are removed.
 *
 * With fsync "always" the server holds every response produced while the
 * journal has unsynced records until an fsync covers them (group commit);
 * "everysec" syncs once a second; "no" leaves it to the kernel. The fsyncs
 * run in a thread of the journal's own (journal_sync.h), so the event loop
 * never waits on the disk for them. After each, the thread writes the
 * synced mark (journal_mark.h) before the records count as durable, so
 * that a start can tell damage to records that may have been acknowledged
 * (refused) from a tail that never was (cut off).
 */
#ifndef SS_JOURNAL_H
#define SS_JOURNAL_H

#include <stdint.h>

#include "err.h"
#include "metrics.h"
#include "store.h"

enum journal_fsync { FSYNC_ALWAYS, FSYNC_EVERYSEC, FSYNC_NO };

struct journal;

/*
 * Reads every segment in dir in order (and a journal.bin of an older server
 * first), replays every record after the store's snapshot sequence into s
 * (journal_replay.h), and opens the journal for appending to the newest
 * segment, or to a new one when the newest does not continue the records
 * or is of an older format version. On failure e names the file and
 * offset, and nothing is cut. policy is the --fsync the server runs with:
 * the synced mark (journal_mark.h) records it for the next start.
 */
int journal_open(struct journal **out, const char *dir, struct store *s,
    enum journal_fsync policy, void (*logf)(const char *fmt, ...),
    struct ss_error *e) SS_WUR;
/* Stops the sync thread (after the fdatasync it may be running), closes, frees. */
void journal_close(struct journal *j);

/* The journal as the store's log: the store appends through it. */
struct store_log journal_store_log(struct journal *j);

/* Why the last append, sync, rotation or removal failed. */
const struct ss_error *journal_error(const struct journal *j);
/* The last record written, and the last known to be on disk. */
uint64_t journal_written_seq(const struct journal *j);
uint64_t journal_synced_seq(const struct journal *j);
/* The newest segment's path. */
const char *journal_path(const struct journal *j);

/*
 * Makes every written record durable, and waits for it: through the sync
 * thread when it runs (after any fdatasync it has in flight), else here.
 */
int journal_sync(struct journal *j) SS_WUR;

/*
 * Starts the sync thread. From then on journal_sync_request asks it to make
 * everything written so far durable and returns at once; after each
 * fdatasync, journal_notify_fd becomes readable, and journal_sync_poll then
 * advances the synced sequence.
 */
int journal_sync_thread_start(struct journal *j, struct ss_error *e) SS_WUR;
void journal_sync_request(struct journal *j);
/* The sync thread's fdatasync times (none without the thread: --fsync no). */
void journal_fsync_latency(struct journal *j, struct metrics_histogram *out);
/* The sync thread's eventfd for the event loop; -1 without the thread. */
int journal_notify_fd(const struct journal *j);
/*
 * Takes the sync thread's news: advances the synced sequence, or returns
 * SS_ERR_IO (journal_error says why) once for each failed fdatasync. Never
 * blocks.
 */
int journal_sync_poll(struct journal *j) SS_WUR;

/*
 * Whether the journal holds any record or an older segment (a snapshot
 * would then let them go).
 */
int journal_has_records(const struct journal *j);
/* Bytes in the newest segment: what was journalled since the last snapshot began. */
uint64_t journal_segment_bytes(const struct journal *j);
/*
 * Makes a new segment (file and directory fsynced) whose first record will
 * be the next one written, and switches appends and the sync thread to it,
 * once any fdatasync in flight has ended. The caller has made every record
 * written so far durable (journal_sync, or a snapshot that includes them):
 * they all count as synced after. Nothing to do when the newest segment is
 * already that one (it holds no record).
 */
int journal_start_segment(struct journal *j) SS_WUR;
/*
 * Removes every segment older than the newest whose records are all at or
 * before seq (a snapshot on disk includes them), then fsyncs the directory.
 */
int journal_remove_segments(struct journal *j, uint64_t seq) SS_WUR;

#endif
