/*
 * hpke.c: RFC 9180 HPKE, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
 * AES-128-GCM, modes base and auth, on OpenSSL 3.0's EVP API (OpenSSL's own
 * HPKE API arrived only in 3.2).
 *
 * The code follows the RFC's pseudocode section by section: LabeledExtract
 * and LabeledExpand (4), the DHKEM (4.1), the key schedule (5.1), the AEAD
 * context (5.2) and the exporter (5.3). Every secret intermediate lives in a
 * fixed-size stack buffer that is wiped with OPENSSL_cleanse on every path
 * out of the function that owns it; the EVP objects that hold copies of keys
 * clear them when freed.
 *
 * Cost: each X25519 private key becomes one EVP_PKEY, built once (OpenSSL
 * 3.0 derives the public key, a scalar multiplication, whenever it builds
 * one from raw bytes), so that with a struct hpke_key an auth-mode seal does
 * just the three scalar multiplications it needs (the ephemeral public key,
 * two Diffie-Hellman values) and an open just its two. The HKDF and
 * AES-128-GCM implementations are fetched with the struct hpke_key, once,
 * not per message; the calls without one (the context API, base mode's
 * sender) fetch HKDF once per setup and name the cipher per message.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "err.h"
#include "hpke.h"

#define KEM_ID  0x0020
#define KDF_ID  0x0001
#define AEAD_ID 0x0001

#define NSECRET 32  /* DHKEM(X25519, HKDF-SHA256) shared secret */
#define NH      32  /* HKDF-SHA256 output */
#define NK      16  /* AES-128-GCM key */
#define NN      12  /* AES-128-GCM nonce */
#define NT      HPKE_TAG_LEN

/*
 * Input bounds. The RFC asks for at least 64 bytes of info and exporter
 * context; we allow much more but not without limit, so that every labeled
 * buffer below fits on the stack. The exporter context travels in HKDF's
 * "info" parameter, which OpenSSL 3.0 caps at 1024 bytes in total; 512 leaves
 * room for the length, label and suite id around it.
 */
#define MAX_INFO_LEN    1024
#define MAX_EXPCTX_LEN  512
#define MAX_AAD_LEN     (64 * 1024)
/* AES-GCM's own limit on one message: 2^36 - 32 bytes (NIST SP 800-38D). */
#define MAX_PT_LEN      ((UINT64_C(1) << 36) - 32)
/* HKDF-Expand yields at most 255 blocks. */
#define MAX_EXPORT_LEN  (255 * NH)

/* EVP_CipherUpdate takes an int length; larger messages go in slices. */
#define GCM_SLICE       (1 << 30)

static const char version_label[] = "HPKE-v1";
#define VERSION_LEN     (sizeof(version_label) - 1)
/* Longest label passed to LabeledExtract or LabeledExpand below. */
#define MAX_LABEL_LEN   16

/* "KEM" || I2OSP(kem_id, 2): the DHKEM's own suite id (RFC 9180 4.1). */
static const uint8_t kem_suite_id[] = {
	'K', 'E', 'M', KEM_ID >> 8, KEM_ID & 0xff
};
/* "HPKE" || kem_id || kdf_id || aead_id: the key schedule's (RFC 9180 5.1). */
static const uint8_t hpke_suite_id[] = {
	'H', 'P', 'K', 'E', KEM_ID >> 8, KEM_ID & 0xff,
	KDF_ID >> 8, KDF_ID & 0xff, AEAD_ID >> 8, AEAD_ID & 0xff
};
#define MAX_SUITE_LEN   sizeof(hpke_suite_id)

/* The all-zero salt HKDF uses when none is given (RFC 5869 2.2). */
static const uint8_t zero_salt[NH];

/*
 * A private key made ready for use; see hpke.h. It also holds the HKDF and
 * AES-128-GCM implementations, fetched once with it: OpenSSL 3.0 looks an
 * algorithm up in its provider store (under a lock) whenever it is named
 * by string or by EVP_aes_128_gcm(), so every seal and open would
 * otherwise fetch them again. Fetched algorithms are immutable, so a const
 * key may be shared.
 */
