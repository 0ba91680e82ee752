/* test_core_addr.c: the one HOST:PORT reading of the server and the client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "err.h"

static void
test_good(void **state)
{
	struct hostport hp;

	(void)state;
	assert_int_equal(addr_split("localhost:443", &hp, 0), SS_OK);
	assert_string_equal(hp.host, "localhost");
	assert_string_equal(hp.port, "443");
	assert_int_equal(addr_split("[::1]:65535", &hp, 0), SS_OK);
	assert_string_equal(hp.host, "::1");
	assert_string_equal(hp.port, "65535");
	assert_int_equal(addr_split("127.0.0.1:1", &hp, 0), SS_OK);
	assert_string_equal(hp.host, "127.0.0.1");
	assert_int_equal(addr_split("127.0.0.1:0", &hp, ADDR_PORT_ZERO_OK), SS_OK);
	assert_string_equal(hp.port, "0");
	assert_int_equal(addr_split("[::1]:0", &hp, ADDR_PORT_ZERO_OK), SS_OK);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", "host", "host:", ":80", "host:0", "host:65536", "host:8a",
		"host:-1", "::1:80", "[::1]80", "[::1]", "[]:80", "ho st:80",
		"host:123456", "a/b:80", "[a]b]:80", "host:+80",
	};
	struct hostport hp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (addr_split(bad[i], &hp, 0) == SS_OK)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(addr_split(NULL, &hp, 0), SS_ERR_INVALID);
	/* Port 0 only where allowed; the rest of the rule is the same. */
	assert_int_equal(addr_split("host:65536", &hp, ADDR_PORT_ZERO_OK),
	    SS_ERR_INVALID);
}

static void
test_host_length(void **state)
{
	char spec[ADDR_HOST_MAX + 16];
	struct hostport hp;

	(void)state;
	memset(spec, 'a', ADDR_HOST_MAX);
	memcpy(spec + ADDR_HOST_MAX, ":80", 4);
	assert_int_equal(addr_split(spec, &hp, 0), SS_OK);
	assert_int_equal(strlen(hp.host), ADDR_HOST_MAX);
	memset(spec, 'a', ADDR_HOST_MAX + 1);
	memcpy(spec + ADDR_HOST_MAX + 1, ":80", 4);
	assert_int_equal(addr_split(spec, &hp, 0), SS_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_host_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
