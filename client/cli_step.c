/*
 * cli_step.c: mpc-client's `share` and `sumpoint` over libsecuresum, and
 * the line (or JSON object) each prints for the step the library reports
 * through its step callback: "PARTY: sumpoint for session S posted (N
 * shares)", as the commands printed it before they went through it.
 */
#include <stdio.h>

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

static void
print_step(void *arg, const struct securesum_step *s)
{
	const struct client *c = arg;
	char text[128];
	size_t i;

	if (c->json) {
		fputs(OUT_JSON_OPEN "\"session\":", stdout);
		out_json_string(stdout, s->session);
		printf(",\"party\":");
		out_json_string(stdout, s->party);
		for (i = 0; i < s->ncounts; i++)
			printf(",\"%s\":%zu", s->counts[i].name,
			    s->counts[i].n);
		printf(",\"duplicate\":%s}\n", s->duplicate ? "true" : "false");
		return;
	}
	counts_text(text, sizeof(text), s);
	printf("%s: %s for session %s %s (%s)\n", s->party, s->what,
	    s->session, s->done, text);
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
	if (r != SECURESUM_OK)
		(void)cli_failed(h, r, e);
	securesum_free(h);
	return r;
}

int
cli_share(struct client *c, const char *session, const char *const *values,
    size_t nvalues, const char *path, struct ss_error *e)
{
	struct securesum_input in;

	in.texts = values;
	in.ntexts = nvalues;
	in.path = path;
	return step_cmd(c, session, &in, e);
}

int
cli_sumpoint(struct client *c, const char *session, struct ss_error *e)
{
	return step_cmd(c, session, NULL, e);
}
