/*
 * pstate_internal.h: what the files of client/pstate*.c share and no one
 * else needs: the open folder, its lock, and the one way a record file is
 * written and read (pstate_file.c).
 *
 * A record file is, integers little-endian:
 *
 *   "SSPSTATE"   8 bytes   magic
 *   version      u32       PFILE_VERSION
 *   kind         u32       enum pfile_kind: what the body holds
 *   body length  u32
 *   body
 *   SHA-256      32 bytes  of every byte before it
 */
#ifndef SS_CLIENT_PSTATE_INTERNAL_H
#define SS_CLIENT_PSTATE_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "name.h"
#include "pstate.h"

#define PFILE_MAGIC        "SSPSTATE"
#define PFILE_MAGIC_LEN    8
#define PFILE_VERSION      1
#define PFILE_HEADER_LEN   (PFILE_MAGIC_LEN + 3 * 4)
/* Temporary files start so; no record's name does. */
#define PFILE_TMP_PREFIX   "tmp-"
#define PFILE_LOCK         "lock"
#define PFILE_PARTY        "party"
#define PFILE_CERTS        "certs"
/* The longest file name: "tmp-" PID "-" "s-" and the longest session id. */
#define PFILE_NAME_MAX     (32 + SESSION_ID_MAX_LEN)

enum pfile_kind {
	PFILE_KIND_PARTY = 1,           /* "party": whose folder this is */
	PFILE_KIND_DIGEST = 2,          /* "d-HEX": the record of one D */
	PFILE_KIND_SESSION = 3,         /* "s-ID": a session id's instances */
	PFILE_KIND_CERTS = 4,           /* "certs": the certificate cache */
	PFILE_KIND_SUBMISSION = 5,      /* "k-HEX": a D's submission, kept */
};

/* The certificates cached, as last read or written. */
struct pstate_certs {
	struct pstate_cert *v;          /* sorted by fingerprint, distinct */
	size_t n;
	int loaded;
};

struct pstate {
	int dirfd;                      /* the folder, opened once */
	int lockfd;                     /* PFILE_LOCK, flocked per update */
	char path[PATH_MAX];            /* the folder, for messages */
	char party[NAME_BUF];
	struct pstate_certs certs;
};

/* Takes the folder's exclusive lock, waiting for it. */
int pstate_lock(struct pstate *st, struct ss_error *e) SS_WUR;
void pstate_unlock(struct pstate *st);

/*
 * Refuses (SS_ERR_KEY_PERMS) fd, the folder (want_dir) or a regular file at
 * path, when it is not ours or group or others may use it; SS_ERR_INVALID
 * when it is not a folder or not a regular file, as asked.
 */
int pfile_check_private(int fd, const char *path, int want_dir,
    struct ss_error *e) SS_WUR;

/*
 * Writes what w holds as the record file `name` of kind in st's folder,
 * durably: a temporary file in the same folder, written, fsynced, renamed
 * over name, then the folder fsynced (as Redis's rdb.c saves), so that name
 * holds either its old content or the new one, whole, even after a crash.
 * A writer that failed (buf_writer_error) writes nothing. Frees w.
 */
int pfile_write(struct pstate *st, const char *name, enum pfile_kind kind,
    struct buf_writer *w, struct ss_error *e) SS_WUR;

/* Puts a record's body into w (the file's writer), all of it. */
typedef void (*pfile_body_fn)(struct buf_writer *w, const void *arg);

/*
 * As pfile_write, the body of len bytes put by put(w, arg) straight into
 * the file, never held whole in memory (a kept submission is megabytes);
 * SS_ERR_INTERNAL, nothing renamed, if it puts another length.
 */
int pfile_write_with(struct pstate *st, const char *name, enum pfile_kind kind,
    size_t len, pfile_body_fn put, const void *arg, struct ss_error *e) SS_WUR;

/* Reads a record's body into arg: SS_OK, SS_ERR_INVALID or SS_ERR_ALLOC. */
typedef int (*pfile_decode_fn)(const uint8_t *body, size_t len, void *arg);

/*
 * Reads the record file `name` of kind, whose body holds at most max_body
 * bytes, and decodes its body into arg. SS_ERR_NOT_FOUND when there is no
 * such file; SS_ERR_CHECKSUM when it is damaged (short, or its SHA-256 does
 * not match); SS_ERR_VERSION, SS_ERR_INVALID (not a record of kind, or a
 * body decode refuses: the message then says `what`), SS_ERR_TOO_LARGE;
 * every message names the file.
 */
int pfile_load(struct pstate *st, const char *name, enum pfile_kind kind,
    size_t max_body, pfile_decode_fn decode, void *arg, const char *what,
    struct ss_error *e) SS_WUR;

/*
 * Removes the temporary files a crash left behind (the caller holds the
 * lock, so no other process is writing one), and sets *records when the
 * folder holds any record but the party file.
 */
int pfile_sweep(struct pstate *st, int *records, struct ss_error *e) SS_WUR;

/* Called with the name of a file in the folder; SS_OK goes on. */
typedef int (*pfile_name_fn)(const char *name, void *arg,
    struct ss_error *e);

/*
 * fn on each file of the folder whose name starts with prefix, until it
 * returns anything but SS_OK, which is then returned; SS_OK after the last.
 */
int pfile_each(struct pstate *st, const char *prefix, pfile_name_fn fn,
    void *arg, struct ss_error *e) SS_WUR;

/*
 * The submission kept under d (pstate_kept.c): written durably, as every
 * record is; read back, checked against the digest of its SUBMIT body on
 * record (SS_ERR_NOT_FOUND when there is no copy); removed, when it is no
 * longer needed (best effort: a copy left behind is only disk space).
 */
/* The file name of the submission kept under d: "k-" and d in hex. */
void pkept_name(const uint8_t d[PARAMS_DIGEST_LEN], char out[PFILE_NAME_MAX]);
int pkept_write(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const struct pstate_submission *sub, struct ss_error *e) SS_WUR;
int pkept_read(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN],
    const uint8_t submit[PSTATE_HASH_LEN], struct pstate_submission *out,
    struct ss_error *e) SS_WUR;
void pkept_remove(struct pstate *st, const uint8_t d[PARAMS_DIGEST_LEN]);

/* The first n bytes of p in hex (2n digits and a NUL into out). */
void pfile_hex(char *out, const uint8_t *p, size_t n);
/* 1 if the n bytes at p are all zero. */
int pfile_all_zero(const uint8_t *p, size_t n);

#endif
