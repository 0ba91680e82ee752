/*
 * outcome.c: the one table from SS_ERR_* codes to exit statuses and the
 * stable names --json prints (outcome.h, docs/CLI.md).
 */
#include <stddef.h>

#include "err.h"
#include "outcome.h"

struct mapping {
	int err;               /* an SS_ERR_* code */
	int status;            /* its exit status */
	const char *reason;    /* its stable name */
};

/*
 * Names are part of the JSON contract: add new ones, never rename. A code
 * missing here is EXIT_FAILED with reason "error".
 */
static const struct mapping table[] = {
	{ SS_OK,                  EXIT_OK,          "ok" },
	{ SS_ERR_INTERNAL,        EXIT_FAILED,      "internal" },
	{ SS_ERR_ALLOC,           EXIT_FAILED,      "out_of_memory" },
	{ SS_ERR_IO,              EXIT_FAILED,      "io" },
	{ SS_ERR_CRYPTO,          EXIT_FAILED,      "crypto" },
	{ SS_ERR_VERSION,         EXIT_FAILED,      "version" },
	/* What was given (argument, option, input file) cannot be used. */
	{ SS_ERR_INVALID,         EXIT_USAGE,       "invalid" },
	{ SS_ERR_RANGE,           EXIT_USAGE,       "range" },
	{ SS_ERR_TOO_LARGE,       EXIT_USAGE,       "too_large" },
	/* The server, or this party's own rules, said no. */
	{ SS_ERR_DENIED,          EXIT_REFUSED,     "denied" },
	{ SS_ERR_EXISTS,          EXIT_REFUSED,     "exists" },
	{ SS_ERR_CERT,            EXIT_REFUSED,     "certificate" },
	{ SS_ERR_UNAUTHENTICATED, EXIT_REFUSED,     "unauthenticated" },
	{ SS_ERR_KEY_PERMS,       EXIT_REFUSED,     "key_permissions" },
	{ SS_ERR_EXHAUSTED,       EXIT_REFUSED,     "exhausted" },
	{ SS_ERR_NOT_FOUND,       EXIT_NOT_FOUND,   "not_found" },
	{ SS_ERR_PRECONDITION,    EXIT_NOT_READY,   "not_ready" },
	{ SS_ERR_UNAVAILABLE,     EXIT_UNAVAILABLE, "unavailable" },
	{ SS_ERR_TIMEOUT,         EXIT_UNAVAILABLE, "timeout" },
	/* Data that should have been right is not: a sign of an attack. */
	{ SS_ERR_AUTH,            EXIT_INTEGRITY,   "authentication" },
	{ SS_ERR_INCONSISTENT,    EXIT_INTEGRITY,   "inconsistent" },
	{ SS_ERR_CHECKSUM,        EXIT_INTEGRITY,   "checksum" },
	{ SS_ERR_PROTOCOL,        EXIT_INTEGRITY,   "protocol" },
	{ SS_ERR_TRUNCATED,       EXIT_INTEGRITY,   "truncated" },
};

static const struct mapping *
find(int err)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].err == err)
			return &table[i];
	return NULL;
}

int
outcome_exit(int err)
{
	const struct mapping *m = find(err);

	return m != NULL ? m->status : EXIT_FAILED;
}

const char *
outcome_reason(int err)
{
	const struct mapping *m = find(err);

	return m != NULL ? m->reason : "error";
}

const char *
outcome_code(int status)
{
	static const char *const names[] = {
		"ok", "failed", "usage", "refused", "not_found", "not_ready",
		"unavailable", "integrity",
	};

	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
		return "failed";
	return names[status];
}
