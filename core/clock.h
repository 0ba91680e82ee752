/*
 * clock.h: the two clocks the project reads, in the units it uses them in:
 * the monotonic one for timeouts and durations, the wall clock for what is
 * stored or shown (deadlines, ages, log and snapshot times).
 */
#ifndef SS_CLOCK_H
#define SS_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in microseconds, and in milliseconds. */
uint64_t clock_mono_us(void);
uint64_t clock_mono_ms(void);
/* CLOCK_REALTIME in milliseconds since the Unix epoch. */
uint64_t clock_wall_ms(void);

#endif
