/*
 * test_server_statelock.c: the state folder's lock. A first take creates
 * the folder and writes our pid; a second take (another open file
 * description, as another server would have) is refused naming that pid,
 * however the file's contents were left; closing the holder's descriptor
 * lets the next one in; a folder that cannot be made is an I/O error.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "statelock.h"
#include "tempdir.h"

static void
read_text(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	assert_int_equal(fclose(f), 0);
}

static void
test_second_take_is_refused_naming_the_holder(void **state)
{
	char *dir = tempdir();
	char sub[512], lock[600], text[32], want[64];
	struct ss_error e;
	int fd, fd2;

	(void)state;
	path_of(sub, sizeof(sub), dir, "state");
	assert_int_equal(statelock_take(sub, &fd, &e), SS_OK);
	assert_true(fd >= 0);
	assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	path_of(lock, sizeof(lock), sub, "lock");
	read_text(lock, text, sizeof(text));
	(void)snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(text, want);

	assert_int_equal(statelock_take(sub, &fd2, &e), SS_ERR_EXISTS);
	assert_int_equal(fd2, -1);
	(void)snprintf(want, sizeof(want), "(pid %ld,", (long)getpid());
	assert_non_null(strstr(ss_error_msg(&e), want));

	/* Closing the holder's descriptor is what releases the lock. */
	assert_int_equal(close(fd), 0);
	assert_int_equal(statelock_take(sub, &fd2, &e), SS_OK);
	assert_int_equal(close(fd2), 0);
	rmdir_all(dir);
}

static void
test_unreadable_pid_is_named_unknown(void **state)
{
	char *dir = tempdir();
	struct ss_error e;
	int fd, fd2;

	(void)state;
	assert_int_equal(statelock_take(dir, &fd, &e), SS_OK);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(statelock_take(dir, &fd2, &e), SS_ERR_EXISTS);
	assert_non_null(strstr(ss_error_msg(&e), "(pid unknown,"));
	assert_int_equal(pwrite(fd, "x9\n", 3, 0), 3);
	assert_int_equal(statelock_take(dir, &fd2, &e), SS_ERR_EXISTS);
	assert_non_null(strstr(ss_error_msg(&e), "(pid unknown,"));
	assert_int_equal(close(fd), 0);
	rmdir_all(dir);
}

static void
test_folder_that_cannot_be_made(void **state)
{
	struct ss_error e;
	int fd;

	(void)state;
	assert_int_equal(statelock_take("/proc/self/no/such", &fd, &e), SS_ERR_IO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(ss_error_msg(&e), "cannot create state directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_take_is_refused_naming_the_holder),
		cmocka_unit_test(test_unreadable_pid_is_named_unknown),
		cmocka_unit_test(test_folder_that_cannot_be_made),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
