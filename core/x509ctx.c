/*
 * x509ctx.c: a library context for parsing certificates that are about to
 * be verified, in which decoding the public key costs little.
 *
 * Why: OpenSSL 3.0's d2i_X509 decodes the subject's public key as it
 * parses, and each decoding sets up a chain of decoders from every decoder
 * and key manager its library context holds (OSSL_DECODER_CTX_new_for_pkey:
 * ~1.1 M instructions of a ~1.3 M parse with the default provider's 40
 * decoders and 18 key managers; 3.2 caches it). A party parses n
 * certificates per step. The key is decoded with the library context the
 * certificate was parsed in (X509_new_ex), and in a context that holds
 * only what our certificates need the set-up is a fraction of that.
 *
 * The context holds one provider, built in here, that offers OpenSSL's
 * default provider's own implementations (loaded into a second private
 * context, so that the application's contexts, a FIPS configuration say,
 * are not touched), called with that provider's own context: all its
 * digests and signatures (what X509_verify_cert and X509_digest fetch
 * through the certificate's context), and of its key managers and
 * decoders only those of EC and X25519 keys in a SubjectPublicKeyInfo.
 * A certificate with another kind of key parses without one and fails
 * verification (X509_verify_cert needs the subject's key), which is why
 * callers use this only for the shapes our CA issues (spki.h) and parse
 * anything else in full. If any of it cannot be set up, x509ctx_parse
 * returns NULL and callers parse as before.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "x509ctx.h"

/* Room for the EC and X25519 entries, and the terminating empty one. */
#define PICKED_MAX 8

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_LIB_CTX *base_ctx;          /* holds the default provider ... */
static OSSL_PROVIDER *base;             /* ... this one */
static OSSL_LIB_CTX *verify_ctx;        /* holds only the provider below */
/* base's EC and X25519 key managers and SubjectPublicKeyInfo decoders. */
static OSSL_ALGORITHM keymgmts[PICKED_MAX], decoders[PICKED_MAX];

/*
 * Whether an algorithm base offers is one we pass on: an EC or X25519 key
 * manager (named "EC:id-ecPublicKey:..."), or decoder (named "EC") of DER
 * SubjectPublicKeyInfo.
 */
static int
wanted(const OSSL_ALGORITHM *a, int decoder)
{
	const char *n = a->algorithm_names, *props = a->property_definition;
	size_t len;

	if (n == NULL)
		return 0;
	len = strcspn(n, ":");
	if (!((len == 2 && strncmp(n, "EC", 2) == 0) ||
	    (len == 6 && strncmp(n, "X25519", 6) == 0)))
		return 0;
	if (!decoder)
		return 1;
	return n[len] == '\0' && props != NULL &&
	    strstr(props, "input=der") != NULL &&
	    strstr(props, "structure=SubjectPublicKeyInfo") != NULL;
}

/* Copies into out the entries of base's operation that wanted() takes. */
static int
pick(int operation, OSSL_ALGORITHM out[PICKED_MAX])
{
	const OSSL_ALGORITHM *a;
	size_t n = 0;
	int no_cache = 0;

	memset(out, 0, PICKED_MAX * sizeof(*out));
	if ((a = OSSL_PROVIDER_query_operation(base, operation,
	    &no_cache)) == NULL)
		return 0;
	for (; a->algorithm_names != NULL; a++)
		if (wanted(a, operation == OSSL_OP_DECODER)) {
			if (n + 1 >= PICKED_MAX)
				return 0;
			out[n++] = *a;
		}
	/* The default provider's tables are static: nothing to give back. */
	return n > 0 && !no_cache;
}

static const OSSL_ALGORITHM *
fwd_query(void *provctx, int operation, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (operation) {
	case OSSL_OP_DIGEST:
	case OSSL_OP_SIGNATURE:
		return OSSL_PROVIDER_query_operation(base, operation, no_cache);
	case OSSL_OP_KEYMGMT:
		return keymgmts;
	case OSSL_OP_DECODER:
		return decoders;
	default:
		return NULL;
	}
}

static const OSSL_DISPATCH fwd_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))fwd_query },
	{ 0, NULL },
};

/*
 * The provider's context is the default provider's own: its algorithms
 * are called with the context they were written for.
 */
static int
fwd_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
    const OSSL_DISPATCH **out, void **provctx)
{
	(void)handle;
	(void)in;
	if ((*provctx = OSSL_PROVIDER_get0_provider_ctx(base)) == NULL)
		return 0;
	*out = fwd_dispatch;
	return 1;
}

/* At OPENSSL_cleanup: the contexts go before the library's own state. */
static void
drop(void)
{
	OSSL_LIB_CTX_free(verify_ctx);
	verify_ctx = NULL;
	OSSL_PROVIDER_unload(base);
	base = NULL;
	OSSL_LIB_CTX_free(base_ctx);
	base_ctx = NULL;
}

static void
make(void)
{
	if ((base_ctx = OSSL_LIB_CTX_new()) == NULL ||
	    (base = OSSL_PROVIDER_load(base_ctx, "default")) == NULL ||
	    !pick(OSSL_OP_KEYMGMT, keymgmts) ||
	    !pick(OSSL_OP_DECODER, decoders) ||
	    (verify_ctx = OSSL_LIB_CTX_new()) == NULL ||
	    OSSL_PROVIDER_add_builtin(verify_ctx, "securesum-verify",
	    fwd_init) != 1 ||
	    OSSL_PROVIDER_load(verify_ctx, "securesum-verify") == NULL ||
	    OPENSSL_atexit(drop) != 1)
		drop();
	ERR_clear_error();
}

X509 *
x509ctx_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > LONG_MAX ||
	    CRYPTO_THREAD_run_once(&once, make) != 1 || verify_ctx == NULL)
		return NULL;
	if ((x = X509_new_ex(verify_ctx, NULL)) == NULL)
		return NULL;
	/* The whole buffer must be the one certificate: no trailing bytes. */
	if (d2i_X509(&x, &p, (long)len) == NULL || p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}
