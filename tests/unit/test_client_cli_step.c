/*
 * test_client_cli_step.c: what mpc-client prints (client/cli_step.c) for a
 * step the library reports through its step callback: share's and
 * sumpoint's line on stdout, or their JSON object with --json, and run's
 * note of the same step (on a terminal only), with "again" when run sent
 * it again after the server had lost it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "securesum.h"

#include "cli.h"

static const struct securesum_count share_counts[] = {
	{ "ciphertexts", 3 }, { "bytes", 96 },
};
static const struct securesum_count sumpoint_counts[] = { { "shares", 4 } };

/* The step of share (sumpoint 0) or sumpoint by alice in session s1. */
static struct securesum_step
step_of(int sumpoint, int duplicate, int again)
{
	struct securesum_step s;

	memset(&s, 0, sizeof(s));
	s.session = "s1";
	s.party = "alice";
	s.what = sumpoint ? "sumpoint" : "shares";
	s.done = sumpoint ? "posted" : "submitted";
	s.duplicate = duplicate;
	s.again = again;
	s.counts = sumpoint ? sumpoint_counts : share_counts;
	s.ncounts = sumpoint ? 1 : 2;
	return s;
}

/* What cli_step_print (note 0) or cli_step_note (note 1) writes for s. */
static char *
printed(int note, int json, const struct securesum_step *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (note)
		cli_step_note(f, s);
	else
		cli_step_print(f, json, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The words of each step, in its line, its JSON object and its note. */
static void
test_step(void **state)
{
	static const struct {
		int note, sumpoint, json, duplicate, again;
		const char *want;
	} cases[] = {
		{ 0, 0, 0, 0, 0, "alice: shares for session s1 submitted (3 "
		    "ciphertexts, 96 bytes)\n" },
		{ 0, 1, 0, 1, 0, "alice: sumpoint for session s1 posted (4 "
		    "shares)\n" },
		{ 0, 0, 1, 1, 0, "{\"version\":1,\"session\":\"s1\","
		    "\"party\":\"alice\",\"ciphertexts\":3,\"bytes\":96,"
		    "\"duplicate\":true}\n" },
		{ 0, 1, 1, 0, 0, "{\"version\":1,\"session\":\"s1\","
		    "\"party\":\"alice\",\"shares\":4,\"duplicate\":false}\n" },
		/* `run`'s notes. */
		{ 1, 0, 0, 0, 0, "alice: shares for session s1 submitted (3 "
		    "ciphertexts, 96 bytes)\n" },
		{ 1, 0, 0, 0, 1, "alice: shares for session s1 submitted "
		    "again (the server had lost them) (3 ciphertexts, 96 "
		    "bytes)\n" },
		{ 1, 1, 0, 0, 1, "alice: sumpoint for session s1 posted again "
		    "(the server had lost it) (4 shares)\n" },
	};
	struct securesum_step s;
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = step_of(cases[i].sumpoint, cases[i].duplicate,
		    cases[i].again);
		out = printed(cases[i].note, cases[i].json, &s);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
}

/* Off a terminal (stderr a file here) run's notes are not written at all. */
static void
test_run_note_off_terminal(void **state)
{
	struct securesum_step s = step_of(0, 0, 0);
	struct client c;
	FILE *f;
	int saved;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(f = tmpfile());
	fflush(stderr);
	assert_true((saved = dup(2)) >= 0);
	assert_true(dup2(fileno(f), 2) >= 0);
	cli_progress_init(&c.progress);
	assert_int_equal(cli_on_terminal(&c.progress), 0);
	cli_run_step(&c, &s);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	assert_int_equal(ftell(f), 0);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_run_note_off_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
