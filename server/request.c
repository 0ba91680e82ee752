/*
 * request.c: decoding a Request frame with proto3's meaning (request.h says
 * where protobuf-c departs from it). The rules are written once, over
 * protobuf-c's descriptors, so they hold for every message of the schema.
 *
 * A first pass checks the frame and notes whether protobuf-c would misread
 * it; only then is the frame rewritten. The rewrite reads "a message given
 * several times" as the list of its occurrences in the message around it
 * (struct src), walked again when needed instead of copied, so the one
 * buffer it takes is its output, no longer than the frame.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "pbwire.h"
#include "request.h"

/* ---- the schema: protobuf-c's descriptors --------------------------- */

static const ProtobufCFieldDescriptor *
field_of(const ProtobufCMessageDescriptor *d, uint32_t number)
{
	return protobuf_c_message_descriptor_get_field(d, number);
}

/* The wire type a field of this type has when not packed. */
static uint32_t
wire_type_of(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return PBWIRE_I64;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return PBWIRE_I32;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return PBWIRE_LEN;
	default:
		return PBWIRE_VARINT;   /* the integers, bool and enums */
	}
}

/*
 * Whether proto3 reads an occurrence of f with this wire type as f: with its
 * own wire type, or a repeated scalar packed. Any other is an unknown field.
 */
static int
fits(const ProtobufCFieldDescriptor *f, uint32_t wire_type)
{
	uint32_t own = wire_type_of(f->type);

	return wire_type == own || (f->label == PROTOBUF_C_LABEL_REPEATED &&
	    own != PBWIRE_LEN && wire_type == PBWIRE_LEN);
}

/* A message field that is not repeated: its occurrences merge. */
static int
merges(const ProtobufCFieldDescriptor *f)
{
	return f->type == PROTOBUF_C_TYPE_MESSAGE &&
	    f->label != PROTOBUF_C_LABEL_REPEATED;
}

/* Two members of one oneof share its case field. */
static int
same_oneof(const ProtobufCFieldDescriptor *a, const ProtobufCFieldDescriptor *b)
{
	return (a->flags & b->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
	    a->quantifier_offset == b->quantifier_offset;
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or values past U+10FFFF. */
static int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k, more;
	uint8_t lo, hi;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* The lead byte fixes the length and the range of the first continuation. */
		lo = 0x80;
		hi = 0xbf;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			more = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			more = 2;
			lo = p[i] == 0xe0 ? 0xa0 : 0x80;
			hi = p[i] == 0xed ? 0x9f : 0xbf;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			more = 3;
			lo = p[i] == 0xf0 ? 0x90 : 0x80;
			hi = p[i] == 0xf4 ? 0x8f : 0xbf;
		} else
			return 0;
		if (more > n - i - 1 || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= more; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += more + 1;
	}
	return 1;
}

/* ---- walking a message's encoding ------------------------------------ */

/*
 * The encoding of one message: the fields of a span, or, for a message
 * field given several times, the fields of the payloads of its occurrences
 * in the message around it (outer), from the from-th one on: proto3 reads
 * them as one payload.
 */
struct src {
	const struct src *outer;   /* NULL: span */
	uint32_t field;
	size_t from;
	struct buf_reader span;
	int depth;
};

typedef int (*field_fn)(void *arg, const struct pbwire_field *f);

