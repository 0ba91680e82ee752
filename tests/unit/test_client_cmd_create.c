/*
 * test_client_cmd_create.c: the local checks of `create`
 * (client/cmd_create.c), which keep a bad request from ever reaching the
 * server: the session's name, the number and names of the parties, the
 * creator among them, the threshold, length, decimals and frame limit,
 * min_cohort (version 2), each with its message, and in that order.
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
#include "err.h"

static const char *const three[] = { "alice", "bob", "carol" };

static struct create_args
args(const char *const *parties, size_t n, unsigned t)
{
	struct create_args a;

	memset(&a, 0, sizeof(a));
	a.session = "s1";
	a.parties = parties;
	a.nparties = n;
	a.threshold = t;
	a.length = 1;
	return a;
}

/* cmd_create_check refuses a, with a message containing want. */
static void
refused(const struct create_args *a, const char *creator, const char *want)
{
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(cmd_create_check(a, creator, &e), SS_ERR_INVALID);
	assert_int_equal(e.code, SS_ERR_INVALID);
	if (strstr(e.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, want);
}

static void
test_good(void **state)
{
	struct create_args a = args(three, 3, 1);
	struct ss_error e;

	(void)state;
	assert_int_equal(cmd_create_check(&a, "bob", &e), SS_OK);
	a.threshold = 2;                        /* t = n - 1 */
	a.length = 1000;
	a.decimals = 18;
	assert_int_equal(cmd_create_check(&a, "carol", &e), SS_OK);
}

static void
test_session_name(void **state)
{
	struct create_args a = args(three, 3, 1);
	struct ss_error e;

	(void)state;
	a.session = ".hidden";
	refused(&a, "alice", "invalid session name: NAME or CREATOR/NAME; "
	    "use 1 to 64");
	a.session = "";
	refused(&a, "alice", "invalid session name");
	/* Nobody creates in another's namespace (PROTOCOL.md 2.1). */
	a.session = "a/b";
	refused(&a, "alice", "invalid session name a/b: alice creates sessions in "
	    "its own namespace only, as alice/b or b");
	a.session = "alice/b/c";
	refused(&a, "alice", "invalid session name");
	a.session = "alice/b";
	assert_int_equal(cmd_create_check(&a, "alice", &e), SS_OK);
}

static void
test_party_count(void **state)
{
	static const char *names[CLIENT_MAX_PARTIES + 1];
	static char buf[CLIENT_MAX_PARTIES + 1][16];
	struct create_args a = args(three, 1, 1);
	struct ss_error e;
	size_t i;

	(void)state;
	refused(&a, "alice", "at least 2 parties");
	for (i = 0; i <= CLIENT_MAX_PARTIES; i++) {
		snprintf(buf[i], sizeof(buf[i]), "p%zu", i);
		names[i] = buf[i];
	}
	a = args(names, CLIENT_MAX_PARTIES, 1);
	assert_int_equal(cmd_create_check(&a, "p7", &e), SS_OK);
	a.nparties = CLIENT_MAX_PARTIES + 1;
	refused(&a, "p7", "at most 1024 parties");
}

static void
test_party_names(void **state)
{
	static const char *const bad[] = { "alice", "b\x1b[31md" };
	static const char *const twice[] = { "alice", "bob", "alice" };
	struct create_args a = args(bad, 2, 1);

	(void)state;
	/* The bad name is quoted made printable. */
	refused(&a, "alice", "invalid party name 'b?[31md': use 1 to 64");
	a = args(twice, 3, 1);
	refused(&a, "alice", "party alice is listed twice");
}

static void
test_creator(void **state)
{
	struct create_args a = args(three, 3, 1);

	(void)state;
	refused(&a, "dave", "the creator (dave) must be one of the parties");
	/* Checked last: a bad threshold is reported first. */
	a.threshold = 3;
	refused(&a, "dave", "the threshold must be between 1 and 2");
}

static void
test_numbers(void **state)
{
	struct create_args a = args(three, 3, 0);

	(void)state;
	refused(&a, "alice", "the threshold must be between 1 and 2 (the "
	    "number of parties - 1)");
	a.threshold = 3;
	refused(&a, "alice", "between 1 and 2");
	a.threshold = 1;
	a.length = 0;
	refused(&a, "alice", "the length must be at least 1");
	a.length = 100000000;
	refused(&a, "alice", "3 parties with vectors of 100000000 elements "
	    "do not fit the 134217728-byte frame limit");
	a.length = 1;
	a.decimals = 19;
	refused(&a, "alice", "at most 18 decimals");
}

/* Version 2: min_cohort in t+1..n, and stated whenever a deadline is. */
static void
test_min_cohort(void **state)
{
	struct create_args a = args(three, 3, 1);
	struct ss_error e;

	(void)state;
	a.min_cohort = 2;
	assert_int_equal(cmd_create_check(&a, "alice", &e), SS_OK);
	a.min_cohort = 3;
	assert_int_equal(cmd_create_check(&a, "alice", &e), SS_OK);
	a.min_cohort = 1;
	refused(&a, "alice", "min_cohort must be between t+1 = 2 and n = 3, "
	    "got 1");
	a.min_cohort = 4;
	refused(&a, "alice", "got 4");
	a.min_cohort = 0;
	a.deadline = 60;
	refused(&a, "alice", "with --deadline, say how small a cohort the "
	    "deadline may close sharing with: --min-cohort M (t+1 = 2 to n = 3)");
	a.min_cohort = 2;
	assert_int_equal(cmd_create_check(&a, "alice", &e), SS_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_session_name),
		cmocka_unit_test(test_party_count),
		cmocka_unit_test(test_party_names),
		cmocka_unit_test(test_creator),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_min_cohort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
