/*
 * pstate_cert.c: the cache of verified certificates in a party's state
 * folder, so that a certificate relayed by the server (another party's TLS
 * certificate, which signs its statements, or its encryption-key
 * certificate) is verified against the CA once, not in every command: one
 * file, "certs", read once per process and rewritten whole, under the
 * folder's lock, when entries are added or dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "buf.h"
#include "pstate_internal.h"
#include "statement.h"

/* An entry at its longest; the layout is in encode_entry. */
#define ENTRY_MAX   (2 * PSTATE_HASH_LEN + 1 + 4 + NAME_MAX_LEN + 8 + 8 + \
                     1 + PSTATE_SERIAL_MAX + HPKE_KEY_LEN)
#define CERTS_BODY_MAX (4 + (size_t)PSTATE_CERT_MAX * ENTRY_MAX)

/* 1 if c is an entry the cache may hold. */
static int
entry_valid(const struct pstate_cert *c)
{
	if (c->kind != PSTATE_CERT_TLS && c->kind != PSTATE_CERT_ENC)
		return 0;
	/* An encryption key is the point of an ENC entry; TLS has none. */
	if ((c->kind == PSTATE_CERT_ENC) == pfile_all_zero(c->pk, HPKE_KEY_LEN))
		return 0;
	return name_valid(c->name) && c->serial_len >= 1 &&
	    c->serial_len <= PSTATE_SERIAL_MAX;
}

static int
cmp_fingerprint(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, PSTATE_HASH_LEN);
}

/* ---- the file --------------------------------------------------------- */

/*
 * One entry, integers little-endian:
 *
 *   fingerprint   32 bytes   SHA-256 of the certificate's DER
 *   ca            32 bytes   SHA-256 of the CA certificate's DER
 *   kind          u8         1 TLS, 2 encryption key
 *   name          u32 length, bytes
 *   not_after     u64        Unix time
 *   verified_at   u64        Unix time
 *   serial        u8 length (1..20), bytes, big-endian
 *   pk            32 bytes   the X25519 key (ENC), zero (TLS)
 *
 * The file's body is a u32 count and the entries, sorted by fingerprint,
 * each fingerprint once.
 */
static void
encode_entry(struct buf_writer *w, const struct pstate_cert *c)
{
	buf_put(w, c->fingerprint, PSTATE_HASH_LEN);
	buf_put(w, c->ca, PSTATE_HASH_LEN);
	buf_put_u8(w, (uint8_t)c->kind);
	buf_put_string(w, c->name);
	buf_put_u64(w, c->not_after);
	buf_put_u64(w, c->verified_at);
	buf_put_u8(w, (uint8_t)c->serial_len);
	buf_put(w, c->serial, c->serial_len);
	buf_put(w, c->pk, HPKE_KEY_LEN);
}

static int
decode_entry(struct buf_reader *r, struct pstate_cert *c)
{
	uint8_t kind, slen;

	memset(c, 0, sizeof(*c));
	if (buf_get_copy(r, c->fingerprint, PSTATE_HASH_LEN) != SS_OK ||
	    buf_get_copy(r, c->ca, PSTATE_HASH_LEN) != SS_OK ||
	    buf_get_u8(r, &kind) != SS_OK ||
	    buf_get_string(r, c->name, sizeof(c->name)) != SS_OK ||
	    buf_get_u64(r, &c->not_after) != SS_OK ||
	    buf_get_u64(r, &c->verified_at) != SS_OK ||
	    buf_get_u8(r, &slen) != SS_OK || slen > PSTATE_SERIAL_MAX ||
	    buf_get_copy(r, c->serial, slen) != SS_OK ||
	    buf_get_copy(r, c->pk, HPKE_KEY_LEN) != SS_OK)
		return SS_ERR_INVALID;
	c->kind = (enum pstate_cert_kind)kind;
	c->serial_len = slen;
	return entry_valid(c) ? SS_OK : SS_ERR_INVALID;
}

