/*
 * frame.h: the framing of protobuf messages on a TLS stream: a 4-byte
 * big-endian length, then that many bytes.
 */
#ifndef SS_FRAME_H
#define SS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FRAME_HEADER_LEN 4
#define FRAME_DEFAULT_MAX (128u * 1024 * 1024)

/*
 * Whether a session of n parties and vectors of L elements can be served in
 * frames of at most max_frame bytes: a SubmitShares request and a GetShare
 * response each carry n sealed vectors with two names each, a ListSumpoints
 * response n sumpoints of L 8-byte elements (9 with their tags) and a name;
 * the allowances cover names, protobuf tags and the envelope. A session
 * whose messages could not fit would never leave its sharing phase, so both
 * sides refuse it up front. *needed (if not NULL) gets the largest message,
 * UINT64_MAX when n or L is 0 or it overflows.
 */
int frame_session_fits(uint64_t n, uint64_t L, uint64_t max_frame,
    uint64_t *needed) SS_WUR;

void frame_put_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len);
/* The length in hdr; SS_ERR_TOO_LARGE if it exceeds max. */
int frame_get_header(const uint8_t hdr[FRAME_HEADER_LEN], uint32_t max, uint32_t *len) SS_WUR;

#endif
