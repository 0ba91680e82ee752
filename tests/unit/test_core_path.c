/* test_core_path.c: a folder and a name joined, or refused; never cut short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "path.h"

static void
test_joined(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(path_join(out, sizeof(out), "certs", "ca.crt"), SS_OK);
	assert_string_equal(out, "certs/ca.crt");
	assert_int_equal(path_join(out, sizeof(out), "/", "x"), SS_OK);
	assert_string_equal(out, "//x");
	/* Exactly full: 31 characters and the NUL. */
	assert_int_equal(path_join(out, sizeof(out), "aaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbb"), SS_OK);
	assert_int_equal(strlen(out), 31);
}

static void
test_refused(void **state)
{
	char out[32];

	(void)state;
	/* One character too many: refused, not truncated into another path. */
	assert_int_equal(path_join(out, sizeof(out), "aaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbb"), SS_ERR_TOO_LARGE);
	assert_int_equal(path_join(out, sizeof(out), "", "x"), SS_ERR_INVALID);
	assert_int_equal(path_join(out, sizeof(out), NULL, "x"), SS_ERR_INVALID);
	assert_int_equal(path_join(out, sizeof(out), "d", NULL), SS_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_joined),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
