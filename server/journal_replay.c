/*
 * journal_replay.c: reading a segment, checking its records and applying
 * them to the store; see journal_replay.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "journal_mark.h"
#include "journal_replay.h"
#include "lifecycle.h"
#include "store.h"

/* ---- one record's payload ------------------------------------------------ */

static int
replay_create(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	uint8_t digest[PARAMS_DIGEST_LEN];
	char creator[NAME_BUF] = "";
	struct session_spec p;
	struct session *se = NULL;
	uint64_t created, deadline;
	int rc;

	if ((rc = disk_get_params(d, s->lim.max_parties, &p, digest)) != SS_OK)
		return rc;
	/* The creator, which the store checks and counts (quota.h). */
	if ((rc = disk_get_u64(d, &created)) == SS_OK &&
	    (rc = disk_get_u64(d, &deadline)) == SS_OK &&
	    (!d->with_lifecycle ||
	    (rc = disk_get_string(d, creator, sizeof(creator))) == SS_OK))
		rc = store_apply_create(s, &p, created, deadline, creator, e);
	if (rc == SS_OK)
		se = store_find(s, p.id);
	/* D is recorded for readers of the file; it must be the parameters'. */
	if (rc == SS_OK && p.v2 && (se == NULL ||
	    memcmp(se->digest, digest, sizeof(digest)) != 0))
		rc = ss_error_set(e, SS_ERR_INVALID, "session %s: the digest "
		    "recorded is not that of its parameters", p.id);
	free(p.parties);
	return rc;
}

/* A statement, in a record of a version that has them (else none). */
static int
get_statement(struct disk_reader *d, struct statement_in *in,
    const struct statement_in **inp)
{
	int rc, present = 0;

	*inp = NULL;
	if (d->with_v2 &&
	    (rc = disk_get_statement(d, in, &present)) != SS_OK)
		return rc;
	if (present)
		*inp = in;
	return SS_OK;
}

static int
replay_submit(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	const struct statement_in *stmt;
	struct statement_in in;
	char id[SESSION_ID_BUF];
	const uint8_t *block;
	uint64_t bytes;
	uint32_t sender;
	int rc;

	if ((rc = disk_get_string(d, id, sizeof(id))) != SS_OK ||
	    (rc = disk_get_u32(d, &sender)) != SS_OK ||
	    (rc = get_statement(d, &in, &stmt)) != SS_OK ||
	    (rc = disk_get_u64(d, &bytes)) != SS_OK)
		return rc;
	if (bytes > buf_remaining(&d->r))
		return SS_ERR_TRUNCATED;
	if ((rc = buf_get_bytes(&d->r, (size_t)bytes, &block)) != SS_OK)
		return rc;
	return store_apply_submit_signed(s, id, sender, block, (size_t)bytes,
	    stmt, e);
}

static int
replay_close(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	char id[SESSION_ID_BUF];
	int rc;

	if ((rc = disk_get_string(d, id, sizeof(id))) != SS_OK)
		return rc;
	return store_apply_close(s, id, e);
}

static int
replay_sumpoint(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	const struct statement_in *stmt;
	struct statement_in in;
	struct buf_reader le;
	char id[SESSION_ID_BUF];
	const uint8_t *raw;
	uint64_t *vals;
	uint32_t party, L, i;
	int rc;

	if ((rc = disk_get_string(d, id, sizeof(id))) != SS_OK ||
	    (rc = disk_get_u32(d, &party)) != SS_OK ||
	    (rc = disk_get_u32(d, &L)) != SS_OK ||
	    (rc = get_statement(d, &in, &stmt)) != SS_OK)
		return rc;
	if (L == 0)
		return SS_ERR_INVALID;
	/* No allocation past what the record holds. */
	if (buf_remaining(&d->r) / 8 < L)
		return SS_ERR_TRUNCATED;
	if ((rc = buf_get_bytes(&d->r, (size_t)L * 8, &raw)) != SS_OK)
		return rc;
	if ((vals = calloc(L, sizeof(*vals))) == NULL)
		return SS_ERR_ALLOC;
	/*
	 * Little-endian in every version read (version 3's one exception to
	 * its byte order): a reader of their own, left little-endian.
	 */
	buf_reader_init(&le, raw, (size_t)L * 8);
	for (i = 0; i < L && rc == SS_OK; i++)
		rc = buf_get_u64(&le, &vals[i]);
	if (rc == SS_OK)
		rc = store_apply_sumpoint_signed(s, id, party, vals, L, stmt, e);
	free(vals);
	return rc;
}

