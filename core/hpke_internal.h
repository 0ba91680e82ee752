/*
 * hpke_internal.h: what hpke.c (the RFC's schedule and AEAD) and
 * hpke_key.c (the X25519 key objects and their DH operations) share.
 * Not for other modules: they use hpke.h.
 */
#ifndef SS_CORE_HPKE_INTERNAL_H
#define SS_CORE_HPKE_INTERNAL_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "hpke.h"

/*
 * A private key made ready for use; see hpke.h. It also holds the HKDF and
 * AES-128-GCM implementations, fetched once with it: OpenSSL 3.0 looks an
 * algorithm up in its provider store (under a lock) whenever it is named
 * by string or by EVP_aes_128_gcm(), so every seal and open would
 * otherwise fetch them again. Fetched algorithms are immutable, so a const
 * key may be shared.
 */
struct hpke_key {
	EVP_PKEY *pkey;			/* X25519, private and public */
	uint8_t pk[HPKE_KEY_LEN];	/* its public key, raw */
	EVP_KDF *kdf;			/* HKDF */
	EVP_CIPHER *gcm;		/* AES-128-GCM */
	/*
	 * Templates, copied (EVP_*_dup, no lookup) rather than made anew
	 * for each operation: a context deriving with pkey, and a
	 * public-key object whose key is replaced by a peer's. Never used
	 * themselves, so a const key may be shared. (OpenSSL 3.0 cannot
	 * copy a key-generation context: each ephemeral key costs a
	 * lookup.)
	 */
	EVP_PKEY_CTX *derive;
	EVP_PKEY *peer;
	/*
	 * hpke_key_remember's DH(sk, pk) values, or NULL. Written through a
	 * const key by the calls that compute them: a key that remembers
	 * is one caller's, not shared (hpke.h).
	 */
	struct dhmemo *memo;
};

/* Fetches OpenSSL's HKDF; the caller frees it with EVP_KDF_free. */
EVP_KDF *hpke_hkdf_fetch(void);

/*
 * Builds the X25519 key object of the raw private key sk and reads back its
 * public key (which OpenSSL derived while building it).
 */
int hpke_pkey_from_private(const uint8_t sk[HPKE_KEY_LEN], EVP_PKEY **keyp,
    uint8_t pk[HPKE_KEY_LEN]) SS_WUR;

/* A fresh X25519 key pair as one key object, and its public key. */
int hpke_pkey_generate(EVP_PKEY **keyp, uint8_t pk[HPKE_KEY_LEN]) SS_WUR;

/*
 * DH(sk, pk): sk the ephemeral key eph, or own's private key when eph is
 * NULL. SS_ERR_CRYPTO for a point of small order (an all-zero result).
 */
int hpke_x25519(const struct hpke_key *own, EVP_PKEY *eph,
    const uint8_t pk[HPKE_KEY_LEN], uint8_t out[HPKE_KEY_LEN]) SS_WUR;

/* DH(key, pk) of the static key, remembered if key remembers (hpke.h). */
int hpke_static_dh(const struct hpke_key *key, const uint8_t pk[HPKE_KEY_LEN],
    uint8_t out[HPKE_KEY_LEN]) SS_WUR;

#endif
