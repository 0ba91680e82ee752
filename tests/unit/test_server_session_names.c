/*
 * test_server_session_names.c: session ids in their creators' namespaces
 * (server/session_names.c, docs/PROTOCOL.md 2.1), on the store directly:
 * nobody creates in another's namespace; a caller outside a session gets,
 * on every operation, the very answer of a missing id; a bare NAME
 * resolves among the caller's sessions, refused when ambiguous with the
 * candidates named; older bare ids stay addressable; deletion keeps both
 * indexes right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lifecycle.h"
#include "name.h"
#include "sealed.h"
#include "session_names.h"
#include "store.h"

#define L 2

static char abc[3][NAME_BUF] = { "alice", "bob", "carol" };
static char bcd[3][NAME_BUF] = { "bob", "carol", "dave" };

static struct session_spec
spec(const char *id, char (*parties)[NAME_BUF])
{
	struct session_spec p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	p.n = 3;
	p.parties = parties;
	p.threshold = 1;
	p.length = L;
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

static void
create(struct store *s, const char *caller, const char *id,
    char (*parties)[NAME_BUF])
{
	struct session_spec p = spec(id, parties);
	struct ss_error st;
	uint64_t dl;
	int created;

	assert_int_equal(store_create(s, caller, &p, 100, &created, &dl, &st),
	    SS_OK);
	assert_true(created);
}

/* Every operation of caller on id in s: its code and message, joined. */
static void
answers(struct store *s, const char *caller, const char *id, char *out,
    size_t len)
{
	struct submitted_share sh[3];
	uint8_t ct[3][64] = { { 0 } };
	uint64_t v[L] = { 1, 2 }, released;
	struct session *se;
	struct ss_error st;
	uint32_t me, i;
	size_t used = 0;
	int dup, rc[6];
	char *msgs[6];
	char m[6][SS_ERROR_MSG_MAX];

	for (i = 0; i < 3; i++) {
		sh[i].recipient = abc[i];
		sh[i].ct = ct[i];
		sh[i].ct_len = sealed_len(L);
	}
	for (i = 0; i < 6; i++)
		msgs[i] = m[i];
	rc[0] = store_submit(s, caller, id, caller, sh, 3, 100, &dup, &st);
	snprintf(m[0], sizeof(m[0]), "%s", st.msg);
	rc[1] = store_get_share(s, caller, id, caller, 100, &se, &me, &st);
	snprintf(m[1], sizeof(m[1]), "%s", st.msg);
	rc[2] = store_post_sumpoint(s, caller, id, caller, v, L, 100, &dup, &st);
	snprintf(m[2], sizeof(m[2]), "%s", st.msg);
	rc[3] = store_read(s, caller, id, 100, &se, &st);
	snprintf(m[3], sizeof(m[3]), "%s", st.msg);
	rc[4] = store_post_cohort(s, caller, id, caller, 100, NULL, &dup, &st);
	snprintf(m[4], sizeof(m[4]), "%s", st.msg);
	rc[5] = lifecycle_delete(s, caller, id, 100, &released, &st);
	snprintf(m[5], sizeof(m[5]), "%s", st.msg);
	out[0] = '\0';
	for (i = 0; i < 6; i++) {
		assert_int_equal(rc[i], SS_ERR_NOT_FOUND);
		used += (size_t)snprintf(out + used, len - used, "%d %s|", rc[i],
		    msgs[i]);
		assert_true(used < len);
	}
}

/* Only the caller creates in its namespace; the answer ignores what exists. */
static void
test_create_in_own_namespace(void **state)
{
	struct store *s = new_store(), *empty = new_store();
	struct session_spec p = spec("alice/s1", abc);
	struct ss_error st, st2;
	uint64_t dl;
	int created;

	(void)state;
	create(s, "alice", "alice/s1", abc);
	/* bob, a party, and dave, not one: the same refusal as for a new id. */
	assert_int_equal(store_create(s, "bob", &p, 100, &created, &dl, &st),
	    SS_ERR_DENIED);
	assert_int_equal(store_create(empty, "bob", &p, 100, &created, &dl,
	    &st2), SS_ERR_DENIED);
	assert_string_equal(st.msg, st2.msg);
	assert_string_equal(st.msg, "bob may create sessions only in its own "
	    "namespace: name it bob/s1");
	p = spec("s2", abc);
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st),
	    SS_ERR_DENIED);
	p = spec("alice/s1", abc);
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st),
	    SS_OK);
	assert_false(created);
	p = spec("bad/na/me", abc);
	assert_int_equal(store_create(s, "alice", &p, 100, &created, &dl, &st),
	    SS_ERR_INVALID);
	store_free(s);
	store_free(empty);
}

