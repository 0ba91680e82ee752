/*
 * server.c: mpc-server's event loop: start-up, the timers (deadlines and
 * the tick), signals and shutdown. The journal's syncs and the snapshots
 * live in persistence.c, connections in connection.c, the snapshot's child
 * process in bgsave.c.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "acceptor.h"
#include "bgsave.h"
#include "bigmem.h"
#include "budget.h"
#include "clock.h"
#include "connection.h"
#include "credentials.h"
#include "err.h"
#include "frame.h"
#include "frame_in.h"
#include "hpke.h"
#include "journal.h"
#include "listener.h"
#include "log.h"
#include "metrics_http.h"
#include "pki.h"
#include "rpc.h"
#include "server.h"
#include "server_internal.h"
#include "snapshot.h"
#include "statelock.h"
#include "statement.h"

/* The least default --max-memory, whatever the machine reports. */
#define MIN_DEFAULT_MEMORY (UINT64_C(256) << 20)


/* Half the physical memory, at least 256 MiB: the default --max-memory. */
static uint64_t
default_max_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	uint64_t half;

	if (pages <= 0 || size <= 0 ||
	    (uint64_t)pages > UINT64_MAX / (uint64_t)size)
		return MIN_DEFAULT_MEMORY;
	half = (uint64_t)pages * (uint64_t)size / 2;
	return half > MIN_DEFAULT_MEMORY ? half : MIN_DEFAULT_MEMORY;
}

void
server_default_config(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->snapshot_interval = 10;
	cfg->max_frame = FRAME_DEFAULT_MAX;
	cfg->max_connections = 4096;
	cfg->handshake_timeout = 10;
	cfg->idle_timeout = 300;
	cfg->max_output = 64u * 1024 * 1024;
	cfg->max_memory = default_max_memory();
	cfg->fsync = FSYNC_ALWAYS;
	store_default_limits(&cfg->limits);
}

/* ---- the tick, and stopping ------------------------------------------- */

/* One line for the sessions --session-ttl dropped since the last one. */
static void
log_expired(struct server *srv)
{
	const struct store *s = srv->rpc.store;

	if (s->expired == srv->expired_logged)
		return;
	logmsg("dropped %llu session(s) idle for --session-ttl %llu s (%llu since "
	    "start; %zu held)", (unsigned long long)(s->expired -
	    srv->expired_logged), (unsigned long long)s->lim.session_ttl,
	    (unsigned long long)s->expired, s->nsessions);
	srv->expired_logged = s->expired;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd; (void)what;
	store_tick(srv->rpc.store, clock_wall_ms() / 1000);
	conns_tick(&srv->conns);
	log_expired(srv);
	/* Give back what departed connections and handled frames freed. */
	(void)malloc_trim(0);
	if (srv->cfg->fsync == FSYNC_ALWAYS &&
	    journal_written_seq(srv->journal) != journal_synced_seq(srv->journal))
		event_active(srv->flush_ev, EV_TIMEOUT, 0);
	/*
	 * The sync thread's eventfd write does not fail in practice; polling
	 * here too makes a lost wake-up cost a second rather than a hang.
	 */
	if (srv->synced_ev != NULL && !srv->stopping)
		persist_on_synced(-1, 0, srv);
	/* A SIGCHLD folded into another one costs a second, no zombie. */
	persist_reap(srv);
	persist_if_outgrown(srv);
}

