/*
 * disk.c: whole-file reads, folder fsyncs and the encodings the snapshot and
 * the journal share; see disk.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "err.h"

int
disk_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, e;

	if (fd < 0)
		return SS_ERR_IO;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;      /* the caller's message names fsync's failure */
	return rc == 0 ? SS_OK : SS_ERR_IO;
}

void
disk_drop_cached(int fd, uint64_t from, uint64_t to)
{
	if (to > from)
		(void)posix_fadvise(fd, (off_t)from, (off_t)(to - from),
		    POSIX_FADV_DONTNEED);
}

void
disk_drop_file(int fd)
{
	/* posix_fadvise's length 0 is "to the end". */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

int
disk_read_all(int fd, uint8_t **data, size_t *len)
{
	struct stat sb;
	uint8_t *p;
	size_t off = 0;
	ssize_t n;

	if (fstat(fd, &sb) != 0 || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > SIZE_MAX / 2)
		return SS_ERR_IO;
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL)
		return SS_ERR_ALLOC;
	while (off < (size_t)sb.st_size) {
		n = pread(fd, p + off, (size_t)sb.st_size - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(p);
			return SS_ERR_IO;
		}
		off += (size_t)n;
	}
	/* Read once, at a start: the copy in p is the one kept. */
	disk_drop_file(fd);
	*data = p;
	*len = off;
	return SS_OK;
}

void
disk_reader_init(struct disk_reader *d, const void *data, size_t len,
    int big_endian)
{
	buf_reader_init(&d->r, data, len);
	buf_reader_big_endian(&d->r, big_endian);
	d->with_v2 = 0;
	d->with_lifecycle = 0;
}

int
disk_get_u32(struct disk_reader *d, uint32_t *v)
{
	return buf_get_u32(&d->r, v);
}

int
disk_get_u64(struct disk_reader *d, uint64_t *v)
{
	return buf_get_u64(&d->r, v);
}

int
disk_get_string(struct disk_reader *d, char *out, size_t outsz)
{
	return buf_get_string(&d->r, out, outsz);
}

uint32_t
disk_version(const uint8_t p[4], uint32_t last_big_endian)
{
	uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];

	if (be >= 1 && be <= last_big_endian)
		return be;
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

void
disk_put_params(struct buf_writer *w, const struct session_spec *p,
    const uint8_t digest[PARAMS_DIGEST_LEN])
{
	uint32_t i;

	buf_put_string(w, p->id);
	buf_put_u32(w, p->n);
	for (i = 0; i < p->n; i++)
		buf_put_string(w, p->parties[i]);
	buf_put_u32(w, p->threshold);
	buf_put_u32(w, p->length);
	buf_put_u32(w, p->decimals);
	buf_put_u32(w, p->deadline_seconds);
	buf_put_u8(w, p->v2 ? 2 : 1);
	if (!p->v2)
		return;
	buf_put_u32(w, p->min_cohort);
	buf_put_u64(w, p->deadline_unix);
	buf_put(w, p->nonce, sizeof(p->nonce));
	buf_put(w, digest, PARAMS_DIGEST_LEN);
}

/* The fields of a version-2 session after those of version 1. */
static int
get_v2_params(struct disk_reader *d, struct session_spec *p,
    uint8_t digest[PARAMS_DIGEST_LEN])
{
	const uint8_t *b;
	uint8_t version;
	int rc;

	if ((rc = buf_get_u8(&d->r, &version)) != SS_OK)
		return rc;
	if (version == 1)
		return SS_OK;
	if (version != 2)
		return SS_ERR_INVALID;
	p->v2 = 1;
	if ((rc = disk_get_u32(d, &p->min_cohort)) != SS_OK ||
	    (rc = disk_get_u64(d, &p->deadline_unix)) != SS_OK ||
	    (rc = buf_get_bytes(&d->r, sizeof(p->nonce), &b)) != SS_OK)
		return rc;
	memcpy(p->nonce, b, sizeof(p->nonce));
	if ((rc = buf_get_bytes(&d->r, PARAMS_DIGEST_LEN, &b)) != SS_OK)
		return rc;
	memcpy(digest, b, PARAMS_DIGEST_LEN);
	return SS_OK;
}

int
disk_get_params(struct disk_reader *d, uint32_t max_parties,
    struct session_spec *p, uint8_t digest[PARAMS_DIGEST_LEN])
{
	uint32_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	memset(digest, 0, PARAMS_DIGEST_LEN);
	if ((rc = disk_get_string(d, p->id, sizeof(p->id))) != SS_OK ||
	    (rc = disk_get_u32(d, &p->n)) != SS_OK)
		return rc;
	/* Each name takes at least its 4-byte length: no allocation past the input. */
	if (p->n < 2 || p->n > max_parties || buf_remaining(&d->r) / 4 < p->n)
		return SS_ERR_INVALID;
	if ((p->parties = calloc(p->n, NAME_BUF)) == NULL)
		return SS_ERR_ALLOC;
	for (i = 0; i < p->n && rc == SS_OK; i++)
		rc = disk_get_string(d, p->parties[i], NAME_BUF);
	if (rc == SS_OK && (rc = disk_get_u32(d, &p->threshold)) == SS_OK &&
	    (rc = disk_get_u32(d, &p->length)) == SS_OK &&
	    (rc = disk_get_u32(d, &p->decimals)) == SS_OK &&
	    (rc = disk_get_u32(d, &p->deadline_seconds)) == SS_OK &&
	    d->with_v2)
		rc = get_v2_params(d, p, digest);
	if (rc != SS_OK) {
		free(p->parties);
		p->parties = NULL;
	}
	return rc;
}

void
disk_put_statement(struct buf_writer *w, const struct held_statement *h)
{
	if (h == NULL || h->body == NULL) {
		buf_put_u32(w, 0);
		return;
	}
	buf_put_u32(w, (uint32_t)h->len);
	buf_put(w, h->body, h->len);
	buf_put_u32(w, (uint32_t)h->sig_len);
	buf_put(w, h->sig, h->sig_len);
}

int
disk_get_statement(struct disk_reader *d, struct statement_in *in,
    int *present)
{
	uint32_t len, sig_len;
	int rc;

	memset(in, 0, sizeof(*in));
	*present = 0;
	if ((rc = disk_get_u32(d, &len)) != SS_OK || len == 0)
		return rc;
	if (len > STATEMENT_BODY_MAX)
		return SS_ERR_INVALID;
	if ((rc = buf_get_bytes(&d->r, len, &in->body)) != SS_OK ||
	    (rc = disk_get_u32(d, &sig_len)) != SS_OK)
		return rc;
	if (sig_len == 0 || sig_len > STATEMENT_SIG_MAX)
		return SS_ERR_INVALID;
	if ((rc = buf_get_bytes(&d->r, sig_len, &in->sig)) != SS_OK)
		return rc;
	in->len = len;
	in->sig_len = sig_len;
	*present = 1;
	return SS_OK;
}
