/*
 * cmdline.h: mpc-client's command line read into structs: what a command
 * line asks for (struct cmdline), the table of commands (struct command,
 * filled in by main.c), the global options, and the usage error that
 * parsing leaves for main.c to print. Part of mpc-client, not of
 * libsecuresum.
 */
#ifndef SS_CLIENT_CMDLINE_H
#define SS_CLIENT_CMDLINE_H

#include <getopt.h>
#include <stddef.h>

#include "securesum.h"

#include "client.h"
#include "err.h"
#include "pin.h"

#define CMDLINE_PROGNAME "mpc-client"

/* Returned by a step of main that found nothing to stop for. */
#define CMDLINE_GO_ON (-1)

/* What a command line asks for. */
struct cmdline {
	const char *session;
	char *parties_buf;             /* --parties, split in place */
	const char **parties;          /* ... into these, create.parties */
	struct create_args create;     /* create's options */
	struct pin_args pin;           /* the session pinned */
	int have_parties, have_threshold;
	const char **values;           /* share, run */
	size_t nvalues;
	const char *input;             /* --input FILE */
	int reuse_input, require_verified;
	struct client *client;         /* for global options after COMMAND */
};

struct command;
/* Checks a command's arguments and runs it: its exit status. */
typedef int (*run_fn)(struct client *, const struct command *,
    struct cmdline *, struct ss_error *);

/* A command-line option of a command. */
struct opt {
	const char *name;              /* without the leading "--" */
	int has_arg;                   /* 0: a flag */
};

struct command {
	const char *name;
	const char *usage;
	const char *help;
	const struct opt *opts;        /* NULL-terminated */
	int takes_values;              /* share, run */
	int pinned;                    /* needs the session pinned (pin.h) */
	run_fn run;
	/* share and run (run_with_input): the command over the library. */
	int (*on_input)(struct client *c, const char *session,
	    const struct securesum_input *in, struct ss_error *e);
};

/*
 * The usage error (fmt's message, SS_ERR_INVALID) into cmdline_error();
 * returns EXIT_USAGE.
 */
int cmdline_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage error, printed once main is done; code SS_OK if none. */
struct ss_error *cmdline_error(void);

/* The global options, for getopt_long before COMMAND. */
extern const struct option cmdline_global_opts[];
/* Global option id (its getopt val) with val into c: 0 or EXIT_USAGE. */
int cmdline_set_global(struct client *c, int id, const char *val);
/* Whether --version was given, before or after COMMAND. */
int cmdline_version_asked(void);

/*
 * Parses a command's arguments (argv[0] is COMMAND): SESSION, its options,
 * and for share and run the values. Returns 0, EXIT_USAGE, or -1 when
 * --help was asked for.
 */
int cmdline_parse_command(const struct command *cmd, int argc, char **argv,
    struct cmdline *cl);

#endif
