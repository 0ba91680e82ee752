/* addr.c: splitting HOST:PORT and [IPv6]:PORT. */
#include <string.h>

#include "addr.h"
#include "err.h"

/* The host and port parts of spec, before any check of their contents. */
static int
addr_parts(const char *spec, const char **h, size_t *hl, const char **p)
{
	const char *colon, *rb;

	if (spec[0] == '[') {
		if ((rb = strchr(spec, ']')) == NULL || rb[1] != ':')
			return SS_ERR_INVALID;
		*h = spec + 1;
		*hl = (size_t)(rb - *h);
		*p = rb + 2;
		return SS_OK;
	}
	if ((colon = strrchr(spec, ':')) == NULL)
		return SS_ERR_INVALID;
	/* An unbracketed IPv6 address would be ambiguous. */
	if (memchr(spec, ':', (size_t)(colon - spec)) != NULL)
		return SS_ERR_INVALID;
	*h = spec;
	*hl = (size_t)(colon - spec);
	*p = colon + 1;
	return SS_OK;
}

static int
port_valid(const char *p, int flags)
{
	size_t i, pl = strlen(p);
	unsigned long v = 0;

	if (pl == 0 || pl > ADDR_PORT_MAX)
		return 0;
	for (i = 0; i < pl; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v <= 65535 && (v != 0 || (flags & ADDR_PORT_ZERO_OK));
}

int
addr_split(const char *spec, struct hostport *out, int flags)
{
	const char *h, *p;
	size_t hl, i;

	if (spec == NULL || addr_parts(spec, &h, &hl, &p) != SS_OK)
		return SS_ERR_INVALID;
	if (hl == 0 || hl > ADDR_HOST_MAX || !port_valid(p, flags))
		return SS_ERR_INVALID;
	for (i = 0; i < hl; i++)
		if ((unsigned char)h[i] <= ' ' || h[i] == '/' || h[i] == '[' ||
		    h[i] == ']')
			return SS_ERR_INVALID;
	memcpy(out->host, h, hl);
	out->host[hl] = '\0';
	memcpy(out->port, p, strlen(p) + 1);   /* port_valid bounded it */
	return SS_OK;
}