struct hpke_key {
	EVP_PKEY *pkey;			/* X25519, private and public */
	uint8_t pk[HPKE_KEY_LEN];	/* its public key, raw */
	EVP_KDF *kdf;			/* HKDF */
	EVP_CIPHER *gcm;		/* AES-128-GCM */
};

/* Fetches OpenSSL's HKDF; the caller frees it with EVP_KDF_free. */
static EVP_KDF *
hkdf_fetch(void)
{
	return EVP_KDF_fetch(NULL, "HKDF", NULL);
}

/*
 * One HKDF step through kdf, the EVP_KDF "HKDF". mode is EXTRACT_ONLY
 * (key = IKM, salt) or EXPAND_ONLY (key = PRK, info).
 */
static int
hkdf(EVP_KDF *kdf, int mode, const uint8_t *key, size_t key_len,
    const uint8_t *salt, size_t salt_len, const uint8_t *info,
    size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[6], *p = params;
	int r = SS_ERR_CRYPTO;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, key_len);
	if (salt != NULL)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)salt, salt_len);
	if (info_len > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();

	if (kdf == NULL || (kctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	if (EVP_KDF_derive(kctx, out, out_len, params) != 1) {
		OPENSSL_cleanse(out, out_len);
		goto out;
	}
	r = SS_OK;
 out:
	/* The HKDF provider clears its copy of the key when freed. */
	EVP_KDF_CTX_free(kctx);
	return r;
}

/*
 * Writes "HPKE-v1" || suite_id || label || data at buf + n, the part both
 * labeled functions share, and returns the new length. The callers check
 * every length against their buffer first.
 */
static size_t
put_labeled(uint8_t *buf, size_t n, const uint8_t *suite_id,
    size_t suite_id_len, const char *label, size_t label_len,
    const uint8_t *data, size_t data_len)
{
	memcpy(buf + n, version_label, VERSION_LEN);
	n += VERSION_LEN;
	memcpy(buf + n, suite_id, suite_id_len);
	n += suite_id_len;
	memcpy(buf + n, label, label_len);
	n += label_len;
	/* data may be NULL when data_len is 0: memcpy must not see it. */
	if (data_len > 0)
		memcpy(buf + n, data, data_len);
	return n + data_len;
}

/*
 * LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id ||
 * label || ikm), always Nh = 32 bytes out. An empty salt is passed as Nh
 * zero bytes, which RFC 5869 defines to be the same thing; spelling it out
 * keeps OpenSSL's HMAC from seeing a null key.
 */
static int
labeled_extract(EVP_KDF *kdf, const uint8_t *suite_id, size_t suite_id_len,
    const uint8_t *salt, size_t salt_len, const char *label,
    const uint8_t *ikm, size_t ikm_len, uint8_t out[NH])
{
	uint8_t buf[VERSION_LEN + MAX_SUITE_LEN + MAX_LABEL_LEN + MAX_INFO_LEN];
	size_t label_len = strlen(label), n;
	int r;

	if (suite_id_len > MAX_SUITE_LEN || label_len > MAX_LABEL_LEN ||
	    ikm_len > MAX_INFO_LEN)
		return SS_ERR_INTERNAL;
	if (salt_len == 0) {
		salt = zero_salt;
		salt_len = sizeof(zero_salt);
	}
	n = put_labeled(buf, 0, suite_id, suite_id_len, label, label_len, ikm,
	    ikm_len);

	r = hkdf(kdf, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, buf, n, salt, salt_len,
	    NULL, 0, out, NH);
	/* buf may hold a DH output: it is key material. */
	OPENSSL_cleanse(buf, n);
	return r;
}

/*
 * LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1"
 * || suite_id || label || info, L).
 */
static int
labeled_expand(EVP_KDF *kdf, const uint8_t *suite_id, size_t suite_id_len,
    const uint8_t prk[NH], const char *label, const uint8_t *info,
    size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t buf[2 + VERSION_LEN + MAX_SUITE_LEN + MAX_LABEL_LEN +
	    MAX_EXPCTX_LEN];
	size_t label_len = strlen(label), n = 0;
	int r;

	if (suite_id_len > MAX_SUITE_LEN || label_len > MAX_LABEL_LEN ||
	    info_len > MAX_EXPCTX_LEN || out_len == 0 ||
	    out_len > MAX_EXPORT_LEN)
		return SS_ERR_INTERNAL;
	buf[n++] = (uint8_t)(out_len >> 8);
	buf[n++] = (uint8_t)out_len;
	n = put_labeled(buf, n, suite_id, suite_id_len, label, label_len, info,
	    info_len);

	r = hkdf(kdf, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, NH, NULL, 0, buf, n,
	    out, out_len);
	OPENSSL_cleanse(buf, n);
	return r;
}

/*
 * Builds the X25519 key object of the raw private key sk and reads back its
 * public key (which OpenSSL derived while building it).
 */
static int
pkey_from_private(const uint8_t sk[HPKE_KEY_LEN], EVP_PKEY **keyp,
    uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY *key;
	size_t len = HPKE_KEY_LEN;

	*keyp = NULL;
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
	    HPKE_KEY_LEN)) == NULL)
		return SS_ERR_CRYPTO;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) != 1 ||
	    len != HPKE_KEY_LEN) {
		EVP_PKEY_free(key);
		return SS_ERR_CRYPTO;
	}
	*keyp = key;
	return SS_OK;
}

