/*
 * output.c: name lists, sanitised text and the progress of a wait, for
 * the caller to show (output.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"

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
	memset(p, 0, sizeof(*p));
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

/* Whole lines: the line to the sink, once the wait has lasted long enough. */
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
	if (p->sink != NULL)
		p->sink(p->sink_arg, line);
}

void
progress_show(struct progress *p, const char *fmt, ...)
{
	char line[PROGRESS_LINE_MAX];
	va_list ap;
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
	progress_plain(p, line);
}

void
progress_clear(struct progress *p)
{
	if (p->live != NULL)
		p->live(p->live_arg, NULL, 0);
	p->since = p->printed = 0;
}
