/*
 * test_server_store.c: the server's session rules, checked on the store
 * directly; its log (struct store_log) written before every change and
 * refusing it whole; the replay entries (store_apply_*) holding recorded
 * changes to the same rules. Version 2: the parameters' rules, D, the
 * deadline with min_cohort, the signing certificates, and statements and
 * conflicts logged first (signed by the test PKI's parties, signers.h; the
 * rules of each statement are test_server_rpc.c's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bigmem.h"
#include "certs.h"
#include "field.h"
#include "frame.h"
#include "params.h"
#include "sealed.h"
#include "signers.h"
#include "lifecycle.h"
#include "quota.h"
#include "store.h"

#define L 3

static char names[4][NAME_BUF] = { "alice", "bob", "carol", "dave" };

static struct session_spec
params(const char *id, uint32_t n, uint32_t t, uint32_t deadline)
{
	struct session_spec p;

	memset(&p, 0, sizeof(p));
	/* Created by alice, in her namespace (docs/PROTOCOL.md 2.1). */
	snprintf(p.id, sizeof(p.id), "alice/%s", id);
	p.n = n;
	p.parties = names;
	p.threshold = t;
	p.length = L;
	p.deadline_seconds = deadline;
	return p;
}

static struct store *
new_store(void)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	s = store_new(&lim);
	assert_non_null(s);
	return s;
}

/* Submits `fill`-valued ciphertexts from sender to all n parties. */
static int
submit(struct store *s, const char *sender, uint32_t n, uint8_t fill,
    uint64_t now, int *dup, struct ss_error *st)
{
	struct submitted_share sh[4];
	size_t len = sealed_len(L);
	uint8_t *ct = malloc(len * n);
	int rc;
	uint32_t i;

	assert_non_null(ct);
	memset(ct, fill, len * n);
	for (i = 0; i < n; i++) {
		sh[i].recipient = names[(i + 1) % n];   /* any order is fine */
		sh[i].ct = ct + i * len;
		sh[i].ct_len = len;
	}
	rc = store_submit(s, sender, "s1", sender, sh, n, now, dup, st);
	free(ct);
	return rc;
}

static void
test_create_rules(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 0), q;
	struct ss_error st;
	uint64_t dl;
	int created;

	(void)state;
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st), SS_OK);
	assert_true(created);
	assert_int_equal(store_create(s, "alice", &p, 200, &created, &dl, &st), SS_OK);
	assert_false(created);
	/* bob, a party, may not create in alice's namespace (2.1). */
	assert_int_equal(store_create(s, "bob", &p, 200, &created, &dl, &st), SS_ERR_DENIED);
	q = params("s1", 3, 2, 0);
	assert_int_equal(store_create(s, "alice", &q, 100, &created, &dl, &st), SS_ERR_EXISTS);
	q = params("s2", 3, 1, 0);
	assert_int_equal(store_create(s, "dave", &q, 100, &created, &dl, &st), SS_ERR_DENIED);
	/* An outsider cannot tell an existing session from a new one. */
	assert_int_equal(store_create(s, "dave", &p, 100, &created, &dl, &st), SS_ERR_DENIED);
	q = params("s3", 3, 3, 0);
	assert_int_equal(store_create(s, "alice", &q, 100, &created, &dl, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "threshold"));
	q = params("s3", 3, 0, 0);
	assert_int_equal(store_create(s, "alice", &q, 100, &created, &dl, &st), SS_ERR_INVALID);
	q = params("-bad", 3, 1, 0);
	assert_int_equal(store_create(s, "alice", &q, 100, &created, &dl, &st), SS_ERR_INVALID);
	q = params("s4", 1, 1, 0);
	assert_int_equal(store_create(s, "alice", &q, 100, &created, &dl, &st), SS_ERR_INVALID);
	store_free(s);
}

static void
test_duplicate_party_refused(void **state)
{
	static char dup[3][NAME_BUF] = { "alice", "bob", "alice" };
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 0);
	struct ss_error st;
	uint64_t dl;
	int created;

	(void)state;
	p.parties = dup;
	assert_int_equal(store_create(s, "alice", &p, 1, &created, &dl, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "twice"));
	store_free(s);
}

/*
 * A frame holding sender's shares for alice, bob, carol with bytes between
 * and around them, as a real SubmitShares has tags and names there; share i
 * filled with fill + i. order gives the recipient of each share in turn.
 */
static uint8_t *
frame_of_shares(struct submitted_share sh[3], const int order[3], uint8_t fill,
    size_t *frame_len)
{
	size_t len = sealed_len(L), off = 11, i;
	uint8_t *f;

	*frame_len = off + 3 * (len + 7);
	f = bigmem_alloc(*frame_len, 0);
	assert_non_null(f);
	memset(f, 0xee, *frame_len);
	for (i = 0; i < 3; i++) {
		memset(f + off, fill + order[i], len);
		sh[i].recipient = names[order[i]];
		sh[i].ct = f + off;
		sh[i].ct_len = len;
		off += len + 7;
	}
	return f;
}

/* The stored block of sender holds share j filled with fill + j, in recipient order. */
static void
assert_block(struct store *s, uint32_t sender, uint8_t fill)
{
	struct session *se = store_find(s, "alice/s1");
	size_t len = sealed_len(L), i, j;

	assert_non_null(se);
	assert_non_null(se->shares[sender]);
	for (j = 0; j < 3; j++)
		for (i = 0; i < len; i++)
			assert_int_equal(se->shares[sender][j * len + i], fill + j);
}

