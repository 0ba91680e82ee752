/*
 * pstate.c: a party's records per session digest D and per session name;
 * pstate.h says what they are for, pstate_folder.c where the folder is and
 * who may use it, pstate_file.c how a record reaches the disk,
 * pstate_kept.c the submission kept, pstate_cert.c the certificate cache.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "pstate_internal.h"
#include "statement.h"

#define INPUT_CONTEXT   "secure-sum/v2 input"
#define DID_ALL         (PSTATE_DID_SUBMIT | PSTATE_DID_COHORT | \
                         PSTATE_DID_SUMPOINT)
/* The body of a D record at its longest (the layout is in encode_record). */
#define RECORD_BODY_MAX (PARAMS_DIGEST_LEN + 4 + SESSION_ID_MAX_LEN + 1 + \
                         2 * PSTATE_HASH_LEN + 4 + PSTATE_BITMAP_MAX + \
                         3 * PSTATE_HASH_LEN)
#define INSTANCE_LEN    (PARAMS_DIGEST_LEN + 2 * PSTATE_HASH_LEN)
#define SESSION_BODY_MAX (4 + SESSION_ID_MAX_LEN + 4 + \
                         (size_t)PSTATE_MAX_INSTANCES * INSTANCE_LEN)
/* How much of a digest a message shows: 8 bytes, 16 hex digits. */
#define SHOWN           8
#define SHOWN_HEX       (2 * SHOWN + 1)
/* The room a cohort takes in a message (two must fit in one). */
#define COHORT_TEXT     320
/* An apply function's answer when the record already says the same. */
#define UNCHANGED       1
/* ... and when another SUBMIT is on record (not saved, passed on). */
#define OTHER_SUBMIT    PSTATE_OTHER_SUBMIT

/* ---- digests of inputs ------------------------------------------------ */

int
pstate_input_hash(const int64_t *values, size_t L, uint8_t h[PSTATE_HASH_LEN])
{
	uint8_t chunk[256 * 8];
	unsigned int hlen = 0;
	EVP_MD_CTX *md;
	size_t i, k = 0;
	int ok;

	if (values == NULL && L > 0)
		return SS_ERR_INVALID;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return SS_ERR_CRYPTO;
	buf_store_u64(chunk, (uint64_t)L);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, INPUT_CONTEXT, sizeof(INPUT_CONTEXT)) == 1 &&
	    EVP_DigestUpdate(md, chunk, 8) == 1;
	for (i = 0; ok && i < L; i++) {
		buf_store_u64(chunk + 8 * k, (uint64_t)values[i]);
		if (++k == sizeof(chunk) / 8 || i + 1 == L) {
			ok = EVP_DigestUpdate(md, chunk, 8 * k) == 1;
			k = 0;
		}
	}
	ok = ok && EVP_DigestFinal_ex(md, h, &hlen) == 1 &&
	    hlen == PSTATE_HASH_LEN;
	OPENSSL_cleanse(chunk, sizeof(chunk));
	EVP_MD_CTX_free(md);
	if (!ok)
		OPENSSL_cleanse(h, PSTATE_HASH_LEN);
	return ok ? SS_OK : SS_ERR_CRYPTO;
}

/* What is stored of an input: SHA-256(salt || h). */
static int
salted_digest(const uint8_t salt[PSTATE_HASH_LEN],
    const uint8_t h[PSTATE_HASH_LEN], uint8_t out[PSTATE_HASH_LEN])
{
	uint8_t both[2 * PSTATE_HASH_LEN];
	unsigned int hlen = 0;
	int ok;

	memcpy(both, salt, PSTATE_HASH_LEN);
	memcpy(both + PSTATE_HASH_LEN, h, PSTATE_HASH_LEN);
	ok = EVP_Digest(both, sizeof(both), out, &hlen, EVP_sha256(),
	    NULL) == 1 && hlen == PSTATE_HASH_LEN;
	OPENSSL_cleanse(both, sizeof(both));
	return ok ? SS_OK : SS_ERR_CRYPTO;
}

/* ---- the instances of a session name ---------------------------------- */

/*
 * Instances are listed by session NAME, every creator's CREATOR/NAME in one
 * list: given a bare NAME and the parameters as flags, the server chooses
 * whose CREATOR/NAME the client joins (PROTOCOL.md 2.1), so a list per
 * CREATOR/NAME would let a corrupt party's copy of a session (the same
 * parameters, its own namespace) take an input a second time unnoticed.
 * Versions before kept a list per CREATOR/NAME: read still, never written.
 */

