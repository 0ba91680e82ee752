/*
 * fuzz_rpc_frame.c: libFuzzer target: one frame body through rpc_handle()
 * against a fresh store. The input format and the invariants checked are in
 * harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_rpc_frame(data, size);
}
