/*
 * wire.c: the client's protobuf codec, on nanopb's generated descriptors:
 * decoding a Response (wire_request.c encodes the Requests), and the
 * codec's small helpers.
 *
 * Every repeated or bytes field goes through a callback: repeated uint64 is
 * read packed or not; ciphertexts are read into buffers sized from the
 * field's own length after checking it against the caller's limit.
 *
 * The Response envelope is walked by hand rather than through its
 * generated struct, for two reasons. nanopb clears a oneof member when it
 * selects it, which would wipe the callbacks set up in the body before
 * decoding; and walking the envelope lets the decoder refuse a body that
 * answers another method before it decodes a byte of it. The bodies
 * themselves use the generated descriptors.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>

#include "err.h"
#include "name.h"
#include "securesum.pb.h"
#include "wire.h"
#include "wire_pb.h"

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

/*
 * The next entry of an array of the response that grows by one entry of
 * `size` bytes: *v (n used, *cap allocated), at most max_items. The entry
 * is counted before it is filled, so that a failure frees what it holds.
 * NULL, with the decode failed as `what`, when it cannot grow.
 */
static void *
next_item(pb_istream_t *s, struct dctx *d, void **v, size_t *n, size_t *cap,
    size_t size, const char *what)
{
	int rc;

	if ((rc = grow(v, *n, cap, size, d->lim->max_items)) != SS_OK) {
		(void)dfail(s, d, rc, what);
		return NULL;
	}
	return (uint8_t *)*v + (*n)++ * size;
}