/*
 * A fresh X25519 key pair as one key object, and its public key. OpenSSL
 * draws the private key from its private DRBG, as RAND_priv_bytes would.
 */
static int
pkey_generate(EVP_PKEY **keyp, uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *key = NULL;
	size_t len = HPKE_KEY_LEN;
	int r = SS_ERR_CRYPTO;

	*keyp = NULL;
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL)) == NULL)
		return SS_ERR_CRYPTO;
	if (EVP_PKEY_keygen_init(pctx) != 1 ||
	    EVP_PKEY_keygen(pctx, &key) != 1 || key == NULL)
		goto out;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) != 1 ||
	    len != HPKE_KEY_LEN)
		goto out;
	*keyp = key;
	key = NULL;
	r = SS_OK;
 out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

int
hpke_public_key(const uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN])
{
	EVP_PKEY *key;
	int r;

	if (sk == NULL || pk == NULL)
		return SS_ERR_INVALID;
	if ((r = pkey_from_private(sk, &key, pk)) == SS_OK)
		EVP_PKEY_free(key);
	return r;
}

int
hpke_keygen(uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN])
{
	int r;

	if (sk == NULL || pk == NULL)
		return SS_ERR_INVALID;
	/*
	 * Any 32 bytes are an X25519 private key (the scalar is clamped
	 * when used), so GenerateKeyPair is just 32 bytes from the CSPRNG.
	 */
	if (RAND_priv_bytes(sk, HPKE_KEY_LEN) != 1)
		return SS_ERR_CRYPTO;
	if ((r = hpke_public_key(sk, pk)) != SS_OK)
		OPENSSL_cleanse(sk, HPKE_KEY_LEN);
	return r;
}

int
hpke_key_new(const uint8_t sk[HPKE_KEY_LEN], struct hpke_key **keyp)
{
	struct hpke_key *key;
	int r;

	if (keyp == NULL)
		return SS_ERR_INVALID;
	*keyp = NULL;
	if (sk == NULL)
		return SS_ERR_INVALID;
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return SS_ERR_ALLOC;
	if ((r = pkey_from_private(sk, &key->pkey, key->pk)) != SS_OK) {
		free(key);
		return r;
	}
	if ((key->kdf = hkdf_fetch()) == NULL ||
	    (key->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL)) == NULL) {
		hpke_key_free(key);
		return SS_ERR_CRYPTO;
	}
	*keyp = key;
	return SS_OK;
}

