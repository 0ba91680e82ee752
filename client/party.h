/*
 * party.h: the commands of mpc-client as one party runs them against the
 * server: create a session, share an input, compute and post a sumpoint,
 * reconstruct the result, show the status, or run all of a party's steps.
 *
 * Each command returns SS_OK or an SS_ERR_* code with a one-line reason in
 * client.err, and writes its output (plain text or one JSON object) to
 * stdout.
 */
#ifndef SS_CLIENT_PARTY_H
#define SS_CLIENT_PARTY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509_vfy.h>

#include "conn.h"
#include "input.h"
#include "output.h"
#include "retry.h"

/* Most parties in a session the client deals with. */
#define CLIENT_MAX_PARTIES 1024

struct client {
	/* Settings, from the command line. */
	const char *server;        /* HOST:PORT */
	const char *certs;         /* certificate folder */
	const char *party;         /* our name = our certificate's CN */
	int json;
	unsigned timeout_s;
	const char *trace;         /* file of acknowledged changes, or NULL */

	/* State. */
	struct conn conn;
	struct retry_ctx rpc;      /* reconnects and retries every call */
	uint64_t deadline;         /* end of every wait, CLOCK_MONOTONIC ms */
	X509_STORE *ca;            /* loaded on first use */
	struct progress progress;
	char err[1024];
};

struct create_args {
	const char *session;
	const char *const *parties;
	size_t nparties;
	unsigned threshold;
	unsigned length;
	unsigned decimals;
	unsigned deadline;
};

/* Sets up c from the settings already in it; starts the timeout clock. */
void client_start(struct client *c);
void client_free(struct client *c);

/*
 * Checks create's parameters locally; 0 if fine, else a reason in err.
 * create runs this first, so that a bad request never reaches the server.
 */
int party_check_create(const struct create_args *a, const char *creator,
    char *err, size_t errlen);

int party_create(struct client *c, const struct create_args *a);
int party_share(struct client *c, const char *session,
    const struct input_src *in);
int party_sumpoint(struct client *c, const char *session);
int party_result(struct client *c, const char *session);
int party_status(struct client *c, const char *session);
int party_run(struct client *c, const char *session,
    const struct input_src *in);

#endif
