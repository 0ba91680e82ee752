/*
 * strtab.c: the keyed hash and the linear probe of the server's
 * string-keyed tables; see strtab.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "strtab.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

int
strtab_key_new(uint64_t key[2])
{
	if (RAND_bytes((unsigned char *)key, 2 * sizeof(key[0])) != 1)
		return SS_ERR_CRYPTO;
	return SS_OK;
}

void
strtab_key_wipe(uint64_t key[2])
{
	OPENSSL_cleanse(key, 2 * sizeof(key[0]));
}

void
strtab_release(void *slots, uint64_t key[2])
{
	free(slots);
	strtab_key_wipe(key);
}

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static uint64_t
get_le64(const uint8_t *p, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

uint64_t
strtab_siphash(const uint64_t key[2], const uint8_t *msg, size_t len)
{
	uint64_t v[4], m;
	size_t i, full = len - len % 8;

	v[0] = key[0] ^ UINT64_C(0x736f6d6570736575);
	v[1] = key[1] ^ UINT64_C(0x646f72616e646f6d);
	v[2] = key[0] ^ UINT64_C(0x6c7967656e657261);
	v[3] = key[1] ^ UINT64_C(0x7465646279746573);
	for (i = 0; i < full; i += 8) {
		m = get_le64(msg + i, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	m = get_le64(msg + full, len - full) | ((uint64_t)(len & 0xff) << 56);
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

size_t
strtab_home(const uint64_t key[2], const char *s, size_t cap)
{
	return (size_t)strtab_siphash(key, (const uint8_t *)s, strlen(s)) &
	    (cap - 1);
}

size_t
strtab_probe(const uint64_t key[2], const void *slots, size_t cap,
    strtab_key_of key_of, const char *s)
{
	size_t i = strtab_home(key, s, cap);
	const char *k;

	while ((k = key_of(slots, i)) != NULL && strcmp(k, s) != 0)
		i = strtab_next(i, cap);
	return i;
}

void *
strtab_make_room(void *slots, size_t *cap, size_t used, size_t size,
    const uint64_t key[2], strtab_key_of key_of)
{
	const unsigned char *from = slots;
	unsigned char *to;
	size_t i, j, want = *cap ? *cap : 16;
	const char *k;

	while ((used + 1) * 2 > want) {
		if (want > SIZE_MAX / 2 / size)
			return NULL;
		want *= 2;
	}
	if (want == *cap)
		return slots;
	if ((to = calloc(want, size)) == NULL)
		return NULL;
	for (i = 0; i < *cap; i++) {
		if ((k = key_of(from, i)) == NULL)
			continue;
		for (j = strtab_home(key, k, want); key_of(to, j) != NULL;
		    j = strtab_next(j, want))
			;
		memcpy(to + j * size, from + i * size, size);
	}
	free(slots);
	*cap = want;
	return to;
}

void
strtab_remove(void *slots, size_t cap, size_t size, size_t i,
    const uint64_t key[2], strtab_key_of key_of)
{
	unsigned char *s = slots;
	size_t j, h, mask = cap - 1;
	const char *k;

	memset(s + i * size, 0, size);
	for (j = (i + 1) & mask; (k = key_of(s, j)) != NULL; j = (j + 1) & mask) {
		h = strtab_home(key, k, cap);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			memcpy(s + i * size, s + j * size, size);
			memset(s + j * size, 0, size);
			i = j;
		}
	}
}
