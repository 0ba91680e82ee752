/*
 * listener.c: the listening sockets of --listen and --metrics-listen, bound
 * and shown. See listener.h.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/util.h>

#include "addr.h"
#include "err.h"
#include "listener.h"

/* A socket bound to one of the addresses and listening, or -1. */
static evutil_socket_t
bind_first(const struct addrinfo *res)
{
	const struct addrinfo *ai;
	evutil_socket_t fd;
	int one = 1;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0 &&
		    evutil_make_socket_nonblocking(fd) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* The port fd is bound to, in shown as HOST:PORT (port 0 picks one). */
static int SS_WUR
show_bound(evutil_socket_t fd, const struct hostport *hp, char *shown,
    size_t shownlen, struct ss_error *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char sport[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, sport, sizeof(sport),
	    NI_NUMERICSERV) != 0)
		return ss_error_set(e, SS_ERR_IO, "getsockname: %s", strerror(errno));
	snprintf(shown, shownlen, strchr(hp->host, ':') ? "[%s]:%s" : "%s:%s",
	    hp->host, sport);
	return SS_OK;
}

int
listener_bind(const char *opt, const char *spec, char *shown, size_t shownlen,
    evutil_socket_t *fd, struct ss_error *e)
{
	struct addrinfo hints, *res = NULL;
	struct hostport hp;
	int rc;

	*fd = -1;
	if (addr_split(spec, &hp, ADDR_PORT_ZERO_OK) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "%s wants HOST:PORT, got %s",
		    opt, spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(hp.host, hp.port, &hints, &res)) != 0)
		return ss_error_set(e, SS_ERR_IO, "%s: cannot resolve %s: %s",
		    opt, spec, gai_strerror(rc));
	if ((*fd = bind_first(res)) < 0)
		rc = ss_error_set(e, SS_ERR_IO, "%s: cannot listen on %s: %s",
		    opt, spec, strerror(errno));
	else if ((rc = show_bound(*fd, &hp, shown, shownlen, e)) != SS_OK) {
		close(*fd);
		*fd = -1;
	}
	freeaddrinfo(res);
	return rc;
}
