/*
 * fuzz_hpke_open.c: libFuzzer target: hpke_open_auth_k() with fixed keys, and
 * seal/open round trips. The input format and the invariants checked are in
 * harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_hpke_open(data, size);
}
