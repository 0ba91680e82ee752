/* main.c: mpc-server's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "log.h"
#include "name.h"
#include "server.h"

/*
 * The largest --max-frame: a frame's body, its header and the buffers'
 * slack must stay below INT_MAX, the most that OpenSSL's and libevent's
 * int-sized reads and lengths can carry (2147483644 spun at 100 % CPU).
 */
#define MAX_FRAME_OPTION (1u << 30)

/* The smallest --max-memory: room for a few connections and frames. */
#define MIN_MEMORY_OPTION (16u << 20)

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mpc-server --listen HOST:PORT --certs DIR --state-dir DIR [options]\n"
"\n"
"The secure-sum coordinator: relays end-to-end encrypted shares and public\n"
"sumpoints between parties over mutually authenticated TLS 1.3, and keeps\n"
"each session's state in memory with snapshots in the state directory.\n"
"Prints \"listening on HOST:PORT\" once it accepts connections.\n"
"\n"
"  --listen HOST:PORT          address to listen on; port 0 picks a free one\n"
"  --certs DIR                 ca.crt, server.crt, server.key (mkcerts.sh)\n"
"  --state-dir DIR             where the snapshot and journal live (created 0700)\n"
"  --snapshot-interval SECS    seconds between snapshots, 1 to 86400 (default 10)\n"
"  --fsync always|everysec|no  when the journal is forced to disk: before any\n"
"                              answer reports a change (default), once a\n"
"                              second, or when the kernel chooses\n"
"  --max-frame BYTES           largest request frame, 1024 to 1073741824\n"
"                              (default 134217728)\n"
"  --max-length N              largest vector length, 1 to 1073741824\n"
"                              (default 4194304)\n"
"  --max-parties N             most parties in a session, 2 to 1048576\n"
"                              (default 4096)\n"
"  --max-sessions N            most sessions held, 1 to 16777216 (default 1024)\n"
"  --session-ttl SECS          drop a session after SECS without a change\n"
"                              (complete, failed or idle; see mpc-server(8)),\n"
"                              0 (never) to 315360000 (default 2592000: 30 days)\n"
"  --max-stored-bytes BYTES    most bytes of shares, sumpoints and certificates\n"
"                              held, 1 to 2^63-1 (default 4 GiB)\n"
"  --max-sessions-per-party N  most sessions held (in any phase) that one\n"
"                              identity created, 1 to 16777216\n"
"                              (default 256)\n"
"  --max-bytes-per-party BYTES most bytes of shares, sumpoints and statements\n"
"                              held in one identity's name, 1 to 2^63-1\n"
"                              (default 1 GiB)\n"
"  --max-memory BYTES          memory budget for all connections' buffers and\n"
"                              frames and every byte held, 16777216 to 2^63-1\n"
"                              (default half the physical memory, at least\n"
"                              256 MiB); a request that would exceed it is\n"
"                              refused with RESOURCE_EXHAUSTED\n"
"  --warm-memory BYTES         memory touched at start and kept for large\n"
"                              frames and held shares, as they are freed too,\n"
"                              0 (default) to --max-memory; for virtual\n"
"                              machines where memory's first touch is dear\n"
"                              (see OPERATIONS.md)\n"
"  --max-connections N         most open connections, 1 to 1048576 and at most\n"
"                              the open-file limit less 64 (default 4096,\n"
"                              lowered to fit that limit)\n"
"  --handshake-timeout SECS    time allowed for a TLS handshake from accept,\n"
"                              1 to 3600 (default 10); at most half of\n"
"                              --max-connections may be in a handshake\n"
"  --idle-timeout SECS         time a silent connection is kept, 1 to 86400\n"
"                              (default 300)\n"
"  --log-level LEVEL           error, warn, info (default: also one line per\n"
"                              request) or debug (also connections)\n"
"  --metrics-listen HOST:PORT  serve GET /metrics (Prometheus text) over\n"
"                              plain HTTP: bind it to localhost or a\n"
"                              management network (default: none)\n"
"  --monitor NAME[,NAME...]    identities that GetServerInfo shows the whole\n"
"                              server's sessions, connections, bytes and\n"
"                              requests; any other party is shown its own\n"
"                              (default: none)\n"
"  --version                   print the version and exit\n"
"  -h, --help                  this text\n");
}

/* --session-ttl's bound: ten years, far from any overflow of a time. */
#define MAX_SESSION_TTL 315360000ull

