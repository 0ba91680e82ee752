/*
 * test_client_cmdline.c: how mpc-client reads a command's arguments
 * (client/cmdline.c): SESSION and the command's options in any order,
 * "--name value" and "--name=value", global options after COMMAND, numbers
 * such as -7 read as values once SESSION is known, "--" ending the
 * options, --parties split, --nonce read as hex; and each usage error
 * with its message, kept in cmdline_error() for main.c to print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "cmdline.h"
#include "err.h"
#include "outcome.h"

static const struct opt create_opts[] = {
	{ "parties", 1 }, { "threshold", 1 }, { "length", 1 },
	{ "decimals", 1 }, { "deadline", 1 }, { "min-cohort", 1 },
	{ "allow-unknown", 0 }, { NULL, 0 },
};
static const struct opt share_opts[] = {
	{ "input", 1 }, { "reuse-input", 0 }, { "nonce", 1 },
	{ "invite", 1 }, { "deadline-unix", 1 }, { NULL, 0 },
};
static const struct command create_cmd = {
	"create", "create SESSION --parties A,B,C --threshold T", "",
	create_opts, 0, 0, NULL, NULL,
};
static const struct command share_cmd = {
	"share", "share SESSION VALUE...", "", share_opts, 1, 1, NULL, NULL,
};
static const struct command list_cmd = {
	"list", "list", "", NULL, 0, 0, NULL, NULL,
};

#define MAXARGS 16

/* One command line parsed into cl (c for its global options). */
struct parsed {
	struct client c;
	struct cmdline cl;
	const char *values[MAXARGS];
	int r;
};

/* The NULL-terminated words of argv (argv[0] the command) parsed into p. */
static void
parse(struct parsed *p, const struct command *cmd, const char **words)
{
	static char *argv[MAXARGS];
	int argc = 0;

	memset(p, 0, sizeof(*p));
	ss_error_clear(cmdline_error());
	client_start(&p->c);
	p->cl.client = &p->c;
	p->cl.values = p->values;
	while (words[argc] != NULL && argc < MAXARGS) {
		argv[argc] = (char *)(uintptr_t)words[argc];
		argc++;
	}
	p->r = cmdline_parse_command(cmd, argc, argv, &p->cl);
}

static void
done(struct parsed *p)
{
	free(p->cl.parties);
	free(p->cl.parties_buf);
	client_free(&p->c);
}

