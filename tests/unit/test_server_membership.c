/*
 * test_server_membership.c: the store's lists of sessions by party name
 * (server/membership.c). Sessions of random parties added and removed in a
 * shuffled order, checked after every step against a plain scan of what is
 * held: each name walks exactly its sessions, oldest first, and a name
 * whose last session went has no entry left; across the table's growth,
 * its backward-shift removal and the lists' closing up. A reservation
 * never added is taken back without touching the entries of others; a
 * name listed twice is listed once; and the store keeps the lists in step
 * through creation and deletion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lifecycle.h"
#include "membership.h"
#include "store.h"

#define SESSIONS 600
#define NAMES 90
#define MAX_PARTIES 6

static char pool[NAMES][NAME_BUF];

struct model {
	struct session *ses;
	char (*parties)[MAX_PARTIES][NAME_BUF];
	int *held;
	size_t added;           /* sessions 0 .. added-1 were added, in order */
};

/* Whether session i lists name. */
static int
lists(const struct model *md, size_t i, const char *name)
{
	uint32_t j;

	for (j = 0; j < md->ses[i].p.n; j++)
		if (strcmp(md->ses[i].p.parties[j], name) == 0)
			return 1;
	return 0;
}

/* Every name walks exactly the held sessions listing it, in order. */
static void
check_all(const struct membership *m, const struct model *md)
{
	struct membership_walk w;
	struct session *se;
	size_t i, k, names = 0;

	for (k = 0; k < NAMES; k++) {
		int any = 0;

		se = membership_first(m, pool[k], &w);
		for (i = 0; i < md->added; i++) {
			if (!md->held[i] || !lists(md, i, pool[k]))
				continue;
			assert_ptr_equal(se, &md->ses[i]);
			se = membership_next(&w);
			any = 1;
		}
		assert_null(se);
		names += any;
	}
	assert_int_equal(m->used, names);
}

static void
add(struct membership *m, struct model *md)
{
	size_t i = md->added++;

	assert_int_equal(membership_reserve(m, &md->ses[i]), SS_OK);
	membership_add(m, &md->ses[i]);
	md->held[i] = 1;
}

static void
test_add_walk_remove(void **state)
{
	struct membership m;
	struct model md;
	size_t order[SESSIONS], i, j, k, n = 0;
	unsigned seed = 7;

	(void)state;
	memset(&md, 0, sizeof(md));
	assert_non_null(md.ses = calloc(SESSIONS, sizeof(*md.ses)));
	assert_non_null(md.parties = calloc(SESSIONS, sizeof(*md.parties)));
	assert_non_null(md.held = calloc(SESSIONS, sizeof(*md.held)));
	for (k = 0; k < NAMES; k++)
		snprintf(pool[k], NAME_BUF, "party-%zu", k);
	/* Up to 6 distinct names each; name 0 in every third (a long list). */
	for (i = 0; i < SESSIONS; i++) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 8) % MAX_PARTIES;
		for (j = 0; j < n; j++) {
			k = (i % 3 == 0 && j == 0) ? 0 :
			    1 + (i * 7 + j * 13 + (seed >> 12)) % (NAMES - 1);
			memcpy(md.parties[i][j], pool[k], NAME_BUF);
		}
		md.ses[i].p.n = (uint32_t)n;
		md.ses[i].p.parties = md.parties[i];
		order[i] = i;
	}
	/* Names within one session distinct: drop repeats. */
	for (i = 0; i < SESSIONS; i++) {
		uint32_t a, b, w = 0;

		for (a = 0; a < md.ses[i].p.n; a++) {
			for (b = 0; b < w; b++)
				if (strcmp(md.parties[i][a], md.parties[i][b]) == 0)
					break;
			if (b == w)
				memmove(md.parties[i][w++], md.parties[i][a], NAME_BUF);
		}
		md.ses[i].p.n = w;
	}
	assert_int_equal(membership_init(&m), SS_OK);
	check_all(&m, &md);
	/* The first half added, then removals and additions interleaved. */
	for (i = 0; i < SESSIONS / 2; i++)
		add(&m, &md);
	check_all(&m, &md);
	for (i = SESSIONS - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		k = order[i];
		order[i] = order[j];
		order[j] = k;
	}
	for (i = 0; i < SESSIONS; i++) {
		k = order[i];
		if (k < md.added && md.held[k]) {
			membership_remove(&m, &md.ses[k]);
			md.held[k] = 0;
			/* Removed twice: nothing changes. */
			membership_remove(&m, &md.ses[k]);
		}
		if (i % 2 == 0 && md.added < SESSIONS)
			add(&m, &md);
		if (i % 7 == 0)
			check_all(&m, &md);
	}
	while (md.added < SESSIONS)
		add(&m, &md);
	check_all(&m, &md);
	for (i = 0; i < SESSIONS; i++)
		if (md.held[i]) {
			membership_remove(&m, &md.ses[i]);
			md.held[i] = 0;
		}
	check_all(&m, &md);
	assert_int_equal(m.used, 0);
	membership_free(&m);
	free(md.ses);
	free(md.parties);
	free(md.held);
}

