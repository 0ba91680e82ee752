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

#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "files.h"
#include "hpke.h"
#include "keydir.h"
#include "pki.h"
#include "pstate.h"
#include "records.h"
#include "tempdir.h"

/* Our CA's folder, another CA's, and folders of certificates that lie. */
static const char *certs, *other;
static char *dir, mixed[256], swapped[256], loose[256];

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
	path_of(path, sizeof(path), certs, "bob.enc.crt");
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_OK);
	assert_true(len > 100 && der[0] == 0x30);   /* a DER SEQUENCE */
	free(der);
	path_of(path, sizeof(path), certs, "nothing.crt");
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_ERR_IO);
	assert_null(der);
	path_of(path, sizeof(path), mixed, "junk.enc.crt");
	assert_int_equal(keydir_read_cert_der(path, &der, &len), SS_ERR_CERT);
	path_of(path, sizeof(path), mixed, "huge.enc.crt");
	assert_int_equal(keydir_read_cert_der(path, &der, &len),
	    SS_ERR_TOO_LARGE);
	assert_null(der);
	assert_int_equal(len, 0);
}

static void
test_own_key(void **state)
{
	uint8_t pk[HPKE_KEY_LEN], want[HPKE_KEY_LEN];
	const uint8_t *der = NULL;
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
	assert_non_null(der);
	assert_true(len > 0);
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

/*
 * With the party's records open, the certificates verified go to its
 * cache as encryption-key certificates with their keys; the next search
 * takes the keys from there, and a certificate the cache knows as bob's
 * is refused as carol's.
 */
static void
test_get_keys_cached(void **state)
{
	static const char *const names[] = { "bob", "alice" };
	uint8_t pks[2][HPKE_KEY_LEN], want[HPKE_KEY_LEN];
	const struct pstate_cert *cached;
	char st[300];
	struct client c;
	struct ss_error e;
	size_t n;

	(void)state;
	path_of(st, sizeof(st), dir, "alice-state");
	start(&c, certs, "alice");
	c.state = st;
	assert_int_equal(records_open(&c, &e), SS_OK);
	assert_int_equal(keydir_get_keys(&c, names, 2, pks, 0, &e), SS_OK);
	assert_int_equal(pstate_cert_entries(c.pstate, &cached, &n, &e), SS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cached[0].kind, PSTATE_CERT_ENC);
	memset(pks, 0, sizeof(pks));
	assert_int_equal(keydir_get_keys(&c, names, 2, pks, 0, &e), SS_OK);
	public_of(certs, "bob", want);
	assert_memory_equal(pks[0], want, HPKE_KEY_LEN);
	client_free(&c);
	/* bob's certificate, cached as bob's, offered as carol's. */
	start(&c, mixed, "alice");
	c.state = st;
	assert_int_equal(records_open(&c, &e), SS_OK);
	fx_expect(keydir_local_key(&c, "carol", pks[0], NULL, NULL, &e), &e,
	    SS_ERR_CERT, "carol");
	assert_int_equal(keydir_get_keys(&c, (const char *const []){ "carol" },
	    1, pks, 0, &e), SS_ERR_CERT);
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
	assert_int_equal(r, SS_ERR_UNAVAILABLE);
	assert_int_equal(e.code, r);
	assert_non_null(strstr(e.msg, "cannot connect to 127.0.0.1:1"));
	client_free(&c);
	/* A refused certificate stops the search before any call. */
	start(&c, mixed, "alice");
	assert_int_equal(keydir_get_keys(&c, names, 2, pks, 0, &e),
	    SS_ERR_CERT);
	client_free(&c);
}

/*
 * keydir_missing: keys in the folder are found without the server (absent
 * here); a name without one is asked of it; a refused certificate is an
 * error, not a missing key.
 */
static void
test_missing(void **state)
{
	static const char *const names[] = { "bob", "alice", "carol" };
	const char **missing = NULL;
	struct client c;
	struct ss_error e;
	size_t n = 99;

	(void)state;
	start(&c, certs, "alice");
	assert_int_equal(keydir_missing(&c, names, 2, &missing, &n, &e), SS_OK);
	assert_int_equal(n, 0);
	free(missing);
	client_free(&c);
	start(&c, mixed, "alice");
	assert_int_equal(keydir_missing(&c, names + 1, 2, &missing, &n, &e),
	    SS_ERR_CERT);
	assert_null(missing);
	assert_int_equal(n, 0);
	client_free(&c);
}

/* A folder of ours holding our CA's certificate. */
static void
ca_folder(char *out, size_t outlen, const char *name)
{
	path_of(out, outlen, dir, name);
	if (mkdir(out, 0700) != 0)
		fail_msg("mkdir %s", out);
	copy_into(certs, "ca.crt", out, "ca.crt", 0644);
}

/* A PEM "certificate" of 70000 random bytes, over KEYDIR_CERT_MAX. */
static void
huge_pem(const char *folder, const char *name)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char raw[3 * 64 / 4];
	static const char begin[] = "-----BEGIN CERTIFICATE-----\n";
	static const char end[] = "-----END CERTIFICATE-----\n";
	char path[300], *pem, *p;
	size_t lines = 70000 / sizeof(raw) + 1, i, k;

	assert_non_null(pem = malloc(sizeof(begin) + lines * 65 + sizeof(end)));
	memcpy(pem, begin, sizeof(begin) - 1);
	p = pem + sizeof(begin) - 1;
	for (i = 0; i < lines; i++) {
		assert_int_equal(RAND_bytes(raw, sizeof(raw)), 1);
		for (k = 0; k < sizeof(raw); k += 3) {
			*p++ = b64[raw[k] >> 2];
			*p++ = b64[(raw[k] & 3) << 4 | raw[k + 1] >> 4];
			*p++ = b64[(raw[k + 1] & 15) << 2 | raw[k + 2] >> 6];
			*p++ = b64[raw[k + 2] & 63];
		}
		*p++ = '\n';
	}
	memcpy(p, end, sizeof(end) - 1);
	p += sizeof(end) - 1;
	path_of(path, sizeof(path), folder, name);
	write_file(path, pem, (size_t)(p - pem), 0644);
	free(pem);
}

