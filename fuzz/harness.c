/*
 * harness.c: how each fuzz target drives secure-sum, and the invariants it
 * checks after every input; see harness.h. Built into every fuzz target and
 * included by tests/unit/test_fuzz_regressions.c, which replays saved inputs.
 *
 * Input formats (all integers big-endian):
 *
 *   rpc_frame     the bytes are one frame body (a Request), handled for the
 *                 caller "alice" against a fresh store with default limits.
 *   rpc_seq       records, each: u8 ctl, u32 frame length, frame body. ctl
 *                 bits 0-1 pick the caller (alice, bob, carol, dave), bits
 *                 2-6 move the clock forward by that many seconds, bit 7 has
 *                 the caller first publish its real encryption certificate.
 *                 A length over the frame limit ends the input as the server
 *                 ends such a connection; a short last frame is ignored.
 *   rpc_replay    as rpc_seq, with the journal on; then the journal is
 *                 replayed into a fresh store that must equal the live one.
 *   journal       u8 flags, then the journal files. flags bit 0 rewrites
 *                 the checksum of every whole record so that mutations
 *                 reach the replay; bits 1-3 are the snapshot's journal
 *                 sequence; bits 4-5 say which files (jfiles_split).
 *   client_wire   u8 method selector (1 + b % 8, or 9 + b % 2 for b >=
 *                 0xf0), then a Response body;
 *                 what the client accepts must read the same with protobuf-c.
 *   snapshot_raw  the whole file, checksum included.
 *   snapshot      the file without its checksum; the harness appends a
 *                 correct SHA-256 so that mutations reach the parser.
 *   hpke_open     u8 flags, u8 info length, u8 aad length, info, aad, then
 *                 enc || ciphertext || tag (flags bit 0 clear), or a
 *                 plaintext to seal, open and tamper with (bit 0 set).
 *   sealed_open   u8 flags, then a sealed vector (bit 0 clear) or values to
 *                 seal and open (bit 0 set). Bits 1-2 pick (session digest,
 *                 sender, recipient); bit 7 makes L = bits 3-6 + 1 instead of the
 *                 length the ciphertext implies.
 *   request_view  one frame body, for the in-place readers and request_decode.
 *   statement     one statement body (core/statement.h); the input cut before
 *                 every later "secure-sum/v2 " is also a set of SUBMIT bodies
 *                 for statement_submits_digest.
 *   spki          one certificate, DER, for spki_p256_point and
 *                 spki_x25519_key; on a certificate d2i_X509 reads, they
 *                 must read OpenSSL's key or none.
 *   invite        an invite code (the bytes up to the first NUL).
 *   pstate        files of a party's state folder, each: u8 which, u16
 *                 length, bytes. which % 9 names the file (party, d-D1,
 *                 d-D2, s-alice+payroll, certs, a crash's tmp- file, k-D1,
 *                 s-payroll, s-mallory+payroll); bit 7 appends the SHA-256
 *                 the file must end in, so that a mutated body reaches its
 *                 decoder. A later file of one name replaces the earlier.
 *
 * The rpc targets verify against a real CA: scripts/mkcerts.sh makes one,
 * with certificates for the four callers, in a temporary folder at the first
 * call (SS_SOURCE_ROOT names the repository when not run from its top).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <xxhash.h>

#include "err.h"
#include "field.h"
#include "frame.h"
#include "hpke.h"
#include "invite.h"
#include "bigmem.h"
#include "buf.h"
#include "disk.h"
#include "journal.h"
#include "journal_file.h"
#include "journal_mark.h"
#include "keys.h"
#include "membership.h"
#include "pbwire.h"
#include "name.h"
#include "params.h"
#include "pki.h"
#include "pstate.h"
#include "request.h"
#include "request_view.h"
#include "rpc.h"
#include "sealed.h"
#include "snapshot.h"
#include "spki.h"
#include "statement.h"
#include "store.h"
#include "securesum.pb-c.h"
#include "wire.h"

#include "harness.h"

#ifndef FUZZ_SOURCE_ROOT
#define FUZZ_SOURCE_ROOT "."
#endif

#define NCALLERS     4
#define BASE_MS      UINT64_C(1700000000000)
#define SEQ_MAX_FRAME (1u << 20)

static const char *const callers[NCALLERS] = { "alice", "bob", "carol", "dave" };

/* ---- failure ----------------------------------------------------------- */

static void harness_fail(const char *what, const char *detail) __attribute__((noreturn));

static void
harness_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz invariant: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

#define CHECK(cond, detail) \
	do { if (!(cond)) harness_fail(#cond, (detail)); } while (0)

/* ---- temporary folders ------------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A fresh folder in TMPDIR, else on tmpfs when there is one (snapshots
 * fsync), else in /tmp.
 */
static void
make_temp_dir(char *out, size_t outlen, const char *tag)
{
	const char *base = getenv("TMPDIR");
	struct stat sb;

	if ((base == NULL || base[0] == '\0') && stat("/dev/shm", &sb) == 0 &&
	    S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	if ((size_t)snprintf(out, outlen, "%s/ss-fuzz-%s-XXXXXX", base, tag) >= outlen ||
	    mkdtemp(out) == NULL)
		harness_fail("cannot make a temporary folder", strerror(errno));
}

static void
write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		harness_fail("cannot write", path);
	if (n > 0 && fwrite(p, 1, n, f) != n) {
		fclose(f);
		harness_fail("cannot write", path);
	}
	if (fclose(f) != 0)
		harness_fail("cannot write", path);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		harness_fail("cannot read", path);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(p, cap)) == NULL)
				harness_fail("out of memory", NULL);
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return p;
}

/* ---- the PKI the rpc targets verify against ---------------------------- */

static struct {
	int ready;
	char dir[512];
	X509_STORE *ca;
	uint8_t *publish[NCALLERS];     /* packed PublishKey request */
	size_t publish_len[NCALLERS];
} pki;

static void
pki_cleanup(void)
{
	int i;

	for (i = 0; i < NCALLERS; i++)
		free(pki.publish[i]);
	X509_STORE_free(pki.ca);
	rm_tree(pki.dir);
	memset(&pki, 0, sizeof(pki));
}

static void
pki_init(void)
{
	const char *root = getenv("SS_SOURCE_ROOT");
	char cmd[2048];
	uint8_t *der;
	size_t der_len;
	int i;

	if (pki.ready)
		return;
	pki.ready = 1;
	atexit(pki_cleanup);
	if (root == NULL)
		root = FUZZ_SOURCE_ROOT;
	make_temp_dir(pki.dir, sizeof(pki.dir), "pki");
	if ((size_t)snprintf(cmd, sizeof(cmd), "'%s/scripts/mkcerts.sh' --out '%s/certs' "
	    "alice bob carol dave >/dev/null 2>&1", root, pki.dir) >= sizeof(cmd) ||
	    system(cmd) != 0 ||
	    (size_t)snprintf(cmd, sizeof(cmd), "%s/certs", pki.dir) >= sizeof(cmd) ||
	    (pki.ca = pki_ca_store(cmd, NULL)) == NULL) {
		/* Still a real store, so the verification code runs. */
		fprintf(stderr, "fuzz: no test CA (%s/scripts/mkcerts.sh failed); "
		    "using an empty X509_STORE\n", root);
		if ((pki.ca = X509_STORE_new()) == NULL)
			harness_fail("X509_STORE_new", NULL);
		return;
	}
	for (i = 0; i < NCALLERS; i++) {
		Securesum__Request req = SECURESUM__REQUEST__INIT;
		Securesum__PublishKeyRequest body = SECURESUM__PUBLISH_KEY_REQUEST__INIT;

		if (pki_load_enc_cert(cmd, callers[i], &der, &der_len) != SS_OK)
			harness_fail("cannot load an encryption certificate", callers[i]);
		body.certificate.data = der;
		body.certificate.len = der_len;
		req.id = 1000 + (uint64_t)i;
		req.method = SECURESUM__METHOD__PUBLISH_KEY;
		req.body_case = SECURESUM__REQUEST__BODY_PUBLISH_KEY;
		req.publish_key = &body;
		pki.publish_len[i] = securesum__request__get_packed_size(&req);
		if ((pki.publish[i] = malloc(pki.publish_len[i])) == NULL)
			harness_fail("out of memory", NULL);
		securesum__request__pack(&req, pki.publish[i]);
		free(der);
	}
}

/* ---- rpc: output sink and response checks ------------------------------ */

struct sink {
	ProtobufCBuffer base;
	uint8_t *p;
	size_t len, cap;
};

static void
sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct sink *k = (struct sink *)b;

	if (len > SIZE_MAX - k->len)
		harness_fail("response size overflows", NULL);
	if (k->len + len > k->cap) {
		size_t ncap = k->cap ? k->cap : 4096;

		while (ncap < k->len + len)
			ncap *= 2;
		if ((k->p = realloc(k->p, ncap)) == NULL)
			harness_fail("out of memory", NULL);
		k->cap = ncap;
	}
	if (len > 0)
		memcpy(k->p + k->len, data, len);
	k->len += len;
}

static struct sink out_sink = { { sink_append }, NULL, 0, 0 };

static uint64_t clock_ms = BASE_MS;

static uint64_t
fake_now(void)
{
	return clock_ms;
}

/* 1 if p[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, surrogates). */
static int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k, need;
	uint32_t c;

	while (i < n) {
		uint8_t b = p[i++];

		if (b < 0x80)
			continue;
		if (b >= 0xc2 && b <= 0xdf) {
			need = 1;
			c = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			c = b & 0x0f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			c = b & 0x07;
		} else
			return 0;
		if (n - i < need)
			return 0;
		for (k = 0; k < need; k++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i++] & 0x3f);
		}
		if ((need == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (need == 3 && (c < 0x10000 || c > 0x10ffff)))
			return 0;
	}
	return 1;
}

static int
known_code(int code)
{
	switch (code) {
	case ST_OK: case ST_INVALID_ARGUMENT: case ST_DEADLINE_EXCEEDED:
	case ST_NOT_FOUND: case ST_ALREADY_EXISTS: case ST_PERMISSION_DENIED:
	case ST_RESOURCE_EXHAUSTED: case ST_FAILED_PRECONDITION:
	case ST_INTERNAL: case ST_UNAVAILABLE: case ST_UNAUTHENTICATED:
		return 1;
	default:
		return 0;
	}
}

/*
 * The sink must hold exactly one frame: a length prefix that matches, then
 * a Response that protobuf-c itself reads back. req is the request as
 * protobuf-c reads it (NULL when it is not one: then the response must have
 * close_code and close the connection); the response must echo its id,
 * carry the body of its method when OK, and none otherwise.
 */
static void
check_response(const Securesum__Request *req, enum rpc_after after, int close_code)
{
	Securesum__Response *resp;
	uint32_t n;

	CHECK(out_sink.len >= FRAME_HEADER_LEN, "no response frame");
	CHECK(frame_get_header(out_sink.p, UINT32_MAX, &n) == SS_OK, NULL);
	CHECK((size_t)n == out_sink.len - FRAME_HEADER_LEN,
	    "the length prefix does not match the frame");
	resp = securesum__response__unpack(NULL, n, out_sink.p + FRAME_HEADER_LEN);
	CHECK(resp != NULL, "the server wrote a Response protobuf-c cannot read");
	CHECK(known_code((int)resp->code), "unknown status code");
	CHECK(resp->message != NULL &&
	    utf8_valid((const uint8_t *)resp->message, strlen(resp->message)),
	    "Response.message is not valid UTF-8 (proto3 strings must be)");
	if (req == NULL) {
		CHECK(after == RPC_CLOSE, "a frame that is no Request must close");
		CHECK((int)resp->code == close_code, NULL);
		CHECK(resp->body_case == SECURESUM__RESPONSE__BODY__NOT_SET, NULL);
	} else {
		CHECK(after == RPC_CONTINUE, "a Request must not close the connection");
		CHECK(resp->id == req->id, "the response does not echo the id");
		if (resp->code != SECURESUM__CODE__OK)
			CHECK(resp->body_case == SECURESUM__RESPONSE__BODY__NOT_SET,
			    "an error response carries a body");
		else
			CHECK((int)resp->body_case == (int)req->method + 9,
			    "an OK response lacks its method's body");
	}
	securesum__response__free_unpacked(resp, NULL);
	out_sink.len = 0;
}

/* ---- store invariants ---------------------------------------------------- */

/*
 * The store's lists by name (membership.h): each name walks exactly the
 * sessions that list it, in creation order, and only names some session
 * lists have an entry.
 */
static void
check_members(const struct store *s)
{
	struct membership_walk w;
	const struct session *got;
	size_t i, j, names = 0;
	uint32_t p;

	for (i = 0; i < s->nsessions; i++)
		for (p = 0; p < s->sessions[i]->p.n; p++) {
			const char *name = s->sessions[i]->p.parties[p];

			for (j = 0; j < i; j++)
				if (session_party_index(s->sessions[j], name) >= 0)
					break;
			if (j < i)
				continue;       /* walked at its first session */
			names++;
			got = membership_first(&s->members, name, &w);
			for (j = 0; j < s->nsessions; j++) {
				if (session_party_index(s->sessions[j], name) < 0)
					continue;
				CHECK(got == s->sessions[j], "a party's list of "
				    "sessions is not the sessions that list it");
				got = membership_next(&w);
			}
			CHECK(got == NULL, "a party's list holds a session "
			    "that does not list it");
		}
	CHECK(s->members.used == names, "a list by name for a name no "
	    "session lists");
}

/*
 * What must hold of the store after any request, and of any snapshot the
 * loader accepts: byte accounting, names, and the rules of the phases.
 */
static void
check_store(const struct store *s)
{
	uint64_t bytes = 0, meta = 0;
	size_t i, j;
	uint32_t p;

	CHECK(s->nsessions <= s->lim.max_sessions, NULL);
	CHECK(s->nkeys <= s->lim.max_keys, NULL);
	for (i = 0; i < s->nkeys; i++) {
		const struct key_entry *e = &s->keys[i];

		CHECK(name_valid(e->name), "a key under an invalid name");
		CHECK(store_get_key(s, e->name) == e, "the directory's index "
		    "does not find a key");
		CHECK(e->der != NULL && e->der_len > 0 &&
		    e->der_len <= s->lim.max_cert_bytes, NULL);
		for (j = 0; j < i; j++)
			CHECK(strcmp(s->keys[j].name, e->name) != 0,
			    "two keys under one name");
		/* What the store counts for a key (keys.c): its signing
		 * certificate too, when it has one. */
		bytes += e->der_len + (e->sign_der != NULL ? e->sign_len : 0);
	}
	for (i = 0; i < s->nsessions; i++) {
		const struct session *se = s->sessions[i];
		size_t shared = 0, cohort = 0, posted = 0, cohort_posted = 0;

		CHECK(session_id_valid(se->p.id), "a session with an invalid id");
		for (j = 0; j < i; j++)
			CHECK(strcmp(s->sessions[j]->p.id, se->p.id) != 0,
			    "two sessions with one id");
		CHECK(se->p.n >= 2 && se->p.n <= s->lim.max_parties, NULL);
		CHECK(se->p.threshold >= 1 && se->p.threshold < se->p.n, NULL);
		CHECK(se->p.length >= 1 && se->p.length <= s->lim.max_length, NULL);
		CHECK(se->ct_len == sealed_len(se->p.length), NULL);
		CHECK(session_repeated_party(se) == NULL, "a party listed twice");
		if (se->p.v2)
			CHECK(se->deadline_unix == se->p.deadline_unix &&
			    se->p.deadline_seconds == 0, "a version-2 deadline "
			    "other than its parameter's");
		else
			CHECK((se->deadline_unix == 0) ==
			    (se->p.deadline_seconds == 0), "a deadline without "
			    "deadline_seconds, or the reverse");
		CHECK(statements_consistent(se), "statements the rules do "
		    "not leave");
		for (p = 0; p < se->p.n; p++) {
			CHECK(name_valid(se->p.parties[p]), "an invalid party name");
			CHECK(session_party_index(se, se->p.parties[p]) == (long)p,
			    "the name index does not find a party");
			shared += se->shares[p] != NULL;
			cohort += se->in_cohort[p] != 0;
			posted += se->sumpoints[p] != NULL;
			if (se->in_cohort[p])
				CHECK(se->shares[p] != NULL, "a cohort member without shares");
			if (se->in_cohort[p] && se->sumpoints[p] != NULL)
				cohort_posted++;
			if (se->sumpoints[p] != NULL) {
				uint32_t e;

				for (e = 0; e < se->p.length; e++)
					CHECK(se->sumpoints[p][e] < FIELD_P, NULL);
			}
		}
		switch (se->phase) {
		case PHASE_SHARING:
			CHECK(cohort == 0, "a cohort while sharing");
			CHECK(posted == 0, "a sumpoint while sharing");
			CHECK(shared < se->p.n, "everyone shared but the cohort is open");
			break;
		case PHASE_AGGREGATING:
		case PHASE_COMPLETE:
			CHECK(cohort == shared, "the cohort is not who shared");
			CHECK(cohort >= session_min_cohort(se),
			    "a cohort smaller than min_cohort (t + 1 in version 1)");
			CHECK((cohort_posted == cohort) == (se->phase == PHASE_COMPLETE),
			    "COMPLETE is not \"every cohort member posted\"");
			break;
		case PHASE_FAILED:
			CHECK(cohort == 0 && posted == 0, "a failed session with state");
			CHECK(shared < session_min_cohort(se),
			    "failed with enough shares");
			CHECK(se->deadline_unix != 0, "failed without a deadline");
			break;
		default:
			harness_fail("a session in an unknown phase", se->p.id);
		}
		CHECK(memchr(se->fail_reason, '\0', sizeof(se->fail_reason)) != NULL, NULL);
		bytes += session_bytes(se);
		meta += session_meta_bytes(se);
	}
	CHECK(bytes == s->stored_bytes, "stored_bytes is not what the store holds");
	CHECK(meta == s->meta_bytes, "meta_bytes is not the sessions' "
	    "bookkeeping");
	check_members(s);
}

