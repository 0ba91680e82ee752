/*
 * snapshot.c: writing and loading the store's snapshot file.
 *
 * Layout of version 4 (all integers little-endian):
 *   "SSUMSNAP" u32 version u64 journal_seq (the last journal record included)
 *   u32 nkeys,     each: str name, u32 len, len bytes of DER, u32 len, len
 *     bytes of DER of the signing certificate (0: none)
 *   u32 nsessions, each: the parameters (disk.h, with version 2's fields),
 *     u64 created_unix, u64 deadline_unix, u32 phase, str fail_reason, str
 *     creator (empty: unknown), then
 *     per party: u8 flags (1 shares, 2 in cohort, 4 sumpoint), the n
 *     sealed shares it sent when flag 1, its L sumpoint values (u64) when
 *     flag 4, and in a version-2 session its statements (disk.h; length 0:
 *     none): the first SUBMIT, COHORT and SUMPOINT, then the second
 *     (conflicting) SUBMIT, COHORT and SUMPOINT
 *   SHA-256 of everything before it (32 bytes)
 * where str is u32 length + bytes. Version 3 is the same without the
 * creator; version 2 is version 3 without the signing certificates and
 * version 2's fields; version 1 is version 2 big-endian (its version field
 * too: 00 00 00 01). All are read and written back as 4.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bigmem.h"
#include "buf.h"
#include "disk.h"
#include "err.h"
#include "field.h"
#include "path.h"
#include "snapshot.h"

#define MAGIC     "SSUMSNAP"
#define MAGIC_LEN 8
#define HASH_LEN  32

#define FLAG_SHARES   1
#define FLAG_COHORT   2
#define FLAG_SUMPOINT 4

/* ---- writing ------------------------------------------------------------- */

/*
 * A snapshot is fsynced as it is written, every AUTOSYNC_BYTES (as Redis's
 * rdb-save-incremental-fsync): the kernel then never holds hundreds of MiB
 * of it dirty, which the journal's fdatasync would otherwise wait behind
 * (ext4 orders a commit after the data it allocated), holding every answer
 * under --fsync always.
 */
#define AUTOSYNC_BYTES (4u * 1024 * 1024)
/* Small fields are gathered into writes of this size; large runs go as they are. */
#define FILE_BUF       (64u * 1024)

/* The file being written: the buf_writer's sink, wrapping buf_sink_fd. */
struct snap_file {
	int fd;
	size_t len;             /* bytes waiting in buf */
	uint64_t unsynced;      /* bytes written since the last fdatasync */
	uint64_t synced;        /* bytes on disk, and dropped from the page cache */
	int err;                /* errno of the first failure */
	uint8_t buf[FILE_BUF];
};

/* Writes p to the file, fdatasyncing every AUTOSYNC_BYTES. */
static int
file_emit(struct snap_file *f, const void *p, size_t n)
{
	if (buf_sink_fd(&f->fd, p, n) != SS_OK) {
		f->err = errno;
		return SS_ERR_IO;
	}
	if ((f->unsynced += n) >= AUTOSYNC_BYTES) {
		if (fdatasync(f->fd) != 0) {
			f->err = errno;
			return SS_ERR_IO;
		}
		/* Only a start reads it back. */
		disk_drop_cached(f->fd, f->synced, f->synced + f->unsynced);
		f->synced += f->unsynced;
		f->unsynced = 0;
	}
	return SS_OK;
}

static int
file_flush(struct snap_file *f)
{
	size_t n = f->len;

	f->len = 0;
	return n > 0 ? file_emit(f, f->buf, n) : SS_OK;
}

