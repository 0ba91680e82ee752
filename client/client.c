/*
 * client.c: the client of one operation: its set-up and tear-down, the
 * clock every wait of the operation answers to, and its lines for the
 * caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "client.h"
#include "conn.h"
#include "output.h"
#include "pki.h"
#include "pstate.h"
#include "retry.h"
#include "statement.h"

void
client_start(struct client *c)
{
	conn_init(&c->conn);
	c->conn.server_name = c->server_name;
	c->ca = NULL;
	/* Progress as whole lines, to the caller (unless shown live). */
	progress_init(&c->progress);
	c->progress.sink = c->say;
	c->progress.sink_arg = c->say_arg;
	/* Every call of the command retries within its --timeout. */
	retry_init(&c->rpc, c->server, c->certs, c->party,
	    c->timeout_s * 1000u, &c->progress);
	/* Without --wait, a server that never answers is reported at once. */
	c->rpc.fail_fast_ms = c->wait ? 0 : RETRY_FAIL_FAST_MS;
	c->deadline = c->rpc.deadline;
}

int
client_ca(struct client *c, struct ss_error *e)
{
	struct ss_error pe;

	if (c->ca != NULL)
		return SS_OK;
	ss_error_clear(&pe);
	if ((c->ca = pki_ca_store(c->certs, &pe)) == NULL)
		return ss_error_set(e, SS_ERR_CERT, "%s", pe.msg[0] != '\0' ?
		    pe.msg : "cannot load the CA certificate");
	return SS_OK;
}

void
client_free(struct client *c)
{
	progress_clear(&c->progress);
	conn_close(&c->conn);
	/* The handle may be set up again (securesum.c): nothing freed stays named. */
	X509_STORE_free(c->ca);
	pstate_close(c->pstate);
	EVP_PKEY_free(c->sign_key);
	X509_free(c->sign_cert);
	hpke_key_free(c->enc_key);
	free(c->enc_der);
	while (c->nsigners > 0)
		statement_signer_clear(&c->signers[--c->nsigners].sg);
	free(c->signers);
	free(c->verified);
	c->ca = NULL, c->pstate = NULL, c->sign_key = NULL, c->sign_cert = NULL;
	c->enc_key = NULL, c->enc_der = NULL, c->enc_der_len = 0;
	c->signers = NULL, c->nsorted = c->capsigners = 0;
	c->verified = NULL;
	c->nverified = c->capverified = 0;
}

int
client_expired(const struct client *c)
{
	return conn_now_ms() >= c->deadline;
}

void
client_backoff(struct client *c, uint64_t *delay)
{
	uint64_t now = conn_now_ms(), d = *delay;

	if (now >= c->deadline)
		return;
	if (d > c->deadline - now)
		d = c->deadline - now;
	conn_sleep_ms(d);
	*delay = *delay * 2 > CLIENT_POLL_MAX_MS ? CLIENT_POLL_MAX_MS :
	    *delay * 2;
}

void
client_say(struct client *c, const char *fmt, ...)
{
	static const char prefix[] = "mpc-client: ";
	char line[1200];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (k < 0 || c->say == NULL)
		return;
	c->say(c->say_arg, strncmp(line, prefix, sizeof(prefix) - 1) == 0 ?
	    line + sizeof(prefix) - 1 : line);
}

void
client_sum_free(struct client_sum *s)
{
	size_t i;

	if (s->values != NULL)
		OPENSSL_cleanse(s->values, s->length * sizeof(*s->values));
	free(s->values);
	for (i = 0; i < s->ncohort; i++)
		free(s->cohort[i]);
	free(s->cohort);
	memset(s, 0, sizeof(*s));
}

void
client_wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}
