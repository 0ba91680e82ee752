/*
 * journal.c: appending, syncing, replaying and rotating the journal.
 *
 * Segment layout (integers big-endian), each journal.<N>.bin and the older
 * servers' journal.bin alike:
 *   "SSUMJRNL" u32 version
 *   records: u32 payload length, u64 sequence number, u64 checksum
 *   (XXH3-64, seed 0, over the 8-byte sequence number then the payload),
 *   payload.
 * This is version 3 (JOURNAL_VERSION). Version 1 had the first 8 bytes of
 * SHA-256 in place of XXH3-64; version 2, never released, had big-endian
 * sumpoint values. A journal of another version holding records is refused,
 * naming the file; an older one that holds no record (as a clean stop
 * leaves it) is read as empty and removed by the next snapshot.
 * Payloads start with a type byte:
 *   1 create:   str id, u32 n, n * str party, u32 threshold, u32 length,
 *               u32 decimals, u32 deadline_seconds, u64 created, u64 deadline
 *   2 submit:   str id, u32 sender index, u64 bytes, the sender's n sealed
 *               shares in recipient order
 *   3 close:    str id (the sharing deadline passed)
 *   4 sumpoint: str id, u32 party index, u32 L, L * u64 little-endian (the
 *               values' in-memory form on the usual host: written as they
 *               are, without a copy the size of the vector)
 *   5 key:      str name, u32 bytes, DER certificate
 * where str is u32 length + bytes, as in the snapshot.
 *
 * Segment N's first record is N, and its records run on without a gap; the
 * next segment starts where it ends. Only the newest segment is appended to,
 * so only it may end in a torn record.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <xxhash.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "journal.h"
#include "snapshot.h"

#define MAGIC        "SSUMJRNL"
#define MAGIC_LEN    8
#define VERSION      JOURNAL_VERSION
#define FILE_HEADER  (MAGIC_LEN + 4)
#define REC_HEADER   (4 + 8 + 8)
#define SUM_LEN      8
/* Largest payload a record may claim: a submission of the largest frame. */
#define MAX_PAYLOAD  (UINT32_MAX - 1)

enum rec_type {
	REC_CREATE = 1,
	REC_SUBMIT = 2,
	REC_CLOSE = 3,
	REC_SUMPOINT = 4,
	REC_KEY = 5,
};

/* ---- encoding -------------------------------------------------------- */

/* The small fields of a record, built before the big ones are added by reference. */
struct rec {
	uint8_t *p;
	size_t len, cap;
	int failed;
};

static void
rec_put(struct rec *r, const void *data, size_t n)
{
	uint8_t *np;
	size_t cap;

	if (r->failed)
		return;
	if (r->len + n > r->cap) {
		cap = r->cap ? r->cap : 256;
		while (cap < r->len + n)
			cap *= 2;
		if ((np = realloc(r->p, cap)) == NULL) {
			r->failed = 1;
			return;
		}
		r->p = np;
		r->cap = cap;
	}
	memcpy(r->p + r->len, data, n);
	r->len += n;
}

static void
rec_u8(struct rec *r, uint8_t v)
{
	rec_put(r, &v, 1);
}

static void
rec_u32(struct rec *r, uint32_t v)
{
	uint8_t b[4];

	buf_store_u32_be(b, v);
	rec_put(r, b, 4);
}

static void
rec_u64(struct rec *r, uint64_t v)
{
	uint8_t b[8];

	buf_store_u64_be(b, v);
	rec_put(r, b, 8);
}

static void
rec_str(struct rec *r, const char *s)
{
	size_t n = strlen(s);

	rec_u32(r, (uint32_t)n);
	rec_put(r, s, n);
}

/*
 * The record checksum guards against torn writes and media corruption, not
 * an adversary: whoever can write the state directory can rewrite any
 * checksum too. So a fast non-cryptographic hash does; SHA-256 here was 16 %
 * of the server's CPU on the upload path.
 */
static int
checksum(uint64_t seq, const struct iovec *parts, int nparts, uint8_t out[SUM_LEN])
{
	XXH3_state_t *st;
	uint8_t seqb[8];
	int i, ok;

	buf_store_u64_be(seqb, seq);
	if ((st = XXH3_createState()) == NULL)
		return SS_ERR_ALLOC;
	ok = XXH3_64bits_reset(st) == XXH_OK &&
	    XXH3_64bits_update(st, seqb, sizeof(seqb)) == XXH_OK;
	for (i = 0; ok && i < nparts; i++)
		ok = XXH3_64bits_update(st, parts[i].iov_base, parts[i].iov_len) == XXH_OK;
	if (ok)
		buf_store_u64_be(out, XXH3_64bits_digest(st));
	(void)XXH3_freeState(st);
	return ok ? SS_OK : SS_ERR_INTERNAL;
}

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
			snprintf(j->last_error, sizeof(j->last_error), "%s: %s",
			    j->path, strerror(e));
			if (ftruncate(j->fd, j->end) != 0) {
				j->broken = 1;
				snprintf(j->last_error, sizeof(j->last_error),
				    "%s: %s, and a partial record could not be "
				    "removed", j->path, strerror(e));
			}
			return SS_ERR_IO;
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

