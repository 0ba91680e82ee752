/*
 * wire_pb.h: what the two halves of the client's codec (wire_request.c and
 * wire.c) rely on in nanopb's generated code: the numbers of the
 * envelope's fields, checked against the proto at compile time, and the
 * walk over a message's fields by which each half fills or reads one.
 * Internal to the codec; the rest of the client sees only wire.h.
 *
 * proto/securesum.options makes the short strings (session ids and party
 * names) static char[65] members; without it they are callbacks, and the
 * bodies of Request and Response a union. The generator only finds the
 * options file when run with the right search path, so the codec handles
 * either layout, telling them apart field by field from the descriptors,
 * rather than depend on it silently.
 */
#ifndef SS_CLIENT_WIRE_PB_H
#define SS_CLIENT_WIRE_PB_H

#include <stdbool.h>
#include <stdint.h>

#include <pb_common.h>

#include "securesum.pb.h"
#include "status.h"
#include "wire.h"

_Static_assert((int)WIRE_CREATE_SESSION == (int)securesum_Method_CREATE_SESSION &&
    (int)WIRE_GET_KEYS == (int)securesum_Method_GET_KEYS &&
    (int)WIRE_POST_COHORT == (int)securesum_Method_POST_COHORT &&
    (int)WIRE_GET_COHORT == (int)securesum_Method_GET_COHORT &&
    (int)WIRE_DELETE_SESSION == (int)securesum_Method_DELETE_SESSION &&
    (int)WIRE_LIST_SESSIONS == (int)securesum_Method_LIST_SESSIONS,
    "method numbers");
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
_Static_assert(securesum_Request_get_cohort_tag ==
    TAG_BODY_BASE + WIRE_GET_COHORT, "body tags");
_Static_assert(securesum_Response_get_cohort_tag ==
    TAG_BODY_BASE + WIRE_GET_COHORT, "body tags");
_Static_assert(securesum_Request_list_sessions_tag ==
    TAG_BODY_BASE + WIRE_LIST_SESSIONS &&
    securesum_Response_list_sessions_tag ==
    TAG_BODY_BASE + WIRE_LIST_SESSIONS, "body tags");

/*
 * What the fields of a message carry, field i + 1 role[i] up to a 0: the
 * tables by which wire_request.c fills a request and wire.c decodes a
 * response, each with its own roles.
 */
#define WIRE_FIELDS_MAX 11
struct wire_fields {
	uint8_t role[WIRE_FIELDS_MAX + 1];
};

/*
 * Calls each(it, role, ctx) on every field of msg, a message of type desc,
 * with the role fl gives its number; false as soon as a call is, or when
 * fl and desc do not list the same fields.
 */
bool wire_walk(const pb_msgdesc_t *desc, void *msg,
    const struct wire_fields *fl,
    bool (*each)(pb_field_iter_t *it, int role, void *ctx), void *ctx);

#endif
