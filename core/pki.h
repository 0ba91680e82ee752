/*
 * pki.h: the project's certificates and keys as both ends use them: TLS 1.3
 * contexts with mutual authentication against the project CA, a peer's
 * identity from its certificate, private-key file checks, and the parties'
 * X25519 encryption-key certificates.
 *
 * Files in a certificate folder (made by scripts/mkcerts.sh):
 *   ca.crt, server.crt, server.key, NAME.crt, NAME.key (TLS client),
 *   NAME.enc.crt, NAME.enc.key (X25519 key for end-to-end share encryption),
 *   crl.pem (optional, revocations).
 */
#ifndef SS_PKI_H
#define SS_PKI_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "hpke.h"
#include "name.h"

/*
 * TLS 1.3-only contexts requiring and verifying the peer's certificate
 * against DIR/ca.crt. On failure NULL, with the code and a one-line reason in e.
 */
SSL_CTX *pki_server_ctx(const char *dir, struct ss_error *e);
SSL_CTX *pki_client_ctx(const char *dir, const char *party, struct ss_error *e);

/* Makes the client check that the server certificate names host (DNS name or IP literal). */
int pki_expect_host(SSL *ssl, const char *host) SS_WUR;
/* 1 if pki_expect_host would take host: a DNS name or an IP literal. */
int pki_host_valid(const char *host);

/* The verified peer's identity (subject CN), checked with name_valid. */
int pki_peer_name(SSL *ssl, char *out, size_t outlen) SS_WUR;

/* SS_ERR_KEY_PERMS if path is readable or writable by group or others, SS_ERR_IO if absent. */
int pki_check_private_file(const char *path) SS_WUR;

/* Loads DIR/NAME.enc.key (checked with pki_check_private_file) as a raw X25519 key. */
int pki_load_enc_key(const char *dir, const char *name, uint8_t sk[HPKE_KEY_LEN]) SS_WUR;
/* Reads DIR/NAME.enc.crt as DER; *der is malloc'd. */
int pki_load_enc_cert(const char *dir, const char *name, uint8_t **der, size_t *len) SS_WUR;

/*
 * The key that signs this party's statements (protocol version 2, see
 * statement.h): DIR/NAME.key (checked as pki_check_private_file does) and
 * DIR/NAME.crt, whose key it must be. *key and *cert are the caller's
 * (EVP_PKEY_free, X509_free). SS_ERR_IO, SS_ERR_CERT, SS_ERR_KEY_PERMS,
 * SS_ERR_CRYPTO with the reason in e.
 */
int pki_load_signing_key(const char *dir, const char *name, EVP_PKEY **key,
    X509 **cert, struct ss_error *e) SS_WUR;

/* A store holding DIR/ca.crt, for pki_verify_enc_cert. */
X509_STORE *pki_ca_store(const char *dir, struct ss_error *e);

/*
 * Verifies a DER encryption-key certificate: chains to the CA in store, is
 * within its validity period, has subject CN == name, and holds an X25519
 * key, which it writes to pk.
 */
int pki_verify_enc_cert(X509_STORE *store, const uint8_t *der, size_t len,
    const char *name, uint8_t pk[HPKE_KEY_LEN]) SS_WUR;
/*
 * The same, handing the certificate it parsed to *out (the caller's, to
 * X509_free; NULL on failure), so that nothing parses it again: with
 * OpenSSL 3.0 a parse, its public key's decoding included, costs more
 * than the chain check (about 1.1 M instructions, against 1 M).
 */
int pki_verify_enc_cert_keep(X509_STORE *store, const uint8_t *der,
    size_t len, const char *name, uint8_t pk[HPKE_KEY_LEN], X509 **out) SS_WUR;

/*
 * The X25519 key of the encryption-key certificate der, one that was
 * verified before (pki_verify_enc_cert; a hit in a party's certificate
 * cache): read off its DER when it has the shape our CA issues (spki.h),
 * else taken from OpenSSL's parse. Checks nothing else. SS_ERR_CERT when
 * it is not one certificate with an X25519 key.
 */
int pki_enc_key_of_der(const uint8_t *der, size_t len,
    uint8_t pk[HPKE_KEY_LEN]) SS_WUR;

#endif
