/*
 * test_client_cmd_status.c: what `status` (client/cmd_status.c) hands its
 * caller (c->status_out) for the server's answer about a session, against
 * a scripted fake server over loopback TLS that publishes no keys: the
 * session and answer passed through, no D for a version-1 session, the
 * parties whose keys are nowhere to be found (one GetKeys asked for
 * them), a refused GetKeys or a failing caller an error; and a conflict
 * whose statement cannot be read named "?".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "answers.h"
#include "certs.h"
#include "client.h"
#include "client_fixture.h"
#include "err.h"
#include "status.h"
#include "wire.h"

/*
 * Answers GetKeys for carol with code *arg, and no key: alice's and bob's
 * are in the folder mkcerts.sh made, carol's nowhere.
 */
static int
answer_keys(const Securesum__Request *q, Securesum__Response *m, size_t turn,
    const void *arg)
{
	static Securesum__GetKeysResponse b;

	(void)turn;
	if (q->body_case != SECURESUM__REQUEST__BODY_GET_KEYS ||
	    q->get_keys->n_parties != 1 ||
	    strcmp(q->get_keys->parties[0], "carol") != 0)
		return 10;
	m->code = *(const int *)arg;
	if (m->code != SECURESUM__CODE__OK) {
		m->message = "busy";
		return 0;
	}
	securesum__get_keys_response__init(&b);
	m->body_case = SECURESUM__RESPONSE__BODY_GET_KEYS;
	m->get_keys = &b;
	return 0;
}

/* What cmd_status handed c->status_out. */
struct seen {
	int calls, fail;
	const char *session;
	const struct wire_response *st;
	int have_d, have_proven;
	char missing[64];
};

static int
status_out(void *arg, const char *session, const struct wire_response *st,
    const struct status_view *v, struct ss_error *e)
{
	struct seen *s = arg;

	s->calls++;
	s->session = session;
	s->st = st;
	s->have_d = v->d != NULL;
	s->have_proven = v->proven != NULL;
	out_join_strs(s->missing, sizeof(s->missing), v->keys_missing,
	    v->nkeys_missing, ",");
	if (s->fail)
		return ss_error_set(e, SS_ERR_IO, "cannot print");
	return SS_OK;
}

/*
 * cmd_status of a version-1 session s1 of alice, bob and carol, the server
 * answering GetKeys with code; its result, what status_out saw into s.
 */
static int
status(int code, struct seen *s, struct wire_response *st, struct ss_error *e)
{
	struct answers a = { answer_keys, 1, &code, NULL };
	struct client c;
	char where[64];
	pid_t pid;
	int r, fail = s->fail;

	memset(s, 0, sizeof(*s));
	s->fail = fail;
	fx_status(st, "s1", "alice,bob,carol", 1, 1, PHASE_SHARING);
	pid = answers_start(&a, &c, where, sizeof(where));
	c.status_out = status_out;
	c.status_arg = s;
	ss_error_clear(e);
	r = cmd_status(&c, "s1", st, e);
	assert_int_equal(answers_end(&c, pid), 0);
	return r;
}

static void
test_keys_missing(void **state)
{
	struct wire_response st;
	struct seen s = { 0 };
	struct ss_error e;

	(void)state;
	assert_int_equal(status(SECURESUM__CODE__OK, &s, &st, &e), SS_OK);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.session, "s1");
	assert_ptr_equal(s.st, &st);
	/* Version 1: no nonce, so no D, and no conflicts checked. */
	assert_int_equal(s.have_d, 0);
	assert_int_equal(s.have_proven, 0);
	assert_string_equal(s.missing, "carol");
	wire_response_free(&st);
}

static void
test_keys_refused(void **state)
{
	struct wire_response st;
	struct seen s = { 0 };
	struct ss_error e;

	(void)state;
	fx_expect(status(SECURESUM__CODE__PERMISSION_DENIED, &s, &st, &e), &e,
	    SS_ERR_DENIED, "GetKeys refused: PERMISSION_DENIED: busy");
	assert_int_equal(s.calls, 0);
	wire_response_free(&st);
}

static void
test_caller_fails(void **state)
{
	struct wire_response st;
	struct seen s = { .fail = 1 };
	struct ss_error e;

	(void)state;
	fx_expect(status(SECURESUM__CODE__OK, &s, &st, &e), &e, SS_ERR_IO,
	    "cannot print");
	assert_int_equal(s.calls, 1);
	wire_response_free(&st);
}

static void
test_conflict_type_unreadable(void **state)
{
	static uint8_t junk[] = { 0xff, 0x00, 0x01 };
	struct wire_conflict cf;

	(void)state;
	memset(&cf, 0, sizeof(cf));
	cf.first.body = junk;
	cf.first.body_len = sizeof(junk);
	assert_string_equal(cmd_status_conflict_type(&cf), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_missing),
		cmocka_unit_test(test_keys_refused),
		cmocka_unit_test(test_caller_fails),
		cmocka_unit_test(test_conflict_type_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
