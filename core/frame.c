/* frame.c: length prefixes of wire frames. */
#include "frame.h"
#include "err.h"

void
frame_put_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

int
frame_get_header(const uint8_t hdr[FRAME_HEADER_LEN], uint32_t max, uint32_t *len)
{
	uint32_t v = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) |
	    ((uint32_t)hdr[2] << 8) | (uint32_t)hdr[3];

	if (v > max)
		return SS_ERR_TOO_LARGE;
	*len = v;
	return SS_OK;
}
