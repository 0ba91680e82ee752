/*
 * test_core_invite.c: unit tests of core/invite.c: the code of the test
 * vector's D, round trips in every spelling a user may paste, the CRC's
 * promise (every single mistyped character and every swap of two
 * neighbours is caught, tried exhaustively), and the message of each kind
 * of mistake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "err.h"
#include "invite.h"
#include "params.h"
#include "vectors.h"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Decodes code, expecting failure with code rc and words in the message. */
static void
expect_refused(const char *code, int rc, const char *words)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error e;

	memset(d, 0xaa, sizeof(d));
	ss_error_clear(&e);
	assert_int_equal(invite_decode(code, d, &e), rc);
	assert_int_equal(e.code, rc);
	if (strstr(e.msg, words) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
	assert_memory_equal(d, (uint8_t[PARAMS_DIGEST_LEN]){ 0 }, sizeof(d));
}

static void
expect_decodes_to(const char *code, const uint8_t want[PARAMS_DIGEST_LEN])
{
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error e;

	ss_error_clear(&e);
	if (invite_decode(code, d, &e) != SS_OK)
		fail_msg("%s: %s", code, e.msg);
	assert_memory_equal(d, want, PARAMS_DIGEST_LEN);
}

static void
test_crc24_check_value(void **state)
{
	(void)state;
	/* The CRC catalogue's check value of CRC-24/OPENPGP. */
	assert_int_equal(invite_crc24((const uint8_t *)"123456789", 9),
	    0x21CF02);
	assert_int_equal(invite_crc24(NULL, 0), 0xB704CE);
}

static void
test_vector(void **state)
{
	char code[INVITE_CODE_BUF], *want;
	uint8_t *d;
	size_t len;

	(void)state;
	d = vector_hex(VECTORS_V2, "D", &len);
	assert_int_equal(len, PARAMS_DIGEST_LEN);
	invite_encode(d, code);
	want = vector_get(VECTORS_V2, "invite");
	assert_non_null(want);
	assert_string_equal(code, want);
	assert_int_equal(strlen(code), INVITE_CODE_LEN);
	assert_int_equal(INVITE_CODE_LEN, 66);
	expect_decodes_to(want, d);
	free(want);
	free(d);
}

/* Upper case, no dashes, dashes anywhere: one D. */
static void
test_round_trips(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char code[INVITE_CODE_BUF], other[2 * INVITE_CODE_BUF];
	size_t i, o;
	int trial;

	(void)state;
	for (trial = 0; trial < 200; trial++) {
		assert_int_equal(RAND_bytes(d, sizeof(d)), 1);
		if (trial == 0)
			memset(d, 0, sizeof(d));
		if (trial == 1)
			memset(d, 0xff, sizeof(d));
		invite_encode(d, code);
		assert_int_equal(strlen(code), INVITE_CODE_LEN);
		assert_memory_equal(code, "ss2-", 4);
		for (i = 4; i < INVITE_CODE_LEN; i++)
			assert_true(i % 9 == 3 ? code[i] == '-' :
			    strchr(alphabet, code[i]) != NULL);
		expect_decodes_to(code, d);
		for (i = 0; code[i] != '\0'; i++)
			other[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ?
			    code[i] - 'a' + 'A' : code[i]);
		other[i] = '\0';
		expect_decodes_to(other, d);            /* "SS2-ABCD..." */
		for (i = o = 0; code[i] != '\0'; i++)
			if (i < 4 || code[i] != '-')
				other[o++] = code[i];
		other[o] = '\0';
		expect_decodes_to(other, d);            /* no groups */
		for (i = o = 0; code[i] != '\0'; i++) {
			other[o++] = code[i];
			if (i >= 4 && i % 5 == 0)
				other[o++] = '-';
		}
		other[o] = '\0';
		expect_decodes_to(other, d);            /* other groups */
	}
}

/* Every character replaced by every other symbol: all caught. */
static void
test_every_substitution_caught(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char code[INVITE_CODE_BUF], bad[INVITE_CODE_BUF];
	size_t i, k, tried = 0;

	(void)state;
	assert_int_equal(RAND_bytes(d, sizeof(d)), 1);
	invite_encode(d, code);
	for (i = 4; i < INVITE_CODE_LEN; i++) {
		if (code[i] == '-')
			continue;
		for (k = 0; k < 32; k++) {
			if (alphabet[k] == code[i])
				continue;
			memcpy(bad, code, sizeof(bad));
			bad[i] = alphabet[k];
			expect_refused(bad, SS_ERR_CHECKSUM, "checksum does not "
			    "match");
			tried++;
		}
	}
	assert_int_equal(tried, 56 * 31);
}