/* ---- rpc targets --------------------------------------------------------- */

/* A response's store-held bytes (rpc_held_fn), copied: nothing is kept. */
static void
out_held(ProtobufCBuffer *b, size_t len, const uint8_t *data,
    struct session *owner)
{
	CHECK(owner != NULL, "store-held bytes without their session");
	b->append(b, len, data);
}

static void
rpc_one(struct rpc_server *srv, const char *caller, const uint8_t *frame, size_t len)
{
	Securesum__Request *req;
	enum rpc_after after;
	struct rpc_frame owned = { bigmem_alloc(len, 0), len };

	/* What the server must make of the frame: proto3's reading of it. */
	if (request_decode(NULL, frame, len, &req) != SS_OK)
		req = NULL;
	CHECK(owned.p != NULL, "out of memory");
	memcpy(owned.p, frame, len);
	out_sink.len = 0;
	/* The server's path: the frame in its own buffer, which the store may keep. */
	after = rpc_handle_frame(srv, caller, &owned, &out_sink.base,
	    out_held);
	bigmem_free(owned.p);
	check_response(req, after, ST_INVALID_ARGUMENT);
	if (req != NULL)
		securesum__request__free_unpacked(req, NULL);
	check_store(srv->store);
	CHECK(srv->store->stored_bytes <= srv->store->lim.max_stored_bytes, NULL);
}

static struct store *
new_store(void)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	if ((s = store_new(&lim)) == NULL)
		harness_fail("out of memory", NULL);
	return s;
}

int
fuzz_rpc_frame(const uint8_t *data, size_t len)
{
	struct rpc_server srv;
	uint8_t hdr[FRAME_HEADER_LEN];
	uint32_t n;

	pki_init();
	/* The frame header, both ways. */
	if (len >= FRAME_HEADER_LEN) {
		if (frame_get_header(data, FRAME_DEFAULT_MAX, &n) == SS_OK) {
			frame_put_header(hdr, n);
			CHECK(memcmp(hdr, data, FRAME_HEADER_LEN) == 0, NULL);
			CHECK(n <= FRAME_DEFAULT_MAX, NULL);
		} else
			CHECK(((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			    (uint32_t)data[2] << 8 | data[3]) > FRAME_DEFAULT_MAX, NULL);
	}
	clock_ms = BASE_MS;
	memset(&srv, 0, sizeof(srv));   /* no epoch, no GetServerInfo figures */
	srv.store = new_store();
	srv.ca = pki.ca;
	srv.now_ms = fake_now;
	rpc_one(&srv, "alice", data, len);
	store_free(srv.store);
	return 0;
}

/* Runs the records of an rpc_seq input against srv. */
static void
run_records(struct rpc_server *srv, const uint8_t *data, size_t len)
{
	size_t off = 0;
	uint32_t n;

	clock_ms = BASE_MS;
	while (off < len) {
		uint8_t ctl = data[off++];
		int who = ctl & 3;

		clock_ms += (uint64_t)((ctl >> 2) & 0x1f) * 1000;
		if ((ctl & 0x80) && pki.publish[who] != NULL)
			rpc_one(srv, callers[who], pki.publish[who], pki.publish_len[who]);
		if (len - off < FRAME_HEADER_LEN)
			break;
		if (frame_get_header(data + off, SEQ_MAX_FRAME, &n) != SS_OK) {
			/* What the server sends before it hangs up. */
			out_sink.len = 0;
			rpc_write_error(0, ST_RESOURCE_EXHAUSTED, "frame over the limit",
			    &out_sink.base);
			check_response(NULL, RPC_CLOSE, ST_RESOURCE_EXHAUSTED);
			break;
		}
		off += FRAME_HEADER_LEN;
		if (n > len - off)
			break;
		rpc_one(srv, callers[who], data + off, n);
		off += n;
	}
}

int
fuzz_rpc_seq(const uint8_t *data, size_t len)
{
	struct rpc_server srv;

	pki_init();
	memset(&srv, 0, sizeof(srv));   /* no epoch, no GetServerInfo figures */
	srv.store = new_store();
	srv.ca = pki.ca;
	srv.now_ms = fake_now;
	run_records(&srv, data, len);
	store_free(srv.store);
	return 0;
}

/* ---- the journal --------------------------------------------------------- */

static struct {
	int ready;
	char dir[512];                  /* the journal's folder */
	char snap_a[512], snap_b[512];  /* snapshots to compare */
} jnl;

static void
jnl_cleanup(void)
{
	rm_tree(jnl.dir);
	rm_tree(jnl.snap_a);
	rm_tree(jnl.snap_b);
	memset(&jnl, 0, sizeof(jnl));
}

static void
jnl_init(void)
{
	if (jnl.ready)
		return;
	jnl.ready = 1;
	atexit(jnl_cleanup);
	make_temp_dir(jnl.dir, sizeof(jnl.dir), "jnl");
	make_temp_dir(jnl.snap_a, sizeof(jnl.snap_a), "snapa");
	make_temp_dir(jnl.snap_b, sizeof(jnl.snap_b), "snapb");
}

/* Empties the journal's folder: every run starts from what it writes. */
static void
jnl_clear(void)
{
	rm_tree(jnl.dir);
	if (mkdir(jnl.dir, 0700) != 0)
		harness_fail("cannot make the journal's folder again", jnl.dir);
}

static void quiet_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
quiet_log(const char *fmt, ...)
{
	(void)fmt;
}

/* The bytes of s's snapshot, written in dir. */
static uint8_t *
snapshot_bytes(const struct store *s, const char *dir, size_t *len)
{
	char path[600];
	struct ss_error err;

	if (snapshot_write(s, dir, &err) != SS_OK)
		harness_fail("snapshot_write", ss_error_msg(&err));
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	return slurp(path, len);
}

/*
 * Opens the journal in jnl.dir into fresh, which must succeed and give the
 * very state live holds (the same snapshot bytes).
 */
static void
replays_to(const struct store *live, struct store *fresh, const char *why_open,
    const char *why_differs)
{
	struct journal *j;
	struct ss_error err;
	uint8_t *a, *b;
	size_t alen, blen;

	if (journal_open(&j, jnl.dir, fresh, FSYNC_ALWAYS, quiet_log, &err) != SS_OK)
		harness_fail(why_open, ss_error_msg(&err));
	journal_close(j);
	check_store(fresh);
	a = snapshot_bytes(live, jnl.snap_a, &alen);
	b = snapshot_bytes(fresh, jnl.snap_b, &blen);
	CHECK(alen == blen && memcmp(a, b, alen) == 0, why_differs);
	free(a);
	free(b);
}

/*
 * rpc_seq with the journal on: the requests run against a store that logs
 * every change, then the journal is replayed into a fresh store, which must
 * succeed and give the very state the live store holds (same snapshot).
 */
int
fuzz_rpc_replay(const uint8_t *data, size_t len)
{
	struct rpc_server srv;
	struct store_log log;
	struct journal *j;
	struct store *again;
	struct ss_error err;

	pki_init();
	jnl_init();
	jnl_clear();
	memset(&srv, 0, sizeof(srv));   /* no epoch, no GetServerInfo figures */
	srv.store = new_store();
	srv.ca = pki.ca;
	srv.now_ms = fake_now;
	if (journal_open(&j, jnl.dir, srv.store, FSYNC_ALWAYS, quiet_log,
	    &err) != SS_OK)
		harness_fail("journal_open of a new journal", ss_error_msg(&err));
	log = journal_store_log(j);
	store_set_log(srv.store, &log);
	run_records(&srv, data, len);
	journal_close(j);
	store_set_log(srv.store, NULL);

	again = new_store();
	replays_to(srv.store, again, "the journal of a live run does not replay",
	    "the replayed journal gives another state than the live store");
	store_free(again);
	store_free(srv.store);
	return 0;
}

/*
 * Rewrites the checksum of every whole record (see server/journal_file.h),
 * in the byte order of the file's version (big-endian up to 3).
 */
static void
fix_journal_checksums(uint8_t *d, size_t len)
{
	struct buf_reader r;
	size_t off = 12;
	int be;

	if (len < 12)
		return;
	be = disk_version(d + 8, JOURNAL_LAST_BIG_ENDIAN) <= JOURNAL_LAST_BIG_ENDIAN;
	while (len - off >= 20) {
		XXH3_state_t *st;
		uint32_t plen;
		uint64_t h;

		buf_reader_init(&r, d + off, 4);
		buf_reader_big_endian(&r, be);
		if (buf_get_u32(&r, &plen) != SS_OK)
			harness_fail("a 4-byte read", NULL);
		if (plen > len - off - 20)
			break;
		if ((st = XXH3_createState()) == NULL ||
		    XXH3_64bits_reset(st) != XXH_OK ||
		    XXH3_64bits_update(st, d + off + 4, 8) != XXH_OK ||
		    XXH3_64bits_update(st, d + off + 20, plen) != XXH_OK)
			harness_fail("XXH3", NULL);
		h = XXH3_64bits_digest(st);
		(void)XXH3_freeState(st);
		if (be)
			buf_store_uint(d + off + 12, 8, 1, h);
		else
			buf_store_u64(d + off + 12, h);
		off += 20 + (size_t)plen;
	}
}

/* One journal file of a fuzz_journal input. */
struct jfile {
	char path[700];
	uint64_t first;         /* the name's number; 0 for journal.bin */
	uint8_t *data;
	size_t len;
};

#define JFILES_MAX 4

/*
 * Splits the input after the flags byte into journal files. Bits 4-5 of
 * flags: 0 one segment journal.<1>.bin, 1 one journal.bin (an upgrade),
 * 2-3 up to JFILES_MAX files, each u8 first (0: journal.bin, else
 * journal.<first>.bin), u16 length, bytes (the last cut at the input's
 * end); a name given twice keeps the first.
 */
static size_t
jfiles_split(const uint8_t *d, size_t len, uint8_t flags, struct jfile *f)
{
	size_t n = 0, i, take;
	uint64_t first;

	while (n < JFILES_MAX) {
		if ((flags >> 4 & 3) < 2) {
			first = (flags >> 4 & 3) == 0 ? 1 : 0;
			take = len;
		} else {
			if (len < 3)
				break;
			first = d[0];
			take = (size_t)d[1] << 8 | d[2];
			d += 3;
			len -= 3;
			if (take > len)
				take = len;
		}
		for (i = 0; i < n && f[i].first != first; i++)
			;
		if (i == n) {
			if (first == 0)
				snprintf(f[n].path, sizeof(f[n].path), "%s/%s", jnl.dir,
				    JOURNAL_FILE);
			else
				snprintf(f[n].path, sizeof(f[n].path), "%s/"
				    JOURNAL_SEGMENT_FMT, jnl.dir, (unsigned long long)first);
			f[n].first = first;
			if ((f[n].data = malloc(take + 1)) == NULL)
				harness_fail("out of memory", NULL);
			if (take > 0)
				memcpy(f[n].data, d, take);
			f[n].len = take;
			n++;
		}
		d += take;
		len -= take;
		if ((flags >> 4 & 3) < 2)
			break;
	}
	return n;
}

/*
 * How many entries dir holds, journal.newest and journal.synced aside: they
 * only name the newest segment made and how far it was synced, and come
 * with the first one.
 */
static size_t
dir_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		harness_fail("cannot list", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "journal.newest") != 0 &&
		    strcmp(de->d_name, JOURNAL_MARK_FILE) != 0)
			n++;
	closedir(d);
	return n;
}

/* A refusal names one of the files and leaves every file as it was. */
static void
check_refusal(const struct jfile *f, size_t n, const struct ss_error *err)
{
	uint8_t *after;
	size_t i, after_len;
	int named = 0;

	for (i = 0; i < n; i++) {
		named |= strstr(err->msg, f[i].path) != NULL;
		after = slurp(f[i].path, &after_len);
		CHECK(after_len == f[i].len && (after_len == 0 ||
		    memcmp(after, f[i].data, after_len) == 0),
		    "a refused journal was changed");
		free(after);
	}
	/* Or the new segment it could not make (never here: no I/O fault). */
	CHECK(named, "the refusal does not name a journal file");
	CHECK(dir_entries(jnl.dir) == n, "a refused start left a file");
}