static int
span_walk(struct buf_reader r, int depth, field_fn fn, void *arg)
{
	struct pbwire_field f;
	int rc;

	while (buf_remaining(&r) > 0) {
		if (pbwire_next(&r, depth, &f) != SS_OK)
			return SS_ERR_PROTOCOL;
		if ((rc = fn(arg, &f)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

struct pieces {
	const struct src *s;
	field_fn fn;
	void *arg;
	size_t seen;
};

static int
piece(void *arg, const struct pbwire_field *f)
{
	struct pieces *w = arg;

	if (f->number != w->s->field || f->wire_type != PBWIRE_LEN ||
	    w->seen++ < w->s->from)
		return SS_OK;
	return span_walk(f->value, w->s->depth, w->fn, w->arg);
}

/* Calls fn on every field of s, in wire order. */
static int
/* Recursion bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
src_walk(const struct src *s, field_fn fn, void *arg)
{
	struct pieces w = { s, fn, arg, 0 };

	if (s->outer == NULL)
		return span_walk(s->span, s->depth, fn, arg);
	return src_walk(s->outer, piece, &w);
}

/*
 * Which occurrences of the merging field f count: all of them, but a
 * later member of f's oneof replaces those before it. They are the
 * from-th to the count-th.
 */
struct occurrences {
	const ProtobufCMessageDescriptor *d;
	const ProtobufCFieldDescriptor *f;
	size_t count, from;
};

static int
occurrence(void *arg, const struct pbwire_field *o)
{
	struct occurrences *oc = arg;
	const ProtobufCFieldDescriptor *g = field_of(oc->d, o->number);

	if (g == NULL || !fits(g, o->wire_type))
		return SS_OK;
	if (g == oc->f)
		oc->count++;
	else if (same_oneof(g, oc->f))
		oc->from = oc->count;
	return SS_OK;
}

static int
occurrences(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
    const struct src *s, struct occurrences *oc)
{
	oc->d = d;
	oc->f = f;
	oc->count = 0;
	oc->from = 0;
	return src_walk(s, occurrence, oc);
}

/* ---- the check ------------------------------------------------------- */

struct check {
	const ProtobufCMessageDescriptor *d;
	int depth;
	int *irregular;   /* set when protobuf-c would read the bytes otherwise */
};

static int check_message(const ProtobufCMessageDescriptor *d,
    struct buf_reader r, int depth, int *irregular);

static int
check_field(void *arg, const struct pbwire_field *f)
{
	struct check *c = arg;
	const ProtobufCFieldDescriptor *fd = field_of(c->d, f->number);

	if (fd == NULL || !fits(fd, f->wire_type)) {
		/* An unknown field: protobuf-c keeps it, but refuses a group or a known number. */
		if (fd != NULL || f->wire_type == PBWIRE_SGROUP)
			*c->irregular = 1;
		return SS_OK;
	}
	if (f->wire_type != PBWIRE_LEN)
		return SS_OK;
	if (fd->type == PROTOBUF_C_TYPE_STRING)
		return utf8_valid(f->value.data, f->value.len) ? SS_OK : SS_ERR_PROTOCOL;
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return check_message(fd->descriptor, f->value, c->depth + 1, c->irregular);
	return SS_OK;
}

/*
 * Checks one encoding of a message as proto3 parses it -- every occurrence,
 * even those a later one overrides -- and notes whether protobuf-c would
 * read it otherwise.
 */
static int
check_message(const ProtobufCMessageDescriptor *d, struct buf_reader r,
    int depth, int *irregular)
{
	struct check c = { d, depth, irregular };
	struct src s = { NULL, 0, 0, r, depth };
	struct occurrences oc;
	unsigned i;
	int rc;

	if (depth > PBWIRE_MAX_DEPTH)
		return SS_ERR_PROTOCOL;
	if ((rc = span_walk(r, depth, check_field, &c)) != SS_OK)
		return rc;
	for (i = 0; i < d->n_fields && !*irregular; i++) {
		if (!merges(&d->fields[i]))
			continue;
		if ((rc = occurrences(d, &d->fields[i], &s, &oc)) != SS_OK)
			return rc;
		if (oc.count > 1)
			*irregular = 1;
	}
	return SS_OK;
}

/* ---- the rewrite ----------------------------------------------------- */

struct out {
	uint8_t *p;
	size_t cap;
	size_t n;
};

/*
 * Room left for a merged message's length, written once its payload is:
 * 5 bytes hold any length below 2^35. Each open message may leave 4 unused
 * until it closes, so the buffer needs that much beyond the frame.
 */
#define LEN_RESERVE 5
#define OUT_SLACK   ((LEN_RESERVE - 1) * (PBWIRE_MAX_DEPTH + 2))

static size_t
varint_encode(uint8_t b[10], uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	return n;
}

static int
out_put(struct out *o, const uint8_t *b, size_t n)
{
	if (n > o->cap - o->n)
		return SS_ERR_INTERNAL;   /* the rewrite is never longer: a bug */
	memcpy(o->p + o->n, b, n);
	o->n += n;
	return SS_OK;
}

static int rewrite(const ProtobufCMessageDescriptor *d, const struct src *s,
    struct out *o);

/* Field f holding the message s, rewritten. */
static int
/* Recursion bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
put_message(struct out *o, const ProtobufCFieldDescriptor *f, const struct src *s)
{
	uint8_t b[10];
	size_t at, n, k;
	int rc;

	k = varint_encode(b, (uint64_t)f->id << 3 | PBWIRE_LEN);
	if ((rc = out_put(o, b, k)) != SS_OK)
		return rc;
	if (o->cap - o->n < LEN_RESERVE)
		return SS_ERR_INTERNAL;
	at = o->n;
	o->n += LEN_RESERVE;
	if ((rc = rewrite(f->descriptor, s, o)) != SS_OK)
		return rc;
	n = o->n - at - LEN_RESERVE;
	if ((k = varint_encode(b, n)) > LEN_RESERVE)
		return SS_ERR_INTERNAL;
	memmove(o->p + at + k, o->p + at + LEN_RESERVE, n);
	memcpy(o->p + at, b, k);
	o->n = at + k + n;
	return SS_OK;
}

struct copy {
	const ProtobufCMessageDescriptor *d;
	struct out *o;
	int depth;
};

/* Every field but the merging ones, in wire order; unknown ones left out. */
static int
copy_field(void *arg, const struct pbwire_field *f)
{
	struct copy *c = arg;
	const ProtobufCFieldDescriptor *fd = field_of(c->d, f->number);
	struct src element;

	if (fd == NULL || !fits(fd, f->wire_type) || merges(fd))
		return SS_OK;
	if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
		return out_put(c->o, f->raw, f->raw_len);
	/* An element of a repeated message is a message of its own. */
	memset(&element, 0, sizeof(element));
	element.span = f->value;
	element.depth = c->depth + 1;
	return put_message(c->o, fd, &element);
}

/*
 * The message s as protobuf-c reads it right: its other fields as they
 * came, then each merging field once, its occurrences joined.
 */
static int
/* Recursion bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
rewrite(const ProtobufCMessageDescriptor *d, const struct src *s, struct out *o)
{
	struct copy c = { d, o, s->depth };
	struct occurrences oc;
	struct src inner;
	unsigned i;
	int rc;

	if (s->depth > PBWIRE_MAX_DEPTH)
		return SS_ERR_PROTOCOL;
	if ((rc = src_walk(s, copy_field, &c)) != SS_OK)
		return rc;
	for (i = 0; i < d->n_fields; i++) {
		if (!merges(&d->fields[i]))
			continue;
		if ((rc = occurrences(d, &d->fields[i], s, &oc)) != SS_OK)
			return rc;
		if (oc.count == oc.from)
			continue;   /* absent, or replaced by another member */
		memset(&inner, 0, sizeof(inner));
		inner.outer = s;
		inner.field = d->fields[i].id;
		inner.from = oc.from;
		inner.depth = s->depth + 1;
		if ((rc = put_message(o, &d->fields[i], &inner)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

/* ---- decoding -------------------------------------------------------- */

static void
release(ProtobufCAllocator *alloc, void *p)
{
	if (alloc != NULL)
		alloc->free(alloc->allocator_data, p);
	else
		free(p);
}

/* The sub-message at a field's offset, if that field is the one set. */
static ProtobufCMessage *
sub_message(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
    size_t k)
{
	const char *at = (const char *)m;
	ProtobufCMessage *sub, **v;
	uint32_t set;

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		memcpy(&v, at + f->offset, sizeof(v));
		/* A pointer: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		memcpy(&sub, &v[k], sizeof(sub));
		return sub;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		memcpy(&set, at + f->quantifier_offset, sizeof(set));
		if (set != f->id)
			return NULL;
	}
	/* A pointer: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	memcpy(&sub, at + f->offset, sizeof(sub));
	return sub;
}

/* Frees the unknown fields protobuf-c kept, in m and every message in it. */
static void
/* Recursion as deep as the message, which decoding bounded by PBWIRE_MAX_DEPTH: NOLINTNEXTLINE(misc-no-recursion) */
drop_unknown(ProtobufCMessage *m, ProtobufCAllocator *alloc)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	ProtobufCMessage *sub;
	size_t k, n;
	unsigned i;

	for (k = 0; k < m->n_unknown_fields; k++)
		release(alloc, m->unknown_fields[k].data);
	release(alloc, m->unknown_fields);
	m->unknown_fields = NULL;
	m->n_unknown_fields = 0;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		n = 1;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			memcpy(&n, (const char *)m + f->quantifier_offset, sizeof(n));
		for (k = 0; k < n; k++)
			if ((sub = sub_message(m, f, k)) != NULL)
				drop_unknown(sub, alloc);
	}
}

/*
 * The frame rewritten so that protobuf-c reads it as proto3 does. It is no
 * longer than the frame: every field is kept as it came or left out, except
 * the merged messages, whose one tag and length take no more bytes than
 * their parts' tags and lengths did, around a payload rewritten the same
 * way. out_put checks it all the same.
 */
static int
rewrite_frame(const uint8_t *frame, size_t len, struct out *o)
{
	struct src root;
	int rc;

	memset(&root, 0, sizeof(root));
	buf_reader_init(&root.span, frame, len);
	if (len > SIZE_MAX - OUT_SLACK)
		return SS_ERR_PROTOCOL;
	o->cap = len + OUT_SLACK;
	o->n = 0;
	if ((o->p = malloc(o->cap)) == NULL)
		return SS_ERR_ALLOC;
	if ((rc = rewrite(&securesum__request__descriptor, &root, o)) != SS_OK) {
		free(o->p);
		o->p = NULL;
	}
	return rc;
}

int
request_decode(ProtobufCAllocator *alloc, const uint8_t *frame, size_t len,
    Securesum__Request **out)
{
	struct buf_reader r;
	struct out o = { NULL, 0, 0 };
	int irregular = 0, rc;

	*out = NULL;
	buf_reader_init(&r, frame, len);
	if ((rc = check_message(&securesum__request__descriptor, r, 0,
	    &irregular)) != SS_OK)
		return rc;
	if (irregular) {
		if ((rc = rewrite_frame(frame, len, &o)) != SS_OK)
			return rc;
		frame = o.p;
		len = o.n;
	}
	*out = securesum__request__unpack(alloc, len, frame);
	free(o.p);
	if (*out == NULL)
		return SS_ERR_PROTOCOL;
	drop_unknown(&(*out)->base, alloc);
	return SS_OK;
}
