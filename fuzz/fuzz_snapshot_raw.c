/*
 * fuzz_snapshot_raw.c: libFuzzer target: snapshot_load() of the bytes as
 * they are, checksum included. The input format and the invariants checked
 * are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_snapshot_raw(data, size);
}