/* Whether d begins with the header of a journal version before this one. */
static int
older_header(const uint8_t *d, size_t len)
{
	uint32_t v;

	if (len < JOURNAL_FILE_HEADER || memcmp(d, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0)
		return 0;
	v = disk_version(d + JOURNAL_MAGIC_LEN, JOURNAL_LAST_BIG_ENDIAN);
	return v >= JOURNAL_OLDEST_READ && v < JOURNAL_VERSION;
}

/*
 * After an accepted start only the newest file may have changed: a torn
 * tail cut off, or a header made whole or of this version (a file that
 * holds no record).
 */
static void
check_changes(const struct jfile *f, size_t n, size_t newest)
{
	uint8_t hdr[JOURNAL_FILE_HEADER], *after;
	size_t i, after_len;

	journal_file_header(hdr);
	for (i = 0; i < n; i++) {
		after = slurp(f[i].path, &after_len);
		if (after_len == f[i].len && memcmp(after, f[i].data, after_len) == 0) {
			free(after);
			continue;
		}
		CHECK(i == newest, "journal_open changed a segment other than the newest");
		if (after_len < f[i].len && memcmp(after, f[i].data, after_len) == 0)
			;       /* a torn tail cut off */
		else if (after_len == sizeof(hdr) && memcmp(after, hdr, sizeof(hdr)) == 0)
			CHECK(f[i].len < sizeof(hdr) ? journal_header_prefix(f[i].data,
			    f[i].len) : older_header(f[i].data, f[i].len),
			    "journal_open rewrote more than a header without records");
		else
			CHECK(0, "journal_open changed more than a torn tail");
		free(after);
	}
	CHECK(dir_entries(jnl.dir) <= n + 1, "journal_open made more than one segment");
}

/*
 * The state j replayed into s survives a snapshot and a restart; after a
 * snapshot in the folder, a new segment and the removal of the older ones
 * replay to the same state. Closes j.
 */
static void
check_snapshot_after(struct store *s, struct journal *j)
{
	struct store_limits lim;
	struct store *back = NULL;
	struct ss_error err;
	size_t len;

	free(snapshot_bytes(s, jnl.snap_a, &len));
	store_default_limits(&lim);
	if (snapshot_load(jnl.snap_a, &lim, &back, &err) != SS_OK)
		harness_fail("a replayed journal gives a snapshot the server refuses",
		    ss_error_msg(&err));
	check_store(back);
	store_free(back);
	back = NULL;
	if (snapshot_write(s, jnl.dir, &err) != SS_OK)
		harness_fail("snapshot_write", ss_error_msg(&err));
	if (journal_start_segment(j) != SS_OK ||
	    journal_remove_segments(j, s->journal_seq) != SS_OK)
		harness_fail("a new segment after a snapshot",
		    ss_error_msg(journal_error(j)));
	CHECK(!journal_has_records(j), "segments are left after a snapshot");
	CHECK(dir_entries(jnl.dir) == 2, "other files than the snapshot and a segment");
	journal_close(j);
	if (snapshot_load(jnl.dir, &lim, &back, &err) != SS_OK)
		harness_fail("the folder's snapshot does not load", ss_error_msg(&err));
	replays_to(s, back, "the journal after a snapshot does not open",
	    "the state after a snapshot and its removal differs");
	store_free(back);
}

/*
 * u8 flags (bit 0: fix the checksums; bits 1-3: the store's snapshot
 * sequence; bits 4-5: the files, see jfiles_split), then the journal files.
 * What journal_open accepts must be a consistent state that the server can
 * snapshot and load again; only the newest file may have been changed (see
 * check_changes). What it refuses it names, and leaves every file as it
 * was. After a snapshot in the folder, journal_remove_segments must leave
 * what replays to the same state.
 */
int
fuzz_journal(const uint8_t *data, size_t len)
{
	struct jfile f[JFILES_MAX];
	struct journal *j;
	struct store *s;
	struct ss_error err;
	size_t n, i, newest = 0;

	if (len < 1)
		return 0;
	jnl_init();
	jnl_clear();
	n = jfiles_split(data + 1, len - 1, data[0], f);
	for (i = 0; i < n; i++) {
		if (data[0] & 1)
			fix_journal_checksums(f[i].data, f[i].len);
		write_file(f[i].path, f[i].data, f[i].len);
		/* journal.bin is the oldest; segments sort by number. */
		if (f[i].first > f[newest].first)
			newest = i;
	}
	s = new_store();
	s->journal_seq = (uint64_t)((data[0] >> 1) & 7);
	ss_error_clear(&err);
	if (journal_open(&j, jnl.dir, s, FSYNC_ALWAYS, quiet_log, &err) != SS_OK) {
		check_refusal(f, n, &err);
	} else {
		check_store(s);
		check_changes(f, n, newest);
		check_snapshot_after(s, j);
	}
	store_free(s);
	for (i = 0; i < n; i++)
		free(f[i].data);
	return 0;
}

/* ---- client response decoding ----------------------------------------- */

static void
check_names(const struct wire_names *l, size_t max_items)
{
	size_t i;

	CHECK(l->n <= l->cap || (l->n == 0 && l->cap == 0), NULL);
	CHECK(l->n <= max_items, "more names than the limit");
	for (i = 0; i < l->n; i++)
		CHECK(memchr(l->v[i], '\0', sizeof(l->v[i])) != NULL, "an unterminated name");
}

/* n bytes at p equal protobuf-c's bytes field b. */
static int
same_bytes(const uint8_t *p, size_t n, const ProtobufCBinaryData *b)
{
	return n == b->len && (n == 0 || memcmp(p, b->data, n) == 0);
}

/* A name list decoded by client/wire.c equals protobuf-c's. */
static void
same_names(const struct wire_names *l, char **v, size_t n, const char *what)
{
	size_t i;

	CHECK(l->n == n, what);
	for (i = 0; i < n; i++)
		CHECK(strcmp(l->v[i], v[i]) == 0, what);
}

/*
 * Counts the occurrences of field `tag` at the top level of a well-formed
 * message; *last is the value of the last one when it is length-delimited.
 * Stops (returning what it counted) at anything malformed.
 */
static size_t
field_count(const uint8_t *buf, size_t len, uint32_t tag, const uint8_t **last,
    size_t *last_len)
{
	size_t off = 0, n = 0;

	while (off < len) {
		uint64_t key = 0, v = 0;
		unsigned shift = 0, k;

		for (k = 0; off < len && k < 10; k++, shift += 7) {
			key |= (uint64_t)(buf[off] & 0x7f) << (shift < 63 ? shift : 63);
			if (!(buf[off++] & 0x80))
				break;
		}
		if (k == 10 || (off == len && (buf[off - 1] & 0x80)))
			return n;
		switch (key & 7) {
		case 0:
			while (off < len && (buf[off] & 0x80))
				off++;
			off++;
			break;
		case 1:
			off += 8;
			break;
		case 5:
			off += 4;
			break;
		case 2:
			shift = 0;
			for (k = 0; off < len && k < 10; k++, shift += 7) {
				v |= (uint64_t)(buf[off] & 0x7f) << (shift < 63 ? shift : 63);
				if (!(buf[off++] & 0x80))
					break;
			}
			if (off > len || v > len - off)
				return n;
			if ((key >> 3) == tag) {
				*last = buf + off;
				*last_len = (size_t)v;
			}
			off += (size_t)v;
			break;
		default:
			return n;
		}
		if (off > len)
			return n;
		n += (key >> 3) == tag;
	}
	return n;
}

/*
 * body is the response body both decoders read. protobuf-c 1.4 (Debian 12)
 * does not merge two occurrences of a singular message field as protobuf
 * says: the second one's unset numbers come out 0 instead of keeping the
 * first one's. nanopb gets it right, so when params occurs more than once,
 * its numbers are not compared.
 */
static void
same_params(const struct wire_response *r, const Securesum__SessionParams *m,
    const uint8_t *body, size_t body_len)
{
	const uint8_t *p;
	size_t plen;

	CHECK(r->has_params == (m != NULL), "params present in one decoder only");
	if (m == NULL)
		return;
	CHECK(strcmp(r->params.session_id, m->session_id) == 0, "params.session_id");
	same_names(&r->params.parties, m->parties, m->n_parties, "params.parties");
	if (field_count(body, body_len, 1, &p, &plen) > 1)
		return;
	CHECK(r->params.threshold == m->threshold && r->params.length == m->length &&
	    r->params.decimals == m->decimals &&
	    r->params.deadline_seconds == m->deadline_seconds &&
	    r->params.min_cohort == m->min_cohort &&
	    r->params.deadline_unix == m->deadline_unix, "params numbers");
	CHECK(same_bytes(r->params.nonce, r->params.nonce_len, &m->nonce),
	    "params.nonce");
}

/* A statement decoded by client/wire.c equals protobuf-c's (NULL: none). */
static void
same_stmt(const struct wire_stmt *w, const Securesum__Statement *m,
    const char *what)
{
	if (m == NULL) {
		CHECK(w->body_len == 0 && w->sig_len == 0, what);
		return;
	}
	CHECK(same_bytes(w->body, w->body_len, &m->body) &&
	    same_bytes(w->sig, w->sig_len, &m->signature), what);
}

/* The signed cohorts of a GetCohort or ListSumpoints answer. */
static void
same_signed(const struct wire_response *r, Securesum__SignedCohort **v,
    size_t n)
{
	size_t i;

	CHECK(r->nsigned == n, "number of cohort signatures");
	for (i = 0; i < n; i++) {
		CHECK(strcmp(r->signed_[i].party, v[i]->party) == 0,
		    "cohort signer");
		same_stmt(&r->signed_[i].stmt, v[i]->cohort, "cohort statement");
	}
}

/* The version-2 fields of a GetStatus answer. */
static void
same_status_v2(const struct wire_response *r,
    const Securesum__GetStatusResponse *b)
{
	size_t i;

	same_names(&r->signers, b->signers, b->n_signers, "signers");
	CHECK(same_bytes(r->digest, r->digest_len, &b->digest), "digest");
	CHECK(r->nconflicts == b->n_conflicts, "number of conflicts");
	for (i = 0; i < b->n_conflicts; i++) {
		CHECK(strcmp(r->conflicts[i].party, b->conflicts[i]->party) == 0,
		    "conflict party");
		same_stmt(&r->conflicts[i].first, b->conflicts[i]->first,
		    "conflict first");
		same_stmt(&r->conflicts[i].second, b->conflicts[i]->second,
		    "conflict second");
	}
}

/*
 * Differential check: what client/wire.c (nanopb, hand-walked envelope)
 * accepts, protobuf-c (the server's decoder) must read as the same message.
 * The client may refuse more (limits, NULs, another method's body), never
 * accept something else.
 */
/*
 * Walks buf as a message of desc the strict way (varints of at most 10
 * bytes, lengths within bounds) and returns 1 if it finds one of the two
 * leniencies of nanopb itself that protobuf-c does not share:
 *   - pb_skip_field() skips a varint of any length, so an over-long varint
 *     in an unknown field is passed over;
 *   - a field key or a length prefix may take up to 10 bytes (a
 *     sign-extended 32-bit varint, or zeros padded with 0x80 bytes), where
 *     protobuf-c allows 5;
 *   - a field decoded through a callback (every string, bytes and repeated
 *     field of client/wire.c) is handed to the callback whatever its wire
 *     type: a varint where a name is expected becomes the name's bytes.
 * Neither lets a response say more than a well-formed one could, so they
 * are reported (fuzz/README.md), not held against the client here.
 */
static int
nanopb_leniency(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *desc,
    int depth)
{
	size_t off = 0;

	while (off < len) {
		uint64_t key = 0, v = 0;
		unsigned shift = 0, k;
		const ProtobufCFieldDescriptor *f;
		int wt, want;

		for (k = 0;; k++) {
			if (off >= len)
				return 0;
			if (k == 5)
				return 1;
			key |= (uint64_t)(buf[off] & 0x7f) << (shift < 63 ? shift : 63);
			shift += 7;
			if (!(buf[off++] & 0x80))
				break;
		}
		wt = (int)(key & 7);
		f = desc != NULL && (key >> 3) <= UINT32_MAX ?
		    protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3)) : NULL;
		switch (wt) {
		case 0:
			for (k = 0;; k++) {
				if (off >= len)
					return 0;
				if (k == 10)
					return 1;
				if (!(buf[off++] & 0x80))
					break;
			}
			break;
		case 1:
		case 5:
			if (len - off < (wt == 1 ? 8u : 4u))
				return 0;
			off += wt == 1 ? 8 : 4;
			break;
		case 2:
			shift = 0;
			for (k = 0;; k++) {
				if (off >= len)
					return 0;
				if (k == 5)
					return 1;
				v |= (uint64_t)(buf[off] & 0x7f) << (shift < 63 ? shift : 63);
				shift += 7;
				if (!(buf[off++] & 0x80))
					break;
			}
			if (v > len - off)
				return 0;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE && depth < 8 &&
			    nanopb_leniency(buf + off, (size_t)v, f->descriptor, depth + 1))
				return 1;
			off += (size_t)v;
			break;
		default:
			return 0;
		}
		if (f == NULL)
			continue;
		switch (f->type) {
		case PROTOBUF_C_TYPE_STRING:
		case PROTOBUF_C_TYPE_BYTES:
		case PROTOBUF_C_TYPE_MESSAGE:
			want = 2;
			break;
		case PROTOBUF_C_TYPE_FIXED64:
		case PROTOBUF_C_TYPE_SFIXED64:
		case PROTOBUF_C_TYPE_DOUBLE:
			want = 1;
			break;
		case PROTOBUF_C_TYPE_FIXED32:
		case PROTOBUF_C_TYPE_SFIXED32:
		case PROTOBUF_C_TYPE_FLOAT:
			want = 5;
			break;
		default:
			want = 0;
			break;
		}
		if (wt != want && !(f->label == PROTOBUF_C_LABEL_REPEATED && wt == 2))
			return 1;
	}
	return 0;
}

static void
same_as_protobuf_c(const uint8_t *buf, size_t len, int method,
    const struct wire_response *r)
{
	Securesum__Response *m = securesum__response__unpack(NULL, len, buf);
	const uint8_t *body;
	size_t i, body_len;

	if (m == NULL &&
	    nanopb_leniency(buf, len, &securesum__response__descriptor, 0))
		return;
	CHECK(m != NULL, "client/wire.c accepted a Response protobuf-c refuses");
	body = NULL;
	body_len = 0;
	(void)field_count(buf, len, (uint32_t)method + 9, &body, &body_len);
	CHECK(m->id == r->id, "id differs");
	CHECK((int)m->code == r->code, "code differs");
	CHECK(strcmp(m->message, r->message) == 0, "message differs");
	CHECK(r->has_body == ((int)m->body_case == method + 9),
	    "a body in one decoder only");
	if (!r->has_body)
		goto out;
	switch (method) {
	case SECURESUM__METHOD__CREATE_SESSION:
		CHECK(r->created == (int)m->create_session->created &&
		    r->deadline_unix == m->create_session->deadline_unix &&
		    same_bytes(r->digest, r->digest_len,
		    &m->create_session->digest), "CreateSession");
		break;
	case SECURESUM__METHOD__POST_COHORT:
		CHECK(r->duplicate == (int)m->post_cohort->duplicate, "PostCohort");
		break;
	case SECURESUM__METHOD__GET_COHORT:
		same_names(&r->cohort, m->get_cohort->cohort,
		    m->get_cohort->n_cohort, "cohort");
		same_signed(r, m->get_cohort->signatures,
		    m->get_cohort->n_signatures);
		break;
	case SECURESUM__METHOD__SUBMIT_SHARES:
		CHECK(r->duplicate == (int)m->submit_shares->duplicate, "SubmitShares");
		break;
	case SECURESUM__METHOD__POST_SUMPOINT:
		CHECK(r->duplicate == (int)m->post_sumpoint->duplicate, "PostSumpoint");
		break;
	case SECURESUM__METHOD__PUBLISH_KEY:
		CHECK(r->duplicate == (int)m->publish_key->duplicate, "PublishKey");
		break;
	case SECURESUM__METHOD__GET_SHARE: {
		const Securesum__GetShareResponse *b = m->get_share;

		CHECK(r->nshares == b->n_shares, "number of shares");
		for (i = 0; i < b->n_shares; i++) {
			CHECK(strcmp(r->shares[i].sender, b->shares[i]->sender) == 0, "sender");
			CHECK(r->shares[i].ct_len == b->shares[i]->ciphertext.len &&
			    (r->shares[i].ct_len == 0 || memcmp(r->shares[i].ct,
			    b->shares[i]->ciphertext.data, r->shares[i].ct_len) == 0),
			    "ciphertext");
			same_stmt(&r->shares[i].submit, b->shares[i]->submit,
			    "SUBMIT");
		}
		break;
	}
	case SECURESUM__METHOD__LIST_SUMPOINTS: {
		const Securesum__ListSumpointsResponse *b = m->list_sumpoints;

		same_params(r, b->params, body, body_len);
		same_names(&r->cohort, b->cohort, b->n_cohort, "cohort");
		CHECK(r->nsumpoints == b->n_sumpoints, "number of sumpoints");
		for (i = 0; i < b->n_sumpoints; i++) {
			const Securesum__Sumpoint *p = b->sumpoints[i];

			CHECK(strcmp(r->sumpoints[i].party, p->party) == 0, "sumpoint party");
			CHECK(r->sumpoints[i].x == p->x, "sumpoint x");
			CHECK(r->sumpoints[i].values.n == p->n_values &&
			    (p->n_values == 0 || memcmp(r->sumpoints[i].values.v,
			    p->values, p->n_values * sizeof(uint64_t)) == 0),
			    "sumpoint values");
			same_stmt(&r->sumpoints[i].stmt, p->statement, "SUMPOINT");
		}
		same_signed(r, b->cohort_signatures, b->n_cohort_signatures);
		break;
	}
	case SECURESUM__METHOD__GET_STATUS: {
		const Securesum__GetStatusResponse *b = m->get_status;

		same_params(r, b->params, body, body_len);
		CHECK(r->phase == (int)b->phase, "phase");
		CHECK(r->deadline_unix == b->deadline_unix, "deadline");
		same_names(&r->cohort, b->cohort, b->n_cohort, "cohort");
		same_names(&r->shared, b->shared, b->n_shared, "shared");
		same_names(&r->posted, b->posted, b->n_posted, "posted");
		same_names(&r->missing, b->missing, b->n_missing, "missing");
		same_status_v2(r, b);
		break;
	}
	case SECURESUM__METHOD__GET_KEYS: {
		const Securesum__GetKeysResponse *b = m->get_keys;

		CHECK(r->nkeys == b->n_keys, "number of keys");
		for (i = 0; i < b->n_keys; i++) {
			CHECK(strcmp(r->keys[i].party, b->keys[i]->party) == 0, "key party");
			CHECK(r->keys[i].der_len == b->keys[i]->certificate.len &&
			    (r->keys[i].der_len == 0 || memcmp(r->keys[i].der,
			    b->keys[i]->certificate.data, r->keys[i].der_len) == 0),
			    "certificate");
			CHECK(same_bytes(r->keys[i].sig_der, r->keys[i].sig_der_len,
			    &b->keys[i]->signing_certificate),
			    "signing certificate");
		}
		break;
	}
	default:
		harness_fail("unknown method", NULL);
	}
out:
	securesum__response__free_unpacked(m, NULL);
}