/* Sets cb to decode a bytes field into *p, *len bytes. */
static void
prep_bytes(pb_callback_t *cb, struct bytes_arg *a, struct dctx *d,
    uint8_t **p, size_t *len)
{
	a->d = d;
	a->p = p;
	a->len = len;
	cb->funcs.decode = dec_bytes;
	cb->arg = a;
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

	(void)f;
	in = next_item(s, d, &v, &r->nshares, &r->shares_cap,
	    sizeof(*r->shares), "too many shares");
	r->shares = v;
	if (in == NULL)
		return false;
	PREP_NAME(m.sender, na, d, in->sender);
	prep_bytes(&m.ciphertext, &ba, d, &in->ct, &in->ct_len);
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

	(void)f;
	sp = next_item(s, d, &v, &r->nsumpoints, &r->sumpoints_cap,
	    sizeof(*r->sumpoints), "too many sumpoints");
	r->sumpoints = v;
	if (sp == NULL)
		return false;
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

	(void)f;
	k = next_item(s, d, &v, &r->nkeys, &r->keys_cap, sizeof(*r->keys),
	    "too many keys");
	r->keys = v;
	if (k == NULL)
		return false;
	PREP_NAME(m.party, na, d, k->party);
	prep_bytes(&m.certificate, &ba, d, &k->der, &k->der_len);
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

/* The bodies of the responses, one decoder for each method. */
static bool
dec_create_body(pb_istream_t *s, struct dctx *d)
{
	securesum_CreateSessionResponse m =
	    securesum_CreateSessionResponse_init_zero;

	if (!pb_decode_ex(s, securesum_CreateSessionResponse_fields, &m,
	    PB_DECODE_NOINIT))
		return false;
	d->resp->created = m.created;
	d->resp->deadline_unix = m.deadline_unix;
	return true;
}

/*
 * SubmitShares, PostSumpoint and PublishKey answer with the same message,
 * a lone `bool duplicate = 1` (asserted below), read with one descriptor.
 */
_Static_assert(securesum_SubmitSharesResponse_duplicate_tag == 1 &&
    securesum_PostSumpointResponse_duplicate_tag == 1 &&
    securesum_PublishKeyResponse_duplicate_tag == 1 &&
    sizeof(securesum_PostSumpointResponse) ==
    sizeof(securesum_SubmitSharesResponse) &&
    sizeof(securesum_PublishKeyResponse) ==
    sizeof(securesum_SubmitSharesResponse), "acknowledgement layout");

static bool
dec_ack_body(pb_istream_t *s, struct dctx *d)
{
	securesum_SubmitSharesResponse m =
	    securesum_SubmitSharesResponse_init_zero;

	if (!pb_decode_ex(s, securesum_SubmitSharesResponse_fields, &m,
	    PB_DECODE_NOINIT))
		return false;
	d->resp->duplicate = m.duplicate;
	return true;
}

static bool
dec_get_share_body(pb_istream_t *s, struct dctx *d)
{
	securesum_GetShareResponse m = securesum_GetShareResponse_init_zero;

	m.shares.funcs.decode = dec_incoming;
	m.shares.arg = d;
	return pb_decode_ex(s, securesum_GetShareResponse_fields, &m,
	    PB_DECODE_NOINIT);
}

static bool
dec_list_body(pb_istream_t *s, struct dctx *d)
{
	securesum_ListSumpointsResponse m =
	    securesum_ListSumpointsResponse_init_zero;
	struct wire_response *r = d->resp;
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

static bool
dec_status_body(pb_istream_t *s, struct dctx *d)
{
	securesum_GetStatusResponse m = securesum_GetStatusResponse_init_zero;
	struct wire_response *r = d->resp;
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

static bool
dec_keys_body(pb_istream_t *s, struct dctx *d)
{
	securesum_GetKeysResponse m = securesum_GetKeysResponse_init_zero;

	m.keys.funcs.decode = dec_party_key;
	m.keys.arg = d;
	return pb_decode_ex(s, securesum_GetKeysResponse_fields, &m,
	    PB_DECODE_NOINIT);
}

static bool (*const body_decoders[])(pb_istream_t *, struct dctx *) = {
	[WIRE_CREATE_SESSION] = dec_create_body,
	[WIRE_SUBMIT_SHARES] = dec_ack_body,
	[WIRE_GET_SHARE] = dec_get_share_body,
	[WIRE_POST_SUMPOINT] = dec_ack_body,
	[WIRE_LIST_SUMPOINTS] = dec_list_body,
	[WIRE_GET_STATUS] = dec_status_body,
	[WIRE_PUBLISH_KEY] = dec_ack_body,
	[WIRE_GET_KEYS] = dec_keys_body,
};

/* The reason nanopb gave for a failure inside `what`, as a malformed response. */
static int
derr(struct dctx *d, pb_istream_t *s, struct ss_error *e, const char *what)
{
	const char *why = PB_GET_ERROR(s);

	if (d->err == SS_OK)
		d->err = SS_ERR_PROTOCOL;
	return ss_error_set(e, d->err, "malformed response: %s%s%s", what,
	    why != NULL ? ": " : "", why != NULL ? why : "");
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

/* Response.id or Response.code. */
static int
dec_id_or_code(pb_istream_t *s, pb_wire_type_t wt, uint32_t tag,
    struct dctx *d, struct ss_error *e)
{
	struct wire_response *resp = d->resp;

	if (wt != PB_WT_VARINT)
		return derr(d, s, e, "wire type of id or code");
	if (tag == TAG_ID ? !pb_decode_varint(s, &resp->id) :
	    !read_enum(s, &resp->code))
		return derr(d, s, e, "id or code");
	return SS_OK;
}

/* Response.message: bounded, and printable later. */
static int
dec_message(pb_istream_t *s, pb_wire_type_t wt, struct dctx *d,
    struct ss_error *e)
{
	struct wire_response *resp = d->resp;
	pb_istream_t sub;
	size_t n;

	if (wt != PB_WT_STRING)
		return derr(d, s, e, "wire type of message");
	if (!pb_make_string_substream(s, &sub))
		return derr(d, s, e, "message");
	n = sub.bytes_left;
	if (n > WIRE_MESSAGE_MAX)
		return d->err = ss_error_set(e, SS_ERR_PROTOCOL, "malformed "
		    "response: message of %zu bytes (at most %d)", n,
		    WIRE_MESSAGE_MAX);
	if (!pb_read(&sub, (pb_byte_t *)resp->message, n) ||
	    !pb_close_string_substream(s, &sub))
		return derr(d, s, e, "message");
	if (memchr(resp->message, '\0', n) != NULL)
		return ss_error_set(e, SS_ERR_PROTOCOL, "malformed response: "
		    "NUL in message");
	resp->message[n] = '\0';
	return SS_OK;
}

/* The body, which must be the one of `method`, and only one. */
static int
dec_body(pb_istream_t *s, pb_wire_type_t wt, uint32_t tag, int method,
    struct dctx *d, struct ss_error *e)
{
	pb_istream_t sub;

	if (wt != PB_WT_STRING)
		return derr(d, s, e, "wire type of body");
	if (d->resp->has_body)
		return ss_error_set(e, SS_ERR_PROTOCOL, "malformed response: "
		    "two bodies");
	if (tag != (uint32_t)(TAG_BODY_BASE + method))
		return ss_error_set(e, SS_ERR_PROTOCOL, "the server answered "
		    "%s with the body of %s", wire_method_name(method),
		    wire_method_name((int)tag - TAG_BODY_BASE));
	if (!pb_make_string_substream(s, &sub))
		return derr(d, s, e, "body");
	/* On failure the substream holds the reason. */
	if (!body_decoders[method](&sub, d))
		return derr(d, &sub, e, wire_method_name(method));
	if (!pb_close_string_substream(s, &sub))
		return derr(d, s, e, "body");
	d->resp->has_body = 1;
	return SS_OK;
}

/* One field of the envelope. */
static int
dec_field(pb_istream_t *s, int method, struct dctx *d, struct ss_error *e)
{
	pb_wire_type_t wt;
	uint32_t tag;
	bool eof;

	if (!pb_decode_tag(s, &wt, &tag, &eof))
		return derr(d, s, e, "bad tag");
	/* Field number 0 does not exist (nanopb's inner decoder agrees). */
	if (tag == 0)
		return ss_error_set(e, SS_ERR_PROTOCOL, "malformed response: "
		    "field number 0");
	if (tag == TAG_ID || tag == TAG_METHOD)
		return dec_id_or_code(s, wt, tag, d, e);
	if (tag == TAG_DEADLINE)
		return dec_message(s, wt, d, e);
	if (tag > TAG_BODY_BASE && tag <= TAG_BODY_BASE + WIRE_GET_KEYS)
		return dec_body(s, wt, tag, method, d, e);
	if (!pb_skip_field(s, wt))
		return derr(d, s, e, "unknown field");
	return SS_OK;
}

int
wire_decode_response(const uint8_t *buf, size_t len, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	pb_istream_t s = pb_istream_from_buffer(buf, len);
	struct dctx d = { lim, resp, SS_OK };
	int r;

	memset(resp, 0, sizeof(*resp));
	if (method < WIRE_CREATE_SESSION || method > WIRE_GET_KEYS)
		return ss_error_set(e, SS_ERR_INVALID, "unknown method %d",
		    method);
	while (s.bytes_left > 0)
		if ((r = dec_field(&s, method, &d, e)) != SS_OK)
			return r;
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
