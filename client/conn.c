/*
 * conn.c: the client's TLS connection, on a non-blocking socket driven by
 * poll() so that every step honours a deadline. OpenSSL's blocking mode
 * would need SO_RCVTIMEO, which bounds each read() but not a server that
 * trickles one byte at a time; a deadline per exchange bounds both.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "conn.h"
#include "err.h"
#include "frame.h"
#include "pki.h"
#include "wire.h"

/* Bytes gathered before a write to TLS (one TLS record holds 16 KiB). */
#define CONN_WBUF 65536
/* A TLS record's plaintext at most: what one SSL_read can return. */
#define CONN_RBUF 16384

uint64_t
conn_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	c->max_frame = FRAME_DEFAULT_MAX;
}

int
conn_is_open(const struct conn *c)
{
	return c->ssl != NULL;
}

void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		/*
		 * One close_notify, without waiting for the server's: the
		 * socket is non-blocking and nothing more is expected.
		 */
		if (SSL_is_init_finished(c->ssl))
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	if (c->fd >= 0) {
		(void)close(c->fd);
		c->fd = -1;
	}
	ERR_clear_error();
}

/* Waits until fd is ready for `events` or the deadline passes. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd;
	uint64_t now;
	int r;

	for (;;) {
		now = conn_now_ms();
		if (now >= deadline)
			return SS_ERR_TIMEOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, deadline - now > INT_MAX ? INT_MAX :
		    (int)(deadline - now));
		if (r > 0)
			return SS_OK;  /* ready, or an error the next call reports */
		if (r < 0 && errno != EINTR)
			return SS_ERR_IO;
	}
}

/* The most useful text in OpenSSL's error queue, then clears it. */
static const char *
ossl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *r;

	if (e == 0) {
		snprintf(buf, len, "TLS failure");
	} else if ((r = ERR_reason_error_string(e)) != NULL) {
		snprintf(buf, len, "%s", r);
	} else {
		ERR_error_string_n(e, buf, len);
	}
	ERR_clear_error();
	return buf;
}

/*
 * Whether a failed SSL_* call (SSL_get_error's se, the queue's last error
 * and its SSL reason) is the network's or a server going away: an end of
 * stream or a reset, worth another attempt; and whether it is a TLS alert
 * the server sent, a verdict that another attempt would only meet again.
 */
static void
tls_classify(struct conn *c, int se, unsigned long last, int why)
{
	c->transient = 0;
	c->alert = 0;
	if (se == SSL_ERROR_ZERO_RETURN || (se == SSL_ERROR_SYSCALL &&
	    (last == 0 || ERR_GET_LIB(last) == ERR_LIB_SYS ||
	    why == SSL_R_UNEXPECTED_EOF_WHILE_READING)) ||
	    (se == SSL_ERROR_SSL && why == SSL_R_UNEXPECTED_EOF_WHILE_READING))
		c->transient = 1;
	/* OpenSSL reports a received alert as its number + 1000. */
	else if (se == SSL_ERROR_SSL && why > SSL_AD_REASON_OFFSET &&
	    why < SSL_AD_REASON_OFFSET + 256)
		c->alert = 1;
}

/*
 * Turns a failed SSL_* call into SS_ERR_IO with a reason. The server ending
 * the connection is named as such: it is what a refused client certificate
 * or an idle timeout looks like from here. Sets c->transient and c->alert
 * (tls_classify).
 */
