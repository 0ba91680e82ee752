/*
 * test_core_bigmem.c: blocks of both kinds keep their bytes through growth
 * and shrinking, say what they map, are 2 MiB-aligned when mapped, give
 * back pages, and use huge pages where the kernel offers them; with the
 * pool, blocks take touched zero extents from it and give theirs back,
 * zeroed, as far as it has room, also under random operations checked
 * against a model, and stay whole when an unmap or a move is refused. The
 * pool's tests run last: it is once a process.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "bigmem.h"
#include "bytes.h"

#define MiB ((size_t)1 << 20)

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static int
same(const uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

/* Whether the page at p is mapped at all (mincore fails with ENOMEM if not). */
static int
page_mapped(const void *p)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char v;
	void *page = (void *)((uintptr_t)p & ~(uintptr_t)(pg - 1));

	return mincore(page, pg, &v) == 0;
}

/*
 * Fault injection (this program is linked with --wrap=munmap,--wrap=mremap):
 * the next munmap or mremap fails as at vm.max_map_count, an mremap to a
 * fixed address after unmapping its destination, as the kernel may.
 */
int __real_munmap(void *p, size_t len);
void *__real_mremap(void *old, size_t old_len, size_t new_len, int flags, ...);
int __wrap_munmap(void *p, size_t len);
void *__wrap_mremap(void *old, size_t old_len, size_t new_len, int flags, ...);
static int fail_munmap, fail_mremap;

int
__wrap_munmap(void *p, size_t len)
{
	if (fail_munmap) {
		fail_munmap = 0;
		errno = ENOMEM;
		return -1;
	}
	return __real_munmap(p, len);
}

void *
__wrap_mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *dest = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		dest = va_arg(ap, void *);
		va_end(ap);
	}
	if (fail_mremap) {
		fail_mremap = 0;
		if (dest != NULL)
			(void)__real_munmap(dest, new_len);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return dest != NULL ? __real_mremap(old, old_len, new_len, flags, dest) :
	    __real_mremap(old, old_len, new_len, flags);
}

static void
test_small_is_malloced(void **state)
{
	uint8_t *p;

	(void)state;
	p = bigmem_reserve(1000, 10, 0);
	assert_non_null(p);
	assert_false(bigmem_is_mapped(p));
	assert_int_equal(bigmem_len(p), 10);
	assert_int_equal(bigmem_max(p), 1000);
	/* A malloc'd block holds its whole max from the start. */
	assert_true(bigmem_mapped(p) >= 1000);
	assert_int_equal(bigmem_resize(p, 1000), SS_OK);
	fill(p, 1000, 3);
	assert_int_equal(bigmem_resize(p, 1001), SS_ERR_TOO_LARGE);
	assert_int_equal(bigmem_resize(p, 100), SS_OK);
	assert_int_equal(bigmem_max(p), 100);
	assert_true(same(p, 100, 3));
	bigmem_free(p);
	bigmem_free(NULL);
	assert_null(bigmem_reserve(10, 11, 0));
}

static void
test_mapped_grows_in_place(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p;

	(void)state;
	p = bigmem_reserve(9 * MiB, 0, 0);
	assert_non_null(p);
	assert_true(bigmem_is_mapped(p));
	assert_int_equal((uintptr_t)p % BIGMEM_EXTENT, 0);
	assert_int_equal(bigmem_len(p), 0);
	/* Reserved, not usable: only the header's page is mapped. */
	assert_int_equal(bigmem_mapped(p), pg);
	assert_int_equal(bigmem_mapped_at(p, 1), 2 * pg);
	assert_int_equal(bigmem_mapped_at(p, 2 * MiB), pg + 2 * MiB);
	assert_int_equal(bigmem_resize(p, 2 * MiB), SS_OK);
	assert_int_equal(bigmem_mapped(p), pg + 2 * MiB);
	fill(p, 2 * MiB, 1);
	assert_int_equal(bigmem_resize(p, 9 * MiB), SS_OK);
	assert_int_equal(bigmem_mapped(p), pg + 9 * MiB);
	fill(p + 2 * MiB, 7 * MiB, 2);
	assert_true(same(p, 2 * MiB, 1));
	assert_true(same(p + 2 * MiB, 7 * MiB, 2));
	assert_int_equal(bigmem_resize(p, 9 * MiB + 1), SS_ERR_TOO_LARGE);
	bigmem_free(p);
}

