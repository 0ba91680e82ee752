/*
 * test_server_rpc.c: server/rpc.c driven as the connections drive it:
 * frames packed by protobuf-c, handed to rpc_handle (a frame borrowed from
 * the input buffer) or rpc_handle_frame (a frame in a buffer of its own,
 * which the store may keep), against a real store in memory and a real CA
 * made by scripts/mkcerts.sh (tests/fixture/certs.h). Each response is read
 * back with protobuf-c. Version 2 goes through rpc_handle_as with the
 * caller's TLS certificate, the statements signed by the test PKI's
 * parties (tests/fixture/signers.h): every rule of a statement and its
 * refusal, the relays, the conflicts. Run from the top of the repository
 * (tests/run.sh does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bigmem.h"
#include "budget.h"
#include "certs.h"
#include "frame.h"
#include "pki.h"
#include "rpc.h"
#include "sealed.h"
#include "securesum.pb-c.h"
#include "signers.h"
#include "store.h"

typedef Securesum__Request Request;
typedef Securesum__Response Response;

#define SMALL_L 3
/* Long enough that a ciphertext and a sumpoint are sent by reference. */
#define BIG_L   600

static char *parties[3] = { "alice", "bob", "carol" };

static struct {
	X509_STORE *ca;
	uint8_t *der[2];        /* alice's and bob's encryption certificates */
	size_t der_len[2];
} g;

/* alice, bob, carol as signers (version 2) */
static struct signer sg[SIGNERS_N];
/* The caller's certificate for the next call (version 2); NULL: none. */
static X509 *caller_cert;

static uint64_t clock_ms = 1700000000000ull;

static uint64_t
fake_now(void)
{
	return clock_ms;
}

/* ---- the PKI, made once (tests/fixture/certs.c) -------------------------- */

static int
group_setup(void **state)
{
	const char *dir;

	(void)state;
	if ((dir = certs_dir()) == NULL ||
	    (g.ca = pki_ca_store(dir, NULL)) == NULL ||
	    pki_load_enc_cert(dir, "alice", &g.der[0], &g.der_len[0]) != SS_OK ||
	    pki_load_enc_cert(dir, "bob", &g.der[1], &g.der_len[1]) != SS_OK ||
	    signers_load(sg) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(g.der[0]);
	free(g.der[1]);
	signers_free(sg);
	X509_STORE_free(g.ca);
	certs_remove();
	return 0;
}

/* Each test: a fresh store and the clock at its start. */
static int
setup(void **state)
{
	struct rpc_server *srv = calloc(1, sizeof(*srv));
	struct store_limits lim;

	if (srv == NULL)
		return -1;
	store_default_limits(&lim);
	if ((srv->store = store_new(&lim)) == NULL)
		return -1;
	srv->ca = g.ca;
	srv->now_ms = fake_now;
	clock_ms = 1700000000000ull;
	caller_cert = NULL;
	*state = srv;
	return 0;
}

static int
teardown(void **state)
{
	struct rpc_server *srv = *state;

	store_free(srv->store);
	free(srv);
	return 0;
}

/* ---- calling ------------------------------------------------------------- */

/* The connection's output buffer, counting what is sent by reference. */
struct sink {
	ProtobufCBuffer base;
	uint8_t *p;
	size_t len, cap;
	unsigned held;
};

static void
sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct sink *k = (struct sink *)b;

	if (k->len + len > k->cap) {
		k->cap = (k->len + len) * 2;
		k->p = realloc(k->p, k->cap);
		assert_non_null(k->p);
	}
	memcpy(k->p + k->len, data, len);
	k->len += len;
}

static void
sink_held(ProtobufCBuffer *b, size_t len, const uint8_t *data,
    struct session *owner)
{
	assert_non_null(owner);
	((struct sink *)b)->held++;
	sink_append(b, len, data);
}

enum how {
	BORROWED,       /* rpc_handle: the frame stays the caller's */
	OWNED,          /* rpc_handle_frame: the store may keep it */
};

/* What the last call did besides its response. */
static struct {
	enum rpc_after after;
	int kept;               /* the store kept the frame (OWNED) */
	unsigned held;          /* vectors sent by reference */
} last;

/* The one framed response in k, read back. */
static Response *
read_response(const struct sink *k)
{
	Response *resp;
	uint32_t n;

	assert_true(k->len >= FRAME_HEADER_LEN);
	assert_int_equal(frame_get_header(k->p, UINT32_MAX, &n), SS_OK);
	assert_int_equal(n, k->len - FRAME_HEADER_LEN);
	resp = securesum__response__unpack(NULL, n, k->p + FRAME_HEADER_LEN);
	assert_non_null(resp);
	return resp;
}

/* Hands bytes (malloc'd; taken) to the RPC layer as caller. */
static Response *
call_bytes(struct rpc_server *srv, const char *caller, uint8_t *bytes,
    size_t len, enum how how)
{
	struct sink k = { { sink_append }, NULL, 0, 0, 0 };
	struct rpc_frame f = { NULL, len };
	Response *resp;

	/* An owned frame is a bigmem block, as frame_in makes them. */
	if (how == OWNED) {
		f.p = bigmem_dup(bytes, len, 0);
		assert_non_null(f.p);
		free(bytes);
		bytes = f.p;
	}
	if (caller_cert != NULL) {
		last.after = rpc_handle_as(srv, caller, caller_cert, bytes, len,
		    how == OWNED ? &f : NULL, &k.base, sink_held);
		last.kept = how == OWNED && f.p == NULL;
		if (how == OWNED)
			bigmem_free(f.p);
		else
			free(bytes);
	} else if (how == OWNED) {
		last.after = rpc_handle_frame(srv, caller, &f, &k.base, sink_held);
		last.kept = f.p == NULL;
		bigmem_free(f.p);
	} else {
		last.after = rpc_handle(srv, caller, bytes, len, &k.base, sink_held);
		last.kept = 0;
		free(bytes);
	}
	last.held = k.held;
	resp = read_response(&k);
	free(k.p);
	return resp;
}

/* Packs req and calls; the response must echo the request's id. */
static Response *
call(struct rpc_server *srv, const char *caller, const Request *req, enum how how)
{
	size_t len = securesum__request__get_packed_size(req);
	uint8_t *bytes = malloc(len ? len : 1);
	Response *resp;

	assert_non_null(bytes);
	assert_int_equal(securesum__request__pack(req, bytes), len);
	resp = call_bytes(srv, caller, bytes, len, how);
	assert_int_equal(last.after, RPC_CONTINUE);
	assert_int_equal(resp->id, req->id);
	return resp;
}

/* Checks resp's code and, if want_msg, that its message holds want_msg; frees it. */
static void
expect(Response *resp, int code, const char *want_msg)
{
	if ((int)resp->code != code || (want_msg != NULL &&
	    strstr(resp->message, want_msg) == NULL))
		fail_msg("got %s \"%s\", wanted %s \"%s\"", status_name(resp->code),
		    resp->message, status_name(code), want_msg ? want_msg : "");
	if (code != ST_OK)
		assert_int_equal(resp->body_case, SECURESUM__RESPONSE__BODY__NOT_SET);
	securesum__response__free_unpacked(resp, NULL);
}

/* ---- requests ------------------------------------------------------------ */

static void
head(Request *req, uint64_t id, int method, int body_case)
{
	req->id = id;
	req->method = (Securesum__Method)method;
	req->body_case = (Securesum__Request__BodyCase)body_case;
}

/* CreateSession of sid, in caller's namespace (PROTOCOL.md 2.1). */
static Response *
create(struct rpc_server *srv, const char *caller, const char *sid,
    uint32_t length, uint32_t deadline_seconds)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest body = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	char id[2 * NAME_BUF];

	snprintf(id, sizeof(id), "%.64s/%.64s", caller, sid);
	p.session_id = id;
	p.n_parties = 3;
	p.parties = parties;
	p.threshold = 1;
	p.length = length;
	p.deadline_seconds = deadline_seconds;
	body.params = &p;
	head(&req, 101, SECURESUM__METHOD__CREATE_SESSION,
	    SECURESUM__REQUEST__BODY_CREATE_SESSION);
	req.create_session = &body;
	return call(srv, caller, &req, BORROWED);
}

/* The ciphertext sender sends recipient in these tests. */
static void
fill_ct(uint8_t *ct, size_t len, int sender, int recipient)
{
	memset(ct, 0x10 * (sender + 1) + recipient, len);
}

/*
 * A SubmitShares from sender (as party) of s1, packed, with the given
 * deadline; extra: with an unknown field after it.
 */
static uint8_t *
pack_submit(int sender, const char *party, uint32_t length, int extra,
    uint64_t deadline_ms, size_t *len)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest body = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare items[3], *ptrs[3];
	size_t ct_len = sealed_len(length), n;
	uint8_t *ct = malloc(3 * ct_len), *bytes;
	int i;

	assert_non_null(ct);
	for (i = 0; i < 3; i++) {
		securesum__encrypted_share__init(&items[i]);
		items[i].recipient = parties[i];
		fill_ct(ct + i * ct_len, ct_len, sender, i);
		items[i].ciphertext.data = ct + i * ct_len;
		items[i].ciphertext.len = ct_len;
		ptrs[i] = &items[i];
	}
	body.session_id = "s1";
	body.party = (char *)party;
	body.n_shares = 3;
	body.shares = ptrs;
	head(&req, 200 + (uint64_t)sender, SECURESUM__METHOD__SUBMIT_SHARES,
	    SECURESUM__REQUEST__BODY_SUBMIT_SHARES);
	req.deadline_unix_ms = deadline_ms;
	req.submit_shares = &body;
	n = securesum__request__get_packed_size(&req);
	assert_non_null(bytes = malloc(n + 3));
	securesum__request__pack(&req, bytes);
	free(ct);
	if (extra) {
		/* Field 20, varint 1: protobuf-c skips it, the in-place reader declines. */
		bytes[n++] = 0xa0;
		bytes[n++] = 0x01;
		bytes[n++] = 1;
	}
	*len = n;
	return bytes;
}

static Response *
submit(struct rpc_server *srv, int sender, const char *party, uint32_t length,
    int extra, enum how how)
{
	size_t len;
	uint8_t *bytes = pack_submit(sender, party, length, extra, 0, &len);
	Response *resp = call_bytes(srv, parties[sender], bytes, len, how);

	assert_int_equal(last.after, RPC_CONTINUE);
	assert_int_equal(resp->id, 200 + (uint64_t)sender);
	return resp;
}

/* Every party submits its shares to s1 (owned frames), which fixes the cohort. */
static void
share_all(struct rpc_server *srv, uint32_t length)
{
	int i;

	for (i = 0; i < 3; i++)
		expect(submit(srv, i, parties[i], length, 0, OWNED), ST_OK, NULL);
}