void
hpke_key_free(struct hpke_key *key)
{
	if (key == NULL)
		return;
	/* OpenSSL wipes the X25519 private key when the object goes. */
	EVP_PKEY_free(key->pkey);
	EVP_KDF_free(key->kdf);
	EVP_CIPHER_free(key->gcm);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

void
hpke_key_public(const struct hpke_key *key, uint8_t pk[HPKE_KEY_LEN])
{
	memcpy(pk, key->pk, HPKE_KEY_LEN);
}

/*
 * DH(sk, pk) for X25519, sk a key object. An all-zero result means pk was a
 * point of small order; RFC 9180 7.1.4 requires us to abort rather than
 * derive a key from it. (OpenSSL already refuses, but the check costs
 * nothing and does not depend on that.)
 */
static int
x25519(EVP_PKEY *priv, const uint8_t pk[HPKE_KEY_LEN],
    uint8_t out[HPKE_KEY_LEN])
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = HPKE_KEY_LEN, i;
	uint8_t acc = 0;
	int r = SS_ERR_CRYPTO;

	if ((peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk,
	    HPKE_KEY_LEN)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_derive_init(pctx) != 1 ||
	    EVP_PKEY_derive_set_peer(pctx, peer) != 1 ||
	    EVP_PKEY_derive(pctx, out, &len) != 1 || len != HPKE_KEY_LEN)
		goto out;
	for (i = 0; i < HPKE_KEY_LEN; i++)
		acc |= out[i];
	if (acc == 0)
		goto out;
	r = SS_OK;
 out:
	if (r != SS_OK)
		OPENSSL_cleanse(out, HPKE_KEY_LEN);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(peer);
	return r;
}

/*
 * ExtractAndExpand(dh, kem_context) of the DHKEM (RFC 9180 4.1), with the
 * KEM's suite id.
 */
static int
extract_and_expand(EVP_KDF *kdf, const uint8_t *dh, size_t dh_len,
    const uint8_t *kem_context, size_t kem_context_len,
    uint8_t shared_secret[NSECRET])
{
	uint8_t eae_prk[NH];
	int r;

	if ((r = labeled_extract(kdf, kem_suite_id, sizeof(kem_suite_id),
	    NULL, 0, "eae_prk", dh, dh_len, eae_prk)) == SS_OK)
		r = labeled_expand(kdf, kem_suite_id, sizeof(kem_suite_id),
		    eae_prk, "shared_secret", kem_context, kem_context_len,
		    shared_secret, NSECRET);
	OPENSSL_cleanse(eae_prk, sizeof(eae_prk));
	return r;
}

/*
 * KeySchedule (RFC 9180 5.1) for the modes without a PSK: psk and psk_id are
 * both the empty string.
 */
static int
key_schedule(EVP_KDF *kdf, struct hpke_ctx *ctx, int mode,
    const uint8_t shared_secret[NSECRET], const uint8_t *info, size_t info_len)
{
	uint8_t ksc[1 + NH + NH];	/* mode || psk_id_hash || info_hash */
	uint8_t secret[NH];
	int r;

	ksc[0] = (uint8_t)mode;
	if ((r = labeled_extract(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    NULL, 0, "psk_id_hash", NULL, 0, ksc + 1)) != SS_OK ||
	    (r = labeled_extract(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    NULL, 0, "info_hash", info, info_len, ksc + 1 + NH)) != SS_OK ||
	    (r = labeled_extract(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    shared_secret, NSECRET, "secret", NULL, 0, secret)) != SS_OK ||
	    (r = labeled_expand(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    secret, "key", ksc, sizeof(ksc), ctx->key, NK)) != SS_OK ||
	    (r = labeled_expand(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    secret, "base_nonce", ksc, sizeof(ksc), ctx->base_nonce,
	    NN)) != SS_OK ||
	    (r = labeled_expand(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    secret, "exp", ksc, sizeof(ksc), ctx->exporter_secret,
	    NH)) != SS_OK)
		goto out;
	ctx->seq = 0;
 out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(ksc, sizeof(ksc));
	return r;
}

