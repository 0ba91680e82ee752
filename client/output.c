/*
 * output.c: JSON strings, name lists, sanitised text and the progress line.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

void
out_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			/* RFC 8259: control characters must be escaped. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", (unsigned)*p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The i-th name of a list of the wire, or of an array of strings. */
static const char *
wire_names_at(const void *list, size_t i)
{
	return ((const struct wire_names *)list)->v[i];
}

static const char *
strs_at(const void *list, size_t i)
{
	return ((const char *const *)list)[i];
}

/* The JSON array of the n names name(list, i). */
static void
json_array(FILE *f, const void *list, size_t n,
    const char *(*name)(const void *, size_t))
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		out_json_string(f, name(list, i));
	}
	fputc(']', f);
}

void
out_json_names(FILE *f, const struct wire_names *l)
{
	json_array(f, l, l->n, wire_names_at);
}

void
out_json_strs(FILE *f, const char *const *v, size_t n)
{
	json_array(f, v, n, strs_at);
}

static void
json_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

void
out_json_stmt(FILE *f, const char *key, const uint8_t *body,
    size_t body_len, const uint8_t *sig, size_t sig_len)
{
	fprintf(f, ",\"%s\":{\"body\":", key);
	json_hex(f, body, body_len);
	fputs(",\"signature\":", f);
	json_hex(f, sig, sig_len);
	fputc('}', f);
}

/*
 * Joins the n names name(list, i) with sep into buf; see out_join. One
 * body for both kinds of list, with an accessor for the i-th name.
 */
static void
join(char *buf, size_t len, const void *list, size_t n,
    const char *(*name)(const void *, size_t), const char *sep)
{
	size_t i, used = 0, need;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (i = 0; i < n; i++) {
		need = strlen(name(list, i)) + (i > 0 ? strlen(sep) : 0);
		/* Keep room for the NUL, and for "..." unless this is the last. */
		if (used + need + (i + 1 < n ? 4 : 1) > len) {
			if (used + 4 <= len)
				memcpy(buf + used, "...", 4);
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? sep : "", name(list, i));
	}
}

void
out_join(char *buf, size_t len, const struct wire_names *l, const char *sep)
{
	join(buf, len, l, l->n, wire_names_at, sep);
}

void
out_join_strs(char *buf, size_t len, const char *const *v, size_t n,
    const char *sep)
{
	join(buf, len, v, n, strs_at, sep);
}

void
out_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

void
progress_init(struct progress *p)
{
	p->enabled = isatty(STDERR_FILENO);
	p->shown = 0;
	p->line[0] = '\0';
	p->since = p->printed = p->ahead = 0;
}

void
progress_ahead(struct progress *p, uint64_t ms)
{
	p->ahead = ms;
}

/* CLOCK_MONOTONIC in ms, never 0 (0 marks "not yet"). */
static uint64_t
progress_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 1;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u +
	    1;
}

/* Off a terminal: the line, whole, once the wait has lasted long enough. */
static void
progress_plain(struct progress *p, const char *line)
{
	uint64_t now = progress_now_ms(), ahead = p->ahead;

	p->ahead = 0;
	if (p->since == 0)
		p->since = now;
	if (now + ahead - p->since < PROGRESS_PLAIN_AFTER_MS ||
	    (p->printed != 0 && now - p->printed < PROGRESS_PLAIN_EVERY_MS))
		return;
	p->printed = now;
	if (p->sink != NULL) {
		p->sink(p->sink_arg, line);
		return;
	}
	fprintf(stderr, "mpc-client: %s\n", line);
	fflush(stderr);
}

void
progress_show(struct progress *p, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	size_t n;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (k < 0) {
		p->ahead = 0;
		return;
	}
	if (p->live != NULL) {
		p->live(p->live_arg, line, p->ahead > UINT_MAX ? UINT_MAX :
		    (unsigned)p->ahead);
		p->ahead = 0;
		return;
	}
	if (!p->enabled) {
		progress_plain(p, line);
		return;
	}
	/* Polling redraws the same line many times: skip what is shown. */
	if (p->shown > 0 && strcmp(line, p->line) == 0)
		return;
	n = strlen(line);
	/* Overwrite the previous line fully: pad with spaces past its end. */
	fprintf(stderr, "\r%s%*s", line,
	    p->shown > n ? (int)(p->shown - n) : 0, "");
	if (p->shown > n)
		fprintf(stderr, "\r%s", line);
	fflush(stderr);
	p->shown = n;
	memcpy(p->line, line, sizeof(line));
}

void
progress_clear(struct progress *p)
{
	if (p->live != NULL) {
		p->live(p->live_arg, NULL, 0);
		return;
	}
	if (!p->enabled) {
		p->since = p->printed = 0;
		return;
	}
	if (p->shown == 0)
		return;
	fprintf(stderr, "\r%*s\r", (int)p->shown, "");
	fflush(stderr);
	p->shown = 0;
	p->line[0] = '\0';
}