/* The value of element j of party's sumpoint in these tests. */
static uint64_t
value_of(int party, size_t j)
{
	return 1000 * (uint64_t)(party + 1) + j;
}

static Response *
post(struct rpc_server *srv, int party, const char *as, uint32_t length,
    enum how how)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	uint64_t *values = calloc(length, sizeof(*values));
	Response *resp;
	size_t j;

	assert_non_null(values);
	for (j = 0; j < length; j++)
		values[j] = value_of(party, j);
	body.session_id = "s1";
	body.party = (char *)as;
	body.n_values = length;
	body.values = values;
	head(&req, 300 + (uint64_t)party, SECURESUM__METHOD__POST_SUMPOINT,
	    SECURESUM__REQUEST__BODY_POST_SUMPOINT);
	req.post_sumpoint = &body;
	resp = call(srv, parties[party], &req, how);
	free(values);
	return resp;
}

static Response *
get_share(struct rpc_server *srv, const char *caller, const char *party)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetShareRequest body = SECURESUM__GET_SHARE_REQUEST__INIT;

	body.session_id = "s1";
	body.party = (char *)party;
	head(&req, 400, SECURESUM__METHOD__GET_SHARE,
	    SECURESUM__REQUEST__BODY_GET_SHARE);
	req.get_share = &body;
	return call(srv, caller, &req, BORROWED);
}

/* A GetStatus of s1 with the given method number, deadline and id. */
static Response *
get_status_as(struct rpc_server *srv, int method, uint64_t deadline_ms,
    uint64_t id)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetStatusRequest body = SECURESUM__GET_STATUS_REQUEST__INIT;

	body.session_id = "s1";
	req.id = id;
	req.method = (Securesum__Method)method;
	req.deadline_unix_ms = deadline_ms;
	req.body_case = SECURESUM__REQUEST__BODY_GET_STATUS;
	req.get_status = &body;
	return call(srv, "alice", &req, BORROWED);
}

static Response *
list_sumpoints(struct rpc_server *srv)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__ListSumpointsRequest body = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;

	body.session_id = "s1";
	head(&req, 500, SECURESUM__METHOD__LIST_SUMPOINTS,
	    SECURESUM__REQUEST__BODY_LIST_SUMPOINTS);
	req.list_sumpoints = &body;
	return call(srv, "carol", &req, BORROWED);
}

static Response *
publish(struct rpc_server *srv, const char *caller, const uint8_t *der, size_t len)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PublishKeyRequest body = SECURESUM__PUBLISH_KEY_REQUEST__INIT;

	body.certificate.data = (uint8_t *)der;
	body.certificate.len = len;
	head(&req, 600, SECURESUM__METHOD__PUBLISH_KEY,
	    SECURESUM__REQUEST__BODY_PUBLISH_KEY);
	req.publish_key = &body;
	return call(srv, caller, &req, BORROWED);
}

/* ---- the methods' happy paths ------------------------------------------- */

static void
test_create_session(void **state)
{
	struct rpc_server *srv = *state;
	Response *r;

	r = create(srv, "alice", "s1", SMALL_L, 60);
	assert_int_equal(r->code, ST_OK);
	assert_int_equal(r->body_case, SECURESUM__RESPONSE__BODY_CREATE_SESSION);
	assert_true(r->create_session->created);
	assert_int_equal(r->create_session->deadline_unix, clock_ms / 1000 + 60);
	expect(r, ST_OK, NULL);
	r = create(srv, "alice", "s1", SMALL_L, 60);
	assert_false(r->create_session->created);
	expect(r, ST_OK, NULL);
	expect(create(srv, "alice", "-s", SMALL_L, 0), ST_INVALID_ARGUMENT,
	    "session_id must be NAME or CREATOR/NAME, each 1-64 characters");
	/* The store's refusal travels with its own code and message. */
	expect(create(srv, "alice", "s1", SMALL_L + 1, 60), ST_ALREADY_EXISTS, NULL);
}

static void
test_get_status(void **state)
{
	struct rpc_server *srv = *state;
	Response *r;

	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	expect(submit(srv, 1, "bob", SMALL_L, 0, BORROWED), ST_OK, NULL);
	r = get_status_as(srv, SECURESUM__METHOD__GET_STATUS, 0, 7);
	assert_int_equal(r->body_case, SECURESUM__RESPONSE__BODY_GET_STATUS);
	assert_int_equal(r->get_status->phase, SECURESUM__PHASE__SHARING);
	assert_string_equal(r->get_status->params->session_id, "alice/s1");
	assert_int_equal(r->get_status->params->n_parties, 3);
	assert_int_equal(r->get_status->n_shared, 1);
	assert_string_equal(r->get_status->shared[0], "bob");
	assert_int_equal(r->get_status->n_missing, 2);
	expect(r, ST_OK, NULL);
}

/* A failed session's reason is the message of an OK GetStatus. */
static void
test_get_status_failed_reason(void **state)
{
	struct rpc_server *srv = *state;
	Response *r;

	expect(create(srv, "alice", "s1", SMALL_L, 10), ST_OK, NULL);
	clock_ms += 11000;
	r = get_status_as(srv, SECURESUM__METHOD__GET_STATUS, 0, 8);
	assert_int_equal(r->get_status->phase, SECURESUM__PHASE__FAILED);
	assert_true(r->message[0] != '\0');
	assert_string_equal(r->message, store_find(srv->store, "alice/s1")->fail_reason);
	expect(r, ST_OK, NULL);
}

static void
test_get_share_and_list(void **state)
{
	struct rpc_server *srv = *state;
	size_t ct_len = sealed_len(SMALL_L), i, j;
	uint8_t want[128];
	Response *r;

	assert_true(ct_len <= sizeof(want));
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	expect(get_share(srv, "bob", "bob"), ST_FAILED_PRECONDITION, "sharing phase");
	share_all(srv, SMALL_L);
	r = get_share(srv, "bob", "bob");
	assert_int_equal(r->code, ST_OK);
	assert_int_equal(r->get_share->n_shares, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(r->get_share->shares[i]->sender, parties[i]);
		fill_ct(want, ct_len, (int)i, 1);
		assert_int_equal(r->get_share->shares[i]->ciphertext.len, ct_len);
		assert_memory_equal(r->get_share->shares[i]->ciphertext.data, want, ct_len);
	}
	assert_int_equal(last.held, 0);   /* short vectors are copied */
	expect(r, ST_OK, NULL);
	expect(post(srv, 2, "carol", SMALL_L, BORROWED), ST_OK, NULL);
	r = list_sumpoints(srv);
	assert_int_equal(r->body_case, SECURESUM__RESPONSE__BODY_LIST_SUMPOINTS);
	assert_int_equal(r->list_sumpoints->n_cohort, 3);
	assert_int_equal(r->list_sumpoints->n_sumpoints, 1);
	assert_string_equal(r->list_sumpoints->sumpoints[0]->party, "carol");
	assert_int_equal(r->list_sumpoints->sumpoints[0]->x, 3);
	assert_int_equal(r->list_sumpoints->sumpoints[0]->n_values, SMALL_L);
	for (j = 0; j < SMALL_L; j++)
		assert_int_equal(r->list_sumpoints->sumpoints[0]->values[j], value_of(2, j));
	expect(r, ST_OK, NULL);
}

/* Long stored vectors go to the held callback, in full and in order. */
static void
test_held_vectors(void **state)
{
	struct rpc_server *srv = *state;
	size_t ct_len = sealed_len(BIG_L), i;
	uint8_t *want = malloc(ct_len);
	Response *r;

	assert_non_null(want);
	expect(create(srv, "alice", "s1", BIG_L, 0), ST_OK, NULL);
	share_all(srv, BIG_L);
	r = get_share(srv, "carol", "carol");
	assert_int_equal(last.held, 3);
	assert_int_equal(r->get_share->n_shares, 3);
	for (i = 0; i < 3; i++) {
		fill_ct(want, ct_len, (int)i, 2);
		assert_memory_equal(r->get_share->shares[i]->ciphertext.data, want, ct_len);
	}
	expect(r, ST_OK, NULL);
	expect(post(srv, 0, "alice", BIG_L, OWNED), ST_OK, NULL);
	expect(post(srv, 1, "bob", BIG_L, OWNED), ST_OK, NULL);
	r = list_sumpoints(srv);
	assert_int_equal(last.held, 2);
	assert_int_equal(r->list_sumpoints->sumpoints[1]->values[BIG_L - 1],
	    value_of(1, BIG_L - 1));
	expect(r, ST_OK, NULL);
	free(want);
}

/*
 * A read whose answer the memory budget cannot hold is refused, naming the
 * answer and the limit, nothing changed; with room, the same request is
 * answered.
 */
static void
test_answer_over_budget(void **state)
{
	struct rpc_server *srv = *state;
	struct budget b;
	Response *r;

	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	share_all(srv, SMALL_L);
	budget_init(&b, srv->store->stored_bytes + 2 * BUDGET_PIECE_COST,
	    &srv->store->stored_bytes);
	srv->store->budget = &b;
	b.used = BUDGET_PIECE_COST + 1;   /* the connections' buffers, say */
	r = get_share(srv, "bob", "bob");
	assert_non_null(strstr(r->message, "the GET_SHARE answer of "));
	assert_non_null(strstr(r->message, "does not fit in the server's "
	    "memory budget (--max-memory "));
	expect(r, ST_RESOURCE_EXHAUSTED, "; try again later");
	b.used = 0;     /* the answers ahead of it sent */
	r = get_share(srv, "bob", "bob");
	assert_int_equal(r->get_share->n_shares, 3);
	expect(r, ST_OK, NULL);
	srv->store->budget = NULL;
}

/* ---- the watch (docs/PROTOCOL.md 7.6.1) ------------------------------ */

/*
 * A GetStatus of sid as caller naming version with watch ms, which the
 * connection may hold or not: RPC_WATCH with nothing written (w says on
 * what), or the answer in *resp.
 */
