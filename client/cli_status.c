/*
 * cli_status.c: mpc-client's `status` over libsecuresum (cli.h): the
 * struct securesum_status the library returns, written as "key: value"
 * lines or one JSON object, the conflicts with the first bytes of each
 * statement's SHA-256 (text) or both statements whole (JSON). Part of
 * mpc-client, not of the library.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "securesum.h"

#include "cli.h"
#include "client.h"
#include "err.h"
#include "output.h"
#include "pin.h"
#include "statement.h"

/* One way of writing the status: "key: value" lines, or one JSON object. */
struct form {
	const char *open, *sep, *close;   /* around and between the entries */
	const char *key_pre, *key_post;   /* around a key */
	void (*string)(FILE *, const char *);
	void (*names)(FILE *, const struct securesum_names *);
	void (*deadline)(FILE *, uint64_t);
	void (*conflicts)(FILE *, const struct securesum_status *);
};

static void
text_string(FILE *f, const char *s)
{
	fputs(s, f);
}

static void
text_names(FILE *f, const struct securesum_names *l)
{
	char list[8192];

	out_join_strs(list, sizeof(list), (const char *const *)l->v, l->n,
	    ",");
	fputs(list, f);
}

static void
json_names(FILE *f, const struct securesum_names *l)
{
	out_json_strs(f, (const char *const *)l->v, l->n);
}

/* "none", "2024-01-01T00:00:00Z (unix N)", or N if it has no date. */
static void
text_deadline(FILE *f, uint64_t unix_s)
{
	char buf[96];

	pin_deadline(buf, sizeof(buf), unix_s);
	fputs(buf, f);
}

static void
json_deadline(FILE *f, uint64_t unix_s)
{
	if (unix_s != 0)
		fprintf(f, "%llu", (unsigned long long)unix_s);
	else
		fputs("null", f);
}

/* The first 8 bytes of SHA-256 of a statement's body, in hex, into out. */
static const char *
short_digest(const struct securesum_statement *st, char out[17])
{
	uint8_t h[STATEMENT_HASH_LEN];
	size_t i;

	if (statement_hash(st->body, st->body_len, h) != SS_OK)
		memset(h, 0, sizeof(h));
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return out;
}

static void
text_conflicts(FILE *f, const struct securesum_status *s)
{
	char a[17], b[17];
	size_t i;

	if (s->nconflicts == 0)
		fputs("none", f);
	for (i = 0; i < s->nconflicts; i++)
		fprintf(f, "%s%s signed two different %s statements, SHA-256 "
		    "%s... and %s... (%s)", i > 0 ? "; " : "",
		    s->conflicts[i].party, s->conflicts[i].type,
		    short_digest(&s->conflicts[i].first, a),
		    short_digest(&s->conflicts[i].second, b),
		    s->conflicts[i].verified ? "both verified here: proof" :
		    "NOT verified here: no proof");
}

/* A statement as JSON: its body and signature in hex. */
static void
json_stmt(FILE *f, const char *key, const struct securesum_statement *st)
{
	out_json_stmt(f, key, st->body, st->body_len, st->sig, st->sig_len);
}

void
cli_json_conflicts(FILE *f, const struct securesum_conflict *cf, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",{\"party\":" : "{\"party\":", f);
		out_json_string(f, cf[i].party);
		fputs(",\"type\":", f);
		out_json_string(f, cf[i].type);
		fprintf(f, ",\"verified\":%s", cf[i].verified ?
		    "true" : "false");
		json_stmt(f, "first", &cf[i].first);
		json_stmt(f, "second", &cf[i].second);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
json_conflicts(FILE *f, const struct securesum_status *s)
{
	cli_json_conflicts(f, s->conflicts, s->nconflicts);
}

static const struct form text_form = {
	"", "\n", "\n", "", ": ", text_string, text_names, text_deadline,
	text_conflicts,
};

static const struct form json_form = {
	OUT_JSON_OPEN, ",", "}\n", "\"", "\":", out_json_string, json_names,
	json_deadline, json_conflicts,
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
cli_status_print(FILE *f, int json, const char *session,
    const struct securesum_status *s)
{
	struct out o = { f, json ? &json_form : &text_form, 0 };
	const struct form *fm = o.fm;

	fm->string(entry(&o, "session"), session);
	fm->string(entry(&o, "phase"), s->phase);
	fm->names(entry(&o, "parties"), &s->parties);
	fprintf(entry(&o, "threshold"), "%u", s->threshold);
	fprintf(entry(&o, "length"), "%u", s->length);
	fprintf(entry(&o, "decimals"), "%u", s->decimals);
	fprintf(entry(&o, "min_cohort"), "%u", s->min_cohort);
	fm->names(entry(&o, "shared"), &s->shared);
	fm->names(entry(&o, "cohort"), &s->cohort);
	fm->names(entry(&o, "signed"), &s->signers);
	fm->names(entry(&o, "posted"), &s->posted);
	fm->names(entry(&o, "missing"), &s->missing);
	fm->names(entry(&o, "keys_missing"), &s->keys_missing);
	fm->deadline(entry(&o, "deadline"), s->deadline_unix);
	fm->string(entry(&o, "invite"), s->invite[0] != '\0' ? s->invite :
	    "none (version 1)");
	fm->conflicts(entry(&o, "conflicts"), s);
	if (strcmp(s->phase, "FAILED") == 0)
		fm->string(entry(&o, "reason"), s->reason);
	fputs(fm->close, f);
}

int
cli_status(struct client *c, const char *session, struct ss_error *e)
{
	struct securesum_status *s = NULL;
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	if ((r = securesum_status(h, session, &s)) == SECURESUM_OK)
		cli_status_print(stdout, c->json, s->session, s);
	securesum_status_free(s);
	return cli_done(h, r, e);
}
