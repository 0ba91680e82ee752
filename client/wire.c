/*
 * wire.c: the client's protobuf codec, on nanopb's generated descriptors:
 * decoding a Response (wire_request.c encodes the Requests; a decoded
 * Response is freed and read in wire_response.c).
 *
 * The Response envelope is walked by hand rather than through its
 * generated struct, for two reasons. nanopb clears a oneof member when it
 * selects it, which would wipe the callbacks set up in the body before
 * decoding; and walking the envelope lets the decoder refuse a body that
 * answers another method before it decodes a byte of it.
 *
 * nanopb decodes the body into its generated struct. One table says where
 * each field of each body goes in struct wire_response (bodies[], and
 * list_types[] for the entries of its three lists of messages); walking the
 * body's descriptor with it, the decoder sets the callbacks before nanopb
 * reads, and takes the plain values after. Every repeated or bytes field
 * goes through a callback: repeated uint64 is read packed or not;
 * ciphertexts are read into buffers sized from the field's own length after
 * checking it against the caller's limit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pb_common.h>
#include <pb_decode.h>

#include "buf.h"
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

/* Reads the rest of s as a name into out (cap bytes: the name and a NUL). */
static bool
read_name(pb_istream_t *s, struct dctx *d, char *out, size_t cap)
{
	size_t n = s->bytes_left;

	if (n >= cap)
		return dfail(s, d, SS_ERR_PROTOCOL, "name too long");
	if (!pb_read(s, (pb_byte_t *)out, n))
		return false;
	if (memchr(out, '\0', n) != NULL)
		return dfail(s, d, SS_ERR_PROTOCOL, "NUL in a name");
	out[n] = '\0';
	return true;
}

/*
 * Makes room for one more entry of size `size` in the array v (n used,
 * *cap allocated), never past lim entries, and zeroes it. Returns the
 * array, moved or not; when it cannot grow, v as it was, and *rc says why.
 */
static void *
grow(void *v, size_t n, size_t *cap, size_t size, size_t lim, int *rc)
{
	size_t ncap;
	void *nv;

	*rc = SS_OK;
	if (n >= lim) {
		*rc = SS_ERR_TOO_LARGE;
		return v;
	}
	if (n >= *cap) {
		ncap = *cap == 0 ? 8 : *cap * 2;
		if (ncap < *cap || ncap > lim)
			ncap = lim;
		if (ncap > SIZE_MAX / size) {
			*rc = SS_ERR_TOO_LARGE;
			return v;
		}
		if ((nv = realloc(v, ncap * size)) == NULL) {
			*rc = SS_ERR_ALLOC;
			return v;
		}
		v = nv;
		*cap = ncap;
	}
	memset((uint8_t *)v + n * size, 0, size);
	return v;
}

/* ---- where the fields of a body go -------------------------------------- */

/* A field's place in struct wire_response. */
enum dest {
	DST_NONE,
	DST_CREATED,
	DST_DUPLICATE,
	DST_DEADLINE_UNIX,
	DST_PHASE,
	DST_PARAMS,        /* a SessionParams: params_dests */
	DST_COHORT,
	DST_SHARED,
	DST_POSTED,
	DST_MISSING,
	DST_SHARES,        /* a list of messages: list_types[] */
	DST_SUMPOINTS,
	DST_KEYS,
	DST_SESSION,       /* of the SessionParams */
	DST_PARTIES,
	DST_THRESHOLD,
	DST_LENGTH,
	DST_DECIMALS,
	DST_DEADLINE,
	DST_SENDER,        /* of a GetShare share */
	DST_CIPHERTEXT,
	DST_SP_PARTY,      /* of a ListSumpoints sumpoint */
	DST_X,
	DST_VALUES,
	DST_KEY_PARTY,     /* of a GetKeys key */
	DST_CERT,
	DST_DIGEST,        /* version 2: D */
	DST_SIGNERS,
	DST_CONFLICTS,     /* a list of messages */
	DST_SIGNED,        /* a list of messages: SignedCohort */
	DST_MIN_COHORT,    /* of the SessionParams */
	DST_DEADLINE_AT,
	DST_NONCE,
	DST_SUBMIT,        /* of a GetShare share: a Statement */
	DST_SP_STMT,       /* of a ListSumpoints sumpoint: a Statement */
	DST_SIGNING_CERT,  /* of a GetKeys key */
	DST_SC_PARTY,      /* of a SignedCohort */
	DST_SC_STMT,
	DST_CF_PARTY,      /* of a Conflict */
	DST_CF_FIRST,
	DST_CF_SECOND,
	DST_STMT_BODY,     /* of a Statement */
	DST_STMT_SIG,
	DST_VERSION,       /* of a GetStatus: the watch's */
	DST_RELEASED,      /* of a DeleteSession */
	DST_DELETED_ID,
	DST_SESSIONS,      /* a list of messages: SessionSummary */
	DST_NEXT_OFFSET,   /* of a ListSessions */
	DST_SS_ID,         /* of a SessionSummary */
	DST_SS_PHASE,
	DST_SS_CREATED,
	DST_SS_AGE,
	DST_SS_CREATOR,
	DST_SS_EXPIRES,
	DST_SS_PARTIES,
};