static enum rpc_after
watch_status_until(struct rpc_server *srv, const char *caller,
    const char *sid, uint64_t version, uint32_t ms, int may_hold,
    uint64_t deadline_ms, const Securesum__GetStatusRequest *until,
    struct rpc_watch *w, Response **resp)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetStatusRequest body = SECURESUM__GET_STATUS_REQUEST__INIT;
	struct sink k = { { sink_append }, NULL, 0, 0, 0 };
	enum rpc_after after;
	uint8_t *bytes;
	size_t len;

	if (until != NULL)
		body = *until;
	body.session_id = (char *)sid;
	body.watch_version = version;
	body.watch_ms = ms;
	head(&req, 900, SECURESUM__METHOD__GET_STATUS,
	    SECURESUM__REQUEST__BODY_GET_STATUS);
	req.deadline_unix_ms = deadline_ms;
	req.get_status = &body;
	len = securesum__request__get_packed_size(&req);
	assert_non_null(bytes = malloc(len));
	securesum__request__pack(&req, bytes);
	memset(w, 0, sizeof(*w));
	w->may_hold = may_hold;
	after = rpc_handle_watch(srv, caller, NULL, bytes, len, NULL, &k.base,
	    sink_held, w);
	free(bytes);
	*resp = NULL;
	if (after == RPC_WATCH)
		assert_int_equal(k.len, 0);
	else
		*resp = read_response(&k);
	free(k.p);
	return after;
}

static enum rpc_after
watch_status(struct rpc_server *srv, const char *caller, const char *sid,
    uint64_t version, uint32_t ms, int may_hold, uint64_t deadline_ms,
    struct rpc_watch *w, Response **resp)
{
	return watch_status_until(srv, caller, sid, version, ms, may_hold,
	    deadline_ms, NULL, w, resp);
}

/* The version of an OK answer, which is freed. */
static uint64_t
version_of(Response *r)
{
	uint64_t v;

	assert_int_equal(r->code, ST_OK);
	assert_non_null(r->get_status);
	v = r->get_status->version;
	securesum__response__free_unpacked(r, NULL);
	return v;
}

/* The changed hook: which session changed last, how often, created or not. */
static struct {
	struct session *se;
	unsigned n, created;
} changed;

static void
on_changed(void *ctx, struct session *se, int created)
{
	(void)ctx;
	changed.se = se;
	changed.n++;
	changed.created += created != 0;
}

static void
test_watch(void **state)
{
	struct rpc_server *srv = *state;
	struct rpc_watch w;
	struct session *se;
	Response *r;
	uint64_t v1, v2;

	srv->epoch = 0x9e3779b9u;
	srv->store->changed = on_changed;
	memset(&changed, 0, sizeof(changed));
	/* A session not created yet is waited for: version 0. */
	assert_int_equal(watch_status(srv, "alice", "s1", 0, 5000, 1, 0, &w,
	    &r), RPC_WATCH);
	assert_null(w.se);
	assert_int_equal(w.ms, 5000);
	assert_int_equal(watch_status(srv, "alice", "s1", 7, 5000, 1, 0, &w,
	    &r), RPC_CONTINUE);
	expect(r, ST_NOT_FOUND, NULL);
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	assert_non_null(se = store_find(srv->store, "alice/s1"));
	assert_ptr_equal(changed.se, se);
	assert_int_equal(changed.created, 1);

	/* The version: the epoch above, the changes below. */
	assert_int_equal(watch_status(srv, "bob", "s1", 0, 0, 1, 0, &w, &r),
	    RPC_CONTINUE);
	v1 = version_of(r);
	assert_true(v1 >> 32 == srv->epoch && (uint32_t)v1 != 0);
	/* Held only when the version named is current and ms > 0. */
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 5000, 1, 0, &w,
	    &r), RPC_WATCH);
	assert_ptr_equal(w.se, se);
	assert_int_equal(w.ms, 5000);
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 600000, 1, 0, &w,
	    &r), RPC_WATCH);
	assert_int_equal(w.ms, RPC_WATCH_MAX_MS);
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 600000, 1,
	    clock_ms + 1234, &w, &r), RPC_WATCH);
	assert_int_equal(w.ms, 1234);
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 0, 1, 0, &w, &r),
	    RPC_CONTINUE);
	assert_true(version_of(r) == v1);
	assert_int_equal(watch_status(srv, "bob", "s1", v1 - 1, 5000, 1, 0, &w,
	    &r), RPC_CONTINUE);
	assert_true(version_of(r) == v1);
	/* The connection may not hold it (its time is up): answered as is. */
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 5000, 0, 0, &w,
	    &r), RPC_CONTINUE);
	assert_true(version_of(r) == v1);
	/*
	 * Not a party: answered as for a missing session (PROTOCOL.md 2.1),
	 * at once, since v1 is not a missing session's version 0.
	 */
	assert_int_equal(watch_status(srv, "mallory", "s1", v1, 5000, 1, 0,
	    &w, &r), RPC_CONTINUE);
	expect(r, ST_NOT_FOUND, "no session s1");

	/* A submission changes it, and the hook is told. */
	changed.n = 0;
	expect(submit(srv, 0, "alice", SMALL_L, 0, OWNED), ST_OK, NULL);
	assert_true(changed.n > 0 && changed.se == se);
	assert_int_equal(watch_status(srv, "bob", "s1", v1, 5000, 1, 0, &w,
	    &r), RPC_CONTINUE);
	v2 = version_of(r);
	assert_true(v2 != v1 && v2 >> 32 == srv->epoch);
	/* A duplicate changes nothing. */
	changed.n = 0;
	expect(submit(srv, 0, "alice", SMALL_L, 0, OWNED), ST_OK, NULL);
	assert_int_equal(changed.n, 0);
	/* A key published by a party of the session changes it too. */
	expect(publish(srv, "bob", g.der[1], g.der_len[1]), ST_OK, NULL);
	assert_true(changed.n > 0 && changed.se == se);
	assert_int_equal(watch_status(srv, "bob", "s1", v2, 5000, 1, 0, &w,
	    &r), RPC_CONTINUE);
	assert_true(version_of(r) != v2);

	/* A server without an epoch does not watch: version 0, never held. */
	srv->epoch = 0;
	assert_int_equal(watch_status(srv, "bob", "s1", 0, 5000, 1, 0, &w, &r),
	    RPC_CONTINUE);
	assert_true(version_of(r) == 0);
	assert_int_equal(watch_status(srv, "bob", "nope", 0, 5000, 1, 0, &w,
	    &r), RPC_CONTINUE);
	expect(r, ST_NOT_FOUND, NULL);
}

/*
 * A watch naming version, waiting until what u says (phase, posted,
 * conflicts): held (1) or answered (0, the answer freed).
 */
static int
held_until(struct rpc_server *srv, uint64_t version, int phase,
    uint32_t posted, uint32_t conflicts, int until)
{
	Securesum__GetStatusRequest u = SECURESUM__GET_STATUS_REQUEST__INIT;
	struct rpc_watch w;
	Response *r;

	u.watch_until = until;
	u.watch_phase = (Securesum__Phase)phase;
	u.watch_posted = posted;
	u.watch_conflicts = conflicts;
	if (watch_status_until(srv, "bob", "s1", version, 5000, 1, 0, &u, &w,
	    &r) == RPC_WATCH)
		return 1;
	(void)version_of(r);
	return 0;
}

/*
 * watch_until (docs/PROTOCOL.md 7.6.1): held across changes that leave
 * the session short of what it names, answered once it is not; a version
 * of another boot epoch is answered at once.
 */
static void
test_watch_until(void **state)
{
	struct rpc_server *srv = *state;
	const int sh = SECURESUM__PHASE__SHARING;
	const int ag = SECURESUM__PHASE__AGGREGATING;
	struct rpc_watch w;
	Response *r;
	uint64_t v1, other;

	srv->epoch = 0x9e3779b9u;
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	assert_int_equal(watch_status(srv, "bob", "s1", 0, 0, 1, 0, &w, &r),
	    RPC_CONTINUE);
	v1 = version_of(r);
	other = (uint64_t)(srv->epoch + 1) << 32 | (uint32_t)v1;
	/* A submission changes the version; the phase stays SHARING. */
	expect(submit(srv, 0, "alice", SMALL_L, 0, OWNED), ST_OK, NULL);
	assert_int_equal(held_until(srv, v1, sh, 0, 0, 0), 0);
	assert_int_equal(held_until(srv, v1, sh, 0, 0, 1), 1);
	assert_int_equal(held_until(srv, v1, ag, 0, 0, 1), 0);
	assert_int_equal(held_until(srv, v1, sh, 0, 1, 1), 0);
	assert_int_equal(held_until(srv, other, sh, 0, 0, 1), 0);
	/* The last submission fixes the cohort: SHARING is over. */
	expect(submit(srv, 1, "bob", SMALL_L, 0, OWNED), ST_OK, NULL);
	expect(submit(srv, 2, "carol", SMALL_L, 0, OWNED), ST_OK, NULL);
	assert_int_equal(held_until(srv, v1, sh, 0, 0, 1), 0);
	assert_int_equal(held_until(srv, v1, ag, 0, 0, 1), 1);
	/* Sumpoints: held while fewer than asked for are in. */
	expect(post(srv, 0, "alice", SMALL_L, OWNED), ST_OK, NULL);
	assert_int_equal(held_until(srv, v1, ag, 2, 0, 1), 1);
	assert_int_equal(held_until(srv, v1, ag, 1, 0, 1), 0);
	expect(post(srv, 1, "bob", SMALL_L, OWNED), ST_OK, NULL);
	assert_int_equal(held_until(srv, v1, ag, 2, 0, 1), 0);
	assert_int_equal(held_until(srv, v1, ag, 3, 0, 1), 1);
}

static void
test_keys(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetKeysRequest body = SECURESUM__GET_KEYS_REQUEST__INIT;
	Response *r;

	r = publish(srv, "alice", g.der[0], g.der_len[0]);
	assert_false(r->publish_key->duplicate);
	expect(r, ST_OK, NULL);
	r = publish(srv, "alice", g.der[0], g.der_len[0]);
	assert_true(r->publish_key->duplicate);
	expect(r, ST_OK, NULL);
	expect(publish(srv, "alice", g.der[0], 0), ST_INVALID_ARGUMENT, "certificate must be");
	body.n_parties = 2;
	body.parties = parties;
	head(&req, 700, SECURESUM__METHOD__GET_KEYS,
	    SECURESUM__REQUEST__BODY_GET_KEYS);
	req.get_keys = &body;
	r = call(srv, "carol", &req, BORROWED);
	assert_int_equal(r->get_keys->n_keys, 1);   /* bob published nothing */
	assert_string_equal(r->get_keys->keys[0]->party, "alice");
	assert_int_equal(r->get_keys->keys[0]->certificate.len, g.der_len[0]);
	assert_memory_equal(r->get_keys->keys[0]->certificate.data, g.der[0], g.der_len[0]);
	expect(r, ST_OK, NULL);
}

/*
 * A GetKeys frame of n names of k (0 or 1) letters: 4 bytes of Request
 * head, then field 17 holding (2 + k)n bytes (tag 10, length k, "a").
 */
