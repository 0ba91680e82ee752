/*
 * test_server_lifecycle.c: a session's end in the store (server/lifecycle.c):
 * who may delete it and what an outsider is told, the session TTL and what
 * counts as idle, the list a party sees a page at a time, a deletion logged
 * before it is made (and refused whole when the log cannot take it), and a
 * session that a response still sends from outliving its deletion, its
 * bytes in the memory budget until freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"
#include "lifecycle.h"
#include "name.h"
#include "sealed.h"
#include "store.h"

#define L 1

static char names[3][NAME_BUF] = { "alice", "bob", "carol" };

/* The fake log: what it was told, and whether it refuses. */
struct fake_log {
	uint64_t seq;
	int refuse;
	int drops, reason;
	char by[NAME_BUF];
};

static int
fake_create(void *ctx, const struct session *se, uint64_t *seq,
    struct ss_error *e)
{
	struct fake_log *f = ctx;

	(void)se; (void)e;
	*seq = ++f->seq;
	return SS_OK;
}

static int
fake_submit(void *ctx, const struct session *se, uint32_t sender,
    const uint8_t *block, const struct held_statement *stmt, uint64_t *seq,
    struct ss_error *e)
{
	(void)sender; (void)block; (void)stmt;
	return fake_create(ctx, se, seq, e);
}

static int
fake_drop(void *ctx, const struct session *se, int reason, const char *by,
    uint64_t now, uint64_t *seq, struct ss_error *e)
{
	struct fake_log *f = ctx;

	(void)now;
	/* Logged first: the session is still in the store. */
	assert_non_null(se);
	if (f->refuse)
		return ss_error_set(e, SS_ERR_IO, "disk full");
	f->drops++;
	f->reason = reason;
	snprintf(f->by, sizeof(f->by), "%s", by);
	*seq = ++f->seq;
	return SS_OK;
}

static const struct store_log_ops fake_ops = {
	.create = fake_create, .submit = fake_submit, .close = fake_create,
	.drop = fake_drop,
};

static struct store *
new_store(uint64_t ttl, struct fake_log *f)
{
	struct store_limits lim;
	struct store_log log = { &fake_ops, f };
	struct store *s;

	memset(f, 0, sizeof(*f));
	store_default_limits(&lim);
	lim.session_ttl = ttl;
	assert_non_null(s = store_new(&lim));
	store_set_log(s, &log);
	return s;
}

/* The bytes the last deletion let go. */
static uint64_t released;

/* caller deletes id, a second after the store's clock. */
static int
del(struct store *s, const char *caller, const char *id, struct ss_error *st)
{
	return lifecycle_delete(s, caller, id, s->now + 1, &released, st);
}

/*
 * alice, bob and carol's session creator/id (docs/PROTOCOL.md 2.1),
 * created by creator at now, its sharing deadline seconds after (version
 * 1; 0: none), without a tick first.
 */
static void
create_until(struct store *s, const char *id, const char *creator,
    uint64_t now, uint32_t seconds)
{
	struct session_spec p;
	struct ss_error st;
	uint64_t deadline;
	int created;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s/%s", creator, id);
	p.n = 3;
	p.parties = names;
	p.threshold = 1;
	p.length = L;
	p.deadline_seconds = seconds;
	assert_int_equal(store_create(s, creator, &p, now, &created, &deadline,
	    &st), SS_OK);
	assert_true(created);
	assert_int_equal(deadline, seconds ? now + seconds : 0);
}

/* The same without a deadline, the store's clock moved to now first. */
static void
create(struct store *s, const char *id, const char *creator, uint64_t now)
{
	store_tick(s, now);
	create_until(s, id, creator, now, 0);
}

/* The session of NAME part name, in whichever namespace; NULL: none. */
static struct session *
find(struct store *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsessions; i++)
		if (strcmp(session_id_name(s->sessions[i]->p.id), name) == 0)
			return s->sessions[i];
	return NULL;
}