/* The bodies, as proto/securesum.proto numbers their fields. */
static const struct wire_fields bodies[] = {
	[WIRE_CREATE_SESSION] = { { DST_CREATED, DST_DEADLINE_UNIX,
	    DST_DIGEST } },
	[WIRE_SUBMIT_SHARES] = { { DST_DUPLICATE } },
	[WIRE_GET_SHARE] = { { DST_SHARES } },
	[WIRE_POST_SUMPOINT] = { { DST_DUPLICATE } },
	[WIRE_LIST_SUMPOINTS] = { { DST_PARAMS, DST_COHORT, DST_SUMPOINTS,
	    DST_SIGNED } },
	[WIRE_GET_STATUS] = { { DST_PARAMS, DST_PHASE, DST_COHORT, DST_SHARED,
	    DST_POSTED, DST_MISSING, DST_DEADLINE_UNIX, DST_SIGNERS,
	    DST_DIGEST, DST_CONFLICTS, DST_VERSION } },
	[WIRE_PUBLISH_KEY] = { { DST_DUPLICATE } },
	[WIRE_GET_KEYS] = { { DST_KEYS } },
	[WIRE_POST_COHORT] = { { DST_DUPLICATE } },
	[WIRE_GET_COHORT] = { { DST_COHORT, DST_SIGNED } },
	[WIRE_DELETE_SESSION] = { { DST_RELEASED, DST_DELETED_ID } },
	[WIRE_LIST_SESSIONS] = { { DST_SESSIONS, DST_NEXT_OFFSET } },
	[WIRE_GET_SERVER_INFO] = { { DST_NONE } },   /* decoded whole */
};
enum { BODY_ROWS = sizeof(bodies) / sizeof(bodies[0]) };
_Static_assert(BODY_ROWS == WIRE_METHOD_LAST + 1, "a row for every method");

static const struct wire_fields params_dests = { {
	DST_SESSION, DST_PARTIES, DST_THRESHOLD, DST_LENGTH, DST_DECIMALS,
	DST_DEADLINE, DST_MIN_COHORT, DST_DEADLINE_AT, DST_NONCE,
} };

static const struct wire_fields stmt_dests = { {
	DST_STMT_BODY, DST_STMT_SIG,
} };

/* The messages of the five lists: their type, and where their fields go. */
static const struct list_type {
	int list;
	const pb_msgdesc_t *desc;
	struct wire_fields dests;
	const char *too_many;      /* the error past the caller's limit */
} list_types[] = {
	{ DST_SHARES, securesum_IncomingShare_fields,
	    { { DST_SENDER, DST_CIPHERTEXT, DST_SUBMIT } }, "too many shares" },
	{ DST_SUMPOINTS, securesum_Sumpoint_fields,
	    { { DST_SP_PARTY, DST_X, DST_VALUES, DST_SP_STMT } },
	    "too many sumpoints" },
	{ DST_KEYS, securesum_PartyKey_fields,
	    { { DST_KEY_PARTY, DST_CERT, DST_SIGNING_CERT } }, "too many keys" },
	{ DST_SIGNED, securesum_SignedCohort_fields,
	    { { DST_SC_PARTY, DST_SC_STMT } }, "too many cohort signatures" },
	{ DST_CONFLICTS, securesum_Conflict_fields,
	    { { DST_CF_PARTY, DST_CF_FIRST, DST_CF_SECOND } },
	    "too many conflicts" },
	{ DST_SESSIONS, securesum_SessionSummary_fields,
	    { { DST_SS_ID, DST_SS_PHASE, DST_SS_CREATED, DST_SS_AGE,
	    DST_SS_CREATOR, DST_SS_EXPIRES, DST_SS_PARTIES } },
	    "too many sessions" },
};

