/*
 * invite.h: the invite code, the copy-pasteable form of a session digest D
 * that `create` prints and `share`, `run`, `sumpoint` and `result` take.
 *
 * A code is "ss2-" and the 35 bytes D || CRC-24(D) in base32 (RFC 4648
 * alphabet, lower case, 56 characters, no padding), in seven groups of
 * eight joined by '-':
 *
 *   ss2-xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx
 *
 * The checksum (CRC-24 of OpenPGP, RFC 4880 section 6.1) catches every
 * single mistyped character and every swap of two neighbours, and any other
 * mistake but once in 2^24; it is a convenience, not a safeguard, since a
 * mistyped D names no session (docs/PROTOCOL.md section 18).
 */
#ifndef SS_INVITE_H
#define SS_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "params.h"

#define INVITE_PREFIX      "ss2-"
#define INVITE_CRC_LEN     3
#define INVITE_SYMBOLS     56           /* (32 + 3) bytes * 8 / 5 bits */
#define INVITE_GROUP       8            /* symbols between dashes */
/* "ss2-" + 56 symbols + 6 dashes */
#define INVITE_CODE_LEN    (4 + INVITE_SYMBOLS + INVITE_SYMBOLS / INVITE_GROUP - 1)
#define INVITE_CODE_BUF    (INVITE_CODE_LEN + 1)

/* The code of D, NUL-terminated, in out. */
void invite_encode(const uint8_t d[PARAMS_DIGEST_LEN], char out[INVITE_CODE_BUF]);

/*
 * D from a code. Letters may be of either case, and dashes after the prefix
 * are ignored wherever they stand. Errors, each with a message saying where:
 * SS_ERR_INVALID for a missing prefix or a character outside a-z 2-7,
 * SS_ERR_VERSION for the code of another protocol version ("ss3-..."),
 * SS_ERR_TRUNCATED for too few characters, SS_ERR_TOO_LARGE for too many,
 * SS_ERR_CHECKSUM for a checksum that does not match. On failure d is
 * zeroed.
 */
int invite_decode(const char *code, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e) SS_WUR;

/* CRC-24 of RFC 4880 (init 0xB704CE, polynomial 0x1864CFB), for the tests. */
uint32_t invite_crc24(const uint8_t *p, size_t n);

#endif