/* name submits its shares to id at now. */
static void
submit(struct store *s, const char *id, const char *name, uint64_t now)
{
	struct submitted_share sh[3];
	uint8_t ct[3][64];
	struct ss_error st;
	int dup, i;

	for (i = 0; i < 3; i++) {
		memset(ct[i], i, sizeof(ct[i]));
		sh[i].recipient = names[i];
		sh[i].ct = ct[i];
		sh[i].ct_len = sealed_len(L);
	}
	store_tick(s, now);
	assert_int_equal(store_submit(s, name, id, name, sh, 3, now, &dup, &st),
	    SS_OK);
}

static void
test_who_may_delete(void **state)
{
	struct ss_error st, missing;
	struct fake_log f;
	struct store *s = new_store(0, &f);
	uint64_t bytes;

	(void)state;
	create(s, "s1", "bob", 100);
	submit(s, "s1", "alice", 101);
	/* An outsider is told what it is told of a missing session. */
	assert_int_equal(del(s, "dave", "s1", &st),
	    SS_ERR_NOT_FOUND);
	assert_int_equal(del(s, "dave", "s2", &missing),
	    SS_ERR_NOT_FOUND);
	assert_string_equal(st.msg, "no session s1");
	assert_string_equal(missing.msg, "no session s2");
	assert_int_equal(del(s, "alice", "../x", &st),
	    SS_ERR_INVALID);
	/* A party that did not create it waits for its end. */
	assert_int_equal(del(s, "alice", "s1", &st),
	    SS_ERR_PRECONDITION);
	assert_non_null(strstr(st.msg, "only its creator"));
	assert_int_equal(f.drops, 0);
	assert_int_equal(s->deleted, 0);
	assert_non_null(find(s, "s1"));
	/* Its creator may at any time: memory, index and bytes let go. */
	bytes = s->stored_bytes;
	assert_true(bytes > 0);
	assert_int_equal(del(s, "bob", "s1", &st), SS_OK);
	assert_int_equal(released, bytes);
	assert_int_equal(f.drops, 1);
	assert_int_equal(f.reason, STORE_DROP_DELETED);
	assert_string_equal(f.by, "bob");
	assert_null(find(s, "s1"));
	assert_int_equal(s->nsessions, 0);
	assert_int_equal(s->stored_bytes, 0);
	assert_int_equal(s->journal_seq, f.seq);
	assert_int_equal(s->deleted, 1);
	/* Gone: the id is free again, and a second delete finds nothing. */
	assert_int_equal(del(s, "bob", "s1", &st),
	    SS_ERR_NOT_FOUND);
	assert_int_equal(s->deleted, 1);
	create(s, "s1", "carol", 105);
	store_free(s);
}

static void
test_any_party_once_ended(void **state)
{
	struct ss_error st;
	struct fake_log f;
	struct store *s = new_store(0, &f);

	(void)state;
	create(s, "done", "alice", 100);
	submit(s, "done", "alice", 100);
	submit(s, "done", "bob", 100);
	submit(s, "done", "carol", 100);
	assert_int_equal(find(s, "done")->phase, PHASE_AGGREGATING);
	assert_int_equal(del(s, "carol", "done", &st),
	    SS_ERR_PRECONDITION);
	find(s, "done")->phase = PHASE_COMPLETE;
	assert_int_equal(del(s, "carol", "done", &st), SS_OK);
	create(s, "bad", "alice", 100);
	find(s, "bad")->phase = PHASE_FAILED;
	assert_int_equal(del(s, "bob", "bad", &st), SS_OK);
	assert_int_equal(s->nsessions, 0);
	store_free(s);
}

