/*
 * loadgen.c: a load generator for mpc-server, for the benchmark only.
 *
 * It speaks the real wire protocol (TLS 1.3 with client certificates, 4-byte
 * frames, protobuf Requests built with the server's own protobuf-c code) but
 * does no party cryptography: ciphertexts are random bytes of the right
 * size, which the server cannot tell from real ones. So what it measures is
 * the server alone. One thread, one epoll loop, non-blocking OpenSSL; it
 * reads only the first bytes of each response (id, code, message) and
 * counts the rest.
 *
 * Modes (each prints "RESULT key=value ..." lines that bench/bench.py reads):
 *
 *   session   an n-party session end to end: connect every party, create,
 *             every party submits, gets its shares, posts; one lists
 *   fill      submits for every party of a session but one ("target"): the
 *             share addressed to the target is sealed for real (HPKE), the
 *             others are random, so that the target can run the real
 *             `mpc-client sumpoint` on a session of any size
 *   rate      small RPCs (a repeated PostSumpoint, answered OK duplicate)
 *             over C persistent connections, D requests in flight on each
 *   connrate  new connections: TCP connect, full mTLS handshake, one
 *             PostSumpoint, close; K at a time
 *   bulk      1 MiB shares: S sessions of 2 parties, each SubmitShares
 *             carries 2 x 1 MiB; then each party fetches them (GetShare)
 *   hsref     no server: the in-process handshake reference, client and
 *             server SSL objects in this thread over a memory BIO pair,
 *             the server's own SSL_CTX (pki_server_ctx), timing the server
 *             side's CPU per full handshake
 *
 * With --server-pid, phase lines carry the server's CPU time (sum of its
 * threads' schedstat), resident memory and the bytes it read and wrote
 * (/proc/PID/io rchar and wchar: its TLS traffic, records included).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "err.h"
#include "field.h"
#include "hpke.h"
#include "pki.h"
#include "sealed.h"
#include "securesum.pb-c.h"

#define PREFIX_KEEP 512         /* response bytes kept for parsing */
#define RBUF (256 * 1024)

/* ---- options ------------------------------------------------------------ */

static const char *opt_server = "127.0.0.1:7443";
static const char *opt_certs = "certs";
static const char *opt_prefix = "p";
static const char *opt_session;
static int opt_pid;
static long opt_n = 1000, opt_L = 1, opt_t = 0, opt_conns = 1, opt_depth = 1;
static long opt_sessions = 128, opt_share_bytes = 1 << 20, opt_parties = 16;
static long opt_concurrency = 16, opt_target = 1, opt_max_hs = 128;
static double opt_seconds = 3, opt_warmup = 0.5;
static int opt_create;
static long opt_mutate_ms;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loadgen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- the server's /proc figures ---------------------------------------- */

struct sample {
	double t, cpu, self;    /* wall, server CPU s, our CPU s */
	long rss_kb, hwm_kb;
	unsigned long long rchar, wchar;
};

/*
 * CPU seconds of the server: its threads' schedstat run times (nanoseconds)
 * when it has one thread, as mpc-server does; /proc/PID/stat's utime +
 * stime (clock ticks, but counting threads that have exited) otherwise.
 */
static double
proc_cpu(int pid)
{
	char path[400], buf[1024];
	struct dirent *de;
	double sum = 0;
	int ntasks = 0;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			ntasks += de->d_name[0] != '.';
		closedir(d);
	}
	if (ntasks > 1) {
		unsigned long long ut = 0, st = 0;
		char *p;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			return 0;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%llu %llu", &ut, &st) == 2)
			sum = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		fclose(f);
		return sum;
	}

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long long ns;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", pid,
		    de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    sscanf(buf, "%llu", &ns) == 1)
			sum += ns / 1e9;
		fclose(f);
	}
	closedir(d);
	return sum;
}

static void
take(struct sample *s)
{
	char path[64], line[256];
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->t = now();
	s->self = self_cpu();
	if (opt_pid <= 0)
		return;
	s->cpu = proc_cpu(opt_pid);
	snprintf(path, sizeof(path), "/proc/%d/status", opt_pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			sscanf(line, "VmRSS: %ld", &s->rss_kb);
			sscanf(line, "VmHWM: %ld", &s->hwm_kb);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/io", opt_pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			sscanf(line, "rchar: %llu", &s->rchar);
			sscanf(line, "wchar: %llu", &s->wchar);
		}
		fclose(f);
	}
}

