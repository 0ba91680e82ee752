/*
 * test_client_outcome.c: the one mapping from error codes to exit statuses
 * and --json's stable names (client/outcome.c): each class of docs/CLI.md
 * has its status, every SS_ERR_* code has a status and a name of its own,
 * and a code it does not know is a plain failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "outcome.h"

static void
test_classes(void **state)
{
	static const struct {
		int err, status;
	} cases[] = {
		{ SS_OK, 0 }, { SS_ERR_INVALID, 2 }, { SS_ERR_DENIED, 3 },
		{ SS_ERR_EXISTS, 3 }, { SS_ERR_CERT, 3 }, { SS_ERR_NOT_FOUND, 4 },
		{ SS_ERR_PRECONDITION, 5 }, { SS_ERR_UNAVAILABLE, 6 },
		{ SS_ERR_TIMEOUT, 6 }, { SS_ERR_INCONSISTENT, 7 },
		{ SS_ERR_AUTH, 7 }, { SS_ERR_IO, 1 }, { -999, 1 }, { 5, 1 },
	};
	static const char *const codes[] = { "ok", "failed", "usage",
	    "refused", "not_found", "not_ready", "unavailable", "integrity" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (outcome_exit(cases[i].err) != cases[i].status)
			fail_msg("code %d: exit %d", cases[i].err,
			    outcome_exit(cases[i].err));
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_string_equal(outcome_code((int)i), codes[i]);
	assert_string_equal(outcome_code(8), "failed");
	assert_string_equal(outcome_code(-1), "failed");
}

/* Every code from SS_ERR_INTERNAL down has a name of its own. */
static void
test_every_code_named(void **state)
{
	const char *names[24];
	int code, other;

	(void)state;
	for (code = SS_ERR_INTERNAL; code >= SS_ERR_UNAUTHENTICATED; code--) {
		names[-code] = outcome_reason(code);
		assert_string_not_equal(names[-code], "error");
		assert_int_not_equal(outcome_exit(code), 0);
		for (other = SS_ERR_INTERNAL; other > code; other--)
			assert_string_not_equal(names[-other], names[-code]);
	}
	assert_string_equal(outcome_reason(SS_OK), "ok");
	assert_string_equal(outcome_reason(-999), "error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_every_code_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
