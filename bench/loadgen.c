/*
 * loadgen.c: a load generator for mpc-server, for the benchmark only.
 *
 * It speaks the real wire protocol (TLS 1.3 with client certificates, 4-byte
 * frames, protobuf Requests built with the server's own protobuf-c code) of
 * protocol version 2, as real parties do: every session it creates has a
 * nonce (so a session digest D), min_cohort = n and no deadline; each party
 * it plays publishes its key (so the server records its signing
 * certificate, the TLS one), signs its SUBMIT (the SHA-256 of each
 * ciphertext it sends), its COHORT once the cohort is fixed, and the
 * SUMPOINT it posts, with the key of its TLS certificate. What it does not
 * do is share: ciphertexts are random bytes of the right size, which the
 * server cannot tell from real ones (it never opens a share). So what it
 * measures is the server, with every check the server makes. One thread,
 * one epoll loop, non-blocking OpenSSL; it reads only the first bytes of
 * each response (id, code, message) and counts the rest, except where it
 * needs a whole answer (cohort mode's GetShare).
 *
 * Modes (each prints "RESULT key=value ..." lines that bench/bench.py reads):
 *
 *   session   an n-party session end to end: connect every party, publish
 *             keys, create, every party submits, gets its shares, signs the
 *             cohort, posts its sumpoint; one lists
 *   fill      publishes and submits for every party of a session but one
 *             ("target"): the share addressed to the target is sealed for
 *             real (HPKE, under D), the others are random; prints the
 *             session's invite code, with which the target runs the real
 *             `mpc-client share`
 *   cohort    once the target has shared too (so the cohort is fixed):
 *             reads every member's SUBMIT (one GetShare) and posts the
 *             COHORT of every party but the target, so that the target can
 *             run the real `mpc-client sumpoint` on a session of any size
 *   rate      small RPCs (a repeated PostSumpoint, answered OK duplicate)
 *             over C persistent connections, D requests in flight on each
 *   connrate  new connections: TCP connect, full mTLS handshake, one
 *             PostSumpoint, close; K at a time
 *   bulk      1 MiB shares: S sessions of 2 parties, each SubmitShares
 *             carries 2 x 1 MiB; then each party fetches them (GetShare)
 *   creates   S sessions of two parties created on one connection, the
 *             rate of the first tenth against the last (session lookup)
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

#include "buf.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "invite.h"
#include "params.h"
#include "pki.h"
#include "sealed.h"
#include "securesum.pb-c.h"
#include "statement.h"

#define PREFIX_KEEP 512         /* response bytes kept for parsing */
#define RBUF (256 * 1024)

/* ---- options ------------------------------------------------------------ */