static void
test_mapped_shrink_gives_back(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p;

	(void)state;
	p = bigmem_alloc(4 * MiB + 100, 0);
	assert_non_null(p);
	fill(p, 4 * MiB + 100, 5);
	assert_true(page_mapped(p + 4 * MiB));
	assert_int_equal(bigmem_resize(p, 4 * MiB), SS_OK);
	assert_int_equal(bigmem_len(p), 4 * MiB);
	assert_int_equal(bigmem_max(p), 4 * MiB);
	assert_int_equal(bigmem_mapped(p), pg + 4 * MiB);
	/* The page past the new end is no longer mapped at all. */
	assert_false(page_mapped(p + 4 * MiB));
	assert_true(same(p, 4 * MiB, 5));
	assert_int_equal(bigmem_resize(p, 4 * MiB + 1), SS_ERR_TOO_LARGE);
	bigmem_free(p);
}

static void
test_dup_and_wipe(void **state)
{
	uint8_t src[300], *p, *q;

	(void)state;
	fill(src, sizeof(src), 9);
	p = bigmem_dup(src, sizeof(src), BIGMEM_WIPE);
	assert_non_null(p);
	assert_true(same(p, sizeof(src), 9));
	/* A shrinking resize cleanses the bytes it gives up. */
	assert_int_equal(bigmem_resize(p, 100), SS_OK);
	q = p + 100;
	assert_true(q[0] == 0 && q[199] == 0);
	assert_true(same(p, 100, 9));
	bigmem_free(p);
	p = bigmem_dup(src, 0, 0);
	assert_non_null(p);
	assert_int_equal(bigmem_len(p), 0);
	bigmem_free(p);
}

/* The kB of huge pages in the mapping that holds p, from /proc/self/smaps. */
static long
anon_huge_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	long kb = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') ==
		    line + strspn(line, "0123456789abcdef"))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* Whether the kernel gives huge pages to madvise'd memory. */
static int
thp_offered(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	return strstr(line, "[always]") != NULL || strstr(line, "[madvise]") != NULL;
}

static void
test_huge_pages(void **state)
{
	uint8_t *p;
	long kb;

	(void)state;
	if (!thp_offered())
		skip();
	p = bigmem_reserve(8 * MiB, 4 * MiB, 0);
	assert_non_null(p);
	memset(p, 1, 4 * MiB);
	kb = anon_huge_kb(p);
	/* Some extents may find no free huge page; none at all is a failure. */
	if (kb == 0)
		fprintf(stderr, "bigmem: no huge page given (fragmented memory?)\n");
	assert_true(kb > 0);
	bigmem_free(p);
}

/* The 8 MiB pool holds all its extents, and lends them out zeroed. */
static void
assert_pool_full_of_zeros(void)
{
	uint8_t *p;

	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	p = bigmem_alloc(8 * MiB, 0);
	assert_non_null(p);
	assert_true(all_zero(p, 8 * MiB));
	bigmem_free(p);
}

static void
test_pool_lends_touched_extents(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(bigmem_pool_size(), 0);
	assert_int_equal(bigmem_pool_init(8 * MiB + 1), SS_OK);
	assert_int_equal(bigmem_pool_init(8 * MiB), SS_ERR_INVALID);
	assert_int_equal(bigmem_pool_size(), 8 * MiB);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	/* Two whole extents come from the pool, touched already; the tail not. */
	p = bigmem_alloc(4 * MiB + 100, BIGMEM_WIPE);
	assert_non_null(p);
	assert_int_equal(bigmem_pool_held(), 4 * MiB);
	assert_true(resident(p, 4 * MiB));
	assert_true(all_zero(p, 4 * MiB + 100));
	fill(p, 4 * MiB + 100, 3);
	q = bigmem_alloc(4 * MiB, 0);
	assert_non_null(q);
	assert_int_equal(bigmem_pool_held(), 0);
	fill(q, 4 * MiB, 4);
	assert_true(same(p, 4 * MiB + 100, 3));
	bigmem_free(p);
	bigmem_free(q);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	/* What the blocks held does not come back with the extents. */
	p = bigmem_alloc(8 * MiB, 0);
	assert_non_null(p);
	assert_int_equal(bigmem_pool_held(), 0);
	assert_true(all_zero(p, 8 * MiB));
	/* With the pool empty a block faults in as before. */
	q = bigmem_alloc(4 * MiB, 0);
	assert_non_null(q);
	fill(q, 4 * MiB, 6);
	assert_true(same(q, 4 * MiB, 6));
	bigmem_free(p);
	bigmem_free(q);
	/* The pool takes back no more than it has room for. */
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
}

