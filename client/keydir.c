/*
 * keydir.c: finding and checking the parties' encryption keys.
 *
 * A key is only ever taken from a certificate that our CA issued for the
 * party's name: the server, trusted for availability only, could otherwise
 * hand us its own key for a party and read the share sealed for it. A
 * certificate verified once is found again in the party's certificate
 * cache (certcache.h), when its records are open, with the key it holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "call.h"
#include "certcache.h"
#include "client.h"
#include "err.h"
#include "hpke.h"
#include "keydir.h"
#include "output.h"
#include "pki.h"
#include "status.h"
#include "wire.h"

/* A certificate's path: DIR/NAME.enc.crt. */
#define KEYDIR_PATH_MAX 4096

/*
 * The certificate is taken out of its PEM armour without being parsed:
 * pki_verify_enc_cert_keep then parses and checks it, once, and the cache
 * entry is made of that same parse. (pki_load_enc_cert
 * parses it into an X509 and re-encodes it, and with OpenSSL 3.0 the
 * parse, public-key decoding included, is the larger part of a
 * certificate's cost: a share or sumpoint step reads n of them. See
 * docs/BENCHMARKS.md.)
 */
int
keydir_read_cert_der(const char *path, uint8_t **der, size_t *len)
{
	unsigned char *data = NULL;
	char *pem_name = NULL;
	long n = 0;
	BIO *bio;
	int r = SS_ERR_CERT;

	*der = NULL;
	*len = 0;
	ERR_clear_error();
	if ((bio = BIO_new_file(path, "r")) == NULL)
		return SS_ERR_IO;
	/* The labels PEM_read_bio_X509 accepts, without its decoding. */
	if (PEM_bytes_read_bio(&data, &n, &pem_name, PEM_STRING_X509, bio, NULL,
	    NULL) == 1 && n > 0) {
		if (n > KEYDIR_CERT_MAX)
			r = SS_ERR_TOO_LARGE;
		else if ((*der = malloc((size_t)n)) == NULL)
			r = SS_ERR_ALLOC;
		else {
			memcpy(*der, data, (size_t)n);
			*len = (size_t)n;
			r = SS_OK;
		}
	}
	OPENSSL_free(data);
	OPENSSL_free(pem_name);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

/*
 * The key in encryption-key certificate der of party name, into pk: from
 * the cache (cc, which may be NULL) when it knows the certificate, else
 * verified against our CA (and noted for the cache).
 */
static int
verify_key(struct client *c, struct certcache *cc, const uint8_t *der,
    size_t len, const char *name, uint8_t pk[HPKE_KEY_LEN], struct ss_error *e)
{
	struct pstate_cert hit;
	X509 *x = NULL;
	int r = SS_ERR_NOT_FOUND;

	/*
	 * A hit says these very bytes were verified: the key is read off
	 * them (no parse), and must be the one the cache noted with them;
	 * records that say otherwise are not believed, and it is verified.
	 */
	if (cc != NULL && (r = certcache_lookup(cc, der, len, PSTATE_CERT_ENC,
	    name, &hit, e)) == SS_OK &&
	    pki_enc_key_of_der(der, len, pk) == SS_OK &&
	    CRYPTO_memcmp(pk, hit.pk, HPKE_KEY_LEN) == 0)
		return SS_OK;
	if (r != SS_OK && r != SS_ERR_NOT_FOUND)
		return r;
	/* The parse the check made is the one the cache's entry is made of. */
	if ((r = pki_verify_enc_cert_keep(c->ca, der, len, name, pk,
	    cc != NULL ? &x : NULL)) != SS_OK)
		return ss_error_set(e, r, "%s", ss_strerror(r));
	if (cc != NULL)
		r = certcache_note(cc, der, len, x, PSTATE_CERT_ENC, name, pk, e);
	X509_free(x);
	return r;
}

/*
 * DIR/NAME.enc.crt, read into *path and (its DER, the caller's to free)
 * *der: 1, or 0 when there is no such file, or an error.
 */
static int
read_local(struct client *c, const char *name, char path[KEYDIR_PATH_MAX],
    uint8_t **der, size_t *len, struct ss_error *e)
{
	struct stat sb;
	int r, n;

	*der = NULL;
	*len = 0;
	if ((r = client_ca(c, e)) != SS_OK)
		return r;
	n = snprintf(path, KEYDIR_PATH_MAX, "%s/%s.enc.crt", c->certs, name);
	if (n < 0 || (size_t)n >= KEYDIR_PATH_MAX)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "certificate folder "
		    "name is too long");
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return ss_error_set(e, SS_ERR_IO, "%s: %s", path,
		    strerror(errno));
	}
	if ((r = keydir_read_cert_der(path, der, len)) != SS_OK)
		return ss_error_set(e, r, "cannot read %s: %s", path,
		    ss_strerror(r));
	return 1;
}

