/*
 * wire_request.c: encoding a Request, on nanopb's generated descriptors.
 *
 * Every repeated or bytes field goes through a callback: repeated uint64 is
 * written packed (the proto3 default), and ciphertexts are written straight
 * from the caller's memory. The envelope is written by hand, the body
 * through the generated descriptors.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pb_encode.h>

#include "err.h"
#include "name.h"
#include "securesum.pb.h"
#include "wire.h"
#include "wire_pb.h"

struct str_list {
	const char *const *v;
	size_t n;
};

struct byte_span {
	const uint8_t *p;
	size_t n;
};

struct u64_span {
	const uint64_t *v;
	size_t n;
};

struct share_list {
	const struct wire_share *v;
	size_t n;
};

#ifndef WIRE_STATIC_NAMES
static bool
enc_string(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const char *str = *arg;

	/* proto3 leaves an empty string out. */
	if (str == NULL || *str == '\0')
		return true;
	return pb_encode_tag_for_field(s, f) &&
	    pb_encode_string(s, (const pb_byte_t *)str, strlen(str));
}
#endif

static bool
enc_string_list(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct str_list *l = *arg;
	size_t i;

	for (i = 0; i < l->n; i++) {
		/* A repeated string keeps its empty entries: they are entries. */
		if (!pb_encode_tag_for_field(s, f) ||
		    !pb_encode_string(s, (const pb_byte_t *)l->v[i],
		    strlen(l->v[i])))
			return false;
	}
	return true;
}

static bool
enc_bytes(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct byte_span *b = *arg;

	if (b->n == 0)
		return true;
	return pb_encode_tag_for_field(s, f) && pb_encode_string(s, b->p, b->n);
}

/*
 * Packed repeated fixed64: one length-delimited run of 8-byte little-endian
 * elements. Field elements are uniform below 2^61, so varints would take 9
 * bytes for nearly every one; fixed64 takes 8 and lets the server keep the
 * run as it arrived.
 */
static bool
enc_u64_packed(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct u64_span *u = *arg;
	size_t i;

	if (u->n == 0)
		return true;
	if (u->n > SIZE_MAX / 8 || !pb_encode_tag(s, PB_WT_STRING, f->tag) ||
	    !pb_encode_varint(s, (uint64_t)u->n * 8))
		return false;
	for (i = 0; i < u->n; i++)
		if (!pb_encode_fixed64(s, &u->v[i]))
			return false;
	return true;
}

/*
 * Sets a short string member of a generated struct. In the static layout the
 * member is a char array; in the callback layout it is a pb_callback_t.
 * Either way the name must fit NAME_MAX_LEN, checked by the caller.
 */
#ifdef WIRE_STATIC_NAMES
#define SET_NAME(member, str) \
	do { \
		_Static_assert(sizeof(member) == NAME_MAX_LEN + 1, "name size"); \
		memcpy((member), (str), strlen(str) + 1); \
	} while (0)
#else
#define SET_NAME(member, str) \
	do { \
		(member).funcs.encode = enc_string; \
		(member).arg = (void *)(uintptr_t)(const void *)(str); \
	} while (0)
#endif

static bool
enc_shares(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct share_list *l = *arg;
	size_t i;

	for (i = 0; i < l->n; i++) {
		securesum_EncryptedShare es = securesum_EncryptedShare_init_zero;
		struct byte_span ct = { l->v[i].ct, l->v[i].ct_len };

		SET_NAME(es.recipient, l->v[i].recipient);
		es.ciphertext.funcs.encode = enc_bytes;
		es.ciphertext.arg = &ct;
		if (!pb_encode_tag_for_field(s, f) ||
		    !pb_encode_submessage(s, securesum_EncryptedShare_fields, &es))
			return false;
	}
	return true;
}

/* A name the request needs: SS_ERR_INVALID if NULL, SS_ERR_TOO_LARGE if long. */
static int
check_name(const char *name)
{
	if (name == NULL)
		return SS_ERR_INVALID;
	return strlen(name) <= NAME_MAX_LEN ? SS_OK : SS_ERR_TOO_LARGE;
}

/* The names of CREATE_SESSION and GET_KEYS, all there. */
static int
names_present(const struct wire_request *r)
{
	size_t i;

	if (r->nnames > 0 && r->names == NULL)
		return SS_ERR_INVALID;
	for (i = 0; i < r->nnames; i++)
		if (r->names[i] == NULL)
			return SS_ERR_INVALID;
	return SS_OK;
}

