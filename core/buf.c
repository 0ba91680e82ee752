/* buf.c: bounded reads of untrusted bytes and bounded writes; see buf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "err.h"

/* ---- reading ---------------------------------------------------------- */

void
buf_reader_init(struct buf_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->big_endian = 0;
}

void
buf_reader_big_endian(struct buf_reader *r, int big_endian)
{
	r->big_endian = big_endian != 0;
}

size_t
buf_remaining(const struct buf_reader *r)
{
	return r->len - r->off;
}

int
buf_get_bytes(struct buf_reader *r, size_t n, const uint8_t **p)
{
	if (n > buf_remaining(r))
		return SS_ERR_TRUNCATED;
	*p = r->data + r->off;
	r->off += n;
	return SS_OK;
}

int
buf_get_copy(struct buf_reader *r, void *out, size_t n)
{
	const uint8_t *p;
	int rc;

	if ((rc = buf_get_bytes(r, n, &p)) == SS_OK && n > 0)
		memcpy(out, p, n);
	return rc;
}

int
buf_get_u8(struct buf_reader *r, uint8_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = buf_get_bytes(r, 1, &p)) != SS_OK)
		return rc;
	*v = p[0];
	return SS_OK;
}

/* The next n <= 8 bytes as an integer, in r's byte order. */
static int
get_uint(struct buf_reader *r, size_t n, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	size_t i;
	int rc;

	if ((rc = buf_get_bytes(r, n, &p)) != SS_OK)
		return rc;
	for (i = 0; i < n; i++)
		x |= (uint64_t)p[r->big_endian ? i : n - 1 - i] << (8 * (n - 1 - i));
	*v = x;
	return SS_OK;
}

int
buf_get_u32(struct buf_reader *r, uint32_t *v)
{
	uint64_t x;
	int rc;

	if ((rc = get_uint(r, 4, &x)) == SS_OK)
		*v = (uint32_t)x;
	return rc;
}

int
buf_get_u64(struct buf_reader *r, uint64_t *v)
{
	return get_uint(r, 8, v);
}

int
buf_get_string(struct buf_reader *r, char *out, size_t outsz)
{
	const uint8_t *p;
	uint32_t n;
	size_t saved = r->off;
	int rc;

	if (outsz == 0)
		return SS_ERR_INVALID;
	if ((rc = buf_get_u32(r, &n)) != SS_OK)
		return rc;
	if (n > outsz - 1)
		rc = SS_ERR_TOO_LARGE;
	else if ((rc = buf_get_bytes(r, n, &p)) == SS_OK &&
	    memchr(p, '\0', n) != NULL)
		rc = SS_ERR_INVALID;
	if (rc != SS_OK) {
		r->off = saved;
		return rc;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return SS_OK;
}

/* ---- writing ---------------------------------------------------------- */

void
buf_writer_init(struct buf_writer *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
}

void
buf_writer_init_sink(struct buf_writer *w, buf_sink_fn fn, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->sink = fn;
	w->sink_ctx = ctx;
}

void
buf_writer_tee(struct buf_writer *w, buf_sink_fn fn, void *ctx)
{
	w->tee = fn;
	w->tee_ctx = ctx;
}

void
buf_writer_free(struct buf_writer *w)
{
	if (w->data != NULL)
		OPENSSL_clear_free(w->data, w->cap);
	w->data = NULL;
	w->len = w->cap = 0;
}

/* Room for n more bytes in a memory writer, doubling up to its limit. */
static int
reserve(struct buf_writer *w, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (n > w->limit || w->len > w->limit - n)
		return SS_ERR_TOO_LARGE;
	if (w->len + n <= w->cap)
		return SS_OK;
	cap = w->cap ? w->cap : 256;
	while (cap < w->len + n)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > w->limit)
		cap = w->limit;
	/* Not realloc: the old block may hold secrets and is wiped. */
	if ((p = malloc(cap)) == NULL)
		return SS_ERR_ALLOC;
	if (w->len > 0)
		memcpy(p, w->data, w->len);
	if (w->data != NULL)
		OPENSSL_clear_free(w->data, w->cap);
	w->data = p;
	w->cap = cap;
	return SS_OK;
}

void
buf_put(struct buf_writer *w, const void *p, size_t n)
{
	int rc;

	if (w->err != SS_OK || n == 0)
		return;
	if (w->sink != NULL)
		rc = w->sink(w->sink_ctx, p, n);
	else if ((rc = reserve(w, n)) == SS_OK) {
		memcpy(w->data + w->len, p, n);
		w->len += n;
	}
	if (rc == SS_OK && w->tee != NULL)
		rc = w->tee(w->tee_ctx, p, n);
	if (rc != SS_OK)
		w->err = rc;
	else
		w->total += n;
}

void
buf_put_u8(struct buf_writer *w, uint8_t v)
{
	buf_put(w, &v, 1);
}

void
buf_put_u32(struct buf_writer *w, uint32_t v)
{
	uint8_t b[4];

	buf_store_u32(b, v);
	buf_put(w, b, sizeof(b));
}

void
buf_put_u64(struct buf_writer *w, uint64_t v)
{
	uint8_t b[8];

	buf_store_u64(b, v);
	buf_put(w, b, sizeof(b));
}

void
buf_put_string(struct buf_writer *w, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT32_MAX) {
		if (w->err == SS_OK)
			w->err = SS_ERR_TOO_LARGE;
		return;
	}
	buf_put_u32(w, (uint32_t)n);
	buf_put(w, s, n);
}

int
buf_writer_error(const struct buf_writer *w)
{
	return w->err;
}

/* The memory of fd_move: read into, or written from. */
union fd_bytes {
	uint8_t *in;
	const uint8_t *out;
};

/*
 * All n bytes between fd and memory, again after EINTR: read from fd into
 * b.in when reading, else written from b.out to fd. SS_ERR_TRUNCATED when
 * a read meets the end of the file; SS_ERR_IO when a call fails (errno
 * says why) or a write takes nothing, which would otherwise loop for ever.
 */
static int
fd_move(int fd, int reading, union fd_bytes b, size_t n)
{
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		if (reading)
			k = read(fd, b.in + done, n - done);
		else
			k = write(fd, b.out + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return SS_ERR_IO;
		if (k == 0)
			return reading ? SS_ERR_TRUNCATED : SS_ERR_IO;
		done += (size_t)k;
	}
	return SS_OK;
}

int
buf_sink_fd(void *fd_ptr, const void *p, size_t n)
{
	return fd_move(*(const int *)fd_ptr, 0, (union fd_bytes){ .out = p },
	    n);
}

int
buf_read_fd(int fd, void *p, size_t n)
{
	return fd_move(fd, 1, (union fd_bytes){ .in = p }, n);
}

int
buf_sink_digest(void *md_ctx, const void *p, size_t n)
{
	return EVP_DigestUpdate(md_ctx, p, n) == 1 ? SS_OK : SS_ERR_CRYPTO;
}

/* ---- fixed-width encodings -------------------------------------------- */

void
buf_store_uint(uint8_t *out, size_t n, int big_endian, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[big_endian ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}
