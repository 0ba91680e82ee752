/*
 * session.h: one session as the server holds it: its parameters, phase,
 * sealed shares and sumpoints, and the questions the store and its readers
 * ask of it. The rules that change a session are the store's (store.h).
 */
#ifndef SS_SESSION_H
#define SS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "name.h"
#include "status.h"

struct session_params {
	char id[NAME_BUF];
	uint32_t n;
	char (*parties)[NAME_BUF];   /* n names, in x order */
	uint32_t threshold;
	uint32_t length;
	uint32_t decimals;
	uint32_t deadline_seconds;
};

struct session {
	struct session_params p;
	uint32_t *by_name;      /* indices of p.parties sorted by name */
	uint64_t created_unix;
	uint64_t deadline_unix; /* 0: none */
	enum phase phase;
	char fail_reason[160];
	size_t ct_len;          /* bytes of one sealed share */
	uint8_t **shares;       /* [sender]: n * ct_len bytes in recipient order, or NULL */
	uint8_t *in_cohort;     /* [party]: 1 once the cohort is fixed */
	uint64_t **sumpoints;   /* [party]: length values, or NULL */
};

/* Allocates a session with copies of p, empty state. NULL on failure. */
struct session *session_new(const struct session_params *p) SS_WUR;
void session_free(struct session *se);
/* Bytes of state the session holds (shares, sumpoints). */
uint64_t session_bytes(const struct session *se);

/* A name listed twice in the session's parties, or NULL. */
const char *session_repeated_party(const struct session *se);
/* Index of name in the session's party list, or -1. */
long session_party_index(const struct session *se, const char *name);
/* How many parties have submitted their shares. */
size_t session_count_shared(const struct session *se);

#endif