int
fuzz_client_wire(const uint8_t *data, size_t len)
{
	static const struct wire_limits lim = { 64, 8192, 4096, 8192 };
	struct wire_response r;
	struct ss_error err;
	size_t i;
	int method, rc;

	if (len < 1)
		return 0;
	/*
	 * The version-2 methods only from selectors 0xf0 up, so that every
	 * input saved before they existed still picks the method it did.
	 */
	method = data[0] >= 0xf0 ? WIRE_POST_COHORT + data[0] % 2 :
	    1 + data[0] % 8;
	ss_error_clear(&err);
	rc = wire_decode_response(data + 1, len - 1, method, &lim, &r, &err);
	if (rc != SS_OK) {
		CHECK(err.msg[0] != '\0', "a refusal without a reason");
		CHECK(rc < 0, NULL);
	}
	/* Whatever the outcome, what it holds is bounded and terminated. */
	CHECK(memchr(r.message, '\0', sizeof(r.message)) != NULL, NULL);
	CHECK(r.nshares <= lim.max_items && r.nsumpoints <= lim.max_items &&
	    r.nkeys <= lim.max_items && r.nsigned <= lim.max_items &&
	    r.nconflicts <= lim.max_items, "more entries than the limit");
	CHECK(r.digest_len <= sizeof(r.digest) &&
	    r.params.nonce_len <= sizeof(r.params.nonce), NULL);
	for (i = 0; i < r.nshares; i++) {
		CHECK(r.shares[i].ct_len <= lim.max_bytes, NULL);
		CHECK(memchr(r.shares[i].sender, '\0', sizeof(r.shares[i].sender)) != NULL, NULL);
	}
	for (i = 0; i < r.nsumpoints; i++) {
		CHECK(r.sumpoints[i].values.n <= lim.max_values, NULL);
		CHECK(memchr(r.sumpoints[i].party, '\0', sizeof(r.sumpoints[i].party)) != NULL, NULL);
	}
	for (i = 0; i < r.nkeys; i++)
		CHECK(r.keys[i].der_len <= lim.max_bytes, NULL);
	check_names(&r.params.parties, lim.max_items);
	check_names(&r.cohort, lim.max_items);
	check_names(&r.shared, lim.max_items);
	check_names(&r.posted, lim.max_items);
	check_names(&r.missing, lim.max_items);
	check_names(&r.signers, lim.max_items);
	if (rc == SS_OK && r.has_params)
		CHECK(memchr(r.params.session_id, '\0', sizeof(r.params.session_id)) != NULL, NULL);
	if (rc == SS_OK)
		same_as_protobuf_c(data + 1, len - 1, method, &r);
	wire_response_free(&r);
	return 0;
}

/* ---- snapshots ----------------------------------------------------------- */

static struct {
	int ready;
	char load_dir[512], write_dir[512];
	char load_path[600], write_path[600];
} snap;

static void
snap_cleanup(void)
{
	rm_tree(snap.load_dir);
	rm_tree(snap.write_dir);
	memset(&snap, 0, sizeof(snap));
}

static void
snap_init(void)
{
	if (snap.ready)
		return;
	snap.ready = 1;
	atexit(snap_cleanup);
	make_temp_dir(snap.load_dir, sizeof(snap.load_dir), "snap");
	make_temp_dir(snap.write_dir, sizeof(snap.write_dir), "snapw");
	snprintf(snap.load_path, sizeof(snap.load_path), "%s/%s", snap.load_dir, SNAPSHOT_FILE);
	snprintf(snap.write_path, sizeof(snap.write_path), "%s/%s", snap.write_dir, SNAPSHOT_FILE);
}

/* Packs a read request (GetStatus, ListSumpoints or GetShare) and runs it. */
static void
serve_read(struct rpc_server *srv, int method, const char *caller,
    const char *session_id)
{
	Securesum__Request req = SECURESUM__REQUEST__INIT;
	Securesum__GetStatusRequest gs = SECURESUM__GET_STATUS_REQUEST__INIT;
	Securesum__ListSumpointsRequest ls = SECURESUM__LIST_SUMPOINTS_REQUEST__INIT;
	Securesum__GetShareRequest gh = SECURESUM__GET_SHARE_REQUEST__INIT;
	uint8_t *buf;
	size_t n;

	req.id = 7;
	req.method = (Securesum__Method)method;
	switch (method) {
	case SECURESUM__METHOD__GET_STATUS:
		gs.session_id = (char *)session_id;
		req.body_case = SECURESUM__REQUEST__BODY_GET_STATUS;
		req.get_status = &gs;
		break;
	case SECURESUM__METHOD__LIST_SUMPOINTS:
		ls.session_id = (char *)session_id;
		req.body_case = SECURESUM__REQUEST__BODY_LIST_SUMPOINTS;
		req.list_sumpoints = &ls;
		break;
	default:
		gh.session_id = (char *)session_id;
		gh.party = (char *)caller;
		req.body_case = SECURESUM__REQUEST__BODY_GET_SHARE;
		req.get_share = &gh;
		break;
	}
	n = securesum__request__get_packed_size(&req);
	if ((buf = malloc(n)) == NULL)
		harness_fail("out of memory", NULL);
	securesum__request__pack(&req, buf);
	rpc_one(srv, caller, buf, n);
	free(buf);
}

/*
 * A loaded snapshot writes back to the very same bytes; one of an older
 * version (written back in this one) to bytes that load and write back to
 * themselves.
 */
static void
check_write_back(const struct store *s, const uint8_t *file, size_t len)
{
	struct store_limits lim;
	struct store *again = NULL;
	struct ss_error err;
	uint8_t *back, *twice;
	size_t back_len, twice_len;

	if (snapshot_write(s, snap.write_dir, &err) != SS_OK)
		harness_fail("cannot write back a loaded snapshot", ss_error_msg(&err));
	back = slurp(snap.write_path, &back_len);
	if (len >= 12 && disk_version(file + 8, SNAPSHOT_LAST_BIG_ENDIAN) ==
	    SNAPSHOT_VERSION) {
		CHECK(back_len == len && memcmp(back, file, len) == 0,
		    "a loaded snapshot does not write back to the same bytes");
		free(back);
		return;
	}
	store_default_limits(&lim);
	if (snapshot_load(snap.write_dir, &lim, &again, &err) != SS_OK)
		harness_fail("an older snapshot written back does not load",
		    ss_error_msg(&err));
	check_store(again);
	if (snapshot_write(again, snap.write_dir, &err) != SS_OK)
		harness_fail("cannot write back a loaded snapshot", ss_error_msg(&err));
	twice = slurp(snap.write_path, &twice_len);
	CHECK(twice_len == back_len && memcmp(twice, back, back_len) == 0,
	    "an older snapshot written back does not write back to the same bytes");
	store_free(again);
	free(twice);
	free(back);
}

/*
 * Loads snap.load_path (whose bytes are file[0..len)). What the loader
 * accepts must be consistent, must write back to the very same bytes (see
 * check_write_back), and must be servable.
 */
static void
snapshot_case(const uint8_t *file, size_t len)
{
	struct store_limits lim;
	struct rpc_server srv;
	struct store *s = NULL;
	struct ss_error err;
	size_t i;
	uint32_t p;
	int rc;

	store_default_limits(&lim);
	ss_error_clear(&err);
	rc = snapshot_load(snap.load_dir, &lim, &s, &err);
	if (rc != SS_OK) {
		CHECK(s == NULL, "a refused snapshot still gave a store");
		CHECK(strstr(err.msg, snap.load_path) != NULL,
		    "the refusal does not name the file");
		return;
	}
	CHECK(s != NULL, NULL);
	check_store(s);
	check_write_back(s, file, len);
	/* Serve the loaded state: a few reads per session. */
	pki_init();
	clock_ms = BASE_MS;
	memset(&srv, 0, sizeof(srv));   /* no epoch, no GetServerInfo figures */
	srv.store = s;
	srv.ca = pki.ca;
	srv.now_ms = fake_now;
	for (i = 0; i < s->nsessions && i < 4; i++) {
		struct session *se = s->sessions[i];
		char id[SESSION_ID_BUF];

		memcpy(id, se->p.id, sizeof(id));
		for (p = 0; p < se->p.n && p < 4; p++) {
			char who[NAME_BUF];

			memcpy(who, se->p.parties[p], sizeof(who));
			serve_read(&srv, SECURESUM__METHOD__GET_STATUS, who, id);
			serve_read(&srv, SECURESUM__METHOD__LIST_SUMPOINTS, who, id);
			serve_read(&srv, SECURESUM__METHOD__GET_SHARE, who, id);
		}
	}
	store_free(s);
}

int
fuzz_snapshot_raw(const uint8_t *data, size_t len)
{
	snap_init();
	write_file(snap.load_path, data, len);
	snapshot_case(data, len);
	return 0;
}

int
fuzz_snapshot(const uint8_t *data, size_t len)
{
	unsigned int hlen = 0;
	uint8_t *file;

	snap_init();
	if ((file = malloc(len + 32)) == NULL)
		harness_fail("out of memory", NULL);
	if (len > 0)
		memcpy(file, data, len);
	if (EVP_Digest(data, len, file + len, &hlen, EVP_sha256(), NULL) != 1 || hlen != 32)
		harness_fail("EVP_Digest", NULL);
	write_file(snap.load_path, file, len + 32);
	snapshot_case(file, len + 32);
	free(file);
	return 0;
}

/* ---- HPKE and sealed shares -------------------------------------------- */

void
fuzz_hpke_keys(int party, uint8_t sk[32], uint8_t pk[32])
{
	int i;

	for (i = 0; i < 32; i++)
		sk[i] = (uint8_t)(0x5a ^ (party * 37 + i * 11));
	if (hpke_public_key(sk, pk) != SS_OK)
		harness_fail("hpke_public_key", NULL);
}

/* The same keys prepared once for the _k variants (hpke_key_new). */
static struct hpke_key *prepared[NCALLERS];

static void
prepared_cleanup(void)
{
	int i;

	for (i = 0; i < NCALLERS; i++) {
		hpke_key_free(prepared[i]);
		prepared[i] = NULL;
	}
}

static const struct hpke_key *
fuzz_hpke_key(int party)
{
	uint8_t sk[32], pk[32], pk2[32];

	if (prepared[party] == NULL) {
		if (prepared[0] == NULL && prepared[1] == NULL &&
		    prepared[2] == NULL && prepared[3] == NULL)
			atexit(prepared_cleanup);
		fuzz_hpke_keys(party, sk, pk);
		if (hpke_key_new(sk, &prepared[party]) != SS_OK)
			harness_fail("hpke_key_new", NULL);
		hpke_key_public(prepared[party], pk2);
		CHECK(memcmp(pk, pk2, 32) == 0, "hpke_key_public differs from hpke_public_key");
	}
	return prepared[party];
}

int
fuzz_hpke_open(const uint8_t *data, size_t len)
{
	uint8_t skS[32], pkS[32], skR[32], pkR[32];
	const uint8_t *info, *aad, *in;
	size_t info_len, aad_len, in_len, pt_len;
	uint8_t flags, *pt, *sealed, *back;
	int rc;

	if (len < 3)
		return 0;
	flags = data[0];
	info_len = data[1];
	aad_len = data[2];
	if (len - 3 < info_len + aad_len)
		return 0;
	info = data + 3;
	aad = info + info_len;
	in = aad + aad_len;
	in_len = len - 3 - info_len - aad_len;
	fuzz_hpke_keys(0, skS, pkS);
	fuzz_hpke_keys(1, skR, pkR);

	if ((flags & 1) == 0) {
		/* Open whatever came; a wrong pt_len must be refused. */
		pt_len = in_len >= 48 ? in_len - 48 : (size_t)(flags >> 1);
		if ((pt = malloc(pt_len + 1)) == NULL)
			harness_fail("out of memory", NULL);
		rc = hpke_open_auth_k(fuzz_hpke_key(1), pkS, info, info_len, aad,
		    aad_len, in, in_len, pt, pt_len);
		if (in_len < 48)
			CHECK(rc == SS_ERR_INVALID, "a too-short input was not refused");
		free(pt);
		return 0;
	}
	/* Seal the rest, open it, then open it with one bit flipped. */
	pt_len = in_len;
	if ((sealed = malloc(pt_len + 48)) == NULL || (back = malloc(pt_len + 1)) == NULL)
		harness_fail("out of memory", NULL);
	rc = hpke_seal_auth_k(pkR, fuzz_hpke_key(0), info, info_len, aad, aad_len,
	    in, pt_len, sealed, pt_len + 48);
	CHECK(rc == SS_OK, "hpke_seal_auth_k failed");
	rc = hpke_open_auth_k(fuzz_hpke_key(1), pkS, info, info_len, aad, aad_len,
	    sealed, pt_len + 48, back, pt_len);
	CHECK(rc == SS_OK, "hpke_open_auth_k refused what hpke_seal_auth_k made");
	CHECK(pt_len == 0 || memcmp(back, in, pt_len) == 0, "the round trip changed the plaintext");
	sealed[(flags >> 1) % (pt_len + 48)] ^= (uint8_t)(1u << (flags & 7));
	rc = hpke_open_auth_k(fuzz_hpke_key(1), pkS, info, info_len, aad, aad_len,
	    sealed, pt_len + 48, back, pt_len);
	CHECK(rc != SS_OK, "a tampered ciphertext opened");
	/* The other party's key in either role must fail too. */
	sealed[(flags >> 1) % (pt_len + 48)] ^= (uint8_t)(1u << (flags & 7));
	rc = hpke_open_auth_k(fuzz_hpke_key(1), pkR, info, info_len, aad, aad_len,
	    sealed, pt_len + 48, back, pt_len);
	CHECK(rc != SS_OK, "opened with the wrong sender key");
	free(sealed);
	free(back);
	return 0;
}

/*
 * The (D, sender, recipient) cases of sealed_open: D is 32 bytes of dfill
 * (make-seeds.c seals its seeds with the same), and "another session" is
 * 32 bytes of SEALED_OTHER_D.
 */
static const struct {
	uint8_t dfill;
	int sender, recipient;
} sealed_cases[4] = {
	{ 0x51, 0, 1 }, { 0x9a, 0, 1 }, { 0x51, 1, 0 }, { 0x01, 1, 0 },
};
#define SEALED_OTHER_D 0xee

static const char *
hpke_party_name(int i)
{
	return callers[i];
}