static void
test_pool_follows_resizes(void **state)
{
	uint8_t *p;

	(void)state;
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	p = bigmem_reserve(16 * MiB, 0, 0);
	assert_non_null(p);
	/* An extent is taken only when the growth makes all of it usable. */
	assert_int_equal(bigmem_resize(p, MiB), SS_OK);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	assert_int_equal(bigmem_resize(p, 0), SS_OK);
	assert_int_equal(bigmem_resize(p, 2 * MiB + 1), SS_ERR_TOO_LARGE);
	bigmem_free(p);
	p = bigmem_reserve(16 * MiB, 0, 0);
	assert_non_null(p);
	assert_int_equal(bigmem_resize(p, 2 * MiB + 1), SS_OK);
	assert_int_equal(bigmem_pool_held(), 6 * MiB);
	fill(p, 2 * MiB + 1, 8);
	/* [2, 4) MiB is partly usable already: only [4, 6) comes whole. */
	assert_int_equal(bigmem_resize(p, 6 * MiB), SS_OK);
	assert_int_equal(bigmem_pool_held(), 4 * MiB);
	assert_true(all_zero(p + 4 * MiB, 2 * MiB));
	fill(p + 2 * MiB + 1, 4 * MiB - 1, 9);
	/* Shrinking gives back the whole extents past the new end, zeroed. */
	assert_int_equal(bigmem_resize(p, MiB), SS_OK);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	assert_int_equal(bigmem_max(p), MiB);
	assert_true(same(p, MiB, 8));
	assert_false(page_mapped(p + 2 * MiB));
	bigmem_free(p);
	assert_pool_full_of_zeros();
}

/* ---- random operations against a model -------------------------------- */

#define MODEL_BLOCKS    5
#define MODEL_OPS       1500
#define STAMP_EVERY     4096    /* a stamp at each page's start */

struct model_block {
	uint8_t *p;
	size_t len, max;
	uint64_t uid;   /* which block: stamps name it */
};

static uint64_t model_rng = 0x9e3779b97f4a7c15u;

/* xorshift64: the same sequence every run. */
static uint64_t
model_next(void)
{
	model_rng ^= model_rng << 13;
	model_rng ^= model_rng >> 7;
	model_rng ^= model_rng << 17;
	return model_rng;
}

/* A size near an extent's edge (or a small one): where the pool acts. */
static size_t
model_size(void)
{
	size_t ext = (size_t)(model_next() % 6);
	size_t jitter = (size_t)(model_next() % 5);

	switch (jitter) {
	case 0: return ext * BIGMEM_EXTENT;
	case 1: return ext * BIGMEM_EXTENT + 1;
	case 2: return ext > 0 ? ext * BIGMEM_EXTENT - 1 : 100;
	case 3: return (size_t)(model_next() % (12 * MiB));
	default: return (size_t)(model_next() % (2 * MiB));
	}
}

static uint64_t
stamp_of(const struct model_block *b, size_t off)
{
	return b->uid << 32 | (uint64_t)(off / STAMP_EVERY) | (uint64_t)1 << 63;
}

/*
 * Stamps the block grown from from to to bytes: each stamp that did not fit
 * before (one may straddle from). A mapped block's new bytes must read as
 * zeros first.
 */
static int
model_stamp(struct model_block *b, size_t from, size_t to)
{
	size_t off = from < 8 ? 0 :
	    (from - 7 + STAMP_EVERY - 1) / STAMP_EVERY * STAMP_EVERY;
	uint64_t w;

	for (; off + sizeof(w) <= to; off += STAMP_EVERY) {
		memcpy(&w, b->p + off, sizeof(w));
		if (off >= from && bigmem_is_mapped(b->p) && w != 0) {
			fprintf(stderr, "bigmem model: block %llu, new byte %zu "
			    "reads %016llx, not zero\n", (unsigned long long)b->uid,
			    off, (unsigned long long)w);
			return 0;
		}
		w = stamp_of(b, off);
		memcpy(b->p + off, &w, sizeof(w));
	}
	return 1;
}

/* Whether every stamp of [0, len) is in place and the lengths are the model's. */
static int
model_intact(const struct model_block *b)
{
	size_t off;
	uint64_t w;

	if (bigmem_len(b->p) != b->len || bigmem_max(b->p) != b->max) {
		fprintf(stderr, "bigmem model: block %llu has length %zu, max "
		    "%zu; the model %zu, %zu\n", (unsigned long long)b->uid,
		    bigmem_len(b->p), bigmem_max(b->p), b->len, b->max);
		return 0;
	}
	for (off = 0; off + sizeof(w) <= b->len; off += STAMP_EVERY) {
		memcpy(&w, b->p + off, sizeof(w));
		if (w != stamp_of(b, off)) {
			fprintf(stderr, "bigmem model: block %llu, byte %zu reads "
			    "%016llx\n", (unsigned long long)b->uid, off,
			    (unsigned long long)w);
			return 0;
		}
	}
	return 1;
}

/*
 * Blocks reserved, grown, shrunk, refused and freed at random, sizes near
 * the extents' edges, while the pool lends and takes back extents: each
 * block keeps its bytes, new bytes of a mapped block read as zeros (never
 * another block's), lengths stay the model's, and the pool never holds
 * more than its size.
 */
