/*
 * cmd_list.c: `list`: the sessions this party is in, with their phase,
 * age, creator and when the server will drop them, a page at a time from
 * the server (ListSessions), as lines or one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "output.h"
#include "pin.h"
#include "status.h"
#include "wire.h"

/* Most pages read: a server that keeps announcing more is not believed. */
#define LIST_MAX_PAGES 65536

/* "45s", "12m", "3h12m", "5d3h": an age at a glance. */
static void
fmt_age(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m", s / 3600,
		    s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%" PRIu64 "h", s / 86400,
		    s % 86400 / 3600);
}

static void
print_text(const struct wire_session *v)
{
	char age[32], expires[96];

	fmt_age(age, sizeof(age), v->age_seconds);
	if (v->expires_unix == 0)
		snprintf(expires, sizeof(expires), "never");
	else
		pin_deadline(expires, sizeof(expires), v->expires_unix);
	printf("%s %s age %s creator %s parties %" PRIu32 " expires %s\n",
	    v->session_id, phase_name(v->phase), age,
	    v->creator[0] != '\0' ? v->creator : "unknown", v->parties,
	    expires);
}

static void
print_json(const struct wire_session *v, int first)
{
	printf("%s{\"session\":", first ? "" : ",");
	out_json_string(stdout, v->session_id);
	printf(",\"phase\":\"%s\",\"created_unix\":%" PRIu64 ","
	    "\"age_seconds\":%" PRIu64 ",\"creator\":", phase_name(v->phase),
	    v->created_unix, v->age_seconds);
	if (v->creator[0] != '\0')
		out_json_string(stdout, v->creator);
	else
		printf("null");
	printf(",\"parties\":%" PRIu32 ",\"expires_unix\":", v->parties);
	if (v->expires_unix != 0)
		printf("%" PRIu64 "}", v->expires_unix);
	else
		printf("null}");
}

/* What the pages listed so far printed. */
struct listed {
	size_t shown;           /* sessions */
	int opened;             /* --json: the object is open */
};

/* One page from offset: printed; *next the offset of the next, 0: none. */
static int
list_page(struct client *c, uint32_t offset, struct listed *l, uint32_t *next,
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
	if (c->print && c->json && !l->opened) {
		fputs(OUT_JSON_OPEN "\"sessions\":[", stdout);
		l->opened = 1;
	}
	for (i = 0; i < resp.nsessions; i++) {
		out_sanitize(resp.sessions[i].session_id);
		out_sanitize(resp.sessions[i].creator);
		if (!c->print)
			continue;
		if (c->json)
			print_json(&resp.sessions[i], l->shown + i == 0);
		else
			print_text(&resp.sessions[i]);
	}
	l->shown += resp.nsessions;
	/* Pages move forward, or the listing ends. */
	*next = resp.nsessions > 0 && resp.next_offset > offset ?
	    resp.next_offset : 0;
	wire_response_free(&resp);
	return SS_OK;
}

int
cmd_list(struct client *c, struct ss_error *e)
{
	struct listed l = { 0, 0 };
	uint32_t offset = 0, next = 0;
	size_t pages = 0;
	int r;

	do {
		if ((r = list_page(c, offset, &l, &next, e)) != SS_OK)
			break;
		offset = next;
	} while (next != 0 && ++pages < LIST_MAX_PAGES);
	if (l.opened) {
		/* Cut short: main adds the error to the object left open. */
		fputs(r == SS_OK ? "]}\n" : "]", stdout);
		c->printed = r != SS_OK;
	} else if (r == SS_OK && c->print && !c->json && l.shown == 0)
		printf("no sessions of %s\n", c->party);
	return r;
}
