/*
 * log.h: mpc-server's log: one line per event on stderr, stamped with the
 * UTC time and its level, shared by the loop, the connections and the
 * snapshot's process management (and handed to journal_open for its own
 * lines). --log-level chooses the least severe level written (default
 * info). A line reads
 *
 *   2026-12-06T03:04:13.123Z mpc-server: info: request peer=alice ...
 *
 * the time, "mpc-server", the level, and the message; the lines meant for
 * tools (requests, what was loaded at start) are "EVENT key=value ...",
 * whose values never hold a space (docs/OPERATIONS.md lists them).
 */
#ifndef SS_LOG_H
#define SS_LOG_H

enum log_level {
	LOG_ERROR = 0,  /* the server cannot go on, or lost something */
	LOG_WARN = 1,   /* something was refused, dropped or retried */
	LOG_INFO = 2,   /* what was loaded; one line per request */
	LOG_DEBUG = 3,  /* connections opened and closed */
};

/* The level s names (error, warn, info, debug) into *out; 0, or -1 if none. */
int log_level_parse(const char *s, enum log_level *out);

/* Lines less severe than level are not written from now on. */
void log_set_level(enum log_level level);

/* Whether a line of level would be written (to skip building it). */
int log_enabled(enum log_level level);

void log_at(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A warning: log_at(LOG_WARN, ...), the level of most of the server's lines. */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
