/*
 * hpke_key.c: the X25519 side of hpke.c: a party's private key made ready
 * once (struct hpke_key: its key object, the algorithms it needs fetched,
 * and templates that each operation copies instead of looking them up
 * again), fresh ephemeral keys, and the Diffie-Hellman operation, with the
 * static-static value remembered when the key remembers (dhmemo.h).
 *
 * Cost, measured (docs/BENCHMARKS.md 6.7): OpenSSL 3.0 looks an algorithm
 * up in its provider store, under a lock, whenever one is named; an
 * EVP_PKEY_new_raw_public_key costs about four times what the copy of a
 * template with its key replaced does. A seal is 3 X25519 operations (the
 * ephemeral key, DH(skE, pkR), DH(skS, pkR)), an open 2, or 1 when the
 * static value is remembered.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "dhmemo.h"
#include "err.h"
#include "hpke.h"
#include "hpke_internal.h"

/* Fetches OpenSSL's HKDF; the caller frees it with EVP_KDF_free. */
EVP_KDF *
hpke_hkdf_fetch(void)
{
	return EVP_KDF_fetch(NULL, "HKDF", NULL);
}

/*
 * Builds the X25519 key object of the raw private key sk and reads back its
 * public key (which OpenSSL derived while building it).
 */
int
hpke_pkey_from_private(const uint8_t sk[HPKE_KEY_LEN], EVP_PKEY **keyp,
    uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY *key;
	size_t len = HPKE_KEY_LEN;

	*keyp = NULL;
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
	    HPKE_KEY_LEN)) == NULL)
		return SS_ERR_CRYPTO;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) != 1 ||
	    len != HPKE_KEY_LEN) {
		EVP_PKEY_free(key);
		return SS_ERR_CRYPTO;
	}
	*keyp = key;
	return SS_OK;
}

/*
 * A fresh X25519 key pair as one key object, and its public key. OpenSSL
 * draws the private key from its private DRBG, as RAND_priv_bytes would.
 */
int
hpke_pkey_generate(EVP_PKEY **keyp, uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *key = NULL;
	size_t len = HPKE_KEY_LEN;
	int r = SS_ERR_CRYPTO;

	*keyp = NULL;
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL)) == NULL)
		return SS_ERR_CRYPTO;
	if (EVP_PKEY_keygen_init(pctx) != 1 ||
	    EVP_PKEY_keygen(pctx, &key) != 1 || key == NULL)
		goto out;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) != 1 ||
	    len != HPKE_KEY_LEN)
		goto out;
	*keyp = key;
	key = NULL;
	r = SS_OK;
 out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

int
hpke_public_key(const uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY *key;
	int r;

	if (sk == NULL || pk == NULL)
		return SS_ERR_INVALID;
	if ((r = hpke_pkey_from_private(sk, &key, pk)) == SS_OK)
		EVP_PKEY_free(key);
	return r;
}

int
hpke_keygen(uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN])
{
	int r;

	if (sk == NULL || pk == NULL)
		return SS_ERR_INVALID;
	/*
	 * Any 32 bytes are an X25519 private key (the scalar is clamped
	 * when used), so GenerateKeyPair is just 32 bytes from the CSPRNG.
	 */
	if (RAND_priv_bytes(sk, HPKE_KEY_LEN) != 1)
		return SS_ERR_CRYPTO;
	if ((r = hpke_public_key(sk, pk)) != SS_OK)
		OPENSSL_cleanse(sk, HPKE_KEY_LEN);
	return r;
}

/* The templates of key (struct hpke_key), from its key object. */
static int
key_templates(struct hpke_key *key)
{
	if ((key->derive = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey,
	    NULL)) == NULL || EVP_PKEY_derive_init(key->derive) != 1 ||
	    (key->peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL,
	    key->pk, HPKE_KEY_LEN)) == NULL)
		return SS_ERR_CRYPTO;
	return SS_OK;
}

int
hpke_key_new(const uint8_t sk[HPKE_KEY_LEN], struct hpke_key **keyp)
{
	struct hpke_key *key;
	int r;

	if (keyp == NULL)
		return SS_ERR_INVALID;
	*keyp = NULL;
	if (sk == NULL)
		return SS_ERR_INVALID;
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return SS_ERR_ALLOC;
	if ((r = hpke_pkey_from_private(sk, &key->pkey, key->pk)) != SS_OK) {
		free(key);
		return r;
	}
	if ((key->kdf = hpke_hkdf_fetch()) == NULL ||
	    (key->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL)) == NULL ||
	    key_templates(key) != SS_OK) {
		hpke_key_free(key);
		return SS_ERR_CRYPTO;
	}
	*keyp = key;
	return SS_OK;
}