/* One earlier (or this) instance: its D and the input shared under it. */
struct instance {
	uint8_t d[PARAMS_DIGEST_LEN];
	uint8_t salt[PSTATE_HASH_LEN];
	uint8_t digest[PSTATE_HASH_LEN];
};

_Static_assert(sizeof(struct instance) == INSTANCE_LEN,
    "an instance is written as it lies in memory");

struct instances {
	const char *session_id;
	struct instance *v;
	uint32_t n;
};

/*
 * s-NAME for a list by name (or a bare session id, whose list is the same);
 * s-CREATOR+NAME for an older list, the '/' as '+' (which no name holds).
 */
static void
session_file(const char *session_id, char out[PFILE_NAME_MAX])
{
	char *slash;

	snprintf(out, PFILE_NAME_MAX, "s-%s", session_id);
	if ((slash = strchr(out, '/')) != NULL)
		*slash = '+';
}

/* A list's body into arg, a struct instances naming its session id. */
static int
decode_instances(const uint8_t *body, size_t len, void *arg)
{
	struct instances *list = arg;
	char sid[SESSION_ID_BUF];
	struct buf_reader r;
	const uint8_t *p;
	uint32_t i, n;

	buf_reader_init(&r, body, len);
	if (buf_get_string(&r, sid, sizeof(sid)) != SS_OK ||
	    strcmp(sid, list->session_id) != 0 ||
	    buf_get_u32(&r, &n) != SS_OK || n > PSTATE_MAX_INSTANCES ||
	    buf_remaining(&r) != (size_t)n * INSTANCE_LEN)
		return SS_ERR_INVALID;
	if (n > 0 && (list->v = calloc(n, sizeof(*list->v))) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		/* Cannot fail: the length was checked above. */
		if (buf_get_bytes(&r, INSTANCE_LEN, &p) != SS_OK)
			break;
		memcpy(&list->v[i], p, INSTANCE_LEN);
	}
	list->n = i;
	return SS_OK;
}

/* The instances listed under key; an empty list when there is no file. */
static int
load_instances(struct pstate *st, const char *key,
    struct instances *list, struct ss_error *e)
{
	char name[PFILE_NAME_MAX];
	int rc;

	memset(list, 0, sizeof(*list));
	list->session_id = key;
	session_file(key, name);
	rc = pfile_load(st, name, PFILE_KIND_SESSION, SESSION_BODY_MAX,
	    decode_instances, list, "not a well-formed list of instances", e);
	if (rc == SS_ERR_NOT_FOUND)
		rc = SS_OK;
	if (rc != SS_OK) {
		free(list->v);
		list->v = NULL;
		list->n = 0;
	}
	return rc;
}

static int
save_instances(struct pstate *st, const char *session_id,
    const struct instances *list, struct ss_error *e)
{
	char name[PFILE_NAME_MAX];
	struct buf_writer w;
	uint32_t i;

	buf_writer_init(&w, SESSION_BODY_MAX);
	buf_put_string(&w, session_id);
	buf_put_u32(&w, list->n);
	for (i = 0; i < list->n; i++)
		buf_put(&w, &list->v[i], INSTANCE_LEN);
	session_file(session_id, name);
	return pfile_write(st, name, PFILE_KIND_SESSION, &w, e);
}

/* The index of d in list, or list->n when it is not there. */
static uint32_t
find_instance(const struct instances *list, const uint8_t d[PARAMS_DIGEST_LEN])
{
	uint32_t i;

	for (i = 0; i < list->n; i++)
		if (memcmp(list->v[i].d, d, PARAMS_DIGEST_LEN) == 0)
			break;
	return i;
}

/*
 * Under the lock: writes list with `in` at index i (list->n: appended),
 * unless it holds `in` there already.
 */
static int
put_instance(struct pstate *st, struct instances *list, uint32_t i,
    const struct instance *in, struct ss_error *e)
{
	struct instance *grown;

	if (i < list->n && memcmp(&list->v[i], in, sizeof(*in)) == 0)
		return SS_OK;
	if (i == list->n) {
		if (list->n >= PSTATE_MAX_INSTANCES)
			return ss_error_set(e, SS_ERR_EXHAUSTED, "session name "
			    "%s already has %u instances recorded in %s",
			    list->session_id, PSTATE_MAX_INSTANCES, st->path);
		grown = realloc(list->v, (list->n + 1) * sizeof(*list->v));
		if (grown == NULL)
			return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
		list->v = grown;
		list->n++;
	}
	list->v[i] = *in;
	return save_instances(st, list->session_id, list, e);
}

