/*
 * output.c: JSON strings, name lists, sanitised text and the progress line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

void
out_json_names(FILE *f, const struct wire_names *l)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			fputc(',', f);
		out_json_string(f, l->v[i]);
	}
	fputc(']', f);
}

void
out_join(char *buf, size_t len, const struct wire_names *l, const char *sep)
{
	size_t i, used = 0, need;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (l->n == 0) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (i = 0; i < l->n; i++) {
		need = strlen(l->v[i]) + (i > 0 ? strlen(sep) : 0);
		/* Keep room for the NUL, and for "..." unless this is the last. */
		if (used + need + (i + 1 < l->n ? 4 : 1) > len) {
			if (used + 4 <= len)
				memcpy(buf + used, "...", 4);
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? sep : "", l->v[i]);
	}
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
}

void
progress_show(struct progress *p, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	size_t n;
	int k;

	if (!p->enabled)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
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
	if (!p->enabled || p->shown == 0)
		return;
	fprintf(stderr, "\r%*s\r", (int)p->shown, "");
	fflush(stderr);
	p->shown = 0;
	p->line[0] = '\0';
}
