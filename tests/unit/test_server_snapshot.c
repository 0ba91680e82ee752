/*
 * test_server_snapshot.c: snapshots round-trip, damaged ones stop the load,
 * and those of versions 1 (big-endian) and 2 (before protocol version 2)
 * still load, to the same state. A version-2 session's statements,
 * conflicts, digest and signing certificates round-trip, and a statement
 * the rules would not have kept stops the load. A written snapshot leaves
 * the page cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "err.h"
#include "field.h"
#include "files.h"
#include "filler.h"
#include "history.h"
#include "certs.h"
#include "sealed.h"
#include "signers.h"
#include "snapshot.h"
#include "tempdir.h"

static char names[3][NAME_BUF] = { "alice", "bob", "carol" };

static struct store *
populated(void)
{
	struct store_limits lim;
	struct store *s;
	struct session_spec p;
	struct submitted_share sh[3];
	struct ss_error st;
	uint8_t ct[3][64], der[5] = { 9, 8, 7, 6, 5 };
	uint64_t dl, v[2] = { 11, FIELD_P - 1 };
	int created, dup, i, j;

	store_default_limits(&lim);
	s = store_new(&lim);
	assert_non_null(s);
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "alice/round-1");
	p.n = 3;
	p.parties = names;
	p.threshold = 1;
	p.length = 2;
	p.decimals = 2;
	p.deadline_seconds = 3600;
	assert_int_equal(store_create(s, "alice", &p, 5000, &created, &dl, &st), SS_OK);
	assert_true(sealed_len(2) <= sizeof(ct[0]));
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			memset(ct[j], 16 * i + j, sizeof(ct[j]));
			sh[j].recipient = names[j];
			sh[j].ct = ct[j];
			sh[j].ct_len = sealed_len(2);
		}
		assert_int_equal(store_submit(s, names[i], "alice/round-1", names[i], sh, 3,
		    5001, &dup, &st), SS_OK);
	}
	assert_int_equal(store_post_sumpoint(s, "bob", "alice/round-1", "bob", v, 2, 5002,
	    &dup, &st), SS_OK);
	snprintf(p.id, sizeof(p.id), "carol/round-2");
	p.deadline_seconds = 0;
	assert_int_equal(store_create(s, "carol", &p, 5003, &created, &dl, &st), SS_OK);
	assert_int_equal(store_put_key(s, "alice", der, sizeof(der), &dup, &st), SS_OK);
	return s;
}

static void
test_round_trip(void **state)
{
	struct store *a = populated(), *b = NULL;
	struct session *x, *y;
	char path[512], *dir = tempdir();
	struct ss_error err;
	struct stat sb;
	uint32_t i;

	(void)state;
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_OK);
	assert_int_equal(b->nsessions, 2);
	assert_int_equal(b->nkeys, 1);
	assert_int_equal(b->stored_bytes, a->stored_bytes);
	x = store_find(a, "alice/round-1");
	y = store_find(b, "alice/round-1");
	assert_non_null(y);
	assert_int_equal(y->phase, PHASE_AGGREGATING);
	assert_int_equal(y->deadline_unix, x->deadline_unix);
	assert_int_equal(y->p.decimals, 2);
	for (i = 0; i < 3; i++) {
		assert_string_equal(y->p.parties[i], x->p.parties[i]);
		assert_memory_equal(y->shares[i], x->shares[i], 3 * x->ct_len);
		assert_int_equal(y->in_cohort[i], 1);
	}
	assert_null(y->sumpoints[0]);
	assert_memory_equal(y->sumpoints[1], x->sumpoints[1], 16);
	assert_int_equal(session_party_index(y, "carol"), 2);
	assert_int_equal(store_find(b, "carol/round-2")->phase, PHASE_SHARING);
	store_free(a);
	store_free(b);
	rmdir_all(dir);
}

/*
 * A snapshot written leaves the page cache (only a start reads it): 64 KB
 * of keys, at most one page cached after; loading it drops what another
 * reader brought back; it loads whole.
 */