static int
tls_fail(struct conn *c, int ret, const char *what, struct ss_error *e)
{
	char reason[256];
	int se = SSL_get_error(c->ssl, ret);
	int saved = errno, why = 0, closed;
	unsigned long last = ERR_peek_last_error();

	if (last != 0 && ERR_GET_LIB(last) == ERR_LIB_SSL)
		why = ERR_GET_REASON(last);
	tls_classify(c, se, last, why);
	closed = se == SSL_ERROR_ZERO_RETURN ||
	    why == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
	    (se == SSL_ERROR_SYSCALL && last == 0 && saved == 0);
	if (closed)
		ss_error_set(e, SS_ERR_IO, "%s %s: the server closed the "
		    "connection", what, c->where);
	else if (se == SSL_ERROR_SYSCALL && last == 0)
		ss_error_set(e, SS_ERR_IO, "%s %s: %s", what, c->where,
		    strerror(saved));
	else
		ss_error_set(e, SS_ERR_IO, "%s %s: %s", what, c->where,
		    ossl_reason(reason, sizeof(reason)));
	ERR_clear_error();
	return SS_ERR_IO;
}

/* Runs one SSL_* step until it completes, waiting as OpenSSL asks. */
static int
tls_wait(struct conn *c, int ret, uint64_t deadline, const char *what,
    struct ss_error *e)
{
	int se = SSL_get_error(c->ssl, ret), r;

	if (se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE)
		return tls_fail(c, ret, what, e);
	ERR_clear_error();
	r = wait_fd(c->fd, se == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
	    deadline);
	if (r == SS_ERR_TIMEOUT) {
		/* A server that is slow now may not be on the next attempt. */
		c->transient = 1;
		ss_error_set(e, r, "%s %s: timed out", what, c->where);
	} else if (r != SS_OK)
		ss_error_set(e, r, "%s %s: poll: %s", what, c->where,
		    strerror(errno));
	return r;
}

/*
 * Writes the n bytes at out, or reads n bytes into in (the other is NULL),
 * within the deadline. A retry of SSL_write_ex must repeat the same
 * buffer: the position only advances on success.
 */
static int
tls_all(struct conn *c, const uint8_t *out, uint8_t *in, size_t n,
    uint64_t deadline, struct ss_error *e)
{
	size_t off = 0, done;
	int ret, r;

	while (off < n) {
		ERR_clear_error();
		errno = 0;
		ret = in != NULL ? SSL_read_ex(c->ssl, in + off, n - off, &done) :
		    SSL_write_ex(c->ssl, out + off, n - off, &done);
		if (ret == 1) {
			off += done;
			continue;
		}
		if ((r = tls_wait(c, ret, deadline, in != NULL ? "reading from" :
		    "sending to", e)) != SS_OK)
			return r;
	}
	return SS_OK;
}

static int
tls_write_all(struct conn *c, const uint8_t *p, size_t n, uint64_t deadline,
    struct ss_error *e)
{
	return tls_all(c, p, NULL, n, deadline, e);
}

static int
tls_read_all(struct conn *c, uint8_t *p, size_t n, uint64_t deadline,
    struct ss_error *e)
{
	return tls_all(c, NULL, p, n, deadline, e);
}

/* Non-blocking connect to one address, finished within the deadline. */
static int
tcp_connect(const struct addrinfo *ai, uint64_t deadline, int *fdp,
    int *errnop)
{
	socklen_t len = sizeof(int);
	int fd, soerr = 0, one = 1, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*errnop = errno;
		return SS_ERR_IO;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			*errnop = errno;
			(void)close(fd);
			return SS_ERR_IO;
		}
		if ((r = wait_fd(fd, POLLOUT, deadline)) != SS_OK) {
			*errnop = r == SS_ERR_TIMEOUT ? ETIMEDOUT : errno;
			(void)close(fd);
			return r;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 ||
		    soerr != 0) {
			*errnop = soerr != 0 ? soerr : errno;
			(void)close(fd);
			return SS_ERR_IO;
		}
	}
	/* Requests and responses are small exchanges: do not batch them. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fdp = fd;
	return SS_OK;
}

/* Resolves hp and connects c->fd to the first address that answers. */
static int
tcp_open(struct conn *c, const struct hostport *hp, uint64_t deadline,
    struct ss_error *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	int r, gai, last_errno = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((gai = getaddrinfo(hp->host, hp->port, &hints, &res)) != 0) {
		/* A name that does not exist will not exist in a moment. */
		c->transient = gai == EAI_AGAIN || gai == EAI_SYSTEM;
		return ss_error_set(e, SS_ERR_IO, "cannot resolve %s: %s",
		    hp->host, gai_strerror(gai));
	}
	r = SS_ERR_IO;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((r = tcp_connect(ai, deadline, &c->fd, &last_errno)) ==
		    SS_OK || r == SS_ERR_TIMEOUT)
			break;
	}
	freeaddrinfo(res);
	if (r != SS_OK) {
		/* Refused, unreachable, reset: a server (re)starting, a network. */
		c->transient = 1;
		return ss_error_set(e, r, "cannot connect to %s: %s", c->where,
		    r == SS_ERR_TIMEOUT ? "timed out" : strerror(last_errno));
	}
	return SS_OK;
}