static int
replay_key(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	const uint8_t *der, *sign = NULL;
	char name[NAME_BUF];
	uint32_t len, sign_len = 0;
	int rc;

	if ((rc = disk_get_string(d, name, sizeof(name))) != SS_OK)
		return rc;
	if (d->with_v2 && ((rc = disk_get_u32(d, &sign_len)) != SS_OK ||
	    (rc = buf_get_bytes(&d->r, sign_len, &sign)) != SS_OK))
		return rc;
	if ((rc = disk_get_u32(d, &len)) != SS_OK ||
	    (rc = buf_get_bytes(&d->r, len, &der)) != SS_OK)
		return rc;
	return store_apply_key_signed(s, name, der, len,
	    sign_len > 0 ? sign : NULL, sign_len, e);
}

/* A COHORT (type 0) or a conflict's second statement. */
static int
replay_statement(struct disk_reader *d, struct store *s, int conflict,
    struct ss_error *e)
{
	const struct statement_in *stmt;
	struct statement_in in;
	char id[SESSION_ID_BUF];
	uint32_t party;
	uint8_t type = 0;
	int rc;

	if (!d->with_v2)
		return ss_error_set(e, SS_ERR_INVALID, "a record of version 2 "
		    "in a file of an older version");
	if ((rc = disk_get_string(d, id, sizeof(id))) != SS_OK ||
	    (rc = disk_get_u32(d, &party)) != SS_OK ||
	    (conflict && (rc = buf_get_u8(&d->r, &type)) != SS_OK) ||
	    (rc = get_statement(d, &in, &stmt)) != SS_OK)
		return rc;
	if (conflict)
		return store_apply_conflict(s, id, party,
		    (enum statement_type)type, stmt, e);
	return store_apply_cohort(s, id, party, stmt, e);
}

/* A session dropped: deleted by a party, or expired. */
static int
replay_delete(struct disk_reader *d, struct store *s, struct ss_error *e)
{
	char id[SESSION_ID_BUF];
	char by[NAME_BUF];
	uint64_t when;
	uint8_t reason;
	int rc;

	if (!d->with_lifecycle)
		return ss_error_set(e, SS_ERR_INVALID, "a delete record in a "
		    "file of version %d or older", JOURNAL_FIRST_LIFECYCLE - 1);
	if ((rc = disk_get_string(d, id, sizeof(id))) != SS_OK ||
	    (rc = buf_get_u8(&d->r, &reason)) != SS_OK ||
	    (rc = disk_get_string(d, by, sizeof(by))) != SS_OK ||
	    (rc = disk_get_u64(d, &when)) != SS_OK)
		return rc;
	if (reason != STORE_DROP_DELETED && reason != STORE_DROP_EXPIRED)
		return ss_error_set(e, SS_ERR_INVALID, "session %s: unknown "
		    "reason %u of a delete record", id, reason);
	/* Checked before the change, which cannot be undone. */
	if (buf_remaining(&d->r) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%zu bytes after its "
		    "fields", buf_remaining(&d->r));
	return lifecycle_apply_delete(s, id, e);
}

/* Applies one payload of a file of version; e says why when the store refuses it. */
static int
apply(const uint8_t *payload, size_t len, uint32_t version, struct store *s,
    struct ss_error *e)
{
	struct disk_reader d;
	uint8_t type;
	int rc;

