/*
 * statelock.c: the state folder's lock. flock(2) rather than a pid file
 * alone: the kernel drops the lock when the holder dies however it dies,
 * so a stale file never keeps a server out. The lock belongs to the open
 * file description: the snapshot's forked child inherits a duplicate and
 * closes it without releasing anything (only LOCK_UN, never called here,
 * or the last close would), and O_CLOEXEC keeps it out of exec'd programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statelock.h"

/* The pid the holder wrote, as text, or "unknown" if none can be read. */
static void
read_holder(int fd, char *pid, size_t len)
{
	ssize_t n;
	size_t i;

	n = pread(fd, pid, len - 1, 0);
	if (n <= 0) {
		(void)snprintf(pid, len, "unknown");
		return;
	}
	pid[n] = '\0';
	for (i = 0; i < (size_t)n; i++) {
		if (pid[i] < '0' || pid[i] > '9') {
			pid[i] = '\0';
			break;
		}
	}
	if (pid[0] == '\0')
		(void)snprintf(pid, len, "unknown");
}

/* Replaces the file's contents with our pid, for the next server's message. */
static int SS_WUR
write_pid(int fd, const char *path, struct ss_error *e)
{
	char text[32];
	int n;

	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (n <= 0 || (size_t)n >= sizeof(text) || ftruncate(fd, 0) != 0 ||
	    pwrite(fd, text, (size_t)n, 0) != (ssize_t)n)
		return ss_error_set(e, SS_ERR_IO, "cannot write the pid into %s: %s",
		    path, strerror(errno));
	return SS_OK;
}

int
statelock_take(const char *dir, int *fd, struct ss_error *e)
{
	char path[4096], pid[24];
	int n, lfd;

	*fd = -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return ss_error_set(e, SS_ERR_IO, "cannot create state directory "
		    "%s: %s", dir, strerror(errno));
	n = snprintf(path, sizeof(path), "%s/lock", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long: %s", dir);
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot open %s: %s", path,
		    strerror(errno));
	while (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			read_holder(lfd, pid, sizeof(pid));
			(void)close(lfd);
			return ss_error_set(e, SS_ERR_EXISTS, "state directory %s is "
			    "in use by another mpc-server (pid %s, lock file %s); "
			    "stop it first", dir, pid, path);
		}
		ss_error_set(e, SS_ERR_IO, "cannot lock %s: %s", path,
		    strerror(errno));
		(void)close(lfd);
		return SS_ERR_IO;
	}
	if (write_pid(lfd, path, e) != SS_OK) {
		(void)close(lfd);
		return SS_ERR_IO;
	}
	*fd = lfd;
	return SS_OK;
}
