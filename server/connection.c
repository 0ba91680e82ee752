/*
 * connection.c: one client connection from accept to close: its TLS
 * handshake, the frames it sends, the answers it is sent, its timeouts.
 *
 * Each connection is a bufferevent over OpenSSL. Until its handshake
 * completes it has the handshake timeout; after, the idle timeout. Frames are
 * bounded by max_frame before any byte of them is buffered beyond the read
 * watermark, and a client that does not read its responses stops being read
 * once max_output bytes wait for it, so no client can make the server buffer
 * without bound or delay the others. Answers are charged to the memory
 * budget until sent (answer_sink.h); one that takes it past its limit
 * stops its connection's reading until it is sent.
 *
 * Connections in their handshake are listed in accept order
 * (handshakes.h, which also chooses the one that makes way for a newcomer);
 * connection.c closes them at their deadline or for a newcomer.
 *
 * A watched GetStatus (rpc.h's RPC_WATCH) is held by conn_watch.c; its
 * answer, when it is handed in again, goes out through release_or_hold
 * like any other. conn_internal.h is what the two files share.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "answer_sink.h"
#include "bigmem.h"
#include "clock.h"
#include "conn_internal.h"
#include "connection.h"
#include "err.h"
#include "frame.h"
#include "frame_in.h"
#include "handshakes.h"
#include "log.h"
#include "pki.h"
#include "quota.h"
#include "status.h"

/*
 * What libevent reserves in a connection's input buffer before each
 * SSL_read. The read that finds nothing more leaves the reservation there,
 * empty, until the next bytes come, so with libevent's default (16 KiB,
 * CONN_READ_LARGE) a connection between requests held 16 KiB for nothing.
 * A request is mostly under 1 KiB, and the rest of a longer TLS record is
 * read at once after it (OpenSSL has decrypted it whole, and libevent
 * reads what it holds before it waits again); a large frame, read into its
 * own block, is read with the default.
 */
#define CONN_READ_RESERVE 1024
#define CONN_READ_LARGE 0               /* libevent's default */

/* Sets c's read reservation (fails only for a size past EV_SSIZE_MAX). */
static void
conn_read_reserve(struct conn *c, size_t size)
{
	(void)bufferevent_set_max_single_read(c->bev, size);
}

/* ---- large frames ------------------------------------------------------ */

/* Who pays for c's large frame: the budget and c's identity (frame_in.h). */
static struct frame_payer
conn_payer(const struct conn *c)
{
	struct store *st = c->cs->rpc->store;
	struct frame_payer p = { c->cs->budget, &st->quotas,
	    st->lim.max_bytes_per_party, c->peer };

	return p;
}

/*
 * Gives back what c's large frame in progress is charged, and frees it.
 * Without one nothing is charged, and the payer is not looked at.
 */
static void
frame_drop(struct conn *c)
{
	struct frame_payer p;

	if (c->frame.data == NULL)
		return;
	p = conn_payer(c);
	frame_in_drop(&c->frame, &p);
}

/* ---- closing --------------------------------------------------------- */

/*
 * c, authenticated, joins its identity's count of open connections
 * (quota_use.conns); out of memory it stays uncounted, so it is never
 * chosen as the busiest identity's.
 */
static void
conn_count(struct conn *c)
{
	struct quota_use *u = quota_get(&c->cs->rpc->store->quotas, c->peer);

	if (u != NULL) {
		u->conns++;
		c->counted = 1;
	}
}

/* ... and leaves it. Entries are never removed: quota_get finds it. */
static void
conn_uncount(struct conn *c)
{
	struct quota_use *u;

	if (!c->counted)
		return;
	c->counted = 0;
	u = quota_get(&c->cs->rpc->store->quotas, c->peer);
	if (u != NULL && u->conns > 0)
		u->conns--;
}

void
conn_free(struct conn *c)
{
	conn_uncount(c);
	if (c->watching)
		c->cs->watching--;
	conn_watch_unlink(c);
	handshakes_remove(&c->cs->handshakes, &c->hs);
	if (c->charged)
		budget_give(c->cs->budget, CONN_MEMORY);
	if (c->watch_ev != NULL)
		event_free(c->watch_ev);
	c->cs->n--;
	LIST_REMOVE(c, link);
	if (c->pending != NULL)
		evbuffer_free(c->pending);
	frame_drop(c);
	bufferevent_free(c->bev);
	free(c);
}

