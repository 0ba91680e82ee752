/*
 * journal_file.h: the journal's segment files: their names, their header
 * and format version, the framing and checksum of a record; listing the
 * segments in a folder and making a new one.
 *
 * A segment is STATE_DIR/journal.<N>.bin, N the sequence number of its
 * first record in 20 digits (names sort as numbers); journal.bin, the one
 * file of the servers before segments, is read as the oldest. Layout:
 *   "SSUMJRNL" u32 version
 *   records: u32 payload length, u64 sequence number, u64 checksum, payload
 * The checksum is XXH3-64 (seed 0) of the sequence number's 8 bytes as they
 * are written, then the payload. Integers are in the byte order of the
 * file's version (journal.c and journal_replay.c give the payloads).
 *
 * STATE_DIR/journal.newest holds the N of the newest segment made, in 20
 * digits and a newline, so that a start sees the newest segment deleted
 * (the older ones show a gap by their names). State folders of servers
 * before it have none and start as they did. It is replaced through
 * journal.newest.tmp: every temporary file of the state folder ends ".tmp".
 */
#ifndef SS_JOURNAL_FILE_H
#define SS_JOURNAL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "disk.h"
#include "err.h"

#define JOURNAL_FILE        "journal.bin"
#define JOURNAL_SEGMENT_FMT "journal.%020llu.bin"
/*
 * The format this server writes. 1: truncated SHA-256 checksums; 2: XXH3-64
 * (never released); 3: XXH3-64, big-endian but for the sumpoint values;
 * 4: the same, all little-endian; 5: with protocol version 2's fields
 * (parameters, statements, signing certificates, conflicts); 6: with the
 * session's creator in a create record, and delete records (issue 12). It
 * reads 3 to 6; a file of another version that holds a record is refused.
 */
#define JOURNAL_VERSION            6
#define JOURNAL_OLDEST_READ        3
#define JOURNAL_LAST_BIG_ENDIAN    3
#define JOURNAL_FIRST_V2           5
#define JOURNAL_FIRST_LIFECYCLE    6
#define JOURNAL_MAGIC              "SSUMJRNL"
#define JOURNAL_MAGIC_LEN          8
#define JOURNAL_FILE_HEADER        (JOURNAL_MAGIC_LEN + 4)
#define JOURNAL_REC_HEADER         (4 + 8 + 8)
/* Largest payload a record may claim: a submission of the largest frame. */
#define JOURNAL_MAX_PAYLOAD        (UINT32_MAX - 1)

/* The first byte of a record's payload. */
enum journal_rec_type {
	JREC_CREATE = 1,
	JREC_SUBMIT = 2,
	JREC_CLOSE = 3,
	JREC_SUMPOINT = 4,
	JREC_KEY = 5,
	JREC_COHORT = 6,        /* version 5 on */
	JREC_CONFLICT = 7,      /* version 5 on */
	JREC_DELETE = 8,        /* version 6 on */
};

/* One journal file in the state folder. */
struct journal_seg {
	uint64_t first;         /* from the name; 0 for journal.bin */
	int legacy;             /* journal.bin of a server before segments */
};

/* Every journal file in dir, oldest first, in a malloc'd array. */
int journal_seg_list(const char *dir, struct journal_seg **out, size_t *n,
    struct ss_error *e) SS_WUR;
/* buf = dir/NAME of g; SS_ERR_TOO_LARGE if it does not fit in len. */
int journal_seg_path(char *buf, size_t len, const char *dir,
    const struct journal_seg *g) SS_WUR;
/*
 * Creates segment first in dir, with its header, file and folder fsynced
 * before any record goes to it (a crash never leaves a newest segment that
 * lost records to a missing folder entry). Its fd in *fdp, its path in path.
 */
int journal_seg_create(const char *dir, uint64_t first, int *fdp, char *path,
    size_t pathlen, struct ss_error *e) SS_WUR;
/*
 * Refuses the n segments v (oldest first) of dir if journal.newest names a
 * segment later than the newest of them: that one is missing.
 */
int journal_newest_check(const char *dir, const struct journal_seg *v,
    size_t n, struct ss_error *e) SS_WUR;

/* The header of a file of this server's version. */
void journal_file_header(uint8_t hdr[JOURNAL_FILE_HEADER]);
/*
 * Whether the n bytes at p (n < JOURNAL_FILE_HEADER) begin the header of a
 * version this server reads: a header cut short, by a crash while its
 * segment was made, holds no record.
 */
int journal_header_prefix(const uint8_t *p, size_t n);
/* The version a whole header gives, once its magic is checked. */
uint32_t journal_file_version(const uint8_t hdr[JOURNAL_FILE_HEADER]);

/* A record's header. */
struct journal_rec {
	uint32_t len;           /* payload bytes */
	uint64_t seq;
	uint64_t sum;
};

/* Encodes h in this server's version. */
void journal_rec_encode(uint8_t out[JOURNAL_REC_HEADER],
    const struct journal_rec *h);
/* Decodes the next record header from d (its version's byte order). */
int journal_rec_decode(struct disk_reader *d, struct journal_rec *h) SS_WUR;
/*
 * The checksum of record seq whose payload is the nparts parts, for a file
 * in the byte order big_endian.
 */
int journal_checksum(uint64_t seq, int big_endian, const struct iovec *parts,
    int nparts, uint64_t *sum) SS_WUR;

#endif
