/*
 * request.h: decoding a Request frame to exactly what proto3 makes of its
 * bytes (docs/PROTOCOL.md section 5.1), with protobuf-c doing the unpacking.
 *
 * protobuf-c departs from proto3 in a few places, all of them encodings no
 * usual encoder writes but every conforming parser reads:
 *
 *  - a singular message field given twice is merged in proto3, as if its
 *    payloads were one (scalars: the last wins; repeated fields: joined;
 *    messages: merged again). protobuf-c replaces a oneof member given twice,
 *    so Request{get_status{session_id "conf"}, get_status{}} lost its
 *    session id, and merges other message fields losing earlier scalars;
 *  - a known field with a wire type its type cannot have, and a group,
 *    are unknown fields to proto3; protobuf-c refuses the frame;
 *  - a string field that is not UTF-8 makes proto3 refuse the frame;
 *    protobuf-c takes it.
 *
 * Frames holding none of these go to protobuf-c as they are. The others are
 * first rewritten into an equivalent encoding protobuf-c reads right: each
 * merged message once, its payload the pieces joined, unknown fields left
 * out. That rewrite is never longer than the frame.
 */
#ifndef SS_REQUEST_H
#define SS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "err.h"
#include "securesum.pb-c.h"

/*
 * Decodes frame (len bytes) into *out, allocated with alloc (NULL: malloc)
 * and freed with securesum__request__free_unpacked(*out, alloc). The
 * Request carries no unknown fields: they mean nothing to the server, and
 * two encodings of one request then decode to equal structures. SS_OK,
 * SS_ERR_PROTOCOL when proto3 refuses the bytes as a Request, or
 * SS_ERR_ALLOC (protobuf-c's own failures count as SS_ERR_PROTOCOL: it
 * does not tell them apart).
 */
int request_decode(ProtobufCAllocator *alloc, const uint8_t *frame, size_t len,
    Securesum__Request **out) SS_WUR;

#endif
