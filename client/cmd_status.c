/*
 * cmd_status.c: `status`: the session's phase, parameters, who shared, the
 * cohort, who signed it, who posted a sumpoint, who is missing, the
 * deadline, the invite code of its parameters (recomputed here, not the
 * server's), and the conflicts the server recorded: two statements of one
 * type signed by one party for one D, each checked here against the
 * party's certificate, which proves that party broke the protocol; and
 * whose encryption keys are still missing (neither in our folder nor
 * published), without which nobody can share to them; as text lines
 * "key: value" or one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "claims.h"
#include "client.h"
#include "err.h"
#include "invite.h"
#include "keydir.h"
#include "output.h"
#include "peers.h"
#include "pin.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

/* One way of writing the status: "key: value" lines, or one JSON object. */
struct form {
	const char *open, *sep, *close;   /* around and between the entries */
	const char *key_pre, *key_post;   /* around a key */
	void (*string)(FILE *, const char *);
	void (*names)(FILE *, const struct wire_names *);
	void (*strs)(FILE *, const char *const *, size_t);
	void (*deadline)(FILE *, uint64_t);
	void (*conflicts)(FILE *, const struct wire_response *,
	    const struct status_view *);
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

static void
text_strs(FILE *f, const char *const *v, size_t n)
{
	char list[8192];

	out_join_strs(list, sizeof(list), v, n, ",");
	fputs(list, f);
}

static void
json_strs(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		out_json_string(f, v[i]);
	}
	fputc(']', f);
}

/* "none", "2024-01-01T00:00:00Z (unix N)", or N if it has no date. */
static void
text_deadline(FILE *f, uint64_t unix_s)
{
	char buf[96];

	pin_deadline(buf, sizeof(buf), unix_s);
	fputs(buf, f);
}

/* What conflict i is: its type, and whether it was proven here. */
static const char *
conflict_type(const struct wire_conflict *cf)
{
	struct statement s;

	if (statement_parse(cf->first.body, cf->first.body_len, &s, NULL) !=
	    SS_OK)
		return "?";
	return statement_type_name(s.type);
}

/* The first 8 bytes of SHA-256 of a statement's body, in hex, into out. */
static const char *
short_digest(const struct wire_stmt *w, char out[17])
{
	uint8_t h[STATEMENT_HASH_LEN];
	size_t i;

	if (statement_hash(w->body, w->body_len, h) != SS_OK)
		memset(h, 0, sizeof(h));
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return out;
}

static void
text_conflicts(FILE *f, const struct wire_response *st,
    const struct status_view *v)
{
	char a[17], b[17];
	size_t i;

	if (st->nconflicts == 0)
		fputs("none", f);
	for (i = 0; i < st->nconflicts; i++)
		fprintf(f, "%s%s signed two different %s statements, SHA-256 "
		    "%s... and %s... (%s)", i > 0 ? "; " : "",
		    st->conflicts[i].party, conflict_type(&st->conflicts[i]),
		    short_digest(&st->conflicts[i].first, a),
		    short_digest(&st->conflicts[i].second, b),
		    v->proven != NULL && v->proven[i] ? "both verified here: "
		    "proof" : "NOT verified here: no proof");
}

static void
json_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

/* A statement as JSON: its body and signature in hex, for whoever checks. */
static void
json_stmt(FILE *f, const char *key, const struct wire_stmt *w)
{
	fprintf(f, ",\"%s\":{\"body\":", key);
	json_hex(f, w->body, w->body_len);
	fputs(",\"signature\":", f);
	json_hex(f, w->sig, w->sig_len);
	fputc('}', f);
}

