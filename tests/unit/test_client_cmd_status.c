/*
 * test_client_cmd_status.c: what `status` prints (client/cmd_status.c) for
 * a session's status, as "key: value" lines and as one JSON object: every
 * list, the deadline as a date (or "none", or a number that is no date),
 * the invite code of the parameters (or none, for version 1), the
 * conflicts with whether each was verified here, and a failed session's
 * reason.
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

/* The vectors' D (tests/data/v2-vectors.txt) and its invite code. */
static const uint8_t vec_d[32] = {
	0x88, 0x7f, 0x9a, 0x83, 0x71, 0xc8, 0xe1, 0x13, 0x96, 0x1a, 0xae,
	0x6c, 0x12, 0x3e, 0xa6, 0xe4, 0xfd, 0x8a, 0xfd, 0x87, 0x6e, 0x23,
	0x75, 0xa1, 0xf8, 0x0d, 0x32, 0x58, 0x23, 0x2f, 0xdd, 0x3d,
};
#define VEC_INVITE \
    "ss2-rb7zva3r-zdqrhfq2-vzwbepvg-4t6yv7mh-nyrxlipy-buzfqizp-3u6tqdry"

static struct status_view g_view;
static const char *const dave[] = { "dave" };

static char *
printed(int json, const struct wire_response *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cmd_status_print(f, json, "s1", st, &g_view);
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
	fx_set(&st->signers, "alice,carol");
	st->params.min_cohort = 3;
	st->deadline_unix = 1700000000;
	g_view.d = vec_d;
	g_view.proven = NULL;
	g_view.keys_missing = dave;
	g_view.nkeys_missing = 1;
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
	    "threshold: 2\nlength: 3\ndecimals: 2\nmin_cohort: 3\n"
	    "shared: alice,bob,carol\n"
	    "cohort: alice,bob,carol\n"
	    "signed: alice,carol\n"
	    "posted: bob\n"
	    "missing: alice,carol\n"
	    "keys_missing: dave\n"
	    "deadline: 2023-11-14T22:13:20Z (unix 1700000000)\n"
	    "invite: " VEC_INVITE "\n"
	    "conflicts: none\n");
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
	assert_string_equal(s, "{\"version\":1,\"session\":\"s1\",\"phase\":\"AGGREGATING\","
	    "\"parties\":[\"alice\",\"bob\",\"carol\",\"dave\"],"
	    "\"threshold\":2,\"length\":3,\"decimals\":2,\"min_cohort\":3,"
	    "\"shared\":[\"alice\",\"bob\",\"carol\"],"
	    "\"cohort\":[\"alice\",\"bob\",\"carol\"],"
	    "\"signed\":[\"alice\",\"carol\"],\"posted\":[\"bob\"],"
	    "\"missing\":[\"alice\",\"carol\"],\"keys_missing\":[\"dave\"],"
	    "\"deadline\":1700000000,"
	    "\"invite\":\"" VEC_INVITE "\",\"conflicts\":[]}\n");
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
	g_view.d = NULL;
	g_view.keys_missing = NULL;
	g_view.nkeys_missing = 0;
	s = printed(0, &st);
	assert_string_equal(s,
	    "session: s1\nphase: FAILED\nparties: alice,bob\n"
	    "threshold: 1\nlength: 1\ndecimals: 0\nmin_cohort: 0\n"
	    "shared: (none)\ncohort: (none)\nsigned: (none)\n"
	    "posted: (none)\nmissing: (none)\nkeys_missing: (none)\n"
	    "deadline: none\n"
	    "invite: none (version 1)\nconflicts: none\n"
	    "reason: (no reason given)\n");
	free(s);
	snprintf(st.message, sizeof(st.message), "the deadline \"passed\"");
	s = printed(1, &st);
	assert_string_equal(s, "{\"version\":1,\"session\":\"s1\",\"phase\":\"FAILED\","
	    "\"parties\":[\"alice\",\"bob\"],\"threshold\":1,\"length\":1,"
	    "\"decimals\":0,\"min_cohort\":0,\"shared\":[],\"cohort\":[],"
	    "\"signed\":[],\"posted\":[],\"missing\":[],\"keys_missing\":[],"
	    "\"deadline\":null,"
	    "\"invite\":\"none (version 1)\",\"conflicts\":[],"
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
	assert_memory_equal(line, "deadline: 18446744073709551615\n",
	    strlen("deadline: 18446744073709551615\n"));
	free(s);
	st.deadline_unix = UINT64_C(1) << 62;
	s = printed(0, &st);
	assert_non_null(line = strstr(s, "deadline: "));
	assert_memory_equal(line, "deadline: 4611686018427387904\n",
	    strlen("deadline: 4611686018427387904\n"));
	free(s);
	wire_response_free(&st);
}

/* Two conflicts: one verified here, one not; text and JSON. */
static void
test_conflicts(void **state)
{
	static const unsigned char proven[2] = { 1, 0 };
	static const char cohort_body[] = "secure-sum/v2 COHORT";
	struct wire_response st;
	char *s, *line;
	size_t i;

	(void)state;
	aggregating(&st);
	assert_non_null(st.conflicts = calloc(2, sizeof(*st.conflicts)));
	st.nconflicts = st.conflicts_cap = 2;
	snprintf(st.conflicts[0].party, sizeof(st.conflicts[0].party), "bob");
	snprintf(st.conflicts[1].party, sizeof(st.conflicts[1].party), "carol");
	for (i = 0; i < 2; i++) {
		/* Not a whole statement: its type is unknown ("?"). */
		assert_non_null(st.conflicts[i].first.body =
		    malloc(sizeof(cohort_body)));
		memcpy(st.conflicts[i].first.body, cohort_body,
		    sizeof(cohort_body));
		st.conflicts[i].first.body_len = sizeof(cohort_body);
	}
	g_view.proven = proven;
	s = printed(0, &st);
	assert_non_null(line = strstr(s, "conflicts: "));
	assert_string_equal(line, "conflicts: bob signed two different ? "
	    "statements, SHA-256 2e7ccdc0437530f4... and e3b0c44298fc1c14... "
	    "(both verified here: proof); carol signed two different ? "
	    "statements, SHA-256 2e7ccdc0437530f4... and e3b0c44298fc1c14... "
	    "(NOT verified here: no proof)\n");
	free(s);
	s = printed(1, &st);
	assert_non_null(line = strstr(s, "\"conflicts\":"));
	/* Both statements, body and signature, for whoever checks them. */
	assert_string_equal(line, "\"conflicts\":[{\"party\":\"bob\","
	    "\"type\":\"?\",\"verified\":true,\"first\":{\"body\":"
	    "\"7365637572652d73756d2f763220434f484f525400\",\"signature\":"
	    "\"\"},\"second\":{\"body\":\"\",\"signature\":\"\"}},"
	    "{\"party\":\"carol\",\"type\":\"?\",\"verified\":false,"
	    "\"first\":{\"body\":\"7365637572652d73756d2f763220434f484f525400\","
	    "\"signature\":\"\"},\"second\":{\"body\":\"\",\"signature\":"
	    "\"\"}}]}\n");
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
		cmocka_unit_test(test_conflicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
