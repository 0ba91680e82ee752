/*
 * keydir.h: the parties' encryption keys as a command finds them: our own
 * key (NAME.enc.key, checked against our certificate), published to the
 * server's directory; the others' from DIR/NAME.enc.crt when there is one,
 * otherwise from the server's directory. Every certificate, wherever it
 * comes from, must be one our CA issued for that name.
 */
#ifndef SS_CLIENT_KEYDIR_H
#define SS_CLIENT_KEYDIR_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "err.h"
#include "hpke.h"

/* Longest DER certificate accepted, from a file or the server. */
#define KEYDIR_CERT_MAX (64 * 1024)

/*
 * The DER of the first certificate in the PEM file at path (*der malloc'd),
 * taken out of its armour without being parsed. SS_ERR_IO (cannot open),
 * SS_ERR_CERT (no certificate), SS_ERR_TOO_LARGE, SS_ERR_ALLOC.
 */
int keydir_read_cert_der(const char *path, uint8_t **der, size_t *len)
    SS_WUR;

/*
 * The key in DIR/NAME.enc.crt, verified against our CA for name, into pk
 * (and the certificate into *derp, malloc'd, unless derp is NULL): 1 when
 * found, 0 when there is no such file, or an error.
 */
int keydir_local_key(struct client *c, const char *name,
    uint8_t pk[HPKE_KEY_LEN], uint8_t **derp, size_t *lenp,
    struct ss_error *e) SS_WUR;

/*
 * Fills pks[i] with the encryption key of names[i] (n of them), from our
 * folder or the server's directory. When `wait`, waits for keys not
 * published yet, until the command's deadline; else SS_ERR_NOT_FOUND.
 */
int keydir_get_keys(struct client *c, const char *const *names, size_t n,
    uint8_t (*pks)[HPKE_KEY_LEN], int wait, struct ss_error *e) SS_WUR;

/*
 * Our private encryption key, checked against our own certificate, made
 * ready for sealing and opening once for the whole process: *key and the
 * certificate *der are c's, valid until client_free (or a later call, if
 * the certificate was renewed meanwhile); the caller frees neither. The
 * key remembers the DH value of each party it seals to or opens from
 * (hpke_key_remember), so that `run` computes each once.
 */
int keydir_own_key(struct client *c, struct hpke_key **key,
    const uint8_t **der, size_t *derlen, struct ss_error *e) SS_WUR;

/*
 * PublishKey of our certificate der, once a process (c->key_published);
 * publishing again is harmless.
 */
int keydir_publish(struct client *c, const uint8_t *der, size_t len,
    struct ss_error *e) SS_WUR;

/*
 * Publishes our encryption-key certificate (DIR/NAME.enc.crt, verified
 * against our CA for our name), unless this process did already. Every
 * command does this first, so that no party has to wait for another to
 * share before its key is known: any command it ran made it known.
 */
int keydir_announce(struct client *c, struct ss_error *e) SS_WUR;

/*
 * Which of names[0..n) have no encryption key in our folder nor in the
 * server's directory (each key found verified, as keydir_get_keys does):
 * *missing gets them (pointers into names; free the array), *nmissing how
 * many. Never waits.
 */
int keydir_missing(struct client *c, const char *const *names, size_t n,
    const char ***missing, size_t *nmissing, struct ss_error *e) SS_WUR;

#endif
