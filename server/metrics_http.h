/*
 * metrics_http.h: the --metrics-listen endpoint: plain HTTP/1.x on the
 * server's own event loop, answering GET /metrics with the Prometheus text
 * exposition (metrics.h) and closing. Nothing else is served and nothing
 * is authenticated, so the address belongs on localhost or a management
 * network (docs/OPERATIONS.md). Everything is bounded: a request's head
 * (METRICS_HTTP_MAX_HEAD bytes), the connections open at once
 * (METRICS_HTTP_MAX_CONNS; more are closed at accept) and each one's time
 * (METRICS_HTTP_TIMEOUT seconds from accept to close).
 */
#ifndef SS_METRICS_HTTP_H
#define SS_METRICS_HTTP_H

#include <event2/event.h>

#include "err.h"
#include "metrics.h"

#define METRICS_HTTP_MAX_HEAD   8192
#define METRICS_HTTP_MAX_CONNS  16
#define METRICS_HTTP_TIMEOUT    10

struct metrics_http;

/*
 * Serves scrapes on fd (a bound, listening, non-blocking socket, closed by
 * metrics_http_free, or here on failure) from base. SS_ERR_INTERNAL.
 */
int metrics_http_start(struct metrics_http **out, struct event_base *base,
    evutil_socket_t fd, const struct metrics_source *src, struct ss_error *e)
    SS_WUR;

/* Closes the listener and every scrape in progress. NULL is allowed. */
void metrics_http_free(struct metrics_http *h);

#endif
