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

/* One way of writing the status: "key: value" lines, or one JSON object. */
struct form {
	const char *open, *sep, *close;   /* around and between the entries */
	const char *key_pre, *key_post;   /* around a key */
	void (*string)(FILE *, const char *);
	void (*names)(FILE *, const struct wire_names *);
	void (*deadline)(FILE *, uint64_t);
};

static void
text_string(FILE *f, const char *s)
{
	fputs(s, f);
}

static void
text_names(FILE *f, const struct wire_names *l)
{
	char list[8192];

	out_join(list, sizeof(list), l, ",");
	fputs(list, f);
}

/* "none", "2024-01-01T00:00:00Z (unix N)", or N if it has no date. */
static void
text_deadline(FILE *f, uint64_t unix_s)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)unix_s;

	if (unix_s == 0)
		fputs("none", f);
	/* Past time_t's range (2^63 and up wrap to before 1970): no date. */
	else if (t < 0 || (uint64_t)t != unix_s || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		fprintf(f, "%llu", (unsigned long long)unix_s);
	else
		fprintf(f, "%s (unix %llu)", buf, (unsigned long long)unix_s);
}

static void
json_deadline(FILE *f, uint64_t unix_s)
{
	if (unix_s != 0)
		fprintf(f, "%llu", (unsigned long long)unix_s);
	else
		fputs("null", f);
}

static const struct form text_form = {
	"", "\n", "\n", "", ": ", text_string, text_names, text_deadline,
};

static const struct form json_form = {
	"{", ",", "}\n", "\"", "\":", out_json_string, out_json_names,
	json_deadline,
};

/* The output under way: its form, and how many entries it holds. */
struct out {
	FILE *f;
	const struct form *fm;
	int n;
};

/* Starts the entry `key`: where its value goes. */
static FILE *
entry(struct out *o, const char *key)
{
	fprintf(o->f, "%s%s%s%s", o->n++ == 0 ? o->fm->open : o->fm->sep,
	    o->fm->key_pre, key, o->fm->key_post);
	return o->f;
}

void
cmd_status_print(FILE *f, int json, const char *session,
    const struct wire_response *st)
{
	struct out o = { f, json ? &json_form : &text_form, 0 };
	const struct form *fm = o.fm;

	fm->string(entry(&o, "session"), session);
	fm->string(entry(&o, "phase"), phase_name(st->phase));
	fm->names(entry(&o, "parties"), &st->params.parties);
	fprintf(entry(&o, "threshold"), "%u", st->params.threshold);
	fprintf(entry(&o, "length"), "%u", st->params.length);
	fprintf(entry(&o, "decimals"), "%u", st->params.decimals);
	fm->names(entry(&o, "shared"), &st->shared);
	fm->names(entry(&o, "cohort"), &st->cohort);
	fm->names(entry(&o, "posted"), &st->posted);
	fm->names(entry(&o, "missing"), &st->missing);
	fm->deadline(entry(&o, "deadline"), st->deadline_unix);
	if (st->phase == PHASE_FAILED)
		fm->string(entry(&o, "reason"), call_message(st,
		    "(no reason given)"));
	fputs(fm->close, f);
}

int
cmd_status(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	(void)e;
	cmd_status_print(stdout, c->json, session, st);
	return SS_OK;
}
