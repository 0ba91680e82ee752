/*
 * journal_sync.c: the journal's fsync thread and its hand-over with the
 * event loop; see journal_sync.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "disk.h"
#include "err.h"
#include "journal_mark.h"
#include "journal_sync.h"

/*
 * Two threads use it: the loop, which made it and does everything else,
 * and the thread, which only runs fdatasync(2) on fd. Every field but
 * thread and notify_fd (set before the thread starts) is guarded by mu.
 */
struct journal_syncer {
	pthread_t thread;
	int notify_fd;          /* eventfd: readable after each fdatasync */
	pthread_mutex_t mu;
	pthread_cond_t work;    /* to the thread: want, fd or stop changed */
	pthread_cond_t idle;    /* from the thread: an fdatasync ended */
	int fd;                 /* loop: the file to sync, changed only when !busy */
	int mark_fd;            /* journal.synced, rewritten after each fdatasync */
	struct journal_mark mark;       /* its last contents; first: fd's segment */
	uint64_t want;          /* loop: make the records up to here durable */
	uint64_t want_off;      /* loop: the offset just past record want */
	uint64_t done;          /* thread (and switch): the records up to here are */
	int busy;               /* thread: inside fdatasync or the drop after */
	uint64_t dropped;       /* thread: fd's page cache dropped up to here */
	uint64_t page;          /* the page size */
	int sync_errno;         /* thread: a failed fdatasync, until poll takes it */
	int stop;               /* loop: the thread should end */
	struct metrics_histogram latency;   /* thread: each sync's time */
};

/*
 * The mutex and condition variables are only ever used correctly, so their
 * calls fail only on a corrupted struct: nothing to recover.
 */
static void
lock(struct journal_syncer *y)
{
	if (pthread_mutex_lock(&y->mu) != 0)
		abort();
}

static void
unlock(struct journal_syncer *y)
{
	if (pthread_mutex_unlock(&y->mu) != 0)
		abort();
}

static void
wait_on(struct journal_syncer *y, pthread_cond_t *cv)
{
	if (pthread_cond_wait(cv, &y->mu) != 0)
		abort();
}

static void
wake(pthread_cond_t *cv)
{
	if (pthread_cond_broadcast(cv) != 0)
		abort();
}

/*
 * After a sync of fd up to off: drops the pages before the one holding off
 * (the next records go on in it), as only a start reads the journal
 * (disk_drop_cached); after a failed one (synced 0), nothing. Then the
 * thread is idle again. Runs after the sync is reported, so that no answer
 * waits for it, and before busy clears, so that fd is still open.
 */
static void
drop_synced(struct journal_syncer *y, int fd, int synced, uint64_t off)
{
	uint64_t from = y->dropped;     /* only the thread changes it while busy */

	if (synced && off > from) {
		disk_drop_cached(fd, from, off);
		from = off - off % y->page;
	}
	lock(y);
	y->dropped = from;
	y->busy = 0;
	wake(&y->idle);
	unlock(y);
}

/*
 * One fdatasync of fd for the records up to target (ending at off), then
 * the mark saying so, outside the mutex: the records count as durable, and
 * their answers may go, only once the mark is on disk too.
 */
