/*
 * trace.h: the --trace file, an audit of what the server acknowledged: one
 * line "OK METHOD SESSION PARTY SHA256" for every SubmitShares and
 * PostSumpoint answered OK, which the crash test compares with what the
 * server holds after every restart. The hash is over the ciphertexts of a
 * SubmitShares as sent (in party order), and over the values of a
 * PostSumpoint as 8-byte little-endian words, the byte order of everything
 * the project writes in its own formats.
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
 * The hash of what req, a SubmitShares or a PostSumpoint, asked the server
 * to keep; SS_ERR_INVALID for any other method.
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
 * The line of req, which the server acknowledged, when c has a trace file:
 * a failure to write it is noted on the terminal, and does not fail the
 * command, whose change the server has made.
 */
void trace_request(struct client *c, const struct wire_request *req);

#endif
