/*
 * status.h: the answers of the protocol as both sides name them: the gRPC
 * status codes a response carries (the same numbers as securesum.Code in
 * proto/securesum.proto), the phases of a session (securesum.Phase), and
 * the one mapping between SS_ERR_* codes and wire statuses.
 */
#ifndef SS_STATUS_H
#define SS_STATUS_H

#include <stddef.h>

#include "err.h"

enum status_code {
	ST_OK = 0,
	ST_INVALID_ARGUMENT = 3,
	ST_DEADLINE_EXCEEDED = 4,
	ST_NOT_FOUND = 5,
	ST_ALREADY_EXISTS = 6,
	ST_PERMISSION_DENIED = 7,
	ST_RESOURCE_EXHAUSTED = 8,
	ST_FAILED_PRECONDITION = 9,
	ST_INTERNAL = 13,
	ST_UNAVAILABLE = 14,
	ST_UNAUTHENTICATED = 16,
};

enum phase {
	PHASE_UNSPECIFIED = 0,
	PHASE_SHARING = 1,
	PHASE_AGGREGATING = 2,
	PHASE_COMPLETE = 3,
	PHASE_FAILED = 4,
};

#define STATUS_MSG_MAX 256

/* (Being replaced by struct ss_error: see err.h.) */
struct status {
	enum status_code code;
	char msg[STATUS_MSG_MAX];
};

/* Sets st and returns its code, so that callers can `return status_set(...)`. */
enum status_code status_set(struct status *st, enum status_code code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The gRPC name of any code 0-16 ("OK", "NOT_FOUND"...); "UNKNOWN_CODE" else. */
const char *status_name(int code);
/* "SHARING", "AGGREGATING", "COMPLETE", "FAILED", or "UNSPECIFIED". */
const char *phase_name(int phase);

/*
 * The wire status a failure is answered with: SS_OK is ST_OK; the codes of
 * the peer's answers (SS_ERR_EXISTS...) their status; a bad request
 * (INVALID, RANGE, TOO_LARGE, TRUNCATED, PROTOCOL) INVALID_ARGUMENT;
 * anything else INTERNAL.
 */
enum status_code status_from_err(int err);
/*
 * The SS_ERR_* code of a wire status a peer answered with (any number):
 * ST_OK is SS_OK; a code without its own SS_ERR_* is SS_ERR_PROTOCOL.
 */
int status_to_err(int code);

#endif
