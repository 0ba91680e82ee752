/*
 * strtab.h: what the server's open-addressing tables keyed by a string
 * share (quota.c by identity, session_index.c by session id): the keyed
 * hash that places a string and the linear probe that finds it. Their keys
 * are chosen by whoever holds a certificate, so the hash is SipHash-2-4
 * under a key drawn at start: a caller who cannot learn the key cannot
 * choose strings that collide and bring lookups back to a scan. Each table
 * keeps its own slots (entries by value, or pointers) and its own growth.
 */
#ifndef SS_STRTAB_H
#define SS_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A fresh random hash key: SS_OK or SS_ERR_CRYPTO. */
SS_WUR int strtab_key_new(uint64_t key[2]);
/* Wipes a hash key, as the table it keyed goes. */
void strtab_key_wipe(uint64_t key[2]);
/* A table's end: its slots freed and its key wiped. */
void strtab_release(void *slots, uint64_t key[2]);

/* SipHash-2-4 of msg under key. */
uint64_t strtab_siphash(const uint64_t key[2], const uint8_t *msg,
    size_t len);

/* Where s's probe starts in a table of cap slots (a power of two, > 0). */
size_t strtab_home(const uint64_t key[2], const char *s, size_t cap);

/* The slot after i, wrapping at cap (a power of two). */
static inline size_t
strtab_next(size_t i, size_t cap)
{
	return (i + 1) & (cap - 1);
}

/* The string keying slot i of slots, or NULL when slot i is empty. */
typedef const char *(*strtab_key_of)(const void *slots, size_t i);

/*
 * The slot of slots (cap > 0 of them, at least one empty) whose string is
 * s, or the empty slot that ends s's probe, where s would go.
 */
size_t strtab_probe(const uint64_t key[2], const void *slots, size_t cap,
    strtab_key_of key_of, const char *s);

/*
 * Room for one more entry in a table of *cap slots of size bytes, used of
 * them taken (key_of NULL on an empty slot, all zero bytes), at most half
 * full: slots when it has room, else a new array of slots (doubled from 16
 * as often as needed, *cap set) holding every entry placed again, the old
 * one freed. NULL when out of memory, the table unchanged.
 */
SS_WUR void *strtab_make_room(void *slots, size_t *cap, size_t used,
    size_t size, const uint64_t key[2], strtab_key_of key_of);

/*
 * Empties slot i of such a table (its entry already let go) and moves the
 * later entries of its probe run back over the hole, so that no tombstone
 * is left: an entry stays where it is when its home lies cyclically in
 * (hole, its slot], where a probe finds it without the move.
 */
void strtab_remove(void *slots, size_t cap, size_t size, size_t i,
    const uint64_t key[2], strtab_key_of key_of);

#endif
