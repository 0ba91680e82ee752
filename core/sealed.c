/*
 * sealed.c: a share vector sealed end to end from one party to another with
 * HPKE auth mode; see sealed.h.
 *
 * Plaintext: the L elements, each as an 8-byte little-endian integer.
 *
 * HPKE info (protocol version 2), which feeds the key schedule, every
 * integer little-endian as everything the project writes in its own
 * formats:
 *
 *	"secure-sum/v2 share" 00		20 bytes: the context and its NUL
 *	D					32 bytes: the session digest
 *	u32 len || sender name
 *	u32 len || recipient name
 *	u64 L
 *
 * D names the session instance (params.h): its id, parties, threshold,
 * length, deadline and the creator's nonce, so a ciphertext moved to
 * another session, or to another instance of the same session id, derives
 * another key and fails its tag. The length prefixes make the encoding
 * injective: no two (D, sender, recipient, L) give the same info. Auth mode
 * adds the binding to the two parties' X25519 keys.
 *
 * AAD is empty: everything we bind is in info already, and info is hashed
 * into the key, so repeating it as AAD would add nothing.
 *
 * Version 1 bound the session id instead of D, with big-endian integers;
 * it is gone: the client speaks version 2 only, and the server never opens
 * a share.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "err.h"
#include "field.h"
#include "hpke.h"
#include "params.h"
#include "sealed.h"

_Static_assert(SEALED_D_LEN == PARAMS_DIGEST_LEN, "D's length");

/* The context string with its terminating NUL, which is part of the info. */
static const char info_label[] = SEALED_INFO_CONTEXT;
#define LABEL_LEN	sizeof(info_label)

/*
 * Names are [A-Za-z0-9._-]{1,64} by convention (name_valid checks that
 * where names enter the system); here we need only a bound for the buffer.
 */
#define MAX_NAME_LEN	255
#define INFO_MAX	(LABEL_LEN + PARAMS_DIGEST_LEN + 2 * (4 + MAX_NAME_LEN) + 8)

#define ELEM_LEN	SEALED_ELEM_LEN

/* Appends u32 length || name to info at *off. */
static int
put_name(uint8_t *info, size_t *off, const char *name)
{
	size_t len;

	if (name == NULL)
		return SS_ERR_INVALID;
	len = strnlen(name, MAX_NAME_LEN + 1);
	if (len == 0)
		return SS_ERR_INVALID;
	if (len > MAX_NAME_LEN)
		return SS_ERR_TOO_LARGE;
	buf_store_u32(info + *off, (uint32_t)len);
	memcpy(info + *off + 4, name, len);
	*off += 4 + len;
	return SS_OK;
}

/* Builds the HPKE info described at the top of this file. */
static int
build_info(const uint8_t *d, const char *sender, const char *recipient,
    size_t L, uint8_t info[INFO_MAX], size_t *info_len)
{
	size_t off = LABEL_LEN;
	int r;

	if (d == NULL)
		return SS_ERR_INVALID;
	memcpy(info, info_label, LABEL_LEN);
	memcpy(info + off, d, PARAMS_DIGEST_LEN);
	off += PARAMS_DIGEST_LEN;
	if ((r = put_name(info, &off, sender)) != SS_OK ||
	    (r = put_name(info, &off, recipient)) != SS_OK)
		return r;
	buf_store_u64(info + off, (uint64_t)L);
	*info_len = off + 8;
	return SS_OK;
}

/*
 * What sealing and opening check first: every pointer set, L in range, the
 * ciphertext exactly sealed_len(L) bytes; then the info is built.
 */
static int
prepare(const uint8_t *d, const char *sender, const char *recipient,
    size_t L, int args_set, size_t ct_len, uint8_t info[INFO_MAX],
    size_t *info_len)
{
	size_t n;

	if (!args_set || L == 0)
		return SS_ERR_INVALID;
	if ((n = sealed_len(L)) == 0)
		return SS_ERR_TOO_LARGE;
	if (ct_len != n)
		return SS_ERR_INVALID;
	return build_info(d, sender, recipient, L, info, info_len);
}

/* Elements encoded on the stack at a time by sealed_stream_add. */
#define ADD_CHUNK	512

/* The HPKE stream keeps the failed state: a refused add fails it too. */
struct sealed_stream {
	struct hpke_seal_stream *hs;
};

int
sealed_stream_begin(const uint8_t *d, const char *sender,
    const char *recipient, size_t L, const struct hpke_key *skS,
    const uint8_t pkR[HPKE_KEY_LEN], uint8_t *out, size_t out_len,
    struct sealed_stream **sp)
{
	uint8_t info[INFO_MAX];
	size_t info_len;
	int r;

	if (sp == NULL)
		return SS_ERR_INVALID;
	*sp = NULL;
	if ((r = prepare(d, sender, recipient, L, skS != NULL && pkR != NULL &&
	    out != NULL, out_len, info, &info_len)) != SS_OK)
		return r;
	if ((*sp = calloc(1, sizeof(**sp))) == NULL)
		return SS_ERR_ALLOC;
	if ((r = hpke_seal_stream_begin(pkR, skS, info, info_len, NULL, 0,
	    L * ELEM_LEN, out, out_len, &(*sp)->hs)) != SS_OK) {
		free(*sp);
		*sp = NULL;
	}
	return r;
}

/* Encodes values[0..k) into pt, little-endian: the plaintext's form. */
static void
encode(uint8_t *pt, const uint64_t *values, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		buf_store_u64(pt + i * ELEM_LEN, values[i]);
}

