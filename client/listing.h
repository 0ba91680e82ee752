/*
 * listing.h: what a reader takes from ListSumpoints (protocol version 2):
 * the cohort C, only when every member of C signed the same COHORT (the
 * consistency round, cohort.h), and the sumpoints signed on that cohort,
 * one per position, each verified against its poster's certificate and
 * its values. These are what reconstruction by agreement (core/agree.h)
 * decides on; a sumpoint that fails a check is left out and named.
 */
#ifndef SS_CLIENT_LISTING_H
#define SS_CLIENT_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "agree.h"
#include "client.h"
#include "cohort.h"
#include "err.h"
#include "peers.h"
#include "statement.h"
#include "wire.h"

struct listing {
	struct cohort co;               /* C, with its submits digest */
	uint8_t cohort_digest[STATEMENT_HASH_LEN];
	struct agree_point *pts;        /* the sumpoints taken ... */
	size_t m;                       /* ... so many */
	unsigned char *ignored;         /* ignored[pos - 1]: listed, not taken */
	size_t nignored;
	struct peers pc;                /* the certificates they were checked with */
};

/*
 * Checks the ListSumpoints answer ls of the session whose status is st,
 * under the pinned D (c->d): its parameters are the pinned ones; its
 * cohort is the status's and obeys the cohort rules; every member of it
 * signed the same COHORT; then every sumpoint listed is taken into l when
 * it is a party's, once, at its own x, of the session's length, inside the
 * field, and carries that party's SUMPOINT for this cohort and these
 * values; any other is ignored (and noted in l->ignored). The points point
 * into ls. SS_ERR_NOT_FOUND when some member's COHORT is missing,
 * SS_ERR_INCONSISTENT when members signed different ones, SS_ERR_PROTOCOL
 * for what no honest server sends.
 */
int listing_check(struct client *c, const struct wire_response *st,
    const struct wire_response *ls, struct listing *l, struct ss_error *e)
    SS_WUR;

void listing_free(struct listing *l);

#endif