static void
test_written_snapshot_leaves_the_cache(void **state)
{
	struct store_limits lim;
	struct store *a, *b = NULL;
	char path[512], *dir = tempdir();
	const char *why;
	uint8_t *copy;
	size_t len;
	struct ss_error err;

	(void)state;
	store_default_limits(&lim);
	assert_non_null(a = store_new(&lim));
	fill_keys(a, 0, 32);
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	if ((why = page_cache_unseen(dir)) != NULL)
		print_message("# the page cache is not checked: %s\n", why);
	else
		assert_true(cached_pages(path) <= 1);
	/* Read by someone else, then loaded: the load drops it again. */
	assert_int_equal(slurp(path, &copy, &len), 0);
	free(copy);
	assert_true(why != NULL || cached_pages(path) >= 15);
	assert_int_equal(snapshot_load(dir, &lim, &b, &err), SS_OK);
	assert_true(why != NULL || cached_pages(path) <= 1);
	assert_int_equal(b->nkeys, 32);
	store_free(a);
	store_free(b);
	rmdir_all(dir);
}

static void
test_no_snapshot_is_empty(void **state)
{
	struct store_limits lim;
	struct store *s = NULL;
	char *dir = tempdir();
	struct ss_error err;

	(void)state;
	store_default_limits(&lim);
	assert_int_equal(snapshot_load(dir, &lim, &s, &err), SS_OK);
	assert_int_equal(s->nsessions, 0);
	store_free(s);
	rmdir_all(dir);
}

/* Rewrites the file with byte `at` changed, optionally fixing the hash. */
static void
alter(const char *dir, long at, int fix_hash)
{
	char path[512];
	uint8_t *d;
	size_t n;

	path_of(path, sizeof(path), dir, SNAPSHOT_FILE);
	assert_int_equal(slurp(path, &d, &n), 0);
	assert_true(n > 32);
	d[at < 0 ? (long)n + at : at] ^= 0x01;
	if (fix_hash)
		assert_int_equal(EVP_Digest(d, n - 32, d + n - 32, NULL,
		    EVP_sha256(), NULL), 1);
	write_file(path, d, n, 0600);
	free(d);
}

static void
test_damage_refused(void **state)
{
	static const struct { long at; int fix; int want; } cases[] = {
		{ 20, 0, SS_ERR_CHECKSUM },   /* a flipped bit anywhere */
		{ -1, 0, SS_ERR_CHECKSUM },   /* in the checksum itself */
		{ 11, 1, SS_ERR_VERSION },    /* a version from the future */
		{ 0, 1, SS_ERR_INVALID },     /* not our magic */
		{ 27, 1, SS_ERR_TOO_LARGE },  /* a name longer than any name */
	};
	struct store *a = populated(), *b = NULL;
	char path[512];
	struct ss_error err;
	struct stat sb;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = tempdir();

		assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
		alter(dir, cases[i].at, cases[i].fix);
		assert_int_equal(snapshot_load(dir, &a->lim, &b, &err),
		    cases[i].want);
		assert_null(b);
		snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
		assert_non_null(strstr(err.msg, path));
		assert_int_equal(stat(path, &sb), 0);   /* left in place */
		rmdir_all(dir);
	}
	store_free(a);
}

static void
test_truncated_refused(void **state)
{
	struct store *a = populated(), *b = NULL;
	char path[512], *dir = tempdir();
	struct ss_error err;

	(void)state;
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	assert_int_equal(truncate(path, 40), 0);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_ERR_CHECKSUM);
	assert_int_equal(truncate(path, 5), 0);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_ERR_CHECKSUM);
	store_free(a);
	rmdir_all(dir);
}

static void
test_unwritable_dir_keeps_old(void **state)
{
	struct store *a = populated(), *b = NULL;
	char *dir = tempdir();
	struct ss_error err;

	(void)state;
	assert_int_equal(snapshot_write(a, "/nonexistent/dir", &err), SS_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_OK);
	store_free(b);
	store_free(a);
	rmdir_all(dir);
}

/* The bytes of s's snapshot, written in a folder of their own. */
static uint8_t *
snapshot_bytes(const struct store *s, size_t *len)
{
	char path[512], *dir = tempdir();
	struct ss_error err;
	uint8_t *d;

	assert_int_equal(snapshot_write(s, dir, &err), SS_OK);
	path_of(path, sizeof(path), dir, SNAPSHOT_FILE);
	assert_int_equal(slurp(path, &d, len), 0);
	rmdir_all(dir);
	return d;
}

/*
 * Loads file, a snapshot of an older version (its version field is want)
 * that a server of that version wrote after the changes of history_run,
 * from dir into *old, and checks that it holds the very state the same
 * changes make now: written back, it gives the bytes of this version's
 * snapshot of that state.
 */
