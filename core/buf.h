/*
 * buf.h: bounded reading of untrusted bytes, and bounded writing of the
 * project's own formats.
 *
 * Every byte the program did not produce itself (a snapshot or journal read
 * back from disk, a field inside a frame) is parsed through a buf_reader,
 * which refuses to read past its end, as OpenSSH's sshbuf does.
 *
 * Everything the project writes in its own formats (journal, snapshot,
 * trace) goes through a buf_writer, as Redis's rio: one writer that either
 * collects the bytes in memory up to a limit or passes them to a sink (a
 * file), optionally showing every byte to a second sink as well (a running
 * hash or checksum). Integers are little-endian, as protobuf's fixed-width
 * fields and the vectors held in memory are. A failed write is remembered
 * and makes every later put a no-op, so a writer is checked once, at the
 * end. (A reader can be set to big-endian, and big-endian stores remain,
 * for the formats fixed before this rule: the frame header, the sealed
 * share layout, version-1 files.)
 */
#ifndef SS_BUF_H
#define SS_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ---- reading ---------------------------------------------------------- */

struct buf_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	int big_endian;         /* the byte order of its integers */
};

/* A reader of data[0..len), its integers little-endian. */
void buf_reader_init(struct buf_reader *r, const void *data, size_t len);
/*
 * Reads r's integers (and string lengths) big-endian from now on if
 * big_endian, else little-endian: for the formats written before the rule.
 */
void buf_reader_big_endian(struct buf_reader *r, int big_endian);
size_t buf_remaining(const struct buf_reader *r);

/*
 * Integers, in the reader's byte order. SS_ERR_TRUNCATED past the end;
 * nothing consumed then.
 */
int buf_get_u8(struct buf_reader *r, uint8_t *v) SS_WUR;
int buf_get_u32(struct buf_reader *r, uint32_t *v) SS_WUR;
int buf_get_u64(struct buf_reader *r, uint64_t *v) SS_WUR;
/* A view of the next n bytes, consumed. */
int buf_get_bytes(struct buf_reader *r, size_t n, const uint8_t **p) SS_WUR;
/* The next n bytes, copied into out[0..n). */
int buf_get_copy(struct buf_reader *r, void *out, size_t n) SS_WUR;
/*
 * A string stored as a u32 length and that many bytes: copied NUL-terminated
 * into out; SS_ERR_TOO_LARGE if it does not fit in outsz - 1 bytes,
 * SS_ERR_INVALID if it holds a NUL.
 */
int buf_get_string(struct buf_reader *r, char *out, size_t outsz) SS_WUR;

/* ---- writing ---------------------------------------------------------- */

/* A destination of bytes: SS_OK, or an SS_ERR_* code that stops the writer. */
typedef int (*buf_sink_fn)(void *ctx, const void *p, size_t n);

struct buf_writer {
	uint8_t *data;          /* memory mode: the bytes so far (malloc'd) */
	size_t len, cap, limit;
	buf_sink_fn sink;       /* sink mode: bytes go straight to it */
	void *sink_ctx;
	buf_sink_fn tee;        /* if set, sees every byte as well */
	void *tee_ctx;
	uint64_t total;         /* bytes put so far, in either mode */
	int err;                /* the first failure, or SS_OK */
};

/* A writer collecting at most limit bytes in memory (SS_ERR_TOO_LARGE past it). */
void buf_writer_init(struct buf_writer *w, size_t limit);
/* A writer passing its bytes to fn(ctx, ...) as they are put. */
void buf_writer_init_sink(struct buf_writer *w, buf_sink_fn fn, void *ctx);
/* Shows every later byte to fn(ctx, ...) too. */
void buf_writer_tee(struct buf_writer *w, buf_sink_fn fn, void *ctx);
/* Frees the memory of a memory writer (wiped: it may hold secrets). */
void buf_writer_free(struct buf_writer *w);

void buf_put(struct buf_writer *w, const void *p, size_t n);
void buf_put_u8(struct buf_writer *w, uint8_t v);
void buf_put_u32(struct buf_writer *w, uint32_t v);
void buf_put_u64(struct buf_writer *w, uint64_t v);
/* A u32 length and the bytes of s (SS_ERR_TOO_LARGE over UINT32_MAX). */
void buf_put_string(struct buf_writer *w, const char *s);
/* SS_OK if every put so far succeeded, else the first failure. */
int buf_writer_error(const struct buf_writer *w) SS_WUR;

/* Sinks: a file descriptor (every byte written, EINTR retried) ... */
int buf_sink_fd(void *fd_ptr, const void *p, size_t n);
/* ... and a SHA-256 (or any) digest: ctx is an EVP_MD_CTX * after DigestInit. */
int buf_sink_digest(void *md_ctx, const void *p, size_t n);
/*
 * The file sink's reading counterpart: exactly n bytes of fd into p, EINTR
 * retried; SS_ERR_TRUNCATED at the end of the file, SS_ERR_IO (errno set)
 * when read fails.
 */
int buf_read_fd(int fd, void *p, size_t n) SS_WUR;

/*
 * Fixed-width encodings into a caller's array, little-endian: inline, as
 * they run once per element of a vector (a seal, a digest of values), and
 * the compiler makes each one store ...
 */
static inline void
buf_store_u32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)v;
	out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)(v >> 16);
	out[3] = (uint8_t)(v >> 24);
}

static inline void
buf_store_u64(uint8_t out[8], uint64_t v)
{
	buf_store_u32(out, (uint32_t)v);
	buf_store_u32(out + 4, (uint32_t)(v >> 32));
}

/* The reverse: a little-endian 64-bit value from in. */
static inline uint64_t
buf_load_u64(const uint8_t in[8])
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | in[i];
	return v;
}

/* ... or the low n <= 8 bytes of v in either order (big-endian: see above). */
void buf_store_uint(uint8_t *out, size_t n, int big_endian, uint64_t v);

#endif