static void
sync_once(struct journal_syncer *y, uint64_t target, uint64_t off, int fd)
{
	struct timespec t0, t1;
	struct journal_mark m = y->mark;
	uint64_t one = 1;
	int rc, e;

	y->busy = 1;
	unlock(y);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = fdatasync(fd);
	if (rc == 0) {
		m.off = off;
		m.seq = target;
		rc = journal_mark_write(y->mark_fd, &m) == SS_OK ? 0 : -1;
	}
	e = errno;
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	lock(y);
	y->mark.gen = m.gen;
	metrics_observe(&y->latency, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (rc != 0)
		y->sync_errno = e != 0 ? e : EIO;
	else if (target > y->done)
		y->done = target;
	wake(&y->idle);
	unlock(y);
	if (write(y->notify_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		/*
		 * Only at a counter of 2^64 - 1, never reached; and the loop
		 * polls at each tick as well.
		 */
	}
	drop_synced(y, fd, rc == 0, off);
	lock(y);
}

/* The thread: one fdatasync for everything asked for so far, then the next. */
static void *
sync_main(void *arg)
{
	struct journal_syncer *y = arg;

	lock(y);
	for (;;) {
		/* After a failure, nothing more until the loop has taken it. */
		while (!y->stop && (y->want <= y->done || y->sync_errno != 0))
			wait_on(y, &y->work);
		if (y->stop)
			break;
		sync_once(y, y->want, y->want_off, y->fd);
	}
	unlock(y);
	return NULL;
}

/* Makes the synchronisation objects; SS_ERR_INTERNAL with errno-style *err. */
static int
init_sync(struct journal_syncer *y, int *err)
{
	if ((*err = pthread_mutex_init(&y->mu, NULL)) != 0)
		return SS_ERR_INTERNAL;
	if ((*err = pthread_cond_init(&y->work, NULL)) != 0) {
		(void)pthread_mutex_destroy(&y->mu);
		return SS_ERR_INTERNAL;
	}
	if ((*err = pthread_cond_init(&y->idle, NULL)) != 0) {
		(void)pthread_cond_destroy(&y->work);
		(void)pthread_mutex_destroy(&y->mu);
		return SS_ERR_INTERNAL;
	}
	return SS_OK;
}

static void
destroy_sync(struct journal_syncer *y)
{
	(void)pthread_cond_destroy(&y->idle);
	(void)pthread_cond_destroy(&y->work);
	(void)pthread_mutex_destroy(&y->mu);
}

/* Starts sync_main with every signal blocked; 0 or an errno. */
static int
spawn(struct journal_syncer *y)
{
	sigset_t all, old;
	int rc;

	/* Signals are the loop's business: the thread blocks them all. */
	if (sigfillset(&all) != 0)
		return EINVAL;
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0)
		return rc;
	rc = pthread_create(&y->thread, NULL, sync_main, y);
	if (pthread_sigmask(SIG_SETMASK, &old, NULL) != 0)
		abort();   /* cannot fail with the set it returned; SIGTERM would be lost */
	return rc;
}

int
journal_syncer_start(struct journal_syncer **out, int fd, uint64_t seq,
    int mark_fd, const struct journal_mark *mark, struct ss_error *e)
{
	struct journal_syncer *y;
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if ((y = calloc(1, sizeof(*y))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	y->fd = fd;
	y->page = page > 0 ? (uint64_t)page : 4096;
	y->mark_fd = mark_fd;
	y->mark = *mark;
	y->want = y->done = seq;
	y->want_off = mark->off;
	if ((y->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		err = errno;
		free(y);
		return ss_error_set(e, SS_ERR_IO, "eventfd: %s", strerror(err));
	}
	if (init_sync(y, &err) == SS_OK) {
		if ((err = spawn(y)) == 0) {
			*out = y;
			return SS_OK;
		}
		destroy_sync(y);
	}
	close(y->notify_fd);
	free(y);
	return ss_error_set(e, SS_ERR_INTERNAL, "cannot start the journal's "
	    "sync thread: %s", strerror(err));
}

int
journal_syncer_stop(struct journal_syncer *y)
{
	lock(y);
	y->stop = 1;
	wake(&y->work);
	unlock(y);
	if (pthread_join(y->thread, NULL) != 0)
		return SS_ERR_INTERNAL;
	destroy_sync(y);
	close(y->notify_fd);
	free(y);
	return SS_OK;
}

void
journal_syncer_latency(struct journal_syncer *y, struct metrics_histogram *out)
{
	lock(y);
	*out = y->latency;
	unlock(y);
}

int
journal_syncer_notify_fd(const struct journal_syncer *y)
{
	return y->notify_fd;
}

void
journal_syncer_request(struct journal_syncer *y, uint64_t seq, uint64_t off)
{
	lock(y);
	if (y->want < seq) {
		y->want = seq;
		y->want_off = off;
	}
	if (y->want > y->done)
		wake(&y->work);
	unlock(y);
}

void
journal_syncer_wait(struct journal_syncer *y, uint64_t seq, uint64_t off)
{
	journal_syncer_request(y, seq, off);
	lock(y);
	/* And for the drop after it: the caller may close or read fd next. */
	while ((y->done < seq || y->busy) && y->sync_errno == 0)
		wait_on(y, &y->idle);
	unlock(y);
}

int
journal_syncer_poll(struct journal_syncer *y, uint64_t *done, int *sync_errno)
{
	uint64_t n;

	/* Only re-arms the event (EAGAIN: nothing new); the news is under the mutex. */
	if (read(y->notify_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return SS_ERR_IO;
	lock(y);
	*done = y->done;
	*sync_errno = y->sync_errno;
	y->sync_errno = 0;
	unlock(y);
	return SS_OK;
}

void
journal_syncer_switch(struct journal_syncer *y, int fd, uint64_t seq,
    uint64_t first, uint64_t off)
{
	lock(y);
	/* No fdatasync may run on the old file once it is closed. */
	while (y->busy)
		wait_on(y, &y->idle);
	y->fd = fd;
	y->dropped = 0;
	y->mark.first = first;
	if (y->want < seq) {
		y->want = seq;
		y->want_off = off;
	}
	if (y->done < seq)
		y->done = seq;
	unlock(y);
}
