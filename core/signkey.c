/*
 * signkey.c: loading the key that signs a party's statements (protocol
 * version 2): the private key of its TLS client certificate, NAME.key, with
 * the certificate itself, NAME.crt, whose digest names the signer in every
 * statement.
 *
 * It lives apart from pki.c, as enckey.c does, so that mpc-server, which
 * never holds a party's private key, does not link the code that loads one.
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "err.h"
#include "pki.h"
#include "pki_internal.h"

/* The first certificate of the PEM file at path (a chain file starts with it). */
static int
read_cert(const char *path, X509 **cert, struct ss_error *e)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return ss_error_set(e, SS_ERR_IO, "cannot open %s", path);
	*cert = PEM_read_X509(f, NULL, NULL, NULL);
	(void)fclose(f);
	ERR_clear_error();
	if (*cert == NULL)
		return ss_error_set(e, SS_ERR_CERT, "%s holds no PEM certificate",
		    path);
	return SS_OK;
}

int
pki_load_signing_key(const char *dir, const char *name, EVP_PKEY **key,
    X509 **cert, struct ss_error *e)
{
	char kpath[PATH_MAX], cpath[PATH_MAX];
	int ret;

	if (key == NULL || cert == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "nowhere to load a key");
	*key = NULL;
	*cert = NULL;
	if (pki_party_path(kpath, sizeof(kpath), dir, name, ".key") != SS_OK ||
	    pki_party_path(cpath, sizeof(cpath), dir, name, ".crt") != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "certificate folder "
		    "name is too long, or the party name invalid");
	if ((ret = read_cert(cpath, cert, e)) != SS_OK)
		return ret;
	if ((ret = pki_read_private_key(kpath, "EC", key, e)) != SS_OK)
		goto fail;
	/* 1: the certificate's public key is the private key's. */
	if (EVP_PKEY_eq(X509_get0_pubkey(*cert), *key) != 1) {
		ERR_clear_error();
		ret = ss_error_set(e, SS_ERR_CERT, "%s does not belong to %s",
		    kpath, cpath);
		goto fail;
	}
	return SS_OK;
 fail:
	EVP_PKEY_free(*key);
	X509_free(*cert);
	*key = NULL;
	*cert = NULL;
	return ret;
}