/* Appends one record made of the small fields in r and an optional big part. */
static int
append(struct journal *j, struct rec *r, const void *big, size_t big_len)
{
	uint8_t hdr[REC_HEADER];
	struct iovec iov[3];
	uint64_t seq = j->written_seq + 1;
	size_t payload;
	int rc, n = 2;

	if (r->failed) {
		snprintf(j->last_error, sizeof(j->last_error), "out of memory");
		rc = SS_ERR_ALLOC;
		goto out;
	}
	if (j->broken) {
		rc = SS_ERR_IO;
		goto out;
	}
	payload = r->len + big_len;
	if (payload > MAX_PAYLOAD) {
		snprintf(j->last_error, sizeof(j->last_error), "record too large");
		rc = SS_ERR_TOO_LARGE;
		goto out;
	}
	iov[1].iov_base = r->p;
	iov[1].iov_len = r->len;
	if (big_len > 0) {
		iov[2].iov_base = (void *)big;
		iov[2].iov_len = big_len;
		n = 3;
	}
	buf_store_u32_be(hdr, (uint32_t)payload);
	buf_store_u64_be(hdr + 4, seq);
	if ((rc = checksum(seq, iov + 1, n - 1, hdr + 12)) != SS_OK) {
		snprintf(j->last_error, sizeof(j->last_error), "checksum failed");
		goto out;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	if ((rc = write_all(j, iov, n, sizeof(hdr) + payload)) == SS_OK)
		j->written_seq = seq;
out:
	free(r->p);
	return rc;
}

int
journal_log_create(struct journal *j, const struct session *se)
{
	struct rec r = { NULL, 0, 0, 0 };
	uint32_t i;

	rec_u8(&r, REC_CREATE);
	rec_str(&r, se->p.id);
	rec_u32(&r, se->p.n);
	for (i = 0; i < se->p.n; i++)
		rec_str(&r, se->p.parties[i]);
	rec_u32(&r, se->p.threshold);
	rec_u32(&r, se->p.length);
	rec_u32(&r, se->p.decimals);
	rec_u32(&r, se->p.deadline_seconds);
	rec_u64(&r, se->created_unix);
	rec_u64(&r, se->deadline_unix);
	return append(j, &r, NULL, 0);
}

int
journal_log_submit(struct journal *j, const struct session *se,
    uint32_t sender, const uint8_t *block)
{
	struct rec r = { NULL, 0, 0, 0 };
	uint64_t bytes = (uint64_t)se->p.n * se->ct_len;

	rec_u8(&r, REC_SUBMIT);
	rec_str(&r, se->p.id);
	rec_u32(&r, sender);
	rec_u64(&r, bytes);
	return append(j, &r, block, (size_t)bytes);
}

int
journal_log_close(struct journal *j, const struct session *se)
{
	struct rec r = { NULL, 0, 0, 0 };

	rec_u8(&r, REC_CLOSE);
	rec_str(&r, se->p.id);
	return append(j, &r, NULL, 0);
}

int
journal_log_sumpoint(struct journal *j, const struct session *se,
    uint32_t party, const uint64_t *values)
{
	struct rec r = { NULL, 0, 0, 0 };
	size_t bytes = (size_t)se->p.length * 8;
	uint64_t *le;
	uint32_t e;
	int rc;

	rec_u8(&r, REC_SUMPOINT);
	rec_str(&r, se->p.id);
	rec_u32(&r, party);
	rec_u32(&r, se->p.length);
	if (htole64(1) == 1)    /* a little-endian host: the array as it is */
		return append(j, &r, (const uint8_t *)values, bytes);
	if ((le = malloc(bytes ? bytes : 1)) == NULL) {
		free(r.p);
		snprintf(j->last_error, sizeof(j->last_error), "out of memory");
		return SS_ERR_ALLOC;
	}
	for (e = 0; e < se->p.length; e++)
		le[e] = htole64(values[e]);
	rc = append(j, &r, le, bytes);
	free(le);
	return rc;
}

int
journal_log_key(struct journal *j, const char *name, const uint8_t *der,
    size_t der_len)
{
	struct rec r = { NULL, 0, 0, 0 };

	rec_u8(&r, REC_KEY);
	rec_str(&r, name);
	rec_u32(&r, (uint32_t)der_len);
	return append(j, &r, der, der_len);
}

/* ---- durability ------------------------------------------------------ */

/*
 * The mutex and condition variables are only ever used correctly, so their
 * calls fail only on a corrupted journal struct: nothing to recover.
 */
static void
lock(struct journal *j)
{
	if (pthread_mutex_lock(&j->mu) != 0)
		abort();
}

static void
unlock(struct journal *j)
{
	if (pthread_mutex_unlock(&j->mu) != 0)
		abort();
}

static void
wait_on(struct journal *j, pthread_cond_t *cv)
{
	if (pthread_cond_wait(cv, &j->mu) != 0)
		abort();
}

static void
wake(pthread_cond_t *cv)
{
	if (pthread_cond_broadcast(cv) != 0)
		abort();
}

/*
 * The sync thread: one fdatasync for everything the loop has asked for so
 * far, then the next. It touches nothing of j outside the mutex; the fd it
 * syncs is taken under it, and the loop changes or closes it only while
 * the thread is not busy (journal_start_segment, journal_close).
 */
static void *
sync_main(void *arg)
{
	struct journal *j = arg;
	uint64_t target, one = 1;
	int rc, e, fd;

	lock(j);
	for (;;) {
		/* After a failure, nothing more until the loop has taken it. */
		while (!j->stop && (j->want <= j->done || j->sync_errno != 0))
			wait_on(j, &j->work);
		if (j->stop)
			break;
		target = j->want;
		fd = j->fd;
		j->busy = 1;
		unlock(j);
		rc = fdatasync(fd);
		e = errno;
		lock(j);
		j->busy = 0;
		if (rc != 0)
			j->sync_errno = e != 0 ? e : EIO;
		else if (target > j->done)
			j->done = target;
		wake(&j->idle);
		unlock(j);
		if (write(j->notify_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
			/*
			 * Only at a counter of 2^64 - 1, never reached; and the
			 * loop polls at each tick as well (journal_sync_poll).
			 */
		}
		lock(j);
	}
	unlock(j);
	return NULL;
}

int
journal_sync_thread_start(struct journal *j, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	j->want = j->done = j->written_seq;
	j->busy = j->sync_errno = j->stop = 0;
	if ((j->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return SS_ERR_IO;
	}
	if ((rc = pthread_mutex_init(&j->mu, NULL)) != 0)
		goto fail_fd;
	if ((rc = pthread_cond_init(&j->work, NULL)) != 0)
		goto fail_mu;
	if ((rc = pthread_cond_init(&j->idle, NULL)) != 0)
		goto fail_work;
	/* Signals are the loop's business: the thread blocks them all. */
	if (sigfillset(&all) != 0 ||
	    (rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0) {
		rc = rc != 0 ? rc : EINVAL;
		goto fail_idle;
	}
	rc = pthread_create(&j->thread, NULL, sync_main, j);
	if (pthread_sigmask(SIG_SETMASK, &old, NULL) != 0)
		abort();   /* cannot fail with the set it returned; SIGTERM would be lost */
	if (rc != 0)
		goto fail_idle;
	j->thread_running = 1;
	return SS_OK;
fail_idle:
	(void)pthread_cond_destroy(&j->idle);
fail_work:
	(void)pthread_cond_destroy(&j->work);
fail_mu:
	(void)pthread_mutex_destroy(&j->mu);
fail_fd:
	snprintf(err, errlen, "cannot start the journal's sync thread: %s",
	    strerror(rc));
	close(j->notify_fd);
	j->notify_fd = -1;
	return SS_ERR_INTERNAL;
}

/*
 * Asks for the records up to seq. The thread is woken even when it was
 * asked for them before: after a failed fdatasync (taken by the loop since)
 * it waits for a new request before it tries again.
 */
static void
ask(struct journal *j, uint64_t seq)
{
	lock(j);
	if (j->want < seq)
		j->want = seq;
	if (j->want > j->done)
		wake(&j->work);
	unlock(j);
}

void
journal_sync_request(struct journal *j)
{
	if (!j->thread_running || j->synced_seq == j->written_seq)
		return;
	ask(j, j->written_seq);
}

int
journal_sync_poll(struct journal *j)
{
	uint64_t done, n;
	int e;

	if (!j->thread_running)
		return SS_OK;
	/* Only re-arms the event (EAGAIN: nothing new); the news is under the mutex. */
	if (read(j->notify_fd, &n, sizeof(n)) < 0 && errno != EAGAIN) {
		snprintf(j->last_error, sizeof(j->last_error), "reading the journal "
		    "sync thread's eventfd: %s", strerror(errno));
		return SS_ERR_IO;
	}
	lock(j);
	done = j->done;
	e = j->sync_errno;
	j->sync_errno = 0;
	unlock(j);
	if (done > j->synced_seq)
		j->synced_seq = done;
	if (e != 0) {
		snprintf(j->last_error, sizeof(j->last_error), "fsync of %s: %s",
		    j->path, strerror(e));
		return SS_ERR_IO;
	}
	return SS_OK;
}

int
journal_sync(struct journal *j)
{
	uint64_t seq = j->written_seq;

	if (j->synced_seq == seq)
		return SS_OK;
	if (j->thread_running) {
		ask(j, seq);
		lock(j);
		while (j->done < seq && j->sync_errno == 0)
			wait_on(j, &j->idle);
		unlock(j);
		return journal_sync_poll(j);
	}
	if (fdatasync(j->fd) != 0) {
		snprintf(j->last_error, sizeof(j->last_error), "fsync of %s: %s",
		    j->path, strerror(errno));
		return SS_ERR_IO;
	}
	j->synced_seq = seq;
	return SS_OK;
}

/* ---- segments -------------------------------------------------------- */

/* One journal file in the state directory. */
struct seg {
	uint64_t first;         /* from the name; 0 for journal.bin */
	int legacy;             /* journal.bin of a server before segments */
};

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->legacy != y->legacy)
		return x->legacy ? -1 : 1;   /* journal.bin is the oldest */
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Whether name is journal.<20 digits>.bin; its number in *first. */
static int
seg_parse(const char *name, uint64_t *first)
{
	const size_t pre = 8, digits = 20;
	uint64_t v = 0;
	size_t i;

	if (strlen(name) != pre + digits + 4 || strncmp(name, "journal.", pre) != 0 ||
	    strcmp(name + pre + digits, ".bin") != 0)
		return 0;
	for (i = pre; i < pre + digits; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*first = v;
	return 1;
}

static int
seg_path(char *buf, size_t len, const char *dir, const struct seg *g)
{
	int n;

	if (g->legacy)
		n = snprintf(buf, len, "%s/%s", dir, JOURNAL_FILE);
	else
		n = snprintf(buf, len, "%s/" JOURNAL_SEGMENT_FMT, dir,
		    (unsigned long long)g->first);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Every journal file in dir, oldest first, in a malloc'd array. */
static int
seg_list(const char *dir, struct seg **out, size_t *n, char *err, size_t errlen)
{
	struct seg *v = NULL, *nv;
	struct dirent *de;
	size_t cap = 0;
	uint64_t first;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(errno));
		return SS_ERR_IO;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		int legacy = strcmp(de->d_name, JOURNAL_FILE) == 0;

		first = 0;
		if (!legacy && !seg_parse(de->d_name, &first))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				closedir(d);
				free(v);
				snprintf(err, errlen, "out of memory listing %s", dir);
				return SS_ERR_ALLOC;
			}
			v = nv;
		}
		v[*n].first = first;
		v[*n].legacy = legacy;
		(*n)++;
		errno = 0;
	}
	if (errno != 0) {
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(errno));
		closedir(d);
		free(v);
		return SS_ERR_IO;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), seg_cmp);
	*out = v;
	return SS_OK;
}