/* While stopping: ends the loop once every response has been sent, or at the deadline. */
static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd; (void)what;
	if (!conns_sending(&srv->conns) || clock_wall_ms() >= srv->stop_deadline_ms)
		event_base_loopbreak(srv->base);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	struct timeval tv = { 0, 20000 };

	(void)what;
	if (srv->stopping)
		return;
	srv->stopping = 1;
	logmsg("signal %d: finishing what is in flight, writing a final snapshot, "
	    "stopping", (int)sig);
	/* The final snapshot replaces the one a child may be writing. */
	bgsave_kill(&srv->bgsave);
	acceptor_close(&srv->acceptor);
	conns_stop_reading(&srv->conns);
	if (srv->journal_open && journal_sync(srv->journal) != SS_OK) {
		logmsg("%s", ss_error_msg(journal_error(srv->journal)));
		srv->exit_status = 1;
	} else {
		conns_release_held(&srv->conns);
	}
	if (persist_save(srv) != SS_OK)
		srv->exit_status = 1;
	srv->stop_deadline_ms = clock_wall_ms() + 1000;
	srv->drain_ev = event_new(srv->base, -1, EV_PERSIST, on_drain, srv);
	if (srv->drain_ev == NULL || event_add(srv->drain_ev, &tv) != 0)
		event_base_loopbreak(srv->base);
}

/* ---- start-up: the listening socket ------------------------------------ */

/* Listens on the configured address, the connections taking what arrives. */
static int SS_WUR
listen_on(struct server *srv, char *shown, size_t shownlen, struct ss_error *e)
{
	evutil_socket_t fd = -1;

	if (listener_bind("--listen", srv->cfg->listen, shown, shownlen, &fd,
	    e) != SS_OK)
		return e->code;
	return acceptor_open(&srv->acceptor, srv->base, fd, conns_accept,
	    &srv->conns, e);
}

/* ---- metrics ------------------------------------------------------------ */

/* What a scrape or GetServerInfo reads at the moment it asks. */
static void
server_gauges(void *ctx, struct metrics_gauges *g)
{
	struct server *srv = ctx;
	const struct store *st = srv->rpc.store;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->now_unix_ms = clock_wall_ms();
	for (i = 0; i < st->nsessions; i++)
		if ((unsigned)st->sessions[i]->phase < METRICS_PHASES)
			g->sessions[st->sessions[i]->phase]++;
	g->sessions_max = st->lim.max_sessions;
	g->sessions_deleted = st->deleted;
	g->sessions_expired = st->expired;
	g->stored_bytes = st->stored_bytes;
	g->stored_bytes_max = st->lim.max_stored_bytes;
	g->connections = srv->conns.n;
	g->connections_max = srv->cfg->max_connections;
	g->watching = srv->conns.watching;
	g->warm_memory = bigmem_pool_held();
	g->warm_memory_max = bigmem_pool_size();
	g->journal_ok = journal_error(srv->journal)->code == SS_OK;
	g->journal_unsynced = journal_written_seq(srv->journal) -
	    journal_synced_seq(srv->journal);
	journal_fsync_latency(srv->journal, &g->fsync);
}

/* --metrics-listen, when given: its socket, served from the loop. */
static int SS_WUR
metrics_listen(struct server *srv, struct ss_error *e)
{
	struct metrics_source src = { &srv->metrics, server_gauges, srv };
	evutil_socket_t fd;
	char shown[300];

	if (srv->cfg->metrics_listen == NULL)
		return SS_OK;
	if (listener_bind("--metrics-listen", srv->cfg->metrics_listen, shown,
	    sizeof(shown), &fd, e) != SS_OK ||
	    metrics_http_start(&srv->http, srv->base, fd, &src, e) != SS_OK)
		return e->code;
	log_at(LOG_INFO, "metrics listen=%s path=/metrics", shown);
	return SS_OK;
}

/* ---- start-up: state, keys, the loop ---------------------------------- */

/* Whether e's signing certificate, if it has one, still verifies. */
static int
signer_valid(X509_STORE *ca, const struct key_entry *e)
{
	X509 *x = NULL;

	if (e->sign_der == NULL)
		return 1;
	if (statement_load_signer(ca, e->sign_der, e->sign_len, e->name, &x,
	    NULL) != SS_OK)
		return 0;
	X509_free(x);
	return 1;
}

/*
 * Drops from the directory every entry whose certificates no longer verify
 * against the CA and its revocation list (crl.pem is read at start and at
 * SIGHUP): a revoked party's key or signing certificate, published before,
 * must not be served after a restart or a reload.
 */
