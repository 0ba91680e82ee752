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
pki_load_enc_key(const char *dir, const char *name, uint8_t sk[HPKE_KEY_LEN])
{
	char path[PATH_MAX];
	EVP_PKEY *pkey = NULL;
	int ret;

	if (sk == NULL)
		return SS_ERR_INVALID;
	if ((ret = pki_party_path(path, sizeof(path), dir, name, ".enc.key")) !=
	    SS_OK)
		return ret;
	if ((ret = pki_read_private_key(path, &pkey, NULL)) != SS_OK)
		return ret;
	ret = pki_raw_x25519(pkey, 1, sk);
	EVP_PKEY_free(pkey);	/* which wipes the key it held */
	ERR_clear_error();
	return ret;
}

int
pki_raw_x25519(const EVP_PKEY *pkey, int private, uint8_t out[HPKE_KEY_LEN])
{
	unsigned char raw[HPKE_KEY_LEN];
	size_t len = sizeof(raw);
	int ok;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_X25519)
		return SS_ERR_INVALID;
	ok = private ? EVP_PKEY_get_raw_private_key(pkey, raw, &len) :
	    EVP_PKEY_get_raw_public_key(pkey, raw, &len);
	if (ok != 1 || len != sizeof(raw)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return SS_ERR_CRYPTO;
	}
	memcpy(out, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return SS_OK;
}

