/*
 * client_fixture.h: what the client's unit tests build by hand: lists of
 * names and the server's answers about a session, laid out as the decoder
 * (client/wire.c) leaves them, so that wire_response_free releases them.
 */
#ifndef SS_TEST_CLIENT_FIXTURE_H
#define SS_TEST_CLIENT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "status.h"
#include "wire.h"

/* A call returned got and set e: both must be code, e's message hold want. */
static inline void
fx_expect(int got, const struct ss_error *e, int code, const char *want)
{
	assert_int_equal(got, code);
	assert_int_equal(e->code, code);
	if (strstr(e->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", e->msg, want);
}

/* Fills l with the comma-separated names of csv ("" for none). */
static inline void
fx_names(struct wire_names *l, const char *csv)
{
	const char *p = csv, *comma;
	size_t n = 0;

	memset(l, 0, sizeof(*l));
	if (*csv == '\0')
		return;
	l->cap = 1;
	for (comma = csv; (comma = strchr(comma, ',')) != NULL; comma++)
		l->cap++;
	if ((l->v = calloc(l->cap, sizeof(*l->v))) == NULL)
		abort();
	while (n < l->cap) {
		comma = strchr(p, ',');
		snprintf(l->v[n++], sizeof(*l->v), "%.*s", comma != NULL ?
		    (int)(comma - p) : (int)strlen(p), p);
		p = comma != NULL ? comma + 1 : p;
	}
	l->n = n;
}

/*
 * An OK answer about session, of the parties in csv with threshold t and
 * length L, in phase; its other lists empty.
 */
static inline void
fx_status(struct wire_response *st, const char *session, const char *parties,
    unsigned t, unsigned L, int phase)
{
	memset(st, 0, sizeof(*st));
	st->code = ST_OK;
	st->has_body = 1;
	st->has_params = 1;
	snprintf(st->params.session_id, sizeof(st->params.session_id), "%s",
	    session);
	fx_names(&st->params.parties, parties);
	st->params.threshold = t;
	st->params.length = L;
	st->phase = phase;
}

/* Replaces the list l of st with the names of csv. */
static inline void
fx_set(struct wire_names *l, const char *csv)
{
	free(l->v);
	fx_names(l, csv);
}

#endif
