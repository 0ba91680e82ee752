/*
 * wire_pb.h: what the two halves of the client's codec (wire_request.c and
 * wire.c) rely on in nanopb's generated code: its layout of short
 * strings, and the numbers of the envelope's fields, checked against the
 * proto at compile time. Internal to the codec; the rest of the client
 * sees only wire.h.
 */
#ifndef SS_CLIENT_WIRE_PB_H
#define SS_CLIENT_WIRE_PB_H

#include "securesum.pb.h"
#include "status.h"
#include "wire.h"

/*
 * proto/securesum.options makes the short strings (session ids and party
 * names) static char[65] members; without it they are callbacks. The
 * generator only finds the options file when run with the right search path,
 * so this codec builds with either layout rather than depend on it silently.
 * GetShareRequest has a fixed maximum size exactly when its strings are
 * static, which is how the layout is told apart.
 */
#ifdef securesum_GetShareRequest_size
#define WIRE_STATIC_NAMES 1
#endif

_Static_assert((int)WIRE_CREATE_SESSION == (int)securesum_Method_CREATE_SESSION &&
    (int)WIRE_GET_KEYS == (int)securesum_Method_GET_KEYS, "method numbers");
_Static_assert((int)ST_OK == (int)securesum_Code_OK &&
    (int)ST_NOT_FOUND == (int)securesum_Code_NOT_FOUND &&
    (int)ST_FAILED_PRECONDITION == (int)securesum_Code_FAILED_PRECONDITION &&
    (int)ST_UNAUTHENTICATED == (int)securesum_Code_UNAUTHENTICATED,
    "code numbers");
_Static_assert((int)PHASE_SHARING == (int)securesum_Phase_SHARING &&
    (int)PHASE_FAILED == (int)securesum_Phase_FAILED, "phase numbers");

/* Envelope field numbers (Request and Response share them). */
#define TAG_ID        1
#define TAG_METHOD    2   /* Request.method / Response.code */
#define TAG_DEADLINE  3   /* Request.deadline_unix_ms / Response.message */
#define TAG_BODY_BASE 9   /* body tag = method + 9: create_session = 10 ... */

_Static_assert(securesum_Request_create_session_tag ==
    TAG_BODY_BASE + WIRE_CREATE_SESSION, "body tags");
_Static_assert(securesum_Request_get_keys_tag == TAG_BODY_BASE + WIRE_GET_KEYS,
    "body tags");
_Static_assert(securesum_Response_get_keys_tag == TAG_BODY_BASE + WIRE_GET_KEYS,
    "body tags");

#endif
