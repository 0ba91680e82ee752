/*
 * main.c: mpc-client's command line: the global options (getopt_long up
 * to the command name, and by hand after it), their defaults from the
 * environment and the configuration file (config.h), each command's own
 * arguments, --help everywhere, --version, and the one-line error (a JSON
 * document with --json) and exit status (outcome.h) on failure.
 *
 * Before anything else the process makes itself undumpable: no core file
 * and no ptrace by another process of the same user may expose an input,
 * a share or a private key. Values given as arguments are copied and wiped
 * from argv at once, so that /proc/PID/cmdline shows them only for the
 * moment before that (--input FILE or '-' avoids even that).
 *
 * A command's arguments are parsed by hand in cmdline.c (which says why);
 * this file holds the help texts, the table of commands and the order of
 * the steps.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "cli.h"
#include "cmdline.h"
#include "client.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "memtune.h"
#include "name.h"
#include "outcome.h"
#include "output.h"
#include "pin.h"
#include "pki.h"

#define DEFAULT_TIMEOUT 120

static const char progname[] = CMDLINE_PROGNAME;

/* Returned by a step of main that found nothing to stop for. */
#define GO_ON CMDLINE_GO_ON

static const char usage_text[] =
"usage: mpc-client --server HOST:PORT --certs DIR --party NAME [--json]\n"
"                  [--server-name NAME] [--timeout SECONDS] [--trace FILE]\n"
"                  [--state DIR] [--wait]\n"
"                  COMMAND [ARGS]\n"
"       mpc-client --version | --help | COMMAND --help\n";

static const char help_text[] =
"\n"
"Adds the private inputs of several parties through an mpc-server: each\n"
"party Shamir-shares its vector of integers, the shares travel end-to-end\n"
"encrypted over mutually authenticated TLS 1.3, and only the sum is revealed.\n"
"\n"
"Commands:\n"
"  create SESSION --parties A,B,C --threshold T [--length L] [--decimals K]\n"
"         [--deadline SECONDS --min-cohort M] [--min-cohort M]\n"
"                                create a session (the creator is a party)\n"
"                                and print its invite code\n"
"  share SESSION PIN VALUE...    share this party's input (or --input FILE)\n"
"  sumpoint SESSION PIN          sign the cohort, add the shares sent to\n"
"                                this party, post the sum\n"
"  result SESSION PIN            decide on the sumpoints and print the sum,\n"
"                                verified or unverified\n"
"  status SESSION                phase, parties, who shared, who is missing,\n"
"                                whose keys are missing, conflicts\n"
"  run SESSION PIN VALUE...      all of this party's steps, waiting for the\n"
"                                others, then print the sum\n"
"  delete SESSION                drop a session from the server (its creator,\n"
"                                or any party once it is complete or failed)\n"
"  list                          the sessions this party is in: phase, age\n"
"  server-info                   the server's version, load and health\n"
"\n"
"PIN names the session agreed to: --invite CODE (from create), or its\n"
"parameters: --parties A,B,C --threshold T --nonce HEX [--length L]\n"
"[--decimals K] [--min-cohort M] [--deadline-unix TIME]. A session whose\n"
"parameters differ is refused, showing what the server holds.\n"
"\n"
"Options (before or after COMMAND):\n"
"  --server HOST:PORT   the server; [ADDRESS]:PORT for IPv6\n"
"  --server-name NAME   the DNS name or IP address the server's certificate\n"
"                       must name (sent as SNI if a name), while connecting\n"
"                       to the address of --server, as curl --resolve does;\n"
"                       default: the HOST of --server\n""  --certs DIR          ca.crt, NAME.crt, NAME.key, NAME.enc.crt, NAME.enc.key\n"
"  --party NAME         this party, as named in its certificate\n"
"  --json               print JSON on stdout: one document per line, each\n"
"                       with \"version\", sums as strings, errors too\n"
"  --timeout SECONDS    the most a command may take, waits and retries\n"
"                       included (default 120); one network exchange gets a\n"
"                       quarter of it, at least 10 s\n"
"  --wait               retry a server that does not answer until --timeout\n"
"                       (run always does); otherwise a command whose server\n"
"                       has not answered it gives up within 2 s\n"
"  --trace FILE         append one line per change the server acknowledged\n"
"                       (create, shares, cohort, sumpoint): \"OK METHOD\n"
"                       SESSION PARTY SHA256\", the hash of what it accepted;\n"
"                       a FILE that cannot be written fails the command\n"
"  --state DIR          this party's records (what it shared and signed,\n"
"                       and the certificates it checked); default\n"
"                       $XDG_STATE_HOME/secure-sum/NAME\n"
"  -h, --help           this help; 'mpc-client COMMAND --help' for a command\n"
"  --version            print the version and exit\n"
"\n"
"Defaults: an option not given takes its value from the environment\n"
"(SECURE_SUM_SERVER, SECURE_SUM_CERTS, SECURE_SUM_PARTY), then from the\n"
"file $XDG_CONFIG_HOME/secure-sum/client.conf (else ~/.config/...), whose\n"
"lines are 'KEY = VALUE' with KEY one of server, server-name, certs, party,\n"
"state, timeout, or '#' comments.\n"
"\n"
"Every command first publishes this party's encryption key (NAME.enc.crt)\n"
"to the server: the others can share to a party once it ran any command.\n"
"\n"
"Every command retries what a lost connection, a refused connect, a\n"
"timed-out exchange or an UNAVAILABLE answer interrupted, reconnecting, with\n"
"exponential backoff (pauses up to 100 ms, doubling to 2 s, randomised) until\n"
"--timeout (a server that has not answered yet: only with --wait); a request\n"
"is resent byte for byte, which the server takes as a duplicate. A wait or\n"
"retry longer than 2 s is shown on stderr, a terminal or not. A certificate\n"
"refused by either side fails at once.\n"
"\n"
"Exit status: 0 success; 1 another failure; 2 usage (arguments, input,\n"
"configuration); 3 refused or denied; 4 not found; 5 not ready yet; 6 server\n"
"unavailable or timed out; 7 integrity failure (inconsistent sumpoints,\n"
"damaged data). With --json, a failure is a JSON document on stdout:\n"
"{\"version\":1,\"error\":{\"code\":...,\"exit\":N,\"reason\":...,\n"
"\"message\":...}}; see docs/CLI.md.\n";


