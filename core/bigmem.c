/*
 * bigmem.c: large blocks mapped on their own, 2 MiB-aligned and advised
 * huge pages, small ones from malloc, both behind one header. See bigmem.h.
 *
 * A mapped block is one mapping: a page ending with its header, then the data,
 * whose first byte is on a 2 MiB boundary so that every whole extent of it
 * can be a huge page (the header's page lies in the extent before, and is
 * the only 4 KiB page touched before the data). The data region is mapped
 * PROT_NONE for its max and made readable and writable as it grows. Both
 * kinds keep their header in the HEAD_SIZE bytes right before the data.
 *
 * The pool is one reservation of slots an extent each, each either
 * PROT_NONE (empty) or holding an extent touched and zero (full). An
 * extent moves between a slot and a block with mremap(MREMAP_FIXED), which
 * replaces what is at the destination; a slot emptied is reserved again at
 * once (MAP_FIXED_NOREPLACE), so that no other mapping can land where a
 * later extent will be moved. A block's address range left empty by an
 * extent moved out is never unmapped again, for the same reason: the block
 * is unmapped piece by piece around it. A move that fails may have
 * unmapped its destination already (mremap does that first): the
 * destination is reserved again before the lock is let go.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bigmem.h"

#define BIGMEM_MAGIC    0x6269676d656d3031ull    /* "bigmem01" */
#define HEAD_SIZE       ((size_t)64)             /* a malloc'd block's header */

struct bigmem_head {
	uint64_t magic;
	size_t max;             /* usable bytes it can grow to in place */
	size_t len;             /* usable bytes now */
	size_t held;            /* malloc'd: bytes allocated; mapped: data bytes
	                           readable and writable (len rounded to pages) */
	unsigned flags;
	int mapped;             /* 1: a mapping of its own */
};

_Static_assert(sizeof(struct bigmem_head) <= HEAD_SIZE, "header fits");

static size_t
page_size(void)
{
	static size_t pg;
	long v;

	if (pg == 0)
		pg = (v = sysconf(_SC_PAGESIZE)) > 0 ? (size_t)v : 4096;
	return pg;
}

/* n rounded up to a multiple of the power of two a; 0 on overflow. */
static size_t
round_up(size_t n, size_t a)
{
	if (n > SIZE_MAX - (a - 1))
		return 0;
	return (n + a - 1) & ~(a - 1);
}

/* The header of p; a pointer bigmem did not make is a bug: abort. */
static struct bigmem_head *
head_of(const void *p)
{
	/* The header is writable: only the caller's view of the block is const. */
	struct bigmem_head *h =
	    (struct bigmem_head *)(void *)((uint8_t *)(void *)p - HEAD_SIZE);

	if (h->magic != BIGMEM_MAGIC)
		abort();
	return h;
}

