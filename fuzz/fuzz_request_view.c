/*
 * fuzz_request_view.c: libFuzzer target: the in-place SubmitShares and
 * PostSumpoint readers (server/request_view.c), differential against
 * protobuf-c. The invariants checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_request_view(data, size);
}
