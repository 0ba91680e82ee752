/*
 * frame_in.c: a large frame read into its own buffer, charged to the
 * memory budget and to its sender as it grows. See frame_in.h.
 */
#include <stdlib.h>
#include <string.h>

#include "frame_in.h"

/* The sender's use (quota.h), made if need be; NULL when out of memory. */
static struct quota_use *
sender_use(const struct frame_payer *p)
{
	return quota_get(p->quotas, p->sender);
}

enum frame_over
frame_in_fits(const struct frame_payer *p, uint64_t n)
{
	uint64_t max = p->max_bytes;
	const struct quota_use *u = sender_use(p);

	if (u == NULL)
		return FRAME_OVER_BUDGET;       /* out of memory */
	if (n > max || u->bytes > max - n || u->frames > max - n - u->bytes)
		return FRAME_OVER_PARTY;
	return budget_fits(p->budget, n) ? FRAME_FITS : FRAME_OVER_BUDGET;
}

/* Charges n bytes of the sender's frame if they fit; else says which limit. */
static enum frame_over
frame_charge(const struct frame_payer *p, uint64_t n)
{
	enum frame_over o = frame_in_fits(p, n);
	struct quota_use *u;

	if (o != FRAME_FITS)
		return o;
	if (budget_take(p->budget, n) != SS_OK)
		return FRAME_OVER_BUDGET;
	/* Found by frame_in_fits: no entry is added, none can fail. */
	if ((u = sender_use(p)) != NULL)
		u->frames += n;
	return FRAME_FITS;
}

static void
frame_uncharge(const struct frame_payer *p, uint64_t n)
{
	struct quota_use *u;

	if (n == 0)
		return;
	budget_give(p->budget, n);
	if ((u = sender_use(p)) != NULL)
		u->frames = n < u->frames ? u->frames - n : 0;
}

void
frame_in_drop(struct frame_in *f, const struct frame_payer *p)
{
	frame_uncharge(p, f->cap);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

int
frame_in_start(struct frame_in *f, const struct frame_payer *p, size_t len,
    enum frame_over *over)
{
	size_t cap = len < FRAME_IN_FIRST_CAP ? len : FRAME_IN_FIRST_CAP;

	if ((*over = frame_charge(p, cap)) != FRAME_FITS)
		return SS_ERR_EXHAUSTED;
	if ((f->data = malloc(cap)) == NULL) {
		frame_uncharge(p, cap);
		return SS_ERR_ALLOC;
	}
	f->len = len;
	f->have = 0;
	f->cap = cap;
	return SS_OK;
}

int
frame_in_fill(struct frame_in *f, const struct frame_payer *p,
    struct evbuffer *in, enum frame_over *over)
{
	size_t avail = evbuffer_get_length(in), want = f->len - f->have, cap;
	uint8_t *q;
	int n;

	if (avail > want)
		avail = want;
	if (f->have + avail > f->cap) {
		for (cap = f->cap; cap < f->have + avail; cap *= 2)
			;
		if (cap > f->len)
			cap = f->len;
		if ((*over = frame_charge(p, cap - f->cap)) != FRAME_FITS)
			return SS_ERR_EXHAUSTED;
		if ((q = realloc(f->data, cap)) == NULL) {
			frame_uncharge(p, cap - f->cap);
			return SS_ERR_ALLOC;
		}
		f->data = q;
		f->cap = cap;
	}
	if (avail > 0) {
		if ((n = evbuffer_remove(in, f->data + f->have, avail)) < 0 ||
		    (size_t)n != avail)
			return SS_ERR_ALLOC;
		f->have += avail;
	}
	return SS_OK;
}

int
frame_in_whole(const struct frame_in *f)
{
	return f->have == f->len;
}

void
frame_in_take(struct frame_in *f, const struct frame_payer *p,
    uint8_t **data, size_t *len)
{
	*data = f->data;
	*len = f->len;
	frame_uncharge(p, f->cap);
	memset(f, 0, sizeof(*f));
}