/* Parses a whole decimal number in [min, max]; exits with a message otherwise. */
static unsigned long long
number(const char *opt, const char *s, unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "mpc-server: %s wants a whole number from %llu to %llu, got '%s'\n",
		    opt, min, max, s);
		exit(2);
	}
	return v;
}

/* Sets the --log-level s names; exits with a message otherwise. */
static void
log_level(const char *s)
{
	enum log_level l;

	if (log_level_parse(s, &l) != 0) {
		fprintf(stderr, "mpc-server: --log-level wants error, warn, info "
		    "or debug, got '%s'\n", s);
		exit(2);
	}
	log_set_level(l);
}

/* The --fsync mode s names; exits with a message otherwise. */
static enum journal_fsync
fsync_mode(const char *s)
{
	if (strcmp(s, "always") == 0)
		return FSYNC_ALWAYS;
	if (strcmp(s, "everysec") == 0)
		return FSYNC_EVERYSEC;
	if (strcmp(s, "no") == 0)
		return FSYNC_NO;
	fprintf(stderr, "mpc-server: --fsync wants always, everysec or no, got '%s'\n", s);
	exit(2);
}

/*
 * --monitor's list: names as certificates carry them, comma-separated;
 * exits with a message otherwise.
 */
static const char *
name_list(const char *s)
{
	char name[NAME_BUF];
	const char *p = s;
	size_t len;

	for (;;) {
		len = strcspn(p, ",");
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
		}
		if (len >= sizeof(name) || !name_valid(name)) {
			fprintf(stderr, "mpc-server: --monitor wants names separated "
			    "by commas, each 1-64 characters of [A-Za-z0-9._-] not "
			    "starting with '.' or '-', got '%s'\n", s);
			exit(2);
		}
		if (p[len] == '\0')
			return s;
		p += len + 1;
	}
}

/* The long options, each with its own id for the switch in main. */
enum option_id { O_LISTEN = 1, O_CERTS, O_STATE, O_SNAP, O_FRAME, O_LENGTH,
    O_PARTIES, O_SESSIONS, O_STORED, O_CONNS, O_HS, O_IDLE, O_FSYNC, O_HELP, O_VERSION,
    O_PARTY_SESSIONS, O_PARTY_BYTES, O_MEMORY, O_LOG_LEVEL, O_METRICS,
    O_TTL, O_WARM, O_MONITOR };

static const struct option opts[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "certs", required_argument, NULL, O_CERTS },
	{ "state-dir", required_argument, NULL, O_STATE },
	{ "snapshot-interval", required_argument, NULL, O_SNAP },
	{ "max-frame", required_argument, NULL, O_FRAME },
	{ "max-length", required_argument, NULL, O_LENGTH },
	{ "max-parties", required_argument, NULL, O_PARTIES },
	{ "max-sessions", required_argument, NULL, O_SESSIONS },
	{ "max-stored-bytes", required_argument, NULL, O_STORED },
	{ "max-sessions-per-party", required_argument, NULL, O_PARTY_SESSIONS },
	{ "max-bytes-per-party", required_argument, NULL, O_PARTY_BYTES },
	{ "max-memory", required_argument, NULL, O_MEMORY },
	{ "max-connections", required_argument, NULL, O_CONNS },
	{ "handshake-timeout", required_argument, NULL, O_HS },
	{ "idle-timeout", required_argument, NULL, O_IDLE },
	{ "fsync", required_argument, NULL, O_FSYNC },
	{ "log-level", required_argument, NULL, O_LOG_LEVEL },
	{ "metrics-listen", required_argument, NULL, O_METRICS },
	{ "monitor", required_argument, NULL, O_MONITOR },
	{ "session-ttl", required_argument, NULL, O_TTL },
	{ "warm-memory", required_argument, NULL, O_WARM },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

/*
 * Refuses a --warm-memory whose extents could take more than half of
 * vm.max_map_count: an extent moved through the pool stays a mapping of
 * its own (it never merges with its neighbours), in the pool and in the
 * blocks it lends to, and once the process reaches the limit the kernel
 * refuses every mapping, move and unmap that would split one. 0 if it fits
 * (or the limit cannot be read), else -1 with the reason said.
 */
