/* err.c: the string for each SS_ERR_* code, and errors with messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

const char *
ss_strerror(int code)
{
	switch (code) {
	case SS_OK:               return "success";
	case SS_ERR_INTERNAL:     return "internal error";
	case SS_ERR_ALLOC:        return "out of memory";
	case SS_ERR_INVALID:      return "invalid argument";
	case SS_ERR_RANGE:        return "value out of range";
	case SS_ERR_TOO_LARGE:    return "length over its limit";
	case SS_ERR_TRUNCATED:    return "input truncated";
	case SS_ERR_CRYPTO:       return "cryptographic library failure";
	case SS_ERR_AUTH:         return "ciphertext failed authentication";
	case SS_ERR_INCONSISTENT: return "sumpoints are inconsistent";
	case SS_ERR_IO:           return "I/O error";
	case SS_ERR_CHECKSUM:     return "checksum mismatch";
	case SS_ERR_VERSION:      return "unsupported format version";
	case SS_ERR_CERT:         return "certificate verification failed";
	case SS_ERR_KEY_PERMS:    return "private key file is accessible by others";
	case SS_ERR_NOT_FOUND:    return "not found";
	case SS_ERR_TIMEOUT:      return "timed out";
	case SS_ERR_PROTOCOL:     return "protocol violation";
	case SS_ERR_EXISTS:       return "already exists";
	case SS_ERR_DENIED:       return "permission denied";
	case SS_ERR_PRECONDITION: return "not possible in this state";
	case SS_ERR_EXHAUSTED:    return "a limit is reached";
	case SS_ERR_UNAVAILABLE:  return "service unavailable";
	case SS_ERR_UNAUTHENTICATED: return "not authenticated";
	default:                  return "unknown error";
	}
}

int
ss_error_set(struct ss_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
ss_error_prefix(struct ss_error *e, const char *fmt, ...)
{
	/* Room for both whole, so that only the final copy truncates. */
	char head[SS_ERROR_MSG_MAX], both[2 * SS_ERROR_MSG_MAX + 2];
	va_list ap;

	if (e == NULL)
		return SS_ERR_INTERNAL;
	va_start(ap, fmt);
	(void)vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	(void)snprintf(both, sizeof(both), "%s: %s", head, ss_error_msg(e));
	(void)snprintf(e->msg, sizeof(e->msg), "%.*s", (int)sizeof(e->msg) - 1,
	    both);
	return e->code;
}

void
ss_error_clear(struct ss_error *e)
{
	if (e == NULL)
		return;
	e->code = SS_OK;
	e->msg[0] = '\0';
}

const char *
ss_error_msg(const struct ss_error *e)
{
	return e->msg[0] != '\0' ? e->msg : ss_strerror(e->code);
}
