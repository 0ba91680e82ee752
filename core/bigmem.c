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
 */
#include <errno.h>
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

/* Shrinks a mapped block to len: its whole pages beyond len unmapped. */
static int
mapped_shrink(struct bigmem_head *h, uint8_t *data, size_t len)
{
	size_t keep = round_up(len, page_size());

	if (keep < h->max && munmap(data + keep, h->max - keep) != 0)
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
	size_t room;

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
	(void)munmap((uint8_t *)p - page_size(), page_size() + room);
}
