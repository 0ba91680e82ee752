/*
 * memtune.c: see memtune.h. Every block that held a secret is cleansed
 * before it is freed (client_wipe_free, OPENSSL_clear_free), so memory
 * kept on the heap for reuse holds none. The huge-page advice is what
 * glibc's own glibc.malloc.hugetlb=1 tunable does, which can only be set
 * from the environment before the process starts.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtune.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/*
 * Extends the heap by MEMTUNE_HEAP_PAD at once (a block of 1 MiB makes it
 * grow, with the pad beyond; freed at the end) and advises the whole 2 MiB
 * extents from that block to the heap's end.
 */
static void
advise_heap(void)
{
	char *p, *lo, *hi;

	if ((p = malloc((size_t)1 << 20)) == NULL)
		return;
	lo = p + (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	hi = sbrk(0);
	if ((uintptr_t)hi != UINTPTR_MAX) {     /* sbrk's (void *)-1 */
		hi -= (uintptr_t)hi % HUGE_PAGE;
		if (hi > lo)
			(void)madvise(lo, (size_t)(hi - lo), MADV_HUGEPAGE);
	}
	free(p);
}

void
memtune_heap(void)
{
	/* The trim bound above the pad: a free must not give the pad back. */
	if (mallopt(M_MMAP_THRESHOLD, (int)MEMTUNE_MMAP_MIN) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, (int)(2 * MEMTUNE_HEAP_PAD)) != 1 ||
	    mallopt(M_TOP_PAD, (int)MEMTUNE_HEAP_PAD) != 1)
		return;
	advise_heap();
}