static uint8_t *
names_frame(size_t n, size_t k, size_t *len)
{
	size_t body = (2 + k) * n, off = 0;
	uint8_t *p = malloc(16 + body);

	assert_non_null(p);
	p[off++] = 0x08;        /* id = 9 */
	p[off++] = 9;
	p[off++] = 0x10;        /* method = GET_KEYS */
	p[off++] = (uint8_t)SECURESUM__METHOD__GET_KEYS;
	p[off++] = 0x8a;        /* field 17, length-delimited */
	p[off++] = 0x01;
	while (body >= 0x80) {
		p[off++] = (uint8_t)(body | 0x80);
		body >>= 7;
	}
	p[off++] = (uint8_t)body;
	for (body = 0; body < n; body++) {
		p[off++] = 0x0a;
		p[off++] = (uint8_t)k;
		if (k == 1)
			p[off++] = 'a';
	}
	*len = off;
	return p;
}

/*
 * What decoding a request allocates is metered: a frame of tiny repeated
 * elements (2 million empty names, 4 MB) that would unpack into some 160 MB
 * is refused, closing the connection; a request of --max-parties
 * one-letter names still decodes, and so does one of 20,000 empty names
 * (1.6 MB unpacked, within the bound).
 */
static void
test_decode_metered(void **state)
{
	struct rpc_server *srv = *state;
	uint8_t *bytes;
	size_t len;
	Response *r;

	bytes = names_frame(2000000, 0, &len);
	r = call_bytes(srv, "carol", bytes, len, BORROWED);
	assert_int_equal(last.after, RPC_CLOSE);
	assert_int_equal(r->id, 0);
	expect(r, ST_RESOURCE_EXHAUSTED, "would take more than");
	bytes = names_frame(20000, 0, &len);
	r = call_bytes(srv, "carol", bytes, len, BORROWED);
	assert_int_equal(last.after, RPC_CONTINUE);
	expect(r, ST_INVALID_ARGUMENT, NULL);   /* empty names break the rule */
	bytes = names_frame(srv->store->lim.max_parties, 1, &len);
	r = call_bytes(srv, "carol", bytes, len, BORROWED);
	assert_int_equal(last.after, RPC_CONTINUE);
	assert_int_not_equal(r->code, ST_RESOURCE_EXHAUSTED);
	securesum__response__free_unpacked(r, NULL);
}

/* ---- DeleteSession and ListSessions --------------------------------------- */

static Response *
delete_session(struct rpc_server *srv, const char *caller, const char *sid)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__DeleteSessionRequest body =
	    SECURESUM__DELETE_SESSION_REQUEST__INIT;

	body.session_id = (char *)sid;
	head(&req, 31, SECURESUM__METHOD__DELETE_SESSION,
	    SECURESUM__REQUEST__BODY_DELETE_SESSION);
	req.delete_session = &body;
	return call(srv, caller, &req, BORROWED);
}

static Response *
list_sessions(struct rpc_server *srv, const char *caller, uint32_t offset)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__ListSessionsRequest body =
	    SECURESUM__LIST_SESSIONS_REQUEST__INIT;

	body.offset = offset;
	head(&req, 32, SECURESUM__METHOD__LIST_SESSIONS,
	    SECURESUM__REQUEST__BODY_LIST_SESSIONS);
	req.list_sessions = &body;
	return call(srv, caller, &req, BORROWED);
}

static void
test_delete_and_list(void **state)
{
	struct rpc_server *srv = *state;
	Securesum__SessionSummary *ss;
	Response *r;

	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	expect(create(srv, "bob", "s2", SMALL_L, 0), ST_OK, NULL);
	expect(submit(srv, 1, "bob", SMALL_L, 0, BORROWED), ST_OK, NULL);
	r = list_sessions(srv, "carol", 0);
	assert_int_equal(r->body_case, SECURESUM__RESPONSE__BODY_LIST_SESSIONS);
	assert_int_equal(r->list_sessions->n_sessions, 2);
	assert_int_equal(r->list_sessions->next_offset, 0);
	ss = r->list_sessions->sessions[0];
	assert_string_equal(ss->session_id, "alice/s1");
	assert_string_equal(ss->creator, "alice");
	assert_int_equal(ss->phase, SECURESUM__PHASE__SHARING);
	assert_int_equal(ss->created_unix, clock_ms / 1000);
	assert_int_equal(ss->age_seconds, 0);
	assert_int_equal(ss->parties, 3);
	assert_int_equal(ss->expires_unix,
	    clock_ms / 1000 + STORE_DEFAULT_SESSION_TTL);
	assert_string_equal(r->list_sessions->sessions[1]->creator, "bob");
	expect(r, ST_OK, NULL);
	r = list_sessions(srv, "carol", 1);
	assert_int_equal(r->list_sessions->n_sessions, 1);
	assert_string_equal(r->list_sessions->sessions[0]->session_id, "bob/s2");
	expect(r, ST_OK, NULL);
	r = list_sessions(srv, "dave", 0);
	assert_int_equal(r->list_sessions->n_sessions, 0);
	expect(r, ST_OK, NULL);
	/* An outsider: the very answer of a missing session. */
	expect(delete_session(srv, "dave", "s1"), ST_NOT_FOUND, "no session s1");
	expect(delete_session(srv, "alice", "nosuch"), ST_NOT_FOUND,
	    "no session nosuch");
	expect(delete_session(srv, "alice", ".x"), ST_INVALID_ARGUMENT,
	    "session_id must be");
	expect(delete_session(srv, "bob", "s1"), ST_FAILED_PRECONDITION,
	    "only its creator may delete it");
	r = delete_session(srv, "alice", "s1");
	assert_int_equal(r->body_case, SECURESUM__RESPONSE__BODY_DELETE_SESSION);
	/* bob's three sealed shares of SMALL_L values went with it. */
	assert_int_equal(r->delete_session->released_bytes,
	    3 * sealed_len(SMALL_L));
	expect(r, ST_OK, NULL);
	expect(get_status_as(srv, SECURESUM__METHOD__GET_STATUS, 0, 33),
	    ST_NOT_FOUND, "no session s1");
	r = list_sessions(srv, "alice", 0);
	assert_int_equal(r->list_sessions->n_sessions, 1);
	assert_string_equal(r->list_sessions->sessions[0]->session_id, "bob/s2");
	expect(r, ST_OK, NULL);
}

/* ---- requests refused before their method runs --------------------------- */

static void
test_unknown_method(void **state)
{
	struct rpc_server *srv = *state;

	expect(get_status_as(srv, 0, 0, 11), ST_INVALID_ARGUMENT, "unknown method 0");
	expect(get_status_as(srv, 99, 0, 12), ST_INVALID_ARGUMENT, "unknown method 99");
	/* As docs/PROTOCOL.md says: a negative method matches no body. */
	expect(get_status_as(srv, -1, 0, 13), ST_INVALID_ARGUMENT,
	    "the request body does not match method -1");
}

static void
test_wrong_body(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;

	expect(get_status_as(srv, SECURESUM__METHOD__GET_SHARE, 0, 21),
	    ST_INVALID_ARGUMENT, "the request body does not match method 3");
	req.id = 22;
	req.method = SECURESUM__METHOD__CREATE_SESSION;
	expect(call(srv, "alice", &req, OWNED), ST_INVALID_ARGUMENT,
	    "the request body does not match method 1");
	assert_false(last.kept);
}

/* Bytes that are no Request: answered with id 0, and the connection closes. */
static void
test_not_a_request(void **state)
{
	struct rpc_server *srv = *state;
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01 };
	enum how how;
	Response *r;
	uint8_t *bytes;

	for (how = BORROWED; how <= OWNED; how++) {
		assert_non_null(bytes = malloc(sizeof(junk)));
		memcpy(bytes, junk, sizeof(junk));
		r = call_bytes(srv, "alice", bytes, sizeof(junk), how);
		assert_int_equal(last.after, RPC_CLOSE);
		assert_false(last.kept);
		assert_int_equal(r->id, 0);
		expect(r, ST_INVALID_ARGUMENT, "not a valid Request");
	}
}

static void
test_deadline_passed(void **state)
{
	struct rpc_server *srv = *state;
	size_t len;
	uint8_t *bytes;
	Response *r;

	expect(get_status_as(srv, SECURESUM__METHOD__GET_STATUS, clock_ms - 1, 31),
	    ST_DEADLINE_EXCEEDED, "deadline passed");
	/* Not passed: the request goes on to the store. */
	expect(get_status_as(srv, SECURESUM__METHOD__GET_STATUS, clock_ms, 32),
	    ST_NOT_FOUND, "no session s1");
	/* A SubmitShares read in place has its deadline checked too. */
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	bytes = pack_submit(0, "alice", SMALL_L, 0, clock_ms - 1, &len);
	r = call_bytes(srv, "alice", bytes, len, OWNED);
	assert_int_equal(r->id, 200);
	assert_false(last.kept);
	expect(r, ST_DEADLINE_EXCEEDED, NULL);
}

/* ---- identity: a request may act only for its caller ---------------------- */

static void
test_identity_mismatch(void **state)
{
	struct rpc_server *srv = *state;

	expect(create(srv, "dave", "s0", SMALL_L, 0), ST_PERMISSION_DENIED, NULL);
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	expect(submit(srv, 0, "bob", SMALL_L, 0, OWNED), ST_PERMISSION_DENIED,
	    "alice may not act for party bob");
	expect(submit(srv, 0, "bob", SMALL_L, 0, BORROWED), ST_PERMISSION_DENIED,
	    "alice may not act for party bob");
	expect(submit(srv, 0, "bob", SMALL_L, 1, OWNED), ST_PERMISSION_DENIED,
	    "alice may not act for party bob");
	expect(get_share(srv, "alice", "bob"), ST_PERMISSION_DENIED, NULL);
	share_all(srv, SMALL_L);
	expect(post(srv, 0, "bob", SMALL_L, OWNED), ST_PERMISSION_DENIED,
	    "alice may not act for party bob");
	expect(post(srv, 0, "bob", SMALL_L, BORROWED), ST_PERMISSION_DENIED, NULL);
	/* bob's encryption certificate, published by alice. */
	expect(publish(srv, "alice", g.der[1], g.der_len[1]), ST_PERMISSION_DENIED,
	    "issued by the project CA to alice");
}

/* ---- the in-place paths: the store may keep the frame --------------------- */

