/*
 * cmd_server_info.c: `server-info`: the server's version, uptime, sessions
 * by phase, connections, bytes held and the health of its journal and
 * snapshots (GetServerInfo, docs/PROTOCOL.md 7.13), as "key: value" lines
 * or one JSON object, the keys those of the proto (its version as
 * server_version: "version" is the JSON document's own, docs/CLI.md).
 */
#include <stdio.h>

#include "call.h"
#include "client.h"
#include "output.h"
#include "wire.h"

struct figure {
	const char *key;
	uint64_t v;
};

/* The answer's numbers, in the proto's order (the version and health aside). */
static size_t
figures(const struct wire_server_info *in, struct figure *f)
{
	const struct figure all[] = {
		{ "uptime_seconds", in->uptime_seconds },
		{ "sessions_sharing", in->sessions_sharing },
		{ "sessions_aggregating", in->sessions_aggregating },
		{ "sessions_complete", in->sessions_complete },
		{ "sessions_failed", in->sessions_failed },
		{ "sessions_max", in->sessions_max },
		{ "connections", in->connections },
		{ "connections_max", in->connections_max },
		{ "stored_bytes", in->stored_bytes },
		{ "stored_bytes_max", in->stored_bytes_max },
		{ "journal_unsynced_records", in->journal_unsynced_records },
		{ "snapshot_age_seconds", in->snapshot_age_seconds },
		{ "snapshot_duration_ms", in->snapshot_duration_ms },
		{ "snapshots_failed", in->snapshots_failed },
		{ "requests", in->requests },
	};
	size_t i, n = sizeof(all) / sizeof(all[0]);

	for (i = 0; i < n; i++)
		f[i] = all[i];
	return n;
}

void
cmd_server_info_print(FILE *out, int json, struct wire_server_info *in)
{
	struct figure f[16];
	size_t i, n = figures(in, f);

	/* The server's text reaches a terminal only made safe. */
	out_sanitize(in->version);
	if (!json) {
		fprintf(out, "server_version: %s\njournal_healthy: %s\n",
		    in->version, in->journal_healthy ? "yes" : "no");
		for (i = 0; i < n; i++)
			fprintf(out, "%s: %llu\n", f[i].key,
			    (unsigned long long)f[i].v);
		return;
	}
	fputs(OUT_JSON_OPEN "\"server_version\":", out);
	out_json_string(out, in->version);
	fprintf(out, ",\"journal_healthy\":%s", in->journal_healthy ?
	    "true" : "false");
	for (i = 0; i < n; i++)
		fprintf(out, ",\"%s\":%llu", f[i].key, (unsigned long long)f[i].v);
	fputs("}\n", out);
}

int
cmd_server_info(struct client *c, struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	call_request(&req, WIRE_GET_SERVER_INFO, NULL, NULL);
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if (resp.code != ST_OK)
		r = call_refused(c, &resp, WIRE_GET_SERVER_INFO, NULL, e);
	else
		cmd_server_info_print(stdout, c->json, &resp.server_info);
	wire_response_free(&resp);
	return r;
}