/* The TLS handshake on c->fd, checking that the server is `host`. */
static int
tls_handshake(struct conn *c, const char *host, uint64_t deadline,
    struct ss_error *e)
{
	char reason[256];
	long vr;
	int r;

	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot set up TLS: %s",
		    ossl_reason(reason, sizeof(reason)));
	/* The server's certificate must name the host we asked for. */
	if (pki_expect_host(c->ssl, host) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "cannot check the "
		    "server's name '%s'", host);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_connect(c->ssl)) == 1)
			break;
		if ((vr = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
			ERR_clear_error();
			return ss_error_set(e, SS_ERR_CERT, "the server %s failed "
			    "verification: %s", c->where,
			    X509_verify_cert_error_string(vr));
		}
		if ((r = tls_wait(c, r, deadline, "TLS handshake with", e)) !=
		    SS_OK)
			return r;
	}
	/* Belt and braces: the context already demands all of this. */
	if (SSL_version(c->ssl) != TLS1_3_VERSION ||
	    SSL_get0_peer_certificate(c->ssl) == NULL ||
	    SSL_get_verify_result(c->ssl) != X509_V_OK)
		return ss_error_set(e, SS_ERR_CERT, "the server %s did not "
		    "authenticate with TLS 1.3", c->where);
	return SS_OK;
}

int
conn_open(struct conn *c, const char *hostport, const char *certs,
    const char *party, int budget_ms, struct ss_error *e)
{
	struct hostport hp;
	struct ss_error pe;
	uint64_t deadline;
	int r;

	conn_close(c);
	c->transient = 0;
	c->alert = 0;
	c->budget_ms = budget_ms > 0 ? budget_ms : 1;
	if (addr_split(hostport, &hp, 0) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "invalid server address "
		    "'%s': use HOST:PORT or [IPv6]:PORT", hostport);
	if (c->server_name != NULL)
		snprintf(c->where, sizeof(c->where), "%s (as %s)", hostport,
		    c->server_name);
	else
		snprintf(c->where, sizeof(c->where), "%s", hostport);

	/* The certificate checks come first: no point connecting without them. */
	ss_error_clear(&pe);
	if ((c->ctx = pki_client_ctx(certs, party, &pe)) == NULL)
		return ss_error_set(e, SS_ERR_CERT, "%s", pe.msg[0] != '\0' ?
		    pe.msg : "cannot set up TLS");
	/* The budget is for the network, not for reading our own files. */
	deadline = conn_now_ms() + (uint64_t)c->budget_ms;
	if ((r = tcp_open(c, &hp, deadline, e)) != SS_OK ||
	    (r = tls_handshake(c, c->server_name != NULL ? c->server_name :
	    hp.host, deadline, e)) != SS_OK) {
		conn_close(c);
		return r;
	}
	return SS_OK;
}

/* An output stream for nanopb that fills a buffer and flushes it to TLS. */
struct tls_out {
	struct conn *c;
	uint64_t deadline;
	uint8_t *buf;
	size_t used;
	int err;
	struct ss_error *e;
};

