/* digest.c: SHA-256 of bytes, or of a writer's output; see digest.h. */
#include <string.h>

#include "digest.h"

int
digest_begin(struct digest *d)
{
	if ((d->md = EVP_MD_CTX_new()) == NULL)
		return SS_ERR_ALLOC;
	if (EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->md);
		d->md = NULL;
		return SS_ERR_CRYPTO;
	}
	buf_writer_init_sink(&d->w, buf_sink_digest, d->md);
	return SS_OK;
}

int
digest_end(struct digest *d, uint8_t out[DIGEST_LEN])
{
	unsigned int len = 0;
	int rc = buf_writer_error(&d->w);

	if (rc == SS_OK && (EVP_DigestFinal_ex(d->md, out, &len) != 1 ||
	    len != DIGEST_LEN))
		rc = SS_ERR_CRYPTO;
	EVP_MD_CTX_free(d->md);
	d->md = NULL;
	if (rc != SS_OK)
		memset(out, 0, DIGEST_LEN);
	return rc;
}

int
digest_bytes(const void *p, size_t n, uint8_t out[DIGEST_LEN])
{
	unsigned int len = 0;

	if (p == NULL && n > 0)
		return SS_ERR_INVALID;
	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != DIGEST_LEN) {
		memset(out, 0, DIGEST_LEN);
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}
