/*
 * test_client_client.c: the clock of a command (client/client.c): the
 * pauses between polls double from CLIENT_POLL_FIRST_MS up to
 * CLIENT_POLL_MAX_MS and never run past the command's deadline, after
 * which the command is expired and does not pause at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "conn.h"

static void
test_backoff_doubles_to_its_cap(void **state)
{
	struct client c;
	uint64_t delay = CLIENT_POLL_FIRST_MS, t0, ms;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.deadline = conn_now_ms() + 60000;
	assert_false(client_expired(&c));
	t0 = conn_now_ms();
	client_backoff(&c, &delay);
	ms = conn_now_ms() - t0;
	assert_true(ms >= CLIENT_POLL_FIRST_MS && ms < CLIENT_POLL_FIRST_MS + 500);
	assert_int_equal(delay, 2 * CLIENT_POLL_FIRST_MS);
	delay = CLIENT_POLL_MAX_MS / 2 + 1;
	c.deadline = conn_now_ms();   /* no time: no pause, no doubling */
	client_backoff(&c, &delay);
	assert_int_equal(delay, CLIENT_POLL_MAX_MS / 2 + 1);
	c.deadline = conn_now_ms() + 60000;
	delay = 1;
	client_backoff(&c, &delay);
	assert_int_equal(delay, 2);
	delay = CLIENT_POLL_MAX_MS / 2 + 1;
	c.deadline = conn_now_ms() + 20;
	client_backoff(&c, &delay);
	assert_int_equal(delay, CLIENT_POLL_MAX_MS);
}

static void
test_never_past_the_deadline(void **state)
{
	struct client c;
	uint64_t delay = 5000, t0, ms;

	(void)state;
	memset(&c, 0, sizeof(c));
	t0 = conn_now_ms();
	c.deadline = t0 + 100;
	client_backoff(&c, &delay);
	ms = conn_now_ms() - t0;
	assert_true(ms >= 100 && ms < 1000);
	assert_true(client_expired(&c));
	t0 = conn_now_ms();
	client_backoff(&c, &delay);
	assert_true(conn_now_ms() - t0 < 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_to_its_cap),
		cmocka_unit_test(test_never_past_the_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
