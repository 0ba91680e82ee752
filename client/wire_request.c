/*
 * wire_request.c: encoding a Request, on nanopb's generated descriptors.
 *
 * One table says what each field of each request body carries (bodies[]):
 * the request is checked against it, then filled into the generated
 * securesum_Request by walking the body's descriptor with nanopb's field
 * iterator, and nanopb writes the whole message. Walking the descriptor
 * rather than naming struct members lets one code path serve every body,
 * and both layouts nanopb may generate for the short strings (char arrays
 * with proto/securesum.options, callbacks without; see wire_pb.h).
 *
 * Every repeated or bytes field goes through a callback: repeated uint64 is
 * written packed (the proto3 default), and ciphertexts are written straight
 * from the caller's memory.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pb_common.h>
#include <pb_encode.h>

#include "err.h"
#include "name.h"
#include "securesum.pb.h"
#include "wire.h"
#include "wire_pb.h"

/* What a field of a request carries. */
enum source {
	SRC_NONE,
	SRC_SESSION,      /* the session id */
	SRC_PARTY,        /* the caller, as the request names it */
	SRC_PARAMS,       /* SessionParams, filled from params_fields */
	SRC_NAMES,        /* the parties (CreateSession, GetKeys) */
	SRC_SHARES,       /* the EncryptedShares, filled from share_fields */
	SRC_VALUES,       /* the sumpoint */
	SRC_CERT,         /* the encryption-key certificate */
	SRC_THRESHOLD,
	SRC_LENGTH,
	SRC_DECIMALS,
	SRC_DEADLINE,     /* SessionParams.deadline_seconds */
	SRC_RECIPIENT,    /* an EncryptedShare's */
	SRC_CIPHERTEXT,   /* an EncryptedShare's */
	SRC_MIN_COHORT,   /* SessionParams, version 2 */
	SRC_DEADLINE_AT,  /* SessionParams.deadline_unix */
	SRC_NONCE,
	SRC_STMT,         /* the Statement, filled from stmt_fields */
	SRC_STMT_BODY,    /* a Statement's */
	SRC_STMT_SIG,
	SRC_WATCH_VERSION,   /* GetStatusRequest's watch */
	SRC_WATCH_MS,
	SRC_OFFSET,          /* ListSessionsRequest's */
	SRC_WATCH_UNTIL,     /* GetStatusRequest's watch condition */
	SRC_WATCH_PHASE,
	SRC_WATCH_SIGNERS,
	SRC_WATCH_POSTED,
	SRC_WATCH_CONFLICTS,
};

#define BIT(src) (1u << (src))

/* The bodies, as proto/securesum.proto numbers their fields. */
static const struct wire_fields bodies[] = {
	[WIRE_CREATE_SESSION] = { { SRC_PARAMS } },
	[WIRE_SUBMIT_SHARES] = { { SRC_SESSION, SRC_PARTY, SRC_SHARES,
	    SRC_STMT } },
	[WIRE_GET_SHARE] = { { SRC_SESSION, SRC_PARTY } },
	[WIRE_POST_SUMPOINT] = { { SRC_SESSION, SRC_PARTY, SRC_VALUES,
	    SRC_STMT } },
	[WIRE_LIST_SUMPOINTS] = { { SRC_SESSION } },
	[WIRE_GET_STATUS] = { { SRC_SESSION, SRC_WATCH_VERSION,
	    SRC_WATCH_MS, SRC_WATCH_UNTIL, SRC_WATCH_PHASE, SRC_WATCH_SIGNERS,
	    SRC_WATCH_POSTED, SRC_WATCH_CONFLICTS } },
	[WIRE_PUBLISH_KEY] = { { SRC_CERT } },
	[WIRE_GET_KEYS] = { { SRC_NAMES } },
	[WIRE_POST_COHORT] = { { SRC_SESSION, SRC_PARTY, SRC_STMT } },
	[WIRE_GET_COHORT] = { { SRC_SESSION } },
	[WIRE_DELETE_SESSION] = { { SRC_SESSION } },
	[WIRE_LIST_SESSIONS] = { { SRC_OFFSET } },
	[WIRE_GET_SERVER_INFO] = { { SRC_NONE } },   /* no field */
};
_Static_assert(sizeof(bodies) / sizeof(bodies[0]) == WIRE_METHOD_LAST + 1,
    "a row for every method up to the last");

static const struct wire_fields params_fields = { {
	SRC_SESSION, SRC_NAMES, SRC_THRESHOLD, SRC_LENGTH, SRC_DECIMALS,
	SRC_DEADLINE, SRC_MIN_COHORT, SRC_DEADLINE_AT, SRC_NONCE,
} };

