/*
 * test_server_metrics.c: the counters and the Prometheus exposition. An
 * observation lands in the first bucket whose bound it does not exceed;
 * requests are counted by method and status, odd numbers folded into
 * UNKNOWN and INTERNAL; the exposition announces each family with HELP
 * and TYPE before its samples, its buckets are cumulative and end with
 * +Inf equal to _count, and a writer too small for it is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "metrics.h"
#include "status.h"

/* The exposition of m and g as a NUL-terminated string (free it). */
static char *
expose(const struct metrics *m, const struct metrics_gauges *g)
{
	struct buf_writer w;
	char *s;

	buf_writer_init(&w, 1u << 20);
	assert_int_equal(metrics_expose(m, g, &w), SS_OK);
	s = calloc(1, w.len + 1);
	assert_non_null(s);
	memcpy(s, w.data, w.len);
	buf_writer_free(&w);
	return s;
}

/* The value of the sample line that starts with prefix (e.g. "name{...} "). */
static double
sample(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			return strtod(p + n, NULL);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	fail_msg("no sample %s", prefix);
	return -1;
}

static void
test_buckets(void **state)
{
	struct metrics_histogram h;

	(void)state;
	memset(&h, 0, sizeof(h));
	metrics_observe(&h, 0.0001);     /* on the first bound: in it */
	metrics_observe(&h, 0.00011);    /* just past: the second */
	metrics_observe(&h, 31);         /* past the last: +Inf */
	metrics_observe(&h, -1);         /* a clock step back counts as 0 */
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[1], 1);
	assert_int_equal(h.counts[METRICS_BUCKETS], 1);
	assert_int_equal(h.count, 4);
	assert_true(h.sum > 31.0002 && h.sum < 31.0003);
}

static void
test_requests_by_method_and_status(void **state)
{
	struct metrics m;

	(void)state;
	metrics_init(&m, 1000);
	metrics_request(&m, 6, ST_OK, 0.001, 10, 20);
	metrics_request(&m, 6, ST_OK, 0.002, 10, 20);
	metrics_request(&m, 1, ST_NOT_FOUND, 0.001, 5, 7);
	metrics_request(&m, 999, 99, 0.001, 1, 1);   /* folded, never out of bounds */
	assert_int_equal(m.requests[6][ST_OK], 2);
	assert_int_equal(m.requests[1][ST_NOT_FOUND], 1);
	assert_int_equal(m.requests[0][ST_INTERNAL], 1);
	assert_int_equal(m.bytes_in, 26);
	assert_int_equal(m.bytes_out, 48);
	assert_int_equal(m.latency.count, 4);
	assert_string_equal(metrics_method_name(6), "GET_STATUS");
	assert_string_equal(metrics_method_name(11), "DELETE_SESSION");
	assert_string_equal(metrics_method_name(12), "LIST_SESSIONS");
	assert_string_equal(metrics_method_name(13), "GET_SERVER_INFO");
	assert_string_equal(metrics_method_name(0), "UNKNOWN");
	assert_string_equal(metrics_method_name(-3), "UNKNOWN");
	assert_string_equal(metrics_method_name(31), "UNKNOWN");
}

/* Every sample's family was announced by HELP then TYPE, before it. */
static void
check_announced(const char *text)
{
	char announced[64][96];
	size_t n = 0, i, k;
	const char *line = text;

	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		char name[96];

		assert_non_null(end);
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%95s", name), 1);
			assert_true(n < 64);
			snprintf(announced[n++], sizeof(announced[0]), "%s", name);
			assert_int_equal(strncmp(end + 1, "# TYPE ", 7), 0);
		} else if (line[0] != '#') {
			k = strcspn(line, "{ ");
			for (i = 0; i < n; i++)
				if (strncmp(line, announced[i], strlen(announced[i])) == 0 &&
				    strlen(announced[i]) <= k)
					break;
			assert_true(i < n);
		}
		line = end + 1;
	}
}

static void
test_exposition(void **state)
{
	struct metrics m;
	struct metrics_gauges g;
	char *text;

	(void)state;
	metrics_init(&m, 1000);
	memset(&g, 0, sizeof(g));
	g.now_unix_ms = 61000;
	g.sessions[PHASE_COMPLETE] = 3;
	g.sessions_deleted = 4;
	g.sessions_expired = 5;
	g.journal_ok = 1;
	metrics_request(&m, 1, ST_OK, 0.0003, 100, 40);
	metrics_request(&m, 1, ST_OK, 0.2, 100, 40);
	metrics_request(&m, 5, ST_PERMISSION_DENIED, 3, 10, 10);
	metrics_observe(&g.fsync, 0.004);
	text = expose(&m, &g);
	check_announced(text);
	assert_non_null(strstr(text, "# TYPE mpc_server_requests_total counter\n"));
	assert_non_null(strstr(text, "# TYPE mpc_server_request_duration_seconds histogram\n"));
	assert_true(sample(text, "mpc_server_requests_total{method=\"CREATE_SESSION\",code=\"OK\"} ") == 2);
	assert_true(sample(text, "mpc_server_requests_total{method=\"LIST_SUMPOINTS\",code=\"PERMISSION_DENIED\"} ") == 1);
	/* Cumulative: 0.0003 is in le=0.0005 and every later bucket. */
	assert_true(sample(text, "mpc_server_request_duration_seconds_bucket{le=\"0.00025\"} ") == 0);
	assert_true(sample(text, "mpc_server_request_duration_seconds_bucket{le=\"0.0005\"} ") == 1);
	assert_true(sample(text, "mpc_server_request_duration_seconds_bucket{le=\"0.25\"} ") == 2);
	assert_true(sample(text, "mpc_server_request_duration_seconds_bucket{le=\"2.5\"} ") == 2);
	assert_true(sample(text, "mpc_server_request_duration_seconds_bucket{le=\"+Inf\"} ") == 3);
	assert_true(sample(text, "mpc_server_request_duration_seconds_count ") == 3);
	assert_true(sample(text, "mpc_server_journal_fsync_duration_seconds_bucket{le=\"0.005\"} ") == 1);
	assert_true(sample(text, "mpc_server_sessions{phase=\"COMPLETE\"} ") == 3);
	assert_true(sample(text, "mpc_server_sessions{phase=\"SHARING\"} ") == 0);
	assert_true(sample(text, "mpc_server_sessions_dropped_total{reason=\"deleted\"} ") == 4);
	assert_true(sample(text, "mpc_server_sessions_dropped_total{reason=\"expired\"} ") == 5);
	assert_true(sample(text, "mpc_server_uptime_seconds ") == 60);
	assert_true(sample(text, "mpc_server_snapshot_age_seconds ") == 60);
	assert_true(sample(text, "mpc_server_journal_healthy ") == 1);
	free(text);
}

static void
test_small_writer_is_an_error(void **state)
{
	struct metrics m;
	struct metrics_gauges g;
	struct buf_writer w;

	(void)state;
	metrics_init(&m, 0);
	memset(&g, 0, sizeof(g));
	buf_writer_init(&w, 100);
	assert_int_equal(metrics_expose(&m, &g, &w), SS_ERR_TOO_LARGE);
	buf_writer_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_requests_by_method_and_status),
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_small_writer_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