/* The cache's body into arg, a struct pstate_certs. */
static int
decode_certs(const uint8_t *body, size_t len, void *arg)
{
	struct pstate_certs *out = arg;
	struct buf_reader r;
	uint32_t i, n;

	buf_reader_init(&r, body, len);
	if (buf_get_u32(&r, &n) != SS_OK || n > PSTATE_CERT_MAX)
		return SS_ERR_INVALID;
	if (n > 0 && (out->v = calloc(n, sizeof(*out->v))) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < n; i++)
		if (decode_entry(&r, &out->v[i]) != SS_OK || (i > 0 &&
		    cmp_fingerprint(out->v[i - 1].fingerprint,
		    out->v[i].fingerprint) >= 0))
			return SS_ERR_INVALID;
	out->n = n;
	return buf_remaining(&r) == 0 ? SS_OK : SS_ERR_INVALID;
}

/* Reads the cache from disk into st->certs (empty when there is none). */
static int
load_certs(struct pstate *st, struct ss_error *e)
{
	struct pstate_certs fresh = { NULL, 0, 1 };
	int rc;

	rc = pfile_load(st, PFILE_CERTS, PFILE_KIND_CERTS, CERTS_BODY_MAX,
	    decode_certs, &fresh, "not a well-formed certificate cache", e);
	if (rc != SS_OK && rc != SS_ERR_NOT_FOUND) {
		free(fresh.v);
		/* Reported, not skipped; but nothing is lost by removing it. */
		if (e != NULL)
			(void)ss_error_prefix(e, "the certificate cache (a "
			    "cache only: removing it makes it anew)");
		return rc;
	}
	free(st->certs.v);
	st->certs = fresh;
	return SS_OK;
}

/* Writes v[0..n) as the cache and makes it st's. */
static int
save_certs(struct pstate *st, struct pstate_cert *v, size_t n,
    struct ss_error *e)
{
	struct buf_writer w;
	size_t i;
	int rc;

	buf_writer_init(&w, CERTS_BODY_MAX);
	buf_put_u32(&w, (uint32_t)n);
	for (i = 0; i < n; i++)
		encode_entry(&w, &v[i]);
	rc = pfile_write(st, PFILE_CERTS, PFILE_KIND_CERTS, &w, e);
	if (rc != SS_OK) {
		free(v);
		return rc;
	}
	free(st->certs.v);
	st->certs.v = v;
	st->certs.n = n;
	st->certs.loaded = 1;
	return SS_OK;
}

/* The index of fingerprint in the loaded cache, or -1. */
static long
find(const struct pstate_certs *c, const uint8_t *fingerprint)
{
	size_t lo = 0, hi = c->n, mid;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = cmp_fingerprint(c->v[mid].fingerprint, fingerprint);
		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- the cache -------------------------------------------------------- */

static const char *
kind_name(enum pstate_cert_kind kind)
{
	return kind == PSTATE_CERT_TLS ? "TLS certificate" :
	    "encryption-key certificate";
}

int
pstate_cert_lookup(struct pstate *st,
    const uint8_t fingerprint[PSTATE_HASH_LEN], const uint8_t ca[PSTATE_HASH_LEN],
    enum pstate_cert_kind kind, const char *name, uint64_t now,
    struct pstate_cert *out, struct ss_error *e)
{
	const struct pstate_cert *c;
	char fh[2 * 8 + 1];
	long i;
	int rc;

	if (!st->certs.loaded && (rc = load_certs(st, e)) != SS_OK)
		return rc;
	if ((i = find(&st->certs, fingerprint)) < 0)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "not cached");
	c = &st->certs.v[i];
	if (cmp_fingerprint(c->ca, ca) != 0)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "cached, but verified "
		    "against another CA");
	if (c->kind != kind || name == NULL || strcmp(c->name, name) != 0) {
		pfile_hex(fh, fingerprint, 8);
		return ss_error_set(e, SS_ERR_CERT, "certificate %s... is %s's "
		    "%s, not %s's %s", fh, c->name, kind_name(c->kind),
		    name != NULL ? name : "(none)", kind_name(kind));
	}
	if (now >= c->not_after)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "cached, but expired");
	*out = *c;
	return SS_OK;
}