static void
test_submit_in_place(void **state)
{
	static const int in_order[3] = { 0, 1, 2 }, shuffled[3] = { 1, 2, 0 };
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 0);
	struct submitted_share sh[3];
	struct ss_error st;
	uint64_t dl, values[L] = { 5, 6, 7 }, *buf;
	size_t flen;
	uint8_t *f;
	int created, dup;

	(void)state;
	assert_int_equal(store_create(s, "alice", &p, 1, &created, &dl, &st), SS_OK);
	/* In recipient order: the frame becomes the block. */
	f = frame_of_shares(sh, in_order, 0x10, &flen);
	assert_int_equal(store_submit_in_place(s, "alice", "s1", "alice", sh, 3,
	    &f, flen, 1, &dup, &st), SS_OK);
	assert_null(f);
	assert_block(s, 0, 0x10);
	/* The same shares again: a duplicate; the frame is used up all the same. */
	f = frame_of_shares(sh, in_order, 0x10, &flen);
	assert_int_equal(store_submit_in_place(s, "alice", "s1", "alice", sh, 3,
	    &f, flen, 1, &dup, &st), SS_OK);
	assert_true(dup);
	assert_null(f);
	/* Different ones: refused, and the stored block is untouched. */
	f = frame_of_shares(sh, in_order, 0x40, &flen);
	assert_int_equal(store_submit_in_place(s, "alice", "s1", "alice", sh, 3,
	    &f, flen, 1, &dup, &st), SS_ERR_EXISTS);
	bigmem_free(f);
	assert_block(s, 0, 0x10);
	/* Out of recipient order: copied into place; the caller keeps the frame. */
	f = frame_of_shares(sh, shuffled, 0x20, &flen);
	assert_int_equal(store_submit_in_place(s, "bob", "s1", "bob", sh, 3,
	    &f, flen, 1, &dup, &st), SS_OK);
	assert_non_null(f);
	bigmem_free(f);
	assert_block(s, 1, 0x20);
	/* A refused submission leaves the caller's frame to the caller. */
	f = frame_of_shares(sh, in_order, 0x30, &flen);
	sh[2].recipient = "dave";
	assert_int_equal(store_submit_in_place(s, "carol", "s1", "carol", sh, 3,
	    &f, flen, 1, &dup, &st), SS_ERR_INVALID);
	assert_non_null(f);
	bigmem_free(f);
	f = frame_of_shares(sh, in_order, 0x30, &flen);
	assert_int_equal(store_submit_in_place(s, "carol", "s1", "carol", sh, 3,
	    &f, flen, 1, &dup, &st), SS_OK);
	assert_null(f);
	assert_block(s, 2, 0x30);

	/* A sumpoint at the start of its frame is kept as it is. */
	buf = bigmem_alloc(sizeof(values) + 16, 0);
	assert_non_null(buf);
	memcpy(buf, values, sizeof(values));
	f = (uint8_t *)buf;
	assert_int_equal(store_post_sumpoint_in_place(s, "bob", "s1", "bob", buf, L,
	    &f, 1, &dup, &st), SS_OK);
	assert_null(f);
	assert_memory_equal(store_find(s, "alice/s1")->sumpoints[1], values, sizeof(values));
	/* Values elsewhere are copied; the frame stays the caller's. */
	buf = bigmem_alloc(sizeof(values) + 8, 0);
	assert_non_null(buf);
	memcpy(buf + 1, values, sizeof(values));
	f = (uint8_t *)buf;
	assert_int_equal(store_post_sumpoint_in_place(s, "alice", "s1", "alice",
	    buf + 1, L, &f, 1, &dup, &st), SS_OK);
	assert_non_null(f);
	bigmem_free(f);
	assert_memory_equal(store_find(s, "alice/s1")->sumpoints[0], values, sizeof(values));
	store_free(s);
}

static void
test_sharing_to_complete(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 0);
	struct session *se;
	struct ss_error st;
	uint64_t dl, v[L] = { 1, 2, 3 }, bad[L] = { 1, FIELD_P, 3 };
	uint32_t me;
	int created, dup;

	(void)state;
	assert_int_equal(store_create(s, "alice", &p, 1, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(s, "alice", 3, 0xa1, 1, &dup, &st), SS_OK);
	assert_false(dup);
	assert_int_equal(submit(s, "alice", 3, 0xa1, 1, &dup, &st), SS_OK);
	assert_true(dup);
	assert_int_equal(submit(s, "alice", 3, 0xa2, 1, &dup, &st), SS_ERR_EXISTS);
	assert_int_equal(store_get_share(s, "alice", "s1", "alice", 1, &se, &me, &st),
	    SS_ERR_PRECONDITION);
	assert_int_equal(submit(s, "bob", 3, 0xb1, 1, &dup, &st), SS_OK);
	assert_int_equal(submit(s, "carol", 3, 0xc1, 1, &dup, &st), SS_OK);
	/* All three are in: the cohort is fixed. */
	assert_int_equal(store_get_share(s, "bob", "s1", "bob", 1, &se, &me, &st), SS_OK);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
	assert_int_equal(me, 1);
	assert_int_equal(store_get_share(s, "bob", "s1", "alice", 1, &se, &me, &st),
	    SS_ERR_DENIED);
	/* An outsider is told what it is told of a missing id (2.1). */
	assert_int_equal(store_get_share(s, "dave", "s1", "dave", 1, &se, &me, &st),
	    SS_ERR_NOT_FOUND);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "alice", v, L, 1, &dup, &st),
	    SS_ERR_DENIED);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", bad, L, 1, &dup, &st),
	    SS_ERR_INVALID);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L - 1, 1, &dup, &st),
	    SS_ERR_INVALID);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 1, &dup, &st), SS_OK);
	assert_true(dup);
	v[0] = 9;
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 1, &dup, &st),
	    SS_ERR_EXISTS);
	assert_int_equal(store_post_sumpoint(s, "alice", "s1", "alice", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
	assert_int_equal(store_post_sumpoint(s, "carol", "s1", "carol", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(se->phase, PHASE_COMPLETE);
	store_free(s);
}

static void
test_submit_validation(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 0);
	struct submitted_share sh[3];
	uint8_t ct[512];
	struct ss_error st;
	uint64_t dl;
	int created, dup, i;

	(void)state;
	memset(ct, 0, sizeof(ct));
	assert_int_equal(store_create(s, "alice", &p, 1, &created, &dl, &st), SS_OK);
	for (i = 0; i < 3; i++) {
		sh[i].recipient = names[i];
		sh[i].ct = ct;
		sh[i].ct_len = sealed_len(L);
	}
	assert_int_equal(store_submit(s, "alice", "s1", "alice", sh, 2, 1, &dup, &st),
	    SS_ERR_INVALID);
	sh[2].recipient = "alice";
	assert_int_equal(store_submit(s, "alice", "s1", "alice", sh, 3, 1, &dup, &st),
	    SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "repeated"));
	sh[2].recipient = "zed";
	assert_int_equal(store_submit(s, "alice", "s1", "alice", sh, 3, 1, &dup, &st),
	    SS_ERR_INVALID);
	sh[2].recipient = "carol";
	sh[1].ct_len--;
	assert_int_equal(store_submit(s, "alice", "s1", "alice", sh, 3, 1, &dup, &st),
	    SS_ERR_INVALID);
	sh[1].ct_len++;
	assert_int_equal(store_submit(s, "alice", "s1", "bob", sh, 3, 1, &dup, &st),
	    SS_ERR_DENIED);
	assert_int_equal(store_submit(s, "alice", "nope", "alice", sh, 3, 1, &dup, &st),
	    SS_ERR_NOT_FOUND);
	assert_int_equal(store_submit(s, "alice", "s1", "alice", sh, 3, 1, &dup, &st), SS_OK);
	store_free(s);
}

static void
test_deadline_fixes_cohort(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 4, 1, 10);
	struct session *se;
	struct ss_error st;
	uint64_t dl;
	uint32_t me;
	int created, dup;

	(void)state;
	assert_int_equal(store_create(s, "alice", &p, 1000, &created, &dl, &st), SS_OK);
	assert_int_equal(dl, 1010);
	assert_int_equal(submit(s, "alice", 4, 1, 1001, &dup, &st), SS_OK);
	assert_int_equal(submit(s, "bob", 4, 2, 1002, &dup, &st), SS_OK);
	store_tick(s, 1009);
	se = store_find(s, "alice/s1");
	assert_int_equal(se->phase, PHASE_SHARING);
	store_tick(s, 1010);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
	assert_true(se->in_cohort[0] && se->in_cohort[1]);
	assert_false(se->in_cohort[2] || se->in_cohort[3]);
	assert_int_equal(submit(s, "carol", 4, 3, 1011, &dup, &st), SS_ERR_PRECONDITION);
	assert_int_equal(store_get_share(s, "dave", "s1", "dave", 1011, &se, &me, &st), SS_OK);
	store_free(s);
}