int
sealed_stream_add(struct sealed_stream *s, const uint64_t *values, size_t k)
{
	uint8_t pt[ADD_CHUNK * ELEM_LEN];
	uint64_t bad = 0;
	size_t i, n, off;
	int r = SS_OK;

	if (s == NULL || (values == NULL && k > 0))
		return SS_ERR_INVALID;
	/* An empty piece asks the HPKE stream whether it failed before. */
	if ((r = hpke_seal_stream_add(s->hs, NULL, 0)) != SS_OK)
		return r;
	/*
	 * Sealing an element >= p is a bug upstream; refuse it here rather
	 * than have the recipient reject the whole vector later. The scan
	 * does not stop early, so it takes the same time whatever the values.
	 */
	for (i = 0; i < k; i++)
		bad |= values[i] >= FIELD_P;
	if (bad) {
		hpke_seal_stream_fail(s->hs);
		return SS_ERR_RANGE;
	}
	for (off = 0; off < k && r == SS_OK; off += n) {
		n = k - off < ADD_CHUNK ? k - off : ADD_CHUNK;
		encode(pt, values + off, n);
		r = hpke_seal_stream_add(s->hs, pt, n * ELEM_LEN);
	}
	OPENSSL_cleanse(pt, sizeof(pt));
	return r;
}

int
sealed_stream_end(struct sealed_stream *s)
{
	int r;

	if (s == NULL)
		return SS_ERR_INVALID;
	r = hpke_seal_stream_end(s->hs);
	free(s);
	return r;
}

void
sealed_stream_free(struct sealed_stream *s)
{
	if (s == NULL)
		return;
	hpke_seal_stream_free(s->hs);
	free(s);
}

int
sealed_seal_k(const uint8_t *d, const char *sender, const char *recipient,
    const uint64_t *values, size_t L, const struct hpke_key *skS,
    const uint8_t pkR[HPKE_KEY_LEN], uint8_t *out, size_t out_len)
{
	struct sealed_stream *s;
	int r;

	if (values == NULL && L > 0)
		return SS_ERR_INVALID;
	if ((r = sealed_stream_begin(d, sender, recipient, L, skS, pkR, out,
	    out_len, &s)) != SS_OK)
		return r;
	if ((r = sealed_stream_add(s, values, L)) != SS_OK) {
		sealed_stream_free(s);
		return r;
	}
	return sealed_stream_end(s);
}

int
sealed_open_k(const uint8_t *d, const char *sender, const char *recipient,
    size_t L, const struct hpke_key *skR, const uint8_t pkS[HPKE_KEY_LEN],
    const uint8_t *in, size_t in_len, uint64_t *values)
{
	uint8_t info[INFO_MAX], *pt;
	size_t info_len, i;
	uint64_t v, bad = 0;
	int r;

	if ((r = prepare(d, sender, recipient, L, values != NULL &&
	    skR != NULL && pkS != NULL && in != NULL, in_len, info,
	    &info_len)) != SS_OK)
		return r;

	/*
	 * values has exactly the plaintext's size, so decrypt straight into
	 * it and decode each element where it lies: the plaintext then never
	 * exists outside the caller's output, and we allocate nothing. Each
	 * element's 8 bytes are read before the same 8 bytes are rewritten.
	 */
	pt = (uint8_t *)values;
	if ((r = hpke_open_auth_k(skR, pkS, info, info_len, NULL, 0, in,
	    in_len, pt, L * ELEM_LEN)) != SS_OK)
		goto out;
	for (i = 0; i < L; i++) {
		v = buf_load_u64(pt + i * ELEM_LEN);
		values[i] = v;
		bad |= v >= FIELD_P;
	}
	/*
	 * An authentic element >= p means a buggy or malicious sender, who
	 * holds a valid key. The vector as a whole is then unusable.
	 */
	if (bad)
		r = SS_ERR_RANGE;
 out:
	if (r != SS_OK)
		OPENSSL_cleanse(values, L * ELEM_LEN);
	return r;
}

/*
 * The raw-key calls' one path: a key object of the party's own raw key sk
 * for the one call, then seal = 1 seals values into out, seal = 0 opens in
 * into opened. The arguments are checked by the _k functions, except the
 * key itself.
 */
static int
raw_key_call(int seal, const uint8_t sk[HPKE_KEY_LEN], const uint8_t *d,
    const char *sender, const char *recipient, size_t L,
    const uint8_t pk[HPKE_KEY_LEN], const uint64_t *values, uint8_t *out,
    size_t out_len, const uint8_t *in, size_t in_len, uint64_t *opened)
{
	struct hpke_key *key;
	int r;

	if (sk == NULL)
		return SS_ERR_INVALID;
	if ((r = hpke_key_new(sk, &key)) != SS_OK)
		return r;
	r = seal ? sealed_seal_k(d, sender, recipient, values, L, key, pk, out,
	    out_len) : sealed_open_k(d, sender, recipient, L, key, pk, in,
	    in_len, opened);
	hpke_key_free(key);
	return r;
}

int
sealed_seal(const uint8_t *d, const char *sender, const char *recipient,
    const uint64_t *values, size_t L, const uint8_t skS[HPKE_KEY_LEN],
    const uint8_t pkR[HPKE_KEY_LEN], uint8_t *out, size_t out_len)
{
	return raw_key_call(1, skS, d, sender, recipient, L, pkR, values, out,
	    out_len, NULL, 0, NULL);
}

int
sealed_open(const uint8_t *d, const char *sender, const char *recipient,
    size_t L, const uint8_t skR[HPKE_KEY_LEN], const uint8_t pkS[HPKE_KEY_LEN],
    const uint8_t *in, size_t in_len, uint64_t *values)
{
	return raw_key_call(0, skR, d, sender, recipient, L, pkS, NULL, NULL, 0,
	    in, in_len, values);
}
