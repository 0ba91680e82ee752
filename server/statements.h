/*
 * statements.h: the signed statements of a version-2 session as the server
 * takes them (SUBMIT with a party's shares, COHORT on the fixed cohort,
 * SUMPOINT with a sumpoint; core/statement.h has their bytes): the checks
 * each passes before the store keeps it, and how a statement compares with
 * what its signer said before (the same, or a conflict: proof that the
 * signer equivocated).
 *
 * The server verifies every statement (so that it stores only well-formed
 * evidence and names the caller's mistakes precisely) although no client
 * relies on it: every reader verifies every statement itself.
 */
#ifndef SS_STATEMENTS_H
#define SS_STATEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "err.h"
#include "session.h"
#include "statement.h"
#include "store_data.h"

/* A statement as a request carries it: views into the request. */
struct statement_in {
	const uint8_t *body;
	size_t len;
	const uint8_t *sig;
	size_t sig_len;
};

/*
 * Whether a request to se of the kind that carries a statement of type has
 * one exactly when it must (in: the request's, NULL when it has none): a
 * version-2 session needs it, a version-1 session takes none.
 * SS_ERR_INVALID saying which otherwise.
 */
int statements_expected(const struct session *se, enum statement_type type,
    const struct statement_in *in, struct ss_error *st) SS_WUR;

/*
 * Whether in is no longer than any statement: a body of 1 to
 * STATEMENT_BODY_MAX bytes, a signature of 1 to STATEMENT_SIG_MAX. SS_OK,
 * or SS_ERR_INVALID saying which.
 */
int statements_bounded(const struct statement_in *in, struct ss_error *st)
    SS_WUR;

/* A copy of in that the store may keep, if statements_bounded. */
int statements_copy(const struct statement_in *in, struct held_statement *h,
    struct ss_error *st) SS_WUR;

/*
 * Checks h as a statement of type for se, from the holder of cert (the
 * caller's TLS client certificate): its body parses as one of that type,
 * names se's D and cert's digest as its signer, and its signature verifies
 * with cert's key (statement_verify). With cert NULL (a record of the
 * journal, checked when it was made) only the body is checked. Fills s,
 * whose arrays point into h->body. SS_ERR_INVALID, or SS_ERR_DENIED for
 * a statement signed for another certificate, with the reason.
 */
int statements_verify(const struct session *se, enum statement_type type,
    X509 *cert, const struct held_statement *h, struct statement *s,
    struct ss_error *st) SS_WUR;

/* A verified statement of party's next to the first it made of its type. */
enum statements_news {
	STATEMENTS_NEW,          /* none before */
	STATEMENTS_SAME,         /* the same body as the first */
	STATEMENTS_CONFLICT,     /* another body, same signer: proof, not yet kept */
	STATEMENTS_KNOWN,        /* another body, and a conflict is already kept */
	STATEMENTS_OTHER_SIGNER, /* another body from another certificate */
};
enum statements_news statements_compare(const struct session *se,
    uint32_t party, enum statement_type type, const struct held_statement *h);

/*
 * The answer to a statement that is not the first of its kind (news is
 * STATEMENTS_CONFLICT, KNOWN or OTHER_SIGNER): SS_ERR_EXISTS, saying why.
 */
int statements_refusal(const struct session *se, uint32_t party,
    enum statement_type type, enum statements_news news, struct ss_error *st);

/*
 * The fields of a first statement, against what it comes with. SUBMIT:
 * party's position, the session's n, and digest j the SHA-256 of block's
 * ciphertext for recipient j. COHORT: n, party in the cohort, the bitmap
 * the cohort the server fixed, and the submits digest that of its
 * members' SUBMITs. SUMPOINT: party's position, the session's L, the
 * digest of values, and the cohort digest that of the cohort (with those
 * SUBMITs). SS_ERR_INVALID (or SS_ERR_DENIED: a COHORT from outside the
 * cohort) with the reason.
 */
int statements_check_submit(const struct session *se, uint32_t party,
    const struct statement *s, const uint8_t *block, struct ss_error *st) SS_WUR;
int statements_check_cohort(const struct session *se, uint32_t party,
    const struct statement *s, struct ss_error *st) SS_WUR;
int statements_check_sumpoint(const struct session *se, uint32_t party,
    const struct statement *s, const uint64_t *values, size_t nvalues,
    struct ss_error *st) SS_WUR;

/*
 * Keeps in se the digests its fixed cohort gives (the submits digest and
 * the cohort digest), so that checking each COHORT and SUMPOINT does not
 * hash every member's SUBMIT again. Nothing is kept on failure: they are
 * then computed for each check.
 */
void statements_fix_cohort(struct session *se);

/*
 * Whether se's statements are what the rules above leave (a loaded
 * snapshot's session is checked with it): in version 2 a SUBMIT exactly
 * beside the shares and a SUMPOINT exactly beside the sumpoint, each
 * matching them; a COHORT only from a member of the cohort, on it; a
 * second statement only beside a first of its type, from the same signer
 * with another body. Signatures are not checked: the certificates are not
 * at hand, and they were checked when the statements came.
 */
int statements_consistent(const struct session *se);

/* At most the bytes a session of n parties holds in statements and conflicts. */
uint64_t statements_max_bytes(uint32_t n);
/*
 * At most the bytes the statements add to one message of a session of n
 * parties: GetShare relays every dealer's SUBMIT, GetStatus up to n
 * conflicting SUBMITs beside their first ones.
 */
uint64_t statements_max_message(uint32_t n);

/* ---- the store's side (store.c) ----------------------------------------- */

/*
 * What a request of version 2 adds to a change: the caller's TLS client
 * certificate (NULL: not known, and then no statement can be taken), and
 * the signed statement the request carried (NULL: none). A version-2
 * session needs the statement, a version-1 session takes none.
 */
struct store_signed {
	X509 *cert;
	const struct statement_in *stmt;
};

/*
 * The statement of type that a change of party's to se carries (sg), taken
 * as far as it can be before the change's own checks: *h a copy (its body
 * NULL in version 1; the caller frees it), *sp its fields, *news how it
 * stands next to party's first. SS_OK for a new statement, the same again,
 * or one that conflicts with the first (STATEMENTS_CONFLICT: the caller
 * keeps it as proof and refuses the change, change_keep_conflict); any
 * other second statement is refused here (SS_ERR_EXISTS).
 */
int statements_take(struct session *se, uint32_t party,
    enum statement_type type, const struct store_signed *sg,
    struct held_statement *h, struct statement *sp,
    enum statements_news *news, struct ss_error *st) SS_WUR;

/*
 * The statement of type of a change of party's replayed from the journal
 * (in NULL: none), into *h and *sp: present exactly when the session's
 * version needs it, well formed, for its D, and party's first of its type
 * (second: the second of a new conflict). Its signature was checked when
 * the change was made. SS_ERR_INVALID with e saying why.
 */
int statements_replay(const struct session *se, uint32_t party,
    enum statement_type type, int second, const struct statement_in *in,
    struct held_statement *h, struct statement *sp, struct ss_error *e) SS_WUR;

/*
 * Keeps h (taken; nothing if its body is NULL) as party's statement of
 * type: its first, or (second) the one that conflicts with it.
 */
void statements_keep(struct store *s, struct session *se, uint32_t party,
    enum statement_type type, int second, struct held_statement *h);

#endif