/* keydir_local_key, with the cache cc (may be NULL). */
static int
local_key(struct client *c, struct certcache *cc, const char *name,
    uint8_t pk[HPKE_KEY_LEN], uint8_t **derp, size_t *lenp,
    struct ss_error *e)
{
	char path[KEYDIR_PATH_MAX];
	uint8_t *der = NULL;
	size_t len = 0;
	int r;

	if ((r = read_local(c, name, path, &der, &len, e)) != 1)
		return r;
	if ((r = verify_key(c, cc, der, len, name, pk, e)) != SS_OK) {
		free(der);
		(void)ss_error_prefix(e, "%s is not an encryption-key "
		    "certificate our CA issued for %s", path, name);
		return r;
	}
	if (derp != NULL) {
		*derp = der;
		*lenp = len;
	} else
		free(der);
	return 1;
}

/*
 * Our own encryption-key certificate, into c->enc_der and its key into
 * c->enc_pk: verified once a process, and through the certificate cache
 * once for all commands while it is the same. It is read again at every
 * call, so that one renewed under a running process (the library's) is
 * verified anew, and the private key loaded for the old one is dropped.
 * 1, 0 when DIR/NAME.enc.crt does not exist, or an error.
 */
static int
own_cert(struct client *c, struct ss_error *e)
{
	char path[KEYDIR_PATH_MAX];
	uint8_t pk[HPKE_KEY_LEN], *der = NULL;
	struct certcache cc;
	size_t len = 0;
	int r, end;

	if ((r = read_local(c, c->party, path, &der, &len, e)) != 1)
		return r;
	if (c->enc_der != NULL && len == c->enc_der_len &&
	    memcmp(der, c->enc_der, len) == 0) {
		free(der);
		return 1;
	}
	if ((r = certcache_begin(c, &cc, 1, e)) == SS_OK) {
		r = verify_key(c, &cc, der, len, c->party, pk, e);
		if ((end = certcache_end(&cc, r == SS_OK ? e : NULL)) != SS_OK &&
		    r == SS_OK)
			r = end;
	}
	if (r != SS_OK) {
		free(der);
		(void)ss_error_prefix(e, "%s is not an encryption-key "
		    "certificate our CA issued for %s", path, c->party);
		return r;
	}
	hpke_key_free(c->enc_key);
	c->enc_key = NULL;
	free(c->enc_der);
	c->enc_der = der;
	c->enc_der_len = len;
	memcpy(c->enc_pk, pk, HPKE_KEY_LEN);
	return 1;
}

int
keydir_local_key(struct client *c, const char *name,
    uint8_t pk[HPKE_KEY_LEN], uint8_t **derp, size_t *lenp,
    struct ss_error *e)
{
	return local_key(c, NULL, name, pk, derp, lenp, e);
}

/* A search for keys: which of names have their key in pks yet. */
struct keyset {
	const char *const *names;
	size_t n;
	uint8_t (*pks)[HPKE_KEY_LEN];
	unsigned char *have;
	const char **missing;      /* the names without a key yet ... */
	size_t nmissing;           /* ... so many */
	struct certcache cc;       /* the certificates verified before */
};

