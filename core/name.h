/*
 * name.h: the syntax of party and session names, one rule for the server,
 * the client, certificates and files: 1 to NAME_MAX_LEN characters of
 * A-Z a-z 0-9 . _ -, not starting with '.' or '-' (so a name is never a
 * path component like "..", nor read as an option).
 */
#ifndef SS_NAME_H
#define SS_NAME_H

#define NAME_MAX_LEN 64
#define NAME_BUF     (NAME_MAX_LEN + 1)   /* a name and its NUL */

/* 1 if name is valid, else 0 (NULL included). */
int name_valid(const char *name);

#endif
