/*
 * snapshot_gate.c: an LD_PRELOAD shim for tests that holds every rename(2)
 * of a file onto .../snapshot.bin at a gate the test opens, so that a test
 * can look at what the server does while a snapshot is being written, for
 * as long as it likes; and that makes fork(2) fail on request.
 *
 * SNAPSHOT_GATE_DIR names a folder. A rename onto snapshot.bin appends
 * "enter N PID" to DIR/log (N counts the "enter" lines: the server and its
 * snapshot processes share no memory), waits until DIR/open.N or
 * DIR/open.all exists, renames and appends "done N PID". While DIR/nofork exists, fork fails
 * with ENOMEM after appending "nofork PID". Only one process at a time may
 * rename a snapshot (the server runs one snapshot at a time).
 * Build: cc -shared -fPIC -o snapshot_gate.so snapshot_gate.c -ldl
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
	if (fprintf(f, "%s %u %ld\n", what, n, (long)getpid()) < 0 || fclose(f) != 0)
		abort();
}

static int
exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int len = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (len < 0 || (size_t)len >= sizeof(path))
		abort();
	return access(path, F_OK) == 0;
}

/* The number of the next gate: one more than the "enter" lines so far. */
static unsigned
next_gate(const char *dir)
{
	char path[PATH_MAX], line[256];
	unsigned n = 1;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/log", dir) >= sizeof(path))
		abort();
	if ((f = fopen(path, "r")) == NULL)
		return n;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "enter ", 6) == 0)
			n++;
	fclose(f);
	return n;
}

int
rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) =
	    (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	const char *dir = getenv("SNAPSHOT_GATE_DIR");
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	size_t tl = strlen(to);
	char open[64];
	unsigned n;
	int rc;

	if (real == NULL)
		abort();
	if (dir == NULL || tl < 13 || strcmp(to + tl - 13, "/snapshot.bin") != 0)
		return real(from, to);
	n = next_gate(dir);
	note(dir, "enter", n);
	snprintf(open, sizeof(open), "open.%u", n);
	while (!exists(dir, open) && !exists(dir, "open.all"))
		(void)nanosleep(&tick, NULL);
	rc = real(from, to);
	note(dir, rc == 0 ? "done" : "failed", n);
	return rc;
}

pid_t
fork(void)
{
	pid_t (*real)(void) = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	const char *dir = getenv("SNAPSHOT_GATE_DIR");

	if (real == NULL)
		abort();
	if (dir != NULL && exists(dir, "nofork")) {
		note(dir, "nofork", 0);
		errno = ENOMEM;
		return -1;
	}
	return real();
}