	disk_reader_init(&d, payload, len, version <= JOURNAL_LAST_BIG_ENDIAN);
	d.with_v2 = version >= JOURNAL_FIRST_V2;
	d.with_lifecycle = version >= JOURNAL_FIRST_LIFECYCLE;
	if ((rc = buf_get_u8(&d.r, &type)) != SS_OK)
		return rc;
	switch (type) {
	case JREC_CREATE:   rc = replay_create(&d, s, e); break;
	case JREC_SUBMIT:   rc = replay_submit(&d, s, e); break;
	case JREC_CLOSE:    rc = replay_close(&d, s, e); break;
	case JREC_SUMPOINT: rc = replay_sumpoint(&d, s, e); break;
	case JREC_KEY:      rc = replay_key(&d, s, e); break;
	case JREC_COHORT:   rc = replay_statement(&d, s, 0, e); break;
	case JREC_CONFLICT: rc = replay_statement(&d, s, 1, e); break;
	case JREC_DELETE:   rc = replay_delete(&d, s, e); break;
	default:
		return ss_error_set(e, SS_ERR_INVALID, "unknown record type %u",
		    type);
	}
	/* Checked after the change: a record that applies has no more bytes. */
	if (rc == SS_OK && buf_remaining(&d.r) != 0)
		rc = ss_error_set(e, SS_ERR_INVALID, "%zu bytes after its fields",
		    buf_remaining(&d.r));
	return rc;
}

/* ---- records in a segment ------------------------------------------------ */

/* One segment's bytes being read. */
struct seg_read {
	const char *path;
	const uint8_t *d;
	size_t len;
	int big_endian;         /* a file of version 3 */
	uint32_t version;       /* the file's format version */
	uint64_t first;         /* from the name; 0 for journal.bin */
	size_t off;             /* the next record */
	uint64_t prev;          /* the sequence number of the record before it */
	int torn;               /* the file ends in damage cut off: a TAIL_* */
	uint32_t policy;        /* the newest's mark's (journal_mark.h), or MARK_NONE */
	size_t synced;          /* with a mark: synced up to here */
};

/* What the end of the newest segment that is cut off looks like. */
enum {
	TAIL_SHORT = 1,         /* a record cut short: its write never ended */
	TAIL_ZEROS,             /* zero bytes only: space a power loss left */
	TAIL_BAD_SUM,           /* whole length, wrong checksum: see settle */
	TAIL_PAST_MARK          /* any damage, in a segment with a mark */
};

/*
 * The header of the record at off in *h, and whether the whole record is
 * there.
 */
static int
record_at(const struct seg_read *g, size_t off, struct journal_rec *h)
{
	struct disk_reader r;

	disk_reader_init(&r, g->d + off, g->len - off, g->big_endian);
	return journal_rec_decode(&r, h) == SS_OK &&
	    buf_remaining(&r.r) >= h->len;
}

/* Whether the record at off (header h, whole) has the right checksum. */
static int
record_sum_ok(const struct seg_read *g, size_t off, const struct journal_rec *h,
    int *ok)
{
	struct iovec part;
	uint64_t sum;
	int rc;

	part.iov_base = (void *)(g->d + off + JOURNAL_REC_HEADER);
	part.iov_len = h->len;
	if ((rc = journal_checksum(h->seq, g->big_endian, &part, 1, &sum)) != SS_OK)
		return rc;
	*ok = sum == h->sum;
	return SS_OK;
}

/* Whether a valid record with sequence number want starts anywhere in d[from..len). */
static int
record_later(const struct seg_read *g, size_t from, uint64_t want)
{
	struct journal_rec h;
	size_t o;
	int ok;

	for (o = from; o < g->len && g->len - o >= JOURNAL_REC_HEADER; o++)
		if (record_at(g, o, &h) && h.seq == want &&
		    record_sum_ok(g, o, &h, &ok) == SS_OK && ok)
			return 1;
	return 0;
}

/* Whether d[from..len) is all zero bytes. */
static int
zero_tail(const struct seg_read *g, size_t from)
{
	size_t o;

	for (o = from; o < g->len; o++)
		if (g->d[o] != 0)
			return 0;
	return 1;
}

