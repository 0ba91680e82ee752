/*
 * test_server_budget.c: the memory budget (budget.c) and the per-identity
 * use behind the quotas (quota.c). A charge that does not fit is refused
 * with nothing taken; the store's held bytes count against the same limit;
 * no limit takes anything; giving back never goes below zero. Identities
 * are found again after the table grows, and a session's parties are
 * charged their own shares and sumpoints, and released when it is dropped.
 * On the store: a creator's sessions stop at --max-sessions-per-party until
 * one is deleted or expires (failing or completing frees none); a party's bytes
 * stop at --max-bytes-per-party until the session holding them goes; a
 * full budget refuses a submission, naming it. Sessions replayed or loaded
 * from disk count against the creator recorded, those without one against
 * no one. An answer in an output buffer is charged its copied bytes and a
 * piece per block and reference, whether it fits or not, until libevent
 * has sent (drained) or dropped it; the estimate made before it is built
 * is never below that charge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>

#include "answer_sink.h"
#include "bigmem.h"
#include "budget.h"
#include "lifecycle.h"
#include "quota.h"
#include "sealed.h"
#include "store.h"

static void
test_take_until_full(void **state)
{
	struct budget b;

	(void)state;
	budget_init(&b, 1000, NULL);
	assert_int_equal(budget_take(&b, 600), SS_OK);
	assert_int_equal(budget_take(&b, 401), SS_ERR_EXHAUSTED);
	assert_int_equal(b.used, 600);
	assert_int_equal(budget_take(&b, 400), SS_OK);
	assert_false(budget_fits(&b, 1));
	assert_true(budget_fits(&b, 0));
	budget_give(&b, 500);
	assert_int_equal(budget_total(&b), 500);
	budget_give(&b, 5000);
	assert_int_equal(b.used, 0);
}

static void
test_held_bytes_count(void **state)
{
	struct budget b;
	uint64_t held = 900;

	(void)state;
	budget_init(&b, 1000, &held);
	assert_int_equal(budget_total(&b), 900);
	assert_int_equal(budget_take(&b, 101), SS_ERR_EXHAUSTED);
	assert_int_equal(budget_take(&b, 100), SS_OK);
	held = 950;     /* the store grew past the budget meanwhile */
	assert_false(budget_fits(&b, 0) && budget_fits(&b, 1));
	assert_int_equal(budget_take(&b, 1), SS_ERR_EXHAUSTED);
	held = UINT64_MAX;      /* no overflow in the sum */
	assert_int_equal(budget_total(&b), UINT64_MAX);
	assert_int_equal(budget_take(&b, 1), SS_ERR_EXHAUSTED);
}

static void
test_no_limit(void **state)
{
	struct budget b;

	(void)state;
	budget_init(&b, 0, NULL);
	assert_int_equal(budget_take(&b, UINT64_MAX / 2), SS_OK);
	assert_int_equal(budget_take(&b, UINT64_MAX / 2), SS_OK);
	assert_int_equal(budget_take(&b, UINT64_MAX / 2), SS_ERR_EXHAUSTED);
}

static void
test_force_and_answer_cost(void **state)
{
	struct budget b;

	(void)state;
	budget_init(&b, 1000, NULL);
	budget_force(&b, 1500);         /* past the limit: charged all the same */
	assert_int_equal(budget_total(&b), 1500);
	assert_false(budget_fits(&b, 0));
	budget_give(&b, 1500);
	assert_int_equal(b.used, 0);
	assert_int_equal(budget_answer_cost(100, 0), 100 + BUDGET_PIECE_COST);
	assert_int_equal(budget_answer_cost(0, 2), 5 * BUDGET_PIECE_COST);
	assert_int_equal(budget_answer_cost(3 * BUDGET_ANSWER_BLOCK, 0),
	    3 * BUDGET_ANSWER_BLOCK + 4 * BUDGET_PIECE_COST);
	assert_int_equal(budget_answer_cost(UINT64_MAX - 5, 0), UINT64_MAX);
	assert_int_equal(budget_answer_cost(0, UINT64_MAX / 2), UINT64_MAX);
}

