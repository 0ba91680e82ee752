/*
 * test_client_cli_status.c: what `status` prints (client/cli_status.c) for
 * a session's status as libsecuresum returns it, as "key: value" lines
 * and as one JSON object: every list, the deadline as a date (or "none",
 * or a number that is no date), the invite code of the parameters (or
 * none, for version 1), the conflicts with whether each was verified
 * here, and a failed session's reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "securesum.h"

#include "cli.h"

/* The invite code of the vectors' D (tests/data/v2-vectors.txt). */
#define VEC_INVITE \
    "ss2-rb7zva3r-zdqrhfq2-vzwbepvg-4t6yv7mh-nyrxlipy-buzfqizp-3u6tqdry"

static char *
printed(int json, const struct securesum_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli_status_print(f, json, "s1", st);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The comma-separated names of csv into l ("": none). */
static void
set_names(struct securesum_names *l, const char *csv)
{
	char *copy, *p, *save = NULL;

	l->n = 0;
	assert_non_null(l->v = calloc(16, sizeof(*l->v)));
	assert_non_null(copy = strdup(csv));
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		assert_non_null(l->v[l->n++] = strdup(p));
	free(copy);
}

/* A new status of phase among parties, every list empty. */
static struct securesum_status *
new_status(const char *parties, unsigned threshold, unsigned length,
    const char *phase)
{
	struct securesum_status *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	snprintf(st->phase, sizeof(st->phase), "%s", phase);
	set_names(&st->parties, parties);
	set_names(&st->shared, "");
	set_names(&st->cohort, "");
	set_names(&st->signers, "");
	set_names(&st->posted, "");
	set_names(&st->missing, "");
	set_names(&st->keys_missing, "");
	st->threshold = threshold;
	st->length = length;
	return st;
}

/* Replaces list l by the names of csv. */
static void
reset_names(struct securesum_names *l, const char *csv)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	set_names(l, csv);
}

static struct securesum_status *
aggregating(void)
{
	struct securesum_status *st = new_status("alice,bob,carol,dave", 2, 3,
	    "AGGREGATING");

	st->decimals = 2;
	reset_names(&st->shared, "alice,bob,carol");
	reset_names(&st->cohort, "alice,bob,carol");
	reset_names(&st->posted, "bob");
	reset_names(&st->missing, "alice,carol");
	reset_names(&st->signers, "alice,carol");
	reset_names(&st->keys_missing, "dave");
	st->min_cohort = 3;
	st->deadline_unix = 1700000000;
	snprintf(st->invite, sizeof(st->invite), "%s", VEC_INVITE);
	return st;
}

static void
test_text(void **state)
{
	struct securesum_status *st = aggregating();
	char *s;

	(void)state;
	s = printed(0, st);
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
	securesum_status_free(st);
}

static void
test_json(void **state)
{
	struct securesum_status *st = aggregating();
	char *s;

	(void)state;
	s = printed(1, st);
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
	securesum_status_free(st);
}

static void
test_failed_without_deadline(void **state)
{
	struct securesum_status *st = new_status("alice,bob", 1, 1, "FAILED");
	char *s;

	(void)state;
	/* What the library says of a FAILED session without a message. */
	snprintf(st->reason, sizeof(st->reason), "(no reason given)");
	s = printed(0, st);
	assert_string_equal(s,
	    "session: s1\nphase: FAILED\nparties: alice,bob\n"
	    "threshold: 1\nlength: 1\ndecimals: 0\nmin_cohort: 0\n"
	    "shared: (none)\ncohort: (none)\nsigned: (none)\n"
	    "posted: (none)\nmissing: (none)\nkeys_missing: (none)\n"
	    "deadline: none\n"
	    "invite: none (version 1)\nconflicts: none\n"
	    "reason: (no reason given)\n");
	free(s);
	snprintf(st->reason, sizeof(st->reason), "the deadline \"passed\"");
	s = printed(1, st);
	assert_string_equal(s, "{\"version\":1,\"session\":\"s1\",\"phase\":\"FAILED\","
	    "\"parties\":[\"alice\",\"bob\"],\"threshold\":1,\"length\":1,"
	    "\"decimals\":0,\"min_cohort\":0,\"shared\":[],\"cohort\":[],"
	    "\"signed\":[],\"posted\":[],\"missing\":[],\"keys_missing\":[],"
	    "\"deadline\":null,"
	    "\"invite\":\"none (version 1)\",\"conflicts\":[],"
	    "\"reason\":\"the deadline \\\"passed\\\"\"}\n");
	free(s);
	securesum_status_free(st);
}

static void
test_deadline_beyond_dates(void **state)
{
	struct securesum_status *st = new_status("alice,bob", 1, 1, "SHARING");
	char *s, *line;

	(void)state;
	/* Past what gmtime can turn into a date: the number alone. */
	st->deadline_unix = UINT64_MAX;
	s = printed(0, st);
	assert_non_null(line = strstr(s, "deadline: "));
	assert_memory_equal(line, "deadline: 18446744073709551615\n",
	    strlen("deadline: 18446744073709551615\n"));
	free(s);
	st->deadline_unix = UINT64_C(1) << 62;
	s = printed(0, st);
	assert_non_null(line = strstr(s, "deadline: "));
	assert_memory_equal(line, "deadline: 4611686018427387904\n",
	    strlen("deadline: 4611686018427387904\n"));
	free(s);
	securesum_status_free(st);
}

/* Two conflicts: one verified here, one not; text and JSON. */
static void
test_conflicts(void **state)
{
	static const char cohort_body[] = "secure-sum/v2 COHORT";
	struct securesum_status *st = aggregating();
	char *s, *line;
	size_t i;

	(void)state;
	assert_non_null(st->conflicts = calloc(2, sizeof(*st->conflicts)));
	st->nconflicts = 2;
	snprintf(st->conflicts[0].party, sizeof(st->conflicts[0].party), "bob");
	snprintf(st->conflicts[1].party, sizeof(st->conflicts[1].party),
	    "carol");
	st->conflicts[0].verified = 1;
	for (i = 0; i < 2; i++) {
		/* Not a whole statement: its type is unknown ("?"). */
		snprintf(st->conflicts[i].type, sizeof(st->conflicts[i].type),
		    "?");
		assert_non_null(st->conflicts[i].first.body =
		    malloc(sizeof(cohort_body)));
		memcpy(st->conflicts[i].first.body, cohort_body,
		    sizeof(cohort_body));
		st->conflicts[i].first.body_len = sizeof(cohort_body);
	}
	s = printed(0, st);
	assert_non_null(line = strstr(s, "conflicts: "));
	assert_string_equal(line, "conflicts: bob signed two different ? "
	    "statements, SHA-256 2e7ccdc0437530f4... and e3b0c44298fc1c14... "
	    "(both verified here: proof); carol signed two different ? "
	    "statements, SHA-256 2e7ccdc0437530f4... and e3b0c44298fc1c14... "
	    "(NOT verified here: no proof)\n");
	free(s);
	s = printed(1, st);
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
	securesum_status_free(st);
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