/* The argument of a callback: where its field goes. */
struct slot {
	struct dctx *d;
	void *out;      /* a wire_name, wire_names, wire_vec, uint8_t * or array */
	size_t *len;    /* a bytes field's length */
	size_t cap;     /* ... at most */
	const struct list_type *list;   /* a list of messages */
};

/*
 * What a message being decoded fills: the response and its parameters, or
 * the entry of one of its lists (share, sumpoint, key, signed cohort or
 * conflict) being decoded, and the statement in it being walked; and its
 * callbacks' arguments.
 */
struct into {
	struct dctx *d;
	struct wire_response *r;
	struct wire_incoming *share;
	struct wire_sumpoint *sumpoint;
	struct wire_key *key;
	struct wire_signed *signed_;
	struct wire_conflict *conflict;
	struct wire_session *session;
	struct wire_stmt *stmt;
	struct slot slots[2 * WIRE_FIELDS_MAX];   /* a body's, its params' */
	size_t nslots;
	bool after;                   /* the pass after decoding */
};

static bool place_params(pb_field_iter_t *it, struct into *x);
static bool place_stmt(pb_field_iter_t *it, struct into *x,
    struct wire_stmt *stmt);

static bool decode_message(pb_istream_t *s, struct into *x,
    const pb_msgdesc_t *desc, void *msg, const struct wire_fields *dests);

static bool
dec_name(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;

	(void)f;
	return read_name(s, a->d, a->out, a->cap);
}

static bool
dec_name_list(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;
	struct wire_names *l = a->out;
	int rc;

	(void)f;
	l->v = grow(l->v, l->n, &l->cap, sizeof(*l->v), a->d->lim->max_items,
	    &rc);
	if (rc != SS_OK)
		return dfail(s, a->d, rc, "too many names");
	if (!read_name(s, a->d, l->v[l->n], sizeof(l->v[l->n])))
		return false;
	l->n++;
	return true;
}

/*
 * Room in vec for one element and the rest bytes after it: a packed run
 * says how many follow (bytes_left / 8), so a long vector is allocated
 * once, not grown by doubling through copies into memory never touched
 * before (dear here: docs/BENCHMARKS.md). An unpacked element may ask for
 * more than follows, never beyond lim or what the frame holds.
 */
static int
room_for_run(struct wire_vec *vec, size_t rest, size_t lim)
{
	size_t want = vec->n + 1;
	uint64_t *nv;

	want = rest < lim - want ? want + rest : lim;
	if (want > SIZE_MAX / sizeof(*vec->v))
		return SS_ERR_TOO_LARGE;
	if ((nv = realloc(vec->v, want * sizeof(*vec->v))) == NULL)
		return SS_ERR_ALLOC;
	vec->v = nv;
	vec->cap = want;
	return SS_OK;
}

/*
 * One element of a repeated uint64. nanopb calls this once per element for
 * packed and unpacked encodings alike: for a packed run it loops while the
 * substream has bytes left, for an unpacked element it hands one varint.
 */
