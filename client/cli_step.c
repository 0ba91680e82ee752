/*
 * cli_step.c: mpc-client's `share` and `sumpoint` over libsecuresum, and
 * the line (or JSON object) each prints for the step the library reports
 * through its step callback: "PARTY: sumpoint for session S posted (N
 * shares)", as the commands printed it before they went through it; and
 * the same line as `run`'s note of its steps, on a terminal only.
 */
#include <stdio.h>
#include <string.h>

#include "securesum.h"

#include "cli.h"
#include "client.h"
#include "err.h"
#include "output.h"

/* "3 ciphertexts, 96 bytes" into text; what does not fit is left out. */
static void
counts_text(char *text, size_t len, const struct securesum_step *s)
{
	size_t i, t = 0;
	int k;

	text[0] = '\0';
	for (i = 0; i < s->ncounts && t < len; i++) {
		k = snprintf(text + t, len - t, "%s%zu %s", i > 0 ? ", " : "",
		    s->counts[i].n, s->counts[i].name);
		if (k < 0)
			break;
		t += (size_t)k;
	}
}

void
cli_step_note(FILE *f, const struct securesum_step *s)
{
	char text[128], again[48] = "";

	counts_text(text, sizeof(text), s);
	if (s->again)
		snprintf(again, sizeof(again), " again (the server had lost "
		    "%s)", strcmp(s->what, "shares") == 0 ? "them" : "it");
	fprintf(f, "%s: %s for session %s %s%s (%s)\n", s->party, s->what,
	    s->session, s->done, again, text);
}

void
cli_step_print(FILE *f, int json, const struct securesum_step *s)
{
	size_t i;

	if (!json) {
		cli_step_note(f, s);
		return;
	}
	fputs(OUT_JSON_OPEN "\"session\":", f);
	out_json_string(f, s->session);
	fputs(",\"party\":", f);
	out_json_string(f, s->party);
	for (i = 0; i < s->ncounts; i++)
		fprintf(f, ",\"%s\":%zu", s->counts[i].name, s->counts[i].n);
	fprintf(f, ",\"duplicate\":%s}\n", s->duplicate ? "true" : "false");
}

static void
print_step(void *arg, const struct securesum_step *s)
{
	const struct client *c = arg;

	cli_step_print(stdout, c->json, s);
}

void
cli_run_step(void *arg, const struct securesum_step *s)
{
	struct client *c = arg;

	/* run prints the sum alone on stdout: its steps are for a person. */
	if (!cli_on_terminal(&c->progress))
		return;
	progress_clear(&c->progress);
	cli_step_note(stderr, s);
}

/* share (in: its input) or sumpoint (in NULL), its step printed. */
static int
step_cmd(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e)
{
	struct securesum_pin pin;
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	securesum_set_step(h, print_step, c);
	cli_pin(&pin, c->pin);
	if (in != NULL)
		r = securesum_share_input(h, session, &pin, in,
		    c->reuse_input ? SECURESUM_REUSE_INPUT : 0);
	else
		r = securesum_sumpoint_pinned(h, session, &pin);
	return cli_done(h, r, e);
}

int
cli_share(struct client *c, const char *session,
    const struct securesum_input *in, struct ss_error *e)
{
	return step_cmd(c, session, in, e);
}

int
cli_sumpoint(struct client *c, const char *session, struct ss_error *e)
{
	return step_cmd(c, session, NULL, e);
}
