/*
 * test_client_securesum.c: the public API of libsecuresum
 * (include/securesum.h, client/securesum.c) where no server is needed:
 * settings checked and copied, a missing one named before any connection,
 * bad arguments refused with a code and a message, the error codes the
 * project's, amounts read and written with the session's decimals, and
 * the free functions safe on NULL. tests/integration/library.sh runs the
 * operations against a real server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "securesum.h"

static void
test_settings(void **state)
{
	securesum *h = securesum_new();
	char server[] = "127.0.0.1:7000";

	(void)state;
	assert_non_null(h);
	assert_string_equal(securesum_message(h), "");
	assert_int_equal(securesum_set_server(h, "no port"),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "HOST:PORT"));
	assert_int_equal(securesum_set_server(h, server), SECURESUM_OK);
	/* Copied: the caller's buffer may change afterwards. */
	server[0] = 'x';
	assert_string_equal(securesum_message(h), "");
	assert_int_equal(securesum_set_party(h, "-bad"), SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "party"));
	assert_int_equal(securesum_set_party(h, "alice"), SECURESUM_OK);
	assert_int_equal(securesum_set_certs(h, ""), SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_set_timeout(h, 0), SECURESUM_ERR_RANGE);
	assert_int_equal(securesum_set_timeout(h, 2147484), SECURESUM_ERR_RANGE);
	assert_int_equal(securesum_set_timeout(h, 5), SECURESUM_OK);
	assert_int_equal(securesum_set_server_name(h, "bad name!"),
	    SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_set_server_name(h, "sum.example"),
	    SECURESUM_OK);
	assert_int_equal(securesum_set_server_name(h, NULL), SECURESUM_OK);
	assert_int_equal(securesum_set_state(h, NULL), SECURESUM_OK);
	assert_int_equal(securesum_set_trace(h, NULL), SECURESUM_OK);
	assert_int_equal(securesum_set_wait(h, 7), SECURESUM_OK);
	securesum_free(h);
	securesum_free(NULL);
}

/* Every operation refuses at once, naming the setting that is missing. */
static void
test_missing_setting(void **state)
{
	securesum *h = securesum_new();
	struct securesum_status *st = (void *)1;
	const int64_t v[1] = { 1 };

	(void)state;
	assert_int_equal(securesum_set_server(h, "127.0.0.1:1"), SECURESUM_OK);
	assert_int_equal(securesum_status(h, "s1", &st), SECURESUM_ERR_INVALID);
	assert_null(st);
	assert_non_null(strstr(securesum_message(h), "certificate folder"));
	assert_int_equal(securesum_set_certs(h, "/nonexistent"), SECURESUM_OK);
	assert_int_equal(securesum_delete(h, "s1", NULL),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "party is not set"));
	/* Bad arguments are refused before the settings are even looked at. */
	assert_int_equal(securesum_share(h, "s1", NULL, v, 1, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "no invite code"));
	assert_int_equal(securesum_share(h, "s 1", "x", v, 1, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "session id"));
	assert_int_equal(securesum_result(h, "s1", "x", 0, NULL),
	    SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_create(h, NULL, NULL),
	    SECURESUM_ERR_INVALID);
	securesum_free(h);
}

static void
test_errors(void **state)
{
	(void)state;
	assert_int_equal(SECURESUM_ERR_NOT_FOUND, SS_ERR_NOT_FOUND);
	assert_int_equal(SECURESUM_ERR_UNAUTHENTICATED,
	    SS_ERR_UNAUTHENTICATED);
	assert_string_equal(securesum_strerror(SECURESUM_ERR_NOT_FOUND),
	    ss_strerror(SS_ERR_NOT_FOUND));
	assert_non_null(securesum_strerror(-999));
	assert_non_null(securesum_version());
	assert_true(strchr(securesum_version(), '.') != NULL);
}

static void
test_amounts(void **state)
{
	int64_t v;
	char buf[32];

	(void)state;
	assert_int_equal(securesum_parse_amount("-12.5", 2, &v), SECURESUM_OK);
	assert_true(v == -1250);
	assert_int_equal(securesum_parse_amount("1.234", 2, &v),
	    SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_parse_amount("99999999999999999999", 0, &v),
	    SECURESUM_ERR_RANGE);
	assert_int_equal(securesum_parse_amount(NULL, 0, &v),
	    SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_format_amount(-1250, 2, buf, sizeof(buf)),
	    SECURESUM_OK);
	assert_string_equal(buf, "-12.50");
	securesum_sum_free(NULL);
	securesum_status_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_missing_setting),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_amounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
