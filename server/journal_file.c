/*
 * journal_file.c: segment names and files, headers, record framing and
 * checksums; see journal_file.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "journal_file.h"
#include "path.h"

#define JOURNAL_NEWEST "journal.newest"
#define NEWEST_LEN 21           /* 20 digits and a newline */

static int
seg_cmp(const void *a, const void *b)
{
	const struct journal_seg *x = a, *y = b;

	if (x->legacy != y->legacy)
		return x->legacy ? -1 : 1;   /* journal.bin is the oldest */
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Whether p[0..n) are n decimal digits of a uint64_t, which goes in *v. */
static int
seg_digits(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || *v > (UINT64_MAX - 9) / 10)
			return 0;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return 1;
}

/* Whether name is journal.<20 digits>.bin; its number in *first. */
static int
seg_parse(const char *name, uint64_t *first)
{
	const size_t pre = 8, digits = 20;

	if (strlen(name) != pre + digits + 4 || strncmp(name, "journal.", pre) != 0 ||
	    strcmp(name + pre + digits, ".bin") != 0)
		return 0;
	return seg_digits(name + pre, digits, first);
}

int
journal_seg_path(char *buf, size_t len, const char *dir,
    const struct journal_seg *g)
{
	int n;

	if (g->legacy)
		return path_join(buf, len, dir, JOURNAL_FILE);
	n = snprintf(buf, len, "%s/" JOURNAL_SEGMENT_FMT, dir,
	    (unsigned long long)g->first);
	return n < 0 || (size_t)n >= len ? SS_ERR_TOO_LARGE : SS_OK;
}

/* Appends g to the array *v of *n entries and capacity *cap. */
static int
seg_push(struct journal_seg **v, size_t *n, size_t *cap, struct journal_seg g)
{
	struct journal_seg *nv;

	if (*n == *cap) {
		if ((nv = reallocarray(*v, *cap ? *cap * 2 : 8, sizeof(**v))) == NULL)
			return SS_ERR_ALLOC;
		*v = nv;
		*cap = *cap ? *cap * 2 : 8;
	}
	(*v)[(*n)++] = g;
	return SS_OK;
}

int
journal_seg_list(const char *dir, struct journal_seg **out, size_t *n,
    struct ss_error *e)
{
	struct journal_seg *v = NULL, g;
	struct dirent *de;
	size_t cap = 0;
	int rc = SS_OK;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return ss_error_set(e, SS_ERR_IO, "cannot list %s: %s", dir,
		    strerror(errno));
	errno = 0;
	while (rc == SS_OK && (de = readdir(d)) != NULL) {
		g.first = 0;
		g.legacy = strcmp(de->d_name, JOURNAL_FILE) == 0;
		if (g.legacy || seg_parse(de->d_name, &g.first))
			rc = seg_push(&v, n, &cap, g);
		errno = 0;
	}
	if (rc != SS_OK)
		ss_error_set(e, rc, "out of memory listing %s", dir);
	else if (errno != 0)
		rc = ss_error_set(e, SS_ERR_IO, "cannot list %s: %s", dir,
		    strerror(errno));
	closedir(d);
	if (rc != SS_OK) {
		free(v);
		return rc;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), seg_cmp);
	*out = v;
	return SS_OK;
}

void
journal_file_header(uint8_t hdr[JOURNAL_FILE_HEADER])
{
	memcpy(hdr, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN);
	buf_store_u32(hdr + JOURNAL_MAGIC_LEN, JOURNAL_VERSION);
}

int
journal_header_prefix(const uint8_t *p, size_t n)
{
	uint8_t hdr[JOURNAL_FILE_HEADER];

	if (n >= sizeof(hdr))
		return 0;
	journal_file_header(hdr);
	if (memcmp(p, hdr, n) == 0)
		return 1;
	/* The last big-endian version's: 3 as 00 00 00 03. */
	buf_store_uint(hdr + JOURNAL_MAGIC_LEN, 4, 1, JOURNAL_LAST_BIG_ENDIAN);
	return memcmp(p, hdr, n) == 0;
}

uint32_t
journal_file_version(const uint8_t hdr[JOURNAL_FILE_HEADER])
{
	return disk_version(hdr + JOURNAL_MAGIC_LEN, JOURNAL_LAST_BIG_ENDIAN);
}

/*
 * Names first as the newest segment in journal.newest, replaced whole by a
 * rename; the caller fsyncs the folder. errno says why on failure.
 */
static int
newest_note(const char *dir, uint64_t first)
{
	char tmp[4096], path[4096], text[NEWEST_LEN + 1];
	int fd, ok;

	if (path_join(tmp, sizeof(tmp), dir, JOURNAL_NEWEST ".tmp") != SS_OK ||
	    path_join(path, sizeof(path), dir, JOURNAL_NEWEST) != SS_OK) {
		errno = ENAMETOOLONG;
		return SS_ERR_TOO_LARGE;
	}
	(void)snprintf(text, sizeof(text), "%020llu\n", (unsigned long long)first);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return SS_ERR_IO;
	ok = write(fd, text, NEWEST_LEN) == NEWEST_LEN && fsync(fd) == 0;
	if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
		ok = errno;
		(void)unlink(tmp);
		errno = ok != 0 ? ok : ENOSPC;
		return SS_ERR_IO;
	}
	return SS_OK;
}