static void
file_header(uint8_t hdr[FILE_HEADER])
{
	memcpy(hdr, MAGIC, MAGIC_LEN);
	buf_store_u32_be(hdr + MAGIC_LEN, VERSION);
}

/*
 * Creates segment first in j->dir, its header and name on disk before any
 * record goes to it, so that a crash never leaves a newest segment that
 * lost records to a missing directory entry. Its path in path.
 */
static int
seg_create(const char *dir, uint64_t first, int *fdp, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	struct seg g = { first, 0 };
	uint8_t hdr[FILE_HEADER];
	int fd, e;

	if (seg_path(path, pathlen, dir, &g) != 0) {
		snprintf(err, errlen, "state directory path too long");
		return SS_ERR_TOO_LARGE;
	}
	file_header(hdr);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    0600)) < 0) {
		snprintf(err, errlen, "cannot create journal %s: %s", path,
		    strerror(errno));
		return SS_ERR_IO;
	}
	if (write(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr) ||
	    fsync(fd) != 0 || disk_fsync_dir(dir) != 0) {
		e = errno != 0 ? errno : ENOSPC;
		close(fd);
		(void)unlink(path);
		snprintf(err, errlen, "cannot write journal %s: %s", path, strerror(e));
		return SS_ERR_IO;
	}
	*fdp = fd;
	return SS_OK;
}

