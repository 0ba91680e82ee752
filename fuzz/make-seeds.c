/*
 * make-seeds.c: writes the seed corpora of the fuzz targets, one folder per
 * target (OUT/NAME/), from real messages: requests packed by the server's
 * own protobuf-c code, the responses the real rpc_handle() gives to them,
 * snapshots written by snapshot_write() from the state those requests
 * built, ciphertexts sealed with the targets' fixed keys, statement
 * bodies by statement_encode(), invite codes by invite_encode(), and the
 * files of a party's state folder written by pstate.h (the random salt of
 * its input record replaced by a fixed one; the older lists of instances,
 * which pstate.h only reads, made from its list). Every byte is deterministic
 * (fixed clock, fixed HPKE ephemeral keys, fixed salts), so rerunning it
 * changes nothing.
 *
 * usage: make-seeds OUTDIR    (fuzz/make-seeds.sh runs it)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "field.h"
#include "frame.h"
#include "hpke.h"
#include "invite.h"
#include "journal.h"
#include "rpc.h"
#include "sealed.h"
#include "pstate.h"
#include "snapshot.h"
#include "statement.h"
#include "store.h"
#include "securesum.pb-c.h"

#include "harness.h"

static const char *outdir;

static void
die(const char *what)
{
	fprintf(stderr, "make-seeds: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static void
seed(const char *target, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/* ---- growing byte strings ---------------------------------------------- */

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("realloc");
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_u8(struct bytes *b, uint8_t v)
{
	put(b, &v, 1);
}

/* ---- requests ------------------------------------------------------------- */

typedef Securesum__Request Request;

static uint64_t next_id = 1;

static struct bytes
pack(Request *req)
{
	struct bytes b = { NULL, 0, 0 };
	size_t n;

	req->id = next_id++;
	n = securesum__request__get_packed_size(req);
	b.p = malloc(n ? n : 1);
	b.cap = n;
	if (b.p == NULL)
		die("malloc");
	b.len = securesum__request__pack(req, b.p);
	return b;
}

static struct bytes
req_create(const char *sid, const char *const *parties, size_t n, uint32_t t,
    uint32_t L, uint32_t decimals, uint32_t deadline)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__CreateSessionRequest body = SECURESUM__CREATE_SESSION_REQUEST__INIT;
	Securesum__SessionParams p = SECURESUM__SESSION_PARAMS__INIT;

	p.session_id = (char *)sid;
	p.n_parties = n;
	p.parties = (char **)parties;
	p.threshold = t;
	p.length = L;
	p.decimals = decimals;
	p.deadline_seconds = deadline;
	body.params = &p;
	req.method = SECURESUM__METHOD__CREATE_SESSION;
	req.body_case = SECURESUM__REQUEST__BODY_CREATE_SESSION;
	req.create_session = &body;
	return pack(&req);
}

/* Deterministic stand-in ciphertext bytes: the server never opens them. */
static void
fill(uint8_t *p, size_t n, unsigned salt)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(salt * 131 + i * 29 + (i >> 3));
}

static struct bytes
req_submit(const char *sid, const char *party, const char *const *parties,
    size_t n, uint32_t L, unsigned salt)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__SubmitSharesRequest body = SECURESUM__SUBMIT_SHARES_REQUEST__INIT;
	Securesum__EncryptedShare sh[8], *ptrs[8];
	uint8_t ct[8][48 + 8 * 4];
	size_t i, ct_len = sealed_len(L);
	struct bytes b;

	if (n > 8 || ct_len > sizeof(ct[0]))
		die("seed session too big");
	for (i = 0; i < n; i++) {
		securesum__encrypted_share__init(&sh[i]);
		/* Recipients in reverse order: the server must place them. */
		sh[i].recipient = (char *)parties[n - 1 - i];
		fill(ct[i], ct_len, salt * 8 + (unsigned)i);
		sh[i].ciphertext.data = ct[i];
		sh[i].ciphertext.len = ct_len;
		ptrs[i] = &sh[i];
	}
	body.session_id = (char *)sid;
	body.party = (char *)party;
	body.n_shares = n;
	body.shares = ptrs;
	req.method = SECURESUM__METHOD__SUBMIT_SHARES;
	req.body_case = SECURESUM__REQUEST__BODY_SUBMIT_SHARES;
	req.submit_shares = &body;
	b = pack(&req);
	return b;
}

static struct bytes
req_get_share(const char *sid, const char *party)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetShareRequest body = SECURESUM__GET_SHARE_REQUEST__INIT;

	body.session_id = (char *)sid;
	body.party = (char *)party;
	req.method = SECURESUM__METHOD__GET_SHARE;
	req.body_case = SECURESUM__REQUEST__BODY_GET_SHARE;
	req.get_share = &body;
	return pack(&req);
}

static struct bytes
req_post(const char *sid, const char *party, const uint64_t *v, size_t L)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PostSumpointRequest body = SECURESUM__POST_SUMPOINT_REQUEST__INIT;

	body.session_id = (char *)sid;
	body.party = (char *)party;
	body.n_values = L;
	body.values = (uint64_t *)v;
	req.method = SECURESUM__METHOD__POST_SUMPOINT;
	req.body_case = SECURESUM__REQUEST__BODY_POST_SUMPOINT;
	req.post_sumpoint = &body;
	return pack(&req);
}

