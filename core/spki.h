/*
 * spki.h: the EC P-256 or X25519 public key of a certificate, read from its
 * DER without OpenSSL's X509 parse (see spki.c for why).
 */
#ifndef SS_CORE_SPKI_H
#define SS_CORE_SPKI_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* An uncompressed P-256 point: 0x04, X, Y. */
#define SPKI_P256_POINT_LEN 65

/*
 * Copies into point the public key of the certificate der (all len bytes
 * one DER Certificate) when its SubjectPublicKeyInfo is id-ecPublicKey on
 * prime256v1 with an uncompressed point. SS_ERR_INVALID otherwise (another
 * shape, or bytes whose outer structure it cannot follow to the key): the
 * caller then parses it with OpenSSL. Checks nothing else, not even that
 * the rest is a well-formed certificate: for certificates whose very bytes
 * were verified (fuzz/README.md, target spki).
 */
int spki_p256_point(const uint8_t *der, size_t len,
    uint8_t point[SPKI_P256_POINT_LEN]) SS_WUR;

/* A raw X25519 public key (RFC 7748), as HPKE_KEY_LEN. */
#define SPKI_X25519_KEY_LEN 32

/*
 * Copies into key the public key of the certificate der (all len bytes one
 * DER Certificate) when its SubjectPublicKeyInfo is id-X25519 (RFC 8410:
 * the OID alone, no parameters) with a 32-byte key. SS_ERR_INVALID
 * otherwise, for the caller to parse it with OpenSSL. Like
 * spki_p256_point, for certificates whose very bytes were verified.
 */
int spki_x25519_key(const uint8_t *der, size_t len,
    uint8_t key[SPKI_X25519_KEY_LEN]) SS_WUR;

#endif