/* A deletion the log cannot take is refused whole. */
static void
test_log_refuses(void **state)
{
	struct ss_error st;
	struct fake_log f;
	struct store *s = new_store(50, &f);

	(void)state;
	create(s, "s1", "alice", 100);
	f.refuse = 1;
	assert_int_equal(del(s, "alice", "s1", &st),
	    SS_ERR_UNAVAILABLE);
	assert_non_null(strstr(st.msg, "disk full"));
	/* Nor does it expire without its record: the next tick tries again. */
	store_tick(s, 1000);
	assert_non_null(find(s, "s1"));
	f.refuse = 0;
	store_tick(s, 1001);
	assert_null(find(s, "s1"));
	assert_int_equal(f.reason, STORE_DROP_EXPIRED);
	assert_string_equal(f.by, "");
	store_free(s);
}

static void
test_ttl(void **state)
{
	struct fake_log f;
	struct store *s = new_store(100, &f);

	(void)state;
	create(s, "idle", "alice", 1000);
	create(s, "busy", "alice", 1000);
	assert_int_equal(lifecycle_expires(s, find(s, "idle")), 1100);
	submit(s, "busy", "bob", 1050);         /* a change: idle from now */
	store_tick(s, 1099);
	assert_int_equal(s->nsessions, 2);
	store_tick(s, 1100);
	assert_null(find(s, "idle"));
	assert_non_null(find(s, "busy"));
	assert_int_equal(lifecycle_expires(s, find(s, "busy")), 1150);
	store_tick(s, 1150);
	assert_int_equal(s->nsessions, 0);
	assert_int_equal(f.drops, 2);
	assert_int_equal(s->expired, 2);
	store_free(s);
}

/*
 * The tick looks at the sessions only once one falls due: the store's
 * next_due is the earliest deadline or expiry, lowered by a creation
 * between ticks, and looked at again when the TTL changes.
 */
static void
test_tick_when_due(void **state)
{
	struct fake_log f;
	struct store *s = new_store(100, &f);

	(void)state;
	create(s, "a", "alice", 1000);
	assert_int_equal(s->next_due, 1100);
	/* Created between ticks, due before the rest: due first. */
	create_until(s, "b", "alice", 1010, 20);
	assert_int_equal(s->next_due, 1030);
	store_tick(s, 1029);
	assert_int_equal(find(s, "b")->phase, PHASE_SHARING);
	assert_int_equal(s->next_due, 1030);
	/* Its deadline: no share, so it fails; it is dropped 100 s later. */
	store_tick(s, 1030);
	assert_int_equal(find(s, "b")->phase, PHASE_FAILED);
	assert_int_equal(s->next_due, 1100);
	assert_int_equal(lifecycle_expires(s, find(s, "b")), 1130);
	/* A shorter TTL is applied at the next tick, not at the old due time. */
	s->lim.session_ttl = 10;
	store_tick(s, 1031);
	assert_null(find(s, "a"));
	assert_non_null(find(s, "b"));
	assert_int_equal(s->next_due, 1040);
	store_tick(s, 1040);
	assert_int_equal(s->nsessions, 0);
	assert_int_equal(s->next_due, UINT64_MAX);
	store_free(s);
}

/*
 * Many sessions expiring at one tick go in one pass: the rest keep their
 * order, and a drop the log refuses keeps that session and every later
 * one until the next tick.
 */
static void
test_expire_many(void **state)
{
	struct fake_log f;
	struct store *s = new_store(100, &f);
	char id[16];
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		create(s, id, "alice", 1000);
	}
	/* s1, s4 and s6 changed later: they stay. */
	submit(s, "s1", "bob", 1050);
	submit(s, "s4", "bob", 1050);
	submit(s, "s6", "bob", 1050);
	f.refuse = 1;
	store_tick(s, 1100);
	assert_int_equal(s->nsessions, 8);
	assert_int_equal(s->next_due, 1100);
	f.refuse = 0;
	store_tick(s, 1101);
	assert_int_equal(s->nsessions, 3);
	assert_int_equal(s->expired, 5);
	assert_int_equal(f.drops, 5);
	assert_string_equal(session_id_name(s->sessions[0]->p.id), "s1");
	assert_string_equal(session_id_name(s->sessions[1]->p.id), "s4");
	assert_string_equal(session_id_name(s->sessions[2]->p.id), "s6");
	assert_null(find(s, "s0"));
	assert_null(find(s, "s7"));
	assert_int_equal(s->next_due, 1150);
	store_free(s);
}