static int
file_sink(void *ctx, const void *p, size_t n)
{
	struct snap_file *f = ctx;
	int rc;

	if (n > sizeof(f->buf) - f->len) {
		if ((rc = file_flush(f)) != SS_OK)
			return rc;
		if (n >= sizeof(f->buf))
			return file_emit(f, p, n);
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return SS_OK;
}

/* A sumpoint's values: as they lie on a little-endian host. */
static void
put_values(struct buf_writer *w, const uint64_t *v, uint32_t n)
{
	uint32_t i;

	if (htole64(1) == 1) {
		buf_put(w, v, (size_t)n * sizeof(*v));
		return;
	}
	for (i = 0; i < n; i++)
		buf_put_u64(w, v[i]);
}

static void
put_session(struct buf_writer *w, const struct session *se)
{
	uint32_t i;
	int k;

	disk_put_params(w, &se->p, se->digest);
	buf_put_u64(w, se->created_unix);
	buf_put_u64(w, se->deadline_unix);
	buf_put_u32(w, (uint32_t)se->phase);
	buf_put_string(w, se->fail_reason);
	buf_put_string(w, se->creator);
	for (i = 0; i < se->p.n; i++) {
		uint8_t flags = (se->shares[i] ? FLAG_SHARES : 0) |
		    (se->in_cohort[i] ? FLAG_COHORT : 0) |
		    (se->sumpoints[i] ? FLAG_SUMPOINT : 0);

		buf_put_u8(w, flags);
		if (se->shares[i] != NULL)
			buf_put(w, se->shares[i], (size_t)se->p.n * se->ct_len);
		if (se->sumpoints[i] != NULL)
			put_values(w, se->sumpoints[i], se->p.length);
		for (k = 0; se->statements != NULL &&
		    k < SESSION_STATEMENT_TYPES; k++)
			disk_put_statement(w, &se->statements[i].first[k]);
		for (k = 0; se->statements != NULL &&
		    k < SESSION_STATEMENT_TYPES; k++)
			disk_put_statement(w, &se->statements[i].second[k]);
	}
}

static void
put_store(struct buf_writer *w, const struct store *s)
{
	size_t i;

	buf_put(w, MAGIC, MAGIC_LEN);
	buf_put_u32(w, SNAPSHOT_VERSION);
	buf_put_u64(w, s->journal_seq);
	buf_put_u32(w, (uint32_t)s->nkeys);
	for (i = 0; i < s->nkeys; i++) {
		const struct key_entry *k = &s->keys[i];

		buf_put_string(w, k->name);
		buf_put_u32(w, (uint32_t)k->der_len);
		buf_put(w, k->der, k->der_len);
		buf_put_u32(w, k->sign_der != NULL ? (uint32_t)k->sign_len : 0);
		if (k->sign_der != NULL)
			buf_put(w, k->sign_der, k->sign_len);
	}
	buf_put_u32(w, (uint32_t)s->nsessions);
	for (i = 0; i < s->nsessions; i++)
		put_session(w, s->sessions[i]);
}

/* Writes s, then its SHA-256, to f, and makes it durable. */
static int
write_contents(const struct store *s, struct snap_file *f, EVP_MD_CTX *md)
{
	uint8_t hash[HASH_LEN];
	unsigned int hlen = 0;
	struct buf_writer w;
	int rc;

	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return SS_ERR_CRYPTO;
	buf_writer_init_sink(&w, file_sink, f);
	buf_writer_tee(&w, buf_sink_digest, md);
	put_store(&w, s);
	if ((rc = buf_writer_error(&w)) != SS_OK)
		return rc;
	if (EVP_DigestFinal_ex(md, hash, &hlen) != 1 || hlen != HASH_LEN)
		return SS_ERR_CRYPTO;
	if ((rc = file_sink(f, hash, HASH_LEN)) != SS_OK ||
	    (rc = file_flush(f)) != SS_OK)
		return rc;
	if (fsync(f->fd) != 0) {
		f->err = errno;
		return SS_ERR_IO;
	}
	disk_drop_file(f->fd);
	return SS_OK;
}

/* Writes s into the new file fd at tmp, and closes it. */
static int
write_file(const struct store *s, int fd, const char *tmp, struct ss_error *e)
{
	struct snap_file *f;
	EVP_MD_CTX *md;
	int rc;

	f = malloc(sizeof(*f));
	md = EVP_MD_CTX_new();
	if (f == NULL || md == NULL) {
		rc = ss_error_set(e, SS_ERR_ALLOC, "writing %s: out of memory", tmp);
	} else {
		f->fd = fd;
		f->len = 0;
		f->unsynced = f->synced = 0;
		f->err = 0;
		if ((rc = write_contents(s, f, md)) != SS_OK)
			ss_error_set(e, rc, "writing %s: %s", tmp, f->err != 0 ?
			    strerror(f->err) : ss_strerror(rc));
	}
	EVP_MD_CTX_free(md);
	free(f);
	if (close(fd) != 0 && rc == SS_OK)
		rc = ss_error_set(e, SS_ERR_IO, "closing %s: %s", tmp,
		    strerror(errno));
	return rc;
}

int
snapshot_remove_leftover(const char *dir, long long *size, struct ss_error *e)
{
	char tmp[4096];
	struct stat st;

	*size = -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, SNAPSHOT_FILE) >= sizeof(tmp))
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	if (lstat(tmp, &st) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		return ss_error_set(e, SS_ERR_IO, "%s: %s", tmp, strerror(errno));
	}
	if (unlink(tmp) != 0)
		return ss_error_set(e, SS_ERR_IO, "cannot remove the leftover %s: "
		    "%s", tmp, strerror(errno));
	*size = (long long)st.st_size;
	return SS_OK;
}

