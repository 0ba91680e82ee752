/*
 * status.h: the outcome of a server operation as the client will see it: a
 * gRPC status code (the same numbers as securesum.Code in the proto) and a
 * human-readable message.
 */
#ifndef SS_STATUS_H
#define SS_STATUS_H

#include <stddef.h>

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

#define STATUS_MSG_MAX 256

struct status {
	enum status_code code;
	char msg[STATUS_MSG_MAX];
};

/* Sets st and returns its code, so that callers can `return status_set(...)`. */
enum status_code status_set(struct status *st, enum status_code code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

const char *status_name(enum status_code code);

#endif
