/*
 * pki_internal.h: helpers pki.c shares with enckey.c; not for other modules.
 * (enckey.c, which loads private keys, is linked by the client only.)
 */
#ifndef SS_PKI_INTERNAL_H
#define SS_PKI_INTERNAL_H

#include <stddef.h>
#include <openssl/evp.h>

#include "err.h"
#include "hpke.h"

/* DIR/NAME.SUFFIX into out, with the name checked. */
int pki_party_path(char *out, size_t outlen, const char *dir, const char *name,
    const char *suffix) SS_WUR;
/*
 * Loads a PEM private key after checking the file's mode; type is its
 * OpenSSL type name ("EC", "X25519") when known, for a faster decoding,
 * or NULL; e may be NULL.
 */
int pki_read_private_key(const char *path, const char *type, EVP_PKEY **pkey,
    struct ss_error *e) SS_WUR;

/*
 * The raw 32 bytes of an X25519 key: its private half when private is 1,
 * else its public half. SS_ERR_INVALID for a key of another type,
 * SS_ERR_CRYPTO when OpenSSL will not give them.
 */
int pki_raw_x25519(const EVP_PKEY *pkey, int private, uint8_t out[HPKE_KEY_LEN])
    SS_WUR;

#endif