/* The command line words is refused as a usage error containing want. */
static void
refused(const struct command *cmd, const char **words, const char *want)
{
	struct parsed p;

	parse(&p, cmd, words);
	assert_int_equal(p.r, EXIT_USAGE);
	assert_int_equal(cmdline_error()->code, SS_ERR_INVALID);
	if (strstr(cmdline_error()->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", cmdline_error()->msg, want);
	done(&p);
}

static void
test_create_options(void **state)
{
	const char *w[] = { "create", "--threshold", "2", "alice/s1",
	    "--parties=alice,bob,carol", "--length=5", "--decimals", "3",
	    "--min-cohort=2", "--deadline", "60", "--allow-unknown", NULL };
	struct parsed p;

	(void)state;
	parse(&p, &create_cmd, w);
	assert_int_equal(p.r, 0);
	assert_string_equal(p.cl.session, "alice/s1");
	assert_int_equal(p.cl.create.nparties, 3);
	assert_string_equal(p.cl.create.parties[0], "alice");
	assert_string_equal(p.cl.create.parties[2], "carol");
	assert_int_equal(p.cl.pin.nparties, 3);
	assert_true(p.cl.have_parties && p.cl.pin.have_parties);
	assert_int_equal(p.cl.create.threshold, 2);
	assert_true(p.cl.have_threshold && p.cl.pin.have_threshold);
	assert_int_equal(p.cl.create.length, 5);
	assert_int_equal(p.cl.pin.length, 5);
	assert_int_equal(p.cl.create.decimals, 3);
	assert_int_equal(p.cl.create.min_cohort, 2);
	assert_int_equal(p.cl.create.deadline, 60);
	assert_int_equal(p.cl.create.allow_unknown, 1);
	assert_int_equal(p.cl.pin.have_other, 1);
	assert_int_equal(cmdline_error()->code, SS_OK);
	done(&p);
}

static void
test_global_after_command(void **state)
{
	const char *w[] = { "list", "--server=127.0.0.1:1", "--certs", "d",
	    "--party", "bob", "--json", "--wait", "--timeout=7",
	    "--server-name", "srv", "--trace=t", "--state", "s", NULL };
	const char *bad[] = { "list", "--timeout=0", NULL };
	const char *big[] = { "list", "--timeout", "99999999", NULL };
	const char *flag[] = { "list", "--json=1", NULL };
	struct parsed p;

	(void)state;
	parse(&p, &list_cmd, w);
	assert_int_equal(p.r, 0);
	assert_string_equal(p.c.server, "127.0.0.1:1");
	assert_string_equal(p.c.certs, "d");
	assert_string_equal(p.c.party, "bob");
	assert_string_equal(p.c.server_name, "srv");
	assert_string_equal(p.c.trace, "t");
	assert_string_equal(p.c.state, "s");
	assert_int_equal(p.c.json, 1);
	assert_int_equal(p.c.wait, 1);
	assert_int_equal(p.c.timeout_s, 7);
	assert_null(p.cl.session);
	done(&p);
	refused(&list_cmd, bad, "--timeout must be a whole number of seconds "
	    "from 1 to 2147483");
	refused(&list_cmd, big, "--timeout must be");
	refused(&list_cmd, flag, "list: --json takes no value");
}

static void
test_version_and_help(void **state)
{
	const char *v[] = { "list", "--version", NULL };
	const char *h[] = { "create", "s1", "--help", NULL };
	const char *hs[] = { "list", "-h", NULL };
	struct parsed p;

	(void)state;
	parse(&p, &create_cmd, h);
	assert_int_equal(p.r, -1);
	done(&p);
	parse(&p, &list_cmd, hs);
	assert_int_equal(p.r, -1);
	done(&p);
	assert_int_equal(cmdline_version_asked(), 0);
	parse(&p, &list_cmd, v);
	assert_int_equal(p.r, 0);
	assert_int_equal(cmdline_version_asked(), 1);
	done(&p);
}

static void
test_values(void **state)
{
	const char *w[] = { "share", "s1", "-7", "+3", ".5", "--reuse-input",
	    "--", "--9", NULL };
	const char *before[] = { "share", "-7", "s1", NULL };
	struct parsed p;

	(void)state;
	parse(&p, &share_cmd, w);
	assert_int_equal(p.r, 0);
	assert_string_equal(p.cl.session, "s1");
	assert_int_equal(p.cl.nvalues, 4);
	assert_string_equal(p.values[0], "-7");
	assert_string_equal(p.values[1], "+3");
	assert_string_equal(p.values[2], ".5");
	assert_string_equal(p.values[3], "--9");
	assert_int_equal(p.cl.reuse_input, 1);
	done(&p);
	/* Before SESSION, -7 is an option, and no option of share. */
	refused(&share_cmd, before, "share: unknown option '-7' (see "
	    "mpc-client share --help)");
}

static void
test_pin_options(void **state)
{
	const char *w[] = { "share", "s1", "--invite", "ABC",
	    "--nonce=000102030405060708090A0b0c0d0e0F", "--deadline-unix",
	    "1700000000", "--input", "f.csv", NULL };
	struct parsed p;
	size_t i;

	(void)state;
	parse(&p, &share_cmd, w);
	assert_int_equal(p.r, 0);
	assert_string_equal(p.cl.pin.invite, "ABC");
	assert_int_equal(p.cl.pin.have_nonce, 1);
	for (i = 0; i < PARAMS_NONCE_LEN; i++)
		assert_int_equal(p.cl.pin.nonce[i], i);
	assert_true(p.cl.pin.deadline_unix == 1700000000u);
	assert_string_equal(p.cl.input, "f.csv");
	assert_int_equal(p.cl.nvalues, 0);
	done(&p);
}

static void
test_bad_pin_options(void **state)
{
	const char *short_nonce[] = { "share", "s1", "--nonce", "0011", NULL };
	const char *hex[] = { "share", "s1", "--nonce",
	    "0g0102030405060708090a0b0c0d0e0f", NULL };
	const char *when[] = { "share", "s1", "--deadline-unix=12x", NULL };
	const char *huge[] = { "share", "s1", "--deadline-unix",
	    "99999999999999999999", NULL };
	const char *input[] = { "share", "s1", "--input=", NULL };

	(void)state;
	refused(&share_cmd, short_nonce, "--nonce: 32 hex digits, as create "
	    "printed them");
	refused(&share_cmd, hex, "--nonce: '0g0102030405060708090a0b0c0d0e0f' "
	    "is not hex");
	refused(&share_cmd, when, "--deadline-unix must be a Unix time in "
	    "seconds");
	refused(&share_cmd, huge, "--deadline-unix: too large");
	refused(&share_cmd, input, "share: --input needs a file name");
}

static void
test_bad_numbers(void **state)
{
	const char *neg[] = { "create", "s1", "--threshold", "-1", NULL };
	const char *dec[] = { "create", "s1", "--decimals=19", NULL };
	const char *over[] = { "create", "s1", "--length=4294967296", NULL };
	const char *empty[] = { "create", "s1", "--length=", NULL };
	struct parsed p;
	const char *max[] = { "create", "s1", "--length=4294967295",
	    "--decimals=18", NULL };

	(void)state;
	refused(&create_cmd, neg, "create: --threshold must be an integer "
	    "from 0 to 4294967295");
	refused(&create_cmd, dec, "create: --decimals must be an integer "
	    "from 0 to 18");
	refused(&create_cmd, over, "--length must be an integer");
	refused(&create_cmd, empty, "--length must be an integer");
	parse(&p, &create_cmd, max);
	assert_int_equal(p.r, 0);
	assert_int_equal(p.cl.create.length, 4294967295u);
	assert_int_equal(p.cl.create.decimals, 18);
	done(&p);
}

static void
test_parties(void **state)
{
	const char *empty[] = { "create", "s1", "--parties", "a,,b", NULL };
	const char *trail[] = { "create", "s1", "--parties=a,b,", NULL };
	const char *twice[] = { "create", "s1", "--parties=a,b",
	    "--parties=c", NULL };
	static char many[4 * (CLIENT_MAX_PARTIES + 1)];
	const char *big[] = { "create", "s1", "--parties", many, NULL };
	struct parsed p;
	size_t i;

	(void)state;
	refused(&create_cmd, empty, "--parties: empty party name in 'a,,b'");
	refused(&create_cmd, trail, "--parties: empty party name in 'a,b,'");
	/* The last --parties counts, the first freed. */
	parse(&p, &create_cmd, twice);
	assert_int_equal(p.r, 0);
	assert_int_equal(p.cl.create.nparties, 1);
	assert_string_equal(p.cl.parties[0], "c");
	done(&p);
	for (i = 0; i <= CLIENT_MAX_PARTIES; i++)
		strcat(many, i == 0 ? "p" : ",p");
	refused(&create_cmd, big, "--parties: at most 1024 parties");
}

static void
test_arguments(void **state)
{
	const char *none[] = { "create", "--threshold=1", NULL };
	const char *bad[] = { "create", "a/b/c", NULL };
	const char *extra[] = { "create", "s1", "s2", NULL };
	const char *listed[] = { "list", "s1", NULL };
	const char *unknown[] = { "create", "s1", "--colour", NULL };
	const char *unknown_eq[] = { "create", "s1", "--colour=red", NULL };
	const char *dangling[] = { "create", "s1", "--threshold", NULL };
	const char *dash[] = { "create", "--", "-x", NULL };
	struct parsed p;

	(void)state;
	refused(&create_cmd, none, "create: SESSION is missing (usage: "
	    "create SESSION --parties A,B,C --threshold T)");
	refused(&create_cmd, bad, "invalid session name: NAME or CREATOR/NAME");
	refused(&create_cmd, extra, "create: unexpected argument 's2'");
	refused(&list_cmd, listed, "list: unexpected argument 's1'");
	refused(&create_cmd, unknown, "create: unknown option '--colour' (see "
	    "mpc-client create --help)");
	refused(&create_cmd, unknown_eq, "unknown option '--colour'");
	refused(&create_cmd, dangling, "create: --threshold needs a value");
	/* After "--", -x is SESSION, and no valid one. */
	refused(&create_cmd, dash, "invalid session name");
	parse(&p, &create_cmd, (const char *[]){ "create", "--", "s-1", NULL });
	assert_int_equal(p.r, 0);
	assert_string_equal(p.cl.session, "s-1");
	done(&p);
}

static void
test_set_global_unknown(void **state)
{
	struct client c;

	(void)state;
	memset(&c, 0, sizeof(c));
	client_start(&c);
	assert_int_equal(cmdline_set_global(&c, 'Z', "x"), EXIT_USAGE);
	assert_string_equal(cmdline_error()->msg,
	    "internal error: global option 90");
	assert_int_equal(cmdline_set_global(&c, 's', "h:1"), 0);
	assert_string_equal(c.server, "h:1");
	client_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_options),
		cmocka_unit_test(test_global_after_command),
		cmocka_unit_test(test_version_and_help),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_pin_options),
		cmocka_unit_test(test_bad_pin_options),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_parties),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_set_global_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
