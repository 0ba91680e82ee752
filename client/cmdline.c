/*
 * cmdline.c: reading mpc-client's command line. A command's arguments are
 * parsed here by hand rather than by getopt: share and run take values
 * such as -7 that getopt would read as options, and GNU getopt's argument
 * permutation (which lets options follow SESSION) can be switched off by
 * POSIXLY_CORRECT in the environment. The global options are recognised
 * here too, so that they may follow COMMAND. Errors are usage errors,
 * kept for main.c to print (cmdline_error).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "cmdline.h"
#include "name.h"
#include "outcome.h"
#include "params.h"

static const char progname[] = CMDLINE_PROGNAME;

/* The usage error, printed once main is done. */
static struct ss_error usage_error;

struct ss_error *
cmdline_error(void)
{
	return &usage_error;
}

int
cmdline_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(usage_error.msg, sizeof(usage_error.msg), fmt, ap);
	va_end(ap);
	usage_error.code = SS_ERR_INVALID;
	return EXIT_USAGE;
}

/* A non-negative integer of at most max, digits only. */
static int
parse_uint(const char *s, unsigned long max, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = (unsigned)v;
	return 0;
}

/* Splits "A,B,C" in place; every name must be non-empty. */
static int
split_parties(struct cmdline *cl, const char *arg)
{
	size_t n = 1, i;
	char *p;

	free(cl->parties_buf);
	free(cl->parties);
	cl->parties = NULL;
	if ((cl->parties_buf = strdup(arg)) == NULL)
		return cmdline_usage("out of memory");
	for (p = cl->parties_buf; *p != '\0'; p++)
		if (*p == ',')
			n++;
	if (n > CLIENT_MAX_PARTIES)
		return cmdline_usage(
		    "--parties: at most %d parties", CLIENT_MAX_PARTIES);
	if ((cl->parties = calloc(n, sizeof(*cl->parties))) == NULL)
		return cmdline_usage("out of memory");
	for (i = 0, p = cl->parties_buf; i < n; i++) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = '\0';
		if (*p == '\0')
			return cmdline_usage(
			    "--parties: empty party name in '%s'", arg);
		cl->parties[i] = p;
		p = comma != NULL ? comma + 1 : p + strlen(p);
	}
	cl->create.parties = cl->parties;
	cl->create.nparties = n;
	cl->pin.parties = cl->parties;
	cl->pin.nparties = n;
	cl->pin.have_parties = 1;
	return 0;
}

/* The value of hex digit ch, or -1. */
static int
hex_digit(char ch)
{
	static const char digits[] = "0123456789abcdef";
	const char *p;

	if (ch >= 'A' && ch <= 'F')
		ch = (char)(ch - 'A' + 'a');
	if (ch == '\0' || (p = strchr(digits, ch)) == NULL)
		return -1;
	return (int)(p - digits);
}

/* 32 hex digits into the pin's nonce. */
static int
parse_nonce(struct cmdline *cl, const char *val)
{
	size_t i;
	int hi, lo;

	if (strlen(val) != 2 * PARAMS_NONCE_LEN)
		return cmdline_usage(
		    "--nonce: %d hex digits, as create printed them",
		    2 * PARAMS_NONCE_LEN);
	for (i = 0; i < PARAMS_NONCE_LEN; i++) {
		if ((hi = hex_digit(val[2 * i])) < 0 ||
		    (lo = hex_digit(val[2 * i + 1])) < 0)
			return cmdline_usage(
			    "--nonce: '%.40s' is not hex", val);
		cl->pin.nonce[i] = (uint8_t)(hi << 4 | lo);
	}
	cl->pin.have_nonce = 1;
	return 0;
}

/* --deadline-unix: a Unix time in seconds (0: none). */
static int
parse_time(struct cmdline *cl, const char *val)
{
	unsigned long long v = 0;
	const char *s;

	for (s = val; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_C(1) << 62) / 10)
			return cmdline_usage("--deadline-unix: too large");
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (*s != '\0' || s == val)
		return cmdline_usage(
		    "--deadline-unix must be a Unix time in seconds");
	cl->pin.deadline_unix = v;
	cl->pin.have_other = 1;
	return 0;
}