void
hpke_key_free(struct hpke_key *key)
{
	if (key == NULL)
		return;
	/* OpenSSL wipes the X25519 private key when the object goes. */
	EVP_PKEY_CTX_free(key->derive);
	EVP_PKEY_free(key->peer);
	EVP_PKEY_free(key->pkey);
	if (key->memo != NULL) {
		dhmemo_clear(key->memo);
		free(key->memo);
	}
	EVP_KDF_free(key->kdf);
	EVP_CIPHER_free(key->gcm);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

void
hpke_key_public(const struct hpke_key *key, uint8_t pk[HPKE_KEY_LEN])
{
	memcpy(pk, key->pk, HPKE_KEY_LEN);
}

int
hpke_key_remember(struct hpke_key *key, size_t max)
{
	struct dhmemo *memo;
	int r;

	if (key == NULL)
		return SS_ERR_INVALID;
	if (key->memo != NULL)
		return SS_OK;
	if ((memo = calloc(1, sizeof(*memo))) == NULL)
		return SS_ERR_ALLOC;
	if ((r = dhmemo_init(memo, max)) != SS_OK) {
		free(memo);
		return r;
	}
	key->memo = memo;
	return SS_OK;
}

/*
 * The key object of the peer's public key pk: own's template with pk in
 * place of its key (no lookup), or, without own, one made now.
 */
static EVP_PKEY *
peer_key(const struct hpke_key *own, const uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY *peer;

	if (own == NULL)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk,
		    HPKE_KEY_LEN);
	if ((peer = EVP_PKEY_dup(own->peer)) != NULL &&
	    EVP_PKEY_set1_encoded_public_key(peer, pk, HPKE_KEY_LEN) != 1) {
		EVP_PKEY_free(peer);
		peer = NULL;
	}
	return peer;
}

/*
 * DH(sk, pk) for X25519: sk the key object eph (an ephemeral key), or own's
 * private key when eph is NULL; own's templates serve when there is own.
 * An all-zero result means pk was a point of small order; RFC 9180 7.1.4
 * requires us to abort rather than derive a key from it. (OpenSSL already
 * refuses, but the check costs nothing and does not depend on that.)
 */
int
hpke_x25519(const struct hpke_key *own, EVP_PKEY *eph,
    const uint8_t pk[HPKE_KEY_LEN], uint8_t out[HPKE_KEY_LEN])
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = HPKE_KEY_LEN, i;
	uint8_t acc = 0;
	int r = SS_ERR_CRYPTO;

	if ((own == NULL && eph == NULL) || (peer = peer_key(own, pk)) == NULL)
		goto out;
	if (eph == NULL) {
		if ((pctx = EVP_PKEY_CTX_dup(own->derive)) == NULL)
			goto out;
	} else if ((pctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph,
	    NULL)) == NULL || EVP_PKEY_derive_init(pctx) != 1)
		goto out;
	/*
	 * No validation of the peer by OpenSSL: for X25519 it only asks
	 * whether the object has a public key (and costs a context and a
	 * lookup); the all-zero check below is the one RFC 9180 asks for.
	 */
	if (EVP_PKEY_derive_set_peer_ex(pctx, peer, 0) != 1 ||
	    EVP_PKEY_derive(pctx, out, &len) != 1 || len != HPKE_KEY_LEN)
		goto out;
	for (i = 0; i < HPKE_KEY_LEN; i++)
		acc |= out[i];
	if (acc == 0)
		goto out;
	r = SS_OK;
 out:
	if (r != SS_OK)
		OPENSSL_cleanse(out, HPKE_KEY_LEN);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(peer);
	return r;
}

/*
 * DH(key, pk) of the static key: remembered from an earlier call when the
 * key remembers (hpke_key_remember), else computed, and then remembered.
 * A value not remembered (the table full, or no memory) is only computed
 * again next time.
 */
int
hpke_static_dh(const struct hpke_key *key, const uint8_t pk[HPKE_KEY_LEN],
    uint8_t out[HPKE_KEY_LEN])
{
	int r;

	if (key->memo != NULL && dhmemo_get(key->memo, pk, out))
		return SS_OK;
	if ((r = hpke_x25519(key, NULL, pk, out)) != SS_OK || key->memo == NULL)
		return r;
	/* Not remembered (full, or no memory): only computed again. */
	return dhmemo_put(key->memo, pk, out) == SS_ERR_INVALID ?
	    SS_ERR_INTERNAL : SS_OK;
}
