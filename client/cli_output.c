/*
 * cli_output.c: how mpc-client writes for people and for programs: JSON
 * strings and lists for --json, the library's lines on stderr as
 * "mpc-client: LINE", and the progress of a wait, redrawn in place on a
 * terminal or written as whole lines elsewhere (output.h throttles them).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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
out_json_strs(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		out_json_string(f, v[i]);
	}
	fputc(']', f);
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

void
cli_log(void *arg, const char *line)
{
	(void)arg;
	fflush(stdout);
	fprintf(stderr, "mpc-client: %s\n", line);
	fflush(stderr);
}

/*
 * The progress line on the terminal: one stderr, so one line for the
 * process, whatever handle or command draws on it.
 */
static struct {
	size_t shown;                   /* characters currently on the line */
	char line[PROGRESS_LINE_MAX];   /* what they are */
} tty;

/* Redraws the terminal's progress line as line; NULL erases it. */
static void
tty_draw(void *arg, const char *line, unsigned pause_ms)
{
	size_t n;

	(void)arg; (void)pause_ms;
	if (line == NULL) {
		if (tty.shown > 0)
			fprintf(stderr, "\r%*s\r", (int)tty.shown, "");
		n = 0;
	} else {
		/* Polling redraws the same line many times: skip what is shown. */
		if (tty.shown > 0 && strcmp(line, tty.line) == 0)
			return;
		n = strlen(line);
		/* Overwrite the previous line fully: pad with spaces past its end. */
		fprintf(stderr, "\r%s%*s", line,
		    tty.shown > n ? (int)(tty.shown - n) : 0, "");
		if (tty.shown > n)
			fprintf(stderr, "\r%s", line);
	}
	fflush(stderr);
	tty.shown = n;
	snprintf(tty.line, sizeof(tty.line), "%s", line != NULL ? line : "");
}

void
cli_progress_init(struct progress *p)
{
	progress_init(p);
	if (isatty(STDERR_FILENO))
		p->live = tty_draw;
	else
		p->sink = cli_log;
}

int
cli_on_terminal(const struct progress *p)
{
	return p->live == tty_draw;
}
