/*
 * test_core_amount.c: unit tests of core/amount.c: parsing and formatting of
 * integer and fixed-point amounts, their edges at INT64_MIN/INT64_MAX, the
 * texts that must be refused, and the per-party input bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "amount.h"
#include "err.h"
#include "field.h"
#include "rng.h"

struct parse_case {
	const char *text;
	unsigned decimals;
	int rc;
	int64_t value;
};

static const struct parse_case parse_cases[] = {
	{ "0", 0, SS_OK, 0 },
	{ "-0", 0, SS_OK, 0 },
	{ "+0", 0, SS_OK, 0 },
	{ "7", 0, SS_OK, 7 },
	{ "-7", 0, SS_OK, -7 },
	{ "+3", 0, SS_OK, 3 },
	{ "007", 0, SS_OK, 7 },
	{ "000000000000000000000000000000000000001", 0, SS_OK, 1 },
	{ "12.5", 2, SS_OK, 1250 },
	{ "12.50", 2, SS_OK, 1250 },
	{ "+3.25", 2, SS_OK, 325 },
	{ "-0.05", 2, SS_OK, -5 },
	{ "-0.5", 2, SS_OK, -50 },
	{ "1", 2, SS_OK, 100 },
	{ "-1", 2, SS_OK, -100 },
	{ "0.000000000000000001", 18, SS_OK, 1 },
	{ "1", 18, SS_OK, INT64_C(1000000000000000000) },
	{ "-1.5", 18, SS_OK, -INT64_C(1500000000000000000) },
	{ "9223372036854775807", 0, SS_OK, INT64_MAX },
	{ "-9223372036854775808", 0, SS_OK, INT64_MIN },
	{ "-9223372036854775807", 0, SS_OK, -INT64_MAX },
	{ "92233720368547758.07", 2, SS_OK, INT64_MAX },
	{ "-92233720368547758.08", 2, SS_OK, INT64_MIN },
	{ "9.223372036854775807", 18, SS_OK, INT64_MAX },
	{ "-9.223372036854775808", 18, SS_OK, INT64_MIN },
	{ "92233720368547758.0", 2, SS_OK, INT64_C(9223372036854775800) },
	{ "1152921504606846975", 0, SS_OK, (int64_t)FIELD_HALF },

	/* Out of range, found without overflowing. */
	{ "9223372036854775808", 0, SS_ERR_RANGE, 0 },
	{ "-9223372036854775809", 0, SS_ERR_RANGE, 0 },
	{ "18446744073709551616", 0, SS_ERR_RANGE, 0 },
	{ "99999999999999999999999999999", 0, SS_ERR_RANGE, 0 },
	{ "92233720368547758.08", 2, SS_ERR_RANGE, 0 },
	{ "-92233720368547758.09", 2, SS_ERR_RANGE, 0 },
	{ "92233720368547759", 2, SS_ERR_RANGE, 0 },
	{ "10", 18, SS_ERR_RANGE, 0 },
	{ "9.223372036854775808", 18, SS_ERR_RANGE, 0 },

	/* Malformed. */
	{ "", 0, SS_ERR_INVALID, 0 },
	{ "-", 0, SS_ERR_INVALID, 0 },
	{ "+", 0, SS_ERR_INVALID, 0 },
	{ ".", 2, SS_ERR_INVALID, 0 },
	{ "-.", 2, SS_ERR_INVALID, 0 },
	{ "1.", 2, SS_ERR_INVALID, 0 },
	{ ".5", 2, SS_ERR_INVALID, 0 },
	{ "-.5", 2, SS_ERR_INVALID, 0 },
	{ "1.2.3", 2, SS_ERR_INVALID, 0 },
	{ "1.234", 2, SS_ERR_INVALID, 0 },
	{ "1.0", 0, SS_ERR_INVALID, 0 },
	{ "1.5", 0, SS_ERR_INVALID, 0 },
	{ " 1", 0, SS_ERR_INVALID, 0 },
	{ "1 ", 0, SS_ERR_INVALID, 0 },
	{ "1\n", 0, SS_ERR_INVALID, 0 },
	{ "- 1", 0, SS_ERR_INVALID, 0 },
	{ "1x", 0, SS_ERR_INVALID, 0 },
	{ "x1", 0, SS_ERR_INVALID, 0 },
	{ "--1", 0, SS_ERR_INVALID, 0 },
	{ "+-1", 0, SS_ERR_INVALID, 0 },
	{ "-+1", 0, SS_ERR_INVALID, 0 },
	{ "0x10", 0, SS_ERR_INVALID, 0 },
	{ "1e3", 0, SS_ERR_INVALID, 0 },
	{ "12,5", 2, SS_ERR_INVALID, 0 },
	{ "1_000", 0, SS_ERR_INVALID, 0 },
	{ "inf", 0, SS_ERR_INVALID, 0 },
	{ "nan", 0, SS_ERR_INVALID, 0 },
	{ "\xef\xbc\x91", 0, SS_ERR_INVALID, 0 },	/* fullwidth 1 */
	/* Syntax is judged before size. */
	{ "99999999999999999999999999999x", 0, SS_ERR_INVALID, 0 },
	{ "99999999999999999999999999999.123", 2, SS_ERR_INVALID, 0 },
	/* Decimals beyond what int64 can scale. */
	{ "1", AMOUNT_MAX_DECIMALS + 1, SS_ERR_INVALID, 0 },
	{ "0", 1000, SS_ERR_INVALID, 0 },
};

