/*
 * journal.c: appending records, syncing, rotating and removing segments;
 * see journal.h. Reading them back is journal_replay.c's, the files'
 * layout journal_file.c's, the fsync thread journal_sync.c's.
 *
 * Records are written in this server's format version (JOURNAL_VERSION),
 * little-endian. The small fields of a record (a statement among them) are
 * built in a memory buf_writer; the large ones (a block of shares, a
 * sumpoint's values, a certificate) are written from where they lie, with
 * one writev.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "journal.h"
#include "journal_file.h"
#include "journal_mark.h"
#include "journal_replay.h"
#include "journal_sync.h"

/* Only the event loop's thread touches it (the sync thread has its own). */
struct journal {
	int fd;                 /* the newest segment's */
	char path[4096];        /* the newest segment */
	char dir[4096];
	uint64_t first_seq;     /* the newest segment's name: its first record */
	unsigned nold;          /* older segments still in dir */
	off_t end;              /* offset just past the last good record */
	uint64_t written_seq;   /* last record written */
	uint64_t synced_seq;    /* last record known to be on disk */
	int broken;             /* a failed write could not be undone */
	struct ss_error err;    /* why the last append, sync... failed */
	struct journal_syncer *syncer;  /* the sync thread, or NULL */
	int mark_fd;            /* journal.synced */
	struct journal_mark mark;       /* its contents, while no thread writes it */
};

/* ---- appending ----------------------------------------------------------- */

/*
 * Writes all of iov; undoes a partial write so that no torn record stays.
 * The sync thread may be in fdatasync meanwhile: the cut removes only bytes
 * past every record it was asked to make durable, so it changes nothing of
 * what that fdatasync must cover.
 */
static int
write_all(struct journal *j, struct iovec *iov, int n, size_t total)
{
	size_t done = 0;
	ssize_t w;
	int i = 0, e;

	while (done < total) {
		w = writev(j->fd, iov + i, n - i);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			if (ftruncate(j->fd, j->end) == 0)
				return ss_error_set(&j->err, SS_ERR_IO, "%s: %s",
				    j->path, strerror(e));
			j->broken = 1;
			return ss_error_set(&j->err, SS_ERR_IO, "%s: %s, and a "
			    "partial record could not be removed", j->path,
			    strerror(e));
		}
		done += (size_t)w;
		while (i < n && (size_t)w >= iov[i].iov_len) {
			w -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < n) {
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
	j->end += (off_t)total;
	return SS_OK;
}

/* A record of type t: its small fields follow in w. */
static void
rec_start(struct buf_writer *w, enum journal_rec_type t)
{
	buf_writer_init(w, JOURNAL_MAX_PAYLOAD);
	buf_put_u8(w, (uint8_t)t);
}

/* Appends the record of the small fields in w and a big part; frees w. */
static int
append(struct journal *j, struct buf_writer *w, const void *big, size_t big_len)
{
	uint8_t hdr[JOURNAL_REC_HEADER];
	struct journal_rec h;
	struct iovec iov[3];
	int rc, n = 2;

	if ((rc = buf_writer_error(w)) != SS_OK)
		ss_error_set(&j->err, rc, "a journal record: %s", ss_strerror(rc));
	else if (j->broken)
		rc = SS_ERR_IO;         /* j->err still says why */
	else if (big_len > JOURNAL_MAX_PAYLOAD - w->len)
		rc = ss_error_set(&j->err, SS_ERR_TOO_LARGE, "record too large");
	if (rc != SS_OK)
		goto out;
	iov[1].iov_base = w->data;
	iov[1].iov_len = w->len;
	if (big_len > 0) {
		iov[2].iov_base = (void *)big;
		iov[2].iov_len = big_len;
		n = 3;
	}
	h.len = (uint32_t)(w->len + big_len);
	h.seq = j->written_seq + 1;
	if ((rc = journal_checksum(h.seq, 0, iov + 1, n - 1, &h.sum)) != SS_OK) {
		ss_error_set(&j->err, rc, "checksum failed");
		goto out;
	}
	journal_rec_encode(hdr, &h);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	if ((rc = write_all(j, iov, n, sizeof(hdr) + h.len)) == SS_OK)
		j->written_seq = h.seq;
out:
	buf_writer_free(w);
	return rc;
}

/* The outcome of an append as the store's log reports it. */
static int
logged(struct journal *j, int rc, uint64_t *seq, struct ss_error *e)
{
	if (rc == SS_OK)
		*seq = j->written_seq;
	else if (e != NULL)
		*e = j->err;
	return rc;
}

static int
log_create(void *ctx, const struct session *se, uint64_t *seq,
    struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_CREATE);
	disk_put_params(&w, &se->p, se->digest);
	buf_put_u64(&w, se->created_unix);
	buf_put_u64(&w, se->deadline_unix);
	buf_put_string(&w, se->creator);
	return logged(ctx, append(ctx, &w, NULL, 0), seq, e);
}