int
fuzz_sealed_open(const uint8_t *data, size_t len)
{
	uint8_t skS[32], pkS[32], skR[32], pkR[32], flags;
	uint8_t session[SEALED_D_LEN], other[SEALED_D_LEN];
	const char *sender, *recipient;
	uint64_t *values, *back;
	const uint8_t *in;
	size_t in_len, L, i;
	int c, rc;

	if (len < 1)
		return 0;
	flags = data[0];
	in = data + 1;
	in_len = len - 1;
	c = (flags >> 1) & 3;
	memset(session, sealed_cases[c].dfill, sizeof(session));
	memset(other, SEALED_OTHER_D, sizeof(other));
	sender = hpke_party_name(sealed_cases[c].sender);
	recipient = hpke_party_name(sealed_cases[c].recipient);
	fuzz_hpke_keys(sealed_cases[c].sender, skS, pkS);
	fuzz_hpke_keys(sealed_cases[c].recipient, skR, pkR);

	if ((flags & 1) == 0) {
		if (flags & 0x80)
			L = (size_t)((flags >> 3) & 0xf) + 1;
		else
			L = in_len >= 56 ? (in_len - 48) / 8 : 1;
		if ((values = calloc(L, sizeof(*values))) == NULL)
			harness_fail("out of memory", NULL);
		rc = sealed_open(session, sender, recipient, L, skR, pkS, in,
		    in_len, values);
		/* The prepared-key variant must agree, value for value. */
		if ((back = calloc(L, sizeof(*back))) == NULL)
			harness_fail("out of memory", NULL);
		CHECK(sealed_open_k(session, sender, recipient, L,
		    fuzz_hpke_key(sealed_cases[c].recipient), pkS, in, in_len,
		    back) == rc, "sealed_open_k and sealed_open disagree");
		CHECK(rc != SS_OK || memcmp(values, back, L * sizeof(*back)) == 0,
		    "sealed_open_k opened other values");
		free(back);
		if (rc == SS_OK) {
			CHECK(in_len == sealed_len(L), NULL);
			for (i = 0; i < L; i++)
				CHECK(values[i] < FIELD_P, "an opened element is not below p");
		} else if (in_len != sealed_len(L))
			CHECK(rc == SS_ERR_INVALID, "a wrong length was not refused as such");
		free(values);
		return 0;
	}
	/* Round trip of the values the input spells, 8 bytes each. */
	L = in_len / 8;
	if (L == 0)
		return 0;
	if ((values = calloc(L, sizeof(*values))) == NULL ||
	    (back = calloc(L, sizeof(*back))) == NULL)
		harness_fail("out of memory", NULL);
	{
		uint8_t *sealed = malloc(sealed_len(L));
		int big = 0;

		if (sealed == NULL)
			harness_fail("out of memory", NULL);
		for (i = 0; i < L; i++) {
			uint64_t v = 0;
			int k;

			for (k = 0; k < 8; k++)
				v = v << 8 | in[8 * i + (size_t)k];
			values[i] = v;
			big |= v >= FIELD_P;
		}
		rc = sealed_seal(session, sender, recipient, values, L, skS, pkR,
		    sealed, sealed_len(L));
		if (big) {
			CHECK(rc == SS_ERR_RANGE, "an element >= p was sealed");
		} else {
			CHECK(rc == SS_OK, "sealed_seal failed");
			rc = sealed_open(session, sender, recipient, L, skR, pkS,
			    sealed, sealed_len(L), back);
			CHECK(rc == SS_OK, "sealed_open refused what sealed_seal made");
			CHECK(memcmp(back, values, L * sizeof(*values)) == 0,
			    "the round trip changed the values");
			/* Bound to the session, the sender, the recipient, L. */
			CHECK(sealed_open(other, sender, recipient, L, skR, pkS,
			    sealed, sealed_len(L), back) == SS_ERR_AUTH,
			    "opened under another session digest");
			CHECK(sealed_open(session, recipient, recipient, L, skR, pkS,
			    sealed, sealed_len(L), back) == SS_ERR_AUTH,
			    "opened under another sender name");
			/* Prepared-key sealing opens with the raw key. */
			CHECK(sealed_seal_k(session, sender, recipient, values, L,
			    fuzz_hpke_key(sealed_cases[c].sender), pkR, sealed,
			    sealed_len(L)) == SS_OK, "sealed_seal_k failed");
			CHECK(sealed_open(session, sender, recipient, L, skR, pkS,
			    sealed, sealed_len(L), back) == SS_OK &&
			    memcmp(back, values, L * sizeof(*values)) == 0,
			    "sealed_open does not open what sealed_seal_k made");
		}
		free(sealed);
	}
	free(values);
	free(back);
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

/* ---- request_view: in-place reading against request_decode --------------- */

static void
check_submit_view(const struct submit_view *v, const Securesum__Request *req)
{
	const Securesum__SubmitSharesRequest *m = req->submit_shares;
	size_t i;

	CHECK(req->method == SECURESUM__METHOD__SUBMIT_SHARES &&
	    req->body_case == SECURESUM__REQUEST__BODY_SUBMIT_SHARES, "method");
	CHECK(req->id == v->id && req->deadline_unix_ms == v->deadline_unix_ms, "id");
	CHECK(strcmp(m->session_id, v->session_id) == 0, "session_id");
	CHECK(strcmp(m->party, v->party) == 0, "party");
	CHECK(m->n_shares == v->n_shares, "share count");
	for (i = 0; i < m->n_shares; i++) {
		const Securesum__EncryptedShare *sh = m->shares[i];

		CHECK(strcmp(sh->recipient, v->shares[i].recipient) == 0, "recipient");
		CHECK(sh->ciphertext.len == v->shares[i].ct_len &&
		    (sh->ciphertext.len == 0 || memcmp(sh->ciphertext.data,
		    v->shares[i].ct, sh->ciphertext.len) == 0), "ciphertext");
	}
}

static void
check_sumpoint_view(const struct sumpoint_view *v, const Securesum__Request *req)
{
	const Securesum__PostSumpointRequest *m = req->post_sumpoint;
	size_t i;
	int b;

	CHECK(req->method == SECURESUM__METHOD__POST_SUMPOINT &&
	    req->body_case == SECURESUM__REQUEST__BODY_POST_SUMPOINT, "method");
	CHECK(req->id == v->id && req->deadline_unix_ms == v->deadline_unix_ms, "id");
	CHECK(strcmp(m->session_id, v->session_id) == 0, "session_id");
	CHECK(strcmp(m->party, v->party) == 0, "party");
	CHECK(m->n_values == v->n_values, "value count");
	for (i = 0; i < m->n_values; i++) {
		uint64_t x = 0;

		for (b = 7; b >= 0; b--)
			x = x << 8 | v->values[8 * i + (size_t)b];
		CHECK(x == m->values[i], "value");
	}
}

/* Appends a length-delimited field to buf, which has room for it. */
static size_t
put_len_field(uint8_t *buf, uint32_t field, const uint8_t *p, size_t n)
{
	uint64_t v[2] = { (uint64_t)field << 3 | PBWIRE_LEN, n };
	size_t k = 0, i;

	for (i = 0; i < 2; i++) {
		for (; v[i] >= 0x80; v[i] >>= 7)
			buf[k++] = (uint8_t)(v[i] | 0x80);
		buf[k++] = (uint8_t)v[i];
	}
	if (n > 0)
		memcpy(buf + k, p, n);
	return k + n;
}

/*
 * proto3's merge, checked without a second decoder: the canonical encoding
 * of a request, its body given in two parts cut at a field boundary (pick
 * chooses which) after an empty body of another case, means the request.
 */
static void
check_merge(const Securesum__Request *req, uint8_t pick)
{
	uint32_t body = (uint32_t)req->body_case, other = body == 10 ? 17 : 10;
	size_t n = securesum__request__get_packed_size(req), k, cut = 0, i;
	uint8_t *canon = malloc(n + 1), *split = malloc(n + 32);
	struct buf_reader r, payload;
	struct pbwire_field f;
	Securesum__Request *again;

	CHECK(canon != NULL && split != NULL, "out of memory");
	CHECK(securesum__request__pack(req, canon) == n, NULL);
	k = put_len_field(split, other, NULL, 0);
	buf_reader_init(&r, canon, n);
	memset(&payload, 0, sizeof(payload));
	while (buf_remaining(&r) > 0) {
		CHECK(pbwire_next(&r, 0, &f) == SS_OK, "protobuf-c packed a bad field");
		if (f.number == body)
			payload = f.value;
		else {
			memcpy(split + k, f.raw, f.raw_len);
			k += f.raw_len;
		}
	}
	/* the cut: after the (pick % 8)-th field of the body, or at its end */
	for (i = pick % 8u; i > 0 && buf_remaining(&payload) > 0; i--) {
		CHECK(pbwire_next(&payload, 1, &f) == SS_OK, NULL);
		cut = payload.off;
	}
	k += put_len_field(split + k, body, payload.data, cut);
	k += put_len_field(split + k, body, payload.data + cut, payload.len - cut);
	CHECK(request_decode(NULL, split, k, &again) == SS_OK,
	    "a request split in two is refused");
	n = securesum__request__get_packed_size(again);
	CHECK(n <= k, NULL);
	CHECK(securesum__request__pack(again, split) == n, NULL);
	CHECK(n == securesum__request__get_packed_size(req) &&
	    memcmp(split, canon, n) == 0, "a request split in two means another");
	securesum__request__free_unpacked(again, NULL);
	free(canon);
	free(split);
}

/*
 * A frame the in-place readers take must be one request_decode (rpc.c's
 * other path) decodes to the same request, field for field; and what that
 * decodes must survive being given in parts.
 */
int
fuzz_request_view(const uint8_t *data, size_t len)
{
	struct submit_view sv;
	struct sumpoint_view pv;
	Securesum__Request *req;
	int submit_ok, sumpoint_ok, decoded;

	submit_ok = submit_view_read(&sv, data, len, 1000) == SS_OK;
	sumpoint_ok = sumpoint_view_read(&pv, data, len) == SS_OK;
	CHECK(!(submit_ok && sumpoint_ok), "both readers took one frame");
	decoded = request_decode(NULL, data, len, &req) == SS_OK;
	CHECK(decoded || !(submit_ok || sumpoint_ok),
	    "read in place, but request_decode refuses the frame");
	if (submit_ok) {
		check_submit_view(&sv, req);
		submit_view_free(&sv);
	} else if (sumpoint_ok)
		check_sumpoint_view(&pv, req);
	if (decoded) {
		if (req->body_case != SECURESUM__REQUEST__BODY__NOT_SET)
			check_merge(req, len > 0 ? data[len - 1] : 0);
		securesum__request__free_unpacked(req, NULL);
	}
	return 0;
}

/* ---- statement: version-2 statement bodies ------------------------------- */

/*
 * The length statement.h's layout gives a body of s's type and n: what a
 * parsed body must measure.
 */
static size_t
statement_model_len(const struct statement *s)
{
	switch (s->type) {
	case STATEMENT_SUBMIT:
		return STATEMENT_SUBMIT_LEN(s->n);
	case STATEMENT_COHORT:
		return 121 + ((size_t)s->n + 7) / 8;
	case STATEMENT_SUMPOINT:
		return STATEMENT_SUMPOINT_LEN;
	}
	return 0;
}

/* 1 if the n bytes at p are all zero. */
static int
bytes_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n-- > 0)
		acc |= *p++;
	return acc == 0;
}

static void
sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int hlen = 0;

	if (EVP_Digest(p, n, out, &hlen, EVP_sha256(), NULL) != 1 || hlen != 32)
		harness_fail("EVP_Digest", NULL);
}

/* statement_encode of s into a fresh writer; the caller frees it. */
static int
statement_bytes(const struct statement *s, struct buf_writer *w)
{
	struct ss_error e;

	buf_writer_init(w, STATEMENT_BODY_MAX);
	return statement_encode(s, w, &e);
}

/*
 * What must hold of a body statement_parse accepted: it is exactly what
 * statement_encode writes for it, of the length the layout gives; no
 * shorter or longer body reads as a statement; it is the same as itself
 * and conflicts with nothing it is the same as; a change of content under
 * the same signer and D is a conflict, a change of signer none; and a
 * COHORT's cohort digest hashes its body without the signer.
 */
static void
check_statement(const uint8_t *body, size_t len, const struct statement *s)
{
	const char *name = statement_type_name(s->type);
	size_t head = sizeof(STATEMENT_CONTEXT) - 1 + strlen(name) + 1;
	uint8_t *longer, *copy = NULL, want[32], got[32];
	struct statement t, back;
	struct buf_writer w;

	CHECK(strcmp(name, "SUBMIT") == 0 || strcmp(name, "COHORT") == 0 ||
	    strcmp(name, "SUMPOINT") == 0, "a statement of no known type");
	CHECK(len == statement_model_len(s), "a body of another length than the layout's");
	CHECK(statement_bytes(s, &w) == SS_OK, "statement_encode refuses a parsed statement");
	CHECK(w.len == len && memcmp(w.data, body, len) == 0,
	    "statement_parse accepted bytes statement_encode does not write");
	buf_writer_free(&w);
	CHECK(statement_same(s, s) == 1, "a statement is not the same as itself");
	CHECK(statement_conflict(s, s) == 0, "a statement conflicts with itself");
	CHECK(statement_parse(body, len - 1, &t, NULL) == SS_ERR_TRUNCATED,
	    "a body one byte short is not refused as truncated");
	if ((longer = malloc(len + 1)) == NULL)
		harness_fail("out of memory", NULL);
	memcpy(longer, body, len);
	longer[len] = 0;
	CHECK(statement_parse(longer, len + 1, &t, NULL) == SS_ERR_TOO_LARGE,
	    "a body with a byte after it is not refused as too large");
	free(longer);
	/* Another content, same signer and D: proof of dishonesty. */
	t = *s;
	switch (s->type) {
	case STATEMENT_SUBMIT:
		t.position = s->position % s->n + 1;
		break;
	case STATEMENT_COHORT:
		t.submits[0] ^= 1;
		break;
	case STATEMENT_SUMPOINT:
		t.values_digest[0] ^= 1;
		break;
	}
	CHECK(statement_same(s, &t) == 0 && statement_conflict(s, &t) == 1 &&
	    statement_conflict(&t, s) == 1, "another content is no conflict");
	CHECK(statement_bytes(&t, &w) == SS_OK, "statement_encode refuses a changed statement");
	CHECK(statement_parse(w.data, w.len, &back, NULL) == SS_OK &&
	    statement_same(&t, &back) == 1, "an encoded statement does not parse back");
	buf_writer_free(&w);
	/* Another signer: a different statement, but no conflict. */
	t = *s;
	t.signer[STATEMENT_HASH_LEN - 1] ^= 0x80;
	CHECK(statement_same(s, &t) == 0 && statement_conflict(s, &t) == 0,
	    "statements of two signers conflict");
	if (s->type == STATEMENT_COHORT) {
		if ((copy = malloc(len)) == NULL)
			harness_fail("out of memory", NULL);
		memcpy(copy, body, head + PARAMS_DIGEST_LEN);
		memcpy(copy + head + PARAMS_DIGEST_LEN, body + head +
		    PARAMS_DIGEST_LEN + STATEMENT_HASH_LEN, len - head -
		    PARAMS_DIGEST_LEN - STATEMENT_HASH_LEN);
		sha256(copy, len - STATEMENT_HASH_LEN, want);
		CHECK(statement_cohort_digest(s, got) == SS_OK &&
		    memcmp(got, want, 32) == 0,
		    "the cohort digest is not the SHA-256 of the body without its signer");
		free(copy);
	}
}

#define SUBMITS_MAX 64

/*
 * statement_submits_digest on the pieces of the input cut before every
 * later "secure-sum/v2 ": SHA-256 over SHA-256 of each when every piece is
 * a SUBMIT and their positions increase, else SS_ERR_INVALID and zeros.
 */