static void
test_parse_table(void **state)
{
	const struct parse_case *c;
	int64_t v;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		c = &parse_cases[i];
		v = 0x1234;
		rc = amount_parse(c->text, c->decimals, &v);
		if (rc != c->rc || (rc == SS_OK && v != c->value))
			fail_msg("amount_parse(\"%s\", %u): rc %d value %lld, "
			    "want rc %d value %lld", c->text, c->decimals, rc,
			    (long long)v, c->rc, (long long)c->value);
		if (rc != SS_OK && v != 0x1234)
			fail_msg("amount_parse(\"%s\") wrote *out on failure",
			    c->text);
	}
}

static void
test_parse_null(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(amount_parse(NULL, 0, &v), SS_ERR_INVALID);
	assert_int_equal(amount_parse("1", 0, NULL), SS_ERR_INVALID);
}

struct format_case {
	int64_t value;
	unsigned decimals;
	const char *text;
};

static const struct format_case format_cases[] = {
	{ 0, 0, "0" },
	{ 0, 2, "0.00" },
	{ 7, 0, "7" },
	{ -7, 0, "-7" },
	{ -5, 2, "-0.05" },
	{ 5, 2, "0.05" },
	{ -50, 2, "-0.50" },
	{ 1250, 2, "12.50" },
	{ -1250, 2, "-12.50" },
	{ 100, 2, "1.00" },
	{ 123456, 3, "123.456" },
	{ 1, 18, "0.000000000000000001" },
	{ -1, 18, "-0.000000000000000001" },
	{ INT64_MAX, 0, "9223372036854775807" },
	{ INT64_MIN, 0, "-9223372036854775808" },
	{ INT64_MAX, 2, "92233720368547758.07" },
	{ INT64_MIN, 2, "-92233720368547758.08" },
	{ INT64_MAX, 18, "9.223372036854775807" },
	{ INT64_MIN, 18, "-9.223372036854775808" },
	{ INT64_MIN, 1, "-922337203685477580.8" },
};

static void
test_format_table(void **state)
{
	const struct format_case *c;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		c = &format_cases[i];
		memset(buf, 'z', sizeof(buf));
		assert_int_equal(amount_format(c->value, c->decimals, buf,
		    sizeof(buf)), SS_OK);
		assert_string_equal(buf, c->text);
	}
}

static void
test_format_buffer(void **state)
{
	char buf[32];

	(void)state;
	/* "-0.05" needs 6 bytes with its NUL. */
	assert_int_equal(amount_format(-5, 2, buf, 6), SS_OK);
	assert_string_equal(buf, "-0.05");
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(amount_format(-5, 2, buf, 5), SS_ERR_TOO_LARGE);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[5], 'z');	/* nothing written past len */
	assert_int_equal(amount_format(0, 0, buf, 2), SS_OK);
	assert_string_equal(buf, "0");
	assert_int_equal(amount_format(0, 0, buf, 1), SS_ERR_TOO_LARGE);
	assert_int_equal(AMOUNT_FORMAT_LEN, 22);
	assert_int_equal(amount_format(INT64_MIN, 18, buf, AMOUNT_FORMAT_LEN),
	    SS_OK);
	assert_string_equal(buf, "-9.223372036854775808");
	assert_int_equal(amount_format(INT64_MIN, 18, buf, 21),
	    SS_ERR_TOO_LARGE);
	assert_int_equal(amount_format(1, 0, NULL, 8), SS_ERR_INVALID);
	assert_int_equal(amount_format(1, 0, buf, 0), SS_ERR_INVALID);
	assert_int_equal(amount_format(1, AMOUNT_MAX_DECIMALS + 1, buf,
	    sizeof(buf)), SS_ERR_INVALID);
}

static void
test_round_trip(void **state)
{
	char buf[32], ref[48];
	uint64_t s = 3, u;
	int64_t x, back, p10;
	unsigned d, j;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		u = splitmix64(&s);
		/* Mix full-width values with short ones. */
		x = (int64_t)(i % 2 ? u : u % 100000);
		if (i % 3 == 0 && x != INT64_MIN)
			x = -x;
		if (i == 0)
			x = INT64_MIN;
		if (i == 1)
			x = INT64_MAX;
		d = (unsigned)(u % (AMOUNT_MAX_DECIMALS + 1));
		assert_int_equal(amount_format(x, d, buf, sizeof(buf)), SS_OK);
		assert_int_equal(amount_parse(buf, d, &back), SS_OK);
		assert_int_equal(back, x);

		/* Independent rendering with printf, for positive values. */
		if (x >= 0) {
			for (p10 = 1, j = 0; j < d; j++)
				p10 *= 10;
			if (d == 0)
				snprintf(ref, sizeof(ref), "%lld",
				    (long long)x);
			else
				snprintf(ref, sizeof(ref), "%lld.%0*lld",
				    (long long)(x / p10), (int)d,
				    (long long)(x % p10));
			assert_string_equal(buf, ref);
		}
	}
}

static void
test_bound(void **state)
{
	unsigned n;
	int64_t b;
	const int64_t half = (int64_t)FIELD_HALF;

	(void)state;
	assert_int_equal(amount_bound(1), half);
	assert_int_equal(amount_bound(2), half / 2);
	assert_int_equal(amount_bound(10), INT64_C(115292150460684697));
	assert_int_equal(amount_bound(0), 0);
	for (n = 1; n < 5000; n++) {
		b = amount_bound(n);
		/* n inputs of +-b sum within the decodable range... */
		assert_true((int64_t)n * b <= half);
		/* ...and b is the largest such bound. */
		assert_true((int64_t)n * (b + 1) > half);
	}
	b = amount_bound(UINT32_MAX);
	assert_true(b > 0);
	assert_true((uint64_t)b * UINT32_MAX <= FIELD_HALF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
