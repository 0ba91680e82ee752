/*
 * snapshot.c: writing and loading the store's snapshot file.
 *
 * Layout (all integers big-endian):
 *   "SSUMSNAP" u32 version u64 journal_seq (the last journal record included)
 *   u32 nkeys,     each: str name, u32 len, len bytes of DER
 *   u32 nsessions, each: str id, u32 n, n * str party, u32 threshold,
 *     u32 length, u32 decimals, u32 deadline_seconds, u64 created_unix,
 *     u64 deadline_unix, u32 phase, str fail_reason, then per party:
 *     u8 flags (1 shares, 2 in cohort, 4 sumpoint), the n sealed shares it
 *     sent when flag 1, its L sumpoint values when flag 4
 *   SHA-256 of everything before it (32 bytes)
 * where str is u32 length + bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "field.h"
#include "snapshot.h"

#define MAGIC     "SSUMSNAP"
#define MAGIC_LEN 8
#define HASH_LEN  32

#define FLAG_SHARES   1
#define FLAG_COHORT   2
#define FLAG_SUMPOINT 4

/* A file being written, with its running hash. */
struct sink {
	FILE *f;
	EVP_MD_CTX *md;
	int failed;
	size_t unsynced;        /* bytes written since the last fdatasync */
};

/*
 * A snapshot is fsynced as it is written, every AUTOSYNC_BYTES (as Redis's
 * rdb-save-incremental-fsync): the kernel then never holds hundreds of MiB
 * of it dirty, which the journal's fdatasync would otherwise wait behind
 * (ext4 orders a commit after the data it allocated), holding every answer
 * under --fsync always.
 */
#define AUTOSYNC_BYTES (4u * 1024 * 1024)

static void
put(struct sink *k, const void *p, size_t n)
{
	if (k->failed || n == 0)
		return;
	if (fwrite(p, 1, n, k->f) != n || EVP_DigestUpdate(k->md, p, n) != 1) {
		k->failed = 1;
		return;
	}
	if ((k->unsynced += n) >= AUTOSYNC_BYTES) {
		k->unsynced = 0;
		if (fflush(k->f) != 0 || fdatasync(fileno(k->f)) != 0)
			k->failed = 1;
	}
}

static void
put_u32(struct sink *k, uint32_t v)
{
	uint8_t b[4];

	buf_store_u32_be(b, v);
	put(k, b, sizeof(b));
}

static void
put_u64(struct sink *k, uint64_t v)
{
	uint8_t b[8];

	buf_store_u64_be(b, v);
	put(k, b, sizeof(b));
}

static void
put_str(struct sink *k, const char *s)
{
	size_t n = strlen(s);

	put_u32(k, (uint32_t)n);
	put(k, s, n);
}

static void
put_session(struct sink *k, const struct session *se)
{
	uint32_t i;
	size_t e;

	put_str(k, se->p.id);
	put_u32(k, se->p.n);
	for (i = 0; i < se->p.n; i++)
		put_str(k, se->p.parties[i]);
	put_u32(k, se->p.threshold);
	put_u32(k, se->p.length);
	put_u32(k, se->p.decimals);
	put_u32(k, se->p.deadline_seconds);
	put_u64(k, se->created_unix);
	put_u64(k, se->deadline_unix);
	put_u32(k, (uint32_t)se->phase);
	put_str(k, se->fail_reason);
	for (i = 0; i < se->p.n; i++) {
		uint8_t flags = (se->shares[i] ? FLAG_SHARES : 0) |
		    (se->in_cohort[i] ? FLAG_COHORT : 0) |
		    (se->sumpoints[i] ? FLAG_SUMPOINT : 0);

		put(k, &flags, 1);
		if (se->shares[i] != NULL)
			put(k, se->shares[i], (size_t)se->p.n * se->ct_len);
		if (se->sumpoints[i] != NULL)
			for (e = 0; e < se->p.length; e++)
				put_u64(k, se->sumpoints[i][e]);
	}
}

