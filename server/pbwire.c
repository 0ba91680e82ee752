/*
 * pbwire.c: reading protobuf's wire format. Every byte goes through the
 * buf_reader, and every limit below is one that protobuf or protobuf-c
 * holds: anything past it is refused, never read differently.
 */
#include "err.h"
#include "pbwire.h"

int
pbwire_varint(struct buf_reader *r, uint64_t *v)
{
	uint64_t x = 0;
	uint8_t b;
	int i;

	for (i = 0; i < 10; i++) {
		if (buf_get_u8(r, &b) != SS_OK)
			return SS_ERR_PROTOCOL;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = x;
			return SS_OK;
		}
	}
	return SS_ERR_PROTOCOL;
}

/* A varint of at most max_bytes bytes. */
static int
short_varint(struct buf_reader *r, int max_bytes, uint64_t *v)
{
	size_t start = r->off;

	if (pbwire_varint(r, v) != SS_OK || r->off - start > (size_t)max_bytes)
		return SS_ERR_PROTOCOL;
	return SS_OK;
}

int
pbwire_tag(struct buf_reader *r, uint32_t *field, uint32_t *wire_type)
{
	uint64_t t;

	if (short_varint(r, 5, &t) != SS_OK || (t >> 3) == 0)
		return SS_ERR_PROTOCOL;
	*field = (uint32_t)(t >> 3);
	*wire_type = (uint32_t)(t & 7);
	return SS_OK;
}

int
pbwire_len(struct buf_reader *r, struct buf_reader *payload)
{
	const uint8_t *p;
	uint64_t n;

	if (short_varint(r, 5, &n) != SS_OK || n > INT32_MAX ||
	    buf_get_bytes(r, (size_t)n, &p) != SS_OK)
		return SS_ERR_PROTOCOL;
	buf_reader_init(payload, p, (size_t)n);
	return SS_OK;
}

static int skip_group(struct buf_reader *r, uint32_t number, int depth);

/* Consumes the value of a field whose tag was just read. */
static int
/* Recursion bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
skip_value(struct buf_reader *r, uint32_t number, uint32_t wire_type, int depth)
{
	struct buf_reader payload;
	const uint8_t *p;
	uint64_t x;

	switch (wire_type) {
	case PBWIRE_VARINT:
		return pbwire_varint(r, &x);
	case PBWIRE_I64:
		return buf_get_bytes(r, 8, &p) == SS_OK ? SS_OK : SS_ERR_PROTOCOL;
	case PBWIRE_I32:
		return buf_get_bytes(r, 4, &p) == SS_OK ? SS_OK : SS_ERR_PROTOCOL;
	case PBWIRE_LEN:
		return pbwire_len(r, &payload);
	case PBWIRE_SGROUP:
		return skip_group(r, number, depth + 1);
	default:
		return SS_ERR_PROTOCOL;   /* an end-group here, or 6 or 7 */
	}
}

/* The fields of a group up to and including the end-group of the same number. */
static int
/* Recursion bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
skip_group(struct buf_reader *r, uint32_t number, int depth)
{
	uint32_t field, wt;

	if (depth > PBWIRE_MAX_DEPTH)
		return SS_ERR_PROTOCOL;
	for (;;) {
		if (pbwire_tag(r, &field, &wt) != SS_OK)
			return SS_ERR_PROTOCOL;
		if (wt == PBWIRE_EGROUP)
			return field == number ? SS_OK : SS_ERR_PROTOCOL;
		if (skip_value(r, field, wt, depth) != SS_OK)
			return SS_ERR_PROTOCOL;
	}
}

int
pbwire_next(struct buf_reader *r, int depth, struct pbwire_field *f)
{
	size_t start = r->off, value_at;

	if (pbwire_tag(r, &f->number, &f->wire_type) != SS_OK)
		return SS_ERR_PROTOCOL;
	value_at = r->off;
	if (f->wire_type == PBWIRE_LEN) {
		if (pbwire_len(r, &f->value) != SS_OK)
			return SS_ERR_PROTOCOL;
	} else {
		if (skip_value(r, f->number, f->wire_type, depth) != SS_OK)
			return SS_ERR_PROTOCOL;
		buf_reader_init(&f->value, r->data + value_at, r->off - value_at);
	}
	f->raw = r->data + start;
	f->raw_len = r->off - start;
	return SS_OK;
}
