/*
 * metrics_http.c: a minimal HTTP/1.x responder for GET /metrics.
 *
 * Why not a library: libevent 2.1's evhttp (Debian 12's) cannot bound the
 * connections it accepts (no connection limit nor a per-connection hook
 * before 2.2), libmicrohttpd would bring a second event loop or thread
 * into a single-threaded server, and no C Prometheus client is packaged in
 * Debian 12 (prometheus-cpp is C++). One URL, answered once per connection,
 * needs only the head of a request read within bounds: this file.
 *
 * Each connection: its head is read (at most METRICS_HTTP_MAX_HEAD bytes,
 * up to the empty line); the request line decides the answer (200 with the
 * exposition, 404, 405, 400 or 431); the answer is written with
 * "Connection: close" and the connection freed once it is sent, or at
 * METRICS_HTTP_TIMEOUT seconds after accept, whichever comes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "metrics_http.h"

/* The largest exposition: far above what the families reach (about 12 KiB). */
#define EXPOSITION_LIMIT (1u << 20)

struct metrics_http {
	struct evconnlistener *listener;
	struct metrics_source src;
	unsigned n;
	LIST_HEAD(scrape_list, scrape) all;   /* zeroed: empty */
};

struct scrape {
	struct metrics_http *h;
	struct bufferevent *bev;
	struct event *deadline;     /* METRICS_HTTP_TIMEOUT after accept */
	LIST_ENTRY(scrape) link;
};

static void
scrape_free(struct scrape *s)
{
	struct metrics_http *h = s->h;

	LIST_REMOVE(s, link);
	h->n--;
	event_free(s->deadline);
	bufferevent_free(s->bev);
	free(s);
}

/* Queues an answer and stops reading: on_write frees s once it is sent. */
static void
answer(struct scrape *s, const char *status, const char *type,
    const void *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);

	bufferevent_disable(s->bev, EV_READ);
	if (evbuffer_add_printf(out, "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type,
	    len) < 0 || evbuffer_add(out, body, len) != 0)
		scrape_free(s);
}

static void
answer_text(struct scrape *s, const char *status, const char *text)
{
	answer(s, status, "text/plain; charset=utf-8", text, strlen(text));
}

static void
answer_metrics(struct scrape *s)
{
	const struct metrics_source *src = &s->h->src;
	struct metrics_gauges g;
	struct buf_writer w;

	memset(&g, 0, sizeof(g));
	src->gauges(src->ctx, &g);
	buf_writer_init(&w, EXPOSITION_LIMIT);
	if (metrics_expose(src->metrics, &g, &w) != SS_OK)
		answer_text(s, "500 Internal Server Error", "out of memory\n");
	else
		answer(s, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
		    w.data, w.len);
	buf_writer_free(&w);
}

/* The answer to a request line ("GET /metrics HTTP/1.1"). */
static void
route(struct scrape *s, const char *line)
{
	const char *target, *end;
	size_t tlen;

	if ((target = strchr(line, ' ')) == NULL ||
	    (end = strchr(target + 1, ' ')) == NULL ||
	    strncmp(end + 1, "HTTP/1.", 7) != 0) {
		answer_text(s, "400 Bad Request", "not an HTTP/1.x request line\n");
		return;
	}
	if ((size_t)(target - line) != 3 || strncmp(line, "GET", 3) != 0) {
		answer_text(s, "405 Method Not Allowed", "only GET /metrics\n");
		return;
	}
	target++;
	tlen = (size_t)(end - target);
	/* A query string (some scrapers add one) asks for nothing else. */
	if ((tlen == 8 || (tlen > 8 && target[8] == '?')) &&
	    strncmp(target, "/metrics", 8) == 0)
		answer_metrics(s);
	else
		answer_text(s, "404 Not Found", "only GET /metrics\n");
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct scrape *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end;
	char *line;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0)
		end = evbuffer_search(in, "\n\n", 2, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) >= METRICS_HTTP_MAX_HEAD)
			answer_text(s, "431 Request Header Fields Too Large",
			    "the request's head is too long\n");
		return;
	}
	line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		answer_text(s, "400 Bad Request", "no request line\n");
		return;
	}
	route(s, line);
	free(line);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct scrape *s = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
	    !(bufferevent_get_enabled(bev) & EV_READ))
		scrape_free(s);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)what;
	scrape_free(arg);   /* EOF, an error or the timeout: nothing more to do */
}

/* A byte every few seconds must not keep a connection: one bound from accept. */
static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	scrape_free(arg);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct metrics_http *h = arg;
	struct timeval tv = { METRICS_HTTP_TIMEOUT, 0 };
	struct scrape *s;

	(void)sa; (void)salen;
	if (h->n >= METRICS_HTTP_MAX_CONNS || (s = calloc(1, sizeof(*s))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	s->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL || (s->deadline = event_new(evconnlistener_get_base(l),
	    -1, 0, on_deadline, s)) == NULL || event_add(s->deadline, &tv) != 0) {
		if (s->deadline != NULL)
			event_free(s->deadline);
		if (s->bev != NULL)
			bufferevent_free(s->bev);
		else
			evutil_closesocket(fd);
		free(s);
		return;
	}
	s->h = h;
	LIST_INSERT_HEAD(&h->all, s, link);
	h->n++;
	bufferevent_setcb(s->bev, on_read, on_write, on_event, s);
	bufferevent_setwatermark(s->bev, EV_READ, 0, METRICS_HTTP_MAX_HEAD);
	(void)bufferevent_enable(s->bev, EV_READ | EV_WRITE);
}

int
metrics_http_start(struct metrics_http **out, struct event_base *base,
    evutil_socket_t fd, const struct metrics_source *src, struct ss_error *e)
{
	struct metrics_http *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		evutil_closesocket(fd);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory for --metrics-listen");
	}
	h->src = *src;
	h->listener = evconnlistener_new(base, on_accept, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (h->listener == NULL) {
		evutil_closesocket(fd);
		free(h);
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up "
		    "--metrics-listen in the event loop");
	}
	*out = h;
	return SS_OK;
}

void
metrics_http_free(struct metrics_http *h)
{
	struct scrape *s, *next;

	if (h == NULL)
		return;
	for (s = LIST_FIRST(&h->all); s != NULL; s = next) {
		next = LIST_NEXT(s, link);
		scrape_free(s);
	}
	evconnlistener_free(h->listener);
	free(h);
}
