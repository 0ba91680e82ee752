/*
 * journal_replay.h: reading the journal's segments back at start, and
 * replaying their records into the store (through store_apply_*, which
 * holds them to the rules of the operations that logged them).
 *
 * Record payloads start with a type byte (enum journal_rec_type):
 *   1 create:   params (disk.h: with version 2's fields from journal
 *               version 5 on), u64 created, u64 deadline, {str creator}
 *   2 submit:   str id, u32 sender index, [stmt], u64 bytes, the sender's n
 *               sealed shares in recipient order
 *   3 close:    str id (the sharing deadline passed)
 *   4 sumpoint: str id, u32 party index, u32 L, [stmt], L * u64 values
 *   5 key:      str name, [u32 bytes, DER signing certificate], u32 bytes,
 *               DER encryption-key certificate
 *   6 cohort:   str id, u32 party index, stmt (version 5 on)
 *   7 conflict: str id, u32 party index, u8 statement type, stmt: the
 *               second statement (version 5 on)
 *   8 delete:   str id, u8 reason (1 deleted by a party, 2 expired), str
 *               by (the party; empty when expired), u64 when (Unix
 *               seconds) (version 6 on): the session is dropped
 * where str is u32 length + bytes, stmt a statement as disk.h writes it
 * (body length 0: none), and the parts in [] are there from version 5 on
 * (a signing certificate of length 0: none), and the parts in {} from
 * version 6 on. Integers are little-endian
 * from version 4 on; version 3 has them big-endian, except the sumpoint
 * values, which were already little-endian (their in-memory form, written
 * without a copy).
 */
#ifndef SS_JOURNAL_REPLAY_H
#define SS_JOURNAL_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "journal_file.h"
#include "journal_mark.h"
#include "store.h"

/* What reading one segment found. */
struct journal_seg_state {
	size_t good;            /* offset just past its last whole record */
	uint64_t last;          /* that record's sequence number (first - 1: none) */
	uint32_t version;       /* its format version, once read */
	int fd;                 /* the newest's, open to append; else -1 */
};

/*
 * Reads segment g of dir at path (the newest when newest), checks its
 * header, and replays its records after s->journal_seq into s, advancing
 * s->journal_seq. Segment N's records must run on from N without a gap.
 * Damage is cut off (with a line through logf) in the newest only: anywhere
 * else it would hide the records of the segments after it. The newest,
 * when it holds no record, becomes a segment of this version.
 *
 * In the newest, the mark (journal_mark.h; policy MARK_NONE: none) decides:
 * damage of any kind from the offset it was synced up to on is cut, with a
 * line saying whether any of it may have been acknowledged (not with
 * --fsync always; may have been with everysec or no); the segment damaged
 * or ending before that offset is refused. Without a mark (a folder of an
 * older server, or journal.bin) only a last record cut short, a whole last
 * record with a wrong checksum, or zeros to the end are cut, the lines
 * saying what could not be proven.
 *
 * Any other damage is an error naming the file and offset; nothing is cut.
 */
int journal_replay_segment(const char *path, const struct journal_seg *g,
    int newest, const struct journal_mark *mark, struct store *s,
    void (*logf)(const char *fmt, ...), struct journal_seg_state *out,
    struct ss_error *e) SS_WUR;

#endif