static struct bytes
req_list(const char *sid)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__ListSumpointsRequest body = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;

	body.session_id = (char *)sid;
	req.method = SECURESUM__METHOD__LIST_SUMPOINTS;
	req.body_case = SECURESUM__REQUEST__BODY_LIST_SUMPOINTS;
	req.list_sumpoints = &body;
	return pack(&req);
}

static struct bytes
req_status(const char *sid)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetStatusRequest body = SECURESUM__GET_STATUS_REQUEST__INIT;

	body.session_id = (char *)sid;
	req.method = SECURESUM__METHOD__GET_STATUS;
	req.body_case = SECURESUM__REQUEST__BODY_GET_STATUS;
	req.get_status = &body;
	req.deadline_unix_ms = UINT64_C(1700000000000) + 3600 * 1000;
	return pack(&req);
}

static struct bytes
req_publish(const uint8_t *der, size_t len)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__PublishKeyRequest body = SECURESUM__PUBLISH_KEY_REQUEST__INIT;

	body.certificate.data = (uint8_t *)der;
	body.certificate.len = len;
	req.method = SECURESUM__METHOD__PUBLISH_KEY;
	req.body_case = SECURESUM__REQUEST__BODY_PUBLISH_KEY;
	req.publish_key = &body;
	return pack(&req);
}

static struct bytes
req_get_keys(const char *const *parties, size_t n)
{
	Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetKeysRequest body = SECURESUM__GET_KEYS_REQUEST__INIT;

	body.n_parties = n;
	body.parties = (char **)parties;
	req.method = SECURESUM__METHOD__GET_KEYS;
	req.body_case = SECURESUM__REQUEST__BODY_GET_KEYS;
	req.get_keys = &body;
	return pack(&req);
}

/* ---- running requests through the real server code --------------------- */

struct sink {
	ProtobufCBuffer base;
	struct bytes b;
};

static void
sink_append(ProtobufCBuffer *base, size_t len, const uint8_t *data)
{
	put(&((struct sink *)base)->b, data, len);
}

static uint64_t now_ms = UINT64_C(1700000000000);

static uint64_t
clock_now(void)
{
	return now_ms;
}

/* An rpc_seq record: ctl byte, frame header, frame. */
static void
record(struct bytes *seq, int who, unsigned advance, int publish, const struct bytes *frame)
{
	uint8_t hdr[FRAME_HEADER_LEN];

	put_u8(seq, (uint8_t)((publish ? 0x80 : 0) | (advance & 0x1f) << 2 | (who & 3)));
	frame_put_header(hdr, (uint32_t)frame->len);
	put(seq, hdr, sizeof(hdr));
	put(seq, frame->p, frame->len);
}

static const char *const who_name[4] = { "alice", "bob", "carol", "dave" };

/*
 * Runs frame as caller `who` on srv, adds it to seq, and when resp_name is
 * set saves the response body as a client_wire seed for method.
 */
static void
step(struct rpc_server *srv, struct bytes *seq, int who, unsigned advance,
    struct bytes frame, int method, const char *resp_name)
{
	struct sink k = { { sink_append }, { NULL, 0, 0 } };

	now_ms += (uint64_t)advance * 1000;
	if (seq != NULL)
		record(seq, who, advance, 0, &frame);
	if (rpc_handle(srv, who_name[who], frame.p, frame.len, &k.base, NULL) != RPC_CONTINUE)
		die("a seed request is not a Request");
	if (resp_name != NULL && k.b.len > FRAME_HEADER_LEN) {
		struct bytes w = { NULL, 0, 0 };

		/* fuzz_client_wire: method = 1 + b % 8. */
		put_u8(&w, (uint8_t)(method - 1));
		put(&w, k.b.p + FRAME_HEADER_LEN, k.b.len - FRAME_HEADER_LEN);
		seed("client_wire", resp_name, w.p, w.len);
		free(w.p);
	}
	free(k.b.p);
	free(frame.p);
}

/* An rpc_seq input is also an rpc_replay one. */
static void
seq_seed(const char *name, const struct bytes *seq)
{
	seed("rpc_seq", name, seq->p, seq->len);
	seed("rpc_replay", name, seq->p, seq->len);
}

static void
no_log(const char *fmt, ...)
{
	(void)fmt;
}

/* The journal that each flow writes, in its own temporary folder. */
static struct journal *jnl;
static char jnl_dir[64];

static void
journal_start(struct store *s)
{
	struct store_log log;
	struct ss_error err;

	snprintf(jnl_dir, sizeof(jnl_dir), "/tmp/ss-seeds-j-XXXXXX");
	if (mkdtemp(jnl_dir) == NULL)
		die("mkdtemp");
	if (journal_open(&jnl, jnl_dir, s, FSYNC_ALWAYS, no_log, &err) != SS_OK) {
		fprintf(stderr, "make-seeds: %s\n", ss_error_msg(&err));
		exit(1);
	}
	log = journal_store_log(jnl);
	store_set_log(s, &log);
}

/*
 * Saves the flow's journal as journal seeds: its one segment with flags 0
 * and 1 (fix sums); the same as an older server's journal.bin; and split
 * into two segments after record 2, as a snapshot started there leaves it
 * (see fuzz_journal's flags).
 */