int
journal_has_records(const struct journal *j)
{
	return j->end > FILE_HEADER || j->nold > 0;
}

int
journal_start_segment(struct journal *j)
{
	char path[sizeof(j->path)];
	int fd, old;

	if (j->end == FILE_HEADER && j->first_seq == j->written_seq + 1)
		return SS_OK;
	/* A partial record the append could not cut must not stay behind. */
	if (j->broken) {
		if (ftruncate(j->fd, j->end) != 0) {
			snprintf(j->last_error, sizeof(j->last_error), "%s: a partial "
			    "record still cannot be removed: %s", j->path, strerror(errno));
			return SS_ERR_IO;
		}
		j->broken = 0;
	}
	if (seg_create(j->dir, j->written_seq + 1, &fd, path, sizeof(path),
	    j->last_error, sizeof(j->last_error)) != SS_OK)
		return SS_ERR_IO;
	/* No fdatasync may run on the old file once it is closed. */
	if (j->thread_running) {
		lock(j);
		while (j->busy)
			wait_on(j, &j->idle);
	}
	old = j->fd;
	j->fd = fd;
	if (j->thread_running) {
		if (j->done < j->written_seq)
			j->done = j->written_seq;   /* durable, as the caller made sure */
		unlock(j);
	}
	close(old);
	memcpy(j->path, path, sizeof(path));
	j->first_seq = j->written_seq + 1;
	j->end = FILE_HEADER;
	j->synced_seq = j->written_seq;
	j->nold++;
	return SS_OK;
}