static bool
dec_u64(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;
	struct wire_vec *vec = a->out;
	size_t lim = a->d->lim->max_values, k, i;
	uint8_t *p;
	uint64_t x;
	int rc;

	(void)f;
	if (!pb_decode_fixed64(s, &x))
		return false;
	if (vec->n >= lim)
		return dfail(s, a->d, SS_ERR_TOO_LARGE, "vector too long");
	if (vec->n == vec->cap && (rc = room_for_run(vec, s->bytes_left /
	    sizeof(x), lim)) != SS_OK)
		return dfail(s, a->d, rc, "vector too long");
	vec->v[vec->n++] = x;
	/*
	 * The rest of a packed run that fits, in one read straight into
	 * place (nanopb calls us again for whatever is left), each element
	 * then decoded where it lies: its 8 bytes are read before they are
	 * rewritten.
	 */
	k = s->bytes_left / sizeof(x);
	if (k > vec->cap - vec->n)
		k = vec->cap - vec->n;
	if (k > 0) {
		p = (uint8_t *)(vec->v + vec->n);
		if (!pb_read(s, p, k * sizeof(x)))
			return false;
		for (i = 0; i < k; i++)
			vec->v[vec->n + i] = buf_load_u64(p + i * sizeof(x));
		vec->n += k;
	}
	return true;
}

/*
 * A bytes field: the length is checked (against the slot's cap, the
 * caller's limit for its kind) before anything is allocated.
 */
static bool
dec_bytes(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;
	uint8_t **out = a->out;
	size_t n = s->bytes_left;
	uint8_t *p;

	(void)f;
	if (n > a->cap)
		return dfail(s, a->d, SS_ERR_TOO_LARGE, "bytes field too long");
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return dfail(s, a->d, SS_ERR_ALLOC, "out of memory");
	if (!pb_read(s, p, n)) {
		free(p);
		return false;
	}
	/* A field seen twice: the last one wins, as protobuf says. */
	free(*out);
	*out = p;
	*a->len = n;
	return true;
}

/* A short bytes field (a digest, a nonce) into a fixed array of a->cap. */
static bool
dec_fixed(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;
	size_t n = s->bytes_left;

	(void)f;
	if (n > a->cap)
		return dfail(s, a->d, SS_ERR_PROTOCOL, "digest or nonce too long");
	if (!pb_read(s, a->out, n))
		return false;
	*a->len = n;
	return true;
}

/*
 * One entry of a list of messages: counted in before it is filled, so that
 * a failure frees what it holds, then decoded as list_types[] says. m holds
 * the message of any of the lists.
 */
static bool
dec_entry(pb_istream_t *s, const pb_field_t *f, void **arg)
{
	const struct slot *a = *arg;
	struct wire_response *r = a->d->resp;
	size_t lim = a->d->lim->max_items;
	union {
		securesum_IncomingShare share;
		securesum_Sumpoint sumpoint;
		securesum_PartyKey key;
		securesum_SignedCohort signed_;
		securesum_Conflict conflict;
		/* Room for it: decode_message fills m through its descriptor. */
		/* cppcheck-suppress unusedStructMember */
		securesum_SessionSummary session;
	} m;
	struct into x;
	int rc;

	(void)f;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	x.d = a->d;
	x.r = r;
#define GROW(arr, n, cap, dst) do { \
	(arr) = grow((arr), (n), &(cap), sizeof(*(arr)), lim, &rc); \
	(dst) = rc == SS_OK ? &(arr)[(n)++] : NULL; \
} while (0)
	switch (a->list->list) {
	case DST_SHARES:
		GROW(r->shares, r->nshares, r->shares_cap, x.share);
		break;
	case DST_SUMPOINTS:
		GROW(r->sumpoints, r->nsumpoints, r->sumpoints_cap, x.sumpoint);
		break;
	case DST_SIGNED:
		GROW(r->signed_, r->nsigned, r->signed_cap, x.signed_);
		break;
	case DST_CONFLICTS:
		GROW(r->conflicts, r->nconflicts, r->conflicts_cap, x.conflict);
		break;
	case DST_SESSIONS:
		GROW(r->sessions, r->nsessions, r->sessions_cap, x.session);
		break;
	default:
		GROW(r->keys, r->nkeys, r->keys_cap, x.key);
		break;
	}
#undef GROW
	if (rc != SS_OK)
		return dfail(s, a->d, rc, a->list->too_many);
	return decode_message(s, &x, a->list->desc, &m, &a->list->dests);
}

