/*
 * fuzz_statement.c: libFuzzer target: statement_parse() of one version-2
 * statement body, its canonical round trip, and statement_submits_digest().
 * The input format and the invariants checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_statement(data, size);
}