int
journal_remove_segments(struct journal *j, uint64_t seq)
{
	char path[sizeof(j->path)], err[sizeof(j->last_error)];
	struct seg *v = NULL;
	size_t n, i;
	unsigned left = 0;
	int rc = SS_OK;

	if ((rc = seg_list(j->dir, &v, &n, err, sizeof(err))) != SS_OK) {
		memcpy(j->last_error, err, sizeof(err));
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (!v[i].legacy && v[i].first == j->first_seq)
			continue;   /* the newest, being appended to */
		/* Segment i ends where the next begins. */
		if (i + 1 == n || v[i + 1].first > seq + 1 || rc != SS_OK) {
			left++;
			continue;
		}
		if (seg_path(path, sizeof(path), j->dir, &v[i]) != 0 ||
		    unlink(path) != 0) {
			snprintf(j->last_error, sizeof(j->last_error), "cannot remove "
			    "journal %s: %s", path, strerror(errno));
			rc = SS_ERR_IO;
			left++;
		}
	}
	free(v);
	j->nold = left;
	/* A removal that comes back after a crash is only read again: no harm. */
	if (disk_fsync_dir(j->dir) != 0 && rc == SS_OK) {
		snprintf(j->last_error, sizeof(j->last_error), "fsync of %s: %s",
		    j->dir, strerror(errno));
		rc = SS_ERR_IO;
	}
	return rc;
}

/* ---- replay ---------------------------------------------------------- */

static int
replay_create(struct buf_reader *r, struct store *s, char *why, size_t whylen)
{
	struct session_params p;
	struct session *se;
	struct status st;
	uint64_t created, deadline, dl = 0;
	int rc, made = 0;

	if ((rc = snapshot_read_params(r, s->lim.max_parties, &p)) != SS_OK)
		return rc;
	if ((rc = buf_get_u64_be(r, &created)) != SS_OK ||
	    (rc = buf_get_u64_be(r, &deadline)) != SS_OK) {
		free(p.parties);
		return rc;
	}
	if ((store_create(s, p.parties[0], &p, created, &made,
	    &dl, &st) != ST_OK || !made || dl != deadline)) {
		snprintf(why, whylen, "session %s cannot be created again: %s",
		    p.id, st.code == ST_OK ? "it exists or its deadline differs" : st.msg);
		rc = SS_ERR_INVALID;
	}
	if (rc == SS_OK && (se = store_find(s, p.id)) != NULL)
		se->created_unix = created;
	free(p.parties);
	return rc;
}

