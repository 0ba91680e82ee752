/*
 * test_server_handshakes.c: the list of connections in their handshake
 * keeps accept order through removals, says which has run past its
 * deadline, and chooses as its victim the oldest of the least advanced:
 * a silent connection before one whose client has sent bytes, and among
 * those that have, the oldest. Real TLS bufferevents in accepting state
 * over socket pairs (a byte written to the other end makes one "spoken").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "handshakes.h"

#define N 4

struct fixture {
	struct event_base *base;
	SSL_CTX *ctx;
	struct handshake h[N];
	int peer[N];            /* the client's end of each pair */
	struct handshakes l;
};

static int
setup(void **state)
{
	static struct fixture f;
	int sv[2], i;

	memset(&f, 0, sizeof(f));
	f.base = event_base_new();
	f.ctx = SSL_CTX_new(TLS_server_method());
	if (f.base == NULL || f.ctx == NULL)
		return -1;
	for (i = 0; i < N; i++) {
		SSL *ssl = SSL_new(f.ctx);

		if (ssl == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			return -1;
		f.h[i].bev = bufferevent_openssl_socket_new(f.base, sv[0], ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (f.h[i].bev == NULL)
			return -1;
		f.peer[i] = sv[1];
		f.h[i].accepted_ms = 1000 + (uint64_t)i * 100;
		handshakes_add(&f.l, &f.h[i]);
	}
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < N; i++) {
		bufferevent_free(f->h[i].bev);
		close(f->peer[i]);
	}
	SSL_CTX_free(f->ctx);
	event_base_free(f->base);
	return 0;
}

static void
test_order_and_removal(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->l.n, N);
	assert_ptr_equal(f->l.oldest, &f->h[0]);
	assert_ptr_equal(f->l.newest, &f->h[N - 1]);
	handshakes_remove(&f->l, &f->h[0]);
	handshakes_remove(&f->l, &f->h[2]);
	handshakes_remove(&f->l, &f->h[2]);     /* not listed: nothing */
	assert_int_equal(f->l.n, N - 2);
	assert_ptr_equal(f->l.oldest, &f->h[1]);
	assert_ptr_equal(f->l.oldest->newer, &f->h[3]);
	assert_ptr_equal(f->l.newest->older, &f->h[1]);
	handshakes_add(&f->l, &f->h[0]);        /* back, as the newest */
	assert_ptr_equal(f->l.newest, &f->h[0]);
	handshakes_remove(&f->l, &f->h[1]);
	handshakes_remove(&f->l, &f->h[3]);
	handshakes_remove(&f->l, &f->h[0]);
	assert_int_equal(f->l.n, 0);
	assert_null(f->l.oldest);
	assert_null(f->l.newest);
	assert_null(handshakes_victim(&f->l));
	assert_null(handshakes_expired(&f->l, 99999, 1));
}

static void
test_expired_is_the_oldest_past_its_limit(void **state)
{
	struct fixture *f = *state;

	/* accepted at 1000, 1100, 1200, 1300 ms; a limit of 500 ms */
	assert_null(handshakes_expired(&f->l, 1499, 500));
	assert_ptr_equal(handshakes_expired(&f->l, 1500, 500), &f->h[0]);
	handshakes_remove(&f->l, &f->h[0]);
	assert_null(handshakes_expired(&f->l, 1500, 500));
	assert_ptr_equal(handshakes_expired(&f->l, 1650, 500), &f->h[1]);
}

static void
test_victim_is_the_oldest_least_advanced(void **state)
{
	struct fixture *f = *state;

	/* All silent: the oldest. */
	assert_ptr_equal(handshakes_victim(&f->l), &f->h[0]);
	/* The two oldest have sent a byte: the oldest silent one goes. */
	assert_int_equal(write(f->peer[0], "\x16", 1), 1);
	assert_int_equal(write(f->peer[1], "\x16", 1), 1);
	assert_ptr_equal(handshakes_victim(&f->l), &f->h[2]);
	/* Every one has: the oldest again. */
	assert_int_equal(write(f->peer[2], "\x16", 1), 1);
	assert_int_equal(write(f->peer[3], "\x16", 1), 1);
	assert_ptr_equal(handshakes_victim(&f->l), &f->h[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_is_the_oldest_past_its_limit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_victim_is_the_oldest_least_advanced,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
