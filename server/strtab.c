/*
 * strtab.c: the keyed hash and the linear probe of the server's
 * string-keyed tables; see strtab.h.
 */
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