static void
test_deadline_fails_short_session(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 4, 2, 5);
	struct session *se;
	struct ss_error st;
	uint64_t dl;
	uint32_t me;
	int created, dup;

	(void)state;
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(s, "alice", 4, 1, 1, &dup, &st), SS_OK);
	assert_int_equal(submit(s, "bob", 4, 1, 1, &dup, &st), SS_OK);
	assert_int_equal(store_get_share(s, "bob", "s1", "bob", 6, &se, &me, &st),
	    SS_ERR_PRECONDITION);
	assert_non_null(strstr(st.msg, "deadline"));
	assert_int_equal(store_find(s, "alice/s1")->phase, PHASE_FAILED);
	store_free(s);
}

static void
test_limits(void **state)
{
	struct store_limits lim;
	struct store *s;
	struct session_spec p = params("s1", 3, 1, 0);
	struct ss_error st;
	uint64_t dl;
	int created, dup;

	(void)state;
	store_default_limits(&lim);
	lim.max_sessions = 1;
	lim.max_length = 2;
	s = store_new(&lim);
	assert_non_null(s);
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st),
	    SS_ERR_EXHAUSTED);
	p.length = 2;
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st), SS_OK);
	snprintf(p.id, sizeof(p.id), "alice/s2");
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st),
	    SS_ERR_EXHAUSTED);
	store_free(s);

	/* A session whose submissions could never fit in a frame is refused. */
	store_default_limits(&lim);
	lim.max_message = 4096;
	s = store_new(&lim);
	p = params("s1", 3, 1, 0);
	p.length = 200;
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st),
	    SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "frame"));
	p.length = 50;
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st), SS_OK);
	store_free(s);

	store_default_limits(&lim);
	lim.max_sessions = 8;
	lim.max_length = 8;
	lim.max_stored_bytes = 3 * 3 * sealed_len(L) + 3 * 8 * L;
	s = store_new(&lim);
	p = params("s1", 3, 1, 0);
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(s, "alice", 3, 1, 0, &dup, &st), SS_OK);
	snprintf(p.id, sizeof(p.id), "alice/s2");
	assert_int_equal(store_create(s, "alice", &p, 0, &created, &dl, &st), SS_OK);
	lim.max_stored_bytes = 1;
	s->lim.max_stored_bytes = 1;
	assert_int_equal(submit(s, "bob", 3, 1, 0, &dup, &st), SS_ERR_EXHAUSTED);
	store_free(s);
}

static void
test_key_directory(void **state)
{
	struct store *s = new_store();
	uint8_t a[3] = { 1, 2, 3 }, b[2] = { 4, 5 };
	struct ss_error st;
	int dup;

	(void)state;
	assert_null(store_get_key(s, "alice"));
	assert_int_equal(store_put_key(s, "alice", a, 3, &dup, &st), SS_OK);
	assert_false(dup);
	assert_int_equal(store_put_key(s, "alice", a, 3, &dup, &st), SS_OK);
	assert_true(dup);
	/* A published key stays: shares may already be sealed to it. */
	assert_int_equal(store_put_key(s, "alice", b, 2, &dup, &st), SS_ERR_EXISTS);
	assert_int_equal(store_get_key(s, "alice")->der_len, 3);
	/* The operator's certificate (from the certs folder) replaces it. */
	assert_int_equal(store_replace_key(s, "alice", b, 2, &dup, &st), SS_OK);
	assert_true(dup);
	assert_int_equal(store_get_key(s, "alice")->der_len, 2);
	assert_int_equal(store_put_key(s, "bad name", a, 3, &dup, &st), SS_ERR_INVALID);
	assert_int_equal(store_put_key(s, "bob", a, 0, &dup, &st), SS_ERR_INVALID);
	store_free(s);
}

