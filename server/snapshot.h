/*
 * snapshot.h: the server's state on disk.
 *
 * A snapshot is the whole store (sessions, sealed shares, sumpoints, key
 * directory: only what the server saw) in one versioned, checksummed file,
 * STATE_DIR/snapshot.bin. It is written to a temporary file, fsynced,
 * renamed over the old one and the folder fsynced, so a crash at any moment
 * leaves either the old or the new snapshot, whole.
 */
#ifndef SS_SNAPSHOT_H
#define SS_SNAPSHOT_H

#include <stddef.h>

#include "buf.h"
#include "store.h"

#define SNAPSHOT_FILE    "snapshot.bin"
#define SNAPSHOT_VERSION 1

int snapshot_write(const struct store *s, const char *dir, char *err, size_t errlen);

/*
 * Loads DIR/snapshot.bin into a new store with limits lim, or makes an empty
 * store when there is none. A file that is damaged, of an unknown version or
 * inconsistent is an error naming the file; it is left in place.
 */
int snapshot_load(const char *dir, const struct store_limits *lim,
    struct store **out, char *err, size_t errlen);

/*
 * Reads session parameters in the form both the snapshot and the journal
 * use (str id, u32 n, n * str, u32 threshold, length, decimals,
 * deadline_seconds). On success p->parties is malloc'd.
 */
int snapshot_read_params(struct buf_reader *r, uint32_t max_parties,
    struct session_params *p);

#endif