/*
 * Whether h was listed under key for another D than d: 1 (its D in
 * used_under, if not NULL), 0, or an SS_ERR_* code.
 */
static int
listed_elsewhere(struct pstate *st, const char *key,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t h[PSTATE_HASH_LEN],
    uint8_t used_under[PARAMS_DIGEST_LEN], struct ss_error *e)
{
	uint8_t digest[PSTATE_HASH_LEN];
	struct instances list;
	uint32_t i;
	int rc;

	/* No lock: a rename replaces a file whole, so a read sees one. */
	if ((rc = load_instances(st, key, &list, e)) != SS_OK)
		return rc;
	for (i = 0; i < list.n && rc == 0; i++) {
		if (memcmp(list.v[i].d, d, PARAMS_DIGEST_LEN) == 0)
			continue;
		if (salted_digest(list.v[i].salt, h, digest) != SS_OK)
			rc = ss_error_set(e, SS_ERR_CRYPTO, "cannot hash");
		else if (CRYPTO_memcmp(digest, list.v[i].digest,
		    PSTATE_HASH_LEN) == 0) {
			if (used_under != NULL)
				memcpy(used_under, list.v[i].d,
				    PARAMS_DIGEST_LEN);
			rc = 1;
		}
	}
	free(list.v);
	return rc;
}

/* What pstate_input_reused asks of each older list (s-CREATOR+NAME). */
struct reuse_query {
	struct pstate *st;
	const char *name;
	const uint8_t *d, *h;
	uint8_t *used_under;
};

/* pfile_each's function: listed_elsewhere for an older list of q->name. */
static int
older_list(const char *file, void *arg, struct ss_error *e)
{
	const struct reuse_query *q = arg;
	char sid[SESSION_ID_BUF];
	const char *plus = strchr(file, '+');
	size_t len = strlen(file + 2);

	if (plus == NULL || strcmp(plus + 1, q->name) != 0 ||
	    len >= sizeof(sid))
		return SS_OK;
	memcpy(sid, file + 2, len + 1);
	sid[plus - (file + 2)] = '/';
	/* A file of another name is not a list (pfile_load would refuse). */
	if (!session_id_valid(sid))
		return SS_OK;
	return listed_elsewhere(q->st, sid, q->d, q->h, q->used_under, e);
}

int
pstate_input_reused(struct pstate *st, const char *session_id,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t h[PSTATE_HASH_LEN],
    uint8_t used_under[PARAMS_DIGEST_LEN], struct ss_error *e)
{
	struct reuse_query q = { st, NULL, d, h, used_under };
	int rc;

	if (!session_id_valid(session_id))
		return ss_error_set(e, SS_ERR_INVALID, "not a session id");
	q.name = session_id_name(session_id);
	if ((rc = listed_elsewhere(st, q.name, d, h, used_under, e)) != 0)
		return rc;
	/* Every creator's older list of the name, not only session_id's. */
	return pfile_each(st, "s-", older_list, &q, e);
}

/* ---- the record of one D ---------------------------------------------- */

static void
digest_file(const uint8_t d[PARAMS_DIGEST_LEN], char out[PFILE_NAME_MAX])
{
	memcpy(out, "d-", 2);
	pfile_hex(out + 2, d, PARAMS_DIGEST_LEN);
}

/* The first SHOWN bytes of p in hex, for messages. */
static const char *
shown(char out[SHOWN_HEX], const uint8_t *p)
{
	pfile_hex(out, p, SHOWN);
	return out;
}

/* 1 if the bitmap of n parties sets no bit past n (one spelling only). */
static int
bitmap_tail_clear(const uint8_t *bitmap, uint32_t n)
{
	return n % 8 == 0 ||
	    (bitmap[statement_bitmap_len(n) - 1] >> (n % 8)) == 0;
}

/*
 * The body of a D record, integers little-endian; a part not recorded yet
 * (its PSTATE_DID_* bit clear) is zero, and the cohort then has n = 0:
 *
 *   D               32 bytes
 *   session id      u32 length, bytes
 *   did             u8: PSTATE_DID_* bits
 *   salt, digest    32 + 32 bytes: the input, SHA-256(salt || H)
 *   n               u32
 *   cohort          ceil(n / 8) bytes, statement.h's bitmap
 *   submits         32 bytes: the COHORT's submits digest
 *   sumpoint        32 bytes: the digest of the values posted
 *   submit          32 bytes: the digest of the SUBMIT body kept; absent
 *                   from the records of versions that kept none
 */
