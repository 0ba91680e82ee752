/* frame.c: length prefixes of wire frames. */
#include "err.h"
#include "frame.h"
#include "name.h"
#include "sealed.h"

#define FRAME_ENVELOPE_SLACK 1024   /* the envelope's own fields */

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

int
frame_session_fits(uint64_t n, uint64_t L, uint64_t max_frame, uint64_t *needed)
{
	uint64_t ct, share_per, list_per, per, need = UINT64_MAX;

	/* 2^40 parties or elements is far past any frame: no overflow below. */
	if (n > 0 && L > 0 && n < (UINT64_C(1) << 20) && L < (UINT64_C(1) << 40) &&
	    (ct = sealed_len((size_t)L)) != 0) {
		share_per = ct + 2 * NAME_BUF + 16;
		list_per = L * 9 + NAME_BUF + 32;
		per = share_per > list_per ? share_per : list_per;
		need = n * per + FRAME_ENVELOPE_SLACK;
	}
	if (needed != NULL)
		*needed = need;
	return need <= max_frame;
}
