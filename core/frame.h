/*
 * frame.h: the framing of protobuf messages on a TLS stream: a 4-byte
 * big-endian length, then that many bytes.
 */
#ifndef SS_FRAME_H
#define SS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_LEN 4
#define FRAME_DEFAULT_MAX (128u * 1024 * 1024)

void frame_put_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len);
/* The length in hdr; SS_ERR_TOO_LARGE if it exceeds max. */
int frame_get_header(const uint8_t hdr[FRAME_HEADER_LEN], uint32_t max, uint32_t *len);

#endif
