/*
 * session_names.h: session ids as the store resolves them (docs/PROTOCOL.md
 * section 2.1). A session's id is CREATOR/NAME, in its creator's namespace,
 * where nobody else may create; a request may name one of its caller's
 * sessions by NAME alone. A caller who is not a party of a session gets the
 * answer of a missing one, so that nobody learns which ids exist.
 *
 * The store keeps its sessions in two indexes (session_index.h), by id and
 * by NAME part; these functions keep both.
 */
#ifndef SS_SESSION_NAMES_H
#define SS_SESSION_NAMES_H

#include "err.h"
#include "store_data.h"

/* Both indexes, empty: SS_OK or SS_ERR_ALLOC/SS_ERR_CRYPTO. */
int session_names_init(struct store *s) SS_WUR;
void session_names_free(struct store *s);
/* Room in both for one more session: SS_OK or SS_ERR_ALLOC. */
int session_names_reserve(struct store *s) SS_WUR;
/* Adds se to both (session_names_reserve made room); removes it. */
void session_names_add(struct store *s, struct session *se);
void session_names_remove(struct store *s, const struct session *se);

/*
 * The session id (a valid one) names for caller, a party of it:
 * CREATOR/NAME or an older session's bare NAME exactly; else a bare NAME
 * is the one session of that NAME part caller is a party of. NULL with st
 * set otherwise: SS_ERR_NOT_FOUND "no session ID" when caller is a party of
 * none, whatever exists (the same bytes for a missing session and for
 * another's); SS_ERR_INVALID listing the canonical ids when caller is a
 * party of several, all its own.
 */
struct session *session_names_resolve(struct store *s, const char *caller,
    const char *id, struct ss_error *st);

/*
 * Whether caller may create a session of id (valid): only as
 * CALLER/NAME. The answer depends on caller and id alone, never on what
 * exists. SS_OK or SS_ERR_DENIED in st.
 */
int session_names_may_create(const char *caller, const char *id,
    struct ss_error *st) SS_WUR;

#endif
