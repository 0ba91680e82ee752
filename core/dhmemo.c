/*
 * dhmemo.c: the table of dhmemo.h, open addressing with linear probing,
 * grown by doubling at half full.
 *
 * The keys are public keys that our CA certified, but a peer chooses its
 * own: the slot of a key is a hash of all its bytes mixed with a seed drawn
 * at random for each table, so that no peer can aim its key at another's
 * slot. (The values are never compared or chosen by anyone; a lookup
 * compares public keys only.)
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "dhmemo.h"

#define DHMEMO_MAX   ((size_t)1 << 20)
#define DHMEMO_FIRST 16

struct dhmemo_slot {
	uint8_t pk[DHMEMO_KEY_LEN];
	uint8_t dh[DHMEMO_KEY_LEN];
	uint8_t used;
};

int
dhmemo_init(struct dhmemo *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	if (max == 0 || max > DHMEMO_MAX)
		return SS_ERR_INVALID;
	if (RAND_bytes((unsigned char *)m->seed, sizeof(m->seed)) != 1)
		return SS_ERR_CRYPTO;
	m->max = max;
	return SS_OK;
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The first slot to probe for pk in a table of cap slots (a power of 2). */
static size_t
slot_of(const struct dhmemo *m, const uint8_t pk[DHMEMO_KEY_LEN], size_t cap)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		h = (h ^ load64(pk + 8 * i) ^ m->seed[i]) *
		    UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
	}
	return (size_t)h & (cap - 1);
}

/* The slot of pk in slots[0..cap): its own, or the free one it would take. */
static struct dhmemo_slot *
find(const struct dhmemo *m, struct dhmemo_slot *slots, size_t cap,
    const uint8_t pk[DHMEMO_KEY_LEN])
{
	size_t i = slot_of(m, pk, cap);

	/* Never full (at most half), so the probe ends. */
	while (slots[i].used && memcmp(slots[i].pk, pk, DHMEMO_KEY_LEN) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

int
dhmemo_get(const struct dhmemo *m, const uint8_t pk[DHMEMO_KEY_LEN],
    uint8_t dh[DHMEMO_KEY_LEN])
{
	const struct dhmemo_slot *s;

	if (m->cap == 0)
		return 0;
	s = find(m, m->slots, m->cap, pk);
	if (!s->used)
		return 0;
	memcpy(dh, s->dh, DHMEMO_KEY_LEN);
	return 1;
}

/* Moves every value into a table twice as large (or the first one). */
static int
grow(struct dhmemo *m)
{
	size_t cap = m->cap ? 2 * m->cap : DHMEMO_FIRST, i;
	struct dhmemo_slot *slots;

	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].used)
			*find(m, slots, cap, m->slots[i].pk) = m->slots[i];
	if (m->slots != NULL) {
		OPENSSL_cleanse(m->slots, m->cap * sizeof(*m->slots));
		free(m->slots);
	}
	m->slots = slots;
	m->cap = cap;
	return SS_OK;
}

int
dhmemo_put(struct dhmemo *m, const uint8_t pk[DHMEMO_KEY_LEN],
    const uint8_t dh[DHMEMO_KEY_LEN])
{
	struct dhmemo_slot *s;
	int r;

	if (m->cap > 0 && (s = find(m, m->slots, m->cap, pk))->used) {
		memcpy(s->dh, dh, DHMEMO_KEY_LEN);
		return SS_OK;
	}
	if (m->n >= m->max)
		return SS_ERR_EXHAUSTED;
	/* Half full at most: probes stay short, and one slot is always free. */
	if (2 * (m->n + 1) > m->cap && (r = grow(m)) != SS_OK)
		return r;
	s = find(m, m->slots, m->cap, pk);
	memcpy(s->pk, pk, DHMEMO_KEY_LEN);
	memcpy(s->dh, dh, DHMEMO_KEY_LEN);
	s->used = 1;
	m->n++;
	return SS_OK;
}

void
dhmemo_clear(struct dhmemo *m)
{
	if (m->slots != NULL) {
		OPENSSL_cleanse(m->slots, m->cap * sizeof(*m->slots));
		free(m->slots);
	}
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}
