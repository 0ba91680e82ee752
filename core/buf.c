/* buf.c: bounded reads of untrusted bytes; see buf.h. */
#include <string.h>

#include "buf.h"
#include "err.h"

void
buf_reader_init(struct buf_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
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
buf_get_u8(struct buf_reader *r, uint8_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = buf_get_bytes(r, 1, &p)) != SS_OK)
		return rc;
	*v = p[0];
	return SS_OK;
}

int
buf_get_u32(struct buf_reader *r, uint32_t *v)
{
	const uint8_t *p;
	int rc;

	if ((rc = buf_get_bytes(r, 4, &p)) != SS_OK)
		return rc;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
	return SS_OK;
}

int
buf_get_u64(struct buf_reader *r, uint64_t *v)
{
	uint32_t hi, lo;
	size_t saved = r->off;
	int rc;

	if ((rc = buf_get_u32(r, &hi)) != SS_OK)
		return rc;
	if ((rc = buf_get_u32(r, &lo)) != SS_OK) {
		r->off = saved;
		return rc;
	}
	*v = ((uint64_t)hi << 32) | lo;
	return SS_OK;
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
	if (n > outsz - 1) {
		r->off = saved;
		return SS_ERR_TOO_LARGE;
	}
	if ((rc = buf_get_bytes(r, n, &p)) != SS_OK) {
		r->off = saved;
		return rc;
	}
	if (memchr(p, '\0', n) != NULL) {
		r->off = saved;
		return SS_ERR_INVALID;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return SS_OK;
}

void
buf_put_u32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

void
buf_put_u64(uint8_t out[8], uint64_t v)
{
	buf_put_u32(out, (uint32_t)(v >> 32));
	buf_put_u32(out + 4, (uint32_t)v);
}