/* A reservation never added gives back what it made, and only that. */
static void
test_unreserve(void **state)
{
	char a[2][NAME_BUF] = { "alice", "bob" }, b[2][NAME_BUF] = { "bob",
	    "carol" };
	struct session s1, s2;
	struct membership m;
	struct membership_walk w;

	(void)state;
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	s1.p.n = s2.p.n = 2;
	s1.p.parties = a;
	s2.p.parties = b;
	assert_int_equal(membership_init(&m), SS_OK);
	assert_int_equal(membership_reserve(&m, &s1), SS_OK);
	membership_add(&m, &s1);
	assert_int_equal(membership_reserve(&m, &s2), SS_OK);
	assert_int_equal(m.used, 3);
	membership_unreserve(&m, &s2);
	assert_int_equal(m.used, 2);
	assert_ptr_equal(membership_first(&m, "bob", &w), &s1);
	assert_null(membership_next(&w));
	assert_null(membership_first(&m, "carol", &w));
	membership_remove(&m, &s1);
	assert_int_equal(m.used, 0);
	assert_null(membership_first(&m, "alice", &w));
	membership_free(&m);
}

/* A name listed twice in one session is listed once. */
static void
test_listed_twice(void **state)
{
	char a[3][NAME_BUF] = { "alice", "bob", "alice" };
	struct session s1;
	struct membership m;
	struct membership_walk w;

	(void)state;
	memset(&s1, 0, sizeof(s1));
	s1.p.n = 3;
	s1.p.parties = a;
	assert_int_equal(membership_init(&m), SS_OK);
	assert_int_equal(membership_reserve(&m, &s1), SS_OK);
	membership_add(&m, &s1);
	assert_ptr_equal(membership_first(&m, "alice", &w), &s1);
	assert_null(membership_next(&w));
	membership_remove(&m, &s1);
	assert_int_equal(m.used, 0);
	membership_free(&m);
}

/*
 * The store: a creation lists the session under each party, a deletion
 * takes it out.
 */
static void
test_store_in_step(void **state)
{
	char names[3][NAME_BUF] = { "alice", "bob", "carol" };
	struct session *out[8];
	struct session_spec p;
	struct store_limits lim;
	struct ss_error st;
	struct store *s;
	uint64_t deadline, released;
	size_t next;
	int created, i;

	(void)state;
	store_default_limits(&lim);
	assert_non_null(s = store_new(&lim));
	memset(&p, 0, sizeof(p));
	p.parties = names;
	p.threshold = 1;
	p.length = 1;
	for (i = 0; i < 3; i++) {
		snprintf(p.id, sizeof(p.id), "alice/s%d", i);
		/* s0: alice and bob; s1: all three; s2: alice and carol. */
		p.n = i == 1 ? 3 : 2;
		if (i == 2)
			memcpy(names[1], "carol", 6);
		assert_int_equal(store_create(s, "alice", &p, 100, &created,
		    &deadline, &st), SS_OK);
	}
	assert_int_equal(lifecycle_list(s, "bob", 0, out, 8, &next), 2);
	assert_string_equal(out[0]->p.id, "alice/s0");
	assert_string_equal(out[1]->p.id, "alice/s1");
	assert_int_equal(lifecycle_list(s, "carol", 0, out, 8, &next), 2);
	assert_int_equal(lifecycle_list(s, "alice", 1, out, 1, &next), 1);
	assert_string_equal(out[0]->p.id, "alice/s1");
	assert_int_equal(next, 2);
	assert_int_equal(lifecycle_delete(s, "alice", "alice/s1", 101,
	    &released, &st), SS_OK);
	assert_int_equal(lifecycle_list(s, "bob", 0, out, 8, &next), 1);
	assert_string_equal(out[0]->p.id, "alice/s0");
	assert_int_equal(lifecycle_list(s, "alice", 0, out, 8, &next), 2);
	assert_string_equal(out[1]->p.id, "alice/s2");
	assert_int_equal(lifecycle_list(s, "dave", 0, out, 8, &next), 0);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_walk_remove),
		cmocka_unit_test(test_unreserve),
		cmocka_unit_test(test_listed_twice),
		cmocka_unit_test(test_store_in_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