static void
test_pool_random_operations(void **state)
{
	struct model_block b[MODEL_BLOCKS];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t uid = 1;
	size_t len, max;
	unsigned op, i, k;

	(void)state;
	memset(b, 0, sizeof(b));
	for (op = 0; op < MODEL_OPS; op++) {
		i = (unsigned)(model_next() % MODEL_BLOCKS);
		if (b[i].p == NULL) {
			max = model_size();
			len = max == 0 ? 0 : (size_t)(model_next() % (max + 1));
			if (max == 0)
				max = 1;
			b[i].p = bigmem_reserve(max, len,
			    (model_next() & 1) != 0 ? BIGMEM_WIPE : 0);
			assert_non_null(b[i].p);
			b[i].len = len;
			b[i].max = !bigmem_is_mapped(b[i].p) ? max :
			    (max + pg - 1) / pg * pg;
			b[i].uid = uid++;
			assert_true(model_stamp(&b[i], 0, len));
		} else if ((k = (unsigned)(model_next() % 8)) == 0) {
			bigmem_free(b[i].p);
			b[i].p = NULL;
		} else if (k <= 4) {
			/* Grow, up to the max. */
			len = b[i].len + (size_t)(model_next() %
			    (b[i].max - b[i].len + 1));
			assert_int_equal(bigmem_resize(b[i].p, len), SS_OK);
			assert_true(model_stamp(&b[i], b[i].len, len));
			b[i].len = len;
		} else if (k <= 6) {
			/* Shrink: the max follows, a mapped block's to a page. */
			len = (size_t)(model_next() % (b[i].len + 1));
			assert_int_equal(bigmem_resize(b[i].p, len), SS_OK);
			if (len < b[i].len)
				b[i].max = !bigmem_is_mapped(b[i].p) ? len :
				    (len + pg - 1) / pg * pg;
			b[i].len = len;
		} else {
			assert_int_equal(bigmem_resize(b[i].p, b[i].max + 1),
			    SS_ERR_TOO_LARGE);
		}
		for (k = 0; k < MODEL_BLOCKS; k++)
			if (b[k].p != NULL)
				assert_true(model_intact(&b[k]));
		assert_true(bigmem_pool_held() <= bigmem_pool_size());
		assert_int_equal(bigmem_pool_held() % BIGMEM_EXTENT, 0);
	}
	for (k = 0; k < MODEL_BLOCKS; k++)
		bigmem_free(b[k].p);
	assert_int_equal(bigmem_pool_held(), bigmem_pool_size());
}

/* ---- the system refusing ------------------------------------------------ */

static void
test_pool_survives_refusals(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	/* A shrink that gives nothing to the full pool and whose unmap fails
	 * changes nothing: the block keeps its max and every byte. */
	q = bigmem_alloc(8 * MiB, 0);
	p = bigmem_alloc(8 * MiB, 0);
	assert_non_null(q);
	assert_non_null(p);
	fill(p, 8 * MiB, 11);
	bigmem_free(q);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	fail_munmap = 1;
	assert_int_equal(bigmem_resize(p, MiB), SS_ERR_ALLOC);
	assert_int_equal(bigmem_max(p), 8 * MiB);
	assert_int_equal(bigmem_len(p), 8 * MiB);
	assert_true(same(p, 8 * MiB, 11));
	assert_int_equal(bigmem_resize(p, MiB), SS_OK);
	assert_false(page_mapped(p + 4 * MiB));
	bigmem_free(p);
	/* A take whose move fails after unmapping its destination: the block's
	 * range is reserved again, so the block is made all the same, fresh. */
	fail_mremap = 1;
	p = bigmem_alloc(4 * MiB, 0);
	assert_non_null(p);
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	fill(p, 4 * MiB, 12);
	assert_true(same(p, 4 * MiB, 12));
	/* A put that fails so: the extent is unmapped with the block, the slot
	 * kept for the next put. */
	q = bigmem_alloc(2 * MiB, 0);
	assert_non_null(q);
	assert_int_equal(bigmem_pool_held(), 6 * MiB);
	fail_mremap = 1;
	bigmem_free(p);
	assert_int_equal(bigmem_pool_held(), 6 * MiB);
	bigmem_free(q);
	assert_pool_full_of_zeros();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_is_malloced),
		cmocka_unit_test(test_mapped_grows_in_place),
		cmocka_unit_test(test_mapped_shrink_gives_back),
		cmocka_unit_test(test_dup_and_wipe),
		cmocka_unit_test(test_huge_pages),
		cmocka_unit_test(test_pool_lends_touched_extents),
		cmocka_unit_test(test_pool_follows_resizes),
		cmocka_unit_test(test_pool_random_operations),
		cmocka_unit_test(test_pool_survives_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