/* Makes the callback field at it call fn with a new slot of x: out, len. */
static bool
bind(pb_field_iter_t *it, struct into *x, bool (*fn)(pb_istream_t *,
    const pb_field_t *, void **), void *out, size_t *len)
{
	pb_callback_t *cb = it->pData;
	struct slot *a;

	if (PB_ATYPE(it->type) != PB_ATYPE_CALLBACK ||
	    x->nslots >= sizeof(x->slots) / sizeof(x->slots[0]))
		return false;
	a = &x->slots[x->nslots++];
	a->d = x->d;
	a->out = out;
	a->len = len;
	a->cap = 0;
	a->list = NULL;
	cb->funcs.decode = fn;
	cb->arg = a;
	return true;
}

/*
 * A bytes field of at most cap bytes, its length to *len, decoded by fn:
 * dec_bytes into *out (a uint8_t *, malloc'd) or dec_fixed into the array
 * out itself.
 */
static bool
bind_bytes(pb_field_iter_t *it, struct into *x, bool (*fn)(pb_istream_t *,
    const pb_field_t *, void **), void *out, size_t *len, size_t cap)
{
	if (PB_LTYPE(it->type) != PB_LTYPE_BYTES || !bind(it, x, fn, out, len))
		return false;
	x->slots[x->nslots - 1].cap = cap;
	return true;
}

/*
 * A short string: with securesum.options, nanopb reads it into a char array
 * of cap bytes (NAME_MAX_LEN + 1, or SESSION_ID_BUF for a session id)
 * itself (refusing a longer one), and take_name copies it out; without, a
 * callback reads it into out.
 */
static bool
bind_name(pb_field_iter_t *it, struct into *x, char *out, size_t cap)
{
	if (PB_LTYPE(it->type) != PB_LTYPE_STRING)
		return false;
	if (PB_ATYPE(it->type) == PB_ATYPE_CALLBACK) {
		if (!bind(it, x, dec_name, out, NULL))
			return false;
		x->slots[x->nslots - 1].cap = cap;
		return true;
	}
	return PB_ATYPE(it->type) == PB_ATYPE_STATIC && it->data_size == cap;
}

/* A list of messages: dec_entry decodes each as list_types[] says. */
static bool
bind_list(pb_field_iter_t *it, struct into *x, int list)
{
	const struct list_type *t = list_types;
	const size_t n = sizeof(list_types) / sizeof(list_types[0]);

	while (t < list_types + n && t->list != list)
		t++;
	if (t == list_types + n || t->desc != it->submsg_desc ||
	    !bind(it, x, dec_entry, NULL, NULL))
		return false;
	x->slots[x->nslots - 1].list = t;
	return true;
}

/* The plain value at it, of ltype and size bytes, into v. */
static bool
get(const pb_field_iter_t *it, pb_type_t ltype, void *v, size_t size)
{
	if (PB_LTYPE(it->type) != ltype ||
	    PB_ATYPE(it->type) != PB_ATYPE_STATIC || it->data_size != size)
		return false;
	memcpy(v, it->pData, size);
	return true;
}

static bool
get_u32(const pb_field_iter_t *it, uint32_t *v)
{
	return get(it, PB_LTYPE_UVARINT, v, sizeof(*v));
}

static bool
get_u64(const pb_field_iter_t *it, uint64_t *v)
{
	return get(it, PB_LTYPE_UVARINT, v, sizeof(*v));
}

/* A bool, or an enum (the 32 bits nanopb read), into *out. */
static bool
get_int(const pb_field_iter_t *it, int *out)
{
	pb_type_t t = PB_LTYPE(it->type);
	int32_t v;
	bool b;

	if (t == PB_LTYPE_BOOL && get(it, t, &b, sizeof(b)))
		v = b;
	else if ((t != PB_LTYPE_VARINT && t != PB_LTYPE_UVARINT) ||
	    !get(it, t, &v, sizeof(v)))
		return false;
	*out = v;
	return true;
}

/* A short string nanopb read into its char array (see bind_name). */
static bool
take_name(const pb_field_iter_t *it, char *out, size_t cap)
{
	if (PB_ATYPE(it->type) != PB_ATYPE_STATIC)
		return true;
	if (it->data_size != cap)
		return false;
	memcpy(out, it->pData, cap);
	out[cap - 1] = '\0';
	return true;
}