/*
 * The record at g->off in *h, checked: 0 when it is whole and sound, a
 * TAIL_* when it is the torn end of the file, else an error.
 */
static int
next_record(struct seg_read *g, struct journal_rec *h, struct ss_error *e)
{
	int rc, ok;

	/*
	 * Some file systems extend a file's size before its data reach the
	 * disk, so that a power loss leaves zeros where the last writes went.
	 * A zero header is never a record (its length 0 needs a checksum that
	 * is not 0), so zeros to the end are that, not damage.
	 */
	if (zero_tail(g, g->off))
		return TAIL_ZEROS;
	if (!record_at(g, g->off, h)) {
		/*
		 * The file ends inside this record: a write cut short by a
		 * crash, unless a damaged length hides good records after it.
		 */
		if (record_later(g, g->off + 1, g->prev + 2))
			return ss_error_set(e, SS_ERR_CHECKSUM, "journal %s is "
			    "damaged at offset %zu (a record length runs past "
			    "valid records); it was left in place", g->path, g->off);
		return TAIL_SHORT;
	}
	if ((rc = record_sum_ok(g, g->off, h, &ok)) != SS_OK)
		return ss_error_set(e, rc, "journal %s: checksum failed", g->path);
	if (ok)
		return 0;
	if (g->len - g->off - JOURNAL_REC_HEADER == h->len)
		return TAIL_BAD_SUM;    /* the last record: see settle_newest */
	return ss_error_set(e, SS_ERR_CHECKSUM, "journal %s is damaged at offset "
	    "%zu (record checksum mismatch, with %zu bytes after it); it was "
	    "left in place", g->path, g->off,
	    g->len - g->off - JOURNAL_REC_HEADER - h->len);
}

/* A record out of sequence: it has seq where want was due. */
static int
out_of_sequence(const struct seg_read *g, uint64_t seq, uint64_t want,
    struct ss_error *e)
{
	return ss_error_set(e, SS_ERR_INVALID, "journal %s: record at offset %zu "
	    "has sequence %llu, expected %llu; it was left in place", g->path,
	    g->off, (unsigned long long)seq, (unsigned long long)want);
}

/* Applies the record h at g->off if the store does not hold it yet. */
static int
replay_record(struct seg_read *g, const struct journal_rec *h, struct store *s,
    struct ss_error *e)
{
	struct ss_error why;
	int rc;

	/* A segment's records run on from its name, without a gap. */
	if (g->first > 0 && h->seq != g->prev + 1)
		return out_of_sequence(g, h->seq, g->prev + 1, e);
	if (h->seq <= s->journal_seq)
		return SS_OK;   /* the snapshot holds it */
	if (h->seq != s->journal_seq + 1)
		return out_of_sequence(g, h->seq, s->journal_seq + 1, e);
	ss_error_clear(&why);
	rc = apply(g->d + g->off + JOURNAL_REC_HEADER, h->len, g->version, s,
	    &why);
	if (rc != SS_OK)
		return ss_error_set(e, rc, "journal %s: record %llu at offset %zu "
		    "cannot be applied (%s%s%s); it was left in place", g->path,
		    (unsigned long long)h->seq, g->off, ss_strerror(rc),
		    why.msg[0] != '\0' ? ": " : "", why.msg);
	s->journal_seq = h->seq;
	return SS_OK;
}

/*
 * With a mark, the record at g->off in *h, checked: 0 when it is whole and
 * sound, TAIL_PAST_MARK when it is damaged in any way (whether that may be
 * cut is for the mark to say: see marked_end), else an error.
 */
static int
marked_record(const struct seg_read *g, struct journal_rec *h,
    struct ss_error *e)
{
	int rc, ok;

	if (!record_at(g, g->off, h))
		return TAIL_PAST_MARK;
	if ((rc = record_sum_ok(g, g->off, h, &ok)) != SS_OK)
		return ss_error_set(e, rc, "journal %s: checksum failed", g->path);
	return ok ? 0 : TAIL_PAST_MARK;
}