/* An answer of copied bytes around n references to held, as protobuf-c appends. */
static uint64_t
write_answer(struct evbuffer *out, struct budget *b, struct session *se,
    const uint8_t *held, size_t held_len, int n, size_t copied)
{
	struct answer_sink s;
	uint8_t small[64];
	uint64_t total = 0;
	int i;

	memset(small, 7, sizeof(small));
	answer_sink_init(&s, out, b);
	for (i = 0; i <= n; i++) {
		size_t k;

		for (k = 0; k < copied; k += sizeof(small))
			s.base.append(&s.base, sizeof(small), small);
		total += copied;
		if (i < n)
			answer_sink_held(&s.base, held_len, held, se);
	}
	assert_int_equal(answer_sink_finish(&s), SS_OK);
	return total;
}

static void
test_answers_charged_until_sent(void **state)
{
	static uint8_t held[8192];
	struct evbuffer *out = evbuffer_new();
	struct session se;
	struct budget b;
	uint64_t copied;

	(void)state;
	assert_non_null(out);
	memset(&se, 0, sizeof(se));
	budget_init(&b, 100000, NULL);
	/* Three held vectors: sent from where they lie, the session pinned. */
	copied = write_answer(out, &b, &se, held, sizeof(held), 3, 640);
	assert_int_equal(evbuffer_get_length(out), copied + 3 * sizeof(held));
	assert_int_equal(se.pins, 3);
	assert_int_equal(b.used, copied + 7 * BUDGET_PIECE_COST);
	assert_true(b.used <= budget_answer_cost(copied, 3));
	/* A block partly sent is still held; once all is sent, nothing is. */
	assert_int_equal(evbuffer_drain(out, 100), 0);
	assert_int_equal(b.used, copied + 7 * BUDGET_PIECE_COST);
	assert_int_equal(evbuffer_drain(out, evbuffer_get_length(out)), 0);
	assert_int_equal(b.used, 0);
	assert_int_equal(se.pins, 0);
	/* Copied runs past a block make more blocks; freeing gives all back. */
	copied = write_answer(out, &b, &se, held, sizeof(held), 0,
	    2 * BUDGET_ANSWER_BLOCK + 64);
	assert_int_equal(b.used, copied + 3 * BUDGET_PIECE_COST);
	assert_true(b.used <= budget_answer_cost(copied, 0));
	/* Charged past the limit (the caller stops reading meanwhile). */
	(void)write_answer(out, &b, &se, held, sizeof(held), 0, 70000);
	assert_false(budget_fits(&b, 0));
	evbuffer_free(out);
	assert_int_equal(b.used, 0);
}

static void
test_quota_table_grows(void **state)
{
	struct quota_table q;
	struct quota_use *u;
	char name[NAME_BUF];
	int i;

	(void)state;
	assert_int_equal(quota_init(&q), SS_OK);
	assert_null(quota_find(&q, "alice"));
	assert_null(quota_get(&q, ""));
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "party-%d", i);
		assert_non_null(u = quota_get(&q, name));
		u->bytes = (uint64_t)i;
	}
	assert_int_equal(q.used, 500);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "party-%d", i);
		assert_non_null(quota_find(&q, name));
		assert_int_equal(quota_find(&q, name)->bytes, (uint64_t)i);
	}
	/* Found again, not added again. */
	assert_ptr_equal(quota_get(&q, "party-7"), quota_find(&q, "party-7"));
	assert_int_equal(q.used, 500);
	quota_free(&q);
}

