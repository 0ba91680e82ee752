/*
 * fuzz_snapshot.c: libFuzzer target: snapshot_load() of the bytes with a
 * correct SHA-256 trailer appended. The input format and the invariants
 * checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_snapshot(data, size);
}
