/*
 * test_client_records.c: a command's use of the party's records
 * (client/records.c) on real folders: --state DIR or the default under
 * XDG_STATE_HOME; what a status says the server holds from us; lost
 * records refused; an input recorded once per D, another refused; an
 * input of another instance of the session id refused unless
 * --reuse-input, naming that instance's invite code.
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

#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "invite.h"
#include "pstate.h"
#include "records.h"
#include "status.h"
#include "tempdir.h"
#include "wire.h"

static const uint8_t d1[32] = { 0xd1 }, d2[32] = { 0xd2 };
static char *dir;

static void
start(struct client *c, const char *party, const char *sub,
    const uint8_t *d)
{
	static char state[8][PATH_MAX];
	static int k;

	memset(c, 0, sizeof(*c));
	c->party = party;
	if (sub != NULL) {
		path_of(state[k % 8], PATH_MAX, dir, sub);
		c->state = state[k++ % 8];
	}
	memcpy(c->d, d, 32);
}

static void
hash_of(int64_t v, uint8_t h[PSTATE_HASH_LEN])
{
	struct ss_error e;

	assert_int_equal(records_input_hash(&v, 1, h, &e), SS_OK);
}

static void
test_open(void **state)
{
	char xdg[PATH_MAX], want[PATH_MAX + 64];
	struct client c;
	struct ss_error e;
	struct stat sb;

	(void)state;
	start(&c, "alice", "alice-state", d1);
	assert_int_equal(records_open(&c, &e), SS_OK);
	assert_string_equal(pstate_path(c.pstate), c.state);
	assert_int_equal(records_open(&c, &e), SS_OK);      /* once */
	client_free(&c);
	/* The default: under XDG_STATE_HOME, in the party's own folder. */
	path_of(xdg, sizeof(xdg), dir, "xdg");
	assert_int_equal(setenv("XDG_STATE_HOME", xdg, 1), 0);
	start(&c, "bob", NULL, d1);
	assert_int_equal(records_open(&c, &e), SS_OK);
	snprintf(want, sizeof(want), "%s/secure-sum/bob", xdg);
	assert_int_equal(stat(want, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	client_free(&c);
	/* Neither variable usable: say --state. */
	assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	assert_int_equal(setenv("HOME", "", 1), 0);
	start(&c, "bob", NULL, d1);
	fx_expect(records_open(&c, &e), &e, SS_ERR_NOT_FOUND, "give --state DIR");
	client_free(&c);
}

static void
test_held_and_lost(void **state)
{
	uint8_t h[PSTATE_HASH_LEN];
	struct wire_response st;
	struct client c;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_AGGREGATING);
	assert_int_equal(records_held(&st, "alice"), 0);
	fx_set(&st.shared, "bob,alice");
	fx_set(&st.signers, "alice");
	fx_set(&st.posted, "carol");
	assert_int_equal(records_held(&st, "alice"),
	    PSTATE_DID_SUBMIT | PSTATE_DID_COHORT);
	assert_int_equal(records_held(&st, "carol"), PSTATE_DID_SUMPOINT);
	/* The server holds alice's SUBMIT and COHORT; her folder nothing. */
	start(&c, "alice", "held", d1);
	fx_expect(records_check(&c, &st, &e), &e, SS_ERR_PRECONDITION,
	    "were lost: the server holds its SUBMIT, COHORT, of which");
	assert_int_equal(records_shared(&c, &e), 0);
	hash_of(5, h);
	assert_int_equal(records_input(&c, "s1", h, &e), SS_OK);
	assert_int_equal(records_shared(&c, &e), 1);
	fx_expect(records_check(&c, &st, &e), &e, SS_ERR_PRECONDITION,
	    "its COHORT");
	fx_set(&st.signers, "");
	assert_int_equal(records_check(&c, &st, &e), SS_OK);
	client_free(&c);
	wire_response_free(&st);
}

static void
test_inputs(void **state)
{
	uint8_t h5[PSTATE_HASH_LEN], h6[PSTATE_HASH_LEN];
	char code[INVITE_CODE_BUF], want[INVITE_CODE_BUF + 128];
	struct client c;
	struct ss_error e;

	(void)state;
	hash_of(5, h5);
	hash_of(6, h6);
	start(&c, "alice", "inputs", d1);
	assert_int_equal(records_reuse_check(&c, "s1", h5, &e), SS_OK);
	assert_int_equal(records_input(&c, "s1", h5, &e), SS_OK);
	/* Again: a retry; another input under the same D: refused. */
	assert_int_equal(records_input(&c, "s1", h5, &e), SS_OK);
	fx_expect(records_input(&c, "s1", h6, &e), &e, SS_ERR_EXISTS,
	    "refusing to share another");
	assert_int_equal(records_reuse_check(&c, "s1", h5, &e), SS_OK);
	client_free(&c);
	/* Another instance of s1 (another D), the same folder. */
	start(&c, "alice", "inputs", d2);
	invite_encode(d1, code);
	snprintf(want, sizeof(want), "another instance of a session named "
	    "s1, in this or another creator's namespace (%s)", code);
	fx_expect(records_reuse_check(&c, "s1", h5, &e), &e, SS_ERR_EXISTS,
	    want);
	assert_non_null(strstr(e.msg, "--reuse-input shares it anyway"));
	assert_int_equal(records_reuse_check(&c, "s1", h6, &e), SS_OK);
	assert_int_equal(records_reuse_check(&c, "s2", h5, &e), SS_OK);
	c.reuse_input = 1;
	assert_int_equal(records_reuse_check(&c, "s1", h5, &e), SS_OK);
	assert_int_equal(records_input(&c, "s1", h5, &e), SS_OK);
	client_free(&c);
}

static int
setup(void **state)
{
	(void)state;
	dir = tempdir();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir_all(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_held_and_lost),
		cmocka_unit_test(test_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