static void
journal_save(struct store *s, const char *name)
{
	char path[4096], nm[64];
	uint8_t buf[1 << 16], two[(1 << 16) + 32];
	size_t n, off = 12, k, m = 0;
	int r;
	FILE *f;

	snprintf(path, sizeof(path), "%s", journal_path(jnl));
	journal_close(jnl);
	store_set_log(s, NULL);
	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	buf[0] = 0;
	n = fread(buf + 1, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n == sizeof(buf) - 1)
		die("journal size");
	seed("journal", name, buf, n + 1);
	/* The same with the checksums rewritten and a snapshot at record 2. */
	buf[0] = 1 | 2 << 1;
	snprintf(nm, sizeof(nm), "%s-after-2", name);
	seed("journal", nm, buf, n + 1);
	buf[0] = 1 << 4;
	snprintf(nm, sizeof(nm), "%s-journal-bin", name);
	seed("journal", nm, buf, n + 1);
	/* Records 1-2 in journal.<1>.bin, the rest in journal.<3>.bin. */
	for (r = 0; r < 2 && off + 20 <= n; r++)
		off += 20 + ((size_t)buf[4 + off] << 24 | (size_t)buf[3 + off] << 16 |
		    (size_t)buf[2 + off] << 8 | buf[1 + off]);
	if (r == 2 && off < n && off <= 0xffff && n - off + 12 <= 0xffff) {
		two[m++] = 2 << 4;
		two[m++] = 1;
		two[m++] = (uint8_t)(off >> 8);
		two[m++] = (uint8_t)off;
		memcpy(two + m, buf + 1, off);
		m += off;
		k = n - off + 12;
		two[m++] = 3;
		two[m++] = (uint8_t)(k >> 8);
		two[m++] = (uint8_t)k;
		memcpy(two + m, buf + 1, 12);
		memcpy(two + m + 12, buf + 1 + off, n - off);
		m += k;
		snprintf(nm, sizeof(nm), "%s-segments", name);
		seed("journal", nm, two, m);
	}
	unlink(path);
	rmdir(jnl_dir);
}

static struct store *
fresh_store(void)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	if ((s = store_new(&lim)) == NULL)
		die("store_new");
	return s;
}

/* Saves s as snapshot seeds: whole (snapshot_raw), without hash (snapshot). */
static void
save_snapshot(const struct store *s, const char *name)
{
	char dir[] = "/tmp/ss-seeds-XXXXXX", path[256];
	struct ss_error err;
	uint8_t buf[1 << 16];
	size_t n;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	if (snapshot_write(s, dir, &err) != SS_OK) {
		fprintf(stderr, "make-seeds: %s\n", ss_error_msg(&err));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 32 || n == sizeof(buf))
		die("snapshot size");
	seed("snapshot_raw", name, buf, n);
	seed("snapshot", name, buf, n - 32);
	unlink(path);
	rmdir(dir);
}

