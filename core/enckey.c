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
	if ((ret = pki_read_private_key(path, "X25519", &pkey, NULL)) != SS_OK)
		return ret;
	ret = pki_raw_x25519(pkey, 1, sk);
	EVP_PKEY_free(pkey);	/* which wipes the key it held */
	ERR_clear_error();
	return ret;
}
