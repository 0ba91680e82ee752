/*
 * pstate_file.c: the record files of a party's state folder: written
 * durably (temporary file, fsync, rename, folder fsync, as Redis's rdb.c
 * saves), read back only whole and unaltered (SHA-256 over the content),
 * and refused when anyone but this user could read them.
 */
#include <dirent.h>
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
#include "pstate_internal.h"

void
pfile_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
pfile_all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n-- > 0)
		acc |= *p++;
	return acc == 0;
}

int
pfile_check_private(int fd, const char *path, int want_dir, struct ss_error *e)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		return ss_error_set(e, SS_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if (want_dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))
		return ss_error_set(e, SS_ERR_INVALID, "%s is not a %s", path,
		    want_dir ? "folder" : "regular file");
	if (sb.st_uid != geteuid())
		return ss_error_set(e, SS_ERR_KEY_PERMS, "%s belongs to uid %u, "
		    "not to this user (uid %u): refusing a party's records "
		    "that someone else can change", path, (unsigned)sb.st_uid,
		    (unsigned)geteuid());
	if ((sb.st_mode & 077) != 0)
		return ss_error_set(e, SS_ERR_KEY_PERMS, "%s has mode %04o: "
		    "group or others may use it, and it holds this party's "
		    "records; chmod %s it", path, (unsigned)(sb.st_mode & 07777),
		    want_dir ? "700" : "600");
	return SS_OK;
}

/* out = the folder's path, '/', name; for messages. */
static void
file_path(const struct pstate *st, const char *name, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", st->path, name) >= outlen)
		snprintf(out, outlen, ".../%s", name);
}

/* ---- writing ---------------------------------------------------------- */

/* What a record's body is made of: len bytes that put puts. */
struct pfile_body {
	size_t len;
	pfile_body_fn put;
	const void *arg;
};

