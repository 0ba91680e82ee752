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
#include "err.h"

#define TRACE_HASH_LEN 32   /* SHA-256 */

int trace_hash_shares(const uint8_t *cts, size_t len,
    uint8_t md[TRACE_HASH_LEN]) SS_WUR;
int trace_hash_sumpoint(const uint64_t *values, size_t L,
    uint8_t md[TRACE_HASH_LEN]) SS_WUR;

/*
 * Appends the line for md to the file at path (created 0666 less the
 * umask), in one write, so that clients sharing one file never mix their
 * lines.
 */
int trace_append(const char *path, const char *method, const char *session,
    const char *party, const uint8_t md[TRACE_HASH_LEN]) SS_WUR;

/*
 * The lines of c's commands, when it has a trace file: a failure to write
 * one is noted on the terminal, and does not fail the command, whose
 * change the server has made.
 */
void trace_shares(struct client *c, const char *session, const uint8_t *cts,
    size_t len);
void trace_sumpoint(struct client *c, const char *session,
    const uint64_t *values, size_t L);

#endif
