/*
 * test_server_pbwire.c: the protobuf wire reader holds the limits protobuf
 * and protobuf-c hold, no more and no less: varints of 10 bytes, tags and
 * lengths of 5, groups matched and nested at most PBWIRE_MAX_DEPTH deep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "pbwire.h"

static int
varint_of(const uint8_t *p, size_t n, uint64_t *v)
{
	struct buf_reader r;
	int rc;

	buf_reader_init(&r, p, n);
	if ((rc = pbwire_varint(&r, v)) == SS_OK && buf_remaining(&r) != 0)
		return SS_ERR_INVALID;   /* the test's bytes were one varint */
	return rc;
}

static void
test_varints(void **state)
{
	static const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	/* bits past the 64th are dropped, as protobuf and protobuf-c drop them */
	static const uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e };
	static const uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	static const uint8_t padded_one[] = { 0x81, 0x80, 0x00 };
	static const uint8_t cut[] = { 0x80, 0x80 };
	uint64_t v;

	(void)state;
	assert_int_equal(varint_of(max, sizeof(max), &v), SS_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(varint_of(over, sizeof(over), &v), SS_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(varint_of(padded_one, sizeof(padded_one), &v), SS_OK);
	assert_int_equal(v, 1);
	assert_int_equal(varint_of(eleven, sizeof(eleven), &v), SS_ERR_PROTOCOL);
	assert_int_equal(varint_of(cut, sizeof(cut), &v), SS_ERR_PROTOCOL);
	assert_int_equal(varint_of(cut, 0, &v), SS_ERR_PROTOCOL);
}

static void
test_tags_and_lengths(void **state)
{
	static const uint8_t top[] = { 0xf8, 0xff, 0xff, 0xff, 0x7f };   /* field 2^32-1 */
	static const uint8_t six[] = { 0x88, 0x80, 0x80, 0x80, 0x80, 0x00 };
	static const uint8_t zero[] = { 0x80, 0x00 };                     /* field 0, padded */
	static const uint8_t len5[] = { 0x83, 0x80, 0x80, 0x80, 0x00, 'a', 'b', 'c' };
	static const uint8_t len6[] = { 0x83, 0x80, 0x80, 0x80, 0x80, 0x00, 'a', 'b', 'c' };
	static const uint8_t len_past[] = { 0x04, 'a', 'b', 'c' };
	struct buf_reader r, p;
	uint32_t field, wt;

	(void)state;
	buf_reader_init(&r, top, sizeof(top));
	assert_int_equal(pbwire_tag(&r, &field, &wt), SS_OK);
	assert_true(field == UINT32_MAX && wt == 0);
	buf_reader_init(&r, six, sizeof(six));
	assert_int_equal(pbwire_tag(&r, &field, &wt), SS_ERR_PROTOCOL);
	buf_reader_init(&r, zero, sizeof(zero));
	assert_int_equal(pbwire_tag(&r, &field, &wt), SS_ERR_PROTOCOL);

	buf_reader_init(&r, len5, sizeof(len5));
	assert_int_equal(pbwire_len(&r, &p), SS_OK);
	assert_int_equal(p.len, 3);
	assert_memory_equal(p.data, "abc", 3);
	buf_reader_init(&r, len6, sizeof(len6));
	assert_int_equal(pbwire_len(&r, &p), SS_ERR_PROTOCOL);
	buf_reader_init(&r, len_past, sizeof(len_past));
	assert_int_equal(pbwire_len(&r, &p), SS_ERR_PROTOCOL);
}

/* Reads every field of p as a message at depth 0; the count, or an error. */
static int
fields(const uint8_t *p, size_t n, struct pbwire_field *last)
{
	struct buf_reader r;
	int count = 0;

	buf_reader_init(&r, p, n);
	while (buf_remaining(&r) > 0) {
		if (pbwire_next(&r, 0, last) != SS_OK)
			return SS_ERR_PROTOCOL;
		count++;
	}
	return count;
}

static void
test_fields(void **state)
{
	static const uint8_t each[] = {
		0x08, 0x96, 0x01,                 /* 1: varint 150 */
		0x11, 1, 2, 3, 4, 5, 6, 7, 8,     /* 2: fixed64 */
		0x1a, 0x02, 'h', 'i',             /* 3: bytes */
		0x25, 1, 2, 3, 4,                 /* 4: fixed32 */
		0x2b, 0x08, 0x01, 0x33, 0x34, 0x2c, /* 5: group holding a group */
	};
	static const uint8_t lone_end[] = { 0x0c };
	static const uint8_t wrong_end[] = { 0x0b, 0x14 };
	static const uint8_t open_group[] = { 0x0b, 0x08, 0x01 };
	static const uint8_t wt6[] = { 0x0e }, wt7[] = { 0x0f };
	static const uint8_t short_fixed[] = { 0x11, 1, 2, 3 };
	struct pbwire_field f;

	(void)state;
	assert_int_equal(fields(each, sizeof(each), &f), 5);
	assert_int_equal(f.number, 5);
	assert_int_equal(f.wire_type, PBWIRE_SGROUP);
	assert_ptr_equal(f.raw, each + 21);
	assert_int_equal(f.raw_len, sizeof(each) - 21);
	assert_int_equal(fields(each, 3, &f), 1);
	assert_int_equal(f.value.len, 2);    /* the varint's bytes */
	assert_int_equal(fields(each, 16, &f), 3);
	assert_memory_equal(f.value.data, "hi", 2);
	assert_int_equal(fields(lone_end, sizeof(lone_end), &f), SS_ERR_PROTOCOL);
	assert_int_equal(fields(wrong_end, sizeof(wrong_end), &f), SS_ERR_PROTOCOL);
	assert_int_equal(fields(open_group, sizeof(open_group), &f), SS_ERR_PROTOCOL);
	assert_int_equal(fields(wt6, sizeof(wt6), &f), SS_ERR_PROTOCOL);
	assert_int_equal(fields(wt7, sizeof(wt7), &f), SS_ERR_PROTOCOL);
	assert_int_equal(fields(short_fixed, sizeof(short_fixed), &f), SS_ERR_PROTOCOL);
}

/* Groups nest up to PBWIRE_MAX_DEPTH, as protobuf's recursion limit allows. */
static void
test_group_depth(void **state)
{
	uint8_t p[2 * (PBWIRE_MAX_DEPTH + 1)];
	struct pbwire_field f;
	size_t depth;

	(void)state;
	for (depth = PBWIRE_MAX_DEPTH; depth <= PBWIRE_MAX_DEPTH + 1; depth++) {
		memset(p, 0x0b, depth);             /* field 1, start group */
		memset(p + depth, 0x0c, depth);     /* field 1, end group */
		assert_int_equal(fields(p, 2 * depth, &f),
		    depth <= PBWIRE_MAX_DEPTH ? 1 : SS_ERR_PROTOCOL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varints),
		cmocka_unit_test(test_tags_and_lengths),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_group_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