static void
recheck_directory(struct server *srv)
{
	struct store *s = srv->rpc.store;
	uint8_t pk[HPKE_KEY_LEN];
	size_t i = 0;

	while (i < s->nkeys) {
		struct key_entry *e = &s->keys[i];

		if (pki_verify_enc_cert(srv->rpc.ca, e->der, e->der_len, e->name,
		    pk) == SS_OK && signer_valid(srv->rpc.ca, e)) {
			i++;
			continue;
		}
		logmsg("dropping %s's certificates: they no longer verify "
		    "(revoked or expired)", e->name);
		store_drop_key(s, e->name);
	}
}

/* Adds (or replaces) the certificate of file (NAME.enc.crt) in the certs folder. */
static void
load_certificate(struct server *srv, const char *file, const char *name)
{
	const char *dir = srv->cfg->certs_dir;
	struct ss_error st;
	uint8_t *der, pk[HPKE_KEY_LEN];
	size_t len;
	int replaced;

	if (!name_valid(name) || pki_load_enc_cert(dir, name, &der, &len) != SS_OK)
		return;
	if (pki_verify_enc_cert(srv->rpc.ca, der, len, name, pk) != SS_OK)
		logmsg("ignoring %s/%s: not a valid encryption-key certificate",
		    dir, file);
	else if (store_replace_key(srv->rpc.store, name, der, len, &replaced,
	    &st) != SS_OK)
		logmsg("cannot add %s/%s: %s", dir, file, st.msg);
	else if (replaced)
		logmsg("%s/%s replaces the certificate %s had published",
		    dir, file, name);
	free(der);
}

/* Seeds the key directory with the encryption certificates in the certs folder. */
static void
load_directory(struct server *srv)
{
	struct dirent *de;
	char name[NAME_BUF];
	size_t nl;
	DIR *d;

	if ((d = opendir(srv->cfg->certs_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl <= 8 || strcmp(de->d_name + nl - 8, ".enc.crt") != 0 ||
		    nl - 8 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, nl - 8);
		name[nl - 8] = '\0';
		load_certificate(srv, de->d_name, name);
	}
	closedir(d);
}

/* The start-up line of what open_state loaded, and its figures. */
static void
log_loaded(struct server *srv, size_t snap_sessions, uint64_t replayed, uint64_t t0)
{
	struct metrics *m = &srv->metrics;
	uint64_t now = clock_wall_ms();

	m->loaded_sessions = srv->rpc.store->nsessions;
	m->replayed_records = replayed;
	m->load_seconds = now > t0 ? (double)(now - t0) / 1000 : 0;
	log_at(LOG_INFO, "loaded state=%s sessions=%zu snapshot_sessions=%zu "
	    "journal_records=%llu stored_bytes=%llu seconds=%.3f",
	    srv->cfg->state_dir, srv->rpc.store->nsessions, snap_sessions,
	    (unsigned long long)replayed,
	    (unsigned long long)srv->rpc.store->stored_bytes, m->load_seconds);
}

/*
 * The memory budget, counting the store's held bytes, which the store and
 * the connections consult from now on; a line saying where it starts.
 */
static void
start_budget(struct server *srv)
{
	struct store *s = srv->rpc.store;

	budget_init(&srv->budget, srv->cfg->max_memory, &s->stored_bytes);
	budget_count_also(&srv->budget, &s->meta_bytes);
	s->budget = &srv->budget;
	srv->conns.budget = &srv->budget;
	logmsg("memory budget %llu bytes (--max-memory), %llu held by the "
	    "sessions loaded%s", (unsigned long long)srv->cfg->max_memory,
	    (unsigned long long)s->stored_bytes,
	    s->stored_bytes > srv->cfg->max_memory ? ": over it, so every "
	    "request that adds to it is refused until sessions are dropped" :
	    "");
}

/*
 * --warm-memory: memory touched now, so that frames and held shares are
 * not each a first touch (core/bigmem.h). Not having it costs speed only.
 */
static void
start_warm_memory(const struct server_config *cfg)
{
	uint64_t t0;

	if (cfg->warm_memory == 0)
		return;
	t0 = clock_mono_ms();
	if (cfg->warm_memory > SIZE_MAX ||
	    bigmem_pool_init((size_t)cfg->warm_memory) != SS_OK) {
		logmsg("--warm-memory %llu: not had (%s); going on without it",
		    (unsigned long long)cfg->warm_memory, strerror(errno));
		return;
	}
	logmsg("warm memory %zu bytes touched in %.3f s (--warm-memory)",
	    bigmem_pool_size(), (double)(clock_mono_ms() - t0) / 1000);
}

/* ---- SIGHUP: the certificates again ------------------------------------ */

/*
 * Loads the certs folder's files afresh, in the loop (libevent turns the
 * signal into an event): new connections take the new TLS context, open
 * ones keep the one they started with (each SSL holds a reference), and
 * the published keys a new revocation covers leave the directory. Any
 * failure leaves everything in force as it was.
 */
static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	const char *dir = srv->cfg->certs_dir;
	struct credentials next;
	struct ss_error e;
	char loaded[512];

	(void)sig; (void)what;
	if (srv->stopping)
		return;
	ss_error_clear(&e);
	if (credentials_load(dir, &next, &e) != SS_OK ||
	    credentials_may_replace(&srv->cred, &next, dir, &e) != SS_OK) {
		credentials_free(&next);
		logmsg("SIGHUP: reload refused, the certificate, key and "
		    "revocation list loaded before stay in force: %s",
		    ss_error_msg(&e));
		return;
	}
	credentials_free(&srv->cred);
	srv->cred = next;
	srv->conns.ssl = srv->cred.ssl;
	srv->rpc.ca = srv->cred.ca;
	credentials_describe(&srv->cred, loaded, sizeof(loaded));
	logmsg("SIGHUP: reloaded from %s: %s; new connections use them, open "
	    "ones keep theirs", dir, loaded);
	recheck_directory(srv);
}

