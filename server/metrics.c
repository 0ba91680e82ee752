/*
 * metrics.c: the counters and histograms, and the Prometheus text
 * exposition (format 0.0.4: "# HELP" and "# TYPE" before each family,
 * cumulative histogram buckets ending in le="+Inf", which equals _count).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "securesum.pb-c.h"
#include "status.h"

/* From 100 µs (a small RPC) to 30 s (the longest watch). */
static const double bounds[METRICS_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

void
metrics_init(struct metrics *m, uint64_t now_unix_ms)
{
	memset(m, 0, sizeof(*m));
	m->started_unix_ms = now_unix_ms;
}

void
metrics_observe(struct metrics_histogram *h, double seconds)
{
	size_t i = 0;

	if (!(seconds >= 0))    /* NaN too */
		seconds = 0;
	while (i < METRICS_BUCKETS && seconds > bounds[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum += seconds;
}

void
metrics_request(struct metrics *m, int method, int code, double seconds,
    uint64_t bytes_in, uint64_t bytes_out)
{
	if (method < 0 || method >= METRICS_METHODS)
		method = 0;
	if (code < 0 || code >= METRICS_CODES)
		code = ST_INTERNAL;
	m->requests[method][code]++;
	metrics_observe(&m->latency, seconds);
	m->bytes_in += bytes_in;
	m->bytes_out += bytes_out;
}

/* Seconds from then to now (ms since the epoch); 0 if then is later. */
static double
age(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? (double)(now_ms - then_ms) / 1000 : 0;
}

double
metrics_snapshot_age(const struct metrics *m, uint64_t now_unix_ms)
{
	return age(now_unix_ms, m->snapshot_unix_ms != 0 ?
	    m->snapshot_unix_ms : m->started_unix_ms);
}

const char *
metrics_version(void)
{
	return SS_VERSION;
}

const char *
metrics_method_name(int method)
{
	const ProtobufCEnumValue *v;

	if (method <= 0)
		return "UNKNOWN";
	v = protobuf_c_enum_descriptor_get_value(&securesum__method__descriptor,
	    method);
	return v != NULL ? v->name : "UNKNOWN";
}

/* ---- exposition ------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
put(struct buf_writer *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void
family(struct buf_writer *w, const char *name, const char *type, const char *help)
{
	put(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
one(struct buf_writer *w, const char *name, const char *type,
    const char *help, double v)
{
	family(w, name, type, help);
	put(w, "%s %.15g\n", name, v);
}

/* A counter family of two samples, told apart by label: a, then b. */
static void
two(struct buf_writer *w, const char *name, const char *help,
    const char *label, const char *a, uint64_t va, const char *b, uint64_t vb)
{
	family(w, name, "counter", help);
	put(w, "%s{%s=\"%s\"} %llu\n%s{%s=\"%s\"} %llu\n", name, label, a,
	    (unsigned long long)va, name, label, b, (unsigned long long)vb);
}

static void
histogram(struct buf_writer *w, const char *name, const char *help,
    const struct metrics_histogram *h)
{
	uint64_t cum = 0;
	size_t i;

	family(w, name, "histogram", help);
	for (i = 0; i < METRICS_BUCKETS; i++) {
		cum += h->counts[i];
		put(w, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
		    (unsigned long long)cum);
	}
	put(w, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
	put(w, "%s_sum %.15g\n%s_count %llu\n", name, h->sum, name,
	    (unsigned long long)h->count);
}

static void
requests(struct buf_writer *w, const struct metrics *m)
{
	int i, k;

	family(w, "mpc_server_requests_total", "counter",
	    "Requests answered, by method and status.");
	for (i = 0; i < METRICS_METHODS; i++)
		for (k = 0; k < METRICS_CODES; k++)
			if (m->requests[i][k] != 0)
				put(w, "mpc_server_requests_total{method=\"%s\","
				    "code=\"%s\"} %llu\n", metrics_method_name(i),
				    status_name(k),
				    (unsigned long long)m->requests[i][k]);
	histogram(w, "mpc_server_request_duration_seconds", "Time from a "
	    "request's last byte read to its answer queued (a watch included).",
	    &m->latency);
	one(w, "mpc_server_received_bytes_total", "counter",
	    "Bytes of request frames.", (double)m->bytes_in);
	one(w, "mpc_server_sent_bytes_total", "counter",
	    "Bytes of response frames.", (double)m->bytes_out);
}

static void
connections(struct buf_writer *w, const struct metrics *m,
    const struct metrics_gauges *g)
{
	one(w, "mpc_server_connections_accepted_total", "counter",
	    "Connections accepted.", (double)m->connections_accepted);
	one(w, "mpc_server_connections_refused_total", "counter",
	    "Connections closed at once: --max-connections or "
	    "--max-memory reached.",
	    (double)m->connections_refused);
	one(w, "mpc_server_connections", "gauge", "Open connections.",
	    (double)g->connections);
	one(w, "mpc_server_connections_max", "gauge", "--max-connections.",
	    (double)g->connections_max);
	one(w, "mpc_server_watching_requests", "gauge",
	    "GetStatus requests held until their session changes.",
	    (double)g->watching);
}

static void
sessions(struct buf_writer *w, const struct metrics_gauges *g)
{
	int p;

	family(w, "mpc_server_sessions", "gauge", "Sessions held, by phase.");
	for (p = 1; p < METRICS_PHASES; p++)
		put(w, "mpc_server_sessions{phase=\"%s\"} %llu\n", phase_name(p),
		    (unsigned long long)g->sessions[p]);
	one(w, "mpc_server_sessions_max", "gauge", "--max-sessions.",
	    (double)g->sessions_max);
	two(w, "mpc_server_sessions_dropped_total", "Sessions dropped since "
	    "the start, by reason.", "reason", "deleted", g->sessions_deleted,
	    "expired", g->sessions_expired);
	one(w, "mpc_server_stored_bytes", "gauge", "Bytes of shares, "
	    "sumpoints and certificates held.", (double)g->stored_bytes);
	one(w, "mpc_server_stored_bytes_max", "gauge", "--max-stored-bytes.",
	    (double)g->stored_bytes_max);
}

static void
durability(struct buf_writer *w, const struct metrics *m,
    const struct metrics_gauges *g)
{
	one(w, "mpc_server_journal_healthy", "gauge", "1 while the journal's "
	    "writes and syncs succeed, 0 after one failed.",
	    g->journal_ok ? 1 : 0);
	one(w, "mpc_server_journal_unsynced_records", "gauge",
	    "Journal records written and not yet known durable.",
	    (double)g->journal_unsynced);
	histogram(w, "mpc_server_journal_fsync_duration_seconds",
	    "The journal sync thread's syncs (the records' "
	    "fdatasync, then the synced mark's).", &g->fsync);
	two(w, "mpc_server_snapshots_total", "Snapshots written, by result.",
	    "result", "ok", m->snapshots_ok, "failed", m->snapshots_failed);
	one(w, "mpc_server_snapshot_age_seconds", "gauge", "Seconds since the "
	    "last snapshot this process wrote (since its start if none).",
	    metrics_snapshot_age(m, g->now_unix_ms));
	one(w, "mpc_server_snapshot_duration_seconds", "gauge",
	    "How long the last snapshot took, fork to end.", m->snapshot_seconds);
}

static void
process(struct buf_writer *w, const struct metrics *m,
    const struct metrics_gauges *g)
{
	family(w, "mpc_server_build_info", "gauge", "The server's version.");
	put(w, "mpc_server_build_info{version=\"%s\"} 1\n", metrics_version());
	one(w, "mpc_server_start_time_seconds", "gauge", "When the server "
	    "started, in seconds since the epoch.",
	    (double)m->started_unix_ms / 1000);
	one(w, "mpc_server_uptime_seconds", "gauge", "Seconds since the start.",
	    age(g->now_unix_ms, m->started_unix_ms));
	one(w, "mpc_server_startup_sessions", "gauge",
	    "Sessions loaded at start (snapshot and journal).",
	    (double)m->loaded_sessions);
	one(w, "mpc_server_startup_replayed_records", "gauge",
	    "Journal records replayed at start.", (double)m->replayed_records);
	one(w, "mpc_server_startup_duration_seconds", "gauge",
	    "Time taken to load the state at start.", m->load_seconds);
	one(w, "mpc_server_warm_memory_bytes", "gauge", "Memory touched "
	    "before, kept for frames and held shares, not in use now.",
	    (double)g->warm_memory);
	one(w, "mpc_server_warm_memory_max_bytes", "gauge", "--warm-memory "
	    "(whole 2 MiB extents).", (double)g->warm_memory_max);
}

int
metrics_expose(const struct metrics *m, const struct metrics_gauges *g,
    struct buf_writer *w)
{
	process(w, m, g);
	requests(w, m);
	connections(w, m, g);
	sessions(w, g);
	durability(w, m, g);
	return buf_writer_error(w);
}
