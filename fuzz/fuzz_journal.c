/*
 * fuzz_journal.c: libFuzzer target: journal_open() replaying a journal file,
 * checksums optionally fixed. The input format and the invariants checked
 * are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_journal(data, size);
}
