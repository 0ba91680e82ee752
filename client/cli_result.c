/*
 * cli_result.c: mpc-client's `result` and `run` over libsecuresum: the
 * session pinned as the command line pinned it, the sum and its verdict
 * printed from the struct securesum_result the library returns, exactly
 * as the commands printed them before they went through the library: the
 * sum on one line (or one JSON object with the verdict), the parties the
 * cohort left out on stderr, run's note of the sumpoints still missing,
 * and with --json the verdict of a sum refused for inconsistent or too
 * few sumpoints, left open for main to add the error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "securesum.h"

#include "cli.h"
#include "client.h"
#include "err.h"
#include "output.h"
#include "pin.h"

static void
json_names(FILE *f, const char *key, const struct securesum_names *l)
{
	fprintf(f, ",\"%s\":", key);
	out_json_strs(f, (const char *const *)l->v, l->n);
}

/* The verdict's members of a JSON object: ,"label":...,"conflicts":[...] */
static void
json_verdict(FILE *f, const struct securesum_result *res)
{
	fputs(",\"label\":", f);
	out_json_string(f, res->label);
	fprintf(f, ",\"quorum\":%u,\"points\":{\"taken\":%zu", res->quorum,
	    res->taken);
	json_names(f, "on", &res->on);
	json_names(f, "off", &res->off);
	json_names(f, "suspect", &res->suspect);
	json_names(f, "ignored", &res->ignored);
	fputs("},\"conflicts\":", f);
	cli_json_conflicts(f, res->conflicts, res->nconflicts);
}

/* {"version":..,"session":S,"sum":, the rest left to the caller. */
static void
json_open(FILE *f, const char *session)
{
	fputs(OUT_JSON_OPEN "\"session\":", f);
	out_json_string(f, session);
	fputs(",\"sum\":", f);
}

void
cli_sum_print(FILE *f, int json, const char *session,
    const struct securesum_result *res)
{
	const struct securesum_sum *s = res->sum;
	size_t k;

	if (json) {
		json_open(f, session);
		fputc('[', f);
	}
	for (k = 0; k < s->length; k++) {
		if (k > 0)
			fputc(json ? ',' : ' ', f);
		/* Strings in JSON: parsers read numbers as doubles (2^53). */
		if (json)
			fputc('"', f);
		fputs(s->text[k], f);
		if (json)
			fputc('"', f);
	}
	if (json) {
		fputs("],\"cohort\":", f);
		out_json_strs(f, (const char *const *)res->cohort.v,
		    res->cohort.n);
		json_verdict(f, res);
		fputc('}', f);
	}
	fputc('\n', f);
}

/* Says which parties the cohort leaves out, on stderr. */
static void
note_left_out(const struct securesum_result *res)
{
	char cohort[512], who[512];
	const char **out;
	size_t i, j, k = 0;

	if ((out = calloc(res->parties.n + 1, sizeof(*out))) == NULL)
		return;
	for (i = 0; i < res->parties.n; i++) {
		for (j = 0; j < res->cohort.n; j++)
			if (strcmp(res->cohort.v[j], res->parties.v[i]) == 0)
				break;
		if (j == res->cohort.n)
			out[k++] = res->parties.v[i];
	}
	out_join_strs(cohort, sizeof(cohort),
	    (const char *const *)res->cohort.v, res->cohort.n, ",");
	out_join_strs(who, sizeof(who), out, k, ",");
	fflush(stdout);
	fprintf(stderr, "cohort: %s (without %s)\n", cohort, who);
	free(out);
}

/* A verdict without a sum, as --json tells it: left open for the error. */
static void
print_refused(struct client *c, const char *session,
    const struct securesum_result *res)
{
	json_open(stdout, session);
	fputs("null,\"cohort\":", stdout);
	out_json_strs(stdout, (const char *const *)res->cohort.v,
	    res->cohort.n);
	json_verdict(stdout, res);
	c->printed = 1;
}

/* run's sum is from fewer sumpoints than the cohort's: whose are not in. */
static void
note_missing(const struct securesum_result *res)
{
	char who[512];

	out_join_strs(who, sizeof(who), (const char *const *)res->missing.v,
	    res->missing.n, ",");
	fflush(stdout);
	fprintf(stderr, "mpc-client: note: the sum is from %zu sumpoints; %s "
	    "did not post one\n", res->posted, who);
}

/* result (in NULL) or run (in: its input), the sum and its notes printed. */
static int
sum_cmd(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e)
{
	struct securesum_result *res = NULL;
	struct securesum_pin pin;
	unsigned flags = (c->require_verified ? SECURESUM_REQUIRE_VERIFIED : 0) |
	    (c->reuse_input ? SECURESUM_REUSE_INPUT : 0);
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	cli_pin(&pin, c->pin);
	securesum_set_step(h, cli_run_step, c);
	if (in != NULL)
		r = securesum_run_input(h, session, &pin, in, flags, &res);
	else
		r = securesum_result_pinned(h, session, &pin, flags, &res);
	if (r == SECURESUM_OK) {
		/* As the server names it: CREATOR/NAME (PROTOCOL.md 2.1). */
		cli_sum_print(stdout, c->json, res->session[0] != '\0' ?
		    res->session : session, res);
		if (!c->json && res->cohort.n < res->parties.n)
			note_left_out(res);
		if (in != NULL && res->missing.n > 0)
			note_missing(res);
	} else if (c->json && res != NULL && res->sum == NULL &&
	    (strcmp(res->label, "inconsistent") == 0 ||
	    strcmp(res->label, "too few sumpoints") == 0))
		/* Refused for its points (not for --require-verified). */
		print_refused(c, res->session[0] != '\0' ? res->session :
		    session, res);
	securesum_result_free(res);
	return cli_done(h, r, e);
}

int
cli_result(struct client *c, const char *session, struct ss_error *e)
{
	return sum_cmd(c, session, NULL, e);
}

int
cli_run(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e)
{
	return sum_cmd(c, session, in, e);
}
