/*
 * test_core_x509ctx.c: certificates parsed in the context of
 * core/x509ctx.c verify exactly as fully parsed ones do: ours chain to our
 * CA, another CA's and a tampered one do not; their keys, digests and
 * extension flags are the same; what is not one certificate is not parsed.
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
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "certs.h"
#include "tempdir.h"
#include "x509ctx.h"

static const char *dir, *other;

/* dir/file as DER (the caller's, to OPENSSL_free). */
static uint8_t *
read_der(const char *folder, const char *file, size_t *len)
{
	char path[PATH_MAX];
	uint8_t *der = NULL;
	X509 *x;
	FILE *f;
	int n;

	path_of(path, sizeof(path), folder, file);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_true((n = i2d_X509(x, &der)) > 0);
	X509_free(x);
	*len = (size_t)n;
	return der;
}

/* X509_verify_cert of x against our CA: 1 or 0. */
static int
verifies(X509 *x)
{
	X509_STORE *store;
	X509_STORE_CTX *ctx;
	uint8_t *ca;
	size_t len;
	const unsigned char *p;
	X509 *cax;
	int ok;

	ca = read_der(dir, "ca.crt", &len);
	p = ca;
	assert_non_null(cax = d2i_X509(NULL, &p, (long)len));
	assert_non_null(store = X509_STORE_new());
	assert_int_equal(X509_STORE_add_cert(store, cax), 1);
	assert_non_null(ctx = X509_STORE_CTX_new());
	assert_int_equal(X509_STORE_CTX_init(ctx, store, x, NULL), 1);
	ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(cax);
	OPENSSL_free(ca);
	return ok;
}

/* A process's first X509CTX_AFTER certificates are left to d2i_X509. */
static void
test_first_ones_left(void **state)
{
	uint8_t *der;
	size_t len;
	int i;
	X509 *x;

	(void)state;
	der = read_der(dir, "alice.crt", &len);
	for (i = 0; i < X509CTX_AFTER; i++)
		assert_null(x509ctx_parse(der, len));
	assert_non_null(x = x509ctx_parse(der, len));
	X509_free(x);
	OPENSSL_free(der);
}

static void
test_parse_and_verify(void **state)
{
	static const char *const files[] = { "alice.crt", "alice.enc.crt" };
	unsigned char d1[EVP_MAX_MD_SIZE], d2[EVP_MAX_MD_SIZE];
	unsigned int l1 = 0, l2 = 0;
	const unsigned char *p;
	uint8_t *der;
	size_t len, i;
	X509 *x, *full;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		der = read_der(dir, files[i], &len);
		assert_non_null(x = x509ctx_parse(der, len));
		/* Its key decoded (where that is cheap), the very key. */
		assert_non_null(X509_get0_pubkey(x));
		assert_true(verifies(x));
		p = der;
		assert_non_null(full = d2i_X509(NULL, &p, (long)len));
		assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x),
		    X509_get0_pubkey(full)), 1);
		assert_int_equal(X509_digest(x, EVP_sha256(), d1, &l1), 1);
		assert_int_equal(X509_digest(full, EVP_sha256(), d2, &l2), 1);
		assert_int_equal(l1, l2);
		assert_memory_equal(d1, d2, l1);
		assert_int_equal(X509_cmp(x, full), 0);
		assert_int_equal(X509_get_extension_flags(x) & ~EXFLAG_SET,
		    X509_get_extension_flags(full) & ~EXFLAG_SET);
		X509_free(full);
		/* A flipped bit of the signature: parsed, refused. */
		der[len - 3] ^= 1;
		X509_free(x);
		assert_non_null(x = x509ctx_parse(der, len));
		assert_false(verifies(x));
		X509_free(x);
		OPENSSL_free(der);
	}
	/* The other CA's alice: parsed, not ours. */
	der = read_der(other, "alice.crt", &len);
	assert_non_null(x = x509ctx_parse(der, len));
	assert_false(verifies(x));
	X509_free(x);
	OPENSSL_free(der);
}

static void
test_not_a_certificate(void **state)
{
	uint8_t *der, *more;
	size_t len, i;

	(void)state;
	der = read_der(dir, "alice.enc.crt", &len);
	for (i = 0; i < len; i += 7)
		assert_null(x509ctx_parse(der, i));
	assert_non_null(more = malloc(len + 1));
	memcpy(more, der, len);
	more[len] = 0;
	assert_null(x509ctx_parse(more, len + 1));
	assert_null(x509ctx_parse(NULL, len));
	free(more);
	OPENSSL_free(der);
}

static int
setup(void **state)
{
	(void)state;
	if ((dir = certs_dir()) == NULL || (other = other_certs_dir()) == NULL)
		return -1;
	return 0;
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
		cmocka_unit_test(test_first_ones_left),
		cmocka_unit_test(test_parse_and_verify),
		cmocka_unit_test(test_not_a_certificate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