/* Every two neighbouring symbols swapped (across dashes too): caught. */
static void
test_every_swap_caught(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char code[INVITE_CODE_BUF], bad[INVITE_CODE_BUF], tmp;
	size_t i, j, swaps = 0;
	int trial;

	(void)state;
	for (trial = 0; trial < 20; trial++) {
		assert_int_equal(RAND_bytes(d, sizeof(d)), 1);
		invite_encode(d, code);
		for (i = 4; i < INVITE_CODE_LEN - 1; i++) {
			if (code[i] == '-')
				continue;
			j = code[i + 1] == '-' ? i + 2 : i + 1;
			if (code[i] == code[j])
				continue;
			memcpy(bad, code, sizeof(bad));
			tmp = bad[i];
			bad[i] = bad[j];
			bad[j] = tmp;
			expect_refused(bad, SS_ERR_CHECKSUM, "mistyped");
			swaps++;
		}
	}
	assert_true(swaps > 20 * 50);
}

static void
test_mistakes_named(void **state)
{
	static const uint8_t d[PARAMS_DIGEST_LEN] = { 1, 2, 3 };
	char code[INVITE_CODE_BUF], bad[512];

	(void)state;
	invite_encode(d, code);
	expect_refused(NULL, SS_ERR_INVALID, "no invite code");
	expect_refused("", SS_ERR_INVALID, "must start with ss2-");
	expect_refused(code + 4, SS_ERR_INVALID, "must start with ss2-");
	expect_refused("ss2", SS_ERR_INVALID, "must start with ss2-");

	memcpy(bad, code, sizeof(code));
	bad[2] = '3';
	expect_refused(bad, SS_ERR_VERSION, "protocol version 3; this client "
	    "speaks version 2");
	memcpy(bad, "ss10", 4);
	bad[4] = '-';
	expect_refused(bad, SS_ERR_VERSION, "protocol version 10");

	memcpy(bad, code, sizeof(code));
	bad[INVITE_CODE_LEN - 1] = '\0';
	expect_refused(bad, SS_ERR_TRUNCATED, "has 55 letters and digits after "
	    "ss2-, not 56: was part of it lost");
	expect_refused("ss2-", SS_ERR_TRUNCATED, "has 0 letters");
	snprintf(bad, sizeof(bad), "%sa", code);
	expect_refused(bad, SS_ERR_TOO_LARGE, "more than 56 letters and digits "
	    "after ss2- (character 67 is one too many)");
	memset(bad, 'a', sizeof(bad) - 1);
	memcpy(bad, "ss2-", 4);
	bad[sizeof(bad) - 1] = '\0';
	expect_refused(bad, SS_ERR_TOO_LARGE, "more than 56 letters");
	memset(bad + 4, '-', sizeof(bad) - 5);
	expect_refused(bad, SS_ERR_TOO_LARGE, "over 256 characters long");

	memcpy(bad, code, sizeof(code));
	bad[7] = '0';
	expect_refused(bad, SS_ERR_INVALID, "character 8 is '0', which never "
	    "appears in a code (its digits are 2 to 7: did you mean the "
	    "letter o?)");
	bad[7] = '1';
	expect_refused(bad, SS_ERR_INVALID, "did you mean the letter l or i?");
	bad[7] = '!';
	expect_refused(bad, SS_ERR_INVALID, "character 8 is '!', not one of "
	    "a-z 2-7");
	bad[7] = ' ';
	expect_refused(bad, SS_ERR_INVALID, "character 8 is the byte 0x20");
	bad[7] = (char)0xc3;
	expect_refused(bad, SS_ERR_INVALID, "character 8 is the byte 0xc3");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_crc24_check_value),
	cmocka_unit_test(test_vector),
	cmocka_unit_test(test_round_trips),
	cmocka_unit_test(test_every_substitution_caught),
	cmocka_unit_test(test_every_swap_caught),
	cmocka_unit_test(test_mistakes_named),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
