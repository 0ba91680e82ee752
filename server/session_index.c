/*
 * session_index.c: an open-addressing table (linear probing, at most half
 * full, removal by backward shift, so no tombstones) of session pointers
 * keyed by the session's id. Ids are chosen by clients, so the hash is
 * SipHash-2-4 under a key drawn at start: a caller who cannot learn the key
 * cannot choose ids that collide and bring lookups back to a scan.
 * OpenSSL's LHASH would need a whole struct session as the key of a lookup
 * and offers no way to make room before a change is logged, after which
 * adding must not fail; this table is small enough to read whole.
 * Keyed by NAME parts, equal keys lie in one probe run, found in turn.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "name.h"
#include "session_index.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

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
session_index_siphash(const uint64_t key[2], const uint8_t *msg, size_t len)
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

/* se's key in ix. */
static const char *
key_of(const struct session_index *ix, const struct session *se)
{
	return ix->by_name ? session_id_name(se->p.id) : se->p.id;
}

static size_t
home(const struct session_index *ix, const char *id)
{
	return (size_t)session_index_siphash(ix->key, (const uint8_t *)id,
	    strlen(id)) & (ix->cap - 1);
}

int
session_index_init(struct session_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	if (RAND_bytes((unsigned char *)ix->key, sizeof(ix->key)) != 1)
		return SS_ERR_CRYPTO;
	return SS_OK;
}

void
session_index_free(struct session_index *ix)
{
	free(ix->slot);
	OPENSSL_cleanse(ix->key, sizeof(ix->key));
	memset(ix, 0, sizeof(*ix));
}

/* Places se in the first free slot from its home (the table has one). */
static void
place(struct session_index *ix, struct session *se)
{
	size_t i = home(ix, key_of(ix, se));

	while (ix->slot[i] != NULL)
		i = (i + 1) & (ix->cap - 1);
	ix->slot[i] = se;
}

int
session_index_reserve(struct session_index *ix)
{
	struct session **old = ix->slot;
	size_t i, oldcap = ix->cap, cap = oldcap ? oldcap : 16;

	/* At most half full keeps probe runs short. */
	while ((ix->used + 1) * 2 > cap) {
		/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if (cap > SIZE_MAX / 2 / sizeof(*old))
			return SS_ERR_ALLOC;
		cap *= 2;
	}
	if (cap == oldcap)
		return SS_OK;
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((ix->slot = calloc(cap, sizeof(*old))) == NULL) {
		ix->slot = old;
		return SS_ERR_ALLOC;
	}
	ix->cap = cap;
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			place(ix, old[i]);
	free(old);
	return SS_OK;
}

void
session_index_add(struct session_index *ix, struct session *se)
{
	place(ix, se);
	ix->used++;
}

/*
 * The slot of the first entry from *pos (0: key's home) whose key is key
 * and which is se (NULL: any); cap if none is.
 */
static size_t
slot_from(const struct session_index *ix, const char *key,
    const struct session *se, size_t pos)
{
	size_t i;

	if (ix->cap == 0)
		return 0;
	i = pos == 0 ? home(ix, key) : (pos - 1) & (ix->cap - 1);
	for (; ix->slot[i] != NULL; i = (i + 1) & (ix->cap - 1))
		if ((se == NULL || ix->slot[i] == se) &&
		    strcmp(key_of(ix, ix->slot[i]), key) == 0)
			return i;
	return ix->cap;
}

struct session *
session_index_find(const struct session_index *ix, const char *id)
{
	size_t i = slot_from(ix, id, NULL, 0);

	return i < ix->cap ? ix->slot[i] : NULL;
}

struct session *
session_index_next(const struct session_index *ix, const char *key,
    size_t *pos)
{
	size_t i;

	/* *pos: 1 + the slot after the last found; a full lap ends it. */
	if (*pos > ix->cap || (i = slot_from(ix, key, NULL, *pos)) >= ix->cap) {
		*pos = ix->cap + 1;
		return NULL;
	}
	*pos = ((i + 1) & (ix->cap - 1)) + 1;
	return ix->slot[i];
}

void
session_index_remove(struct session_index *ix, const struct session *se)
{
	size_t i = slot_from(ix, key_of(ix, se), se, 0), j, h,
	    mask = ix->cap - 1;

	if (i >= ix->cap)
		return;
	ix->slot[i] = NULL;
	ix->used--;
	/*
	 * Backward shift: an entry after the hole moves into it unless its
	 * home lies cyclically in (i, j], where it is found without the move.
	 */
	for (j = (i + 1) & mask; ix->slot[j] != NULL; j = (j + 1) & mask) {
		h = home(ix, key_of(ix, ix->slot[j]));
		if (((j - h) & mask) >= ((j - i) & mask)) {
			ix->slot[i] = ix->slot[j];
			ix->slot[j] = NULL;
			i = j;
		}
	}
}