/* Stops reading; frees the connection once what is queued has been sent. */
static void
conn_close_after_flush(struct conn *c)
{
	/* Error responses carry no state change: they need no fsync. */
	if (!c->held)
		evbuffer_add_buffer(bufferevent_get_output(c->bev), c->pending);
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	/* Answers still held for the fsync go out first (conns_release_held). */
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 && !c->held)
		conn_free(c);
}

static void
set_timeout(struct conn *c, unsigned seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	bufferevent_set_timeouts(c->bev, &tv, &tv);
}

/* ---- answers held for the journal's fsync ------------------------------ */

/*
 * Sends what the connection has pending, unless the journal holds records
 * not yet on disk and fsync is "always": then the responses wait until the
 * sync thread reports every record written so far on disk (any response may
 * report any of them). The request for that sync is made once every ready
 * connection has been served (the server's flush event), so one fdatasync
 * covers them all. A connection's pending responses go out together, in
 * order, once the last record they wait for is synced; a client that keeps
 * pipelining meanwhile is bounded by max_output.
 */
static void
release_or_hold(struct conn *c)
{
	struct conns *cs = c->cs;
	const struct journal *j = cs->journal;

	if (cs->cfg->fsync == FSYNC_ALWAYS && j != NULL &&
	    journal_written_seq(j) != journal_synced_seq(j)) {
		c->held = 1;
		c->held_seq = journal_written_seq(j);
		event_active(cs->flush_ev, EV_TIMEOUT, 0);
	}
	if (!c->held)
		evbuffer_add_buffer(bufferevent_get_output(c->bev), c->pending);
}

void
conns_release_held(struct conns *cs)
{
	struct conn *c;

	if (cs->journal == NULL)
		return;
	for (c = LIST_FIRST(&cs->all); c != NULL; c = LIST_NEXT(c, link)) {
		if (!c->held || c->held_seq > journal_synced_seq(cs->journal))
			continue;
		c->held = 0;
		evbuffer_add_buffer(bufferevent_get_output(c->bev), c->pending);
	}
	/* Requests woken by changes now on disk are read now (on_wake). */
	if (cs->woken != NULL)
		event_active(cs->wake_ev, EV_TIMEOUT, 0);
}

/* ---- frames in, answers out ------------------------------------------ */

static int
out_of_memory_reading(struct ss_error *e)
{
	return ss_error_set(e, SS_ERR_ALLOC, "out of memory reading a frame");
}

/* ---- frames in, answers out (continued) ------------------------------- */

/*
 * Counts the request just answered and writes its log line (info): who,
 * from where, what, on which session, the answer, the bytes each way and
 * the time from its arrival (a watch's wait included). Names are checked
 * names; nothing of a request's content beyond them is logged.
 */
static void
conn_account(struct conn *c, size_t in, size_t out)
{
	const struct rpc_outcome *o = &c->cs->rpc->last;
	uint64_t us = clock_mono_us() - c->req_start_us;

	metrics_request(c->cs->metrics, o->method, o->code, (double)us / 1e6,
	    in, out);
	if (!log_enabled(LOG_INFO))
		return;
	log_at(LOG_INFO, "request peer=%s addr=%s method=%s session=%s "
	    "status=%s in=%zu out=%zu us=%llu", c->peer, c->addr,
	    metrics_method_name(o->method), o->session[0] != '\0' ?
	    o->session : "-", status_name(o->code), in, out,
	    (unsigned long long)us);
}

/*
 * Hands one whole frame to the RPC layer and queues its answer: bytes in
 * the input buffer, or own, a buffer of its own that the store may keep.
 * SS_OK (c->watching: the request is held, still in the input buffer);
 * SS_ERR_PROTOCOL when it was not a Request and c is closing (or freed);
 * SS_ERR_ALLOC when the answer could not be queued (the caller frees c).
 */
static int SS_WUR
conn_dispatch(struct conn *c, const uint8_t *bytes, size_t len,
    struct rpc_frame *own, struct ss_error *e)
{
	struct answer_sink sink;
	struct conns *cs = c->cs;
	/* Only a request in the input buffer can wait there. */
	struct rpc_watch w = { .may_hold = own == NULL && !cs->stopping };
	enum rpc_after after;
	size_t in = (own != NULL ? own->len : len) + FRAME_HEADER_LEN;
	size_t before = evbuffer_get_length(c->pending);

