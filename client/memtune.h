/*
 * memtune.h: mpc-client's heap, set up once at start so that memory is
 * cheap to fill. On the machine kind the project ran on until 2026-12-06
 * (a "pvm" hypervisor) a page fault costs 15-25 us: fresh anonymous memory
 * is first written at ~280 MB/s with 4 KiB pages against ~9.6 GB/s with
 * transparent huge pages. (On the KVM kind of 2026-12-07 faults are cheap
 * and the huge pages neither help nor cost much: docs/BENCHMARKS.md 6.8.)
 * A `run` of a long vector allocates, frees and allocates again
 * blocks of megabytes (shares, ciphertexts, frames); with glibc's defaults
 * each of them is a fresh mmap, faulted in page by page and unmapped at
 * free. Only the command-line program calls this: a library must not set
 * its host's allocator.
 */
#ifndef SS_CLIENT_MEMTUNE_H
#define SS_CLIENT_MEMTUNE_H

/* Blocks under this size come from the heap (glibc's bound for mallopt). */
#define MEMTUNE_MMAP_MIN ((size_t)32 << 20)

/* The heap is extended by this much beyond a need, and kept. */
#define MEMTUNE_HEAP_PAD ((size_t)64 << 20)

/*
 * Keeps blocks under MEMTUNE_MMAP_MIN on the heap and freed memory in the
 * process for the next block, and advises the heap's first
 * MEMTUNE_HEAP_PAD bytes (address space, not memory, until touched) to be
 * backed by huge pages. Best effort: a refusal leaves glibc's defaults,
 * which work the same, only slower.
 */
void memtune_heap(void);

#endif
