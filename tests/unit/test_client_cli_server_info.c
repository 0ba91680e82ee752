/*
 * test_client_cli_server_info.c: what `server-info` prints (client/cli.c)
 * for a GetServerInfo answer as the library hands it on (api_copy.c), as
 * "key: value" lines and as one JSON object, every field in the proto's
 * order, and a version holding control characters made safe for a
 * terminal; and how `server-info` fetches it (client/cmd_server_info.c)
 * from a scripted fake server over loopback TLS: every field of the answer
 * taken, a refusal an error.
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

#include "answers.h"
#include "api_copy.h"
#include "certs.h"
#include "cli.h"
#include "client_fixture.h"
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

/* Answers GetServerInfo with code *arg, and sample()'s fields if OK. */
static int
answer_info(const Securesum__Request *q, Securesum__Response *m, size_t turn,
    const void *arg)
{
	static Securesum__GetServerInfoResponse b;
	struct wire_server_info in;

	(void)turn;
	if (q->body_case != SECURESUM__REQUEST__BODY_GET_SERVER_INFO)
		return 10;
	m->code = *(const int *)arg;
	if (m->code != SECURESUM__CODE__OK) {
		m->message = "not for you";
		return 0;
	}
	sample(&in);
	securesum__get_server_info_response__init(&b);
	b.version = "1.2.3";
	b.uptime_seconds = in.uptime_seconds;
	b.sessions_sharing = in.sessions_sharing;
	b.sessions_aggregating = in.sessions_aggregating;
	b.sessions_complete = in.sessions_complete;
	b.sessions_failed = in.sessions_failed;
	b.sessions_max = in.sessions_max;
	b.connections = in.connections;
	b.connections_max = in.connections_max;
	b.stored_bytes = in.stored_bytes;
	b.stored_bytes_max = in.stored_bytes_max;
	b.journal_healthy = in.journal_healthy;
	b.journal_unsynced_records = in.journal_unsynced_records;
	b.snapshot_age_seconds = in.snapshot_age_seconds;
	b.snapshot_duration_ms = in.snapshot_duration_ms;
	b.snapshots_failed = in.snapshots_failed;
	b.requests = in.requests;
	m->body_case = SECURESUM__RESPONSE__BODY_GET_SERVER_INFO;
	m->get_server_info = &b;
	return 0;
}

/* cmd_server_info from a server answering code: its result, into out. */
static int
fetched(int code, struct wire_server_info *out, struct ss_error *e)
{
	struct answers a = { answer_info, 1, &code, NULL };
	struct client c;
	char where[64];
	pid_t pid;
	int r;

	pid = answers_start(&a, &c, where, sizeof(where));
	memset(out, 0, sizeof(*out));
	ss_error_clear(e);
	r = cmd_server_info(&c, out, e);
	assert_int_equal(answers_end(&c, pid), 0);
	return r;
}

static void
test_fetched(void **state)
{
	struct wire_server_info got, want;
	struct ss_error e;
	char *a, *b;

	(void)state;
	assert_int_equal(fetched(SECURESUM__CODE__OK, &got, &e), SS_OK);
	/* Every field as sent: both print alike, field by field. */
	sample(&want);
	a = printed(1, &got);
	b = printed(1, &want);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_fetch_refused(void **state)
{
	struct wire_server_info got;
	struct ss_error e;

	(void)state;
	fx_expect(fetched(SECURESUM__CODE__PERMISSION_DENIED, &got, &e), &e,
	    SS_ERR_DENIED, "GetServerInfo refused: PERMISSION_DENIED: not for "
	    "you");
	assert_string_equal(got.version, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_version_made_safe),
		cmocka_unit_test(test_fetched),
		cmocka_unit_test(test_fetch_refused),
	};

	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
