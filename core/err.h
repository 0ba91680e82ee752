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
/* The outcomes a peer is answered with (status.h maps them to wire statuses). */
#define SS_ERR_EXISTS       (-18)  /* a different thing of that name exists */
#define SS_ERR_DENIED       (-19)  /* the caller may not do this */
#define SS_ERR_PRECONDITION (-20)  /* not in this phase or state */
#define SS_ERR_EXHAUSTED    (-21)  /* a configured limit is reached */
#define SS_ERR_UNAVAILABLE  (-22)  /* the service cannot serve now; retry */
#define SS_ERR_UNAUTHENTICATED (-23) /* the peer proved no identity */

/* A constant string describing code; never NULL. */
const char *ss_strerror(int code);

/* Marks results that must be checked: decoders, crypto, journal calls. */
#define SS_WUR __attribute__((warn_unused_result))

/*
 * An error with its message: the one way a failure's detail travels across
 * core/, server/ and client/. A function that can say more than its code
 * takes a struct ss_error * (which may be NULL) and still returns the code;
 * the message is one line, without a trailing period.
 */
#define SS_ERROR_MSG_MAX 1024

struct ss_error {
	int code;                       /* SS_OK or an SS_ERR_* code */
	char msg[SS_ERROR_MSG_MAX];     /* "" when nothing was said */
};

/* Sets e (if not NULL) to code and the formatted message; returns code. */
int ss_error_set(struct ss_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prepends "CONTEXT: " to e's message (e may be NULL); returns e's code. */
int ss_error_prefix(struct ss_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ss_error_clear(struct ss_error *e);
/* e's message, or ss_strerror(e->code) when it has none; never NULL. */
const char *ss_error_msg(const struct ss_error *e);

#endif
