/*
 * budget.c: the server-wide memory budget; see budget.h. Plain counters:
 * the loop is single-threaded and every charge is given back by whoever
 * took it.
 */
#include <stddef.h>

#include "budget.h"

void
budget_init(struct budget *b, uint64_t limit, const uint64_t *held)
{
	b->limit = limit;
	b->used = 0;
	b->held = held;
	b->held_too = NULL;
}

void
budget_count_also(struct budget *b, const uint64_t *more)
{
	b->held_too = more;
}

/* a + b, or UINT64_MAX past it. */
static uint64_t
sum(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t
budget_total(const struct budget *b)
{
	uint64_t held = b->held != NULL ? *b->held : 0;

	if (b->held_too != NULL)
		held = sum(held, *b->held_too);
	return sum(held, b->used);
}

int
budget_fits(const struct budget *b, uint64_t n)
{
	uint64_t total;

	if (b->limit == 0)
		return 1;
	total = budget_total(b);
	return total <= b->limit && n <= b->limit - total;
}

int
budget_take(struct budget *b, uint64_t n)
{
	if (!budget_fits(b, n) || n > UINT64_MAX - b->used)
		return SS_ERR_EXHAUSTED;
	b->used += n;
	return SS_OK;
}

void
budget_force(struct budget *b, uint64_t n)
{
	b->used = n > UINT64_MAX - b->used ? UINT64_MAX : b->used + n;
}

uint64_t
budget_answer_cost(uint64_t copied, uint64_t refs)
{
	/* A block at each reference, one after, and one per full block. */
	uint64_t cap = UINT64_MAX / BUDGET_PIECE_COST / 4, pieces;

	if (refs > cap || copied / BUDGET_ANSWER_BLOCK > cap)
		return UINT64_MAX;
	pieces = 2 * refs + 1 + copied / BUDGET_ANSWER_BLOCK;
	return copied > UINT64_MAX - pieces * BUDGET_PIECE_COST ? UINT64_MAX :
	    copied + pieces * BUDGET_PIECE_COST;
}

void
budget_give(struct budget *b, uint64_t n)
{
	b->used = n < b->used ? b->used - n : 0;
}