/* Sets up ks and takes the keys our folder holds. */
static int
keyset_init(struct client *c, struct keyset *ks, const char *const *names,
    size_t n, uint8_t (*pks)[HPKE_KEY_LEN], struct ss_error *e)
{
	size_t i;
	int r;

	memset(ks, 0, sizeof(*ks));
	ks->names = names;
	ks->n = n;
	ks->pks = pks;
	if ((r = certcache_begin(c, &ks->cc, n, e)) != SS_OK)
		return r;
	if ((ks->have = calloc(n ? n : 1, 1)) == NULL ||
	    (ks->missing = calloc(n ? n : 1, sizeof(*ks->missing))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < n; i++) {
		if ((r = local_key(c, &ks->cc, names[i], pks[i], NULL, NULL,
		    e)) < 0)
			return r;
		ks->have[i] = (unsigned char)r;
	}
	return SS_OK;
}

/* Frees ks, writing to the cache the certificates it verified (if ok). */
static int
keyset_free(struct keyset *ks, int ok, struct ss_error *e)
{
	int r = certcache_end(&ks->cc, ok ? e : NULL);

	free(ks->have);
	free(ks->missing);
	memset(ks, 0, sizeof(*ks));
	return ok ? r : SS_OK;
}

/* Lists the names still without a key; returns how many. */
static size_t
keyset_missing(struct keyset *ks)
{
	size_t i;

	ks->nmissing = 0;
	for (i = 0; i < ks->n; i++)
		if (!ks->have[i])
			ks->missing[ks->nmissing++] = ks->names[i];
	return ks->nmissing;
}

/* The first slot still without a key for name, or -1. */
static long
keyset_slot(const struct keyset *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (!ks->have[i] && strcmp(ks->names[i], name) == 0)
			return (long)i;
	return -1;
}

/* Slot idx has its key: so has every other slot of the same name. */
static void
keyset_fill(struct keyset *ks, size_t idx)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (!ks->have[i] && strcmp(ks->names[i], ks->names[idx]) == 0) {
			if (i != idx)
				memcpy(ks->pks[i], ks->pks[idx], HPKE_KEY_LEN);
			ks->have[i] = 1;
		}
}

/* Takes from a GetKeys answer only what was asked, the first for a name. */
static int
adopt_keys(struct client *c, struct keyset *ks,
    const struct wire_response *resp, struct ss_error *e)
{
	const struct wire_key *key;
	size_t k;
	long idx;
	int r;

	for (k = 0; k < resp->nkeys; k++) {
		key = &resp->keys[k];
		if ((idx = keyset_slot(ks, key->party)) < 0)
			continue;
		if ((r = verify_key(c, &ks->cc, key->der, key->der_len,
		    ks->names[idx], ks->pks[idx], e)) != SS_OK) {
			(void)ss_error_prefix(e, "the server's key certificate "
			    "for %s is not one our CA issued for %s",
			    ks->names[idx], ks->names[idx]);
			return r;
		}
		keyset_fill(ks, (size_t)idx);
	}
	return SS_OK;
}

/* One GetKeys for the names still missing. */
static int
fetch_keys(struct client *c, struct keyset *ks, struct ss_error *e)
{
	struct wire_limits lim = {
		.max_items = CLIENT_MAX_PARTIES, .max_bytes = KEYDIR_CERT_MAX,
		.max_values = 0,
	};
	struct wire_request req;
	struct wire_response resp;
	int r;

	call_request(&req, WIRE_GET_KEYS, NULL, NULL);
	req.names = ks->missing;
	req.nnames = ks->nmissing;
	if ((r = call_exchange(c, &req, &lim, &resp, e)) != SS_OK)
		return r;
	if (resp.code != ST_OK)
		r = call_refused(c, &resp, WIRE_GET_KEYS, NULL, e);
	else
		r = adopt_keys(c, ks, &resp, e);
	wire_response_free(&resp);
	return r;
}

