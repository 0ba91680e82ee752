/*
 * pstate_folder.c: a party's state folder itself (pstate.h): where it is
 * by default, creating it private, claiming it for one party (the "party"
 * record), its lock, and sweeping what a crash left; the records in it are
 * pstate.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "pstate_internal.h"

int
pstate_default_dir(const char *party, char *out, size_t outlen,
    struct ss_error *e)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (!name_valid(party))
		return ss_error_set(e, SS_ERR_INVALID, "'%s' is not a party "
		    "name", party != NULL ? party : "(none)");
	/* The XDG specification: a relative path is to be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/secure-sum/%s", xdg, party);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outlen, "%s/.local/state/secure-sum/%s",
		    home, party);
	else
		return ss_error_set(e, SS_ERR_NOT_FOUND, "neither "
		    "XDG_STATE_HOME nor HOME names an absolute folder: give the "
		    "party's state folder with --state DIR");
	if (n < 0 || (size_t)n >= outlen)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "the state folder's "
		    "path is too long");
	return SS_OK;
}

/*
 * Makes dir and its missing parents, mode 0700 (existing ones are left as
 * they are). Returns the errno of the last mkdir that failed other than
 * with EEXIST, for the message if dir then cannot be opened; else 0.
 */
static int
make_folders(const char *dir)
{
	char p[PATH_MAX];
	size_t i, len = strlen(dir);
	int err = 0;

	memcpy(p, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == 0)
			err = 0;
		else if (errno != EEXIST)
			err = errno;
		p[i] = i < len ? '/' : '\0';
	}
	return err;
}

static int
open_folder(struct pstate *st, struct ss_error *e)
{
	int made = make_folders(st->path);

	st->dirfd = open(st->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0)
		return ss_error_set(e, SS_ERR_IO, "state folder %s: %s",
		    st->path, strerror(made != 0 ? made : errno));
	return pfile_check_private(st->dirfd, st->path, 1, e);
}

static int
open_lock(struct pstate *st, struct ss_error *e)
{
	char path[PATH_MAX + PFILE_NAME_MAX];

	snprintf(path, sizeof(path), "%s/%s", st->path, PFILE_LOCK);
	st->lockfd = openat(st->dirfd, PFILE_LOCK, O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lockfd < 0)
		return ss_error_set(e, SS_ERR_IO, "%s: %s", path,
		    strerror(errno));
	return pfile_check_private(st->lockfd, path, 0, e);
}

int
pstate_lock(struct pstate *st, struct ss_error *e)
{
	while (flock(st->lockfd, LOCK_EX) != 0)
		if (errno != EINTR)
			return ss_error_set(e, SS_ERR_IO, "locking %s/%s: %s",
			    st->path, PFILE_LOCK, strerror(errno));
	return SS_OK;
}

void
pstate_unlock(struct pstate *st)
{
	(void)flock(st->lockfd, LOCK_UN);
}

/* The party file's body: the name of the party whose folder this is. */
static int
write_party(struct pstate *st, struct ss_error *e)
{
	struct buf_writer w;

	buf_writer_init(&w, 4 + NAME_MAX_LEN);
	buf_put_string(&w, st->party);
	return pfile_write(st, PFILE_PARTY, PFILE_KIND_PARTY, &w, e);
}

/* The party file's body: a party's name, into arg (NAME_BUF bytes). */
static int
decode_party(const uint8_t *body, size_t len, void *arg)
{
	struct buf_reader r;
	char *owner = arg;

	buf_reader_init(&r, body, len);
	if (buf_get_string(&r, owner, NAME_BUF) != SS_OK ||
	    buf_remaining(&r) != 0 || !name_valid(owner))
		return SS_ERR_INVALID;
	return SS_OK;
}

/*
 * Under the lock: removes a crash's temporary files, then makes sure the
 * folder is this party's, claiming it when it holds no record yet. Records
 * without a party file are refused: whose they are is unknown.
 */
static int
claim_folder(struct pstate *st, struct ss_error *e)
{
	char owner[NAME_BUF];
	int rc, records;

	if ((rc = pfile_sweep(st, &records, e)) != SS_OK)
		return rc;
	rc = pfile_load(st, PFILE_PARTY, PFILE_KIND_PARTY, 4 + NAME_MAX_LEN,
	    decode_party, owner, "not a party's name", e);
	if (rc == SS_OK && strcmp(owner, st->party) != 0)
		return ss_error_set(e, SS_ERR_DENIED, "state folder %s holds "
		    "the records of party %s, not of %s: give each party its "
		    "own folder", st->path, owner, st->party);
	if (rc != SS_ERR_NOT_FOUND)
		return rc;
	if (records)
		return ss_error_set(e, SS_ERR_INVALID, "state folder %s holds "
		    "records but no %s file naming their party: refusing to "
		    "guess whose they are", st->path, PFILE_PARTY);
	return write_party(st, e);
}

int
pstate_open(const char *dir, const char *party, struct pstate **out,
    struct ss_error *e)
{
	struct pstate *st;
	int rc;

	*out = NULL;
	if (!name_valid(party))
		return ss_error_set(e, SS_ERR_INVALID, "'%s' is not a party "
		    "name", party != NULL ? party : "(none)");
	if (dir == NULL || dir[0] == '\0' || strlen(dir) >= PATH_MAX)
		return ss_error_set(e, SS_ERR_INVALID, "no usable state "
		    "folder path");
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	st->dirfd = st->lockfd = -1;
	memcpy(st->path, dir, strlen(dir) + 1);
	memcpy(st->party, party, strlen(party) + 1);
	rc = open_folder(st, e);
	if (rc == SS_OK)
		rc = open_lock(st, e);
	if (rc == SS_OK && (rc = pstate_lock(st, e)) == SS_OK) {
		rc = claim_folder(st, e);
		pstate_unlock(st);
	}
	if (rc == SS_OK)
		*out = st;
	else
		pstate_close(st);
	return rc;
}

void
pstate_close(struct pstate *st)
{
	if (st == NULL)
		return;
	if (st->lockfd >= 0)
		(void)close(st->lockfd);
	if (st->dirfd >= 0)
		(void)close(st->dirfd);
	free(st->certs.v);
	free(st);
}

const char *
pstate_path(const struct pstate *st)
{
	return st->path;
}

