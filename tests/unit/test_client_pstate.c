/*
 * test_client_pstate.c: a party's state folder (client/pstate.c,
 * client/pstate_file.c) on real files in private folders under /tmp: where
 * it is, who may use it, the records per session digest D (each part
 * settable once, idempotent), the instances of a session id and the reuse
 * of an input, the refusal to rejoin a D whose records were lost, the byte
 * layout of docs/PARTY-STATE.md, crash leftovers and damage, and two
 * processes racing for one D; and the certificate cache
 * (client/pstate_cert.c): entries from real certificates made by
 * scripts/mkcerts.sh, hits and the misses that send the caller back to
 * verifying, replacement, expiry, the bound, damage, two processes adding
 * at once, and the CRL re-check.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "bytes.h"
#include "certs.h"
#include "err.h"
#include "files.h"
#include "pki.h"
#include "pstate.h"
#include "statement.h"
#include "tempdir.h"

#define HEADER_LEN 20           /* magic, version, kind, body length */

static char *tmp;               /* this test's private folder */
static char folder[PATH_MAX];   /* tmp/state/alice: the party's folder */

static int
setup(void **state)
{
	(void)state;
	tmp = tempdir();
	path_of(folder, sizeof(folder), tmp, "state/alice");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(tmp);
	tmp = NULL;
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static struct pstate *
open_as(const char *party)
{
	struct pstate *st = NULL;
	struct ss_error e;

	ss_error_clear(&e);
	if (pstate_open(folder, party, &st, &e) != SS_OK)
		fail_msg("pstate_open: %s", e.msg);
	return st;
}

/* Asserts that e says rc, with each of the NULL-ended words in its message. */
static void
expect_error(const struct ss_error *e, int got, int rc, ...)
{
	const char *w;
	va_list ap;

	assert_int_equal(got, rc);
	assert_int_equal(e->code, rc);
	va_start(ap, rc);
	while ((w = va_arg(ap, const char *)) != NULL)
		if (strstr(e->msg, w) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", e->msg, w);
	va_end(ap);
}

static void
make_d(uint8_t d[PARAMS_DIGEST_LEN], uint8_t seed)
{
	size_t i;

	for (i = 0; i < PARAMS_DIGEST_LEN; i++)
		d[i] = (uint8_t)(seed * 31 + i);
}

static void
hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* The path of a file in the party's folder. */
static void
in_folder(char *out, size_t outlen, const char *name)
{
	path_of(out, outlen, folder, name);
}

/* The path of D's file of kind prefix: "d-" its record, "k-" its submission. */
static void
d_file(char *out, size_t outlen, const char *prefix,
    const uint8_t d[PARAMS_DIGEST_LEN])
{
	char name[3 + 2 * PARAMS_DIGEST_LEN];

	memcpy(name, prefix, 2);
	hex(name + 2, d, PARAMS_DIGEST_LEN);
	in_folder(out, outlen, name);
}

static void
d_path(char *out, size_t outlen, const uint8_t d[PARAMS_DIGEST_LEN])
{
	d_file(out, outlen, "d-", d);
}

static void
sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(len, 32);
}

/* H of a one-value input. */
static void
hash_of(int64_t v, uint8_t h[PSTATE_HASH_LEN])
{
	assert_int_equal(pstate_input_hash(&v, 1, h), SS_OK);
}

/* Opens alice's folder and records input v under D make_d(seed) of sid. */
static struct pstate *
open_with_input(uint8_t d[PARAMS_DIGEST_LEN], uint8_t seed, const char *sid,
    int64_t v)
{
	uint8_t h[PSTATE_HASH_LEN];
	struct pstate *st = open_as("alice");
	struct ss_error e;

	make_d(d, seed);
	hash_of(v, h);
	ss_error_clear(&e);
	if (pstate_record_input(st, d, sid, h, &e) != SS_OK)
		fail_msg("pstate_record_input: %s", e.msg);
	return st;
}

/*
 * Writes path as a record file built here from docs/PARTY-STATE.md, not by
 * the code under test: the envelope, body, SHA-256.
 */
static void
write_record(const char *path, uint32_t version, uint32_t kind,
    const uint8_t *body, size_t len)
{
	uint8_t *f = malloc(HEADER_LEN + len + 32);

	assert_non_null(f);
	memcpy(f, "SSPSTATE", 8);
	buf_store_u32(f + 8, version);
	buf_store_u32(f + 12, kind);
	buf_store_u32(f + 16, (uint32_t)len);
	memcpy(f + HEADER_LEN, body, len);
	sha256(f, HEADER_LEN + len, f + HEADER_LEN + len);
	write_file(path, f, HEADER_LEN + len + 32, 0600);
	assert_int_equal(chmod(path, 0600), 0);
	free(f);
}

/* Flips one bit in the middle of the folder's file name; its path in path. */
static void
damage(char *path, size_t pathlen, const char *name)
{
	uint8_t *f;
	size_t len;

	in_folder(path, pathlen, name);
	assert_int_equal(slurp(path, &f, &len), 0);
	f[len / 2] ^= 0x80;
	write_file(path, f, len, 0600);
	free(f);
}

/* Asserts that path still holds before[0..blen), then frees before. */
static void
assert_unchanged(const char *path, uint8_t *before, size_t blen)
{
	uint8_t *after;
	size_t alen;

	assert_int_equal(slurp(path, &after, &alen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode & 07777;
}

/* ---- where, and who may use it ----------------------------------------- */

static void
expect_default(const char *xdg, const char *home, int rc, const char *want)
{
	char out[PATH_MAX];
	struct ss_error e;

	if (xdg != NULL)
		assert_int_equal(setenv("XDG_STATE_HOME", xdg, 1), 0);
	else
		assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	if (home != NULL)
		assert_int_equal(setenv("HOME", home, 1), 0);
	else
		assert_int_equal(unsetenv("HOME"), 0);
	ss_error_clear(&e);
	assert_int_equal(pstate_default_dir("alice", out, sizeof(out), &e), rc);
	if (want != NULL)
		assert_string_equal(out, want);
}

static void
test_default_dir(void **state)
{
	char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char out[12];
	struct ss_error e;

	(void)state;
	xdg = xdg != NULL ? strdup(xdg) : NULL;
	home = home != NULL ? strdup(home) : NULL;
	expect_default("/x/state", "/home/a", SS_OK, "/x/state/secure-sum/alice");
	expect_default(NULL, "/home/a", SS_OK,
	    "/home/a/.local/state/secure-sum/alice");
	/* Empty or relative XDG_STATE_HOME is ignored, as XDG says. */
	expect_default("", "/home/a", SS_OK,
	    "/home/a/.local/state/secure-sum/alice");
	expect_default("rel/state", "/home/a", SS_OK,
	    "/home/a/.local/state/secure-sum/alice");
	expect_default(NULL, NULL, SS_ERR_NOT_FOUND, NULL);
	expect_default("rel", "also-rel", SS_ERR_NOT_FOUND, NULL);
	expect_default("/x", NULL, SS_OK, "/x/secure-sum/alice");
	ss_error_clear(&e);
	assert_int_equal(pstate_default_dir("alice", out, sizeof(out), &e),
	    SS_ERR_TOO_LARGE);
	assert_int_equal(pstate_default_dir("../etc", out, sizeof(out), &e),
	    SS_ERR_INVALID);
	if (xdg != NULL)
		setenv("XDG_STATE_HOME", xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	if (home != NULL)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(xdg);
	free(home);
}

static void
test_open_creates_private_folder(void **state)
{
	char path[PATH_MAX];
	struct pstate *st;

	(void)state;
	(void)umask(022);       /* what users have */
	st = open_as("alice");
	assert_string_equal(pstate_path(st), folder);
	path_of(path, sizeof(path), tmp, "state");
	assert_int_equal(mode_of(path), 0700);
	assert_int_equal(mode_of(folder), 0700);
	in_folder(path, sizeof(path), "lock");
	assert_int_equal(mode_of(path), 0600);
	in_folder(path, sizeof(path), "party");
	assert_int_equal(mode_of(path), 0600);
	pstate_close(st);
	/* A second open finds it as it left it. */
	pstate_close(open_as("alice"));
	/* A folder that went missing is made again. */
	rmdir_all(strdup(folder));
	pstate_close(open_as("alice"));
	assert_int_equal(mode_of(folder), 0700);
}

static void
test_refuses_shared_folder(void **state)
{
	struct pstate *st = NULL;
	struct ss_error e;
	int rc;

	(void)state;
	pstate_close(open_as("alice"));
	assert_int_equal(chmod(folder, 0750), 0);
	ss_error_clear(&e);
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, folder, "0750", "chmod 700",
	    NULL);
	assert_null(st);
	assert_int_equal(chmod(folder, 0701), 0);
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, "0701", NULL);
	assert_int_equal(chmod(folder, 0700), 0);
	pstate_close(open_as("alice"));
}

static void
test_refuses_shared_file(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN];
	char path[PATH_MAX];
	struct pstate_record r;
	struct pstate *st = NULL;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_with_input(d, 1, "payroll", 5);
	hash_of(5, h);
	d_path(path, sizeof(path), d);
	assert_int_equal(chmod(path, 0644), 0);
	ss_error_clear(&e);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, path, "0644", "chmod 600", NULL);
	rc = pstate_record_input(st, d, "payroll", h, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, path, NULL);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	pstate_close(st);
	/* The lock file too, at open. */
	in_folder(path, sizeof(path), "lock");
	assert_int_equal(chmod(path, 0660), 0);
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, path, "0660", NULL);
}