/* A short string at it, into out: its callback set before, or taken after. */
static bool
name(pb_field_iter_t *it, struct into *x, char *out)
{
	return x->after ? take_name(it, out, NAME_MAX_LEN + 1) :
	    bind_name(it, x, out, NAME_MAX_LEN + 1);
}

/* The same for a session id. */
static bool
sid(pb_field_iter_t *it, struct into *x, char *out)
{
	return x->after ? take_name(it, out, SESSION_ID_BUF) :
	    bind_name(it, x, out, SESSION_ID_BUF);
}

static bool
bind_names(pb_field_iter_t *it, struct into *x, struct wire_names *list)
{
	return bind(it, x, dec_name_list, list, NULL);
}

/* The same for DeleteSession's and ListSessions' fields. */
static bool
place_lifecycle(pb_field_iter_t *it, int dst, struct into *x)
{
	struct wire_session *ss = x->session;
	const bool after = x->after;

	switch (dst) {
	case DST_RELEASED:    return !after || get_u64(it, &x->r->released_bytes);
	case DST_DELETED_ID:  return sid(it, x, x->r->deleted_id);
	case DST_SESSIONS:    return after || bind_list(it, x, dst);
	case DST_NEXT_OFFSET: return !after || get_u32(it, &x->r->next_offset);
	case DST_SS_ID:       return sid(it, x, ss->session_id);
	case DST_SS_PHASE:    return !after || get_int(it, &ss->phase);
	case DST_SS_CREATED:  return !after || get_u64(it, &ss->created_unix);
	case DST_SS_AGE:      return !after || get_u64(it, &ss->age_seconds);
	case DST_SS_CREATOR:  return name(it, x, ss->creator);
	case DST_SS_EXPIRES:  return !after || get_u64(it, &ss->expires_unix);
	case DST_SS_PARTIES:  return !after || get_u32(it, &ss->parties);
	default:              return false;
	}
}

/* The same for the fields protocol version 2 added. */
static bool
place_v2(pb_field_iter_t *it, int dst, struct into *x)
{
	struct wire_response *r = x->r;
	struct wire_params *p = &r->params;
	const bool after = x->after;
	const size_t maxb = x->d->lim->max_bytes;
	const size_t maxs = x->d->lim->max_statement;

	switch (dst) {
	case DST_DIGEST:
		return after || bind_bytes(it, x, dec_fixed, r->digest,
		    &r->digest_len, sizeof(r->digest));
	case DST_SIGNERS:       return after || bind_names(it, x, &r->signers);
	case DST_CONFLICTS:
	case DST_SIGNED:        return after || bind_list(it, x, dst);
	case DST_MIN_COHORT:    return !after || get_u32(it, &p->min_cohort);
	case DST_DEADLINE_AT:   return !after || get_u64(it, &p->deadline_unix);
	case DST_NONCE:
		return after || bind_bytes(it, x, dec_fixed, p->nonce,
		    &p->nonce_len, sizeof(p->nonce));
	case DST_SUBMIT:        return place_stmt(it, x, &x->share->submit);
	case DST_SP_STMT:       return place_stmt(it, x, &x->sumpoint->stmt);
	case DST_SIGNING_CERT:
		return after || bind_bytes(it, x, dec_bytes, &x->key->sig_der,
		    &x->key->sig_der_len, maxb);
	case DST_SC_PARTY:      return name(it, x, x->signed_->party);
	case DST_SC_STMT:       return place_stmt(it, x, &x->signed_->stmt);
	case DST_CF_PARTY:      return name(it, x, x->conflict->party);
	case DST_CF_FIRST:      return place_stmt(it, x, &x->conflict->first);
	case DST_CF_SECOND:     return place_stmt(it, x, &x->conflict->second);
	case DST_STMT_BODY:
		return after || bind_bytes(it, x, dec_bytes, &x->stmt->body,
		    &x->stmt->body_len, maxs);
	case DST_STMT_SIG:
		return after || bind_bytes(it, x, dec_bytes, &x->stmt->sig,
		    &x->stmt->sig_len, maxs);
	case DST_VERSION:       return !after || get_u64(it, &r->version);
	default:                return place_lifecycle(it, dst, x);
	}
}