int
snapshot_write(const struct store *s, const char *dir, char *err, size_t errlen)
{
	char tmp[4096], path[4096];
	uint8_t hash[HASH_LEN];
	struct sink k = { NULL, NULL, 0, 0 };
	unsigned int hlen = 0;
	size_t i;
	int fd, ok = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, SNAPSHOT_FILE) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE) >= sizeof(path)) {
		snprintf(err, errlen, "state directory path too long");
		return SS_ERR_TOO_LARGE;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return SS_ERR_IO;
	}
	if ((k.f = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return SS_ERR_IO;
	}
	if ((k.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(k.md, EVP_sha256(), NULL) != 1)
		k.failed = 1;
	put(&k, MAGIC, MAGIC_LEN);
	put_u32(&k, SNAPSHOT_VERSION);
	put_u64(&k, s->journal_seq);
	put_u32(&k, (uint32_t)s->nkeys);
	for (i = 0; i < s->nkeys; i++) {
		put_str(&k, s->keys[i].name);
		put_u32(&k, (uint32_t)s->keys[i].der_len);
		put(&k, s->keys[i].der, s->keys[i].der_len);
	}
	put_u32(&k, (uint32_t)s->nsessions);
	for (i = 0; i < s->nsessions; i++)
		put_session(&k, s->sessions[i]);
	if (!k.failed && EVP_DigestFinal_ex(k.md, hash, &hlen) == 1 &&
	    hlen == HASH_LEN && fwrite(hash, 1, HASH_LEN, k.f) == HASH_LEN &&
	    fflush(k.f) == 0 && fsync(fileno(k.f)) == 0)
		ok = 1;
	if (!ok)
		snprintf(err, errlen, "writing %s: %s", tmp, errno ? strerror(errno) : "failed");
	EVP_MD_CTX_free(k.md);
	if (fclose(k.f) != 0 && ok) {
		snprintf(err, errlen, "closing %s: %s", tmp, strerror(errno));
		ok = 0;
	}
	if (ok && rename(tmp, path) != 0) {
		snprintf(err, errlen, "renaming %s: %s", tmp, strerror(errno));
		ok = 0;
	}
	if (!ok) {
		unlink(tmp);
		return SS_ERR_IO;
	}
	if (disk_fsync_dir(dir) != 0) {
		snprintf(err, errlen, "fsync of %s: %s", dir, strerror(errno));
		return SS_ERR_IO;
	}
	return SS_OK;
}

/* Reads the whole file; SS_ERR_NOT_FOUND when absent. */
static int
read_file(const char *path, uint8_t **data, size_t *len)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? SS_ERR_NOT_FOUND : SS_ERR_IO;
	rc = disk_read_all(fd, data, len);
	close(fd);
	return rc;
}

static int
load_keys(struct buf_reader *r, struct store *s)
{
	struct status st;
	char name[NAME_BUF];
	const uint8_t *der;
	uint32_t n, i, len;
	int rc, dup;

	if ((rc = buf_get_u32_be(r, &n)) != SS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = buf_get_string_be(r, name, sizeof(name))) != SS_OK ||
		    (rc = buf_get_u32_be(r, &len)) != SS_OK ||
		    (rc = buf_get_bytes(r, len, &der)) != SS_OK)
			return rc;
		if (store_put_key(s, name, der, len, &dup, &st) != ST_OK || dup)
			return SS_ERR_INVALID;
	}
	return SS_OK;
}