/* Pauses before asking again for the keys still missing, if that may help. */
static int
wait_for_keys(struct client *c, const struct keyset *ks, int wait,
    uint64_t *delay, struct ss_error *e)
{
	char list[512];

	out_join_strs(list, sizeof(list), ks->missing, ks->nmissing, ", ");
	if (!wait || client_expired(c))
		return ss_error_set(e, SS_ERR_NOT_FOUND, "no encryption key for "
		    "%s: not in %s and not published to the server%s", list,
		    c->certs, wait ? " before the timeout" : "");
	progress_show(&c->progress, "waiting for the encryption keys of: %s",
	    list);
	/* A key published changes every session that names its party. */
	return call_wait(c, CALL_WATCH_MS, delay, e);
}

int
keydir_get_keys(struct client *c, const char *const *names, size_t n,
    uint8_t (*pks)[HPKE_KEY_LEN], int wait, struct ss_error *e)
{
	struct keyset ks;
	uint64_t delay = CLIENT_POLL_FIRST_MS;
	int r, end;

	if ((r = keyset_init(c, &ks, names, n, pks, e)) != SS_OK)
		goto out;
	while (keyset_missing(&ks) > 0) {
		if ((r = fetch_keys(c, &ks, e)) != SS_OK ||
		    keyset_missing(&ks) == 0 ||
		    (r = wait_for_keys(c, &ks, wait, &delay, e)) != SS_OK)
			break;
	}
 out:
	progress_clear(&c->progress);
	/* What was verified goes to the cache, in one durable write. */
	if ((end = keyset_free(&ks, r == SS_OK, e)) != SS_OK)
		r = end;
	return r;
}

/*
 * Why DIR/NAME.enc.key could not be loaded (r from pki_load_enc_key), and
 * what to do, as an error naming the file.
 */
static int
own_key_error(const struct client *c, int r, struct ss_error *e)
{
	char path[4096];
	struct stat sb;
	int fd = -1;

	snprintf(path, sizeof(path), "%s/%s.enc.key", c->certs, c->party);
	if (r == SS_ERR_KEY_PERMS)
		return ss_error_set(e, r, "cannot load %s: it is readable by "
		    "others (chmod 600 it)", path);
	if (r == SS_ERR_IO && stat(path, &sb) != 0 && errno == ENOENT)
		return ss_error_set(e, r, "%s does not exist: this party's "
		    "private encryption key is needed beside %s.enc.crt (copy "
		    "it there, or give the folder that holds it with --certs)",
		    path, c->party);
	if (r == SS_ERR_IO && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ss_error_set(e, r, "cannot open %s: %s", path,
		    strerror(errno));
	if (fd >= 0)
		(void)close(fd);
	return ss_error_set(e, r, "cannot load %s: %s (is it the X25519 key "
	    "mkcerts.sh made?)", path, ss_strerror(r));
}

/* Our private key, from DIR/NAME.enc.key, ready for use in *key. */
static int
load_own_key(struct client *c, struct hpke_key **key, struct ss_error *e)
{
	uint8_t sk[HPKE_KEY_LEN];
	int r;

	memset(sk, 0, sizeof(sk));
	if ((r = pki_load_enc_key(c->certs, c->party, sk)) != SS_OK) {
		OPENSSL_cleanse(sk, sizeof(sk));
		return own_key_error(c, r, e);
	}
	r = hpke_key_new(sk, key);
	OPENSSL_cleanse(sk, sizeof(sk));
	if (r != SS_OK)
		return ss_error_set(e, r, "cannot use %s/%s.enc.key: %s",
		    c->certs, c->party, ss_strerror(r));
	return SS_OK;
}

int
keydir_own_key(struct client *c, struct hpke_key **key, const uint8_t **der,
    size_t *derlen, struct ss_error *e)
{
	uint8_t pk_key[HPKE_KEY_LEN];
	int r;

	*key = NULL;
	*der = NULL;
	*derlen = 0;
	if ((r = own_cert(c, e)) < 0)
		return r;
	if (r == 0)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "%s/%s.enc.crt does "
		    "not exist: our encryption-key certificate is needed",
		    c->certs, c->party);
	if (c->enc_key == NULL) {
		if ((r = load_own_key(c, &c->enc_key, e)) != SS_OK)
			return r;
		hpke_key_public(c->enc_key, pk_key);
		if (CRYPTO_memcmp(pk_key, c->enc_pk, HPKE_KEY_LEN) != 0) {
			hpke_key_free(c->enc_key);
			c->enc_key = NULL;
			return ss_error_set(e, SS_ERR_CERT, "%s/%s.enc.key does "
			    "not belong to %s/%s.enc.crt", c->certs, c->party,
			    c->certs, c->party);
		}
		/*
		 * Every party we seal to is one we may open from (run): the
		 * DH of each pair is then computed once (hpke.h).
		 */
		if ((r = hpke_key_remember(c->enc_key, CLIENT_MAX_PARTIES)) !=
		    SS_OK) {
			hpke_key_free(c->enc_key);
			c->enc_key = NULL;
			return ss_error_set(e, r, "cannot set up our encryption "
			    "key: %s", ss_strerror(r));
		}
	}
	*key = c->enc_key;
	*der = c->enc_der;
	*derlen = c->enc_der_len;
	return SS_OK;
}