/* An outsider's answers for an existing id are those for a missing one. */
static void
test_outsider_learns_nothing(void **state)
{
	struct store *s = new_store(), *empty = new_store();
	char a[2048], b[2048];

	(void)state;
	create(s, "alice", "alice/s1", abc);
	answers(s, "dave", "alice/s1", a, sizeof(a));
	answers(empty, "dave", "alice/s1", b, sizeof(b));
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "no session alice/s1|"));
	answers(s, "dave", "s1", a, sizeof(a));
	answers(empty, "dave", "s1", b, sizeof(b));
	assert_string_equal(a, b);
	assert_non_null(store_find(s, "alice/s1"));
	store_free(s);
	store_free(empty);
}

/* A bare NAME: the caller's one session of it, else ambiguous, listed. */
static void
test_bare_name_resolution(void **state)
{
	struct store *s = new_store();
	struct session *se = NULL;
	struct ss_error st;
	uint64_t released;

	(void)state;
	create(s, "alice", "alice/s1", abc);
	create(s, "bob", "bob/s1", bcd);
	create(s, "carol", "carol/other", abc);
	assert_int_equal(store_read(s, "alice", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "alice/s1");
	assert_int_equal(store_read(s, "dave", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "bob/s1");
	/* bob and carol are parties of both. */
	assert_int_equal(store_read(s, "carol", "s1", 1, &se, &st),
	    SS_ERR_INVALID);
	assert_string_equal(st.msg, "session name s1 is ambiguous: you are a "
	    "party of 2 sessions of that name (alice/s1, bob/s1); name one as "
	    "CREATOR/NAME");
	assert_int_equal(store_read(s, "carol", "bob/s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "bob/s1");
	assert_int_equal(store_read(s, "carol", "other", 1, &se, &st), SS_OK);
	assert_int_equal(store_read(s, "dave", "other", 1, &se, &st),
	    SS_ERR_NOT_FOUND);
	assert_string_equal(st.msg, "no session other");
	/* Deleted, alice/s1 leaves both indexes: s1 is bob's alone again. */
	assert_int_equal(lifecycle_delete(s, "alice", "s1", 1, &released, &st),
	    SS_OK);
	assert_null(store_find(s, "alice/s1"));
	assert_int_equal(store_read(s, "carol", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "bob/s1");
	assert_int_equal(store_read(s, "alice", "s1", 1, &se, &st),
	    SS_ERR_NOT_FOUND);
	store_free(s);
}

/* A session of an older server, its id bare, answers to that id exactly. */
static void
test_older_bare_ids(void **state)
{
	struct store *s = new_store();
	struct session_spec p = spec("s1", abc);
	struct session *se = NULL;
	struct ss_error st;

	(void)state;
	assert_int_equal(store_apply_create(s, &p, 100, 0, "", &st), SS_OK);
	create(s, "bob", "bob/s1", bcd);
	/* The exact id first: alice's bare s1 is the old one. */
	assert_int_equal(store_read(s, "alice", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "s1");
	assert_int_equal(store_read(s, "bob", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "s1");
	assert_int_equal(store_read(s, "dave", "s1", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "bob/s1");
	/* A record naming another namespace than its creator's is refused. */
	p = spec("bob/x", abc);
	assert_int_equal(store_apply_create(s, &p, 100, 0, "alice", &st),
	    SS_ERR_INVALID);
	store_free(s);
}

/* Many sessions of one NAME in many namespaces: each finds its own. */
static void
test_many_of_one_name(void **state)
{
	struct store *s = new_store();
	char names[40][NAME_BUF], id[2 * NAME_BUF + 8];
	char (*parties)[NAME_BUF];
	struct session *se = NULL;
	struct ss_error st;
	uint64_t released;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		snprintf(names[i], sizeof(names[i]), "p%02zu", i);
	for (i = 0; i + 2 < 40; i += 2) {
		snprintf(id, sizeof(id), "%.64s/same", names[i]);
		parties = &names[i];
		create(s, names[i], id, parties);
	}
	for (i = 0; i + 2 < 40; i += 2) {
		assert_int_equal(store_read(s, names[i + 1], "same", 1, &se,
		    &st), SS_OK);
		assert_true(session_id_in(se->p.id, names[i]));
	}
	/* Session pK/same has parties pK, pK+1, pK+2: p02 is in two. */
	assert_int_equal(store_read(s, "p02", "same", 1, &se, &st),
	    SS_ERR_INVALID);
	assert_non_null(strstr(st.msg, "(p00/same, p02/same)"));
	assert_int_equal(lifecycle_delete(s, "p04", "same", 1, &released, &st),
	    SS_ERR_INVALID);
	assert_int_equal(lifecycle_delete(s, "p04", "p04/same", 1, &released,
	    &st), SS_OK);
	assert_int_equal(store_read(s, "p04", "same", 1, &se, &st), SS_OK);
	assert_string_equal(se->p.id, "p02/same");
	assert_int_equal(store_read(s, "p05", "same", 1, &se, &st),
	    SS_ERR_NOT_FOUND);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_in_own_namespace),
		cmocka_unit_test(test_outsider_learns_nothing),
		cmocka_unit_test(test_bare_name_resolution),
		cmocka_unit_test(test_older_bare_ids),
		cmocka_unit_test(test_many_of_one_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
