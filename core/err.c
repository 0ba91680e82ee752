/* err.c: the string for each SS_ERR_* code. */
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
	default:                  return "unknown error";
	}
}