static void
encode_record(const struct pstate_record *r, struct buf_writer *w)
{
	buf_put(w, r->d, PARAMS_DIGEST_LEN);
	buf_put_string(w, r->session_id);
	buf_put_u8(w, (uint8_t)r->did);
	buf_put(w, r->salt, PSTATE_HASH_LEN);
	buf_put(w, r->input_digest, PSTATE_HASH_LEN);
	buf_put_u32(w, r->n);
	buf_put(w, r->cohort, statement_bitmap_len(r->n));
	buf_put(w, r->submits, PSTATE_HASH_LEN);
	buf_put(w, r->sumpoint, PSTATE_HASH_LEN);
	buf_put(w, r->submit, PSTATE_HASH_LEN);
}

/* 1 if what r holds is exactly what its did bits say was recorded. */
static int
record_consistent(const struct pstate_record *r)
{
	int in = (r->did & PSTATE_DID_SUBMIT) != 0;
	int co = (r->did & PSTATE_DID_COHORT) != 0;
	int su = (r->did & PSTATE_DID_SUMPOINT) != 0;

	return (r->did & ~DID_ALL) == 0 && session_id_valid(r->session_id) &&
	    in == !pfile_all_zero(r->input_digest, PSTATE_HASH_LEN) &&
	    (in || pfile_all_zero(r->salt, PSTATE_HASH_LEN)) &&
	    co == (r->n != 0) && su == !pfile_all_zero(r->sumpoint, PSTATE_HASH_LEN) &&
	    co == !pfile_all_zero(r->submits, PSTATE_HASH_LEN) &&
	    (in || pfile_all_zero(r->submit, PSTATE_HASH_LEN)) &&
	    (!co || (r->n >= PARAMS_MIN_PARTIES && r->n <= PARAMS_MAX_PARTIES &&
	    bitmap_tail_clear(r->cohort, r->n) &&
	    !pfile_all_zero(r->cohort, statement_bitmap_len(r->n))));
}

/*
 * Parses what encode_record wrote, and nothing else, into arg: a struct
 * pstate_record whose d is the D the record must be of.
 */
static int
decode_record(const uint8_t *body, size_t len, void *arg)
{
	struct pstate_record *r = arg;
	uint8_t want[PARAMS_DIGEST_LEN], did;
	struct buf_reader br;

	memcpy(want, r->d, PARAMS_DIGEST_LEN);
	memset(r, 0, sizeof(*r));
	buf_reader_init(&br, body, len);
	if (buf_get_copy(&br, r->d, PARAMS_DIGEST_LEN) != SS_OK ||
	    memcmp(r->d, want, PARAMS_DIGEST_LEN) != 0 ||
	    buf_get_string(&br, r->session_id, sizeof(r->session_id)) != SS_OK ||
	    buf_get_u8(&br, &did) != SS_OK ||
	    buf_get_copy(&br, r->salt, PSTATE_HASH_LEN) != SS_OK ||
	    buf_get_copy(&br, r->input_digest, PSTATE_HASH_LEN) != SS_OK ||
	    buf_get_u32(&br, &r->n) != SS_OK || r->n > PARAMS_MAX_PARTIES ||
	    buf_get_copy(&br, r->cohort, statement_bitmap_len(r->n)) != SS_OK ||
	    buf_get_copy(&br, r->submits, PSTATE_HASH_LEN) != SS_OK ||
	    buf_get_copy(&br, r->sumpoint, PSTATE_HASH_LEN) != SS_OK ||
	    /* An older version's record ends here. */
	    (buf_remaining(&br) != 0 &&
	    buf_get_copy(&br, r->submit, PSTATE_HASH_LEN) != SS_OK) ||
	    buf_remaining(&br) != 0)
		return SS_ERR_INVALID;
	r->did = did;
	return record_consistent(r) ? SS_OK : SS_ERR_INVALID;
}

/* The record of d; SS_ERR_NOT_FOUND (r then empty but for d) if none. */
static int
load_record(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    struct pstate_record *r, struct ss_error *e)
{
	char name[PFILE_NAME_MAX];
	int rc;

	memset(r, 0, sizeof(*r));
	memcpy(r->d, d, PARAMS_DIGEST_LEN);
	digest_file(d, name);
	rc = pfile_load(st, name, PFILE_KIND_DIGEST, RECORD_BODY_MAX,
	    decode_record, r, "not a well-formed record of this session "
	    "digest", e);
	if (rc != SS_OK) {
		memset(r, 0, sizeof(*r));
		memcpy(r->d, d, PARAMS_DIGEST_LEN);
	}
	return rc;
}