static int
load_party_state(struct buf_reader *r, struct session *se, uint32_t i)
{
	const uint8_t *p;
	uint8_t flags;
	size_t e, nbytes;
	int rc;

	if ((rc = buf_get_u8(r, &flags)) != SS_OK)
		return rc;
	if (flags & ~(FLAG_SHARES | FLAG_COHORT | FLAG_SUMPOINT))
		return SS_ERR_INVALID;
	if (flags & FLAG_SHARES) {
		nbytes = (size_t)se->p.n * se->ct_len;
		if ((rc = buf_get_bytes(r, nbytes, &p)) != SS_OK)
			return rc;
		if ((se->shares[i] = malloc(nbytes)) == NULL)
			return SS_ERR_ALLOC;
		memcpy(se->shares[i], p, nbytes);
	}
	se->in_cohort[i] = (flags & FLAG_COHORT) != 0;
	if ((flags & FLAG_COHORT) && !(flags & FLAG_SHARES))
		return SS_ERR_INVALID;
	if (flags & FLAG_SUMPOINT) {
		if (buf_remaining(r) / 8 < se->p.length)
			return SS_ERR_TRUNCATED;
		if ((se->sumpoints[i] = calloc(se->p.length, 8)) == NULL)
			return SS_ERR_ALLOC;
		for (e = 0; e < se->p.length; e++) {
			if ((rc = buf_get_u64_be(r, &se->sumpoints[i][e])) != SS_OK)
				return rc;
			if (se->sumpoints[i][e] >= FIELD_P)
				return SS_ERR_INVALID;
		}
	}
	return SS_OK;
}

/*
 * What the store's rules guarantee of every session it holds (see store.c):
 * a snapshot that breaks one was not written by this server, and loading it
 * would serve an impossible state (a cohort before the deadline, a failure
 * reason of arbitrary bytes echoed to clients...).
 */
static int
session_consistent(const struct session *se)
{
	size_t shared = 0, cohort = 0, posted = 0, cohort_posted = 0;
	const unsigned char *c;
	uint32_t i;

	for (c = (const unsigned char *)se->fail_reason; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)
			return 0;
	if ((se->fail_reason[0] != '\0') != (se->phase == PHASE_FAILED) ||
	    (se->deadline_unix == 0) != (se->p.deadline_seconds == 0))
		return 0;
	for (i = 0; i < se->p.n; i++) {
		shared += se->shares[i] != NULL;
		cohort += se->in_cohort[i] != 0;
		posted += se->sumpoints[i] != NULL;
		cohort_posted += se->in_cohort[i] && se->sumpoints[i] != NULL;
	}
	switch (se->phase) {
	case PHASE_SHARING:
		return cohort == 0 && posted == 0 && shared < se->p.n;
	case PHASE_AGGREGATING:
	case PHASE_COMPLETE:
		return cohort == shared && cohort > se->p.threshold &&
		    (cohort_posted == cohort) == (se->phase == PHASE_COMPLETE);
	default:	/* PHASE_FAILED */
		return cohort == 0 && posted == 0 && shared <= se->p.threshold &&
		    se->deadline_unix != 0;
	}
}

int
snapshot_read_params(struct buf_reader *r, uint32_t max_parties,
    struct session_params *p)
{
	uint32_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = buf_get_string_be(r, p->id, sizeof(p->id))) != SS_OK ||
	    (rc = buf_get_u32_be(r, &p->n)) != SS_OK)
		return rc;
	if (p->n < 2 || p->n > max_parties || buf_remaining(r) / 4 < p->n)
		return SS_ERR_INVALID;
	if ((p->parties = calloc(p->n, NAME_BUF)) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < p->n && rc == SS_OK; i++)
		rc = buf_get_string_be(r, p->parties[i], NAME_BUF);
	if (rc == SS_OK && (rc = buf_get_u32_be(r, &p->threshold)) == SS_OK &&
	    (rc = buf_get_u32_be(r, &p->length)) == SS_OK &&
	    (rc = buf_get_u32_be(r, &p->decimals)) == SS_OK)
		rc = buf_get_u32_be(r, &p->deadline_seconds);
	if (rc != SS_OK) {
		free(p->parties);
		p->parties = NULL;
	}
	return rc;
}

