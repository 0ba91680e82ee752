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
    int64_t *out, char *err, size_t errlen)
{
	char q[64], b[48];
	int64_t bound = amount_bound(nparties);
	int r;

	if ((r = amount_parse(text, decimals, out)) != SS_OK) {
		quote(q, sizeof(q), text);
		if (r == SS_ERR_RANGE)
			snprintf(err, errlen, "input %s is out of range", q);
		else if (decimals == 0)
			snprintf(err, errlen, "invalid input '%s': expected an "
			    "integer such as -7 or 12", q);
		else
			snprintf(err, errlen, "invalid input '%s': expected a "
			    "number with at most %u decimal%s", q, decimals,
			    decimals == 1 ? "" : "s");
		return r == SS_ERR_RANGE ? SS_ERR_RANGE : SS_ERR_INVALID;
	}
	if (*out > bound || *out < -bound) {
		quote(q, sizeof(q), text);
		if (amount_format(bound, decimals, b, sizeof(b)) != SS_OK)
			snprintf(b, sizeof(b), "%lld", (long long)bound);
		snprintf(err, errlen, "input %s is outside +-%s: the sum of %u "
		    "inputs must fit in the field (2^61-1)", q, b, nparties);
		*out = 0;
		return SS_ERR_RANGE;
	}
	return SS_OK;
}

static int
from_args(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, char *err, size_t errlen)
{
	size_t i;
	int r;

	if (src->nargs != L) {
		snprintf(err, errlen, "the session takes %zu value%s, %zu given",
		    L, L == 1 ? "" : "s", src->nargs);
		return SS_ERR_INVALID;
	}
	for (i = 0; i < L; i++)
		if ((r = one_value(src->args[i], decimals, nparties, &out[i],
		    err, errlen)) != SS_OK)
			return r;
	return SS_OK;
}

static int
from_file(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, char *err, size_t errlen)
{
	static unsigned char chunk[INPUT_CHUNK];
	char tok[INPUT_TOKEN_MAX + 1], q[64];
	const char *name = strcmp(src->path, "-") == 0 ? "standard input" :
	    src->path;
	size_t toklen = 0, count = 0;
	ssize_t n, i;
	int fd, r = SS_OK, eof = 0;

	if (strcmp(src->path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(src->path, O_RDONLY | O_CLOEXEC)) < 0) {
		quote(q, sizeof(q), src->path);
		snprintf(err, errlen, "cannot open %s: %s", q, strerror(errno));
		return SS_ERR_IO;
	}
	if (name == src->path) {
		quote(q, sizeof(q), src->path);
		name = q;
	}

	while (!eof && r == SS_OK) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", name,
			    strerror(errno));
			r = SS_ERR_IO;
			break;
		}
		if (n == 0) {
			eof = 1;
			/* A last value without a newline after it. */
			chunk[0] = ' ';
			n = 1;
		}
		for (i = 0; i < n && r == SS_OK; i++) {
			unsigned char c = chunk[i];

			if (c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
			    c != '\v' && c != '\f') {
				if (c == '\0') {
					snprintf(err, errlen, "%s holds a NUL "
					    "byte: not a text file of values",
					    name);
					r = SS_ERR_INVALID;
				} else if (toklen == INPUT_TOKEN_MAX) {
					tok[toklen] = '\0';
					snprintf(err, errlen, "%s: value %zu is "
					    "too long", name, count + 1);
					r = SS_ERR_INVALID;
				} else
					tok[toklen++] = (char)c;
				continue;
			}
			if (toklen == 0)
				continue;
			tok[toklen] = '\0';
			toklen = 0;
			if (count == L) {
				snprintf(err, errlen, "%s holds more than the "
				    "%zu value%s the session takes", name, L,
				    L == 1 ? "" : "s");
				r = SS_ERR_INVALID;
				break;
			}
			r = one_value(tok, decimals, nparties, &out[count],
			    err, errlen);
			count++;
		}
	}
	if (r == SS_OK && count != L) {
		if (count == 0)
			snprintf(err, errlen, "%s holds no values; the session "
			    "takes %zu", name, L);
		else
			snprintf(err, errlen, "%s holds %zu value%s; the "
			    "session takes %zu", name, count,
			    count == 1 ? "" : "s", L);
		r = SS_ERR_INVALID;
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	OPENSSL_cleanse(tok, sizeof(tok));
	return r;
}

int
input_read(const struct input_src *src, unsigned decimals, unsigned nparties,
    size_t L, int64_t *out, char *err, size_t errlen)
{
	int r;

	if (nparties == 0 || L == 0) {
		snprintf(err, errlen, "the session has no parties or no length");
		return SS_ERR_INVALID;
	}
	if (src->path != NULL)
		r = from_file(src, decimals, nparties, L, out, err, errlen);
	else
		r = from_args(src, decimals, nparties, L, out, err, errlen);
	if (r != SS_OK)
		OPENSSL_cleanse(out, L * sizeof(*out));
	return r;
}
