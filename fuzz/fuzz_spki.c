/*
 * fuzz_spki.c: libFuzzer target: spki_p256_point() and spki_x25519_key() on
 * certificate DER, differentially against OpenSSL's d2i_X509(). The input
 * format and the invariants checked are in harness.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_spki(data, size);
}