/*
 * Puts the field at it where dst says, in the pass x->after names: a list,
 * a vector or bytes by setting its callback before decoding, a plain value
 * by taking it after, a short string by either (see bind_name).
 */
static bool
place(pb_field_iter_t *it, int dst, void *ctx)
{
	struct into *x = ctx;
	struct wire_response *r = x->r;
	struct wire_params *p = &r->params;
	const bool after = x->after;
	const size_t maxb = x->d->lim->max_bytes;

	switch (dst) {
	case DST_CREATED:       return !after || get_int(it, &r->created);
	case DST_DUPLICATE:     return !after || get_int(it, &r->duplicate);
	case DST_PHASE:         return !after || get_int(it, &r->phase);
	case DST_DEADLINE_UNIX: return !after || get_u64(it, &r->deadline_unix);
	case DST_PARAMS:        return place_params(it, x);
	case DST_COHORT:        return after || bind_names(it, x, &r->cohort);
	case DST_SHARED:        return after || bind_names(it, x, &r->shared);
	case DST_POSTED:        return after || bind_names(it, x, &r->posted);
	case DST_MISSING:       return after || bind_names(it, x, &r->missing);
	case DST_SHARES:
	case DST_SUMPOINTS:
	case DST_KEYS:          return after || bind_list(it, x, dst);
	case DST_SESSION:       return sid(it, x, p->session_id);
	case DST_PARTIES:       return after || bind_names(it, x, &p->parties);
	case DST_THRESHOLD:     return !after || get_u32(it, &p->threshold);
	case DST_LENGTH:        return !after || get_u32(it, &p->length);
	case DST_DECIMALS:      return !after || get_u32(it, &p->decimals);
	case DST_DEADLINE:      return !after || get_u32(it, &p->deadline_seconds);
	case DST_SENDER:        return name(it, x, x->share->sender);
	case DST_CIPHERTEXT:
		return after || bind_bytes(it, x, dec_bytes, &x->share->ct,
		    &x->share->ct_len, maxb);
	case DST_SP_PARTY:      return name(it, x, x->sumpoint->party);
	case DST_X:             return !after || get_u32(it, &x->sumpoint->x);
	case DST_VALUES:
		return after || bind(it, x, dec_u64, &x->sumpoint->values,
		    NULL);
	case DST_KEY_PARTY:     return name(it, x, x->key->party);
	case DST_CERT:
		return after || bind_bytes(it, x, dec_bytes, &x->key->der,
		    &x->key->der_len, maxb);
	default:                return place_v2(it, dst, x);
	}
}

/* The SessionParams at it, field by field; after decoding, whether it came. */
static bool
place_params(pb_field_iter_t *it, struct into *x)
{
	if (!PB_LTYPE_IS_SUBMSG(it->type) || it->pSize == NULL)
		return false;
	if (x->after)
		x->r->has_params = *(const bool *)it->pSize;
	return wire_walk(it->submsg_desc, it->pData, &params_dests, place, x);
}

/* The Statement at it, into stmt: its body and signature, by callbacks. */
static bool
place_stmt(pb_field_iter_t *it, struct into *x, struct wire_stmt *stmt)
{
	if (!PB_LTYPE_IS_SUBMSG(it->type))
		return false;
	x->stmt = stmt;
	return wire_walk(it->submsg_desc, it->pData, &stmt_dests, place, x);
}

/* The codec's tables and nanopb's descriptors disagree: a bug, not input. */
static bool
mismatch(pb_istream_t *s, struct dctx *d)
{
	return dfail(s, d, SS_ERR_INTERNAL, "message unknown to the codec");
}

/*
 * Decodes msg, of type desc, from s into x: its callbacks set before, its
 * plain values taken after, each where dests says.
 */
static bool
decode_message(pb_istream_t *s, struct into *x, const pb_msgdesc_t *desc,
    void *msg, const struct wire_fields *dests)
{
	x->after = false;
	if (!wire_walk(desc, msg, dests, place, x))
		return mismatch(s, x->d);
	if (!pb_decode_ex(s, desc, msg, PB_DECODE_NOINIT))
		return false;
	x->after = true;
	if (!wire_walk(desc, msg, dests, place, x))
		return mismatch(s, x->d);
	return true;
}

