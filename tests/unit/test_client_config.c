/*
 * test_client_config.c: mpc-client's configuration file and environment
 * defaults (client/config.c): keys, comments and blanks are read; every
 * line it cannot use (too long, a NUL byte) is an error naming the file
 * and the line; a file its group or others may write is refused; a
 * missing file is no file; a flag wins over the environment, which wins
 * over the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "err.h"

/* Parses the n bytes of text as the file "F": its result, cfg filled. */
static int
parse_n(const char *text, size_t n, struct client_config *cfg,
    struct ss_error *e)
{
	FILE *f = fmemopen((void *)text, n, "r");
	int r;

	assert_non_null(f);
	ss_error_clear(e);
	r = config_parse(cfg, f, "F", e);
	fclose(f);
	return r;
}

/* The same for a string (config_free cfg after). */
static int
parse(const char *text, struct client_config *cfg, struct ss_error *e)
{
	return parse_n(text, strlen(text), cfg, e);
}

static void
test_keys(void **state)
{
	struct client_config cfg;
	struct ss_error e;

	(void)state;
	assert_int_equal(parse("# defaults\n\nserver = h.example:7443\n"
	    "  certs=/c  \nparty\t=\talice\r\nserver-name = h2\nstate = /s\n"
	    "timeout = 30", &cfg, &e), SS_OK);
	assert_string_equal(cfg.server, "h.example:7443");
	assert_string_equal(cfg.certs, "/c");
	assert_string_equal(cfg.party, "alice");
	assert_string_equal(cfg.server_name, "h2");
	assert_string_equal(cfg.state, "/s");
	assert_int_equal(cfg.timeout_s, 30);
	config_free(&cfg);
	assert_null(cfg.server);
}

/* Each bad line, and the message naming it. */
static void
test_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "server = a:1\nbogus = 1\n", "F:2: unknown key 'bogus'" },
		{ "server a:1\n", "F:1: expected KEY = VALUE" },
		{ "= a\n", "F:1: expected KEY = VALUE" },
		{ "# x\nparty =\n", "F:2: 'party' has no value" },
		{ "timeout = 0\n", "F:1: timeout must be a whole number" },
		{ "timeout = 9x\n", "F:1: timeout must be a whole number" },
		{ "timeout = 99999999999\n", "F:1: timeout must be" },
		{ "party = a\n\nparty = b\n", "F:3: 'party' is set again (first "
		    "on line 1)" },
		{ "Server = a:1\n", "F:1: expected KEY = VALUE" },
	};
	struct client_config cfg;
	struct ss_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &cfg, &e),
		    SS_ERR_INVALID);
		if (strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: %s", i, e.msg);
		config_free(&cfg);
	}
}

static void
test_long_line(void **state)
{
	char text[CONFIG_LINE_MAX + 32];
	struct client_config cfg;
	struct ss_error e;

	(void)state;
	/* 1023 bytes and the newline: one too many. */
	memset(text, 'x', CONFIG_LINE_MAX - 1);
	memcpy(text, "certs = ", 8);
	memcpy(text + CONFIG_LINE_MAX - 1, "\n", 2);
	assert_int_equal(parse(text, &cfg, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "F:1: line longer than 1022 bytes"));
	config_free(&cfg);
	/* 1022 bytes and the newline: the longest line taken. */
	memset(text, 'x', CONFIG_LINE_MAX - 2);
	memcpy(text, "certs = ", 8);
	memcpy(text + CONFIG_LINE_MAX - 2, "\n", 2);
	assert_int_equal(parse(text, &cfg, &e), SS_OK);
	assert_int_equal(strlen(cfg.certs), CONFIG_LINE_MAX - 2 - 8);
	config_free(&cfg);
	/* A NUL byte is no text, wherever it is. */
	assert_int_equal(parse_n("party = a\nserver = b\0c\n", 22, &cfg, &e),
	    SS_ERR_INVALID);
	assert_string_equal(e.msg, "F:2: a NUL byte: this is not a text file");
	config_free(&cfg);
}

/* A file its group or others may write is refused, naming its mode. */
static void
test_writable_by_others(void **state)
{
	char path[] = "/tmp/test_client_config.XXXXXX";
	struct client_config cfg;
	struct ss_error e;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, "party = alice\n", 14), 14);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_load(&cfg, path, &e), SS_OK);
	assert_string_equal(cfg.party, "alice");
	config_free(&cfg);
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(config_load(&cfg, path, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "is writable by its group (mode 0620)"));
	assert_null(cfg.party);
	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(config_load(&cfg, path, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "is writable by others (mode 0602): "
	    "refusing defaults another user can change; chmod go-w it"));
	assert_int_equal(unlink(path), 0);
}

static void
test_load_and_path(void **state)
{
	struct client_config cfg;
	struct ss_error e;
	char path[256];

	(void)state;
	assert_int_equal(config_load(&cfg, "/nonexistent/client.conf", &e),
	    SS_OK);
	assert_null(cfg.server);
	assert_int_equal(setenv("XDG_CONFIG_HOME", "/x", 1), 0);
	assert_int_equal(config_path(path, sizeof(path)), 0);
	assert_string_equal(path, "/x/secure-sum/client.conf");
	/* A relative XDG_CONFIG_HOME is ignored, as the spec says. */
	assert_int_equal(setenv("XDG_CONFIG_HOME", "rel", 1), 0);
	assert_int_equal(setenv("HOME", "/h", 1), 0);
	assert_int_equal(config_path(path, sizeof(path)), 0);
	assert_string_equal(path, "/h/.config/secure-sum/client.conf");
	assert_int_equal(config_path(path, 8), -1);
	assert_int_equal(unsetenv("HOME"), 0);
	assert_int_equal(config_path(path, sizeof(path)), -1);
}

static void
test_pick(void **state)
{
	(void)state;
	assert_int_equal(setenv("SS_TEST_PICK", "env", 1), 0);
	assert_string_equal(config_pick("flag", "SS_TEST_PICK", "file"),
	    "flag");
	assert_string_equal(config_pick(NULL, "SS_TEST_PICK", "file"), "env");
	assert_int_equal(setenv("SS_TEST_PICK", "", 1), 0);
	assert_string_equal(config_pick(NULL, "SS_TEST_PICK", "file"),
	    "file");
	assert_int_equal(unsetenv("SS_TEST_PICK"), 0);
	assert_string_equal(config_pick(NULL, "SS_TEST_PICK", "file"),
	    "file");
	assert_null(config_pick(NULL, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_writable_by_others),
		cmocka_unit_test(test_load_and_path),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