static void
test_session_bytes_charged_and_dropped(void **state)
{
	char parties[3][NAME_BUF] = { "alice", "bob", "carol" };
	struct session_spec p;
	struct quota_table q;
	struct session *se;
	uint64_t vals[4] = { 1, 2, 3, 4 };

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", "s1");
	p.n = 3;
	p.parties = parties;
	p.threshold = 1;
	p.length = 4;
	assert_non_null(se = session_new(&p));
	assert_int_equal(quota_init(&q), SS_OK);
	se->sumpoints[1] = bigmem_alloc(sizeof(vals), 0);
	assert_non_null(se->sumpoints[1]);
	memcpy(se->sumpoints[1], vals, sizeof(vals));
	assert_int_equal(quota_party_bytes(se, 0), 0);
	assert_int_equal(quota_party_bytes(se, 1), sizeof(vals));
	/* No creator recorded: the bytes count, the session for no one. */
	quota_add_session(&q, se);
	assert_null(quota_find(&q, "alice"));
	assert_null(quota_find(&q, "carol"));
	assert_int_equal(quota_find(&q, "bob")->bytes, sizeof(vals));
	quota_drop_session(&q, se);
	assert_int_equal(quota_find(&q, "bob")->bytes, 0);
	/* The creator's session, then the drop takes everything back. */
	snprintf(se->creator, sizeof(se->creator), "%s", "carol");
	assert_true(quota_counts_creator(se));
	quota_add_session(&q, se);
	assert_int_equal(quota_find(&q, "carol")->sessions, 1);
	quota_drop_session(&q, se);
	assert_int_equal(quota_find(&q, "bob")->bytes, 0);
	assert_int_equal(quota_find(&q, "carol")->sessions, 0);
	/* A complete one counts the same, until it goes. */
	se->phase = PHASE_COMPLETE;
	assert_true(quota_counts_creator(se));
	quota_add_session(&q, se);
	assert_int_equal(quota_find(&q, "carol")->sessions, 1);
	quota_drop_session(&q, se);
	assert_int_equal(quota_find(&q, "carol")->sessions, 0);
	session_free(se);
	quota_free(&q);
}

static char names[3][NAME_BUF] = { "alice", "bob", "carol" };

static struct session_spec
spec(const char *id, uint32_t deadline)
{
	struct session_spec p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	p.n = 3;
	p.parties = names;
	p.threshold = 1;
	p.length = 2;
	p.deadline_seconds = deadline;
	return p;
}

static struct store *
store_with(uint32_t sessions, uint64_t bytes)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	lim.max_sessions_per_party = sessions;
	lim.max_bytes_per_party = bytes;
	assert_non_null(s = store_new(&lim));
	return s;
}

/*
 * caller creates caller/id (PROTOCOL.md 2.1) at 100, its sharing deadline
 * (0: none) deadline later.
 */
static int
create_until(struct store *s, const char *caller, const char *id,
    uint32_t deadline, struct ss_error *st)
{
	struct session_spec p = spec(id, deadline);
	uint64_t dl;
	int created;

	snprintf(p.id, sizeof(p.id), "%.64s/%.64s", caller, id);
	return store_create(s, caller, &p, 100, &created, &dl, st);
}

static int
create(struct store *s, const char *caller, const char *id,
    struct ss_error *st)
{
	return create_until(s, caller, id, 10, st);
}

static void
test_sessions_per_creator(void **state)
{
	struct ss_error st;
	uint64_t released;
	struct store *s = store_with(2, UINT64_C(1) << 30);

	(void)state;
	assert_int_equal(create(s, "alice", "a1", &st), SS_OK);
	assert_int_equal(create(s, "alice", "a2", &st), SS_OK);
	assert_int_equal(create(s, "alice", "a3", &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "--max-sessions-per-party 2"));
	/* Another creator has its own count; a repeat is no new session. */
	assert_int_equal(create(s, "bob", "b1", &st), SS_OK);
	assert_int_equal(create(s, "alice", "a1", &st), SS_OK);
	/*
	 * Their deadlines pass with no shares: failed, and still held, so
	 * still counted (sessions that fail at once would otherwise fill
	 * --max-sessions for free).
	 */
	store_tick(s, 200);
	assert_int_equal(store_find(s, "alice/a1")->phase, PHASE_FAILED);
	assert_int_equal(quota_find(&s->quotas, "alice")->sessions, 2);
	assert_int_equal(create(s, "alice", "a3", &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "mpc-client delete"));
	/* Deleted: its place is alice's again. */
	assert_int_equal(lifecycle_delete(s, "alice", "alice/a1", 201, &released,
	    &st), SS_OK);
	assert_int_equal(quota_find(&s->quotas, "alice")->sessions, 1);
	assert_int_equal(create(s, "alice", "a3", &st), SS_OK);
	store_free(s);
}

