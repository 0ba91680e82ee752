/*
 * test_client_cmd_delete.c: `delete` (client/cmd_delete.c) against a
 * scripted fake server over loopback TLS: the request names the session;
 * the bytes released reach the caller; a bare NAME becomes the CREATOR/NAME
 * the server deleted; --trace records the deletion; NOT_FOUND is an error,
 * except after a lost answer, when it is the deletion asked for.
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
#include "files.h"
#include "tempdir.h"

#include <openssl/sha.h>

/* What the server answers to a DeleteSession of s1, after turns lost. */
struct script {
	int code;                      /* Securesum__Code */
	size_t lost;                   /* requests hung up on first */
};

static int
answer_delete(const Securesum__Request *q, Securesum__Response *m,
    size_t turn, const void *arg)
{
	static Securesum__DeleteSessionResponse b;
	const struct script *s = arg;

	if (q->body_case != SECURESUM__REQUEST__BODY_DELETE_SESSION ||
	    strcmp(q->delete_session->session_id, "s1") != 0)
		return 10;
	if (turn < s->lost)
		return ANSWER_HANG_UP;
	m->code = s->code;
	if (s->code == SECURESUM__CODE__OK) {
		securesum__delete_session_response__init(&b);
		b.released_bytes = 4321;
		b.session_id = "alice/s1";
		m->body_case = SECURESUM__RESPONSE__BODY_DELETE_SESSION;
		m->delete_session = &b;
	} else
		m->message = "no such session";
	return 0;
}

/*
 * cmd_delete of c->session "s1" under script s, c->trace trace: its
 * result, what was released into *out. c is freed.
 */
static int
delete_s1(const struct script *s, struct client *c, const char *trace,
    struct client_deleted *out, struct ss_error *e)
{
	struct answers a = { answer_delete, s->lost + 1, s, NULL };
	char where[64];
	pid_t pid;
	int r;

	pid = answers_start(&a, c, where, sizeof(where));
	c->trace = trace;
	snprintf(c->session, sizeof(c->session), "s1");
	memset(out, 0, sizeof(*out));
	out->released_bytes = 1;
	c->deleted_out = out;
	ss_error_clear(e);
	r = cmd_delete(c, c->session, e);
	assert_int_equal(answers_end(c, pid), 0);
	return r;
}

/* The trace line of the deletion of session, as alice. */
static void
trace_line(char *out, size_t len, const char *session)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	size_t i, n;

	SHA256((const unsigned char *)session, strlen(session), md);
	n = (size_t)snprintf(out, len, "OK DeleteSession %s alice ", session);
	for (i = 0; i < sizeof(md); i++)
		n += (size_t)snprintf(out + n, len - n, "%02x", md[i]);
	snprintf(out + n, len - n, "\n");
}

static void
test_deleted(void **state)
{
	static const struct script s = { SECURESUM__CODE__OK, 0 };
	struct client c;
	struct client_deleted out;
	struct ss_error e;
	char *dir = tempdir(), trace[512], want[256];
	uint8_t *buf;
	size_t len;

	(void)state;
	path_of(trace, sizeof(trace), dir, "trace");
	assert_int_equal(delete_s1(&s, &c, trace, &out, &e), SS_OK);
	assert_int_equal(out.known, 1);
	assert_true(out.released_bytes == 4321);
	/* The bare name we typed now names what the server deleted... */
	assert_string_equal(c.session, "alice/s1");
	/* ... and is what --trace records. */
	assert_int_equal(slurp(trace, &buf, &len), 0);
	trace_line(want, sizeof(want), "alice/s1");
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	free(buf);
	rmdir_all(dir);
}

static void
test_not_found(void **state)
{
	static const struct script s = { SECURESUM__CODE__NOT_FOUND, 0 };
	struct client c;
	struct client_deleted out;
	struct ss_error e;

	(void)state;
	fx_expect(delete_s1(&s, &c, NULL, &out, &e), &e, SS_ERR_NOT_FOUND,
	    "session s1 does not exist");
	assert_true(out.released_bytes == 1);  /* untouched */
	assert_string_equal(c.session, "s1");
}

static void
test_lost_answer(void **state)
{
	static const struct script s = { SECURESUM__CODE__NOT_FOUND, 1 };
	struct client c;
	struct client_deleted out;
	struct ss_error e;

	(void)state;
	/* The resent request finds it gone: the first one deleted it. */
	assert_int_equal(delete_s1(&s, &c, NULL, &out, &e), SS_OK);
	assert_int_equal(out.known, 0);
	assert_true(out.released_bytes == 0);
}

static void
test_refused(void **state)
{
	static const struct script s = {
		SECURESUM__CODE__PERMISSION_DENIED, 0,
	};
	struct client c;
	struct client_deleted out;
	struct ss_error e;

	(void)state;
	fx_expect(delete_s1(&s, &c, NULL, &out, &e), &e, SS_ERR_DENIED,
	    "permission denied in session s1: no such session (check "
	    "--party alice");
	assert_true(out.released_bytes == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_lost_answer),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
