/*
 * enckey.c: loading a party's X25519 encryption private key.
 *
 * It lives apart from pki.c so that mpc-server, which never holds a party's
 * private key, does not even link the code that loads one (a test checks
 * the server binary with nm).
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "err.h"
#include "pki.h"
#include "pki_internal.h"

int
pki_load_enc_key(const char *dir, const char *name, uint8_t sk[32])
{
	char path[PATH_MAX];
	unsigned char raw[PKI_X25519_LEN];
	EVP_PKEY *pkey = NULL;
	size_t len;
	int ret;

	if (sk == NULL)
		return SS_ERR_INVALID;
	if ((ret = pki_party_path(path, sizeof(path), dir, name, ".enc.key")) !=
	    SS_OK)
		return ret;
	if ((ret = pki_read_private_key(path, &pkey, NULL)) != SS_OK)
		return ret;
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_X25519) {
		ret = SS_ERR_INVALID;
		goto out;
	}
	if (EVP_PKEY_get_raw_private_key(pkey, NULL, &len) != 1 ||
	    len != sizeof(raw)) {
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	if (EVP_PKEY_get_raw_private_key(pkey, raw, &len) != 1 ||
	    len != sizeof(raw)) {
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	memcpy(sk, raw, sizeof(raw));
	ret = SS_OK;
 out:
	OPENSSL_cleanse(raw, sizeof(raw));
	EVP_PKEY_free(pkey);	/* which wipes the key it held */
	ERR_clear_error();
	return ret;
}

