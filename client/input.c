/*
 * input.c: reading and checking a party's inputs.
 *
 * A file is read with read(2) into buffers of our own rather than through
 * stdio, so that every copy of the secret text can be wiped afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "amount.h"
#include "err.h"
#include "input.h"
#include "output.h"

#define INPUT_CHUNK 65536

int
input_looks_numeric(const char *arg)
{
	if (*arg == '+' || *arg == '-')
		arg++;
	return (*arg >= '0' && *arg <= '9') || *arg == '.';
}

/* Quotes text for a message: shortened and made printable. */
static void
quote(char *buf, size_t len, const char *text)
{
	snprintf(buf, len, "%.40s%s", text, strlen(text) > 40 ? "..." : "");
	out_sanitize(buf);
}

/* Parses one value and checks it against the bound. */
static int
one_value(const char *text, unsigned decimals, unsigned nparties,
    int64_t *out, struct ss_error *e)
{
	char q[64], b[48];
	int64_t bound = amount_bound(nparties);
	int r;

	if ((r = amount_parse(text, decimals, out)) != SS_OK) {
		quote(q, sizeof(q), text);
		if (r == SS_ERR_RANGE)
			return ss_error_set(e, SS_ERR_RANGE, "input %s is out of "
			    "range", q);
		if (decimals == 0)
			return ss_error_set(e, SS_ERR_INVALID, "invalid input "
			    "'%s': expected an integer such as -7 or 12", q);
		return ss_error_set(e, SS_ERR_INVALID, "invalid input '%s': "
		    "expected a number with at most %u decimal%s", q, decimals,
		    decimals == 1 ? "" : "s");
	}
	if (*out > bound || *out < -bound) {
		quote(q, sizeof(q), text);
		if (amount_format(bound, decimals, b, sizeof(b)) != SS_OK)
			snprintf(b, sizeof(b), "%lld", (long long)bound);
		*out = 0;
		return ss_error_set(e, SS_ERR_RANGE, "input %s is outside +-%s: "
		    "the sum of %u inputs must fit in the field (2^61-1)", q, b,
		    nparties);
	}
	return SS_OK;
}

/* Values given already scaled: their count and their bound checked. */
static int
from_fixed(const struct input_src *src, unsigned nparties, size_t L,
    int64_t *out, struct ss_error *e)
{
	const int64_t bound = amount_bound(nparties);
	size_t i;

	if (src->nfixed != L)
		return ss_error_set(e, SS_ERR_INVALID, "the session takes %zu "
		    "value%s, %zu given", L, L == 1 ? "" : "s", src->nfixed);
	for (i = 0; i < L; i++) {
		if (src->fixed[i] > bound || src->fixed[i] < -bound)
			return ss_error_set(e, SS_ERR_RANGE, "value %zu is outside "
			    "+-%lld: the sum of %u inputs must fit in the field "
			    "(2^61-1)", i + 1, (long long)bound, nparties);
		out[i] = src->fixed[i];
	}
	return SS_OK;
}

static int
from_args(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, struct ss_error *e)
{
	size_t i;
	int r;

	if (src->nargs != L)
		return ss_error_set(e, SS_ERR_INVALID, "the session takes %zu "
		    "value%s, %zu given", L, L == 1 ? "" : "s", src->nargs);
	for (i = 0; i < L; i++)
		if ((r = one_value(src->args[i], decimals, nparties, &out[i],
		    e)) != SS_OK)
			return r;
	return SS_OK;
}

/*
 * A file of values being read: the value being gathered, and those so far;
 * the line being read and the one the value began on, for messages.
 */
struct reader {
	const char *name;          /* for messages */
	unsigned decimals, nparties;
	size_t L, count, toklen;
	size_t line, tokline;
	int64_t *out;
	char tok[INPUT_TOKEN_MAX + 1];
};

static int
is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

