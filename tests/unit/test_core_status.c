/* test_core_status.c: wire status names, the SS_ERR mapping, ss_error, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "name.h"
#include "status.h"

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(status_name(ST_OK), "OK");
	assert_string_equal(status_name(ST_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(status_name(ST_UNAUTHENTICATED), "UNAUTHENTICATED");
	assert_string_equal(status_name(12), "UNIMPLEMENTED");
	assert_string_equal(status_name(17), "UNKNOWN_CODE");
	assert_string_equal(status_name(-1), "UNKNOWN_CODE");
	assert_string_equal(phase_name(PHASE_AGGREGATING), "AGGREGATING");
	assert_string_equal(phase_name(99), "UNSPECIFIED");
}

static void
test_mapping(void **state)
{
	static const int answers[] = {
		ST_OK, ST_INVALID_ARGUMENT, ST_DEADLINE_EXCEEDED, ST_NOT_FOUND,
		ST_ALREADY_EXISTS, ST_PERMISSION_DENIED, ST_RESOURCE_EXHAUSTED,
		ST_FAILED_PRECONDITION, ST_INTERNAL, ST_UNAVAILABLE,
		ST_UNAUTHENTICATED,
	};
	size_t i;

	(void)state;
	/* Every status the server sends comes back as itself. */
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		assert_int_equal(status_from_err(status_to_err(answers[i])),
		    answers[i]);
	assert_int_equal(status_from_err(SS_ERR_TOO_LARGE), ST_INVALID_ARGUMENT);
	assert_int_equal(status_from_err(SS_ERR_PROTOCOL), ST_INVALID_ARGUMENT);
	assert_int_equal(status_from_err(SS_ERR_IO), ST_INTERNAL);
	assert_int_equal(status_from_err(SS_ERR_ALLOC), ST_INTERNAL);
	assert_int_equal(status_to_err(2), SS_ERR_PROTOCOL);   /* UNKNOWN */
	assert_int_equal(status_to_err(1000), SS_ERR_PROTOCOL);
}

static void
test_error(void **state)
{
	struct ss_error e;
	char big[2 * SS_ERROR_MSG_MAX];

	(void)state;
	ss_error_clear(&e);
	assert_int_equal(e.code, SS_OK);
	assert_string_equal(ss_error_msg(&e), "success");
	assert_int_equal(ss_error_set(&e, SS_ERR_IO, "cannot read %s", "x.bin"),
	    SS_ERR_IO);
	assert_string_equal(e.msg, "cannot read x.bin");
	assert_int_equal(ss_error_prefix(&e, "snapshot %d", 3), SS_ERR_IO);
	assert_string_equal(e.msg, "snapshot 3: cannot read x.bin");
	/* A code without a message gets its code's string as the message. */
	ss_error_clear(&e);
	e.code = SS_ERR_CHECKSUM;
	(void)ss_error_prefix(&e, "journal");
	assert_string_equal(e.msg, "journal: checksum mismatch");
	/* Long messages are cut, never overflowed. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)ss_error_set(&e, SS_ERR_INVALID, "%s", big);
	assert_int_equal(strlen(e.msg), SS_ERROR_MSG_MAX - 1);
	(void)ss_error_prefix(&e, "%s", big);
	assert_int_equal(strlen(e.msg), SS_ERROR_MSG_MAX - 1);
	/* NULL is allowed, and only the code comes back. */
	assert_int_equal(ss_error_set(NULL, SS_ERR_DENIED, "x"), SS_ERR_DENIED);
	assert_string_equal(ss_strerror(SS_ERR_EXHAUSTED), "a limit is reached");
}

/* A long message is cut to what a Response carries, never mid-character. */
static void
test_message_fit(void **state)
{
	char msg[STATUS_MESSAGE_MAX + 16];

	(void)state;
	memset(msg, 'a', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	status_message_fit(msg);
	assert_int_equal(strlen(msg), STATUS_MESSAGE_MAX);
	/* A two-byte character across the cut is dropped whole. */
	memset(msg, 'a', sizeof(msg) - 1);
	msg[STATUS_MESSAGE_MAX - 1] = (char)0xc3;
	msg[STATUS_MESSAGE_MAX] = (char)0xa9;
	status_message_fit(msg);
	assert_int_equal(strlen(msg), STATUS_MESSAGE_MAX - 1);
	strcpy(msg, "short");
	status_message_fit(msg);
	assert_string_equal(msg, "short");
}

static void
test_name_rule(void **state)
{
	char longest[NAME_MAX_LEN + 2];

	(void)state;
	assert_true(name_valid("alice"));
	assert_true(name_valid("a.b_c-9"));
	assert_false(name_valid(""));
	assert_false(name_valid(NULL));
	assert_false(name_valid(".."));
	assert_false(name_valid("-x"));
	assert_false(name_valid("a/b"));
	assert_false(name_valid("caf\xc3\xa9"));
	memset(longest, 'a', NAME_MAX_LEN);
	longest[NAME_MAX_LEN] = '\0';
	assert_true(name_valid(longest));
	longest[NAME_MAX_LEN] = 'a';
	longest[NAME_MAX_LEN + 1] = '\0';
	assert_false(name_valid(longest));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_message_fit),
		cmocka_unit_test(test_name_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
