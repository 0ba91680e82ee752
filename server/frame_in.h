/*
 * frame_in.h: a large frame read into a buffer of its own as it arrives.
 *
 * A frame of at least FRAME_IN_MIN bytes is moved out of the connection's
 * input buffer into one block (core/bigmem.h), so it is in memory once (not
 * in libevent's chain and again in a contiguous copy) and the store can
 * keep it as the block of shares. The block grows with what arrives, not
 * with what the header announces, and is charged, as it grows, to the
 * memory budget and to its sender's bytes (--max-bytes-per-party counts
 * what it holds and what it is sending), so that one identity cannot take
 * the whole budget with frames it never finishes.
 *
 * A frame of BIGMEM_MAPPED_MIN bytes or more gets a block mapped on its
 * own, whose 2 MiB extents become huge pages when first touched: first
 * touch of fresh memory is what uploads cost most on this machine kind
 * (docs/BENCHMARKS.md 6.3). Such a frame is moved out of libevent's buffer
 * by whole extents only, once the bytes that fill one (or the frame's rest)
 * have arrived, so that a sender never makes the server pin a 2 MiB page
 * for a few bytes. Until then they wait in libevent's buffer, which the
 * frame's first charge (its first extent) covers.
 */
#ifndef SS_FRAME_IN_H
#define SS_FRAME_IN_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "budget.h"
#include "err.h"
#include "quota.h"

#define FRAME_IN_MIN    (64u * 1024)

/* The malloc mmap threshold the server sets (server_run). */
#define FRAME_IN_FIRST_CAP (1024u * 1024)

struct frame_in {
	uint8_t *data;  /* a bigmem block; NULL: no large frame in progress */
	size_t len;     /* the body's length, from its header */
	size_t have;    /* bytes of it received */
	size_t cap;     /* charged against the memory budget */
};

/* Who pays for a frame's buffer: the budget and its sender's quota. */
struct frame_payer {
	struct budget *budget;
	struct quota_table *quotas;
	uint64_t max_bytes;     /* --max-bytes-per-party */
	const char *sender;     /* the identity its certificate names */
};

/* Which limit a frame's growth would pass, if any. */
enum frame_over { FRAME_FITS, FRAME_OVER_PARTY, FRAME_OVER_BUDGET };

/* Which limit n more bytes of the sender's frames would pass, if any. */
enum frame_over frame_in_fits(const struct frame_payer *p, uint64_t n);

/*
 * Starts reading a large frame of len bytes into f, its header already
 * drained: SS_OK, SS_ERR_EXHAUSTED (*over says which limit has no room for
 * its first part) or SS_ERR_ALLOC.
 */
int frame_in_start(struct frame_in *f, const struct frame_payer *p,
    size_t len, enum frame_over *over) SS_WUR;

/*
 * Moves what has arrived in `in` of the frame in progress into its buffer,
 * grown (and charged) as needed: SS_OK, SS_ERR_EXHAUSTED (*over says which
 * limit has no room for the growth; nothing changed) or SS_ERR_ALLOC.
 */
int frame_in_fill(struct frame_in *f, const struct frame_payer *p,
    struct evbuffer *in, enum frame_over *over) SS_WUR;

/* Whether every byte of the frame in progress has arrived. */
int frame_in_whole(const struct frame_in *f);

/*
 * Hands the whole frame over: *data (the caller frees it with
 * bigmem_free) and *len; its
 * charge is given back, and f is empty again.
 */
void frame_in_take(struct frame_in *f, const struct frame_payer *p,
    uint8_t **data, size_t *len);

/* Gives back what the frame in progress is charged, and frees it. */
void frame_in_drop(struct frame_in *f, const struct frame_payer *p);

#endif
