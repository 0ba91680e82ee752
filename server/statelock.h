/*
 * statelock.h: one server per state folder. An exclusive lock on the file
 * "lock" in the folder, held for the server's life, with the holder's pid
 * written in it so that a second server can say who holds the folder.
 */
#ifndef SS_STATELOCK_H
#define SS_STATELOCK_H

#include "err.h"

/*
 * Creates dir if it is missing and locks dir/lock; on success *fd is the
 * locked descriptor, which the caller keeps open until it exits (closing it
 * is what releases the lock). SS_ERR_EXISTS if another process holds it,
 * the message naming that process's pid; SS_ERR_IO on other failures.
 */
int statelock_take(const char *dir, int *fd, struct ss_error *e) SS_WUR;

#endif
