/*
 * pbwire.h: the protobuf wire format read through a buf_reader -- varints,
 * tags and whole fields -- with the limits the reference implementation
 * (Google's protobuf) and protobuf-c both hold, so that a field either
 * reader takes is one this reader takes too.
 */
#ifndef SS_PBWIRE_H
#define SS_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define PBWIRE_VARINT  0
#define PBWIRE_I64     1
#define PBWIRE_LEN     2
#define PBWIRE_SGROUP  3
#define PBWIRE_EGROUP  4
#define PBWIRE_I32     5

/* Nesting of messages and groups: protobuf's default recursion limit. */
#define PBWIRE_MAX_DEPTH  100

/*
 * A varint of at most 10 bytes; bits past the 64th are dropped, as both
 * protobuf and protobuf-c drop them. SS_ERR_PROTOCOL if it is longer or cut.
 */
int pbwire_varint(struct buf_reader *r, uint64_t *v) SS_WUR;

/* A tag of at most 5 bytes naming a field other than 0. */
int pbwire_tag(struct buf_reader *r, uint32_t *field, uint32_t *wire_type) SS_WUR;

/*
 * The payload of a length-delimited field, as a reader of its own: a length
 * of at most 5 bytes (protobuf reads it as an int32) and that many bytes.
 */
int pbwire_len(struct buf_reader *r, struct buf_reader *payload) SS_WUR;

/* One field as it lies on the wire. */
struct pbwire_field {
	uint32_t number;
	uint32_t wire_type;
	struct buf_reader value;   /* a varint's or fixed value's bytes, a
	                              payload, or a group's fields and end */
	const uint8_t *raw;        /* the whole field, tag included */
	size_t raw_len;
};

/*
 * Reads the next field of a message nested depth deep. A group (wire types
 * 3 and 4, still valid on the wire for unknown fields) is read to its
 * matching end. SS_ERR_PROTOCOL for wire types 6 and 7, an end without a
 * start, nesting past PBWIRE_MAX_DEPTH, or anything cut short.
 */
int pbwire_next(struct buf_reader *r, int depth, struct pbwire_field *f) SS_WUR;

#endif