/*
 * The store's own tables (its array of sessions, its two indexes) cost at
 * most SESSION_STORE_BYTES a session once it holds a few (below that,
 * their first 16 slots each), which session_meta_bytes charges.
 */
static void
test_store_tables_charged(void **state)
{
	struct fake_log f;
	struct store *s = new_store(100, &f);
	uint64_t tables, meta = 0;
	char id[16];
	int i;

	(void)state;
	/* Three creators: each may hold 256 (--max-sessions-per-party). */
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		create(s, id, names[i % 3], 1000);
		meta += session_meta_bytes(s->sessions[i]);
		assert_int_equal(s->meta_bytes, meta);
		assert_true(session_meta_bytes(s->sessions[i]) >=
		    sizeof(struct session) + SESSION_STORE_BYTES +
		    3 * SESSION_MEMBERSHIP_BYTES);
		tables = (uint64_t)(s->sessions_cap + s->index.cap +
		    s->by_name.cap) * sizeof(void *);
		if (i + 1 >= 8)
			assert_true(tables <= (uint64_t)(i + 1) *
			    SESSION_STORE_BYTES);
	}
	store_free(s);
}

/* A restart counts as a change; a sharing deadline ahead keeps a session. */
static void
test_idle_counts_from(void **state)
{
	struct fake_log f;
	struct store *s = new_store(100, &f);
	struct session *se;

	(void)state;
	create(s, "s1", "alice", 1000);
	se = find(s, "s1");
	se->deadline_unix = 5000;
	assert_int_equal(lifecycle_expires(s, se), 5100);
	se->deadline_unix = 0;
	s->boot_unix = 3000;
	assert_int_equal(lifecycle_expires(s, se), 3100);
	store_free(s);
	s = new_store(0, &f);
	create(s, "s1", "alice", 1000);
	assert_int_equal(lifecycle_expires(s, find(s, "s1")), 0);
	store_tick(s, UINT64_MAX / 2);
	assert_non_null(find(s, "s1"));
	store_free(s);
}

static void
test_list(void **state)
{
	char id[16];
	struct session *out[4];
	struct fake_log f;
	struct store *s = new_store(0, &f);
	size_t next, n, seen = 0;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		create(s, id, "alice", 100 + (uint64_t)i);
	}
	/* carol is in all ten; dave in none. */
	assert_int_equal(lifecycle_list(s, "dave", 0, out, 4, &next), 0);
	assert_int_equal(next, 0);
	next = 0;
	do {
		n = lifecycle_list(s, "carol", next, out, 4, &next);
		for (i = 0; i < (int)n; i++) {
			snprintf(id, sizeof(id), "alice/s%zu", seen + (size_t)i);
			assert_string_equal(out[i]->p.id, id);
		}
		seen += n;
	} while (next != 0);
	assert_int_equal(seen, 10);
	/* Exactly a page: no further page is announced. */
	assert_int_equal(lifecycle_list(s, "carol", 6, out, 4, &next), 4);
	assert_int_equal(next, 0);
	store_free(s);
}