int
snapshot_write(const struct store *s, const char *dir, struct ss_error *e)
{
	char tmp[4096], path[4096];
	int fd, rc;

	if (path_join(tmp, sizeof(tmp), dir, SNAPSHOT_FILE ".tmp") != SS_OK ||
	    path_join(path, sizeof(path), dir, SNAPSHOT_FILE) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return ss_error_set(e, SS_ERR_IO, "%s: %s", tmp, strerror(errno));
	if ((rc = write_file(s, fd, tmp, e)) == SS_OK && rename(tmp, path) != 0)
		rc = ss_error_set(e, SS_ERR_IO, "renaming %s: %s", tmp,
		    strerror(errno));
	if (rc != SS_OK) {
		(void)unlink(tmp);
		return rc;
	}
	if (disk_fsync_dir(dir) != SS_OK)
		return ss_error_set(e, SS_ERR_IO, "fsync of %s: %s", dir,
		    strerror(errno));
	return SS_OK;
}

/* ---- loading ------------------------------------------------------------- */

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
load_keys(struct disk_reader *d, struct store *s)
{
	struct ss_error st;
	char name[NAME_BUF];
	const uint8_t *der, *sign = NULL;
	uint32_t n, i, len, sign_len = 0;
	int rc, dup;

	if ((rc = disk_get_u32(d, &n)) != SS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = disk_get_string(d, name, sizeof(name))) != SS_OK ||
		    (rc = disk_get_u32(d, &len)) != SS_OK ||
		    (rc = buf_get_bytes(&d->r, len, &der)) != SS_OK)
			return rc;
		if (d->with_v2 && ((rc = disk_get_u32(d, &sign_len)) != SS_OK ||
		    (rc = buf_get_bytes(&d->r, sign_len, &sign)) != SS_OK))
			return rc;
		/*
		 * A name once: a second entry would be a duplicate, or be taken
		 * as the first's signing certificate (store_publish_key lets an
		 * entry gain one), and the directory would not be what
		 * put_store wrote. So publishing a name not yet held never
		 * answers a duplicate.
		 */
		if (store_get_key(s, name) != NULL)
			return SS_ERR_INVALID;
		if (store_publish_key(s, name, der, len, sign_len > 0 ? sign :
		    NULL, sign_len, &dup, &st) != SS_OK)
			return SS_ERR_INVALID;
	}
	return SS_OK;
}

/* Party i's sumpoint values, each below p. */
static int
load_values(struct disk_reader *d, struct session *se, uint32_t i)
{
	size_t e;
	int rc;

	if (buf_remaining(&d->r) / 8 < se->p.length)
		return SS_ERR_TRUNCATED;
	if ((se->sumpoints[i] = bigmem_alloc((size_t)se->p.length * 8, 0)) == NULL)
		return SS_ERR_ALLOC;
	for (e = 0; e < se->p.length; e++) {
		if ((rc = disk_get_u64(d, &se->sumpoints[i][e])) != SS_OK)
			return rc;
		if (se->sumpoints[i][e] >= FIELD_P)
			return SS_ERR_INVALID;
	}
	return SS_OK;
}