static void
test_refuses_other_owner(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char path[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	if (geteuid() != 0)
		skip();         /* only root gives a file away */
	st = open_with_input(d, 2, "payroll", 5);
	d_path(path, sizeof(path), d);
	assert_int_equal(chown(path, 4321, 4321), 0);
	ss_error_clear(&e);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, path, "uid 4321", NULL);
	pstate_close(st);
	assert_int_equal(chown(folder, 4321, 4321), 0);
	st = NULL;
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_KEY_PERMS, folder, "uid 4321", NULL);
	assert_null(st);
}

static void
test_refuses_other_party_and_non_folders(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char path[PATH_MAX];
	struct pstate *st = NULL;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_with_input(d, 3, "payroll", 5);
	pstate_close(st);
	st = NULL;
	ss_error_clear(&e);
	rc = pstate_open(folder, "bob", &st, &e);
	expect_error(&e, rc, SS_ERR_DENIED, "party alice, not of bob", NULL);
	assert_null(st);
	/* Records whose party file is gone belong to no one known. */
	in_folder(path, sizeof(path), "party");
	assert_int_equal(unlink(path), 0);
	rc = pstate_open(folder, "bob", &st, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "no party file", NULL);
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "no party file", NULL);
	/* A file where the folder should be; a bad name. */
	path_of(path, sizeof(path), tmp, "plain");
	write_file(path, "x", 1, 0600);
	rc = pstate_open(path, "alice", &st, &e);
	assert_true(rc == SS_ERR_IO || rc == SS_ERR_INVALID);
	rc = pstate_open(folder, "../alice", &st, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "not a party name", NULL);
	rc = pstate_open("", "alice", &st, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
}

/* ---- inputs ------------------------------------------------------------- */

static void
test_input_hash(void **state)
{
	/* Computed apart: SHA-256("secure-sum/v2 input" 00 || L || values). */
	static const char want3[] =
	    "2eab7e14977d9fea781c4ac7823cf3aa847a4bb9e23c502d700d60f580d92d4e";
	static const char want0[] =
	    "83d9c5de4754912ae3d4c9e047b271a10d7753c4d2cf90025882f87747c2f305";
	const int64_t v[] = { 1, -1, 61000 }, w[] = { -1, 1, 61000 };
	uint8_t h[PSTATE_HASH_LEN], g[PSTATE_HASH_LEN];
	char x[2 * PSTATE_HASH_LEN + 1];
	int64_t *big;
	size_t i;

	(void)state;
	assert_int_equal(pstate_input_hash(v, 3, h), SS_OK);
	hex(x, h, sizeof(h));
	assert_string_equal(x, want3);
	assert_int_equal(pstate_input_hash(v, 0, h), SS_OK);
	hex(x, h, sizeof(h));
	assert_string_equal(x, want0);
	/* Order and length count. */
	assert_int_equal(pstate_input_hash(w, 3, g), SS_OK);
	assert_int_equal(pstate_input_hash(v, 3, h), SS_OK);
	assert_memory_not_equal(h, g, sizeof(h));
	assert_int_equal(pstate_input_hash(v, 2, g), SS_OK);
	assert_memory_not_equal(h, g, sizeof(h));
	/* Past one chunk of the implementation: equal to a one-shot hash. */
	big = calloc(1000, sizeof(*big));
	assert_non_null(big);
	for (i = 0; i < 1000; i++)
		big[i] = (int64_t)(i * 7919) - 3000;
	{
		uint8_t *enc = malloc(20 + 8 + 8000), ref[32];

		assert_non_null(enc);
		memcpy(enc, "secure-sum/v2 input", 20);
		buf_store_u64(enc + 20, 1000);
		for (i = 0; i < 1000; i++)
			buf_store_u64(enc + 28 + 8 * i, (uint64_t)big[i]);
		sha256(enc, 20 + 8 + 8000, ref);
		assert_int_equal(pstate_input_hash(big, 1000, h), SS_OK);
		assert_memory_equal(h, ref, 32);
		free(enc);
	}
	free(big);
}

static void
test_input_settable_once(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h1[PSTATE_HASH_LEN], h2[PSTATE_HASH_LEN];
	uint8_t both[64], want[32], *before;
	char path[PATH_MAX], x1[17], x2[17];
	size_t blen;
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 4);
	hash_of(61000, h1);
	hash_of(62000, h2);
	ss_error_clear(&e);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(r.did, 0);
	assert_memory_equal(r.d, d, sizeof(d));
	assert_int_equal(pstate_record_input(st, d, "payroll", h1, &e), SS_OK);
	d_path(path, sizeof(path), d);
	assert_int_equal(slurp(path, &before, &blen), 0);
	/* Again (a retry after a crash): fine, and nothing changes. */
	assert_int_equal(pstate_record_input(st, d, "payroll", h1, &e), SS_OK);
	assert_unchanged(path, before, blen);
	/* The record holds SHA-256(salt || H), the salt beside it. */
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_SUBMIT);
	assert_string_equal(r.session_id, "payroll");
	memcpy(both, r.salt, 32);
	memcpy(both + 32, h1, 32);
	sha256(both, sizeof(both), want);
	assert_memory_equal(r.input_digest, want, 32);
	assert_memory_not_equal(r.input_digest, h1, 32);
	/* Another input under the same D: refused, naming both. */
	hex(x1, r.input_digest, 8);
	memcpy(both + 32, h2, 32);
	sha256(both, sizeof(both), want);
	hex(x2, want, 8);
	rc = pstate_record_input(st, d, "payroll", h2, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, x1, x2, "payroll",
	    "refusing to share another", NULL);
	/* ... and still refused by a later command. */
	pstate_close(st);
	st = open_as("alice");
	rc = pstate_record_input(st, d, "payroll", h2, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, x1, NULL);
	/* A D is one session's: the same D under another id is a mistake. */
	rc = pstate_record_input(st, d, "other", h1, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "payroll, not other", NULL);
	rc = pstate_record_input(st, d, "../x", h1, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	pstate_close(st);
}

static void
test_salts_differ(void **state)
{
	uint8_t d1[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN];
	struct pstate_record r1, r2;
	struct pstate *st;
	struct ss_error e;

	(void)state;
	st = open_as("alice");
	make_d(d1, 5);
	make_d(d2, 6);
	hash_of(7, h);
	assert_int_equal(pstate_record_input(st, d1, "a", h, &e), SS_OK);
	assert_int_equal(pstate_record_input(st, d2, "b", h, &e), SS_OK);
	assert_int_equal(pstate_get(st, d1, &r1, &e), SS_OK);
	assert_int_equal(pstate_get(st, d2, &r2, &e), SS_OK);
	/* One input, two records: nothing in them shows it is the same. */
	assert_memory_not_equal(r1.salt, r2.salt, 32);
	assert_memory_not_equal(r1.input_digest, r2.input_digest, 32);
	pstate_close(st);
}

static void
test_input_reused(void **state)
{
	uint8_t d1[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN];
	uint8_t d3[PARAMS_DIGEST_LEN], under[PARAMS_DIGEST_LEN];
	uint8_t h1[PSTATE_HASH_LEN], h2[PSTATE_HASH_LEN];
	struct pstate *st;
	struct ss_error e;

	(void)state;
	st = open_as("alice");
	make_d(d1, 7);
	make_d(d2, 8);
	make_d(d3, 9);
	hash_of(61000, h1);
	hash_of(62000, h2);
	ss_error_clear(&e);
	/* Nothing recorded yet. */
	assert_int_equal(pstate_input_reused(st, "payroll", d1, h1, under, &e), 0);
	assert_int_equal(pstate_record_input(st, d1, "payroll", h1, &e), SS_OK);
	/* Its own instance is not "another". */
	assert_int_equal(pstate_input_reused(st, "payroll", d1, h1, under, &e), 0);
	memset(under, 0, sizeof(under));
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, under, &e), 1);
	assert_memory_equal(under, d1, sizeof(d1));
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, NULL, &e), 1);
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h2, under, &e), 0);
	/* Another session id's instances are not compared. */
	assert_int_equal(pstate_input_reused(st, "survey", d2, h1, under, &e), 0);
	/* A second instance with another input; then a third. */
	assert_int_equal(pstate_record_input(st, d2, "payroll", h2, &e), SS_OK);
	assert_int_equal(pstate_input_reused(st, "payroll", d3, h2, under, &e), 1);
	assert_memory_equal(under, d2, sizeof(d2));
	assert_int_equal(pstate_input_reused(st, "payroll", d3, h1, under, &e), 1);
	assert_memory_equal(under, d1, sizeof(d1));
	pstate_close(st);
	/* Remembered by a later command. */
	st = open_as("alice");
	assert_int_equal(pstate_input_reused(st, "payroll", d3, h1, under, &e), 1);
	assert_int_equal(pstate_input_reused(st, "../x", d3, h1, under, &e),
	    SS_ERR_INVALID);
	pstate_close(st);
}

/*
 * A crash after the session id's list was written and before the D record
 * was: nothing was sent, but the list still holds that input for D, so a
 * retry shares the same input or none (the salt of the list is reused, so
 * the list does not change); and a list that went missing is made again.
 */