/* An entry and where it came in the caller's array. */
struct ref {
	const struct pstate_cert *c;
	size_t order;
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int cmp = cmp_fingerprint(x->c->fingerprint, y->c->fingerprint);

	if (cmp != 0)
		return cmp;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The union of the cache and news (sorted, a later entry of a fingerprint
 * replacing an earlier one), without the entries expired at now, into
 * *out (malloc'd) and *outn.
 */
static int
merge(const struct pstate_certs *old, const struct ref *news, size_t nn,
    uint64_t now, struct pstate_cert **out, size_t *outn)
{
	const struct pstate_cert *c;
	size_t i = 0, j = 0, k = 0;
	int cmp;

	if ((*out = calloc(old->n + nn + 1, sizeof(**out))) == NULL)
		return SS_ERR_ALLOC;
	while (i < old->n || j < nn) {
		cmp = i == old->n ? 1 : j == nn ? -1 : cmp_fingerprint(
		    old->v[i].fingerprint, news[j].c->fingerprint);
		if (cmp < 0)
			c = &old->v[i++];
		else {
			i += cmp == 0;
			c = news[j++].c;
			while (j < nn && cmp_fingerprint(news[j].c->fingerprint,
			    c->fingerprint) == 0)
				c = news[j++].c;
		}
		if (now < c->not_after)
			(*out)[k++] = *c;
	}
	*outn = k;
	return SS_OK;
}

/* Under the lock: the cache as on disk, with certs[0..n) added. */
static int
put_locked(struct pstate *st, const struct ref *news, size_t n, uint64_t now,
    struct ss_error *e)
{
	struct pstate_cert *v;
	size_t count;
	int rc;

	/* Another process may have added entries since this one read. */
	if ((rc = load_certs(st, e)) != SS_OK)
		return rc;
	if (merge(&st->certs, news, n, now, &v, &count) != SS_OK)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if (count > PSTATE_CERT_MAX) {
		free(v);
		return ss_error_set(e, SS_ERR_EXHAUSTED, "the certificate "
		    "cache in %s would hold %zu certificates, more than %u",
		    st->path, count, PSTATE_CERT_MAX);
	}
	return save_certs(st, v, count, e);
}

int
pstate_cert_put(struct pstate *st, const struct pstate_cert *certs,
    size_t n, uint64_t now, struct ss_error *e)
{
	struct ref *news;
	size_t i;
	int rc;

	if (n > 0 && certs == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no certificates");
	if (n > PSTATE_CERT_MAX)
		return ss_error_set(e, SS_ERR_EXHAUSTED, "%zu certificates, "
		    "more than the cache holds (%u)", n, PSTATE_CERT_MAX);
	for (i = 0; i < n; i++)
		if (!entry_valid(&certs[i]))
			return ss_error_set(e, SS_ERR_INVALID, "certificate "
			    "entry %zu is not well-formed", i);
	if ((news = calloc(n + 1, sizeof(*news))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < n; i++) {
		news[i].c = &certs[i];
		news[i].order = i;
	}
	qsort(news, n, sizeof(*news), cmp_ref);
	if ((rc = pstate_lock(st, e)) == SS_OK) {
		rc = put_locked(st, news, n, now, e);
		pstate_unlock(st);
	}
	free(news);
	return rc;
}

int
pstate_cert_forget(struct pstate *st,
    const uint8_t fingerprint[PSTATE_HASH_LEN], struct ss_error *e)
{
	struct pstate_cert *v;
	size_t n;
	long i;
	int rc;

	if ((rc = pstate_lock(st, e)) != SS_OK)
		return rc;
	rc = load_certs(st, e);
	if (rc == SS_OK && (i = find(&st->certs, fingerprint)) >= 0) {
		n = st->certs.n;
		if ((v = calloc(n, sizeof(*v))) == NULL)
			rc = ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		else {
			memcpy(v, st->certs.v, (size_t)i * sizeof(*v));
			memcpy(v + i, st->certs.v + i + 1,
			    (n - (size_t)i - 1) * sizeof(*v));
			rc = save_certs(st, v, n - 1, e);
		}
	}
	pstate_unlock(st);
	return rc;
}

int
pstate_cert_entries(struct pstate *st, const struct pstate_cert **certs,
    size_t *n, struct ss_error *e)
{
	int rc;

	if (!st->certs.loaded && (rc = load_certs(st, e)) != SS_OK)
		return rc;
	*certs = st->certs.v;
	*n = st->certs.n;
	return SS_OK;
}

/* ---- from and against OpenSSL's objects ------------------------------- */

/* The certificate's notAfter as Unix time. */
static int
not_after(X509 *cert, uint64_t *out)
{
	struct tm tm;
	time_t t;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1)
		return SS_ERR_INVALID;
	if ((t = timegm(&tm)) <= 0)
		return SS_ERR_RANGE;
	*out = (uint64_t)t;
	return SS_OK;
}

/* The serial number's magnitude, big-endian, refusing a negative one. */
static int
serial_of(X509 *cert, uint8_t out[PSTATE_SERIAL_MAX], size_t *len)
{
	BIGNUM *bn;
	int n, rc = SS_ERR_INVALID;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert),
	    NULL)) == NULL)
		return SS_ERR_CRYPTO;
	n = BN_num_bytes(bn);
	if (n < 1)
		n = 1;
	if (!BN_is_negative(bn) && n <= PSTATE_SERIAL_MAX &&
	    BN_bn2binpad(bn, out, n) == n) {
		*len = (size_t)n;
		rc = SS_OK;
	}
	BN_free(bn);
	return rc;
}

