/* log.c: mpc-server's log lines, on stderr with a UTC time stamp and a level. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level threshold = LOG_INFO;

static const char *const names[] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void
log_set_level(enum log_level level)
{
	threshold = level;
}

int
log_enabled(enum log_level level)
{
	return level <= threshold;
}

/*
 * The line's time stamp to the millisecond; the date and time to the
 * second are formatted once per second (a busy server logs thousands of
 * lines a second).
 */
static void
stamp(char *out, size_t len)
{
	static time_t cached_sec = -1;
	static char cached[32];
	struct timespec now = { 0, 0 };
	struct tm tm;

	(void)clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != cached_sec) {
		if (gmtime_r(&now.tv_sec, &tm) == NULL ||
		    strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			cached[0] = '\0';
		cached_sec = now.tv_sec;
	}
	snprintf(out, len, "%s.%03ldZ", cached, now.tv_nsec / 1000000);
}

/*
 * One line, formatted into one buffer and written with one write(2):
 * lines of the loop and of the snapshot's child never interleave, and
 * nothing waits in a stdio buffer across a fork. A line longer than the
 * buffer is cut.
 */
static void log_v(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
log_v(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048], ts[48];
	size_t n, off = 0;
	ssize_t w;
	int k;

	if (!log_enabled(level))
		return;
	stamp(ts, sizeof(ts));
	k = snprintf(line, sizeof(line) - 1, "%s mpc-server: %s: ", ts,
	    names[level]);
	n = k < 0 ? 0 : (size_t)k < sizeof(line) - 1 ? (size_t)k : sizeof(line) - 2;
	k = vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	if (k > 0)
		n += (size_t)k < sizeof(line) - 1 - n ? (size_t)k : sizeof(line) - 2 - n;
	line[n++] = '\n';
	while (off < n) {
		w = write(STDERR_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;     /* nowhere to say that the log failed */
		off += (size_t)w;
	}
}

void
log_at(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, fmt, ap);
	va_end(ap);
}

void
logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_WARN, fmt, ap);
	va_end(ap);
}