/*
 * GetServerInfo's body: no list, vector or bytes, so nanopb decodes it
 * whole (the version bounded by securesum.options) and it is copied over.
 */
static bool
decode_server_info(pb_istream_t *s, struct wire_server_info *out)
{
	securesum_GetServerInfoResponse m;

	memset(&m, 0, sizeof(m));
	if (!pb_decode(s, securesum_GetServerInfoResponse_fields, &m))
		return false;
	_Static_assert(sizeof(m.version) <= sizeof(out->version), "version");
	memcpy(out->version, m.version, sizeof(m.version));
	out->version[sizeof(out->version) - 1] = '\0';
	out->uptime_seconds = m.uptime_seconds;
	out->sessions_sharing = m.sessions_sharing;
	out->sessions_aggregating = m.sessions_aggregating;
	out->sessions_complete = m.sessions_complete;
	out->sessions_failed = m.sessions_failed;
	out->sessions_max = m.sessions_max;
	out->connections = m.connections;
	out->connections_max = m.connections_max;
	out->stored_bytes = m.stored_bytes;
	out->stored_bytes_max = m.stored_bytes_max;
	out->journal_healthy = m.journal_healthy;
	out->journal_unsynced_records = m.journal_unsynced_records;
	out->snapshot_age_seconds = m.snapshot_age_seconds;
	out->snapshot_duration_ms = m.snapshot_duration_ms;
	out->snapshots_failed = m.snapshots_failed;
	out->requests = m.requests;
	return true;
}

/* The body of the answer to method, from s, into the response. */
static bool
decode_body(pb_istream_t *s, struct dctx *d, int method)
{
	securesum_Response m;
	pb_field_iter_t it;
	struct into x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.r = d->resp;
	if (method == WIRE_GET_SERVER_INFO)
		return decode_server_info(s, &d->resp->server_info);
	if (!pb_field_iter_begin(&it, securesum_Response_fields, &m) ||
	    !pb_field_iter_find(&it, (uint32_t)(TAG_BODY_BASE + method)) ||
	    !PB_LTYPE_IS_SUBMSG(it.type))
		return mismatch(s, d);
	return decode_message(s, &x, it.submsg_desc, it.pData, &bodies[method]);
}

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
	if (!decode_body(&sub, d, method))
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
	if (tag > TAG_BODY_BASE && tag <= TAG_BODY_BASE + WIRE_METHOD_LAST)
		return dec_body(s, wt, tag, method, d, e);
	if (!pb_skip_field(s, wt))
		return derr(d, s, e, "unknown field");
	return SS_OK;
}

int
wire_decode_response_from(pb_istream_t *s, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	struct dctx d = { lim, resp, SS_OK };
	int r;

	memset(resp, 0, sizeof(*resp));
	if (method < WIRE_CREATE_SESSION || method > WIRE_METHOD_LAST)
		return ss_error_set(e, SS_ERR_INVALID, "unknown method %d",
		    method);
	while (s->bytes_left > 0)
		if ((r = dec_field(s, method, &d, e)) != SS_OK)
			return r;
	return SS_OK;
}

int
wire_decode_response(const uint8_t *buf, size_t len, int method,
    const struct wire_limits *lim, struct wire_response *resp,
    struct ss_error *e)
{
	pb_istream_t s = pb_istream_from_buffer(buf, len);

	return wire_decode_response_from(&s, method, lim, resp, e);
}

bool
wire_walk(const pb_msgdesc_t *desc, void *msg, const struct wire_fields *fl,
    bool (*each)(pb_field_iter_t *it, int role, void *ctx), void *ctx)
{
	pb_field_iter_t it;
	size_t n = 0, seen = 0;

	while (n < WIRE_FIELDS_MAX && fl->role[n] != 0)
		n++;
	if (!pb_field_iter_begin(&it, desc, msg))
		return false;
	do {
		if (it.tag == 0 || it.tag > n ||
		    !each(&it, fl->role[it.tag - 1], ctx))
			return false;
		seen++;
	} while (pb_field_iter_next(&it));
	return seen == n;
}
