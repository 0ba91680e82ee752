/*
 * fuzz_rpc_seq.c: libFuzzer target: a sequence of framed requests from four
 * callers against one store. The input format and the invariants checked are
 * in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_rpc_seq(data, size);
}
