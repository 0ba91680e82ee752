/*
 * journal.h: the server's append-only journal, so that nothing it has
 * acknowledged is lost between snapshots (as Redis pairs its RDB snapshot
 * with an append-only file).
 *
 * Every change to the store (session created, shares accepted, sharing
 * closed at a deadline, sumpoint accepted, key published) is appended as one
 * record before it is applied and before any response reporting it is sent.
 * Records carry a sequence number, a length and a checksum. The snapshot
 * remembers the last sequence number it includes, so start-up loads the
 * snapshot and replays only the records after it.
 *
 * The journal is a series of segment files, STATE_DIR/journal.<N>.bin with N
 * the sequence number of the segment's first record (20 digits, so that
 * names sort as numbers); records are appended to the newest only. A
 * snapshot starts a new segment at the record after the last it includes,
 * so that it can be written by a child process while the server appends to
 * the new segment; once it is on disk, the older segments are removed. A
 * journal.bin left by a server before segments is read as the oldest one.
 *
 * With fsync "always" the server holds every response produced while the
 * journal has unsynced records until an fsync covers them (group commit);
 * "everysec" syncs once a second; "no" leaves it to the kernel. The fsyncs
 * run in a thread of the journal's own, so the event loop never waits on
 * the disk for them.
 */
#ifndef SS_JOURNAL_H
#define SS_JOURNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The single journal file of servers before segments, read as the oldest. */
#define JOURNAL_FILE "journal.bin"
/*
 * The record format this server writes and reads. 1: truncated SHA-256
 * checksums; 2: XXH3-64 and big-endian sumpoint values (never released);
 * 3: XXH3-64 and little-endian sumpoint values.
 */
#define JOURNAL_VERSION 3
/* A segment's name, from the sequence number of its first record. */
#define JOURNAL_SEGMENT_FMT "journal.%020llu.bin"

enum journal_fsync { FSYNC_ALWAYS, FSYNC_EVERYSEC, FSYNC_NO };

/*
 * Two threads may use a journal: the event loop, which opened it and does
 * everything else, and the sync thread (journal_sync_thread_start), which
 * only runs fdatasync(2) on fd. Each field says who owns it.
 */
struct journal {
	/*
	 * The loop's. fd, the newest segment's, changes only under mu while
	 * the thread is not in fdatasync (journal_start_segment).
	 */
	int fd;
	char path[4096];        /* the newest segment */
	char dir[4096];
	uint64_t first_seq;     /* the newest segment's name: its first record */
	unsigned nold;          /* older segments still in dir */
	off_t end;              /* offset just past the last good record */
	uint64_t written_seq;   /* last record written */
	uint64_t synced_seq;    /* last record known to be on disk (the loop's view) */
	int broken;             /* a failed write could not be undone */
	char last_error[4400];   /* why the last append or sync failed */

	/* The sync thread's hand-over, set up by journal_sync_thread_start. */
	int thread_running;     /* the loop's */
	int notify_fd;          /* eventfd: readable after each fdatasync */
	pthread_t thread;
	pthread_mutex_t mu;     /* guards every field below */
	pthread_cond_t work;    /* to the thread: want or stop changed */
	pthread_cond_t idle;    /* from the thread: an fdatasync ended */
	uint64_t want;          /* loop: make the records up to here durable */
	uint64_t done;          /* thread (and rotate): the records up to here are */
	int busy;               /* thread: inside fdatasync */
	int sync_errno;         /* thread: a failed fdatasync, until the loop takes it */
	int stop;               /* loop: the thread should end */
};

/*
 * Reads every segment in DIR in order (and a journal.bin of an older server
 * first), replays every record after the store's snapshot sequence into s,
 * cuts a torn last record of the newest segment off (with a log line through
 * logf), and leaves the journal ready to append to the newest segment (or to
 * a new one). Sequence numbers must run on from one segment to the next.
 * Any other damage is an error naming the file and offset; nothing is cut.
 */
int journal_open(struct journal *j, const char *dir, struct store *s,
    void (*logf)(const char *fmt, ...), char *err, size_t errlen);
/* Stops the sync thread (after the fdatasync it may be running), then closes. */
void journal_close(struct journal *j);

/*
 * Makes every written record durable, and waits for it: through the sync
 * thread when it runs (after any fdatasync it has in flight), else here.
 */
int journal_sync(struct journal *j);

/*
 * The sync thread keeps fdatasync(2) out of the event loop. The loop goes on
 * writing records; journal_sync_request asks the thread to make everything
 * written so far durable and returns at once. Records written while an
 * fdatasync runs are covered by the next one (group commit). After each
 * fdatasync, j->notify_fd becomes readable; journal_sync_poll then advances
 * synced_seq.
 */
int journal_sync_thread_start(struct journal *j, char *err, size_t errlen);
void journal_sync_request(struct journal *j);
/*
 * Takes the sync thread's news: advances synced_seq, or returns SS_ERR_IO
 * (last_error says why) once for each failed fdatasync. Never blocks.
 */
int journal_sync_poll(struct journal *j);

/*
 * Whether the journal holds any record or an older segment (a snapshot
 * would then let them go).
 */
int journal_has_records(const struct journal *j);
/*
 * Makes a new segment (file and directory fsynced) whose first record will
 * be written_seq + 1 and switches appends and the sync thread to it, once
 * any fdatasync in flight has ended. The caller has made every record
 * written so far durable (journal_sync, or a snapshot that includes them):
 * they all count as synced after. Nothing to do when the newest segment is
 * already that one (it holds no record).
 */
int journal_start_segment(struct journal *j);
/*
 * Removes every segment older than the newest whose records are all at or
 * before seq (a snapshot on disk includes them), then fsyncs the directory.
 */
int journal_remove_segments(struct journal *j, uint64_t seq);

/* Record writers, called by the store at each commit point. */
int journal_log_create(struct journal *j, const struct session *se);
int journal_log_submit(struct journal *j, const struct session *se,
    uint32_t sender, const uint8_t *block);
int journal_log_close(struct journal *j, const struct session *se);
int journal_log_sumpoint(struct journal *j, const struct session *se,
    uint32_t party, const uint64_t *values);
int journal_log_key(struct journal *j, const char *name, const uint8_t *der,
    size_t der_len);

#endif