	/* A held request handed in again keeps its first arrival. */
	if (c->watch_until == 0)
		c->req_start_us = clock_mono_us();
	answer_sink_init(&sink, c->pending, cs->budget);
	for (;;) {
		w.may_hold = w.may_hold && !c->watch_expired;
		/* The caller's certificate signs its statements (version 2). */
		after = rpc_handle_watch(cs->rpc, c->peer,
		    SSL_get0_peer_certificate(bufferevent_openssl_get_ssl(
		    c->bev)), bytes, len, own, &sink.base, answer_sink_held, &w);
		if (after != RPC_WATCH)
			break;
		if (conn_watch_hold(c, &w) == SS_OK)
			return SS_OK;
		c->watch_expired = 1;   /* no time left: answer now */
	}
	c->watch_expired = 0;
	c->watch_until = 0;
	if (answer_sink_finish(&sink) != SS_OK)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory writing a response");
	conn_account(c, in, evbuffer_get_length(c->pending) - before);
	if (after == RPC_CLOSE) {
		logmsg("%s: sent a frame that is not a Request; closing", c->peer);
		conn_close_after_flush(c);
		return SS_ERR_PROTOCOL;
	}
	if (cs->rpc->last.refused_memory)
		cs->refused_answers++;
	release_or_hold(c);
	/* An answer past the budget (a change's): no more until it is sent. */
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) +
	    evbuffer_get_length(c->pending) > cs->cfg->max_output ||
	    !budget_fits(cs->budget, 0)) {
		c->paused = 1;
		bufferevent_disable(c->bev, EV_READ);
	}
	return SS_OK;
}

/* Appends an answer of only code and msg to out, charged as any answer. */
static void
conn_write_error(struct conn *c, struct evbuffer *out, int code,
    const char *msg)
{
	struct answer_sink sink;

	answer_sink_init(&sink, out, c->cs->budget);
	rpc_write_error(0, code, msg, &sink.base);
	if (answer_sink_finish(&sink) != SS_OK)
		logmsg("%s: out of memory answering %s", c->peer, msg);
}

/* Answers RESOURCE_EXHAUSTED with msg, logs it and closes. */
static void
conn_refuse(struct conn *c, const char *msg)
{
	conn_write_error(c, c->pending, ST_RESOURCE_EXHAUSTED, msg);
	logmsg("%s: %s", c->peer, msg);
	conn_close_after_flush(c);
}

