/*
 * metrics.h: the server's counters and histograms, and their Prometheus
 * text exposition (format 0.0.4). The loop counts into one struct metrics
 * (requests by method and status and their latency, bytes, connections,
 * snapshots); the journal's sync thread keeps its fdatasync latencies in
 * a histogram of its own (journal_fsync_latency) that is copied at a
 * scrape; what is a state rather than a count (sessions by phase, bytes
 * held, open connections) is read at the scrape into struct metrics_gauges.
 * A leaf module: it knows neither the store nor the loop, so that the RPC
 * layer (GetServerInfo), the connections and the loop can all use it.
 */
#ifndef SS_METRICS_H
#define SS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* Method numbers counted (0: a frame that was not a Request). */
#define METRICS_METHODS 32
/* Wire status codes 0-16. */
#define METRICS_CODES 17
/* Phases 0-4 (core/status.h's enum phase). */
#define METRICS_PHASES 5

/* Upper bounds of the buckets, in seconds; +Inf is implied after the last. */
#define METRICS_BUCKETS 17

struct metrics_histogram {
	uint64_t counts[METRICS_BUCKETS + 1];   /* per bucket, not cumulative; last: +Inf */
	uint64_t count;
	double sum;                             /* seconds */
};

struct metrics {
	uint64_t started_unix_ms;
	uint64_t requests[METRICS_METHODS][METRICS_CODES];
	struct metrics_histogram latency;       /* request to answer queued */
	uint64_t bytes_in, bytes_out;           /* request and response frames */
	uint64_t connections_accepted, connections_refused;
	uint64_t snapshots_ok, snapshots_failed;
	uint64_t snapshot_unix_ms;              /* the last good one's end; 0: none yet */
	double snapshot_seconds;                /* ... and how long it took */
	/* Start-up: what was loaded, and how long it took. */
	uint64_t loaded_sessions, replayed_records;
	double load_seconds;
};

/* What is read at each scrape (or GetServerInfo) rather than counted. */
struct metrics_gauges {
	uint64_t now_unix_ms;
	uint64_t sessions[METRICS_PHASES];
	uint64_t sessions_max;
	uint64_t sessions_deleted, sessions_expired;    /* since start */
	uint64_t stored_bytes, stored_bytes_max;
	uint64_t connections, connections_max, watching;
	uint64_t warm_memory, warm_memory_max;  /* bigmem's pool: held, size */
	int journal_ok;                 /* 0: the journal's last write or sync failed */
	uint64_t journal_unsynced;      /* records written, not yet known durable */
	struct metrics_histogram fsync; /* the sync thread's fdatasync latencies */
};

/*
 * What a reader (a scrape, GetServerInfo) reads: the counters, and the
 * gauges as gauges(ctx, g) fills them at that moment.
 */
struct metrics_source {
	const struct metrics *metrics;
	void (*gauges)(void *ctx, struct metrics_gauges *g);
	void *ctx;
};

void metrics_init(struct metrics *m, uint64_t now_unix_ms);

/* Seconds since the last snapshot this process wrote (since its start if none). */
double metrics_snapshot_age(const struct metrics *m, uint64_t now_unix_ms);

/* Adds one observation of seconds to h. */
void metrics_observe(struct metrics_histogram *h, double seconds);

/* Counts one answered request (method as sent; code the wire status). */
void metrics_request(struct metrics *m, int method, int code, double seconds,
    uint64_t bytes_in, uint64_t bytes_out);

/* The server's version (the VERSION file's), as --version prints it. */
const char *metrics_version(void);

/* The name a method number has on the wire ("GET_STATUS"), or "UNKNOWN". */
const char *metrics_method_name(int method);

/*
 * Writes the exposition of m and g to w (a memory writer). SS_OK, or the
 * writer's error (its limit reached).
 */
int metrics_expose(const struct metrics *m, const struct metrics_gauges *g,
    struct buf_writer *w) SS_WUR;

#endif