/* The envelope and body into fd, the SHA-256 of both after them. */
static int
write_envelope(int fd, enum pfile_kind kind, const struct pfile_body *b)
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	struct buf_writer w;
	EVP_MD_CTX *md;
	int rc;

	if (b->len > UINT32_MAX)
		return SS_ERR_TOO_LARGE;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return SS_ERR_CRYPTO;
	}
	buf_writer_init_sink(&w, buf_sink_fd, &fd);
	buf_writer_tee(&w, buf_sink_digest, md);
	buf_put(&w, PFILE_MAGIC, PFILE_MAGIC_LEN);
	buf_put_u32(&w, PFILE_VERSION);
	buf_put_u32(&w, (uint32_t)kind);
	buf_put_u32(&w, (uint32_t)b->len);
	b->put(&w, b->arg);
	/* The hash covers what came before it, not itself. */
	buf_writer_tee(&w, NULL, NULL);
	rc = buf_writer_error(&w);
	/* A body of another length than announced would read as damaged. */
	if (rc == SS_OK && w.total != PFILE_HEADER_LEN + b->len)
		rc = SS_ERR_INTERNAL;
	if (rc == SS_OK && (EVP_DigestFinal_ex(md, hash, &hlen) != 1 ||
	    hlen != PSTATE_HASH_LEN))
		rc = SS_ERR_CRYPTO;
	if (rc == SS_OK) {
		buf_put(&w, hash, PSTATE_HASH_LEN);
		rc = buf_writer_error(&w);
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/* A new temporary file for name, exclusive; its name into tmp. */
static int
open_temp(struct pstate *st, const char *name, char *tmp, size_t tmplen)
{
	int fd, tries;

	if ((size_t)snprintf(tmp, tmplen, "%s%ld-%s", PFILE_TMP_PREFIX,
	    (long)getpid(), name) >= tmplen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		/* One left by a crashed process that had our pid: ours now. */
		if (fd >= 0 || errno != EEXIST ||
		    unlinkat(st->dirfd, tmp, 0) != 0)
			return fd;
	}
	return -1;
}

/*
 * Writes, syncs and closes the temporary file fd, then renames it to name.
 * On failure *step says which step failed and *err its errno (0 when the
 * failure was not a system call's).
 */
static int
commit_temp(struct pstate *st, int fd, const char *tmp, const char *name,
    enum pfile_kind kind, const struct pfile_body *b, const char **step,
    int *err)
{
	int rc;

	*step = "writing";
	errno = 0;
	rc = write_envelope(fd, kind, b);
	if (rc == SS_OK && fsync(fd) != 0) {
		*step = "syncing";
		rc = SS_ERR_IO;
	}
	*err = rc == SS_ERR_IO ? errno : 0;
	if (close(fd) != 0 && rc == SS_OK) {
		*step = "closing";
		*err = errno;
		rc = SS_ERR_IO;
	}
	if (rc == SS_OK && renameat(st->dirfd, tmp, st->dirfd, name) != 0) {
		*step = "renaming into";
		*err = errno;
		rc = SS_ERR_IO;
	}
	return rc;
}

int
pfile_write_with(struct pstate *st, const char *name, enum pfile_kind kind,
    size_t len, pfile_body_fn put, const void *arg, struct ss_error *e)
{
	const struct pfile_body b = { len, put, arg };
	char tmp[PFILE_NAME_MAX], path[PATH_MAX + PFILE_NAME_MAX];
	const char *step;
	int fd, rc, err;

	file_path(st, name, path, sizeof(path));
	if ((fd = open_temp(st, name, tmp, sizeof(tmp))) < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot create a temporary "
		    "file for %s: %s", path, strerror(errno));
	rc = commit_temp(st, fd, tmp, name, kind, &b, &step, &err);
	if (rc != SS_OK) {
		(void)unlinkat(st->dirfd, tmp, 0);
		return ss_error_set(e, rc, "%s %s: %s", step, path,
		    err != 0 ? strerror(err) : ss_strerror(rc));
	}
	/* The rename itself is durable only once the folder is. */
	if (fsync(st->dirfd) != 0)
		return ss_error_set(e, SS_ERR_IO, "syncing the folder %s: %s",
		    st->path, strerror(errno));
	return SS_OK;
}

/* pfile_write's body: the bytes its writer collected. */
static void
put_collected(struct buf_writer *w, const void *arg)
{
	const struct buf_writer *from = arg;

	buf_put(w, from->data, from->len);
}

int
pfile_write(struct pstate *st, const char *name, enum pfile_kind kind,
    struct buf_writer *w, struct ss_error *e)
{
	int rc;

	if ((rc = buf_writer_error(w)) == SS_OK)
		rc = pfile_write_with(st, name, kind, w->len, put_collected, w,
		    e);
	else
		ss_error_set(e, rc, "cannot encode %s/%s", st->path, name);
	buf_writer_free(w);
	return rc;
}

/* ---- reading ---------------------------------------------------------- */

/* The whole of file fd (at most max bytes) into *data (malloc'd). */
static int
slurp(int fd, const char *path, size_t max, uint8_t **data, size_t *len,
    struct ss_error *e)
{
	struct stat sb;
	int rc;

	if (fstat(fd, &sb) != 0)
		return ss_error_set(e, SS_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if (sb.st_size < PFILE_HEADER_LEN + PSTATE_HASH_LEN)
		return ss_error_set(e, SS_ERR_CHECKSUM, "%s is damaged: %lld "
		    "bytes, shorter than any record", path,
		    (long long)sb.st_size);
	if ((uint64_t)sb.st_size > max)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "%s: %lld bytes, more "
		    "than a record of its kind holds", path,
		    (long long)sb.st_size);
	*len = (size_t)sb.st_size;
	if ((*data = malloc(*len)) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "%s: out of memory", path);
	if ((rc = buf_read_fd(fd, *data, *len)) != SS_OK) {
		free(*data);
		*data = NULL;
		return ss_error_set(e, rc, "reading %s: %s", path,
		    rc == SS_ERR_IO ? strerror(errno) : "it shrank");
	}
	return SS_OK;
}

/* SS_OK if the last PSTATE_HASH_LEN bytes are the SHA-256 of the rest. */
static int
check_hash(const uint8_t *data, size_t len, const char *path,
    struct ss_error *e)
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	size_t n = len - PSTATE_HASH_LEN;

	if (EVP_Digest(data, n, hash, &hlen, EVP_sha256(), NULL) != 1 ||
	    hlen != PSTATE_HASH_LEN)
		return ss_error_set(e, SS_ERR_CRYPTO, "%s: cannot hash", path);
	if (CRYPTO_memcmp(hash, data + n, PSTATE_HASH_LEN) != 0)
		return ss_error_set(e, SS_ERR_CHECKSUM, "%s is damaged: its "
		    "SHA-256 does not match its content, so what this party "
		    "recorded there is unknown", path);
	return SS_OK;
}