/* Answers a header over the frame limit and closes. */
static void
conn_refuse_frame(struct conn *c, const uint8_t hdr[FRAME_HEADER_LEN])
{
	char msg[128];

	snprintf(msg, sizeof(msg), "frame of %u bytes is over the limit of %u; "
	    "closing the connection", (uint32_t)hdr[0] << 24 |
	    (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | (uint32_t)hdr[3],
	    c->cs->cfg->max_frame);
	conn_refuse(c, msg);
}

/*
 * A large frame of len bytes (0: the one in progress) finds no room under
 * the limit over names: refused, its part read so far dropped, and the
 * connection closed, as the rest of it cannot be skipped. SS_ERR_TOO_LARGE.
 */
static int
conn_refuse_memory(struct conn *c, size_t len, enum frame_over over)
{
	const struct budget *b = c->cs->budget;
	char msg[320];

	if (len == 0)
		len = c->frame.len;
	frame_drop(c);
	if (over == FRAME_OVER_PARTY)
		snprintf(msg, sizeof(msg), "a frame of %zu bytes would pass the "
		    "server's limit per party (--max-bytes-per-party %llu: what "
		    "%s holds and is sending); closing the connection", len,
		    (unsigned long long)c->cs->rpc->store->lim.max_bytes_per_party,
		    c->peer);
	else
		snprintf(msg, sizeof(msg), "a frame of %zu bytes does not fit in "
		    "the server's memory budget (--max-memory %llu, %llu in use); "
		    "closing the connection, try again later", len,
		    (unsigned long long)b->limit,
		    (unsigned long long)budget_total(b));
	conn_refuse(c, msg);
	return SS_ERR_TOO_LARGE;
}

/* Reads on into the large frame in progress; dispatches it once whole. */
static int SS_WUR
conn_large_frame(struct conn *c, struct evbuffer *in, struct ss_error *e)
{
	struct frame_payer p = conn_payer(c);
	enum frame_over over = FRAME_FITS;
	struct rpc_frame own;
	int rc;

	if ((rc = frame_in_fill(&c->frame, &p, in, &over)) == SS_ERR_EXHAUSTED)
		return conn_refuse_memory(c, 0, over);
	if (rc != SS_OK)
		return out_of_memory_reading(e);
	if (!frame_in_whole(&c->frame))
		return SS_ERR_TRUNCATED;
	conn_read_reserve(c, CONN_READ_RESERVE);
	/*
	 * The connection lets go of it first: dispatch may free c. Its charge
	 * is given back; what the store keeps of it counts as held bytes.
	 */
	frame_in_take(&c->frame, &p, &own.p, &own.len);
	rc = conn_dispatch(c, NULL, 0, &own, e);
	bigmem_free(own.p);   /* NULL if the store kept it */
	return rc;
}

int
conn_next_frame(struct conn *c, struct ss_error *e)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct frame_payer p = conn_payer(c);
	uint8_t hdr[FRAME_HEADER_LEN], *bytes;
	enum frame_over over;
	uint32_t len;
	int rc;

	if (c->frame.data != NULL)
		return conn_large_frame(c, in, e);
	if (evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return SS_ERR_TRUNCATED;
	if (frame_get_header(hdr, c->cs->cfg->max_frame, &len) != SS_OK) {
		conn_refuse_frame(c, hdr);
		return SS_ERR_TOO_LARGE;
	}
	if (len >= FRAME_IN_MIN) {
		/* One that could not fit whole is refused before any of it is read. */
		if ((over = frame_in_fits(&p, len)) != FRAME_FITS)
			return conn_refuse_memory(c, len, over);
		if (evbuffer_drain(in, FRAME_HEADER_LEN) != 0)
			return out_of_memory_reading(e);
		if ((rc = frame_in_start(&c->frame, &p, len, &over)) ==
		    SS_ERR_EXHAUSTED)
			return conn_refuse_memory(c, len, over);
		if (rc != SS_OK)
			return out_of_memory_reading(e);
		conn_read_reserve(c, CONN_READ_LARGE);
		return SS_OK;
	}
	if (evbuffer_get_length(in) < FRAME_HEADER_LEN + (size_t)len)
		return SS_ERR_TRUNCATED;
	if ((bytes = evbuffer_pullup(in, FRAME_HEADER_LEN + (ev_ssize_t)len)) == NULL)
		return out_of_memory_reading(e);
	if ((rc = conn_dispatch(c, bytes + FRAME_HEADER_LEN, len, NULL, e)) != SS_OK)
		return rc;
	/* A held request stays where it is until it is handed in again. */
	if (c->watching)
		return SS_OK;
	if (evbuffer_drain(in, FRAME_HEADER_LEN + (size_t)len) != 0)
		return out_of_memory_reading(e);
	return SS_OK;
}

void
conn_process(struct conn *c)
{
	struct ss_error e;
	int rc = SS_OK;

	ss_error_clear(&e);
	while (rc == SS_OK && !c->closing && !c->paused && !c->watching)
		rc = conn_next_frame(c, &e);
	if (rc == SS_ERR_ALLOC) {
		logmsg("%s: %s", c->peer, ss_error_msg(&e));
		conn_free(c);
	}
}

/* ---- libevent callbacks ------------------------------------------------ */

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->closing) {
		conn_free(c);
		return;
	}
	/* A held request keeps reading stopped until it is answered. */
	if (c->paused) {
		c->paused = 0;
		if (c->watching)
			return;
		bufferevent_enable(c->bev, EV_READ);
		conn_process(c);
	}
}

/* The handshake is done: the certificate must name a valid party. */
static void
conn_handshake_done(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

	if (pki_peer_name(ssl, c->peer, sizeof(c->peer)) != SS_OK) {
		logmsg("refused a client whose certificate names no valid party");
		conn_write_error(c, bufferevent_get_output(c->bev),
		    ST_UNAUTHENTICATED, "the client certificate does not name "
		    "a valid party");
		conn_close_after_flush(c);
		return;
	}
	c->ready = 1;
	conn_count(c);
	handshakes_remove(&c->cs->handshakes, &c->hs);
	set_timeout(c, c->cs->cfg->idle_timeout);
}

