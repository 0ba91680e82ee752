/*
 * clock.c: the clocks in microseconds or milliseconds. clock_gettime cannot
 * fail for these two clock ids and a valid pointer; were it to, the zeroed
 * time reads as the epoch, which every caller treats as "long ago".
 */
#include <time.h>

#include "clock.h"

static uint64_t
read_us(clockid_t id)
{
	struct timespec ts = { 0, 0 };

	(void)clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
clock_mono_us(void)
{
	return read_us(CLOCK_MONOTONIC);
}

uint64_t
clock_mono_ms(void)
{
	return read_us(CLOCK_MONOTONIC) / 1000u;
}

uint64_t
clock_wall_ms(void)
{
	return read_us(CLOCK_REALTIME) / 1000u;
}
