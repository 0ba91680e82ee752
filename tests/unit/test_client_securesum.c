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
	struct securesum_sum *sum = (void *)1;
	struct securesum_server_info info;
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
	assert_int_equal(securesum_run(h, "s1", NULL, v, 1, 0, &sum),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "no invite code"));
	assert_null(sum);
	assert_int_equal(securesum_server_info(h, NULL), SECURESUM_ERR_INVALID);
	assert_int_equal(securesum_server_info(h, &info),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "party is not set"));
	securesum_free(h);
}

/*
 * A pin by invite or by parameters is checked before any connection: a
 * missing or half pin refused, naming what is missing; a whole one let
 * through to the settings (no server here), with no result given.
 */
static void
test_pin(void **state)
{
	static const char *const parties[] = { "alice", "bob", "carol" };
	static const uint8_t nonce[SECURESUM_NONCE_LEN] = { 1, 2, 3 };
	struct securesum_pin pin;
	struct securesum_result *res = (void *)1;
	const int64_t v[1] = { 1 };
	static const char *const texts[] = { "12" };
	struct securesum_input in;
	securesum *h = securesum_new();

	(void)state;
	assert_int_equal(securesum_result_pinned(h, "s1", NULL, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_null(res);
	assert_non_null(strstr(securesum_message(h), "no pin"));
	memset(&pin, 0, sizeof(pin));
	pin.parties = parties;
	pin.nparties = 3;
	pin.threshold = 1;
	assert_int_equal(securesum_result_pinned(h, "s1", &pin, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "--nonce"));
	pin.nonce = nonce;
	pin.threshold = 3;
	assert_int_equal(securesum_result_pinned(h, "s1", &pin, 0, &res),
	    SECURESUM_ERR_INVALID);
	pin.threshold = 1;
	assert_int_equal(securesum_result_pinned(h, "s1", &pin, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "server is not set"));
	assert_null(res);
	/* share, sumpoint and run take the same pin, checked the same. */
	assert_int_equal(securesum_share_pinned(h, "s1", &pin, v, 1, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "server is not set"));
	assert_int_equal(securesum_sumpoint_pinned(h, "s1", NULL),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "no pin"));
	assert_int_equal(securesum_run_pinned(h, "s1", &pin, v, 1, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "server is not set"));
	assert_null(res);
	/* An input as text: values or a file, one of the two. */
	memset(&in, 0, sizeof(in));
	assert_int_equal(securesum_share_input(h, "s1", &pin, &in, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "not neither"));
	in.texts = texts;
	in.ntexts = 1;
	in.path = "-";
	assert_int_equal(securesum_share_input(h, "s1", &pin, &in, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "not both"));
	in.path = NULL;
	assert_int_equal(securesum_share_input(h, "s1", &pin, &in, 0),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "server is not set"));
	/* run takes the same input, and gives no result without a server. */
	assert_int_equal(securesum_run_input(h, "s1", &pin, NULL, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "not neither"));
	res = (void *)1;
	assert_int_equal(securesum_run_input(h, "s1", &pin, &in, 0, &res),
	    SECURESUM_ERR_INVALID);
	assert_non_null(strstr(securesum_message(h), "server is not set"));
	assert_null(res);
	/* An invite wins over the parameters: a mistyped one is refused. */
	pin.invite = "ss2-not-a-code";
	assert_true(securesum_result_pinned(h, "s1", &pin, 0, &res) < 0);
	assert_null(strstr(securesum_message(h), "server is not set"));
	securesum_result_free(NULL);
	securesum_free(h);
}

/* The public codes are the project's SS_ERR_*, one for one. */
static void
test_errors(void **state)
{
	static const int pairs[][2] = {
		{ SECURESUM_OK, SS_OK },
		{ SECURESUM_ERR_INTERNAL, SS_ERR_INTERNAL },
		{ SECURESUM_ERR_ALLOC, SS_ERR_ALLOC },
		{ SECURESUM_ERR_INVALID, SS_ERR_INVALID },
		{ SECURESUM_ERR_RANGE, SS_ERR_RANGE },
		{ SECURESUM_ERR_TOO_LARGE, SS_ERR_TOO_LARGE },
		{ SECURESUM_ERR_TRUNCATED, SS_ERR_TRUNCATED },
		{ SECURESUM_ERR_CRYPTO, SS_ERR_CRYPTO },
		{ SECURESUM_ERR_AUTH, SS_ERR_AUTH },
		{ SECURESUM_ERR_INCONSISTENT, SS_ERR_INCONSISTENT },
		{ SECURESUM_ERR_IO, SS_ERR_IO },
		{ SECURESUM_ERR_CHECKSUM, SS_ERR_CHECKSUM },
		{ SECURESUM_ERR_VERSION, SS_ERR_VERSION },
		{ SECURESUM_ERR_CERT, SS_ERR_CERT },
		{ SECURESUM_ERR_KEY_PERMS, SS_ERR_KEY_PERMS },
		{ SECURESUM_ERR_NOT_FOUND, SS_ERR_NOT_FOUND },
		{ SECURESUM_ERR_TIMEOUT, SS_ERR_TIMEOUT },
		{ SECURESUM_ERR_PROTOCOL, SS_ERR_PROTOCOL },
		{ SECURESUM_ERR_EXISTS, SS_ERR_EXISTS },
		{ SECURESUM_ERR_DENIED, SS_ERR_DENIED },
		{ SECURESUM_ERR_PRECONDITION, SS_ERR_PRECONDITION },
		{ SECURESUM_ERR_EXHAUSTED, SS_ERR_EXHAUSTED },
		{ SECURESUM_ERR_UNAVAILABLE, SS_ERR_UNAVAILABLE },
		{ SECURESUM_ERR_UNAUTHENTICATED, SS_ERR_UNAUTHENTICATED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(pairs[i][0], pairs[i][1]);
		assert_int_equal(pairs[i][0], -(int)i);
		assert_string_equal(securesum_strerror(pairs[i][0]),
		    ss_strerror(pairs[i][1]));
	}
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
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_amounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
