/*
 * agree.h: reconstruction by agreement (protocol version 2): from the
 * sumpoints signed on one cohort, the sum and how far it can be trusted.
 *
 * With n parties, threshold t and m sumpoints (at most one per position,
 * each a vector of L field elements), the quorum is Q = floor(n/2) + t + 1:
 *
 *   TOO_FEW       m < t + 1: nothing to interpolate yet.
 *   VERIFIED      m >= Q and all m points lie, in every element, on one
 *                 polynomial of degree <= t: any two sets of Q positions
 *                 share at least 2t + 1, so at least t + 1 honest posters,
 *                 and every honest reader that says VERIFIED gets this sum.
 *   UNVERIFIED    t + 1 <= m < Q and all m agree: a sum, which corrupt
 *                 posters may have shown other readers differently.
 *   INCONSISTENT  some point is off the polynomial through the others, in
 *                 some element: no sum. If one polynomial of degree <= t
 *                 (in every element) passes through at least Q of the
 *                 points, it is the only one, and the points off it are
 *                 named (each is "the poster or one of the cohort's
 *                 dealers"); otherwise every point is suspect.
 *
 * Points are never corrected: the sum comes only from points that all
 * agree. Finding the polynomial of Q points is decoding (Gao's algorithm),
 * used here only to name points, never for a sum. docs/PROTOCOL.md
 * sections 11 (the rule) and 21 (the argument).
 */
#ifndef SS_AGREE_H
#define SS_AGREE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum agree_label {
	AGREE_TOO_FEW = 0,
	AGREE_UNVERIFIED = 1,
	AGREE_VERIFIED = 2,
	AGREE_INCONSISTENT = 3,
};

/* What the outcome says of each position, marks[position - 1]. */
enum agree_mark {
	AGREE_ABSENT = 0,       /* no sumpoint from this position */
	AGREE_UNCHECKED = 1,    /* TOO_FEW: nothing to check it against */
	AGREE_ON = 2,           /* agrees: on the polynomial in every element */
	AGREE_OFF = 3,          /* off the one polynomial of at least Q points */
	AGREE_SUSPECT = 4,      /* INCONSISTENT with no such polynomial */
};

struct agree_point {
	uint32_t position;              /* 1..n, its x */
	const uint64_t *values;         /* L field elements, each < p */
};

struct agree_result {
	enum agree_label label;
	uint32_t quorum;                /* Q; may exceed n: then never VERIFIED */
	size_t posted;                  /* m */
	size_t first_bad_element;       /* INCONSISTENT: first element that disagrees */
	int located;                    /* INCONSISTENT: 1 if the points off the
	                                   polynomial of Q points are named (OFF),
	                                   0 if all are SUSPECT */
};

/* floor(n/2) + t + 1. */
uint32_t agree_quorum(uint32_t n, uint32_t t);

/*
 * Decides on the m points pts (any order). sum[0..L) gets the sum (field
 * elements) when the label is VERIFIED or UNVERIFIED and is zeroed
 * otherwise; marks[0..n) gets an enum agree_mark per position; res the
 * rest. SS_ERR_INVALID (with the reason in e) for n outside [2, 65536],
 * t outside [1, n-1], L == 0, m > n, a position outside 1..n or repeated,
 * NULL pointers; SS_ERR_RANGE for a value that is not a field element;
 * SS_ERR_ALLOC. A verdict of INCONSISTENT is SS_OK: it is an answer.
 */
int agree_decide(uint32_t n, uint32_t t, size_t L,
    const struct agree_point *pts, size_t m, uint64_t *sum, uint8_t *marks,
    struct agree_result *res, struct ss_error *e) SS_WUR;

const char *agree_label_name(enum agree_label label);

#endif
