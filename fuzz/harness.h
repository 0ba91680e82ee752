/*
 * harness.h: the entry points that the libFuzzer targets in fuzz/ and the
 * crash-regression test (tests/unit/test_fuzz_regressions.c) share, so that a
 * saved input is replayed through exactly the code that found it.
 *
 * Each entry point takes untrusted bytes, drives one parser of secure-sum
 * with them, and checks invariants that must hold whatever the bytes were
 * (a response is one well-formed frame, the store's byte count matches
 * what it holds, a loaded snapshot writes back to the same bytes...). A
 * broken invariant prints a line starting "fuzz invariant:" and aborts, so
 * libFuzzer saves the input like any other crash.
 */
#ifndef SS_FUZZ_HARNESS_H
#define SS_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* One frame body handed to rpc_handle() against a fresh store. */
int fuzz_rpc_frame(const uint8_t *data, size_t len);
/* A sequence of records (see harness.c) run against one store. */
int fuzz_rpc_seq(const uint8_t *data, size_t len);
/* rpc_seq with the journal on, then replayed and compared with the live store. */
int fuzz_rpc_replay(const uint8_t *data, size_t len);
/* A flags byte, then the journal files in DIR for journal_open() to replay. */
int fuzz_journal(const uint8_t *data, size_t len);
/* A method byte, then a Response body for client/wire.c to decode. */
int fuzz_client_wire(const uint8_t *data, size_t len);
/* The bytes as DIR/snapshot.bin, checksum and all. */
int fuzz_snapshot_raw(const uint8_t *data, size_t len);
/* The bytes plus a correct SHA-256 trailer as DIR/snapshot.bin. */
int fuzz_snapshot(const uint8_t *data, size_t len);
/* hpke_open_auth_k() with fixed keys; info and aad taken from the input. */
int fuzz_hpke_open(const uint8_t *data, size_t len);
/* sealed_open() with fixed keys and names. */
int fuzz_sealed_open(const uint8_t *data, size_t len);
/* A frame body for the in-place readers, checked against protobuf-c. */
int fuzz_request_view(const uint8_t *data, size_t len);
/* A version-2 statement body for statement_parse(), round-tripped. */
int fuzz_statement(const uint8_t *data, size_t len);
/* Certificate DER for spki.c, checked against OpenSSL's d2i_X509. */
int fuzz_spki(const uint8_t *data, size_t len);
/* An invite code for invite_decode(), checked against invite.h's rules. */
int fuzz_invite(const uint8_t *data, size_t len);
/* Files of a party's state folder, opened and read through pstate.h. */
int fuzz_pstate(const uint8_t *data, size_t len);

struct fuzz_target {
	const char *name;
	int (*run)(const uint8_t *data, size_t len);
};

/* Every target above, by the name its corpus folder has; NULL-terminated. */
extern const struct fuzz_target fuzz_targets[];
const struct fuzz_target *fuzz_target_find(const char *name);

/*
 * The fixed X25519 key pairs of the HPKE targets (party 0 "alice" sends,
 * party 1 "bob" receives); the seed generator seals with the same keys.
 */
void fuzz_hpke_keys(int party, uint8_t sk[32], uint8_t pk[32]);

#endif
