/*
 * fuzz_client_wire.c: libFuzzer target: the client's nanopb decoding of a
 * Response (client/wire.c). The input format and the invariants checked are
 * in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_client_wire(data, size);
}
