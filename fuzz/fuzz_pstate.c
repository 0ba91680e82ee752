/*
 * fuzz_pstate.c: libFuzzer target: a party's state folder made of the
 * input's files, opened and read through pstate.h, against the documented
 * layout (docs/PARTY-STATE.md). The input format and the invariants checked
 * are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_pstate(data, size);
}