/*
 * Logs why a connection ends: a timeout, a TLS or socket error (warn), or
 * the client's close (debug, as the connection's opening is), with what
 * it left unread.
 */
static void
conn_log_end(struct conn *c, short what)
{
	const char *who = c->ready ? c->peer : "connection";
	size_t unsent = evbuffer_get_length(bufferevent_get_output(c->bev));
	unsigned long e;
	char buf[256];
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_TIMEOUT) {
		logmsg("%s: %s timeout; closing", who, c->ready ? "idle" :
		    "handshake");
	} else if (what & BEV_EVENT_ERROR) {
		if ((e = bufferevent_get_openssl_error(c->bev)) != 0)
			ERR_error_string_n(e, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%s", err != 0 ?
			    evutil_socket_error_to_string(err) : "unknown");
		logmsg("%s addr=%s: %s error: %s; closing with %zu bytes unsent",
		    who, c->addr, e != 0 ? "TLS" : "connection", buf, unsent);
	} else {
		log_at(LOG_DEBUG, "closed peer=%s addr=%s by=client unsent=%zu",
		    c->peer, c->addr, unsent);
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		conn_handshake_done(c);
		return;
	}
	conn_log_end(c, what);
	conn_free(c);
}

/* ---- accepting --------------------------------------------------------- */

/* A connection over fd in its handshake, or NULL (fd is closed then). */
static struct conn *
conn_new(struct conns *cs, evutil_socket_t fd)
{
	struct conn *c;
	SSL *ssl;

	if ((c = calloc(1, sizeof(*c))) == NULL || (ssl = SSL_new(cs->ssl)) == NULL) {
		free(c);
		evutil_closesocket(fd);
		return NULL;
	}
	c->bev = bufferevent_openssl_socket_new(cs->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		free(c);
		return NULL;
	}
	if ((c->pending = evbuffer_new()) == NULL) {
		bufferevent_free(c->bev);
		free(c);
		return NULL;
	}
	c->cs = cs;
	conn_read_reserve(c, CONN_READ_RESERVE);
	snprintf(c->peer, sizeof(c->peer), "%s", "?");
	return c;
}

/* The peer's numeric address, for the log lines. */
static void
conn_address(struct conn *c, const struct sockaddr *sa, int salen)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (salen <= 0 || getnameinfo(sa, (socklen_t)salen, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(c->addr, sizeof(c->addr), "%s", "?");
		return;
	}
	snprintf(c->addr, sizeof(c->addr), strchr(host, ':') != NULL ?
	    "[%s]:%s" : "%s:%s", host, port);
}

/* The most connections that may be in their handshake at once. */
static unsigned
hs_max(const struct conns *cs)
{
	unsigned m = cs->cfg->max_connections / 2;

	return m > 0 ? m : 1;
}

/*
 * The oldest connection of the identity that holds the most (at least
 * two), or NULL: what makes way when authenticated clients hold every
 * slot.
 */
static struct conn *
busiest_oldest(struct conns *cs)
{
	const struct quota_table *q = &cs->rpc->store->quotas;
	const struct quota_use *top = NULL;
	struct conn *c, *oldest = NULL;
	size_t i;

	for (i = 0; i < q->cap; i++)
		if (q->slot[i].conns >= 2 &&
		    (top == NULL || q->slot[i].conns > top->conns))
			top = &q->slot[i];
	if (top == NULL)
		return NULL;
	/* The list holds the newest first. */
	LIST_FOREACH(c, &cs->all, link)
		if (c->counted && !c->closing && strcmp(c->peer, top->name) == 0)
			oldest = c;
	return oldest;
}

/*
 * Whether a new connection may have a slot, making one if need be: when
 * the handshakes hold their share, or every slot is taken, a connection
 * still in its handshake makes way (handshakes_victim). So unauthenticated
 * clients, however many and however fast they re-open, hold at most half
 * the slots, and a party's handshake, answered within its first
 * milliseconds, makes way only for a newcomer that finds no silent, spoken
 * or older answered one among the oldest. When authenticated clients hold
 * every slot, the oldest connection of the identity that holds the most
 * makes way, if it holds two or more: no identity can keep the others out,
 * and none is left without a connection for a newcomer.
 */
