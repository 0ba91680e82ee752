/*
 * server_info.c: GetServerInfo, the metrics' figures as a Response body:
 * the whole server's to a --monitor identity, the caller's own to anyone
 * else.
 */
#include <string.h>

#include "membership.h"
#include "quota.h"
#include "server_info.h"
#include "session.h"
#include "status.h"
#include "store_data.h"

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

/* Whether name is one of list's comma-separated names (NULL: none). */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name), len;
	const char *p = list;

	while (p != NULL) {
		len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0)
			return 1;
		p = p[len] == ',' ? p + len + 1 : NULL;
	}
	return 0;
}

static void
by_phase(Securesum__GetServerInfoResponse *b, const uint64_t *n)
{
	b->sessions_sharing = n[PHASE_SHARING];
	b->sessions_aggregating = n[PHASE_AGGREGATING];
	b->sessions_complete = n[PHASE_COMPLETE];
	b->sessions_failed = n[PHASE_FAILED];
}

/*
 * What the whole server's figures would tell a party about sessions it is
 * not in (that one was created, or shared to, and when) stays with the
 * monitors: the caller's own sessions, connections and bytes instead.
 */
static void
own_figures(const struct call *c, Securesum__GetServerInfoResponse *b)
{
	const struct store *s = c->store;
	const struct quota_use *u = quota_find(&s->quotas, c->caller);
	uint64_t n[PHASE_FAILED + 1] = { 0 };
	struct membership_walk w;
	const struct session *se;

	for (se = membership_first(&s->members, c->caller, &w); se != NULL;
	    se = membership_next(&w))
		if (se->phase <= PHASE_FAILED)
			n[se->phase]++;
	by_phase(b, n);
	b->connections = u != NULL ? u->conns : 0;
	b->stored_bytes = u != NULL ? u->bytes : 0;
}

static void
server_figures(const struct metrics *m, const struct metrics_gauges *g,
    Securesum__GetServerInfoResponse *b)
{
	by_phase(b, g->sessions);
	b->connections = g->connections;
	b->stored_bytes = g->stored_bytes;
	b->journal_unsynced_records = g->journal_unsynced;
	b->snapshot_age_seconds = (uint64_t)metrics_snapshot_age(m, g->now_unix_ms);
	b->snapshot_duration_ms = (uint64_t)(m->snapshot_seconds * 1000);
	b->snapshots_failed = m->snapshots_failed;
	b->requests = requests_answered(m);
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
	b->sessions_max = g.sessions_max;
	b->connections_max = g.connections_max;
	b->stored_bytes_max = g.stored_bytes_max;
	b->journal_healthy = g.journal_ok != 0;
	if (listed(c->monitors, c->caller))
		server_figures(m, &g, b);
	else
		own_figures(c, b);
	return SS_OK;
}
