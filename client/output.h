/*
 * output.h: how the client writes for people and for programs: JSON
 * strings, lists of names, untrusted text made safe for a terminal, and the
 * progress line shown on stderr while waiting.
 */
#ifndef SS_CLIENT_OUTPUT_H
#define SS_CLIENT_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "wire.h"

/* Writes s as a JSON string, quotes included. */
void out_json_string(FILE *f, const char *s);
/* Writes a JSON array of the names in l. */
void out_json_names(FILE *f, const struct wire_names *l);

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

/* A one-line progress display on stderr, only when stderr is a terminal. */
struct progress {
	int enabled;
	size_t shown;      /* characters currently on the line */
	char line[160];    /* what they are */
};

void progress_init(struct progress *p);
void progress_show(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Erases the line, if any was shown. */
void progress_clear(struct progress *p);

#endif