int
pstate_cert_fill(X509 *cert, enum pstate_cert_kind kind, const char *name,
    const uint8_t ca[PSTATE_HASH_LEN], const uint8_t *pk, uint64_t verified_at,
    struct pstate_cert *out, struct ss_error *e)
{
	memset(out, 0, sizeof(*out));
	if (cert == NULL || !name_valid(name) ||
	    (kind != PSTATE_CERT_TLS && kind != PSTATE_CERT_ENC) ||
	    (kind == PSTATE_CERT_ENC) != (pk != NULL))
		return ss_error_set(e, SS_ERR_INVALID, "no certificate entry "
		    "of that kind");
	if (statement_cert_digest(cert, out->fingerprint) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash the "
		    "certificate");
	if (not_after(cert, &out->not_after) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "%s's certificate has no "
		    "usable notAfter", name);
	if (serial_of(cert, out->serial, &out->serial_len) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "%s's certificate has a "
		    "serial number that is negative or over %d bytes", name,
		    PSTATE_SERIAL_MAX);
	memcpy(out->ca, ca, PSTATE_HASH_LEN);
	out->kind = kind;
	memcpy(out->name, name, strlen(name) + 1);
	out->verified_at = verified_at;
	if (pk != NULL)
		memcpy(out->pk, pk, HPKE_KEY_LEN);
	if (!entry_valid(out))
		return ss_error_set(e, SS_ERR_INVALID, "%s's certificate makes "
		    "no valid cache entry (an all-zero key?)", name);
	return SS_OK;
}

int
pstate_cert_revoked(const struct pstate_cert *c, X509_CRL *crl)
{
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *serial;
	BIGNUM *bn;
	int found;

	if (c == NULL || crl == NULL || c->serial_len < 1 ||
	    c->serial_len > PSTATE_SERIAL_MAX)
		return SS_ERR_INVALID;
	bn = BN_bin2bn(c->serial, (int)c->serial_len, NULL);
	serial = bn != NULL ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	BN_free(bn);
	if (serial == NULL) {
		ERR_clear_error();
		return SS_ERR_CRYPTO;
	}
	/* 1: listed; 2: listed as removeFromCRL (a delta CRL's un-revoke). */
	found = X509_CRL_get0_by_serial(crl, &rev, serial);
	ASN1_INTEGER_free(serial);
	return found == 1;
}
