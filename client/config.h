/*
 * config.h: the defaults of mpc-client's global options, from its
 * configuration file ($XDG_CONFIG_HOME/secure-sum/client.conf, else
 * ~/.config/secure-sum/client.conf) and the environment (SECURE_SUM_SERVER,
 * SECURE_SUM_CERTS, SECURE_SUM_PARTY). A flag wins over the environment,
 * which wins over the file (docs/CLI.md).
 *
 * The file holds "KEY = VALUE" lines; '#' starts a comment line. Any line
 * that is not one of these is an error naming the file and the line, so
 * that a typo never silently falls back to another server or party. A
 * file another user owns or may write is refused: it names the server and
 * the CA to trust.
 */
#ifndef SS_CLIENT_CONFIG_H
#define SS_CLIENT_CONFIG_H

#include <stdio.h>

#include "err.h"

/* The longest line of the file, newline and NUL included. */
#define CONFIG_LINE_MAX 1024

/* What the file says; NULL (or 0) for what it does not. */
struct client_config {
	char *server, *server_name, *certs, *party, *state;
	unsigned timeout_s;
};

/*
 * Where the file is: into buf (len bytes). 0, or -1 when there is no
 * place for one (no absolute $XDG_CONFIG_HOME and no $HOME) or it is too
 * long.
 */
int config_path(char *buf, size_t len);
/*
 * Reads the file at path into cfg (zeroed first): SS_OK, also when it does
 * not exist; SS_ERR_INVALID ("PATH:LINE: ...") for a line it cannot use,
 * or for a file another user owns (root aside) or that its group or others
 * may write; SS_ERR_IO when it cannot be read. On failure cfg holds
 * nothing.
 */
int config_load(struct client_config *cfg, const char *path,
    struct ss_error *e) SS_WUR;
/*
 * The same for an open stream, named path in messages; on failure cfg may
 * hold what came before the bad line (config_free it either way).
 */
int config_parse(struct client_config *cfg, FILE *f, const char *path,
    struct ss_error *e) SS_WUR;
void config_free(struct client_config *cfg);

/*
 * The value of an option: flag if given, else the environment variable
 * env if set and not empty, else the file's value (or NULL).
 */
const char *config_pick(const char *flag, const char *env,
    const char *file);

#endif
