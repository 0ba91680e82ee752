/*
 * journal_mark.c: the journal's synced high-water mark on disk; see
 * journal_mark.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "buf.h"
#include "disk.h"
#include "err.h"
#include "journal_mark.h"
#include "path.h"

#define MARK_MAGIC      "SSUMSYNC"
#define MARK_MAGIC_LEN  8
#define MARK_VERSION    1
#define MARK_HEADER     16
#define MARK_SLOT       48
#define MARK_BODY       40      /* the slot before its checksum */
#define MARK_SIZE       (MARK_HEADER + 2 * MARK_SLOT)

/* The slot of generation gen starts here. */
static off_t
slot_at(uint64_t gen)
{
	return (off_t)(MARK_HEADER + (gen % 2) * MARK_SLOT);
}

static void
slot_encode(uint8_t out[MARK_SLOT], const struct journal_mark *m)
{
	memset(out, 0, MARK_SLOT);
	buf_store_u64(out, m->gen);
	buf_store_u64(out + 8, m->first);
	buf_store_u64(out + 16, m->off);
	buf_store_u64(out + 24, m->seq);
	buf_store_u32(out + 32, m->policy);
	buf_store_u64(out + MARK_BODY, XXH3_64bits(out, MARK_BODY));
}

/* Whether the slot at p is whole (its checksum right, its policy known). */
static int
slot_decode(const uint8_t *p, struct journal_mark *m)
{
	struct buf_reader r;
	uint64_t sum;
	uint32_t zero;

	buf_reader_init(&r, p, MARK_SLOT);
	if (buf_get_u64(&r, &m->gen) != SS_OK ||
	    buf_get_u64(&r, &m->first) != SS_OK ||
	    buf_get_u64(&r, &m->off) != SS_OK ||
	    buf_get_u64(&r, &m->seq) != SS_OK ||
	    buf_get_u32(&r, &m->policy) != SS_OK ||
	    buf_get_u32(&r, &zero) != SS_OK || buf_get_u64(&r, &sum) != SS_OK)
		return 0;
	return sum == XXH3_64bits(p, MARK_BODY) && zero == 0 &&
	    m->policy >= MARK_ALWAYS && m->policy <= MARK_NO;
}

/* dir/name in buf; SS_ERR_TOO_LARGE with e set if it does not fit. */
static int
mark_path(char *buf, size_t len, const char *dir, const char *name,
    struct ss_error *e)
{
	if (path_join(buf, len, dir, name) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "state directory path "
		    "too long");
	return SS_OK;
}

/* The mark of the file's bytes d: the whole slot of the higher generation. */
static int
mark_decode(const uint8_t *d, const char *path, struct journal_mark *m,
    struct ss_error *e)
{
	struct journal_mark a, b;
	struct buf_reader r;
	uint32_t version = 0;
	int oka, okb;

	if (memcmp(d, MARK_MAGIC, MARK_MAGIC_LEN) != 0)
		return ss_error_set(e, SS_ERR_INVALID, "%s is not a secure-sum "
		    "synced mark; it was left in place (remove it to start by the "
		    "rules of a folder without one)", path);
	buf_reader_init(&r, d + MARK_MAGIC_LEN, 4);
	if (buf_get_u32(&r, &version) != SS_OK || version != MARK_VERSION)
		return ss_error_set(e, SS_ERR_VERSION, "%s has an unsupported "
		    "version (%u; this server reads %d); it was left in place",
		    path, (unsigned)version, MARK_VERSION);
	oka = slot_decode(d + MARK_HEADER, &a);
	okb = slot_decode(d + MARK_HEADER + MARK_SLOT, &b);
	if (!oka && !okb)
		return ss_error_set(e, SS_ERR_CHECKSUM, "%s is damaged (neither "
		    "of its slots is whole), so the server cannot tell which "
		    "journal records were acknowledged; it was left in place. "
		    "Restore the state folder from a backup, or remove the file "
		    "to start by the rules of a folder without one", path);
	*m = oka && (!okb || a.gen > b.gen) ? a : b;
	return SS_OK;
}

int
journal_mark_read(const char *dir, struct journal_mark *m, struct ss_error *e)
{
	uint8_t d[MARK_SIZE];
	char path[4096];
	ssize_t got;
	int fd, rc;

	memset(m, 0, sizeof(*m));
	if ((rc = mark_path(path, sizeof(path), dir, JOURNAL_MARK_FILE, e)) != SS_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? SS_OK : ss_error_set(e, SS_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	got = read(fd, d, sizeof(d));
	rc = errno;
	close(fd);
	if (got < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot read %s: %s", path,
		    strerror(rc));
	if (got != (ssize_t)sizeof(d))
		return ss_error_set(e, SS_ERR_INVALID, "%s is damaged (%zd bytes, "
		    "not %d); it was left in place. Restore the state folder from "
		    "a backup, or remove the file to start by the rules of a "
		    "folder without one", path, got, MARK_SIZE);
	return mark_decode(d, path, m, e);
}

/* The whole file for m: generation m->gen in both slots' turn. */
static void
mark_encode(uint8_t d[MARK_SIZE], const struct journal_mark *m)
{
	struct journal_mark prev = *m;

	memset(d, 0, MARK_SIZE);
	memcpy(d, MARK_MAGIC, MARK_MAGIC_LEN);
	buf_store_u32(d + MARK_MAGIC_LEN, MARK_VERSION);
	prev.gen = m->gen - 1;
	slot_encode(d + slot_at(prev.gen), &prev);
	slot_encode(d + slot_at(m->gen), m);
}

int
journal_mark_create(const char *dir, struct journal_mark *m, int *fdp,
    struct ss_error *e)
{
	char tmp[4096], path[4096];
	uint8_t d[MARK_SIZE];
	int fd, ok, err;

	if (mark_path(tmp, sizeof(tmp), dir, JOURNAL_MARK_FILE ".tmp", e) != SS_OK ||
	    mark_path(path, sizeof(path), dir, JOURNAL_MARK_FILE, e) != SS_OK)
		return e->code;
	m->gen = 1;
	mark_encode(d, m);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return ss_error_set(e, SS_ERR_IO, "cannot create %s: %s", tmp,
		    strerror(errno));
	errno = 0;
	ok = write(fd, d, sizeof(d)) == (ssize_t)sizeof(d) && fsync(fd) == 0 &&
	    rename(tmp, path) == 0 && disk_fsync_dir(dir) == SS_OK;
	if (!ok) {
		err = errno != 0 ? errno : ENOSPC;
		close(fd);
		(void)unlink(tmp);
		return ss_error_set(e, SS_ERR_IO, "cannot write %s: %s", path,
		    strerror(err));
	}
	*fdp = fd;
	return SS_OK;
}

int
journal_mark_write(int fd, struct journal_mark *m)
{
	uint8_t slot[MARK_SLOT];
	struct journal_mark next = *m;

	next.gen = m->gen + 1;
	slot_encode(slot, &next);
	errno = 0;
	if (pwrite(fd, slot, sizeof(slot), slot_at(next.gen)) != (ssize_t)sizeof(slot) ||
	    fdatasync(fd) != 0) {
		if (errno == 0)
			errno = ENOSPC;
		return SS_ERR_IO;
	}
	m->gen = next.gen;
	return SS_OK;
}
