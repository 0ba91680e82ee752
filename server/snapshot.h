/*
 * snapshot.h: the server's state on disk.
 *
 * A snapshot is the whole store (sessions, sealed shares, sumpoints,
 * signed statements, key directory: only what the server saw) in one versioned, checksummed file,
 * STATE_DIR/snapshot.bin. It is written to a temporary file, fsynced,
 * renamed over the old one and the folder fsynced, so a crash at any moment
 * leaves either the old or the new snapshot, whole.
 */
#ifndef SS_SNAPSHOT_H
#define SS_SNAPSHOT_H

#include "err.h"
#include "store.h"

#define SNAPSHOT_FILE    "snapshot.bin"
/*
 * The format this server writes: 4, little-endian, with protocol version
 * 2's fields (parameters, statements, signing certificates, conflicts) and
 * each session's creator. It reads 3 (the same without the creator), 2
 * (3 without version 2's fields) and 1 (2 big-endian) as well, and writes
 * them back as 4.
 */
#define SNAPSHOT_VERSION         4
#define SNAPSHOT_LAST_BIG_ENDIAN 1
#define SNAPSHOT_FIRST_V2        3
#define SNAPSHOT_FIRST_LIFECYCLE 4    /* with each session's creator */

/* Writes s as DIR/snapshot.bin; e says why it failed, naming the file. */
int snapshot_write(const struct store *s, const char *dir,
    struct ss_error *e) SS_WUR;

/*
 * Removes DIR/snapshot.bin.tmp, what a writer killed mid-write leaves (as
 * large as a snapshot, and never read: only the rename makes one). *size is
 * the bytes it held, or -1 when there was none. Only with the folder
 * locked, before any snapshot child runs: one may be writing it.
 */
int snapshot_remove_leftover(const char *dir, long long *size,
    struct ss_error *e) SS_WUR;

/*
 * Loads DIR/snapshot.bin into a new store with limits lim, or makes an empty
 * store when there is none. A file that is damaged, of an unknown version or
 * inconsistent is an error naming the file; it is left in place.
 */
int snapshot_load(const char *dir, const struct store_limits *lim,
    struct store **out, struct ss_error *e) SS_WUR;

#endif
