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
	*data = p;
	*len = off;
	return SS_OK;
}

void
disk_reader_init(struct disk_reader *d, const void *data, size_t len,
    int big_endian)
{
	buf_reader_init(&d->r, data, len);
	d->big_endian = big_endian;
}

int
disk_get_u32(struct disk_reader *d, uint32_t *v)
{
	return d->big_endian ? buf_get_u32_be(&d->r, v) : buf_get_u32(&d->r, v);
}

int
disk_get_u64(struct disk_reader *d, uint64_t *v)
{
	return d->big_endian ? buf_get_u64_be(&d->r, v) : buf_get_u64(&d->r, v);
}

int
disk_get_string(struct disk_reader *d, char *out, size_t outsz)
{
	return d->big_endian ? buf_get_string_be(&d->r, out, outsz) :
	    buf_get_string(&d->r, out, outsz);
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
disk_put_params(struct buf_writer *w, const struct session_params *p)
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
}

int
disk_get_params(struct disk_reader *d, uint32_t max_parties,
    struct session_params *p)
{
	uint32_t i;
	int rc;

	memset(p, 0, sizeof(*p));
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
	    (rc = disk_get_u32(d, &p->decimals)) == SS_OK)
		rc = disk_get_u32(d, &p->deadline_seconds);
	if (rc != SS_OK) {
		free(p->parties);
		p->parties = NULL;
	}
	return rc;
}
