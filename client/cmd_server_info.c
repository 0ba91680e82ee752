/*
 * cmd_server_info.c: `server-info`: the server's version, uptime, sessions
 * by phase, connections, bytes held and the health of its journal and
 * snapshots (GetServerInfo, docs/PROTOCOL.md 7.13), fetched for the
 * caller (securesum_server_info, api_copy.c; mpc-client prints it, cli.c).
 */
#include <string.h>

#include "call.h"
#include "client.h"
#include "wire.h"

int
cmd_server_info(struct client *c, struct wire_server_info *out,
    struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	call_request(&req, WIRE_GET_SERVER_INFO, NULL, NULL);
	if ((r = call_get(c, &req, &call_small_limits, &resp, e)) == SS_OK) {
		*out = resp.server_info;
		wire_response_free(&resp);
	}
	return r;
}
