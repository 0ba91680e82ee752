/*
 * buf.h: bounded reading of untrusted bytes.
 *
 * Every byte the program did not produce itself (a snapshot or journal read
 * back from disk, a field inside a frame) is parsed through a buf_reader,
 * which refuses to read past its end, as OpenSSH's sshbuf does.
 */
#ifndef SS_BUF_H
#define SS_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

void buf_reader_init(struct buf_reader *r, const void *data, size_t len);
size_t buf_remaining(const struct buf_reader *r);

/* Big-endian integers. SS_ERR_TRUNCATED past the end; nothing consumed then. */
int buf_get_u8(struct buf_reader *r, uint8_t *v);
int buf_get_u32(struct buf_reader *r, uint32_t *v);
int buf_get_u64(struct buf_reader *r, uint64_t *v);
/* A view of the next n bytes, consumed. */
int buf_get_bytes(struct buf_reader *r, size_t n, const uint8_t **p);
/*
 * A string stored as a u32 length and that many bytes: copied NUL-terminated
 * into out; SS_ERR_TOO_LARGE if it does not fit in outsz - 1 bytes,
 * SS_ERR_INVALID if it holds a NUL.
 */
int buf_get_string(struct buf_reader *r, char *out, size_t outsz);

/* Encoding helpers for the writers of the same formats. */
void buf_put_u32(uint8_t out[4], uint32_t v);
void buf_put_u64(uint8_t out[8], uint64_t v);

#endif
