/*
 * trace.h: the --trace file, an audit of what the server acknowledged: one
 * line "OK METHOD SESSION PARTY SHA256" for every CreateSession,
 * SubmitShares, PostCohort and PostSumpoint answered OK, which the crash
 * test compares with what the server holds after every restart. The hash
 * is the session digest D for a CreateSession (itself a SHA-256 of every
 * parameter), over the ciphertexts of a SubmitShares as sent (in party
 * order), over the body of the COHORT statement a PostCohort posted, and
 * over the values of a PostSumpoint as 8-byte little-endian words, the
 * byte order of everything the project writes in its own formats.
 */
#ifndef SS_CLIENT_TRACE_H
#define SS_CLIENT_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "digest.h"
#include "err.h"
#include "wire.h"

#define TRACE_HASH_LEN DIGEST_LEN   /* SHA-256 */

/*
 * The hash of what req, a SubmitShares, PostCohort or PostSumpoint, asked
 * the server to keep; SS_ERR_INVALID for any other method.
 */
int trace_hash(const struct wire_request *req, uint8_t md[TRACE_HASH_LEN])
    SS_WUR;

/*
 * Appends the line for md to the file at path (created 0666 less the
 * umask), in one write, so that clients sharing one file never mix their
 * lines.
 */
int trace_append(const char *path, const char *method, const char *session,
    const char *party, const uint8_t md[TRACE_HASH_LEN]) SS_WUR;

/*
 * Whether c's trace file, if it has one, can be opened for appending
 * (created if need be): checked before a command changes anything.
 */
int trace_check(const struct client *c, struct ss_error *e) SS_WUR;

/*
 * The line of a change of method to session, hash md, acknowledged by the
 * server, when c has a trace file. A line that cannot be written is an
 * error naming the file (the server made the change all the same).
 */
int trace_change(const struct client *c, const char *method,
    const char *session, const uint8_t md[TRACE_HASH_LEN],
    struct ss_error *e) SS_WUR;

/* trace_change for req (trace_hash), which the server acknowledged. */
int trace_request(const struct client *c, const struct wire_request *req,
    struct ss_error *e) SS_WUR;

#endif
