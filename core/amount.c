/*
 * amount.c: the text form of inputs and totals, signed integers or fixed
 * point with k decimals, converted exactly to and from scaled int64 values.
 *
 * Parsing is strict on purpose: a party's input is money or a count, so
 * "1.", " 5" or "1e3" is more likely a mistake than a number, and a value
 * silently rounded or truncated would make the sum wrong without anyone
 * noticing.  Digits are checked by hand rather than with isdigit() or
 * strtoll(), which depend on the locale and accept leading blanks.
 */
#include <stdint.h>
#include <string.h>

#include "amount.h"
#include "err.h"
#include "field.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
amount_parse(const char *text, unsigned decimals, int64_t *out)
{
	const char *p, *int_start, *frac_start = NULL;
	size_t int_len, frac_len = 0, i;
	uint64_t mag = 0, limit, d;
	int negative = 0;

	if (text == NULL || out == NULL || decimals > AMOUNT_MAX_DECIMALS)
		return SS_ERR_INVALID;

	/* Syntax first, so that "99999999999999999999x" is invalid, not out of range. */
	p = text;
	if (*p == '+' || *p == '-') {
		negative = *p == '-';
		p++;
	}
	int_start = p;
	while (is_digit(*p))
		p++;
	int_len = (size_t)(p - int_start);
	if (int_len == 0)
		return SS_ERR_INVALID;
	if (*p == '.') {
		frac_start = ++p;
		while (is_digit(*p))
			p++;
		frac_len = (size_t)(p - frac_start);
		if (frac_len == 0 || frac_len > decimals)
			return SS_ERR_INVALID;
	}
	if (*p != '\0')
		return SS_ERR_INVALID;

	/*
	 * Accumulate the magnitude unsigned, against the magnitude of INT64_MIN
	 * for negative values, so that no step of the arithmetic can overflow.
	 */
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = 0; i < int_len + decimals; i++) {
		if (i < int_len)
			d = (uint64_t)(int_start[i] - '0');
		else if (i - int_len < frac_len)
			d = (uint64_t)(frac_start[i - int_len] - '0');
		else
			d = 0;	/* pad the fraction to exactly `decimals` digits */
		if (mag > (limit - d) / 10)
			return SS_ERR_RANGE;
		mag = mag * 10 + d;
	}

	if (!negative)
		*out = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)mag;
	return SS_OK;
}

int64_t
amount_bound(unsigned n)
{
	/* No parties, no input that can be summed; callers check n anyway. */
	if (n == 0)
		return 0;
	return (int64_t)(FIELD_HALF / n);
}

int
amount_format(int64_t value, unsigned decimals, char *buf, size_t len)
{
	/* Sign, 19 digits of INT64_MIN, a leading "0", the point: 22 at most. */
	char tmp[32];
	size_t pos = sizeof(tmp), ndigits = 0, need;
	uint64_t mag;

	if (buf == NULL || len == 0 || decimals > AMOUNT_MAX_DECIMALS)
		return SS_ERR_INVALID;
	buf[0] = '\0';

	/* Unsigned negation is defined for INT64_MIN, unlike -value. */
	mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;

	/* Right to left: at least decimals + 1 digits, so 5 -> "0.05". */
	do {
		if (decimals > 0 && ndigits == decimals)
			tmp[--pos] = '.';
		tmp[--pos] = (char)('0' + mag % 10);
		mag /= 10;
		ndigits++;
	} while (mag != 0 || ndigits <= decimals);
	if (value < 0)
		tmp[--pos] = '-';

	need = sizeof(tmp) - pos;
	if (need >= len)
		return SS_ERR_TOO_LARGE;
	memcpy(buf, tmp + pos, need);
	buf[need] = '\0';
	return SS_OK;
}