static int
make_room(struct conns *cs)
{
	struct handshake *victim;
	struct conn *busiest;

	if ((cs->handshakes.n >= hs_max(cs) || cs->n >= cs->cfg->max_connections) &&
	    (victim = handshakes_victim(&cs->handshakes)) != NULL) {
		cs->evicted++;
		conn_free(conn_of(victim));
	}
	if (cs->n >= cs->cfg->max_connections &&
	    (busiest = busiest_oldest(cs)) != NULL) {
		cs->evicted_busiest++;
		conn_free(busiest);
	}
	if (cs->n >= cs->cfg->max_connections) {
		cs->refused_full++;
		return 0;
	}
	return 1;
}

void
conns_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct conns *cs = arg;
	struct conn *c;
	int one = 1;

	(void)l;
	if (!make_room(cs)) {
		cs->metrics->connections_refused++;
		evutil_closesocket(fd);
		return;
	}
	if (budget_take(cs->budget, CONN_MEMORY) != SS_OK) {
		cs->refused_memory++;
		cs->metrics->connections_refused++;
		evutil_closesocket(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c = conn_new(cs, fd)) == NULL) {
		budget_give(cs->budget, CONN_MEMORY);
		return;
	}
	c->charged = 1;
	c->hs.accepted_ms = clock_mono_ms();
	c->hs.bev = c->bev;
	conn_address(c, sa, salen);
	cs->metrics->connections_accepted++;
	log_at(LOG_DEBUG, "connection addr=%s", c->addr);
	cs->n++;
	handshakes_add(&cs->handshakes, &c->hs);
	bufferevent_priority_set(c->bev, 0);
	LIST_INSERT_HEAD(&cs->all, c, link);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    (size_t)cs->cfg->max_frame + FRAME_HEADER_LEN);
	set_timeout(c, cs->cfg->handshake_timeout);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- all of them ------------------------------------------------------- */

/* One line for n things of a kind that happened since the last tick. */
static void
log_count(unsigned long *n, const char *what)
{
	if (*n != 0)
		logmsg("%lu %s in the last second", *n, what);
	*n = 0;
}

void
conns_tick(struct conns *cs)
{
	uint64_t limit = (uint64_t)cs->cfg->handshake_timeout * 1000,
	    now = clock_mono_ms();
	struct handshake *h;

	/* The list is in accept order: the expired are the oldest. */
	while ((h = handshakes_expired(&cs->handshakes, now, limit)) != NULL) {
		cs->expired++;
		conn_free(conn_of(h));
	}
	log_count(&cs->expired, "connections closed at the handshake deadline "
	    "(--handshake-timeout, counted from accept)");
	log_count(&cs->evicted, "connections still in their TLS handshake "
	    "closed to make room for new ones (at most half of "
	    "--max-connections may be in a handshake)");
	log_count(&cs->evicted_busiest, "authenticated connections closed to "
	    "make room for new ones, every slot (--max-connections) taken: the "
	    "oldest of the identity holding the most");
	log_count(&cs->refused_full, "connections refused: every slot "
	    "(--max-connections) is held by an authenticated client, one per "
	    "identity");
	log_count(&cs->refused_memory, "connections refused: the memory budget "
	    "(--max-memory) is used up");
	log_count(&cs->refused_answers, "answers refused (RESOURCE_EXHAUSTED, "
	    "try again later): the memory budget (--max-memory) has no room "
	    "for them");
}

void
conns_stop_reading(struct conns *cs)
{
	struct conn *c, *next;

	cs->stopping = 1;
	for (c = LIST_FIRST(&cs->all); c != NULL; c = next) {
		next = LIST_NEXT(c, link);   /* answering may free c */
		bufferevent_disable(c->bev, EV_READ);
		if (c->watching)
			conn_watch_expire(c);
	}
}

int
conns_sending(const struct conns *cs)
{
	const struct conn *c;

	for (c = LIST_FIRST(&cs->all); c != NULL; c = LIST_NEXT(c, link))
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) != 0)
			return 1;
	return 0;
}

void
conns_free(struct conns *cs)
{
	while (!LIST_EMPTY(&cs->all))
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		conn_free(LIST_FIRST(&cs->all));
	if (cs->rpc != NULL && cs->rpc->store != NULL &&
	    cs->rpc->store->changed_ctx == cs)
		cs->rpc->store->changed = NULL;
	if (cs->wake_ev != NULL)
		event_free(cs->wake_ev);
	cs->wake_ev = NULL;
}