/* Checks the arguments common to both setup functions. */
static int
check_setup(const struct hpke_ctx *ctx, int mode, const void *sender_key,
    const uint8_t *info, size_t info_len)
{
	if (ctx == NULL)
		return SS_ERR_INVALID;
	/* Base mode takes no sender key, auth mode requires one. */
	if (mode == HPKE_MODE_BASE) {
		if (sender_key != NULL)
			return SS_ERR_INVALID;
	} else if (mode == HPKE_MODE_AUTH) {
		if (sender_key == NULL)
			return SS_ERR_INVALID;
	} else
		return SS_ERR_INVALID;
	if (info == NULL && info_len > 0)
		return SS_ERR_INVALID;
	if (info_len > MAX_INFO_LEN)
		return SS_ERR_TOO_LARGE;
	return SS_OK;
}

/*
 * The shared secret of the DHKEM and the key schedule (RFC 9180 4.1, 5.1),
 * which both sides compute alike: dh = DH(k1, pk1) [|| DH(k2, pk2)] and
 * kem_context = enc || pkR [|| pkS], the parts in brackets in auth mode
 * only. The sender passes (skE, pkR) and (skS, pkR) (Encap, AuthEncap), the
 * receiver (skR, enc) and (skR, pkS) (Decap, AuthDecap). HKDF is the
 * key's (given), or fetched here when there is none (base mode's sender).
 */
static int
kem_schedule(struct hpke_ctx *ctx, int mode, EVP_KDF *given, EVP_PKEY *k1,
    const uint8_t pk1[HPKE_KEY_LEN], EVP_PKEY *k2, const uint8_t *pk2,
    const uint8_t enc[HPKE_KEY_LEN], const uint8_t pkR[HPKE_KEY_LEN],
    const uint8_t *pkS, const uint8_t *info, size_t info_len)
{
	EVP_KDF *kdf = given, *own = NULL;
	uint8_t dh[2 * HPKE_KEY_LEN];
	uint8_t kem_context[3 * HPKE_KEY_LEN];	/* enc || pkRm [|| pkSm] */
	uint8_t shared_secret[NSECRET];
	size_t dh_len = HPKE_KEY_LEN, kc_len = 2 * HPKE_KEY_LEN;
	int r;

	hpke_ctx_clear(ctx);
	memcpy(kem_context, enc, HPKE_KEY_LEN);
	memcpy(kem_context + HPKE_KEY_LEN, pkR, HPKE_KEY_LEN);
	if ((r = x25519(k1, pk1, dh)) != SS_OK)
		goto out;
	if (mode == HPKE_MODE_AUTH) {
		if ((r = x25519(k2, pk2, dh + HPKE_KEY_LEN)) != SS_OK)
			goto out;
		memcpy(kem_context + kc_len, pkS, HPKE_KEY_LEN);
		dh_len += HPKE_KEY_LEN;
		kc_len += HPKE_KEY_LEN;
	}
	if (kdf == NULL && (kdf = own = hkdf_fetch()) == NULL) {
		r = SS_ERR_CRYPTO;
		goto out;
	}
	if ((r = extract_and_expand(kdf, dh, dh_len, kem_context, kc_len,
	    shared_secret)) == SS_OK)
		r = key_schedule(kdf, ctx, mode, shared_secret, info, info_len);
 out:
	if (r != SS_OK)
		hpke_ctx_clear(ctx);
	EVP_KDF_free(own);
	OPENSSL_cleanse(dh, sizeof(dh));
	OPENSSL_cleanse(shared_secret, sizeof(shared_secret));
	return r;
}

/*
 * Sender setup once the arguments are checked (check_setup, and pkR and enc
 * not NULL): skS is NULL in base mode, skE NULL outside tests.
 */
static int
setup_sender(struct hpke_ctx *ctx, int mode, const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *skE, const uint8_t *info,
    size_t info_len, uint8_t enc[HPKE_KEY_LEN])
{
	EVP_PKEY *eph = NULL;
	uint8_t pke[HPKE_KEY_LEN];
	int r;

	hpke_ctx_clear(ctx);
	/* The ephemeral key pair: one key object, its public key read off. */
	if ((r = skE != NULL ? pkey_from_private(skE, &eph, pke) :
	    pkey_generate(&eph, pke)) == SS_OK &&
	    (r = kem_schedule(ctx, mode, skS != NULL ? skS->kdf : NULL, eph,
	    pkR, skS != NULL ? skS->pkey : NULL, pkR, pke, pkR,
	    skS != NULL ? skS->pk : NULL, info, info_len)) == SS_OK)
		memcpy(enc, pke, HPKE_KEY_LEN);
	/* Wipes the ephemeral private key. */
	EVP_PKEY_free(eph);
	return r;
}