/*
 * The directory's index by name across its growth and the removals that
 * move its last entry into a hole: every name held is found, at an entry
 * of that name, and no other; the order added is kept but for the moves.
 */
static void
test_key_index(void **state)
{
	struct store *s = new_store();
	struct ss_error st;
	uint8_t der[1];
	char name[NAME_BUF];
	int held[200] = { 0 }, dup, i, k, n = 0;
	const struct key_entry *e;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		der[0] = (uint8_t)i;
		assert_int_equal(store_put_key(s, name, der, 1, &dup, &st), SS_OK);
		held[i] = 1;
		n++;
		/* Every third of those so far dropped again, from the middle. */
		if (i % 3 == 2) {
			k = (i * 7) % (i + 1);
			if (held[k]) {
				snprintf(name, sizeof(name), "k%d", k);
				store_drop_key(s, name);
				held[k] = 0;
				n--;
			}
		}
	}
	assert_int_equal(s->nkeys, n);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		e = store_get_key(s, name);
		if (!held[i]) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_string_equal(e->name, name);
		assert_int_equal(e->der[0], i);
		assert_true(e >= s->keys && e < s->keys + s->nkeys);
	}
	/* Dropped to none, then added again. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		store_drop_key(s, name);
	}
	assert_int_equal(s->nkeys, 0);
	assert_null(store_get_key(s, "k5"));
	assert_int_equal(store_put_key(s, "k5", der, 1, &dup, &st), SS_OK);
	assert_string_equal(store_get_key(s, "k5")->name, "k5");
	store_free(s);
}

/* A store_log that counts its records, or refuses them all. */
struct fake_log {
	int fail;
	uint64_t seq;
	char kinds[16];         /* c(reate) s(ubmit) x (close) p(oint) k(ey)
	                           (c)o(hort) (con)f(lict) */
};

static int
fake_append(struct fake_log *f, char kind, uint64_t *seq, struct ss_error *e)
{
	size_t n = strlen(f->kinds);

	if (f->fail)
		return ss_error_set(e, SS_ERR_IO, "disk on fire");
	assert_true(n + 1 < sizeof(f->kinds));
	f->kinds[n] = kind;
	*seq = ++f->seq;
	return SS_OK;
}

static int
fake_create(void *ctx, const struct session *se, uint64_t *seq,
    struct ss_error *e)
{
	(void)se;
	return fake_append(ctx, 'c', seq, e);
}

static int
fake_submit(void *ctx, const struct session *se, uint32_t sender,
    const uint8_t *block, const struct held_statement *stmt, uint64_t *seq,
    struct ss_error *e)
{
	/* The block is logged before the store holds it, its SUBMIT with it. */
	assert_null(se->shares[sender]);
	assert_non_null(block);
	assert_int_equal(stmt != NULL, se->p.v2);
	return fake_append(ctx, 's', seq, e);
}

static int
fake_close(void *ctx, const struct session *se, uint64_t *seq,
    struct ss_error *e)
{
	assert_int_equal(se->phase, PHASE_SHARING);
	return fake_append(ctx, 'x', seq, e);
}

static int
fake_sumpoint(void *ctx, const struct session *se, uint32_t party,
    const uint64_t *values, const struct held_statement *stmt, uint64_t *seq,
    struct ss_error *e)
{
	assert_null(se->sumpoints[party]);
	assert_non_null(values);
	assert_int_equal(stmt != NULL, se->p.v2);
	return fake_append(ctx, 'p', seq, e);
}

static int
fake_key(void *ctx, const struct key_entry *k, uint64_t *seq,
    struct ss_error *e)
{
	assert_non_null(k->der);
	return fake_append(ctx, 'k', seq, e);
}

static int
fake_cohort(void *ctx, const struct session *se, uint32_t party,
    const struct held_statement *stmt, uint64_t *seq, struct ss_error *e)
{
	assert_null(session_statement(se, party, STATEMENT_COHORT, 0)->body);
	assert_non_null(stmt->body);
	return fake_append(ctx, 'o', seq, e);
}

static int
fake_conflict(void *ctx, const struct session *se, uint32_t party,
    enum statement_type type, const struct held_statement *second,
    uint64_t *seq, struct ss_error *e)
{
	assert_null(session_statement(se, party, type, 1)->body);
	assert_non_null(second->body);
	return fake_append(ctx, 'f', seq, e);
}

static int
fake_drop(void *ctx, const struct session *se, int reason, const char *by,
    uint64_t now, uint64_t *seq, struct ss_error *e)
{
	(void)se; (void)reason; (void)by; (void)now;
	return fake_append(ctx, 'd', seq, e);
}

static const struct store_log_ops fake_ops = {
	fake_create, fake_submit, fake_close, fake_sumpoint, fake_key,
	fake_cohort, fake_conflict, fake_drop,
};

/*
 * Every change is logged, once, before it is made, and the store follows
 * the log's sequence; a change the log refuses is answered UNAVAILABLE
 * with the log's reason, and leaves the store as it was (a deadline is
 * then applied again at the next tick).
 */
