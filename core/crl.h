/*
 * crl.h: a server's check of DIR/crl.pem before it trusts the file. The
 * TLS context refuses every client when a revocation list is not signed by
 * the CA or has expired (X509_V_FLAG_CRL_CHECK finds no usable list), so a
 * file that would do so is refused here, with a message, instead: at start
 * the server does not start, at a reload (SIGHUP) the list in force stays.
 */
#ifndef SS_CRL_H
#define SS_CRL_H

#include <stdint.h>

#include "err.h"

struct crl_info {
	int present;            /* 0: DIR/crl.pem does not exist */
	unsigned long revoked;  /* certificates listed, over every list in the file */
	int64_t issued;         /* the newest lastUpdate, seconds since 1970 */
	char issued_text[32];   /* the same, as 2026-12-06T03:20:00Z */
};

/*
 * Reads DIR/crl.pem, if it exists, and checks each revocation list in it:
 * issued and signed by DIR/ca.crt, lastUpdate not in the future, nextUpdate
 * given and not passed. SS_ERR_IO, SS_ERR_CERT, SS_ERR_CRYPTO, SS_ERR_ALLOC
 * with the file and what to do in e.
 */
int crl_check(const char *dir, struct crl_info *info, struct ss_error *e) SS_WUR;

#endif
