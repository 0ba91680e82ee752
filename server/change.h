/*
 * change.h: a signed change of a party's to a session, the steps every
 * kind takes around checks of its own (store.c's live changes and its
 * replay): whether the party has room for it and already holds it, its
 * record through the store's log, and what the store keeps of it -- the
 * statement, the block of shares or the sumpoint, the bytes the party
 * holds, and the phase it moves the session to.
 */
#ifndef SS_CHANGE_H
#define SS_CHANGE_H

#include <stdint.h>

#include "err.h"
#include "session.h"
#include "statement.h"
#include "statements.h"
#include "store_data.h"

/*
 * A signed change of a party's: shares, a sumpoint, or a statement alone (a
 * COHORT, or a conflict's second statement when replayed). Each kind, live
 * or replayed, takes the same steps around checks of its own: the session
 * and the party, the statement, the checks, the log (live), the store.
 */
enum change_kind { CHANGE_SHARES, CHANGE_SUMPOINT, CHANGE_STATEMENT };

struct change {
	enum change_kind kind;
	enum statement_type type;       /* the statement it carries */
	int second;                     /* a conflict's second statement */
	struct session *se;
	uint32_t party;
	struct held_statement h;
	struct statement stmt;
	enum statements_news news;      /* live: the statement against the first */
	int dup;                        /* replayed: held already */
};

/*
 * Fixes se's cohort as the parties whose shares are in, and moves it to
 * aggregating: when the last share arrives, or when the sharing deadline
 * passes with enough of them in (store.c's close_sharing).
 */
void change_fix_cohort(struct session *se);

/*
 * Whether a live change adding bytes in party's name fits its quota
 * (--max-bytes-per-party; record_room checks the server-wide limits); makes
 * party's entry, so that counting the change cannot fail once logged.
 * Replayed changes are not checked: they were acknowledged.
 */
int change_room(struct store *s, const struct session *se, uint32_t party,
    uint64_t bytes, struct ss_error *st);

/*
 * Whether data (bytes long) may join what party holds already, held (its
 * shares or its sumpoint): OK when nothing is held; OK with *duplicate set
 * when the very same bytes are; SS_ERR_EXISTS, "party already <did> to
 * session", when others are.
 */
int change_check_held(const struct session *se, uint32_t party,
    const void *held, const void *data, uint64_t bytes, const char *did,
    int *duplicate, struct ss_error *st);

/*
 * Adds what passed the checks: the statement, and data (the block of shares
 * or the sumpoint's values); the store owns them from now on.
 */
void change_keep(struct store *s, struct change *ch, void *data);

/*
 * A live change that passed its checks: recorded through the log (a
 * conflict's second statement, ch->second, as a conflict), then kept. 1 when the store owns data and the statement now (st: SS_OK); 0
 * when the log could not take the change (st says why).
 */
int change_commit(struct store *s, struct change *ch, void *data,
    struct ss_error *st);

/*
 * A live change whose statement conflicts with the party's first
 * (ch->news STATEMENTS_CONFLICT): the second statement, ch->h, kept as
 * proof that the party signed two -- in its name, as its first statements
 * are, so within --max-bytes-per-party (change_room) -- once logged, and
 * the change refused (SS_ERR_EXISTS, statements_refusal). A statement
 * longer than any of the session's n, or one the limits or the log cannot
 * take, is not kept and the change is refused saying so. Frees ch->h;
 * returns st->code.
 */
int change_keep_conflict(struct store *s, struct change *ch,
    struct ss_error *st);

#endif