static void
test_log_comes_first(void **state)
{
	struct fake_log f = { 1, 0, "" };
	struct store_log log = { &fake_ops, &f };
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 10);
	uint64_t dl, v[L] = { 1, 2, 3 }, version;
	uint8_t der[2] = { 1, 2 };
	struct ss_error st;
	int created, dup;

	(void)state;
	store_set_log(s, &log);
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st),
	    SS_ERR_UNAVAILABLE);
	assert_non_null(strstr(st.msg, "disk on fire"));
	assert_null(store_find(s, "alice/s1"));
	f.fail = 0;
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(s, "alice", 3, 1, 101, &dup, &st), SS_OK);
	assert_int_equal(submit(s, "bob", 3, 2, 101, &dup, &st), SS_OK);
	assert_int_equal(submit(s, "bob", 3, 2, 101, &dup, &st), SS_OK);
	assert_true(dup);       /* nothing new: nothing logged */
	f.fail = 1;
	version = s->version;
	store_tick(s, 110);
	assert_int_equal(store_find(s, "alice/s1")->phase, PHASE_SHARING);
	assert_int_equal(store_put_key(s, "carol", der, 2, &dup, &st), SS_ERR_UNAVAILABLE);
	assert_null(store_get_key(s, "carol"));
	assert_int_equal(s->version, version);
	f.fail = 0;
	store_tick(s, 110);
	assert_int_equal(store_find(s, "alice/s1")->phase, PHASE_AGGREGATING);
	f.fail = 1;
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 111,
	    &dup, &st), SS_ERR_UNAVAILABLE);
	assert_null(store_find(s, "alice/s1")->sumpoints[1]);
	f.fail = 0;
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 111,
	    &dup, &st), SS_OK);
	assert_int_equal(store_put_key(s, "carol", der, 2, &dup, &st), SS_OK);
	assert_string_equal(f.kinds, "cssxpk");
	assert_int_equal(s->journal_seq, 6);
	store_set_log(s, NULL);
	assert_int_equal(store_put_key(s, "dave", der, 2, &dup, &st), SS_OK);
	assert_int_equal(s->journal_seq, 6);
	store_free(s);
}

/* The block of n shares of L values, filled with fill, as the journal holds it. */
static uint8_t *
block_of(uint32_t n, uint8_t fill)
{
	uint8_t *b = malloc(n * sealed_len(L));

	assert_non_null(b);
	memset(b, fill, n * sealed_len(L));
	return b;
}

/*
 * Recorded changes go through store_apply_* under the rules that made them:
 * one the rules refuse (or one applied already) is refused with a reason
 * and changes nothing.
 */
static void
test_apply_holds_to_the_rules(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("s1", 3, 1, 10);
	uint64_t v[L] = { 1, 2, 3 }, big[L] = { FIELD_P, 0, 0 }, version;
	uint8_t der[2] = { 1, 2 }, *b0 = block_of(3, 7), *b1 = block_of(3, 8);
	size_t len = 3 * sealed_len(L);
	struct ss_error e;

	(void)state;
	assert_int_equal(store_apply_create(s, &p, 100, 111, "", &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "deadline differs"));
	assert_int_equal(store_apply_create(s, &p, 100, 110, "", &e), SS_OK);
	assert_int_equal(store_apply_create(s, &p, 100, 110, "", &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_sumpoint(s, "alice/s1", 1, v, L, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_submit(s, "alice/s2", 0, b0, len, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_submit(s, "alice/s1", 3, b0, len, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_submit(s, "alice/s1", 0, b0, len - 1, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_submit(s, "alice/s1", 0, b0, len, &e), SS_OK);
	assert_int_equal(store_apply_submit(s, "alice/s1", 0, b0, len, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "duplicate"));
	assert_int_equal(store_apply_submit(s, "alice/s1", 1, b1, len, &e), SS_OK);
	assert_int_equal(store_apply_close(s, "alice/s1", &e), SS_OK);
	assert_int_equal(store_find(s, "alice/s1")->phase, PHASE_AGGREGATING);
	assert_int_equal(store_apply_close(s, "alice/s1", &e), SS_ERR_INVALID);
	version = s->version;
	assert_int_equal(store_apply_sumpoint(s, "alice/s1", 1, big, L, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_sumpoint(s, "alice/s1", 1, v, L - 1, &e), SS_ERR_INVALID);
	assert_int_equal(s->version, version);
	assert_int_equal(store_apply_sumpoint(s, "alice/s1", 1, v, L, &e), SS_OK);
	assert_int_equal(store_apply_sumpoint(s, "alice/s1", 1, v, L, &e), SS_ERR_INVALID);
	/* No deadline: no close record can end the sharing phase. */
	p = params("s2", 3, 1, 0);
	assert_int_equal(store_apply_create(s, &p, 100, 0, "", &e), SS_OK);
	assert_int_equal(store_apply_close(s, "alice/s2", &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_key(s, "bad name", der, 2, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_key(s, "alice", der, 2, &e), SS_OK);
	version = s->version;
	assert_int_equal(store_apply_key(s, "alice", der, 2, &e), SS_OK);
	assert_int_equal(s->version, version);   /* the same certificate: no change */
	assert_int_equal(s->stored_bytes, 2 * len + sizeof(v) + sizeof(der));
	free(b0);
	free(b1);
	store_free(s);
}

/* ---- version 2 ------------------------------------------------------------ */

/* A version-2 session of alice, bob, carol: t = 1, min_cohort 2, deadline. */
static struct session_spec
params_v2(const char *id, uint64_t deadline, uint8_t nonce)
{
	struct session_spec p = params(id, 3, 1, 0);

	p.v2 = 1;
	p.min_cohort = 2;
	p.deadline_unix = deadline;
	memset(p.nonce, nonce, sizeof(p.nonce));
	return p;
}

/* D as core/params.h computes it from the same parameters. */
static void
core_digest(const struct session_spec *p, uint8_t d[PARAMS_DIGEST_LEN])
{
	const char *list[4];
	struct session_params v;
	uint32_t i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < p->n; i++)
		list[i] = p->parties[i];
	v.session_id = p->id;
	v.parties = list;
	v.n = p->n;
	v.t = p->threshold;
	v.length = p->length;
	v.decimals = p->decimals;
	v.min_cohort = p->min_cohort;
	v.deadline = p->deadline_unix;
	memcpy(v.nonce, p->nonce, sizeof(v.nonce));
	assert_int_equal(params_digest(&v, d, NULL), SS_OK);
}

/* store_create's outcome for p at now; st says why. */
static int
create_at(struct store *s, struct session_spec *p, uint64_t now,
    int *created, struct ss_error *st)
{
	uint64_t dl;

	return store_create(s, "alice", p, now, created, &dl, st);
}

/*
 * A session is version 2 when it has a nonce: then the rules of
 * core/params.h hold, D is the digest of the parameters, the deadline is
 * absolute and lies ahead (by at most max_deadline_seconds), and a create
 * is idempotent only with the same nonce. Version 1 takes none of version
 * 2's parameters.
 */
static void
test_v2_create_rules(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params_v2("v2", 1060, 1), q;
	uint8_t d[PARAMS_DIGEST_LEN];
	struct ss_error st;
	int created;

	(void)state;
	assert_int_equal(create_at(s, &p, 1000, &created, &st), SS_OK);
	assert_true(created);
	core_digest(&p, d);
	assert_memory_equal(store_find(s, "alice/v2")->digest, d, sizeof(d));
	assert_int_equal(store_find(s, "alice/v2")->deadline_unix, 1060);
	assert_int_equal(create_at(s, &p, 1001, &created, &st), SS_OK);
	assert_false(created);
	q = params_v2("v2", 1060, 2);
	assert_int_equal(create_at(s, &q, 1001, &created, &st), SS_ERR_EXISTS);
	q = params_v2("v2", 1061, 1);
	assert_int_equal(create_at(s, &q, 1001, &created, &st), SS_ERR_EXISTS);
	q = params("v2", 3, 1, 0);      /* the same id without a nonce */
	assert_int_equal(create_at(s, &q, 1001, &created, &st), SS_ERR_EXISTS);
	q = params_v2("a", 0, 1);
	q.deadline_seconds = 60;
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "deadline_seconds"));
	q = params("b", 3, 1, 0);
	q.min_cohort = 2;
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "need a nonce"));
	q = params("b", 3, 1, 0);
	q.deadline_unix = 2000;
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	q = params_v2("c", 0, 1);
	q.min_cohort = 1;               /* below t + 1 */
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "min_cohort must be between"));
	q = params_v2("c", 1000, 1);    /* not ahead of the clock */
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "must lie ahead"));
	q = params_v2("c", 1000 + 30u * 24 * 3600 + 1, 1);
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_INVALID);
	assert_null(store_find(s, "alice/c"));
	store_free(s);
}

