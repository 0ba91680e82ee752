/*
 * wire_response.c: a decoded Response once wire.c has filled it: freeing
 * what it holds, reading its lists of names, and the names of the methods
 * for messages. Nothing here touches nanopb.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static void
names_free(struct wire_names *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
stmt_free(struct wire_stmt *st)
{
	free(st->body);
	free(st->sig);
	memset(st, 0, sizeof(*st));
}

void
wire_response_free(struct wire_response *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nshares; i++) {
		free(r->shares[i].ct);
		stmt_free(&r->shares[i].submit);
	}
	free(r->shares);
	for (i = 0; i < r->nsumpoints; i++) {
		free(r->sumpoints[i].values.v);
		stmt_free(&r->sumpoints[i].stmt);
	}
	free(r->sumpoints);
	for (i = 0; i < r->nkeys; i++) {
		free(r->keys[i].der);
		free(r->keys[i].sig_der);
	}
	free(r->keys);
	for (i = 0; i < r->nsigned; i++)
		stmt_free(&r->signed_[i].stmt);
	free(r->signed_);
	for (i = 0; i < r->nconflicts; i++) {
		stmt_free(&r->conflicts[i].first);
		stmt_free(&r->conflicts[i].second);
	}
	free(r->conflicts);
	free(r->sessions);
	names_free(&r->signers);
	names_free(&r->params.parties);
	names_free(&r->cohort);
	names_free(&r->shared);
	names_free(&r->posted);
	names_free(&r->missing);
	memset(r, 0, sizeof(*r));
}

int
wire_names_has(const struct wire_names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 1;
	return 0;
}

const char *
wire_method_name(int method)
{
	switch (method) {
	case WIRE_CREATE_SESSION: return "CreateSession";
	case WIRE_SUBMIT_SHARES:  return "SubmitShares";
	case WIRE_GET_SHARE:      return "GetShare";
	case WIRE_POST_SUMPOINT:  return "PostSumpoint";
	case WIRE_LIST_SUMPOINTS: return "ListSumpoints";
	case WIRE_GET_STATUS:     return "GetStatus";
	case WIRE_PUBLISH_KEY:    return "PublishKey";
	case WIRE_GET_KEYS:       return "GetKeys";
	case WIRE_POST_COHORT:    return "PostCohort";
	case WIRE_GET_COHORT:     return "GetCohort";
	case WIRE_DELETE_SESSION: return "DeleteSession";
	case WIRE_LIST_SESSIONS:  return "ListSessions";
	case WIRE_GET_SERVER_INFO: return "GetServerInfo";
	default:                  return "an unknown method";
	}
}