static int
log_submit(void *ctx, const struct session *se, uint32_t sender,
    const uint8_t *block, const struct held_statement *stmt, uint64_t *seq,
    struct ss_error *e)
{
	uint64_t bytes = (uint64_t)se->p.n * se->ct_len;
	struct buf_writer w;

	rec_start(&w, JREC_SUBMIT);
	buf_put_string(&w, se->p.id);
	buf_put_u32(&w, sender);
	disk_put_statement(&w, stmt);
	buf_put_u64(&w, bytes);
	return logged(ctx, append(ctx, &w, block, (size_t)bytes), seq, e);
}

static int
log_close(void *ctx, const struct session *se, uint64_t *seq,
    struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_CLOSE);
	buf_put_string(&w, se->p.id);
	return logged(ctx, append(ctx, &w, NULL, 0), seq, e);
}

/*
 * The values go as they lie on a little-endian host, without a copy the
 * size of the vector; a big-endian host writes a converted copy.
 */
static int
log_sumpoint(void *ctx, const struct session *se, uint32_t party,
    const uint64_t *values, const struct held_statement *stmt, uint64_t *seq,
    struct ss_error *e)
{
	struct journal *j = ctx;
	size_t bytes = (size_t)se->p.length * 8;
	struct buf_writer w;
	uint64_t *le;
	uint32_t i;
	int rc;

	rec_start(&w, JREC_SUMPOINT);
	buf_put_string(&w, se->p.id);
	buf_put_u32(&w, party);
	buf_put_u32(&w, se->p.length);
	disk_put_statement(&w, stmt);
	if (htole64(1) == 1)
		return logged(j, append(j, &w, values, bytes), seq, e);
	if ((le = malloc(bytes ? bytes : 1)) == NULL) {
		buf_writer_free(&w);
		ss_error_set(&j->err, SS_ERR_ALLOC, "out of memory");
		return logged(j, SS_ERR_ALLOC, seq, e);
	}
	for (i = 0; i < se->p.length; i++)
		le[i] = htole64(values[i]);
	rc = append(j, &w, le, bytes);
	free(le);
	return logged(j, rc, seq, e);
}

/* The entry whole: the signing certificate (none: length 0), then the key's. */
static int
log_key(void *ctx, const struct key_entry *k, uint64_t *seq,
    struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_KEY);
	buf_put_string(&w, k->name);
	if (k->der_len > UINT32_MAX || k->sign_len > UINT32_MAX) {
		buf_writer_free(&w);
		ss_error_set(&((struct journal *)ctx)->err, SS_ERR_TOO_LARGE,
		    "record too large");
		return logged(ctx, SS_ERR_TOO_LARGE, seq, e);
	}
	buf_put_u32(&w, k->sign_der != NULL ? (uint32_t)k->sign_len : 0);
	if (k->sign_der != NULL)
		buf_put(&w, k->sign_der, k->sign_len);
	buf_put_u32(&w, (uint32_t)k->der_len);
	return logged(ctx, append(ctx, &w, k->der, k->der_len), seq, e);
}

static int
log_cohort(void *ctx, const struct session *se, uint32_t party,
    const struct held_statement *stmt, uint64_t *seq, struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_COHORT);
	buf_put_string(&w, se->p.id);
	buf_put_u32(&w, party);
	disk_put_statement(&w, stmt);
	return logged(ctx, append(ctx, &w, NULL, 0), seq, e);
}

static int
log_conflict(void *ctx, const struct session *se, uint32_t party,
    enum statement_type type, const struct held_statement *second,
    uint64_t *seq, struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_CONFLICT);
	buf_put_string(&w, se->p.id);
	buf_put_u32(&w, party);
	buf_put_u8(&w, (uint8_t)type);
	disk_put_statement(&w, second);
	return logged(ctx, append(ctx, &w, NULL, 0), seq, e);
}