/*
 * The statements a version-2 session relays count against the frame
 * limit: with room for a version-1 session's messages only, a version-2
 * session of the same size is RESOURCE_EXHAUSTED.
 */
static void
test_v2_frame_limit(void **state)
{
	struct store_limits lim;
	struct session_spec p = params("one", 3, 1, 0), q = params_v2("two", 0, 1);
	struct ss_error st;
	struct store *s;
	uint64_t need;
	int created;

	(void)state;
	store_default_limits(&lim);
	assert_true(frame_session_fits(3, L, UINT64_MAX, &need));
	lim.max_message = need;
	assert_non_null(s = store_new(&lim));
	assert_int_equal(create_at(s, &p, 1000, &created, &st), SS_OK);
	assert_int_equal(create_at(s, &q, 1000, &created, &st), SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "over the server's frame limit"));
	store_free(s);
}

/*
 * At its deadline a version-2 session fixes its cohort with min_cohort
 * parties' shares (signers_history), and fails with fewer, saying so.
 */
static void
test_v2_deadline_and_min_cohort(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params_v2("short", 1500, 3);
	struct session *se;
	struct ss_error st;
	int created;

	(void)state;
	signers_history(s, signers);
	se = store_find(s, SIGNERS_SESSION);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
	assert_true(se->in_cohort[0] && se->in_cohort[1] && !se->in_cohort[2]);
	assert_int_equal(create_at(s, &p, 1000, &created, &st), SS_OK);
	store_tick(s, 1500);
	se = store_find(s, "alice/short");
	assert_int_equal(se->phase, PHASE_FAILED);
	assert_non_null(strstr(se->fail_reason, "min_cohort 2 needs at least 2"));
	store_free(s);
}

/*
 * Statements and conflicts go to the log with their change, before it is
 * made; a conflict the log refuses is not kept, and the refusal says the
 * journal failed.
 */
static void
test_v2_log(void **state)
{
	struct fake_log f = { 0, 0, "" };
	struct store_log log = { &fake_ops, &f };
	struct store *s = new_store();
	uint8_t submits[STATEMENT_HASH_LEN], cdig[STATEMENT_HASH_LEN];
	uint64_t other[2] = { 6, 8 }, bytes = 0;
	struct store_signed by = { NULL, NULL };
	struct signed_stmt sp;
	struct statement_in in;
	struct session *se;
	struct ss_error st;
	size_t i;
	int dup;

	(void)state;
	store_set_log(s, &log);
	assert_int_equal(signers_history(s, signers), 12);
	assert_string_equal(f.kinds, "kkkcssxoopff");
	assert_int_equal(s->journal_seq, 12);
	se = store_find(s, SIGNERS_SESSION);
	assert_non_null(session_statement(se, 1, STATEMENT_SUBMIT, 1)->body);
	assert_non_null(session_statement(se, 0, STATEMENT_COHORT, 1)->body);
	for (i = 0; i < s->nkeys; i++)
		bytes += s->keys[i].der_len + s->keys[i].sign_len;
	assert_int_equal(s->stored_bytes, bytes + session_bytes(se));
	/* alice's second SUMPOINT: a conflict the log refuses is not kept. */
	signers_cohort_digests(se, submits, cdig);
	signers_sumpoint(&signers[0], se->digest, cdig, 1, other, 2, &sp);
	in = signed_stmt_in(&sp);
	by.cert = signers[0].cert;
	by.stmt = &in;
	f.fail = 1;
	assert_int_equal(store_post_sumpoint_signed(s, "alice", SIGNERS_SESSION,
	    "alice", other, 2, NULL, 1100, &by, &dup, &st), SS_ERR_UNAVAILABLE);
	assert_null(session_statement(se, 0, STATEMENT_SUMPOINT, 1)->body);
	f.fail = 0;
	assert_int_equal(store_post_sumpoint_signed(s, "alice", SIGNERS_SESSION,
	    "alice", other, 2, NULL, 1100, &by, &dup, &st), SS_ERR_EXISTS);
	assert_non_null(session_statement(se, 0, STATEMENT_SUMPOINT, 1)->body);
	assert_string_equal(f.kinds, "kkkcssxoopfff");
	signed_stmt_free(&sp);
	store_free(s);
}

/*
 * alice's sumpoint {5, 7} of signers_history signed again (the last byte of
 * its signature xored with flip), sent as alice over who's certificate.
 */