/* The snapshot and the journal's records after it, in a new store. */
static int SS_WUR
open_state(struct server *srv, struct ss_error *e)
{
	const struct server_config *cfg = srv->cfg;
	uint64_t t0 = clock_wall_ms(), snap_seq;
	size_t snap_sessions;
	long long left;
	int rc;

	/* Before anything in the folder is read: a second server stops here. */
	if ((rc = statelock_take(cfg->state_dir, &srv->lock_fd, e)) != SS_OK)
		return rc;
	if ((rc = snapshot_remove_leftover(cfg->state_dir, &left, e)) != SS_OK)
		return rc;
	if (left >= 0)
		logmsg("removed %s/%s.tmp (%lld bytes), left by a snapshot that "
		    "never finished", cfg->state_dir, SNAPSHOT_FILE, left);
	if ((rc = snapshot_load(cfg->state_dir, &cfg->limits, &srv->rpc.store,
	    e)) != SS_OK)
		return rc;
	snap_seq = srv->rpc.store->journal_seq;
	snap_sessions = srv->rpc.store->nsessions;
	if ((rc = journal_open(&srv->journal, cfg->state_dir, srv->rpc.store,
	    cfg->fsync, logmsg, e)) != SS_OK)
		return rc;
	srv->journal_open = 1;
	log_loaded(srv, snap_sessions, srv->rpc.store->journal_seq - snap_seq, t0);
	srv->rpc.store->version = 0;
	start_budget(srv);
	start_warm_memory(srv->cfg);
	return SS_OK;
}

/*
 * The TLS context and the CA, then the key directory checked against it;
 * only then does the store start logging its changes to the journal.
 */
