/*
 * test_server_strtab.c: the probe that quota.c and session_index.c share.
 * Strings whose homes collide, found under a fixed key: each placed where
 * the probe says, each found again past the others of its run, the run
 * wrapping at the table's end, and a string not held ending on the empty
 * slot after the run; and the key drawn fresh and wiped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strtab.h"

#define CAP 8
#define NAME_LEN 16

static const uint64_t key[2] = { UINT64_C(0x0706050403020100),
    UINT64_C(0x0f0e0d0c0b0a0908) };

static const char *
string_of(const void *slots, size_t i)
{
	return ((const char *const *)slots)[i];
}

/*
 * Into names (n of them, each NAME_LEN long), the first strings "p-K" whose
 * home in a table of CAP slots is home.
 */
static void
colliding(size_t home, char (*names)[NAME_LEN], size_t n)
{
	size_t k, found = 0;
	char s[NAME_LEN];

	for (k = 0; found < n && k < 100000; k++) {
		snprintf(s, sizeof(s), "p-%zu", k);
		if (strtab_home(key, s, CAP) == home)
			memcpy(names[found++], s, sizeof(s));
	}
	assert_int_equal(found, n);
}

/* The vectors of the SipHash paper (Aumasson, Bernstein), key 00..0f. */
static void
test_siphash_vectors(void **state)
{
	uint64_t vkey[2] = { UINT64_C(0x0706050403020100),
	    UINT64_C(0x0f0e0d0c0b0a0908) };
	uint8_t msg[15];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_true(strtab_siphash(vkey, msg, 0) ==
	    UINT64_C(0x726fdb47dd0e0e31));
	assert_true(strtab_siphash(vkey, msg, 15) ==
	    UINT64_C(0xa129ca6149be45e5));
	assert_true(strtab_siphash(vkey, msg, 8) !=
	    strtab_siphash(vkey, msg, 7));
}

/* Three strings homed in the last slot: the run wraps to slots 0 and 1. */
static void
test_probe_run_wraps(void **state)
{
	char names[4][NAME_LEN];
	const char *slot[CAP] = { NULL };
	size_t i, at;

	(void)state;
	colliding(CAP - 1, names, 4);
	for (i = 0; i < 3; i++) {
		at = strtab_probe(key, slot, CAP, string_of, names[i]);
		assert_null(slot[at]);
		assert_int_equal(at, (CAP - 1 + i) % CAP);
		slot[at] = names[i];
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(strtab_probe(key, slot, CAP, string_of, names[i]),
		    (CAP - 1 + i) % CAP);
	/* The fourth is not held: its probe ends on the slot after the run. */
	at = strtab_probe(key, slot, CAP, string_of, names[3]);
	assert_int_equal(at, 2);
	assert_null(slot[at]);
	assert_int_equal(strtab_next(CAP - 1, CAP), 0);
}

/* A string homed elsewhere is found at its home, whatever the run beside it. */
static void
test_probe_home(void **state)
{
	char a[1][NAME_LEN], b[1][NAME_LEN];
	const char *slot[CAP] = { NULL };

	(void)state;
	colliding(3, a, 1);
	colliding(4, b, 1);
	slot[3] = a[0];
	assert_int_equal(strtab_probe(key, slot, CAP, string_of, b[0]), 4);
	slot[4] = b[0];
	assert_int_equal(strtab_probe(key, slot, CAP, string_of, a[0]), 3);
	assert_int_equal(strtab_probe(key, slot, CAP, string_of, b[0]), 4);
}

static void
test_key_new_and_wipe(void **state)
{
	uint64_t a[2] = { 0, 0 }, b[2] = { 0, 0 }, zero[2] = { 0, 0 };

	(void)state;
	assert_int_equal(strtab_key_new(a), SS_OK);
	assert_int_equal(strtab_key_new(b), SS_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	strtab_key_wipe(a);
	assert_memory_equal(a, zero, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_probe_run_wraps),
		cmocka_unit_test(test_probe_home),
		cmocka_unit_test(test_key_new_and_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
