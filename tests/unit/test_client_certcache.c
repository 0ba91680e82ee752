/*
 * test_client_certcache.c: the certificate cache as commands use it
 * (client/certcache.c), with a PKI from the real scripts/mkcerts.sh: off
 * while the party's records are closed; a certificate noted is written
 * once, at the end, and found again for its party and kind only; a
 * certificate revoked after it was cached is dropped and looked up no
 * more; another CA's cache entries do not count.
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

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "files.h"
#include "pstate.h"
#include "records.h"
#include "tempdir.h"

static char *dir, pki[PATH_MAX], other[PATH_MAX];

/* The DER of DIR/NAME.crt (malloc'd). */
static uint8_t *
der_of(const char *folder, const char *name, size_t *len)
{
	char file[80], path[PATH_MAX];
	unsigned char *p = NULL;
	uint8_t *out;
	X509 *x;
	FILE *f;
	int n;

	snprintf(file, sizeof(file), "%s.crt", name);
	path_of(path, sizeof(path), folder, file);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_true((n = i2d_X509(x, &p)) > 0);
	assert_non_null(out = malloc((size_t)n));
	memcpy(out, p, (size_t)n);
	OPENSSL_free(p);
	X509_free(x);
	*len = (size_t)n;
	return out;
}

/* alice of folder, with her records in the folder `state` (or none). */
static void
start(struct client *c, const char *folder, const char *state)
{
	static char path[PATH_MAX];
	struct ss_error e;

	memset(c, 0, sizeof(*c));
	c->certs = folder;
	c->party = "alice";
	if (state == NULL)
		return;
	path_of(path, sizeof(path), dir, state);
	c->state = path;
	assert_int_equal(records_open(c, &e), SS_OK);
}

static void
test_off_without_records(void **state)
{
	struct pstate_cert hit;
	struct certcache cc;
	struct client c;
	struct ss_error e;
	uint8_t *der;
	size_t len;

	(void)state;
	der = der_of(pki, "bob", &len);
	start(&c, pki, NULL);
	assert_int_equal(certcache_begin(&c, &cc, 4, &e), SS_OK);
	assert_false(cc.on);
	assert_int_equal(certcache_note(&cc, der, len, NULL, PSTATE_CERT_TLS,
	    "bob", NULL, &e), SS_OK);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS, "bob",
	    &hit, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	free(der);
}

static void
test_noted_then_found(void **state)
{
	const struct pstate_cert *all;
	struct pstate_cert hit;
	struct certcache cc;
	struct client c;
	struct ss_error e;
	uint8_t *der;
	size_t len, n;

	(void)state;
	der = der_of(pki, "bob", &len);
	start(&c, pki, "found");
	assert_int_equal(certcache_begin(&c, &cc, 4, &e), SS_OK);
	assert_true(cc.on);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS, "bob",
	    &hit, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(certcache_note(&cc, der, len, NULL, PSTATE_CERT_TLS,
	    "bob", NULL, &e), SS_OK);
	/* Written at the end, not before. */
	assert_int_equal(pstate_cert_entries(c.pstate, &all, &n, &e), SS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	assert_int_equal(pstate_cert_entries(c.pstate, &all, &n, &e), SS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(certcache_begin(&c, &cc, 4, &e), SS_OK);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS, "bob",
	    &hit, &e), SS_OK);
	assert_string_equal(hit.name, "bob");
	/* As another party's, or as an encryption-key certificate: refused. */
	fx_expect(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS, "carol",
	    &hit, &e), &e, SS_ERR_CERT, "bob");
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_ENC,
	    "bob", &hit, &e), SS_ERR_CERT);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	/* Under another CA, the same folder's entry does not count. */
	start(&c, other, "found");
	assert_int_equal(certcache_begin(&c, &cc, 4, &e), SS_OK);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS, "bob",
	    &hit, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	free(der);
}

static void
test_revoked_dropped(void **state)
{
	const struct pstate_cert *all;
	struct pstate_cert hit;
	struct certcache cc;
	struct client c;
	struct ss_error e;
	uint8_t *der;
	size_t len, n;

	(void)state;
	der = der_of(pki, "carol", &len);
	start(&c, pki, "revoked");
	assert_int_equal(certcache_begin(&c, &cc, 1, &e), SS_OK);
	assert_int_equal(certcache_note(&cc, der, len, NULL, PSTATE_CERT_TLS,
	    "carol", NULL, &e), SS_OK);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	/* carol revoked: the next command's store holds the CRL. */
	assert_int_equal(run_mkcerts("--out", pki, "--revoke", "carol", NULL), 0);
	start(&c, pki, "revoked");
	assert_int_equal(certcache_begin(&c, &cc, 1, &e), SS_OK);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS,
	    "carol", &hit, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(pstate_cert_entries(c.pstate, &all, &n, &e), SS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	free(der);
}

static void
test_off_with_foreign_crl(void **state)
{
	char bad[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct pstate_cert hit;
	struct certcache cc;
	struct client c;
	struct ss_error e;
	uint8_t *der;
	size_t len;

	(void)state;
	/* bob cached under pki's CA, from the folder `crl`. */
	der = der_of(pki, "bob", &len);
	start(&c, pki, "crl");
	assert_int_equal(certcache_begin(&c, &cc, 1, &e), SS_OK);
	assert_int_equal(certcache_note(&cc, der, len, NULL, PSTATE_CERT_TLS,
	    "bob", NULL, &e), SS_OK);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	/*
	 * The same CA beside a CRL another CA signed: a verification refuses
	 * it, so the cache must not take bob without one.
	 */
	path_of(bad, sizeof(bad), dir, "bad");
	assert_int_equal(run_mkcerts("--out", other, "--revoke", "alice",
	    NULL), 0);
	assert_int_equal(mkdir(bad, 0700), 0);
	path_of(from, sizeof(from), pki, "ca.crt");
	path_of(to, sizeof(to), bad, "ca.crt");
	copy_file(from, to, 0644);
	path_of(from, sizeof(from), other, "crl.pem");
	path_of(to, sizeof(to), bad, "crl.pem");
	copy_file(from, to, 0644);
	start(&c, bad, "crl");
	assert_int_equal(certcache_begin(&c, &cc, 1, &e), SS_OK);
	assert_false(cc.on);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS,
	    "bob", &hit, &e), SS_ERR_NOT_FOUND);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	/* Its own CA (and a CRL of its own, current, if an earlier test
	 * revoked carol): the cache is on again, bob a hit. */
	start(&c, pki, "crl");
	assert_int_equal(certcache_begin(&c, &cc, 1, &e), SS_OK);
	assert_true(cc.on);
	assert_int_equal(certcache_lookup(&cc, der, len, PSTATE_CERT_TLS,
	    "bob", &hit, &e), SS_OK);
	assert_int_equal(certcache_end(&cc, &e), SS_OK);
	client_free(&c);
	free(der);
}

static int
setup(void **state)
{
	(void)state;
	dir = tempdir();
	path_of(pki, sizeof(pki), dir, "pki");
	path_of(other, sizeof(other), dir, "other");
	if (run_mkcerts("--out", pki, "alice", "bob", "carol", NULL) != 0 ||
	    run_mkcerts("--out", other, "alice", NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(dir);
	certs_remove();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_without_records),
		cmocka_unit_test(test_noted_then_found),
		cmocka_unit_test(test_revoked_dropped),
		cmocka_unit_test(test_off_with_foreign_crl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