static const struct wire_fields stmt_fields = { {
	SRC_STMT_BODY, SRC_STMT_SIG,
} };

static const struct wire_fields share_fields = {
	{ SRC_RECIPIENT, SRC_CIPHERTEXT }
};

struct byte_span {
	const uint8_t *p;
	size_t n;
};

/* What one message is filled from. */
struct from {
	const struct wire_request *r;
	const struct wire_share *share;   /* the EncryptedShare's, or NULL */
	/* its bytes fields (a nonce; a statement's body and signature) */
	struct byte_span bytes[3];
	size_t nbytes;
};

static bool
enc_string(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const char *str = *arg;

	/* proto3 leaves an empty string out. */
	if (*str == '\0')
		return true;
	return pb_encode_tag_for_field(s, f) &&
	    pb_encode_string(s, (const pb_byte_t *)str, strlen(str));
}

static bool
enc_names(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct wire_request *r = *arg;
	size_t i;

	for (i = 0; i < r->nnames; i++) {
		/* A repeated string keeps its empty entries: they are entries. */
		if (!pb_encode_tag_for_field(s, f) ||
		    !pb_encode_string(s, (const pb_byte_t *)r->names[i],
		    strlen(r->names[i])))
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
enc_values(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct wire_request *r = *arg;
	size_t i;

	if (r->nvalues == 0)
		return true;
	if (r->nvalues > SIZE_MAX / 8 ||
	    !pb_encode_tag(s, PB_WT_STRING, f->tag) ||
	    !pb_encode_varint(s, (uint64_t)r->nvalues * 8))
		return false;
	for (i = 0; i < r->nvalues; i++)
		if (!pb_encode_fixed64(s, &r->values[i]))
			return false;
	return true;
}

static bool enc_shares(pb_ostream_t *s, const pb_field_t *f,
    void *const *arg);

/* Makes the callback field at it call fn with arg. */
static bool
set_callback(pb_field_iter_t *it, bool (*fn)(pb_ostream_t *,
    const pb_field_t *, void *const *), const void *arg)
{
	pb_callback_t *cb = it->pData;

	if (PB_ATYPE(it->type) != PB_ATYPE_CALLBACK)
		return false;
	cb->funcs.encode = fn;
	cb->arg = (void *)arg;
	return true;
}

/*
 * Sets the short string field at it to str, whose length request_valid
 * checked: a char array (NAME_MAX_LEN + 1 bytes, or SESSION_ID_BUF for a
 * session id) in one layout, a callback in the other.
 */
static bool
set_name(pb_field_iter_t *it, const char *str)
{
	size_t n = strlen(str);

	if (PB_LTYPE(it->type) != PB_LTYPE_STRING)
		return false;
	if (PB_ATYPE(it->type) == PB_ATYPE_CALLBACK)
		return set_callback(it, enc_string, str);
	if (PB_ATYPE(it->type) != PB_ATYPE_STATIC || n >= it->data_size)
		return false;
	memcpy(it->pData, str, n + 1);
	return true;
}

/* The plain value v, of size bytes, into the field at it. */
static bool
set_plain(pb_field_iter_t *it, const void *v, size_t size)
{
	if (PB_LTYPE(it->type) != PB_LTYPE_UVARINT ||
	    PB_ATYPE(it->type) != PB_ATYPE_STATIC || it->data_size != size)
		return false;
	memcpy(it->pData, v, size);
	return true;
}

static bool
set_u32(pb_field_iter_t *it, uint32_t v)
{
	return set_plain(it, &v, sizeof(v));
}

static bool
set_u64(pb_field_iter_t *it, uint64_t v)
{
	return set_plain(it, &v, sizeof(v));
}

static bool
set_bool(pb_field_iter_t *it, int v)
{
	if (PB_LTYPE(it->type) != PB_LTYPE_BOOL ||
	    PB_ATYPE(it->type) != PB_ATYPE_STATIC ||
	    it->data_size != sizeof(bool))
		return false;
	*(bool *)it->pData = v != 0;
	return true;
}

/*
 * An enum's value v: nanopb keeps it as the C enum, an int's size, and
 * writes it as a varint (unsigned when the enum has no negative value).
 */
static bool
set_enum(pb_field_iter_t *it, uint32_t v)
{
	int n = (int)v;

	if ((PB_LTYPE(it->type) != PB_LTYPE_VARINT &&
	    PB_LTYPE(it->type) != PB_LTYPE_UVARINT) ||
	    PB_ATYPE(it->type) != PB_ATYPE_STATIC ||
	    it->data_size != sizeof(n) || v > INT32_MAX)
		return false;
	memcpy(it->pData, &n, sizeof(n));
	return true;
}

/* The bytes field at it, from p (n bytes), kept in x while nanopb writes. */
static bool
set_bytes(pb_field_iter_t *it, struct from *x, const uint8_t *p, size_t n)
{
	struct byte_span *b;

	if (x->nbytes >= sizeof(x->bytes) / sizeof(x->bytes[0]))
		return false;
	b = &x->bytes[x->nbytes++];
	b->p = p;
	b->n = n;
	return PB_LTYPE(it->type) == PB_LTYPE_BYTES &&
	    set_callback(it, enc_bytes, b);
}

/* Marks the submessage at it present: an optional field, or a oneof's. */
static bool
set_present(pb_field_iter_t *it)
{
	if (!PB_LTYPE_IS_SUBMSG(it->type) || it->pSize == NULL)
		return false;
	if (PB_HTYPE(it->type) == PB_HTYPE_ONEOF)
		*(pb_size_t *)it->pSize = it->tag;
	else if (PB_HTYPE(it->type) == PB_HTYPE_OPTIONAL)
		*(bool *)it->pSize = true;
	else
		return false;
	return true;
}

static bool fill(pb_field_iter_t *it, int src, void *ctx);

/* The fields protocol version 2 added. */
static bool
fill_v2(pb_field_iter_t *it, int src, struct from *x)
{
	const struct wire_request *r = x->r;

	switch (src) {
	case SRC_MIN_COHORT: return set_u32(it, r->min_cohort);
	case SRC_DEADLINE_AT: return set_u64(it, r->deadline_unix);
	case SRC_NONCE:      return set_bytes(it, x, r->nonce, r->nonce_len);
	case SRC_STMT:
		/* Without a statement the field is left out (version 1). */
		return r->stmt == NULL || (set_present(it) &&
		    wire_walk(it->submsg_desc, it->pData, &stmt_fields, fill,
		    x));
	case SRC_STMT_BODY:
		return set_bytes(it, x, r->stmt->body, r->stmt->body_len);
	case SRC_STMT_SIG:
		return set_bytes(it, x, r->stmt->sig, r->stmt->sig_len);
	case SRC_WATCH_VERSION: return set_u64(it, r->watch_version);
	case SRC_WATCH_MS:   return set_u32(it, r->watch_ms);
	case SRC_OFFSET:     return set_u32(it, r->offset);
	case SRC_WATCH_UNTIL: return set_bool(it, r->watch_until);
	case SRC_WATCH_PHASE: return set_enum(it, r->watch_phase);
	case SRC_WATCH_SIGNERS: return set_u32(it, r->watch_signers);
	case SRC_WATCH_POSTED: return set_u32(it, r->watch_posted);
	case SRC_WATCH_CONFLICTS: return set_u32(it, r->watch_conflicts);
	default:             return false;
	}
}

/* The field at it, with what src names. */
static bool
fill(pb_field_iter_t *it, int src, void *ctx)
{
	struct from *x = ctx;
	const struct wire_request *r = x->r;

	switch (src) {
	case SRC_SESSION:    return set_name(it, r->session_id);
	case SRC_PARTY:      return set_name(it, r->party);
	case SRC_RECIPIENT:  return set_name(it, x->share->recipient);
	case SRC_NAMES:      return set_callback(it, enc_names, r);
	case SRC_SHARES:     return set_callback(it, enc_shares, r);
	case SRC_VALUES:     return set_callback(it, enc_values, r);
	case SRC_CERT:       return set_bytes(it, x, r->cert, r->cert_len);
	case SRC_CIPHERTEXT:
		return set_bytes(it, x, x->share->ct, x->share->ct_len);
	case SRC_THRESHOLD:  return set_u32(it, r->threshold);
	case SRC_LENGTH:     return set_u32(it, r->length);
	case SRC_DECIMALS:   return set_u32(it, r->decimals);
	case SRC_DEADLINE:   return set_u32(it, r->deadline_seconds);
	case SRC_PARAMS:
		return set_present(it) && wire_walk(it->submsg_desc, it->pData,
		    &params_fields, fill, x);
	default:             return fill_v2(it, src, x);
	}
}

static bool
enc_shares(pb_ostream_t *s, const pb_field_t *f, void *const *arg)
{
	const struct wire_request *r = *arg;
	size_t i;

	for (i = 0; i < r->nshares; i++) {
		struct from x;
		securesum_EncryptedShare es;

		memset(&x, 0, sizeof(x));
		x.r = r;
		x.share = &r->shares[i];
		memset(&es, 0, sizeof(es));
		if (!wire_walk(securesum_EncryptedShare_fields, &es,
		    &share_fields, fill, &x) ||
		    !pb_encode_tag_for_field(s, f) ||
		    !pb_encode_submessage(s, securesum_EncryptedShare_fields,
		    &es))
			return false;
	}
	return true;
}

/* What the fields of fl carry, as bits. */
static unsigned
bits_of(const struct wire_fields *fl)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < WIRE_FIELDS_MAX && fl->role[i] != SRC_NONE; i++)
		bits |= BIT(fl->role[i]);
	return bits;
}

