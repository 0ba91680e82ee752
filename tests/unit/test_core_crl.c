/*
 * test_core_crl.c: the check of DIR/crl.pem before a server trusts it
 * (core/crl.c). No file is fine; a list signed by the CA and current is
 * counted and dated, several lists in one file too; a list signed by
 * another CA of the same name, an expired one, one without nextUpdate, one
 * issued in the future, text that is no list, and a damaged or cut file
 * are each refused with a message naming the file; so is a missing ca.crt.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "certs.h"
#include "crl.h"
#include "crlfile.h"
#include "err.h"
#include "files.h"
#include "tempdir.h"

static const char *g_dir;       /* the project's CA */
static const char *g_other;     /* another CA, of the same name */
static char *g_tmp;             /* ca.crt and crl.pem under test */
static char g_crl[PATH_MAX];

/* A list signed by ca_dir's CA into g_crl (mode "w") or after it ("a"). */
static void
write_crl(const char *ca_dir, long last_off, long next_off, int n,
    const char *mode)
{
	crlfile_write(g_crl, mode, ca_dir, last_off, next_off, NULL, n);
}

/* crl_check on g_tmp fails with SS_ERR_CERT, naming crl.pem and saying what. */
static void
assert_refused(const char *what)
{
	struct crl_info info;
	struct ss_error e;

	assert_int_equal(crl_check(g_tmp, &info, &e), SS_ERR_CERT);
	assert_non_null(strstr(ss_error_msg(&e), g_crl));
	assert_non_null(strstr(ss_error_msg(&e), what));
	assert_null(strchr(ss_error_msg(&e), '\n'));
}

static int
setup(void **state)
{
	(void)state;
	g_tmp = tempdir();
	path_of(g_crl, sizeof(g_crl), g_tmp, "crl.pem");
	copy_into(g_dir, "ca.crt", g_tmp, "ca.crt", 0644);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(g_tmp);
	g_tmp = NULL;
	return 0;
}

static void
test_no_file(void **state)
{
	struct crl_info info;
	struct ss_error e;

	(void)state;
	assert_int_equal(crl_check(g_tmp, &info, &e), SS_OK);
	assert_int_equal(info.present, 0);
	assert_int_equal(info.revoked, 0);
}

static void
test_good_list(void **state)
{
	struct crl_info info;
	struct ss_error e;
	time_t now = time(NULL);
	struct tm tm;
	char want[32];

	(void)state;
	write_crl(g_dir, -60, 86400, 3, "w");
	assert_int_equal(crl_check(g_tmp, &info, &e), SS_OK);
	assert_int_equal(info.present, 1);
	assert_int_equal(info.revoked, 3);
	assert_true(info.issued >= (int64_t)now - 61 && info.issued <= (int64_t)now);
	now = (time_t)info.issued;
	assert_non_null(gmtime_r(&now, &tm));
	assert_true(strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
	assert_string_equal(info.issued_text, want);
}

/* Every list of the file counts; the newest date is the file's. */
static void
test_two_lists(void **state)
{
	struct crl_info info;
	struct ss_error e;
	time_t now = time(NULL);

	(void)state;
	write_crl(g_dir, -3600, 86400, 1, "w");
	write_crl(g_dir, -60, 86400, 2, "a");
	assert_int_equal(crl_check(g_tmp, &info, &e), SS_OK);
	assert_int_equal(info.revoked, 3);
	assert_true(info.issued >= (int64_t)now - 61);
}

/* Another CA of the same name (mkcerts.sh names every CA alike). */
static void
test_other_ca(void **state)
{
	(void)state;
	write_crl(g_other, -60, 86400, 1, "w");
	assert_refused("is not signed by the CA");
	/* ... even behind a good one. */
	write_crl(g_dir, -60, 86400, 1, "w");
	write_crl(g_other, -60, 86400, 1, "a");
	assert_refused("is not signed by the CA");
}

static void
test_dates(void **state)
{
	(void)state;
	write_crl(g_dir, -7200, -60, 1, "w");
	assert_refused("has expired");
	write_crl(g_dir, -60, CRLFILE_NO_NEXT_UPDATE, 1, "w");
	assert_refused("nextUpdate");
	write_crl(g_dir, 3600, 86400, 1, "w");
	assert_refused("issued in the future");
}

static void
test_damaged(void **state)
{
	struct crl_info info;
	struct ss_error e;
	uint8_t *buf;
	size_t len;

	(void)state;
	write_file(g_crl, "not a revocation list\n", 22, 0644);
	assert_refused("is not a PEM revocation list or is damaged");
	/* A certificate is no list either. */
	copy_into(g_dir, "ca.crt", g_tmp, "crl.pem", 0644);
	assert_refused("is not a PEM revocation list or is damaged");

	write_crl(g_dir, -60, 86400, 1, "w");
	assert_int_equal(slurp(g_crl, &buf, &len), 0);
	/* Cut in its middle. */
	write_file(g_crl, buf, len / 2, 0644);
	assert_refused("is not a PEM revocation list or is damaged");
	/* A good list, then a cut one. */
	write_file(g_crl, buf, len, 0644);
	write_crl(g_dir, -60, 86400, 1, "a");
	assert_int_equal(truncate(g_crl, (off_t)(len + len / 2)), 0);
	assert_refused("(after 1 good ones)");
	/* One byte of the base64 changed: the signature (or the DER) fails. */
	buf[len / 2] = buf[len / 2] == 'A' ? 'B' : 'A';
	write_file(g_crl, buf, len, 0644);
	assert_int_equal(crl_check(g_tmp, &info, &e), SS_ERR_CERT);
	free(buf);
}

static void
test_no_ca(void **state)
{
	struct crl_info info;
	struct ss_error e;
	char ca[PATH_MAX];

	(void)state;
	write_crl(g_dir, -60, 86400, 1, "w");
	path_of(ca, sizeof(ca), g_tmp, "ca.crt");
	assert_int_equal(unlink(ca), 0);
	assert_int_equal(crl_check(g_tmp, &info, &e), SS_ERR_CERT);
	assert_non_null(strstr(ss_error_msg(&e), "cannot read the CA certificate"));
	assert_non_null(strstr(ss_error_msg(&e), ca));
}

static int
group_setup(void **state)
{
	(void)state;
	if ((g_dir = certs_dir()) == NULL || (g_other = other_certs_dir()) == NULL)
		return -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_ca, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ca, setup, teardown),
	};

	return cmocka_run_group_tests_name("crl", tests, group_setup,
	    certs_teardown);
}
