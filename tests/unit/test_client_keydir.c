/*
 * test_client_keydir.c: the client's key directory (client/keydir.c) with
 * certificates from scripts/mkcerts.sh in a temporary folder: a party's
 * encryption key is taken only from a certificate our CA issued for that
 * name (not another party's, not another CA's, not a TLS certificate);
 * our own key must match our certificate and be private; keys found in
 * the folder never go to the server, missing ones do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "hpke.h"
#include "keydir.h"
#include "pki.h"

static char dir[] = "/tmp/test_client_keydir.XXXXXX";
static char certs[256], other[256], mixed[256], swapped[256], loose[256];

static void
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command; a failure fails the test. */
static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void
start(struct client *c, const char *folder, const char *party)
{
	memset(c, 0, sizeof(*c));
	c->server = "127.0.0.1:1";      /* nobody: a call fails at once */
	c->certs = folder;
	c->party = party;
	c->timeout_s = 1;
	client_start(c);
}

/* The public key of DIR/NAME.enc.key. */
static void
public_of(const char *folder, const char *name, uint8_t pk[HPKE_KEY_LEN])
{
	uint8_t sk[HPKE_KEY_LEN];

	assert_int_equal(pki_load_enc_key(folder, name, sk), SS_OK);
	assert_int_equal(hpke_public_key(sk, pk), SS_OK);
}

static void
test_local_key(void **state)
{
	uint8_t pk[HPKE_KEY_LEN], want[HPKE_KEY_LEN], *der = NULL;
	struct client c;
	struct ss_error e;
	size_t len = 0;

	(void)state;
	start(&c, certs, "alice");
	assert_int_equal(keydir_local_key(&c, "bob", pk, &der, &len, &e), 1);
	public_of(certs, "bob", want);
	assert_memory_equal(pk, want, HPKE_KEY_LEN);
	assert_non_null(der);
	assert_true(len > 100);
	free(der);
	/* No certificate for carol in the folder: 0, not an error. */
	assert_int_equal(keydir_local_key(&c, "carol", pk, NULL, NULL, &e), 0);
	client_free(&c);
}

static void
test_refused_certificates(void **state)
{
	uint8_t pk[HPKE_KEY_LEN];
	struct client c;
	struct ss_error e;

	(void)state;
	start(&c, mixed, "alice");
	/* bob's certificate under carol's name. */
	fx_expect(keydir_local_key(&c, "carol", pk, NULL, NULL, &e), &e,
	    SS_ERR_CERT, "carol.enc.crt is not an encryption-key certificate "
	    "our CA issued for carol");
	/* alice's, issued by another CA. */
	fx_expect(keydir_local_key(&c, "alice", pk, NULL, NULL, &e), &e,
	    SS_ERR_CERT, "our CA issued for alice");
	/* A TLS certificate is no encryption key. */
	fx_expect(keydir_local_key(&c, "bob", pk, NULL, NULL, &e), &e,
	    SS_ERR_CERT, "our CA issued for bob");
	/* Not a certificate at all. */
	assert_true(keydir_local_key(&c, "junk", pk, NULL, NULL, &e) < 0);
	assert_non_null(strstr(e.msg, "cannot read"));
	client_free(&c);
}

static void
test_read_cert_der(void **state)
{
	char path[300];
	uint8_t *der;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/bob.enc.crt", certs);
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_OK);
	assert_true(len > 100 && der[0] == 0x30);   /* a DER SEQUENCE */
	free(der);
	snprintf(path, sizeof(path), "%s/nothing.crt", certs);
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_ERR_IO);
	assert_null(der);
	snprintf(path, sizeof(path), "%s/junk.enc.crt", mixed);
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_ERR_CERT);
	snprintf(path, sizeof(path), "%s/huge.enc.crt", mixed);
	assert_int_equal(keydir_read_cert_der(path, &der, &len),
	    SS_ERR_TOO_LARGE);
	assert_null(der);
	assert_int_equal(len, 0);
}

static void
test_own_key(void **state)
{
	uint8_t pk[HPKE_KEY_LEN], want[HPKE_KEY_LEN], *der = NULL;
	struct hpke_key *key = NULL;
	struct client c;
	struct ss_error e;
	size_t len = 0;

	(void)state;
	start(&c, certs, "alice");
	assert_int_equal(keydir_own_key(&c, &key, &der, &len, &e), SS_OK);
	hpke_key_public(key, pk);
	public_of(certs, "alice", want);
	assert_memory_equal(pk, want, HPKE_KEY_LEN);
	hpke_key_free(key);
	free(der);
	client_free(&c);

	/* swapped/alice.enc.key is bob's key, under alice's certificate. */
	start(&c, swapped, "alice");
	fx_expect(keydir_own_key(&c, &key, &der, &len, &e), &e,
	    SS_ERR_CERT, "alice.enc.key does not belong to");
	assert_null(key);
	assert_null(der);
	client_free(&c);
	start(&c, loose, "alice");
	fx_expect(keydir_own_key(&c, &key, &der, &len, &e), &e,
	    SS_ERR_KEY_PERMS, "alice.enc.key: it is readable by others "
	    "(chmod 600 it)");
	client_free(&c);
	start(&c, mixed, "carol");
	fx_expect(keydir_own_key(&c, &key, &der, &len, &e), &e,
	    SS_ERR_CERT, "our CA issued for carol");
	client_free(&c);
	start(&c, certs, "carol");
	fx_expect(keydir_own_key(&c, &key, &der, &len, &e), &e,
	    SS_ERR_NOT_FOUND, "carol.enc.crt does not exist: our "
	    "encryption-key certificate is needed");
	client_free(&c);
}

