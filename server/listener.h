/*
 * listener.h: a listening TCP socket bound to HOST:PORT, as --listen and
 * --metrics-listen give it: resolved (IPv4 or IPv6, numeric port; port 0
 * lets the kernel pick one), bound with SO_REUSEADDR, listening and
 * non-blocking, and the address it got written out for the log.
 */
#ifndef SS_LISTENER_H
#define SS_LISTENER_H

#include <stddef.h>

#include <event2/util.h>

#include "err.h"

/*
 * Binds spec (HOST:PORT; opt names the flag it came from, for the
 * messages) and listens: SS_OK with *fd the socket and shown the bound
 * address as HOST:PORT ([HOST]:PORT for IPv6); else *fd is -1 and e says
 * which flag and address failed.
 */
int listener_bind(const char *opt, const char *spec, char *shown,
    size_t shownlen, evutil_socket_t *fd, struct ss_error *e) SS_WUR;

#endif
