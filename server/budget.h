/*
 * budget.h: the server-wide memory budget (--max-memory). The connections
 * charge what they hold for reading (a fixed charge per connection for its
 * receive and TLS buffers, and each large frame's buffer as it grows); the
 * store's held bytes (shares, sumpoints, statements, certificates) are read
 * from the store and counted too, and so are the answers waiting in the
 * output buffers (answer_sink.h). A charge that does not fit is refused,
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
	const uint64_t *held_too;       /* ... and more of them (NULL: none) */
};

/* An empty budget of limit bytes (0: none), counting *held too. */
void budget_init(struct budget *b, uint64_t limit, const uint64_t *held);

/* Counts *more too, as held bytes (the sessions' bookkeeping, say). */
void budget_count_also(struct budget *b, const uint64_t *more);

/* Everything counted: the charges and the store's held bytes. */
uint64_t budget_total(const struct budget *b);

/* Whether n more bytes fit. */
int budget_fits(const struct budget *b, uint64_t n);

/* Charges n bytes: SS_OK, or SS_ERR_EXHAUSTED with nothing charged. */
int budget_take(struct budget *b, uint64_t n) SS_WUR;

/*
 * Charges n bytes whether they fit or not: an answer already made (that of
 * a change, say) must go out. The caller stops taking more meanwhile.
 */
void budget_force(struct budget *b, uint64_t n);

/*
 * What an answer costs in an output buffer (answer_sink.h): its copied
 * bytes, gathered into blocks of at most BUDGET_ANSWER_BLOCK, and a piece
 * for each block and for each reference to bytes a session holds. A piece
 * is mostly libevent's chain: 2.1 allocates 1,024 bytes for every chain,
 * a reference's too (MIN_BUFFER_SIZE); with malloc's headers and the
 * block's own, 1,088. At n = 1,000 a GetShare answer has 2,000 of them.
 */
#define BUDGET_PIECE_COST 1088u
#define BUDGET_ANSWER_BLOCK 16384u
uint64_t budget_answer_cost(uint64_t copied, uint64_t refs);

/* Gives back n bytes charged before (never below zero). */
void budget_give(struct budget *b, uint64_t n);

#endif
