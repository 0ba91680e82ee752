/*
 * test_client_signer.c: this party's statements (client/signer.c) with
 * keys from the real scripts/mkcerts.sh: a statement signed here verifies
 * with the party's certificate, for the pinned D, naming that certificate;
 * the key is the TLS certificate's and must be private and match it; only
 * a statement that encodes is signed; a copy is a copy.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "conn.h"
#include "err.h"
#include "files.h"
#include "pki.h"
#include "signed.h"
#include "signer.h"
#include "statement.h"
#include "tempdir.h"
#include "wire.h"

static const uint8_t d1[32] = { 0xd1, 0x11 };
static char *dir, swapped[PATH_MAX], loose[PATH_MAX];

static void
start(struct client *c, const char *certs, const char *party)
{
	memset(c, 0, sizeof(*c));
	c->certs = certs;
	c->party = party;
	memcpy(c->d, d1, sizeof(d1));
}

/* A SUMPOINT of position 2 over nothing in particular. */
static void
sumpoint(struct statement *s)
{
	memset(s, 0, sizeof(*s));
	s->type = STATEMENT_SUMPOINT;
	s->position = 2;
	s->length = 3;
	memset(s->cohort_digest, 0x44, sizeof(s->cohort_digest));
	memset(s->values_digest, 0x55, sizeof(s->values_digest));
}

static void
test_signed_verifies(void **state)
{
	uint8_t digest[STATEMENT_HASH_LEN], want[STATEMENT_HASH_LEN];
	struct statement s, got;
	struct wire_stmt w, copy;
	struct client c;
	struct ss_error e;

	(void)state;
	start(&c, signed_certs_dir(), "bob");
	sumpoint(&s);
	assert_int_equal(signer_make(&c, &s, &w, &e), SS_OK);
	assert_int_equal(w.body_len, STATEMENT_SUMPOINT_LEN);
	assert_true(w.sig_len > 0 && w.sig_len <= STATEMENT_SIG_MAX);
	assert_int_equal(statement_verify(signed_cert("bob"), d1, w.body,
	    w.body_len, w.sig, w.sig_len, &got, &e), SS_OK);
	assert_true(statement_same(&s, &got));
	assert_int_equal(statement_cert_digest(signed_cert("bob"), want), SS_OK);
	assert_int_equal(signer_digest(&c, digest, &e), SS_OK);
	assert_memory_equal(digest, want, sizeof(want));
	/* Not alice's, nor for another D. */
	assert_int_equal(statement_verify(signed_cert("alice"), d1, w.body,
	    w.body_len, w.sig, w.sig_len, NULL, &e), SS_ERR_AUTH);
	assert_int_equal(statement_verify(signed_cert("bob"),
	    (uint8_t[32]){ 0xd2 }, w.body, w.body_len, w.sig, w.sig_len, NULL,
	    &e), SS_ERR_AUTH);
	assert_int_equal(signer_stmt_copy(&copy, &w), SS_OK);
	assert_ptr_not_equal(copy.body, w.body);
	assert_int_equal(copy.body_len, w.body_len);
	assert_memory_equal(copy.body, w.body, w.body_len);
	assert_memory_equal(copy.sig, w.sig, w.sig_len);
	signer_stmt_free(&copy);
	signer_stmt_free(&w);
	assert_null(w.body);
	signer_stmt_free(&w);                   /* twice is harmless */
	/* A statement that does not encode is not signed. */
	s.length = 0;
	fx_expect(signer_make(&c, &s, &w, &e), &e, SS_ERR_INVALID,
	    "vector length 0");
	assert_null(w.body);
	client_free(&c);
}

/*
 * With a TLS context (as conn_open makes one), the key and certificate are
 * the context's, taken rather than read again: the same objects, and the
 * statement verifies as the party's.
 */
static void
test_from_tls(void **state)
{
	struct statement s;
	struct wire_stmt w;
	struct client c;
	struct ss_error e;

	(void)state;
	start(&c, signed_certs_dir(), "bob");
	conn_init(&c.conn);
	assert_non_null(c.conn.ctx = pki_client_ctx(c.certs, c.party, &e));
	sumpoint(&s);
	assert_int_equal(signer_make(&c, &s, &w, &e), SS_OK);
	assert_ptr_equal(c.sign_key, SSL_CTX_get0_privatekey(c.conn.ctx));
	assert_ptr_equal(c.sign_cert, SSL_CTX_get0_certificate(c.conn.ctx));
	assert_int_equal(statement_verify(signed_cert("bob"), d1, w.body,
	    w.body_len, w.sig, w.sig_len, NULL, &e), SS_OK);
	signer_stmt_free(&w);
	/* The connection's end leaves the signer its own references. */
	conn_close(&c.conn);
	assert_null(c.conn.ctx);
	sumpoint(&s);
	assert_int_equal(signer_make(&c, &s, &w, &e), SS_OK);
	assert_int_equal(statement_verify(signed_cert("bob"), d1, w.body,
	    w.body_len, w.sig, w.sig_len, NULL, &e), SS_OK);
	signer_stmt_free(&w);
	client_free(&c);
}

static void
test_keys(void **state)
{
	struct statement s;
	struct wire_stmt w;
	struct client c;
	struct ss_error e;

	(void)state;
	sumpoint(&s);
	start(&c, swapped, "alice");
	fx_expect(signer_make(&c, &s, &w, &e), &e, SS_ERR_CERT,
	    "alice.key does not belong to");
	client_free(&c);
	start(&c, loose, "alice");
	fx_expect(signer_make(&c, &s, &w, &e), &e, SS_ERR_KEY_PERMS,
	    "chmod 600");
	client_free(&c);
	start(&c, signed_certs_dir(), "mallory");
	assert_int_equal(signer_make(&c, &s, &w, &e), SS_ERR_IO);
	assert_non_null(strstr(e.msg, "mallory.crt"));
	client_free(&c);
}

static int
setup(void **state)
{
	const char *certs;

	(void)state;
	if ((certs = signed_certs_dir()) == NULL)
		return -1;
	dir = tempdir();
	/* alice's certificate with bob's key; alice's key readable by all. */
	path_of(swapped, sizeof(swapped), dir, "swapped");
	path_of(loose, sizeof(loose), dir, "loose");
	if (mkdir(swapped, 0700) != 0 || mkdir(loose, 0700) != 0)
		return -1;
	copy_into(certs, "alice.crt", swapped, "alice.crt", 0644);
	copy_into(certs, "bob.key", swapped, "alice.key", 0600);
	copy_into(certs, "alice.crt", loose, "alice.crt", 0644);
	copy_into(certs, "alice.key", loose, "alice.key", 0644);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(dir);
	return signed_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_verifies),
		cmocka_unit_test(test_from_tls),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
