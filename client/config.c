/*
 * config.c: mpc-client's configuration file and environment defaults
 * (config.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "config.h"

/* The keys of the file, each a global option of the same name. */
enum key { K_SERVER, K_SERVER_NAME, K_CERTS, K_PARTY, K_STATE, K_TIMEOUT };

static const char *const key_names[] = {
	"server", "server-name", "certs", "party", "state", "timeout",
};
#define NKEYS (sizeof(key_names) / sizeof(key_names[0]))
#define KEY_LIST "server, server-name, certs, party, state, timeout"

int
config_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG base directory spec: a relative path is to be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/secure-sum/client.conf", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.config/secure-sum/client.conf",
		    home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static char **
slot(struct client_config *cfg, enum key k)
{
	switch (k) {
	case K_SERVER:      return &cfg->server;
	case K_SERVER_NAME: return &cfg->server_name;
	case K_CERTS:       return &cfg->certs;
	case K_PARTY:       return &cfg->party;
	case K_STATE:       return &cfg->state;
	case K_TIMEOUT:     break;
	}
	return NULL;
}

/* A timeout of 1 to INT_MAX / 1000 seconds, digits only; 0 if not. */
static unsigned
parse_timeout(const char *s)
{
	unsigned long v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > (unsigned long)INT_MAX / 1000)
			return 0;
	}
	return (unsigned)v;
}

/* Sets key k (seen first on line no) to val. */
static int
set_key(struct client_config *cfg, enum key k, const char *val,
    const char *path, unsigned no, const unsigned *seen, struct ss_error *e)
{
	char **p;

	if (seen[k] != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: '%s' is set "
		    "again (first on line %u): keep one", path, no,
		    key_names[k], seen[k]);
	if (k == K_TIMEOUT) {
		if ((cfg->timeout_s = parse_timeout(val)) == 0)
			return ss_error_set(e, SS_ERR_INVALID, "%s:%u: timeout "
			    "must be a whole number of seconds from 1 to %d",
			    path, no, INT_MAX / 1000);
		return SS_OK;
	}
	p = slot(cfg, k);
	if ((*p = strdup(val)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	return SS_OK;
}

/* One line, its newline removed: a comment, blank, or KEY = VALUE. */
static int
parse_line(struct client_config *cfg, char *line, const char *path,
    unsigned no, unsigned *seen, struct ss_error *e)
{
	char *p = line, *key, *end;
	size_t k, klen;
	int r;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return SS_OK;
	for (key = p; *p == '-' || (*p >= 'a' && *p <= 'z'); p++)
		;
	klen = (size_t)(p - key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (klen == 0 || *p != '=')
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: expected "
		    "KEY = VALUE (keys: " KEY_LIST "), or a '#' comment",
		    path, no);
	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]);
	    end--)
		;
	*end = '\0';
	for (k = 0; k < NKEYS; k++)
		if (strlen(key_names[k]) == klen &&
		    strncmp(key_names[k], key, klen) == 0)
			break;
	if (k == NKEYS)
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: unknown key "
		    "'%.*s' (keys: " KEY_LIST ")", path, no, (int)klen, key);
	if (*p == '\0')
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: '%s' has no "
		    "value", path, no, key_names[k]);
	if ((r = set_key(cfg, (enum key)k, p, path, no, seen, e)) != SS_OK)
		return r;
	seen[k] = no;
	return SS_OK;
}

/* Line no of the file, got bytes with its newline: checked, then parsed. */
static int
take_line(struct client_config *cfg, char *line, size_t got,
    const char *path, unsigned no, unsigned *seen, struct ss_error *e)
{
	if (got > 0 && line[got - 1] == '\n')
		line[--got] = '\0';
	if (got > CONFIG_LINE_MAX - 2)
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: line longer "
		    "than %d bytes", path, no, CONFIG_LINE_MAX - 2);
	if (strlen(line) != got)
		return ss_error_set(e, SS_ERR_INVALID, "%s:%u: a NUL byte: "
		    "this is not a text file", path, no);
	return parse_line(cfg, line, path, no, seen, e);
}

int
config_parse(struct client_config *cfg, FILE *f, const char *path,
    struct ss_error *e)
{
	unsigned seen[NKEYS], no = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int r = SS_OK;

	memset(cfg, 0, sizeof(*cfg));
	memset(seen, 0, sizeof(seen));
	errno = 0;
	while (r == SS_OK && (got = getline(&line, &cap, f)) != -1)
		r = take_line(cfg, line, (size_t)got, path, ++no, seen, e);
	free(line);
	if (r == SS_OK && ferror(f))
		r = ss_error_set(e, errno == ENOMEM ? SS_ERR_ALLOC : SS_ERR_IO,
		    "cannot read %s: %s", path, strerror(errno));
	return r;
}

/*
 * The file names the server and the CA folder: one that another user may
 * change could send this party to a server of theirs. Refused as ssh
 * refuses such a config file.
 */
static int
check_owner(FILE *f, const char *path, struct ss_error *e)
{
	struct stat sb;

	if (fstat(fileno(f), &sb) != 0)
		return ss_error_set(e, SS_ERR_IO, "cannot stat %s: %s", path,
		    strerror(errno));
	if (sb.st_uid != geteuid() && sb.st_uid != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s belongs to another "
		    "user (uid %u): refusing defaults another user can change",
		    path, (unsigned)sb.st_uid);
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s is writable by "
		    "%s (mode %04o): refusing defaults another user can "
		    "change; chmod go-w it", path, (sb.st_mode & S_IWOTH) ?
		    "others" : "its group", (unsigned)(sb.st_mode & 07777));
	return SS_OK;
}

int
config_load(struct client_config *cfg, const char *path, struct ss_error *e)
{
	FILE *f;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return SS_OK;
		return ss_error_set(e, SS_ERR_IO, "cannot open %s: %s (fix "
		    "its permissions, or set XDG_CONFIG_HOME to a folder "
		    "without one)", path, strerror(errno));
	}
	if ((r = check_owner(f, path, e)) == SS_OK)
		r = config_parse(cfg, f, path, e);
	(void)fclose(f);
	if (r != SS_OK)
		config_free(cfg);
	return r;
}

void
config_free(struct client_config *cfg)
{
	size_t k;

	for (k = 0; k < NKEYS; k++) {
		char **p = slot(cfg, (enum key)k);

		if (p != NULL) {
			free(*p);
			*p = NULL;
		}
	}
	cfg->timeout_s = 0;
}

const char *
config_pick(const char *flag, const char *env, const char *file)
{
	const char *v;

	if (flag != NULL)
		return flag;
	if (env != NULL && (v = getenv(env)) != NULL && v[0] != '\0')
		return v;
	return file;
}