static int
post_again(struct store *s, const struct session *se, const struct signer *who,
    uint8_t flip, struct ss_error *st)
{
	uint8_t submits[STATEMENT_HASH_LEN], cdig[STATEMENT_HASH_LEN];
	uint64_t values[2] = { 5, 7 };
	struct store_signed by;
	struct signed_stmt sp;
	struct statement_in in;
	int dup = 0, rc;

	signers_cohort_digests(se, submits, cdig);
	signers_sumpoint(&signers[0], se->digest, cdig, 1, values, 2, &sp);
	sp.sig[sp.sig_len - 1] ^= flip;
	in = signed_stmt_in(&sp);
	by.cert = who->cert;
	by.stmt = &in;
	rc = store_post_sumpoint_signed(s, "alice", SIGNERS_SESSION, "alice",
	    values, 2, NULL, 1100, &by, &dup, st);
	assert_true(rc != SS_OK || dup);
	signed_stmt_free(&sp);
	return rc;
}

/*
 * A statement sent again with the content the session holds (signed again:
 * another signature) is a duplicate whose signature is not verified again,
 * since nothing of it is kept; it must still come from the certificate
 * that signed the held one. Other content is verified as before.
 */
static void
test_v2_resent_statement(void **state)
{
	struct store *s = new_store();
	uint64_t other[2] = { 6, 8 };
	struct store_signed by;
	struct signed_stmt sp;
	struct statement_in in;
	struct session *se;
	struct ss_error st;
	uint8_t cdig[STATEMENT_HASH_LEN], submits[STATEMENT_HASH_LEN];
	int dup;

	(void)state;
	signers_history(s, signers);
	se = store_find(s, SIGNERS_SESSION);
	assert_int_equal(post_again(s, se, &signers[0], 0, &st), SS_OK);
	assert_int_equal(post_again(s, se, &signers[0], 0x5a, &st), SS_OK);
	assert_int_equal(post_again(s, se, &signers[1], 0, &st), SS_ERR_DENIED);
	assert_non_null(strstr(st.msg, "another signer than the caller's"));
	assert_null(session_statement(se, 0, STATEMENT_SUMPOINT, 1)->body);
	/* Other content with a broken signature: verified, refused, not kept. */
	signers_cohort_digests(se, submits, cdig);
	signers_sumpoint(&signers[0], se->digest, cdig, 1, other, 2, &sp);
	sp.sig[sp.sig_len - 1] ^= 0x5a;
	in = signed_stmt_in(&sp);
	by.cert = signers[0].cert;
	by.stmt = &in;
	assert_int_equal(store_post_sumpoint_signed(s, "alice", SIGNERS_SESSION,
	    "alice", other, 2, NULL, 1100, &by, &dup, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "does not verify"));
	assert_null(session_statement(se, 0, STATEMENT_SUMPOINT, 1)->body);
	/* An empty signature is refused whatever the content. */
	signed_stmt_free(&sp);
	signers_sumpoint(&signers[0], se->digest, cdig, 1, (uint64_t[]){ 5, 7 },
	    2, &sp);
	sp.sig_len = 0;
	in = signed_stmt_in(&sp);
	assert_int_equal(store_post_sumpoint_signed(s, "alice", SIGNERS_SESSION,
	    "alice", (uint64_t[]){ 5, 7 }, 2, NULL, 1100, &by, &dup, &st),
	    SS_ERR_INVALID);
	signed_stmt_free(&sp);
	store_free(s);
}

/* Whether every party's count is what it holds in se (quota_party_bytes). */
static int
counts_held(struct store *s, const struct session *se)
{
	uint32_t i;

	for (i = 0; i < se->p.n; i++)
		if (quota_get(&s->quotas, se->p.parties[i])->bytes !=
		    quota_party_bytes(se, i))
			return 0;
	return 1;
}

/*
 * alice's SUBMIT for n parties (digests of a block of n ciphertexts of 64
 * bytes filled with fill) with SIGNERS_N shares of 64 bytes; the outcome.
 */
static int
alice_submit(struct store *s, uint32_t n, uint8_t fill, struct ss_error *st)
{
	struct submitted_share sh[SIGNERS_N];
	struct session *se = store_find(s, SIGNERS_SESSION);
	struct store_signed by;
	struct signed_stmt sp;
	struct statement_in in;
	uint8_t *block = malloc((size_t)n * 64);
	int dup, rc;
	uint32_t j;

	assert_non_null(block);
	memset(block, fill, (size_t)n * 64);
	for (j = 0; j < SIGNERS_N; j++) {
		sh[j].recipient = se->p.parties[j];
		sh[j].ct = block + j * 64;
		sh[j].ct_len = 64;
	}
	signers_submit(&signers[0], se->digest, 1, n, block, 64, &sp);
	in = signed_stmt_in(&sp);
	by.cert = signers[0].cert;
	by.stmt = &in;
	rc = store_submit_signed(s, "alice", SIGNERS_SESSION, "alice", sh,
	    SIGNERS_N, NULL, 0, 1100, &by, &dup, st);
	signed_stmt_free(&sp);
	free(block);
	return rc;
}

/*
 * A conflict's second statement is held in its signer's name, as a first
 * one is: the live store counts what a replay would, a party at
 * --max-bytes-per-party cannot add one, one longer than the session's n
 * allows is refused, and a deletion takes back what was counted.
 */
