/*
 * journal_mark.h: the journal's synced high-water mark, so that a start can
 * tell damage to records that may have been acknowledged from a tail that
 * never reached the disk.
 *
 * STATE_DIR/journal.synced says up to which offset of which segment the
 * journal was fsynced, and under which --fsync policy. The sync thread
 * rewrites it after each fdatasync of the newest segment and syncs it
 * BEFORE the answers that waited for that fdatasync go out (a second, small
 * fdatasync per group commit: the price of knowing). So with --fsync always
 * no record past the mark was ever acknowledged, and damage before it is
 * the loss of records that may have been. A mark naming an older segment
 * says that nothing of the newest was synced for an answer yet.
 *
 * Layout (little-endian), version 1:
 *   "SSUMSYNC" u32 version u32 0
 *   two slots of 48 bytes at offsets 16 and 64, written in turn:
 *     u64 generation, u64 segment (its first record, as in its name),
 *     u64 offset just past the last synced record, u64 that record's
 *     sequence number, u32 policy (enum journal_fsync + 1), u32 0,
 *     u64 XXH3-64 of the 40 bytes before it
 * The valid slot of the higher generation is the mark: a write torn by a
 * power loss spoils only the slot being written, whose fdatasync had not
 * returned, so that no answer waited on it. The file is made whole through
 * journal.synced.tmp and a rename. Servers before it ignore it; a folder
 * without it (theirs) is read by the rules of before (journal_replay.h).
 */
#ifndef SS_JOURNAL_MARK_H
#define SS_JOURNAL_MARK_H

#include <stdint.h>

#include "err.h"

#define JOURNAL_MARK_FILE "journal.synced"

/* The policy a mark was written under: enum journal_fsync + 1 (0: no mark). */
enum journal_mark_policy {
	MARK_NONE = 0,
	MARK_ALWAYS,            /* answers wait for the mark */
	MARK_EVERYSEC,          /* answers go out before it */
	MARK_NO                 /* only a start and a stop sync */
};

struct journal_mark {
	uint64_t gen;           /* the slot written last */
	uint64_t first;         /* the segment it is about */
	uint64_t off;           /* synced up to here */
	uint64_t seq;           /* the last record synced */
	uint32_t policy;        /* enum journal_mark_policy */
};

/*
 * Reads dir's mark into *m; m->policy is MARK_NONE when there is none.
 * Refuses a file whose two slots are both damaged, naming it.
 */
int journal_mark_read(const char *dir, struct journal_mark *m,
    struct ss_error *e) SS_WUR;
/*
 * Writes *m whole as dir's journal.synced (through journal.synced.tmp),
 * synced with its folder, and opens it for journal_mark_write in *fdp.
 */
int journal_mark_create(const char *dir, struct journal_mark *m, int *fdp,
    struct ss_error *e) SS_WUR;
/*
 * Writes m, a generation on, into the slot of its turn and fdatasyncs it.
 * SS_ERR_IO with errno set on failure.
 */
int journal_mark_write(int fd, struct journal_mark *m) SS_WUR;

#endif