/* The envelope of a file whose hash matched: its body's offset and length. */
static int
parse_envelope(const uint8_t *data, size_t len, enum pfile_kind kind,
    const char *path, size_t *off, size_t *blen, struct ss_error *e)
{
	struct buf_reader r;
	const uint8_t *magic;
	uint32_t version, k, n;

	buf_reader_init(&r, data, len - PSTATE_HASH_LEN);
	if (buf_get_bytes(&r, PFILE_MAGIC_LEN, &magic) != SS_OK ||
	    memcmp(magic, PFILE_MAGIC, PFILE_MAGIC_LEN) != 0 ||
	    buf_get_u32(&r, &version) != SS_OK ||
	    buf_get_u32(&r, &k) != SS_OK || buf_get_u32(&r, &n) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "%s is not a party "
		    "state record", path);
	if (version != PFILE_VERSION)
		return ss_error_set(e, SS_ERR_VERSION, "%s is a record of "
		    "format version %u; this program reads version %u", path,
		    (unsigned)version, PFILE_VERSION);
	if (k != (uint32_t)kind)
		return ss_error_set(e, SS_ERR_INVALID, "%s holds a record of "
		    "kind %u, not %u", path, (unsigned)k, (unsigned)kind);
	if (n != buf_remaining(&r))
		return ss_error_set(e, SS_ERR_INVALID, "%s: its body is %zu "
		    "bytes, not the %u its header says", path,
		    buf_remaining(&r), (unsigned)n);
	*off = r.off;
	*blen = n;
	return SS_OK;
}

/* Opens name for reading; SS_ERR_NOT_FOUND when absent. */
static int
open_record(struct pstate *st, const char *name, const char *path, int *fd,
    struct ss_error *e)
{
	/* O_NONBLOCK: a FIFO in its place must not hang us (it is refused). */
	if ((*fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) >= 0)
		return pfile_check_private(*fd, path, 0, e);
	if (errno == ENOENT)
		return ss_error_set(e, SS_ERR_NOT_FOUND, "%s: no such record",
		    path);
	if (errno == ELOOP)
		return ss_error_set(e, SS_ERR_INVALID, "%s is a symbolic link, "
		    "not a record", path);
	return ss_error_set(e, SS_ERR_IO, "%s: %s", path, strerror(errno));
}

/* The body of the record file name of kind into *body (malloc'd), *len. */
static int
read_body(struct pstate *st, const char *name, enum pfile_kind kind,
    size_t max_body, uint8_t **body, size_t *len, struct ss_error *e)
{
	char path[PATH_MAX + PFILE_NAME_MAX];
	uint8_t *data = NULL;
	size_t size = 0, off = 0;
	int fd = -1, rc;

	*body = NULL;
	*len = 0;
	file_path(st, name, path, sizeof(path));
	rc = open_record(st, name, path, &fd, e);
	if (rc == SS_OK)
		rc = slurp(fd, path, PFILE_HEADER_LEN + max_body +
		    PSTATE_HASH_LEN, &data, &size, e);
	if (fd >= 0)
		(void)close(fd);
	if (rc == SS_OK && data == NULL) {
		ss_error_set(e, SS_ERR_INTERNAL, "%s: read nothing", path);
		rc = SS_ERR_INTERNAL;
	}
	if (rc == SS_OK)
		rc = check_hash(data, size, path, e);
	if (rc == SS_OK)
		rc = parse_envelope(data, size, kind, path, &off, len, e);
	if (rc != SS_OK) {
		free(data);
		return rc;
	}
	memmove(data, data + off, *len);
	*body = data;
	return SS_OK;
}