static void
test_submit_in_place(void **state)
{
	struct rpc_server *srv = *state;
	size_t ct_len = sealed_len(SMALL_L);
	struct session *se;
	uint8_t want[3 * 128];
	Response *r;
	int i;

	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	r = submit(srv, 0, "alice", SMALL_L, 0, OWNED);
	assert_true(last.kept);
	assert_false(r->submit_shares->duplicate);
	expect(r, ST_OK, NULL);
	/* The shares lie in recipient order in the block the frame became. */
	assert_non_null(se = store_find(srv->store, "alice/s1"));
	for (i = 0; i < 3; i++)
		fill_ct(want + (size_t)i * ct_len, ct_len, 0, i);
	assert_memory_equal(se->shares[0], want, 3 * ct_len);
	/* The same again: a duplicate; the store took the frame and let it go. */
	r = submit(srv, 0, "alice", SMALL_L, 0, OWNED);
	assert_true(last.kept);
	assert_true(r->submit_shares->duplicate);
	expect(r, ST_OK, NULL);
	/* A borrowed frame is read in place too, and copied. */
	expect(submit(srv, 1, "bob", SMALL_L, 0, BORROWED), ST_OK, NULL);
	/* Not plainly encoded: protobuf-c decodes it, the frame stays ours. */
	r = submit(srv, 2, "carol", SMALL_L, 1, OWNED);
	assert_false(last.kept);
	expect(r, ST_OK, NULL);
	for (i = 0; i < 3; i++)
		fill_ct(want + (size_t)i * ct_len, ct_len, 2, i);
	assert_memory_equal(se->shares[2], want, 3 * ct_len);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
}

static void
test_post_sumpoint_in_place(void **state)
{
	struct rpc_server *srv = *state;
	struct session *se;
	Response *r;
	size_t j;

	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	share_all(srv, SMALL_L);
	r = post(srv, 0, "alice", SMALL_L, OWNED);
	assert_true(last.kept);
	assert_false(r->post_sumpoint->duplicate);
	expect(r, ST_OK, NULL);
	assert_non_null(se = store_find(srv->store, "alice/s1"));
	for (j = 0; j < SMALL_L; j++)
		assert_int_equal(se->sumpoints[0][j], value_of(0, j));
	/* A duplicate is compared, not kept. */
	r = post(srv, 0, "alice", SMALL_L, OWNED);
	assert_false(last.kept);
	assert_true(r->post_sumpoint->duplicate);
	expect(r, ST_OK, NULL);
	/* A borrowed frame cannot be changed: protobuf-c decodes it. */
	expect(post(srv, 1, "bob", SMALL_L, BORROWED), ST_OK, NULL);
	for (j = 0; j < SMALL_L; j++)
		assert_int_equal(se->sumpoints[1][j], value_of(1, j));
	/* A wrong length is refused whichever way it came. */
	expect(post(srv, 2, "carol", SMALL_L - 1, OWNED), ST_INVALID_ARGUMENT,
	    "a sumpoint has 3 values");
	assert_false(last.kept);
	expect(post(srv, 2, "carol", SMALL_L, OWNED), ST_OK, NULL);
	assert_int_equal(se->phase, PHASE_COMPLETE);
}

/* ---- version 2 ----------------------------------------------------------- */

#define V2_NOW (1700000000ull)  /* clock_ms / 1000 at a test's start */

/* The request's statement message pointing into st (NULL: none). */
static Securesum__Statement *
stmt_msg(Securesum__Statement *m, const struct signed_stmt *st)
{
	if (st == NULL)
		return NULL;
	securesum__statement__init(m);
	m->body.data = st->body;
	m->body.len = st->len;
	m->signature.data = (uint8_t *)st->sig;
	m->signature.len = st->sig_len;
	return m;
}

/* Set: call_v2 calls without the certificate (as rpc_handle does). */
static int hide_cert;

/* Packs req and calls as party who, with who's TLS certificate. */
static Response *
call_v2(struct rpc_server *srv, int who, const Request *req, enum how how)
{
	Response *r;

	caller_cert = hide_cert ? NULL : sg[who].cert;
	r = call(srv, parties[who], req, how);
	caller_cert = NULL;
	return r;
}

/*
 * A version-2 session sid of alice, bob, carol (t = 1, L = SMALL_L), as
 * alice/sid, which alice creates.
 */
static Response *
create_v2(struct rpc_server *srv, const char *sid, uint32_t min_cohort,
    uint64_t deadline, uint8_t nonce)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest body = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	uint8_t n[PARAMS_NONCE_LEN];
	char id[2 * NAME_BUF];

	memset(n, nonce, sizeof(n));
	snprintf(id, sizeof(id), "alice/%.64s", sid);
	p.session_id = id;
	p.n_parties = 3;
	p.parties = parties;
	p.threshold = 1;
	p.length = SMALL_L;
	p.min_cohort = min_cohort;
	p.deadline_unix = deadline;
	p.nonce.data = n;
	p.nonce.len = sizeof(n);
	body.params = &p;
	head(&req, 102, SECURESUM__METHOD__CREATE_SESSION,
	    SECURESUM__REQUEST__BODY_CREATE_SESSION);
	req.create_session = &body;
	return call_v2(srv, 0, &req, BORROWED);
}

/* who's ciphertexts (fill) in recipient order: the block its SUBMIT names. */
static void
block_of(uint8_t fill, uint8_t *block)
{
	size_t ct_len = sealed_len(SMALL_L);
	int j;

	for (j = 0; j < 3; j++)
		memset(block + j * ct_len, fill + j, ct_len);
}

/* alice/sid, which create_v2 made. */
static struct session *
session_of(struct rpc_server *srv, const char *sid)
{
	char id[2 * NAME_BUF];
	struct session *se;

	snprintf(id, sizeof(id), "alice/%.64s", sid);
	se = store_find(srv->store, id);

	assert_non_null(se);
	return se;
}

/* signer's SUBMIT, as position pos, for the block of fill in sid. */
static void
make_submit(struct rpc_server *srv, const char *sid, int signer, uint32_t pos,
    uint8_t fill, struct signed_stmt *out)
{
	uint8_t block[3 * 128];

	block_of(fill, block);
	signers_submit(&sg[signer], session_of(srv, sid)->digest, pos, 3, block,
	    sealed_len(SMALL_L), out);
}

/* who's SubmitShares of the block of fill to sid, with st (NULL: none). */
static Response *
submit_v2(struct rpc_server *srv, const char *sid, int who, uint8_t fill,
    const struct signed_stmt *st, enum how how)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest body = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare items[3], *ptrs[3];
	Securesum__Statement m;
	size_t ct_len = sealed_len(SMALL_L);
	uint8_t block[3 * 128];
	int i;

	block_of(fill, block);
	for (i = 0; i < 3; i++) {
		securesum__encrypted_share__init(&items[i]);
		items[i].recipient = parties[i];
		items[i].ciphertext.data = block + i * ct_len;
		items[i].ciphertext.len = ct_len;
		ptrs[i] = &items[i];
	}
	body.session_id = (char *)sid;
	body.party = parties[who];
	body.n_shares = 3;
	body.shares = ptrs;
	body.submit = stmt_msg(&m, st);
	head(&req, 210, SECURESUM__METHOD__SUBMIT_SHARES,
	    SECURESUM__REQUEST__BODY_SUBMIT_SHARES);
	req.submit_shares = &body;
	return call_v2(srv, who, &req, how);
}

/* who shares (fill 0x10 * (who + 1)) with its own good SUBMIT. */
static void
share_v2(struct rpc_server *srv, const char *sid, int who, enum how how)
{
	struct signed_stmt st;
	uint8_t fill = (uint8_t)(0x10 * (who + 1));

	make_submit(srv, sid, who, (uint32_t)who + 1, fill, &st);
	expect(submit_v2(srv, sid, who, fill, &st, how), ST_OK, NULL);
	signed_stmt_free(&st);
}

static Response *
post_cohort(struct rpc_server *srv, const char *sid, int who,
    const struct signed_stmt *st)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostCohortRequest body = SECURESUM__POST_COHORT_REQUEST__INIT;
	Securesum__Statement m;

	body.session_id = (char *)sid;
	body.party = parties[who];
	body.cohort = stmt_msg(&m, st);
	head(&req, 800, SECURESUM__METHOD__POST_COHORT,
	    SECURESUM__REQUEST__BODY_POST_COHORT);
	req.post_cohort = &body;
	return call_v2(srv, who, &req, BORROWED);
}

/* signer's COHORT on bitmap naming submits (NULL: the session's). */
static void
make_cohort(struct rpc_server *srv, const char *sid, int signer,
    uint8_t bitmap, const uint8_t *submits, struct signed_stmt *out)
{
	uint8_t own[STATEMENT_HASH_LEN], cdig[STATEMENT_HASH_LEN];
	struct session *se = session_of(srv, sid);

	if (submits == NULL) {
		signers_cohort_digests(se, own, cdig);
		submits = own;
	}
	signers_cohort(&sg[signer], se->digest, 3, &bitmap, submits, out);
}

/* signer's SUMPOINT for position pos over values (L of them). */
static void
make_sumpoint(struct rpc_server *srv, const char *sid, int signer,
    uint32_t pos, const uint64_t *values, uint32_t L, struct signed_stmt *out)
{
	uint8_t submits[STATEMENT_HASH_LEN], cdig[STATEMENT_HASH_LEN];
	struct session *se = session_of(srv, sid);

	signers_cohort_digests(se, submits, cdig);
	signers_sumpoint(&sg[signer], se->digest, cdig, pos, values, L, out);
}

static Response *
post_v2(struct rpc_server *srv, const char *sid, int who,
    const uint64_t *values, const struct signed_stmt *st, enum how how)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	Securesum__Statement m;

	body.session_id = (char *)sid;
	body.party = parties[who];
	body.n_values = SMALL_L;
	body.values = (uint64_t *)values;
	body.statement = stmt_msg(&m, st);
	head(&req, 310, SECURESUM__METHOD__POST_SUMPOINT,
	    SECURESUM__REQUEST__BODY_POST_SUMPOINT);
	req.post_sumpoint = &body;
	return call_v2(srv, who, &req, how);
}

/* A read of sid (GetStatus, GetCohort, ListSumpoints, GetShare) as who. */
static Response *
read_v2(struct rpc_server *srv, int method, const char *sid, int who)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetStatusRequest status = SECURESUM__GET_STATUS_REQUEST__INIT;
	Securesum__GetCohortRequest cohort = SECURESUM__GET_COHORT_REQUEST__INIT;
	Securesum__ListSumpointsRequest list = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;
	Securesum__GetShareRequest share = SECURESUM__GET_SHARE_REQUEST__INIT;

	status.session_id = cohort.session_id = list.session_id = (char *)sid;
	share.session_id = (char *)sid;
	share.party = parties[who];
	head(&req, 900, method, method + 9);
	req.get_status = &status;
	req.get_cohort = &cohort;
	req.list_sumpoints = &list;
	req.get_share = &share;
	return call_v2(srv, who, &req, BORROWED);
}

