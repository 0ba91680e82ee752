/*
 * disk.h: the few file operations the snapshot and the journal share:
 * reading a whole file and making a folder's entries durable.
 */
#ifndef SS_DISK_H
#define SS_DISK_H

#include <stddef.h>
#include <stdint.h>

/* fsync of a folder, so that a rename or a new file in it survives a crash. */
int disk_fsync_dir(const char *dir);

/* Reads all of an open file into a malloc'd buffer; SS_ERR_* on failure. */
int disk_read_all(int fd, uint8_t **data, size_t *len);

#endif
