/*
 * bigmem.h: large blocks of memory that are cheap to fill for the first time.
 *
 * On the machine kind the project ran on until 2026-12-06 (a "pvm"
 * hypervisor) the first touch of fresh anonymous memory is dear: ~280 MB/s
 * with 4 KiB pages, against ~22 GB/s for memory already touched and up to
 * ~9.6 GB/s with transparent huge pages (on the KVM kind of 2026-12-07 the
 * warm pool still doubles upload per server CPU: docs/BENCHMARKS.md 6.8).
 * A block of BIGMEM_MAPPED_MIN bytes or more is therefore mapped
 * on its own, its data starting on a 2 MiB boundary, and advised
 * MADV_HUGEPAGE (a kernel without it, or with THP off, gives 4 KiB pages:
 * the block works the same, only slower to fill). A smaller block comes
 * from malloc, which reuses memory already touched. Either way the caller
 * sees one kind of pointer and frees it with bigmem_free.
 *
 * A block can be reserved larger than it is usable: the address space of
 * `max` bytes is taken at once (PROT_NONE: neither committed nor resident),
 * and the block is grown within it without a copy or a move
 * (bigmem_resize), so that memory is made usable, and can become resident,
 * only as it is needed. bigmem_mapped says how much can be resident, which
 * is what a memory budget should be charged.
 *
 * Each 2 MiB extent of a mapped block becomes one huge page when first
 * touched, if the usable part covers it whole; a caller that must not pin
 * 2 MiB for a few bytes grows the block by whole extents only when their
 * data is at hand (server/frame_in.c does).
 *
 * A process can keep a pool of memory already touched (bigmem_pool_init):
 * a mapped block growing by whole extents then takes them from it, moved
 * into place (mremap: page tables move, no byte is copied or faulted), and
 * a freed or shrunk block's whole extents go back to it, zeroed. Memory in
 * the pool stays resident: it is for a server whose memory budget is its
 * to use, on machines where a first touch costs more than the work done
 * with the memory.
 *
 * With BIGMEM_WIPE the bytes given back (by bigmem_free, or by a shrinking
 * bigmem_resize) are cleansed first, for blocks that hold secrets.
 */
#ifndef SS_BIGMEM_H
#define SS_BIGMEM_H

#include <stddef.h>

#include "err.h"

#define BIGMEM_WIPE             1u      /* cleanse what is given back */

/* A block reserved with this many bytes or more is mapped on its own. */
#define BIGMEM_MAPPED_MIN       ((size_t)1 << 20)

/* The size (and alignment) of the extents of a mapped block. */
#define BIGMEM_EXTENT           ((size_t)2 << 20)

/*
 * A block of len usable bytes, growable up to max (len <= max; a mapped
 * block's max is rounded up to a page) in place; flags: 0 or BIGMEM_WIPE. Its contents are not set (a new mapping reads
 * as zeros). NULL, errno set, when out of memory or len > max.
 */
void *bigmem_reserve(size_t max, size_t len, unsigned flags);

/* bigmem_reserve(len, len, flags). */
void *bigmem_alloc(size_t len, unsigned flags);

/*
 * Sets p's usable length to len, its contents kept up to the lesser of
 * both: up to its max, in place; below its current length, the max becomes
 * len (for a mapped block, len rounded up to a page) and a mapped block's
 * whole pages beyond it go back to the system (a malloc'd block keeps its
 * memory). SS_OK, SS_ERR_TOO_LARGE (len over the max; nothing
 * changed) or SS_ERR_ALLOC (the system refused; nothing changed).
 */
int bigmem_resize(void *p, size_t len);

/* p's usable length. */
size_t bigmem_len(const void *p);

/* p's max: what it can grow to in place. */
size_t bigmem_max(const void *p);

/*
 * The bytes of memory p can hold resident now: its usable length rounded
 * up to pages, with its header (for a malloc'd block, its max and header).
 */
size_t bigmem_mapped(const void *p);

/*
 * What bigmem_mapped(p) would be after growing p to len (len <= its max):
 * the charge to take before bigmem_resize.
 */
size_t bigmem_mapped_at(const void *p, size_t len);

/* Whether p is mapped on its own (else it came from malloc). */
int bigmem_is_mapped(const void *p);

/* A block of len bytes holding a copy of src; NULL when out of memory. */
void *bigmem_dup(const void *src, size_t len, unsigned flags);

/* Frees p (NULL: nothing), wiped first if it was made with BIGMEM_WIPE. */
void bigmem_free(void *p);

/*
 * Makes the pool: bytes (rounded down to whole extents) of memory touched
 * now, zero-filled, kept for mapped blocks from then on, and room for as
 * many extents given back. Once per process, before any other thread uses
 * bigmem. SS_ERR_ALLOC (errno set) if the memory cannot be had; SS_ERR_INVALID
 * for a second call.
 */
int bigmem_pool_init(size_t bytes) SS_WUR;

/* Bytes of touched memory the pool holds now; and its size (none: 0). */
size_t bigmem_pool_held(void);
size_t bigmem_pool_size(void);

#endif
