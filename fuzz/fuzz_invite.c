/*
 * fuzz_invite.c: libFuzzer target: invite_decode() against invite.h's
 * rules, and its round trip through invite_encode(). The input format and
 * the invariants checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_invite(data, size);
}