static int
warm_memory_mappable(uint64_t warm)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long long limit;
	char line[32], *end;

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	errno = 0;
	limit = strtoull(line, &end, 10);
	if (end == line || errno != 0 || warm / BIGMEM_EXTENT <= limit / 2)
		return 0;
	fprintf(stderr, "mpc-server: --warm-memory %llu is %llu extents of 2 MiB, "
	    "each a mapping of its own once used, more than half of "
	    "vm.max_map_count (%llu): at most %llu bytes here\n",
	    (unsigned long long)warm,
	    (unsigned long long)(warm / BIGMEM_EXTENT), limit,
	    (unsigned long long)(limit / 2 * BIGMEM_EXTENT));
	return -1;
}

int
main(int argc, char **argv)
{
	struct server_config cfg;
	int c;

	server_default_config(&cfg);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:   cfg.listen = optarg; break;
		case O_CERTS:    cfg.certs_dir = optarg; break;
		case O_STATE:    cfg.state_dir = optarg; break;
		case O_SNAP:     cfg.snapshot_interval = (unsigned)number("--snapshot-interval", optarg, 1, 86400); break;
		case O_FRAME:    cfg.max_frame = (uint32_t)number("--max-frame", optarg, 1024, MAX_FRAME_OPTION); break;
		case O_LENGTH:   cfg.limits.max_length = (uint32_t)number("--max-length", optarg, 1, 1u << 30); break;
		case O_PARTIES:  cfg.limits.max_parties = (uint32_t)number("--max-parties", optarg, 2, 1u << 20); break;
		case O_SESSIONS: cfg.limits.max_sessions = (uint32_t)number("--max-sessions", optarg, 1, 1u << 24); break;
		case O_STORED:   cfg.limits.max_stored_bytes = number("--max-stored-bytes", optarg, 1, UINT64_MAX / 2); break;
		case O_PARTY_SESSIONS:
			cfg.limits.max_sessions_per_party = (uint32_t)number(
			    "--max-sessions-per-party", optarg, 1, 1u << 24);
			break;
		case O_PARTY_BYTES:
			cfg.limits.max_bytes_per_party = number(
			    "--max-bytes-per-party", optarg, 1, UINT64_MAX / 2);
			break;
		case O_MEMORY:
			cfg.max_memory = number("--max-memory", optarg,
			    MIN_MEMORY_OPTION, UINT64_MAX / 2);
			break;
		case O_CONNS:    cfg.max_connections = (unsigned)number("--max-connections", optarg, 1, 1u << 20);
		                 cfg.max_connections_given = 1; break;
		case O_HS:       cfg.handshake_timeout = (unsigned)number("--handshake-timeout", optarg, 1, 3600); break;
		case O_IDLE:     cfg.idle_timeout = (unsigned)number("--idle-timeout", optarg, 1, 86400); break;
		case O_FSYNC:    cfg.fsync = fsync_mode(optarg); break;
		case O_LOG_LEVEL: log_level(optarg); break;
		case O_METRICS:  cfg.metrics_listen = optarg; break;
		case O_MONITOR:  cfg.monitors = name_list(optarg); break;
		case O_TTL:      cfg.limits.session_ttl = number("--session-ttl", optarg, 0, MAX_SESSION_TTL); break;
		case O_WARM:     cfg.warm_memory = number("--warm-memory", optarg, 0, UINT64_MAX / 2); break;
		case 'h':
		case O_HELP:     usage(stdout); return 0;
		case O_VERSION:  printf("mpc-server %s\n", SS_VERSION); return 0;
		default:
			fprintf(stderr, "mpc-server: see --help\n");
			return 2;
		}
	}
	cfg.limits.max_message = cfg.max_frame;
	if (optind != argc) {
		fprintf(stderr, "mpc-server: unexpected argument '%s'; see --help\n", argv[optind]);
		return 2;
	}
	if (cfg.warm_memory > cfg.max_memory) {
		fprintf(stderr, "mpc-server: --warm-memory %llu is more than the "
		    "memory budget (--max-memory %llu)\n",
		    (unsigned long long)cfg.warm_memory,
		    (unsigned long long)cfg.max_memory);
		return 2;
	}
	if (warm_memory_mappable(cfg.warm_memory) != 0)
		return 2;
	if (cfg.listen == NULL || cfg.certs_dir == NULL || cfg.state_dir == NULL) {
		fprintf(stderr, "mpc-server: --listen, --certs and --state-dir are required; see --help\n");
		return 2;
	}
	return server_run(&cfg);
}
