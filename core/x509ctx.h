/*
 * x509ctx.h: certificates of our CA's shapes parsed for verification in a
 * library context where decoding their public key is cheap (see x509ctx.c
 * for why).
 */
#ifndef SS_CORE_X509CTX_H
#define SS_CORE_X509CTX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/*
 * Setting the context up, once a process, costs about as much as five
 * certificates parsed and verified the usual way: a process's first
 * X509CTX_AFTER certificates are left to that way (x509ctx_parse returns
 * NULL), so that a command that verifies only its own pays nothing more.
 */
#define X509CTX_AFTER 4

/*
 * The certificate der (all len bytes one DER certificate), parsed in a
 * library context that can verify it (X509_verify_cert, X509_digest) and
 * decodes only EC and X25519 keys: for a certificate whose key the caller
 * found to be one of those (spki.h). Its key object belongs to that
 * context; callers make their own from the DER. NULL when der is not one
 * certificate, for the first X509CTX_AFTER calls of a process, or when
 * that context cannot be had: the caller then parses it with d2i_X509 as
 * before.
 */
X509 *x509ctx_parse(const uint8_t *der, size_t len);

#endif