static void
test_get_keys_local(void **state)
{
	static const char *const names[] = { "bob", "alice", "bob" };
	uint8_t pks[3][HPKE_KEY_LEN], want[HPKE_KEY_LEN];
	struct client c;
	struct ss_error e;

	(void)state;
	/* Every key is in the folder: the server (absent) is never asked. */
	start(&c, certs, "alice");
	memset(pks, 0, sizeof(pks));
	assert_int_equal(keydir_get_keys(&c, names, 3, pks, 1, &e), SS_OK);
	public_of(certs, "bob", want);
	assert_memory_equal(pks[0], want, HPKE_KEY_LEN);
	assert_memory_equal(pks[2], want, HPKE_KEY_LEN);
	public_of(certs, "alice", want);
	assert_memory_equal(pks[1], want, HPKE_KEY_LEN);
	assert_int_equal(keydir_get_keys(&c, names, 0, pks, 0, &e), SS_OK);
	client_free(&c);
}

static void
test_get_keys_missing(void **state)
{
	static const char *const names[] = { "alice", "carol" };
	uint8_t pks[2][HPKE_KEY_LEN];
	struct client c;
	struct ss_error e;
	int r;

	(void)state;
	/* carol's key is not in the folder: it is asked of the server. */
	start(&c, certs, "alice");
	r = keydir_get_keys(&c, names, 2, pks, 0, &e);
	assert_int_equal(r, SS_ERR_IO);
	assert_int_equal(e.code, r);
	assert_non_null(strstr(e.msg, "cannot connect to 127.0.0.1:1"));
	client_free(&c);
	/* A refused certificate stops the search before any call. */
	start(&c, mixed, "alice");
	assert_int_equal(keydir_get_keys(&c, names, 2, pks, 0, &e),
	    SS_ERR_CERT);
	client_free(&c);
}

static int
setup(void **state)
{
	unsigned char junk[70000];
	FILE *f;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(certs, sizeof(certs), "%s/certs", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(mixed, sizeof(mixed), "%s/mixed", dir);
	snprintf(swapped, sizeof(swapped), "%s/swapped", dir);
	snprintf(loose, sizeof(loose), "%s/loose", dir);
	sh("scripts/mkcerts.sh --out %s alice bob >/dev/null 2>&1", certs);
	sh("scripts/mkcerts.sh --out %s alice >/dev/null 2>&1", other);
	/* Our CA, with certificates that are not what they claim. */
	sh("mkdir -m 700 %s && cp %s/ca.crt %s/", mixed, certs, mixed);
	sh("cp %s/bob.enc.crt %s/carol.enc.crt", certs, mixed);
	sh("cp %s/alice.enc.crt %s/alice.enc.crt", other, mixed);
	sh("cp %s/bob.crt %s/bob.enc.crt", certs, mixed);
	sh("cp %s/bob.enc.key %s/carol.enc.key", certs, mixed);
	sh("echo 'not a certificate' > %s/junk.enc.crt", mixed);
	sh("mkdir -m 700 %s && cp %s/ca.crt %s/alice.enc.crt %s/", swapped,
	    certs, certs, swapped);
	sh("cp %s/bob.enc.key %s/alice.enc.key", certs, swapped);
	sh("mkdir -m 700 %s && cp %s/ca.crt %s/alice.enc.crt %s/alice.enc.key "
	    "%s/ && chmod 644 %s/alice.enc.key", loose, certs, certs, certs,
	    loose, loose);
	/* A PEM certificate of 70000 bytes, over the limit. */
	if (RAND_bytes(junk, sizeof(junk)) != 1)
		return -1;
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/huge.bin", mixed);
		if ((f = fopen(path, "w")) == NULL ||
		    fwrite(junk, 1, sizeof(junk), f) != sizeof(junk) ||
		    fclose(f) != 0)
			return -1;
	}
	sh("(echo '-----BEGIN CERTIFICATE-----'; base64 %s/huge.bin; "
	    "echo '-----END CERTIFICATE-----') > %s/huge.enc.crt", mixed, mixed);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_key),
		cmocka_unit_test(test_refused_certificates),
		cmocka_unit_test(test_read_cert_der),
		cmocka_unit_test(test_own_key),
		cmocka_unit_test(test_get_keys_local),
		cmocka_unit_test(test_get_keys_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