/* The ciphertexts of SUBMIT_SHARES, each with its recipient. */
static int
shares_valid(const struct wire_request *r)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nshares; i++) {
		if (r->shares[i].ct == NULL && r->shares[i].ct_len > 0)
			return SS_ERR_INVALID;
		if ((rc = check_name(r->shares[i].recipient)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

/* Checks that the request carries what its method needs. */
static int
request_valid(const struct wire_request *r)
{
	int rc = SS_OK;

	switch (r->method) {
	case WIRE_CREATE_SESSION:
		rc = names_present(r);
		break;
	case WIRE_SUBMIT_SHARES:
		if (r->nshares > 0 && r->shares == NULL)
			return SS_ERR_INVALID;
		if ((rc = check_name(r->party)) == SS_OK)
			rc = shares_valid(r);
		break;
	case WIRE_GET_SHARE:
		rc = check_name(r->party);
		break;
	case WIRE_POST_SUMPOINT:
		if (r->nvalues > 0 && r->values == NULL)
			return SS_ERR_INVALID;
		rc = check_name(r->party);
		break;
	case WIRE_LIST_SUMPOINTS:
	case WIRE_GET_STATUS:
		break;
	case WIRE_PUBLISH_KEY:
		return r->cert == NULL && r->cert_len > 0 ? SS_ERR_INVALID : SS_OK;
	case WIRE_GET_KEYS:
		return names_present(r);
	default:
		return SS_ERR_INVALID;
	}
	/* Every method left carries a session id. */
	return rc != SS_OK ? rc : check_name(r->session_id);
}

/* The bodies of the requests, one encoder for each method. */
static bool
enc_create(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_CreateSessionRequest m =
	    securesum_CreateSessionRequest_init_zero;
	struct str_list names = { r->names, r->nnames };

	m.has_params = true;
	SET_NAME(m.params.session_id, r->session_id);
	m.params.parties.funcs.encode = enc_string_list;
	m.params.parties.arg = &names;
	m.params.threshold = r->threshold;
	m.params.length = r->length;
	m.params.decimals = r->decimals;
	m.params.deadline_seconds = r->deadline_seconds;
	return pb_encode_submessage(s, securesum_CreateSessionRequest_fields,
	    &m);
}

static bool
enc_submit(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_SubmitSharesRequest m = securesum_SubmitSharesRequest_init_zero;
	struct share_list shares = { r->shares, r->nshares };

	SET_NAME(m.session_id, r->session_id);
	SET_NAME(m.party, r->party);
	m.shares.funcs.encode = enc_shares;
	m.shares.arg = &shares;
	return pb_encode_submessage(s, securesum_SubmitSharesRequest_fields,
	    &m);
}

static bool
enc_get_share(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_GetShareRequest m = securesum_GetShareRequest_init_zero;

	SET_NAME(m.session_id, r->session_id);
	SET_NAME(m.party, r->party);
	return pb_encode_submessage(s, securesum_GetShareRequest_fields, &m);
}

static bool
enc_post(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_PostSumpointRequest m = securesum_PostSumpointRequest_init_zero;
	struct u64_span values = { r->values, r->nvalues };

	SET_NAME(m.session_id, r->session_id);
	SET_NAME(m.party, r->party);
	m.values.funcs.encode = enc_u64_packed;
	m.values.arg = &values;
	return pb_encode_submessage(s, securesum_PostSumpointRequest_fields,
	    &m);
}

static bool
enc_list(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_ListSumpointsRequest m =
	    securesum_ListSumpointsRequest_init_zero;

	SET_NAME(m.session_id, r->session_id);
	return pb_encode_submessage(s, securesum_ListSumpointsRequest_fields,
	    &m);
}

static bool
enc_status(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_GetStatusRequest m = securesum_GetStatusRequest_init_zero;

	SET_NAME(m.session_id, r->session_id);
	return pb_encode_submessage(s, securesum_GetStatusRequest_fields, &m);
}

static bool
enc_publish(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_PublishKeyRequest m = securesum_PublishKeyRequest_init_zero;
	struct byte_span cert = { r->cert, r->cert_len };

	m.certificate.funcs.encode = enc_bytes;
	m.certificate.arg = &cert;
	return pb_encode_submessage(s, securesum_PublishKeyRequest_fields, &m);
}

static bool
enc_get_keys(pb_ostream_t *s, const struct wire_request *r)
{
	securesum_GetKeysRequest m = securesum_GetKeysRequest_init_zero;
	struct str_list names = { r->names, r->nnames };

	m.parties.funcs.encode = enc_string_list;
	m.parties.arg = &names;
	return pb_encode_submessage(s, securesum_GetKeysRequest_fields, &m);
}

static bool (*const body_encoders[])(pb_ostream_t *,
    const struct wire_request *) = {
	[WIRE_CREATE_SESSION] = enc_create,
	[WIRE_SUBMIT_SHARES] = enc_submit,
	[WIRE_GET_SHARE] = enc_get_share,
	[WIRE_POST_SUMPOINT] = enc_post,
	[WIRE_LIST_SUMPOINTS] = enc_list,
	[WIRE_GET_STATUS] = enc_status,
	[WIRE_PUBLISH_KEY] = enc_publish,
	[WIRE_GET_KEYS] = enc_get_keys,
};

/* Encodes the body submessage of req, tag and length included. */
static bool
encode_body(pb_ostream_t *s, const struct wire_request *r)
{
	if (r->method < WIRE_CREATE_SESSION || r->method > WIRE_GET_KEYS)
		return false;
	return pb_encode_tag(s, PB_WT_STRING,
	    (uint32_t)(TAG_BODY_BASE + r->method)) &&
	    body_encoders[r->method](s, r);
}

int
wire_encode_request(pb_ostream_t *s, const struct wire_request *req)
{
	int r;

	if ((r = request_valid(req)) != SS_OK)
		return r;
	/* proto3: fields at their default value are left out. */
	if (req->id != 0 && (!pb_encode_tag(s, PB_WT_VARINT, TAG_ID) ||
	    !pb_encode_varint(s, req->id)))
		return SS_ERR_IO;
	if (!pb_encode_tag(s, PB_WT_VARINT, TAG_METHOD) ||
	    !pb_encode_varint(s, (uint64_t)req->method))
		return SS_ERR_IO;
	if (req->deadline_unix_ms != 0 &&
	    (!pb_encode_tag(s, PB_WT_VARINT, TAG_DEADLINE) ||
	    !pb_encode_varint(s, req->deadline_unix_ms)))
		return SS_ERR_IO;
	/* The body is always present, even when empty: it names the call. */
	if (!encode_body(s, req))
		return SS_ERR_IO;
	return SS_OK;
}

int
wire_request_size(const struct wire_request *req, size_t *size)
{
	pb_ostream_t s = PB_OSTREAM_SIZING;
	int r;

	s.max_size = SIZE_MAX;
	if ((r = wire_encode_request(&s, req)) != SS_OK)
		return r;
	*size = s.bytes_written;
	return SS_OK;
}