static void
rpc_seeds(void)
{
	static const char *const abc[] = { "alice", "bob", "carol" };
	static const char *const abcd[] = { "alice", "bob", "carol", "dave" };
	static const char *const bad[] = { "alice", "-bob", "alice" };
	static const uint8_t status_twice[] = {
		0x08, 0x01, 0x10, 0x06, 0x7a, 0x06, 0x0a, 0x04, 'c', 'o', 'n', 'f',
		0x7a, 0x00,
	};
	struct bytes seq = { NULL, 0, 0 }, fr;
	struct rpc_server srv;
	uint64_t sp[3][2] = { { 11, 12 }, { 21, 22 }, { FIELD_P - 1, 0 } };
	uint8_t fake_der[64];
	int i;

	/* One frame of every method: rpc_frame seeds. */
	fr = req_create("alice/s1", abc, 3, 1, 2, 0, 0);
	seed("rpc_frame", "create", fr.p, fr.len);
	seed("request_view", "create", fr.p, fr.len); free(fr.p);
	fr = req_create("alice/v1", abcd, 4, 2, 3, 2, 60);
	seed("rpc_frame", "create-deadline", fr.p, fr.len); free(fr.p);
	fr = req_submit("s1", "alice", abc, 3, 2, 1);
	seed("rpc_frame", "submit", fr.p, fr.len);
	seed("request_view", "submit", fr.p, fr.len); free(fr.p);
	fr = req_get_share("s1", "alice");
	seed("rpc_frame", "get-share", fr.p, fr.len); free(fr.p);
	fr = req_post("s1", "alice", sp[0], 2);
	seed("rpc_frame", "post", fr.p, fr.len);
	seed("request_view", "post", fr.p, fr.len); free(fr.p);
	fr = req_list("s1");
	seed("rpc_frame", "list", fr.p, fr.len); free(fr.p);
	fr = req_status("s1");
	seed("rpc_frame", "status", fr.p, fr.len);
	seed("request_view", "status", fr.p, fr.len); free(fr.p);
	/* GetStatus("conf") with an empty body again: proto3 merges the two. */
	seed("rpc_frame", "status-twice", status_twice, sizeof(status_twice));
	seed("request_view", "status-twice", status_twice, sizeof(status_twice));
	fill(fake_der, sizeof(fake_der), 9);
	fake_der[0] = 0x30;
	fake_der[1] = 0x3e;
	fr = req_publish(fake_der, sizeof(fake_der));
	seed("rpc_frame", "publish", fr.p, fr.len); free(fr.p);
	fr = req_get_keys(abcd, 4);
	seed("rpc_frame", "get-keys", fr.p, fr.len); free(fr.p);

	/* A whole three-party session, with the client_wire seeds it gives. */
	memset(&srv, 0, sizeof(srv));   /* epoch 0: no version, no random byte */
	srv.store = fresh_store();
	srv.ca = NULL;
	srv.now_ms = clock_now;
	journal_start(srv.store);
	seq.len = 0;
	/* Each party publishes its real certificate first (ctl bit 7). */
	for (i = 0; i < 3; i++) {
		put_u8(&seq, (uint8_t)(0x80 | i));
		fr = req_status("nosuch");
		put(&seq, (uint8_t[4]){ 0, 0, 0, (uint8_t)fr.len }, 4);
		put(&seq, fr.p, fr.len);
		free(fr.p);
	}
	/* Sessions are CREATOR/NAME (docs/PROTOCOL.md 2.1): alice's s1. */
	step(&srv, &seq, 0, 0, req_create("alice/s1", abc, 3, 1, 2, 0, 0),
	    SECURESUM__METHOD__CREATE_SESSION, "create-ok");
	step(&srv, &seq, 0, 0, req_create("alice/s1", abc, 3, 1, 2, 0, 0), 1, NULL);
	step(&srv, &seq, 0, 0, req_create("alice/s1", abc, 3, 2, 2, 0, 0),
	    SECURESUM__METHOD__CREATE_SESSION, "create-exists");
	for (i = 0; i < 3; i++)
		step(&srv, &seq, i, 1, req_submit("s1", abc[i], abc, 3, 2, (unsigned)i),
		    SECURESUM__METHOD__SUBMIT_SHARES, i == 0 ? "submit-ok" : NULL);
	step(&srv, &seq, 0, 0, req_status("s1"), SECURESUM__METHOD__GET_STATUS,
	    "status-aggregating");
	for (i = 0; i < 3; i++) {
		step(&srv, &seq, i, 0, req_get_share("s1", abc[i]),
		    SECURESUM__METHOD__GET_SHARE, i == 0 ? "get-share-ok" : NULL);
		step(&srv, &seq, i, 0, req_post("s1", abc[i], sp[i], 2),
		    SECURESUM__METHOD__POST_SUMPOINT, i == 0 ? "post-ok" : NULL);
	}
	step(&srv, &seq, 2, 0, req_list("s1"), SECURESUM__METHOD__LIST_SUMPOINTS,
	    "list-ok");
	step(&srv, &seq, 1, 0, req_status("s1"), SECURESUM__METHOD__GET_STATUS,
	    "status-complete");
	step(&srv, &seq, 1, 0, req_get_keys(abc, 3), SECURESUM__METHOD__GET_KEYS,
	    "get-keys-empty");
	/*
	 * Keys put straight into the store (this store has no CA to verify
	 * them against), for a GetKeys answer and the snapshot's key list.
	 */
	{
		struct ss_error st;
		int dup;

		for (i = 0; i < 2; i++) {
			fill(fake_der, sizeof(fake_der), 20 + (unsigned)i);
			if (store_put_key(srv.store, abc[i], fake_der,
			    sizeof(fake_der), &dup, &st) != SS_OK)
				die(st.msg);
		}
	}
	step(&srv, NULL, 2, 0, req_get_keys(abcd, 4), SECURESUM__METHOD__GET_KEYS,
	    "get-keys-ok");
	step(&srv, &seq, 3, 0, req_list("s1"), SECURESUM__METHOD__LIST_SUMPOINTS,
	    "list-denied");
	seq_seed("three-parties", &seq);
	journal_save(srv.store, "complete");
	save_snapshot(srv.store, "complete");
	store_free(srv.store);

	/* A deadline: two of four share, the cohort is fixed without the rest. */
	srv.store = fresh_store();
	journal_start(srv.store);
	seq.len = 0;
	step(&srv, &seq, 1, 0, req_create("bob/d1", abcd, 4, 1, 1, 0, 5), 1, NULL);
	step(&srv, &seq, 0, 1, req_submit("d1", "alice", abcd, 4, 1, 5), 2, NULL);
	step(&srv, &seq, 1, 1, req_submit("d1", "bob", abcd, 4, 1, 6), 2, NULL);
	step(&srv, &seq, 3, 0, req_get_share("d1", "dave"),
	    SECURESUM__METHOD__GET_SHARE, "get-share-sharing");
	save_snapshot(srv.store, "sharing");
	step(&srv, &seq, 2, 9, req_status("d1"), 6, NULL);
	step(&srv, &seq, 2, 0, req_submit("d1", "carol", abcd, 4, 1, 7),
	    SECURESUM__METHOD__SUBMIT_SHARES, "submit-late");
	step(&srv, &seq, 3, 0, req_get_share("d1", "dave"), 3, NULL);
	step(&srv, &seq, 3, 0, req_post("d1", "dave", sp[2], 1), 4, NULL);
	step(&srv, &seq, 3, 0, req_status("d1"), 6, "status-deadline");
	save_snapshot(srv.store, "aggregating");
	seq_seed("deadline", &seq);
	journal_save(srv.store, "deadline");
	store_free(srv.store);

	/* A deadline that passes with too few shares; then bad requests. */
	srv.store = fresh_store();
	journal_start(srv.store);
	seq.len = 0;
	step(&srv, &seq, 0, 0, req_create("alice/f1", abc, 3, 2, 4, 0, 1), 1, NULL);
	step(&srv, &seq, 0, 0, req_submit("f1", "alice", abc, 3, 4, 8), 2, NULL);
	step(&srv, &seq, 1, 2, req_status("f1"), SECURESUM__METHOD__GET_STATUS,
	    "status-failed");
	step(&srv, &seq, 1, 0, req_get_share("f1", "bob"), 3, NULL);
	save_snapshot(srv.store, "failed");
	step(&srv, &seq, 0, 0, req_create("alice/x", bad, 3, 1, 1, 0, 0),
	    SECURESUM__METHOD__CREATE_SESSION, "create-invalid");
	step(&srv, &seq, 1, 0, req_submit("f1", "alice", abc, 3, 4, 8),
	    SECURESUM__METHOD__SUBMIT_SHARES, "submit-denied");
	step(&srv, &seq, 2, 0, req_post("f1", "carol", sp[0], 2), 4, NULL);
	step(&srv, &seq, 3, 0, req_create("dave/g1", abc, 3, 1, 1, 0, 0), 1, NULL);
	seq_seed("failed-and-refused", &seq);
	journal_save(srv.store, "failed");
	store_free(srv.store);
	free(seq.p);

	/* The empty store's snapshot. */
	srv.store = fresh_store();
	save_snapshot(srv.store, "empty");
	store_free(srv.store);
}