static int
log_drop(void *ctx, const struct session *se, int reason, const char *by,
    uint64_t now, uint64_t *seq, struct ss_error *e)
{
	struct buf_writer w;

	rec_start(&w, JREC_DELETE);
	buf_put_string(&w, se->p.id);
	buf_put_u8(&w, (uint8_t)reason);
	buf_put_string(&w, by);
	buf_put_u64(&w, now);
	return logged(ctx, append(ctx, &w, NULL, 0), seq, e);
}

static const struct store_log_ops journal_log_ops = {
	log_create, log_submit, log_close, log_sumpoint, log_key, log_cohort,
	log_conflict, log_drop,
};

struct store_log
journal_store_log(struct journal *j)
{
	struct store_log log = { &journal_log_ops, j };

	return log;
}

/* ---- opening ------------------------------------------------------------- */

/* Replays the n segments v in order; what the newest held in *newest. */
static int
replay_all(struct journal *j, const struct journal_seg *v, size_t n,
    const struct journal_mark *mark, struct store *s,
    void (*logf)(const char *fmt, ...), struct journal_seg_state *newest,
    struct ss_error *e)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (journal_seg_path(j->path, sizeof(j->path), j->dir, &v[i]) != SS_OK)
			return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory "
			    "path too long");
		/* Segment N follows the records before it without a gap. */
		if (!v[i].legacy && v[i].first > s->journal_seq + 1)
			return ss_error_set(e, SS_ERR_INVALID, "journal %s starts "
			    "at record %llu but the records before it end at %llu "
			    "(a segment is missing); it was left in place", j->path,
			    (unsigned long long)v[i].first,
			    (unsigned long long)s->journal_seq);
		if ((rc = journal_replay_segment(j->path, &v[i], i + 1 == n, mark,
		    s, logf, newest, e)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

/*
 * Appends go on in the newest segment if it continues the records and is
 * of this version; else (none, journal.bin, a snapshot past its end, an
 * older version) in a new one, and what is there stays an older segment
 * until the next snapshot.
 */
static int
open_newest(struct journal *j, const struct journal_seg *v, size_t n,
    const struct store *s, struct journal_seg_state *newest, struct ss_error *e)
{
	int rc;

	if (n > 0 && !v[n - 1].legacy && newest->version == JOURNAL_VERSION &&
	    newest->last == s->journal_seq) {
		j->fd = newest->fd;
		newest->fd = -1;
		j->first_seq = v[n - 1].first;
		j->nold = (unsigned)(n - 1);
		j->end = (off_t)newest->good;
		return SS_OK;
	}
	if ((rc = journal_seg_create(j->dir, s->journal_seq + 1, &j->fd, j->path,
	    sizeof(j->path), e)) != SS_OK)
		return rc;
	j->first_seq = s->journal_seq + 1;
	j->nold = (unsigned)n;
	j->end = JOURNAL_FILE_HEADER;
	return SS_OK;
}

/*
 * Removes dir/NAME.tmp, what a writer of NAME killed mid-write leaves,
 * with a line saying so.
 */
static int
remove_leftover(const char *dir, const char *name,
    void (*logf)(const char *fmt, ...), struct ss_error *e)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s.tmp", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	if (unlink(path) == 0) {
		logf("removed %s, left by a write that never finished", path);
		return SS_OK;
	}
	if (errno == ENOENT)
		return SS_OK;
	return ss_error_set(e, SS_ERR_IO, "cannot remove the leftover %s: %s",
	    path, strerror(errno));
}

/*
 * Once appends may go on: the newest segment synced and the mark made anew
 * under this server's policy, so that what the replay read (perhaps from
 * the page cache of a killed server) is on disk before anything new is
 * answered.
 */
static int
mark_open(struct journal *j, enum journal_fsync policy, struct ss_error *e)
{
	/* Once per start: fsync, the file's metadata with it. */
	if (fsync(j->fd) != 0)
		return ss_error_set(e, SS_ERR_IO, "fsync of %s: %s", j->path,
		    strerror(errno));
	j->mark.first = j->first_seq;
	j->mark.off = (uint64_t)j->end;
	j->mark.seq = j->written_seq;
	j->mark.policy = (uint32_t)policy + 1;
	return journal_mark_create(j->dir, &j->mark, &j->mark_fd, e);
}

