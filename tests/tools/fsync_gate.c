/*
 * fsync_gate.c: an LD_PRELOAD shim for tests that holds every fdatasync(2)
 * of the process at a gate the test opens, so that a test can look at what
 * a server does while its journal's sync is in flight, for as long as it
 * likes, without relying on a slow disk or on timing.
 *
 * FSYNC_GATE_DIR names a folder. The Nth fdatasync of a journal segment
 * (journal.*.bin) appends "enter N" to DIR/log, waits until DIR/open.N
 * exists, then fails with EIO if DIR/fail exists, else runs the real
 * fdatasync; then appends "done N" (or "failed N"). That of journal.synced
 * (the synced mark, which follows each one before its answers go) passes
 * straight through, unless FSYNC_GATE_MARKS is set: then the Nth appends
 * "mark-enter N", waits for DIR/mark-open.N, and appends "mark-done N"
 * (or "mark-failed N"), counted apart. Other files pass through.
 * Only one thread of the process may call fdatasync (the journal's).
 * Build: cc -shared -fPIC -o fsync_gate.so fsync_gate.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
note(const char *dir, const char *what, unsigned n)
{
	char path[PATH_MAX];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/log", dir) >= sizeof(path) ||
	    (f = fopen(path, "a")) == NULL)
		abort();   /* a test that cannot see the gate must not pass */
	if (fprintf(f, "%s %u\n", what, n) < 0 || fclose(f) != 0)
		abort();
}

static int
exists(const char *dir, const char *name, unsigned n)
{
	char path[PATH_MAX];
	int len = n > 0 ? snprintf(path, sizeof(path), "%s/%s.%u", dir, name, n) :
	    snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (len < 0 || (size_t)len >= sizeof(path))
		abort();
	return access(path, F_OK) == 0;
}

enum { OTHER, SEGMENT, MARK };

/* What fd is: a journal segment (journal.<digits>.bin or journal.bin), the mark, or other. */
static int
kind(int fd)
{
	char link[64], path[PATH_MAX];
	const char *base;
	ssize_t n;
	size_t len;

	if ((size_t)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd) >= sizeof(link) ||
	    (n = readlink(link, path, sizeof(path) - 1)) < 0)
		abort();
	path[n] = '\0';
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (strcmp(base, "journal.synced") == 0)
		return MARK;
	return strncmp(base, "journal.", 8) == 0 && len > 12 &&
	    strcmp(base + len - 4, ".bin") == 0 ? SEGMENT : OTHER;
}

/* Holds the Nth call at DIR/<prefix>open.N, then runs it; logs both. */
static int
gate(int (*real)(int), int fd, const char *dir, const char *prefix, unsigned n)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char what[32];
	int rc;

	(void)snprintf(what, sizeof(what), "%senter", prefix);
	note(dir, what, n);
	(void)snprintf(what, sizeof(what), "%sopen", prefix);
	while (!exists(dir, what, n))
		(void)nanosleep(&tick, NULL);
	if (exists(dir, "fail", 0)) {
		rc = -1;
		errno = EIO;
	} else {
		rc = real(fd);
	}
	(void)snprintf(what, sizeof(what), "%s%s", prefix, rc == 0 ? "done" : "failed");
	note(dir, what, n);
	return rc;
}

int
fdatasync(int fd)
{
	static unsigned calls, marks;
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	const char *dir = getenv("FSYNC_GATE_DIR");
	int k;

	if (real == NULL)
		abort();
	if (dir == NULL)
		return real(fd);
	k = kind(fd);
	if (k == SEGMENT)
		return gate(real, fd, dir, "", ++calls);
	if (k == MARK && getenv("FSYNC_GATE_MARKS") != NULL)
		return gate(real, fd, dir, "mark-", ++marks);
	return real(fd);
}
