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
 * The X25519 side, a party's key made ready once (struct hpke_key) and the
 * DH operation, is in hpke_key.c. With a struct hpke_key an auth-mode seal
 * does just the three scalar multiplications it needs (the ephemeral
 * public key, two Diffie-Hellman values) and an open just its two (one
 * when the key remembers the static value). The HKDF and AES-128-GCM
 * implementations are fetched with the struct hpke_key, once, not per
 * message, and HKDF's digest is named once per setup, not per step; the
 * calls without one (the context API, base mode's sender) fetch HKDF once
 * per setup and name the cipher per message.
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
#include "hpke_internal.h"

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
 * An HKDF-SHA256 context of kdf (the EVP_KDF "HKDF") for the steps of one
 * setup or export: the digest is named (and looked up) once, not at each
 * of the eight steps of a setup. NULL on failure.
 */
static EVP_KDF_CTX *
hkdf_ctx(EVP_KDF *kdf)
{
	OSSL_PARAM params[2];
	EVP_KDF_CTX *kctx;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (kdf == NULL || (kctx = EVP_KDF_CTX_new(kdf)) == NULL)
		return NULL;
	if (EVP_KDF_CTX_set_params(kctx, params) != 1) {
		EVP_KDF_CTX_free(kctx);
		return NULL;
	}
	return kctx;
}

/*
 * One HKDF step through kctx (hkdf_ctx). mode is EXTRACT_ONLY (key = IKM,
 * salt) or EXPAND_ONLY (key = PRK, info). Each step sets every input its
 * mode reads (an extract always has a salt, an expand always an info), so
 * nothing of an earlier step is used; the context keeps copies of the
 * keys until the next step replaces them or it is freed, which clears them.
 */
static int
hkdf(EVP_KDF_CTX *kctx, int mode, const uint8_t *key, size_t key_len,
    const uint8_t *salt, size_t salt_len, const uint8_t *info,
    size_t info_len, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[5], *p = params;
	int r = SS_ERR_CRYPTO;

	if (kctx == NULL || (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ?
	    salt == NULL : info_len == 0))
		return SS_ERR_INTERNAL;
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

	if (EVP_KDF_derive(kctx, out, out_len, params) != 1)
		OPENSSL_cleanse(out, out_len);
	else
		r = SS_OK;
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
labeled_extract(EVP_KDF_CTX *kctx, const uint8_t *suite_id, size_t suite_id_len,
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

	r = hkdf(kctx, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, buf, n, salt, salt_len,
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
labeled_expand(EVP_KDF_CTX *kctx, const uint8_t *suite_id, size_t suite_id_len,
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

	r = hkdf(kctx, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, NH, NULL, 0, buf, n,
	    out, out_len);
	OPENSSL_cleanse(buf, n);
	return r;
}


/*
 * ExtractAndExpand(dh, kem_context) of the DHKEM (RFC 9180 4.1), with the
 * KEM's suite id.
 */
static int
extract_and_expand(EVP_KDF_CTX *kctx, const uint8_t *dh, size_t dh_len,
    const uint8_t *kem_context, size_t kem_context_len,
    uint8_t shared_secret[NSECRET])
{
	uint8_t eae_prk[NH];
	int r;

	if ((r = labeled_extract(kctx, kem_suite_id, sizeof(kem_suite_id),
	    NULL, 0, "eae_prk", dh, dh_len, eae_prk)) == SS_OK)
		r = labeled_expand(kctx, kem_suite_id, sizeof(kem_suite_id),
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
key_schedule(EVP_KDF_CTX *kctx, struct hpke_ctx *ctx, int mode,
    const uint8_t shared_secret[NSECRET], const uint8_t *info, size_t info_len)
{
	uint8_t ksc[1 + NH + NH];	/* mode || psk_id_hash || info_hash */
	uint8_t secret[NH];
	int r;

	ksc[0] = (uint8_t)mode;
	if ((r = labeled_extract(kctx, hpke_suite_id, sizeof(hpke_suite_id),
	    NULL, 0, "psk_id_hash", NULL, 0, ksc + 1)) != SS_OK ||
	    (r = labeled_extract(kctx, hpke_suite_id, sizeof(hpke_suite_id),
	    NULL, 0, "info_hash", info, info_len, ksc + 1 + NH)) != SS_OK ||
	    (r = labeled_extract(kctx, hpke_suite_id, sizeof(hpke_suite_id),
	    shared_secret, NSECRET, "secret", NULL, 0, secret)) != SS_OK ||
	    (r = labeled_expand(kctx, hpke_suite_id, sizeof(hpke_suite_id),
	    secret, "key", ksc, sizeof(ksc), ctx->key, NK)) != SS_OK ||
	    (r = labeled_expand(kctx, hpke_suite_id, sizeof(hpke_suite_id),
	    secret, "base_nonce", ksc, sizeof(ksc), ctx->base_nonce,
	    NN)) != SS_OK ||
	    (r = labeled_expand(kctx, hpke_suite_id, sizeof(hpke_suite_id),
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
 * which both sides compute alike: dh = DH(sk1, pk1) [|| DH(sk2, pk2)] and
 * kem_context = enc || pkR [|| pkS], the parts in brackets in auth mode
 * only. The sender passes its ephemeral key eph and its static key own
 * (NULL in base mode) for (skE, pkR) and (skS, pkR) (Encap, AuthEncap), the
 * receiver no eph and own for (skR, enc) and (skR, pkS) (Decap,
 * AuthDecap): the second, of the static keys, is the same value on both
 * sides (static_dh). HKDF is own's, or fetched here when there is none
 * (base mode's sender).
 */
static int
kem_schedule(struct hpke_ctx *ctx, int mode, const struct hpke_key *own,
    EVP_PKEY *eph, const uint8_t pk1[HPKE_KEY_LEN], const uint8_t *pk2,
    const uint8_t enc[HPKE_KEY_LEN], const uint8_t pkR[HPKE_KEY_LEN],
    const uint8_t *pkS, const uint8_t *info, size_t info_len)
{
	EVP_KDF *kdf = own != NULL ? own->kdf : NULL, *fetched = NULL;
	EVP_KDF_CTX *kctx = NULL;
	uint8_t dh[2 * HPKE_KEY_LEN];
	uint8_t kem_context[3 * HPKE_KEY_LEN];	/* enc || pkRm [|| pkSm] */
	uint8_t shared_secret[NSECRET];
	size_t dh_len = HPKE_KEY_LEN, kc_len = 2 * HPKE_KEY_LEN;
	int r;

	hpke_ctx_clear(ctx);
	/* The callers checked these; an analyzer cannot see it across files. */
	if (enc == NULL || pkR == NULL || (mode == HPKE_MODE_AUTH &&
	    (own == NULL || pk2 == NULL || pkS == NULL)))
		return SS_ERR_INVALID;
	memcpy(kem_context, enc, HPKE_KEY_LEN);
	memcpy(kem_context + HPKE_KEY_LEN, pkR, HPKE_KEY_LEN);
	if ((r = hpke_x25519(own, eph, pk1, dh)) != SS_OK)
		goto out;
	if (mode == HPKE_MODE_AUTH) {
		if ((r = hpke_static_dh(own, pk2, dh + HPKE_KEY_LEN)) != SS_OK)
			goto out;
		memcpy(kem_context + kc_len, pkS, HPKE_KEY_LEN);
		dh_len += HPKE_KEY_LEN;
		kc_len += HPKE_KEY_LEN;
	}
	if ((kdf == NULL && (kdf = fetched = hpke_hkdf_fetch()) == NULL) ||
	    (kctx = hkdf_ctx(kdf)) == NULL) {
		r = SS_ERR_CRYPTO;
		goto out;
	}
	if ((r = extract_and_expand(kctx, dh, dh_len, kem_context, kc_len,
	    shared_secret)) == SS_OK)
		r = key_schedule(kctx, ctx, mode, shared_secret, info, info_len);
 out:
	if (r != SS_OK)
		hpke_ctx_clear(ctx);
	/* The HKDF provider clears its copies of the keys when freed. */
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(fetched);
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
	if ((r = skE != NULL ? hpke_pkey_from_private(skE, &eph, pke) :
	    hpke_pkey_generate(&eph, pke)) == SS_OK &&
	    (r = kem_schedule(ctx, mode, skS, eph, pkR, pkR, pke, pkR,
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
	return kem_schedule(ctx, mode, skR, NULL, enc, pkS,
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
 * Starts one AES-128-GCM operation (enc = 1 seals, 0 opens) with key, nonce
 * and aad, under the cipher gcm fetched with a struct hpke_key, or NULL to
 * name it here (a fetch). NULL on failure.
 */
static EVP_CIPHER_CTX *
aead_begin(int enc, const EVP_CIPHER *gcm, const uint8_t key[NK],
    const uint8_t nonce[NN], const uint8_t *aad, size_t aad_len)
{
	EVP_CIPHER_CTX *c;
	int outl;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, gcm != NULL ? gcm : EVP_aes_128_gcm(), NULL,
	    NULL, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NN, NULL) == 1 &&
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
	    (aad_len == 0 ||
	    (EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) == 1 &&
	    outl == (int)aad_len)))
		return c;
	/* Frees and clears the expanded AES key schedule. */
	EVP_CIPHER_CTX_free(c);
	return NULL;
}

/*
 * Ends the operation c began: a seal writes its tag to tag, an open checks
 * tag (SS_ERR_AUTH when it does not match: forgery). Frees c either way.
 */
static int
aead_end(EVP_CIPHER_CTX *c, int enc, uint8_t tag[NT])
{
	uint8_t fin[16];	/* GCM's final step emits no bytes */
	int outl, r = SS_ERR_CRYPTO;

	if (enc) {
		if (EVP_CipherFinal_ex(c, fin, &outl) == 1 && outl == 0 &&
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, NT, tag) == 1)
			r = SS_OK;
	} else if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, NT, tag) ==
	    1) {
		/* The tag comparison happens here; failure is forgery. */
		r = EVP_CipherFinal_ex(c, fin, &outl) == 1 && outl == 0 ?
		    SS_OK : SS_ERR_AUTH;
	}
	EVP_CIPHER_CTX_free(c);
	return r;
}

/*
 * One AES-128-GCM operation. enc = 1 seals pt (len bytes) into out with the
 * tag written to tag; enc = 0 opens, checking tag, and on any failure wipes
 * out, since GCM writes plaintext before the tag is verified. gcm as for
 * aead_begin.
 */
static int
aead(int enc, const EVP_CIPHER *gcm, const uint8_t key[NK],
    const uint8_t nonce[NN], const uint8_t *aad, size_t aad_len,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[NT])
{
	EVP_CIPHER_CTX *c;
	int r;

	if ((c = aead_begin(enc, gcm, key, nonce, aad, aad_len)) == NULL)
		r = SS_ERR_CRYPTO;
	else if ((r = gcm_update(c, in, len, out)) != SS_OK)
		EVP_CIPHER_CTX_free(c);
	else
		r = aead_end(c, enc, tag);
	if (r != SS_OK && len > 0)
		OPENSSL_cleanse(out, len);
	if (r != SS_OK && enc)
		OPENSSL_cleanse(tag, NT);
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
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;
	int r = SS_ERR_CRYPTO;

	if (ctx == NULL || out == NULL || out_len == 0 ||
	    (exporter_context == NULL && ctx_len > 0))
		return SS_ERR_INVALID;
	if (ctx_len > MAX_EXPCTX_LEN || out_len > MAX_EXPORT_LEN)
		return SS_ERR_TOO_LARGE;
	if ((kdf = hpke_hkdf_fetch()) != NULL && (kctx = hkdf_ctx(kdf)) != NULL)
		r = labeled_expand(kctx, hpke_suite_id, sizeof(hpke_suite_id),
		    ctx->exporter_secret, "sec", exporter_context, ctx_len, out,
		    out_len);
	EVP_KDF_CTX_free(kctx);
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
 * An auth-mode seal in progress (hpke_seal_stream_begin): the AEAD running
 * with the context's key and nonce, and where its output goes.
 */
struct hpke_seal_stream {
	EVP_CIPHER_CTX *c;
	uint8_t *out;           /* enc || ct || tag, out_len bytes */
	size_t out_len, pt_len, done;
	int failed;
};

/* Whether a sealed message of sealed_len bytes holds pt_len of plaintext. */
static int
lengths_match(size_t sealed_len, size_t pt_len)
{
	return sealed_len >= HPKE_KEY_LEN + NT &&
	    pt_len == sealed_len - HPKE_KEY_LEN - NT;
}

int
hpke_seal_stream_begin(const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, size_t pt_len, uint8_t *out,
    size_t out_len, struct hpke_seal_stream **sp)
{
	struct hpke_seal_stream *s;
	struct hpke_ctx ctx;
	uint8_t nonce[NN];
	int r;

	if (sp == NULL)
		return SS_ERR_INVALID;
	*sp = NULL;
	if (skS == NULL || pkR == NULL || out == NULL)
		return SS_ERR_INVALID;
	if ((uint64_t)pt_len > MAX_PT_LEN)
		return SS_ERR_TOO_LARGE;
	if (!lengths_match(out_len, pt_len))
		return SS_ERR_INVALID;
	memset(&ctx, 0, sizeof(ctx));
	if ((r = check_setup(&ctx, HPKE_MODE_AUTH, pkR, info,
	    info_len)) != SS_OK ||
	    (r = check_message(&ctx, aad, aad_len, pt_len)) != SS_OK)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SS_ERR_ALLOC;
	if ((r = setup_sender(&ctx, HPKE_MODE_AUTH, pkR, skS, NULL, info,
	    info_len, out)) == SS_OK) {
		compute_nonce(&ctx, nonce);
		if ((s->c = aead_begin(1, skS->gcm, ctx.key, nonce, aad,
		    aad_len)) == NULL)
			r = SS_ERR_CRYPTO;
		OPENSSL_cleanse(nonce, sizeof(nonce));
	}
	hpke_ctx_clear(&ctx);
	if (r != SS_OK) {
		OPENSSL_cleanse(out, out_len);
		free(s);
		return r;
	}
	s->out = out;
	s->out_len = out_len;
	s->pt_len = pt_len;
	*sp = s;
	return SS_OK;
}

/* Marks s failed and wipes what it wrote: a partial ciphertext is no use. */
static int
stream_fail(struct hpke_seal_stream *s, int r)
{
	s->failed = 1;
	OPENSSL_cleanse(s->out, s->out_len);
	return r;
}

void
hpke_seal_stream_fail(struct hpke_seal_stream *s)
{
	if (s != NULL)
		(void)stream_fail(s, SS_ERR_INVALID);
}

int
hpke_seal_stream_add(struct hpke_seal_stream *s, const uint8_t *pt,
    size_t len)
{
	int r;

	if (s == NULL || s->failed)
		return SS_ERR_INVALID;
	if ((pt == NULL && len > 0) || len > s->pt_len - s->done)
		return stream_fail(s, SS_ERR_INVALID);
	if ((r = gcm_update(s->c, pt, len, s->out + HPKE_KEY_LEN + s->done)) !=
	    SS_OK)
		return stream_fail(s, r);
	s->done += len;
	return SS_OK;
}

void
hpke_seal_stream_free(struct hpke_seal_stream *s)
{
	if (s == NULL)
		return;
	if (s->c != NULL) {
		/* Abandoned before its end: nothing of it may be sent. */
		OPENSSL_cleanse(s->out, s->out_len);
		EVP_CIPHER_CTX_free(s->c);
	}
	free(s);
}

int
hpke_seal_stream_end(struct hpke_seal_stream *s)
{
	EVP_CIPHER_CTX *c;
	int r;

	if (s == NULL)
		return SS_ERR_INVALID;
	if (s->failed || s->done != s->pt_len) {
		hpke_seal_stream_free(s);
		return SS_ERR_INVALID;
	}
	c = s->c;
	s->c = NULL;
	/* aead_end frees c whatever it returns. */
	if ((r = aead_end(c, 1, s->out + s->out_len - NT)) != SS_OK)
		OPENSSL_cleanse(s->out, s->out_len);
	free(s);
	return r;
}

int
hpke_seal_auth_k(const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    uint8_t *out, size_t out_len)
{
	struct hpke_seal_stream *s;
	int r;

	if ((r = hpke_seal_stream_begin(pkR, skS, info, info_len, aad,
	    aad_len, pt_len, out, out_len, &s)) != SS_OK)
		return r;
	if ((r = hpke_seal_stream_add(s, pt, pt_len)) != SS_OK) {
		hpke_seal_stream_free(s);
		return r;
	}
	return hpke_seal_stream_end(s);
}

/*
 * Single-shot auth-mode open (RFC 9180 6.1) with the own private key a key
 * object and pkS the sender's public key: in = enc || ct || tag into the
 * plaintext out.
 */
int
hpke_open_auth_k(const struct hpke_key *skR,
    const uint8_t pkS[HPKE_KEY_LEN], const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
    uint8_t *pt, size_t pt_len)
{
	struct hpke_ctx ctx;
	int r;

	if (skR == NULL || pkS == NULL || in == NULL)
		return SS_ERR_INVALID;
	if (!lengths_match(in_len, pt_len))
		return SS_ERR_INVALID;
	if ((r = check_setup(&ctx, HPKE_MODE_AUTH, pkS, info,
	    info_len)) != SS_OK)
		return r;
	if ((r = setup_receiver(&ctx, HPKE_MODE_AUTH, in, skR, pkS, info,
	    info_len)) == SS_OK)
		r = ctx_open(&ctx, skR->gcm, aad, aad_len, in + HPKE_KEY_LEN,
		    in_len - HPKE_KEY_LEN, pt);
	hpke_ctx_clear(&ctx);
	/* ctx_open wipes what it wrote when it fails. */
	return r;
}