/* Reads "str id" and finds the session. */
static int
replay_session(struct buf_reader *r, struct store *s, struct session **se,
    char *why, size_t whylen)
{
	char id[NAME_BUF];
	int rc;

	if ((rc = buf_get_string_be(r, id, sizeof(id))) != SS_OK)
		return rc;
	if ((*se = store_find(s, id)) == NULL) {
		snprintf(why, whylen, "no session %s", id);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

static int
replay_submit(struct buf_reader *r, struct store *s, char *why, size_t whylen)
{
	struct submitted_share *v;
	struct session *se;
	struct status st;
	const uint8_t *block;
	uint64_t bytes;
	uint32_t sender, i;
	int rc, dup;

	if ((rc = replay_session(r, s, &se, why, whylen)) != SS_OK ||
	    (rc = buf_get_u32_be(r, &sender)) != SS_OK ||
	    (rc = buf_get_u64_be(r, &bytes)) != SS_OK)
		return rc;
	if (sender >= se->p.n || bytes != (uint64_t)se->p.n * se->ct_len)
		return SS_ERR_INVALID;
	if ((rc = buf_get_bytes(r, (size_t)bytes, &block)) != SS_OK)
		return rc;
	if ((v = calloc(se->p.n, sizeof(*v))) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < se->p.n; i++) {
		v[i].recipient = se->p.parties[i];
		v[i].ct = block + (size_t)i * se->ct_len;
		v[i].ct_len = se->ct_len;
	}
	if (store_submit(s, se->p.parties[sender], se->p.id, se->p.parties[sender],
	    v, se->p.n, 0, &dup, &st) != ST_OK || dup) {
		snprintf(why, whylen, "shares of %s in %s cannot be applied: %s",
		    se->p.parties[sender], se->p.id, dup ? "duplicate" : st.msg);
		rc = SS_ERR_INVALID;
	}
	free(v);
	return rc;
}

static int
replay_close(struct buf_reader *r, struct store *s, char *why, size_t whylen)
{
	struct session *se;
	int rc;

	if ((rc = replay_session(r, s, &se, why, whylen)) != SS_OK)
		return rc;
	if (se->phase != PHASE_SHARING) {
		snprintf(why, whylen, "session %s is not sharing", se->p.id);
		return SS_ERR_INVALID;
	}
	store_close_sharing(s, se);
	return SS_OK;
}

static int
replay_sumpoint(struct buf_reader *r, struct store *s, char *why, size_t whylen)
{
	struct session *se;
	struct status st;
	uint64_t *vals;
	uint32_t party, L, e;
	int rc, dup;

	if ((rc = replay_session(r, s, &se, why, whylen)) != SS_OK ||
	    (rc = buf_get_u32_be(r, &party)) != SS_OK ||
	    (rc = buf_get_u32_be(r, &L)) != SS_OK)
		return rc;
	if (party >= se->p.n || L != se->p.length || buf_remaining(r) / 8 < L)
		return SS_ERR_INVALID;
	if ((vals = calloc(L, sizeof(*vals))) == NULL)
		return SS_ERR_ALLOC;
	for (e = 0; e < L; e++)
		if ((rc = buf_get_u64(r, &vals[e])) != SS_OK) {
			free(vals);
			return rc;
		}
	if (store_post_sumpoint(s, se->p.parties[party], se->p.id,
	    se->p.parties[party], vals, L, 0, &dup, &st) != ST_OK || dup) {
		snprintf(why, whylen, "sumpoint of %s in %s cannot be applied: %s",
		    se->p.parties[party], se->p.id, dup ? "duplicate" : st.msg);
		rc = SS_ERR_INVALID;
	}
	free(vals);
	return rc;
}

static int
replay_key(struct buf_reader *r, struct store *s, char *why, size_t whylen)
{
	char name[NAME_BUF];
	const uint8_t *der;
	struct status st;
	uint32_t len;
	int rc, replaced;

	if ((rc = buf_get_string_be(r, name, sizeof(name))) != SS_OK ||
	    (rc = buf_get_u32_be(r, &len)) != SS_OK ||
	    (rc = buf_get_bytes(r, len, &der)) != SS_OK)
		return rc;
	if (store_replace_key(s, name, der, len, &replaced, &st) != ST_OK) {
		snprintf(why, whylen, "key of %s cannot be applied: %s", name, st.msg);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

static int
apply(const uint8_t *payload, size_t len, struct store *s, char *why,
    size_t whylen)
{
	struct buf_reader r;
	uint8_t type;
	int rc;

	buf_reader_init(&r, payload, len);
	if ((rc = buf_get_u8(&r, &type)) != SS_OK)
		return rc;
	switch (type) {
	case REC_CREATE:   rc = replay_create(&r, s, why, whylen); break;
	case REC_SUBMIT:   rc = replay_submit(&r, s, why, whylen); break;
	case REC_CLOSE:    rc = replay_close(&r, s, why, whylen); break;
	case REC_SUMPOINT: rc = replay_sumpoint(&r, s, why, whylen); break;
	case REC_KEY:      rc = replay_key(&r, s, why, whylen); break;
	default:
		snprintf(why, whylen, "unknown record type %u", type);
		return SS_ERR_INVALID;
	}
	if (rc == SS_OK && buf_remaining(&r) != 0)
		rc = SS_ERR_INVALID;
	return rc;
}

/* Whether a valid record with sequence number want starts anywhere in d[from..len). */
static int
record_later(const uint8_t *d, size_t len, size_t from, uint64_t want)
{
	uint8_t sum[SUM_LEN];
	struct buf_reader r;
	struct iovec part;
	uint32_t plen;
	uint64_t seq;
	size_t o;

	for (o = from; o + REC_HEADER <= len; o++) {
		buf_reader_init(&r, d + o, len - o);
		if (buf_get_u32_be(&r, &plen) != SS_OK || buf_get_u64_be(&r, &seq) != SS_OK ||
		    seq != want || buf_remaining(&r) < SUM_LEN + (size_t)plen)
			continue;
		part.iov_base = (void *)(d + o + REC_HEADER);
		part.iov_len = plen;
		if (checksum(seq, &part, 1, sum) == SS_OK &&
		    memcmp(sum, d + o + 12, SUM_LEN) == 0)
			return 1;
	}
	return 0;
}

/*
 * Replays the records of segment path after s->journal_seq. Returns the
 * offset of the end of the last good record in *good and its sequence
 * number in *last (first - 1 if none); a torn last record is reported
 * through *torn. The first record must be first, unless first is 0
 * (journal.bin, whose name says nothing).
 */
static int
replay(const char *path, uint64_t first, const uint8_t *d, size_t len,
    struct store *s, size_t *good, uint64_t *lastp, int *torn, char *err,
    size_t errlen)
{
	size_t off = FILE_HEADER;
	uint8_t sum[SUM_LEN];
	char why[640];
	struct iovec part;
	uint32_t plen;
	uint64_t seq, last = s->journal_seq, prev = first > 0 ? first - 1 : 0;
	int rc;

	*torn = 0;
	while (off < len) {
		struct buf_reader r;
		const uint8_t *payload;

		buf_reader_init(&r, d + off, len - off);
		if (buf_get_u32_be(&r, &plen) != SS_OK || buf_get_u64_be(&r, &seq) != SS_OK ||
		    buf_remaining(&r) < SUM_LEN + (size_t)plen) {
			/*
			 * The file ends inside this record: a write cut short by a
			 * crash, unless a damaged length hides good records after it.
			 */
			if (record_later(d, len, off + 1,
			    (first > 0 ? prev : last) + 2)) {
				snprintf(err, errlen, "journal %s is damaged at offset "
				    "%zu (a record length runs past valid records); it "
				    "was left in place", path, off);
				return SS_ERR_CHECKSUM;
			}
			*torn = 1;
			break;
		}
		payload = d + off + REC_HEADER;
		part.iov_base = (void *)payload;
		part.iov_len = plen;
		if ((rc = checksum(seq, &part, 1, sum)) != SS_OK) {
			snprintf(err, errlen, "journal %s: checksum failed", path);
			return rc;
		}
		if (memcmp(sum, d + off + 12, SUM_LEN) != 0) {
			if (off + REC_HEADER + plen == len) {
				*torn = 1;   /* the last record, half written */
				break;
			}
			snprintf(err, errlen, "journal %s is damaged at offset %zu "
			    "(record checksum mismatch, with %zu bytes after it); "
			    "it was left in place", path, off,
			    len - off - REC_HEADER - plen);
			return SS_ERR_CHECKSUM;
		}
		if (first > 0 && seq != prev + 1) {
			/* A segment's records run on from its name, without a gap. */
			snprintf(err, errlen, "journal %s: record at offset %zu has "
			    "sequence %llu, expected %llu; it was left in place", path,
			    off, (unsigned long long)seq, (unsigned long long)prev + 1);
			return SS_ERR_INVALID;
		}
		if (seq > s->journal_seq) {
			if (seq != s->journal_seq + 1) {
				snprintf(err, errlen, "journal %s: record at offset %zu "
				    "has sequence %llu, expected %llu; it was left in "
				    "place", path, off, (unsigned long long)seq,
				    (unsigned long long)s->journal_seq + 1);
				return SS_ERR_INVALID;
			}
			why[0] = '\0';
			if ((rc = apply(payload, plen, s, why, sizeof(why))) != SS_OK) {
				snprintf(err, errlen, "journal %s: record %llu at offset "
				    "%zu cannot be applied (%s%s%s); it was left in place",
				    path, (unsigned long long)seq, off, ss_strerror(rc),
				    why[0] ? ": " : "", why);
				return rc;
			}
			s->journal_seq = seq;
		}
		last = prev = seq;
		off += REC_HEADER + plen;
	}
	*good = off;
	*lastp = prev;
	return SS_OK;
}

/* The version field of a whole file header. */
static uint32_t
file_version(const uint8_t *hdr)
{
	const uint8_t *v = hdr + MAGIC_LEN;

	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

/*
 * Reads segment g (the newest when newest), checks its header and replays
 * it; the newest keeps its fd open in *fdp, ready to append after *good.
 * A torn tail is cut in the newest segment only: anywhere else it would
 * hide the records of the segments after it.
 */
static int
read_segment(struct journal *j, const struct seg *g, int newest, struct store *s,
    void (*logf)(const char *fmt, ...), int *fdp, size_t *good, uint64_t *last,
    char *err, size_t errlen)
{
	uint8_t hdr[FILE_HEADER], *data = NULL;
	size_t len = 0;
	int torn = 0, rc, fd;

	*fdp = -1;
	if (seg_path(j->path, sizeof(j->path), j->dir, g) != 0) {
		snprintf(err, errlen, "state directory path too long");
		return SS_ERR_TOO_LARGE;
	}
	if ((fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open journal %s: %s", j->path, strerror(errno));
		return SS_ERR_IO;
	}
	if ((rc = disk_read_all(fd, &data, &len)) != SS_OK) {
		snprintf(err, errlen, "cannot read journal %s: %s", j->path, ss_strerror(rc));
		goto fail;
	}
	file_header(hdr);
	*good = FILE_HEADER;
	*last = g->first > 0 ? g->first - 1 : 0;
	if (newest && len < FILE_HEADER && memcmp(data, hdr, len) == 0) {
		/*
		 * A crash while the newest segment was made (or a journal.bin
		 * emptied before its header was written): it holds no record.
		 */
		if (ftruncate(fd, 0) != 0 || write(fd, hdr, sizeof(hdr)) !=
		    (ssize_t)sizeof(hdr) || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot write journal %s: %s", j->path,
			    strerror(errno != 0 ? errno : ENOSPC));
			rc = SS_ERR_IO;
			goto fail;
		}
	} else if (g->legacy && len == FILE_HEADER &&
	    memcmp(data, hdr, MAGIC_LEN) == 0 && file_version(data) >= 1 &&
	    file_version(data) < VERSION) {
		/*
		 * An older journal without a record is what a clean stop of a
		 * previous server leaves: nothing in it to read. It is not
		 * appended to, and goes with the next snapshot.
		 */
		logf("journal %s: version %u with no record; nothing to read",
		    j->path, (unsigned)file_version(data));
	} else if (len < FILE_HEADER || memcmp(data, hdr, MAGIC_LEN) != 0) {
		snprintf(err, errlen, "%s is not a secure-sum journal; it was left in place", j->path);
		rc = SS_ERR_INVALID;
		goto fail;
	} else if (memcmp(data + MAGIC_LEN, hdr + MAGIC_LEN, 4) != 0) {
		/* Never read as this version: the checksum differs, at least. */
		snprintf(err, errlen, "journal %s has an unsupported version (%u; "
		    "this server reads %u); it was left in place%s", j->path,
		    (unsigned)file_version(data), (unsigned)VERSION,
		    len == FILE_HEADER ? " (it holds no record: an old server's "
		    "clean stop snapshotted everything, so it may be removed)" : "");
		rc = SS_ERR_VERSION;
		goto fail;
	} else if ((rc = replay(j->path, g->first, data, len, s, good, last,
	    &torn, err, errlen)) != SS_OK) {
		goto fail;
	}
	if (torn && !newest) {
		snprintf(err, errlen, "journal %s is damaged at offset %zu (a "
		    "record cut short in a segment that is not the newest); it was "
		    "left in place", j->path, *good);
		rc = SS_ERR_CHECKSUM;
		goto fail;
	}
	if (torn) {
		logf("journal %s: cutting off a torn last record at offset %zu "
		    "(%zu bytes; a crash interrupted its write, so it was never "
		    "acknowledged)", j->path, *good, len - *good);
		if (ftruncate(fd, (off_t)*good) != 0 || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot cut journal %s: %s", j->path, strerror(errno));
			rc = SS_ERR_IO;
			goto fail;
		}
	}
	free(data);
	if (newest)
		*fdp = fd;
	else
		close(fd);
	return SS_OK;
fail:
	free(data);
	close(fd);
	return rc;
}

int
journal_open(struct journal *j, const char *dir, struct store *s,
    void (*logf)(const char *fmt, ...), char *err, size_t errlen)
{
	struct seg *v = NULL;
	size_t n = 0, i, good = FILE_HEADER;
	uint64_t last = 0;
	int rc, fd = -1;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->notify_fd = -1;
	if ((size_t)snprintf(j->dir, sizeof(j->dir), "%s", dir) >= sizeof(j->dir)) {
		snprintf(err, errlen, "state directory path too long");
		return SS_ERR_TOO_LARGE;
	}
	if ((rc = seg_list(dir, &v, &n, err, errlen)) != SS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		/* Segment N follows the records before it without a gap. */
		if (!v[i].legacy && v[i].first > s->journal_seq + 1) {
			(void)seg_path(j->path, sizeof(j->path), dir, &v[i]);
			snprintf(err, errlen, "journal %s starts at record %llu but the "
			    "records before it end at %llu (a segment is missing); it "
			    "was left in place", j->path, (unsigned long long)v[i].first,
			    (unsigned long long)s->journal_seq);
			rc = SS_ERR_INVALID;
			goto fail;
		}
		if ((rc = read_segment(j, &v[i], i + 1 == n, s, logf, &fd, &good,
		    &last, err, errlen)) != SS_OK)
			goto fail;
	}
	/*
	 * Appends go on in the newest segment if they continue it; else (none,
	 * journal.bin, or a snapshot past its end) in a new one, and what is
	 * there stays an older segment until the next snapshot.
	 */
	if (n > 0 && !v[n - 1].legacy && last == s->journal_seq) {
		j->fd = fd;
		j->first_seq = v[n - 1].first;
		j->nold = (unsigned)(n - 1);
	} else {
		if (fd >= 0)
			close(fd);
		fd = -1;
		if ((rc = seg_create(dir, s->journal_seq + 1, &j->fd, j->path,
		    sizeof(j->path), err, errlen)) != SS_OK)
			goto fail;
		j->first_seq = s->journal_seq + 1;
		j->nold = (unsigned)n;
		good = FILE_HEADER;
	}
	free(v);
	j->end = (off_t)good;
	j->written_seq = j->synced_seq = s->journal_seq;
	return SS_OK;
fail:
	free(v);
	if (fd >= 0)
		close(fd);
	j->fd = -1;
	return rc;
}

void
journal_close(struct journal *j)
{
	if (j->thread_running) {
		lock(j);
		j->stop = 1;
		wake(&j->work);
		unlock(j);
		/* A thread that cannot be joined might still use fd: keep it open. */
		if (pthread_join(j->thread, NULL) != 0)
			return;
		j->thread_running = 0;
		(void)pthread_cond_destroy(&j->idle);
		(void)pthread_cond_destroy(&j->work);
		(void)pthread_mutex_destroy(&j->mu);
		close(j->notify_fd);
		j->notify_fd = -1;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}
