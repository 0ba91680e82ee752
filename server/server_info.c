/* server_info.c: GetServerInfo, the metrics' figures as a Response body. */
#include <string.h>

#include "server_info.h"
#include "status.h"

static uint64_t
requests_answered(const struct metrics *m)
{
	uint64_t n = 0;
	size_t i, k;

	for (i = 0; i < METRICS_METHODS; i++)
		for (k = 0; k < METRICS_CODES; k++)
			n += m->requests[i][k];
	return n;
}

int
server_info_get(struct call *c)
{
	Securesum__GetServerInfoResponse *b = &c->body.server_info;
	const struct metrics_source *src = c->info;
	const struct metrics *m;
	struct metrics_gauges g;

	if (src == NULL || src->metrics == NULL || src->gauges == NULL)
		return ss_error_set(&c->err, SS_ERR_UNAVAILABLE, "this server "
		    "keeps no figures to report");
	m = src->metrics;
	memset(&g, 0, sizeof(g));
	src->gauges(src->ctx, &g);
	b->version = (char *)metrics_version();
	b->uptime_seconds = g.now_unix_ms > m->started_unix_ms ?
	    (g.now_unix_ms - m->started_unix_ms) / 1000 : 0;
	b->sessions_sharing = g.sessions[PHASE_SHARING];
	b->sessions_aggregating = g.sessions[PHASE_AGGREGATING];
	b->sessions_complete = g.sessions[PHASE_COMPLETE];
	b->sessions_failed = g.sessions[PHASE_FAILED];
	b->sessions_max = g.sessions_max;
	b->connections = g.connections;
	b->connections_max = g.connections_max;
	b->stored_bytes = g.stored_bytes;
	b->stored_bytes_max = g.stored_bytes_max;
	b->journal_healthy = g.journal_ok != 0;
	b->journal_unsynced_records = g.journal_unsynced;
	b->snapshot_age_seconds = (uint64_t)metrics_snapshot_age(m, g.now_unix_ms);
	b->snapshot_duration_ms = (uint64_t)(m->snapshot_seconds * 1000);
	b->snapshots_failed = m->snapshots_failed;
	b->requests = requests_answered(m);
	return SS_OK;
}
