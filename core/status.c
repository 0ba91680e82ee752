/* status.c: naming wire statuses and phases, and mapping them to SS_ERR_*. */
#include <string.h>

#include "status.h"

void
status_message_fit(char *msg)
{
	size_t n = strlen(msg);

	if (n <= STATUS_MESSAGE_MAX)
		return;
	n = STATUS_MESSAGE_MAX;
	/* Back up over continuation bytes (10xxxxxx) to a sequence's start. */
	while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
		n--;
	msg[n] = '\0';
}

const char *
status_name(int code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
		"UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN_CODE";
	return names[code];
}

const char *
phase_name(int phase)
{
	switch (phase) {
	case PHASE_SHARING:     return "SHARING";
	case PHASE_AGGREGATING: return "AGGREGATING";
	case PHASE_COMPLETE:    return "COMPLETE";
	case PHASE_FAILED:      return "FAILED";
	default:                return "UNSPECIFIED";
	}
}

/* The pairs that map one to one; the rest are decided below. */
static const struct {
	int err;
	enum status_code st;
} pairs[] = {
	{ SS_OK,                  ST_OK },
	{ SS_ERR_NOT_FOUND,       ST_NOT_FOUND },
	{ SS_ERR_EXISTS,          ST_ALREADY_EXISTS },
	{ SS_ERR_DENIED,          ST_PERMISSION_DENIED },
	{ SS_ERR_PRECONDITION,    ST_FAILED_PRECONDITION },
	{ SS_ERR_EXHAUSTED,       ST_RESOURCE_EXHAUSTED },
	{ SS_ERR_UNAVAILABLE,     ST_UNAVAILABLE },
	{ SS_ERR_UNAUTHENTICATED, ST_UNAUTHENTICATED },
	{ SS_ERR_TIMEOUT,         ST_DEADLINE_EXCEEDED },
	{ SS_ERR_INVALID,         ST_INVALID_ARGUMENT },
	{ SS_ERR_INTERNAL,        ST_INTERNAL },
};

enum status_code
status_from_err(int err)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i].err == err)
			return pairs[i].st;
	switch (err) {
	case SS_ERR_RANGE:
	case SS_ERR_TOO_LARGE:
	case SS_ERR_TRUNCATED:
	case SS_ERR_PROTOCOL:
		return ST_INVALID_ARGUMENT;
	default:
		return ST_INTERNAL;
	}
}

int
status_to_err(int code)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if ((int)pairs[i].st == code)
			return pairs[i].err;
	return SS_ERR_PROTOCOL;
}