static void
load_older(const char *file, const uint8_t want[4], const char *dir,
    struct store **old)
{
	static const uint8_t now[4] = { SNAPSHOT_VERSION, 0, 0, 0 };
	struct store_limits lim;
	struct store *live;
	struct ss_error err;
	char path[512];
	uint8_t *a, *b, *f;
	size_t alen, blen, flen;

	store_default_limits(&lim);
	assert_non_null(live = store_new(&lim));
	history_run(live);
	history_forget_creators(live);          /* the files predate them */
	live->journal_seq = HISTORY_CHANGES;    /* that server journalled them */
	copy_into(".", file, dir, SNAPSHOT_FILE, 0600);
	path_of(path, sizeof(path), dir, SNAPSHOT_FILE);
	assert_int_equal(slurp(path, &f, &flen), 0);
	assert_memory_equal(f + 8, want, 4);
	*old = NULL;
	assert_int_equal(snapshot_load(dir, &lim, old, &err), SS_OK);
	assert_int_equal((*old)->journal_seq, HISTORY_CHANGES);
	assert_int_equal((*old)->nsessions, 4);
	assert_int_equal((*old)->nkeys, 2);
	a = snapshot_bytes(live, &alen);
	b = snapshot_bytes(*old, &blen);
	assert_memory_equal(a + 8, now, 4);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	free(f);
	store_free(live);
}

/*
 * A version-1 snapshot (tests/data/migration, written by the server before
 * version 2, big-endian) loads to the state history_run makes now. Its
 * damage is still found in big-endian terms.
 */
static void
test_version_1_is_read(void **state)
{
	static const uint8_t v1[4] = { 0, 0, 0, 1 };
	struct store_limits lim;
	struct store *old;
	struct ss_error err;
	char *dir = tempdir();

	(void)state;
	load_older(HISTORY_SNAPSHOT_V1, v1, dir, &old);
	assert_int_equal(store_find(old, "round-1")->sumpoints[0][0],
	    UINT64_C(0x0102030405060708));
	store_free(old);
	old = NULL;
	/* The first key name's length, its high byte first in version 1. */
	alter(dir, 24, 1);
	store_default_limits(&lim);
	assert_int_equal(snapshot_load(dir, &lim, &old, &err), SS_ERR_TOO_LARGE);
	assert_null(old);
	rmdir_all(dir);
}

/*
 * A version-2 snapshot (tests/data/migration, written by the server before
 * protocol version 2: little-endian, without version 2's fields) loads to
 * the same state: no signing certificate, version-1 sessions.
 */
static void
test_version_2_is_read(void **state)
{
	static const uint8_t v2[4] = { 2, 0, 0, 0 };
	struct store *old;
	char *dir = tempdir();

	(void)state;
	load_older(HISTORY_SNAPSHOT_V2, v2, dir, &old);
	assert_null(store_get_key(old, "alice")->sign_der);
	assert_false(store_find(old, "round-2")->p.v2);
	store_free(old);
	rmdir_all(dir);
}

/*
 * A version-3 snapshot (tests/data/migration, written by the server before
 * sessions had a recorded creator) loads to the same state, every creator
 * unknown: then only the rule of an ended session lets a party delete.
 */
static void
test_version_3_is_read(void **state)
{
	static const uint8_t v3[4] = { 3, 0, 0, 0 };
	struct store *old;
	char *dir = tempdir();

	(void)state;
	load_older(HISTORY_SNAPSHOT_V3, v3, dir, &old);
	assert_string_equal(store_find(old, "round-1")->creator, "");
	assert_string_equal(store_find(old, "round-4")->creator, "");
	store_free(old);
	rmdir_all(dir);
}

/* ---- version 2 ------------------------------------------------------------ */

/* A store holding signers_history: a version-2 session and conflicts. */
static struct store *
populated_v2(void)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	assert_non_null(s = store_new(&lim));
	signers_history(s, signers);
	return s;
}

/*
 * Everything of a version-2 session survives a snapshot: its parameters
 * and D, statements and conflicts, the signing certificates; the loaded
 * store writes the very same bytes.
 */
