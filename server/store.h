/*
 * store.h: everything the server holds: the sessions, each with its
 * parameters, phase, sealed shares and sumpoints, and the directory of the
 * parties' encryption-key certificates.
 *
 * The store knows nothing of sockets or protobuf. Each operation takes the
 * caller's certified identity, checks that it may act, validates its input
 * against the limits, changes state only when everything checks out, and
 * reports a status. It never sees a plaintext share or a private key.
 */
#ifndef SS_STORE_H
#define SS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "pki.h"
#include "status.h"

struct store_limits {
	uint32_t max_parties;
	uint32_t max_length;
	uint32_t max_sessions;
	uint32_t max_deadline_seconds;
	uint64_t max_stored_bytes;   /* ciphertexts, sumpoints and certificates */
	uint32_t max_keys;
	uint32_t max_cert_bytes;
	uint64_t max_message;        /* largest frame a session's messages may need */
};

void store_default_limits(struct store_limits *lim);

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

struct key_entry {
	char name[NAME_BUF];
	uint8_t *der;
	size_t der_len;
};

struct journal;

struct store {
	struct store_limits lim;
	struct journal *journal; /* where changes are logged first, or NULL */
	uint64_t journal_seq;   /* the last journal record reflected here */
	struct session **sessions;
	size_t nsessions;
	struct key_entry *keys;
	size_t nkeys;
	uint64_t stored_bytes;
	uint64_t version;       /* bumped by every change; snapshots compare it */
};

struct store *store_new(const struct store_limits *lim);
void store_free(struct store *s);

/* A name listed twice in the session's parties, or NULL. */
const char *session_repeated_party(const struct session *se);
/* Index of name in the session's party list, or -1. */
long session_party_index(const struct session *se, const char *name);
struct session *store_find(struct store *s, const char *id);
size_t session_count_shared(const struct session *se);

/*
 * Applies the deadline: a SHARING session past its deadline fixes its cohort
 * when at least t+1 have submitted, and fails otherwise.
 */
void store_tick(struct store *s, uint64_t now);

/* Ends the sharing phase now, as its deadline does (no journal record). */
void store_close_sharing(struct store *s, struct session *se);

/* Validates params (names, counts, limits); fills st on failure. */
enum status_code store_check_params(const struct store *s,
    const struct session_params *p, struct status *st);

/* The operations; each returns st->code. Pointers in params are copied. */
enum status_code store_create(struct store *s, const char *caller,
    const struct session_params *p, uint64_t now, int *created,
    uint64_t *deadline_unix, struct status *st);

struct submitted_share {
	const char *recipient;
	const uint8_t *ct;
	size_t ct_len;
};
enum status_code store_submit(struct store *s, const char *caller,
    const char *session_id, const char *party, const struct submitted_share *shares,
    size_t nshares, uint64_t now, int *duplicate, struct status *st);
/*
 * As store_submit, for shares that lie in *frame, a malloc'd buffer of
 * frame_len bytes. When they lie there in recipient order (as clients send
 * them) the store moves them down into place and keeps the buffer as their
 * block instead of copying them; *frame is NULL afterwards if it took the
 * buffer, whatever the outcome. A share block is never changed or freed
 * while the server runs, so responses may send from it without a copy.
 */
enum status_code store_submit_in_place(struct store *s, const char *caller,
    const char *session_id, const char *party,
    const struct submitted_share *shares, size_t nshares, uint8_t **frame,
    size_t frame_len, uint64_t now, int *duplicate, struct status *st);

/* On OK, *sep is the session, *recipient the caller's index. */
enum status_code store_get_share(struct store *s, const char *caller,
    const char *session_id, const char *party, uint64_t now,
    struct session **sep, uint32_t *recipient, struct status *st);

enum status_code store_post_sumpoint(struct store *s, const char *caller,
    const char *session_id, const char *party, const uint64_t *values,
    size_t nvalues, uint64_t now, int *duplicate, struct status *st);
/*
 * As store_post_sumpoint, for values that are the start of *frame, a
 * malloc'd buffer: the store keeps the buffer as the sumpoint instead of a
 * copy, and *frame is NULL afterwards if it did (whatever the outcome).
 */
enum status_code store_post_sumpoint_in_place(struct store *s,
    const char *caller, const char *session_id, const char *party,
    const uint64_t *values, size_t nvalues, uint8_t **frame, uint64_t now,
    int *duplicate, struct status *st);

/* Read access for ListSumpoints and GetStatus: a listed party only. */
enum status_code store_read(struct store *s, const char *caller,
    const char *session_id, uint64_t now, struct session **sep, struct status *st);

/*
 * The directory of encryption-key certificates (already verified by the
 * caller). A party's first certificate stays: a different one is
 * ALREADY_EXISTS, since shares may already be sealed to the first key. The
 * operator replaces one with store_replace_key (the server does so at start
 * for certificates in its certs folder).
 */
enum status_code store_put_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *duplicate, struct status *st);
enum status_code store_replace_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *replaced, struct status *st);
const struct key_entry *store_get_key(const struct store *s, const char *name);
/*
 * Removes a certificate that no longer verifies (revoked, expired), so that
 * the directory never serves it. Not journalled: the start-up check that
 * calls it runs again at every start.
 */
void store_drop_key(struct store *s, const char *name);

/* Low-level insertion used by the snapshot loader; takes ownership of se. */
int store_adopt_session(struct store *s, struct session *se);
/* Allocates a session with copies of p, empty state. NULL on failure. */
struct session *session_new(const struct session_params *p);
void session_free(struct session *se);
/* Bytes of state the session holds (shares, sumpoints). */
uint64_t session_bytes(const struct session *se);

#endif
