/*
 * test_core_bigmem.c: blocks of both kinds keep their bytes through growth
 * and shrinking, say what they map, are 2 MiB-aligned when mapped, give
 * back pages, and use huge pages where the kernel offers them; with the
 * pool, blocks take touched zero extents from it and give theirs back,
 * zeroed, as far as it has room. The pool's tests run last: it is once a
 * process.
 */
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
	assert_int_equal(bigmem_pool_held(), 8 * MiB);
	p = bigmem_alloc(8 * MiB, 0);
	assert_non_null(p);
	assert_true(all_zero(p, 8 * MiB));
	bigmem_free(p);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