/* The options of the pin and the other flags; 1 if name is none of them. */
static int
set_pin_option(struct cmdline *cl, const char *name, const char *val,
    int *rc)
{
	*rc = 0;
	if (strcmp(name, "invite") == 0)
		cl->pin.invite = val;
	else if (strcmp(name, "nonce") == 0)
		*rc = parse_nonce(cl, val);
	else if (strcmp(name, "deadline-unix") == 0)
		*rc = parse_time(cl, val);
	else if (strcmp(name, "reuse-input") == 0)
		cl->reuse_input = 1;
	else if (strcmp(name, "require-verified") == 0)
		cl->require_verified = 1;
	else if (strcmp(name, "allow-unknown") == 0)
		cl->create.allow_unknown = 1;
	else
		return 1;
	return 0;
}

static int
set_option(const struct command *cmd, struct cmdline *cl, const char *name,
    const char *val)
{
	unsigned long max;
	unsigned v;
	int rc;

	if (set_pin_option(cl, name, val, &rc) == 0)
		return rc;
	if (strcmp(name, "parties") == 0) {
		cl->have_parties = 1;
		return split_parties(cl, val);
	}
	if (strcmp(name, "input") == 0) {
		if (val[0] == '\0')
			return cmdline_usage(
			    "%s: --input needs a file name", cmd->name);
		cl->input = val;
		return 0;
	}
	max = strcmp(name, "decimals") == 0 ? AMOUNT_MAX_DECIMALS : UINT32_MAX;
	if (parse_uint(val, max, &v) != 0)
		return cmdline_usage(
		    "%s: --%s must be an integer from 0 to %lu",
		    cmd->name, name, max);
	if (strcmp(name, "threshold") == 0) {
		cl->create.threshold = cl->pin.threshold = v;
		cl->have_threshold = cl->pin.have_threshold = 1;
		return 0;
	}
	if (strcmp(name, "length") == 0)
		cl->create.length = cl->pin.length = v;
	else if (strcmp(name, "decimals") == 0)
		cl->create.decimals = cl->pin.decimals = v;
	else if (strcmp(name, "deadline") == 0)
		cl->create.deadline = v;
	else if (strcmp(name, "min-cohort") == 0)
		cl->create.min_cohort = cl->pin.min_cohort = v;
	cl->pin.have_other = 1;
	return 0;
}

/* --version, before or after COMMAND: printed once parsing is done. */
static int version_asked;

int
cmdline_version_asked(void)
{
	return version_asked;
}