/* ---- HPKE ----------------------------------------------------------------- */

static const uint8_t fixed_ske[32] = {
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a,
	0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
	0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

/* hpke_seal_auth_k with a fixed ephemeral key: enc || ct || tag into out. */
static void
seal_fixed(int sender, int recipient, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    struct bytes *out)
{
	uint8_t skS[32], pkS[32], skR[32], pkR[32], enc[32], *ct;
	struct hpke_ctx ctx;

	fuzz_hpke_keys(sender, skS, pkS);
	fuzz_hpke_keys(recipient, skR, pkR);
	if ((ct = malloc(pt_len + HPKE_TAG_LEN)) == NULL ||
	    hpke_setup_sender(&ctx, HPKE_MODE_AUTH, pkR, skS, fixed_ske, info,
	    info_len, enc) != SS_OK ||
	    hpke_seal(&ctx, aad, aad_len, pt, pt_len, ct) != SS_OK)
		die("hpke seal");
	put(out, enc, sizeof(enc));
	put(out, ct, pt_len + HPKE_TAG_LEN);
	free(ct);
}

/*
 * The HPKE info of sealed.c (documented at the top of that file), for the
 * session digest D made of 32 bytes of dfill, as harness.c's cases.
 */
static size_t
sealed_info(uint8_t dfill, const char *sender, const char *recipient,
    uint64_t L, uint8_t *info)
{
	const char *parts[2] = { sender, recipient };
	size_t off, n;
	int i;

	memcpy(info, "secure-sum/v2 share", 20);    /* with its NUL */
	off = 20;
	memset(info + off, dfill, 32);
	off += 32;
	for (i = 0; i < 2; i++) {
		n = strlen(parts[i]);
		buf_store_u32(info + off, (uint32_t)n);
		memcpy(info + off + 4, parts[i], n);
		off += 4 + n;
	}
	buf_store_u64(info + off, L);
	return off + 8;
}

static void
hpke_seeds(void)
{
	static const uint8_t sessions[4] = { 0x51, 0x9a, 0x51, 0x01 };
	static const int from[4] = { 0, 0, 1, 1 }, to[4] = { 1, 1, 0, 0 };
	uint8_t pt[64], info[256];
	struct bytes b = { NULL, 0, 0 };
	size_t i, info_len, L;
	int c;

	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)i;
	/* hpke_open: info "info", aad "aad", 20 bytes of plaintext. */
	put_u8(&b, 0);
	put_u8(&b, 4);
	put_u8(&b, 3);
	put(&b, "info", 4);
	put(&b, "aad", 3);
	seal_fixed(0, 1, (const uint8_t *)"info", 4, (const uint8_t *)"aad", 3,
	    pt, 20, &b);
	seed("hpke_open", "info-aad", b.p, b.len);
	b.len = 0;
	put_u8(&b, 0);
	put_u8(&b, 0);
	put_u8(&b, 0);
	seal_fixed(0, 1, NULL, 0, NULL, 0, pt, 0, &b);
	seed("hpke_open", "empty", b.p, b.len);
	/* A real sealed share's info, no aad, as sealed.c makes them. */
	b.len = 0;
	info_len = sealed_info(0x51, "alice", "bob", 2, info);
	put_u8(&b, 0);
	put_u8(&b, (uint8_t)info_len);
	put_u8(&b, 0);
	put(&b, info, info_len);
	seal_fixed(0, 1, info, info_len, NULL, 0, pt, 16, &b);
	seed("hpke_open", "sealed-share", b.p, b.len);
	b.len = 0;
	put_u8(&b, 0x0b);
	put_u8(&b, 2);
	put_u8(&b, 2);
	put(&b, "ii", 2);
	put(&b, "aa", 2);
	put(&b, pt, 40);
	seed("hpke_open", "round-trip", b.p, b.len);

	/* sealed_open: each (D, sender, recipient) case, L = 1, 2, 4. */
	for (c = 0; c < 4; c++) {
		char name[32];
		uint64_t v[4] = { 1, 2, FIELD_P - 1, 0 };
		uint8_t ptv[32];

		L = c == 0 ? 1 : c == 1 ? 2 : 4;
		for (i = 0; i < L; i++) {
			int k;

			for (k = 0; k < 8; k++)
				ptv[8 * i + (size_t)k] = (uint8_t)(v[i] >> (8 * k));
		}
		info_len = sealed_info(sessions[c], from[c] ? "bob" : "alice",
		    to[c] ? "bob" : "alice", L, info);
		b.len = 0;
		put_u8(&b, (uint8_t)(c << 1));
		seal_fixed(from[c], to[c], info, info_len, NULL, 0, ptv, 8 * L, &b);
		snprintf(name, sizeof(name), "case%d-L%zu", c, L);
		seed("sealed_open", name, b.p, b.len);
	}
	b.len = 0;
	put_u8(&b, 1);
	put(&b, pt, 24);
	seed("sealed_open", "round-trip", b.p, b.len);
	free(b.p);
}