static void *
malloc_block(size_t max, size_t len, unsigned flags)
{
	struct bigmem_head *h;

	if (max > SIZE_MAX - HEAD_SIZE || (h = malloc(HEAD_SIZE + max)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(h, 0, HEAD_SIZE);
	h->magic = BIGMEM_MAGIC;
	h->max = max;
	h->len = len;
	h->held = HEAD_SIZE + max;
	h->flags = flags;
	return (uint8_t *)h + HEAD_SIZE;
}

/*
 * Maps total bytes (PROT_NONE) whose byte at offset pg lies on a 2 MiB
 * boundary: the base of the mapping, or NULL.
 */
#define ANON_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

static uint8_t *
map_aligned(size_t total, size_t pg)
{
	uint8_t *raw, *data, *end;

	if (total > SIZE_MAX - BIGMEM_EXTENT)
		return NULL;
	/* An anonymous mapping takes fd -1 (cppcheck's posix model wants >= 0). */
	/* cppcheck-suppress invalidFunctionArg */
	raw = mmap(NULL, total + BIGMEM_EXTENT, PROT_NONE, ANON_FLAGS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	data = raw + (round_up((uintptr_t)raw + pg, BIGMEM_EXTENT) -
	    (uintptr_t)raw);
	end = raw + total + BIGMEM_EXTENT;
	/* Give back what lies before the header's page and after the block. */
	if (data - pg > raw)
		(void)munmap(raw, (size_t)(data - pg - raw));
	if (end > data - pg + total)
		(void)munmap(data - pg + total, (size_t)(end - (data - pg + total)));
	return data - pg;
}

/* ---- the pool of touched extents ---------------------------------------- */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  /* Linux 5.14; older kernels refuse it */
#endif

static struct {
	pthread_mutex_t lock;
	uint8_t *base;          /* nslots extents, the first on a 2 MiB boundary */
	size_t nslots;
	size_t *full;           /* indexes of the slots holding an extent */
	size_t nfull;
	size_t *empty;          /* indexes of the slots reserved PROT_NONE */
	size_t nempty;
} pool = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0, NULL, 0 };

static uint8_t *map_aligned(size_t total, size_t pg);

/* Touches the len bytes at p (readable and writable) so that they are resident. */
static void
touch(uint8_t *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE) != 0)
		memset(p, 0, len);
}

int
bigmem_pool_init(size_t bytes)
{
	size_t n = bytes / BIGMEM_EXTENT, i;

	if (pool.base != NULL)
		return SS_ERR_INVALID;
	if (n == 0)
		return SS_OK;
	if ((pool.full = calloc(n, sizeof(size_t))) == NULL ||
	    (pool.empty = calloc(n, sizeof(size_t))) == NULL ||
	    (pool.base = map_aligned(n * BIGMEM_EXTENT, 0)) == NULL ||
	    mprotect(pool.base, n * BIGMEM_EXTENT, PROT_READ | PROT_WRITE) != 0) {
		if (pool.base != NULL)
			(void)munmap(pool.base, n * BIGMEM_EXTENT);
		free(pool.full);
		free(pool.empty);
		pool.base = NULL;
		pool.full = pool.empty = NULL;
		errno = ENOMEM;
		return SS_ERR_ALLOC;
	}
	(void)madvise(pool.base, n * BIGMEM_EXTENT, MADV_HUGEPAGE);
	touch(pool.base, n * BIGMEM_EXTENT);
	for (i = 0; i < n; i++)
		pool.full[i] = n - 1 - i;       /* taken from the lowest up */
	pool.nslots = pool.nfull = n;
	return SS_OK;
}

size_t
bigmem_pool_held(void)
{
	size_t n;

	pthread_mutex_lock(&pool.lock);
	n = pool.nfull;
	pthread_mutex_unlock(&pool.lock);
	return n * BIGMEM_EXTENT;
}

size_t
bigmem_pool_size(void)
{
	return pool.nslots * BIGMEM_EXTENT;
}

/*
 * Reserves the extent at p, PROT_NONE, where nothing is mapped: 1 if it
 * is reserved now, else 0 with errno (EEXIST: something is mapped there).
 */
static int
reserve_extent(uint8_t *p)
{
	/* cppcheck-suppress invalidFunctionArg */
	void *r = mmap(p, BIGMEM_EXTENT, PROT_NONE, ANON_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);

	if (r == MAP_FAILED)
		return 0;
	if (r != p) {           /* a kernel that took it as a hint */
		(void)munmap(r, BIGMEM_EXTENT);
		errno = EINVAL;
		return 0;
	}
	/* cppcheck-suppress memleak */
	return 1;
}

/*
 * After a failed move to dest: mremap with MREMAP_FIXED unmaps the
 * destination before it moves and can fail after, so dest may be a hole
 * now, which must be reserved again before another mapping lands in it.
 * 1 if dest is reserved (still, or again).
 */
static int
keep_reserved(uint8_t *dest)
{
	return reserve_extent(dest) || errno == EEXIST;
}