static int
save_record(struct pstate *st, const struct pstate_record *r,
    struct ss_error *e)
{
	char name[PFILE_NAME_MAX];
	struct buf_writer w;

	digest_file(r->d, name);
	buf_writer_init(&w, RECORD_BODY_MAX);
	encode_record(r, &w);
	return pfile_write(st, name, PFILE_KIND_DIGEST, &w, e);
}

int
pstate_get(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    struct pstate_record *out, struct ss_error *e)
{
	return load_record(st, d, out, e);
}

/* ---- setting a part of a record, once --------------------------------- */

/*
 * Sets one part of the record r, under the lock: SS_OK (r changed: it is
 * saved), UNCHANGED (r already says the same), or an error.
 */
typedef int (*apply_fn)(struct pstate *st, struct pstate_record *r,
    const void *arg, struct ss_error *e);

static int
update_record(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const char *session_id, apply_fn apply, const void *arg,
    struct ss_error *e)
{
	char dh[SHOWN_HEX];
	struct pstate_record r;
	int rc;

	if (!session_id_valid(session_id))
		return ss_error_set(e, SS_ERR_INVALID, "not a session id");
	if ((rc = pstate_lock(st, e)) != SS_OK)
		return rc;
	rc = load_record(st, d, &r, e);
	if (rc == SS_ERR_NOT_FOUND) {
		memcpy(r.session_id, session_id, strlen(session_id) + 1);
		rc = SS_OK;
	} else if (rc == SS_OK && strcmp(r.session_id, session_id) != 0)
		/* D hashes the session id: the caller mixed two sessions. */
		rc = ss_error_set(e, SS_ERR_INVALID, "session digest %s... is "
		    "recorded for session %s, not %s", shown(dh, d),
		    r.session_id, session_id);
	if (rc == SS_OK)
		rc = apply(st, &r, arg, e);
	if (rc == SS_OK)
		rc = save_record(st, &r, e);
	else if (rc == UNCHANGED)
		rc = SS_OK;
	pstate_unlock(st);
	return rc;
}

/*
 * SS_OK if the input of salted digest `digest` is the one r records
 * (`known`, or none), else the refusal to share another under r's D.
 */
static int
same_input(const struct pstate_record *r, const uint8_t *known,
    const uint8_t digest[PSTATE_HASH_LEN], struct ss_error *e)
{
	char dh[SHOWN_HEX], had[SHOWN_HEX], want[SHOWN_HEX];

	if (known == NULL || CRYPTO_memcmp(digest, known, PSTATE_HASH_LEN) == 0)
		return SS_OK;
	return ss_error_set(e, SS_ERR_EXISTS, "under session digest %s... "
	    "(session %s) this party already recorded sharing the input with "
	    "digest %s...; refusing to share another (%s...)", shown(dh, r->d),
	    r->session_id, shown(had, known), shown(want, digest));
}

/*
 * `in` for the input whose hash is h under r's D, salted as before if an
 * input was recorded there: with the record's salt, or the salt `listed`
 * for r's D (a crash came between the two writes: nothing was sent, but
 * another input is not shared under that D either); else a new salt.
 * *known is then the digest recorded before, or NULL.
 */
static int
salt_input(const struct pstate_record *r, const struct instance *listed,
    const uint8_t *h, struct instance *in, const uint8_t **known,
    struct ss_error *e)
{
	memcpy(in->d, r->d, PARAMS_DIGEST_LEN);
	*known = NULL;
	if (r->did & PSTATE_DID_SUBMIT) {
		memcpy(in->salt, r->salt, PSTATE_HASH_LEN);
		*known = r->input_digest;
	} else if (listed != NULL) {
		memcpy(in->salt, listed->salt, PSTATE_HASH_LEN);
		*known = listed->digest;
	} else if (RAND_bytes(in->salt, PSTATE_HASH_LEN) != 1)
		return ss_error_set(e, SS_ERR_CRYPTO, "no random salt");
	if (salted_digest(in->salt, h, in->digest) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash");
	return SS_OK;
}

/*
 * What the list of r's session name holds for r's D (list->v[i]), or else
 * an older version's list of its CREATOR/NAME: into *out, 1; 0 if neither.
 */
static int
find_listed(struct pstate *st, const struct pstate_record *r,
    const struct instances *list, uint32_t i, struct instance *out,
    struct ss_error *e)
{
	struct instances older;
	uint32_t j;
	int rc;