/* ---- the commands -------------------------------------------------------- */

/* A command's SS_* result r: kept in e for the error line, as a status. */
static int
exit_status(int r, struct ss_error *e)
{
	e->code = r;
	return outcome_exit(r);
}

static int
run_create(struct client *c, const struct command *cmd, struct cmdline *cl,
    struct ss_error *e)
{
	if (!cl->have_parties)
		return cmdline_usage(
		    "create: --parties is required (usage: %s)",
		    cmd->usage);
	if (!cl->have_threshold)
		return cmdline_usage(
		    "create: --threshold is required (usage: %s)",
		    cmd->usage);
	cl->create.session = cl->session;
	if (cl->pin.have_nonce)
		cl->create.nonce = cl->pin.nonce;
	/* Checked before any connection: a bad request never leaves. */
	if (cmd_create_check(&cl->create, c->party, cmdline_error()) != SS_OK)
		return EXIT_USAGE;
	/* Through libsecuresum, as any program would (cli.h). */
	return exit_status(cli_create(c, &cl->create, e), e);
}

/*
 * The session pinned, for the commands that act on one (share, run,
 * sumpoint, result): checked before any connection. GO_ON, or EXIT_USAGE.
 */
static int
take_pin(struct client *c, const struct command *cmd, struct cmdline *cl)
{
	if (!cmd->pinned)
		return GO_ON;
	if (pin_args_check(&cl->pin, cl->session, cmdline_error()) != SS_OK) {
		(void)ss_error_prefix(cmdline_error(), "%s", cmd->name);
		return EXIT_USAGE;
	}
	c->pin = &cl->pin;
	c->reuse_input = cl->reuse_input;
	c->require_verified = cl->require_verified;
	return GO_ON;
}