/* Prints one phase: wall time, server CPU, our CPU, server traffic. */
static void
report(const char *mode, const char *phase, const struct sample *a,
    const struct sample *b, const char *extra_fmt, ...)
{
	va_list ap;

	printf("RESULT mode=%s phase=%s wall=%.6f server_cpu=%.6f loadgen_cpu=%.6f "
	    "server_rss_kb=%ld server_hwm_kb=%ld bytes_in=%llu bytes_out=%llu",
	    mode, phase, b->t - a->t, b->cpu - a->cpu, b->self - a->self,
	    b->rss_kb, b->hwm_kb, b->rchar - a->rchar, b->wchar - a->wchar);
	if (extra_fmt != NULL) {
		putchar(' ');
		va_start(ap, extra_fmt);
		vprintf(extra_fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

/* ---- identities ---------------------------------------------------------- */

struct ident {
	char name[72];
	X509 *cert;
	EVP_PKEY *key;
};

static struct ident *idents;
static long nidents;
static SSL_CTX *client_ctx;
static char host[256];
static struct sockaddr_storage srv_addr;
static socklen_t srv_addrlen;

static void
party_name(long i, char *out, size_t len)
{
	snprintf(out, len, "%s%04ld", opt_prefix, i + 1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

static void *
xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s ? s : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void
load_idents(long n)
{
	char path[4096];
	FILE *f;
	long i;

	idents = xcalloc((size_t)n, sizeof(*idents));
	nidents = n;
	for (i = 0; i < n; i++) {
		party_name(i, idents[i].name, sizeof(idents[i].name));
		snprintf(path, sizeof(path), "%s/%s.crt", opt_certs, idents[i].name);
		if ((f = fopen(path, "r")) == NULL ||
		    (idents[i].cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
			die("cannot read %s", path);
		fclose(f);
		snprintf(path, sizeof(path), "%s/%s.key", opt_certs, idents[i].name);
		if ((f = fopen(path, "r")) == NULL ||
		    (idents[i].key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
			die("cannot read %s", path);
		fclose(f);
	}
}

static void
setup_client(long nparties)
{
	struct addrinfo hints, *res;
	struct ss_error pe;
	char port[16];
	const char *colon = strrchr(opt_server, ':');

	if (colon == NULL || (size_t)(colon - opt_server) >= sizeof(host))
		die("--server wants HOST:PORT");
	memcpy(host, opt_server, (size_t)(colon - opt_server));
	host[colon - opt_server] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		die("cannot resolve %s", opt_server);
	memcpy(&srv_addr, res->ai_addr, res->ai_addrlen);
	srv_addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	load_idents(nparties);
	/* The project's client context; each SSL then takes its own identity. */
	if ((client_ctx = pki_client_ctx(opt_certs, idents[0].name, &pe))
	    == NULL)
		die("%s", ss_error_msg(&pe));
	SSL_CTX_set_mode(client_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* One read(2) for as many records as have arrived: a lighter load generator. */
	SSL_CTX_set_read_ahead(client_ctx, 1);
}

/* ---- connections --------------------------------------------------------- */

enum { LC_IDLE, LC_CONNECTING, LC_HANDSHAKE, LC_READY, LC_DEAD };

struct seg {
	uint8_t *p;
	size_t len;
	int own;
};

struct resp {
	uint64_t id;
	int code;
	char msg[256];
	size_t len;
	int body_field;
};

struct lconn {
	int fd, state, party;
	long slot;
	SSL *ssl;
	struct seg *q;
	size_t qhead, qtail, qcap, qoff;
	uint8_t hdr[4];
	size_t hgot, bgot, pgot;
	uint32_t blen;
	uint8_t pre[PREFIX_KEEP];
	long inflight;
	uint32_t events;
	double t0;
	struct lconn *next_open;  /* pending-open list */
};

static int epfd = -1;
static void (*on_ready)(struct lconn *);
static void (*on_resp)(struct lconn *, const struct resp *);
static long n_hs;             /* connections connecting or handshaking */
static struct lconn *open_head, *open_tail;
static long n_failed;
static long n_live;           /* opened and not yet buried */
static uint8_t rbuf[RBUF];

static void
ep_set(struct lconn *c, uint32_t ev)
{
	struct epoll_event e;

	if (c->events == ev)
		return;
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(epfd, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    c->fd, &e) != 0)
		die("epoll_ctl: %s", strerror(errno));
	c->events = ev;
}

static void
lc_free_queue(struct lconn *c)
{
	size_t i;

	for (i = c->qhead; i < c->qtail; i++)
		if (c->q[i].own)
			free(c->q[i].p);
	free(c->q);
	c->q = NULL;
	c->qhead = c->qtail = c->qcap = c->qoff = 0;
}

static void
lc_close(struct lconn *c)
{
	if (c->state == LC_DEAD || c->state == LC_IDLE)
		return;
	if (c->state == LC_CONNECTING || c->state == LC_HANDSHAKE)
		n_hs--;
	if (c->ssl != NULL) {
		if (c->state == LC_READY)
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);    /* also leaves the epoll set */
	c->fd = -1;
	c->events = 0;
	lc_free_queue(c);
	c->state = LC_DEAD;
	ERR_clear_error();
}

static void
lc_fail(struct lconn *c, const char *why)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	if (n_failed < 5)
		fprintf(stderr, "loadgen: connection as %s: %s %s\n",
		    idents[c->party].name, why, buf);
	n_failed++;
	lc_close(c);
}

/* Starts the TCP connection now. */
static void
lc_start(struct lconn *c)
{
	int one = 1;

	c->fd = socket(srv_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket: %s", strerror(errno));
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->events = 0;
	c->state = LC_CONNECTING;
	c->t0 = now();
	n_hs++;
	if (connect(c->fd, (struct sockaddr *)&srv_addr, srv_addrlen) != 0 &&
	    errno != EINPROGRESS) {
		lc_fail(c, strerror(errno));
		return;
	}
	if ((c->ssl = SSL_new(client_ctx)) == NULL ||
	    SSL_use_certificate(c->ssl, idents[c->party].cert) != 1 ||
	    SSL_use_PrivateKey(c->ssl, idents[c->party].key) != 1 ||
	    pki_expect_host(c->ssl, host) != SS_OK ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		die("cannot set up TLS");
	SSL_set_connect_state(c->ssl);
	ep_set(c, EPOLLOUT | EPOLLIN);
}

static void
pump_opens(void)
{
	while (open_head != NULL && n_hs < opt_max_hs) {
		struct lconn *c = open_head;

		open_head = c->next_open;
		if (open_head == NULL)
			open_tail = NULL;
		lc_start(c);
	}
}

/* Opens c as party (queued when too many handshakes are under way). */
static void
lc_open(struct lconn *c, int party, long slot)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->party = party;
	c->slot = slot;
	c->state = LC_IDLE;
	c->next_open = NULL;
	n_live++;
	if (open_tail != NULL)
		open_tail->next_open = c;
	else
		open_head = c;
	open_tail = c;
	pump_opens();
}

static void
lc_send(struct lconn *c, uint8_t *p, size_t len, int own)
{
	if (c->qtail == c->qcap) {
		if (c->qhead > 0) {
			memmove(c->q, c->q + c->qhead, (c->qtail - c->qhead) *
			    sizeof(*c->q));
			c->qtail -= c->qhead;
			c->qhead = 0;
		}
		if (c->qtail == c->qcap) {
			c->qcap = c->qcap ? c->qcap * 2 : 8;
			if ((c->q = realloc(c->q, c->qcap * sizeof(*c->q))) == NULL)
				die("out of memory");
		}
	}
	c->q[c->qtail].p = p;
	c->q[c->qtail].len = len;
	c->q[c->qtail].own = own;
	c->qtail++;
	c->inflight++;
}

static uint64_t
get_varint(const uint8_t **p, const uint8_t *end, int *ok)
{
	uint64_t v = 0;
	int shift = 0;

	while (*p < end && shift < 64) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
	}
	*ok = 0;
	return 0;
}

/* id, code and message from the start of a Response (fields 1, 2, 3). */
static void
parse_prefix(const uint8_t *b, size_t n, struct resp *r)
{
	const uint8_t *p = b, *end = b + n;
	int ok = 1;

	r->id = 0;
	r->code = 0;
	r->msg[0] = '\0';
	r->body_field = 0;
	while (p < end && ok) {
		uint64_t key = get_varint(&p, end, &ok), len;
		unsigned field = (unsigned)(key >> 3), wt = key & 7;

		if (!ok)
			break;
		if (field >= 10) {
			r->body_field = (int)field;
			break;
		}
		if (wt == 0) {
			uint64_t v = get_varint(&p, end, &ok);

			if (field == 1)
				r->id = v;
			else if (field == 2)
				r->code = (int)v;
		} else if (wt == 2) {
			len = get_varint(&p, end, &ok);
			if (!ok || len > (uint64_t)(end - p))
				break;
			if (field == 3) {
				size_t k = len < sizeof(r->msg) - 1 ? len :
				    sizeof(r->msg) - 1;

				memcpy(r->msg, p, k);
				r->msg[k] = '\0';
			}
			p += len;
		} else
			break;
	}
}

static void
feed(struct lconn *c, const uint8_t *p, size_t n)
{
	struct resp r;
	size_t k;

	while (n > 0 && c->state == LC_READY) {
		if (c->hgot < 4) {
			k = 4 - c->hgot < n ? 4 - c->hgot : n;
			memcpy(c->hdr + c->hgot, p, k);
			c->hgot += k;
			p += k;
			n -= k;
			if (c->hgot < 4)
				return;
			c->blen = (uint32_t)c->hdr[0] << 24 | (uint32_t)c->hdr[1] << 16 |
			    (uint32_t)c->hdr[2] << 8 | c->hdr[3];
			c->bgot = c->pgot = 0;
		} else {
			k = c->blen - c->bgot < n ? c->blen - c->bgot : n;
			if (c->pgot < PREFIX_KEEP) {
				size_t m = PREFIX_KEEP - c->pgot < k ?
				    PREFIX_KEEP - c->pgot : k;

				memcpy(c->pre + c->pgot, p, m);
				c->pgot += m;
			}
			c->bgot += k;
			p += k;
			n -= k;
		}
		if (c->hgot == 4 && c->bgot == c->blen) {
			parse_prefix(c->pre, c->pgot, &r);
			r.len = c->blen;
			c->hgot = 0;
			c->inflight--;
			on_resp(c, &r);
		}
	}
}

static void
lc_drive(struct lconn *c, uint32_t ev)
{
	int r, e, progress;
	size_t done;

	if (c->state == LC_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
		    soerr != 0) {
			lc_fail(c, soerr ? strerror(soerr) : "connect failed");
			return;
		}
		{
			struct sockaddr_storage peer;
			socklen_t pl = sizeof(peer);

			if (getpeername(c->fd, (struct sockaddr *)&peer, &pl) != 0)
				return;   /* not yet connected */
		}
		c->state = LC_HANDSHAKE;
	}
	if (c->state == LC_HANDSHAKE) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ)
				ep_set(c, EPOLLIN);
			else if (e == SSL_ERROR_WANT_WRITE)
				ep_set(c, EPOLLIN | EPOLLOUT);
			else
				lc_fail(c, "handshake failed");
			return;
		}
		c->state = LC_READY;
		n_hs--;
		on_ready(c);
		pump_opens();
		if (c->state != LC_READY)
			return;
	}
	if (c->state != LC_READY)
		return;
	do {
		progress = 0;
		/* Write what is queued. */
		while (c->qhead < c->qtail && c->state == LC_READY) {
			struct seg *s = &c->q[c->qhead];

			ERR_clear_error();
			r = SSL_write_ex(c->ssl, s->p + c->qoff, s->len - c->qoff,
			    &done);
			if (r != 1) {
				e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				lc_fail(c, "write failed");
				return;
			}
			progress = 1;
			c->qoff += done;
			if (c->qoff == s->len) {
				if (s->own)
					free(s->p);
				c->qoff = 0;
				c->qhead++;
				if (c->qhead == c->qtail)
					c->qhead = c->qtail = 0;
			}
		}
		/* Read what has come. */
		while (c->state == LC_READY) {
			ERR_clear_error();
			r = SSL_read_ex(c->ssl, rbuf, sizeof(rbuf), &done);
			if (r != 1) {
				e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					break;
				lc_fail(c, e == SSL_ERROR_ZERO_RETURN ?
				    "closed by the server" : "read failed");
				return;
			}
			progress = 1;
			feed(c, rbuf, done);
		}
	} while (progress && c->state == LC_READY && c->qhead < c->qtail);
	if (c->state == LC_READY)
		ep_set(c, EPOLLIN | (c->qhead < c->qtail ? EPOLLOUT : 0));
}

/*
 * Connections closed from inside a callback are freed only after the
 * current batch of events, which may still name them.
 */
static struct lconn **grave;
static size_t ngrave, capgrave;

static struct lconn *
lc_new(void)
{
	struct lconn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		die("out of memory");
	return c;
}

static void
lc_bury(struct lconn *c)
{
	lc_close(c);
	n_live--;
	if (ngrave == capgrave) {
		capgrave = capgrave ? capgrave * 2 : 64;
		if ((grave = realloc(grave, capgrave * sizeof(*grave))) == NULL)
			die("out of memory");
	}
	grave[ngrave++] = c;
}

/* Runs the loop until done() or the timeout; 0 on timeout. */
static int
loop_until(int (*done)(void), double timeout)
{
	struct epoll_event evs[256];
	double end = now() + timeout;
	int i, n;

	while (!done()) {
		if (now() > end)
			return 0;
		n = epoll_wait(epfd, evs, 256, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++)
			lc_drive(evs[i].data.ptr, evs[i].events);
		while (ngrave > 0)
			free(grave[--ngrave]);
	}
	return 1;
}

/* ---- requests ------------------------------------------------------------ */

static uint64_t next_id = 1;

static uint8_t *
pack(Securesum__Request *req, size_t *len)
{
	size_t n = securesum__request__get_packed_size(req);
	uint8_t *b = xmalloc(n + 4);

	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	if (securesum__request__pack(req, b + 4) != n)
		die("pack size mismatch");
	*len = n + 4;
	return b;
}

static uint8_t *
req_create(const char *session, long n, long t, long L, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest cs = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	char **names = xcalloc((size_t)n, sizeof(*names));
	uint8_t *b;
	long i;

	for (i = 0; i < n; i++)
		names[i] = idents[i].name;
	p.session_id = (char *)session;
	p.n_parties = (size_t)n;
	p.parties = names;
	p.threshold = (uint32_t)t;
	p.length = (uint32_t)L;
	cs.params = &p;
	req.id = next_id++;
	req.method = SECURESUM__METHOD__CREATE_SESSION;
	req.body_case = SECURESUM__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &cs;
	b = pack(&req, len);
	free(names);
	return b;
}

/* Random bytes standing in for ciphertexts; shares are slices of it. */
static uint8_t *pool;
static size_t pool_len;

static void
make_pool(size_t ct_len)
{
	pool_len = ct_len + 4096;
	pool = xmalloc(pool_len);
	if (RAND_bytes(pool, (int)pool_len) != 1)
		die("RAND_bytes");
}

/*
 * SubmitShares from `sender` in a session of n parties; cts[j], when not
 * NULL, is the ciphertext for party j, else a slice of the pool.
 */
static uint8_t *
req_submit(const char *session, long sender, long n, size_t ct_len,
    uint8_t **cts, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest ss = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare *sh = xcalloc((size_t)n, sizeof(*sh));
	Securesum__EncryptedShare **ptrs = xcalloc((size_t)n, sizeof(*ptrs));
	uint8_t *b;
	long j;

	for (j = 0; j < n; j++) {
		securesum__encrypted_share__init(&sh[j]);
		sh[j].recipient = idents[j].name;
		sh[j].ciphertext.len = ct_len;
		sh[j].ciphertext.data = cts != NULL && cts[j] != NULL ? cts[j] :
		    pool + (size_t)((sender * 131 + j * 7) % 4096);
		ptrs[j] = &sh[j];
	}
	ss.session_id = (char *)session;
	ss.party = idents[sender].name;
	ss.n_shares = (size_t)n;
	ss.shares = ptrs;
	req.id = next_id++;
	req.method = SECURESUM__METHOD__SUBMIT_SHARES;
	req.body_case = SECURESUM__REQUEST__BODY_SUBMIT_SHARES;
	req.submit_shares = &ss;
	b = pack(&req, len);
	free(sh);
	free(ptrs);
	return b;
}

static uint8_t *
req_get_share(const char *session, long party, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetShareRequest g = SECURESUM__GET_SHARE_REQUEST__INIT;

	g.session_id = (char *)session;
	g.party = idents[party].name;
	req.id = next_id++;
	req.method = SECURESUM__METHOD__GET_SHARE;
	req.body_case = SECURESUM__REQUEST__BODY_GET_SHARE;
	req.get_share = &g;
	return pack(&req, len);
}

static uint8_t *
req_post(const char *session, long party, long L, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest ps = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	uint64_t *v = xmalloc((size_t)L * sizeof(*v));
	uint8_t *b;
	long e;

	/* A fixed value per party, so that a repeat is a duplicate. */
	for (e = 0; e < L; e++)
		v[e] = field_reduce((uint64_t)party * 0x9e3779b97f4a7c15ull + (uint64_t)e);
	ps.session_id = (char *)session;
	ps.party = idents[party].name;
	ps.n_values = (size_t)L;
	ps.values = v;
	req.id = next_id++;
	req.method = SECURESUM__METHOD__POST_SUMPOINT;
	req.body_case = SECURESUM__REQUEST__BODY_POST_SUMPOINT;
	req.post_sumpoint = &ps;
	b = pack(&req, len);
	free(v);
	return b;
}

static uint8_t *
req_list(const char *session, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__ListSumpointsRequest l = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;

	l.session_id = (char *)session;
	req.id = next_id++;
	req.method = SECURESUM__METHOD__LIST_SUMPOINTS;
	req.body_case = SECURESUM__REQUEST__BODY_LIST_SUMPOINTS;
	req.list_sumpoints = &l;
	return pack(&req, len);
}

/* ---- common bookkeeping -------------------------------------------------- */

static long want_ready, n_ready, want_resp, n_resp, n_bad;
static unsigned long long resp_bytes;
static int accept_exists;   /* ALREADY_EXISTS is fine (a prepared session) */

static int done_ready(void) { return n_ready >= want_ready || n_failed > 0; }
static int done_resp(void) { return n_resp >= want_resp || n_failed > 0; }

static void
count_ready(struct lconn *c)
{
	(void)c;
	n_ready++;
}

static void
count_resp(struct lconn *c, const struct resp *r)
{
	(void)c;
	n_resp++;
	resp_bytes += r->len;
	if (r->code != 0 && !(accept_exists && r->code == 6)) {
		if (n_bad < 5)
			fprintf(stderr, "loadgen: response code %d: %s\n", r->code,
			    r->msg);
		n_bad++;
	}
}

static void
wait_resp(long n, double timeout, const char *what)
{
	want_resp = n;
	if (!loop_until(done_resp, timeout) || n_failed > 0)
		die("%s: %ld of %ld responses (timeout or connection failure)",
		    what, n_resp, n);
	if (n_bad > 0)
		die("%s: %ld error responses", what, n_bad);
}

static void
connect_all(struct lconn *cs, long n, const int *party_of, double timeout)
{
	long i;

	on_ready = count_ready;
	on_resp = count_resp;
	n_ready = 0;
	want_ready = n;
	for (i = 0; i < n; i++)
		lc_open(&cs[i], party_of != NULL ? party_of[i] : (int)i, i);
	if (!loop_until(done_ready, timeout) || n_failed > 0)
		die("only %ld of %ld connections came up", n_ready, n);
}

static char session_buf[80];

static const char *
session_name(const char *mode)
{
	if (opt_session != NULL)
		return opt_session;
	snprintf(session_buf, sizeof(session_buf), "lg-%s-%d-%ld", mode,
	    (int)getpid(), (long)time(NULL));
	return session_buf;
}

/* Creates a session and has every party submit random shares. */
static void
prepare_session(struct lconn *cs, long n, const char *sid, long L, int post)
{
	size_t len, ct = sealed_len((size_t)L);
	uint8_t *b;
	long i;

	n_resp = 0;
	b = req_create(sid, n, 1, L, &len);
	lc_send(&cs[0], b, len, 1);
	lc_drive(&cs[0], 0);
	wait_resp(1, 30, "create");
	make_pool(ct);
	n_resp = 0;
	for (i = 0; i < n; i++) {
		b = req_submit(sid, i, n, ct, NULL, &len);
		lc_send(&cs[i], b, len, 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, 60, "submit");
	if (!post)
		return;
	n_resp = 0;
	for (i = 0; i < n; i++) {
		b = req_post(sid, i, L, &len);
		lc_send(&cs[i], b, len, 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, 60, "post");
}

/* ---- mode: session -------------------------------------------------------- */

static void
mode_session(void)
{
	const long n = opt_n, L = opt_L, t = opt_t ? opt_t : (n / 2 - 1 > 0 ? n / 2 - 1 : 1);
	const char *sid = session_name("session");
	const size_t ct = sealed_len((size_t)L);
	struct lconn *cs;
	struct sample a, b, c0;
	uint8_t **frames;
	size_t *lens, len;
	long i;

	setup_client(n);
	cs = xcalloc((size_t)n, sizeof(*cs));
	take(&c0);
	a = c0;
	connect_all(cs, n, NULL, 120);
	take(&b);
	report("session", "connect", &a, &b, "n=%ld", n);

	a = b;
	n_resp = 0;
	frames = xcalloc(1, sizeof(*frames));
	frames[0] = req_create(sid, n, t, L, &len);
	lc_send(&cs[0], frames[0], len, 1);
	lc_drive(&cs[0], 0);
	wait_resp(1, 30, "create");
	take(&b);
	report("session", "create", &a, &b, NULL);
	free(frames);

	/* Requests are built before the clock starts: the server is measured. */
	make_pool(ct);
	frames = xcalloc((size_t)n, sizeof(*frames));
	lens = xcalloc((size_t)n, sizeof(*lens));
	for (i = 0; i < n; i++)
		frames[i] = req_submit(sid, i, n, ct, NULL, &lens[i]);
	take(&a);
	n_resp = 0;
	resp_bytes = 0;
	for (i = 0; i < n; i++) {
		lc_send(&cs[i], frames[i], lens[i], 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, 300, "submit");
	take(&b);
	report("session", "submit", &a, &b, "held_ct_bytes=%llu",
	    (unsigned long long)n * n * ct);

	a = b;
	n_resp = 0;
	resp_bytes = 0;
	for (i = 0; i < n; i++) {
		frames[i] = req_get_share(sid, i, &lens[i]);
		lc_send(&cs[i], frames[i], lens[i], 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, 300, "get_share");
	take(&b);
	report("session", "get_share", &a, &b, "resp_bytes=%llu", resp_bytes);

	for (i = 0; i < n; i++)
		frames[i] = req_post(sid, i, L, &lens[i]);
	take(&a);
	n_resp = 0;
	for (i = 0; i < n; i++) {
		lc_send(&cs[i], frames[i], lens[i], 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, 300, "post_sumpoint");
	take(&b);
	report("session", "post_sumpoint", &a, &b, NULL);

	a = b;
	n_resp = 0;
	resp_bytes = 0;
	frames[0] = req_list(sid, &lens[0]);
	lc_send(&cs[0], frames[0], lens[0], 1);
	lc_drive(&cs[0], 0);
	wait_resp(1, 60, "list_sumpoints");
	take(&b);
	report("session", "list_sumpoints", &a, &b, "resp_bytes=%llu", resp_bytes);
	report("session", "total", &c0, &b, "n=%ld t=%ld L=%ld held_ct_bytes=%llu "
	    "held_sumpoint_bytes=%llu", n, t, L, (unsigned long long)n * n * ct,
	    (unsigned long long)n * L * 8);
	/* What stays once every party has gone (the server's tick runs each second). */
	for (i = 0; i < n; i++)
		lc_close(&cs[i]);
	a = b;
	usleep(1500 * 1000);
	take(&b);
	report("session", "after_close", &a, &b, "held_ct_bytes=%llu",
	    (unsigned long long)n * n * ct);
	free(frames);
	free(lens);
}

/* ---- mode: fill ------------------------------------------------------------ */

static long fill_next, fill_done, fill_total, fill_target;
static long fill_slots;
static uint8_t fill_pk[32];
static const char *fill_sid;
/*
 * The session digest the real share is sealed under. loadgen still creates
 * version-1 sessions (no nonce, no signed SUBMIT), which have no D and which
 * the version-2 mpc-client refuses to act on; until loadgen creates
 * version-2 sessions and signs SUBMITs, the real share is sealed under this
 * placeholder, so that the ciphertext has its true size and cost.
 */
static const uint8_t fill_d[SEALED_D_LEN];

static int done_fill(void) { return fill_done >= fill_total || n_failed > 0; }

static void
fill_ready(struct lconn *c)
{
	const size_t ct = sealed_len((size_t)opt_L);
	uint8_t **cts = xcalloc((size_t)opt_n, sizeof(*cts)), *real, sk[32], *b;
	uint64_t *vals = xmalloc((size_t)opt_L * sizeof(*vals));
	size_t len;

	/* The one real ciphertext: random field elements sealed to the target. */
	if (pki_load_enc_key(opt_certs, idents[c->party].name, sk) != SS_OK)
		die("cannot load %s/%s.enc.key", opt_certs, idents[c->party].name);
	if (field_random(vals, (size_t)opt_L) != SS_OK)
		die("field_random");
	real = xmalloc(ct);
	if (sealed_seal(fill_d, idents[c->party].name, idents[fill_target].name,
	    vals, (size_t)opt_L, sk, fill_pk, real, ct) != SS_OK)
		die("sealed_seal");
	OPENSSL_cleanse(sk, sizeof(sk));
	cts[fill_target] = real;
	b = req_submit(fill_sid, c->party, opt_n, ct, cts, &len);
	free(real);
	free(cts);
	free(vals);
	lc_send(c, b, len, 1);
}

static void
fill_resp(struct lconn *c, const struct resp *r)
{
	if (r->code != 0 && r->code != 6)   /* ALREADY_EXISTS: a rerun */
		die("fill: %s got code %d: %s", idents[c->party].name, r->code,
		    r->msg);
	fill_done++;
	lc_bury(c);
	/* Skip the target: it submits for itself, for real. */
	if (fill_next == fill_target)
		fill_next++;
	if (fill_next < opt_n)
		lc_open(lc_new(), (int)fill_next++, 0);
}

static void
mode_fill(void)
{
	const size_t ct = sealed_len((size_t)opt_L);
	uint8_t sk[32], *b;
	struct sample a, z;
	struct lconn cc;
	size_t len;
	long i, conc;

	setup_client(opt_n);
	fill_sid = session_name("fill");
	fill_target = opt_target - 1;
	if (fill_target < 0 || fill_target >= opt_n)
		die("--target out of range");
	if (pki_load_enc_key(opt_certs, idents[fill_target].name, sk) != SS_OK ||
	    hpke_public_key(sk, fill_pk) != SS_OK)
		die("cannot load the target's encryption key");
	OPENSSL_cleanse(sk, sizeof(sk));
	make_pool(ct);
	take(&a);
	if (opt_create) {
		connect_all(&cc, 1, (int[]){ (int)fill_target }, 30);
		n_resp = 0;
		accept_exists = 1;
		b = req_create(fill_sid, opt_n, opt_t ? opt_t : 1, opt_L, &len);
		lc_send(&cc, b, len, 1);
		lc_drive(&cc, 0);
		wait_resp(1, 30, "create");
		lc_close(&cc);
	}
	/* Keep about 256 MB of requests in flight at most. */
	conc = (long)((256u << 20) / ((size_t)opt_n * (ct + 80) + 1));
	if (conc > 64)
		conc = 64;
	if (conc < 1)
		conc = 1;
	fill_total = opt_n - 1;
	fill_slots = conc < fill_total ? conc : fill_total;
	on_ready = fill_ready;
	on_resp = fill_resp;
	fill_next = 0;
	for (i = 0; i < fill_slots; i++) {
		if (fill_next == fill_target)
			fill_next++;
		lc_open(lc_new(), (int)fill_next++, i);
	}
	if (!loop_until(done_fill, 600) || n_failed > 0)
		die("fill: %ld of %ld submitted", fill_done, fill_total);
	take(&z);
	report("fill", "total", &a, &z, "n=%ld L=%ld senders=%ld", opt_n, opt_L,
	    fill_total);
}

/* ---- mode: rate ---------------------------------------------------------- */

static int measuring, stopping;
static long rate_count;
static uint8_t **rate_frames;
static size_t *rate_lens;

/*
 * Latency: with one request in flight, the time from sending a request to
 * its answer; with more, the time between two answers on a connection.
 */
static double rate_lat_max, rate_lat_sum, rate_last_mut;
static long rate_nmut;

static void
rate_resp(struct lconn *c, const struct resp *r)
{
	double t = now();

	if (r->code != 0)
		die("rate: code %d: %s", r->code, r->msg);
	if (measuring) {
		rate_count++;
		rate_lat_sum += t - c->t0;
		if (t - c->t0 > rate_lat_max)
			rate_lat_max = t - c->t0;
	}
	c->t0 = t;
	if (stopping)
		return;
	/*
	 * --mutate-every: now and then connection 0 creates a session instead,
	 * a change the server must journal and later snapshot, so that the
	 * latency figures show what disk work does to everyone else.
	 */
	if (c->slot == 0 && opt_mutate_ms > 0 && t - rate_last_mut >= opt_mutate_ms / 1e3) {
		char sid[64];
		size_t len;
		uint8_t *b;

		snprintf(sid, sizeof(sid), "lg-mut-%d-%ld", (int)getpid(), rate_nmut++);
		b = req_create(sid, 2, 1, 1, &len);
		lc_send(c, b, len, 1);
		rate_last_mut = t;
		return;
	}
	lc_send(c, rate_frames[c->slot], rate_lens[c->slot], 0);
}

static int never(void) { return n_failed > 0; }
static int no_inflight_conns;
static struct lconn *rate_conns;

static int
done_drain(void)
{
	long i;

	for (i = 0; i < no_inflight_conns; i++)
		if (rate_conns[i].inflight > 0 && rate_conns[i].state == LC_READY)
			return n_failed > 0;
	return 1;
}

static void
mode_rate(void)
{
	const long C = opt_conns, n = C < 2 ? 2 : C;
	const char *sid = session_name("rate");
	struct sample a, b;
	long i, d;

	setup_client(n);
	rate_conns = xcalloc((size_t)n, sizeof(*rate_conns));
	connect_all(rate_conns, n, NULL, 120);
	prepare_session(rate_conns, n, sid, 1, 1);
	rate_frames = xcalloc((size_t)n, sizeof(*rate_frames));
	rate_lens = xcalloc((size_t)n, sizeof(*rate_lens));
	for (i = 0; i < n; i++)
		rate_frames[i] = req_post(sid, i, 1, &rate_lens[i]);
	on_resp = rate_resp;
	for (i = 0; i < C; i++) {
		for (d = 0; d < opt_depth; d++)
			lc_send(&rate_conns[i], rate_frames[i], rate_lens[i], 0);
		rate_conns[i].t0 = now();
		lc_drive(&rate_conns[i], 0);
	}
	loop_until(never, opt_warmup);
	measuring = 1;
	take(&a);
	loop_until(never, opt_seconds);
	take(&b);
	measuring = 0;
	stopping = 1;
	if (n_failed > 0)
		die("rate: a connection failed");
	report("rate", "rate", &a, &b, "conns=%ld depth=%ld rpcs=%ld rate=%.1f "
	    "rate_per_server_cpu=%.1f request_bytes=%zu mean_latency_ms=%.3f "
	    "max_latency_ms=%.3f mutations=%ld", C, opt_depth, rate_count,
	    rate_count / (b.t - a.t),
	    b.cpu > a.cpu ? rate_count / (b.cpu - a.cpu) : 0.0, rate_lens[0],
	    rate_count ? rate_lat_sum / rate_count * 1e3 : 0.0, rate_lat_max * 1e3,
	    rate_nmut);
	no_inflight_conns = C;
	loop_until(done_drain, 10);
	for (i = 0; i < n; i++)
		lc_close(&rate_conns[i]);
}

/* ---- mode: connrate ------------------------------------------------------ */

static long conn_count, conn_next_party;
static uint8_t **conn_frames;
static size_t *conn_lens;
static double conn_hs_time;

static void
conn_ready(struct lconn *c)
{
	if (measuring)
		conn_hs_time += now() - c->t0;
	lc_send(c, conn_frames[c->party], conn_lens[c->party], 0);
}

static void
conn_resp(struct lconn *c, const struct resp *r)
{
	if (r->code != 0)
		die("connrate: code %d: %s", r->code, r->msg);
	if (measuring)
		conn_count++;
	lc_bury(c);
	if (!stopping)
		lc_open(lc_new(), (int)(conn_next_party++ % opt_parties), 0);
}

static int done_all_closed(void) { return n_live <= 0 || n_failed > 0; }

static void
mode_connrate(void)
{
	const long P = opt_parties < 2 ? 2 : opt_parties, K = opt_concurrency;
	const char *sid = session_name("conn");
	struct lconn *setup;
	struct sample a, b;
	long i;

	setup_client(P);
	setup = xcalloc((size_t)P, sizeof(*setup));
	connect_all(setup, P, NULL, 60);
	prepare_session(setup, P, sid, 1, 1);
	for (i = 0; i < P; i++)
		lc_close(&setup[i]);
	conn_frames = xcalloc((size_t)P, sizeof(*conn_frames));
	conn_lens = xcalloc((size_t)P, sizeof(*conn_lens));
	for (i = 0; i < P; i++)
		conn_frames[i] = req_post(sid, i, 1, &conn_lens[i]);
	n_live = 0;
	on_ready = conn_ready;
	on_resp = conn_resp;
	opt_max_hs = K;
	for (i = 0; i < K; i++)
		lc_open(lc_new(), (int)(conn_next_party++ % P), i);
	loop_until(never, opt_warmup);
	measuring = 1;
	take(&a);
	loop_until(never, opt_seconds);
	take(&b);
	measuring = 0;
	stopping = 1;
	if (n_failed > 0)
		die("connrate: %ld connections failed", n_failed);
	report("connrate", "connrate", &a, &b, "concurrency=%ld conns=%ld "
	    "rate=%.1f rate_per_server_cpu=%.1f server_cpu_per_conn_us=%.1f "
	    "loadgen_cpu_per_conn_us=%.1f mean_handshake_ms=%.3f", K, conn_count,
	    conn_count / (b.t - a.t),
	    b.cpu > a.cpu ? conn_count / (b.cpu - a.cpu) : 0.0,
	    conn_count ? (b.cpu - a.cpu) / conn_count * 1e6 : 0.0,
	    conn_count ? (b.self - a.self) / conn_count * 1e6 : 0.0,
	    conn_count ? conn_hs_time / conn_count * 1e3 : 0.0);
	loop_until(done_all_closed, 10);
}

/* ---- mode: bulk ------------------------------------------------------------ */

/*
 * S sessions of two parties A (p0001) and B (p0002), L chosen so that a
 * sealed share is exactly --share-bytes. Connections alternate A, B; each
 * works through its own slice of the sessions with --depth requests in
 * flight. Upload: SubmitShares (2 shares each). Download: GetShare.
 */
static char (*bulk_sids)[48];
static long bulk_L, bulk_phase;   /* 0 upload, 1 download */
static long *bulk_next;           /* per connection: next session index */
static long bulk_done, bulk_total;
static struct lconn *bulk_conns;

static int done_bulk(void) { return bulk_done >= bulk_total || n_failed > 0; }

static void
bulk_issue(struct lconn *c)
{
	long half = opt_conns / 2, k = c->slot / 2, s;
	size_t len;
	uint8_t *b;

	s = bulk_next[c->slot];
	if (s >= opt_sessions)
		return;
	bulk_next[c->slot] = s + half;
	if (bulk_phase == 0)
		b = req_submit(bulk_sids[s], c->party, 2, sealed_len((size_t)bulk_L),
		    NULL, &len);
	else
		b = req_get_share(bulk_sids[s], c->party, &len);
	(void)k;
	lc_send(c, b, len, 1);
}

static void
bulk_resp(struct lconn *c, const struct resp *r)
{
	if (r->code != 0)
		die("bulk: code %d: %s", r->code, r->msg);
	bulk_done++;
	resp_bytes += r->len;
	bulk_issue(c);
}

static void
bulk_run(long phase)
{
	long i, d;

	bulk_phase = phase;
	bulk_done = 0;
	resp_bytes = 0;
	for (i = 0; i < opt_conns; i++)
		bulk_next[i] = i / 2;
	for (i = 0; i < opt_conns; i++) {
		for (d = 0; d < opt_depth; d++)
			bulk_issue(&bulk_conns[i]);
		lc_drive(&bulk_conns[i], 0);
	}
	if (!loop_until(done_bulk, 600) || n_failed > 0)
		die("bulk: %ld of %ld done", bulk_done, bulk_total);
}

static void
mode_bulk(void)
{
	const size_t share = (size_t)opt_share_bytes;
	struct sample a, b;
	unsigned long long payload;
	int *party_of;
	size_t len;
	long i;

	if (opt_conns < 2 || opt_conns % 2 != 0)
		die("bulk wants an even --conns");
	if (share < 64 || (share - SEALED_OVERHEAD) % 8 != 0)
		die("--share-bytes must be 48 + 8k");
	bulk_L = (long)((share - SEALED_OVERHEAD) / 8);
	setup_client(2);
	make_pool(share);
	bulk_conns = xcalloc((size_t)opt_conns, sizeof(*bulk_conns));
	bulk_next = xcalloc((size_t)opt_conns, sizeof(*bulk_next));
	party_of = xcalloc((size_t)opt_conns, sizeof(*party_of));
	for (i = 0; i < opt_conns; i++)
		party_of[i] = (int)(i % 2);
	connect_all(bulk_conns, opt_conns, party_of, 60);
	bulk_sids = xcalloc((size_t)opt_sessions, sizeof(*bulk_sids));
	n_resp = 0;
	for (i = 0; i < opt_sessions; i++) {
		uint8_t *fr;

		snprintf(bulk_sids[i], sizeof(bulk_sids[i]), "lg-bulk-%d-%ld",
		    (int)getpid(), i);
		fr = req_create(bulk_sids[i], 2, 1, bulk_L, &len);
		lc_send(&bulk_conns[0], fr, len, 1);
	}
	lc_drive(&bulk_conns[0], 0);
	wait_resp(opt_sessions, 60, "create");
	on_resp = bulk_resp;
	bulk_total = 2 * opt_sessions;
	payload = (unsigned long long)opt_sessions * 4 * share;  /* n^2 shares */

	take(&a);
	bulk_run(0);
	take(&b);
	report("bulk", "upload", &a, &b, "share_bytes=%zu sessions=%ld conns=%ld "
	    "depth=%ld payload_bytes=%llu mb_per_s=%.1f held_ct_bytes=%llu",
	    share, opt_sessions, opt_conns, opt_depth, payload,
	    payload / (b.t - a.t) / 1e6, payload);
	a = b;
	bulk_run(1);
	take(&b);
	report("bulk", "download", &a, &b, "share_bytes=%zu sessions=%ld "
	    "conns=%ld depth=%ld payload_bytes=%llu resp_bytes=%llu mb_per_s=%.1f "
	    "held_ct_bytes=%llu", share, opt_sessions, opt_conns, opt_depth,
	    payload, resp_bytes, payload / (b.t - a.t) / 1e6, payload);
	for (i = 0; i < opt_conns; i++)
		lc_close(&bulk_conns[i]);
}

/* ---- mode: hsref ---------------------------------------------------------- */

/*
 * The machine's own bound for a new connection: client and server SSL
 * objects in this one thread over a memory BIO pair, the same certificates
 * and the server's own SSL_CTX (pki_server_ctx: TLS 1.3 only, client
 * certificate required, no tickets, no session cache). The server side's
 * CPU (SSL_new, every SSL_do_handshake step, SSL_free) is timed with the
 * thread CPU clock.
 */
static void
mode_hsref(const char *server_certs)
{
	struct ss_error pe;
	SSL_CTX *sctx;
	double scpu = 0, ccpu = 0, t0, end, tc;
	long count = 0;

	if ((sctx = pki_server_ctx(server_certs, &pe)) == NULL)
		die("%s", ss_error_msg(&pe));
	load_idents(1);
	if ((client_ctx = pki_client_ctx(opt_certs, idents[0].name, &pe))
	    == NULL)
		die("%s", ss_error_msg(&pe));
	t0 = now();
	end = t0 + opt_seconds;
	while (now() < end || count < 10) {
		BIO *cb, *sb;
		SSL *cs, *ss;
		int cdone = 0, sdone = 0, r, e, spins = 0;

		tc = thread_cpu();
		if ((ss = SSL_new(sctx)) == NULL)
			die("SSL_new");
		scpu += thread_cpu() - tc;
		if ((cs = SSL_new(client_ctx)) == NULL ||
		    pki_expect_host(cs, "127.0.0.1") != SS_OK ||
		    BIO_new_bio_pair(&cb, 0, &sb, 0) != 1)
			die("client setup");
		SSL_set_bio(cs, cb, cb);
		SSL_set_bio(ss, sb, sb);
		SSL_set_connect_state(cs);
		SSL_set_accept_state(ss);
		while (!(cdone && sdone)) {
			if (++spins > 100)
				die("handshake does not progress");
			if (!cdone) {
				tc = thread_cpu();
				r = SSL_do_handshake(cs);
				ccpu += thread_cpu() - tc;
				if (r == 1)
					cdone = 1;
				else if ((e = SSL_get_error(cs, r)) !=
				    SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					die("client handshake failed");
			}
			if (!sdone) {
				tc = thread_cpu();
				r = SSL_do_handshake(ss);
				scpu += thread_cpu() - tc;
				if (r == 1)
					sdone = 1;
				else if ((e = SSL_get_error(ss, r)) !=
				    SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					die("server handshake failed");
			}
		}
		if (SSL_version(ss) != TLS1_3_VERSION ||
		    SSL_get0_peer_certificate(ss) == NULL)
			die("not a TLS 1.3 handshake with a client certificate");
		tc = thread_cpu();
		SSL_free(ss);
		scpu += thread_cpu() - tc;
		SSL_free(cs);
		count++;
	}
	printf("RESULT mode=hsref phase=hsref handshakes=%ld wall=%.6f "
	    "server_cpu_per_hs_us=%.1f client_cpu_per_hs_us=%.1f "
	    "bound_per_core=%.1f\n", count, now() - t0, scpu / count * 1e6,
	    ccpu / count * 1e6, count / scpu);
	SSL_CTX_free(sctx);
}

/* ---- main ------------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen [options] MODE\n"
	    "modes: session fill rate connrate bulk hsref (see the top of bench/loadgen.c)\n"
	    "  --server HOST:PORT  --certs DIR  --prefix P (parties P0001...)\n"
	    "  --server-pid PID    sample the server's CPU, memory and traffic\n"
	    "  --n N --L L --t T   session shape (session, fill)\n"
	    "  --session ID --target I --create   (fill)\n"
	    "  --conns C --depth D --seconds S --warmup W   (rate, bulk)\n"
	    "  --mutate-every MS   (rate: create a session every MS ms on connection 0)\n"
	    "  --concurrency K --parties P   (connrate)\n"
	    "  --sessions S --share-bytes B  (bulk)\n"
	    "  --server-certs DIR   (hsref: the server's folder)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *mode = NULL, *server_certs = NULL;
	struct rlimit rl;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

#define OPT(name) (strcmp(a, name) == 0 && v != NULL && (i++, 1))
		if (OPT("--server")) opt_server = v;
		else if (OPT("--certs")) opt_certs = v;
		else if (OPT("--server-certs")) server_certs = v;
		else if (OPT("--prefix")) opt_prefix = v;
		else if (OPT("--server-pid")) opt_pid = atoi(v);
		else if (OPT("--session")) opt_session = v;
		else if (OPT("--n")) opt_n = atol(v);
		else if (OPT("--L")) opt_L = atol(v);
		else if (OPT("--t")) opt_t = atol(v);
		else if (OPT("--conns")) opt_conns = atol(v);
		else if (OPT("--depth")) opt_depth = atol(v);
		else if (OPT("--seconds")) opt_seconds = atof(v);
		else if (OPT("--warmup")) opt_warmup = atof(v);
		else if (OPT("--sessions")) opt_sessions = atol(v);
		else if (OPT("--share-bytes")) opt_share_bytes = atol(v);
		else if (OPT("--parties")) opt_parties = atol(v);
		else if (OPT("--concurrency")) opt_concurrency = atol(v);
		else if (OPT("--target")) opt_target = atol(v);
		else if (OPT("--max-handshakes")) opt_max_hs = atol(v);
		else if (OPT("--mutate-every")) opt_mutate_ms = atol(v);
		else if (strcmp(a, "--create") == 0) opt_create = 1;
		else if (a[0] != '-' && mode == NULL) mode = a;
		else usage();
#undef OPT
	}
	if (mode == NULL || opt_n < 2 || opt_L < 1 || opt_conns < 1 ||
	    opt_depth < 1 || opt_concurrency < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	if (strcmp(mode, "session") == 0)
		mode_session();
	else if (strcmp(mode, "fill") == 0)
		mode_fill();
	else if (strcmp(mode, "rate") == 0)
		mode_rate();
	else if (strcmp(mode, "connrate") == 0)
		mode_connrate();
	else if (strcmp(mode, "bulk") == 0)
		mode_bulk();
	else if (strcmp(mode, "hsref") == 0)
		mode_hsref(server_certs != NULL ? server_certs : opt_certs);
	else
		usage();
	return 0;
}