/* Party i's statements in a version-2 session: the first three, the second three. */
static int
load_statements(struct disk_reader *d, struct session *se, uint32_t i)
{
	struct statement_in in;
	struct ss_error st;
	int k, rc, present;

	for (k = 0; k < 2 * SESSION_STATEMENT_TYPES; k++) {
		struct held_statement *h = session_statement(se, i,
		    (enum statement_type)(k % SESSION_STATEMENT_TYPES + 1),
		    k >= SESSION_STATEMENT_TYPES);

		if ((rc = disk_get_statement(d, &in, &present)) != SS_OK)
			return rc;
		if (present && statements_copy(&in, h, &st) != SS_OK)
			return st.code == SS_ERR_EXHAUSTED ? SS_ERR_ALLOC :
			    SS_ERR_INVALID;
	}
	return SS_OK;
}

static int
load_party_state(struct disk_reader *d, struct session *se, uint32_t i)
{
	const uint8_t *p;
	uint8_t flags;
	size_t nbytes;
	int rc;

	if ((rc = buf_get_u8(&d->r, &flags)) != SS_OK)
		return rc;
	if (flags & ~(FLAG_SHARES | FLAG_COHORT | FLAG_SUMPOINT))
		return SS_ERR_INVALID;
	if (flags & FLAG_SHARES) {
		nbytes = (size_t)se->p.n * se->ct_len;
		if ((rc = buf_get_bytes(&d->r, nbytes, &p)) != SS_OK)
			return rc;
		if ((se->shares[i] = bigmem_dup(p, nbytes, 0)) == NULL)
			return SS_ERR_ALLOC;
	}
	se->in_cohort[i] = (flags & FLAG_COHORT) != 0;
	if ((flags & FLAG_COHORT) && !(flags & FLAG_SHARES))
		return SS_ERR_INVALID;
	if ((flags & FLAG_SUMPOINT) && (rc = load_values(d, se, i)) != SS_OK)
		return rc;
	return se->statements != NULL ? load_statements(d, se, i) : SS_OK;
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

	if (session_repeated_party(se) != NULL || !session_creator_valid(se))
		return 0;
	for (c = (const unsigned char *)se->fail_reason; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)
			return 0;
	if ((se->fail_reason[0] != '\0') != (se->phase == PHASE_FAILED) ||
	    (se->p.v2 ? se->deadline_unix != se->p.deadline_unix :
	    (se->deadline_unix == 0) != (se->p.deadline_seconds == 0)) ||
	    !statements_consistent(se))
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
		return cohort == shared && cohort >= session_min_cohort(se) &&
		    (cohort_posted == cohort) == (se->phase == PHASE_COMPLETE);
	default:	/* PHASE_FAILED */
		return cohort == 0 && posted == 0 &&
		    shared < session_min_cohort(se) && se->deadline_unix != 0;
	}
}

/*
 * A session's state after its parameters: times, phase, every party's;
 * digest is the D recorded with the parameters, which must be theirs.
 */
static int
load_state(struct disk_reader *d, struct session *se,
    const uint8_t digest[PARAMS_DIGEST_LEN])
{
	uint32_t i, phase;
	int rc;

	if (se->p.v2 && memcmp(se->digest, digest, PARAMS_DIGEST_LEN) != 0)
		return SS_ERR_INVALID;

	if ((rc = disk_get_u64(d, &se->created_unix)) != SS_OK ||
	    (rc = disk_get_u64(d, &se->deadline_unix)) != SS_OK ||
	    (rc = disk_get_u32(d, &phase)) != SS_OK ||
	    (rc = disk_get_string(d, se->fail_reason, sizeof(se->fail_reason))) != SS_OK ||
	    (d->with_lifecycle && (rc = disk_get_string(d, se->creator,
	    sizeof(se->creator))) != SS_OK))
		return rc;
	if (phase < PHASE_SHARING || phase > PHASE_FAILED)
		return SS_ERR_INVALID;
	se->phase = (enum phase)phase;
	for (i = 0; i < se->p.n && rc == SS_OK; i++)
		rc = load_party_state(d, se, i);
	if (rc == SS_OK && (se->phase == PHASE_AGGREGATING ||
	    se->phase == PHASE_COMPLETE))
		statements_fix_cohort(se);
	if (rc == SS_OK && !session_consistent(se))
		rc = SS_ERR_INVALID;
	return rc;
}

