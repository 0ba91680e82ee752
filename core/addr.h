/*
 * addr.h: the one reading of a "HOST:PORT" address, for the server's
 * --listen and the client's --server: HOST is a DNS name or an IPv4 literal,
 * or an IPv6 literal in brackets ("[::1]:7000"; unbracketed it would be
 * ambiguous); PORT is 1-65535 in decimal (0 too where the caller allows
 * it: "pick a free port").
 */
#ifndef SS_ADDR_H
#define SS_ADDR_H

#include "err.h"

#define ADDR_HOST_MAX 253   /* the longest DNS name */
#define ADDR_PORT_MAX 5     /* digits */

#define ADDR_PORT_ZERO_OK 1  /* flag: port 0 is allowed */

struct hostport {
	char host[ADDR_HOST_MAX + 1];   /* without the brackets of IPv6 */
	char port[ADDR_PORT_MAX + 1];   /* decimal digits */
};

/*
 * Splits spec into out: SS_OK, or SS_ERR_INVALID for anything else (an
 * empty host, a host with blanks, '/', '[' or ']', a port that is not 1 to
 * 5 digits or out of range).
 */
int addr_split(const char *spec, struct hostport *out, int flags) SS_WUR;

#endif