/* alice's shares in session id: 3 ciphertexts of the session's length. */
static int
submit(struct store *s, const char *id, struct ss_error *st)
{
	struct submitted_share sh[3];
	size_t len = sealed_len(2);
	uint8_t ct[3][512];
	int dup, i;

	assert_true(len <= sizeof(ct[0]));
	for (i = 0; i < 3; i++) {
		memset(ct[i], i + 1, len);
		sh[i].recipient = names[i];
		sh[i].ct = ct[i];
		sh[i].ct_len = len;
	}
	return store_submit(s, "alice", id, "alice", sh, 3, 100, &dup, st);
}

static void
test_bytes_per_party_and_budget(void **state)
{
	uint64_t one = 3 * (uint64_t)sealed_len(2);
	struct store *s = store_with(8, one + one / 2);
	struct budget b;
	struct ss_error st;

	(void)state;
	assert_int_equal(create(s, "alice", "a1", &st), SS_OK);
	assert_int_equal(create(s, "alice", "a2", &st), SS_OK);
	assert_int_equal(create(s, "alice", "a3", &st), SS_OK);
	assert_int_equal(submit(s, "a1", &st), SS_OK);
	assert_int_equal(quota_find(&s->quotas, "alice")->bytes, one);
	assert_int_equal(submit(s, "a2", &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "--max-bytes-per-party"));
	assert_null(store_find(s, "alice/a2")->shares[0]);
	/* With room per party, the budget still says no. */
	s->lim.max_bytes_per_party = 10 * one;
	budget_init(&b, s->stored_bytes + one - 1, &s->stored_bytes);
	s->budget = &b;
	assert_int_equal(submit(s, "a2", &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "--max-memory"));
	b.limit += 1;
	assert_int_equal(submit(s, "a2", &st), SS_OK);
	assert_int_equal(quota_find(&s->quotas, "alice")->bytes, 2 * one);
	store_free(s);
}

/*
 * A session's own bookkeeping counts against the budget as it is created,
 * loaded or replayed, and leaves with it: a creation it has no room for is
 * refused, naming --max-memory.
 */
static void
test_session_bookkeeping_counted(void **state)
{
	struct store *s = store_with(8, UINT64_C(1) << 30);
	struct session_spec p;
	struct ss_error st;
	struct budget b;
	uint64_t meta, released;

	(void)state;
	budget_init(&b, 0, &s->stored_bytes);
	budget_count_also(&b, &s->meta_bytes);
	s->budget = &b;
	assert_int_equal(create(s, "alice", "a1", &st), SS_OK);
	meta = session_meta_bytes(store_find(s, "alice/a1"));
	/* The struct and, for each of its 3 parties, at least its name. */
	assert_true(meta >= sizeof(struct session) + 3 * NAME_BUF);
	assert_int_equal(s->meta_bytes, meta);
	assert_int_equal(budget_total(&b), meta);
	/* Room for one more but a byte: refused, nothing made. */
	b.limit = 2 * meta - 1;
	assert_int_equal(create(s, "alice", "a2", &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "--max-memory"));
	assert_null(store_find(s, "alice/a2"));
	assert_int_equal(s->meta_bytes, meta);
	b.limit += 1;
	assert_int_equal(create(s, "alice", "a2", &st), SS_OK);
	assert_int_equal(budget_total(&b), 2 * meta);
	assert_int_equal(lifecycle_delete(s, "alice", "alice/a1", 101,
	    &released, &st), SS_OK);
	assert_int_equal(s->meta_bytes, meta);
	/* Replayed at start: counted, never refused. */
	b.limit = 1;
	p = spec("r1", 10);
	assert_int_equal(store_apply_create(s, &p, 100, 110, "alice", &st),
	    SS_OK);
	assert_int_equal(s->meta_bytes, 2 * meta);
	store_free(s);
}

static uint32_t
held_of(const struct store *s, const char *name)
{
	const struct quota_use *u = quota_find(&s->quotas, name);

	return u != NULL ? u->sessions : 0;
}