/* A session a response sends from outlives its deletion until unpinned. */
static void
test_pinned(void **state)
{
	struct ss_error st;
	struct fake_log f;
	struct store *s = new_store(0, &f);
	struct session *se;

	(void)state;
	create(s, "s1", "alice", 100);
	submit(s, "s1", "alice", 100);
	se = find(s, "s1");
	session_pin(se);
	assert_int_equal(del(s, "alice", "s1", &st), SS_OK);
	assert_null(find(s, "s1"));
	/* Still readable (ASan and valgrind would see otherwise). */
	assert_true(se->dropped);
	assert_non_null(se->shares[0]);
	assert_int_equal(se->shares[0][0], 0);
	session_unpin(se);
	/* Pinned at the store's end: freed by the last unpin. */
	create(s, "s2", "alice", 102);
	se = find(s, "s2");
	session_pin(se);
	store_free(s);
	assert_true(se->dropped);
	session_unpin(se);
}

/*
 * A deleted session a response still sends from stays in the memory budget
 * until the last unpin frees it; one that nothing sends from leaves it at
 * once.
 */
static void
test_pinned_charged(void **state)
{
	struct ss_error st;
	struct fake_log f;
	struct store *s = new_store(0, &f);
	struct session *se;
	struct budget b;
	uint64_t held, meta;

	(void)state;
	budget_init(&b, 0, &s->stored_bytes);
	budget_count_also(&b, &s->meta_bytes);
	s->budget = &b;
	create(s, "s1", "alice", 100);
	submit(s, "s1", "alice", 100);
	create(s, "s2", "alice", 100);
	submit(s, "s2", "alice", 100);
	held = budget_total(&b);
	se = find(s, "s1");
	meta = session_meta_bytes(se);
	/* Its bookkeeping counts as much as what it holds. */
	assert_int_equal(held, s->stored_bytes + 2 * meta);
	session_pin(se);
	session_pin(se);
	assert_int_equal(del(s, "alice", "s1", &st), SS_OK);
	assert_true(released > 0);
	/* Out of the store's count, not out of the budget's. */
	assert_int_equal(s->stored_bytes + s->meta_bytes, held - released - meta);
	assert_int_equal(budget_total(&b), held);
	session_unpin(se);
	assert_int_equal(budget_total(&b), held);
	session_unpin(se);
	assert_int_equal(budget_total(&b), held - released - meta);
	/* Nothing sends from s2: its bytes go with it. */
	assert_int_equal(del(s, "alice", "s2", &st), SS_OK);
	assert_int_equal(budget_total(&b), 0);
	store_free(s);
}

/* What a loader accepts as a creator: one of the parties, or unknown. */
static void
test_creator_valid(void **state)
{
	struct fake_log f;
	struct store *s = new_store(0, &f);
	struct session *se;

	(void)state;
	create(s, "s1", "carol", 100);
	se = find(s, "s1");
	assert_string_equal(se->creator, "carol");
	assert_true(session_creator_valid(se));
	se->creator[0] = '\0';
	assert_true(session_creator_valid(se));
	snprintf(se->creator, sizeof(se->creator), "mallory");
	assert_false(session_creator_valid(se));
	store_free(s);
}

static void
test_replay_delete(void **state)
{
	struct ss_error e;
	struct fake_log f;
	struct store *s = new_store(0, &f);

	(void)state;
	store_set_log(s, NULL);
	create(s, "s1", "alice", 100);
	assert_int_equal(lifecycle_apply_delete(s, "s1", &e), SS_ERR_INVALID);
	assert_int_equal(lifecycle_apply_delete(s, "alice/s1", &e), SS_OK);
	assert_null(find(s, "s1"));
	assert_int_equal(lifecycle_apply_delete(s, "alice/s1", &e),
	    SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "no session alice/s1"));
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who_may_delete),
		cmocka_unit_test(test_any_party_once_ended),
		cmocka_unit_test(test_log_refuses),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_idle_counts_from),
		cmocka_unit_test(test_tick_when_due),
		cmocka_unit_test(test_expire_many),
		cmocka_unit_test(test_store_tables_charged),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_pinned),
		cmocka_unit_test(test_pinned_charged),
		cmocka_unit_test(test_creator_valid),
		cmocka_unit_test(test_replay_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