/*
 * Receiver setup once the arguments are checked (check_setup, and enc and
 * skR not NULL): pkS is NULL in base mode.
 */
static int
setup_receiver(struct hpke_ctx *ctx, int mode, const uint8_t enc[HPKE_KEY_LEN],
    const struct hpke_key *skR, const uint8_t *pkS, const uint8_t *info,
    size_t info_len)
{
	return kem_schedule(ctx, mode, skR->kdf, skR->pkey, enc, skR->pkey, pkS,
	    enc, skR->pk, pkS, info, info_len);
}

/*
 * The setup functions' arguments checked (check_setup, and others_set that
 * the rest are there), then the key object of the raw private key sk, or
 * none for none.
 */
static int
setup_key(struct hpke_ctx *ctx, int mode, const uint8_t *sender_key,
    const uint8_t *info, size_t info_len, int others_set, const uint8_t *sk,
    struct hpke_key **key)
{
	int r;

	*key = NULL;
	if ((r = check_setup(ctx, mode, sender_key, info, info_len)) != SS_OK)
		return r;
	if (!others_set)
		return SS_ERR_INVALID;
	if (sk != NULL && (r = hpke_key_new(sk, key)) != SS_OK)
		hpke_ctx_clear(ctx);
	return r;
}

int
hpke_setup_sender(struct hpke_ctx *ctx, int mode,
    const uint8_t pkR[HPKE_KEY_LEN], const uint8_t *skS, const uint8_t *skE,
    const uint8_t *info, size_t info_len, uint8_t enc[HPKE_KEY_LEN])
{
	struct hpke_key *key;
	int r;

	if ((r = setup_key(ctx, mode, skS, info, info_len, pkR != NULL &&
	    enc != NULL, skS, &key)) == SS_OK)
		r = setup_sender(ctx, mode, pkR, key, skE, info, info_len, enc);
	hpke_key_free(key);
	return r;
}

int
hpke_setup_receiver(struct hpke_ctx *ctx, int mode,
    const uint8_t enc[HPKE_KEY_LEN], const uint8_t skR[HPKE_KEY_LEN],
    const uint8_t *pkS, const uint8_t *info, size_t info_len)
{
	struct hpke_key *key;
	int r;

	/* skR is required: a NULL one fails others_set before it is used. */
	if ((r = setup_key(ctx, mode, pkS, info, info_len, enc != NULL &&
	    skR != NULL, skR, &key)) == SS_OK)
		r = setup_receiver(ctx, mode, enc, key, pkS, info, info_len);
	hpke_key_free(key);
	return r;
}

/*
 * ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn). Our counter is 64 bits,
 * so the top four bytes of the 12-byte big-endian seq are always zero.
 */
static void
compute_nonce(const struct hpke_ctx *ctx, uint8_t nonce[NN])
{
	int i;

	memcpy(nonce, ctx->base_nonce, NN);
	for (i = 0; i < 8; i++)
		nonce[NN - 1 - i] ^= (uint8_t)(ctx->seq >> (8 * i));
}

/* Feeds len bytes through an initialised GCM context, a slice at a time. */
static int
gcm_update(EVP_CIPHER_CTX *c, const uint8_t *in, size_t len, uint8_t *out)
{
	int n, outl;

	while (len > 0) {
		n = len > GCM_SLICE ? GCM_SLICE : (int)len;
		if (EVP_CipherUpdate(c, out, &outl, in, n) != 1 || outl != n)
			return SS_ERR_CRYPTO;
		in += n;
		out += n;
		len -= (size_t)n;
	}
	return SS_OK;
}

