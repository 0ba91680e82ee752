/*
 * cmd_status.c: `status`: the session's phase, parameters, who shared, the
 * cohort, who signed it, who posted a sumpoint, who is missing, the
 * deadline, the invite code of its parameters (recomputed here, not the
 * server's), and the conflicts the server recorded: two statements of one
 * type signed by one party for one D, each checked here against the
 * party's certificate, which proves that party broke the protocol; and
 * whose encryption keys are still missing (neither in our folder nor
 * published), without which nobody can share to them. It prints nothing:
 * what it found goes to c->status_out (securesum_status), and mpc-client
 * prints it (cli_status.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "claims.h"
#include "client.h"
#include "err.h"
#include "keydir.h"
#include "output.h"
#include "peers.h"
#include "pin.h"
#include "statement.h"
#include "status.h"
#include "wire.h"

const char *
cmd_status_conflict_type(const struct wire_conflict *cf)
{
	struct statement s;

	if (statement_parse(cf->first.body, cf->first.body_len, &s, NULL) !=
	    SS_OK)
		return "?";
	return statement_type_name(s.type);
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
	if (r == SS_OK && c->status_out != NULL)
		r = c->status_out(c->status_arg, session, st, &v, e);
	free(missing);
	free(proof);
	return r;
}
