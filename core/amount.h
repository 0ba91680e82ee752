/*
 * amount.h: parsing and printing of the parties' inputs and the total, as
 * signed integers or fixed-point decimals with k digits after the point.
 */
#ifndef SS_AMOUNT_H
#define SS_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define AMOUNT_MAX_DECIMALS 18
/* Room amount_format needs for any value: "-9.223372036854775808" and NUL. */
#define AMOUNT_FORMAT_LEN 22

/*
 * Parses text such as "-7", "12.5" or "+3.25" scaled by 10^decimals into
 * *out. Refuses (SS_ERR_INVALID) empty text, stray characters (spaces
 * included), a point without digits on both sides ("1.", ".5"), more
 * fractional digits than decimals, and decimals > AMOUNT_MAX_DECIMALS;
 * SS_ERR_RANGE when it overflows int64. *out is untouched on failure.
 */
int amount_parse(const char *text, unsigned decimals, int64_t *out) SS_WUR;

/*
 * The largest |x| a party may input so that the sum of n such inputs stays
 * decodable: floor(FIELD_HALF / n); 0 for n == 0.
 */
int64_t amount_bound(unsigned n);

/*
 * Formats value / 10^decimals into buf (e.g. "-12.50"); SS_ERR_TOO_LARGE if
 * buf is small (buf is then ""), SS_ERR_INVALID for a NULL or empty buf or
 * decimals > AMOUNT_MAX_DECIMALS. AMOUNT_FORMAT_LEN bytes always suffice.
 */
int amount_format(int64_t value, unsigned decimals, char *buf, size_t len) SS_WUR;

#endif
