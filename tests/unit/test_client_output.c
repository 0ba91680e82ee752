/*
 * test_client_output.c: the client's text (client/output.c): name lists
 * joined, the sanitising of untrusted text, and the progress of a wait
 * handed on as whole lines; and mpc-client's JSON writers
 * (client/cli_output.c): string escaping and lists of names.
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
#include "output.h"
#include "wire.h"

/* Runs out_json_string on s and returns what it wrote (malloc'd). */
static char *
json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	out_json_string(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_json_string(void **state)
{
	char *j;

	(void)state;
	j = json_of("plain");
	assert_string_equal(j, "\"plain\"");
	free(j);
	j = json_of("q\"b\\n\nt\tc\x01" "d\x7f");
	assert_string_equal(j, "\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007f\"");
	free(j);
	j = json_of("");
	assert_string_equal(j, "\"\"");
	free(j);
}

static void
test_json_names(void **state)
{
	const char *const v[2] = { "alice", "bob" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	out_json_strs(f, v, 2);
	out_json_strs(f, NULL, 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "[\"alice\",\"bob\"][]");
	free(buf);
}

static void
test_join(void **state)
{
	wire_name v[3] = { "alice", "bob", "carol" };
	struct wire_names l = { v, 3, 3 }, empty = { NULL, 0, 0 };
	char buf[64], small[14];

	(void)state;
	out_join(buf, sizeof(buf), &l, ", ");
	assert_string_equal(buf, "alice, bob, carol");
	out_join(buf, sizeof(buf), &empty, ",");
	assert_string_equal(buf, "(none)");
	/* Does not fit: cut at a name, marked with "...". */
	out_join(small, sizeof(small), &l, ",");
	assert_string_equal(small, "alice,bob...");
	out_join(small, 5, &l, ",");
	assert_string_equal(small, "...");
	out_join(buf, 16, &l, ",");
	assert_string_equal(buf, "alice,bob,carol");
}

/* A plain array of names joins exactly as a list of the same names. */
static void
test_join_strs(void **state)
{
	static const char *const v[3] = { "alice", "bob", "carol" };
	wire_name w[3] = { "alice", "bob", "carol" };
	struct wire_names l = { w, 3, 3 };
	char a[64], b[64];
	size_t len, n;

	(void)state;
	for (n = 0; n <= 3; n++) {
		for (len = 1; len <= 20; len++) {
			l.n = n;
			memset(a, 'x', sizeof(a));
			memset(b, 'y', sizeof(b));
			out_join(a, len, &l, ", ");
			out_join_strs(b, len, v, n, ", ");
			assert_string_equal(a, b);
		}
	}
	out_join_strs(a, sizeof(a), v, 3, "+");
	assert_string_equal(a, "alice+bob+carol");
	out_join_strs(a, sizeof(a), v, 0, "+");
	assert_string_equal(a, "(none)");
}

static void
test_sanitize(void **state)
{
	char s[] = "ok \x1b[31mred\n\r\t\xc3\xa9!";

	(void)state;
	out_sanitize(s);
	assert_string_equal(s, "ok ?[31mred????" "?!");
}

/* The lines a progress sink was handed, one after another. */
static void
sink(void *arg, const char *line)
{
	char *seen = arg;
	size_t n = strlen(seen);

	snprintf(seen + n, 512 - n, "%s\n", line);
}

/*
 * Without a live display, the progress line is handed on whole, once a
 * wait is announced to last past PROGRESS_PLAIN_AFTER_MS, and not for a
 * short one; without a sink, nowhere at all.
 */
static void
test_progress_whole_lines(void **state)
{
	struct progress p;
	char seen[512] = "";

	(void)state;
	progress_init(&p);
	p.sink = sink;
	p.sink_arg = seen;
	progress_ahead(&p, 100);
	progress_show(&p, "short %d", 1);
	progress_ahead(&p, PROGRESS_PLAIN_AFTER_MS);
	progress_show(&p, "long %d", 2);
	/* Within PROGRESS_PLAIN_EVERY_MS: not repeated. */
	progress_ahead(&p, PROGRESS_PLAIN_AFTER_MS);
	progress_show(&p, "long %d", 3);
	progress_clear(&p);
	/* A clear starts the count again. */
	progress_ahead(&p, PROGRESS_PLAIN_AFTER_MS);
	progress_show(&p, "long %d", 4);
	assert_string_equal(seen, "long 2\nlong 4\n");
	p.sink = NULL;
	progress_clear(&p);
	progress_ahead(&p, PROGRESS_PLAIN_AFTER_MS);
	progress_show(&p, "long %d", 5);
	assert_string_equal(seen, "long 2\nlong 4\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_names),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_join_strs),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_progress_whole_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
