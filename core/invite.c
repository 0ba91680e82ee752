/*
 * invite.c: encoding and decoding of invite codes; see invite.h.
 *
 * Why a CRC and not a truncated hash: base32 puts each character's 5 bits
 * side by side, most significant first, and the CRC reads the bits in that
 * same order, so one mistyped character or two swapped neighbours change a
 * run of at most 10 consecutive bits of D || CRC, and a CRC of degree 24
 * detects every error confined to 24 consecutive bits. A truncated hash
 * would miss them once in 2^24 like any other mistake.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "invite.h"
#include "params.h"

#define INVITE_BYTES  (PARAMS_DIGEST_LEN + INVITE_CRC_LEN)     /* 35 */
/* Longer input is not a mistyped code; it is not scanned further. */
#define INVITE_SCAN_MAX 256

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

uint32_t
invite_crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xB704CEu;
	size_t i;
	int bit;

	for (i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 16;
		for (bit = 0; bit < 8; bit++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFFu;
}

/* D followed by its CRC, most significant byte first. */
static void
with_crc(const uint8_t d[PARAMS_DIGEST_LEN], uint8_t out[INVITE_BYTES])
{
	uint32_t crc = invite_crc24(d, PARAMS_DIGEST_LEN);

	memcpy(out, d, PARAMS_DIGEST_LEN);
	out[PARAMS_DIGEST_LEN] = (uint8_t)(crc >> 16);
	out[PARAMS_DIGEST_LEN + 1] = (uint8_t)(crc >> 8);
	out[PARAMS_DIGEST_LEN + 2] = (uint8_t)crc;
}

void
invite_encode(const uint8_t d[PARAMS_DIGEST_LEN], char out[INVITE_CODE_BUF])
{
	uint8_t bytes[INVITE_BYTES];
	uint32_t acc = 0;
	size_t i, o, sym = 0;
	int bits = 0;

	with_crc(d, bytes);
	memcpy(out, INVITE_PREFIX, sizeof(INVITE_PREFIX) - 1);
	o = sizeof(INVITE_PREFIX) - 1;
	/* 280 bits are exactly 56 symbols: nothing is left over. */
	for (i = 0; i < INVITE_BYTES; i++) {
		acc = (acc << 8) | bytes[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (sym > 0 && sym % INVITE_GROUP == 0)
				out[o++] = '-';
			out[o++] = alphabet[(acc >> bits) & 31];
			sym++;
		}
	}
	out[o] = '\0';
}

/* The 5-bit value of a code character, or -1. */
static int
symbol_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* The message for a character that is not in the alphabet. */
static int
bad_character(char c, size_t pos, struct ss_error *e)
{
	unsigned char u = (unsigned char)c;

	if (c == '0' || c == '1' || c == '8' || c == '9')
		return ss_error_set(e, SS_ERR_INVALID, "invite code: character "
		    "%zu is '%c', which never appears in a code (its digits "
		    "are 2 to 7: did you mean the letter %s?)", pos, c,
		    c == '0' ? "o" : c == '1' ? "l or i" : c == '8' ? "b" : "g");
	if (u > 0x20 && u < 0x7f)
		return ss_error_set(e, SS_ERR_INVALID, "invite code: character "
		    "%zu is '%c', not one of a-z 2-7", pos, c);
	return ss_error_set(e, SS_ERR_INVALID, "invite code: character %zu "
	    "is the byte 0x%02x, not one of a-z 2-7", pos, u);
}

/*
 * The prefix, case-insensitively. The code of another version ("ss" digits
 * "-") gets its own message, so that a newer code is not called a typo.
 */
static int
check_prefix(const char *code, struct ss_error *e)
{
	size_t k;

	if ((code[0] == 's' || code[0] == 'S') &&
	    (code[1] == 's' || code[1] == 'S')) {
		if (code[2] == '2' && code[3] == '-')
			return SS_OK;
		for (k = 2; k < 12 && code[k] >= '0' && code[k] <= '9'; k++)
			;
		if (k > 2 && code[k] == '-')
			return ss_error_set(e, SS_ERR_VERSION, "invite code is "
			    "for protocol version %.*s; this client speaks "
			    "version 2 (its codes start with ss2-)",
			    (int)(k - 2), code + 2);
	}
	return ss_error_set(e, SS_ERR_INVALID, "invite code must start with "
	    INVITE_PREFIX " (a code looks like " INVITE_PREFIX "xxxxxxxx-..."
	    ", seven groups of eight)");
}

/*
 * The symbols after the prefix into sym[INVITE_SYMBOLS], dashes skipped;
 * positions in messages count from 1 at the code's first character.
 */
static int
read_symbols(const char *code, uint8_t sym[INVITE_SYMBOLS], struct ss_error *e)
{
	size_t i, count = 0, start = sizeof(INVITE_PREFIX) - 1;
	int v;

	for (i = start; code[i] != '\0'; i++) {
		if (i >= INVITE_SCAN_MAX)
			return ss_error_set(e, SS_ERR_TOO_LARGE, "invite code is "
			    "over %d characters long; a code has %d letters "
			    "and digits after " INVITE_PREFIX, INVITE_SCAN_MAX,
			    INVITE_SYMBOLS);
		if (code[i] == '-')
			continue;
		if ((v = symbol_value(code[i])) < 0)
			return bad_character(code[i], i + 1, e);
		if (count == INVITE_SYMBOLS)
			return ss_error_set(e, SS_ERR_TOO_LARGE, "invite code "
			    "has more than %d letters and digits after "
			    INVITE_PREFIX " (character %zu is one too many)",
			    INVITE_SYMBOLS, i + 1);
		sym[count++] = (uint8_t)v;
	}
	if (count < INVITE_SYMBOLS)
		return ss_error_set(e, SS_ERR_TRUNCATED, "invite code has %zu "
		    "letters and digits after " INVITE_PREFIX ", not %d: was "
		    "part of it lost when copied?", count, INVITE_SYMBOLS);
	return SS_OK;
}

/* 56 symbols back into 35 bytes. */
static void
unpack(const uint8_t sym[INVITE_SYMBOLS], uint8_t bytes[INVITE_BYTES])
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < INVITE_SYMBOLS; i++) {
		acc = (acc << 5) | sym[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			bytes[o++] = (uint8_t)(acc >> bits);
		}
	}
}

int
invite_decode(const char *code, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e)
{
	uint8_t sym[INVITE_SYMBOLS], bytes[INVITE_BYTES], want[INVITE_BYTES];
	int rc;

	memset(d, 0, PARAMS_DIGEST_LEN);
	memset(sym, 0, sizeof(sym));
	if (code == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no invite code");
	if ((rc = check_prefix(code, e)) != SS_OK ||
	    (rc = read_symbols(code, sym, e)) != SS_OK)
		return rc;
	unpack(sym, bytes);
	with_crc(bytes, want);
	if (memcmp(want + PARAMS_DIGEST_LEN, bytes + PARAMS_DIGEST_LEN,
	    INVITE_CRC_LEN) != 0)
		return ss_error_set(e, SS_ERR_CHECKSUM, "invite code's checksum "
		    "does not match: a character was mistyped or changed");
	memcpy(d, bytes, PARAMS_DIGEST_LEN);
	return SS_OK;
}