static void
test_v2_round_trip(void **state)
{
	struct store *a = populated_v2(), *b = NULL;
	const struct held_statement *x, *y;
	struct session *sa, *sb;
	char *dir = tempdir();
	struct ss_error err;
	uint8_t *da, *db;
	size_t alen, blen;
	int t, second;

	(void)state;
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_OK);
	sa = store_find(a, SIGNERS_SESSION);
	sb = store_find(b, SIGNERS_SESSION);
	assert_true(sb->p.v2);
	assert_int_equal(sb->p.min_cohort, 2);
	assert_int_equal(sb->p.deadline_unix, 1060);
	assert_memory_equal(sb->p.nonce, sa->p.nonce, sizeof(sa->p.nonce));
	assert_memory_equal(sb->digest, sa->digest, sizeof(sa->digest));
	for (t = STATEMENT_SUBMIT; t <= STATEMENT_SUMPOINT; t++)
		for (second = 0; second < 2; second++) {
			x = session_statement(sa, 0, (enum statement_type)t, second);
			y = session_statement(sb, 0, (enum statement_type)t, second);
			assert_int_equal(x->len, y->len);
			assert_int_equal(x->sig_len, y->sig_len);
			if (x->body != NULL)
				assert_memory_equal(x->body, y->body, x->len);
		}
	assert_non_null(session_statement(sb, 1, STATEMENT_SUBMIT, 1)->body);
	assert_memory_equal(store_get_key(b, "carol")->sign_der, signers[2].der,
	    signers[2].der_len);
	assert_int_equal(b->stored_bytes, a->stored_bytes);
	da = snapshot_bytes(a, &alen);
	db = snapshot_bytes(b, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(da, db, alen);
	free(da);
	free(db);
	store_free(a);
	store_free(b);
	rmdir_all(dir);
}

/*
 * A snapshot, its checksum right, holding a statement the rules would not
 * have kept is refused: one for another D, a SUBMIT that does not match
 * its shares, a COHORT from outside the cohort, a conflict without a first
 * statement; and a v2 session whose recorded digest is not its D.
 */
static void
test_v2_inconsistent_refused(void **state)
{
	static const struct { int party, type, second, off; } cases[] = {
		{ 0, STATEMENT_SUBMIT, 0, 30 },         /* a byte of D */
		{ 1, STATEMENT_SUBMIT, 0, 150 },        /* a ciphertext's digest */
		{ 0, STATEMENT_SUMPOINT, 0, 100 },      /* the cohort digest */
		{ 1, STATEMENT_SUBMIT, 1, 30 },         /* the conflict's D */
	};
	struct store *a, *b = NULL;
	struct held_statement *h;
	struct session *se;
	char *dir;
	struct ss_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = populated_v2();
		se = store_find(a, SIGNERS_SESSION);
		h = session_statement(se, (uint32_t)cases[i].party,
		    (enum statement_type)cases[i].type, cases[i].second);
		assert_true(h->len > (size_t)cases[i].off);
		h->body[cases[i].off] ^= 1;
		dir = tempdir();
		assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
		assert_int_equal(snapshot_load(dir, &a->lim, &b, &err),
		    SS_ERR_INVALID);
		assert_null(b);
		store_free(a);
		rmdir_all(dir);
	}
	/* carol is outside the cohort: her COHORT cannot be there. */
	a = populated_v2();
	se = store_find(a, SIGNERS_SESSION);
	h = session_statement(se, 2, STATEMENT_COHORT, 0);
	*h = *session_statement(se, 0, STATEMENT_COHORT, 1);
	assert_non_null(h->body = malloc(h->len));
	memcpy(h->body, session_statement(se, 0, STATEMENT_COHORT, 1)->body,
	    h->len);
	dir = tempdir();
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_ERR_INVALID);
	store_free(a);
	rmdir_all(dir);
	/* A recorded digest that is not D. */
	a = populated_v2();
	store_find(a, SIGNERS_SESSION)->digest[0] ^= 1;
	dir = tempdir();
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(snapshot_load(dir, &a->lim, &b, &err), SS_ERR_INVALID);
	store_free(a);
	rmdir_all(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_written_snapshot_leaves_the_cache),
		cmocka_unit_test(test_no_snapshot_is_empty),
		cmocka_unit_test(test_damage_refused),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_unwritable_dir_keeps_old),
		cmocka_unit_test(test_version_1_is_read),
		cmocka_unit_test(test_version_2_is_read),
		cmocka_unit_test(test_version_3_is_read),
		cmocka_unit_test(test_v2_round_trip),
		cmocka_unit_test(test_v2_inconsistent_refused),
	};

	return cmocka_run_group_tests(tests, signers_setup, signers_teardown);
}
