/*
 * cmd_list.c: `list`: the sessions this party is in, with their phase,
 * age, creator and when the server will drop them, a page at a time from
 * the server (ListSessions), gathered into c->list_out (client/cli.c
 * prints them for mpc-client). What the server says is made printable
 * here, once, for every caller.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "output.h"
#include "status.h"
#include "wire.h"

/* Most pages read: a server that keeps announcing more is not believed. */
#define LIST_MAX_PAGES 65536

/* The n sessions of a page, added to l. */
static int
keep_page(struct client_listed *l, const struct wire_session *v, size_t n,
    struct ss_error *e)
{
	struct wire_session *grown;
	size_t cap;

	if (l == NULL || n == 0)
		return SS_OK;
	if (n > SIZE_MAX / sizeof(*grown) - l->n)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "too many sessions");
	if (l->n + n > l->cap) {
		cap = l->n + n > 2 * l->cap ? l->n + n : 2 * l->cap;
		if (cap > SIZE_MAX / sizeof(*grown) ||
		    (grown = realloc(l->v, cap * sizeof(*grown))) == NULL)
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		l->v = grown;
		l->cap = cap;
	}
	memcpy(l->v + l->n, v, n * sizeof(*v));
	l->n += n;
	return SS_OK;
}

/* One page from offset, kept; *next the offset of the next, 0: none. */
static int
list_page(struct client *c, uint32_t offset, uint32_t *next,
    struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	size_t i;
	int r;

	call_request(&req, WIRE_LIST_SESSIONS, NULL, NULL);
	req.offset = offset;
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if (resp.code != ST_OK) {
		r = call_refused(c, &resp, WIRE_LIST_SESSIONS, NULL, e);
		wire_response_free(&resp);
		return r;
	}
	for (i = 0; i < resp.nsessions; i++) {
		out_sanitize(resp.sessions[i].session_id);
		out_sanitize(resp.sessions[i].creator);
	}
	r = keep_page(c->list_out, resp.sessions, resp.nsessions, e);
	/* Pages move forward, or the listing ends. */
	*next = resp.nsessions > 0 && resp.next_offset > offset ?
	    resp.next_offset : 0;
	wire_response_free(&resp);
	return r;
}

int
cmd_list(struct client *c, struct ss_error *e)
{
	uint32_t offset = 0, next = 0;
	size_t pages = 0;
	int r;

	do {
		if ((r = list_page(c, offset, &next, e)) != SS_OK)
			break;
		offset = next;
	} while (next != 0 && ++pages < LIST_MAX_PAGES);
	return r;
}

void
client_listed_free(struct client_listed *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