static int
load_session(struct disk_reader *d, struct store *s)
{
	uint8_t digest[PARAMS_DIGEST_LEN];
	struct session_spec p;
	struct session *se = NULL;
	struct ss_error st;
	int rc;

	if ((rc = disk_get_params(d, s->lim.max_parties, &p, digest)) != SS_OK)
		return rc;
	if (store_check_params(s, &p, &st) != SS_OK || store_find(s, p.id) != NULL)
		rc = SS_ERR_INVALID;
	else if ((se = session_new(&p)) == NULL)
		rc = SS_ERR_ALLOC;
	else if ((rc = load_state(d, se, digest)) == SS_OK &&
	    (rc = store_adopt_session(s, se)) == SS_OK)
		se = NULL;
	session_free(se);
	free(p.parties);
	return rc;
}

static int
parse(const uint8_t *data, size_t len, struct store *s)
{
	struct disk_reader d;
	const uint8_t *head;
	uint32_t version, nsessions, i;
	int rc;

	disk_reader_init(&d, data, len, 0);
	if ((rc = buf_get_bytes(&d.r, MAGIC_LEN + 4, &head)) != SS_OK)
		return rc;
	if (memcmp(head, MAGIC, MAGIC_LEN) != 0)
		return SS_ERR_INVALID;
	version = disk_version(head + MAGIC_LEN, SNAPSHOT_LAST_BIG_ENDIAN);
	if (version < 1 || version > SNAPSHOT_VERSION)
		return SS_ERR_VERSION;
	buf_reader_big_endian(&d.r, version <= SNAPSHOT_LAST_BIG_ENDIAN);
	d.with_v2 = version >= SNAPSHOT_FIRST_V2;
	d.with_lifecycle = version >= SNAPSHOT_FIRST_LIFECYCLE;
	if ((rc = disk_get_u64(&d, &s->journal_seq)) != SS_OK ||
	    (rc = load_keys(&d, s)) != SS_OK ||
	    (rc = disk_get_u32(&d, &nsessions)) != SS_OK)
		return rc;
	if (nsessions > s->lim.max_sessions)
		return SS_ERR_TOO_LARGE;
	for (i = 0; i < nsessions; i++)
		if ((rc = load_session(&d, s)) != SS_OK)
			return rc;
	return buf_remaining(&d.r) == 0 ? SS_OK : SS_ERR_INVALID;
}

/* Checks the file's SHA-256 trailer, then parses what it covers into s. */
static int
load_bytes(const uint8_t *data, size_t len, struct store *s)
{
	uint8_t hash[HASH_LEN];

	if (len < MAGIC_LEN + 4 + HASH_LEN ||
	    EVP_Digest(data, len - HASH_LEN, hash, NULL, EVP_sha256(), NULL) != 1 ||
	    CRYPTO_memcmp(hash, data + len - HASH_LEN, HASH_LEN) != 0)
		return SS_ERR_CHECKSUM;
	return parse(data, len - HASH_LEN, s);
}

int
snapshot_load(const char *dir, const struct store_limits *lim,
    struct store **out, struct ss_error *e)
{
	char path[4096];
	uint8_t *data = NULL;
	size_t len = 0;
	struct store *s;
	int rc;

	*out = NULL;
	if (path_join(path, sizeof(path), dir, SNAPSHOT_FILE) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	if ((s = store_new(lim)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	if ((rc = read_file(path, &data, &len)) == SS_ERR_NOT_FOUND) {
		*out = s;
		return SS_OK;
	}
	if (rc != SS_OK) {
		store_free(s);
		return ss_error_set(e, rc, "cannot read snapshot %s: %s", path,
		    ss_strerror(rc));
	}
	rc = load_bytes(data, len, s);
	free(data);
	if (rc != SS_OK) {
		store_free(s);
		return ss_error_set(e, rc, "snapshot %s is unusable (%s); it was "
		    "left in place: move it aside to start empty, or restore a "
		    "good copy", path, ss_strerror(rc));
	}
	*out = s;
	return SS_OK;
}
