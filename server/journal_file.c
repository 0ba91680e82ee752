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

static int
seg_cmp(const void *a, const void *b)
{
	const struct journal_seg *x = a, *y = b;

	if (x->legacy != y->legacy)
		return x->legacy ? -1 : 1;   /* journal.bin is the oldest */
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Whether name is journal.<20 digits>.bin; its number in *first. */
static int
seg_parse(const char *name, uint64_t *first)
{
	const size_t pre = 8, digits = 20;
	uint64_t v = 0;
	size_t i;

	if (strlen(name) != pre + digits + 4 || strncmp(name, "journal.", pre) != 0 ||
	    strcmp(name + pre + digits, ".bin") != 0)
		return 0;
	for (i = pre; i < pre + digits; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*first = v;
	return 1;
}

int
journal_seg_path(char *buf, size_t len, const char *dir,
    const struct journal_seg *g)
{
	int n;

	if (g->legacy)
		n = snprintf(buf, len, "%s/%s", dir, JOURNAL_FILE);
	else
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
	if (write(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr) ||
	    fsync(fd) != 0 || disk_fsync_dir(dir) != SS_OK) {
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
