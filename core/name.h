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

/*
 * Session ids (docs/PROTOCOL.md section 2.1): CREATOR/NAME, both parts names,
 * the creator's namespace; or a bare NAME, which a request may use for a
 * session of the caller's of that NAME, and which sessions created before
 * namespaces kept as their id.
 */
#define SESSION_ID_MAX_LEN (2 * NAME_MAX_LEN + 1)
#define SESSION_ID_BUF     (SESSION_ID_MAX_LEN + 1)

/* 1 if id is a NAME or a CREATOR/NAME, else 0 (NULL included). */
int session_id_valid(const char *id);
/* 1 if id (valid) is CREATOR/NAME. */
int session_id_qualified(const char *id);
/* The NAME part of a valid id: after its '/', or the whole. */
const char *session_id_name(const char *id);
/* 1 if id (valid) is qualified by creator: creator/NAME. */
int session_id_in(const char *id, const char *creator);
/*
 * id as creator names it: creator/id for a bare NAME, else id itself, into
 * out. 1, or 0 if the result is no valid session id.
 */
int session_id_qualify(const char *creator, const char *id,
    char out[SESSION_ID_BUF]);

#endif