static void
check_submits_digest(const uint8_t *data, size_t len)
{
	const size_t clen = sizeof(STATEMENT_CONTEXT) - 1;
	const uint8_t *bodies[SUBMITS_MAX];
	size_t lens[SUBMITS_MAX], m = 0, start = 0, i;
	uint8_t out[32], want[32], *hashes;
	struct statement s;
	uint32_t last = 0;
	int ok = 1;

	for (i = 1; i + clen <= len && m < SUBMITS_MAX - 1; i++)
		if (memcmp(data + i, STATEMENT_CONTEXT, clen) == 0) {
			bodies[m] = data + start;
			lens[m++] = i - start;
			start = i;
		}
	bodies[m] = data + start;
	lens[m++] = len - start;
	if ((hashes = malloc(m * 32)) == NULL)
		harness_fail("out of memory", NULL);
	for (i = 0; i < m; i++) {
		if (statement_parse(bodies[i], lens[i], &s, NULL) != SS_OK ||
		    s.type != STATEMENT_SUBMIT || s.position <= last)
			ok = 0;
		else
			last = s.position;
		sha256(bodies[i], lens[i], hashes + 32 * i);
	}
	sha256(hashes, m * 32, want);
	free(hashes);
	memset(out, 0xa5, sizeof(out));
	if (ok) {
		CHECK(statement_submits_digest(bodies, lens, m, out) == SS_OK,
		    "statement_submits_digest refuses SUBMITs in position order");
		CHECK(memcmp(out, want, 32) == 0, "a submits digest other than the layout's");
	} else {
		CHECK(statement_submits_digest(bodies, lens, m, out) == SS_ERR_INVALID,
		    "statement_submits_digest takes what is not SUBMITs in position order");
		CHECK(bytes_zero(out, 32), "a refused submits digest is not zeroed");
	}
}

int
fuzz_statement(const uint8_t *data, size_t len)
{
	struct statement s;
	struct ss_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = statement_parse(data, len, &s, &e);
	if (rc == SS_OK)
		check_statement(data, len, &s);
	else {
		CHECK(rc == SS_ERR_TRUNCATED || rc == SS_ERR_INVALID ||
		    rc == SS_ERR_TOO_LARGE, "statement_parse: an undocumented error");
		CHECK(e.code == rc && e.msg[0] != '\0', "statement_parse refused without a message");
	}
	check_submits_digest(data, len);
	return 0;
}

/* ---- spki: a certificate's key without OpenSSL, against OpenSSL ----------- */

/* 1 if the 65 bytes are an uncompressed point on P-256. */
static int
p256_on_curve(const uint8_t point[SPKI_P256_POINT_LEN])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = g != NULL ? EC_POINT_new(g) : NULL;
	int on;

	if (pt == NULL)
		harness_fail("EC_POINT_new", NULL);
	on = EC_POINT_oct2point(g, pt, point, SPKI_P256_POINT_LEN, NULL) == 1;
	ERR_clear_error();
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return on;
}

/*
 * What OpenSSL reads as the P-256 key of cert must be point; a point off
 * the curve OpenSSL does not take as a key at all (the caller then fails:
 * statement_signer_of_der).
 */
static void
check_p256(X509 *cert, const uint8_t point[SPKI_P256_POINT_LEN])
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	uint8_t enc[SPKI_P256_POINT_LEN + 1];
	char group[64];
	size_t n = 0;

	ERR_clear_error();
	if (pk == NULL) {
		CHECK(!p256_on_curve(point),
		    "OpenSSL has no key where spki_p256_point read a point on the curve");
		return;
	}
	CHECK(EVP_PKEY_is_a(pk, "EC") && EVP_PKEY_get_utf8_string_param(pk,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1 &&
	    strcmp(group, "prime256v1") == 0,
	    "spki_p256_point read a key OpenSSL does not read as P-256");
	CHECK(EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
	    enc, sizeof(enc), &n) == 1 && n == SPKI_P256_POINT_LEN &&
	    memcmp(enc, point, n) == 0,
	    "spki_p256_point and OpenSSL read different P-256 keys");
}

static void
check_x25519(X509 *cert, const uint8_t key[SPKI_X25519_KEY_LEN])
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	uint8_t raw[SPKI_X25519_KEY_LEN];
	size_t n = sizeof(raw);

	ERR_clear_error();
	CHECK(pk != NULL && EVP_PKEY_is_a(pk, "X25519"),
	    "spki_x25519_key read a key OpenSSL does not read as X25519");
	CHECK(EVP_PKEY_get_raw_public_key(pk, raw, &n) == 1 &&
	    n == SPKI_X25519_KEY_LEN && memcmp(raw, key, n) == 0,
	    "spki_x25519_key and OpenSSL read different X25519 keys");
}

/*
 * Differential: on bytes that OpenSSL's d2i_X509 reads as one certificate,
 * all of them, whatever key spki.c reads must be the key OpenSSL reads.
 * spki.c may decline any certificate (its caller then parses it), and it
 * checks nothing past the key, by its contract: it is for bytes that were
 * verified before, so on bytes OpenSSL refuses only "no crash, no UB" and
 * "never two kinds of key" are asked of it.
 */
int
fuzz_spki(const uint8_t *data, size_t len)
{
	uint8_t point[SPKI_P256_POINT_LEN], key[SPKI_X25519_KEY_LEN];
	const uint8_t *p = data;
	int is_p256, is_x25519;
	X509 *cert;

	is_p256 = spki_p256_point(data, len, point) == SS_OK;
	is_x25519 = spki_x25519_key(data, len, key) == SS_OK;
	CHECK(!(is_p256 && is_x25519), "one certificate with two kinds of key");
	if (!is_p256 && !is_x25519)
		return 0;
	cert = len <= LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	ERR_clear_error();
	if (cert != NULL && p == data + len) {
		if (is_p256)
			check_p256(cert, point);
		else
			check_x25519(cert, key);
	}
	X509_free(cert);
	return 0;
}

/* ---- invite: invite codes ------------------------------------------------- */

static const char invite_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* A character's 5-bit value in invite.h's alphabet, either case, or -1. */
static int
invite_symbol(char c)
{
	const char *at;
	char lower = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;

	if (lower == '\0' || (at = strchr(invite_alphabet, lower)) == NULL)
		return -1;
	return (int)(at - invite_alphabet);
}

/*
 * invite.h's rules read as a decoder of their own: the outcome for code,
 * and D in want when it is SS_OK. The first problem from the left counts;
 * nothing past INVITE_SCAN_MAX (invite.c: 256) characters is looked at.
 */
static int
invite_model(const char *code, uint8_t want[PARAMS_DIGEST_LEN])
{
	uint8_t sym[INVITE_SYMBOLS], bytes[PARAMS_DIGEST_LEN + INVITE_CRC_LEN];
	size_t i, k, count = 0, bit;
	uint32_t crc;

	if (strncasecmp(code, INVITE_PREFIX, 4) != 0) {
		if (strncasecmp(code, "ss", 2) != 0)
			return SS_ERR_INVALID;
		/* "ss", digits, "-": another version's code (up to 10 digits). */
		for (k = 2; k < 12 && code[k] >= '0' && code[k] <= '9'; k++)
			;
		return k > 2 && code[k] == '-' ? SS_ERR_VERSION : SS_ERR_INVALID;
	}
	for (i = 4; code[i] != '\0'; i++) {
		if (i >= 256)
			return SS_ERR_TOO_LARGE;
		if (code[i] == '-')
			continue;
		if (invite_symbol(code[i]) < 0)
			return SS_ERR_INVALID;
		if (count == INVITE_SYMBOLS)
			return SS_ERR_TOO_LARGE;
		sym[count++] = (uint8_t)invite_symbol(code[i]);
	}
	if (count < INVITE_SYMBOLS)
		return SS_ERR_TRUNCATED;
	memset(bytes, 0, sizeof(bytes));
	for (bit = 0; bit < 5 * INVITE_SYMBOLS; bit++)
		if (sym[bit / 5] >> (4 - bit % 5) & 1)
			bytes[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	crc = invite_crc24(bytes, PARAMS_DIGEST_LEN);
	if (bytes[32] != (uint8_t)(crc >> 16) || bytes[33] != (uint8_t)(crc >> 8) ||
	    bytes[34] != (uint8_t)crc)
		return SS_ERR_CHECKSUM;
	memcpy(want, bytes, PARAMS_DIGEST_LEN);
	return SS_OK;
}

/* The symbols of a code after its prefix, lower case, without dashes. */
static void
invite_symbols(const char *code, char out[INVITE_SYMBOLS + 1])
{
	size_t i, k = 0;

	for (i = 4; code[i] != '\0' && k < INVITE_SYMBOLS; i++)
		if (code[i] != '-')
			out[k++] = invite_alphabet[invite_symbol(code[i]) & 31];
	out[k] = '\0';
}

/*
 * invite_decode of the input as a string must give what invite.h's rules
 * give, code and D; a refusal has a message and leaves D zero; an accepted
 * code spells the symbols of invite_encode(D), which decodes to D again.
 */
int
fuzz_invite(const uint8_t *data, size_t len)
{
	uint8_t d[PARAMS_DIGEST_LEN], want[PARAMS_DIGEST_LEN], again[PARAMS_DIGEST_LEN];
	char enc[INVITE_CODE_BUF], a[INVITE_SYMBOLS + 1], b[INVITE_SYMBOLS + 1];
	struct ss_error e;
	char *code;
	size_t i;
	int rc, expect;

	/* RFC 4880's CRC-24 of "123456789" (the check value of the CRC catalogue). */
	CHECK(invite_crc24((const uint8_t *)"123456789", 9) == 0x21cf02u,
	    "invite_crc24 is not OpenPGP's CRC-24");
	if ((code = malloc(len + 1)) == NULL)
		harness_fail("out of memory", NULL);
	if (len > 0)
		memcpy(code, data, len);
	code[len] = '\0';
	memset(d, 0xa5, sizeof(d));
	memset(&e, 0, sizeof(e));
	rc = invite_decode(code, d, &e);
	expect = invite_model(code, want);
	CHECK(rc == expect, "invite_decode's outcome is not invite.h's");
	if (rc != SS_OK) {
		CHECK(e.code == rc && e.msg[0] != '\0', "invite_decode refused without a message");
		CHECK(bytes_zero(d, sizeof(d)), "a refused code left D set");
		free(code);
		return 0;
	}
	CHECK(memcmp(d, want, sizeof(d)) == 0, "invite_decode gives another D than the rules");
	invite_encode(d, enc);
	CHECK(strlen(enc) == INVITE_CODE_LEN && strncmp(enc, INVITE_PREFIX, 4) == 0,
	    "invite_encode's code is not of the documented form");
	for (i = 4 + INVITE_GROUP; i < INVITE_CODE_LEN; i += INVITE_GROUP + 1)
		CHECK(enc[i] == '-', "invite_encode's groups are not of eight");
	CHECK(invite_decode(enc, again, NULL) == SS_OK && memcmp(again, d, sizeof(d)) == 0,
	    "invite_encode's code does not decode to its D");
	invite_symbols(code, a);
	invite_symbols(enc, b);
	CHECK(strcmp(a, b) == 0, "an accepted code spells other symbols than its D's");
	free(code);
	return 0;
}

/* ---- pstate: a party's state folder ----------------------------------------- */

/*
 * The files the pstate target writes (PARTY-STATE.md's layout), for the
 * party "alice", the session digests D1 and D2 (32 bytes of 0x11, 0x22)
 * and the session id PSTATE_SID; PSTATE_TMP is a crash's leftover. The
 * instances of PSTATE_SID's NAME are in its list (PF_LIST_NAME) and in
 * the older lists of two creators' CREATOR/NAME, which the client reads
 * and no longer writes: alice's own (PF_LIST_ALICE) and another
 * creator's (PF_LIST_MALLORY). PF_KEPT is the submission kept under D1.
 * New files go last: which % PF_COUNT keeps naming the same file for
 * the first ones, so older seeds and saved inputs mean what they meant.
 */
enum {
	PF_PARTY, PF_D1, PF_D2, PF_LIST_ALICE, PF_CERTS, PF_TMP, PF_KEPT,
	PF_LIST_NAME, PF_LIST_MALLORY, PF_COUNT
};

#define PSTATE_PARTY "alice"
#define PSTATE_SID   "alice/payroll"
#define PSTATE_NAME  "payroll"
#define PSTATE_TMP   "tmp-1-d-x"

static const char *const pstate_files[PF_COUNT] = {
	"party",
	"d-1111111111111111111111111111111111111111111111111111111111111111",
	"d-2222222222222222222222222222222222222222222222222222222222222222",
	"s-alice+payroll", "certs", PSTATE_TMP,
	"k-1111111111111111111111111111111111111111111111111111111111111111",
	"s-payroll", "s-mallory+payroll",
};

/* The session id each list names in its body (PARTY-STATE.md, s-NAME). */
static const struct {
	int file;
	const char *id;
} pstate_lists[] = {
	{ PF_LIST_NAME, PSTATE_NAME },
	{ PF_LIST_ALICE, PSTATE_SID },
	{ PF_LIST_MALLORY, "mallory/payroll" },
};
#define PSTATE_LISTS (sizeof(pstate_lists) / sizeof(pstate_lists[0]))

/* The input hash the target asks about (make-seeds.c records it). */
static const uint8_t pstate_h[PSTATE_HASH_LEN] = {
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
};

/*
 * The longest bodies PARTY-STATE.md's layouts allow: a party's name; a D
 * record with the longest session id, a cohort of PARAMS_MAX_PARTIES and
 * the digest of the SUBMIT kept.
 */
#define MODEL_PARTY_MAX  (4 + NAME_MAX_LEN)
#define MODEL_RECORD_MAX (PARAMS_DIGEST_LEN + 4 + SESSION_ID_MAX_LEN + 1 + \
                          5 * PSTATE_HASH_LEN + 4 + PSTATE_BITMAP_MAX)

/* The envelope's header (magic, version, kind, body length) and the kinds. */
#define MODEL_HEADER      20
#define MODEL_KIND_PARTY  1
#define MODEL_KIND_D      2
#define MODEL_KIND_SESSION 3
#define MODEL_KIND_CERTS  4
#define MODEL_KIND_KEPT   5
/* A list of instances at its longest: the longest id, 4,096 instances. */
#define MODEL_LIST_MAX    (4 + SESSION_ID_MAX_LEN + 4 + \
                           (size_t)PSTATE_MAX_INSTANCES * 96)
/*
 * A kept submission at its longest, within one submission's bounds (see
 * model_kept): D, the longest SUBMIT body and signature, n and the
 * ciphertext length, and a frame's worth of ciphertexts.
 */
#define MODEL_KEPT_MAX    (32 + 4 + STATEMENT_BODY_MAX + 4 + \
                           STATEMENT_SIG_MAX + 8 + (size_t)FRAME_DEFAULT_MAX)
/* A cache entry at its longest: name of NAME_MAX_LEN, serial of 20. */
#define MODEL_ENTRY_MAX   (2 * 32 + 1 + 4 + NAME_MAX_LEN + 8 + 8 + 1 + \
                           PSTATE_SERIAL_MAX + 32)

/* A reader of the documented layouts, of its own: little-endian. */
struct mreader {
	const uint8_t *p;
	size_t len, off;
	int bad;                        /* ran short, or a rule broke */
};

static const uint8_t *
m_take(struct mreader *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	r->off += n;
	return r->p + r->off - n;
}

