/*
 * budget.h: the server-wide memory budget (--max-memory). The connections
 * charge what they hold for reading (a fixed charge per connection for its
 * receive and TLS buffers, and each large frame's buffer as it grows); the
 * store's held bytes (shares, sumpoints, statements, certificates) are read
 * from the store and counted too. A charge that does not fit is refused,
 * nothing taken, so the caller refuses the request instead of growing.
 */
#ifndef SS_BUDGET_H
#define SS_BUDGET_H

#include <stdint.h>

#include "err.h"

struct budget {
	uint64_t limit;         /* bytes; 0: no limit */
	uint64_t used;          /* charged by the connections */
	const uint64_t *held;   /* the store's held bytes (NULL: none yet) */
};

/* An empty budget of limit bytes (0: none), counting *held too. */
void budget_init(struct budget *b, uint64_t limit, const uint64_t *held);

/* Everything counted: the charges and the store's held bytes. */
uint64_t budget_total(const struct budget *b);

/* Whether n more bytes fit. */
int budget_fits(const struct budget *b, uint64_t n);

/* Charges n bytes: SS_OK, or SS_ERR_EXHAUSTED with nothing charged. */
int budget_take(struct budget *b, uint64_t n) SS_WUR;

/* Gives back n bytes charged before (never below zero). */
void budget_give(struct budget *b, uint64_t n);

#endif
