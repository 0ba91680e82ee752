/*
 * cli.c: mpc-client's commands over libsecuresum (cli.h). The handle gets
 * the settings main.c gathered (flags, environment, client.conf); the
 * library's warnings go to stderr with the program's name, as
 * "mpc-client: LINE", and its progress to the command's own progress line
 * (output.h: redrawn on a terminal, whole lines elsewhere), so that the
 * command writes exactly what it wrote before it went through the library.
 * Here: create, delete, list and server-info; status in cli_status.c,
 * share and sumpoint in cli_step.c, result and run in cli_result.c.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "securesum.h"

#include "cli.h"
#include "client.h"
#include "err.h"
#include "name.h"
#include "output.h"
#include "pin.h"

static void
cli_progress(void *arg, const char *line, unsigned pause_ms)
{
	struct client *c = arg;

	if (line == NULL) {
		progress_clear(&c->progress);
		return;
	}
	progress_ahead(&c->progress, pause_ms);
	progress_show(&c->progress, "%s", line);
}

securesum *
cli_handle(struct client *c, struct ss_error *e)
{
	securesum *h;

	if ((h = securesum_new()) == NULL) {
		(void)ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		return NULL;
	}
	cli_progress_init(&c->progress);
	securesum_set_log(h, cli_log, c);
	securesum_set_progress(h, cli_progress, c);
	if (securesum_set_server(h, c->server) != SECURESUM_OK ||
	    securesum_set_certs(h, c->certs) != SECURESUM_OK ||
	    securesum_set_party(h, c->party) != SECURESUM_OK ||
	    securesum_set_server_name(h, c->server_name) != SECURESUM_OK ||
	    securesum_set_state(h, c->state) != SECURESUM_OK ||
	    securesum_set_trace(h, c->trace) != SECURESUM_OK ||
	    securesum_set_timeout(h, c->timeout_s) != SECURESUM_OK ||
	    securesum_set_wait(h, c->wait) != SECURESUM_OK) {
		(void)ss_error_set(e, SS_ERR_INVALID, "%s",
		    securesum_message(h));
		securesum_free(h);
		return NULL;
	}
	return h;
}

int
cli_done(securesum *h, int r, struct ss_error *e)
{
	if (r != SECURESUM_OK)
		(void)ss_error_set(e, r, "%s", securesum_message(h));
	securesum_free(h);
	return r;
}

void
cli_pin(struct securesum_pin *sp, const struct pin_args *a)
{
	memset(sp, 0, sizeof(*sp));
	sp->invite = a->invite;
	if (a->invite != NULL)
		return;
	sp->parties = a->parties;
	sp->nparties = a->nparties;
	sp->threshold = a->threshold;
	sp->length = a->length;
	sp->decimals = a->decimals;
	sp->min_cohort = a->min_cohort;
	sp->deadline_unix = a->deadline_unix;
	sp->nonce = a->nonce;
}

/* ---- create ------------------------------------------------------------- */

static void
print_created_json(const struct create_args *a,
    const struct securesum_created *m)
{
	size_t i;

	fputs(OUT_JSON_OPEN "\"session\":", stdout);
	out_json_string(stdout, a->session);
	printf(",\"created\":%s,\"parties\":[", m->created ? "true" : "false");
	for (i = 0; i < a->nparties; i++) {
		if (i > 0)
			putchar(',');
		out_json_string(stdout, a->parties[i]);
	}
	printf("],\"threshold\":%u,\"length\":%u,\"decimals\":%u,"
	    "\"min_cohort\":%u,\"deadline\":", a->threshold, a->length,
	    a->decimals, m->min_cohort);
	if (m->deadline_unix != 0)
		printf("%" PRIu64, m->deadline_unix);
	else
		printf("null");
	printf(",\"nonce\":\"%s\",\"invite\":\"%s\"}\n", m->nonce, m->invite);
}

static void
print_created(const struct client *c, const struct create_args *a,
    const struct securesum_created *m)
{
	char deadline[96];

	if (c->json) {
		print_created_json(a, m);
		return;
	}
	pin_deadline(deadline, sizeof(deadline), m->deadline_unix);
	if (m->created)
		printf("created session %s (%zu parties, threshold %u, length "
		    "%u, decimals %u, min_cohort %u, deadline %s)\n",
		    a->session, a->nparties, a->threshold, a->length,
		    a->decimals, m->min_cohort, deadline);
	else
		/* Only a retry of ours (same nonce): its answer was lost. */
		printf("session %s is in place with these parameters\n",
		    a->session);
	printf("invite: %s\nnonce: %s\n", m->invite, m->nonce);
}

int
cli_create(struct client *c, const struct create_args *a, struct ss_error *e)
{
	struct securesum_create_args sa;
	struct securesum_created m;
	struct create_args q = *a;
	char sid[SESSION_ID_BUF];
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	/* Printed as created: in our namespace (cmd_create). */
	if (!session_id_qualify(c->party, a->session, sid))
		snprintf(sid, sizeof(sid), "%s", a->session);
	q.session = sid;
	sa = (struct securesum_create_args){ .session = a->session,
	    .parties = a->parties, .nparties = a->nparties,
	    .threshold = a->threshold, .length = a->length,
	    .decimals = a->decimals, .deadline_s = a->deadline,
	    .min_cohort = a->min_cohort, .allow_unknown = a->allow_unknown,
	    .nonce = a->nonce };
	if ((r = securesum_create(h, &sa, &m)) == SECURESUM_OK)
		print_created(c, &q, &m);
	return cli_done(h, r, e);
}

/* ---- delete ------------------------------------------------------------- */

