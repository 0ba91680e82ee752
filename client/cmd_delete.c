/*
 * cmd_delete.c: `delete`: asks the server to drop a session (its creator
 * may at any time, any party once it is COMPLETE or FAILED), and says what
 * was let go. A retry after a lost answer finds the session gone: that is
 * the deletion it asked for, said as such. --trace records the deletion
 * (its hash: SHA-256 of the session id), so that a check of what the
 * server acknowledged expects the session gone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "client.h"
#include "digest.h"
#include "err.h"
#include "name.h"
#include "output.h"
#include "status.h"
#include "trace.h"
#include "wire.h"

/* What the deletion released, for the caller (c->deleted_out). */
static void
keep_deleted(const struct client *c, int known, uint64_t bytes)
{
	if (c->deleted_out == NULL)
		return;
	c->deleted_out->known = known;
	c->deleted_out->released_bytes = known ? bytes : 0;
}

/* The trace line of the deletion of session, acknowledged by the server. */
static int
trace_deleted(const struct client *c, const char *session, struct ss_error *e)
{
	uint8_t md[TRACE_HASH_LEN];

	if (digest_bytes(session, strlen(session), md) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the session id");
	return trace_change(c, "DeleteSession", session, md, e);
}

/*
 * The id the server deleted, which names a bare NAME we typed (in
 * c->session) as CREATOR/NAME: the session traced and said.
 */
static void
take_deleted_id(struct client *c, const struct wire_response *resp,
    const char *session)
{
	const char *id = resp->deleted_id;

	if (session == c->session && !session_id_qualified(session) &&
	    session_id_valid(id) && session_id_qualified(id) &&
	    strcmp(session_id_name(id), session) == 0)
		memcpy(c->session, id, strlen(id) + 1);
}

int
cmd_delete(struct client *c, const char *session, struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	call_request(&req, WIRE_DELETE_SESSION, session, NULL);
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	if (resp.code == ST_OK) {
		take_deleted_id(c, &resp, session);
		if ((r = trace_deleted(c, session, e)) == SS_OK)
			keep_deleted(c, 1, resp.released_bytes);
	} else if (resp.code == ST_NOT_FOUND && c->rpc.attempts > 1) {
		/* Resent after a lost answer: the first one deleted it. */
		if ((r = trace_deleted(c, session, e)) == SS_OK)
			keep_deleted(c, 0, 0);
	} else
		r = call_refused(c, &resp, WIRE_DELETE_SESSION, session, e);
	wire_response_free(&resp);
	return r;
}