/* The global options: before COMMAND (getopt_long) or after it. */
const struct option cmdline_global_opts[] = {
	{ "server",  required_argument, NULL, 's' },
	{ "server-name", required_argument, NULL, 'n' },
	{ "certs",   required_argument, NULL, 'c' },
	{ "party",   required_argument, NULL, 'p' },
	{ "json",    no_argument,       NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "wait",    no_argument,       NULL, 'w' },
	{ "trace",   required_argument, NULL, 'T' },
	{ "state",   required_argument, NULL, 'S' },
	{ "version", no_argument,       NULL, 'V' },
	{ "help",    no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The global option of the len bytes at name (not --help), or NULL. */
static const struct option *
find_global(const char *name, size_t len)
{
	const struct option *g;

	for (g = cmdline_global_opts; g->name != NULL; g++)
		if (g->val != 'h' && strlen(g->name) == len &&
		    strncmp(g->name, name, len) == 0)
			return g;
	return NULL;
}

/* Global option id (its getopt val) with val into c: 0 or EXIT_USAGE. */
int
cmdline_set_global(struct client *c, int id, const char *val)
{
	switch (id) {
	case 's': c->server = val; break;
	case 'n': c->server_name = val; break;
	case 'c': c->certs = val; break;
	case 'p': c->party = val; break;
	case 'j': c->json = 1; break;
	case 'w': c->wait = 1; break;
	case 'T': c->trace = val; break;
	case 'S': c->state = val; break;
	case 'V': version_asked = 1; break;
	case 't':
		if (parse_uint(val, INT_MAX / 1000, &c->timeout_s) != 0 ||
		    c->timeout_s == 0)
			return cmdline_usage(
			    "--timeout must be a whole number of "
			    "seconds from 1 to %d", INT_MAX / 1000);
		break;
	default:
		return cmdline_usage("internal error: global option %d", id);
	}
	return 0;
}

/*
 * The option argv[*i] ("--name", "--name=value" or "--name value") of cmd,
 * or a global option, into cl; *i moves past its value. 0, EXIT_USAGE, or
 * -1 for --help.
 */
static int
parse_option(const struct command *cmd, int argc, char **argv, int *i,
    struct cmdline *cl)
{
	const char *a = argv[*i], *name, *eq, *val = NULL, *optname;
	const struct option *g = NULL;
	const struct opt *o;
	size_t len;
	int has_arg;

	if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
		return -1;
	if (a[1] != '-')
		return cmdline_usage(
		    "%s: unknown option '%s' (see %s %s --help)",
		    cmd->name, a, progname, cmd->name);
	name = a + 2;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			break;
	if (o != NULL && o->name != NULL) {
		optname = o->name;
		has_arg = o->has_arg;
	} else if ((g = find_global(name, len)) != NULL) {
		optname = g->name;
		has_arg = g->has_arg == required_argument;
	} else
		return cmdline_usage(
		    "%s: unknown option '--%.*s' (see %s %s --help)",
		    cmd->name, (int)len, name, progname, cmd->name);
	if (!has_arg && eq != NULL)
		return cmdline_usage(
		    "%s: --%s takes no value", cmd->name, optname);
	if (!has_arg)
		val = "";
	else if (eq != NULL)
		val = eq + 1;
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return cmdline_usage(
		    "%s: --%s needs a value", cmd->name, optname);
	if (g != NULL)
		return cmdline_set_global(cl->client, g->val, val);
	return set_option(cmd, cl, optname, val);
}

/* Whether cmd acts on a SESSION: those whose usage names one. */
static int
takes_session(const struct command *cmd)
{
	return strstr(cmd->usage, "SESSION") != NULL;
}

/* Whether a reads as an option of cmd here rather than as an argument. */
static int
is_option(const struct command *cmd, const struct cmdline *cl, const char *a)
{
	return a[0] == '-' && a[1] != '\0' && !(cmd->takes_values &&
	    cl->session != NULL && input_looks_numeric(a));
}

/*
 * Parses a command's arguments: SESSION, its options, and for share and run
 * the values. An argument that reads as a number (-7, +3, .5) is a value
 * once SESSION is known; "--" ends the options.
 * Returns 0, EXIT_USAGE, or -1 when --help was asked for.
 */
int
cmdline_parse_command(const struct command *cmd, int argc, char **argv,
    struct cmdline *cl)
{
	int i, end_of_opts = 0, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!end_of_opts && strcmp(a, "--") == 0)
			end_of_opts = 1;
		else if (!end_of_opts && is_option(cmd, cl, a)) {
			if ((r = parse_option(cmd, argc, argv, &i, cl)) != 0)
				return r;
		} else if (cl->session == NULL && takes_session(cmd))
			cl->session = a;
		else if (cmd->takes_values)
			cl->values[cl->nvalues++] = a;
		else
			return cmdline_usage(
			    "%s: unexpected argument '%s'", cmd->name,
			    a);
	}
	if (!takes_session(cmd))
		return 0;
	if (cl->session == NULL)
		return cmdline_usage(
		    "%s: SESSION is missing (usage: %s)", cmd->name,
		    cmd->usage);
	if (!session_id_valid(cl->session))
		return cmdline_usage("invalid session name: NAME or "
		    "CREATOR/NAME; " CLIENT_NAME_RULE);
	return 0;
}
