/*
 * hpke.h: RFC 9180 Hybrid Public Key Encryption for one suite,
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM
 * (kem_id 0x0020, kdf_id 0x0001, aead_id 0x0001), base and auth modes,
 * built on OpenSSL 3.0's EVP API.
 *
 * Keys are raw 32-byte X25519 values. secure-sum uses auth mode with one
 * message per context (hpke_seal_auth_k / hpke_open_auth_k); the context API
 * is public so that the RFC's test vectors can be checked in full.
 *
 * A party builds a struct hpke_key from its private key once: each call then
 * does only the three X25519 operations auth mode needs (the ephemeral
 * public key and two Diffie-Hellman values), without deriving the public
 * key of the private key every time. (Raw-key wrappers for the tests are in
 * tests/fixture/hpke_raw.h; the product has no use for them.)
 */
#ifndef SS_HPKE_H
#define SS_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HPKE_KEY_LEN   32  /* X25519 private and public keys, and enc */
#define HPKE_TAG_LEN   16
#define HPKE_MODE_BASE 0x00
#define HPKE_MODE_AUTH 0x02

struct hpke_ctx {
	uint8_t key[16];
	uint8_t base_nonce[12];
	uint8_t exporter_secret[32];
	uint64_t seq;
};

/* Derives the public key of a private key. */
int hpke_public_key(const uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN]) SS_WUR;
/* Makes a fresh key pair. */
int hpke_keygen(uint8_t sk[HPKE_KEY_LEN], uint8_t pk[HPKE_KEY_LEN]) SS_WUR;

/*
 * A private key made ready for repeated use: the OpenSSL key object and the
 * public key, computed once. Opaque; holds a copy of the private key, which
 * hpke_key_free wipes.
 */
struct hpke_key;

/* Builds *key from the raw private key sk; *key is NULL on failure. */
int hpke_key_new(const uint8_t sk[HPKE_KEY_LEN], struct hpke_key **key) SS_WUR;
/* Wipes and frees; NULL is a no-op. */
void hpke_key_free(struct hpke_key *key);
/* The public key of key (no computation: it was derived once). */
void hpke_key_public(const struct hpke_key *key, uint8_t pk[HPKE_KEY_LEN]);

/*
 * Lets key remember, for up to max peers (1 to 2^20), the static
 * Diffie-Hellman value DH(sk, pk) that auth mode computes with each: the
 * sender's DH(skS, pkR) is the receiver's DH(skR, pkS), so a party that
 * seals to j and then opens what j sealed to it (mpc-client run) computes
 * it once, and that open costs one X25519 operation instead of two. The
 * values are secrets, held until hpke_key_free wipes them. A key that
 * remembers is written by hpke_seal_auth_k and hpke_open_auth_k even
 * though they take it const: it must not be used by two threads at once.
 * A second call does nothing.
 */
int hpke_key_remember(struct hpke_key *key, size_t max) SS_WUR;

/*
 * Sender setup. mode is HPKE_MODE_BASE (skS NULL) or HPKE_MODE_AUTH.
 * skE is the ephemeral key: NULL draws a fresh one (always, outside tests).
 */
int hpke_setup_sender(struct hpke_ctx *ctx, int mode,
    const uint8_t pkR[HPKE_KEY_LEN], const uint8_t *skS, const uint8_t *skE,
    const uint8_t *info, size_t info_len, uint8_t enc[HPKE_KEY_LEN]) SS_WUR;
/* Receiver setup. pkS is NULL in base mode. */
int hpke_setup_receiver(struct hpke_ctx *ctx, int mode,
    const uint8_t enc[HPKE_KEY_LEN], const uint8_t skR[HPKE_KEY_LEN],
    const uint8_t *pkS, const uint8_t *info, size_t info_len) SS_WUR;

/* ct must hold pt_len + HPKE_TAG_LEN bytes. Advances the sequence number. */
int hpke_seal(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len,
    const uint8_t *pt, size_t pt_len, uint8_t *ct) SS_WUR;
/* pt must hold ct_len - HPKE_TAG_LEN bytes; SS_ERR_AUTH on a bad tag. */
int hpke_open(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len,
    const uint8_t *ct, size_t ct_len, uint8_t *pt) SS_WUR;
/* RFC 9180 section 5.3 secret export. */
int hpke_export(const struct hpke_ctx *ctx, const uint8_t *exporter_context,
    size_t ctx_len, uint8_t *out, size_t out_len) SS_WUR;
/* Wipes the context. */
void hpke_ctx_clear(struct hpke_ctx *ctx);

/*
 * Single-shot auth mode with the static private key prepared: out = enc ||
 * ciphertext || tag, out_len must be HPKE_KEY_LEN + pt_len + HPKE_TAG_LEN.
 */
int hpke_seal_auth_k(const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    uint8_t *out, size_t out_len) SS_WUR;
/*
 * hpke_seal_auth_k for a plaintext given a piece at a time, so that a long
 * one need never exist whole: begin draws the ephemeral key, writes enc to
 * out and starts the AEAD; each add encrypts the next piece into its place
 * in out; end writes the tag once exactly pt_len bytes went in, and frees
 * the stream whatever it returns. out (out_len = HPKE_KEY_LEN + pt_len +
 * HPKE_TAG_LEN) must stay in place until then. A failed add leaves the
 * stream failed (a later add or end: SS_ERR_INVALID); any failure, and
 * hpke_seal_stream_free before end, wipes out.
 */
struct hpke_seal_stream;

int hpke_seal_stream_begin(const uint8_t pkR[HPKE_KEY_LEN],
    const struct hpke_key *skS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, size_t pt_len, uint8_t *out,
    size_t out_len, struct hpke_seal_stream **sp) SS_WUR;
int hpke_seal_stream_add(struct hpke_seal_stream *s, const uint8_t *pt,
    size_t len) SS_WUR;
int hpke_seal_stream_end(struct hpke_seal_stream *s) SS_WUR;

/* Fails s as a failed add would (for a refusal above HPKE); wipes out. */
void hpke_seal_stream_fail(struct hpke_seal_stream *s);

/* Abandons s (NULL is a no-op): out is wiped unless end was reached. */
void hpke_seal_stream_free(struct hpke_seal_stream *s);

/* Opens what hpke_seal_auth_k made; pt must hold in_len - 32 - 16 bytes. */
int hpke_open_auth_k(const struct hpke_key *skR,
    const uint8_t pkS[HPKE_KEY_LEN], const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
    uint8_t *pt, size_t pt_len) SS_WUR;

#endif