static bool
tls_out_write(pb_ostream_t *s, const pb_byte_t *p, size_t n)
{
	struct tls_out *o = s->state;
	size_t k;

	while (n > 0) {
		if (o->used == CONN_WBUF) {
			if ((o->err = tls_write_all(o->c, o->buf, o->used,
			    o->deadline, o->e)) != SS_OK)
				return false;
			o->used = 0;
		}
		k = CONN_WBUF - o->used;
		if (k > n)
			k = n;
		memcpy(o->buf + o->used, p, k);
		o->used += k;
		p += k;
		n -= k;
	}
	return true;
}

/* The size of req's frame body, checked against the frame limit. */
static int
request_size(const struct wire_request *req, size_t *size,
    struct ss_error *e)
{
	int r;

	if ((r = wire_request_size(req, size)) != SS_OK)
		return ss_error_set(e, r, "cannot encode %s: %s",
		    wire_method_name(req->method), ss_strerror(r));
	if (*size > FRAME_DEFAULT_MAX)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "%s request of %zu "
		    "bytes is over the frame limit of %u bytes",
		    wire_method_name(req->method), *size,
		    (unsigned)FRAME_DEFAULT_MAX);
	return SS_OK;
}

/* Encodes the frame of req (size bytes of body) through o. */
static int
encode_frame(struct tls_out *o, const struct wire_request *req, size_t size,
    struct ss_error *e)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	pb_ostream_t s;
	int r = SS_OK;

	frame_put_header(hdr, (uint32_t)size);
	memset(&s, 0, sizeof(s));
	s.callback = tls_out_write;
	s.state = o;
	s.max_size = size + FRAME_HEADER_LEN;
	if (!pb_write(&s, hdr, sizeof(hdr)) ||
	    (r = wire_encode_request(&s, req)) != SS_OK || o->err != SS_OK) {
		if (o->err != SS_OK)
			return o->err;  /* the network failed; e says how */
		return ss_error_set(e, r != SS_OK ? r : SS_ERR_INTERNAL,
		    "cannot encode %s", wire_method_name(req->method));
	}
	/* The sizing pass and the real one must agree, or the frame lies. */
	if (s.bytes_written != size + FRAME_HEADER_LEN)
		return ss_error_set(e, SS_ERR_INTERNAL, "internal error: %s "
		    "encoded to %zu bytes, sized at %zu",
		    wire_method_name(req->method), s.bytes_written,
		    size + FRAME_HEADER_LEN);
	return SS_OK;
}

static int
send_request(struct conn *c, const struct wire_request *req, uint64_t deadline,
    struct ss_error *e)
{
	struct tls_out o;
	size_t size;
	int r;

