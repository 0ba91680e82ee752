/*
 * dhmemo.h: a small table of X25519 Diffie-Hellman values by the peer's
 * public key, for a private key that meets the same peers twice (see
 * hpke_key_remember). The values are secrets: every slot is wiped when the
 * table grows or goes.
 */
#ifndef SS_CORE_DHMEMO_H
#define SS_CORE_DHMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DHMEMO_KEY_LEN 32      /* a raw X25519 public key, and a DH value */

struct dhmemo_slot;

struct dhmemo {
	struct dhmemo_slot *slots;      /* cap of them, or NULL */
	size_t cap;                     /* 0 or a power of two */
	size_t n;                       /* slots in use */
	size_t max;                     /* at most so many values */
	uint64_t seed[4];               /* spreads the keys over the slots */
};

/*
 * An empty table that will hold up to max values (1 to 2^20). Allocates
 * nothing yet. SS_ERR_INVALID for another max, SS_ERR_CRYPTO if no random
 * seed can be drawn.
 */
int dhmemo_init(struct dhmemo *m, size_t max) SS_WUR;

/* 1 and the value of pk in dh if the table has it, else 0. */
int dhmemo_get(const struct dhmemo *m, const uint8_t pk[DHMEMO_KEY_LEN],
    uint8_t dh[DHMEMO_KEY_LEN]);

/*
 * Adds (or replaces) the value dh of pk. SS_ERR_EXHAUSTED when the table
 * holds max values already, SS_ERR_ALLOC when it cannot grow: the table is
 * unchanged then, and a caller that can compute the value again may go on.
 */
int dhmemo_put(struct dhmemo *m, const uint8_t pk[DHMEMO_KEY_LEN],
    const uint8_t dh[DHMEMO_KEY_LEN]) SS_WUR;

/* Wipes and frees every value; m is an empty table of no capacity after. */
void dhmemo_clear(struct dhmemo *m);

#endif