/*
 * One AES-128-GCM operation. enc = 1 seals pt (len bytes) into out with the
 * tag written to tag; enc = 0 opens, checking tag, and on any failure wipes
 * out, since GCM writes plaintext before the tag is verified. gcm is the
 * cipher fetched with a struct hpke_key, or NULL to name it here (a fetch).
 */
static int
aead(int enc, const EVP_CIPHER *gcm, const uint8_t key[NK],
    const uint8_t nonce[NN], const uint8_t *aad, size_t aad_len,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[NT])
{
	EVP_CIPHER_CTX *c;
	uint8_t fin[16];	/* GCM's final step emits no bytes */
	int outl, r = SS_ERR_CRYPTO;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return SS_ERR_ALLOC;
	if (EVP_CipherInit_ex(c, gcm != NULL ? gcm : EVP_aes_128_gcm(), NULL,
	    NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NN, NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1)
		goto out;
	if (aad_len > 0 &&
	    (EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
	    outl != (int)aad_len))
		goto out;
	if ((r = gcm_update(c, in, len, out)) != SS_OK)
		goto out;
	r = SS_ERR_CRYPTO;
	if (enc) {
		if (EVP_CipherFinal_ex(c, fin, &outl) != 1 || outl != 0 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, NT, tag) != 1)
			goto out;
	} else {
		if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, NT,
		    tag) != 1)
			goto out;
		/* The tag comparison happens here; failure is forgery. */
		if (EVP_CipherFinal_ex(c, fin, &outl) != 1 || outl != 0) {
			r = SS_ERR_AUTH;
			goto out;
		}
	}
	r = SS_OK;
 out:
	if (r != SS_OK && len > 0)
		OPENSSL_cleanse(out, len);
	if (r != SS_OK && enc)
		OPENSSL_cleanse(tag, NT);
	/* Frees and clears the expanded AES key schedule. */
	EVP_CIPHER_CTX_free(c);
	return r;
}

/* Checks aad and plaintext bounds and the sequence limit of a context. */
static int
check_message(const struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len,
    size_t pt_len)
{
	if (ctx == NULL || (aad == NULL && aad_len > 0))
		return SS_ERR_INVALID;
	if (aad_len > MAX_AAD_LEN || (uint64_t)pt_len > MAX_PT_LEN)
		return SS_ERR_TOO_LARGE;
	/*
	 * The RFC stops at seq = 2^96 - 1; our counter is 64 bits wide, so
	 * stop before it wraps back to a nonce already used.
	 */
	if (ctx->seq == UINT64_MAX)
		return SS_ERR_RANGE;
	return SS_OK;
}

/* hpke_seal with the cipher gcm (see aead). */
static int
ctx_seal(struct hpke_ctx *ctx, const EVP_CIPHER *gcm, const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct)
{
	uint8_t nonce[NN];
	int r;

	if ((r = check_message(ctx, aad, aad_len, pt_len)) != SS_OK)
		return r;
	if (ct == NULL || (pt == NULL && pt_len > 0))
		return SS_ERR_INVALID;
	compute_nonce(ctx, nonce);
	r = aead(1, gcm, ctx->key, nonce, aad, aad_len, pt, pt_len, ct,
	    ct + pt_len);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (r == SS_OK)
		ctx->seq++;
	return r;
}

/* hpke_open with the cipher gcm (see aead). */
static int
ctx_open(struct hpke_ctx *ctx, const EVP_CIPHER *gcm, const uint8_t *aad,
    size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt)
{
	uint8_t nonce[NN], tag[NT];
	size_t pt_len;
	int r;

	if (ct == NULL || ct_len < NT)
		return SS_ERR_INVALID;
	pt_len = ct_len - NT;
	if ((r = check_message(ctx, aad, aad_len, pt_len)) != SS_OK)
		return r;
	if (pt == NULL && pt_len > 0)
		return SS_ERR_INVALID;
	/* A copy, so that the tag may be overwritten by in-place decryption. */
	memcpy(tag, ct + pt_len, NT);
	compute_nonce(ctx, nonce);
	r = aead(0, gcm, ctx->key, nonce, aad, aad_len, ct, pt_len, pt, tag);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	/* As the RFC says: the sequence number moves only on success. */
	if (r == SS_OK)
		ctx->seq++;
	return r;
}