/* The values party who posts in these tests. */
static void
values_of(int who, uint64_t *v)
{
	size_t j;

	for (j = 0; j < SMALL_L; j++)
		v[j] = value_of(who, j);
}

static int
same_body(const Securesum__Statement *m, const struct held_statement *h)
{
	return m != NULL && h != NULL && h->body != NULL && m->body.len == h->len &&
	    memcmp(m->body.data, h->body, h->len) == 0 &&
	    m->signature.len == h->sig_len &&
	    memcmp(m->signature.data, h->sig, h->sig_len) == 0;
}

/*
 * A version-2 create: D in the answer, the parameters reported back with
 * min_cohort, deadline_unix and the nonce; idempotent with the same nonce
 * only; a nonce of another length, or deadline_seconds beside it, refused.
 */
static void
test_v2_create(void **state)
{
	struct rpc_server *srv = *state;
	struct session *se;
	Response *r;

	r = create_v2(srv, "s2", 2, V2_NOW + 600, 7);
	assert_true(r->create_session->created);
	se = session_of(srv, "s2");
	assert_int_equal(r->create_session->digest.len, PARAMS_DIGEST_LEN);
	assert_memory_equal(r->create_session->digest.data, se->digest,
	    PARAMS_DIGEST_LEN);
	assert_int_equal(r->create_session->deadline_unix, V2_NOW + 600);
	expect(r, ST_OK, NULL);
	r = create_v2(srv, "s2", 2, V2_NOW + 600, 7);
	assert_false(r->create_session->created);
	assert_memory_equal(r->create_session->digest.data, se->digest,
	    PARAMS_DIGEST_LEN);
	expect(r, ST_OK, NULL);
	expect(create_v2(srv, "s2", 2, V2_NOW + 600, 8), ST_ALREADY_EXISTS,
	    "different parameters");
	expect(create_v2(srv, "s3", 1, 0, 7), ST_INVALID_ARGUMENT,
	    "min_cohort must be between");
	expect(create_v2(srv, "s3", 2, V2_NOW - 1, 7), ST_INVALID_ARGUMENT,
	    "must lie ahead");
	r = read_v2(srv, SECURESUM__METHOD__GET_STATUS, "s2", 1);
	assert_int_equal(r->get_status->params->min_cohort, 2);
	assert_int_equal(r->get_status->params->deadline_unix, V2_NOW + 600);
	assert_int_equal(r->get_status->params->deadline_seconds, 0);
	assert_int_equal(r->get_status->params->nonce.len, PARAMS_NONCE_LEN);
	assert_int_equal(r->get_status->params->nonce.data[15], 7);
	assert_memory_equal(r->get_status->digest.data, se->digest,
	    PARAMS_DIGEST_LEN);
	assert_int_equal(r->get_status->n_conflicts, 0);
	expect(r, ST_OK, NULL);
	/* A version-1 session reports no digest and no nonce. */
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	r = get_status_as(srv, SECURESUM__METHOD__GET_STATUS, 0, 9);
	assert_int_equal(r->get_status->digest.len, 0);
	assert_int_equal(r->get_status->params->nonce.len, 0);
	expect(r, ST_OK, NULL);
}

/* A nonce of the wrong length, and deadline_seconds beside a nonce. */
static void
test_v2_create_refusals(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest body = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;
	uint8_t n[17] = { 0 };

	p.session_id = "alice/s2";
	p.n_parties = 3;
	p.parties = parties;
	p.threshold = 1;
	p.length = SMALL_L;
	p.min_cohort = 3;
	p.nonce.data = n;
	p.nonce.len = 15;
	body.params = &p;
	head(&req, 103, SECURESUM__METHOD__CREATE_SESSION,
	    SECURESUM__REQUEST__BODY_CREATE_SESSION);
	req.create_session = &body;
	expect(call(srv, "alice", &req, BORROWED), ST_INVALID_ARGUMENT,
	    "nonce must be 16 bytes, got 15");
	p.nonce.len = 17;
	expect(call(srv, "alice", &req, BORROWED), ST_INVALID_ARGUMENT,
	    "nonce must be 16 bytes, got 17");
	p.nonce.len = 16;
	p.deadline_seconds = 60;
	expect(call(srv, "alice", &req, BORROWED), ST_INVALID_ARGUMENT,
	    "not deadline_seconds");
	p.nonce.len = 0;
	p.deadline_seconds = 0;
	expect(call(srv, "alice", &req, BORROWED), ST_INVALID_ARGUMENT,
	    "need a nonce");
}

/*
 * A whole version-2 session: the keys with their signing certificates,
 * every SUBMIT relayed with its shares, every member's COHORT in GetCohort,
 * GetStatus's signers and ListSumpoints, every SUMPOINT with its sumpoint;
 * retries are duplicates. Requests go both ways: read in place and decoded.
 */
static void
test_v2_session(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetKeysRequest keys = SECURESUM__GET_KEYS_REQUEST__INIT;
	Securesum__PublishKeyRequest pub = SECURESUM__PUBLISH_KEY_REQUEST__INIT;
	struct signed_stmt st[3];
	uint64_t v[SMALL_L];
	struct session *se;
	Response *r;
	int i;

	expect(create_v2(srv, "s2", 3, 0, 1), ST_OK, NULL);
	se = session_of(srv, "s2");
	/* PublishKey over each party's connection records its certificate. */
	for (i = 0; i < 3; i++) {
		pub.certificate.data = sg[i].enc_der;
		pub.certificate.len = sg[i].enc_len;
		head(&req, 600, SECURESUM__METHOD__PUBLISH_KEY,
		    SECURESUM__REQUEST__BODY_PUBLISH_KEY);
		req.publish_key = &pub;
		expect(call_v2(srv, i, &req, BORROWED), ST_OK, NULL);
	}
	keys.n_parties = 3;
	keys.parties = parties;
	head(&req, 700, SECURESUM__METHOD__GET_KEYS,
	    SECURESUM__REQUEST__BODY_GET_KEYS);
	req.get_keys = &keys;
	r = call_v2(srv, 2, &req, BORROWED);
	assert_int_equal(r->get_keys->n_keys, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r->get_keys->keys[i]->signing_certificate.len,
		    sg[i].der_len);
		assert_memory_equal(r->get_keys->keys[i]->signing_certificate.data,
		    sg[i].der, sg[i].der_len);
	}
	expect(r, ST_OK, NULL);
	share_v2(srv, "s2", 0, OWNED);
	assert_true(last.kept);         /* read in place, statement and all */
	share_v2(srv, "s2", 1, BORROWED);
	/* A retry of the same shares and statement: a duplicate. */
	make_submit(srv, "s2", 0, 1, 0x10, &st[0]);
	r = submit_v2(srv, "s2", 0, 0x10, &st[0], OWNED);
	assert_true(r->submit_shares->duplicate);
	expect(r, ST_OK, NULL);
	signed_stmt_free(&st[0]);
	share_v2(srv, "s2", 2, OWNED);
	assert_int_equal(se->phase, PHASE_AGGREGATING);
	r = read_v2(srv, SECURESUM__METHOD__GET_SHARE, "s2", 1);
	assert_int_equal(r->get_share->n_shares, 3);
	for (i = 0; i < 3; i++)
		assert_true(same_body(r->get_share->shares[i]->submit,
		    session_statement(se, (uint32_t)i, STATEMENT_SUBMIT, 0)));
	expect(r, ST_OK, NULL);
	for (i = 0; i < 3; i++) {
		make_cohort(srv, "s2", i, 0x07, NULL, &st[i]);
		expect(post_cohort(srv, "s2", i, &st[i]), ST_OK, NULL);
	}
	r = post_cohort(srv, "s2", 1, &st[1]);
	assert_true(r->post_cohort->duplicate);
	expect(r, ST_OK, NULL);
	r = read_v2(srv, SECURESUM__METHOD__GET_COHORT, "s2", 2);
	assert_int_equal(r->get_cohort->n_cohort, 3);
	assert_int_equal(r->get_cohort->n_signatures, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(r->get_cohort->signatures[i]->party, parties[i]);
		assert_true(same_body(r->get_cohort->signatures[i]->cohort,
		    session_statement(se, (uint32_t)i, STATEMENT_COHORT, 0)));
		signed_stmt_free(&st[i]);
	}
	expect(r, ST_OK, NULL);
	r = read_v2(srv, SECURESUM__METHOD__GET_STATUS, "s2", 0);
	assert_int_equal(r->get_status->n_signers, 3);
	expect(r, ST_OK, NULL);
	for (i = 0; i < 3; i++) {
		values_of(i, v);
		make_sumpoint(srv, "s2", i, (uint32_t)i + 1, v, SMALL_L, &st[i]);
		r = post_v2(srv, "s2", i, v, &st[i], i == 1 ? BORROWED : OWNED);
		assert_int_equal(last.kept, i != 1);
		expect(r, ST_OK, NULL);
	}
	r = post_v2(srv, "s2", 2, v, &st[2], OWNED);
	assert_true(r->post_sumpoint->duplicate);
	expect(r, ST_OK, NULL);
	assert_int_equal(se->phase, PHASE_COMPLETE);
	r = read_v2(srv, SECURESUM__METHOD__LIST_SUMPOINTS, "s2", 1);
	assert_int_equal(r->list_sumpoints->n_sumpoints, 3);
	assert_int_equal(r->list_sumpoints->n_cohort_signatures, 3);
	assert_int_equal(r->list_sumpoints->params->min_cohort, 3);
	for (i = 0; i < 3; i++) {
		assert_true(same_body(r->list_sumpoints->sumpoints[i]->statement,
		    session_statement(se, (uint32_t)i, STATEMENT_SUMPOINT, 0)));
		assert_int_equal(r->list_sumpoints->sumpoints[i]->values[0],
		    value_of(i, 0));
		signed_stmt_free(&st[i]);
	}
	expect(r, ST_OK, NULL);
}

/*
 * Every refusal of a SUBMIT, each with its code and reason: none in a
 * version-2 session, one in a version-1 session, a caller whose
 * certificate is unknown, someone else's, another session's, a bad
 * signature, another type, another position, digests that are not the
 * ciphertexts', bytes that are no statement, an oversized signature.
 */
