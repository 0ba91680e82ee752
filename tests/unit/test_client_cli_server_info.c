/*
 * test_client_cli_server_info.c: what `server-info` prints (client/cli.c)
 * for a GetServerInfo answer as the library hands it on (api_copy.c), as
 * "key: value" lines and as one JSON object, every field in the proto's
 * order, and a version holding control characters made safe for a
 * terminal.
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

#include "api_copy.h"
#include "cli.h"
#include "wire.h"

static char *
printed(int json, const struct wire_server_info *in)
{
	struct securesum_server_info out;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	api_server_info_copy(&out, in);
	cli_server_info_print(f, json, &out);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
sample(struct wire_server_info *in)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->version, sizeof(in->version), "%s", "1.2.3");
	in->uptime_seconds = 60;
	in->sessions_sharing = 1;
	in->sessions_aggregating = 2;
	in->sessions_complete = 3;
	in->sessions_failed = 4;
	in->sessions_max = 1024;
	in->connections = 5;
	in->connections_max = 4096;
	in->stored_bytes = 77;
	in->stored_bytes_max = UINT64_MAX;
	in->journal_healthy = 1;
	in->journal_unsynced_records = 6;
	in->snapshot_age_seconds = 7;
	in->snapshot_duration_ms = 8;
	in->snapshots_failed = 9;
	in->requests = 10;
}

static void
test_text(void **state)
{
	struct wire_server_info in;
	char *s;

	(void)state;
	sample(&in);
	s = printed(0, &in);
	assert_string_equal(s,
	    "server_version: 1.2.3\njournal_healthy: yes\nuptime_seconds: 60\n"
	    "sessions_sharing: 1\nsessions_aggregating: 2\n"
	    "sessions_complete: 3\nsessions_failed: 4\nsessions_max: 1024\n"
	    "connections: 5\nconnections_max: 4096\nstored_bytes: 77\n"
	    "stored_bytes_max: 18446744073709551615\n"
	    "journal_unsynced_records: 6\nsnapshot_age_seconds: 7\n"
	    "snapshot_duration_ms: 8\nsnapshots_failed: 9\nrequests: 10\n");
	free(s);
}

static void
test_json(void **state)
{
	struct wire_server_info in;
	char *s;

	(void)state;
	sample(&in);
	in.journal_healthy = 0;
	s = printed(1, &in);
	assert_string_equal(s,
	    "{\"version\":1,\"server_version\":\"1.2.3\",\"journal_healthy\":false,"
	    "\"uptime_seconds\":60,\"sessions_sharing\":1,"
	    "\"sessions_aggregating\":2,\"sessions_complete\":3,"
	    "\"sessions_failed\":4,\"sessions_max\":1024,\"connections\":5,"
	    "\"connections_max\":4096,\"stored_bytes\":77,"
	    "\"stored_bytes_max\":18446744073709551615,"
	    "\"journal_unsynced_records\":6,\"snapshot_age_seconds\":7,"
	    "\"snapshot_duration_ms\":8,\"snapshots_failed\":9,"
	    "\"requests\":10}\n");
	free(s);
}

/* The server's text reaches a terminal without its escape sequences. */
static void
test_version_made_safe(void **state)
{
	struct wire_server_info in;
	char *s;

	(void)state;
	sample(&in);
	snprintf(in.version, sizeof(in.version), "%s", "1\x1b[2J\n2");
	s = printed(0, &in);
	assert_non_null(strstr(s, "server_version: 1?[2J?2\n"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_version_made_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
