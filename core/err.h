/*
 * err.h: the error codes every secure-sum module returns.
 *
 * Functions return 0 (SS_OK) on success and a small negative SS_ERR_* code on
 * failure, as OpenSSH's ssherr.h does; ss_strerror() names each one.
 */
#ifndef SS_ERR_H
#define SS_ERR_H

#define SS_OK                   0
#define SS_ERR_INTERNAL      (-1)  /* a bug or an unexpected library failure */
#define SS_ERR_ALLOC         (-2)  /* out of memory */
#define SS_ERR_INVALID       (-3)  /* malformed argument or input */
#define SS_ERR_RANGE         (-4)  /* a value outside its allowed range */
#define SS_ERR_TOO_LARGE     (-5)  /* a length over its bound */
#define SS_ERR_TRUNCATED     (-6)  /* input ended early */
#define SS_ERR_CRYPTO        (-7)  /* a cryptographic library call failed */
#define SS_ERR_AUTH          (-8)  /* authentication of a ciphertext failed */
#define SS_ERR_INCONSISTENT  (-9)  /* sumpoints do not lie on one polynomial */
#define SS_ERR_IO           (-10)  /* a system call on a file or socket failed */
#define SS_ERR_CHECKSUM     (-11)  /* stored data failed its checksum */
#define SS_ERR_VERSION      (-12)  /* stored data of an unknown version */
#define SS_ERR_CERT         (-13)  /* a certificate failed verification */
#define SS_ERR_KEY_PERMS    (-14)  /* a private key file is readable by others */
#define SS_ERR_NOT_FOUND    (-15)  /* a named thing does not exist */
#define SS_ERR_TIMEOUT      (-16)  /* a wait ran out of time */
#define SS_ERR_PROTOCOL     (-17)  /* the peer broke the wire protocol */

/* A constant string describing code; never NULL. */
const char *ss_strerror(int code);

#endif