static void
test_crash_between_list_and_record(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN];
	uint8_t h1[PSTATE_HASH_LEN], h2[PSTATE_HASH_LEN], *before;
	char path[PATH_MAX], list[PATH_MAX];
	size_t blen;
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_with_input(d, 10, "payroll", 1);
	make_d(d2, 11);
	hash_of(1, h1);
	hash_of(2, h2);
	d_path(path, sizeof(path), d);
	assert_int_equal(unlink(path), 0);
	in_folder(list, sizeof(list), "s-payroll");
	assert_int_equal(slurp(list, &before, &blen), 0);
	ss_error_clear(&e);
	rc = pstate_record_input(st, d, "payroll", h2, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "refusing to share another", NULL);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(pstate_record_input(st, d, "payroll", h1, &e), SS_OK);
	assert_unchanged(list, before, blen);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_SUBMIT);
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, NULL, &e), 1);
	/* The list lost (not the record): a retry lists it again. */
	assert_int_equal(unlink(list), 0);
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, NULL, &e), 0);
	assert_int_equal(pstate_record_input(st, d, "payroll", h1, &e), SS_OK);
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, NULL, &e), 1);
	rc = pstate_record_input(st, d, "payroll", h2, &e);
	assert_int_equal(rc, SS_ERR_EXISTS);
	pstate_close(st);
}

/* A list of instances written here: n entries, D i = make_d(i). */
static void
write_instances(const char *sid, uint32_t n)
{
	size_t len = 4 + strlen(sid) + 4 + (size_t)n * 96, off;
	char path[PATH_MAX], name[80];
	uint8_t *body = calloc(1, len);
	uint32_t i;

	assert_non_null(body);
	buf_store_u32(body, (uint32_t)strlen(sid));
	memcpy(body + 4, sid, strlen(sid));
	off = 4 + strlen(sid);
	buf_store_u32(body + off, n);
	off += 4;
	for (i = 0; i < n; i++, off += 96) {
		make_d(body + off, (uint8_t)i);
		body[off + 31] = (uint8_t)(i >> 8);     /* distinct Ds */
		memset(body + off + 32, 0x11, 64);
	}
	snprintf(name, sizeof(name), "s-%s", sid);
	in_folder(path, sizeof(path), name);
	write_record(path, 1, 3, body, len);
	free(body);
}

/*
 * An older version's list of sid's instances (s-CREATOR+NAME): one, h
 * shared under d, salted with 0x5a bytes.
 */
static void
write_older_list(const char *sid, const uint8_t d[PARAMS_DIGEST_LEN],
    const uint8_t h[PSTATE_HASH_LEN])
{
	uint8_t body[4 + SESSION_ID_MAX_LEN + 4 + 96], both[64];
	size_t off = 4 + strlen(sid);
	char path[PATH_MAX], name[80], *slash;

	buf_store_u32(body, (uint32_t)strlen(sid));
	memcpy(body + 4, sid, strlen(sid));
	buf_store_u32(body + off, 1);
	memcpy(body + off + 4, d, PARAMS_DIGEST_LEN);
	memset(body + off + 36, 0x5a, 32);
	memcpy(both, body + off + 36, 32);
	memcpy(both + 32, h, 32);
	sha256(both, sizeof(both), body + off + 68);
	snprintf(name, sizeof(name), "s-%s", sid);
	assert_non_null(slash = strchr(name, '/'));
	*slash = '+';
	in_folder(path, sizeof(path), name);
	write_record(path, 1, 3, body, off + 4 + 96);
}

/*
 * Instances are compared by session name, whoever created them: given a
 * bare NAME and the parameters as flags, the server chooses the creator,
 * so an input shared in alice/payroll is found again in mallory/payroll (a
 * corrupt party's copy of the session, the same parameters) and in a bare
 * payroll. Older lists (one per CREATOR/NAME) are read, every creator's,
 * and still give the salt for a retry under their D.
 */
static void
test_input_reused_any_creator(void **state)
{
	uint8_t d1[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN];
	uint8_t d3[PARAMS_DIGEST_LEN], under[PARAMS_DIGEST_LEN];
	uint8_t h1[PSTATE_HASH_LEN], h2[PSTATE_HASH_LEN];
	char path[PATH_MAX];
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d1, 21);
	make_d(d2, 22);
	make_d(d3, 23);
	hash_of(5000, h1);
	hash_of(6000, h2);
	ss_error_clear(&e);
	assert_int_equal(pstate_record_input(st, d1, "alice/payroll", h1, &e),
	    SS_OK);
	memset(under, 0, sizeof(under));
	assert_int_equal(pstate_input_reused(st, "mallory/payroll", d2, h1,
	    under, &e), 1);
	assert_memory_equal(under, d1, sizeof(d1));
	assert_int_equal(pstate_input_reused(st, "payroll", d2, h1, NULL, &e),
	    1);
	assert_int_equal(pstate_input_reused(st, "mallory/payroll", d2, h2,
	    NULL, &e), 0);
	assert_int_equal(pstate_input_reused(st, "alice/survey", d2, h1, NULL,
	    &e), 0);
	/* One list, by name. */
	in_folder(path, sizeof(path), "s-payroll");
	assert_int_equal(access(path, F_OK), 0);
	in_folder(path, sizeof(path), "s-alice+payroll");
	assert_int_equal(access(path, F_OK), -1);
	/* An older list of carol/bonus: found from dave/bonus too. */
	write_older_list("carol/bonus", d3, h2);
	memset(under, 0, sizeof(under));
	assert_int_equal(pstate_input_reused(st, "dave/bonus", d2, h2, under,
	    &e), 1);
	assert_memory_equal(under, d3, sizeof(d3));
	assert_int_equal(pstate_input_reused(st, "bonus", d2, h2, NULL, &e), 1);
	assert_int_equal(pstate_input_reused(st, "carol/bonus", d3, h2, NULL,
	    &e), 0);
	assert_int_equal(pstate_input_reused(st, "dave/bonus", d2, h1, NULL,
	    &e), 0);
	assert_int_equal(pstate_input_reused(st, "dave/other", d2, h2, NULL,
	    &e), 0);
	/* Its salt under d3 (listed, no record: a crash came between). */
	rc = pstate_record_input(st, d3, "carol/bonus", h1, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "refusing to share another", NULL);
	assert_int_equal(pstate_record_input(st, d3, "carol/bonus", h2, &e),
	    SS_OK);
	/* Now in the list by name: still found, once. */
	assert_int_equal(pstate_input_reused(st, "erin/bonus", d2, h2, under,
	    &e), 1);
	assert_memory_equal(under, d3, sizeof(d3));
	/* A damaged older list is reported, not skipped. */
	in_folder(path, sizeof(path), "s-zed+bonus");
	write_record(path, 1, 3, (const uint8_t *)"xx", 2);
	rc = pstate_input_reused(st, "dave/bonus", d2, h1, NULL, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "s-zed+bonus", NULL);
	pstate_close(st);
}

static void
test_instances_bounded(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN];
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	memset(d, 0xee, sizeof(d));
	hash_of(3, h);
	write_instances("full", PSTATE_MAX_INSTANCES);
	assert_int_equal(pstate_input_reused(st, "full", d, h, NULL, &e), 0);
	ss_error_clear(&e);
	rc = pstate_record_input(st, d, "full", h, &e);
	expect_error(&e, rc, SS_ERR_EXHAUSTED, "full", NULL);
	write_instances("over", PSTATE_MAX_INSTANCES + 1);
	rc = pstate_input_reused(st, "over", d, h, NULL, &e);
	assert_true(rc == SS_ERR_TOO_LARGE || rc == SS_ERR_INVALID);
	write_instances("fine", 3);
	assert_int_equal(pstate_record_input(st, d, "fine", h, &e), SS_OK);
	pstate_close(st);
}

/* ---- cohorts and sumpoints --------------------------------------------- */

/* A submits digest (statement_submits_digest) for the cohorts recorded. */
static const uint8_t g_submits[PSTATE_HASH_LEN] = { 0x5b, 0x17, 0x01 };

