/*
 * test_server_session_index.c: the store's index of sessions by id. Its
 * hash against SipHash-2-4's published vectors; adds, finds and removals in
 * a shuffled order checked against a plain scan of what should be held,
 * across the table's growth and its backward-shift removal; the index by
 * NAME part, where keys repeat, walked whole across removals; and the
 * store's store_find kept in step by store_create.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "session_index.h"
#include "store.h"

#define N 3000

/* Every entry is found exactly when held[i] says it is held. */
static void
check_all(const struct session_index *ix, struct session *ses,
    const int *held)
{
	size_t i, n = 0;

	for (i = 0; i < N; i++) {
		if (held[i]) {
			assert_ptr_equal(session_index_find(ix, ses[i].p.id), &ses[i]);
			n++;
		} else {
			assert_null(session_index_find(ix, ses[i].p.id));
		}
	}
	assert_int_equal(ix->used, n);
}

static void
shuffle(size_t *order, size_t n, unsigned *seed)
{
	size_t i, j, t;

	for (i = n - 1; i > 0; i--) {
		*seed = *seed * 1103515245u + 12345u;
		j = (*seed >> 8) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static void
test_add_find_remove(void **state)
{
	struct session_index ix;
	struct session *ses = calloc(N, sizeof(*ses));
	int *held = calloc(N, sizeof(*held));
	size_t *order = calloc(N, sizeof(*order));
	unsigned seed = 7;
	size_t i;

	(void)state;
	assert_non_null(ses);
	assert_non_null(held);
	assert_non_null(order);
	assert_int_equal(session_index_init(&ix), SS_OK);
	for (i = 0; i < N; i++) {
		snprintf(ses[i].p.id, sizeof(ses[i].p.id), "s-%zu", i);
		order[i] = i;
	}
	assert_null(session_index_find(&ix, "s-0"));
	for (i = 0; i < N; i++) {
		assert_int_equal(session_index_reserve(&ix), SS_OK);
		session_index_add(&ix, &ses[i]);
		held[i] = 1;
	}
	assert_true(ix.used * 2 <= ix.cap);
	check_all(&ix, ses, held);
	/* Remove two thirds in a shuffled order, checking as it goes. */
	shuffle(order, N, &seed);
	for (i = 0; i < 2 * N / 3; i++) {
		session_index_remove(&ix, &ses[order[i]]);
		held[order[i]] = 0;
		if (i % 500 == 0)
			check_all(&ix, ses, held);
	}
	check_all(&ix, ses, held);
	/* Removing what is not held changes nothing. */
	session_index_remove(&ix, &ses[order[0]]);
	check_all(&ix, ses, held);
	/* And the removed come back. */
	for (i = 0; i < N / 3; i++) {
		assert_int_equal(session_index_reserve(&ix), SS_OK);
		session_index_add(&ix, &ses[order[i]]);
		held[order[i]] = 1;
	}
	check_all(&ix, ses, held);
	session_index_free(&ix);
	free(order);
	free(held);
	free(ses);
}

/* How many entries of key the walk finds, each once, none of another key. */
static size_t
walk_count(const struct session_index *ix, const char *key)
{
	struct session *se;
	size_t pos = 0, n = 0;

	while ((se = session_index_next(ix, key, &pos)) != NULL) {
		assert_string_equal(strchr(se->p.id, '/') ?
		    strchr(se->p.id, '/') + 1 : se->p.id, key);
		n++;
	}
	return n;
}

/*
 * By NAME part: 40 keys of N / 40 sessions each (creators c-0, c-1, ...),
 * and a bare id of each key, held together; each walk finds its key's
 * entries exactly, before and while they are removed in a shuffled order.
 */
static void
test_by_name(void **state)
{
	struct session_index ix;
	struct session *ses = calloc(N + 40, sizeof(*ses));
	size_t *order = calloc(N + 40, sizeof(*order));
	size_t left[40], i, k;
	unsigned seed = 11;
	char key[32];

	(void)state;
	assert_non_null(ses);
	assert_non_null(order);
	assert_int_equal(session_index_init(&ix), SS_OK);
	ix.by_name = 1;
	for (i = 0; i < N + 40; i++) {
		if (i < N)
			snprintf(ses[i].p.id, sizeof(ses[i].p.id), "c-%zu/k-%zu",
			    i / 40, i % 40);
		else
			snprintf(ses[i].p.id, sizeof(ses[i].p.id), "k-%zu",
			    i - N);
		order[i] = i;
		assert_int_equal(session_index_reserve(&ix), SS_OK);
		session_index_add(&ix, &ses[i]);
	}
	for (k = 0; k < 40; k++) {
		snprintf(key, sizeof(key), "k-%zu", k);
		left[k] = N / 40 + 1;
		assert_int_equal(walk_count(&ix, key), left[k]);
	}
	assert_int_equal(walk_count(&ix, "k-40"), 0);
	shuffle(order, N + 40, &seed);
	for (i = 0; i < N + 40; i++) {
		session_index_remove(&ix, &ses[order[i]]);
		k = order[i] < N ? order[i] % 40 : order[i] - N;
		left[k]--;
		if (i % 97 == 0) {
			snprintf(key, sizeof(key), "k-%zu", k);
			assert_int_equal(walk_count(&ix, key), left[k]);
		}
	}
	assert_int_equal(ix.used, 0);
	session_index_free(&ix);
	free(order);
	free(ses);
}

/* Two indexes draw different keys, so ids colliding in one do not in the other. */
static void
test_keys_differ(void **state)
{
	struct session_index a, b;

	(void)state;
	assert_int_equal(session_index_init(&a), SS_OK);
	assert_int_equal(session_index_init(&b), SS_OK);
	assert_memory_not_equal(a.key, b.key, sizeof(a.key));
	session_index_free(&a);
	session_index_free(&b);
}

static void
test_store_find(void **state)
{
	static char names[2][NAME_BUF] = { "alice", "bob" };
	struct store_limits lim;
	struct session_spec p;
	struct ss_error st;
	struct store *s;
	uint64_t dl;
	int created, i;

	(void)state;
	store_default_limits(&lim);
	lim.max_sessions = 200;
	lim.max_sessions_per_party = 200;      /* all are alice's */
	assert_non_null(s = store_new(&lim));
	memset(&p, 0, sizeof(p));
	p.n = 2;
	p.parties = names;
	p.threshold = 1;
	p.length = 1;
	for (i = 0; i < 200; i++) {
		snprintf(p.id, sizeof(p.id), "alice/id-%d", i);
		if (store_create(s, "alice", &p, 1, &created, &dl, &st) != SS_OK)
			fail_msg("%s", st.msg);
		assert_int_equal(created, 1);
	}
	for (i = 0; i < 200; i++) {
		snprintf(p.id, sizeof(p.id), "alice/id-%d", i);
		assert_non_null(store_find(s, p.id));
		assert_string_equal(store_find(s, p.id)->p.id, p.id);
	}
	assert_null(store_find(s, "alice/id-200"));
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_remove),
		cmocka_unit_test(test_keys_differ),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_store_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
