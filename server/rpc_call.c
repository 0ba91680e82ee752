/*
 * rpc_call.c: what every handler of the RPC layer uses; see rpc_call.h.
 *
 * Requests are unpacked with an allocator that remembers the size of each
 * block: protobuf-c hands strings over NUL-terminated without their wire
 * length, and only the size of the block it copied one into shows that a
 * string held a NUL byte ("bob\0x" would otherwise be read as "bob").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_call.h"
#include "err.h"
#include "name.h"
#include "store.h"

/* ---- sized allocations ---------------------------------------------- */

/* Each block is preceded by its size, in a header that keeps alignment. */
#define SIZED_HDR sizeof(max_align_t)

/* What a block of n bytes costs: its header, and malloc's own (glibc's). */
#define MALLOC_COST 16u

static uint64_t
block_cost(size_t n)
{
	return (uint64_t)n + SIZED_HDR + MALLOC_COST;
}

/* Whether the meter has room for n more bytes. */
static int
meter_take(struct call_meter *m, size_t n)
{
	uint64_t cost = block_cost(n);

	if (m->over != 0)
		return 0;
	if (cost > m->cap - m->used) {
		m->over = CALL_METER_CAP;
		return 0;
	}
	m->used += cost;
	return 1;
}

/* Gives back what meter_take took for a block of n bytes. */
static void
sized_undo(struct call_meter *m, size_t n)
{
	uint64_t cost = block_cost(n);

	m->used -= cost < m->used ? cost : m->used;
}

static void *
sized_alloc(void *ud, size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - SIZED_HDR - MALLOC_COST || !meter_take(ud, n))
		return NULL;
	if ((p = malloc(SIZED_HDR + n)) == NULL) {
		((struct call_meter *)ud)->over = CALL_METER_MEMORY;
		sized_undo(ud, n);
		return NULL;
	}
	memcpy(p, &n, sizeof(n));
	return p + SIZED_HDR;
}

static void
sized_free(void *ud, void *ptr)
{
	unsigned char *p;
	size_t n;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - SIZED_HDR;
	memcpy(&n, p, sizeof(n));
	sized_undo(ud, n);
	free(p);
}

void
call_meter_start(struct decoded_request *r, size_t len, uint32_t max_parties)
{
	memset(&r->meter, 0, sizeof(r->meter));
	r->meter.cap = (uint64_t)len + CALL_DECODE_ELEMENT *
	    (4 * (uint64_t)max_parties + CALL_DECODE_FIXED);
	r->alloc.alloc = sized_alloc;
	r->alloc.free = sized_free;
	r->alloc.allocator_data = &r->meter;
}

/*
 * Whether the string the request decoded is whole: no NUL before the end of
 * what was on the wire. An absent field is protobuf-c's shared "".
 */
static int
string_whole(const char *v)
{
	size_t n;

	if (v == NULL || v == protobuf_c_empty_string)
		return 1;
	memcpy(&n, (const unsigned char *)v - SIZED_HDR, sizeof(n));
	return strlen(v) + 1 == n;
}

const char *
call_whole(const char *v)
{
	return v != NULL && string_whole(v) ? v : "";
}

int
call_check_whole_name(struct call *c, const char *what, const char *v)
{
	if (!name_valid(v))
		return ss_error_set(&c->err, SS_ERR_INVALID, "%s must be 1-64 "
		    "characters of A-Z a-z 0-9 . _ - and not start with . or -",
		    what);
	return SS_OK;
}

int
call_check_name(struct call *c, const char *what, const char *v)
{
	return call_check_whole_name(c, what, call_whole(v));
}

int
call_check_whole_session(struct call *c, const char *v)
{
	if (!session_id_valid(v))
		return ss_error_set(&c->err, SS_ERR_INVALID, "session_id must be "
		    "NAME or CREATOR/NAME, each 1-64 characters of A-Z a-z 0-9 "
		    ". _ - and not starting with . or -");
	return SS_OK;
}

int
call_check_session(struct call *c, const char *v)
{
	return call_check_whole_session(c, call_whole(v));
}

/* ---- the response's memory -------------------------------------------- */

void *
call_scratch(struct call *c, size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < CALL_SCRATCH; i++)
		if (c->sc.p[i] == NULL)
			return c->sc.p[i] = calloc(n ? n : 1, size);
	return NULL;
}

void
call_scratch_free(struct call *c)
{
	size_t i;

	for (i = 0; i < CALL_SCRATCH; i++) {
		free(c->sc.p[i]);
		c->sc.p[i] = NULL;
	}
}

int
call_out_of_memory(struct call *c)
{
	return ss_error_set(&c->err, SS_ERR_EXHAUSTED, "out of memory");
}

uint64_t
call_now(const struct call *c)
{
	return c->now_ms() / 1000;
}

/* ---- answers ------------------------------------------------------------ */

struct session *
call_read_session(struct call *c, const char *session_id)
{
	struct session *se = NULL;

	if (call_check_session(c, session_id) != SS_OK)
		return NULL;
	return store_read(c->store, c->caller, session_id, call_now(c), &se,
	    &c->err) == SS_OK ? se : NULL;
}

int
call_acknowledge(struct call *c, int rc, int duplicate)
{
	if (rc != SS_OK)
		return rc;
	switch (c->req.method) {
	case SECURESUM__METHOD__SUBMIT_SHARES:
		c->body.submit.duplicate = duplicate;
		break;
	case SECURESUM__METHOD__POST_SUMPOINT:
		c->body.post.duplicate = duplicate;
		break;
	case SECURESUM__METHOD__POST_COHORT:
		c->body.post_cohort.duplicate = duplicate;
		break;
	default:
		c->body.publish.duplicate = duplicate;
		break;
	}
	return SS_OK;
}

void
call_params_to_msg(struct call *c, const struct session *se, char **names)
{
	Securesum__SessionParams *m = &c->params;
	uint32_t i;

	securesum__session_params__init(m);
	for (i = 0; i < se->p.n; i++)
		names[i] = (char *)se->p.parties[i];
	m->session_id = (char *)se->p.id;
	m->n_parties = se->p.n;
	m->parties = names;
	m->threshold = se->p.threshold;
	m->length = se->p.length;
	m->decimals = se->p.decimals;
	m->deadline_seconds = se->p.deadline_seconds;
	if (!se->p.v2)
		return;
	m->min_cohort = se->p.min_cohort;
	m->deadline_unix = se->p.deadline_unix;
	m->nonce.data = (uint8_t *)se->p.nonce;
	m->nonce.len = sizeof(se->p.nonce);
}

/* ---- statements ---------------------------------------------------------- */

const struct statement_in *
call_statement_in(const Securesum__Statement *m, struct statement_in *in)
{
	if (m == NULL)
		return NULL;
	in->body = m->body.data;
	in->len = m->body.len;
	in->sig = m->signature.data;
	in->sig_len = m->signature.len;
	return in;
}

Securesum__Statement *
call_statement_msg(const struct held_statement *h, Securesum__Statement *m)
{
	if (h == NULL || h->body == NULL)
		return NULL;
	securesum__statement__init(m);
	m->body.data = h->body;
	m->body.len = h->len;
	m->signature.data = (uint8_t *)h->sig;
	m->signature.len = h->sig_len;
	return m;
}