static void
test_cohort_settable_once(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], c123[1] = { 0x07 }, c12[1] = { 0x03 };
	uint8_t big[PSTATE_BITMAP_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 12);
	ss_error_clear(&e);
	assert_int_equal(pstate_record_cohort(st, d, "payroll", 5, c123,
	    g_submits, &e),
	    SS_OK);
	assert_int_equal(pstate_record_cohort(st, d, "payroll", 5, c123,
	    g_submits, &e),
	    SS_OK);
	rc = pstate_record_cohort(st, d, "payroll", 5, c12, g_submits, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "{1, 2, 3} of 5 (3 in it)",
	    "{1, 2} of 5 (2 in it)", "payroll", NULL);
	/* The same bits in a cohort of another size: another cohort. */
	rc = pstate_record_cohort(st, d, "payroll", 6, c123, g_submits, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "{1, 2, 3} of 6", NULL);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_COHORT);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.cohort[0], 0x07);
	/* Not cohorts at all. */
	rc = pstate_record_cohort(st, d, "payroll", 1, c123, g_submits, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "1 parties", NULL);
	rc = pstate_record_cohort(st, d, "payroll", PARAMS_MAX_PARTIES + 1,
	    big, g_submits, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	rc = pstate_record_cohort(st, d, "payroll", 2, c123, g_submits, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "past its parties", NULL);
	rc = pstate_record_cohort(st, d, "payroll", 3, (uint8_t[1]){ 0 },
	    g_submits, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "no member", NULL);
	rc = pstate_record_cohort(st, d, "payroll", 3, NULL, g_submits, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	/* The same cohort over other SUBMITs is another COHORT; none at all. */
	rc = pstate_record_cohort(st, d, "payroll", 5, c123,
	    (uint8_t[PSTATE_HASH_LEN]){ 0x5b, 0x17, 0x02 }, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "over other SUBMITs", "5b1701",
	    NULL);
	rc = pstate_record_cohort(st, d, "payroll", 5, c123,
	    (uint8_t[PSTATE_HASH_LEN]){ 0 }, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "submits digest", NULL);
	rc = pstate_record_cohort(st, d, "payroll", 5, c123, NULL, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_memory_equal(r.submits, g_submits, PSTATE_HASH_LEN);
	/* The largest: every party; a long message is cut short. */
	make_d(d, 13);
	memset(big, 0xff, sizeof(big));
	assert_int_equal(pstate_record_cohort(st, d, "payroll",
	    PARAMS_MAX_PARTIES, big, g_submits, &e), SS_OK);
	big[100] = 0;
	rc = pstate_record_cohort(st, d, "payroll", PARAMS_MAX_PARTIES, big,
	    g_submits,
	    &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "...} of 65536 (65536 in it)",
	    "...} of 65536 (65528 in it)", NULL);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.n, PARAMS_MAX_PARTIES);
	assert_int_equal(r.cohort[100], 0xff);
	pstate_close(st);
}

static void
test_sumpoint_and_all_parts(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN], c[1] = { 0x05 };
	uint8_t v1[PSTATE_HASH_LEN], v2[PSTATE_HASH_LEN];
	char x1[17], x2[17];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 14);
	hash_of(9, h);
	memset(v1, 0x5a, sizeof(v1));
	memset(v2, 0xa5, sizeof(v2));
	ss_error_clear(&e);
	assert_int_equal(pstate_record_input(st, d, "s", h, &e), SS_OK);
	assert_int_equal(pstate_record_cohort(st, d, "s", 3, c,
	    g_submits, &e), SS_OK);
	assert_int_equal(pstate_record_sumpoint(st, d, "s", v1, &e), SS_OK);
	assert_int_equal(pstate_record_sumpoint(st, d, "s", v1, &e), SS_OK);
	hex(x1, v1, 8);
	hex(x2, v2, 8);
	rc = pstate_record_sumpoint(st, d, "s", v2, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, x1, x2, NULL);
	rc = pstate_record_sumpoint(st, d, "s", (uint8_t[32]){ 0 }, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	pstate_close(st);
	/* Each part kept beside the others, across commands. */
	st = open_as("alice");
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_SUBMIT | PSTATE_DID_COHORT |
	    PSTATE_DID_SUMPOINT);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.cohort[0], 0x05);
	assert_memory_equal(r.sumpoint, v1, 32);
	assert_int_equal(pstate_record_input(st, d, "s", h, &e), SS_OK);
	pstate_close(st);
}

/* ---- rejoining ------------------------------------------------------------ */

static void
test_rejoin(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN], c[1] = { 0x03 };
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 15);
	hash_of(9, h);
	ss_error_clear(&e);
	/* Nothing done, nothing held: a fresh start. */
	assert_int_equal(pstate_check_rejoin(st, d, 0, &e), SS_OK);
	rc = pstate_check_rejoin(st, d, PSTATE_DID_SUBMIT, &e);
	expect_error(&e, rc, SS_ERR_PRECONDITION, "were lost", "SUBMIT",
	    folder, "refusing to act", NULL);
	assert_int_equal(pstate_record_input(st, d, "s", h, &e), SS_OK);
	assert_int_equal(pstate_check_rejoin(st, d, PSTATE_DID_SUBMIT, &e),
	    SS_OK);
	/* A record can say more than the server holds (a crash before send). */
	assert_int_equal(pstate_check_rejoin(st, d, 0, &e), SS_OK);
	rc = pstate_check_rejoin(st, d, PSTATE_DID_SUBMIT | PSTATE_DID_COHORT |
	    PSTATE_DID_SUMPOINT, &e);
	expect_error(&e, rc, SS_ERR_PRECONDITION, "its COHORT, SUMPOINT,",
	    NULL);
	assert_null(strstr(e.msg, "SUBMIT"));
	assert_int_equal(pstate_record_cohort(st, d, "s", 2, c,
	    g_submits, &e), SS_OK);
	rc = pstate_check_rejoin(st, d, PSTATE_DID_COHORT | PSTATE_DID_SUMPOINT,
	    &e);
	expect_error(&e, rc, SS_ERR_PRECONDITION, "its SUMPOINT,", NULL);
	rc = pstate_check_rejoin(st, d, 0x8, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	pstate_close(st);
}

/* ---- the bytes on disk ----------------------------------------------------- */

static void
test_record_layout(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN], c[2] = { 0x09, 0x01 };
	uint8_t v[PSTATE_HASH_LEN], hash[32], *f;
	char path[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	size_t len, off;

	(void)state;
	st = open_as("alice");
	make_d(d, 16);
	hash_of(9, h);
	memset(v, 0x42, sizeof(v));
	assert_int_equal(pstate_record_input(st, d, "pay", h, &e), SS_OK);
	assert_int_equal(pstate_record_cohort(st, d, "pay", 9, c,
	    g_submits, &e), SS_OK);
	assert_int_equal(pstate_record_sumpoint(st, d, "pay", v, &e), SS_OK);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	d_path(path, sizeof(path), d);
	assert_int_equal(slurp(path, &f, &len), 0);
	/* 20 + 32 + (4 + 3) + 1 + 64 + 4 + 2 + 32 + 32 + 32 + 32 */
	assert_int_equal(len, 258);
	assert_memory_equal(f, "SSPSTATE\1\0\0\0\2\0\0\0", 16);
	assert_memory_equal(f + 16, "\xce\0\0\0", 4);
	assert_memory_equal(f + 20, d, 32);
	assert_memory_equal(f + 52, "\3\0\0\0pay", 7);
	assert_int_equal(f[59], 7);
	assert_memory_equal(f + 60, r.salt, 32);
	assert_memory_equal(f + 92, r.input_digest, 32);
	assert_memory_equal(f + 124, "\x09\0\0\0\x09\x01", 6);
	assert_memory_equal(f + 130, g_submits, 32);
	assert_memory_equal(f + 162, v, 32);
	/* No SUBMIT kept: pstate_record_input records the input alone. */
	assert_true(all_zero(f + 194, 32));
	off = 226;
	sha256(f, off, hash);
	assert_memory_equal(f + off, hash, 32);
	free(f);
	/* The party file: whose folder it is. */
	in_folder(path, sizeof(path), "party");
	assert_int_equal(slurp(path, &f, &len), 0);
	assert_int_equal(len, 20 + 4 + 5 + 32);
	assert_memory_equal(f + 8, "\1\0\0\0\1\0\0\0\x09\0\0\0\5\0\0\0alice", 21);
	free(f);
	/* A list of instances: id, count, then D, salt, digest. */
	in_folder(path, sizeof(path), "s-pay");
	assert_int_equal(slurp(path, &f, &len), 0);
	assert_int_equal(len, 20 + 7 + 4 + 96 + 32);
	assert_memory_equal(f + 12, "\3\0\0\0", 4);
	assert_memory_equal(f + 27, "\1\0\0\0", 4);
	assert_memory_equal(f + 31, d, 32);
	assert_memory_equal(f + 63, r.salt, 32);
	assert_memory_equal(f + 95, r.input_digest, 32);
	free(f);
	pstate_close(st);
}

/* A record written here, from the documented layout, reads back. */
static void
test_reads_documented_layout(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], body[200], other[PARAMS_DIGEST_LEN];
	char path[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	size_t n = 0;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 17);
	memcpy(body, d, 32), n = 32;
	memcpy(body + n, "\2\0\0\0ab", 6), n += 6;
	body[n++] = PSTATE_DID_COHORT;
	memset(body + n, 0, 64), n += 64;
	memcpy(body + n, "\3\0\0\0\x06", 5), n += 5;
	memcpy(body + n, g_submits, 32), n += 32;
	memset(body + n, 0, 32), n += 32;
	d_path(path, sizeof(path), d);
	write_record(path, 1, 2, body, n);
	ss_error_clear(&e);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_COHORT);
	assert_string_equal(r.session_id, "ab");
	assert_int_equal(r.n, 3);
	assert_int_equal(r.cohort[0], 0x06);
	assert_memory_equal(r.submits, g_submits, 32);
	/* Under another D's name it is not that D's record. */
	make_d(other, 18);
	d_path(path, sizeof(path), other);
	write_record(path, 1, 2, body, n);
	rc = pstate_get(st, other, &r, &e);
	expect_error(&e, rc, SS_ERR_INVALID, path, NULL);
	/* A did bit without its part; a bit past the cohort's n. */
	body[38] = PSTATE_DID_COHORT | PSTATE_DID_SUMPOINT;
	d_path(path, sizeof(path), d);
	write_record(path, 1, 2, body, n);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "not a well-formed", NULL);
	body[38] = PSTATE_DID_COHORT;
	body[107] = 0x0e;
	write_record(path, 1, 2, body, n);
	rc = pstate_get(st, d, &r, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	/* A cohort of no one, which no command signs. */
	body[107] = 0x00;
	write_record(path, 1, 2, body, n);
	rc = pstate_get(st, d, &r, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	body[107] = 0x06;
	/* A cohort without its submits digest. */
	memset(body + 108, 0, 32);
	write_record(path, 1, 2, body, n);
	rc = pstate_get(st, d, &r, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	memcpy(body + 108, g_submits, 32);
	/* Another version; another kind; trailing bytes. */
	write_record(path, 2, 2, body, n);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_VERSION, path, "version 2", NULL);
	write_record(path, 1, 3, body, n);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "kind 3", NULL);
	write_record(path, 1, 2, body, n + 1);
	rc = pstate_get(st, d, &r, &e);
	assert_int_equal(rc, SS_ERR_INVALID);
	pstate_close(st);
}