/* ---- statements and invite codes ------------------------------------------- */

/* statement_encode of s, appended to b. */
static void
put_statement(struct bytes *b, const struct statement *s)
{
	struct buf_writer w;
	struct ss_error err;

	buf_writer_init(&w, STATEMENT_BODY_MAX);
	if (statement_encode(s, &w, &err) != SS_OK) {
		fprintf(stderr, "make-seeds: %s\n", ss_error_msg(&err));
		exit(1);
	}
	put(b, w.data, w.len);
	buf_writer_free(&w);
}

static void
statement_seeds(void)
{
	static const uint8_t bitmap5[1] = { 0x0b }, bitmap9[2] = { 0xfe, 0x01 };
	uint8_t digests[3 * STATEMENT_HASH_LEN];
	struct bytes b = { NULL, 0, 0 };
	struct statement s;
	uint32_t pos;

	fill(digests, sizeof(digests), 7);
	memset(&s, 0, sizeof(s));
	memset(s.d, 0x11, sizeof(s.d));
	memset(s.signer, 0x5e, sizeof(s.signer));
	/* SUBMITs of positions 1, 2, 3 of n = 3: each alone, in order, out of order. */
	s.type = STATEMENT_SUBMIT;
	s.n = 3;
	s.digests = digests;
	for (pos = 1; pos <= 3; pos++) {
		s.position = pos;
		put_statement(&b, &s);
	}
	seed("statement", "submits-in-order", b.p, b.len);
	b.len = 0;
	s.position = 2;
	put_statement(&b, &s);
	seed("statement", "submit", b.p, b.len);
	s.position = 1;
	put_statement(&b, &s);
	seed("statement", "submits-out-of-order", b.p, b.len);
	s.type = STATEMENT_COHORT;
	s.n = 5;
	s.cohort = bitmap5;
	fill(s.submits, sizeof(s.submits), 8);
	b.len = 0;
	put_statement(&b, &s);
	seed("statement", "cohort-5", b.p, b.len);
	s.n = 9;
	s.cohort = bitmap9;
	b.len = 0;
	put_statement(&b, &s);
	seed("statement", "cohort-9", b.p, b.len);
	s.type = STATEMENT_SUMPOINT;
	s.position = 4;
	s.length = 1000;
	fill(s.cohort_digest, sizeof(s.cohort_digest), 9);
	fill(s.values_digest, sizeof(s.values_digest), 10);
	b.len = 0;
	put_statement(&b, &s);
	seed("statement", "sumpoint", b.p, b.len);
	free(b.p);
}

static void
invite_seeds(void)
{
	uint8_t d[PARAMS_DIGEST_LEN];
	char code[INVITE_CODE_BUF], odd[2 * INVITE_CODE_BUF];
	size_t i, k = 0;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 37 + 1);
	invite_encode(d, code);
	seed("invite", "code", (const uint8_t *)code, strlen(code));
	/* Upper case, dashes moved and doubled: the same D. */
	for (i = 0; code[i] != '\0'; i++) {
		if (code[i] == '-' && i > 4)
			continue;
		odd[k++] = i > 3 && code[i] >= 'a' && code[i] <= 'z' ?
		    (char)(code[i] - 'a' + 'A') : code[i];
		if (i % 5 == 0 && i > 4)
			odd[k++] = '-';
	}
	seed("invite", "upper-dashes", (const uint8_t *)odd, k);
	seed("invite", "truncated", (const uint8_t *)code, strlen(code) - 3);
	code[2] = '3';
	seed("invite", "version-3", (const uint8_t *)code, strlen(code));
}

/* ---- a party's state folder ------------------------------------------------ */

/* harness.c's files, in its order (which % PF_COUNT names one). */
enum {
	PS_PARTY, PS_D1, PS_D2, PS_LIST_ALICE, PS_CERTS, PS_TMP, PS_KEPT,
	PS_LIST_NAME, PS_LIST_MALLORY
};

static const char *const pstate_names[] = {
	"party",
	"d-1111111111111111111111111111111111111111111111111111111111111111",
	"d-2222222222222222222222222222222222222222222222222222222222222222",
	"s-alice+payroll", "certs", "tmp-1-d-x",
	"k-1111111111111111111111111111111111111111111111111111111111111111",
	"s-payroll", "s-mallory+payroll",
};

/* The bytes of file which in dir (at most 64 KiB). */
static size_t
pstate_file(const char *dir, int which, uint8_t *buf, size_t cap)
{
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, pstate_names[which]);
	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	if (n == cap)
		die("pstate file size");
	return n;
}