static void
test_v2_submit_refusals(void **state)
{
	struct rpc_server *srv = *state;
	struct signed_stmt st, other;

	expect(create_v2(srv, "s2", 3, 0, 1), ST_OK, NULL);
	expect(create_v2(srv, "s3", 3, 0, 2), ST_OK, NULL);
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	expect(submit_v2(srv, "s2", 0, 0x10, NULL, OWNED), ST_INVALID_ARGUMENT,
	    "must carry the caller's signed SUBMIT");
	make_submit(srv, "s2", 0, 1, 0x10, &st);
	expect(submit_v2(srv, "s1", 0, 0x10, &st, BORROWED), ST_INVALID_ARGUMENT,
	    "version 1");
	/* Without the certificate (rpc_handle), no statement can be checked. */
	expect(submit(srv, 0, "alice", SMALL_L, 0, OWNED), ST_OK, NULL);
	hide_cert = 1;
	expect(submit_v2(srv, "s2", 0, 0x10, &st, BORROWED), ST_UNAUTHENTICATED,
	    "TLS certificate is not known");
	hide_cert = 0;
	/* alice's statement sent by bob, over bob's connection. */
	expect(submit_v2(srv, "s2", 1, 0x10, &st, BORROWED),
	    ST_PERMISSION_DENIED, "another signer than the caller");
	/* For s3's digest, sent to s2. */
	make_submit(srv, "s3", 0, 1, 0x10, &other);
	expect(submit_v2(srv, "s2", 0, 0x10, &other, OWNED), ST_INVALID_ARGUMENT,
	    "another session digest");
	signed_stmt_free(&other);
	/* A signature of other bytes. */
	other = st;
	other.sig[other.sig_len - 1] ^= 1;
	expect(submit_v2(srv, "s2", 0, 0x10, &other, OWNED), ST_INVALID_ARGUMENT,
	    "does not verify");
	other.sig_len = 0;
	expect(submit_v2(srv, "s2", 0, 0x10, &other, BORROWED),
	    ST_INVALID_ARGUMENT, "signature is 1 to 72 bytes");
	other.sig_len = st.sig_len;
	other.len = 10;
	expect(submit_v2(srv, "s2", 0, 0x10, &other, BORROWED),
	    ST_INVALID_ARGUMENT, "not well formed");
	/* A COHORT where a SUBMIT belongs. */
	make_cohort(srv, "s2", 0, 0x07, st.body, &other);
	expect(submit_v2(srv, "s2", 0, 0x10, &other, OWNED), ST_INVALID_ARGUMENT,
	    "expected a SUBMIT statement, got a COHORT");
	signed_stmt_free(&other);
	/* alice signs as position 2, and over other ciphertexts. */
	make_submit(srv, "s2", 0, 2, 0x10, &other);
	expect(submit_v2(srv, "s2", 0, 0x10, &other, OWNED), ST_INVALID_ARGUMENT,
	    "position 2; alice is at position 1");
	signed_stmt_free(&other);
	make_submit(srv, "s2", 0, 1, 0x11, &other);
	expect(submit_v2(srv, "s2", 0, 0x10, &other, OWNED), ST_INVALID_ARGUMENT,
	    "digest for recipient alice (position 1)");
	signed_stmt_free(&other);
	/* Nothing was kept: the good one is the first. */
	assert_null(session_statement(session_of(srv, "s2"), 0,
	    STATEMENT_SUBMIT, 0)->body);
	expect(submit_v2(srv, "s2", 0, 0x10, &st, OWNED), ST_OK, NULL);
	signed_stmt_free(&st);
}

/*
 * The refusals of COHORT and SUMPOINT: a COHORT before the cohort is
 * fixed, from outside the cohort, on another cohort, naming other
 * SUBMITs; PostCohort and GetCohort of a version-1 session; a SUMPOINT of
 * other values, another L, another cohort digest.
 */
static void
test_v2_cohort_and_sumpoint_refusals(void **state)
{
	struct rpc_server *srv = *state;
	uint8_t zero[STATEMENT_HASH_LEN] = { 0 };
	uint64_t v[SMALL_L], w[SMALL_L];
	struct signed_stmt st;
	struct statement s;

	expect(create_v2(srv, "s2", 2, V2_NOW + 60, 1), ST_OK, NULL);
	expect(create(srv, "alice", "s1", SMALL_L, 0), ST_OK, NULL);
	share_v2(srv, "s2", 0, OWNED);
	make_cohort(srv, "s2", 0, 0x01, zero, &st);
	expect(post_cohort(srv, "s2", 0, &st), ST_FAILED_PRECONDITION,
	    "still in its sharing phase");
	signed_stmt_free(&st);
	expect(read_v2(srv, SECURESUM__METHOD__GET_COHORT, "s2", 0),
	    ST_FAILED_PRECONDITION, "sharing phase");
	share_v2(srv, "s2", 1, BORROWED);
	clock_ms += 61000;              /* the deadline: cohort {alice, bob} */
	expect(read_v2(srv, SECURESUM__METHOD__GET_COHORT, "s2", 2), ST_OK, NULL);
	make_cohort(srv, "s2", 2, 0x03, NULL, &st);
	expect(post_cohort(srv, "s2", 2, &st), ST_PERMISSION_DENIED,
	    "carol is not in the cohort");
	signed_stmt_free(&st);
	make_cohort(srv, "s2", 0, 0x07, NULL, &st);
	expect(post_cohort(srv, "s2", 0, &st), ST_INVALID_ARGUMENT,
	    "holds carol (position 3)");
	signed_stmt_free(&st);
	make_cohort(srv, "s2", 0, 0x03, zero, &st);
	expect(post_cohort(srv, "s2", 0, &st), ST_INVALID_ARGUMENT,
	    "submits digest");
	signed_stmt_free(&st);
	expect(post_cohort(srv, "s2", 0, NULL), ST_INVALID_ARGUMENT,
	    "must carry the caller's signed COHORT");
	expect(post_cohort(srv, "s1", 0, NULL), ST_INVALID_ARGUMENT,
	    "its cohort is not signed");
	expect(read_v2(srv, SECURESUM__METHOD__GET_COHORT, "s1", 0),
	    ST_FAILED_PRECONDITION, "its cohort is not signed");
	values_of(0, v);
	memcpy(w, v, sizeof(w));
	w[0]++;
	make_sumpoint(srv, "s2", 0, 1, w, SMALL_L, &st);
	expect(post_v2(srv, "s2", 0, v, &st, OWNED), ST_INVALID_ARGUMENT,
	    "values digest");
	signed_stmt_free(&st);
	make_sumpoint(srv, "s2", 0, 1, v, SMALL_L - 1, &st);
	expect(post_v2(srv, "s2", 0, v, &st, BORROWED), ST_INVALID_ARGUMENT,
	    "vectors of length 2");
	signed_stmt_free(&st);
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUMPOINT;
	memcpy(s.d, session_of(srv, "s2")->digest, sizeof(s.d));
	s.position = 1;
	s.length = SMALL_L;
	assert_int_equal(statement_values_digest(v, SMALL_L, s.values_digest),
	    SS_OK);
	signers_sign(&sg[0], &s, &st);  /* its cohort digest: zeros */
	expect(post_v2(srv, "s2", 0, v, &st, OWNED), ST_INVALID_ARGUMENT,
	    "cohort digest");
	signed_stmt_free(&st);
	make_sumpoint(srv, "s2", 0, 1, v, SMALL_L, &st);
	expect(post_v2(srv, "s2", 0, v, &st, OWNED), ST_OK, NULL);
	signed_stmt_free(&st);
}

/* How many conflicts GetStatus reports for sid; the first's bodies in *r. */
static size_t
conflicts(struct rpc_server *srv, const char *sid, int who, int type,
    const struct held_statement *second)
{
	struct session *se = session_of(srv, sid);
	Response *r = read_v2(srv, SECURESUM__METHOD__GET_STATUS, sid, 2);
	size_t i, n = r->get_status->n_conflicts, found = 0;

	for (i = 0; i < n; i++) {
		Securesum__Conflict *c = r->get_status->conflicts[i];

		if (strcmp(c->party, parties[who]) != 0 ||
		    !same_body(c->first, session_statement(se, (uint32_t)who,
		    (enum statement_type)type, 0)))
			continue;
		found += same_body(c->second, second);
	}
	assert_int_equal(found, second != NULL);
	expect(r, ST_OK, NULL);
	return n;
}

/*
 * A second statement of a type with another body, from the same signer, is
 * ALREADY_EXISTS and kept with the first as a conflict (GetStatus), once
 * per party and type; the first stays. So for SUBMIT, COHORT and SUMPOINT.
 */
static void
test_v2_conflicts(void **state)
{
	struct rpc_server *srv = *state;
	uint8_t zero[STATEMENT_HASH_LEN] = { 0 };
	uint64_t v[SMALL_L], w[SMALL_L];
	struct signed_stmt st, third;
	struct session *se;

	expect(create_v2(srv, "s2", 3, 0, 1), ST_OK, NULL);
	se = session_of(srv, "s2");
	share_v2(srv, "s2", 0, OWNED);
	make_submit(srv, "s2", 0, 1, 0x50, &st);
	expect(submit_v2(srv, "s2", 0, 0x50, &st, OWNED), ST_ALREADY_EXISTS,
	    "both are kept as proof that alice equivocated");
	assert_int_equal(conflicts(srv, "s2", 0, STATEMENT_SUBMIT,
	    session_statement(se, 0, STATEMENT_SUBMIT, 1)), 1);
	assert_int_equal(session_statement(se, 0, STATEMENT_SUBMIT, 1)->len,
	    st.len);
	make_submit(srv, "s2", 0, 1, 0x60, &third);
	expect(submit_v2(srv, "s2", 0, 0x60, &third, BORROWED),
	    ST_ALREADY_EXISTS, "a conflict is already kept");
	assert_memory_equal(session_statement(se, 0, STATEMENT_SUBMIT, 1)->body,
	    st.body, st.len);
	signed_stmt_free(&st);
	signed_stmt_free(&third);
	share_v2(srv, "s2", 1, OWNED);
	share_v2(srv, "s2", 2, OWNED);
	make_cohort(srv, "s2", 1, 0x07, NULL, &st);
	expect(post_cohort(srv, "s2", 1, &st), ST_OK, NULL);
	signed_stmt_free(&st);
	make_cohort(srv, "s2", 1, 0x07, zero, &st);
	expect(post_cohort(srv, "s2", 1, &st), ST_ALREADY_EXISTS,
	    "bob already signed a different COHORT");
	signed_stmt_free(&st);
	values_of(2, v);
	make_sumpoint(srv, "s2", 2, 3, v, SMALL_L, &st);
	expect(post_v2(srv, "s2", 2, v, &st, OWNED), ST_OK, NULL);
	signed_stmt_free(&st);
	memcpy(w, v, sizeof(w));
	w[1]++;
	make_sumpoint(srv, "s2", 2, 3, w, SMALL_L, &st);
	expect(post_v2(srv, "s2", 2, w, &st, OWNED), ST_ALREADY_EXISTS,
	    "carol already signed a different SUMPOINT");
	assert_int_equal(conflicts(srv, "s2", 2, STATEMENT_SUMPOINT,
	    session_statement(se, 2, STATEMENT_SUMPOINT, 1)), 3);
	assert_int_equal(conflicts(srv, "s2", 1, STATEMENT_COHORT,
	    session_statement(se, 1, STATEMENT_COHORT, 1)), 3);
	/* The first sumpoint stays. */
	assert_int_equal(se->sumpoints[2][1], v[1]);
	signed_stmt_free(&st);
}