/* ---- the submission kept ------------------------------------------------ */

/* The sizes of the made-up submissions below. */
#define SUB_N    3
#define SUB_CLEN 50

struct made_sub {
	uint8_t body[64], sig[8], cts[SUB_N * SUB_CLEN];
	struct pstate_submission s;
};

/* A submission of 3 ciphertexts whose every byte comes from seed. */
static void
make_sub(struct made_sub *m, uint8_t seed)
{
	size_t i;

	memset(m->body, seed, sizeof(m->body));
	memset(m->sig, seed ^ 0x5a, sizeof(m->sig));
	for (i = 0; i < sizeof(m->cts); i++)
		m->cts[i] = (uint8_t)(seed + i);
	m->s.body = m->body;
	m->s.body_len = sizeof(m->body);
	m->s.sig = m->sig;
	m->s.sig_len = sizeof(m->sig);
	m->s.cts = m->cts;
	m->s.n = SUB_N;
	m->s.clen = SUB_CLEN;
}

static void
k_path(char *out, size_t outlen, const uint8_t d[PARAMS_DIGEST_LEN])
{
	d_file(out, outlen, "k-", d);
}

/* Asserts that the submission on record under d for h is m's. */
static void
expect_kept(struct pstate *st, const uint8_t *d, const uint8_t *h,
    const struct made_sub *m)
{
	struct pstate_submission k;
	struct ss_error e;

	ss_error_clear(&e);
	if (pstate_submission_load(st, d, h, &k, &e) != SS_OK)
		fail_msg("pstate_submission_load: %s", e.msg);
	assert_int_equal(k.body_len, sizeof(m->body));
	assert_memory_equal(k.body, m->body, sizeof(m->body));
	assert_int_equal(k.sig_len, sizeof(m->sig));
	assert_memory_equal(k.sig, m->sig, sizeof(m->sig));
	assert_int_equal(k.n, SUB_N);
	assert_int_equal(k.clen, SUB_CLEN);
	assert_memory_equal(k.cts, m->cts, sizeof(m->cts));
	pstate_submission_free(&k);
}

static void
test_submission_kept_once(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[32], h2[32], v[32], body[32];
	struct made_sub a, b;
	struct pstate_submission k;
	struct pstate_record r;
	char path[PATH_MAX];
	struct pstate *st;
	struct ss_error e;
	uint8_t *f;
	size_t len;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 40);
	hash_of(7, h);
	hash_of(8, h2);
	make_sub(&a, 1);
	make_sub(&b, 2);
	ss_error_clear(&e);
	rc = pstate_submission_load(st, d, h, &k, &e);
	expect_error(&e, rc, SS_ERR_NOT_FOUND, "/d-", NULL);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &a.s, &e),
	    SS_OK);
	expect_kept(st, d, h, &a);
	/* The record names it by the SHA-256 of its SUBMIT body. */
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_SUBMIT);
	sha256(a.body, sizeof(a.body), body);
	assert_memory_equal(r.submit, body, 32);
	/* The same again is a retry; another SUBMIT is never recorded. */
	assert_int_equal(pstate_record_submission(st, d, "s", h, &a.s, &e),
	    SS_OK);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &b.s, &e),
	    PSTATE_OTHER_SUBMIT);
	expect_kept(st, d, h, &a);
	/* Another input is refused, recorded or loaded. */
	rc = pstate_record_submission(st, d, "s", h2, &b.s, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "another", NULL);
	rc = pstate_submission_load(st, d, h2, &k, &e);
	expect_error(&e, rc, SS_ERR_EXISTS, "another", NULL);
	/* The copy's layout (docs/PARTY-STATE.md). */
	k_path(path, sizeof(path), d);
	assert_int_equal(slurp(path, &f, &len), 0);
	assert_int_equal(len, 20 + 32 + 4 + 64 + 4 + 8 + 8 + 150 + 32);
	assert_memory_equal(f, "SSPSTATE\1\0\0\0\5\0\0\0", 16);
	assert_memory_equal(f + 20, d, 32);
	assert_memory_equal(f + 52, "\x40\0\0\0", 4);
	assert_memory_equal(f + 56, a.body, 64);
	assert_memory_equal(f + 120, "\x08\0\0\0", 4);
	assert_memory_equal(f + 124, a.sig, 8);
	assert_memory_equal(f + 132, "\3\0\0\0\x32\0\0\0", 8);
	assert_memory_equal(f + 140, a.cts, 150);
	free(f);
	/* Gone with the sumpoint; then nothing signs another SUBMIT. */
	memset(v, 0x42, sizeof(v));
	assert_int_equal(pstate_record_sumpoint(st, d, "s", v, &e), SS_OK);
	assert_int_equal(access(path, F_OK), -1);
	rc = pstate_submission_load(st, d, h, &k, &e);
	expect_error(&e, rc, SS_ERR_PRECONDITION, "gone", "refusing", NULL);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &b.s, &e),
	    PSTATE_OTHER_SUBMIT);
	pstate_close(st);
}

static void
test_submission_after_input_alone(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[32];
	struct pstate_submission k;
	struct made_sub a, b;
	struct pstate *st;
	struct ss_error e;

	(void)state;
	/* A record of a version that kept no submission: the input alone. */
	st = open_with_input(d, 41, "s", 7);
	hash_of(7, h);
	ss_error_clear(&e);
	expect_error(&e, pstate_submission_load(st, d, h, &k, &e),
	    SS_ERR_NOT_FOUND, "/d-", "records no SUBMIT", NULL);
	make_sub(&a, 3);
	make_sub(&b, 4);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &a.s, &e),
	    SS_OK);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &b.s, &e),
	    PSTATE_OTHER_SUBMIT);
	expect_kept(st, d, h, &a);
	pstate_close(st);
}

static void
test_submission_damaged(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN], h[32];
	struct pstate_submission k;
	char path[PATH_MAX], path2[PATH_MAX];
	struct made_sub a;
	struct pstate *st;
	struct ss_error e;
	uint8_t *f;
	size_t len;
	int rc;

	(void)state;
	st = open_as("alice");
	make_d(d, 42);
	make_d(d2, 43);
	hash_of(7, h);
	make_sub(&a, 5);
	ss_error_clear(&e);
	assert_int_equal(pstate_record_submission(st, d, "s", h, &a.s, &e),
	    SS_OK);
	assert_int_equal(pstate_record_submission(st, d2, "t", h, &a.s, &e),
	    SS_OK);
	k_path(path, sizeof(path), d);
	k_path(path2, sizeof(path2), d2);
	assert_int_equal(slurp(path, &f, &len), 0);
	/* A flipped byte. */
	f[100] ^= 1;
	write_file(path, f, len, 0600);
	rc = pstate_submission_load(st, d, h, &k, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, "damaged", NULL);
	f[100] ^= 1;
	/* Another D's copy, whole, in its place. */
	free(f);
	assert_int_equal(slurp(path2, &f, &len), 0);
	write_file(path, f, len, 0600);
	rc = pstate_submission_load(st, d, h, &k, &e);
	expect_error(&e, rc, SS_ERR_INVALID, path, NULL);
	free(f);
	/* A submission of no parties cannot be kept. */
	a.s.n = 0;
	rc = pstate_record_submission(st, d2, "t", h, &a.s, &e);
	assert_int_equal(rc, SS_OK);        /* on record already: a retry */
	make_d(d2, 44);
	rc = pstate_record_submission(st, d2, "u", h, &a.s, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "cannot be kept", NULL);
	pstate_close(st);
}

/* ---- crashes and damage ---------------------------------------------------- */

