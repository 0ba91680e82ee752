/*
 * cmd_status.c: `status`: the session's phase, parameters, who shared, the
 * cohort, who posted a sumpoint, who is missing, and the deadline, as text
 * lines "key: value" or one JSON object.
 */
#include <stdio.h>
#include <time.h>

#include "call.h"
#include "client.h"
#include "err.h"
#include "output.h"
#include "status.h"
#include "wire.h"

/* "none", "2024-01-01T00:00:00Z (unix N)", or N if it has no date. */
static void
print_deadline(FILE *f, uint64_t unix_s)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)unix_s;

	if (unix_s == 0)
		fputs("none\n", f);
	/* Past time_t's range (2^63 and up wrap to before 1970): no date. */
	else if (t < 0 || (uint64_t)t != unix_s || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		fprintf(f, "%llu\n", (unsigned long long)unix_s);
	else
		fprintf(f, "%s (unix %llu)\n", buf, (unsigned long long)unix_s);
}

/* ",\"KEY\":[names]" */
static void
json_list(FILE *f, const char *key, const struct wire_names *l)
{
	fprintf(f, ",\"%s\":", key);
	out_json_names(f, l);
}

static void
print_json(FILE *f, const char *session, const struct wire_response *st)
{
	fputs("{\"session\":", f);
	out_json_string(f, session);
	fprintf(f, ",\"phase\":\"%s\"", phase_name(st->phase));
	json_list(f, "parties", &st->params.parties);
	fprintf(f, ",\"threshold\":%u,\"length\":%u,\"decimals\":%u",
	    st->params.threshold, st->params.length, st->params.decimals);
	json_list(f, "shared", &st->shared);
	json_list(f, "cohort", &st->cohort);
	json_list(f, "posted", &st->posted);
	json_list(f, "missing", &st->missing);
	fputs(",\"deadline\":", f);
	if (st->deadline_unix != 0)
		fprintf(f, "%llu", (unsigned long long)st->deadline_unix);
	else
		fputs("null", f);
	if (st->phase == PHASE_FAILED) {
		fputs(",\"reason\":", f);
		out_json_string(f, call_message(st, "(no reason given)"));
	}
	fputs("}\n", f);
}

/* "KEY: a,b,c" */
static void
text_list(FILE *f, const char *key, const struct wire_names *l)
{
	char list[8192];

	out_join(list, sizeof(list), l, ",");
	fprintf(f, "%s: %s\n", key, list);
}

static void
print_text(FILE *f, const char *session, const struct wire_response *st)
{
	fprintf(f, "session: %s\n", session);
	fprintf(f, "phase: %s\n", phase_name(st->phase));
	text_list(f, "parties", &st->params.parties);
	fprintf(f, "threshold: %u\nlength: %u\ndecimals: %u\n",
	    st->params.threshold, st->params.length, st->params.decimals);
	text_list(f, "shared", &st->shared);
	text_list(f, "cohort", &st->cohort);
	text_list(f, "posted", &st->posted);
	text_list(f, "missing", &st->missing);
	fputs("deadline: ", f);
	print_deadline(f, st->deadline_unix);
	if (st->phase == PHASE_FAILED)
		fprintf(f, "reason: %s\n", call_message(st,
		    "(no reason given)"));
}

void
cmd_status_print(FILE *f, int json, const char *session,
    const struct wire_response *st)
{
	if (json)
		print_json(f, session, st);
	else
		print_text(f, session, st);
}

int
cmd_status(struct client *c, const char *session, struct ss_error *e)
{
	struct wire_response st;
	int r;

	if ((r = call_status(c, session, &st, e)) != SS_OK)
		return r;
	cmd_status_print(stdout, c->json, session, &st);
	wire_response_free(&st);
	return SS_OK;
}
