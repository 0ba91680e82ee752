/*
 * output.h: the client's text for people, without writing any of it:
 * lists of names joined, untrusted text made safe for a terminal, and the
 * progress of a wait, handed to a callback (mpc-client shows it on stderr,
 * cli_output.c; its JSON writers are there too).
 */
#ifndef SS_CLIENT_OUTPUT_H
#define SS_CLIENT_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * Joins the names of l with sep into buf, ending in "..." if it does not
 * fit; "(none)" for an empty list.
 */
void out_join(char *buf, size_t len, const struct wire_names *l,
    const char *sep);
/* The same for the n names of v. */
void out_join_strs(char *buf, size_t len, const char *const *v, size_t n,
    const char *sep);

/*
 * Replaces, in place, every byte that is not printable ASCII with '?': text
 * from the server reaches a terminal only this way, so that it can carry no
 * escape sequence and no line break.
 */
void out_sanitize(char *s);

/*
 * The progress of a wait, one line at a time: every line to `live` (a
 * display redrawn in place, such as mpc-client's on a terminal), or else
 * whole lines to `sink` once a wait or retry lasts PROGRESS_PLAIN_AFTER_MS,
 * one per PROGRESS_PLAIN_EVERY_MS at most, so that a script or a log sees
 * that the command is waiting (issue 13 point 2). Neither set: nothing.
 */
#define PROGRESS_PLAIN_AFTER_MS 2000
#define PROGRESS_PLAIN_EVERY_MS 10000

/* The longest progress line, its NUL included. */
#define PROGRESS_LINE_MAX 160

struct progress {
	uint64_t since;    /* whole lines: first show since a clear, or 0 */
	uint64_t printed;  /* whole lines: last line handed on, or 0 */
	uint64_t ahead;    /* the pause the next show announces, in ms */
	void (*sink)(void *arg, const char *line);
	void *sink_arg;
	/* every line as shown, with the pause that follows (ms), and NULL
	 * for a clear, instead of the sink */
	void (*live)(void *arg, const char *line, unsigned pause_ms);
	void *live_arg;
};

void progress_init(struct progress *p);
void progress_show(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The next progress_show announces a pause of ms that follows it: off a
 * terminal, a pause that ends past PROGRESS_PLAIN_AFTER_MS is announced.
 */
void progress_ahead(struct progress *p, uint64_t ms);
/* The wait is over: erases the line, if any was shown. */
void progress_clear(struct progress *p);

#endif
