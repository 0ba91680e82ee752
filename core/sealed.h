/*
 * sealed.h: a share vector sealed end to end from one party to another.
 *
 * The server relays these without being able to read, alter, swap, replay or
 * re-route them: HPKE auth mode binds the sender's and recipient's keys, and
 * the HPKE info (protocol version 2) binds the session digest D, sender,
 * recipient and vector length, so a share never moves between sessions nor
 * between two instances of one session id.
 * Layout: enc (32) || AES-128-GCM(L little-endian 8-byte elements) || tag (16).
 * sealed.c gives the info byte for byte.
 */
#ifndef SS_SEALED_H
#define SS_SEALED_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hpke.h"

/* The context string that starts the HPKE info (its NUL is part of it). */
#define SEALED_INFO_CONTEXT "secure-sum/v2 share"
/*
 * The session digest D's length (PARAMS_DIGEST_LEN, which sealed.c checks
 * it equals): this header, which the server includes for sealed_len, does
 * not take in params.h.
 */
#define SEALED_D_LEN 32
#define SEALED_ELEM_LEN 8
#define SEALED_OVERHEAD (HPKE_KEY_LEN + HPKE_TAG_LEN)   /* HPKE enc and AES-GCM tag */
/* AES-GCM encrypts at most 2^36 - 32 bytes under one nonce. */
#define SEALED_MAX_ELEMS (((UINT64_C(1) << 36) - 32) / SEALED_ELEM_LEN)

/*
 * Size of a sealed vector of L elements; 0 if L is too large to seal.
 * Inline so that the server, which only checks sizes, links no HPKE code.
 */
static inline size_t
sealed_len(size_t L)
{
	if (L > (SIZE_MAX - SEALED_OVERHEAD) / SEALED_ELEM_LEN ||
	    (uint64_t)L > SEALED_MAX_ELEMS)
		return 0;
	return SEALED_OVERHEAD + L * SEALED_ELEM_LEN;
}

/*
 * Seals values[0..L) (each < p) from sender to recipient in the session of
 * digest d (SEALED_D_LEN bytes) into out, of exactly sealed_len(L)
 * bytes.
 */
int sealed_seal(const uint8_t *d, const char *sender, const char *recipient,
    const uint64_t *values, size_t L, const uint8_t skS[HPKE_KEY_LEN], const uint8_t pkR[HPKE_KEY_LEN],
    uint8_t *out, size_t out_len) SS_WUR;

/*
 * Opens and authenticates; values[0..L) receive the elements, each checked
 * to be < p. SS_ERR_AUTH when the ciphertext was altered, or was sealed for
 * another session digest, sender, recipient or length.
 */
int sealed_open(const uint8_t *d, const char *sender, const char *recipient,
    size_t L, const uint8_t skR[HPKE_KEY_LEN], const uint8_t pkS[HPKE_KEY_LEN],
    const uint8_t *in, size_t in_len, uint64_t *values) SS_WUR;

/*
 * The same with the party's own private key prepared once (hpke_key_new):
 * for a party that seals for, or opens from, many others in a row.
 */
int sealed_seal_k(const uint8_t *d, const char *sender,
    const char *recipient, const uint64_t *values, size_t L,
    const struct hpke_key *skS, const uint8_t pkR[HPKE_KEY_LEN], uint8_t *out,
    size_t out_len) SS_WUR;
int sealed_open_k(const uint8_t *d, const char *sender,
    const char *recipient, size_t L, const struct hpke_key *skR,
    const uint8_t pkS[HPKE_KEY_LEN], const uint8_t *in, size_t in_len,
    uint64_t *values) SS_WUR;

/*
 * sealed_seal_k a piece at a time, for a vector whose elements are made a
 * block at a time (mpc-client's shares): begin, then add the L elements in
 * order in pieces of any size, then end, which frees the stream whatever
 * it returns. out must stay in place until then. A failed add (an element
 * >= p: SS_ERR_RANGE) leaves the stream unusable; any failure, and
 * sealed_stream_free before end, wipes out.
 */
struct sealed_stream;

int sealed_stream_begin(const uint8_t *d, const char *sender,
    const char *recipient, size_t L, const struct hpke_key *skS,
    const uint8_t pkR[HPKE_KEY_LEN], uint8_t *out, size_t out_len,
    struct sealed_stream **sp) SS_WUR;
int sealed_stream_add(struct sealed_stream *s, const uint64_t *values,
    size_t k) SS_WUR;
int sealed_stream_end(struct sealed_stream *s) SS_WUR;
void sealed_stream_free(struct sealed_stream *s);

#endif
