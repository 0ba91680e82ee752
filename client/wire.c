/*
 * wire.c: the client's protobuf codec, on nanopb's generated descriptors.
 *
 * Every repeated or bytes field goes through a callback: repeated uint64 is
 * written packed (the proto3 default) and read packed or not; ciphertexts are
 * written straight from the caller's memory and read into buffers sized from
 * the field's own length after checking it against the caller's limit.
 *
 * The Request and Response envelopes are walked by hand rather than through
 * their generated structs, for two reasons. nanopb clears a oneof member when
 * it selects it, which would wipe the callbacks set up in the body before
 * decoding; and walking the envelope lets the decoder refuse a body that
 * answers another method before it decodes a byte of it. The bodies
 * themselves use the generated descriptors.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "err.h"
#include "securesum.pb.h"
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

/* ---- encoding ---------------------------------------------------------- */

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

static int
name_ok(const char *s)
{
	return s != NULL && strlen(s) <= NAME_MAX_LEN;
}

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

/* Checks that the request carries what its method needs. */
static int
request_valid(const struct wire_request *r)
{
	size_t i;

	switch (r->method) {
	case WIRE_CREATE_SESSION:
		if (r->nnames > 0 && r->names == NULL)
			return SS_ERR_INVALID;
		for (i = 0; i < r->nnames; i++)
			if (r->names[i] == NULL)
				return SS_ERR_INVALID;
		break;
	case WIRE_SUBMIT_SHARES:
		if (r->party == NULL || (r->nshares > 0 && r->shares == NULL))
			return SS_ERR_INVALID;
		if (!name_ok(r->party))
			return SS_ERR_TOO_LARGE;
		for (i = 0; i < r->nshares; i++) {
			if (r->shares[i].recipient == NULL ||
			    (r->shares[i].ct == NULL && r->shares[i].ct_len > 0))
				return SS_ERR_INVALID;
			if (!name_ok(r->shares[i].recipient))
				return SS_ERR_TOO_LARGE;
		}
		break;
	case WIRE_GET_SHARE:
		if (r->party == NULL)
			return SS_ERR_INVALID;
		if (!name_ok(r->party))
			return SS_ERR_TOO_LARGE;
		break;
	case WIRE_POST_SUMPOINT:
		if (r->party == NULL || (r->nvalues > 0 && r->values == NULL))
			return SS_ERR_INVALID;
		if (!name_ok(r->party))
			return SS_ERR_TOO_LARGE;
		break;
	case WIRE_LIST_SUMPOINTS:
	case WIRE_GET_STATUS:
		break;
	case WIRE_PUBLISH_KEY:
		if (r->cert == NULL && r->cert_len > 0)
			return SS_ERR_INVALID;
		return SS_OK;
	case WIRE_GET_KEYS:
		if (r->nnames > 0 && r->names == NULL)
			return SS_ERR_INVALID;
		for (i = 0; i < r->nnames; i++)
			if (r->names[i] == NULL)
				return SS_ERR_INVALID;
		return SS_OK;
	default:
		return SS_ERR_INVALID;
	}
	/* Every method left carries a session id. */
	if (r->session_id == NULL)
		return SS_ERR_INVALID;
	if (!name_ok(r->session_id))
		return SS_ERR_TOO_LARGE;
	return SS_OK;
}

