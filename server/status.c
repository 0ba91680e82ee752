/* status.c: building statuses and naming their codes. */
#include <stdarg.h>
#include <stdio.h>

#include "status.h"

enum status_code
status_set(struct status *st, enum status_code code, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *
status_name(enum status_code code)
{
	switch (code) {
	case ST_OK:                  return "OK";
	case ST_INVALID_ARGUMENT:    return "INVALID_ARGUMENT";
	case ST_DEADLINE_EXCEEDED:   return "DEADLINE_EXCEEDED";
	case ST_NOT_FOUND:           return "NOT_FOUND";
	case ST_ALREADY_EXISTS:      return "ALREADY_EXISTS";
	case ST_PERMISSION_DENIED:   return "PERMISSION_DENIED";
	case ST_RESOURCE_EXHAUSTED:  return "RESOURCE_EXHAUSTED";
	case ST_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
	case ST_INTERNAL:            return "INTERNAL";
	case ST_UNAVAILABLE:         return "UNAVAILABLE";
	case ST_UNAUTHENTICATED:     return "UNAUTHENTICATED";
	}
	return "UNKNOWN";
}