static void
test_conflicts_in_party_name(void **state)
{
	struct store *s = new_store();
	struct session *se;
	struct ss_error st;
	uint64_t released = 0;

	(void)state;
	assert_int_equal(signers_history(s, signers), 12);
	se = store_find(s, SIGNERS_SESSION);
	assert_true(counts_held(s, se));
	/* A SUBMIT for 1,000 parties in a session of 3: no conflict kept. */
	assert_int_equal(alice_submit(s, 1000, 0x55, &st), SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "more than any of a session of 3 "
	    "parties"));
	assert_null(session_statement(se, 0, STATEMENT_SUBMIT, 1)->body);
	/* At its limit, alice keeps no second SUBMIT. */
	s->lim.max_bytes_per_party = quota_get(&s->quotas, "alice")->bytes;
	assert_int_equal(alice_submit(s, SIGNERS_N, 0x55, &st),
	    SS_ERR_EXHAUSTED);
	assert_non_null(strstr(st.msg, "--max-bytes-per-party"));
	assert_null(session_statement(se, 0, STATEMENT_SUBMIT, 1)->body);
	s->lim.max_bytes_per_party = UINT64_MAX / 4;
	assert_int_equal(alice_submit(s, SIGNERS_N, 0x55, &st), SS_ERR_EXISTS);
	assert_non_null(session_statement(se, 0, STATEMENT_SUBMIT, 1)->body);
	/* The statement alone is kept: alice's first shares stay. */
	assert_non_null(se->shares[0]);
	assert_true(counts_held(s, se));
	assert_int_equal(lifecycle_delete(s, "alice", SIGNERS_SESSION, 1200,
	    &released, &st), SS_OK);
	assert_int_equal(quota_get(&s->quotas, "alice")->bytes, 0);
	assert_int_equal(quota_get(&s->quotas, "bob")->bytes, 0);
	store_free(s);
}

/*
 * PublishKey records the signing certificate: an entry without one gains
 * it, the same again is a duplicate, another is ALREADY_EXISTS, and the
 * operator's replacement of the key keeps it.
 */
static void
test_signing_certificates(void **state)
{
	struct store *s = new_store();
	const struct key_entry *e;
	struct ss_error st;
	int dup, replaced;

	(void)state;
	assert_int_equal(store_put_key(s, "alice", signers[0].enc_der, signers[0].enc_len,
	    &dup, &st), SS_OK);
	assert_null(store_get_key(s, "alice")->sign_der);
	assert_int_equal(store_publish_key(s, "alice", signers[0].enc_der,
	    signers[0].enc_len, signers[0].der, signers[0].der_len, &dup, &st), SS_OK);
	assert_false(dup);
	e = store_get_key(s, "alice");
	assert_int_equal(e->sign_len, signers[0].der_len);
	assert_memory_equal(e->sign_der, signers[0].der, signers[0].der_len);
	assert_int_equal(store_publish_key(s, "alice", signers[0].enc_der,
	    signers[0].enc_len, signers[0].der, signers[0].der_len, &dup, &st), SS_OK);
	assert_true(dup);
	assert_int_equal(store_put_key(s, "alice", signers[0].enc_der, signers[0].enc_len,
	    &dup, &st), SS_OK);
	assert_true(dup);
	assert_int_equal(store_publish_key(s, "alice", signers[0].enc_der,
	    signers[0].enc_len, signers[1].der, signers[1].der_len, &dup, &st), SS_ERR_EXISTS);
	assert_non_null(strstr(st.msg, "another TLS certificate"));
	assert_int_equal(store_replace_key(s, "alice", signers[1].enc_der,
	    signers[1].enc_len, &replaced, &st), SS_OK);
	assert_true(replaced);
	e = store_get_key(s, "alice");
	assert_memory_equal(e->sign_der, signers[0].der, signers[0].der_len);
	assert_int_equal(s->stored_bytes, signers[1].enc_len + signers[0].der_len);
	store_drop_key(s, "alice");
	assert_int_equal(s->stored_bytes, 0);
	store_free(s);
}

/*
 * The replay entries of version 2 hold recorded statements to the rules:
 * a COHORT or conflict of a version-1 session, a conflict without a first
 * statement, or a COHORT before the cohort is fixed are refused.
 */
static void
test_v2_apply_rules(void **state)
{
	struct store *s = new_store();
	struct session_spec p = params("one", 3, 1, 0);
	struct signed_stmt c;
	struct statement_in in;
	uint8_t bitmap[1] = { 0x03 }, zero[STATEMENT_HASH_LEN] = { 0 };
	struct ss_error st, e;
	int created;

	(void)state;
	assert_int_equal(create_at(s, &p, 1000, &created, &st), SS_OK);
	p = params_v2("two", 0, 9);
	assert_int_equal(create_at(s, &p, 1000, &created, &st), SS_OK);
	signers_cohort(&signers[0], store_find(s, "alice/two")->digest, 3, bitmap, zero, &c);
	in = signed_stmt_in(&c);
	assert_int_equal(store_apply_cohort(s, "alice/one", 0, &in, &e), SS_ERR_INVALID);
	assert_int_equal(store_apply_conflict(s, "alice/two", 0, STATEMENT_COHORT, &in,
	    &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "no new conflict"));
	assert_int_equal(store_apply_cohort(s, "alice/two", 0, &in, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "sharing phase"));
	assert_int_equal(store_apply_cohort(s, "alice/two", 7, &in, &e), SS_ERR_INVALID);
	/* A submission without its SUBMIT, in a version-2 session. */
	assert_int_equal(store_apply_submit(s, "alice/two", 0, zero, 0, &e),
	    SS_ERR_INVALID);
	signed_stmt_free(&c);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rules),
		cmocka_unit_test(test_duplicate_party_refused),
		cmocka_unit_test(test_sharing_to_complete),
		cmocka_unit_test(test_submit_in_place),
		cmocka_unit_test(test_submit_validation),
		cmocka_unit_test(test_deadline_fixes_cohort),
		cmocka_unit_test(test_deadline_fails_short_session),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_key_directory),
		cmocka_unit_test(test_key_index),
		cmocka_unit_test(test_log_comes_first),
		cmocka_unit_test(test_apply_holds_to_the_rules),
		cmocka_unit_test(test_v2_create_rules),
		cmocka_unit_test(test_v2_frame_limit),
		cmocka_unit_test(test_v2_deadline_and_min_cohort),
		cmocka_unit_test(test_v2_log),
		cmocka_unit_test(test_v2_resent_statement),
		cmocka_unit_test(test_conflicts_in_party_name),
		cmocka_unit_test(test_signing_certificates),
		cmocka_unit_test(test_v2_apply_rules),
	};

	return cmocka_run_group_tests(tests, signers_setup, signers_teardown);
}