/* share and run: VALUEs or --input FILE, one of them. GO_ON, or usage. */
static int
input_usage(const struct command *cmd, const struct cmdline *cl)
{
	if (cl->input != NULL && cl->nvalues > 0)
		return cmdline_usage(
		    "%s: give VALUEs or --input FILE, not both",
		    cmd->name);
	if (cl->input == NULL && cl->nvalues == 0)
		return cmdline_usage(
		    "%s: no values given (usage: %s)", cmd->name,
		    cmd->usage);
	return GO_ON;
}

/*
 * share and run: SESSION, its pin and the input (VALUEs or --input FILE),
 * through the library.
 */
static int
run_with_input(struct client *c, const struct command *cmd,
    struct cmdline *cl, struct ss_error *e)
{
	struct securesum_input in;
	int r;

	if ((r = input_usage(cmd, cl)) != GO_ON ||
	    (r = take_pin(c, cmd, cl)) != GO_ON)
		return r;
	in.texts = (const char *const *)cl->values;
	in.ntexts = cl->nvalues;
	in.path = cl->input;
	return exit_status(cmd->on_input(c, cl->session, &in, e), e);
}

/* delete: SESSION alone, no status read first. */
static int
run_delete(struct client *c, const struct command *cmd, struct cmdline *cl,
    struct ss_error *e)
{
	(void)cmd;
	return exit_status(cli_delete(c, cl->session, e), e);
}

/* status: SESSION alone, through the library. */
static int
run_status(struct client *c, const struct command *cmd, struct cmdline *cl,
    struct ss_error *e)
{
	(void)cmd;
	return exit_status(cli_status(c, cl->session, e), e);
}

/* list: no SESSION. */
static int
run_list(struct client *c, const struct command *cmd, struct cmdline *cl,
    struct ss_error *e)
{
	(void)cmd; (void)cl;
	return exit_status(cli_list(c, e), e);
}

/* server-info: no SESSION, one call, through the library. */
static int
run_server_info(struct client *c, const struct command *cmd,
    struct cmdline *cl, struct ss_error *e)
{
	(void)cmd; (void)cl;
	return exit_status(cli_server_info(c, e), e);
}

/* sumpoint: SESSION and its pin, through the library. */
static int
run_sumpoint(struct client *c, const struct command *cmd,
    struct cmdline *cl, struct ss_error *e)
{
	int r;

	if ((r = take_pin(c, cmd, cl)) != GO_ON)
		return r;
	return exit_status(cli_sumpoint(c, cl->session, e), e);
}

/* result: SESSION and its pin, through the library. */
static int
run_result(struct client *c, const struct command *cmd, struct cmdline *cl,
    struct ss_error *e)
{
	int r;

	if ((r = take_pin(c, cmd, cl)) != GO_ON)
		return r;
	return exit_status(cli_result(c, cl->session, e), e);
}

static const struct opt create_opts[] = {
	{ "parties", 1 }, { "threshold", 1 }, { "length", 1 },
	{ "decimals", 1 }, { "deadline", 1 }, { "min-cohort", 1 },
	{ "nonce", 1 }, { "allow-unknown", 0 }, { NULL, 0 },
};
/* The pin's options, then each command's own. */
#define PIN_OPTS \
	{ "invite", 1 }, { "parties", 1 }, { "threshold", 1 }, \
	{ "length", 1 }, { "decimals", 1 }, { "min-cohort", 1 }, \
	{ "deadline-unix", 1 }, { "nonce", 1 }
static const struct opt share_opts[] = {
	PIN_OPTS, { "input", 1 }, { "reuse-input", 0 }, { NULL, 0 },
};
static const struct opt run_opts[] = {
	PIN_OPTS, { "input", 1 }, { "reuse-input", 0 },
	{ "require-verified", 0 }, { NULL, 0 },
};
static const struct opt sumpoint_opts[] = { PIN_OPTS, { NULL, 0 } };
static const struct opt result_opts[] = {
	PIN_OPTS, { "require-verified", 0 }, { NULL, 0 },
};
static const struct opt no_opts[] = { { NULL, 0 } };