/* The segment number journal.newest of dir names in *first, or 0 if none. */
static int
newest_read(const char *dir, uint64_t *first, struct ss_error *e)
{
	char path[4096], text[NEWEST_LEN + 1];
	ssize_t got;
	int fd;

	*first = 0;
	if (path_join(path, sizeof(path), dir, JOURNAL_NEWEST) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? SS_OK : ss_error_set(e, SS_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	got = read(fd, text, sizeof(text));
	close(fd);
	text[NEWEST_LEN] = '\0';
	if (got != NEWEST_LEN || text[NEWEST_LEN - 1] != '\n' ||
	    !seg_digits(text, NEWEST_LEN - 1, first))
		return ss_error_set(e, SS_ERR_INVALID, "%s is damaged (not 20 "
		    "digits and a newline); it was left in place", path);
	return SS_OK;
}

int
journal_newest_check(const char *dir, const struct journal_seg *v, size_t n,
    struct ss_error *e)
{
	uint64_t first;
	int rc;

	if ((rc = newest_read(dir, &first, e)) != SS_OK)
		return rc;
	if (first == 0 || (n > 0 && !v[n - 1].legacy && v[n - 1].first >= first))
		return SS_OK;
	return ss_error_set(e, SS_ERR_INVALID, "journal segment " JOURNAL_SEGMENT_FMT
	    " is missing from %s: " JOURNAL_NEWEST " names it as the newest "
	    "segment made, so the changes it held would be lost; restore it "
	    "from a backup (nothing was changed)", (unsigned long long)first, dir);
}

int
journal_seg_create(const char *dir, uint64_t first, int *fdp, char *path,
    size_t pathlen, struct ss_error *e)
{
	struct journal_seg g = { first, 0 };
	uint8_t hdr[JOURNAL_FILE_HEADER];
	int fd, err;

	if (journal_seg_path(path, pathlen, dir, &g) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	journal_file_header(hdr);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    0600)) < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot create journal %s: %s",
		    path, strerror(errno));
	/*
	 * journal.newest is replaced only once the segment it names is on
	 * disk, and the folder synced again after: a failure before its
	 * rename leaves it naming the segment before, which is still there.
	 */
	errno = 0;
	if (write(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr) ||
	    fsync(fd) != 0 || disk_fsync_dir(dir) != SS_OK ||
	    newest_note(dir, first) != SS_OK || disk_fsync_dir(dir) != SS_OK) {
		err = errno != 0 ? errno : ENOSPC;
		close(fd);
		(void)unlink(path);
		return ss_error_set(e, SS_ERR_IO, "cannot write journal %s: %s",
		    path, strerror(err));
	}
	*fdp = fd;
	return SS_OK;
}

void
journal_rec_encode(uint8_t out[JOURNAL_REC_HEADER], const struct journal_rec *h)
{
	buf_store_u32(out, h->len);
	buf_store_u64(out + 4, h->seq);
	buf_store_u64(out + 12, h->sum);
}

int
journal_rec_decode(struct disk_reader *d, struct journal_rec *h)
{
	int rc;

	if ((rc = disk_get_u32(d, &h->len)) == SS_OK &&
	    (rc = disk_get_u64(d, &h->seq)) == SS_OK)
		rc = disk_get_u64(d, &h->sum);
	return rc;
}

/*
 * The record checksum guards against torn writes and media corruption, not
 * an adversary: whoever can write the state directory can rewrite any
 * checksum too. So a fast non-cryptographic hash does; SHA-256 here was 16 %
 * of the server's CPU on the upload path.
 */
int
journal_checksum(uint64_t seq, int big_endian, const struct iovec *parts,
    int nparts, uint64_t *sum)
{
	XXH3_state_t *st;
	uint8_t seqb[8];
	int i, ok;

	buf_store_uint(seqb, sizeof(seqb), big_endian, seq);
	if ((st = XXH3_createState()) == NULL)
		return SS_ERR_ALLOC;
	ok = XXH3_64bits_reset(st) == XXH_OK &&
	    XXH3_64bits_update(st, seqb, sizeof(seqb)) == XXH_OK;
	for (i = 0; ok && i < nparts; i++)
		ok = XXH3_64bits_update(st, parts[i].iov_base, parts[i].iov_len) == XXH_OK;
	if (ok)
		*sum = XXH3_64bits_digest(st);
	(void)XXH3_freeState(st);
	return ok ? SS_OK : SS_ERR_INTERNAL;
}