/*
 * Puts file which of dir as a record of fuzz_pstate's input: without its
 * SHA-256 and with bit 7 set (the harness appends it), or whole (raw).
 */
static void
put_pstate_file(struct bytes *b, const char *dir, int which, int raw)
{
	uint8_t buf[1 << 16];
	size_t n = pstate_file(dir, which, buf, sizeof(buf));

	if (!raw)
		n -= 32;
	put_u8(b, (uint8_t)(which | (raw ? 0 : 0x80)));
	put_u8(b, (uint8_t)(n >> 8));
	put_u8(b, (uint8_t)n);
	put(b, buf, n);
}

/*
 * An input recorded under D1 is salted at random; the salt is replaced by
 * a fixed one (and the digest made again), so that the seeds are the same
 * at every run. off is where the salt stands in the file.
 */
static void
fix_salt(const char *dir, int which, size_t off)
{
	uint8_t buf[1 << 16], both[64];
	unsigned int hlen = 0;
	char path[512];
	size_t n = pstate_file(dir, which, buf, sizeof(buf));
	FILE *f;

	memset(both, 0x5a, 32);
	memset(both + 32, 0x33, 32);    /* harness.c's pstate_h */
	memcpy(buf + off, both, 32);
	if (EVP_Digest(both, 64, buf + off + 32, &hlen, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(buf, n - 32, buf + n - 32, &hlen, EVP_sha256(), NULL) != 1)
		die("EVP_Digest");
	snprintf(path, sizeof(path), "%s/%s", dir, pstate_names[which]);
	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/*
 * Puts, as file which of fuzz_pstate's input (bit 7: the harness appends
 * the SHA-256), dir's list of the NAME payroll as a version before this
 * one kept it in s-CREATOR+NAME: the same layout with the session id `id`
 * in place of the NAME (PARTY-STATE.md, s-NAME). The client reads such
 * lists and never writes one any more, so they are made here.
 */
static void
put_older_list(struct bytes *b, const char *dir, int which, const char *id)
{
	uint8_t buf[1 << 16];
	size_t n = pstate_file(dir, PS_LIST_NAME, buf, sizeof(buf));
	size_t from = 20 + 4 + strlen("payroll"), rest = n - 32 - from;
	struct buf_writer w;

	buf_writer_init(&w, sizeof(buf));
	buf_put(&w, "SSPSTATE", 8);
	buf_put_u32(&w, 1);
	buf_put_u32(&w, 3);
	buf_put_u32(&w, (uint32_t)(4 + strlen(id) + rest));
	buf_put_string(&w, id);
	buf_put(&w, buf + from, rest);
	if (buf_writer_error(&w) != SS_OK)
		die("older list");
	put_u8(b, (uint8_t)(which | 0x80));
	put_u8(b, (uint8_t)(w.len >> 8));
	put_u8(b, (uint8_t)w.len);
	put(b, w.data, w.len);
	buf_writer_free(&w);
}

/*
 * A submission as the share step keeps it under D1: party 1's SUBMIT of
 * a session of 5 (statement_encode), naming the SHA-256 of each of the 5
 * ciphertexts of L = 1 (stand-in bytes: pstate never opens them), and a
 * stand-in DER signature. The buffers are the caller's.
 */
static void
seed_submission(struct pstate_submission *sub, uint8_t *cts, size_t clen,
    uint8_t sig[70], struct buf_writer *body)
{
	uint8_t digests[5 * STATEMENT_HASH_LEN];
	struct ss_error err;
	struct statement s;
	unsigned int hlen = 0;
	size_t i;

	fill(cts, 5 * clen, 11);
	for (i = 0; i < 5; i++)
		if (EVP_Digest(cts + i * clen, clen, digests + i * 32, &hlen,
		    EVP_sha256(), NULL) != 1)
			die("EVP_Digest");
	memset(&s, 0, sizeof(s));
	s.type = STATEMENT_SUBMIT;
	memset(s.d, 0x11, sizeof(s.d));
	memset(s.signer, 0x5e, sizeof(s.signer));
	s.position = 1;
	s.n = 5;
	s.digests = digests;
	buf_writer_init(body, STATEMENT_BODY_MAX);
	if (statement_encode(&s, body, &err) != SS_OK) {
		fprintf(stderr, "make-seeds: %s\n", ss_error_msg(&err));
		exit(1);
	}
	/* SEQUENCE { INTEGER r, INTEGER s }, 32 bytes each: 70 bytes of DER. */
	fill(sig, 70, 12);
	memcpy(sig, "\x30\x44\x02\x20", 4);
	memcpy(sig + 36, "\x02\x20", 2);
	sig[4] &= 0x7f;
	sig[38] &= 0x7f;
	memset(sub, 0, sizeof(*sub));
	sub->body = body->data;
	sub->body_len = body->len;
	sub->sig = sig;
	sub->sig_len = 70;
	sub->cts = cts;
	sub->n = 5;
	sub->clen = clen;
}

static void
pstate_die(const struct ss_error *err)
{
	fprintf(stderr, "make-seeds: %s\n", ss_error_msg(err));
	exit(1);
}

/* Fills one cache entry of kind, fingerprint fp. */
static void
cert_entry(struct pstate_cert *c, enum pstate_cert_kind kind, uint8_t fp,
    const char *name)
{
	memset(c, 0, sizeof(*c));
	memset(c->fingerprint, fp, sizeof(c->fingerprint));
	memset(c->ca, 0xca, sizeof(c->ca));
	c->kind = kind;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->not_after = UINT64_C(1900000000);
	c->verified_at = UINT64_C(1700000000);
	c->serial_len = 16;
	memset(c->serial, 0x42, c->serial_len);
	if (kind == PSTATE_CERT_ENC)
		memset(c->pk, 0x9b, sizeof(c->pk));
}

static void
pstate_seeds(void)
{
	static const char *const sid = "alice/payroll";
	static const uint8_t bitmap[1] = { 0x0b };
	static const int folder[] = { PS_PARTY, PS_D1, PS_LIST_NAME, PS_CERTS };
	static const int kept[] = { PS_PARTY, PS_D1, PS_LIST_NAME, PS_KEPT };
	char dir[] = "/tmp/ss-seeds-p-XXXXXX", cmd[128];
	uint8_t d1[32], h[32], submits[32], values[32], sig[70];
	uint8_t cts[5 * (48 + 8)];
	struct bytes b = { NULL, 0, 0 };
	struct pstate_submission sub;
	struct pstate_cert certs[2];
	struct buf_writer body;
	struct ss_error err;
	struct pstate *st;
	size_t i;

	memset(d1, 0x11, sizeof(d1));
	memset(h, 0x33, sizeof(h));
	memset(submits, 0x55, sizeof(submits));
	memset(values, 0x66, sizeof(values));
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	cert_entry(&certs[0], PSTATE_CERT_TLS, 0x10, "bob");
	cert_entry(&certs[1], PSTATE_CERT_ENC, 0x20, "bob");
	if (5 * sealed_len(1) != sizeof(cts))
		die("sealed_len(1)");
	seed_submission(&sub, cts, sealed_len(1), sig, &body);
	if (pstate_open(dir, "alice", &st, &err) != SS_OK ||
	    pstate_record_cohort(st, d1, sid, 5, bitmap, submits, &err) != SS_OK)
		pstate_die(&err);
	/* The cohort alone under D1; the party file alone; bob's party file. */
	put_pstate_file(&b, dir, PS_PARTY, 0);
	put_pstate_file(&b, dir, PS_D1, 0);
	seed("pstate", "cohort", b.p, b.len);
	b.len = 0;
	put_pstate_file(&b, dir, PS_D1, 0);
	seed("pstate", "records-without-party", b.p, b.len);
	/*
	 * The share step: the submission kept, the input listed under the
	 * NAME and recorded with the SUBMIT's digest; loading it succeeds.
	 */
	if (pstate_record_submission(st, d1, sid, h, &sub, &err) != SS_OK)
		pstate_die(&err);
	buf_writer_free(&body);
	fix_salt(dir, PS_D1, 20 + 32 + 4 + strlen(sid) + 1);
	fix_salt(dir, PS_LIST_NAME, 20 + 4 + strlen("payroll") + 4 + 32);
	b.len = 0;
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		put_pstate_file(&b, dir, kept[i], 0);
	seed("pstate", "kept", b.p, b.len);
	/* The input in the older lists of alice/payroll and mallory/payroll. */
	b.len = 0;
	put_pstate_file(&b, dir, PS_PARTY, 0);
	put_older_list(&b, dir, PS_LIST_ALICE, sid);
	seed("pstate", "older-list", b.p, b.len);
	b.len = 0;
	put_pstate_file(&b, dir, PS_PARTY, 0);
	put_older_list(&b, dir, PS_LIST_MALLORY, "mallory/payroll");
	seed("pstate", "older-list-other-creator", b.p, b.len);
	/* The sumpoint drops the copy: a SUBMIT on record, its copy gone. */
	if (pstate_record_sumpoint(st, d1, sid, values, &err) != SS_OK ||
	    pstate_cert_put(st, certs, 2, UINT64_C(1700000000), &err) != SS_OK)
		pstate_die(&err);
	pstate_close(st);
	/* Everything, bodies reached (bit 7), then the files whole. */
	b.len = 0;
	for (i = 0; i < sizeof(folder) / sizeof(folder[0]); i++)
		put_pstate_file(&b, dir, folder[i], 0);
	put_u8(&b, PS_TMP);
	put_u8(&b, 0);
	put_u8(&b, 3);
	put(&b, "tmp", 3);
	seed("pstate", "folder", b.p, b.len);
	b.len = 0;
	for (i = 0; i < sizeof(folder) / sizeof(folder[0]); i++)
		put_pstate_file(&b, dir, folder[i], 1);
	seed("pstate", "folder-raw", b.p, b.len);
	seed("pstate", "empty", NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		die(cmd);
	/* Another party's folder. */
	if (mkdtemp(strcpy(dir, "/tmp/ss-seeds-p-XXXXXX")) == NULL)
		die("mkdtemp");
	if (pstate_open(dir, "bob", &st, &err) != SS_OK)
		pstate_die(&err);
	pstate_close(st);
	b.len = 0;
	put_pstate_file(&b, dir, PS_PARTY, 0);
	seed("pstate", "another-party", b.p, b.len);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		die(cmd);
	free(b.p);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-seeds OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die(outdir);
	rpc_seeds();
	hpke_seeds();
	statement_seeds();
	invite_seeds();
	pstate_seeds();
	return 0;
}