/* What a method's request carries, SessionParams' fields included. */
static unsigned
sources(int method)
{
	unsigned bits = bits_of(&bodies[method]);

	if (bits & BIT(SRC_STMT))
		bits |= bits_of(&stmt_fields);
	return (bits & BIT(SRC_PARAMS)) ? bits | bits_of(&params_fields) : bits;
}

/*
 * A name the request needs, of max bytes at most: SS_ERR_INVALID if NULL,
 * SS_ERR_TOO_LARGE if longer.
 */
static int
check_name(const char *name, size_t max)
{
	if (name == NULL)
		return SS_ERR_INVALID;
	return strlen(name) <= max ? SS_OK : SS_ERR_TOO_LARGE;
}

/* The arrays the request carries, there when they have entries. */
static bool
arrays_present(const struct wire_request *r, unsigned has)
{
	const struct wire_stmt *st = r->stmt;

	return !((has & BIT(SRC_NAMES)) && r->nnames > 0 && r->names == NULL) &&
	    !((has & BIT(SRC_SHARES)) && r->nshares > 0 && r->shares == NULL) &&
	    !((has & BIT(SRC_VALUES)) && r->nvalues > 0 && r->values == NULL) &&
	    !((has & BIT(SRC_CERT)) && r->cert_len > 0 && r->cert == NULL) &&
	    !((has & BIT(SRC_NONCE)) && r->nonce_len > 0 && r->nonce == NULL) &&
	    !((has & BIT(SRC_STMT)) && st != NULL &&
	    ((st->body_len > 0 && st->body == NULL) ||
	    (st->sig_len > 0 && st->sig == NULL)));
}