/*
 * Replays every record of g after s->journal_seq; stops at a torn end
 * (g->torn), with g->off just past the last good record.
 */
static int
replay_records(struct seg_read *g, struct store *s, struct ss_error *e)
{
	struct journal_rec h;
	int rc;

	while (g->off < g->len) {
		rc = g->policy != MARK_NONE ? marked_record(g, &h, e) :
		    next_record(g, &h, e);
		if (rc > 0) {
			g->torn = rc;
			break;
		}
		if (rc != SS_OK || (rc = replay_record(g, &h, s, e)) != SS_OK)
			return rc;
		g->prev = h.seq;
		g->off += JOURNAL_REC_HEADER + (size_t)h.len;
	}
	return SS_OK;
}

/* ---- a segment file ------------------------------------------------------ */

/* Opens path for appending and reads all of it. */
static int
read_segment(const char *path, int *fdp, uint8_t **data, size_t *len,
    struct ss_error *e)
{
	int rc;

	if ((*fdp = open(path, O_RDWR | O_APPEND | O_CLOEXEC)) < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot open journal %s: %s",
		    path, strerror(errno));
	if ((rc = disk_read_all(*fdp, data, len)) != SS_OK) {
		close(*fdp);
		*fdp = -1;
		return ss_error_set(e, rc, "cannot read journal %s: %s", path,
		    ss_strerror(rc));
	}
	return SS_OK;
}

/* Makes fd, which holds no record, a segment of this version: header only. */
static int
rewrite_header(int fd, const char *path, struct ss_error *e)
{
	uint8_t hdr[JOURNAL_FILE_HEADER];

	journal_file_header(hdr);
	if (ftruncate(fd, 0) != 0 || write(fd, hdr, sizeof(hdr)) !=
	    (ssize_t)sizeof(hdr) || fsync(fd) != 0)
		return ss_error_set(e, SS_ERR_IO, "cannot write journal %s: %s",
		    path, strerror(errno != 0 ? errno : ENOSPC));
	return SS_OK;
}

/*
 * Refuses a file whose header is not one this server reads, or finds that
 * it holds nothing to read (*skip). The version read is in *version.
 */