static void
test_torn_temp_files_removed(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char name[128], torn[PATH_MAX], torn2[PATH_MAX], keep[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;

	(void)state;
	st = open_with_input(d, 19, "s", 9);
	pstate_close(st);
	/* What a crash mid-write leaves: half a file under a temporary name. */
	snprintf(name, sizeof(name), "tmp-99999-d-");
	hex(name + strlen(name), d, sizeof(d));
	in_folder(torn, sizeof(torn), name);
	write_file(torn, "SSPSTATE\1\0", 10, 0600);
	in_folder(torn2, sizeof(torn2), "tmp-1-certs");
	write_file(torn2, "", 0, 0600);
	in_folder(keep, sizeof(keep), "notes.txt");  /* not ours: left */
	write_file(keep, "x", 1, 0600);
	st = open_as("alice");
	assert_int_equal(access(torn, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(access(torn2, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	ss_error_clear(&e);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	assert_int_equal(r.did, PSTATE_DID_SUBMIT);
	pstate_close(st);
}

static void
test_every_flipped_byte_reported(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[PSTATE_HASH_LEN], c[1] = { 3 }, *f;
	char path[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	size_t len, i;
	int rc;

	(void)state;
	st = open_with_input(d, 20, "s", 9);
	hash_of(9, h);
	assert_int_equal(pstate_record_cohort(st, d, "s", 2, c,
	    g_submits, &e), SS_OK);
	d_path(path, sizeof(path), d);
	assert_int_equal(slurp(path, &f, &len), 0);
	for (i = 0; i < len; i++) {
		f[i] ^= 0x10;
		write_file(path, f, len, 0600);
		f[i] ^= 0x10;
		ss_error_clear(&e);
		rc = pstate_get(st, d, &r, &e);
		expect_error(&e, rc, SS_ERR_CHECKSUM, path, "damaged", NULL);
	}
	/* Every use of it refuses, none starts afresh. */
	rc = pstate_record_cohort(st, d, "s", 2, c, g_submits, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
	rc = pstate_check_rejoin(st, d, 0, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
	/* Cut short, anywhere. */
	write_file(path, f, len - 1, 0600);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
	write_file(path, f, 10, 0600);
	rc = pstate_get(st, d, &r, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, "shorter", NULL);
	write_file(path, f, len, 0600);
	assert_int_equal(pstate_get(st, d, &r, &e), SS_OK);
	free(f);
	/* The session id's list and the party file likewise. */
	damage(path, sizeof(path), "s-s");
	rc = pstate_input_reused(st, "s", d, h, NULL, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
	pstate_close(st);
	damage(path, sizeof(path), "party");
	rc = pstate_open(folder, "alice", &st, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
}

static void
test_only_regular_files(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], d2[PARAMS_DIGEST_LEN];
	char path[PATH_MAX], path2[PATH_MAX];
	struct pstate_record r;
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_with_input(d, 21, "s", 9);
	make_d(d2, 22);
	d_path(path, sizeof(path), d);
	d_path(path2, sizeof(path2), d2);
	assert_int_equal(symlink(path, path2), 0);
	ss_error_clear(&e);
	rc = pstate_get(st, d2, &r, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "symbolic link", NULL);
	/* Nor is anything but a regular file read (a FIFO would block). */
	assert_int_equal(unlink(path2), 0);
	assert_int_equal(mkfifo(path2, 0600), 0);
	rc = pstate_get(st, d2, &r, &e);
	expect_error(&e, rc, SS_ERR_INVALID, "not a regular file", NULL);
	pstate_close(st);
}

/* ---- two processes at once -------------------------------------------------- */

/* What a racer does with its own pstate; `who` is 0 or 1. */
typedef int (*race_fn)(struct pstate *st, const uint8_t *d, int who);

static int
race_cohort(struct pstate *st, const uint8_t *d, int who)
{
	uint8_t c[1] = { who == 0 ? 0x07 : 0x0b };

	return pstate_record_cohort(st, d, "race", 4, c, g_submits, NULL);
}

static int
race_input(struct pstate *st, const uint8_t *d, int who)
{
	uint8_t h[PSTATE_HASH_LEN];
	int64_t v = who == 0 ? 100 : 200;

	if (pstate_input_hash(&v, 1, h) != SS_OK)
		return SS_ERR_CRYPTO;
	return pstate_record_input(st, d, "race", h, NULL);
}

/* A racer: opens its own pstate, says it is ready, waits for the start. */
static void __attribute__((noreturn))
racer(race_fn fn, const uint8_t *d, int who, int ready, int go)
{
	struct pstate *st;
	char c;
	int rc;

	if (pstate_open(folder, "alice", &st, NULL) != SS_OK)
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	/* The parent closes its end: both racers wake at once. */
	if (read(go, &c, 1) != 0)
		_exit(5);
	rc = fn(st, d, who);
	pstate_close(st);
	_exit(rc == SS_OK ? 0 : rc == SS_ERR_EXISTS ? 1 : 2);
}

/* Runs fn in two processes at once on d; their exit statuses in status. */
static void
race2(race_fn fn, const uint8_t *d, int status[2])
{
	int go[2], ready[2], i;
	pid_t pid[2];
	char c;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			close(go[1]);
			close(ready[0]);
			racer(fn, d, i, ready[1], go[0]);
		}
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < 2; i++)
		assert_int_equal(read(ready[0], &c, 1), 1);
	close(go[1]);
	close(ready[0]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status[i], 0), pid[i]);
		assert_true(WIFEXITED(status[i]));
		status[i] = WEXITSTATUS(status[i]);
	}
}

/* Runs two racers for one part of d's record; returns which one won. */
static int
race(race_fn fn, const uint8_t *d)
{
	int status[2];

	race2(fn, d, status);
	/* Exactly one wins; the other is refused, not failed otherwise. */
	if (!((status[0] == 0 && status[1] == 1) ||
	    (status[0] == 1 && status[1] == 0)))
		fail_msg("racers ended %d and %d", status[0], status[1]);
	return status[0] == 0 ? 0 : 1;
}

static void
test_race_for_one_cohort(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	struct pstate_record r;
	struct pstate *st;
	int round, winner;

	(void)state;
	pstate_close(open_as("alice"));
	for (round = 0; round < 12; round++) {
		make_d(d, (uint8_t)(100 + round));
		winner = race(race_cohort, d);
		st = open_as("alice");
		assert_int_equal(pstate_get(st, d, &r, NULL), SS_OK);
		assert_int_equal(r.cohort[0], winner == 0 ? 0x07 : 0x0b);
		pstate_close(st);
	}
}

/* Racers' submissions differ; the loser is told which is on record. */
static int
race_submission(struct pstate *st, const uint8_t *d, int who)
{
	uint8_t h[PSTATE_HASH_LEN];
	struct made_sub m;
	int64_t v = 100;
	int rc;

	make_sub(&m, (uint8_t)(who + 1));
	if (pstate_input_hash(&v, 1, h) != SS_OK)
		return SS_ERR_CRYPTO;
	rc = pstate_record_submission(st, d, "race", h, &m.s, NULL);
	return rc == PSTATE_OTHER_SUBMIT ? SS_ERR_EXISTS : rc;
}

static void
test_race_for_one_submission(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], h[32];
	struct made_sub m;
	struct pstate *st;
	int round, winner;
	int64_t v = 100;

	(void)state;
	pstate_close(open_as("alice"));
	assert_int_equal(pstate_input_hash(&v, 1, h), SS_OK);
	for (round = 0; round < 12; round++) {
		make_d(d, (uint8_t)(150 + round));
		winner = race(race_submission, d);
		make_sub(&m, (uint8_t)(winner + 1));
		st = open_as("alice");
		expect_kept(st, d, h, &m);
		pstate_close(st);
	}
}

static void
test_race_for_one_input(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN], other[PARAMS_DIGEST_LEN], h[32];
	struct pstate *st;
	int round, winner;
	int64_t v;

	(void)state;
	pstate_close(open_as("alice"));
	memset(other, 0xff, sizeof(other));
	for (round = 0; round < 12; round++) {
		make_d(d, (uint8_t)(200 + round));
		winner = race(race_input, d);
		/* The list of instances agrees with the record. */
		st = open_as("alice");
		v = winner == 0 ? 100 : 200;
		assert_int_equal(pstate_input_hash(&v, 1, h), SS_OK);
		assert_int_equal(pstate_record_input(st, d, "race", h, NULL),
		    SS_OK);
		assert_int_equal(pstate_input_reused(st, "race", other, h, NULL,
		    NULL), 1);
		pstate_close(st);
	}
}

/* ---- the certificate cache ----------------------------------------------- */

static X509 *
load_pem(const char *dir, const char *file)
{
	char path[PATH_MAX];
	X509 *x;
	FILE *f;

	path_of(path, sizeof(path), dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void
ca_digest(const char *dir, uint8_t out[PSTATE_HASH_LEN])
{
	X509 *ca = load_pem(dir, "ca.crt");

	assert_int_equal(statement_cert_digest(ca, out), SS_OK);
	X509_free(ca);
}

/* The cache entry of party's TLS certificate in dir, verified at 1234. */
static void
fill_tls(const char *dir, const char *party, struct pstate_cert *c)
{
	uint8_t ca[PSTATE_HASH_LEN];
	char file[NAME_BUF + 8];
	struct ss_error e;
	X509 *x;

	ca_digest(dir, ca);
	snprintf(file, sizeof(file), "%s.crt", party);
	x = load_pem(dir, file);
	ss_error_clear(&e);
	if (pstate_cert_fill(x, PSTATE_CERT_TLS, party, ca, NULL, 1234, c,
	    &e) != SS_OK)
		fail_msg("pstate_cert_fill: %s", e.msg);
	X509_free(x);
}

/* The same for its encryption-key certificate, verified as callers do. */
static void
fill_enc(const char *dir, const char *party, struct pstate_cert *c,
    uint8_t fingerprint[PSTATE_HASH_LEN])
{
	uint8_t ca[PSTATE_HASH_LEN], pk[HPKE_KEY_LEN], *der = NULL;
	const uint8_t *p;
	X509_STORE *store;
	struct ss_error e;
	size_t len = 0;
	X509 *x;

	ca_digest(dir, ca);
	ss_error_clear(&e);
	store = pki_ca_store(dir, &e);
	assert_non_null(store);
	assert_int_equal(pki_load_enc_cert(dir, party, &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert(store, der, len, party, pk), SS_OK);
	sha256(der, len, fingerprint);
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	assert_non_null(x);
	assert_int_equal(pstate_cert_fill(x, PSTATE_CERT_ENC, party, ca, pk,
	    1234, c, &e), SS_OK);
	assert_memory_equal(c->pk, pk, HPKE_KEY_LEN);
	X509_free(x);
	X509_STORE_free(store);
	free(der);
}

/* A made-up, well-formed entry, its fingerprint distinct for each i. */
static struct pstate_cert
made_up(uint32_t i, enum pstate_cert_kind kind, uint64_t not_after)
{
	struct pstate_cert c;

	memset(&c, 0, sizeof(c));
	memset(c.fingerprint, 0xab, sizeof(c.fingerprint));
	buf_store_uint(c.fingerprint, 4, 1, i);
	memset(c.ca, 0xca, sizeof(c.ca));
	c.kind = kind;
	snprintf(c.name, sizeof(c.name), "p%u", (unsigned)i);
	c.not_after = not_after;
	c.verified_at = 7;
	c.serial[0] = (uint8_t)(i | 1);
	c.serial_len = 1;
	if (kind == PSTATE_CERT_ENC)
		memset(c.pk, 0x77, sizeof(c.pk));
	return c;
}

static void
assert_same_cert(const struct pstate_cert *a, const struct pstate_cert *b)
{
	assert_memory_equal(a->fingerprint, b->fingerprint, PSTATE_HASH_LEN);
	assert_memory_equal(a->ca, b->ca, PSTATE_HASH_LEN);
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->not_after, b->not_after);
	assert_int_equal(a->verified_at, b->verified_at);
	assert_int_equal(a->serial_len, b->serial_len);
	assert_memory_equal(a->serial, b->serial, a->serial_len);
	assert_memory_equal(a->pk, b->pk, HPKE_KEY_LEN);
}

/* How many entries a fresh open finds on disk. */
static size_t
count_on_disk(void)
{
	const struct pstate_cert *v;
	struct pstate *st = open_as("alice");
	struct ss_error e;
	size_t n = 0, i;

	ss_error_clear(&e);
	if (pstate_cert_entries(st, &v, &n, &e) != SS_OK)
		fail_msg("pstate_cert_entries: %s", e.msg);
	for (i = 1; i < n; i++)
		assert_true(memcmp(v[i - 1].fingerprint, v[i].fingerprint,
		    PSTATE_HASH_LEN) < 0);
	pstate_close(st);
	return n;
}

static void
test_cert_fill(void **state)
{
	uint8_t ca[PSTATE_HASH_LEN], fp[PSTATE_HASH_LEN], pk[HPKE_KEY_LEN];
	const char *dir = certs_dir();
	struct pstate_cert c;
	unsigned char *der = NULL;
	struct ss_error e;
	BIGNUM *a, *b;
	ASN1_TIME *t;
	X509 *x;
	int len;

	(void)state;
	assert_non_null(dir);
	fill_tls(dir, "alice", &c);
	x = load_pem(dir, "alice.crt");
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	sha256(der, (size_t)len, fp);
	OPENSSL_free(der);
	assert_memory_equal(c.fingerprint, fp, sizeof(fp));
	ca_digest(dir, ca);
	assert_memory_equal(c.ca, ca, sizeof(ca));
	assert_int_equal(c.kind, PSTATE_CERT_TLS);
	assert_string_equal(c.name, "alice");
	assert_int_equal(c.verified_at, 1234);
	assert_memory_equal(c.pk, (uint8_t[HPKE_KEY_LEN]){ 0 }, HPKE_KEY_LEN);
	t = ASN1_TIME_set(NULL, (time_t)c.not_after);
	assert_non_null(t);
	assert_int_equal(ASN1_TIME_compare(t, X509_get0_notAfter(x)), 0);
	ASN1_TIME_free(t);
	a = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	b = BN_bin2bn(c.serial, (int)c.serial_len, NULL);
	assert_int_equal(BN_cmp(a, b), 0);
	BN_free(a);
	BN_free(b);
	fill_enc(dir, "alice", &c, fp);
	assert_memory_equal(c.fingerprint, fp, sizeof(fp));
	assert_int_equal(c.kind, PSTATE_CERT_ENC);
	/* What is not an entry. */
	memset(pk, 0x42, sizeof(pk));
	ss_error_clear(&e);
	assert_int_equal(pstate_cert_fill(x, PSTATE_CERT_ENC, "alice", ca, NULL,
	    1, &c, &e), SS_ERR_INVALID);
	assert_int_equal(pstate_cert_fill(x, PSTATE_CERT_TLS, "alice", ca, pk,
	    1, &c, &e), SS_ERR_INVALID);
	assert_int_equal(pstate_cert_fill(x, PSTATE_CERT_TLS, "../a", ca, NULL,
	    1, &c, &e), SS_ERR_INVALID);
	assert_int_equal(pstate_cert_fill(x, (enum pstate_cert_kind)3, "alice",
	    ca, NULL, 1, &c, &e), SS_ERR_INVALID);
	assert_int_equal(pstate_cert_fill(NULL, PSTATE_CERT_TLS, "alice", ca,
	    NULL, 1, &c, &e), SS_ERR_INVALID);
	memset(pk, 0, sizeof(pk));
	assert_int_equal(pstate_cert_fill(x, PSTATE_CERT_ENC, "alice", ca, pk,
	    1, &c, &e), SS_ERR_INVALID);
	X509_free(x);
}

static void
test_cert_lookup(void **state)
{
	uint8_t fp[PSTATE_HASH_LEN], other_ca[PSTATE_HASH_LEN];
	struct pstate_cert c[2], got;
	const char *dir = certs_dir();
	struct pstate *st;
	struct ss_error e;
	uint64_t end;
	int rc;

	(void)state;
	assert_non_null(dir);
	fill_tls(dir, "alice", &c[0]);
	fill_enc(dir, "alice", &c[1], fp);
	end = c[1].not_after;   /* the encryption key's, looked up below */
	st = open_as("bob");
	ss_error_clear(&e);
	/* Nothing cached yet: a miss, not an error. */
	rc = pstate_cert_lookup(st, c[0].fingerprint, c[0].ca, PSTATE_CERT_TLS,
	    "alice", 2000, &got, &e);
	assert_int_equal(rc, SS_ERR_NOT_FOUND);
	assert_int_equal(pstate_cert_put(st, c, 2, 2000, &e), SS_OK);
	assert_int_equal(pstate_cert_lookup(st, c[0].fingerprint, c[0].ca,
	    PSTATE_CERT_TLS, "alice", 2000, &got, &e), SS_OK);
	assert_same_cert(&got, &c[0]);
	pstate_close(st);
	/* Another command finds both, read from disk. */
	st = open_as("bob");
	assert_int_equal(pstate_cert_lookup(st, fp, c[1].ca, PSTATE_CERT_ENC,
	    "alice", end - 1, &got, &e), SS_OK);
	assert_same_cert(&got, &c[1]);
	/* Expired, or verified against another CA: the caller verifies. */
	rc = pstate_cert_lookup(st, fp, c[1].ca, PSTATE_CERT_ENC, "alice", end,
	    &got, &e);
	expect_error(&e, rc, SS_ERR_NOT_FOUND, "expired", NULL);
	memset(other_ca, 0x01, sizeof(other_ca));
	rc = pstate_cert_lookup(st, fp, other_ca, PSTATE_CERT_ENC, "alice", 2000,
	    &got, &e);
	expect_error(&e, rc, SS_ERR_NOT_FOUND, "another CA", NULL);
	fp[5] ^= 1;
	rc = pstate_cert_lookup(st, fp, c[1].ca, PSTATE_CERT_ENC, "alice", 2000,
	    &got, &e);
	assert_int_equal(rc, SS_ERR_NOT_FOUND);
	/* Passed off as someone else's, or as the other kind. */
	rc = pstate_cert_lookup(st, c[0].fingerprint, c[0].ca, PSTATE_CERT_TLS,
	    "bob", 2000, &got, &e);
	expect_error(&e, rc, SS_ERR_CERT, "alice's TLS certificate, not bob's",
	    NULL);
	rc = pstate_cert_lookup(st, c[0].fingerprint, c[0].ca, PSTATE_CERT_ENC,
	    "alice", 2000, &got, &e);
	expect_error(&e, rc, SS_ERR_CERT, "not alice's encryption-key", NULL);
	pstate_close(st);
}

static void
test_cert_replace_prune_forget(void **state)
{
	struct pstate_cert a = made_up(1, PSTATE_CERT_TLS, 100);
	struct pstate_cert b = made_up(2, PSTATE_CERT_ENC, 1000);
	struct pstate_cert c = made_up(3, PSTATE_CERT_TLS, 1000), got, batch[3];
	struct pstate *st;
	struct ss_error e;

	(void)state;
	st = open_as("alice");
	ss_error_clear(&e);
	batch[0] = a;
	batch[1] = b;
	assert_int_equal(pstate_cert_put(st, batch, 2, 50, &e), SS_OK);
	/* The same certificate verified again: replaced, not added. */
	a.verified_at = 60;
	assert_int_equal(pstate_cert_put(st, &a, 1, 60, &e), SS_OK);
	assert_int_equal(count_on_disk(), 2);
	assert_int_equal(pstate_cert_lookup(st, a.fingerprint, a.ca, a.kind,
	    a.name, 70, &got, &e), SS_OK);
	assert_int_equal(got.verified_at, 60);
	/* Within one put, the later of two equal fingerprints wins. */
	batch[0] = c;
	batch[1] = b;
	batch[1].verified_at = 80;
	batch[2] = b;
	batch[2].verified_at = 90;
	/* ... and entries expired by then are dropped (a, at 100). */
	assert_int_equal(pstate_cert_put(st, batch, 3, 100, &e), SS_OK);
	assert_int_equal(count_on_disk(), 2);
	assert_int_equal(pstate_cert_lookup(st, a.fingerprint, a.ca, a.kind,
	    a.name, 99, &got, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(pstate_cert_lookup(st, b.fingerprint, b.ca, b.kind,
	    b.name, 100, &got, &e), SS_OK);
	assert_int_equal(got.verified_at, 90);
	/* Forgetting (a certificate found revoked); twice is harmless. */
	assert_int_equal(pstate_cert_forget(st, b.fingerprint, &e), SS_OK);
	assert_int_equal(pstate_cert_forget(st, b.fingerprint, &e), SS_OK);
	assert_int_equal(pstate_cert_lookup(st, b.fingerprint, b.ca, b.kind,
	    b.name, 100, &got, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(count_on_disk(), 1);
	pstate_close(st);
}

static void
test_cert_invalid_entries(void **state)
{
	struct pstate_cert bad[7];
	struct pstate *st;
	struct ss_error e;
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++)
		bad[i] = made_up((uint32_t)i, PSTATE_CERT_ENC, 1000);
	bad[0].kind = (enum pstate_cert_kind)3;
	memset(bad[1].pk, 0, sizeof(bad[1].pk));        /* ENC without key */
	bad[2].kind = PSTATE_CERT_TLS;                  /* TLS with one */
	bad[3].name[0] = '.';
	bad[4].serial_len = 0;
	bad[5].serial_len = PSTATE_SERIAL_MAX + 1;
	bad[6].name[0] = '\0';
	st = open_as("alice");
	for (i = 0; i < 7; i++) {
		ss_error_clear(&e);
		expect_error(&e, pstate_cert_put(st, &bad[i], 1, 1, &e),
		    SS_ERR_INVALID, "not well-formed", NULL);
	}
	assert_int_equal(count_on_disk(), 0);
	pstate_close(st);
}

static void
test_cert_cache_bounded(void **state)
{
	struct pstate_cert *v, got;
	struct pstate *st;
	struct ss_error e;
	uint32_t i;
	int rc;

	(void)state;
	v = calloc(PSTATE_CERT_MAX + 1, sizeof(*v));
	assert_non_null(v);
	for (i = 0; i <= PSTATE_CERT_MAX; i++)
		v[i] = made_up(i, i % 2 ? PSTATE_CERT_ENC : PSTATE_CERT_TLS,
		    1000);
	st = open_as("alice");
	ss_error_clear(&e);
	rc = pstate_cert_put(st, v, PSTATE_CERT_MAX + 1, 10, &e);
	expect_error(&e, rc, SS_ERR_EXHAUSTED, "100000", NULL);
	assert_int_equal(pstate_cert_put(st, v, PSTATE_CERT_MAX, 10, &e), SS_OK);
	/* Full: one more is refused, and nothing is written ... */
	rc = pstate_cert_put(st, &v[PSTATE_CERT_MAX], 1, 10, &e);
	expect_error(&e, rc, SS_ERR_EXHAUSTED, "100001", "100000", NULL);
	assert_int_equal(count_on_disk(), PSTATE_CERT_MAX);
	/* ... but one already there may be verified again ... */
	v[5].verified_at = 11;
	assert_int_equal(pstate_cert_put(st, &v[5], 1, 11, &e), SS_OK);
	assert_int_equal(pstate_cert_lookup(st, v[5].fingerprint, v[5].ca,
	    v[5].kind, v[5].name, 11, &got, &e), SS_OK);
	assert_int_equal(got.verified_at, 11);
	/* ... and expired entries make room. */
	v[PSTATE_CERT_MAX].not_after = 2000;
	assert_int_equal(pstate_cert_put(st, &v[PSTATE_CERT_MAX], 1, 1000, &e),
	    SS_OK);
	assert_int_equal(count_on_disk(), 1);
	pstate_close(st);
	free(v);
}

static void
test_cert_cache_damaged(void **state)
{
	struct pstate_cert a = made_up(1, PSTATE_CERT_TLS, 100), got;
	char path[PATH_MAX];
	struct pstate *st;
	struct ss_error e;
	int rc;

	(void)state;
	st = open_as("alice");
	ss_error_clear(&e);
	assert_int_equal(pstate_cert_put(st, &a, 1, 1, &e), SS_OK);
	pstate_close(st);
	damage(path, sizeof(path), "certs");
	st = open_as("alice");
	rc = pstate_cert_lookup(st, a.fingerprint, a.ca, a.kind, a.name, 1,
	    &got, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, "removing it", NULL);
	/* Not overwritten behind the user's back either. */
	rc = pstate_cert_put(st, &a, 1, 1, &e);
	expect_error(&e, rc, SS_ERR_CHECKSUM, path, NULL);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(pstate_cert_lookup(st, a.fingerprint, a.ca, a.kind,
	    a.name, 1, &got, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(pstate_cert_put(st, &a, 1, 1, &e), SS_OK);
	pstate_close(st);
}

/* A racer's put of 20 entries of its own. */
static int
race_put(struct pstate *st, const uint8_t *d, int who)
{
	struct pstate_cert v[20];
	uint32_t i;

	(void)d;
	for (i = 0; i < 20; i++)
		v[i] = made_up((uint32_t)who * 100 + i, PSTATE_CERT_TLS, 1000);
	return pstate_cert_put(st, v, 20, 1, NULL);
}

static void
test_cert_puts_at_once(void **state)
{
	uint8_t d[PARAMS_DIGEST_LEN] = { 0 };
	int status[2], round;

	(void)state;
	pstate_close(open_as("alice"));
	for (round = 0; round < 4; round++) {
		race2(race_put, d, status);
		assert_int_equal(status[0], 0);
		assert_int_equal(status[1], 0);
		/* Each re-read the cache under the lock: neither lost the other's. */
		assert_int_equal(count_on_disk(), 40);
	}
}

static void
test_cert_revoked(void **state)
{
	uint8_t fp[PSTATE_HASH_LEN];
	struct pstate_cert carol, carol_enc, dave;
	char pki[PATH_MAX], path[PATH_MAX];
	X509_CRL *crl;
	FILE *f;

	(void)state;
	path_of(pki, sizeof(pki), tmp, "pki");
	assert_int_equal(run_mkcerts("--out", pki, "carol", "dave", NULL), 0);
	fill_tls(pki, "carol", &carol);
	fill_enc(pki, "carol", &carol_enc, fp);
	fill_tls(pki, "dave", &dave);
	assert_int_equal(run_mkcerts("--out", pki, "--revoke", "carol", NULL), 0);
	path_of(path, sizeof(path), pki, "crl.pem");
	f = fopen(path, "r");
	assert_non_null(f);
	crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(crl);
	assert_int_equal(pstate_cert_revoked(&carol, crl), 1);
	assert_int_equal(pstate_cert_revoked(&carol_enc, crl), 1);
	assert_int_equal(pstate_cert_revoked(&dave, crl), 0);
	assert_int_equal(pstate_cert_revoked(NULL, crl), SS_ERR_INVALID);
	assert_int_equal(pstate_cert_revoked(&dave, NULL), SS_ERR_INVALID);
	dave.serial_len = 0;
	assert_int_equal(pstate_cert_revoked(&dave, crl), SS_ERR_INVALID);
	X509_CRL_free(crl);
}

static const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	T(test_default_dir),
	T(test_open_creates_private_folder),
	T(test_refuses_shared_folder),
	T(test_refuses_shared_file),
	T(test_refuses_other_owner),
	T(test_refuses_other_party_and_non_folders),
	T(test_input_hash),
	T(test_input_settable_once),
	T(test_salts_differ),
	T(test_input_reused),
	T(test_input_reused_any_creator),
	T(test_crash_between_list_and_record),
	T(test_instances_bounded),
	T(test_cohort_settable_once),
	T(test_sumpoint_and_all_parts),
	T(test_rejoin),
	T(test_record_layout),
	T(test_reads_documented_layout),
	T(test_submission_kept_once),
	T(test_submission_after_input_alone),
	T(test_submission_damaged),
	T(test_torn_temp_files_removed),
	T(test_every_flipped_byte_reported),
	T(test_only_regular_files),
	T(test_race_for_one_cohort),
	T(test_race_for_one_submission),
	T(test_race_for_one_input),
	T(test_cert_fill),
	T(test_cert_lookup),
	T(test_cert_replace_prune_forget),
	T(test_cert_invalid_entries),
	T(test_cert_cache_bounded),
	T(test_cert_cache_damaged),
	T(test_cert_puts_at_once),
	T(test_cert_revoked),
#undef T
};

int
main(void)
{
	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