static const char *opt_server = "127.0.0.1:7443";
static const char *opt_certs = "certs";
static const char *opt_prefix = "p";
static const char *opt_session;
static const char *opt_invite;
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
	EVP_PKEY *key;                          /* P-256: TLS and statements */
	uint8_t signer[STATEMENT_HASH_LEN];     /* SHA-256 of the cert's DER */
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
		if (statement_cert_digest(idents[i].cert, idents[i].signer) !=
		    SS_OK)
			die("cannot hash %s.crt", idents[i].name);
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
	const uint8_t *whole;   /* the whole Response (len bytes) if kept */
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
	int keep_whole;           /* keep whole responses (resp.whole) */
	uint8_t *whole;
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
	free(c->whole);
	c->whole = NULL;
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
			if (c->keep_whole) {
				free(c->whole);
				c->whole = xmalloc(c->blen);
			}
		} else {
			k = c->blen - c->bgot < n ? c->blen - c->bgot : n;
			if (c->whole != NULL)
				memcpy(c->whole + c->bgot, p, k);
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
			/* on_resp may close c: the whole answer is ours to free. */
			uint8_t *whole = c->whole;

			parse_prefix(c->pre, c->pgot, &r);
			r.len = c->blen;
			r.whole = whole;
			c->whole = NULL;
			c->hgot = 0;
			c->inflight--;
			on_resp(c, &r);
			free(whole);
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

/* ---- version 2: sessions, their digest D, signed statements ---------------- */

/* A statement one of our parties signed (or, read back, only its body). */
struct sstmt {
	uint8_t *body;
	size_t len;
	uint8_t sig[STATEMENT_SIG_MAX];
	size_t siglen;
};

/*
 * A version-2 session as loadgen plays it: the first n identities as its
 * parties, min_cohort = n (so sharing closes when all have submitted, as
 * in every benchmark session), no deadline, no decimals; the SUBMIT of each
 * party; and once the cohort (all n) is fixed, the digests that COHORT
 * and SUMPOINT statements name.
 */
struct v2sess {
	char id[80];
	long n, t, L;
	uint8_t nonce[PARAMS_NONCE_LEN];
	uint8_t d[PARAMS_DIGEST_LEN];
	struct sstmt *submit;                   /* [n] */
	uint8_t submits[STATEMENT_HASH_LEN];    /* COHORT: the submits digest */
	uint8_t cohort[STATEMENT_HASH_LEN];     /* SUMPOINT: the cohort digest */
	int fixed;                              /* the two above are set */
};

/*
 * A new session of the first n parties, with a fresh nonce, and its D; a
 * bare sid goes in the first party's namespace (docs/PROTOCOL.md 2.1),
 * which must create it.
 */
static void
v2_new(struct v2sess *v, const char *sid, long n, long t, long L)
{
	const char **names;
	struct session_params p;
	struct ss_error e;
	long i;

	if (n > nidents)
		die("a session of %ld parties needs %ld identities", n, n);
	memset(v, 0, sizeof(*v));
	if (strchr(sid, '/') != NULL)
		snprintf(v->id, sizeof(v->id), "%s", sid);
	else
		snprintf(v->id, sizeof(v->id), "%s/%s", idents[0].name, sid);
	v->n = n;
	v->t = t;
	v->L = L;
	if (params_new_nonce(v->nonce) != SS_OK)
		die("params_new_nonce");
	names = xcalloc((size_t)n, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = idents[i].name;
	memset(&p, 0, sizeof(p));
	p.session_id = v->id;
	p.parties = names;
	p.n = (uint32_t)n;
	p.t = (uint32_t)t;
	p.length = (uint32_t)L;
	p.min_cohort = (uint32_t)n;
	p.deadline = PARAMS_NO_DEADLINE;
	memcpy(p.nonce, v->nonce, sizeof(p.nonce));
	if (params_digest(&p, v->d, &e) != SS_OK)
		die("session %s: %s", sid, ss_error_msg(&e));
	free(names);
	v->submit = xcalloc((size_t)n, sizeof(*v->submit));
}

/* A session created before, known by its invite code (its D). */
static void
v2_join(struct v2sess *v, const char *sid, const char *invite, long n,
    long t, long L)
{
	struct ss_error e;

	memset(v, 0, sizeof(*v));
	snprintf(v->id, sizeof(v->id), "%s", sid);
	v->n = n;
	v->t = t;
	v->L = L;
	if (invite_decode(invite, v->d, &e) != SS_OK)
		die("--invite: %s", ss_error_msg(&e));
	v->submit = xcalloc((size_t)n, sizeof(*v->submit));
}

static void
v2_free(struct v2sess *v)
{
	long i;

	for (i = 0; v->submit != NULL && i < v->n; i++)
		free(v->submit[i].body);
	free(v->submit);
	memset(v, 0, sizeof(*v));
}

/* Signs s as party into out; D and the signer are filled in here. */
static void
v2_sign(const struct v2sess *v, long party, struct statement *s,
    struct sstmt *out)
{
	struct ss_error e;

	memcpy(s->d, v->d, sizeof(s->d));
	memcpy(s->signer, idents[party].signer, sizeof(s->signer));
	free(out->body);
	if (statement_make(s, idents[party].key, &out->body, &out->len,
	    out->sig, &out->siglen, &e) != SS_OK)
		die("%s statement as %s: %s", statement_type_name(s->type),
		    idents[party].name, ss_error_msg(&e));
}

/* Random bytes standing in for ciphertexts; shares are slices of it. */
static uint8_t *pool;
static size_t pool_len, pool_ct_len;
/* SHA-256 of the pool's ciphertext-long slice at each offset, once known. */
static uint8_t (*pool_digest)[STATEMENT_HASH_LEN];
static unsigned char *pool_have;

#define POOL_SLACK 4096

static void
make_pool(size_t ct_len)
{
	free(pool);
	free(pool_digest);
	free(pool_have);
	pool_ct_len = ct_len;
	pool_len = ct_len + POOL_SLACK;
	pool = xmalloc(pool_len);
	pool_digest = xcalloc(POOL_SLACK, sizeof(*pool_digest));
	pool_have = xcalloc(POOL_SLACK, 1);
	if (RAND_bytes(pool, (int)pool_len) != 1)
		die("RAND_bytes");
}

/* Where the pool slice sender sends to recipient j starts. */
static size_t
pool_offset(long sender, long j)
{
	return (size_t)((sender * 131 + j * 7) % POOL_SLACK);
}

/* The ciphertext sender sends to j: cts[j] when given, else a pool slice. */
static const uint8_t *
ct_of(long sender, long j, uint8_t *const *cts)
{
	return cts != NULL && cts[j] != NULL ? cts[j] : pool +
	    pool_offset(sender, j);
}

static void
ct_digest(long sender, long j, size_t ct_len, uint8_t *const *cts,
    uint8_t out[STATEMENT_HASH_LEN])
{
	size_t off = pool_offset(sender, j);

	if (cts != NULL && cts[j] != NULL) {
		if (statement_hash(cts[j], ct_len, out) != SS_OK)
			die("SHA-256");
		return;
	}
	if (ct_len != pool_ct_len)
		die("a ciphertext of %zu bytes from a pool of %zu", ct_len,
		    pool_ct_len);
	if (!pool_have[off]) {
		if (statement_hash(pool + off, ct_len, pool_digest[off]) != SS_OK)
			die("SHA-256");
		pool_have[off] = 1;
	}
	memcpy(out, pool_digest[off], STATEMENT_HASH_LEN);
}

/* sender's SUBMIT: the digest of each ciphertext it sends (as ct_of). */
static void
v2_submit(struct v2sess *v, long sender, size_t ct_len, uint8_t *const *cts)
{
	uint8_t *digests = xmalloc((size_t)v->n * STATEMENT_HASH_LEN);
	struct statement s;
	long j;

	for (j = 0; j < v->n; j++)
		ct_digest(sender, j, ct_len, cts,
		    digests + (size_t)j * STATEMENT_HASH_LEN);
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUBMIT;
	s.position = (uint32_t)(sender + 1);
	s.n = (uint32_t)v->n;
	s.digests = digests;
	v2_sign(v, sender, &s, &v->submit[sender]);
	free(digests);
}

/* The bitmap of a cohort of every party. */
static uint8_t *
v2_bitmap(const struct v2sess *v)
{
	uint8_t *b = xcalloc(statement_bitmap_len((uint32_t)v->n), 1);
	long i;

	for (i = 1; i <= v->n; i++)
		statement_bitmap_set(b, (uint32_t)i);
	return b;
}

/*
 * The cohort is every party (min_cohort = n): the submits digest over
 * their SUBMITs, which must all be known, and the cohort digest.
 */
static void
v2_fix_cohort(struct v2sess *v)
{
	const uint8_t **bodies = xcalloc((size_t)v->n, sizeof(*bodies));
	size_t *lens = xcalloc((size_t)v->n, sizeof(*lens));
	struct statement c;
	long i;

	for (i = 0; i < v->n; i++) {
		if (v->submit[i].body == NULL)
			die("no SUBMIT of %s is known", idents[i].name);
		bodies[i] = v->submit[i].body;
		lens[i] = v->submit[i].len;
	}
	memset(&c, 0, sizeof(c));
	c.type = STATEMENT_COHORT;
	memcpy(c.d, v->d, sizeof(c.d));
	c.n = (uint32_t)v->n;
	c.cohort = v2_bitmap(v);
	if (statement_submits_digest(bodies, lens, (size_t)v->n, v->submits) !=
	    SS_OK)
		die("the submits digest");
	memcpy(c.submits, v->submits, sizeof(c.submits));
	if (statement_cohort_digest(&c, v->cohort) != SS_OK)
		die("the cohort digest");
	v->fixed = 1;
	free((void *)c.cohort);
	free(bodies);
	free(lens);
}

static void
v2_cohort(const struct v2sess *v, long party, struct sstmt *out)
{
	struct statement s;

	if (!v->fixed)
		die("COHORT before the cohort is fixed");
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_COHORT;
	s.n = (uint32_t)v->n;
	s.cohort = v2_bitmap(v);
	memcpy(s.submits, v->submits, sizeof(s.submits));
	v2_sign(v, party, &s, out);
	free((void *)s.cohort);
}

static void
v2_sumpoint(const struct v2sess *v, long party, const uint64_t *values,
    struct sstmt *out)
{
	struct statement s;

	if (!v->fixed)
		die("SUMPOINT before the cohort is fixed");
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUMPOINT;
	s.position = (uint32_t)(party + 1);
	s.length = (uint32_t)v->L;
	memcpy(s.cohort_digest, v->cohort, sizeof(s.cohort_digest));
	if (statement_values_digest(values, (size_t)v->L, s.values_digest) !=
	    SS_OK)
		die("the values digest");
	v2_sign(v, party, &s, out);
}

/* ---- requests ------------------------------------------------------------ */

static uint64_t next_id = 1;

/* req as a frame, with the next id; its body (of body_case) is set. */
static uint8_t *
pack(Securesum__Request *req, Securesum__Method method,
    Securesum__Request__BodyCase body_case, size_t *len)
{
	size_t n;
	uint8_t *b;

	req->id = next_id++;
	req->method = method;
	req->body_case = body_case;
	n = securesum__request__get_packed_size(req);
	b = xmalloc(n + 4);

	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	if (securesum__request__pack(req, b + 4) != n)
		die("pack size mismatch");
	*len = n + 4;
	return b;
}

static void
stmt_msg(const struct sstmt *st, Securesum__Statement *m)
{
	if (st->body == NULL)
		die("a request without its statement");
	securesum__statement__init(m);
	m->body.data = st->body;
	m->body.len = st->len;
	m->signature.data = (uint8_t *)st->sig;
	m->signature.len = st->siglen;
}

static uint8_t *
req_create(const struct v2sess *v, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest cs = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	char **names = xcalloc((size_t)v->n, sizeof(*names));
	uint8_t *b;
	long i;

	for (i = 0; i < v->n; i++)
		names[i] = idents[i].name;
	p.session_id = (char *)v->id;
	p.n_parties = (size_t)v->n;
	p.parties = names;
	p.threshold = (uint32_t)v->t;
	p.length = (uint32_t)v->L;
	p.min_cohort = (uint32_t)v->n;
	p.deadline_unix = PARAMS_NO_DEADLINE;
	p.nonce.data = (uint8_t *)v->nonce;
	p.nonce.len = sizeof(v->nonce);
	cs.params = &p;
	req.create_session = &cs;
	b = pack(&req, SECURESUM__METHOD__CREATE_SESSION,
	    SECURESUM__REQUEST__BODY_CREATE_SESSION, len);
	free(names);
	return b;
}

/* PublishKey: party's encryption-key certificate (NAME.enc.crt). */
static uint8_t *
req_publish(long party, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__PublishKeyRequest pk = SECURESUM__PUBLISH_KEY_REQUEST__INIT;
	uint8_t *der, *b;
	size_t der_len;

	if (pki_load_enc_cert(opt_certs, idents[party].name, &der, &der_len) !=
	    SS_OK)
		die("cannot read %s/%s.enc.crt", opt_certs, idents[party].name);
	pk.certificate.data = der;
	pk.certificate.len = der_len;
	req.publish_key = &pk;
	b = pack(&req, SECURESUM__METHOD__PUBLISH_KEY,
	    SECURESUM__REQUEST__BODY_PUBLISH_KEY, len);
	free(der);
	return b;
}

/*
 * SubmitShares from `sender` with its SUBMIT (v2_submit, made before); the
 * ciphertext for party j is ct_of(sender, j, cts).
 */
static uint8_t *
req_submit(const struct v2sess *v, long sender, size_t ct_len,
    uint8_t *const *cts, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest ss = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare *sh = xcalloc((size_t)v->n, sizeof(*sh));
	Securesum__EncryptedShare **ptrs = xcalloc((size_t)v->n, sizeof(*ptrs));
	Securesum__Statement st;
	uint8_t *b;
	long j;

	for (j = 0; j < v->n; j++) {
		securesum__encrypted_share__init(&sh[j]);
		sh[j].recipient = idents[j].name;
		sh[j].ciphertext.len = ct_len;
		sh[j].ciphertext.data = (uint8_t *)ct_of(sender, j, cts);
		ptrs[j] = &sh[j];
	}
	stmt_msg(&v->submit[sender], &st);
	ss.session_id = (char *)v->id;
	ss.party = idents[sender].name;
	ss.n_shares = (size_t)v->n;
	ss.shares = ptrs;
	ss.submit = &st;
	req.submit_shares = &ss;
	b = pack(&req, SECURESUM__METHOD__SUBMIT_SHARES,
	    SECURESUM__REQUEST__BODY_SUBMIT_SHARES, len);
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
	req.get_share = &g;
	return pack(&req, SECURESUM__METHOD__GET_SHARE,
	    SECURESUM__REQUEST__BODY_GET_SHARE, len);
}

/* PostCohort: party's COHORT, signed here (the cohort must be fixed). */
static uint8_t *
req_cohort(const struct v2sess *v, long party, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostCohortRequest pc = SECURESUM__POST_COHORT_REQUEST__INIT;
	Securesum__Statement st;
	struct sstmt cohort;
	uint8_t *b;

	memset(&cohort, 0, sizeof(cohort));
	v2_cohort(v, party, &cohort);
	stmt_msg(&cohort, &st);
	pc.session_id = (char *)v->id;
	pc.party = idents[party].name;
	pc.cohort = &st;
	req.post_cohort = &pc;
	b = pack(&req, SECURESUM__METHOD__POST_COHORT,
	    SECURESUM__REQUEST__BODY_POST_COHORT, len);
	free(cohort.body);
	return b;
}

/* PostSumpoint of a fixed value per party (so a repeat is a duplicate). */
static uint8_t *
req_post(const struct v2sess *v, long party, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest ps = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	uint64_t *vals = xmalloc((size_t)v->L * sizeof(*vals));
	Securesum__Statement st;
	struct sstmt sump;
	uint8_t *b;
	long e;

	for (e = 0; e < v->L; e++)
		vals[e] = field_reduce((uint64_t)party * 0x9e3779b97f4a7c15ull +
		    (uint64_t)e);
	memset(&sump, 0, sizeof(sump));
	v2_sumpoint(v, party, vals, &sump);
	stmt_msg(&sump, &st);
	ps.session_id = (char *)v->id;
	ps.party = idents[party].name;
	ps.n_values = (size_t)v->L;
	ps.values = vals;
	ps.statement = &st;
	req.post_sumpoint = &ps;
	b = pack(&req, SECURESUM__METHOD__POST_SUMPOINT,
	    SECURESUM__REQUEST__BODY_POST_SUMPOINT, len);
	free(vals);
	free(sump.body);
	return b;
}

static uint8_t *
req_list(const char *session, size_t *len)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__ListSumpointsRequest l = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;

	l.session_id = (char *)session;
	req.list_sumpoints = &l;
	return pack(&req, SECURESUM__METHOD__LIST_SUMPOINTS,
	    SECURESUM__REQUEST__BODY_LIST_SUMPOINTS, len);
}

/* ---- common bookkeeping -------------------------------------------------- */

static long want_ready, n_ready, want_resp, n_resp, n_bad;
static unsigned long long resp_bytes;

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
	if (r->code != 0) {
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

/* Builds one request of the session for party (as party). */
typedef uint8_t *(*req_fn)(struct v2sess *v, long party, size_t *len);

static uint8_t *
build_publish(struct v2sess *v, long party, size_t *len)
{
	(void)v;
	return req_publish(party, len);
}

/* party's SUBMIT over pool ciphertexts, signed now, and its SubmitShares. */
static uint8_t *
build_submit(struct v2sess *v, long party, size_t *len)
{
	const size_t ct = sealed_len((size_t)v->L);

	v2_submit(v, party, ct, NULL);
	return req_submit(v, party, ct, NULL, len);
}

static uint8_t *
build_get_share(struct v2sess *v, long party, size_t *len)
{
	return req_get_share(v->id, party, len);
}

static uint8_t *
build_cohort(struct v2sess *v, long party, size_t *len)
{
	return req_cohort(v, party, len);
}

static uint8_t *
build_post(struct v2sess *v, long party, size_t *len)
{
	return req_post(v, party, len);
}

/* The request of fn for the party of each of cs[0..n), built ahead. */
static void
build_all(struct lconn *cs, long n, struct v2sess *v, req_fn fn,
    uint8_t **frames, size_t *lens)
{
	long i;

	for (i = 0; i < n; i++)
		frames[i] = fn(v, cs[i].party, &lens[i]);
}

/* Sends frames[i] on cs[i] (which then owns it) and waits for every answer. */
static void
send_all(struct lconn *cs, long n, uint8_t **frames, const size_t *lens,
    double timeout, const char *what)
{
	long i;

	n_resp = 0;
	resp_bytes = 0;
	for (i = 0; i < n; i++) {
		lc_send(&cs[i], frames[i], lens[i], 1);
		lc_drive(&cs[i], 0);
	}
	wait_resp(n, timeout, what);
}

/* build_all, then send_all: one round of requests, not measured. */
static void
round_all(struct lconn *cs, long n, struct v2sess *v, req_fn fn,
    double timeout, const char *what)
{
	uint8_t **frames = xcalloc((size_t)n, sizeof(*frames));
	size_t *lens = xcalloc((size_t)n, sizeof(*lens));

	build_all(cs, n, v, fn, frames, lens);
	send_all(cs, n, frames, lens, timeout, what);
	free(frames);
	free(lens);
}

static void
create_on(struct lconn *c, const struct v2sess *v)
{
	size_t len;
	uint8_t *b = req_create(v, &len);

	n_resp = 0;
	lc_send(c, b, len, 1);
	lc_drive(c, 0);
	wait_resp(1, 30, "create");
}

/*
 * A session of the parties of cs[0..n) (cs[i] is party i), created as v
 * describes: every party publishes its key and submits random shares with
 * its SUBMIT, then signs the cohort; with post, every party posts.
 */
static void
prepare_session(struct lconn *cs, long n, struct v2sess *v, int post)
{
	create_on(&cs[0], v);
	make_pool(sealed_len((size_t)v->L));
	round_all(cs, n, v, build_publish, 60, "publish");
	round_all(cs, n, v, build_submit, 60, "submit");
	v2_fix_cohort(v);
	round_all(cs, n, v, build_cohort, 60, "post_cohort");
	if (post)
		round_all(cs, n, v, build_post, 60, "post");
}

/* What the server holds of v's statements once all submitted: the SUBMITs. */
static unsigned long long
held_statement_bytes(const struct v2sess *v)
{
	unsigned long long b = 0;
	long i;

	for (i = 0; i < v->n; i++)
		b += v->submit[i].len + v->submit[i].siglen;
	return b;
}

/* ---- mode: session -------------------------------------------------------- */

/*
 * One phase of mode_session: the requests of fn for every party, built
 * before the clock starts (the server is measured), sent at once.
 */
static void
session_phase(struct lconn *cs, long n, struct v2sess *v, req_fn fn,
    const char *phase, struct sample *a, struct sample *b, double timeout)
{
	uint8_t **frames = xcalloc((size_t)n, sizeof(*frames));
	size_t *lens = xcalloc((size_t)n, sizeof(*lens));

	build_all(cs, n, v, fn, frames, lens);
	take(a);
	send_all(cs, n, frames, lens, timeout, phase);
	take(b);
	free(frames);
	free(lens);
}

static void
mode_session(void)
{
	const long n = opt_n, L = opt_L, t = opt_t ? opt_t : (n / 2 - 1 > 0 ? n / 2 - 1 : 1);
	const size_t ct = sealed_len((size_t)L);
	struct v2sess v;
	struct lconn *cs;
	struct sample a, b, c0;
	unsigned long long held;
	uint8_t *frame;
	size_t len;
	long i;

	setup_client(n);
	v2_new(&v, session_name("session"), n, t, L);
	cs = xcalloc((size_t)n, sizeof(*cs));
	take(&c0);
	a = c0;
	connect_all(cs, n, NULL, 120);
	take(&b);
	report("session", "connect", &a, &b, "n=%ld", n);

	a = b;
	create_on(&cs[0], &v);
	take(&b);
	report("session", "create", &a, &b, NULL);

	session_phase(cs, n, &v, build_publish, "publish_key", &a, &b, 120);
	report("session", "publish_key", &a, &b, NULL);

	make_pool(ct);
	session_phase(cs, n, &v, build_submit, "submit", &a, &b, 300);
	held = held_statement_bytes(&v);
	report("session", "submit", &a, &b, "held_ct_bytes=%llu "
	    "held_statement_bytes=%llu", (unsigned long long)n * n * ct, held);

	v2_fix_cohort(&v);
	session_phase(cs, n, &v, build_get_share, "get_share", &a, &b, 600);
	report("session", "get_share", &a, &b, "resp_bytes=%llu", resp_bytes);

	session_phase(cs, n, &v, build_cohort, "post_cohort", &a, &b, 300);
	report("session", "post_cohort", &a, &b, NULL);

	session_phase(cs, n, &v, build_post, "post_sumpoint", &a, &b, 300);
	report("session", "post_sumpoint", &a, &b, NULL);

	a = b;
	frame = req_list(v.id, &len);
	send_all(cs, 1, &frame, &len, 60, "list_sumpoints");
	take(&b);
	report("session", "list_sumpoints", &a, &b, "resp_bytes=%llu", resp_bytes);
	report("session", "total", &c0, &b, "n=%ld t=%ld L=%ld held_ct_bytes=%llu "
	    "held_statement_bytes=%llu held_sumpoint_bytes=%llu", n, t, L,
	    (unsigned long long)n * n * ct, held, (unsigned long long)n * L * 8);
	/* What stays once every party has gone (the server's tick runs each second). */
	for (i = 0; i < n; i++)
		lc_close(&cs[i]);
	a = b;
	usleep(1500 * 1000);
	take(&b);
	report("session", "after_close", &a, &b, "held_ct_bytes=%llu "
	    "held_statement_bytes=%llu", (unsigned long long)n * n * ct, held);
	v2_free(&v);
	free(cs);
}

/* ---- one connection per party, in turn ------------------------------------ */

/*
 * A sweep over the parties 0..n-1 but `skip`: each gets a connection of
 * its own, at most `slots` at once; once it is up, sweep_send queues that
 * party's requests, and once all are answered the connection closes and
 * the next party's opens. (fill and cohort: as many parties as a session
 * has, each with its own certificate, without holding n connections.)
 */
static long sweep_next, sweep_done, sweep_total, sweep_skip, sweep_n;
static void (*sweep_send)(struct lconn *);

static int done_sweep(void) { return sweep_done >= sweep_total || n_failed > 0; }

static void
sweep_open_next(void)
{
	if (sweep_next == sweep_skip)
		sweep_next++;
	if (sweep_next < sweep_n)
		lc_open(lc_new(), (int)sweep_next++, 0);
}

static void
sweep_ready(struct lconn *c)
{
	sweep_send(c);
}

static void
sweep_resp(struct lconn *c, const struct resp *r)
{
	if (r->code != 0)
		die("%s got code %d: %s", idents[c->party].name, r->code, r->msg);
	if (c->inflight > 0)
		return;
	sweep_done++;
	lc_bury(c);
	sweep_open_next();
}

static void
sweep(long n, long skip, long slots, void (*send)(struct lconn *),
    const char *what)
{
	long i;

	sweep_n = n;
	sweep_skip = skip;
	sweep_next = sweep_done = 0;
	sweep_total = skip >= 0 && skip < n ? n - 1 : n;
	sweep_send = send;
	on_ready = sweep_ready;
	on_resp = sweep_resp;
	for (i = 0; i < slots && i < sweep_total; i++)
		sweep_open_next();
	if (!loop_until(done_sweep, 600) || n_failed > 0)
		die("%s: %ld of %ld parties done", what, sweep_done, sweep_total);
}

/* ---- mode: fill ------------------------------------------------------------ */

static long fill_target;
static uint8_t fill_pk[32];
static struct v2sess fill_v;

/* PublishKey, then SubmitShares with one real share (to the target). */
static void
fill_send(struct lconn *c)
{
	const size_t ct = sealed_len((size_t)opt_L);
	uint8_t **cts = xcalloc((size_t)opt_n, sizeof(*cts)), *real, sk[32], *b;
	uint64_t *vals = xmalloc((size_t)opt_L * sizeof(*vals));
	size_t len;

	b = req_publish(c->party, &len);
	lc_send(c, b, len, 1);
	/* The one real ciphertext: random field elements sealed to the target. */
	if (pki_load_enc_key(opt_certs, idents[c->party].name, sk) != SS_OK)
		die("cannot load %s/%s.enc.key", opt_certs, idents[c->party].name);
	if (field_random(vals, (size_t)opt_L) != SS_OK)
		die("field_random");
	real = xmalloc(ct);
	if (sealed_seal(fill_v.d, idents[c->party].name, idents[fill_target].name,
	    vals, (size_t)opt_L, sk, fill_pk, real, ct) != SS_OK)
		die("sealed_seal");
	OPENSSL_cleanse(sk, sizeof(sk));
	cts[fill_target] = real;
	v2_submit(&fill_v, c->party, ct, cts);
	b = req_submit(&fill_v, c->party, ct, cts, &len);
	/* Not needed again: n SUBMITs of 32 n bytes would pile up. */
	free(fill_v.submit[c->party].body);
	fill_v.submit[c->party].body = NULL;
	free(real);
	free(cts);
	free(vals);
	lc_send(c, b, len, 1);
}

static void
mode_fill(void)
{
	const size_t ct = sealed_len((size_t)opt_L);
	const char *sid;
	char code[INVITE_CODE_BUF];
	uint8_t sk[32];
	struct sample a, z;
	struct lconn cc;
	long conc;

	setup_client(opt_n);
	sid = session_name("fill");
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
		v2_new(&fill_v, sid, opt_n, opt_t ? opt_t : 1, opt_L);
		connect_all(&cc, 1, (int[]){ (int)fill_target }, 30);
		create_on(&cc, &fill_v);
		lc_close(&cc);
	} else if (opt_invite != NULL)
		v2_join(&fill_v, sid, opt_invite, opt_n, opt_t ? opt_t : 1, opt_L);
	else
		die("fill wants --create, or --invite CODE for a session created before");
	/* Keep about 256 MB of requests (shares and SUBMIT) in flight at most. */
	conc = (long)((256u << 20) / ((size_t)opt_n * (ct + 80 +
	    STATEMENT_HASH_LEN) + 1));
	if (conc > 64)
		conc = 64;
	if (conc < 1)
		conc = 1;
	sweep(opt_n, fill_target, conc, fill_send, "fill");
	take(&z);
	invite_encode(fill_v.d, code);
	report("fill", "total", &a, &z, "n=%ld L=%ld senders=%ld invite=%s", opt_n,
	    opt_L, opt_n - 1, code);
	v2_free(&fill_v);
}

/* ---- mode: cohort ---------------------------------------------------------- */

static struct v2sess cohort_v;

/* The identity named name, or -1. */
static long
ident_index(const char *name)
{
	long i;

	for (i = 0; i < nidents; i++)
		if (strcmp(idents[i].name, name) == 0)
			return i;
	return -1;
}

/* The GetShare answer: every sender's SUBMIT body into cohort_v. */
static void
cohort_read(struct lconn *c, const struct resp *r)
{
	Securesum__Response *m;
	const Securesum__IncomingShare *in;
	struct sstmt *st;
	size_t i;
	long k;

	(void)c;
	n_resp++;
	if (r->code != 0)
		die("cohort: GetShare answered code %d: %s", r->code, r->msg);
	if (r->whole == NULL || (m = securesum__response__unpack(NULL, r->len,
	    r->whole)) == NULL || m->body_case != SECURESUM__RESPONSE__BODY_GET_SHARE)
		die("cohort: cannot read the GetShare answer");
	for (i = 0; i < m->get_share->n_shares; i++) {
		in = m->get_share->shares[i];
		if ((k = ident_index(in->sender)) < 0 || k >= cohort_v.n ||
		    in->submit == NULL || in->submit->body.len == 0)
			die("cohort: a share without its dealer's SUBMIT");
		st = &cohort_v.submit[k];
		free(st->body);
		st->body = xmalloc(in->submit->body.len);
		memcpy(st->body, in->submit->body.data, in->submit->body.len);
		st->len = in->submit->body.len;
	}
	securesum__response__free_unpacked(m, NULL);
}

static void
cohort_send(struct lconn *c)
{
	size_t len;
	uint8_t *b = req_cohort(&cohort_v, c->party, &len);

	lc_send(c, b, len, 1);
}

static void
mode_cohort(void)
{
	struct sample a, z;
	struct lconn cc;
	uint8_t *b;
	size_t len;
	long target = opt_target - 1;
	int reader;

	if (opt_session == NULL || opt_invite == NULL)
		die("cohort wants --session ID and --invite CODE");
	if (target < 0 || target >= opt_n)
		die("--target out of range");
	setup_client(opt_n);
	v2_join(&cohort_v, opt_session, opt_invite, opt_n, opt_t ? opt_t : 1,
	    opt_L);
	take(&a);
	/* Any member's GetShare carries every member's SUBMIT. */
	reader = target == 0 ? 1 : 0;
	connect_all(&cc, 1, &reader, 30);
	cc.keep_whole = 1;
	on_resp = cohort_read;
	n_resp = 0;
	b = req_get_share(cohort_v.id, reader, &len);
	lc_send(&cc, b, len, 1);
	lc_drive(&cc, 0);
	wait_resp(1, 120, "cohort: get_share");
	lc_close(&cc);
	v2_fix_cohort(&cohort_v);
	sweep(opt_n, target, 64, cohort_send, "cohort");
	take(&z);
	report("cohort", "total", &a, &z, "n=%ld signers=%ld", opt_n, opt_n - 1);
	v2_free(&cohort_v);
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

/*
 * --mutate-every: now and then connection 0 creates a session instead (of
 * two parties, with a nonce of its own), a change the server must journal
 * and later snapshot, so that the latency figures show what disk work does
 * to everyone else.
 */
/* Sends on c the creation of session sid of two parties (rate, creates). */
static void
send_create2(struct lconn *c, const char *sid)
{
	char id[80];
	struct v2sess v;
	size_t len;
	uint8_t *b;

	/* In the namespace of c's party, which creates it. */
	snprintf(id, sizeof(id), "%s/%s", idents[c->party].name, sid);
	v2_new(&v, id, 2, 1, 1);
	b = req_create(&v, &len);
	v2_free(&v);
	lc_send(c, b, len, 1);
}

static void
rate_mutate(struct lconn *c)
{
	char sid[64];

	snprintf(sid, sizeof(sid), "lg-mut-%d-%ld", (int)getpid(), rate_nmut++);
	send_create2(c, sid);
}

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
	if (c->slot == 0 && opt_mutate_ms > 0 && t - rate_last_mut >= opt_mutate_ms / 1e3) {
		rate_mutate(c);
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
	struct v2sess v;
	struct sample a, b;
	long i, d;

	setup_client(n);
	v2_new(&v, session_name("rate"), n, 1, 1);
	rate_conns = xcalloc((size_t)n, sizeof(*rate_conns));
	connect_all(rate_conns, n, NULL, 120);
	prepare_session(rate_conns, n, &v, 1);
	rate_frames = xcalloc((size_t)n, sizeof(*rate_frames));
	rate_lens = xcalloc((size_t)n, sizeof(*rate_lens));
	for (i = 0; i < n; i++)
		rate_frames[i] = req_post(&v, i, &rate_lens[i]);
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
	v2_free(&v);
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
	struct lconn *setup;
	struct v2sess v;
	struct sample a, b;
	long i;

	setup_client(P);
	v2_new(&v, session_name("conn"), P, 1, 1);
	setup = xcalloc((size_t)P, sizeof(*setup));
	connect_all(setup, P, NULL, 60);
	prepare_session(setup, P, &v, 1);
	for (i = 0; i < P; i++)
		lc_close(&setup[i]);
	conn_frames = xcalloc((size_t)P, sizeof(*conn_frames));
	conn_lens = xcalloc((size_t)P, sizeof(*conn_lens));
	for (i = 0; i < P; i++)
		conn_frames[i] = req_post(&v, i, &conn_lens[i]);
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
	v2_free(&v);
}

/* ---- mode: bulk ------------------------------------------------------------ */

/*
 * S sessions of two parties A (p0001) and B (p0002), L chosen so that a
 * sealed share is exactly --share-bytes. Connections alternate A, B; each
 * works through its own slice of the sessions with --depth requests in
 * flight. Upload: SubmitShares (2 shares each). Download: GetShare.
 */
static struct v2sess *bulk_v;     /* the sessions, their SUBMITs signed ahead */
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
		b = req_submit(&bulk_v[s], c->party, sealed_len((size_t)bulk_L),
		    NULL, &len);
	else
		b = req_get_share(bulk_v[s].id, c->party, &len);
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
	/* Connections 0 and 1 are the two parties: their keys, once. */
	round_all(bulk_conns, 2, NULL, build_publish, 60, "publish");
	bulk_v = xcalloc((size_t)opt_sessions, sizeof(*bulk_v));
	n_resp = 0;
	for (i = 0; i < opt_sessions; i++) {
		char sid[48];
		uint8_t *fr;

		snprintf(sid, sizeof(sid), "lg-bulk-%d-%ld", (int)getpid(), i);
		v2_new(&bulk_v[i], sid, 2, 1, bulk_L);
		fr = req_create(&bulk_v[i], &len);
		lc_send(&bulk_conns[0], fr, len, 1);
		/* Signed before the clock starts (the pool's digests are kept). */
		v2_submit(&bulk_v[i], 0, share, NULL);
		v2_submit(&bulk_v[i], 1, share, NULL);
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
	for (i = 0; i < opt_sessions; i++)
		v2_free(&bulk_v[i]);
	free(bulk_v);
}

/* ---- mode: creates -------------------------------------------------------- */

/*
 * S sessions of two parties created on one connection (p0001), D requests
 * in flight, for the cost of a create as the server holds more sessions
 * (issue 12: its lookup scanned them all). Two phases: the first tenth of
 * the creates and the last tenth, each with its rate.
 */
static long cr_sent, cr_done, cr_win;
static struct sample cr_s[4];   /* start, first tenth done, last tenth begun, end */

static int done_creates(void) { return cr_done >= opt_sessions || n_failed > 0; }

static void
creates_issue(struct lconn *c)
{
	char sid[64];

	if (cr_sent >= opt_sessions)
		return;
	snprintf(sid, sizeof(sid), "lg-cr-%d-%ld", (int)getpid(), cr_sent++);
	send_create2(c, sid);
}

static void
creates_resp(struct lconn *c, const struct resp *r)
{
	if (r->code != 0)
		die("creates: code %d: %s", r->code, r->msg);
	cr_done++;
	if (cr_done == cr_win)
		take(&cr_s[1]);
	if (cr_done == opt_sessions - cr_win)
		take(&cr_s[2]);
	creates_issue(c);
}

static void
mode_creates(void)
{
	struct lconn c;
	long d;

	if (opt_sessions < 10)
		die("creates wants --sessions 10 or more");
	setup_client(2);
	connect_all(&c, 1, NULL, 30);
	on_resp = creates_resp;
	cr_win = opt_sessions / 10;
	take(&cr_s[0]);
	for (d = 0; d < opt_depth; d++)
		creates_issue(&c);
	lc_drive(&c, 0);
	if (!loop_until(done_creates, 3600) || n_failed > 0)
		die("creates: %ld of %ld done", cr_done, opt_sessions);
	take(&cr_s[3]);
	report("creates", "first", &cr_s[0], &cr_s[1], "creates=%ld rate=%.1f",
	    cr_win, cr_win / (cr_s[1].t - cr_s[0].t));
	report("creates", "last", &cr_s[2], &cr_s[3], "creates=%ld rate=%.1f "
	    "held=%ld", cr_win, cr_win / (cr_s[3].t - cr_s[2].t), opt_sessions);
	lc_close(&c);
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
	    "modes: session fill cohort rate connrate bulk creates hsref (see the top of bench/loadgen.c)\n"
	    "  --server HOST:PORT  --certs DIR  --prefix P (parties P0001...)\n"
	    "  --server-pid PID    sample the server's CPU, memory and traffic\n"
	    "  --n N --L L --t T   session shape (session, fill, cohort)\n"
	    "  --session ID --target I --create   (fill: prints the invite code)\n"
	    "  --session ID --invite CODE --target I   (cohort; fill without --create)\n"
	    "  --conns C --depth D --seconds S --warmup W   (rate, bulk)\n"
	    "  --mutate-every MS   (rate: create a session every MS ms on connection 0)\n"
	    "  --concurrency K --parties P   (connrate)\n"
	    "  --sessions S --share-bytes B  (bulk)\n"
	    "  --sessions S --depth D   (creates)\n"
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
		else if (OPT("--invite")) opt_invite = v;
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
	else if (strcmp(mode, "cohort") == 0)
		mode_cohort();
	else if (strcmp(mode, "rate") == 0)
		mode_rate();
	else if (strcmp(mode, "connrate") == 0)
		mode_connrate();
	else if (strcmp(mode, "bulk") == 0)
		mode_bulk();
	else if (strcmp(mode, "creates") == 0)
		mode_creates();
	else if (strcmp(mode, "hsref") == 0)
		mode_hsref(server_certs != NULL ? server_certs : opt_certs);
	else
		usage();
	return 0;
}
