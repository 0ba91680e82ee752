/*
 * frame_in.c: a large frame read into its own buffer, charged to the
 * memory budget and to its sender as it grows. See frame_in.h.
 */
#include <string.h>

#include "bigmem.h"
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
	bigmem_free(f->data);
	memset(f, 0, sizeof(*f));
}

/*
 * A frame of len bytes is first charged what can wait for it in libevent's
 * buffer before its first extent is taken (a mapped block), or its whole
 * block (a small one, malloc'd at once).
 */
int
frame_in_start(struct frame_in *f, const struct frame_payer *p, size_t len,
    enum frame_over *over)
{
	size_t cap = len < BIGMEM_EXTENT ? len : BIGMEM_EXTENT;

	if ((*over = frame_charge(p, cap)) != FRAME_FITS)
		return SS_ERR_EXHAUSTED;
	f->data = len >= BIGMEM_MAPPED_MIN ? bigmem_reserve(len, 0, 0) :
	    bigmem_alloc(len, 0);
	if (f->data == NULL) {
		frame_uncharge(p, cap);
		return SS_ERR_ALLOC;
	}
	f->len = len;
	f->have = 0;
	f->cap = cap;
	return SS_OK;
}

/*
 * Where the frame's filled part may end with avail more bytes: all of them
 * in a small block; in a mapped one, the last whole extent they complete
 * (or the frame's end), so that no extent is touched before its data is
 * here.
 */
static size_t
fill_end(const struct frame_in *f, size_t avail)
{
	size_t end = f->have + avail;

	if (end == f->len || !bigmem_is_mapped(f->data))
		return end;
	return end & ~(BIGMEM_EXTENT - 1);
}

/* Grows the frame's block to end bytes, charged first. */
static int
frame_grow(struct frame_in *f, const struct frame_payer *p, size_t end,
    enum frame_over *over)
{
	size_t need = bigmem_mapped_at(f->data, end);

	if (need > f->cap) {
		if ((*over = frame_charge(p, need - f->cap)) != FRAME_FITS)
			return SS_ERR_EXHAUSTED;
		f->cap = need;
	}
	return bigmem_resize(f->data, end) == SS_OK ? SS_OK : SS_ERR_ALLOC;
}

int
frame_in_fill(struct frame_in *f, const struct frame_payer *p,
    struct evbuffer *in, enum frame_over *over)
{
	size_t avail = evbuffer_get_length(in), want = f->len - f->have, end;
	int n, rc;

	if (avail > want)
		avail = want;
	if ((end = fill_end(f, avail)) <= f->have)
		return SS_OK;
	if (end > bigmem_len(f->data) &&
	    (rc = frame_grow(f, p, end, over)) != SS_OK)
		return rc;
	avail = end - f->have;
	if ((n = evbuffer_remove(in, f->data + f->have, avail)) < 0 ||
	    (size_t)n != avail)
		return SS_ERR_ALLOC;
	f->have = end;
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
