/*
 * spki.c: the public key of a certificate taken from its DER by a walk down
 * to its SubjectPublicKeyInfo, for a certificate whose very bytes were
 * verified before (a hit in the party's certificate cache): the P-256 key
 * of a signing certificate, the X25519 key of an encryption-key one.
 *
 * Why not d2i_X509: OpenSSL 3.0 sets up its whole chain of key decoders for
 * every certificate it parses (OSSL_DECODER_CTX_new_for_pkey, ~1.2 million
 * instructions of the ~1.5 million a parse costs; 3.2 caches it), which for
 * a party at n = 100 was a quarter of a sumpoint's CPU. This walk reads
 * seven headers. It accepts only the shapes our CA issues (mkcerts.sh);
 * anything else is declined and the caller parses the certificate as before.
 */
#include <string.h>

#include "spki.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_VERSION 0xa0        /* [0] EXPLICIT, constructed */

/* AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, as DER. */
static const uint8_t p256_alg[] = {
	0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
};

/* AlgorithmIdentifier { id-X25519 } (RFC 8410: no parameters), as DER. */
static const uint8_t x25519_alg[] = {
	0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e,
};

/* A cursor over DER bytes [p, end). */
struct der {
	const uint8_t *p, *end;
};

/*
 * Reads one element of identifier tag (one byte: no high tag numbers here)
 * with a definite length, into *in (its contents), and moves d past it.
 * SS_ERR_INVALID for another tag, an indefinite or overlong length, or
 * contents running past the end.
 */
static int
der_take(struct der *d, uint8_t tag, struct der *in)
{
	size_t avail, n = 0, i, nlen;

	if (d->end - d->p < 2 || d->p[0] != tag)
		return SS_ERR_INVALID;
	avail = (size_t)(d->end - d->p) - 2;
	if (d->p[1] < 0x80) {
		n = d->p[1];
		d->p += 2;
	} else {
		/* Long form: 1 to 3 length bytes (16 MiB) are plenty. */
		nlen = d->p[1] & 0x7f;
		if (nlen == 0 || nlen > 3 || nlen > avail)
			return SS_ERR_INVALID;
		for (i = 0; i < nlen; i++)
			n = (n << 8) | d->p[2 + i];
		avail -= nlen;
		d->p += 2 + nlen;
	}
	if (n > avail)
		return SS_ERR_INVALID;
	in->p = d->p;
	in->end = d->p + n;
	d->p += n;
	return SS_OK;
}

/* Skips one element of identifier tag. */
static int
der_skip(struct der *d, uint8_t tag)
{
	struct der in;

	return der_take(d, tag, &in);
}

/* The SubjectPublicKeyInfo of the TBSCertificate tbs, into *spki. */
static int
tbs_spki(struct der *tbs, struct der *spki)
{
	static const uint8_t before[] = {
		DER_INTEGER,    /* serialNumber */
		DER_SEQUENCE,   /* signature */
		DER_SEQUENCE,   /* issuer */
		DER_SEQUENCE,   /* validity */
		DER_SEQUENCE,   /* subject */
	};
	size_t i;

	if (tbs->p < tbs->end && tbs->p[0] == DER_VERSION &&
	    der_skip(tbs, DER_VERSION) != SS_OK)
		return SS_ERR_INVALID;
	for (i = 0; i < sizeof(before); i++)
		if (der_skip(tbs, before[i]) != SS_OK)
			return SS_ERR_INVALID;
	return der_take(tbs, DER_SEQUENCE, spki);
}

/*
 * The SubjectPublicKeyInfo of the certificate der (all len bytes one DER
 * Certificate), into *spki.
 */
static int
cert_spki(const uint8_t *der, size_t len, struct der *spki)
{
	struct der all, cert, tbs;

	if (der == NULL)
		return SS_ERR_INVALID;
	all.p = der;
	all.end = der + len;
	if (der_take(&all, DER_SEQUENCE, &cert) != SS_OK || all.p != all.end ||
	    der_take(&cert, DER_SEQUENCE, &tbs) != SS_OK)
		return SS_ERR_INVALID;
	return tbs_spki(&tbs, spki);
}

/*
 * The key of the certificate der (len bytes) when its SubjectPublicKeyInfo
 * has exactly the algorithm alg (alg_len bytes of DER) and a BIT STRING,
 * with no unused bits, of key_len bytes that begin with first (-1: any):
 * into key.
 */
static int
cert_key(const uint8_t *der, size_t len, const uint8_t *alg, size_t alg_len,
    int first, uint8_t *key, size_t key_len)
{
	struct der spki, bits;

	if (key == NULL || cert_spki(der, len, &spki) != SS_OK ||
	    (size_t)(spki.end - spki.p) < alg_len ||
	    memcmp(spki.p, alg, alg_len) != 0)
		return SS_ERR_INVALID;
	spki.p += alg_len;
	if (der_take(&spki, DER_BIT_STRING, &bits) != SS_OK ||
	    spki.p != spki.end ||
	    (size_t)(bits.end - bits.p) != key_len + 1 || bits.p[0] != 0 ||
	    (first >= 0 && bits.p[1] != (uint8_t)first))
		return SS_ERR_INVALID;
	memcpy(key, bits.p + 1, key_len);
	return SS_OK;
}

int
spki_p256_point(const uint8_t *der, size_t len,
    uint8_t point[SPKI_P256_POINT_LEN])
{
	/* Uncompressed: 0x04 X Y. */
	return cert_key(der, len, p256_alg, sizeof(p256_alg), 0x04, point,
	    SPKI_P256_POINT_LEN);
}

int
spki_x25519_key(const uint8_t *der, size_t len,
    uint8_t key[SPKI_X25519_KEY_LEN])
{
	return cert_key(der, len, x25519_alg, sizeof(x25519_alg), -1, key,
	    SPKI_X25519_KEY_LEN);
}