static uint64_t
m_uint(struct mreader *r, size_t n)
{
	const uint8_t *p = m_take(r, n);
	uint64_t v = 0;

	while (p != NULL && n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
m_copy(struct mreader *r, void *out, size_t n)
{
	const uint8_t *p = m_take(r, n);

	if (p != NULL && n > 0)
		memcpy(out, p, n);
}

/* A u32 length and that many bytes, no NUL among them, into out. */
static void
m_string(struct mreader *r, char *out, size_t outsz)
{
	uint64_t n = m_uint(r, 4);
	const uint8_t *p;

	out[0] = '\0';
	if (n >= outsz) {
		r->bad = 1;
		return;
	}
	if ((p = m_take(r, (size_t)n)) == NULL || memchr(p, '\0', (size_t)n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
}

static int
m_done(const struct mreader *r)
{
	return !r->bad && r->off == r->len;
}

/*
 * The envelope of a record file of kind, as PARTY-STATE.md gives it: the
 * outcome pfile_load must give before reading the body, and the body in
 * *body. A file over max_body is too large before anything is hashed.
 */
static int
model_envelope(const uint8_t *f, size_t n, uint32_t kind, size_t max_body,
    struct mreader *body)
{
	struct mreader r = { f, n, 0, 0 };
	uint8_t h[32];
	uint64_t version, k, blen;

	if (n < MODEL_HEADER + 32)
		return SS_ERR_CHECKSUM;
	if (n > MODEL_HEADER + max_body + 32)
		return SS_ERR_TOO_LARGE;
	sha256(f, n - 32, h);
	if (memcmp(h, f + n - 32, 32) != 0)
		return SS_ERR_CHECKSUM;
	if (memcmp(m_take(&r, 8), "SSPSTATE", 8) != 0)
		return SS_ERR_INVALID;
	version = m_uint(&r, 4);
	k = m_uint(&r, 4);
	blen = m_uint(&r, 4);
	if (version != 1)
		return SS_ERR_VERSION;
	if (k != kind || blen != n - MODEL_HEADER - 32)
		return SS_ERR_INVALID;
	body->p = f + MODEL_HEADER;
	body->len = (size_t)blen;
	body->off = 0;
	body->bad = 0;
	return SS_OK;
}

/* The party file's body: SS_OK for PSTATE_PARTY, SS_ERR_DENIED for another party. */
static int
model_party(struct mreader *r)
{
	char name[NAME_BUF];

	m_string(r, name, sizeof(name));
	if (!m_done(r) || !name_valid(name))
		return SS_ERR_INVALID;
	return strcmp(name, PSTATE_PARTY) == 0 ? SS_OK : SS_ERR_DENIED;
}

/* A D record's body (PARTY-STATE.md, "d-HEX") for d into *m. */
static int
model_record(struct mreader *r, const uint8_t d[PARAMS_DIGEST_LEN],
    struct pstate_record *m)
{
	int in, co, su;
	size_t blen;

	memset(m, 0, sizeof(*m));
	m_copy(r, m->d, PARAMS_DIGEST_LEN);
	m_string(r, m->session_id, sizeof(m->session_id));
	m->did = (unsigned)m_uint(r, 1);
	m_copy(r, m->salt, PSTATE_HASH_LEN);
	m_copy(r, m->input_digest, PSTATE_HASH_LEN);
	m->n = (uint32_t)m_uint(r, 4);
	if (m->n > PARAMS_MAX_PARTIES)
		return SS_ERR_INVALID;
	blen = ((size_t)m->n + 7) / 8;
	m_copy(r, m->cohort, blen);
	m_copy(r, m->submits, PSTATE_HASH_LEN);
	m_copy(r, m->sumpoint, PSTATE_HASH_LEN);
	/* The SUBMIT kept: absent from an older version's record. */
	if (!r->bad && r->len - r->off == PSTATE_HASH_LEN)
		m_copy(r, m->submit, PSTATE_HASH_LEN);
	if (!m_done(r) || memcmp(m->d, d, PARAMS_DIGEST_LEN) != 0)
		return SS_ERR_INVALID;
	in = (m->did & PSTATE_DID_SUBMIT) != 0;
	co = (m->did & PSTATE_DID_COHORT) != 0;
	su = (m->did & PSTATE_DID_SUMPOINT) != 0;
	/* A part not recorded is zero and its bit clear; n is 0 without a cohort. */
	if ((m->did & ~7u) != 0 || !session_id_valid(m->session_id) ||
	    in == bytes_zero(m->input_digest, 32) || (!in && !bytes_zero(m->salt, 32)) ||
	    (!in && !bytes_zero(m->submit, 32)) ||
	    co != (m->n != 0) || co == bytes_zero(m->submits, 32) ||
	    su == bytes_zero(m->sumpoint, 32))
		return SS_ERR_INVALID;
	/* A cohort signed has a member: none of its bits past n, one within. */
	if (co && (m->n < PARAMS_MIN_PARTIES || bytes_zero(m->cohort, blen) ||
	    (m->n % 8 != 0 && m->cohort[blen - 1] >> (m->n % 8) != 0)))
		return SS_ERR_INVALID;
	return SS_OK;
}

/*
 * What encode_record writes for m, as PARTY-STATE.md lays it out, in a
 * whole file; without the SUBMIT kept (older versions) unless with_submit.
 */
static void
model_record_file(const struct pstate_record *m, int with_submit,
    struct buf_writer *w)
{
	struct buf_writer b;
	uint8_t h[32];

	buf_writer_init(&b, MODEL_HEADER + MODEL_RECORD_MAX + 32);
	buf_writer_init(w, MODEL_HEADER + MODEL_RECORD_MAX + 32);
	buf_put(&b, m->d, 32);
	buf_put_string(&b, m->session_id);
	buf_put_u8(&b, (uint8_t)m->did);
	buf_put(&b, m->salt, 32);
	buf_put(&b, m->input_digest, 32);
	buf_put_u32(&b, m->n);
	buf_put(&b, m->cohort, ((size_t)m->n + 7) / 8);
	buf_put(&b, m->submits, 32);
	buf_put(&b, m->sumpoint, 32);
	if (with_submit)
		buf_put(&b, m->submit, 32);
	buf_put(w, "SSPSTATE", 8);
	buf_put_u32(w, 1);
	buf_put_u32(w, MODEL_KIND_D);
	buf_put_u32(w, (uint32_t)b.len);
	buf_put(w, b.data, b.len);
	sha256(w->data, w->len, h);
	buf_put(w, h, 32);
	CHECK(buf_writer_error(&b) == SS_OK && buf_writer_error(w) == SS_OK, NULL);
	buf_writer_free(&b);
}

/*
 * An instances body ("s-NAME", or an older "s-CREATOR+NAME"), which must
 * name id, the one its file name says: SS_OK and in *reused 1 (and its
 * D) if the fixed input was shared under another D than d, the first
 * such instance in the list's order.
 */
static int
model_instances(struct mreader *r, const char *id, const uint8_t d[32],
    int *reused, uint8_t used[32])
{
	char sid[SESSION_ID_BUF];
	uint8_t both[64], dg[32];
	const uint8_t *in;
	uint64_t n, i;

	m_string(r, sid, sizeof(sid));
	n = m_uint(r, 4);
	if (r->bad || strcmp(sid, id) != 0 || n > PSTATE_MAX_INSTANCES ||
	    r->len - r->off != n * 96)
		return SS_ERR_INVALID;
	*reused = 0;
	for (i = 0; i < n && !*reused; i++) {
		in = m_take(r, 96);
		memcpy(both, in + 32, 32);
		memcpy(both + 32, pstate_h, 32);
		sha256(both, 64, dg);
		if (memcmp(in, d, 32) != 0 && memcmp(dg, in + 64, 32) == 0) {
			*reused = 1;
			memcpy(used, in, 32);
		}
	}
	return SS_OK;
}

/* The parts of a kept submission's body, pointing into it. */
struct mkept {
	const uint8_t *body, *sig, *cts;
	uint64_t body_len, sig_len, n, clen;
};

/*
 * A kept submission's body ("k-HEX") of d, as PARTY-STATE.md lays it out:
 * D, the SUBMIT's body and its signature (u32 length, bytes each), n and
 * the ciphertext length (u32 each), the n ciphertexts, and nothing after
 * them; within one submission's bounds, which are pstate_kept.c's: a
 * SUBMIT body of 1 to STATEMENT_BODY_MAX bytes, a DER signature of 1 to
 * STATEMENT_SIG_MAX, PARAMS_MIN_PARTIES to PARAMS_MAX_PARTIES
 * ciphertexts, none empty, all of them within one frame. SS_OK and the
 * parts in *k, or SS_ERR_INVALID.
 */
static int
model_kept(struct mreader *r, const uint8_t d[32], struct mkept *k)
{
	const uint8_t *kd = m_take(r, 32);

	k->body_len = m_uint(r, 4);
	k->body = m_take(r, (size_t)k->body_len);
	k->sig_len = m_uint(r, 4);
	k->sig = m_take(r, (size_t)k->sig_len);
	k->n = m_uint(r, 4);
	k->clen = m_uint(r, 4);
	if (r->bad || memcmp(kd, d, 32) != 0)
		return SS_ERR_INVALID;
	/* n first: bounded, n * clen stays far below 2^64. */
	if (k->body_len < 1 || k->body_len > STATEMENT_BODY_MAX ||
	    k->sig_len < 1 || k->sig_len > STATEMENT_SIG_MAX ||
	    k->n < PARAMS_MIN_PARTIES || k->n > PARAMS_MAX_PARTIES ||
	    k->clen < 1 || k->n * k->clen > FRAME_DEFAULT_MAX)
		return SS_ERR_INVALID;
	k->cts = m_take(r, (size_t)(k->n * k->clen));
	return m_done(r) ? SS_OK : SS_ERR_INVALID;
}

/* A certificate cache's body ("certs") into v (room for max entries). */
static int
model_certs(struct mreader *r, struct pstate_cert *v, size_t max, size_t *count)
{
	uint64_t n = m_uint(r, 4), i;
	struct pstate_cert *c;

	if (r->bad || n > PSTATE_CERT_MAX || n > max)
		return SS_ERR_INVALID;
	for (i = 0; i < n; i++) {
		c = &v[i];
		memset(c, 0, sizeof(*c));
		m_copy(r, c->fingerprint, 32);
		m_copy(r, c->ca, 32);
		c->kind = (enum pstate_cert_kind)m_uint(r, 1);
		m_string(r, c->name, sizeof(c->name));
		c->not_after = m_uint(r, 8);
		c->verified_at = m_uint(r, 8);
		c->serial_len = (size_t)m_uint(r, 1);
		if (c->serial_len > PSTATE_SERIAL_MAX)
			return SS_ERR_INVALID;
		m_copy(r, c->serial, c->serial_len);
		m_copy(r, c->pk, 32);
		if (r->bad || (c->kind != PSTATE_CERT_TLS && c->kind != PSTATE_CERT_ENC) ||
		    (c->kind == PSTATE_CERT_ENC) == bytes_zero(c->pk, 32) ||
		    !name_valid(c->name) || c->serial_len < 1 ||
		    (i > 0 && memcmp(v[i - 1].fingerprint, c->fingerprint, 32) >= 0))
			return SS_ERR_INVALID;
	}
	*count = (size_t)n;
	return m_done(r) ? SS_OK : SS_ERR_INVALID;
}

/* Field by field: structs copied by assignment need not copy their padding. */
static int
record_same(const struct pstate_record *a, const struct pstate_record *b)
{
	return memcmp(a->d, b->d, 32) == 0 &&
	    strcmp(a->session_id, b->session_id) == 0 && a->did == b->did &&
	    memcmp(a->salt, b->salt, 32) == 0 &&
	    memcmp(a->input_digest, b->input_digest, 32) == 0 && a->n == b->n &&
	    memcmp(a->cohort, b->cohort, sizeof(a->cohort)) == 0 &&
	    memcmp(a->submits, b->submits, 32) == 0 &&
	    memcmp(a->sumpoint, b->sumpoint, 32) == 0 &&
	    memcmp(a->submit, b->submit, 32) == 0;
}

static int
cert_same(const struct pstate_cert *a, const struct pstate_cert *b)
{
	return memcmp(a->fingerprint, b->fingerprint, 32) == 0 &&
	    memcmp(a->ca, b->ca, 32) == 0 && a->kind == b->kind &&
	    strcmp(a->name, b->name) == 0 && a->not_after == b->not_after &&
	    a->verified_at == b->verified_at && a->serial_len == b->serial_len &&
	    memcmp(a->serial, b->serial, a->serial_len) == 0 &&
	    memcmp(a->pk, b->pk, 32) == 0;
}

struct pfiles {
	char dir[512];
	uint8_t *p[PF_COUNT];
	size_t n[PF_COUNT];
};

static void
pf_path(const struct pfiles *f, int i, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", f->dir, pstate_files[i]) >= outlen)
		harness_fail("path too long", pstate_files[i]);
}

/* The file's bytes now, or NULL when it is gone. */
static uint8_t *
pf_read(const struct pfiles *f, int i, size_t *n)
{
	char path[640];

	pf_path(f, i, path, sizeof(path));
	if (access(path, F_OK) != 0)
		return NULL;
	return slurp(path, n);
}

/* A refusal of a record file: a documented code, naming the file. */
static void
check_pfile_refusal(const struct ss_error *e, int rc, int file)
{
	CHECK(rc == SS_ERR_CHECKSUM || rc == SS_ERR_VERSION || rc == SS_ERR_INVALID ||
	    rc == SS_ERR_TOO_LARGE, "a record file refused with an undocumented code");
	CHECK(e->code == rc && strstr(e->msg, pstate_files[file]) != NULL,
	    "a refusal does not name the file");
}

/* The outcome pfile_load must give for file i of kind, the body in *body. */
static int
model_file(const struct pfiles *f, int i, uint32_t kind, size_t max_body,
    struct mreader *body)
{
	if (f->p[i] == NULL)
		return SS_ERR_NOT_FOUND;
	return model_envelope(f->p[i], f->n[i], kind, max_body, body);
}

/*
 * What listed_elsewhere must give for list i of the lists of PSTATE_SID's
 * NAME: 0 (no file, or the fixed input under no other D than d), 1 (the
 * first other D it is under into used), or the refusal of the file.
 */
static int
model_list(const struct pfiles *f, size_t i, const uint8_t d[32],
    uint8_t used[32])
{
	struct mreader body;
	int rc, reused = 0;

	rc = model_file(f, pstate_lists[i].file, MODEL_KIND_SESSION,
	    MODEL_LIST_MAX, &body);
	if (rc == SS_ERR_NOT_FOUND)
		return 0;
	if (rc == SS_OK && (rc = model_instances(&body, pstate_lists[i].id, d,
	    &reused, used)) == SS_OK)
		rc = reused;
	return rc;
}

/* 1 if pstate_h's salted digest under salt is digest. */
static int
model_same_input(const uint8_t salt[32], const uint8_t digest[32])
{
	uint8_t both[64], dg[32];

	memcpy(both, salt, 32);
	memcpy(both + 32, pstate_h, 32);
	sha256(both, 64, dg);
	return memcmp(dg, digest, 32) == 0;
}

/*
 * What pstate_submission_load of D1 for the fixed input must give, as
 * pstate.h and PARTY-STATE.md say, the file a refusal names in *file:
 * the D record's own refusal; SS_ERR_NOT_FOUND when it records no input,
 * or one but no SUBMIT (a record of a version that kept none);
 * SS_ERR_EXISTS for another input; SS_ERR_PRECONDITION when a SUBMIT is
 * on record and its copy is gone; the copy's refusal when it is damaged,
 * which is never taken for a missing copy; SS_ERR_INVALID for a copy of
 * another SUBMIT than the one on record. SS_OK and the copy's parts in *k
 * when all is well.
 */
static int
model_submission(const struct pfiles *f, struct mkept *k, int *file)
{
	uint8_t d1[32], dg[32];
	struct pstate_record m;
	struct mreader body;
	int rc;

	memset(d1, 0x11, sizeof(d1));
	*file = PF_D1;
	rc = model_file(f, PF_D1, MODEL_KIND_D, MODEL_RECORD_MAX, &body);
	if (rc == SS_OK)
		rc = model_record(&body, d1, &m);
	if (rc != SS_OK)
		return rc;
	if (!(m.did & PSTATE_DID_SUBMIT))
		return SS_ERR_NOT_FOUND;
	if (!model_same_input(m.salt, m.input_digest))
		return SS_ERR_EXISTS;
	if (bytes_zero(m.submit, 32))
		return SS_ERR_NOT_FOUND;
	*file = PF_KEPT;
	rc = model_file(f, PF_KEPT, MODEL_KIND_KEPT, MODEL_KEPT_MAX, &body);
	if (rc == SS_ERR_NOT_FOUND)
		return SS_ERR_PRECONDITION;
	if (rc == SS_OK)
		rc = model_kept(&body, d1, k);
	if (rc == SS_OK) {
		sha256(k->body, (size_t)k->body_len, dg);
		if (memcmp(dg, m.submit, 32) != 0)
			rc = SS_ERR_INVALID;
	}
	return rc;
}

/*
 * pstate_submission_load of D1 for the fixed input against the model:
 * the outcome, the file a refusal names, and on success the very bytes
 * the copy holds. Read only: no record may change.
 */
static void
check_pstate_kept(struct pstate *st, const struct pfiles *f)
{
	struct pstate_submission out;
	struct ss_error e;
	struct mkept k;
	uint8_t d1[32];
	int rc, expect, file;

	memset(d1, 0x11, sizeof(d1));
	memset(&e, 0, sizeof(e));
	memset(&k, 0, sizeof(k));
	rc = pstate_submission_load(st, d1, pstate_h, &out, &e);
	expect = model_submission(f, &k, &file);
	CHECK(rc == expect,
	    "pstate_submission_load's outcome is not the documented layout's");
	if (rc == SS_OK)
		CHECK(out.body_len == k.body_len && out.sig_len == k.sig_len &&
		    out.n == k.n && out.clen == k.clen &&
		    memcmp(out.body, k.body, out.body_len) == 0 &&
		    memcmp(out.sig, k.sig, out.sig_len) == 0 &&
		    memcmp(out.cts, k.cts, out.n * out.clen) == 0,
		    "the submission loaded is not the one the kept file holds");
	else if (rc == SS_ERR_PRECONDITION)
		/* PARTY-STATE.md: this refusal names the file. */
		CHECK(e.code == rc && strstr(e.msg, f->dir) != NULL &&
		    strstr(e.msg, pstate_files[file]) != NULL,
		    "a lost submission's refusal does not name its file");
	else if (rc != SS_ERR_NOT_FOUND && rc != SS_ERR_EXISTS)
		check_pfile_refusal(&e, rc, file);
	pstate_submission_free(&out);
}

/* Records the same again (a retry: nothing changes), then another (refused). */
static void
check_settable_once(struct pstate *st, const struct pfiles *f,
    const struct pstate_record *r)
{
	uint8_t *before, *after, other[32];
	size_t nb, na;
	int rc;

	before = pf_read(f, PF_D1, &nb);
	CHECK(before != NULL, NULL);
	if ((r->did & PSTATE_DID_COHORT) && !bytes_zero(r->cohort, (r->n + 7) / 8)) {
		rc = pstate_record_cohort(st, r->d, r->session_id, r->n, r->cohort,
		    r->submits, NULL);
		CHECK(rc == SS_OK, "recording the recorded cohort again fails");
		memcpy(other, r->submits, 32);
		other[0] ^= 1;
		rc = pstate_record_cohort(st, r->d, r->session_id, r->n, r->cohort,
		    other, NULL);
		CHECK(rc == SS_ERR_EXISTS, "a second cohort is not refused");
	}
	if (r->did & PSTATE_DID_SUMPOINT) {
		rc = pstate_record_sumpoint(st, r->d, r->session_id, r->sumpoint, NULL);
		CHECK(rc == SS_OK, "recording the recorded sumpoint again fails");
		memcpy(other, r->sumpoint, 32);
		other[31] ^= 1;
		rc = pstate_record_sumpoint(st, r->d, r->session_id, other, NULL);
		CHECK(rc == SS_ERR_EXISTS, "a second sumpoint is not refused");
	}
	after = pf_read(f, PF_D1, &na);
	CHECK(after != NULL && na == nb && memcmp(before, after, nb) == 0,
	    "a retry or a refusal changed the record");
	free(before);
	free(after);
}

/*
 * A record without a sumpoint takes one: the file written then is the
 * layout's for the record plus the sumpoint, and reads back as such.
 */
static void
check_add_sumpoint(struct pstate *st, const struct pfiles *f,
    const struct pstate_record *r)
{
	struct pstate_record back, want = *r;
	struct buf_writer w;
	struct pfiles gone;
	char path[640];
	uint8_t *now;
	size_t n;

	memset(want.sumpoint, 0x44, 32);
	want.did |= PSTATE_DID_SUMPOINT;
	CHECK(pstate_record_sumpoint(st, r->d, "alice/other", want.sumpoint, NULL) ==
	    SS_ERR_INVALID || strcmp(r->session_id, "alice/other") == 0,
	    "a sumpoint recorded under another session id");
	CHECK(pstate_record_sumpoint(st, r->d, r->session_id, want.sumpoint, NULL) ==
	    SS_OK, "a first sumpoint cannot be recorded");
	CHECK(pstate_get(st, r->d, &back, NULL) == SS_OK && record_same(&back, &want),
	    "the record read back is not the record plus its sumpoint");
	now = pf_read(f, PF_D1, &n);
	model_record_file(&want, 1, &w);
	CHECK(now != NULL && n == w.len && memcmp(now, w.data, n) == 0,
	    "the record written is not the documented layout");
	buf_writer_free(&w);
	free(now);
	/*
	 * The copy goes with the sumpoint (PARTY-STATE.md, k-HEX): a SUBMIT
	 * on record is then one whose copy is gone. The sumpoint changes no
	 * part of the record that the load reads, so the model of the files
	 * as they were, without the copy, says what it gives now.
	 */
	pf_path(f, PF_KEPT, path, sizeof(path));
	CHECK(access(path, F_OK) != 0,
	    "the kept submission outlived the sumpoint");
	gone = *f;
	gone.p[PF_KEPT] = NULL;
	check_pstate_kept(st, &gone);
}

/* pstate_get of D1 against the model; then the writes on what it read. */
static void
check_pstate_d1(struct pstate *st, const struct pfiles *f)
{
	uint8_t d1[32];
	struct pstate_record r, m;
	struct mreader body;
	struct buf_writer w;
	struct ss_error e;
	int rc, expect;

	memset(d1, 0x11, sizeof(d1));
	memset(&e, 0, sizeof(e));
	rc = pstate_get(st, d1, &r, &e);
	expect = model_file(f, PF_D1, MODEL_KIND_D, MODEL_RECORD_MAX, &body);
	if (expect == SS_OK)
		expect = model_record(&body, d1, &m);
	CHECK(rc == expect, "pstate_get's outcome is not the documented layout's");
	if (rc == SS_ERR_NOT_FOUND) {
		CHECK(r.did == 0 && memcmp(r.d, d1, 32) == 0, "nothing recorded, but a record");
		return;
	}
	if (rc != SS_OK) {
		check_pfile_refusal(&e, rc, PF_D1);
		return;
	}
	/* As written: by this version, or by one that kept no SUBMIT. */
	model_record_file(&r, 1, &w);
	if (w.len != f->n[PF_D1]) {
		buf_writer_free(&w);
		model_record_file(&r, 0, &w);
	}
	CHECK(w.len == f->n[PF_D1] && memcmp(w.data, f->p[PF_D1], w.len) == 0,
	    "pstate_get accepted a file other than the layout of what it read");
	buf_writer_free(&w);
	if (r.did & PSTATE_DID_SUBMIT)
		CHECK(pstate_check_rejoin(st, d1, PSTATE_DID_SUBMIT, NULL) == SS_OK, NULL);
	else
		CHECK(pstate_check_rejoin(st, d1, PSTATE_DID_SUBMIT, NULL) ==
		    SS_ERR_PRECONDITION, "a lost SUBMIT is not noticed");
	check_settable_once(st, f, &r);
	if (!(r.did & PSTATE_DID_SUMPOINT))
		check_add_sumpoint(st, f, &r);
}

/*
 * pstate_input_reused of the fixed input under D2 against the model. The
 * lists are read in PARTY-STATE.md's order: the NAME's own first, whose
 * hit or refusal is the answer; then every older list of the NAME, in
 * the folder's listing order, which the model does not know: when two
 * of them have something to say (a hit, a refusal), either may be the
 * answer, and nothing else may.
 */
static void
check_pstate_instances(struct pstate *st, const struct pfiles *f)
{
	uint8_t d2[32], used[32], want_used[PSTATE_LISTS][32];
	int want[PSTATE_LISTS];
	struct ss_error e;
	size_t i, last;
	int rc, heard = 0, match = 0;

	memset(d2, 0x22, sizeof(d2));
	memset(&e, 0, sizeof(e));
	memset(used, 0, sizeof(used));
	memset(want_used, 0, sizeof(want_used));
	rc = pstate_input_reused(st, PSTATE_SID, d2, pstate_h, used, &e);
	/* pstate_lists[0] is the NAME's list: only it when it answers. */
	last = (want[0] = model_list(f, 0, d2, want_used[0])) != 0 ? 1 :
	    PSTATE_LISTS;
	for (i = 1; i < last; i++)
		want[i] = model_list(f, i, d2, want_used[i]);
	for (i = 0; i < last; i++) {
		if (want[i] == 0)
			continue;
		heard = 1;
		if (rc != want[i])
			continue;
		if (rc == 1)
			match |= memcmp(used, want_used[i], 32) == 0;
		else if (strstr(e.msg, pstate_files[pstate_lists[i].file])) {
			check_pfile_refusal(&e, rc, pstate_lists[i].file);
			match = 1;
		}
	}
	CHECK(heard ? match : rc == 0, "pstate_input_reused's outcome (the D, "
	    "the list a refusal names) is not the documented layout's");
}

/* The certificate cache against the model; a lookup of its first entry. */
static void
check_pstate_certs(struct pstate *st, const struct pfiles *f)
{
	const struct pstate_cert *got;
	struct pstate_cert *want = NULL, out;
	struct mreader body;
	struct ss_error e;
	size_t n = 0, nwant = 0, i, max;
	int rc, expect;

	memset(&e, 0, sizeof(e));
	rc = pstate_cert_entries(st, &got, &n, &e);
	expect = model_file(f, PF_CERTS, MODEL_KIND_CERTS,
	    4 + (size_t)PSTATE_CERT_MAX * MODEL_ENTRY_MAX, &body);
	if (expect == SS_ERR_NOT_FOUND)
		expect = SS_OK;
	else if (expect == SS_OK) {
		max = body.len / 120 + 1;
		if ((want = calloc(max, sizeof(*want))) == NULL)
			harness_fail("out of memory", NULL);
		expect = model_certs(&body, want, max, &nwant);
	}
	CHECK(rc == expect, "the certificate cache's outcome is not the documented layout's");
	if (rc != SS_OK) {
		check_pfile_refusal(&e, rc, PF_CERTS);
		free(want);
		return;
	}
	CHECK(n == nwant, "the certificate cache holds another number of entries");
	for (i = 0; i < n; i++)
		CHECK(cert_same(&got[i], &want[i]),
		    "a cached certificate differs from the file's entry");
	if (n > 0) {
		rc = pstate_cert_lookup(st, want[0].fingerprint, want[0].ca,
		    want[0].kind, want[0].name, 0, &out, NULL);
		CHECK(want[0].not_after == 0 ? rc == SS_ERR_NOT_FOUND :
		    rc == SS_OK && cert_same(&out, &want[0]),
		    "a cached certificate is not found as cached");
		rc = pstate_cert_lookup(st, want[0].fingerprint, want[0].ca,
		    want[0].kind == PSTATE_CERT_TLS ? PSTATE_CERT_ENC : PSTATE_CERT_TLS,
		    want[0].name, 0, &out, NULL);
		CHECK(rc == SS_ERR_CERT, "a cached certificate passes for another kind");
	}
	free(want);
}

/* Writes the files of the input into f->dir, mode 0600. */
static void
pf_write(struct pfiles *f, const uint8_t *data, size_t len)
{
	size_t off = 0, n;
	char path[640];
	uint8_t which;
	int i, fd;

	while (len - off >= 3) {
		which = data[off];
		n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (n > len - off)
			n = len - off;
		i = (which & 0x7f) % PF_COUNT;
		free(f->p[i]);
		/* Bit 7: with the SHA-256 the file ends in, so the body is reached. */
		f->n[i] = n + (which & 0x80 ? 32 : 0);
		if ((f->p[i] = malloc(f->n[i] + 1)) == NULL)
			harness_fail("out of memory", NULL);
		if (n > 0)
			memcpy(f->p[i], data + off, n);
		if (which & 0x80)
			sha256(data + off, n, f->p[i] + n);
		off += n;
		pf_path(f, i, path, sizeof(path));
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
		    (f->n[i] > 0 && write(fd, f->p[i], f->n[i]) != (ssize_t)f->n[i]) ||
		    close(fd) != 0)
			harness_fail("cannot write", path);
	}
}

/*
 * The party's folder made of the input's files: pstate_open, pstate_get,
 * pstate_input_reused, pstate_submission_load and the certificate cache
 * give what the documented layout (docs/PARTY-STATE.md) read by a decoder
 * of its own gives; what they accept is written back the same; records
 * are settable once, and a sumpoint drops the submission kept.
 */
int
fuzz_pstate(const uint8_t *data, size_t len)
{
	struct pfiles f;
	struct pstate *st;
	struct mreader body;
	struct ss_error e;
	char path[640];
	int rc, expect, i, records;

	memset(&f, 0, sizeof(f));
	make_temp_dir(f.dir, sizeof(f.dir), "pstate");
	pf_write(&f, data, len);
	/* Every file but the party's and a crash's leftover is a record. */
	records = 0;
	for (i = 0; i < PF_COUNT; i++)
		records |= i != PF_PARTY && i != PF_TMP && f.p[i] != NULL;
	memset(&e, 0, sizeof(e));
	rc = pstate_open(f.dir, PSTATE_PARTY, &st, &e);
	expect = model_file(&f, PF_PARTY, MODEL_KIND_PARTY, MODEL_PARTY_MAX, &body);
	if (expect == SS_OK)
		expect = model_party(&body);
	else if (expect == SS_ERR_NOT_FOUND)
		expect = records ? SS_ERR_INVALID : SS_OK;
	CHECK(rc == expect, "pstate_open's outcome is not the documented layout's");
	if (rc != SS_OK) {
		CHECK(e.code == rc && strstr(e.msg, f.dir) != NULL,
		    "pstate_open's refusal does not name the folder");
		if (rc != SS_ERR_DENIED && f.p[PF_PARTY] != NULL)
			check_pfile_refusal(&e, rc, PF_PARTY);
	} else {
		pf_path(&f, PF_TMP, path, sizeof(path));
		CHECK(access(path, F_OK) != 0, "a crash's temporary file was left");
		check_pstate_instances(st, &f);
		check_pstate_certs(st, &f);
		/* Before check_pstate_d1's writes: a sumpoint drops the copy. */
		check_pstate_kept(st, &f);
		check_pstate_d1(st, &f);
		pstate_close(st);
	}
	for (i = 0; i < PF_COUNT; i++)
		free(f.p[i]);
	rm_tree(f.dir);
	return 0;
}

const struct fuzz_target fuzz_targets[] = {
	{ "rpc_frame", fuzz_rpc_frame },
	{ "rpc_seq", fuzz_rpc_seq },
	{ "rpc_replay", fuzz_rpc_replay },
	{ "journal", fuzz_journal },
	{ "client_wire", fuzz_client_wire },
	{ "snapshot_raw", fuzz_snapshot_raw },
	{ "snapshot", fuzz_snapshot },
	{ "hpke_open", fuzz_hpke_open },
	{ "sealed_open", fuzz_sealed_open },
	{ "request_view", fuzz_request_view },
	{ "statement", fuzz_statement },
	{ "spki", fuzz_spki },
	{ "invite", fuzz_invite },
	{ "pstate", fuzz_pstate },
	{ NULL, NULL },
};

const struct fuzz_target *
fuzz_target_find(const char *name)
{
	const struct fuzz_target *t;

	for (t = fuzz_targets; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}
