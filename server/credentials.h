/*
 * credentials.h: what the server proves itself and judges its clients
 * with, loaded together from the certs folder at start and again at each
 * SIGHUP: the TLS context (server.crt, server.key, ca.crt, crl.pem) and
 * the CA store that checks the parties' published certificates (ca.crt,
 * crl.pem). A reload builds a complete new set beside the one in force and
 * swaps only once every file loaded and checked, so that a bad file never
 * stops or weakens the running server.
 */
#ifndef SS_CREDENTIALS_H
#define SS_CREDENTIALS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "crl.h"
#include "err.h"

struct credentials {
	SSL_CTX *ssl;           /* new connections' context (refcounted by them) */
	X509_STORE *ca;         /* for pki_verify_enc_cert and signers */
	struct crl_info crl;
	char fingerprint[100];  /* server.crt's SHA-256, AB:CD:... as openssl prints it */
	char not_after[32];     /* server.crt's notAfter, 2027-03-01T00:00:00Z */
};

/*
 * Loads every file of dir into c (zeroed first; credentials_free is safe
 * after a failure). SS_ERR_* with the file and what to do in e, which must
 * not be NULL.
 */
int credentials_load(const char *dir, struct credentials *c,
    struct ss_error *e) SS_WUR;

/*
 * Whether next may take cur's place at a reload: SS_ERR_DENIED, with why,
 * when it would lift revocations in force -- no crl.pem where one was
 * loaded, or a list issued before the one loaded (a restored old copy).
 * Lifting them takes a restart.
 */
int credentials_may_replace(const struct credentials *cur,
    const struct credentials *next, const char *dir, struct ss_error *e) SS_WUR;

/* One line for the log: the certificate's fingerprint and end, the list's size and date. */
void credentials_describe(const struct credentials *c, char *out, size_t outlen);

void credentials_free(struct credentials *c);

#endif