	if (i < list->n) {
		*out = list->v[i];
		return 1;
	}
	if (!session_id_qualified(r->session_id))
		return 0;
	if ((rc = load_instances(st, r->session_id, &older, e)) != SS_OK)
		return rc;
	if ((j = find_instance(&older, r->d)) < older.n)
		*out = older.v[j];
	rc = j < older.n;
	free(older.v);
	return rc;
}

/*
 * The input's hash, H: listed under the session name first, then
 * recorded.
 */
static int
apply_input(struct pstate *st, struct pstate_record *r, const void *arg,
    struct ss_error *e)
{
	struct instance in, listed;
	struct instances list;
	const uint8_t *known;
	uint32_t i;
	int rc;

	if ((rc = load_instances(st, session_id_name(r->session_id), &list,
	    e)) != SS_OK)
		return rc;
	i = find_instance(&list, r->d);
	if ((rc = find_listed(st, r, &list, i, &listed, e)) >= 0)
		rc = salt_input(r, rc == 1 ? &listed : NULL, arg, &in, &known,
		    e);
	if (rc == SS_OK)
		rc = same_input(r, known, in.digest, e);
	/*
	 * The list first, then the record (by the caller): a crash between
	 * the two leaves the input listed, which is what a retry checks.
	 */
	if (rc == SS_OK)
		rc = put_instance(st, &list, i, &in, e);
	free(list.v);
	OPENSSL_cleanse(&listed, sizeof(listed));
	if (rc != SS_OK)
		return rc;
	if (r->did & PSTATE_DID_SUBMIT)
		return UNCHANGED;
	memcpy(r->salt, in.salt, PSTATE_HASH_LEN);
	memcpy(r->input_digest, in.digest, PSTATE_HASH_LEN);
	r->did |= PSTATE_DID_SUBMIT;
	return SS_OK;
}

int
pstate_record_input(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const char *session_id, const uint8_t h[PSTATE_HASH_LEN],
    struct ss_error *e)
{
	return update_record(st, d, session_id, apply_input, h, e);
}

struct submission_arg {
	const uint8_t *h;
	const struct pstate_submission *sub;
	uint8_t digest[PSTATE_HASH_LEN];        /* of sub's SUBMIT body */
};

/* The input as apply_input sets it, then the submission, kept once. */
static int
apply_submission(struct pstate *st, struct pstate_record *r, const void *arg,
    struct ss_error *e)
{
	const struct submission_arg *a = arg;
	int rc;

	rc = apply_input(st, r, a->h, e);
	if (rc != SS_OK && rc != UNCHANGED)
		return rc;
	if (!pfile_all_zero(r->submit, PSTATE_HASH_LEN))
		return CRYPTO_memcmp(r->submit, a->digest, PSTATE_HASH_LEN) ==
		    0 ? UNCHANGED : OTHER_SUBMIT;
	/*
	 * The copy first, then the record that names it: a crash between
	 * the two leaves a copy that no record names, which nothing reads
	 * and the next submission under d replaces.
	 */
	if ((rc = pkept_write(st, r->d, a->sub, e)) != SS_OK)
		return rc;
	memcpy(r->submit, a->digest, PSTATE_HASH_LEN);
	return SS_OK;
}

int
pstate_record_submission(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const char *session_id,
    const uint8_t h[PSTATE_HASH_LEN], const struct pstate_submission *sub,
    struct ss_error *e)
{
	struct submission_arg a;

	if (sub == NULL || sub->body == NULL || sub->body_len == 0)
		return ss_error_set(e, SS_ERR_INVALID, "a submission without "
		    "its SUBMIT");
	a.h = h;
	a.sub = sub;
	if (statement_hash(sub->body, sub->body_len, a.digest) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash");
	return update_record(st, d, session_id, apply_submission, &a, e);
}

/* The submission on record in r, for the input whose hash is h. */
static int
load_submission(struct pstate *st, const struct pstate_record *r,
    const uint8_t h[PSTATE_HASH_LEN], struct pstate_submission *out,
    struct ss_error *e)
{
	char dh[SHOWN_HEX], had[SHOWN_HEX], name[PFILE_NAME_MAX];
	uint8_t digest[PSTATE_HASH_LEN];
	int rc;