void
cmd_status_json_conflicts(FILE *f, const struct wire_response *st,
    const unsigned char *proven)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < st->nconflicts; i++) {
		fputs(i > 0 ? ",{\"party\":" : "{\"party\":", f);
		out_json_string(f, st->conflicts[i].party);
		fputs(",\"type\":", f);
		out_json_string(f, conflict_type(&st->conflicts[i]));
		fprintf(f, ",\"verified\":%s", proven != NULL && proven[i] ?
		    "true" : "false");
		json_stmt(f, "first", &st->conflicts[i].first);
		json_stmt(f, "second", &st->conflicts[i].second);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
json_conflicts(FILE *f, const struct wire_response *st,
    const struct status_view *v)
{
	cmd_status_json_conflicts(f, st, v->proven);
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
	"", "\n", "\n", "", ": ", text_string, text_names, text_strs,
	text_deadline, text_conflicts,
};

static const struct form json_form = {
	OUT_JSON_OPEN, ",", "}\n", "\"", "\":", out_json_string, out_json_names,
	json_strs, json_deadline, json_conflicts,
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
    const struct wire_response *st, const struct status_view *v)
{
	struct out o = { f, json ? &json_form : &text_form, 0 };
	const struct form *fm = o.fm;
	char code[INVITE_CODE_BUF];

	fm->string(entry(&o, "session"), session);
	fm->string(entry(&o, "phase"), phase_name(st->phase));
	fm->names(entry(&o, "parties"), &st->params.parties);
	fprintf(entry(&o, "threshold"), "%u", st->params.threshold);
	fprintf(entry(&o, "length"), "%u", st->params.length);
	fprintf(entry(&o, "decimals"), "%u", st->params.decimals);
	fprintf(entry(&o, "min_cohort"), "%u", st->params.min_cohort);
	fm->names(entry(&o, "shared"), &st->shared);
	fm->names(entry(&o, "cohort"), &st->cohort);
	fm->names(entry(&o, "signed"), &st->signers);
	fm->names(entry(&o, "posted"), &st->posted);
	fm->names(entry(&o, "missing"), &st->missing);
	fm->strs(entry(&o, "keys_missing"), v->keys_missing, v->nkeys_missing);
	fm->deadline(entry(&o, "deadline"), st->deadline_unix);
	if (v->d != NULL)
		invite_encode(v->d, code);
	else
		snprintf(code, sizeof(code), "none (version 1)");
	fm->string(entry(&o, "invite"), code);
	fm->conflicts(entry(&o, "conflicts"), st, v);
	if (st->phase == PHASE_FAILED)
		fm->string(entry(&o, "reason"), call_message(st,
		    "(no reason given)"));
	fputs(fm->close, f);
}

/* 1 if conflict cf is proof: both its statements cf->party's for D, and apart. */
static int
proven(struct client *c, const struct peers *pc, const struct wire_params *p,
    const struct wire_conflict *cf)
{
	struct statement a, b;
	int idx = claims_index(&p->parties, cf->party);

	return idx >= 0 &&
	    peers_verify(c, pc, &p->parties, (uint32_t)idx + 1, &cf->first, &a,
	    NULL) == SS_OK &&
	    peers_verify(c, pc, &p->parties, (uint32_t)idx + 1, &cf->second,
	    &b, NULL) == SS_OK && statement_conflict(&a, &b);
}

/* Each conflict of st checked (into out[]) with the parties' certificates. */
static int
check_conflicts(struct client *c, const struct wire_response *st,
    unsigned char *out, struct ss_error *e)
{
	const struct wire_params *p = &st->params;
	unsigned char want[CLIENT_MAX_PARTIES];
	struct peers pc;
	size_t i;
	int idx, r;

	memset(want, 0, sizeof(want));
	for (i = 0; i < st->nconflicts; i++)
		if ((idx = claims_index(&p->parties, st->conflicts[i].party)) >= 0)
			want[idx] = 1;
	if ((r = peers_fetch(c, &p->parties, want, &pc, e)) != SS_OK)
		return r;
	for (i = 0; i < st->nconflicts; i++)
		out[i] = (unsigned char)proven(c, &pc, p, &st->conflicts[i]);
	peers_free(&pc);
	return SS_OK;
}

int
cmd_status_conflicts(struct client *c, const struct wire_response *st,
    unsigned char **proven, struct ss_error *e)
{
	int r;

	*proven = NULL;
	if (st->nconflicts == 0)
		return SS_OK;
	if ((*proven = calloc(st->nconflicts, 1)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if ((r = check_conflicts(c, st, *proven, e)) != SS_OK) {
		free(*proven);
		*proven = NULL;
	}
	return r;
}

/* The parties of st whose encryption key is not known, into v. */
static int
missing_keys(struct client *c, const struct wire_response *st,
    struct status_view *v, const char ***missing, struct ss_error *e)
{
	const struct wire_names *parties = &st->params.parties;
	const char **names;
	size_t i;
	int r;

	*missing = NULL;
	if ((names = calloc(parties->n ? parties->n : 1, sizeof(*names))) ==
	    NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < parties->n; i++)
		names[i] = parties->v[i];
	r = keydir_missing(c, names, parties->n, missing, &v->nkeys_missing,
	    e);
	/* The names point into st, not into names. */
	free(names);
	v->keys_missing = *missing;
	return r;
}

int
cmd_status(struct client *c, const char *session,
    const struct wire_response *st, struct ss_error *e)
{
	struct status_view v;
	unsigned char *proof = NULL;
	const char **missing = NULL;
	/* D of what the server holds, recomputed; none for a version-1 session. */
	const int v2 = pin_digest(&st->params, c->d, NULL) == SS_OK;
	int r = SS_OK;

	memset(&v, 0, sizeof(v));
	v.d = v2 ? c->d : NULL;
	if (v2 && (r = cmd_status_conflicts(c, st, &proof, e)) == SS_OK)
		v.proven = proof;
	if (r == SS_OK)
		r = missing_keys(c, st, &v, &missing, e);
	if (r == SS_OK && c->print)
		cmd_status_print(stdout, c->json, session, st, &v);
	if (r == SS_OK && c->status_out != NULL)
		r = c->status_out(c->status_arg, session, st, &v, e);
	free(missing);
	free(proof);
	return r;
}
