/*
 * test_core_spki.c: a certificate's public key read off its DER
 * (core/spki.c) is the key OpenSSL's parse finds, for the shapes our CA
 * issues (mkcerts.sh: a P-256 signing certificate, an X25519
 * encryption-key certificate); every other shape, truncation or malformed
 * length is declined, never misread; and pki_enc_key_of_der falls back to
 * the parse for what the walk declines.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certs.h"
#include "err.h"
#include "hpke.h"
#include "pki.h"
#include "spki.h"
#include "tempdir.h"

static const char *dir;

/* DIR/file as DER (the caller's, to OPENSSL_free), and its X509 in *x. */
static uint8_t *
read_der(const char *file, size_t *len, X509 **x)
{
	char path[PATH_MAX];
	uint8_t *der = NULL;
	FILE *f;
	int n;

	path_of(path, sizeof(path), dir, file);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(*x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_true((n = i2d_X509(*x, &der)) > 0);
	*len = (size_t)n;
	return der;
}

/* The offset of the first occurrence of pat in der. */
static size_t
find(const uint8_t *der, size_t len, const uint8_t *pat, size_t plen)
{
	size_t i;

	for (i = 0; i + plen <= len; i++)
		if (memcmp(der + i, pat, plen) == 0)
			return i;
	fail_msg("pattern not in the certificate");
	return 0;
}

/* The X25519 SubjectPublicKeyInfo's header: SEQUENCE, algorithm, BIT STRING. */
static const uint8_t x25519_head[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
};

static void
test_x25519_real(void **state)
{
	uint8_t key[SPKI_X25519_KEY_LEN], want[SPKI_X25519_KEY_LEN];
	uint8_t point[SPKI_P256_POINT_LEN], *der, *sig;
	size_t len, slen, wlen = sizeof(want), i;
	X509 *x, *sx;

	(void)state;
	der = read_der("alice.enc.crt", &len, &x);
	assert_int_equal(EVP_PKEY_get_raw_public_key(X509_get0_pubkey(x), want,
	    &wlen), 1);
	assert_int_equal(wlen, sizeof(want));
	assert_int_equal(spki_x25519_key(der, len, key), SS_OK);
	assert_memory_equal(key, want, sizeof(key));
	memset(key, 0, sizeof(key));
	assert_int_equal(pki_enc_key_of_der(der, len, key), SS_OK);
	assert_memory_equal(key, want, sizeof(key));
	/* Not a P-256 key; and a P-256 certificate is not an X25519 one. */
	assert_int_equal(spki_p256_point(der, len, point), SS_ERR_INVALID);
	sig = read_der("alice.crt", &slen, &sx);
	assert_int_equal(spki_x25519_key(sig, slen, key), SS_ERR_INVALID);
	assert_int_equal(pki_enc_key_of_der(sig, slen, key), SS_ERR_CERT);
	assert_int_equal(spki_p256_point(sig, slen, point), SS_OK);
	/* Every truncation, and one byte more, is not one certificate. */
	for (i = 0; i < len; i++) {
		assert_int_equal(spki_x25519_key(der, i, key), SS_ERR_INVALID);
		assert_int_not_equal(pki_enc_key_of_der(der, i, key), SS_OK);
	}
	assert_int_equal(spki_x25519_key(NULL, len, key), SS_ERR_INVALID);
	assert_int_equal(spki_x25519_key(der, len, NULL), SS_ERR_INVALID);
	assert_int_equal(pki_enc_key_of_der(NULL, len, key), SS_ERR_INVALID);
	OPENSSL_free(sig);
	X509_free(sx);
	OPENSSL_free(der);
	X509_free(x);
}

/* One byte of the real certificate changed at a time: declined, or read. */
static void
test_x25519_altered(void **state)
{
	uint8_t key[SPKI_X25519_KEY_LEN], k2[SPKI_X25519_KEY_LEN], *der, *copy;
	size_t len, at;
	X509 *x;

	(void)state;
	der = read_der("alice.enc.crt", &len, &x);
	at = find(der, len, x25519_head, sizeof(x25519_head));
	assert_non_null(copy = malloc(len + 8));
	memcpy(copy, der, len);
	/* Another algorithm (X448's OID ends 0x6f): declined. */
	copy[at + 8] = 0x6f;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[at + 8] = 0x6e;
	/* Unused bits in the BIT STRING: declined. */
	copy[at + 11] = 0x01;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[at + 11] = 0x00;
	/* A key one byte short (the BIT STRING's length): declined. */
	copy[at + 10] = 0x20;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[at + 10] = 0x21;
	/* The SubjectPublicKeyInfo's length off by one either way. */
	copy[at + 1] = 0x29;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[at + 1] = 0x2b;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[at + 1] = 0x2a;
	/* An indefinite length, or one of four bytes, at the top. */
	assert_int_equal(copy[0], 0x30);
	copy[1] = 0x80;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[1] = 0x84;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	copy[1] = 0x8f;
	assert_int_equal(spki_x25519_key(copy, len, key), SS_ERR_INVALID);
	memcpy(copy, der, len);
	assert_int_equal(spki_x25519_key(copy, len, key), SS_OK);
	/*
	 * The top length in four bytes (30 84 00 00 01 56 for 30 82 01 56):
	 * the walk declines it, OpenSSL's parse reads it, and
	 * pki_enc_key_of_der falls back to that parse for the same key.
	 */
	assert_int_equal(der[1], 0x82);
	copy[1] = 0x84;
	copy[2] = 0;
	copy[3] = 0;
	memcpy(copy + 4, der + 2, len - 2);
	assert_int_equal(spki_x25519_key(copy, len + 2, key), SS_ERR_INVALID);
	memset(key, 0, sizeof(key));
	assert_int_equal(pki_enc_key_of_der(copy, len + 2, key), SS_OK);
	assert_int_equal(spki_x25519_key(der, len, k2), SS_OK);
	assert_memory_equal(key, k2, sizeof(key));
	free(copy);
	OPENSSL_free(der);
	X509_free(x);
}

/* Appends the element tag, with the len bytes of in, to out at *at. */
static void
put(uint8_t *out, size_t *at, uint8_t tag, const uint8_t *in, size_t len)
{
	out[(*at)++] = tag;
	if (len < 0x80)
		out[(*at)++] = (uint8_t)len;
	else {
		assert_true(len < 0x100);
		out[(*at)++] = 0x81;
		out[(*at)++] = (uint8_t)len;
	}
	if (len > 0)
		memcpy(out + *at, in, len);
	*at += len;
}

/*
 * A made-up certificate around spki (of slen bytes): the fields before it
 * empty, no signature. The walk reads headers only, so this is its shape.
 */
static size_t
fake_cert(uint8_t *out, const uint8_t *spki, size_t slen, int version)
{
	static const uint8_t v3[] = { 0x02, 0x01, 0x02 };
	static const uint8_t serial[] = { 0x01 };
	uint8_t tbs[200], cert[220];
	size_t t = 0, c = 0, o = 0;

	if (version)
		put(tbs, &t, 0xa0, v3, sizeof(v3));
	put(tbs, &t, 0x02, serial, sizeof(serial));
	put(tbs, &t, 0x30, NULL, 0);    /* signature */
	put(tbs, &t, 0x30, NULL, 0);    /* issuer */
	put(tbs, &t, 0x30, NULL, 0);    /* validity */
	put(tbs, &t, 0x30, NULL, 0);    /* subject */
	memcpy(tbs + t, spki, slen);
	t += slen;
	put(cert, &c, 0x30, tbs, t);
	put(out, &o, 0x30, cert, c);
	return o;
}

/* A made-up certificate of SubjectPublicKeyInfo head || key || tail. */
static void
declined(const uint8_t *head, size_t hlen, const uint8_t *key, size_t klen,
    const uint8_t *tail, size_t tlen)
{
	uint8_t spki[96], der[256], out[SPKI_X25519_KEY_LEN];
	size_t n;

	assert_true(hlen + klen + tlen <= sizeof(spki));
	memcpy(spki, head, hlen);
	memcpy(spki + hlen, key, klen);
	if (tlen > 0)
		memcpy(spki + hlen + klen, tail, tlen);
	n = fake_cert(der, spki, hlen + klen + tlen, 1);
	assert_int_equal(spki_x25519_key(der, n, out), SS_ERR_INVALID);
}

static void
test_x25519_shapes(void **state)
{
	static const uint8_t with_null[] = {
		0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x05, 0x00,
		0x03, 0x21, 0x00,
	};
	static const uint8_t long_key[] = {
		0x30, 0x2b, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x22,
		0x00,
	};
	static const uint8_t extra[] = {
		0x30, 0x2c, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21,
		0x00,
	};
	static const uint8_t null[] = { 0x05, 0x00 };
	uint8_t spki[64], der[256], key[SPKI_X25519_KEY_LEN], k[33];
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)(i + 1);
	/* The shape itself, with and without the version. */
	memcpy(spki, x25519_head, sizeof(x25519_head));
	memcpy(spki + sizeof(x25519_head), k + 1, 32);
	n = fake_cert(der, spki, sizeof(x25519_head) + 32, 1);
	assert_int_equal(spki_x25519_key(der, n, key), SS_OK);
	assert_memory_equal(key, k + 1, 32);
	n = fake_cert(der, spki, sizeof(x25519_head) + 32, 0);
	assert_int_equal(spki_x25519_key(der, n, key), SS_OK);
	assert_memory_equal(key, k + 1, 32);
	/* The algorithm with parameters (NULL), which RFC 8410 forbids. */
	declined(with_null, sizeof(with_null), k + 1, 32, NULL, 0);
	/* A 33-byte key. */
	declined(long_key, sizeof(long_key), k, 33, NULL, 0);
	/* Something after the key inside the SubjectPublicKeyInfo. */
	declined(extra, sizeof(extra), k + 1, 32, null, sizeof(null));
	/* A field missing before the key (the subject): declined. */
	{
		uint8_t tbs[128], cert[160];
		size_t t = 0, c = 0, o = 0;
		static const uint8_t serial[] = { 0x01 };

		put(tbs, &t, 0x02, serial, sizeof(serial));
		put(tbs, &t, 0x30, NULL, 0);
		put(tbs, &t, 0x30, NULL, 0);
		put(tbs, &t, 0x30, NULL, 0);
		memcpy(tbs + t, x25519_head, sizeof(x25519_head));
		t += sizeof(x25519_head);
		memcpy(tbs + t, k + 1, 32);
		t += 32;
		put(cert, &c, 0x30, tbs, t);
		put(der, &o, 0x30, cert, c);
		assert_int_equal(spki_x25519_key(der, o, key), SS_ERR_INVALID);
	}
}

static int
setup(void **state)
{
	(void)state;
	return (dir = certs_dir()) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	certs_remove();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x25519_real),
		cmocka_unit_test(test_x25519_altered),
		cmocka_unit_test(test_x25519_shapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