/* The help of the pin, for every command that takes one. */
#define PIN_HELP \
	"  --invite CODE       the session's invite code (from create), or\n" \
	"                      its parameters, all as create was given them:\n" \
	"  --parties A,B,C --threshold T --nonce HEX [--length L]\n" \
	"  [--decimals K] [--min-cohort M] [--deadline-unix TIME]\n" \
	"                      A session whose parameters differ from these is\n" \
	"                      refused, showing what the server holds.\n"

static const struct command commands[] = {
	{ "create",
	  "create SESSION --parties A,B,C --threshold T [--length L] "
	  "[--decimals K] [--deadline SECONDS --min-cohort M]",
	  "Creates SESSION among the listed parties (their certificate names,\n"
	  "in order: party i evaluates at x = i), with a random nonce, and\n"
	  "prints its invite code: the digest of all its parameters, which the\n"
	  "other parties give to share, run, sumpoint and result. The creator\n"
	  "must be one of the parties.\n"
	  "\n"
	  "  --parties A,B,C     the parties, at least 2, comma-separated\n"
	  "  --threshold T       any T+1 sumpoints give the sum; no coalition of\n"
	  "                      T parties learns anything (1 <= T <= n-1)\n"
	  "  --length L          elements in each input vector (default 1)\n"
	  "  --decimals K        fixed point: inputs and sum with K decimals\n"
	  "                      (0 to 18, default 0)\n"
	  "  --deadline SECONDS  close the sharing phase SECONDS from now (on\n"
	  "                      this clock) if at least min_cohort have shared\n"
	  "  --min-cohort M      the fewest parties sharing may close with\n"
	  "                      (T+1 to n; default n; required with --deadline)\n"
	  "  --nonce HEX         the nonce of a session created before (as create\n"
	  "                      printed it): creating it again with every\n"
	  "                      parameter the same is harmless\n"
	  "  --allow-unknown     create it even when a party's encryption key is\n"
	  "                      neither in --certs nor published to the server\n"
	  "                      (a warning then; refused otherwise: that party\n"
	  "                      could not be shared to). Any command a party\n"
	  "                      runs publishes its key.\n"
	  "With --json: {\"session\":...,\"invite\":CODE,\"nonce\":HEX,...}.\n",
	  create_opts, 0, 0, run_create, NULL },
	{ "share",
	  "share SESSION PIN VALUE... | share SESSION PIN --input FILE",
	  "Shares this party's input in SESSION: exactly L values (the session's\n"
	  "length), as integers or with the session's decimals. Negative values\n"
	  "such as -7 are values, not options; '--' ends the options. The input\n"
	  "is recorded in this party's records (--state) before it is sent.\n"
	  "\n"
	  PIN_HELP
	  "  --input FILE        read the values from FILE, separated by white\n"
	  "                      space ('-' for standard input)\n"
	  "  --reuse-input       share an input already shared in another\n"
	  "                      instance of SESSION (refused otherwise: the two\n"
	  "                      sums would reveal it)\n",
	  share_opts, 1, 1, run_with_input, cli_share },
	{ "sumpoint",
	  "sumpoint SESSION PIN",
	  "Checks the session's cohort and the SUBMIT of every share sent to\n"
	  "this party, signs the cohort (when a member), waits until every\n"
	  "member has signed it, then opens and adds the shares and posts the\n"
	  "sum (this party's sumpoint). Needs the cohort to be fixed.\n"
	  "\n"
	  PIN_HELP,
	  sumpoint_opts, 0, 1, run_sumpoint, NULL },
	{ "result",
	  "result SESSION PIN",
	  "Decides on the sumpoints signed on the cohort every member signed,\n"
	  "by agreement: prints the sum (L numbers on one line) when they all\n"
	  "agree, saying on stderr whether it is verified (at least n/2+t+1\n"
	  "agree) or unverified; none when any disagree, naming the points off.\n"
	  "With --json: {\"session\":S,\"sum\":[...],\"cohort\":[...],\n"
	  "\"label\":\"verified\",\"quorum\":Q,\"points\":{...}}.\n"
	  "\n"
	  PIN_HELP
	  "  --require-verified  refuse a sum that is not verified\n",
	  result_opts, 0, 1, run_result, NULL },
	{ "status",
	  "status SESSION",
	  "Shows the session's phase, parameters, who shared, the cohort, who\n"
	  "signed it, who posted a sumpoint, who is missing, whose encryption\n"
	  "keys are missing (keys_missing: neither in --certs nor published;\n"
	  "nobody can share to them yet), the deadline, the invite code of the\n"
	  "parameters the server holds, and the conflicts (two different\n"
	  "statements one party signed), each checked here.\n",
	  no_opts, 0, 0, run_status, NULL },
	{ "run",
	  "run SESSION PIN VALUE... | run SESSION PIN --input FILE",
	  "Does all of this party's steps: waits for SESSION to exist, shares\n"
	  "the input (unless already done), waits for the cohort, signs it and\n"
	  "stays online until every member has, posts the sumpoint, waits for\n"
	  "the others' sumpoints, and prints the sum as 'result' does. Once\n"
	  "threshold+1 sumpoints are posted it waits for the rest of the cohort\n"
	  "only while they keep coming (2 s without a new one ends the wait).\n"
	  "If a restarted server lost its shares or sumpoint, it sends the same\n"
	  "again. Gives up after --timeout.\n"
	  "\n"
	  PIN_HELP
	  "  --input FILE        read the values from FILE ('-' for stdin)\n"
	  "  --reuse-input       as for share\n"
	  "  --require-verified  refuse a sum that is not verified\n",
	  run_opts, 1, 1, run_with_input, cli_run },
	{ "delete",
	  "delete SESSION",
	  "Deletes SESSION on the server: its shares, sumpoints and statements\n"
	  "leave the server's memory at once, its journal by a delete record,\n"
	  "and its snapshot at the next one. Its creator may delete it at any\n"
	  "time; any other party once it is COMPLETE or FAILED. To anyone else\n"
	  "the server answers as for a session that does not exist.\n"
	  "With --json: {\"session\":S,\"deleted\":true,\"released_bytes\":N}.\n",
	  no_opts, 0, 0, run_delete, NULL },
	{ "list",
	  "list",
	  "Lists the sessions this party is in, oldest first: each one's phase,\n"
	  "age, creator, number of parties and when the server will drop it\n"
	  "if nothing changes it (its --session-ttl), one per line.\n"
	  "With --json: {\"sessions\":[{\"session\":S,\"phase\":P,\n"
	  "\"created_unix\":T,\"age_seconds\":A,\"creator\":C,\"parties\":N,\n"
	  "\"expires_unix\":E},...]} (null: unknown creator, never expires).\n",
	  no_opts, 0, 0, run_list, NULL },
	{ "server-info",
	  "server-info",
	  "Shows the server's version, uptime, sessions by phase, connections,\n"
	  "bytes held, and the health of its journal and snapshots\n"
	  "(GetServerInfo: counts only, asked by any party). With --json: one\n"
	  "object, {\"version\":1, then the keys of the lines}.\n",
	  no_opts, 0, 0, run_server_info, NULL },
};