int
hpke_seal(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len,
    const uint8_t *pt, size_t pt_len, uint8_t *ct)
{
	return ctx_seal(ctx, NULL, aad, aad_len, pt, pt_len, ct);
}

int
hpke_open(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len,
    const uint8_t *ct, size_t ct_len, uint8_t *pt)
{
	return ctx_open(ctx, NULL, aad, aad_len, ct, ct_len, pt);
}

int
hpke_export(const struct hpke_ctx *ctx, const uint8_t *exporter_context,
    size_t ctx_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf;
	int r;

	if (ctx == NULL || out == NULL || out_len == 0 ||
	    (exporter_context == NULL && ctx_len > 0))
		return SS_ERR_INVALID;
	if (ctx_len > MAX_EXPCTX_LEN || out_len > MAX_EXPORT_LEN)
		return SS_ERR_TOO_LARGE;
	if ((kdf = hkdf_fetch()) == NULL)
		return SS_ERR_CRYPTO;
	r = labeled_expand(kdf, hpke_suite_id, sizeof(hpke_suite_id),
	    ctx->exporter_secret, "sec", exporter_context, ctx_len, out, out_len);
	EVP_KDF_free(kdf);
	return r;
}

void
hpke_ctx_clear(struct hpke_ctx *ctx)
{
	if (ctx != NULL)
		OPENSSL_cleanse(ctx, sizeof(*ctx));
}

/*
 * Single-shot auth mode (RFC 9180 6.1), the own private key a key object,
 * pk the other side's public key: seal = 1 seals the plaintext in into
 * out = enc || ct || tag, seal = 0 opens in = enc || ct || tag into the
 * plaintext out. Both single-shot calls below take this one path.
 */
static int
single_shot(int seal, const struct hpke_key *key,
    const uint8_t pk[HPKE_KEY_LEN], const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
    uint8_t *out, size_t out_len)
{
	const uint8_t *sealed = seal ? out : in;
	size_t pt_len = seal ? in_len : out_len;
	size_t sealed_len = seal ? out_len : in_len;
	struct hpke_ctx ctx;
	int r;

	if (key == NULL || pk == NULL || sealed == NULL)
		return SS_ERR_INVALID;
	if (seal && (uint64_t)pt_len > MAX_PT_LEN)
		return SS_ERR_TOO_LARGE;
	if (sealed_len < HPKE_KEY_LEN + NT ||
	    pt_len != sealed_len - HPKE_KEY_LEN - NT)
		return SS_ERR_INVALID;
	if ((r = check_setup(&ctx, HPKE_MODE_AUTH, pk, info,
	    info_len)) != SS_OK)
		return r;
	if (seal && (r = setup_sender(&ctx, HPKE_MODE_AUTH, pk, key, NULL,
	    info, info_len, out)) == SS_OK)
		r = ctx_seal(&ctx, key->gcm, aad, aad_len, in, in_len,
		    out + HPKE_KEY_LEN);
	else if (!seal && (r = setup_receiver(&ctx, HPKE_MODE_AUTH, in, key,
	    pk, info, info_len)) == SS_OK)
		r = ctx_open(&ctx, key->gcm, aad, aad_len, in + HPKE_KEY_LEN,
		    in_len - HPKE_KEY_LEN, out);
	hpke_ctx_clear(&ctx);
	/* A failed seal leaves nothing; hpke_open wipes what it wrote. */
	if (r != SS_OK && seal)
		OPENSSL_cleanse(out, out_len);
	return r;
}

int
hpke_seal_auth_k(const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    uint8_t *out, size_t out_len)
{
	return single_shot(1, skS, pkR, info, info_len, aad, aad_len, pt,
	    pt_len, out, out_len);
}

int
hpke_open_auth_k(const struct hpke_key *skR,
    const uint8_t pkS[HPKE_KEY_LEN], const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
    uint8_t *pt, size_t pt_len)
{
	return single_shot(0, skR, pkS, info, info_len, aad, aad_len, in,
	    in_len, pt, pt_len);
}