/*
 * Our key is loaded once a process and is the client's; the certificate is
 * read again at each call, and one that changed is verified anew.
 */
static void
test_own_key_once(void **state)
{
	char renewed[256];
	const uint8_t *der = NULL, *der2 = NULL;
	struct hpke_key *key = NULL, *key2 = NULL;
	struct client c;
	struct ss_error e;
	size_t len = 0, len2 = 0;

	(void)state;
	ca_folder(renewed, sizeof(renewed), "renewed");
	copy_into(certs, "alice.enc.crt", renewed, "alice.enc.crt", 0644);
	copy_into(certs, "alice.enc.key", renewed, "alice.enc.key", 0600);
	start(&c, renewed, "alice");
	assert_int_equal(keydir_own_key(&c, &key, &der, &len, &e), SS_OK);
	assert_int_equal(keydir_own_key(&c, &key2, &der2, &len2, &e), SS_OK);
	assert_ptr_equal(key, key2);
	assert_ptr_equal(der, der2);
	assert_int_equal(len, len2);
	/* bob's certificate where alice's was: not ours, refused. */
	copy_into(certs, "bob.enc.crt", renewed, "alice.enc.crt", 0644);
	fx_expect(keydir_own_key(&c, &key, &der, &len, &e), &e, SS_ERR_CERT,
	    "our CA issued for alice");
	assert_null(key);
	client_free(&c);
}

static int
setup(void **state)
{
	char path[300];

	(void)state;
	if ((certs = certs_dir()) == NULL || (other = other_certs_dir()) == NULL)
		return -1;
	dir = tempdir();
	/* Our CA, with certificates that are not what they claim. */
	ca_folder(mixed, sizeof(mixed), "mixed");
	copy_into(certs, "bob.enc.crt", mixed, "carol.enc.crt", 0644);
	copy_into(other, "alice.enc.crt", mixed, "alice.enc.crt", 0644);
	copy_into(certs, "bob.crt", mixed, "bob.enc.crt", 0644);
	copy_into(certs, "bob.enc.key", mixed, "carol.enc.key", 0600);
	path_of(path, sizeof(path), mixed, "junk.enc.crt");
	write_file(path, "not a certificate\n", 18, 0644);
	huge_pem(mixed, "huge.enc.crt");
	/* alice's certificate with bob's key. */
	ca_folder(swapped, sizeof(swapped), "swapped");
	copy_into(certs, "alice.enc.crt", swapped, "alice.enc.crt", 0644);
	copy_into(certs, "bob.enc.key", swapped, "alice.enc.key", 0600);
	/* alice's own key, readable by all. */
	ca_folder(loose, sizeof(loose), "loose");
	copy_into(certs, "alice.enc.crt", loose, "alice.enc.crt", 0644);
	copy_into(certs, "alice.enc.key", loose, "alice.enc.key", 0644);
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
		cmocka_unit_test(test_local_key),
		cmocka_unit_test(test_refused_certificates),
		cmocka_unit_test(test_read_cert_der),
		cmocka_unit_test(test_own_key),
		cmocka_unit_test(test_own_key_once),
		cmocka_unit_test(test_get_keys_local),
		cmocka_unit_test(test_get_keys_cached),
		cmocka_unit_test(test_get_keys_missing),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
