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

/*
 * The longest Response.message, in bytes (proto/securesum.options gives
 * nanopb 256 with the NUL): a server cuts longer messages, a client refuses
 * them.
 */
#define STATUS_MESSAGE_MAX 255

/*
 * Cuts msg to at most STATUS_MESSAGE_MAX bytes, never inside a UTF-8
 * sequence (proto3 strings must stay valid UTF-8).
 */
void status_message_fit(char *msg);

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
