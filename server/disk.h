/*
 * disk.h: what the snapshot and the journal share on disk: reading a whole
 * file, making a folder's entries durable, and the encodings both formats
 * use (integers in their version's byte order, strings, session
 * parameters).
 *
 * Everything is written little-endian (core/buf.h's writer). Files of the
 * versions before that rule (snapshot 1, journal 3) are big-endian, and are
 * still read: a disk_reader knows which order its file has.
 */
#ifndef SS_DISK_H
#define SS_DISK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "params.h"
#include "statements.h"
#include "store.h"

/* fsync of a folder, so that a rename or a new file in it survives a crash. */
int disk_fsync_dir(const char *dir) SS_WUR;

/*
 * Drops fd's cached pages in [from, to) (nothing unless to > from), bytes already
 * on disk that only a start reads again: without this the page cache keeps
 * every byte the journal and the snapshots write, and later writes get
 * pages never touched before instead of these, which costs most of an
 * upload on the machine kind this was measured on (docs/BENCHMARKS.md 6.3).
 * Redis does the same after its fsyncs (reclaimFilePageCache). Pages only
 * partly in the range stay. Advice: a failure costs memory, not data.
 */
void disk_drop_cached(int fd, uint64_t from, uint64_t to);
/* disk_drop_cached for all of fd's pages, bytes all on disk. */
void disk_drop_file(int fd);

/*
 * Reads all of an open file into a malloc'd buffer, then drops its pages
 * from the page cache (disk_drop_file): the server reads its snapshot
 * and journal once, at a start. SS_ERR_* on failure.
 */
int disk_read_all(int fd, uint8_t **data, size_t *len) SS_WUR;

/* A bounded reader of one of the server's files, in its version's byte order. */
struct disk_reader {
	struct buf_reader r;    /* in the version's byte order; u8 and byte
				   runs are read from it directly */
	int with_v2;            /* a file with protocol version 2's fields */
	int with_lifecycle;     /* a file with sessions' creators (issue 12) */
};

/* A reader of a file without version 2's fields (set with_v2 for one with). */
void disk_reader_init(struct disk_reader *d, const void *data, size_t len,
    int big_endian);
int disk_get_u32(struct disk_reader *d, uint32_t *v) SS_WUR;
int disk_get_u64(struct disk_reader *d, uint64_t *v) SS_WUR;
/* A u32 length and that many bytes, as buf_get_string. */
int disk_get_string(struct disk_reader *d, char *out, size_t outsz) SS_WUR;

/*
 * The format version of a file header's u32 at p: versions up to
 * last_big_endian were written big-endian, later ones little-endian; the
 * two readings of a small number never meet (00 00 00 03 is 3 one way and
 * 0x03000000 the other), so the bytes say which they are.
 */
uint32_t disk_version(const uint8_t p[4], uint32_t last_big_endian);

/*
 * Session parameters as the snapshot and the journal store them: str id,
 * u32 n, n * str party, u32 threshold, length, decimals, deadline_seconds,
 * where str is a u32 length and the bytes; then, in the files with version
 * 2's fields, u8 protocol version (1 or 2), and for 2: u32 min_cohort, u64
 * deadline_unix, the 16-byte nonce and the 32-byte digest D.
 */
void disk_put_params(struct buf_writer *w, const struct session_spec *p,
    const uint8_t digest[PARAMS_DIGEST_LEN]);
/*
 * Reads them back; on success p->parties is malloc'd (n within
 * 2..max_parties), and digest holds the D recorded (zero in version 1).
 */
int disk_get_params(struct disk_reader *d, uint32_t max_parties,
    struct session_spec *p, uint8_t digest[PARAMS_DIGEST_LEN]) SS_WUR;

/*
 * A signed statement (NULL, or a body NULL: none): u32 body length (0:
 * none), the body, u32 signature length, the signature.
 */
void disk_put_statement(struct buf_writer *w, const struct held_statement *h);
/*
 * Reads one back, as views into the file: *present 0 when it records none.
 * Lengths over a statement's are SS_ERR_INVALID.
 */
int disk_get_statement(struct disk_reader *d, struct statement_in *in,
    int *present) SS_WUR;

#endif
