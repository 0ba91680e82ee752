/*
 * test_client_cmd_list.c: `list` (client/cmd_list.c) against a scripted
 * fake server over loopback TLS: the pages asked for from offset 0 on,
 * each where the last one said, gathered in order into c->list_out with
 * what the server said made printable; a page that does not move forward
 * or is empty ends the listing; a refused page is an error, the pages read
 * before it kept.
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

/* One page the server answers: the offset it expects, what it says. */
struct page {
	uint32_t want_offset;
	int code;                      /* Securesum__Code */
	size_t n;                      /* sessions, from sessions[first] */
	size_t first;
	uint32_t next_offset;
};

static const char *const ids[] = { "alice/a", "bob/b\x1b[2J", "alice/c" };
static const char *const creators[] = { "alice", "b\x7fob", "" };

static int
answer_page(const Securesum__Request *q, Securesum__Response *m, size_t turn,
    const void *arg)
{
	static Securesum__ListSessionsResponse b;
	static Securesum__SessionSummary s[3], *sp[3];
	const struct page *pg = (const struct page *)arg + turn;
	size_t i;

	if (q->body_case != SECURESUM__REQUEST__BODY_LIST_SESSIONS ||
	    q->list_sessions->offset != pg->want_offset)
		return 10 + (int)turn;
	m->code = pg->code;
	if (pg->code != SECURESUM__CODE__OK) {
		m->message = "try later";
		return 0;
	}
	securesum__list_sessions_response__init(&b);
	for (i = 0; i < pg->n; i++) {
		securesum__session_summary__init(&s[i]);
		s[i].session_id = (char *)(uintptr_t)ids[pg->first + i];
		s[i].creator = (char *)(uintptr_t)creators[pg->first + i];
		s[i].phase = SECURESUM__PHASE__SHARING + (int)(pg->first + i);
		s[i].created_unix = 1000 + pg->first + i;
		s[i].age_seconds = 7;
		s[i].expires_unix = 5000;
		s[i].parties = 3;
		sp[i] = &s[i];
	}
	b.n_sessions = pg->n;
	b.sessions = sp;
	b.next_offset = pg->next_offset;
	m->body_case = SECURESUM__RESPONSE__BODY_LIST_SESSIONS;
	m->list_sessions = &b;
	return 0;
}

/* cmd_list over the n pages of pages: its result; the listing into l. */
static int
list(const struct page *pages, size_t n, struct client_listed *l,
    struct ss_error *e)
{
	struct answers a = { answer_page, n, pages, NULL };
	struct client c;
	char where[64];
	pid_t pid;
	int r;

	pid = answers_start(&a, &c, where, sizeof(where));
	memset(l, 0, sizeof(*l));
	c.list_out = l;
	ss_error_clear(e);
	r = cmd_list(&c, e);
	assert_int_equal(answers_end(&c, pid), 0);
	return r;
}

/* The k-th session listed is ids[k], from answer_page, made printable. */
static void
listed(const struct client_listed *l, size_t k, const char *id,
    const char *creator)
{
	assert_true(k < l->n);
	assert_string_equal(l->v[k].session_id, id);
	assert_string_equal(l->v[k].creator, creator);
	assert_int_equal(l->v[k].phase, PHASE_SHARING + (int)k);
	assert_true(l->v[k].created_unix == 1000 + k);
	assert_true(l->v[k].age_seconds == 7);
	assert_true(l->v[k].expires_unix == 5000);
	assert_int_equal(l->v[k].parties, 3);
}

static void
test_pages(void **state)
{
	static const struct page pages[] = {
		{ 0, SECURESUM__CODE__OK, 2, 0, 2 },
		{ 2, SECURESUM__CODE__OK, 1, 2, 0 },
	};
	struct client_listed l;
	struct ss_error e;

	(void)state;
	assert_int_equal(list(pages, 2, &l, &e), SS_OK);
	assert_int_equal(l.n, 3);
	listed(&l, 0, "alice/a", "alice");
	listed(&l, 1, "bob/b?[2J", "b?ob");
	listed(&l, 2, "alice/c", "");
	client_listed_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void
test_no_sessions(void **state)
{
	/* An empty page ends the listing, whatever next_offset says. */
	static const struct page pages[] = {
		{ 0, SECURESUM__CODE__OK, 0, 0, 5 },
	};
	struct client_listed l;
	struct ss_error e;

	(void)state;
	assert_int_equal(list(pages, 1, &l, &e), SS_OK);
	assert_int_equal(l.n, 0);
	client_listed_free(&l);
}

static void
test_backwards(void **state)
{
	/* A next page that does not move forward is not asked for. */
	static const struct page pages[] = {
		{ 0, SECURESUM__CODE__OK, 1, 0, 1 },
		{ 1, SECURESUM__CODE__OK, 1, 1, 1 },
	};
	struct client_listed l;
	struct ss_error e;

	(void)state;
	assert_int_equal(list(pages, 2, &l, &e), SS_OK);
	assert_int_equal(l.n, 2);
	listed(&l, 1, "bob/b?[2J", "b?ob");
	client_listed_free(&l);
}

static void
test_refused(void **state)
{
	static const struct page pages[] = {
		{ 0, SECURESUM__CODE__OK, 2, 0, 2 },
		{ 2, SECURESUM__CODE__FAILED_PRECONDITION, 0, 0, 0 },
	};
	struct client_listed l;
	struct ss_error e;

	(void)state;
	fx_expect(list(pages, 2, &l, &e), &e, SS_ERR_PRECONDITION,
	    "ListSessions refused: FAILED_PRECONDITION: try later");
	/* The page read before the refusal is kept. */
	assert_int_equal(l.n, 2);
	listed(&l, 0, "alice/a", "alice");
	client_listed_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_no_sessions),
		cmocka_unit_test(test_backwards),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, certs_teardown);
}