/* Reads and replays every segment, and opens the newest for appending. */
static int
open_segments(struct journal *j, const char *dir, struct store *s,
    void (*logf)(const char *fmt, ...), struct journal_seg_state *newest,
    struct ss_error *e)
{
	struct journal_seg *v = NULL;
	struct journal_mark mark;
	size_t n = 0;
	int rc;

	if ((rc = remove_leftover(dir, "journal.newest", logf, e)) != SS_OK ||
	    (rc = remove_leftover(dir, JOURNAL_MARK_FILE, logf, e)) != SS_OK ||
	    (rc = journal_mark_read(dir, &mark, e)) != SS_OK)
		return rc;
	if ((rc = journal_seg_list(dir, &v, &n, e)) == SS_OK &&
	    (rc = replay_all(j, v, n, &mark, s, logf, newest, e)) == SS_OK &&
	    (rc = journal_newest_check(dir, v, n, e)) == SS_OK)
		rc = open_newest(j, v, n, s, newest, e);
	free(v);
	return rc;
}

int
journal_open(struct journal **out, const char *dir, struct store *s,
    enum journal_fsync policy, void (*logf)(const char *fmt, ...),
    struct ss_error *e)
{
	struct journal_seg_state newest = { JOURNAL_FILE_HEADER, 0, 0, -1 };
	struct journal *j;
	int rc;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	j->fd = j->mark_fd = -1;
	if ((size_t)snprintf(j->dir, sizeof(j->dir), "%s", dir) >= sizeof(j->dir))
		rc = ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path too "
		    "long");
	else
		rc = open_segments(j, dir, s, logf, &newest, e);
	if (newest.fd >= 0)
		close(newest.fd);
	j->written_seq = j->synced_seq = s->journal_seq;
	if (rc == SS_OK)
		rc = mark_open(j, policy, e);
	if (rc != SS_OK) {
		journal_close(j);   /* no sync thread yet: closes what opened */
		return rc;
	}
	*out = j;
	return SS_OK;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	/* A thread that cannot be joined might still use fd: keep it open. */
	if (j->syncer != NULL && journal_syncer_stop(j->syncer) != SS_OK)
		return;
	if (j->fd >= 0)
		close(j->fd);
	if (j->mark_fd >= 0)
		close(j->mark_fd);
	free(j);
}

/* ---- what others need to know ------------------------------------------- */

const struct ss_error *
journal_error(const struct journal *j)
{
	return &j->err;
}

uint64_t
journal_written_seq(const struct journal *j)
{
	return j->written_seq;
}

uint64_t
journal_synced_seq(const struct journal *j)
{
	return j->synced_seq;
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}

int
journal_notify_fd(const struct journal *j)
{
	return j->syncer != NULL ? journal_syncer_notify_fd(j->syncer) : -1;
}

void
journal_fsync_latency(struct journal *j, struct metrics_histogram *out)
{
	if (j->syncer != NULL)
		journal_syncer_latency(j->syncer, out);
	else
		memset(out, 0, sizeof(*out));
}

int
journal_has_records(const struct journal *j)
{
	return j->end > JOURNAL_FILE_HEADER || j->nold > 0;
}

uint64_t
journal_segment_bytes(const struct journal *j)
{
	return j->end > 0 ? (uint64_t)j->end : 0;
}

/* ---- durability ---------------------------------------------------------- */

int
journal_sync_thread_start(struct journal *j, struct ss_error *e)
{
	return journal_syncer_start(&j->syncer, j->fd, j->written_seq,
	    j->mark_fd, &j->mark, e);
}

void
journal_sync_request(struct journal *j)
{
	if (j->syncer != NULL && j->synced_seq != j->written_seq)
		journal_syncer_request(j->syncer, j->written_seq,
		    (uint64_t)j->end);
}

int
journal_sync_poll(struct journal *j)
{
	uint64_t done = j->synced_seq;
	int sync_errno = 0;

	if (j->syncer == NULL)
		return SS_OK;
	if (journal_syncer_poll(j->syncer, &done, &sync_errno) != SS_OK)
		return ss_error_set(&j->err, SS_ERR_IO, "reading the journal "
		    "sync thread's eventfd: %s", strerror(errno));
	if (done > j->synced_seq)
		j->synced_seq = done;
	if (sync_errno != 0)
		return ss_error_set(&j->err, SS_ERR_IO, "fsync of %s: %s",
		    j->path, strerror(sync_errno));
	return SS_OK;
}

