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
 * are not touched), called with that provider's own context, but only
 * those our certificates need: SHA-1 and SHA-2, ECDSA (what
 * X509_verify_cert and X509_digest fetch through the certificate's
 * context), and the key managers and SubjectPublicKeyInfo decoders of EC
 * and X25519 keys.
 * A certificate with another kind of key parses without one and fails
 * verification (X509_verify_cert needs the subject's key), which is why
 * callers use this only for the shapes our CA issues (spki.h) and parse
 * anything else in full. If any of it cannot be set up, x509ctx_parse
 * returns NULL and callers parse as before.
 */
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "x509ctx.h"

/* Room for the entries taken of one operation, and the empty last one. */
#define PICKED_MAX 8

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static atomic_uint calls;               /* x509ctx_parse's, up to the limit */
static OSSL_LIB_CTX *base_ctx;          /* holds the default provider ... */
static OSSL_PROVIDER *base;             /* ... this one */
static OSSL_LIB_CTX *verify_ctx;        /* holds only the provider below */
static OSSL_PROVIDER *verifier;         /* that one, loaded */

/*
 * What the provider passes on, by the first of an algorithm's names: what
 * our certificates' verification fetches (ECDSA with SHA-2 by our CA; SHA-1
 * for the certificate's own fingerprint; the digests of X509_digest), and
 * EC and X25519 keys. A fetch makes an object of every algorithm an
 * operation offers, so the fewer the cheaper.
 */
static const char *const digest_names[] = {
	"SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", NULL,
};
static const char *const signature_names[] = { "ECDSA", NULL };
static const char *const key_names[] = { "EC", "X25519", NULL };

static OSSL_ALGORITHM digests[PICKED_MAX], signatures[PICKED_MAX];
static OSSL_ALGORITHM keymgmts[PICKED_MAX], decoders[PICKED_MAX];

/*
 * Whether algorithm a is one of names (its first name, before any ':'),
 * and for a decoder, one of DER SubjectPublicKeyInfo.
 */
static int
wanted(const OSSL_ALGORITHM *a, const char *const *names, int decoder)
{
	const char *n = a->algorithm_names, *props = a->property_definition;
	size_t len, i;

	if (n == NULL)
		return 0;
	len = strcspn(n, ":");
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && strncmp(n, names[i], len) == 0)
			break;
	if (names[i] == NULL)
		return 0;
	if (!decoder)
		return 1;
	return props != NULL && strstr(props, "input=der") != NULL &&
	    strstr(props, "structure=SubjectPublicKeyInfo") != NULL;
}

/* Copies into out the entries of base's operation named in names. */
static int
pick(int operation, const char *const *names, OSSL_ALGORITHM out[PICKED_MAX])
{
	const OSSL_ALGORITHM *a;
	size_t n = 0;
	int no_cache = 0;

	memset(out, 0, PICKED_MAX * sizeof(*out));
	if ((a = OSSL_PROVIDER_query_operation(base, operation,
	    &no_cache)) == NULL)
		return 0;
	for (; a->algorithm_names != NULL; a++)
		if (wanted(a, names, operation == OSSL_OP_DECODER)) {
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
		return digests;
	case OSSL_OP_SIGNATURE:
		return signatures;
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

/*
 * Undoes a make() that failed half-way. A context made whole is kept until
 * the process ends, reachable from these statics: no OPENSSL_atexit
 * handler, which would be left pointing into a libsecuresum that a program
 * had unloaded (dlclose) before OpenSSL's own clean-up ran.
 */
static void
drop(void)
{
	OSSL_PROVIDER_unload(verifier);
	verifier = NULL;
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
	    !pick(OSSL_OP_DIGEST, digest_names, digests) ||
	    !pick(OSSL_OP_SIGNATURE, signature_names, signatures) ||
	    !pick(OSSL_OP_KEYMGMT, key_names, keymgmts) ||
	    !pick(OSSL_OP_DECODER, key_names, decoders) ||
	    (verify_ctx = OSSL_LIB_CTX_new()) == NULL ||
	    OSSL_PROVIDER_add_builtin(verify_ctx, "securesum-verify",
	    fwd_init) != 1 ||
	    (verifier = OSSL_PROVIDER_load(verify_ctx,
	    "securesum-verify")) == NULL)
		drop();
	ERR_clear_error();
}

X509 *
x509ctx_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	if (atomic_load(&calls) < X509CTX_AFTER &&
	    atomic_fetch_add(&calls, 1) < X509CTX_AFTER)
		return NULL;
	if (CRYPTO_THREAD_run_once(&once, make) != 1 || verify_ctx == NULL)
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
