/*
 * test_client_cmd_status.c: what `status` prints (client/cmd_status.c) for
 * a session's status, as "key: value" lines and as one JSON object: every
 * list, the deadline as a date (or "none", or a number that is no date),
 * and a failed session's reason.
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
#include "client_fixture.h"
#include "status.h"
#include "wire.h"

static char *
printed(int json, const struct wire_response *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cmd_status_print(f, json, "s1", st);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
aggregating(struct wire_response *st)
{
	fx_status(st, "s1", "alice,bob,carol,dave", 2, 3, PHASE_AGGREGATING);
	st->params.decimals = 2;
	fx_set(&st->shared, "alice,bob,carol");
	fx_set(&st->cohort, "alice,bob,carol");
	fx_set(&st->posted, "bob");
	fx_set(&st->missing, "alice,carol");
	st->deadline_unix = 1700000000;
}

static void
test_text(void **state)
{
	struct wire_response st;
	char *s;

	(void)state;
	aggregating(&st);
	s = printed(0, &st);
	assert_string_equal(s,
	    "session: s1\n"
	    "phase: AGGREGATING\n"
	    "parties: alice,bob,carol,dave\n"
	    "threshold: 2\nlength: 3\ndecimals: 2\n"
	    "shared: alice,bob,carol\n"
	    "cohort: alice,bob,carol\n"
	    "posted: bob\n"
	    "missing: alice,carol\n"
	    "deadline: 2023-11-14T22:13:20Z (unix 1700000000)\n");
	free(s);
	wire_response_free(&st);
}

static void
test_json(void **state)
{
	struct wire_response st;
	char *s;

	(void)state;
	aggregating(&st);
	s = printed(1, &st);
	assert_string_equal(s, "{\"session\":\"s1\",\"phase\":\"AGGREGATING\","
	    "\"parties\":[\"alice\",\"bob\",\"carol\",\"dave\"],"
	    "\"threshold\":2,\"length\":3,\"decimals\":2,"
	    "\"shared\":[\"alice\",\"bob\",\"carol\"],"
	    "\"cohort\":[\"alice\",\"bob\",\"carol\"],\"posted\":[\"bob\"],"
	    "\"missing\":[\"alice\",\"carol\"],\"deadline\":1700000000}\n");
	free(s);
	wire_response_free(&st);
}

static void
test_failed_without_deadline(void **state)
{
	struct wire_response st;
	char *s;

	(void)state;
	fx_status(&st, "s1", "alice,bob", 1, 1, PHASE_FAILED);
	s = printed(0, &st);
	assert_string_equal(s,
	    "session: s1\nphase: FAILED\nparties: alice,bob\n"
	    "threshold: 1\nlength: 1\ndecimals: 0\n"
	    "shared: (none)\ncohort: (none)\nposted: (none)\n"
	    "missing: (none)\ndeadline: none\nreason: (no reason given)\n");
	free(s);
	snprintf(st.message, sizeof(st.message), "the deadline \"passed\"");
	s = printed(1, &st);
	assert_string_equal(s, "{\"session\":\"s1\",\"phase\":\"FAILED\","
	    "\"parties\":[\"alice\",\"bob\"],\"threshold\":1,\"length\":1,"
	    "\"decimals\":0,\"shared\":[],\"cohort\":[],\"posted\":[],"
	    "\"missing\":[],\"deadline\":null,"
	    "\"reason\":\"the deadline \\\"passed\\\"\"}\n");
	free(s);
	wire_response_free(&st);
}

static void
test_deadline_beyond_dates(void **state)
{
	struct wire_response st;
	char *s, *line;

	(void)state;
	fx_status(&st, "s1", "alice,bob", 1, 1, PHASE_SHARING);
	/* Past what gmtime can turn into a date: the number alone. */
	st.deadline_unix = UINT64_MAX;
	s = printed(0, &st);
	assert_non_null(line = strstr(s, "deadline: "));
	assert_string_equal(line, "deadline: 18446744073709551615\n");
	free(s);
	st.deadline_unix = UINT64_C(1) << 62;
	s = printed(0, &st);
	assert_non_null(line = strstr(s, "deadline: "));
	assert_string_equal(line, "deadline: 4611686018427387904\n");
	free(s);
	wire_response_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_failed_without_deadline),
		cmocka_unit_test(test_deadline_beyond_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