/* The value gathered so far is complete: parse it into the next slot. */
static int
end_value(struct reader *rd, struct ss_error *e)
{
	int r;

	rd->tok[rd->toklen] = '\0';
	rd->toklen = 0;
	if (rd->count == rd->L)
		return ss_error_set(e, SS_ERR_INVALID, "%s, line %zu: value %zu "
		    "is one more than the %zu value%s the session takes", rd->name,
		    rd->tokline, rd->count + 1, rd->L, rd->L == 1 ? "" : "s");
	if ((r = one_value(rd->tok, rd->decimals, rd->nparties,
	    &rd->out[rd->count], e)) != SS_OK)
		(void)ss_error_prefix(e, "%s, line %zu, value %zu", rd->name,
		    rd->tokline, rd->count + 1);
	rd->count++;
	return r;
}

static int
take_byte(struct reader *rd, unsigned char ch, struct ss_error *e)
{
	int r = SS_OK;

	if (is_space(ch)) {
		if (rd->toklen > 0)
			r = end_value(rd, e);
		/* After the value: one that ends a line is on that line. */
		rd->line += ch == '\n';
		return r;
	}
	if (ch == '\0')
		return ss_error_set(e, SS_ERR_INVALID, "%s, line %zu, holds a NUL "
		    "byte: not a text file of values", rd->name, rd->line);
	if (rd->toklen == INPUT_TOKEN_MAX)
		return ss_error_set(e, SS_ERR_INVALID, "%s, line %zu: value %zu "
		    "is too long (more than %d characters)", rd->name,
		    rd->tokline, rd->count + 1, INPUT_TOKEN_MAX);
	if (rd->toklen == 0)
		rd->tokline = rd->line;
	rd->tok[rd->toklen++] = (char)ch;
	return SS_OK;
}

/* Feeds every byte of fd to rd, then a space for a last unended value. */
static int
read_values(int fd, struct reader *rd, struct ss_error *e)
{
	static unsigned char chunk[INPUT_CHUNK];
	ssize_t n, i;
	int r = SS_OK, eof = 0;

	while (!eof && r == SS_OK) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = ss_error_set(e, SS_ERR_IO, "cannot read %s: %s",
			    rd->name, strerror(errno));
			break;
		}
		if (n == 0) {
			eof = 1;
			/* A last value without a newline after it. */
			chunk[0] = ' ';
			n = 1;
		}
		for (i = 0; i < n && r == SS_OK; i++)
			r = take_byte(rd, chunk[i], e);
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return r;
}

static int
from_file(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, struct ss_error *e)
{
	struct reader rd;
	char q[64], name[80];
	int fd, r, is_stdin = strcmp(src->path, "-") == 0;

	quote(q, sizeof(q), src->path);
	/* Messages name the flag and the file: "--input FILE, line N". */
	snprintf(name, sizeof(name), "--input %s", is_stdin ?
	    "- (standard input)" : q);
	if (is_stdin)
		fd = STDIN_FILENO;
	else if ((fd = open(src->path, O_RDONLY | O_CLOEXEC)) < 0)
		return ss_error_set(e, SS_ERR_IO, "%s: cannot open it: %s", name,
		    strerror(errno));
	memset(&rd, 0, sizeof(rd));
	rd.name = name;
	rd.line = 1;
	rd.decimals = decimals;
	rd.nparties = nparties;
	rd.L = L;
	rd.out = out;
	r = read_values(fd, &rd, e);
	if (r == SS_OK && rd.count == 0)
		r = ss_error_set(e, SS_ERR_INVALID, "%s holds no values; the "
		    "session takes %zu", rd.name, L);
	else if (r == SS_OK && rd.count != L)
		r = ss_error_set(e, SS_ERR_INVALID, "%s holds %zu value%s; the "
		    "session takes %zu", rd.name, rd.count,
		    rd.count == 1 ? "" : "s", L);
	if (!is_stdin)
		(void)close(fd);
	OPENSSL_cleanse(&rd, sizeof(rd));
	return r;
}

int
input_read(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, struct ss_error *e)
{
	int r;

	if (nparties == 0 || L == 0)
		return ss_error_set(e, SS_ERR_INVALID, "the session has no "
		    "parties or no length");
	if (src->fixed != NULL)
		r = from_fixed(src, nparties, L, out, e);
	else if (src->path != NULL)
		r = from_file(src, decimals, nparties, L, out, e);
	else
		r = from_args(src, decimals, nparties, L, out, e);
	if (r != SS_OK)
		OPENSSL_cleanse(out, L * sizeof(*out));
	return r;
}