/*
 * A statement read in place lies in the frame the store keeps: a SUMPOINT
 * given before its values (as a proto3 encoder may order fields) is copied
 * out before the values move to the start of the frame.
 */
static void
test_v2_statement_before_values(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	Securesum__Statement m;
	uint64_t v[SMALL_L];
	struct signed_stmt st;
	uint8_t *bytes, *part;
	size_t len, plen;
	int i;

	expect(create_v2(srv, "s2", 3, 0, 1), ST_OK, NULL);
	for (i = 0; i < 3; i++)
		share_v2(srv, "s2", i, OWNED);
	values_of(0, v);
	make_sumpoint(srv, "s2", 0, 1, v, SMALL_L, &st);
	/* The request without its statement, then field 4 appended to the body. */
	body.session_id = "s2";
	body.party = "alice";
	body.n_values = SMALL_L;
	body.values = v;
	head(&req, 311, SECURESUM__METHOD__POST_SUMPOINT,
	    SECURESUM__REQUEST__BODY_POST_SUMPOINT);
	req.post_sumpoint = &body;
	stmt_msg(&m, &st);
	plen = securesum__statement__get_packed_size(&m);
	assert_true(plen < 0x4000);
	assert_non_null(part = malloc(plen));
	securesum__statement__pack(&m, part);
	/* Put the statement first: pack it as field 4 ahead of the others. */
	len = securesum__post_sumpoint_request__get_packed_size(&body);
	assert_non_null(bytes = malloc(len + plen + 3));
	bytes[0] = 0x22;        /* field 4, length-delimited */
	bytes[1] = (uint8_t)(0x80 | (plen & 0x7f));
	bytes[2] = (uint8_t)(plen >> 7);
	memcpy(bytes + 3, part, plen);
	securesum__post_sumpoint_request__pack(&body, bytes + 3 + plen);
	{
		/* The envelope around that body: id 311, method 4, field 13. */
		size_t blen = 3 + plen + len, n = 0;
		uint8_t *frame = malloc(blen + 16);

		assert_non_null(frame);
		frame[n++] = 0x08;
		frame[n++] = 0xb7;
		frame[n++] = 0x02;      /* id 311 */
		frame[n++] = 0x10;
		frame[n++] = 0x04;      /* method POST_SUMPOINT */
		frame[n++] = 0x6a;      /* field 13 */
		frame[n++] = (uint8_t)(0x80 | (blen & 0x7f));
		frame[n++] = (uint8_t)(blen >> 7);
		memcpy(frame + n, bytes, blen);
		n += blen;
		caller_cert = sg[0].cert;
		expect(call_bytes(srv, "alice", frame, n, OWNED), ST_OK, NULL);
		caller_cert = NULL;
		assert_true(last.kept);
	}
	assert_memory_equal(session_statement(session_of(srv, "s2"), 0,
	    STATEMENT_SUMPOINT, 0)->body, st.body, st.len);
	assert_int_equal(session_of(srv, "s2")->sumpoints[0][SMALL_L - 1],
	    v[SMALL_L - 1]);
	free(bytes);
	free(part);
	signed_stmt_free(&st);
}

/* GetServerInfo: the gauges read when asked, the counters; the outcome noted. */
static void
fake_gauges(void *ctx, struct metrics_gauges *gg)
{
	memset(gg, 0, sizeof(*gg));
	gg->now_unix_ms = *(uint64_t *)ctx;
	gg->sessions[PHASE_SHARING] = 2;
	gg->connections = 5;
	gg->stored_bytes = 777;
	gg->journal_ok = 1;
}

static Response *
server_info(struct rpc_server *srv, const char *caller)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetServerInfoRequest body = SECURESUM__GET_SERVER_INFO_REQUEST__INIT;

	req.get_server_info = &body;
	head(&req, 13, SECURESUM__METHOD__GET_SERVER_INFO,
	    SECURESUM__REQUEST__BODY_GET_SERVER_INFO);
	return call(srv, caller, &req, BORROWED);
}

static void
test_server_info(void **state)
{
	struct rpc_server *srv = *state;
	struct metrics m;
	uint64_t now = 1700000090000ull;
	Response *resp;

	/* Without figures (no server around the RPC layer): UNAVAILABLE. */
	expect(server_info(srv, "dave"), ST_UNAVAILABLE, "no figures");
	assert_int_equal(srv->last.method, SECURESUM__METHOD__GET_SERVER_INFO);
	assert_int_equal(srv->last.code, ST_UNAVAILABLE);
	assert_string_equal(srv->last.session, "");
	metrics_init(&m, 1700000000000ull);
	metrics_request(&m, 6, ST_OK, 0.001, 1, 1);
	srv->info.metrics = &m;
	srv->info.gauges = fake_gauges;
	srv->info.ctx = &now;
	srv->monitors = "watch,ops";
	/* A monitor: the whole server's figures. */
	resp = server_info(srv, "ops");
	assert_int_equal(resp->code, ST_OK);
	assert_int_equal(resp->body_case, SECURESUM__RESPONSE__BODY_GET_SERVER_INFO);
	assert_string_equal(resp->get_server_info->version, metrics_version());
	assert_int_equal(resp->get_server_info->uptime_seconds, 90);
	assert_int_equal(resp->get_server_info->sessions_sharing, 2);
	assert_int_equal(resp->get_server_info->connections, 5);
	assert_int_equal(resp->get_server_info->stored_bytes, 777);
	assert_true(resp->get_server_info->journal_healthy);
	assert_int_equal(resp->get_server_info->snapshot_age_seconds, 90);
	assert_int_equal(resp->get_server_info->requests, 1);
	expect(resp, ST_OK, NULL);
	resp = server_info(srv, "watch");
	assert_int_equal(resp->get_server_info->requests, 1);
	expect(resp, ST_OK, NULL);
	/* Anyone else (a name a monitor's begins with too): only its own. */
	resp = server_info(srv, "op");
	assert_int_equal(resp->code, ST_OK);
	assert_string_equal(resp->get_server_info->version, metrics_version());
	assert_int_equal(resp->get_server_info->uptime_seconds, 90);
	assert_true(resp->get_server_info->journal_healthy);
	assert_int_equal(resp->get_server_info->sessions_sharing, 0);
	assert_int_equal(resp->get_server_info->connections, 0);
	assert_int_equal(resp->get_server_info->stored_bytes, 0);
	assert_int_equal(resp->get_server_info->snapshot_age_seconds, 0);
	assert_int_equal(resp->get_server_info->requests, 0);
	expect(resp, ST_OK, NULL);
	/* The outcome names the session of a request that names one. */
	expect(create(srv, "alice", "noted", 1, 0), ST_OK, NULL);
	assert_int_equal(srv->last.method, SECURESUM__METHOD__CREATE_SESSION);
	assert_string_equal(srv->last.session, "alice/noted");
	/* A party sees the sessions it is in, and no others. */
	resp = server_info(srv, "alice");
	assert_int_equal(resp->get_server_info->sessions_sharing, 1);
	expect(resp, ST_OK, NULL);
	resp = server_info(srv, "dave");
	assert_int_equal(resp->get_server_info->sessions_sharing, 0);
	expect(resp, ST_OK, NULL);
	srv->monitors = NULL;
	srv->info.metrics = NULL;
}

/*
 * A statement longer than any is refused by its length alone: at the
 * bounds, and in a PostSumpoint read in place, before its copy out of the
 * frame (which nothing charges) is made.
 */
static void
test_v2_statement_bounded(void **state)
{
	struct rpc_server *srv = *state;
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;
	Securesum__Statement m;
	struct statement_in in;
	struct ss_error e;
	uint8_t sig[STATEMENT_SIG_MAX + 1] = { 0x30 };
	uint64_t v[SMALL_L];
	uint8_t *big;
	int i;

	assert_non_null(big = calloc(1, STATEMENT_BODY_MAX + 1));
	in.body = big;
	in.sig = sig;
	in.len = STATEMENT_BODY_MAX;
	in.sig_len = STATEMENT_SIG_MAX;
	assert_int_equal(statements_bounded(&in, &e), SS_OK);
	in.len = STATEMENT_BODY_MAX + 1;
	assert_int_equal(statements_bounded(&in, &e), SS_ERR_INVALID);
	assert_non_null(strstr(e.msg, "more than any statement's"));
	in.len = 0;
	assert_int_equal(statements_bounded(&in, &e), SS_ERR_INVALID);
	in.len = 1;
	in.sig_len = STATEMENT_SIG_MAX + 1;
	assert_int_equal(statements_bounded(&in, &e), SS_ERR_INVALID);
	in.sig_len = 0;
	assert_int_equal(statements_bounded(&in, &e), SS_ERR_INVALID);

	expect(create_v2(srv, "s2", 3, 0, 1), ST_OK, NULL);
	for (i = 0; i < 3; i++)
		share_v2(srv, "s2", i, OWNED);
	values_of(0, v);
	securesum__statement__init(&m);
	m.body.data = big;
	m.body.len = STATEMENT_BODY_MAX + 1;
	m.signature.data = sig;
	m.signature.len = STATEMENT_SIG_MAX;
	body.session_id = "s2";
	body.party = "alice";
	body.n_values = SMALL_L;
	body.values = v;
	body.statement = &m;
	head(&req, 312, SECURESUM__METHOD__POST_SUMPOINT,
	    SECURESUM__REQUEST__BODY_POST_SUMPOINT);
	req.post_sumpoint = &body;
	caller_cert = sg[0].cert;
	expect(call(srv, "alice", &req, OWNED), ST_INVALID_ARGUMENT,
	    "more than any statement's");
	caller_cert = NULL;
	assert_false(last.kept);
	assert_int_equal(session_statement(session_of(srv, "s2"), 0,
	    STATEMENT_SUMPOINT, 0)->len, 0);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_status_failed_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_share_and_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_metered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_answer_over_budget, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_passed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_sumpoint_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_create_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_submit_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_cohort_and_sumpoint_refusals,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_until, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_server_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_statement_before_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_statement_bounded,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
