/*
 * test_server_credentials.c: the server's TLS context and CA store as
 * loaded from the certs folder (server/credentials.c). A good folder loads,
 * described with server.crt's SHA-256 fingerprint; a key that does not
 * match its certificate, or a bad crl.pem, fails with the file named and
 * leaves nothing to leak; a reload may not lift revocations in force (no
 * crl.pem where one was loaded, or an older one), but may add or renew them.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certs.h"
#include "credentials.h"
#include "err.h"
#include "files.h"
#include "tempdir.h"

static const char *g_dir;

/* The fingerprint of dir/file as credentials_describe prints it. */
static void
fingerprint_of(const char *dir, const char *file, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char path[PATH_MAX];
	unsigned int i, n;
	size_t at = 0;
	X509 *x;
	FILE *f;

	path_of(path, sizeof(path), dir, file);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &n), 1);
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(out + at, outlen - at, "%s%02X", i ? ":" : "", md[i]);
	X509_free(x);
}

static void
test_load_and_describe(void **state)
{
	struct credentials c;
	struct ss_error e;
	char line[512], fp[128], want[200];

	(void)state;
	assert_int_equal(credentials_load(g_dir, &c, &e), SS_OK);
	assert_non_null(c.ssl);
	assert_non_null(c.ca);
	assert_int_equal(c.crl.present, 0);
	fingerprint_of(g_dir, "server.crt", fp, sizeof(fp));
	assert_string_equal(c.fingerprint, fp);
	credentials_describe(&c, line, sizeof(line));
	(void)snprintf(want, sizeof(want), "server.crt (SHA-256 %s, valid until ", fp);
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(line, "no crl.pem"));
	credentials_free(&c);
	credentials_free(&c);   /* twice is harmless */
}

/* server.crt of another CA beside our server.key: refused, nothing held. */
static void
test_mismatched_key(void **state)
{
	char *dir = tempdir();
	struct credentials c;
	struct ss_error e;

	(void)state;
	copy_into(g_dir, "ca.crt", dir, "ca.crt", 0644);
	copy_into(g_dir, "server.key", dir, "server.key", 0600);
	copy_into(other_certs_dir(), "server.crt", dir, "server.crt", 0644);
	assert_int_not_equal(credentials_load(dir, &c, &e), SS_OK);
	assert_non_null(strstr(ss_error_msg(&e), "server.key"));
	assert_null(c.ssl);
	assert_null(c.ca);
	credentials_free(&c);
	rmdir_all(dir);
}

static void
test_bad_crl(void **state)
{
	char *dir = tempdir();
	struct credentials c;
	struct ss_error e;
	char crl[PATH_MAX];

	(void)state;
	copy_into(g_dir, "ca.crt", dir, "ca.crt", 0644);
	copy_into(g_dir, "server.crt", dir, "server.crt", 0644);
	copy_into(g_dir, "server.key", dir, "server.key", 0600);
	path_of(crl, sizeof(crl), dir, "crl.pem");
	write_file(crl, "garbage\n", 8, 0644);
	assert_int_equal(credentials_load(dir, &c, &e), SS_ERR_CERT);
	assert_non_null(strstr(ss_error_msg(&e), crl));
	assert_null(c.ssl);
	credentials_free(&c);
	rmdir_all(dir);
}

/* cur and next as two loads would leave them, only their lists' facts set. */
static void
lists(struct credentials *cur, int cur_present, int64_t cur_issued,
    struct credentials *next, int next_present, int64_t next_issued)
{
	memset(cur, 0, sizeof(*cur));
	memset(next, 0, sizeof(*next));
	cur->crl.present = cur_present;
	cur->crl.issued = cur_issued;
	cur->crl.revoked = 2;
	next->crl.present = next_present;
	next->crl.issued = next_issued;
}

static void
test_may_replace(void **state)
{
	struct credentials cur, next;
	struct ss_error e;

	(void)state;
	lists(&cur, 0, 0, &next, 0, 0);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_OK);
	lists(&cur, 0, 0, &next, 1, 100);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_OK);
	lists(&cur, 1, 100, &next, 1, 100);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_OK);
	lists(&cur, 1, 100, &next, 1, 200);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_OK);

	lists(&cur, 1, 100, &next, 0, 0);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_ERR_DENIED);
	assert_non_null(strstr(ss_error_msg(&e), "d/crl.pem is gone, which would lift 2 revocations"));
	lists(&cur, 1, 100, &next, 1, 99);
	assert_int_equal(credentials_may_replace(&cur, &next, "d", &e), SS_ERR_DENIED);
	assert_non_null(strstr(ss_error_msg(&e), "before the list in force"));
}

static int
group_setup(void **state)
{
	(void)state;
	if ((g_dir = certs_dir()) == NULL || other_certs_dir() == NULL)
		return -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_describe),
		cmocka_unit_test(test_mismatched_key),
		cmocka_unit_test(test_bad_crl),
		cmocka_unit_test(test_may_replace),
	};

	return cmocka_run_group_tests_name("credentials", tests, group_setup,
	    certs_teardown);
}
