/*
 * cmd_create.c: `create`: checks a session's parameters locally, then asks
 * the server to create it. Creating it again with the same parameters is
 * harmless: the server says it exists, and so do we.
 */
#include <stdio.h>
#include <string.h>

#include "amount.h"
#include "call.h"
#include "client.h"
#include "err.h"
#include "frame.h"
#include "name.h"
#include "output.h"
#include "claims.h"
#include "status.h"
#include "wire.h"

/* The session's name and the number of parties. */
static int
check_session(const struct create_args *a, struct ss_error *e)
{
	if (!name_valid(a->session))
		return ss_error_set(e, SS_ERR_INVALID, "invalid session name: "
		    CLIENT_NAME_RULE);
	if (a->nparties < 2)
		return ss_error_set(e, SS_ERR_INVALID, "a session needs at least "
		    "2 parties");
	if (a->nparties > CLIENT_MAX_PARTIES)
		return ss_error_set(e, SS_ERR_INVALID, "at most %d parties",
		    CLIENT_MAX_PARTIES);
	return SS_OK;
}

/* Every party's name: valid, and listed once; *in if creator is one. */
static int
check_parties(const struct create_args *a, const char *creator, int *in,
    struct ss_error *e)
{
	char q[80];
	size_t i, j;

	*in = 0;
	for (i = 0; i < a->nparties; i++) {
		if (!name_valid(a->parties[i])) {
			snprintf(q, sizeof(q), "%.64s", a->parties[i]);
			out_sanitize(q);
			return ss_error_set(e, SS_ERR_INVALID, "invalid party "
			    "name '%s': " CLIENT_NAME_RULE, q);
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->parties[i], a->parties[j]) == 0)
				return ss_error_set(e, SS_ERR_INVALID, "party %s "
				    "is listed twice", a->parties[i]);
		if (strcmp(a->parties[i], creator) == 0)
			*in = 1;
	}
	return SS_OK;
}

/* Threshold, length and decimals; and whether the messages fit a frame. */
static int
check_numbers(const struct create_args *a, struct ss_error *e)
{
	size_t n = a->nparties;

	if (a->threshold < 1 || a->threshold > n - 1)
		return ss_error_set(e, SS_ERR_INVALID, "the threshold must be "
		    "between 1 and %zu (the number of parties - 1)", n - 1);
	if (a->length < 1)
		return ss_error_set(e, SS_ERR_INVALID, "the length must be at "
		    "least 1");
	if (!claims_fit(n, a->length))
		return ss_error_set(e, SS_ERR_INVALID, "%zu parties with vectors "
		    "of %u elements do not fit the %u-byte frame limit", n,
		    a->length, (unsigned)FRAME_DEFAULT_MAX);
	if (a->decimals > AMOUNT_MAX_DECIMALS)
		return ss_error_set(e, SS_ERR_INVALID, "at most %d decimals",
		    AMOUNT_MAX_DECIMALS);
	return SS_OK;
}

int
cmd_create_check(const struct create_args *a, const char *creator,
    struct ss_error *e)
{
	int r, in;

	if ((r = check_session(a, e)) != SS_OK ||
	    (r = check_parties(a, creator, &in, e)) != SS_OK ||
	    (r = check_numbers(a, e)) != SS_OK)
		return r;
	if (!in)
		return ss_error_set(e, SS_ERR_INVALID, "the creator (%s) must be "
		    "one of the parties", creator);
	return SS_OK;
}

/* The server's answer, as an error unless it is OK. */
static int
create_answer(const struct client *c, const struct create_args *a,
    const struct wire_response *resp, struct ss_error *e)
{
	if (resp->code == ST_ALREADY_EXISTS)
		return ss_error_set(e, status_to_err(resp->code), "session %s "
		    "already exists with different parameters", a->session);
	if (resp->code == ST_PERMISSION_DENIED)
		return ss_error_set(e, status_to_err(resp->code), "the server "
		    "refused to let %s create session %s: %s", c->party,
		    a->session, call_message(resp, "(no message)"));
	if (resp->code != ST_OK)
		return call_refused(c, resp, WIRE_CREATE_SESSION, NULL, e);
	return SS_OK;
}

static void
print_json(const struct create_args *a, const struct wire_response *resp)
{
	size_t i;

	printf("{\"session\":");
	out_json_string(stdout, a->session);
	printf(",\"created\":%s,\"parties\":[",
	    resp->created ? "true" : "false");
	for (i = 0; i < a->nparties; i++) {
		if (i > 0)
			putchar(',');
		out_json_string(stdout, a->parties[i]);
	}
	printf("],\"threshold\":%u,\"length\":%u,\"decimals\":%u,"
	    "\"deadline\":", a->threshold, a->length, a->decimals);
	if (resp->deadline_unix != 0)
		printf("%llu}\n", (unsigned long long)resp->deadline_unix);
	else
		printf("null}\n");
}

static void
print_created(const struct client *c, const struct create_args *a,
    const struct wire_response *resp)
{
	if (c->json)
		print_json(a, resp);
	else if (resp->created)
		printf("created session %s (%zu parties, threshold %u, "
		    "length %u)\n", a->session, a->nparties, a->threshold,
		    a->length);
	else if (c->rpc.attempts > 1)
		/* An earlier attempt may have made it, its answer lost. */
		printf("session %s is in place with these parameters\n",
		    a->session);
	else
		printf("session %s already exists with the same parameters\n",
		    a->session);
}

int
cmd_create(struct client *c, const struct create_args *a,
    struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	if ((r = cmd_create_check(a, c->party, e)) != SS_OK)
		return r;
	call_request(&req, WIRE_CREATE_SESSION, a->session, NULL);
	req.names = a->parties;
	req.nnames = a->nparties;
	req.threshold = a->threshold;
	req.length = a->length;
	req.decimals = a->decimals;
	req.deadline_seconds = a->deadline;
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if ((r = create_answer(c, a, &resp, e)) == SS_OK)
		print_created(c, a, &resp);
	wire_response_free(&resp);
	return r;
}
