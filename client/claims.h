/*
 * claims.h: what the server claims about a session, checked before the
 * client acts on it: the parameters (sizes, threshold, parties), and the
 * lists of a status (cohort, who shared, posted, is missing), which must
 * name parties of the session, each once.
 */
#ifndef SS_CLIENT_CLAIMS_H
#define SS_CLIENT_CLAIMS_H

#include <stddef.h>

#include "err.h"
#include "wire.h"

/* 1 if a session of n parties and vectors of L elements fits our frames. */
int claims_fit(size_t n, size_t L);

/* The position of name in l, or -1. */
int claims_index(const struct wire_names *l, const char *name);

/* 1 if every name of l is a party of `parties`, and none is there twice. */
int claims_names_ok(const struct wire_names *l,
    const struct wire_names *parties);

/*
 * Checks the parameters and the cohort of r, an answer about session:
 * present, about that session, possible numbers within our frames, valid
 * and distinct party names, a cohort of parties, and `self` among them.
 * SS_ERR_PROTOCOL, SS_ERR_TOO_LARGE or SS_ERR_INVALID (not a party).
 */
int claims_check(const struct wire_response *r, const char *session,
    const char *self, struct ss_error *e) SS_WUR;

/*
 * Checks the rest of a GetStatus answer whose parameters passed
 * claims_check: its lists name parties of the session, and its phase is
 * one we know.
 */
int claims_check_status(const struct wire_response *st, const char *session,
    struct ss_error *e) SS_WUR;

#endif
