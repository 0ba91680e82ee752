/*
 * output.h: how the client writes for people and for programs: JSON
 * strings, lists of names, untrusted text made safe for a terminal, and the
 * progress line shown on stderr while waiting.
 */
#ifndef SS_CLIENT_OUTPUT_H
#define SS_CLIENT_OUTPUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wire.h"

/*
 * The version of the JSON documents --json prints (docs/CLI.md): raised on
 * any change a parser could trip on (a key removed, a type changed).
 * OUT_JSON_OPEN starts every document: '{' and the version, then a comma.
 */
#define OUT_JSON_VERSION 1
#define OUT_JSON_STR_(x) #x
#define OUT_JSON_STR(x) OUT_JSON_STR_(x)
#define OUT_JSON_OPEN "{\"version\":" OUT_JSON_STR(OUT_JSON_VERSION) ","

/* Writes s as a JSON string, quotes included. */
void out_json_string(FILE *f, const char *s);
/* Writes a JSON array of the names in l. */
void out_json_names(FILE *f, const struct wire_names *l);
/* The same of the n strings of v. */
void out_json_strs(FILE *f, const char *const *v, size_t n);
/*
 * Writes ,"key":{"body":HEX,"signature":HEX}: a signed statement, whole,
 * for whoever checks it.
 */
void out_json_stmt(FILE *f, const char *key, const uint8_t *body,
    size_t body_len, const uint8_t *sig, size_t sig_len);

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
 * A one-line progress display on stderr, redrawn in place on a terminal;
 * elsewhere a wait or retry that lasts PROGRESS_PLAIN_AFTER_MS is written
 * as whole lines, one per PROGRESS_PLAIN_EVERY_MS at most, so that a script
 * or a log sees that the command is waiting (issue 13 point 2).
 */
#define PROGRESS_PLAIN_AFTER_MS 2000
#define PROGRESS_PLAIN_EVERY_MS 10000

struct progress {
	int enabled;       /* stderr is a terminal */
	size_t shown;      /* characters currently on the line */
	char line[160];    /* what they are */
	uint64_t since;    /* off a terminal: first show since a clear, or 0 */
	uint64_t printed;  /* off a terminal: last line written, or 0 */
	uint64_t ahead;    /* the pause the next show announces, in ms */
	/* non-NULL: lines go here, not to stderr (the library's callback);
	 * set with enabled = 0, so that they come whole and throttled */
	void (*sink)(void *arg, const char *line);
	void *sink_arg;
	/* non-NULL: every line as shown, with the pause that follows (ms),
	 * and NULL for a clear, instead of all of the above */
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
/* Erases the line, if any was shown. */
void progress_clear(struct progress *p);

#endif
