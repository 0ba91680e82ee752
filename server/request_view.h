/*
 * request_view.h: the two bulk requests, SubmitShares and PostSumpoint, read
 * where they lie in their frame.
 *
 * Their ciphertexts and values are nearly all the bytes of a large upload,
 * and protobuf-c copies every bytes field and packed run it decodes. Read in
 * place, they are pointers into the frame instead, so the store can keep the
 * frame itself as the block of shares or the sumpoint: one copy of a vector
 * between socket and store instead of three.
 *
 * Only the plain encoding that every conforming encoder writes is read here:
 * known fields only, each singular field at most once (a version-2
 * Statement too, and its body and signature), the wire types the schema
 * gives, names of 1-64 ASCII bytes without NUL. Anything else is
 * declined (SS_ERR_PROTOCOL) and left to request_decode (request.h), so a
 * frame means the same thing on either path (fuzz/fuzz_request_view.c and
 * tests/unit/test_server_request.c check that).
 */
#ifndef SS_REQUEST_VIEW_H
#define SS_REQUEST_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "statements.h"
#include "store.h"

struct submit_view {
	uint64_t id;
	uint64_t deadline_unix_ms;
	char session_id[SESSION_ID_BUF];
	char party[NAME_BUF];
	size_t n_shares;
	struct submitted_share *shares;   /* ct points into the frame */
	char (*recipients)[NAME_BUF];     /* shares[i].recipient points here */
	int has_submit;                   /* the SUBMIT statement was given */
	struct statement_in submit;       /* its fields point into the frame */
};

/*
 * Reads frame as a Request with method SUBMIT_SHARES and a SubmitShares
 * body of at most max_shares shares. SS_OK, or SS_ERR_PROTOCOL when the
 * frame is anything else or not plainly encoded, SS_ERR_ALLOC. v holds
 * nothing to free unless SS_OK was returned.
 */
int submit_view_read(struct submit_view *v, const uint8_t *frame, size_t len,
    size_t max_shares) SS_WUR;
void submit_view_free(struct submit_view *v);

struct sumpoint_view {
	uint64_t id;
	uint64_t deadline_unix_ms;
	char session_id[SESSION_ID_BUF];
	char party[NAME_BUF];
	const uint8_t *values;   /* n_values 8-byte little-endian elements, unaligned */
	size_t n_values;
	int has_statement;       /* the SUMPOINT statement was given */
	struct statement_in statement;  /* its fields point into the frame */
};

/*
 * Reads frame as a Request with method POST_SUMPOINT whose values are one
 * packed fixed64 run. SS_OK or SS_ERR_PROTOCOL, as submit_view_read; there
 * is nothing to free.
 */
int sumpoint_view_read(struct sumpoint_view *v, const uint8_t *frame,
    size_t len) SS_WUR;

#endif