static int SS_WUR
open_keys(struct server *srv, struct ss_error *e)
{
	struct store_log log;
	char loaded[512];

	if (credentials_load(srv->cfg->certs_dir, &srv->cred, e) != SS_OK)
		return e->code;
	srv->rpc.ca = srv->cred.ca;
	credentials_describe(&srv->cred, loaded, sizeof(loaded));
	logmsg("loaded from %s: %s", srv->cfg->certs_dir, loaded);
	recheck_directory(srv);
	load_directory(srv);
	log_at(LOG_INFO, "certificates dir=%s crl=%s published_keys=%zu",
	    srv->cfg->certs_dir, srv->cred.crl.present ? "yes" : "no",
	    srv->rpc.store->nkeys);
	log = journal_store_log(srv->journal);
	store_set_log(srv->rpc.store, &log);
	srv->saved_version = srv->rpc.store->version;
	return SS_OK;
}

static struct event_base *
new_event_base(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *base = NULL;

	if (ec != NULL && event_config_set_flag(ec,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
		base = event_base_new_with_config(ec);
	if (ec != NULL)
		event_config_free(ec);
	return base;
}

/*
 * The loop and the group commit's event. Connections run at priority 0;
 * the group commit after them, at 1. The changelist folds the
 * enable/disable calls of one loop turn into one epoll_ctl (measured: 5-10 %
 * more small RPCs per CPU second).
 */
static int SS_WUR
open_loop(struct server *srv, struct ss_error *e)
{
	struct conns *cs = &srv->conns;

	if ((srv->base = new_event_base()) == NULL ||
	    event_base_priority_init(srv->base, 2) != 0 ||
	    (srv->flush_ev = event_new(srv->base, -1, 0, persist_on_flush, srv)) == NULL ||
	    event_priority_set(srv->flush_ev, 1) != 0)
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up the event loop");
	cs->cfg = srv->cfg;
	cs->base = srv->base;
	cs->ssl = srv->cred.ssl;
	cs->rpc = &srv->rpc;
	cs->journal = srv->journal_open ? srv->journal : NULL;
	cs->flush_ev = srv->flush_ev;
	cs->metrics = &srv->metrics;
	srv->rpc.info.metrics = &srv->metrics;
	srv->rpc.info.gauges = server_gauges;
	srv->rpc.info.ctx = srv;
	srv->rpc.monitors = srv->cfg->monitors;
	if (conns_watch_start(cs) != SS_OK)
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up the event loop");
	return SS_OK;
}

/*
 * The boot epoch, the high half of every session's version: random, so
 * that a version seen before a restart is never current after it, and
 * nonzero, which says that the server watches (docs/PROTOCOL.md 7.6).
 */
static int SS_WUR
choose_epoch(struct server *srv, struct ss_error *e)
{
	uint8_t b[4];

	do {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return ss_error_set(e, SS_ERR_INTERNAL, "no random bytes "
			    "for the boot epoch");
		srv->rpc.epoch = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	} while (srv->rpc.epoch == 0);
	return SS_OK;
}

/*
 * fdatasync runs in the journal's own thread, never in the loop; its news
 * is handled at the connections' priority, so that answers held for it go
 * out at once.
 */
static int SS_WUR
watch_sync_thread(struct server *srv, struct ss_error *e)
{
	if (srv->cfg->fsync == FSYNC_NO)
		return SS_OK;
	ss_error_set(e, SS_ERR_INTERNAL, "cannot watch the journal's sync thread");
	if (journal_sync_thread_start(srv->journal, e) != SS_OK ||
	    (srv->synced_ev = event_new(srv->base, journal_notify_fd(srv->journal),
	    EV_READ | EV_PERSIST, persist_on_synced, srv)) == NULL ||
	    event_priority_set(srv->synced_ev, 0) != 0 ||
	    event_add(srv->synced_ev, NULL) != 0)
		return e->code;
	ss_error_clear(e);
	return SS_OK;
}

static int SS_WUR
add_timer(struct server *srv, struct event **ev, unsigned seconds,
    event_callback_fn fn)
{
	struct timeval tv = { (time_t)seconds, 0 };

	*ev = event_new(srv->base, -1, EV_PERSIST, fn, srv);
	return *ev == NULL || event_add(*ev, &tv) != 0 ? SS_ERR_INTERNAL : SS_OK;
}

static int SS_WUR
add_signal(struct server *srv, struct event **ev, int sig, event_callback_fn fn)
{
	*ev = evsignal_new(srv->base, sig, fn, srv);
	return *ev == NULL || evsignal_add(*ev, NULL) != 0 ? SS_ERR_INTERNAL : SS_OK;
}

/* SIGTERM, SIGINT, SIGHUP, SIGCHLD, the tick, the snapshot and the sync timers. */
static int SS_WUR
add_events(struct server *srv, struct ss_error *e)
{
	const struct server_config *cfg = srv->cfg;

	if (add_signal(srv, &srv->child_ev, SIGCHLD, persist_on_child) != SS_OK ||
	    add_signal(srv, &srv->sigterm_ev, SIGTERM, on_signal) != SS_OK ||
	    add_signal(srv, &srv->sigint_ev, SIGINT, on_signal) != SS_OK ||
	    add_signal(srv, &srv->sighup_ev, SIGHUP, on_reload) != SS_OK ||
	    add_timer(srv, &srv->tick_ev, 1, on_tick) != SS_OK ||
	    add_timer(srv, &srv->snap_ev, cfg->snapshot_interval, persist_on_snapshot) != SS_OK ||
	    (cfg->fsync == FSYNC_EVERYSEC &&
	    add_timer(srv, &srv->sync_ev, 1, persist_on_flush) != SS_OK))
		return ss_error_set(e, SS_ERR_INTERNAL, "cannot set up the event loop");
	return SS_OK;
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Descriptors besides the connections: stdio, listener, journal, lock, ... */
#define FD_RESERVE 64

/*
 * After the raise: a --max-connections the descriptor limit cannot hold
 * would end in accept failing with EMFILE, so it is refused at start; the
 * default (not given) is lowered to fit, with a log line.
 */
static int SS_WUR
fit_connections(struct server_config *cfg, struct ss_error *e)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return ss_error_set(e, SS_ERR_IO, "getrlimit(RLIMIT_NOFILE): %s",
		    strerror(errno));
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= (rlim_t)cfg->max_connections + FD_RESERVE)
		return SS_OK;
	room = rl.rlim_cur > FD_RESERVE ? rl.rlim_cur - FD_RESERVE : 0;
	if (cfg->max_connections_given || room == 0)
		return ss_error_set(e, SS_ERR_RANGE, "--max-connections %u needs "
		    "%u open files but the limit (ulimit -n, RLIMIT_NOFILE) is "
		    "%llu; raise the limit (ulimit -n, LimitNOFILE= in a systemd "
		    "unit) or give --max-connections %llu or less",
		    cfg->max_connections, cfg->max_connections + FD_RESERVE,
		    (unsigned long long)rl.rlim_cur, (unsigned long long)room);
	logmsg("the open-file limit is %llu: at most %llu connections "
	    "(--max-connections sets it)", (unsigned long long)rl.rlim_cur,
	    (unsigned long long)room);
	cfg->max_connections = (unsigned)room;
	return SS_OK;
}

/*
 * SIGHUP's default action ends the process, and start-up (a long journal
 * replay) can take seconds: until its event is in place, a SIGHUP (say, a
 * `systemctl reload` just after the start) waits blocked, then reloads.
 * Threads started meanwhile keep it blocked, so the loop's thread takes it.
 */
static void
hold_sighup(int how)
{
	sigset_t set;

	if (sigemptyset(&set) != 0 || sigaddset(&set, SIGHUP) != 0 ||
	    pthread_sigmask(how, &set, NULL) != 0)
		logmsg("cannot %s SIGHUP during start-up; continuing",
		    how == SIG_BLOCK ? "block" : "unblock");
}

/* What the process needs before it serves: signals, descriptors, malloc. */
static void
setup_process(void)
{
	hold_sighup(SIG_BLOCK);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit must make a write fail (EFBIG), not kill the server. */
	signal(SIGXFSZ, SIG_IGN);
	raise_fd_limit();
	/*
	 * Blocks of shares and sumpoints are the server's large allocations and
	 * live as long as it does; a fixed mmap threshold gives each its own
	 * mapping, so frames grow by mremap without a copy, and what a frame
	 * leaves over goes back to the kernel instead of fragmenting the heap
	 * (glibc would otherwise raise the threshold after the first free).
	 */
	if (mallopt(M_MMAP_THRESHOLD, FRAME_IN_FIRST_CAP) != 1)
		logmsg("could not set the malloc mmap threshold; continuing");
}

static const char *
fsync_name(enum journal_fsync f)
{
	return f == FSYNC_ALWAYS ? "always" : f == FSYNC_EVERYSEC ? "everysec" : "no";
}

/* libevent's event_free(NULL) crashes; start-up may fail before these exist. */
static void
free_event(struct event *ev)
{
	if (ev != NULL)
		event_free(ev);
}

/* Frees a group of events, in the order given. */
static void
free_events(struct event *const *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free_event(evs[i]);
}

static void
server_free(struct server *srv)
{
	struct event *const journal_evs[] = { srv->flush_ev, srv->sync_ev,
	    srv->synced_ev, srv->drain_ev };
	struct event *const loop_evs[] = { srv->tick_ev, srv->snap_ev,
	    srv->sigterm_ev, srv->sigint_ev, srv->sighup_ev };

	conns_free(&srv->conns);
	metrics_http_free(srv->http);
	free_events(journal_evs, sizeof(journal_evs) / sizeof(journal_evs[0]));
	/* Never a stray child after exit (a stop through persist_sync_failed, say). */
	bgsave_kill(&srv->bgsave);
	free_event(srv->child_ev);
	if (srv->journal_open)
		journal_close(srv->journal);
	free_events(loop_evs, sizeof(loop_evs) / sizeof(loop_evs[0]));
	acceptor_free(&srv->acceptor);
	store_free(srv->rpc.store);
	credentials_free(&srv->cred);
	if (srv->base != NULL)
		event_base_free(srv->base);
	/* Last: the lock is released only once the journal is closed. */
	if (srv->lock_fd >= 0)
		(void)close(srv->lock_fd);
}

int
server_run(const struct server_config *given)
{
	struct server_config cfg = *given;
	struct server srv;
	struct ss_error e;
	char shown[300];

	memset(&srv, 0, sizeof(srv));
	srv.cfg = &cfg;
	srv.lock_fd = -1;
	srv.rpc.now_ms = clock_wall_ms;
	metrics_init(&srv.metrics, clock_wall_ms());
	ss_error_clear(&e);
	setup_process();
	if (fit_connections(&cfg, &e) != SS_OK || choose_epoch(&srv, &e) != SS_OK ||
	    open_state(&srv, &e) != SS_OK || open_keys(&srv, &e) != SS_OK ||
	    open_loop(&srv, &e) != SS_OK ||
	    listen_on(&srv, shown, sizeof(shown), &e) != SS_OK ||
	    metrics_listen(&srv, &e) != SS_OK ||
	    watch_sync_thread(&srv, &e) != SS_OK || add_events(&srv, &e) != SS_OK) {
		log_at(LOG_ERROR, "%s", ss_error_msg(&e));
		server_free(&srv);
		return 1;
	}
	hold_sighup(SIG_UNBLOCK);
	log_at(LOG_INFO, "listening addr=%s max_connections=%u fsync=%s "
	    "version=%s", shown, cfg.max_connections, fsync_name(cfg.fsync),
	    metrics_version());
	printf("listening on %s\n", shown);
	fflush(stdout);
	srv.exit_status = 0;
	if (event_base_dispatch(srv.base) < 0)
		srv.exit_status = 1;
	server_free(&srv);
	return srv.exit_status;
}