int
pfile_load(struct pstate *st, const char *name, enum pfile_kind kind,
    size_t max_body, pfile_decode_fn decode, void *arg, const char *what,
    struct ss_error *e)
{
	uint8_t *body;
	size_t len;
	int rc;

	rc = read_body(st, name, kind, max_body, &body, &len, e);
	if (rc != SS_OK)
		return rc;
	rc = decode(body, len, arg);
	free(body);
	if (rc != SS_OK)
		return ss_error_set(e, rc, "%s/%s: %s", st->path, name,
		    rc == SS_ERR_ALLOC ? "out of memory" : what);
	return SS_OK;
}

/* ---- the folder ------------------------------------------------------- */

/* 1 if name is a record's: a D's, a submission's, a session id's, or the cache. */
static int
is_record_name(const char *name)
{
	return strncmp(name, "d-", 2) == 0 || strncmp(name, "k-", 2) == 0 ||
	    strncmp(name, "s-", 2) == 0 || strcmp(name, PFILE_CERTS) == 0;
}

/* A listing of the folder from its start, into *dirp. */
static int
listing(struct pstate *st, DIR **dirp, struct ss_error *e)
{
	int fd, rc;

	if ((fd = dup(st->dirfd)) < 0 || (*dirp = fdopendir(fd)) == NULL) {
		rc = SS_ERR_IO;
		(void)ss_error_set(e, rc, "listing %s: %s", st->path,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return rc;
	}
	/* The dup shares the offset of st->dirfd, which nothing else uses. */
	rewinddir(*dirp);
	return SS_OK;
}

/*
 * The end of a listing: rc, or when rc is SS_OK (readdir ended the loop)
 * the error that readdir left in errno.
 */
static int
listing_end(struct pstate *st, DIR *dir, int rc, struct ss_error *e)
{
	if (rc == SS_OK && errno != 0)
		rc = ss_error_set(e, SS_ERR_IO, "listing %s: %s", st->path,
		    strerror(errno));
	(void)closedir(dir);
	return rc;
}

int
pfile_sweep(struct pstate *st, int *records, struct ss_error *e)
{
	struct dirent *de;
	DIR *dir;
	int rc = SS_OK;

	*records = 0;
	if ((rc = listing(st, &dir, e)) != SS_OK)
		return rc;
	while (rc == SS_OK && (errno = 0, de = readdir(dir)) != NULL) {
		if (is_record_name(de->d_name))
			*records = 1;
		else if (strncmp(de->d_name, PFILE_TMP_PREFIX,
		    strlen(PFILE_TMP_PREFIX)) == 0 &&
		    unlinkat(st->dirfd, de->d_name, 0) != 0)
			rc = ss_error_set(e, SS_ERR_IO, "removing %s/%s: %s",
			    st->path, de->d_name, strerror(errno));
	}
	return listing_end(st, dir, rc, e);
}

int
pfile_each(struct pstate *st, const char *prefix, pfile_name_fn fn,
    void *arg, struct ss_error *e)
{
	struct dirent *de;
	DIR *dir;
	int rc = SS_OK;

	if ((rc = listing(st, &dir, e)) != SS_OK)
		return rc;
	while (rc == SS_OK && (errno = 0, de = readdir(dir)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			rc = fn(de->d_name, arg, e);
	return listing_end(st, dir, rc, e);
}
