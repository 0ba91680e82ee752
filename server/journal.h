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
 * snapshot and replays only the records after it; a snapshot rotates
 * (empties) the journal.
 *
 * With fsync "always" the server holds every response produced while the
 * journal has unsynced records until one fsync covers them all (group
 * commit); "everysec" syncs once a second; "no" leaves it to the kernel.
 */
#ifndef SS_JOURNAL_H
#define SS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define JOURNAL_FILE "journal.bin"

enum journal_fsync { FSYNC_ALWAYS, FSYNC_EVERYSEC, FSYNC_NO };

struct journal {
	int fd;
	char path[4096];
	char dir[4096];
	off_t end;              /* offset just past the last good record */
	uint64_t written_seq;   /* last record written */
	uint64_t synced_seq;    /* last record known to be on disk */
	int broken;             /* a failed write could not be undone */
	char last_error[4400];   /* why the last append failed */
};

/*
 * Opens DIR/journal.bin (creating it), replays every record after the
 * store's snapshot sequence into s, cuts a torn last record off (with a log
 * line through logf), and leaves the journal ready to append. Damage before
 * the last record is an error naming the file and offset; nothing is cut.
 */
int journal_open(struct journal *j, const char *dir, struct store *s,
    void (*logf)(const char *fmt, ...), char *err, size_t errlen);
void journal_close(struct journal *j);

/* Makes every written record durable. */
int journal_sync(struct journal *j);
/* Whether the journal holds any record (a snapshot would then empty it). */
int journal_has_records(const struct journal *j);
/* Empties the journal after a snapshot that includes everything in it. */
int journal_rotate(struct journal *j);

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