/*
 * Moves an extent from a full slot to at (take), or from at to an empty
 * slot, zeroed first (put): 1, or 0 when there is no such slot or the move
 * failed. A slot left empty and unreserved is dropped from the pool; a
 * block's range left so would be unmapped with the block whatever had come
 * to lie there, so the process stops instead (only when the kernel refuses
 * both the move and a one-extent mapping: vm.max_map_count reached).
 */
static int
pool_move(uint8_t *at, int take)
{
	size_t *from = take ? pool.full : pool.empty;
	size_t *nfrom = take ? &pool.nfull : &pool.nempty;
	uint8_t *slot;
	int moved = 0;
	size_t i;

	pthread_mutex_lock(&pool.lock);
	if (*nfrom > 0) {
		i = from[*nfrom - 1];
		slot = pool.base + i * BIGMEM_EXTENT;
		if (!take)      /* what the block held does not go with it */
			memset(at, 0, BIGMEM_EXTENT);
		if (mremap(take ? slot : at, BIGMEM_EXTENT, BIGMEM_EXTENT,
		    MREMAP_MAYMOVE | MREMAP_FIXED, take ? at : slot) != MAP_FAILED) {
			(*nfrom)--;
			moved = 1;
			if (!take)
				pool.full[pool.nfull++] = i;
			else if (reserve_extent(slot))
				pool.empty[pool.nempty++] = i;
		} else if (!keep_reserved(take ? at : slot)) {
			if (take)
				abort();
			(*nfrom)--;     /* the empty slot is lost */
		}
	}
	pthread_mutex_unlock(&pool.lock);
	return moved;
}

/*
 * A block's data growing from from to to bytes usable: each whole extent
 * of it taken from the pool while it has some (the rest is made readable
 * and writable by the caller and faults in when touched).
 */
static void
pool_fill(uint8_t *data, size_t from, size_t to)
{
	size_t o;

	if (pool.nslots == 0 || from > to)
		return;
	for (o = round_up(from, BIGMEM_EXTENT); o <= to && to - o >= BIGMEM_EXTENT;
	    o += BIGMEM_EXTENT)
		if (!pool_move(data + o, 1))
			break;
}

/*
 * Gives back [from, to) of a block's data, of which the first rw bytes are
 * readable and writable: its whole extents within those to the pool,
 * zeroed, while it has room; the rest unmapped, around them. *moved: the
 * extents that went to the pool. SS_ERR_ALLOC if an unmap failed (with
 * none moved, nothing changed then).
 */
static int
release(uint8_t *data, size_t from, size_t to, size_t rw, size_t *moved)
{
	size_t o = round_up(from, BIGMEM_EXTENT), piece = from;
	size_t end = rw < to ? rw : to;
	int rc = SS_OK;

	*moved = 0;
	for (; pool.nslots > 0 && o <= end && end - o >= BIGMEM_EXTENT;
	    o += BIGMEM_EXTENT) {
		if (!pool_move(data + o, 0))
			break;
		(*moved)++;
		/* A piece left mapped costs address space, not the block. */
		if (o > piece && munmap(data + piece, o - piece) != 0)
			rc = SS_ERR_ALLOC;
		piece = o + BIGMEM_EXTENT;
	}
	if (to > piece && munmap(data + piece, to - piece) != 0)
		rc = SS_ERR_ALLOC;
	return rc;
}

