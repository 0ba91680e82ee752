/*
 * digest.h: SHA-256, the one hash of the project's own formats (session
 * digests, statements, the trace), of a byte string or of whatever is put
 * through a buf_writer, so that what is hashed is built by the same code
 * that would write it.
 */
#ifndef SS_DIGEST_H
#define SS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"

#define DIGEST_LEN 32

/* A writer whose bytes go into a SHA-256. */
struct digest {
	EVP_MD_CTX *md;
	struct buf_writer w;   /* put the bytes to hash here */
};

/* SS_OK, SS_ERR_ALLOC or SS_ERR_CRYPTO; on failure nothing to free. */
int digest_begin(struct digest *d) SS_WUR;
/*
 * The digest of everything put into d->w, and d freed (always). On failure
 * (a failed put included) out is zeroed.
 */
int digest_end(struct digest *d, uint8_t out[DIGEST_LEN]) SS_WUR;
/* SHA-256 of n bytes at p (p may be NULL when n is 0). */
int digest_bytes(const void *p, size_t n, uint8_t out[DIGEST_LEN]) SS_WUR;

#endif
