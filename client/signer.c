/*
 * signer.c: this party's signed statements. The key is the private key of
 * the party's TLS client certificate, so a statement is signed by the same
 * identity the server authenticated the connection with; statement_sign
 * refuses anything that does not parse as a statement, so the key signs
 * nothing else of this protocol's making.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "client.h"
#include "err.h"
#include "pki.h"
#include "signer.h"
#include "statement.h"
#include "wire.h"

/*
 * Takes our key and certificate from the open connection's TLS context,
 * which loaded the same two files (certs/party.crt and .key, pki.c's
 * client_setup) and checked that they match: reading and decoding them
 * again costs more than a statement's signature. 0 when there is no
 * context to take them from.
 */
static int
from_tls(struct client *c)
{
	EVP_PKEY *key;
	X509 *cert;

	if (c->conn.ctx == NULL ||
	    (cert = SSL_CTX_get0_certificate(c->conn.ctx)) == NULL ||
	    (key = SSL_CTX_get0_privatekey(c->conn.ctx)) == NULL ||
	    X509_up_ref(cert) != 1)
		return 0;
	if (EVP_PKEY_up_ref(key) != 1) {
		X509_free(cert);
		return 0;
	}
	c->sign_cert = cert;
	c->sign_key = key;
	return 1;
}

/* Loads our key and certificate into c, once. */
static int
load(struct client *c, struct ss_error *e)
{
	int rc;

	if (c->sign_key != NULL)
		return SS_OK;
	if (!from_tls(c) && (rc = pki_load_signing_key(c->certs, c->party,
	    &c->sign_key, &c->sign_cert, e)) != SS_OK)
		return rc;
	if ((rc = statement_cert_digest(c->sign_cert, c->sign_digest)) !=
	    SS_OK)
		return ss_error_set(e, rc, "cannot hash %s/%s.crt", c->certs,
		    c->party);
	return SS_OK;
}

int
signer_digest(struct client *c, uint8_t out[STATEMENT_HASH_LEN],
    struct ss_error *e)
{
	int rc;

	if ((rc = load(c, e)) != SS_OK)
		return rc;
	memcpy(out, c->sign_digest, STATEMENT_HASH_LEN);
	return SS_OK;
}

int
signer_make(struct client *c, struct statement *s, struct wire_stmt *out,
    struct ss_error *e)
{
	uint8_t sig[STATEMENT_SIG_MAX];
	size_t siglen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = load(c, e)) != SS_OK)
		return rc;
	memcpy(s->d, c->d, sizeof(s->d));
	memcpy(s->signer, c->sign_digest, sizeof(s->signer));
	if ((rc = statement_make(s, c->sign_key, &out->body, &out->body_len,
	    sig, &siglen, e)) != SS_OK)
		return rc;
	if ((out->sig = malloc(siglen)) == NULL) {
		signer_stmt_free(out);
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	}
	memcpy(out->sig, sig, siglen);
	out->sig_len = siglen;
	return SS_OK;
}

void
signer_stmt_free(struct wire_stmt *w)
{
	free(w->body);
	free(w->sig);
	memset(w, 0, sizeof(*w));
}

int
signer_stmt_copy(struct wire_stmt *out, const struct wire_stmt *w)
{
	memset(out, 0, sizeof(*out));
	if ((out->body = malloc(w->body_len ? w->body_len : 1)) == NULL ||
	    (out->sig = malloc(w->sig_len ? w->sig_len : 1)) == NULL) {
		signer_stmt_free(out);
		return SS_ERR_ALLOC;
	}
	memcpy(out->body, w->body, w->body_len);
	memcpy(out->sig, w->sig, w->sig_len);
	out->body_len = w->body_len;
	out->sig_len = w->sig_len;
	return SS_OK;
}