static int
load_session(struct buf_reader *r, struct store *s)
{
	struct session_params p;
	struct session *se = NULL;
	struct status st;
	uint32_t i, phase;
	int rc;

	if ((rc = snapshot_read_params(r, s->lim.max_parties, &p)) != SS_OK)
		return rc;
	if (store_check_params(s, &p, &st) != ST_OK || store_find(s, p.id) != NULL) {
		rc = SS_ERR_INVALID;
		goto out;
	}
	if ((se = session_new(&p)) == NULL) {
		rc = SS_ERR_ALLOC;
		goto out;
	}
	if (session_repeated_party(se) != NULL) {
		rc = SS_ERR_INVALID;
		goto out;
	}
	if ((rc = buf_get_u64_be(r, &se->created_unix)) != SS_OK ||
	    (rc = buf_get_u64_be(r, &se->deadline_unix)) != SS_OK ||
	    (rc = buf_get_u32_be(r, &phase)) != SS_OK ||
	    (rc = buf_get_string_be(r, se->fail_reason, sizeof(se->fail_reason))) != SS_OK)
		goto out;
	if (phase < PHASE_SHARING || phase > PHASE_FAILED) {
		rc = SS_ERR_INVALID;
		goto out;
	}
	se->phase = (enum phase)phase;
	for (i = 0; i < p.n && rc == SS_OK; i++)
		rc = load_party_state(r, se, i);
	if (rc == SS_OK && !session_consistent(se))
		rc = SS_ERR_INVALID;
	if (rc == SS_OK && (rc = store_adopt_session(s, se)) == SS_OK)
		se = NULL;
out:
	session_free(se);
	free(p.parties);
	return rc;
}

static int
parse(const uint8_t *data, size_t len, struct store *s)
{
	struct buf_reader r;
	const uint8_t *magic;
	uint32_t version, nsessions, i;
	int rc;

	buf_reader_init(&r, data, len);
	if ((rc = buf_get_bytes(&r, MAGIC_LEN, &magic)) != SS_OK)
		return rc;
	if (memcmp(magic, MAGIC, MAGIC_LEN) != 0)
		return SS_ERR_INVALID;
	if ((rc = buf_get_u32_be(&r, &version)) != SS_OK)
		return rc;
	if (version != SNAPSHOT_VERSION)
		return SS_ERR_VERSION;
	if ((rc = buf_get_u64_be(&r, &s->journal_seq)) != SS_OK ||
	    (rc = load_keys(&r, s)) != SS_OK ||
	    (rc = buf_get_u32_be(&r, &nsessions)) != SS_OK)
		return rc;
	if (nsessions > s->lim.max_sessions)
		return SS_ERR_TOO_LARGE;
	for (i = 0; i < nsessions; i++)
		if ((rc = load_session(&r, s)) != SS_OK)
			return rc;
	return buf_remaining(&r) == 0 ? SS_OK : SS_ERR_INVALID;
}

int
snapshot_load(const char *dir, const struct store_limits *lim,
    struct store **out, char *err, size_t errlen)
{
	char path[4096];
	uint8_t hash[HASH_LEN], *data = NULL;
	size_t len = 0;
	struct store *s;
	int rc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE) >= sizeof(path)) {
		snprintf(err, errlen, "state directory path too long");
		return SS_ERR_TOO_LARGE;
	}
	if ((s = store_new(lim)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SS_ERR_ALLOC;
	}
	rc = read_file(path, &data, &len);
	if (rc == SS_ERR_NOT_FOUND) {
		*out = s;
		return SS_OK;
	}
	if (rc != SS_OK) {
		snprintf(err, errlen, "cannot read snapshot %s: %s", path, ss_strerror(rc));
		store_free(s);
		return rc;
	}
	if (len < MAGIC_LEN + 4 + HASH_LEN ||
	    EVP_Digest(data, len - HASH_LEN, hash, NULL, EVP_sha256(), NULL) != 1 ||
	    CRYPTO_memcmp(hash, data + len - HASH_LEN, HASH_LEN) != 0) {
		rc = SS_ERR_CHECKSUM;
	} else {
		rc = parse(data, len - HASH_LEN, s);
	}
	free(data);
	if (rc != SS_OK) {
		snprintf(err, errlen, "snapshot %s is unusable (%s); it was left "
		    "in place: move it aside to start empty, or restore a good copy",
		    path, ss_strerror(rc));
		store_free(s);
		return rc;
	}
	*out = s;
	return SS_OK;
}
