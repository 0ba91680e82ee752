/*
 * fuzz_rpc_replay.c: libFuzzer target: the rpc_seq records with the journal
 * on, then the journal replayed and compared with the live store. The input
 * format and the invariants checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_rpc_replay(data, size);
}
