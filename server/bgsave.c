/*
 * bgsave.c: the snapshot's child process: forking it, what it does, reaping
 * it and reading why it failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bgsave.h"
#include "log.h"
#include "snapshot.h"

/* Closes every descriptor but keep: the child must not hold sockets open. */
static void
close_other_fds(int keep)
{
	long max, fd;

	if ((keep <= 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < (max > 0 ? max : 65536); fd++)
		if (fd != keep)
			(void)close((int)fd);
}

/*
 * The child: only writes the snapshot and says why it failed, through fd.
 * No libevent, TLS, journal mutex or stdio of the parent's; _exit, so that
 * no atexit handler or buffer of the parent's runs twice.
 */
static void __attribute__((noreturn))
bgsave_child(const struct store *s, const char *dir, int fd, pid_t parent)
{
	struct ss_error e;
	size_t len;
	int rc;

	/* libevent's handlers would write to its socketpair, closed below. */
	if (signal(SIGTERM, SIG_DFL) == SIG_ERR || signal(SIGINT, SIG_DFL) == SIG_ERR ||
	    signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		_exit(3);
	/*
	 * A child outliving the server could rename its snapshot over a newer
	 * one that a restarted server wrote after removing the segments this
	 * one needs: it dies with its parent.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(3);
	/* The listening socket would keep a restarted server off its port. */
	close_other_fds(fd);
	ss_error_clear(&e);
	rc = snapshot_write(s, dir, &e);
	if (rc != SS_OK && (len = strlen(e.msg)) > 0 &&
	    write(fd, e.msg, len) != (ssize_t)len)
		_exit(1);   /* the parent logs the exit status alone */
	_exit(rc == SS_OK ? 0 : 1);
}

int
bgsave_start(struct bgsave *b, const struct store *s, const char *dir,
    struct ss_error *e)
{
	pid_t parent = getpid(), pid = -1;
	int p[2] = { -1, -1 }, saved;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0)
		pid = fork();
	if (pid < 0) {
		/* ENOMEM with overcommit off, EAGAIN at a process limit. */
		saved = errno;
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return ss_error_set(e, SS_ERR_IO, "%s", strerror(saved));
	}
	if (pid == 0)
		bgsave_child(s, dir, p[1], parent);
	close(p[1]);
	b->pid = pid;
	b->fd = p[0];
	b->seq = s->journal_seq;
	b->version = s->version;
	return SS_OK;
}

int
bgsave_running(const struct bgsave *b)
{
	return b->pid > 0;
}

/* Forgets the reaped child; e (if not NULL) gets what it said, code unset. */
static void
bgsave_forget(struct bgsave *b, struct ss_error *e)
{
	char why[SS_ERROR_MSG_MAX];
	ssize_t n;

	n = read(b->fd, why, sizeof(why) - 1);
	why[n > 0 ? (size_t)n : 0] = '\0';
	if (e != NULL)
		memcpy(e->msg, why, sizeof(why));
	close(b->fd);
	b->fd = -1;
	b->pid = 0;
}

/* What an ended child's wait status and message say. */
static void
bgsave_outcome(int status, struct ss_error *e)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ss_error_clear(e);
		return;
	}
	e->code = SS_ERR_IO;
	if (e->msg[0] == '\0')
		ss_error_set(e, SS_ERR_IO, WIFSIGNALED(status) ? "its process "
		    "was killed by signal %d" : "its process exited with "
		    "status %d", WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
}

int
bgsave_reap(struct bgsave *b, struct bgsave_result *r)
{
	pid_t w;
	int st;

	if (b->pid <= 0)
		return 0;
	while ((w = waitpid(b->pid, &st, WNOHANG)) < 0 && errno == EINTR)
		;
	if (w == 0)
		return 0;
	if (w < 0) {
		/* ECHILD: not ours to wait for; nothing is known of its snapshot. */
		logmsg("snapshot process %ld: %s; its snapshot is not counted",
		    (long)b->pid, strerror(errno));
		bgsave_forget(b, NULL);
		return 0;
	}
	r->seq = b->seq;
	r->version = b->version;
	bgsave_forget(b, &r->err);
	bgsave_outcome(st, &r->err);
	return 1;
}

void
bgsave_kill(struct bgsave *b)
{
	int st;

	if (b->pid <= 0)
		return;
	(void)kill(b->pid, SIGKILL);
	while (waitpid(b->pid, &st, 0) < 0 && errno == EINTR)
		;
	bgsave_forget(b, NULL);
}