static void
test_deleted_and_expired_give_back(void **state)
{
	uint64_t one = 3 * (uint64_t)sealed_len(2), released;
	struct store *s = store_with(2, one + one / 2);
	struct ss_error st;

	(void)state;
	assert_int_equal(create_until(s, "alice", "a1", 0, &st), SS_OK);
	assert_int_equal(create_until(s, "alice", "a2", 0, &st), SS_OK);
	assert_int_equal(create_until(s, "alice", "a3", 0, &st),
	    SS_ERR_EXHAUSTED);
	assert_int_equal(submit(s, "a1", &st), SS_OK);
	assert_int_equal(submit(s, "a2", &st), SS_ERR_EXHAUSTED);
	/* a1 deleted: its open session and alice's bytes in it go. */
	assert_int_equal(lifecycle_delete(s, "alice", "a1", 100, &released,
	    &st), SS_OK);
	assert_int_equal(released, one);
	assert_int_equal(s->stored_bytes, 0);
	assert_int_equal(held_of(s, "alice"), 1);
	assert_int_equal(quota_find(&s->quotas, "alice")->bytes, 0);
	assert_int_equal(submit(s, "a2", &st), SS_OK);
	assert_int_equal(create_until(s, "alice", "a3", 0, &st), SS_OK);
	assert_int_equal(held_of(s, "alice"), 2);
	/* Both idle past the TTL: dropped, nothing left counted. */
	s->lim.session_ttl = 50;
	store_tick(s, 100);
	store_tick(s, 151);
	assert_int_equal(s->nsessions, 0);
	assert_int_equal(held_of(s, "alice"), 0);
	assert_int_equal(quota_find(&s->quotas, "alice")->bytes, 0);
	assert_int_equal(s->stored_bytes, 0);
	assert_int_equal(create_until(s, "alice", "a4", 0, &st), SS_OK);
	store_free(s);
}

static void
test_replayed_and_loaded_count(void **state)
{
	struct store *s = store_with(2, UINT64_C(1) << 30);
	struct session_spec p;
	struct session *se;
	struct ss_error st, e;

	(void)state;
	/* Replayed: the creator recorded, none (journal 5), or an outsider. */
	p = spec("r1", 10);
	assert_int_equal(store_apply_create(s, &p, 100, 110, "alice", &e),
	    SS_OK);
	p = spec("r2", 10);
	assert_int_equal(store_apply_create(s, &p, 100, 110, "", &e), SS_OK);
	p = spec("r3", 10);
	assert_int_equal(store_apply_create(s, &p, 100, 110, "dave", &e),
	    SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "dave is not one of its parties"));
	assert_null(store_find(s, "r3"));
	assert_int_equal(held_of(s, "alice"), 1);
	assert_int_equal(held_of(s, "dave"), 0);
	/* Loaded from a snapshot: open or complete, each counts. */
	p = spec("l1", 10);
	assert_non_null(se = session_new(&p));
	snprintf(se->creator, sizeof(se->creator), "%s", "alice");
	assert_int_equal(store_adopt_session(s, se), SS_OK);
	p = spec("l2", 10);
	assert_non_null(se = session_new(&p));
	snprintf(se->creator, sizeof(se->creator), "%s", "bob");
	se->phase = PHASE_COMPLETE;
	assert_int_equal(store_adopt_session(s, se), SS_OK);
	assert_int_equal(held_of(s, "alice"), 2);
	assert_int_equal(held_of(s, "bob"), 1);
	assert_int_equal(create(s, "alice", "a1", &st), SS_ERR_EXHAUSTED);
	/* A replayed delete gives the loaded session back. */
	assert_int_equal(lifecycle_apply_delete(s, "l1", &e), SS_OK);
	assert_int_equal(held_of(s, "alice"), 1);
	assert_int_equal(create(s, "alice", "a1", &st), SS_OK);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_until_full),
		cmocka_unit_test(test_held_bytes_count),
		cmocka_unit_test(test_no_limit),
		cmocka_unit_test(test_force_and_answer_cost),
		cmocka_unit_test(test_answers_charged_until_sent),
		cmocka_unit_test(test_quota_table_grows),
		cmocka_unit_test(test_session_bytes_charged_and_dropped),
		cmocka_unit_test(test_sessions_per_creator),
		cmocka_unit_test(test_session_bookkeeping_counted),
		cmocka_unit_test(test_bytes_per_party_and_budget),
		cmocka_unit_test(test_deleted_and_expired_give_back),
		cmocka_unit_test(test_replayed_and_loaded_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