/*
 * No core dumps, and not dumpable: a crash must not write the process's
 * memory (inputs, coefficients, shares, keys) to disk, and another process
 * of the same user must not read it through ptrace or /proc/PID/mem. The
 * hard limit is lowered too, so nothing later can raise it again.
 */
static int
no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}

/*
 * Replaces the values (which point into argv) with private copies and wipes
 * argv's, which other users can read in /proc/PID/cmdline. Returns the
 * copies to wipe at exit, or NULL when out of memory.
 */
static char **
take_values(struct cmdline *cl)
{
	char **copies;
	size_t i;

	if ((copies = calloc(cl->nvalues ? cl->nvalues : 1, sizeof(*copies))) ==
	    NULL)
		return NULL;
	for (i = 0; i < cl->nvalues; i++) {
		if ((copies[i] = strdup(cl->values[i])) == NULL)
			return copies;   /* the caller sees the gap */
		OPENSSL_cleanse((char *)cl->values[i], strlen(cl->values[i]));
		cl->values[i] = copies[i];
	}
	return copies;
}

static void
wipe_values(char **copies, size_t n)
{
	size_t i;

	if (copies == NULL)
		return;
	for (i = 0; i < n; i++)
		if (copies[i] != NULL) {
			OPENSSL_cleanse(copies[i], strlen(copies[i]));
			free(copies[i]);
		}
	free(copies);
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Says on stderr why the command failed (err: the SS_ERR_* code and its
 * message) and, with --json, as a document on stdout, so that stdout
 * always holds JSON: {"version":1,"error":{...}}, or the error added to
 * the answer already open there (c->printed).
 */
static void
print_error(const struct client *c, int status, const struct ss_error *err)
{
	char line[1200];

	snprintf(line, sizeof(line), "%s", err->msg[0] != '\0' ? err->msg :
	    ss_strerror(err->code));
	out_sanitize(line);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", progname, line);
	if (!c->json)
		return;
	fputs(c->printed ? "," : OUT_JSON_OPEN, stdout);
	printf("\"error\":{\"code\":\"%s\",\"exit\":%d,\"reason\":\"%s\","
	    "\"message\":", outcome_code(status), status,
	    outcome_reason(err->code));
	out_json_string(stdout, line);
	printf("}}\n");
	fflush(stdout);
}

static void
print_version(void)
{
	printf("%s %s\n", progname, SS_VERSION);
}

/*
 * The global options, up to COMMAND, into c: GO_ON, or the exit status
 * (--help, --version, or a usage error).
 */
static int
parse_globals(int argc, char **argv, struct client *c)
{
	int ch, rc;

	opterr = 0;
	/* "+": stop at COMMAND; ":": report a missing argument as ':'. */
	while ((ch = getopt_long(argc, argv, "+:h", cmdline_global_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		case ':':
			return cmdline_usage(
			    "%s needs a value", argv[optind - 1]);
		case '?':
			return cmdline_usage(
			    "unknown option '%s' (see %s --help)",
			    argv[optind - 1], progname);
		default:
			if ((rc = cmdline_set_global(c, ch, optarg)) != 0)
				return rc;
		}
	}
	if (cmdline_version_asked()) {
		print_version();
		return 0;
	}
	if (optind >= argc)
		return cmdline_usage(
		    "no command given (see %s --help)", progname);
	return GO_ON;
}

/*
 * COMMAND and its arguments, from argv[optind]: GO_ON with *cmdp and cl
 * set, or the exit status (its --help, --version, or a usage error).
 */
static int
parse_cmdline(int argc, char **argv, const struct command **cmdp,
    struct cmdline *cl)
{
	const struct command *cmd;
	int rc;

	if ((cmd = *cmdp = find_command(argv[optind])) == NULL)
		return cmdline_usage("unknown command '%.40s' (see %s --help)",
		    argv[optind], progname);
	/* Room for every argument as a value, counted before parsing. */
	if ((cl->values = calloc((size_t)argc, sizeof(*cl->values))) == NULL)
		return cmdline_usage("out of memory");
	cl->create.length = 1;
	cl->pin.length = 1;
	rc = cmdline_parse_command(cmd, argc - optind, argv + optind, cl);
	if (rc == -1) {
		printf("usage: %s [global options] %s\n\n%s", progname,
		    cmd->usage, cmd->help);
		return 0;
	}
	if (rc == 0 && cmdline_version_asked()) {
		print_version();
		return 0;
	}
	return rc != 0 ? rc : GO_ON;
}

/* Moves the values out of argv (take_values) into *copies. */
static int
protect_values(struct cmdline *cl, char ***copies)
{
	size_t i;

	if ((*copies = take_values(cl)) == NULL)
		return cmdline_usage("out of memory");
	for (i = 0; i < cl->nvalues; i++)
		if ((*copies)[i] == NULL)
			return cmdline_usage("out of memory");
	return GO_ON;
}

/*
 * The global options not given as flags, from the environment, then from
 * the configuration file (read into cfg, which holds the strings): GO_ON,
 * or the exit status of a file that cannot be read or used.
 */
static int
take_defaults(struct client *c, struct client_config *cfg, char *path,
    size_t len)
{
	int r;

	if (config_path(path, len) != 0)
		snprintf(path, len, "(no configuration file: neither "
		    "XDG_CONFIG_HOME nor HOME is set)");
	else if ((r = config_load(cfg, path, cmdline_error())) != SS_OK)
		return outcome_exit(r);
	c->server = config_pick(c->server, "SECURE_SUM_SERVER", cfg->server);
	c->certs = config_pick(c->certs, "SECURE_SUM_CERTS", cfg->certs);
	c->party = config_pick(c->party, "SECURE_SUM_PARTY", cfg->party);
	c->server_name = config_pick(c->server_name, NULL, cfg->server_name);
	c->state = config_pick(c->state, NULL, cfg->state);
	if (c->timeout_s == 0)
		c->timeout_s = cfg->timeout_s != 0 ? cfg->timeout_s :
		    DEFAULT_TIMEOUT;
	return GO_ON;
}

/* Says how to give the required option flag that is missing. */
static int
missing(const char *flag, const char *meta, const char *env,
    const char *key, const char *path)
{
	return cmdline_usage(
	    "%s is missing: give %s %s, set %s, or add '%s = %s' to "
	    "%s", flag, flag, meta, env, key, meta, path);
}

/* The global options every command needs, checked. */
static int
check_globals(const struct client *c, const char *path)
{
	struct hostport hp;

	if (c->server == NULL)
		return missing("--server", "HOST:PORT", "SECURE_SUM_SERVER",
		    "server", path);
	if (c->certs == NULL)
		return missing("--certs", "DIR", "SECURE_SUM_CERTS", "certs",
		    path);
	if (c->party == NULL)
		return missing("--party", "NAME", "SECURE_SUM_PARTY", "party",
		    path);
	if (addr_split(c->server, &hp, 0) != SS_OK)
		return cmdline_usage("--server: '%.80s' is not HOST:PORT "
		    "(or [IPv6]:PORT)", c->server);
	if (c->server_name != NULL && !pki_host_valid(c->server_name))
		return cmdline_usage(
		    "--server-name: '%.80s' is neither a DNS name "
		    "(letters, digits, '-', '.') nor an IP address",
		    c->server_name);
	if (!name_valid(c->party))
		return cmdline_usage(
		    "--party: invalid name: " CLIENT_NAME_RULE);
	return GO_ON;
}

/* Runs cmd; says why it failed, or that its output could not be written. */
static int
run_command(struct client *c, const struct command *cmd, struct cmdline *cl)
{
	struct ss_error err;
	int rc;

	ss_error_clear(&err);
	rc = cmd->run(c, cmd, cl, &err);
	/* A usage error found by the command is in cmdline_error(). */
	if (rc != 0 && err.code != SS_OK)
		print_error(c, rc, &err);
	client_free(c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == 0)
			fprintf(stderr, "%s: cannot write the output\n",
			    progname);
		rc = rc != 0 ? rc : EXIT_FAILED;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct client_config cfg;
	struct client c;
	struct cmdline cl;
	char **copies = NULL, path[PATH_MAX];
	int rc;

	if (no_core_dumps() != 0) {
		fprintf(stderr, "%s: cannot disable core dumps; refusing to "
		    "handle secrets\n", progname);
		return EXIT_FAILED;
	}
	/* A server that goes away mid-write must be an error, not a signal. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* Sums of a million elements are printed in large writes. */
	(void)setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* Megabyte blocks reused and on huge pages (memtune.h). */
	memtune_heap();

	memset(&c, 0, sizeof(c));
	conn_init(&c.conn);
	memset(&cl, 0, sizeof(cl));
	memset(&cfg, 0, sizeof(cfg));
	cl.client = &c;
	if ((rc = parse_globals(argc, argv, &c)) == GO_ON &&
	    (rc = parse_cmdline(argc, argv, &cmd, &cl)) == GO_ON &&
	    (rc = protect_values(&cl, &copies)) == GO_ON &&
	    (rc = take_defaults(&c, &cfg, path, sizeof(path))) == GO_ON &&
	    (rc = check_globals(&c, path)) == GO_ON)
		rc = run_command(&c, cmd, &cl);
	if (cmdline_error()->code != SS_OK)
		print_error(&c, rc, cmdline_error());
	wipe_values(copies, cl.nvalues);
	free(cl.values);
	free(cl.parties);
	free(cl.parties_buf);
	config_free(&cfg);
	return rc;
}
