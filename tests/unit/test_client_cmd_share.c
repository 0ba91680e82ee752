/*
 * test_client_cmd_share.c: `share` (client/cmd_share.c): when a party may
 * share; the layout of a submission; and its sealing: every party's
 * ciphertext opens, with that party's key only, to a Shamir share of our
 * input, any t+1 of which give the input back and t of which do not
 * determine it, all bound to the session digest D.
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
#include "field.h"
#include "hpke.h"
#include "sealed.h"
#include "shamir.h"
#include "status.h"
#include "wire.h"

#define N 4
#define T 2
#define L 3

static void
test_check(void **state)
{
	struct wire_response st;
	struct ss_error e;

	(void)state;
	fx_status(&st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	assert_int_equal(cmd_share_check(&st, "alice", "s1", &e), SS_OK);
	fx_set(&st.shared, "bob,alice");
	fx_expect(cmd_share_check(&st, "alice", "s1", &e), &e, SS_ERR_EXISTS,
	    "alice already shared an input in session s1; a party shares once");
	assert_int_equal(cmd_share_check(&st, "carol", "s1", &e), SS_OK);
	st.phase = PHASE_AGGREGATING;
	fx_set(&st.cohort, "alice,bob");
	fx_expect(cmd_share_check(&st, "carol", "s1", &e), &e,
	    SS_ERR_PRECONDITION, "session s1 no longer takes shares: its cohort is fixed "
	    "(alice,bob)");
	st.phase = PHASE_FAILED;
	fx_expect(cmd_share_check(&st, "carol", "s1", &e), &e,
	    SS_ERR_PRECONDITION, "session s1 failed");
	wire_response_free(&st);
}

static void
test_alloc(void **state)
{
	struct wire_names parties;
	struct submission sub;
	struct ss_error e;
	size_t i;

	(void)state;
	fx_names(&parties, "alice,bob,carol");
	assert_int_equal(cmd_share_alloc(&sub, &parties, 5, &e), SS_OK);
	assert_int_equal(sub.n, 3);
	assert_int_equal(sub.clen, sealed_len(5));
	for (i = 0; i < 3; i++) {
		/* Our own copy of the name, and one slice of the buffer. */
		assert_string_equal(sub.ws[i].recipient, parties.v[i]);
		assert_ptr_not_equal(sub.ws[i].recipient, parties.v[i]);
		assert_ptr_equal(sub.ws[i].ct, sub.cts + i * sub.clen);
		assert_int_equal(sub.ws[i].ct_len, sub.clen);
	}
	cmd_share_free(&sub);
	assert_null(sub.cts);
	cmd_share_free(&sub);          /* twice is harmless */
	fx_expect(cmd_share_alloc(&sub, &parties, SIZE_MAX / 4, &e), &e,
	    SS_ERR_TOO_LARGE, "too large");
	free(parties.v);
}

/* The N parties' keys; party 0, alice, is us. */
static uint8_t sk[N][HPKE_KEY_LEN], pk[N][HPKE_KEY_LEN];
/* Two session digests D: the session's, and another instance's. */
static const uint8_t d1[32] = { 0xd1 }, d2[32] = { 0xd2 };

static void
test_seal_shares(void **state)
{
	static const int64_t input[L] = { -7, 0, 123456789 };
	struct wire_names parties;
	struct submission sub;
	struct hpke_key *mine, *theirs;
	struct ss_error e;
	uint64_t secrets[L], got[N][L], out[L], xs[T + 1];
	const uint64_t *ys[T + 1];
	size_t i, k;

	(void)state;
	for (k = 0; k < L; k++)
		assert_int_equal(field_from_int64(input[k], &secrets[k]), SS_OK);
	fx_names(&parties, "alice,bob,carol,dave");
	assert_int_equal(hpke_key_new(sk[0], &mine), SS_OK);
	assert_int_equal(cmd_share_alloc(&sub, &parties, L, &e), SS_OK);
	assert_int_equal(cmd_share_seal_shares(&sub, d1, "alice", mine,
	    (const uint8_t (*)[HPKE_KEY_LEN])pk, secrets, L, T, &e), SS_OK);
	for (i = 0; i < N; i++) {
		/* Only the recipient opens its ciphertext, and only from us. */
		assert_int_equal(hpke_key_new(sk[i], &theirs), SS_OK);
		assert_int_equal(sealed_open_k(d1, "alice", parties.v[i], L,
		    theirs, pk[0], sub.ws[i].ct, sub.clen, got[i]), SS_OK);
		assert_int_equal(sealed_open_k(d2, "alice", parties.v[i], L,
		    theirs, pk[0], sub.ws[i].ct, sub.clen, out), SS_ERR_AUTH);
		assert_int_equal(sealed_open_k(d1, "alice", parties.v[i], L,
		    theirs, pk[1 + i % (N - 1)], sub.ws[i].ct, sub.clen, out),
		    SS_ERR_AUTH);
		hpke_key_free(theirs);
	}
	/* Any t + 1 shares give the input back. */
	for (i = 0; i + T < N; i++) {
		for (k = 0; k <= T; k++) {
			xs[k] = i + k + 1;
			ys[k] = got[i + k];
		}
		assert_int_equal(shamir_combine(xs, ys, T + 1, T, L, out, NULL),
		    SS_OK);
		assert_memory_equal(out, secrets, sizeof(out));
	}
	/* A share is no input in the clear. */
	for (i = 0; i < N; i++)
		assert_memory_not_equal(got[i], secrets, sizeof(secrets));
	cmd_share_free(&sub);
	hpke_key_free(mine);
	free(parties.v);
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N; i++)
		if (hpke_keygen(sk[i], pk[i]) != SS_OK)
			return -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_seal_shares),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