/* Encodes the body submessage of req, tag and length included. */
static bool
encode_body(pb_ostream_t *s, const struct wire_request *r)
{
	uint32_t tag = (uint32_t)(TAG_BODY_BASE + r->method);
	struct str_list names = { r->names, r->nnames };
	struct share_list shares = { r->shares, r->nshares };
	struct u64_span values = { r->values, r->nvalues };
	struct byte_span cert = { r->cert, r->cert_len };

	if (!pb_encode_tag(s, PB_WT_STRING, tag))
		return false;

	switch (r->method) {
	case WIRE_CREATE_SESSION: {
		securesum_CreateSessionRequest m =
		    securesum_CreateSessionRequest_init_zero;

		m.has_params = true;
		SET_NAME(m.params.session_id, r->session_id);
		m.params.parties.funcs.encode = enc_string_list;
		m.params.parties.arg = &names;
		m.params.threshold = r->threshold;
		m.params.length = r->length;
		m.params.decimals = r->decimals;
		m.params.deadline_seconds = r->deadline_seconds;
		return pb_encode_submessage(s,
		    securesum_CreateSessionRequest_fields, &m);
	}
	case WIRE_SUBMIT_SHARES: {
		securesum_SubmitSharesRequest m =
		    securesum_SubmitSharesRequest_init_zero;

		SET_NAME(m.session_id, r->session_id);
		SET_NAME(m.party, r->party);
		m.shares.funcs.encode = enc_shares;
		m.shares.arg = &shares;
		return pb_encode_submessage(s,
		    securesum_SubmitSharesRequest_fields, &m);
	}
	case WIRE_GET_SHARE: {
		securesum_GetShareRequest m = securesum_GetShareRequest_init_zero;

		SET_NAME(m.session_id, r->session_id);
		SET_NAME(m.party, r->party);
		return pb_encode_submessage(s, securesum_GetShareRequest_fields,
		    &m);
	}
	case WIRE_POST_SUMPOINT: {
		securesum_PostSumpointRequest m =
		    securesum_PostSumpointRequest_init_zero;

		SET_NAME(m.session_id, r->session_id);
		SET_NAME(m.party, r->party);
		m.values.funcs.encode = enc_u64_packed;
		m.values.arg = &values;
		return pb_encode_submessage(s,
		    securesum_PostSumpointRequest_fields, &m);
	}
	case WIRE_LIST_SUMPOINTS: {
		securesum_ListSumpointsRequest m =
		    securesum_ListSumpointsRequest_init_zero;

		SET_NAME(m.session_id, r->session_id);
		return pb_encode_submessage(s,
		    securesum_ListSumpointsRequest_fields, &m);
	}
	case WIRE_GET_STATUS: {
		securesum_GetStatusRequest m = securesum_GetStatusRequest_init_zero;

		SET_NAME(m.session_id, r->session_id);
		return pb_encode_submessage(s, securesum_GetStatusRequest_fields,
		    &m);
	}
	case WIRE_PUBLISH_KEY: {
		securesum_PublishKeyRequest m =
		    securesum_PublishKeyRequest_init_zero;

		m.certificate.funcs.encode = enc_bytes;
		m.certificate.arg = &cert;
		return pb_encode_submessage(s, securesum_PublishKeyRequest_fields,
		    &m);
	}
	case WIRE_GET_KEYS: {
		securesum_GetKeysRequest m = securesum_GetKeysRequest_init_zero;

		m.parties.funcs.encode = enc_string_list;
		m.parties.arg = &names;
		return pb_encode_submessage(s, securesum_GetKeysRequest_fields,
		    &m);
	}
	default:
		return false;
	}
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

/* ---- decoding ---------------------------------------------------------- */

/* State shared by every callback of one decode. */
struct dctx {
	const struct wire_limits *lim;
	struct wire_response *resp;
	int err;        /* the SS_ERR_* to report when nanopb fails */
};

/* Fails the decode with a code and a message that nanopb passes up. */
static bool
dfail(pb_istream_t *s, struct dctx *d, int code, const char *msg)
{
	if (d->err == SS_OK)
		d->err = code;
#ifndef PB_NO_ERRMSG
	if (s->errmsg == NULL)
		s->errmsg = msg;
#else
	(void)s;
	(void)msg;
#endif
	return false;
}

/* Reads the rest of s as a name into out (NAME_MAX_LEN + 1 bytes). */
static bool
read_name(pb_istream_t *s, struct dctx *d, char *out)
{
	size_t n = s->bytes_left;

	if (n > NAME_MAX_LEN)
		return dfail(s, d, SS_ERR_PROTOCOL, "name too long");
	if (!pb_read(s, (pb_byte_t *)out, n))
		return false;
	if (memchr(out, '\0', n) != NULL)
		return dfail(s, d, SS_ERR_PROTOCOL, "NUL in a name");
	out[n] = '\0';
	return true;
}

struct name_arg {
	struct dctx *d;
	char *out;
};

#ifndef WIRE_STATIC_NAMES
static bool
dec_name(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct name_arg *a = *arg;

	(void)f;
	return read_name(s, a->d, a->out);
}
#endif

/*
 * Prepares and finishes the decoding of a short string member; see SET_NAME.
 * In the static layout nanopb itself refuses a string over 64 bytes.
 */
#ifdef WIRE_STATIC_NAMES
#define PREP_NAME(member, na, dctx_, outbuf) \
	do { (void)&(na); (void)(dctx_); (void)(outbuf); } while (0)
#define DONE_NAME(member, outbuf) \
	do { \
		_Static_assert(sizeof(member) == NAME_MAX_LEN + 1, "name size"); \
		memcpy((outbuf), (member), NAME_MAX_LEN + 1); \
		(outbuf)[NAME_MAX_LEN] = '\0'; \
	} while (0)
#else
#define PREP_NAME(member, na, dctx_, outbuf) \
	do { \
		(na).d = (dctx_); \
		(na).out = (outbuf); \
		(member).funcs.decode = dec_name; \
		(member).arg = &(na); \
	} while (0)
#define DONE_NAME(member, outbuf) do { (void)(member); } while (0)
#endif

/*
 * Makes room for one more entry of size `size` in *v (n used, *cap
 * allocated), never past lim entries; the new entry is zeroed.
 */
static int
grow(void **v, size_t n, size_t *cap, size_t size, size_t lim)
{
	size_t ncap;
	void *nv;

	if (n >= lim)
		return SS_ERR_TOO_LARGE;
	if (n < *cap)
		goto zero;
	ncap = *cap == 0 ? 8 : *cap * 2;
	if (ncap < *cap || ncap > lim)
		ncap = lim;
	if (ncap > SIZE_MAX / size)
		return SS_ERR_TOO_LARGE;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return SS_ERR_ALLOC;
	*v = nv;
	*cap = ncap;
zero:
	memset((uint8_t *)*v + n * size, 0, size);
	return SS_OK;
}

struct names_arg {
	struct dctx *d;
	struct wire_names *list;
};

static bool
dec_name_list(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct names_arg *a = *arg;
	struct wire_names *l = a->list;
	void *v = l->v;
	int r;

	(void)f;
	r = grow(&v, l->n, &l->cap, sizeof(*l->v), a->d->lim->max_items);
	l->v = v;
	if (r != SS_OK)
		return dfail(s, a->d, r, "too many names");
	if (!read_name(s, a->d, l->v[l->n]))
		return false;
	l->n++;
	return true;
}

struct vec_arg {
	struct dctx *d;
	struct wire_vec *vec;
};

/*
 * One element of a repeated uint64. nanopb calls this once per element for
 * packed and unpacked encodings alike: for a packed run it loops while the
 * substream has bytes left, for an unpacked element it hands one varint.
 */
static bool
dec_u64(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct vec_arg *a = *arg;
	struct wire_vec *vec = a->vec;
	uint64_t x;
	size_t n;

	(void)f;
	if (!pb_decode_fixed64(s, &x))
		return false;
	if (vec->n == vec->cap) {
		void *v = vec->v;
		int r = grow(&v, vec->n, &vec->cap, sizeof(*vec->v),
		    a->d->lim->max_values);

		vec->v = v;
		if (r != SS_OK)
			return dfail(s, a->d, r, "vector too long");
	} else if (vec->n >= a->d->lim->max_values)
		return dfail(s, a->d, SS_ERR_TOO_LARGE, "vector too long");
	n = vec->n++;
	vec->v[n] = x;
	return true;
}

struct bytes_arg {
	struct dctx *d;
	uint8_t **p;
	size_t *len;
};

/* A bytes field: the length is checked before anything is allocated. */
static bool
dec_bytes(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct bytes_arg *a = *arg;
	size_t n = s->bytes_left;
	uint8_t *p;

	(void)f;
	if (n > a->d->lim->max_bytes)
		return dfail(s, a->d, SS_ERR_TOO_LARGE, "bytes field too long");
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return dfail(s, a->d, SS_ERR_ALLOC, "out of memory");
	if (!pb_read(s, p, n)) {
		free(p);
		return false;
	}
	/* A field seen twice: the last one wins, as protobuf says. */
	free(*a->p);
	*a->p = p;
	*a->len = n;
	return true;
}

static bool
dec_incoming(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct dctx *d = *arg;
	struct wire_response *r = d->resp;
	securesum_IncomingShare m = securesum_IncomingShare_init_zero;
	struct wire_incoming *in;
	struct name_arg na;
	struct bytes_arg ba;
	void *v = r->shares;
	int rc;

	(void)f;
	rc = grow(&v, r->nshares, &r->shares_cap, sizeof(*r->shares),
	    d->lim->max_items);
	r->shares = v;
	if (rc != SS_OK)
		return dfail(s, d, rc, "too many shares");
	/* Counted before it is filled, so that a failure frees what it holds. */
	in = &r->shares[r->nshares++];
	PREP_NAME(m.sender, na, d, in->sender);
	ba.d = d;
	ba.p = &in->ct;
	ba.len = &in->ct_len;
	m.ciphertext.funcs.decode = dec_bytes;
	m.ciphertext.arg = &ba;
	if (!pb_decode_ex(s, securesum_IncomingShare_fields, &m,
	    PB_DECODE_NOINIT))
		return false;
	DONE_NAME(m.sender, in->sender);
	return true;
}

static bool
dec_sumpoint(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct dctx *d = *arg;
	struct wire_response *r = d->resp;
	securesum_Sumpoint m = securesum_Sumpoint_init_zero;
	struct wire_sumpoint *sp;
	struct name_arg na;
	struct vec_arg va;
	void *v = r->sumpoints;
	int rc;

	(void)f;
	rc = grow(&v, r->nsumpoints, &r->sumpoints_cap, sizeof(*r->sumpoints),
	    d->lim->max_items);
	r->sumpoints = v;
	if (rc != SS_OK)
		return dfail(s, d, rc, "too many sumpoints");
	sp = &r->sumpoints[r->nsumpoints++];
	PREP_NAME(m.party, na, d, sp->party);
	va.d = d;
	va.vec = &sp->values;
	m.values.funcs.decode = dec_u64;
	m.values.arg = &va;
	if (!pb_decode_ex(s, securesum_Sumpoint_fields, &m, PB_DECODE_NOINIT))
		return false;
	DONE_NAME(m.party, sp->party);
	sp->x = m.x;
	return true;
}

static bool
dec_party_key(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	struct dctx *d = *arg;
	struct wire_response *r = d->resp;
	securesum_PartyKey m = securesum_PartyKey_init_zero;
	struct wire_key *k;
	struct name_arg na;
	struct bytes_arg ba;
	void *v = r->keys;
	int rc;

	(void)f;
	rc = grow(&v, r->nkeys, &r->keys_cap, sizeof(*r->keys),
	    d->lim->max_items);
	r->keys = v;
	if (rc != SS_OK)
		return dfail(s, d, rc, "too many keys");
	k = &r->keys[r->nkeys++];
	PREP_NAME(m.party, na, d, k->party);
	ba.d = d;
	ba.p = &k->der;
	ba.len = &k->der_len;
	m.certificate.funcs.decode = dec_bytes;
	m.certificate.arg = &ba;
	if (!pb_decode_ex(s, securesum_PartyKey_fields, &m, PB_DECODE_NOINIT))
		return false;
	DONE_NAME(m.party, k->party);
	return true;
}

/* Callback arguments for a SessionParams embedded in a body. */
struct params_args {
	struct name_arg sid;
	struct names_arg parties;
};

static void
prep_params(securesum_SessionParams *m, struct params_args *pa,
    struct dctx *d, struct wire_params *out)
{
	PREP_NAME(m->session_id, pa->sid, d, out->session_id);
	pa->parties.d = d;
	pa->parties.list = &out->parties;
	m->parties.funcs.decode = dec_name_list;
	m->parties.arg = &pa->parties;
}

static void
done_params(const securesum_SessionParams *m, struct wire_params *out)
{
	DONE_NAME(m->session_id, out->session_id);
	out->threshold = m->threshold;
	out->length = m->length;
	out->decimals = m->decimals;
	out->deadline_seconds = m->deadline_seconds;
}

static void
prep_names(pb_callback_t *cb, struct names_arg *a, struct dctx *d,
    struct wire_names *list)
{
	a->d = d;
	a->list = list;
	cb->funcs.decode = dec_name_list;
	cb->arg = a;
}

/* Decodes the body of a response to `method` from substream s. */
static bool
decode_body(pb_istream_t *s, int method, struct dctx *d)
{
	struct wire_response *r = d->resp;

	switch (method) {
	case WIRE_CREATE_SESSION: {
		securesum_CreateSessionResponse m =
		    securesum_CreateSessionResponse_init_zero;

		if (!pb_decode_ex(s, securesum_CreateSessionResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->created = m.created;
		r->deadline_unix = m.deadline_unix;
		return true;
	}
	case WIRE_SUBMIT_SHARES: {
		securesum_SubmitSharesResponse m =
		    securesum_SubmitSharesResponse_init_zero;

		if (!pb_decode_ex(s, securesum_SubmitSharesResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->duplicate = m.duplicate;
		return true;
	}
	case WIRE_POST_SUMPOINT: {
		securesum_PostSumpointResponse m =
		    securesum_PostSumpointResponse_init_zero;

		if (!pb_decode_ex(s, securesum_PostSumpointResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->duplicate = m.duplicate;
		return true;
	}
	case WIRE_PUBLISH_KEY: {
		securesum_PublishKeyResponse m =
		    securesum_PublishKeyResponse_init_zero;

		if (!pb_decode_ex(s, securesum_PublishKeyResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->duplicate = m.duplicate;
		return true;
	}
	case WIRE_GET_SHARE: {
		securesum_GetShareResponse m = securesum_GetShareResponse_init_zero;

		m.shares.funcs.decode = dec_incoming;
		m.shares.arg = d;
		return pb_decode_ex(s, securesum_GetShareResponse_fields, &m,
		    PB_DECODE_NOINIT);
	}
	case WIRE_LIST_SUMPOINTS: {
		securesum_ListSumpointsResponse m =
		    securesum_ListSumpointsResponse_init_zero;
		struct params_args pa;
		struct names_arg cohort;

		prep_params(&m.params, &pa, d, &r->params);
		prep_names(&m.cohort, &cohort, d, &r->cohort);
		m.sumpoints.funcs.decode = dec_sumpoint;
		m.sumpoints.arg = d;
		if (!pb_decode_ex(s, securesum_ListSumpointsResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->has_params = m.has_params;
		done_params(&m.params, &r->params);
		return true;
	}
	case WIRE_GET_STATUS: {
		securesum_GetStatusResponse m =
		    securesum_GetStatusResponse_init_zero;
		struct params_args pa;
		struct names_arg cohort, shared, posted, missing;

		prep_params(&m.params, &pa, d, &r->params);
		prep_names(&m.cohort, &cohort, d, &r->cohort);
		prep_names(&m.shared, &shared, d, &r->shared);
		prep_names(&m.posted, &posted, d, &r->posted);
		prep_names(&m.missing, &missing, d, &r->missing);
		if (!pb_decode_ex(s, securesum_GetStatusResponse_fields, &m,
		    PB_DECODE_NOINIT))
			return false;
		r->has_params = m.has_params;
		done_params(&m.params, &r->params);
		r->phase = (int)m.phase;
		r->deadline_unix = m.deadline_unix;
		return true;
	}
	case WIRE_GET_KEYS: {
		securesum_GetKeysResponse m = securesum_GetKeysResponse_init_zero;

		m.keys.funcs.decode = dec_party_key;
		m.keys.arg = d;
		return pb_decode_ex(s, securesum_GetKeysResponse_fields, &m,
		    PB_DECODE_NOINIT);
	}
	default:
		return false;
	}
}

static int
derr(struct dctx *d, pb_istream_t *s, char *err, size_t errlen,
    const char *what)
{
	const char *why = PB_GET_ERROR(s);

	if (d->err == SS_OK)
		d->err = SS_ERR_PROTOCOL;
	snprintf(err, errlen, "malformed response: %s%s%s", what,
	    why != NULL ? ": " : "", why != NULL ? why : "");
	return d->err;
}

/* Reads an enum value the way protobuf does: any varint, as an int32. */
static bool
read_enum(pb_istream_t *s, int *out)
{
	uint64_t v;

	if (!pb_decode_varint(s, &v))
		return false;
	*out = (int)(int32_t)(uint32_t)v;
	return true;
}

int
wire_decode_response(const uint8_t *buf, size_t len, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    char *err, size_t errlen)
{
	pb_istream_t s = pb_istream_from_buffer(buf, len);
	struct dctx d = { lim, resp, SS_OK };

	memset(resp, 0, sizeof(*resp));
	if (method < WIRE_CREATE_SESSION || method > WIRE_GET_KEYS) {
		snprintf(err, errlen, "unknown method %d", method);
		return SS_ERR_INVALID;
	}

	while (s.bytes_left > 0) {
		pb_wire_type_t wt;
		uint32_t tag;
		bool eof;

		if (!pb_decode_tag(&s, &wt, &tag, &eof))
			return derr(&d, &s, err, errlen, "bad tag");
		if (tag == 0) {
			/* Field number 0 does not exist (nanopb's inner decoder agrees). */
			snprintf(err, errlen, "malformed response: field number 0");
			return SS_ERR_PROTOCOL;
		}
		if (tag == TAG_ID || tag == TAG_METHOD) {
			/* Response.id, Response.code */
			if (wt != PB_WT_VARINT)
				return derr(&d, &s, err, errlen, "wire type of id or code");
			if (tag == TAG_ID ? !pb_decode_varint(&s, &resp->id) :
			    !read_enum(&s, &resp->code))
				return derr(&d, &s, err, errlen, "id or code");
		} else if (tag == TAG_DEADLINE) {
			/* Response.message: bounded, and printable later. */
			pb_istream_t sub;
			size_t n;

			if (wt != PB_WT_STRING)
				return derr(&d, &s, err, errlen, "wire type of message");
			if (!pb_make_string_substream(&s, &sub))
				return derr(&d, &s, err, errlen, "message");
			n = sub.bytes_left;
			if (n > WIRE_MESSAGE_MAX) {
				d.err = SS_ERR_PROTOCOL;
				snprintf(err, errlen, "malformed response: "
				    "message of %zu bytes (at most %d)", n,
				    WIRE_MESSAGE_MAX);
				return d.err;
			}
			if (!pb_read(&sub, (pb_byte_t *)resp->message, n) ||
			    !pb_close_string_substream(&s, &sub))
				return derr(&d, &s, err, errlen, "message");
			if (memchr(resp->message, '\0', n) != NULL) {
				snprintf(err, errlen,
				    "malformed response: NUL in message");
				return SS_ERR_PROTOCOL;
			}
			resp->message[n] = '\0';
		} else if (tag > TAG_BODY_BASE &&
		    tag <= TAG_BODY_BASE + WIRE_GET_KEYS) {
			pb_istream_t sub;

			if (wt != PB_WT_STRING)
				return derr(&d, &s, err, errlen, "wire type of body");
			if (resp->has_body) {
				snprintf(err, errlen,
				    "malformed response: two bodies");
				return SS_ERR_PROTOCOL;
			}
			if (tag != (uint32_t)(TAG_BODY_BASE + method)) {
				snprintf(err, errlen, "the server answered %s "
				    "with the body of %s",
				    wire_method_name(method),
				    wire_method_name((int)tag - TAG_BODY_BASE));
				return SS_ERR_PROTOCOL;
			}
			if (!pb_make_string_substream(&s, &sub))
				return derr(&d, &s, err, errlen, "body");
			if (!decode_body(&sub, method, &d)) {
				/* The substream holds the reason. */
				return derr(&d, &sub, err, errlen,
				    wire_method_name(method));
			}
			if (!pb_close_string_substream(&s, &sub))
				return derr(&d, &s, err, errlen, "body");
			resp->has_body = 1;
		} else {
			if (!pb_skip_field(&s, wt))
				return derr(&d, &s, err, errlen, "unknown field");
		}
	}
	return SS_OK;
}

static void
names_free(struct wire_names *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
wire_response_free(struct wire_response *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nshares; i++)
		free(r->shares[i].ct);
	free(r->shares);
	for (i = 0; i < r->nsumpoints; i++)
		free(r->sumpoints[i].values.v);
	free(r->sumpoints);
	for (i = 0; i < r->nkeys; i++)
		free(r->keys[i].der);
	free(r->keys);
	names_free(&r->params.parties);
	names_free(&r->cohort);
	names_free(&r->shared);
	names_free(&r->posted);
	names_free(&r->missing);
	memset(r, 0, sizeof(*r));
}

int
wire_names_has(const struct wire_names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 1;
	return 0;
}


const char *
wire_method_name(int method)
{
	switch (method) {
	case WIRE_CREATE_SESSION: return "CreateSession";
	case WIRE_SUBMIT_SHARES:  return "SubmitShares";
	case WIRE_GET_SHARE:      return "GetShare";
	case WIRE_POST_SUMPOINT:  return "PostSumpoint";
	case WIRE_LIST_SUMPOINTS: return "ListSumpoints";
	case WIRE_GET_STATUS:     return "GetStatus";
	case WIRE_PUBLISH_KEY:    return "PublishKey";
	case WIRE_GET_KEYS:       return "GetKeys";
	default:                  return "an unknown method";
	}
}