	digest_file(r->d, name);
	if (!(r->did & PSTATE_DID_SUBMIT))
		return ss_error_set(e, SS_ERR_NOT_FOUND, "%s/%s records no input "
		    "shared under session digest %s...", st->path, name,
		    shown(dh, r->d));
	if (salted_digest(r->salt, h, digest) != SS_OK)
		return ss_error_set(e, SS_ERR_CRYPTO, "cannot hash");
	if ((rc = same_input(r, r->input_digest, digest, e)) != SS_OK)
		return rc;
	if (pfile_all_zero(r->submit, PSTATE_HASH_LEN))
		return ss_error_set(e, SS_ERR_NOT_FOUND, "%s/%s records no SUBMIT "
		    "under session digest %s... (a record written before "
		    "submissions were kept)", st->path, name, shown(dh, r->d));
	rc = pkept_read(st, r->d, r->submit, out, e);
	if (rc != SS_ERR_NOT_FOUND)
		return rc;
	pkept_name(r->d, name);
	return ss_error_set(e, SS_ERR_PRECONDITION, "under session digest "
	    "%s... (session %s) this party signed the SUBMIT with digest "
	    "%s..., and the copy it kept to send again, %s/%s, is gone; "
	    "refusing to sign another, which would prove it dishonest",
	    shown(dh, r->d), r->session_id, shown(had, r->submit), st->path,
	    name);
}

int
pstate_submission_load(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const uint8_t h[PSTATE_HASH_LEN],
    struct pstate_submission *out, struct ss_error *e)
{
	struct pstate_record r;
	int rc;

	memset(out, 0, sizeof(*out));
	/* Under the lock: the record and its copy as one command left them. */
	if ((rc = pstate_lock(st, e)) != SS_OK)
		return rc;
	rc = load_record(st, d, &r, e);
	if (rc == SS_OK)
		rc = load_submission(st, &r, h, out, e);
	pstate_unlock(st);
	return rc;
}

/* Appends to out, of COHORT_TEXT bytes, at *off; never past its end. */
static void __attribute__((format(printf, 3, 4)))
append(char *out, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*off >= COHORT_TEXT - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(out + *off, COHORT_TEXT - *off, fmt, ap);
	va_end(ap);
	if (k > 0)
		*off = *off + (size_t)k < COHORT_TEXT - 1 ?
		    *off + (size_t)k : COHORT_TEXT - 1;
}

/*
 * A cohort for a message: "{1, 2, 5} of 7 (3 in it)", the members cut
 * short with "..." where they would not leave room for the rest.
 */
static void
cohort_text(char out[COHORT_TEXT], uint32_t n, const uint8_t *bitmap)
{
	uint32_t pos, count = 0;
	size_t off = 0;
	int cut = 0;

	out[0] = '\0';
	append(out, &off, "{");
	for (pos = 1; pos <= n; pos++) {
		if (!statement_bitmap_has(bitmap, n, pos))
			continue;
		if (off < COHORT_TEXT - 48)
			append(out, &off, count > 0 ? ", %u" : "%u",
			    (unsigned)pos);
		else if (!cut) {
			append(out, &off, ", ...");
			cut = 1;
		}
		count++;
	}
	append(out, &off, "} of %u (%u in it)", (unsigned)n, (unsigned)count);
}

struct cohort_arg {
	uint32_t n;
	const uint8_t *bitmap;
	const uint8_t *submits;
};

static int
apply_cohort(struct pstate *st, struct pstate_record *r, const void *arg,
    struct ss_error *e)
{
	const struct cohort_arg *c = arg;
	char dh[SHOWN_HEX], had[COHORT_TEXT], want[COHORT_TEXT];
	size_t len = statement_bitmap_len(c->n);