static void
print_deleted(const struct client *c, const char *session,
    const struct securesum_deleted *d)
{
	if (c->json) {
		fputs(OUT_JSON_OPEN "\"session\":", stdout);
		out_json_string(stdout, session);
		printf(",\"deleted\":true,\"released_bytes\":");
		if (d->known)
			printf("%" PRIu64 "}\n", d->released_bytes);
		else
			printf("null}\n");
	} else if (d->known)
		printf("deleted session %s (%" PRIu64 " bytes released)\n",
		    session, d->released_bytes);
	else
		printf("deleted session %s (an earlier attempt's answer was "
		    "lost; the session is gone)\n", session);
}

int
cli_delete(struct client *c, const char *session, struct ss_error *e)
{
	struct securesum_deleted d;
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	if ((r = securesum_delete(h, session, &d)) == SECURESUM_OK)
		print_deleted(c, d.session, &d);
	return cli_done(h, r, e);
}

/* ---- list --------------------------------------------------------------- */

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
print_session_text(const struct securesum_session *v)
{
	char age[32], expires[96];

	fmt_age(age, sizeof(age), v->age_seconds);
	if (v->expires_unix == 0)
		snprintf(expires, sizeof(expires), "never");
	else
		pin_deadline(expires, sizeof(expires), v->expires_unix);
	printf("%s %s age %s creator %s parties %u expires %s\n", v->id,
	    v->phase, age, v->creator[0] != '\0' ? v->creator : "unknown",
	    v->parties, expires);
}

static void
print_session_json(const struct securesum_session *v, int first)
{
	printf("%s{\"session\":", first ? "" : ",");
	out_json_string(stdout, v->id);
	printf(",\"phase\":\"%s\",\"created_unix\":%" PRIu64 ","
	    "\"age_seconds\":%" PRIu64 ",\"creator\":", v->phase,
	    v->created_unix, v->age_seconds);
	if (v->creator[0] != '\0')
		out_json_string(stdout, v->creator);
	else
		printf("null");
	printf(",\"parties\":%u,\"expires_unix\":", v->parties);
	if (v->expires_unix != 0)
		printf("%" PRIu64 "}", v->expires_unix);
	else
		printf("null}");
}

/* The sessions of l; r: how the listing ended. */
static void
print_list(struct client *c, const struct securesum_list *l, int r)
{
	size_t i;

	if (c->json)
		fputs(OUT_JSON_OPEN "\"sessions\":[", stdout);
	for (i = 0; i < l->n; i++)
		if (c->json)
			print_session_json(&l->v[i], i == 0);
		else
			print_session_text(&l->v[i]);
	if (c->json) {
		/* Cut short: main adds the error to the object left open. */
		fputs(r == SECURESUM_OK ? "]}\n" : "]", stdout);
		c->printed = r != SECURESUM_OK;
	} else if (r == SECURESUM_OK && l->n == 0)
		printf("no sessions of %s\n", c->party);
}

int
cli_list(struct client *c, struct ss_error *e)
{
	struct securesum_list *l = NULL;
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	r = securesum_list(h, &l);
	if (l != NULL)
		print_list(c, l, r);
	securesum_list_free(l);
	return cli_done(h, r, e);
}

/* ---- server-info -------------------------------------------------------- */

struct figure {
	const char *key;
	uint64_t v;
};

/* The answer's numbers, in the proto's order (the version and health aside). */
static size_t
figures(const struct securesum_server_info *in, struct figure *f)
{
	const struct figure all[] = {
		{ "uptime_seconds", in->uptime_seconds },
		{ "sessions_sharing", in->sessions_sharing },
		{ "sessions_aggregating", in->sessions_aggregating },
		{ "sessions_complete", in->sessions_complete },
		{ "sessions_failed", in->sessions_failed },
		{ "sessions_max", in->sessions_max },
		{ "connections", in->connections },
		{ "connections_max", in->connections_max },
		{ "stored_bytes", in->stored_bytes },
		{ "stored_bytes_max", in->stored_bytes_max },
		{ "journal_unsynced_records", in->journal_unsynced_records },
		{ "snapshot_age_seconds", in->snapshot_age_seconds },
		{ "snapshot_duration_ms", in->snapshot_duration_ms },
		{ "snapshots_failed", in->snapshots_failed },
		{ "requests", in->requests },
	};
	size_t i, n = sizeof(all) / sizeof(all[0]);

	for (i = 0; i < n; i++)
		f[i] = all[i];
	return n;
}

/*
 * The keys are the proto's, the version as server_version: "version" is
 * the JSON document's own (docs/CLI.md).
 */
void
cli_server_info_print(FILE *f, int json,
    const struct securesum_server_info *in)
{
	struct figure fig[16];
	size_t i, n = figures(in, fig);

	if (!json) {
		fprintf(f, "server_version: %s\njournal_healthy: %s\n",
		    in->version, in->journal_healthy ? "yes" : "no");
		for (i = 0; i < n; i++)
			fprintf(f, "%s: %" PRIu64 "\n", fig[i].key, fig[i].v);
		return;
	}
	fputs(OUT_JSON_OPEN "\"server_version\":", f);
	out_json_string(f, in->version);
	fprintf(f, ",\"journal_healthy\":%s", in->journal_healthy ?
	    "true" : "false");
	for (i = 0; i < n; i++)
		fprintf(f, ",\"%s\":%" PRIu64, fig[i].key, fig[i].v);
	fputs("}\n", f);
}

int
cli_server_info(struct client *c, struct ss_error *e)
{
	struct securesum_server_info in;
	securesum *h;
	int r;

	if ((h = cli_handle(c, e)) == NULL)
		return e->code;
	if ((r = securesum_server_info(h, &in)) == SECURESUM_OK)
		cli_server_info_print(stdout, c->json, &in);
	return cli_done(h, r, e);
}

