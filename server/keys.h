/*
 * keys.h: the store's directory of the parties' certificates: for each
 * party its encryption-key certificate (X25519, which others seal shares
 * to) and, since version 2, the TLS client certificate it published that
 * key over (whose P-256 key signs its statements). GetKeys serves them;
 * every reader verifies them against the CA itself.
 */
#ifndef SS_KEYS_H
#define SS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store_data.h"

/*
 * The directory of encryption-key certificates (already verified by the
 * caller). A party's first certificate stays: a different one is
 * ALREADY_EXISTS, since shares may already be sealed to the first key. The
 * operator replaces one with store_replace_key (the server does so at start
 * for certificates in its certs folder).
 */
int store_put_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *duplicate, struct ss_error *st) SS_WUR;
/*
 * As store_put_key, recording as well the TLS client certificate (DER)
 * the party published over, whose key signs its statements (sign_der
 * NULL: none known). The first one recorded stays, as the first key does:
 * another is ALREADY_EXISTS; an entry without one gains it.
 */
int store_publish_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, const uint8_t *sign_der,
    size_t sign_len, int *duplicate, struct ss_error *st) SS_WUR;
int store_replace_key(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, int *replaced, struct ss_error *st) SS_WUR;
/* name's entry, found through the index by name, or NULL. */
const struct key_entry *store_get_key(const struct store *s, const char *name);
/*
 * Removes a certificate that no longer verifies (revoked, expired), so that
 * the directory never serves it. Not journalled: the start-up check that
 * calls it runs again at every start.
 */
void store_drop_key(struct store *s, const char *name);

/* An empty directory (store_new): SS_OK or SS_ERR_CRYPTO. */
int store_keys_init(struct store *s) SS_WUR;
/* Frees every entry and the directory (store_free). */
void store_keys_free(struct store *s);

/*
 * Replaying the journal (as store.h's store_apply_*): an entry as its
 * record gives it.
 */
int store_apply_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, struct ss_error *e) SS_WUR;
/* An entry of the directory as recorded whole: both certificates (sign_der NULL: none). */
int store_apply_key_signed(struct store *s, const char *name,
    const uint8_t *der, size_t der_len, const uint8_t *sign_der,
    size_t sign_len, struct ss_error *e) SS_WUR;

#endif