	(void)st;
	if (!(r->did & PSTATE_DID_COHORT)) {
		r->n = c->n;
		memcpy(r->cohort, c->bitmap, len);
		memcpy(r->submits, c->submits, PSTATE_HASH_LEN);
		r->did |= PSTATE_DID_COHORT;
		return SS_OK;
	}
	if (r->n == c->n && memcmp(r->cohort, c->bitmap, len) == 0 &&
	    memcmp(r->submits, c->submits, PSTATE_HASH_LEN) == 0)
		return UNCHANGED;
	cohort_text(had, r->n, r->cohort);
	cohort_text(want, c->n, c->bitmap);
	if (strcmp(had, want) == 0)
		return ss_error_set(e, SS_ERR_EXISTS, "under session digest "
		    "%s... (session %s) this party already signed the cohort "
		    "%s over other SUBMITs of its members (submits digest "
		    "%s...); refusing to sign it over these", shown(dh, r->d),
		    r->session_id, had, shown(want, r->submits));
	return ss_error_set(e, SS_ERR_EXISTS, "under session digest %s... "
	    "(session %s) this party already signed the cohort %s; refusing "
	    "to sign another, %s", shown(dh, r->d), r->session_id, had, want);
}

int
pstate_record_cohort(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const char *session_id, uint32_t n, const uint8_t *bitmap,
    const uint8_t submits[PSTATE_HASH_LEN], struct ss_error *e)
{
	struct cohort_arg c = { n, bitmap, submits };

	if (submits == NULL || pfile_all_zero(submits, PSTATE_HASH_LEN))
		return ss_error_set(e, SS_ERR_INVALID, "a cohort without a "
		    "submits digest");
	if (n < PARAMS_MIN_PARTIES || n > PARAMS_MAX_PARTIES || bitmap == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "a cohort of %u parties",
		    (unsigned)n);
	if (!bitmap_tail_clear(bitmap, n) ||
	    pfile_all_zero(bitmap, statement_bitmap_len(n)))
		return ss_error_set(e, SS_ERR_INVALID, "a cohort bitmap %s",
		    bitmap_tail_clear(bitmap, n) ? "with no member" :
		    "with bits set past its parties");
	return update_record(st, d, session_id, apply_cohort, &c, e);
}

static int
apply_sumpoint(struct pstate *st, struct pstate_record *r, const void *arg,
    struct ss_error *e)
{
	char dh[SHOWN_HEX], had[SHOWN_HEX], want[SHOWN_HEX];

	(void)st;
	if (!(r->did & PSTATE_DID_SUMPOINT)) {
		memcpy(r->sumpoint, arg, PSTATE_HASH_LEN);
		r->did |= PSTATE_DID_SUMPOINT;
		return SS_OK;
	}
	if (memcmp(r->sumpoint, arg, PSTATE_HASH_LEN) == 0)
		return UNCHANGED;
	return ss_error_set(e, SS_ERR_EXISTS, "under session digest %s... "
	    "(session %s) this party already posted the sumpoint with values "
	    "digest %s...; refusing to post another (%s...)", shown(dh, r->d),
	    r->session_id, shown(had, r->sumpoint), shown(want, arg));
}

int
pstate_record_sumpoint(struct pstate *st,
    const uint8_t d[PARAMS_DIGEST_LEN], const char *session_id,
    const uint8_t values[PSTATE_HASH_LEN], struct ss_error *e)
{
	int rc;

	/* All zero is how a record says "none": not a digest anyone makes. */
	if (pfile_all_zero(values, PSTATE_HASH_LEN))
		return ss_error_set(e, SS_ERR_INVALID, "an all-zero values "
		    "digest");
	if ((rc = update_record(st, d, session_id, apply_sumpoint, values,
	    e)) == SS_OK)
		pkept_remove(st, d);
	return rc;
}

/* ---- rejoining -------------------------------------------------------- */

/* "SUBMIT, COHORT" for the bits of did. */
static void
did_text(char *out, size_t outlen, unsigned did)
{
	snprintf(out, outlen, "%s%s%s%s%s",
	    (did & PSTATE_DID_SUBMIT) ? "SUBMIT" : "",
	    (did & PSTATE_DID_SUBMIT) && (did & ~PSTATE_DID_SUBMIT) ? ", " : "",
	    (did & PSTATE_DID_COHORT) ? "COHORT" : "",
	    (did & PSTATE_DID_COHORT) && (did & PSTATE_DID_SUMPOINT) ? ", " : "",
	    (did & PSTATE_DID_SUMPOINT) ? "SUMPOINT" : "");
}

int
pstate_check_rejoin(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    unsigned held, struct ss_error *e)
{
	char dh[SHOWN_HEX], what[64];
	struct pstate_record r;
	unsigned missing;
	int rc;

	if ((held & ~DID_ALL) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "unknown statements "
		    "0x%x", held);
	rc = load_record(st, d, &r, e);
	if (rc != SS_OK && rc != SS_ERR_NOT_FOUND)
		return rc;
	if ((missing = held & ~r.did) == 0)
		return SS_OK;
	did_text(what, sizeof(what), missing);
	return ss_error_set(e, SS_ERR_PRECONDITION, "this party's records "
	    "for session digest %s... were lost: the server holds its %s, of "
	    "which %s has no record; refusing to act under this session "
	    "digest, lest it contradict what it sent", shown(dh, d), what,
	    st->path);
}