	if ((r = request_size(req, &size, e)) != SS_OK)
		return r;
	memset(&o, 0, sizeof(o));
	o.c = c;
	o.deadline = deadline;
	o.e = e;
	if ((o.buf = malloc(CONN_WBUF)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	r = encode_frame(&o, req, size, e);
	if (r == SS_OK && o.used > 0)
		r = tls_write_all(c, o.buf, o.used, deadline, e);
	free(o.buf);
	return r;
}

/*
 * A response frame's body as nanopb reads it: straight from the
 * connection, through a buffer of one TLS record, never past the frame's
 * end; a read of a record or more (a ciphertext, a vector) goes straight to
 * its destination. The body is never held whole, so a response of
 * megabytes costs no copy of them and no memory touched for one.
 */
struct tls_in {
	struct conn *c;
	uint64_t deadline;
	size_t left;                    /* frame bytes not yet read from TLS */
	size_t pos, end;                /* buf[pos..end) read, not yet taken */
	int err;                        /* the network's failure, in net */
	struct ss_error net;
	uint8_t buf[CONN_RBUF];
};

static bool
tls_in_fail(struct tls_in *in, int r)
{
	in->err = r;
	return false;
}

static bool
tls_in_read(pb_istream_t *s, pb_byte_t *p, size_t n)
{
	struct tls_in *in = s->state;
	size_t k;
	int r;

	/* nanopb asks for no more than the frame holds, and skips itself. */
	if (p == NULL || n > (in->end - in->pos) + in->left)
		return tls_in_fail(in, ss_error_set(&in->net, SS_ERR_INTERNAL,
		    "internal error: a read past the response frame"));
	while (n > 0) {
		if (in->pos == in->end && n >= sizeof(in->buf)) {
			if ((r = tls_read_all(in->c, p, n, in->deadline,
			    &in->net)) != SS_OK)
				return tls_in_fail(in, r);
			in->left -= n;
			return true;
		}
		if (in->pos == in->end) {
			k = in->left < sizeof(in->buf) ? in->left :
			    sizeof(in->buf);
			if ((r = tls_read_all(in->c, in->buf, k, in->deadline,
			    &in->net)) != SS_OK)
				return tls_in_fail(in, r);
			in->left -= k;
			in->pos = 0;
			in->end = k;
		}
		k = in->end - in->pos < n ? in->end - in->pos : n;
		memcpy(p, in->buf + in->pos, k);
		in->pos += k;
		p += k;
		n -= k;
	}
	return true;
}

/* Reads one response frame and decodes it as the answer to req into resp. */
static int
read_response(struct conn *c, const struct wire_request *req,
    const struct wire_limits *lim, uint64_t deadline,
    struct wire_response *resp, struct ss_error *e)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	struct tls_in *in;
	pb_istream_t s;
	uint32_t len;
	int r;

	if ((r = tls_read_all(c, hdr, sizeof(hdr), deadline, e)) != SS_OK)
		return r;
	if (frame_get_header(hdr, c->max_frame, &len) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "the server sent a "
		    "frame over the limit of %u bytes", (unsigned)c->max_frame);
	if ((in = malloc(sizeof(*in))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	memset(in, 0, offsetof(struct tls_in, buf));
	in->c = c;
	in->deadline = deadline;
	in->left = len;
	memset(&s, 0, sizeof(s));
	s.callback = tls_in_read;
	s.state = in;
	s.bytes_left = len;
	r = wire_decode_response_from(&s, req->method, lim, resp, e);
	if (in->err != SS_OK) {
		/* The network failed, not the decoding: say how. */
		if (e != NULL)
			*e = in->net;
		r = in->err;
	} else if (r == SS_OK && (in->left != 0 || in->pos != in->end))
		r = ss_error_set(e, SS_ERR_INTERNAL, "internal error: %u-byte "
		    "response decoded short", (unsigned)len);
	free(in);
	return r;
}

int
conn_call(struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	uint64_t deadline;
	int r;

	memset(resp, 0, sizeof(*resp));
	c->transient = 0;
	c->alert = 0;
	if (!conn_is_open(c)) {
		c->transient = 1;
		return ss_error_set(e, SS_ERR_IO, "not connected");
	}
	deadline = conn_now_ms() + (uint64_t)c->budget_ms;
	req->id = c->next_id++;

	if ((r = send_request(c, req, deadline, e)) != SS_OK ||
	    (r = read_response(c, req, lim, deadline, resp, e)) != SS_OK)
		goto fail;
	if (resp->id == 0 && resp->code != ST_OK) {
		/*
		 * The server's verdict on the connection itself (a frame over
		 * its limit, a certificate without a usable name...): it ends
		 * the connection after this. The code is for the caller.
		 */
		conn_close(c);
		return SS_OK;
	}
	if (resp->id != req->id) {
		r = ss_error_set(e, SS_ERR_PROTOCOL, "the server answered "
		    "request %llu with the id %llu",
		    (unsigned long long)req->id, (unsigned long long)resp->id);
		goto fail;
	}
	return SS_OK;
 fail:
	wire_response_free(resp);
	/* After a failed exchange the stream's position is unknown. */
	conn_close(c);
	return r;
}

void
conn_sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
