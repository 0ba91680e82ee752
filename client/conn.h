/*
 * conn.h: one blocking-style TLS 1.3 connection from a party to the server,
 * carrying framed requests and their responses one at a time.
 *
 * Every exchange (connect, handshake, each call) has a time budget, so a
 * dead or silent server cannot hold the client past it.
 */
#ifndef SS_CLIENT_CONN_H
#define SS_CLIENT_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "addr.h"
#include "err.h"
#include "wire.h"

struct conn {
	int fd;                    /* -1 when closed */
	SSL_CTX *ctx;
	SSL *ssl;
	uint64_t next_id;          /* id of the next request */
	int budget_ms;             /* time allowed for each exchange */
	uint32_t max_frame;        /* largest response accepted */
	/*
	 * After a failed conn_open or conn_call: 1 when the network or the
	 * server's going away failed it (a refused, unreachable or reset
	 * connection, an end of stream, a timeout), which another attempt
	 * may not meet; 0 when another attempt cannot help (a certificate
	 * refused by either side, a TLS alert from the server, a protocol
	 * violation, a bad address, a local error).
	 */
	int transient;
	/* ... and 1 when that failure was a TLS alert sent by the server. */
	int alert;
	/*
	 * A setting, kept by conn_close: the name the server's certificate
	 * must carry (and the SNI sent), or NULL for the host of HOST:PORT.
	 * It lets the client reach a server at one address while checking it
	 * under another name, as curl --resolve does.
	 */
	const char *server_name;
	/* "HOST:PORT" or "HOST:PORT (as NAME)", for messages */
	char where[2 * ADDR_HOST_MAX + 24];
};

/* Makes c closed; safe to pass to conn_close. */
void conn_init(struct conn *c);

/*
 * Connects to hostport, authenticates as `party` with the certificate in
 * certs, and checks that the server's certificate names the host (or
 * c->server_name, when set). Returns
 * SS_ERR_IO (network, handshake), SS_ERR_CERT (a certificate refused, ours
 * or the server's), SS_ERR_TIMEOUT, SS_ERR_INVALID; e gets a one-line
 * reason, and c->transient says whether trying again may help. Nothing is
 * sent to the server before the handshake completes.
 */
int conn_open(struct conn *c, const char *hostport, const char *certs,
    const char *party, int budget_ms, struct ss_error *e) SS_WUR;

/*
 * Sends req (its id is set here) and decodes the response into resp,
 * checking that it answers req. The response's own code is for the caller.
 * A response with id 0 and an error code is the server's verdict on the
 * connection (section 4 of PROTOCOL.md): it is returned as SS_OK like any
 * other, and the connection, which the server ends, is closed. The exchange
 * gets c->budget_ms. On any failure the connection is closed, and
 * c->transient set as for conn_open; resp is left safe to free.
 */
int conn_call(struct conn *c, struct wire_request *req,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e) SS_WUR;

int conn_is_open(const struct conn *c);
void conn_close(struct conn *c);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t conn_now_ms(void);
/* Sleeps ms milliseconds, resuming after signals. */
void conn_sleep_ms(uint64_t ms);

#endif
