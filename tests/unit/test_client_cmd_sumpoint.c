/*
 * test_client_cmd_sumpoint.c: the check of the shares the server hands a
 * party (client/cmd_sumpoint.c) before it opens and adds them: exactly
 * one from every member of the cohort, each of the session's ciphertext
 * length; a share from outside the cohort, a second from one sender, a
 * missing or a short one is refused, since any would make the sum wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "sealed.h"
#include "status.h"
#include "wire.h"

/* A GetShare answer with one share from each sender of csv. */
static void
shares_from(struct wire_response *gs, const char *csv, size_t clen)
{
	struct wire_names l;
	size_t i;

	memset(gs, 0, sizeof(*gs));
	fx_names(&l, csv);
	assert_non_null(gs->shares = calloc(l.n + 1, sizeof(*gs->shares)));
	for (i = 0; i < l.n; i++) {
		memcpy(gs->shares[i].sender, l.v[i], sizeof(l.v[i]));
		assert_non_null(gs->shares[i].ct = calloc(1, clen));
		gs->shares[i].ct_len = clen;
	}
	gs->nshares = gs->shares_cap = l.n;
	free(l.v);
}

static void
expect(const struct wire_response *st, const struct wire_response *gs,
    int code, const char *want)
{
	const char *senders[8];
	struct ss_error e;

	ss_error_clear(&e);
	assert_int_equal(cmd_sumpoint_check_shares(st, gs, senders, &e), code);
	assert_int_equal(e.code, code);
	if (want != NULL && strstr(e.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, want);
}

static void
test_shares(void **state)
{
	const size_t clen = sealed_len(2);
	const char *senders[8];
	struct wire_response st, gs;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol,dave", 1, 2, PHASE_AGGREGATING);
	fx_set(&st.cohort, "alice,carol,dave");

	shares_from(&gs, "dave,alice,carol", clen);
	assert_int_equal(cmd_sumpoint_check_shares(&st, &gs, senders, &e),
	    SS_OK);
	assert_string_equal(senders[0], "dave");
	assert_string_equal(senders[2], "carol");
	wire_response_free(&gs);

	shares_from(&gs, "alice,carol", clen);
	expect(&st, &gs, SS_ERR_PROTOCOL, "the server sent 2 shares for a "
	    "cohort of 3");
	wire_response_free(&gs);
	/* bob is a party, but not of the cohort. */
	shares_from(&gs, "alice,bob,carol", clen);
	expect(&st, &gs, SS_ERR_PROTOCOL, "a share from outside the cohort");
	wire_response_free(&gs);
	shares_from(&gs, "alice,carol,carol", clen);
	expect(&st, &gs, SS_ERR_PROTOCOL, "two shares from carol");
	wire_response_free(&gs);
	shares_from(&gs, "alice,carol,dave", clen);
	gs.shares[1].ct_len = clen - 1;
	expect(&st, &gs, SS_ERR_PROTOCOL, "the share from carol has");
	wire_response_free(&gs);
	wire_response_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