static void *
mapped_block(size_t max, size_t len, unsigned flags)
{
	size_t pg = page_size(), room = round_up(max, pg), held = round_up(len, pg);
	struct bigmem_head *h;
	uint8_t *base;

	if (room == 0 || room > SIZE_MAX - pg || (base = map_aligned(pg + room, pg)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* Without THP (or madvise) the block gets 4 KiB pages: slower, still right. */
	(void)madvise(base + pg, room, MADV_HUGEPAGE);
	pool_fill(base + pg, 0, held);
	if (mprotect(base, pg + held, PROT_READ | PROT_WRITE) != 0) {
		(void)munmap(base, pg + room);
		errno = ENOMEM;
		return NULL;
	}
	h = (struct bigmem_head *)(void *)(base + pg - HEAD_SIZE);
	memset(h, 0, HEAD_SIZE);
	h->magic = BIGMEM_MAGIC;
	h->max = room;
	h->len = len;
	h->held = held;
	h->flags = flags;
	h->mapped = 1;
	return base + pg;
}

void *
bigmem_reserve(size_t max, size_t len, unsigned flags)
{
	if (len > max) {
		errno = EINVAL;
		return NULL;
	}
	if (max >= BIGMEM_MAPPED_MIN)
		return mapped_block(max, len, flags);
	return malloc_block(max, len, flags);
}

void *
bigmem_alloc(size_t len, unsigned flags)
{
	return bigmem_reserve(len, len, flags);
}

void *
bigmem_dup(const void *src, size_t len, unsigned flags)
{
	void *p = bigmem_alloc(len, flags);

	if (p != NULL && len > 0)
		memcpy(p, src, len);
	return p;
}

/*
 * Shrinks a mapped block to len: its whole pages beyond len given back (to
 * the pool, or unmapped). Once an extent has gone to the pool the range
 * beyond len is no longer the block's, so it is shrunk whatever else
 * fails; a piece then left mapped stays until the process ends.
 */
static int
mapped_shrink(struct bigmem_head *h, uint8_t *data, size_t len)
{
	size_t keep = round_up(len, page_size()), moved = 0;

	if (keep < h->max && release(data, keep, h->max, h->held, &moved) !=
	    SS_OK && moved == 0)
		return SS_ERR_ALLOC;
	h->max = keep;
	if (h->held > keep)
		h->held = keep;
	return SS_OK;
}

int
bigmem_resize(void *p, size_t len)
{
	struct bigmem_head *h = head_of(p);
	uint8_t *data = p;
	size_t want;

	if (len > h->max)
		return SS_ERR_TOO_LARGE;
	if (len < h->len) {
		if (h->flags & BIGMEM_WIPE)
			OPENSSL_cleanse(data + len, h->len - len);
		if (h->mapped && mapped_shrink(h, data, len) != SS_OK)
			return SS_ERR_ALLOC;
		if (!h->mapped)
			h->max = len;
	} else if (h->mapped && (want = round_up(len, page_size())) > h->held) {
		pool_fill(data, h->held, want);
		if (mprotect(data + h->held, want - h->held,
		    PROT_READ | PROT_WRITE) != 0)
			return SS_ERR_ALLOC;
		h->held = want;
	}
	h->len = len;
	return SS_OK;
}

size_t
bigmem_len(const void *p)
{
	return head_of(p)->len;
}

size_t
bigmem_max(const void *p)
{
	return head_of(p)->max;
}

size_t
bigmem_mapped(const void *p)
{
	const struct bigmem_head *h = head_of(p);

	return h->mapped ? page_size() + h->held : h->held;
}

size_t
bigmem_mapped_at(const void *p, size_t len)
{
	const struct bigmem_head *h = head_of(p);
	size_t want;

	if (!h->mapped)
		return h->held;
	want = round_up(len, page_size());
	return page_size() + (want > h->held ? want : h->held);
}

int
bigmem_is_mapped(const void *p)
{
	return head_of(p)->mapped;
}

void
bigmem_free(void *p)
{
	struct bigmem_head *h;
	size_t room, rw, moved;

	if (p == NULL)
		return;
	h = head_of(p);
	if (h->flags & BIGMEM_WIPE)
		OPENSSL_cleanse(p, h->len);
	h->magic = 0;
	if (!h->mapped) {
		free(h);
		return;
	}
	room = h->max;
	rw = h->held;
	(void)munmap((uint8_t *)p - page_size(), page_size());     /* h's page */
	(void)release(p, 0, room, rw, &moved);
}
