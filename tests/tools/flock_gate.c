/*
 * flock_gate.c: an LD_PRELOAD shim for tests that holds the process's
 * first flock(2) -- mpc-server's lock on its state folder, taken early in
 * its start-up -- at a gate the test opens, so that a test can act on a
 * server in the middle of its start, for as long as it likes.
 *
 * FLOCK_GATE_DIR names a folder. The first flock appends "enter PID" to
 * DIR/log, waits until DIR/open exists, then runs the real flock; later
 * calls run at once.
 * Build: cc -shared -fPIC -o flock_gate.so flock_gate.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static int entered;

/* Waits for DIR/open, after saying so in DIR/log. */
static void
gate(const char *dir)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char path[PATH_MAX];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/log", dir) >= sizeof(path) ||
	    (f = fopen(path, "a")) == NULL)
		abort();   /* a test that cannot see the gate must not pass */
	fprintf(f, "enter %ld\n", (long)getpid());
	if (fclose(f) != 0)
		abort();
	if ((size_t)snprintf(path, sizeof(path), "%s/open", dir) >= sizeof(path))
		abort();
	while (access(path, F_OK) != 0)
		nanosleep(&ts, NULL);
}

int
flock(int fd, int op)
{
	static int (*real)(int, int);
	const char *dir = getenv("FLOCK_GATE_DIR");

	if (real == NULL && (real = (int (*)(int, int))dlsym(RTLD_NEXT, "flock")) == NULL)
		abort();
	if (dir != NULL && !entered) {
		entered = 1;
		gate(dir);
	}
	return real(fd, op);
}
