/*
 * signed_cohort.h: the signed cohort of a version-2 session on the wire:
 * PostCohort (a member's COHORT statement, once the cohort is fixed),
 * GetCohort (the cohort the server fixed, and every member's COHORT
 * statement on it), and the same list of signatures in ListSumpoints. The
 * rules are the store's (store_post_cohort) and statements.h's.
 */
#ifndef SS_SIGNED_COHORT_H
#define SS_SIGNED_COHORT_H

#include <stddef.h>

#include "rpc_call.h"
#include "session.h"

/* The methods' handlers (rpc.c's table): SS_OK, or c->err's code. */
int signed_cohort_post(struct call *c) SS_WUR;
int signed_cohort_get(struct call *c) SS_WUR;

/*
 * Every member's COHORT statement in se, in position order, as SignedCohort
 * messages in c's scratch memory: *list, *n of them. SS_OK or c->err's
 * code (out of memory).
 */
int signed_cohort_list(struct call *c, const struct session *se,
    Securesum__SignedCohort ***list, size_t *n) SS_WUR;

#endif
