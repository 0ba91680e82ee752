/*
 * pki_internal.h: helpers pki.c shares with enckey.c; not for other modules.
 */
#ifndef SS_PKI_INTERNAL_H
#define SS_PKI_INTERNAL_H

#include <stddef.h>
#include <openssl/evp.h>

#include "err.h"

#define PKI_X25519_LEN 32

/* DIR/NAME.SUFFIX into out, with the name checked. */
int pki_party_path(char *out, size_t outlen, const char *dir, const char *name,
    const char *suffix) SS_WUR;
/* Loads a PEM private key after checking the file's mode; e may be NULL. */
int pki_read_private_key(const char *path, EVP_PKEY **pkey, struct ss_error *e) SS_WUR;

#endif