static int
check_header(const struct seg_read *g, int legacy, void (*logf)(const char *fmt, ...),
    uint32_t *version, int *skip, struct ss_error *e)
{
	*skip = 0;
	if (g->len < JOURNAL_FILE_HEADER ||
	    memcmp(g->d, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s is not a secure-sum "
		    "journal; it was left in place", g->path);
	*version = journal_file_version(g->d);
	if (*version >= JOURNAL_OLDEST_READ && *version <= JOURNAL_VERSION)
		return SS_OK;
	if (legacy && g->len == JOURNAL_FILE_HEADER && *version >= 1 &&
	    *version < JOURNAL_OLDEST_READ) {
		/*
		 * An older journal without a record is what a clean stop of a
		 * previous server leaves: nothing in it to read. It is not
		 * appended to, and goes with the next snapshot.
		 */
		logf("journal %s: version %u with no record; nothing to read",
		    g->path, (unsigned)*version);
		*skip = 1;
		return SS_OK;
	}
	/* Never read as another version: the checksum differs, at least. */
	return ss_error_set(e, SS_ERR_VERSION, "journal %s has an unsupported "
	    "version (%u; this server reads %u to %u); it was left in place%s",
	    g->path, (unsigned)*version, JOURNAL_OLDEST_READ, JOURNAL_VERSION,
	    g->len == JOURNAL_FILE_HEADER ? " (it holds no record: an old "
	    "server's clean stop snapshotted everything, so it may be removed)" :
	    "");
}

/*
 * How many records (whole or not) the damaged tail from off seems to hold,
 * by their headers; zero bytes to the end are none.
 */
static size_t
records_from(const struct seg_read *g, size_t off)
{
	struct journal_rec h;
	size_t end = g->len, n = 0;

	while (end > off && g->d[end - 1] == 0)
		end--;
	while (off < end) {
		n++;
		if (!record_at(g, off, &h))
			break;
		off += JOURNAL_REC_HEADER + (size_t)h.len;
	}
	return n;
}

/* The line for a tail cut past the mark: whether it may have been acknowledged. */
static void
log_past_mark(const struct seg_read *g, void (*logf)(const char *fmt, ...))
{
	static const char *const why[] = {
		[MARK_ALWAYS] = "with --fsync always no answer goes out before "
		    "its records are synced, so NONE OF THEM WAS ACKNOWLEDGED",
		[MARK_EVERYSEC] = "with --fsync everysec answers do not wait for "
		    "the sync, so those of about the last second before the stop "
		    "MAY HAVE BEEN ACKNOWLEDGED",
		[MARK_NO] = "with --fsync no nothing can be proven: they MAY HAVE "
		    "BEEN ACKNOWLEDGED",
	};
	size_t n = records_from(g, g->off);

	logf("journal %s: cutting off the tail at offset %zu (%zu bytes, %zu "
	    "record%s%s), past offset %zu up to which it was synced (%s); %s",
	    g->path, g->off, g->len - g->off, n, n == 1 ? "" : "s",
	    n == 0 ? ": zero bytes only" : "", g->synced, JOURNAL_MARK_FILE,
	    why[g->policy]);
}

/*
 * With a mark, refuses a newest segment that ends, or is damaged, before
 * the offset up to which it was synced: records there may have been
 * acknowledged, and are lost.
 */
static int
marked_end(const struct seg_read *g, struct ss_error *e)
{
	if (g->policy == MARK_NONE || g->off >= g->synced)
		return SS_OK;
	return ss_error_set(e, SS_ERR_CHECKSUM, "journal %s is %s at offset %zu, "
	    "before offset %zu up to which it was synced (%s): records that MAY "
	    "HAVE BEEN ACKNOWLEDGED are lost, so the server does not start "
	    "(nothing was changed). Restore the state folder from a backup; or, "
	    "to start without the records from offset %zu on, cut the file "
	    "there (truncate -s %zu %s) and remove %s beside it", g->path,
	    g->off == g->len ? "cut short" : "damaged", g->off, g->synced,
	    JOURNAL_MARK_FILE, g->off, g->off, g->path, JOURNAL_MARK_FILE);
}

/*
 * After the replay of the newest segment: a torn tail is cut off, and a
 * segment of an older version that holds no record becomes one of this
 * version (*version), so that appends may go on in it. journal.bin is never
 * appended to: it only goes.
 */
static int
settle_newest(const struct seg_read *g, int fd, int legacy, uint32_t *version,
    void (*logf)(const char *fmt, ...), struct ss_error *e)
{
	static const char *const why[] = {
		[TAIL_SHORT] = "1 record cut short: a crash interrupted its "
		    "write, which under --fsync always no answer waited on; "
		    "without " JOURNAL_MARK_FILE " (an older server's folder) "
		    "nothing more can be proven",
		[TAIL_ZEROS] = "zero bytes, no record: space a power loss left "
		    "before the data reached the disk; without "
		    JOURNAL_MARK_FILE " nothing more can be proven",
		/*
		 * A whole record whose bytes changed: a torn write of a
		 * record whose length reached the disk, or a flipped bit in
		 * a record that was synced and answered. The server cannot
		 * tell these apart, so it says so.
		 */
		[TAIL_BAD_SUM] = "1 whole record with a wrong checksum: a write "
		    "torn by a crash, or damage to a record that MAY HAVE BEEN "
		    "ACKNOWLEDGED (check the clients of its session)",
	};

	if (g->torn == TAIL_PAST_MARK)
		log_past_mark(g, logf);
	else if (g->torn)
		logf("journal %s: cutting off the tail at offset %zu (%zu bytes, "
		    "%s)", g->path, g->off, g->len - g->off, why[g->torn]);
	if (g->torn) {
		if (ftruncate(fd, (off_t)g->off) != 0 || fsync(fd) != 0)
			return ss_error_set(e, SS_ERR_IO, "cannot cut journal %s: "
			    "%s", g->path, strerror(errno));
	}
	if (legacy || *version == JOURNAL_VERSION || g->off != JOURNAL_FILE_HEADER)
		return SS_OK;
	*version = JOURNAL_VERSION;
	return rewrite_header(fd, g->path, e);
}

/* Checks the header of g and replays its records; *version is the file's. */
static int
replay_file(struct seg_read *g, const struct journal_seg *seg, int newest,
    int fd, struct store *s, void (*logf)(const char *fmt, ...),
    uint32_t *version, struct ss_error *e)
{
	int rc, skip;

	*version = JOURNAL_VERSION;
	if (newest && g->len < JOURNAL_FILE_HEADER &&
	    journal_header_prefix(g->d, g->len)) {
		/*
		 * A crash while the newest segment was made (or a journal.bin
		 * emptied before its header was written): it holds no record,
		 * unless the mark says that records were synced in it.
		 */
		if (g->synced <= JOURNAL_FILE_HEADER)
			return rewrite_header(fd, g->path, e);
		g->off = g->len;
		return marked_end(g, e);
	}
	if ((rc = check_header(g, seg->legacy, logf, version, &skip, e)) != SS_OK ||
	    skip)
		return rc;
	g->big_endian = *version <= JOURNAL_LAST_BIG_ENDIAN;
	g->version = *version;
	if ((rc = replay_records(g, s, e)) != SS_OK)
		return rc;
	if (g->torn && !newest)
		return ss_error_set(e, SS_ERR_CHECKSUM, "journal %s is damaged at "
		    "offset %zu (a record cut short in a segment that is not the "
		    "newest); it was left in place", g->path, g->off);
	if (newest && (rc = marked_end(g, e)) == SS_OK)
		rc = settle_newest(g, fd, seg->legacy, version, logf, e);
	return rc;
}

/*
 * What the mark m says of the newest segment seg: nothing (a folder of
 * before the mark, or journal.bin), synced up to an offset of it, or (a
 * mark of an older segment) not synced for an answer yet.
 */
static int
mark_of(struct seg_read *g, const struct journal_seg *seg,
    const struct journal_mark *m, struct ss_error *e)
{
	if (m->policy == MARK_NONE || seg->legacy)
		return SS_OK;
	if (m->first > seg->first)
		return ss_error_set(e, SS_ERR_INVALID, "%s names journal segment "
		    JOURNAL_SEGMENT_FMT " as synced, but the newest here is %s: "
		    "the changes it held would be lost; restore it from a backup "
		    "(nothing was changed)", JOURNAL_MARK_FILE,
		    (unsigned long long)m->first, g->path);
	g->policy = m->policy;
	g->synced = JOURNAL_FILE_HEADER;
	if (m->first == seg->first)
		g->synced = m->off >= (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)m->off;
	return SS_OK;
}

int
journal_replay_segment(const char *path, const struct journal_seg *seg,
    int newest, const struct journal_mark *mark, struct store *s,
    void (*logf)(const char *fmt, ...), struct journal_seg_state *out,
    struct ss_error *e)
{
	struct seg_read g;
	uint8_t *data = NULL;
	uint32_t version;
	int rc, fd;

	out->fd = -1;
	memset(&g, 0, sizeof(g));
	g.path = path;
	if (newest && (rc = mark_of(&g, seg, mark, e)) != SS_OK)
		return rc;
	if ((rc = read_segment(path, &fd, &data, &g.len, e)) != SS_OK)
		return rc;
	g.d = data;
	g.first = seg->first;
	g.off = JOURNAL_FILE_HEADER;
	g.prev = seg->first > 0 ? seg->first - 1 : s->journal_seq;
	rc = replay_file(&g, seg, newest, fd, s, logf, &version, e);
	free(data);
	if (rc != SS_OK || !newest) {
		close(fd);
		return rc;
	}
	out->good = g.off;
	out->last = g.prev;
	out->version = version;
	out->fd = fd;
	return SS_OK;
}