int
keydir_publish(struct client *c, const uint8_t *der, size_t len,
    struct ss_error *e)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	/* Once a process: every command publishes first, share once more. */
	if (c->key_published)
		return SS_OK;
	call_request(&req, WIRE_PUBLISH_KEY, NULL, NULL);
	req.cert = der;
	req.cert_len = len;
	if ((r = call_exchange(c, &req, &call_small_limits, &resp, e)) != SS_OK)
		return r;
	/* Publishing again is fine: the server says duplicate. */
	if (resp.code != ST_OK)
		r = ss_error_set(e, status_to_err(resp.code), "publishing our "
		    "encryption key (%s/%s.enc.crt) failed: %s: %s", c->certs,
		    c->party, status_name(resp.code),
		    call_message(&resp, "(no message)"));
	else
		c->key_published = 1;
	wire_response_free(&resp);
	return r;
}

int
keydir_announce(struct client *c, struct ss_error *e)
{
	int r;

	if (c->key_published)
		return SS_OK;
	/*
	 * The certificate alone: a command that opens nothing (status,
	 * create) needs no private key, and share and sumpoint check theirs
	 * against it (keydir_own_key) before they use it.
	 */
	if ((r = own_cert(c, e)) < 0)
		return r;
	if (r == 0)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "%s/%s.enc.crt does "
		    "not exist: this party's encryption-key certificate is "
		    "needed (from the CA, beside %s.enc.key)", c->certs, c->party,
		    c->party);
	return keydir_publish(c, c->enc_der, c->enc_der_len, e);
}

int
keydir_missing(struct client *c, const char *const *names, size_t n,
    const char ***missing, size_t *nmissing, struct ss_error *e)
{
	uint8_t (*pks)[HPKE_KEY_LEN];
	struct keyset ks;
	int r, end;

	*missing = NULL;
	*nmissing = 0;
	if ((pks = calloc(n ? n : 1, sizeof(*pks))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	/* Our folder first, then one GetKeys for the rest, each verified. */
	if ((r = keyset_init(c, &ks, names, n, pks, e)) == SS_OK &&
	    keyset_missing(&ks) > 0 && (r = fetch_keys(c, &ks, e)) == SS_OK)
		(void)keyset_missing(&ks);
	if (r == SS_OK) {
		/* The list is the caller's: ks's goes with it. */
		*missing = ks.missing;
		*nmissing = ks.nmissing;
		ks.missing = NULL;
	}
	if ((end = keyset_free(&ks, r == SS_OK, e)) != SS_OK && r == SS_OK) {
		free(*missing);
		*missing = NULL;
		*nmissing = 0;
		r = end;
	}
	free(pks);
	return r;
}
