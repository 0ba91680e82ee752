/* test_core_clock.c: the clocks' units and directions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "clock.h"

static void
test_units(void **state)
{
	uint64_t us, ms, wall;
	time_t t;

	(void)state;
	us = clock_mono_us();
	ms = clock_mono_ms();
	/* The same clock in two units: ms read after us, so not before it. */
	assert_true(ms >= us / 1000);
	assert_true(ms - us / 1000 < 1000);
	t = time(NULL);
	wall = clock_wall_ms();
	/* Milliseconds since the epoch, within a second or two of time(). */
	assert_true(wall / 1000 + 2 >= (uint64_t)t);
	assert_true(wall / 1000 <= (uint64_t)t + 2);
}

static void
test_monotonic(void **state)
{
	struct timespec nap = { 0, 2000000 };    /* 2 ms */
	uint64_t a, b;

	(void)state;
	a = clock_mono_us();
	(void)nanosleep(&nap, NULL);
	b = clock_mono_us();
	assert_true(b >= a + 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
