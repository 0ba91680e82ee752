/*
 * path.h: a file's path from its folder and its name, one rule for every
 * caller that opens a file in a folder it was given (certificates, the
 * state folder, the journal): the path fits, or nothing is opened.
 */
#ifndef SS_PATH_H
#define SS_PATH_H

#include <stddef.h>

#include "err.h"

/*
 * dir "/" name into out: SS_OK; SS_ERR_INVALID for a NULL or empty dir or
 * a NULL name; SS_ERR_TOO_LARGE when it does not fit in outlen (out is
 * then not a path to use).
 */
int path_join(char *out, size_t outlen, const char *dir, const char *name)
    SS_WUR;

#endif