/* The parties named, and the ciphertexts each with its recipient. */
static int
entries_valid(const struct wire_request *r, unsigned has)
{
	size_t i;
	int rc;

	for (i = 0; (has & BIT(SRC_NAMES)) && i < r->nnames; i++)
		if (r->names[i] == NULL)
			return SS_ERR_INVALID;
	for (i = 0; (has & BIT(SRC_SHARES)) && i < r->nshares; i++) {
		if (r->shares[i].ct == NULL && r->shares[i].ct_len > 0)
			return SS_ERR_INVALID;
		if ((rc = check_name(r->shares[i].recipient, NAME_MAX_LEN)) != SS_OK)
			return rc;
	}
	return SS_OK;
}

/* Checks that the request carries what its method needs. */
static int
request_valid(const struct wire_request *r)
{
	unsigned has;
	int rc;

	if (r->method < WIRE_CREATE_SESSION || r->method > WIRE_METHOD_LAST)
		return SS_ERR_INVALID;
	has = sources(r->method);
	if (!arrays_present(r, has))
		return SS_ERR_INVALID;
	if ((has & BIT(SRC_PARTY)) &&
	    (rc = check_name(r->party, NAME_MAX_LEN)) != SS_OK)
		return rc;
	if ((rc = entries_valid(r, has)) != SS_OK)
		return rc;
	return (has & BIT(SRC_SESSION)) ? check_name(r->session_id,
	    SESSION_ID_MAX_LEN) : SS_OK;
}

int
wire_encode_request(pb_ostream_t *s, const struct wire_request *req)
{
	struct from x;
	securesum_Request m;
	pb_field_iter_t it;
	int r;

	if ((r = request_valid(req)) != SS_OK)
		return r;
	memset(&x, 0, sizeof(x));
	x.r = req;
	/* Zeroed whole: a oneof's initialiser leaves its larger members be. */
	memset(&m, 0, sizeof(m));
	/* proto3: fields at their default value are left out. */
	m.id = req->id;
	m.method = (securesum_Method)req->method;
	m.deadline_unix_ms = req->deadline_unix_ms;
	/* The body is always present, even when empty: it names the call. */
	if (!pb_field_iter_begin(&it, securesum_Request_fields, &m) ||
	    !pb_field_iter_find(&it, (uint32_t)(TAG_BODY_BASE + req->method)) ||
	    !set_present(&it) ||
	    /* A body without fields (GetServerInfo's) has nothing to fill. */
	    (it.submsg_desc->field_count > 0 && !wire_walk(it.submsg_desc,
	    it.pData, &bodies[req->method], fill, &x)))
		return SS_ERR_INTERNAL;
	return pb_encode(s, securesum_Request_fields, &m) ? SS_OK : SS_ERR_IO;
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