int
journal_sync(struct journal *j)
{
	uint64_t seq = j->written_seq;

	if (j->synced_seq == seq)
		return SS_OK;
	if (j->syncer != NULL) {
		journal_syncer_wait(j->syncer, seq, (uint64_t)j->end);
		return journal_sync_poll(j);
	}
	if (fdatasync(j->fd) != 0)
		return ss_error_set(&j->err, SS_ERR_IO, "fsync of %s: %s",
		    j->path, strerror(errno));
	j->mark.off = (uint64_t)j->end;
	j->mark.seq = seq;
	if (journal_mark_write(j->mark_fd, &j->mark) != SS_OK)
		return ss_error_set(&j->err, SS_ERR_IO, "writing %s/%s: %s",
		    j->dir, JOURNAL_MARK_FILE, strerror(errno));
	j->synced_seq = seq;
	return SS_OK;
}

/* ---- segments ------------------------------------------------------------ */

int
journal_start_segment(struct journal *j)
{
	char path[sizeof(j->path)];
	int fd, rc;

	if (j->end == JOURNAL_FILE_HEADER && j->first_seq == j->written_seq + 1)
		return SS_OK;
	/* A partial record the append could not cut must not stay behind. */
	if (j->broken) {
		if (ftruncate(j->fd, j->end) != 0)
			return ss_error_set(&j->err, SS_ERR_IO, "%s: a partial "
			    "record still cannot be removed: %s", j->path,
			    strerror(errno));
		j->broken = 0;
	}
	/*
	 * The old segment is synced before the new one exists, whatever the
	 * --fsync policy: after a power loss only the newest segment may end
	 * torn, and a torn older one would stop the start.
	 */
	if (j->written_seq != j->synced_seq && fdatasync(j->fd) != 0)
		return ss_error_set(&j->err, SS_ERR_IO, "fsync of %s: %s",
		    j->path, strerror(errno));
	if ((rc = journal_seg_create(j->dir, j->written_seq + 1, &fd, path,
	    sizeof(path), &j->err)) != SS_OK)
		return rc;
	/* Every record written is durable: synced above. */
	if (j->syncer != NULL)
		journal_syncer_switch(j->syncer, fd, j->written_seq,
		    j->written_seq + 1, JOURNAL_FILE_HEADER);
	j->mark.first = j->written_seq + 1;
	close(j->fd);
	j->fd = fd;
	memcpy(j->path, path, sizeof(path));
	j->first_seq = j->written_seq + 1;
	j->end = JOURNAL_FILE_HEADER;
	j->synced_seq = j->written_seq;
	j->nold++;
	return SS_OK;
}

/* Removes segment g of j->dir; on failure j->err says why. */
static int
remove_segment(struct journal *j, const struct journal_seg *g)
{
	char path[sizeof(j->path)];

	if (journal_seg_path(path, sizeof(path), j->dir, g) != SS_OK)
		return ss_error_set(&j->err, SS_ERR_TOO_LARGE, "state directory "
		    "path too long");
	if (unlink(path) != 0)
		return ss_error_set(&j->err, SS_ERR_IO, "cannot remove journal "
		    "%s: %s", path, strerror(errno));
	return SS_OK;
}

int
journal_remove_segments(struct journal *j, uint64_t seq)
{
	struct journal_seg *v = NULL;
	unsigned left = 0;
	size_t n, i;
	int rc;

	if ((rc = journal_seg_list(j->dir, &v, &n, &j->err)) != SS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (!v[i].legacy && v[i].first == j->first_seq)
			continue;   /* the newest, being appended to */
		/* Segment i ends where the next begins; stop at a failure. */
		if (i + 1 == n || v[i + 1].first > seq + 1 || rc != SS_OK ||
		    (rc = remove_segment(j, &v[i])) != SS_OK)
			left++;
	}
	free(v);
	j->nold = left;
	/* A removal that comes back after a crash is only read again: no harm. */
	if (disk_fsync_dir(j->dir) != SS_OK && rc == SS_OK)
		rc = ss_error_set(&j->err, SS_ERR_IO, "fsync of %s: %s", j->dir,
		    strerror(errno));
	return rc;
}
