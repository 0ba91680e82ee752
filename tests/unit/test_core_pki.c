/*
 * test_core_pki.c: unit tests for core/pki.c and scripts/mkcerts.sh.
 *
 * The group setup takes the certificates of tests/fixture/certs.c, made by
 * the real mkcerts.sh into a fresh folder under /tmp, twice: "certs" is the
 * project's PKI, "other" an unrelated CA with the same party names, the
 * impostor. TLS handshakes run in one thread over an in-memory BIO pair,
 * stepping client and server in turn.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "certs.h"
#include "crlfile.h"
#include "err.h"
#include "files.h"
#include "pki.h"
#include "tempdir.h"

static char *g_tmp;		/* scratch folders the tests make */
static const char *g_dir;	/* the project's PKI: alice, bob */
static const char *g_other;	/* a second CA: alice, bob */

/* ---- helpers ----------------------------------------------------------- */

static int
same_contents(const unsigned char *a, size_t alen, const char *path)
{
	unsigned char *b;
	size_t blen;
	int same;

	if (slurp(path, &b, &blen) != 0)
		return 0;
	same = alen == blen && memcmp(a, b, alen) == 0;
	free(b);
	return same;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The DER of the PEM certificate in path. */
static void
pem_cert_der(const char *path, uint8_t **der, size_t *len)
{
	FILE *f;
	X509 *x;
	unsigned char *p;
	int n;

	assert_non_null(f = fopen(path, "r"));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, NULL);
	assert_true(n > 0);
	assert_non_null(*der = malloc((size_t)n));
	p = *der;
	assert_int_equal(i2d_X509(x, &p), n);
	*len = (size_t)n;
	X509_free(x);
}

/* Rewrites the private key in path encrypted under a passphrase. */
static void
write_encrypted_key(const char *path)
{
	EVP_PKEY *pkey;
	FILE *f;

	assert_non_null(f = fopen(path, "r"));
	assert_non_null(pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL));
	fclose(f);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, pkey, EVP_aes_128_cbc(),
	    (const unsigned char *)"secret", 6, NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
	EVP_PKEY_free(pkey);
}

/* ---- TLS over a BIO pair ----------------------------------------------- */

struct conn {
	SSL *s, *c;
	int srv, cli;	/* 1 handshake done, -1 failed */
};

/* One handshake step; *state stays 0 while the side waits for its peer. */
static void
step(SSL *ssl, int *state)
{
	int r, e;

	if (*state != 0)
		return;
	r = SSL_do_handshake(ssl);
	if (r == 1) {
		*state = 1;
		return;
	}
	e = SSL_get_error(ssl, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		*state = -1;
}

/* Handshakes a new server and client connection; host NULL: no host check. */
static void
conn_open(struct conn *k, SSL_CTX *sctx, SSL_CTX *cctx, const char *host)
{
	BIO *bs = NULL, *bc = NULL;
	int i;

	memset(k, 0, sizeof(*k));
	assert_non_null(k->s = SSL_new(sctx));
	assert_non_null(k->c = SSL_new(cctx));
	assert_int_equal(BIO_new_bio_pair(&bs, 0, &bc, 0), 1);
	SSL_set_bio(k->s, bs, bs);
	SSL_set_bio(k->c, bc, bc);
	SSL_set_accept_state(k->s);
	SSL_set_connect_state(k->c);
	if (host != NULL)
		assert_int_equal(pki_expect_host(k->c, host), SS_OK);
	for (i = 0; i < 64 && (k->srv == 0 || k->cli == 0); i++) {
		step(k->c, &k->cli);
		step(k->s, &k->srv);
	}
	/* A side still waiting has been left by its failed peer. */
	if (k->srv == 0)
		k->srv = -1;
	if (k->cli == 0)
		k->cli = -1;
	ERR_clear_error();
}

static void
conn_close(struct conn *k)
{
	SSL_free(k->s);
	SSL_free(k->c);
	memset(k, 0, sizeof(*k));
}

/* Client sends "ping", server answers "pong". */
static void
ping(struct conn *k)
{
	char buf[8];

	assert_int_equal(SSL_write(k->c, "ping", 4), 4);
	assert_int_equal(SSL_read(k->s, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(SSL_write(k->s, "pong", 4), 4);
	assert_int_equal(SSL_read(k->c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);
}

/* After the server refused it, the client learns so on its first read. */
static void
assert_client_told(struct conn *k)
{
	char buf[8];
	int r;

	r = SSL_read(k->c, buf, sizeof(buf));
	assert_true(r <= 0);
	assert_int_equal(SSL_get_error(k->c, r), SSL_ERROR_SSL);
	ERR_clear_error();
}

static SSL_CTX *
server_ctx(void)
{
	struct ss_error err;
	SSL_CTX *ctx = pki_server_ctx(g_dir, &err);

	if (ctx == NULL)
		print_error("pki_server_ctx: %s\n", err.msg);
	assert_non_null(ctx);
	return ctx;
}

static SSL_CTX *
client_ctx(const char *dir, const char *party)
{
	struct ss_error err;
	SSL_CTX *ctx = pki_client_ctx(dir, party, &err);

	if (ctx == NULL)
		print_error("pki_client_ctx: %s\n", err.msg);
	assert_non_null(ctx);
	return ctx;
}

/* A client context for alice's CA but presenting another cert and key. */
static SSL_CTX *
client_ctx_with(const char *crt, const char *key)
{
	SSL_CTX *ctx = client_ctx(g_dir, "alice");

	assert_int_equal(SSL_CTX_use_certificate_chain_file(ctx, crt), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key,
	    SSL_FILETYPE_PEM), 1);
	assert_int_equal(SSL_CTX_check_private_key(ctx), 1);
	return ctx;
}

/* ---- setup ------------------------------------------------------------- */

static int
group_setup(void **state)
{
	(void)state;
	g_tmp = tempdir();
	if ((g_dir = certs_dir()) == NULL ||
	    (g_other = other_certs_dir()) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rmdir_all(g_tmp);
	g_tmp = NULL;
	certs_remove();
	return 0;
}

/* ---- names ------------------------------------------------------------- */

static void
test_name_valid(void **state)
{
	static const struct {
		const char *name;
		int valid;
	} cases[] = {
		{ "alice", 1 }, { "Bob", 1 }, { "a", 1 }, { "0", 1 },
		{ "_x", 1 }, { "a.b-c_d", 1 }, { "x.", 1 }, { "a-", 1 },
		{ "hospital-07.eu", 1 },
		{ "", 0 }, { ".", 0 }, { "..", 0 }, { ".hidden", 0 },
		{ "-rf", 0 }, { "a b", 0 }, { "a/b", 0 }, { "../x", 0 },
		{ "a\\b", 0 }, { "a:b", 0 }, { "a\nb", 0 }, { "a\tb", 0 },
		{ "caf\xc3\xa9", 0 }, { "a=b", 0 }, { "a,b", 0 }, { "*", 0 },
	};
	char name[NAME_MAX_LEN + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (name_valid(cases[i].name) != cases[i].valid)
			fail_msg("name_valid(\"%s\") != %d", cases[i].name,
			    cases[i].valid);
	}
	assert_int_equal(name_valid(NULL), 0);
	/* 64 characters are fine, 65 are not. */
	memset(name, 'n', NAME_MAX_LEN);
	name[NAME_MAX_LEN] = '\0';
	assert_int_equal(name_valid(name), 1);
	name[NAME_MAX_LEN] = 'n';
	name[NAME_MAX_LEN + 1] = '\0';
	assert_int_equal(name_valid(name), 0);
}

/* ---- mkcerts.sh -------------------------------------------------------- */

static void
test_mkcerts_files(void **state)
{
	static const char *expect[] = {
		"ca.crt", "ca.key", "server.crt", "server.key",
		"alice.crt", "alice.key", "alice.enc.crt", "alice.enc.key",
		"bob.crt", "bob.key", "bob.enc.crt", "bob.enc.key",
	};
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	size_t i, n = 0, len;

	(void)state;
	/* Exactly these files: no staging folder or public key left over. */
	assert_non_null(d = opendir(g_other));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
			if (strcmp(de->d_name, expect[i]) == 0)
				break;
		if (i == sizeof(expect) / sizeof(expect[0]))
			fail_msg("unexpected file %s", de->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));

	/* A new folder is private; keys 0600; certificates 0644. */
	assert_int_equal(mode_of(g_other), 0700);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		path_of(path, sizeof(path), g_other, expect[i]);
		len = strlen(expect[i]);
		if (strcmp(expect[i] + len - 4, ".key") == 0) {
			assert_int_equal(mode_of(path), 0600);
			assert_int_equal(pki_check_private_file(path), SS_OK);
		} else {
			assert_int_equal(mode_of(path), 0644);
		}
	}
}

static void
test_mkcerts_bad_args(void **state)
{
	static const char *bad[] = {
		"ca", "server", ".x", "a/b", "alice.enc", "", "a b", "x\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	char dir[PATH_MAX];
	size_t i;

	(void)state;
	path_of(dir, sizeof(dir), g_tmp, "refused");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run_mkcerts("--out", dir, "--", bad[i], NULL) == 0)
			fail_msg("mkcerts.sh accepted party name \"%s\"", bad[i]);
		/* Refused before anything was made. */
		assert_int_equal(access(dir, F_OK), -1);
	}
	assert_true(run_mkcerts("--out", dir, "alice", "alice", NULL) != 0);
	assert_true(run_mkcerts("--out", dir, "--bogus", "alice", NULL) != 0);
	assert_true(run_mkcerts("--out", NULL) != 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(run_mkcerts("--help", NULL), 0);
}

static void
test_mkcerts_keeps_ca(void **state)
{
	char ca[PATH_MAX], path[PATH_MAX];
	unsigned char *orig;
	size_t origlen, len;
	X509_STORE *store;
	uint8_t *der, pk[32];
	struct ss_error err;

	(void)state;
	path_of(ca, sizeof(ca), g_dir, "ca.crt");
	assert_int_equal(slurp(ca, &orig, &origlen), 0);

	/* An existing party, or no party at all, would mean a new CA: refused. */
	assert_true(run_mkcerts("--out", g_dir, "alice", NULL) != 0);
	assert_true(same_contents(orig, origlen, ca));
	assert_true(run_mkcerts("--out", g_dir, NULL) != 0);
	assert_true(same_contents(orig, origlen, ca));
	/* Nor is anything made for a new party named with an existing one. */
	assert_true(run_mkcerts("--out", g_dir, "carol", "bob", NULL) != 0);
	path_of(path, sizeof(path), g_dir, "carol.crt");
	assert_int_equal(access(path, F_OK), -1);

	/* A new party alone is issued by the existing CA. */
	assert_int_equal(run_mkcerts("--out", g_dir, "carol", NULL), 0);
	assert_true(same_contents(orig, origlen, ca));
	assert_non_null(store = pki_ca_store(g_dir, &err));
	assert_int_equal(pki_load_enc_cert(g_dir, "carol", &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert(store, der, len, "carol", pk),
	    SS_OK);
	free(der);
	X509_STORE_free(store);
	path_of(path, sizeof(path), g_dir, "carol.key");
	assert_int_equal(mode_of(path), 0600);
	free(orig);
}

static void
test_mkcerts_force(void **state)
{
	char dir[PATH_MAX], ca[PATH_MAX], key[PATH_MAX];
	unsigned char *orig;
	size_t origlen, len;
	X509_STORE *store;
	uint8_t *der, pk[32];
	struct ss_error err;

	(void)state;
	path_of(dir, sizeof(dir), g_tmp, "forced");
	assert_int_equal(run_mkcerts("--out", dir, "alice", NULL), 0);
	path_of(ca, sizeof(ca), dir, "ca.crt");
	path_of(key, sizeof(key), dir, "alice.key");
	assert_int_equal(slurp(ca, &orig, &origlen), 0);
	/* A key loosened by hand must not pass its mode on to its successor. */
	assert_int_equal(chmod(key, 0644), 0);

	assert_int_equal(run_mkcerts("--force", "--out", dir, "alice", NULL), 0);
	assert_false(same_contents(orig, origlen, ca));
	assert_int_equal(mode_of(key), 0600);
	assert_int_equal(mode_of(ca), 0644);
	assert_non_null(store = pki_ca_store(dir, &err));
	assert_int_equal(pki_load_enc_cert(dir, "alice", &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert(store, der, len, "alice", pk),
	    SS_OK);
	free(der);
	X509_STORE_free(store);
	free(orig);
}

/* ---- contexts ---------------------------------------------------------- */

static void
test_ctx_load(void **state)
{
	struct ss_error err;
	char dir[PATH_MAX], path[PATH_MAX];
	SSL_CTX *ctx;

	(void)state;
	SSL_CTX_free(server_ctx());
	SSL_CTX_free(client_ctx(g_dir, "alice"));
	SSL_CTX_free(client_ctx(g_dir, "bob"));

	assert_null(pki_client_ctx(g_dir, "dave", &err));
	assert_non_null(strstr(err.msg, "dave.crt"));
	assert_null(pki_client_ctx(g_dir, "../certs/alice", &err));
	assert_non_null(strstr(err.msg, "invalid party name"));
	path_of(dir, sizeof(dir), g_tmp, "nonexistent");
	assert_null(pki_server_ctx(dir, &err));
	assert_non_null(strstr(err.msg, "ca.crt"));
	assert_null(pki_ca_store(dir, &err));
	assert_non_null(strstr(err.msg, "ca.crt"));
	assert_null(strchr(err.msg, '\n'));

	/* A certificate filed under another party's name is caught early. */
	path_of(dir, sizeof(dir), g_tmp, "misfiled");
	assert_int_equal(mkdir(dir, 0700), 0);
	copy_into(g_dir, "ca.crt", dir, "ca.crt", 0644);
	copy_into(g_dir, "bob.crt", dir, "mallory.crt", 0644);
	copy_into(g_dir, "bob.key", dir, "mallory.key", 0600);
	ctx = pki_client_ctx(dir, "mallory", &err);
	assert_null(ctx);
	assert_non_null(strstr(err.msg, "\"bob\""));

	/* A key that is not the certificate's. */
	copy_into(g_dir, "alice.key", dir, "mallory.key", 0600);
	assert_null(pki_client_ctx(dir, "mallory", &err));
	path_of(path, sizeof(path), dir, "mallory.key");
	assert_non_null(strstr(err.msg, path));

	/* An encrypted key is refused, without waiting for a passphrase. */
	copy_into(g_dir, "bob.crt", dir, "mallory.crt", 0644);
	write_encrypted_key(path);
	assert_null(pki_client_ctx(dir, "mallory", &err));
	assert_non_null(strstr(err.msg, "encrypted"));
	assert_non_null(strstr(err.msg, path));
}

static void
test_key_perms(void **state)
{
	struct ss_error err;
	char key[PATH_MAX], skey[PATH_MAX], ekey[PATH_MAX];
	uint8_t sk[32];

	(void)state;
	path_of(key, sizeof(key), g_dir, "bob.key");
	path_of(skey, sizeof(skey), g_dir, "server.key");
	path_of(ekey, sizeof(ekey), g_dir, "bob.enc.key");

	assert_int_equal(pki_check_private_file(key), SS_OK);
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(pki_check_private_file(key), SS_ERR_KEY_PERMS);
	assert_null(pki_client_ctx(g_dir, "bob", &err));
	assert_non_null(strstr(err.msg, key));
	assert_non_null(strstr(err.msg, "0644"));
	assert_int_equal(chmod(key, 0604), 0);
	assert_int_equal(pki_check_private_file(key), SS_ERR_KEY_PERMS);
	assert_int_equal(chmod(key, 0600), 0);
	SSL_CTX_free(client_ctx(g_dir, "bob"));

	assert_int_equal(chmod(skey, 0640), 0);
	assert_null(pki_server_ctx(g_dir, &err));
	assert_non_null(strstr(err.msg, skey));
	assert_int_equal(chmod(skey, 0600), 0);

	assert_int_equal(chmod(ekey, 0660), 0);
	assert_int_equal(pki_load_enc_key(g_dir, "bob", sk), SS_ERR_KEY_PERMS);
	assert_int_equal(chmod(ekey, 0600), 0);
	assert_int_equal(pki_load_enc_key(g_dir, "bob", sk), SS_OK);
	OPENSSL_cleanse(sk, sizeof(sk));

	/* An owner-only mode tighter than 0600 is fine; absence is I/O. */
	assert_int_equal(chmod(key, 0400), 0);
	assert_int_equal(pki_check_private_file(key), SS_OK);
	assert_int_equal(chmod(key, 0600), 0);
	path_of(key, sizeof(key), g_dir, "nobody.key");
	assert_int_equal(pki_check_private_file(key), SS_ERR_IO);
	assert_int_equal(pki_check_private_file(g_dir), SS_ERR_INVALID);
	assert_int_equal(pki_check_private_file(NULL), SS_ERR_INVALID);
}

/* ---- handshakes -------------------------------------------------------- */

static void
test_handshake_ok(void **state)
{
	SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(g_dir, "alice");
	char name[NAME_MAX_LEN + 1];
	struct conn k;

	(void)state;
	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.cli, 1);
	assert_int_equal(k.srv, 1);
	assert_int_equal(SSL_version(k.s), TLS1_3_VERSION);
	assert_int_equal(pki_peer_name(k.s, name, sizeof(name)), SS_OK);
	assert_string_equal(name, "alice");
	/* Too small a buffer is refused rather than truncated. */
	assert_int_equal(pki_peer_name(k.s, name, 5), SS_ERR_TOO_LARGE);
	assert_string_equal(name, "");
	/* The server's CN is no party name. */
	assert_int_equal(pki_peer_name(k.c, name, sizeof(name)), SS_ERR_CERT);
	ping(&k);
	/* No session ticket came: nothing to resume. */
	assert_int_equal(SSL_SESSION_is_resumable(SSL_get0_session(k.c)), 0);
	conn_close(&k);

	/* bob is bob. */
	SSL_CTX_free(cctx);
	cctx = client_ctx(g_dir, "bob");
	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.srv, 1);
	assert_int_equal(pki_peer_name(k.s, name, sizeof(name)), SS_OK);
	assert_string_equal(name, "bob");
	conn_close(&k);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

static void
test_handshake_ip(void **state)
{
	static const char *hosts[] = { "127.0.0.1", "::1", "[::1]" };
	SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(g_dir, "alice");
	struct conn k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		conn_open(&k, sctx, cctx, hosts[i]);
		if (k.cli != 1 || k.srv != 1)
			fail_msg("handshake expecting %s failed", hosts[i]);
		ping(&k);
		conn_close(&k);
	}
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

static void
test_handshake_wrong_host(void **state)
{
	static const struct {
		const char *host;
		long verr;
	} cases[] = {
		{ "example.com", X509_V_ERR_HOSTNAME_MISMATCH },
		{ "localhost.example", X509_V_ERR_HOSTNAME_MISMATCH },
		/* Not an address, whatever a lax parser would make of it. */
		{ "127.0.0.1junk", X509_V_ERR_HOSTNAME_MISMATCH },
		{ "10.0.0.1", X509_V_ERR_IP_ADDRESS_MISMATCH },
		{ "::2", X509_V_ERR_IP_ADDRESS_MISMATCH },
	};
	SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(g_dir, "alice");
	struct conn k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conn_open(&k, sctx, cctx, cases[i].host);
		if (k.cli != -1)
			fail_msg("client accepted the server as %s",
			    cases[i].host);
		assert_int_equal(SSL_get_verify_result(k.c), cases[i].verr);
		assert_int_equal(k.srv, -1);
		conn_close(&k);
	}
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

static void
test_expect_host_invalid(void **state)
{
	static const char *bad[] = {
		"", "[]", "[127.0.0.1]", "[::1", "local host", "-x", ".x",
		"host:443", "a/b", "a_b.example", "*.example.org", "1::2::3",
	};
	SSL_CTX *cctx = client_ctx(g_dir, "alice");
	char longname[300];
	SSL *ssl;
	size_t i;

	(void)state;
	assert_non_null(ssl = SSL_new(cctx));
	/* pki_host_valid (mpc-client --server-name) refuses the same. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pki_expect_host(ssl, bad[i]) != SS_ERR_INVALID)
			fail_msg("pki_expect_host accepted \"%s\"", bad[i]);
		if (pki_host_valid(bad[i]))
			fail_msg("pki_host_valid accepted \"%s\"", bad[i]);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(pki_expect_host(ssl, longname), SS_ERR_INVALID);
	assert_false(pki_host_valid(longname));
	assert_false(pki_host_valid(NULL));
	assert_int_equal(pki_expect_host(ssl, NULL), SS_ERR_INVALID);
	assert_int_equal(pki_expect_host(NULL, "localhost"), SS_ERR_INVALID);
	assert_int_equal(pki_expect_host(ssl, "localhost."), SS_OK);
	SSL_free(ssl);
	SSL_CTX_free(cctx);
}

/* pki_host_valid takes what pki_expect_host takes (refusals: above). */
static void
test_host_valid(void **state)
{
	static const char *good[] = {
		"localhost", "localhost.", "sum.example.org", "127.0.0.2",
		"::1", "[::1]", "fe80::1:2", "::ffff:127.0.0.1", "a-b.c",
	};
	SSL_CTX *cctx = client_ctx(g_dir, "alice");
	SSL *ssl;
	size_t i;

	(void)state;
	assert_non_null(ssl = SSL_new(cctx));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!pki_host_valid(good[i]))
			fail_msg("pki_host_valid refused \"%s\"", good[i]);
		assert_int_equal(pki_expect_host(ssl, good[i]), SS_OK);
	}
	SSL_free(ssl);
	SSL_CTX_free(cctx);
}

/* The server refuses the client; the client hears of it. */
static void
assert_client_refused(SSL_CTX *cctx, long verr)
{
	SSL_CTX *sctx = server_ctx();
	char name[NAME_MAX_LEN + 1];
	struct conn k;

	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.srv, -1);
	if (verr != X509_V_OK)
		assert_int_equal(SSL_get_verify_result(k.s), verr);
	assert_true(pki_peer_name(k.s, name, sizeof(name)) != SS_OK);
	/* In TLS 1.3 the client finishes first, then reads the alert. */
	if (k.cli == 1)
		assert_client_told(&k);
	conn_close(&k);
	SSL_CTX_free(sctx);
}

static void
test_handshake_foreign_client(void **state)
{
	char crt[PATH_MAX], key[PATH_MAX];
	SSL_CTX *cctx;

	(void)state;
	path_of(crt, sizeof(crt), g_other, "alice.crt");
	path_of(key, sizeof(key), g_other, "alice.key");
	cctx = client_ctx_with(crt, key);
	assert_client_refused(cctx, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	SSL_CTX_free(cctx);
}

static void
test_handshake_server_cert_as_client(void **state)
{
	char crt[PATH_MAX], key[PATH_MAX];
	SSL_CTX *cctx;

	(void)state;
	path_of(crt, sizeof(crt), g_dir, "server.crt");
	path_of(key, sizeof(key), g_dir, "server.key");
	cctx = client_ctx_with(crt, key);
	assert_client_refused(cctx, X509_V_ERR_INVALID_PURPOSE);
	SSL_CTX_free(cctx);
}

static void
test_handshake_no_client_cert(void **state)
{
	char ca[PATH_MAX];
	SSL_CTX *cctx;

	(void)state;
	path_of(ca, sizeof(ca), g_dir, "ca.crt");
	assert_non_null(cctx = SSL_CTX_new(TLS_client_method()));
	assert_int_equal(SSL_CTX_load_verify_locations(cctx, ca, NULL), 1);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	assert_client_refused(cctx, X509_V_OK);
	SSL_CTX_free(cctx);
}

static void
test_handshake_tls12_refused(void **state)
{
	SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(g_dir, "alice");
	struct conn k;

	(void)state;
	assert_int_equal(SSL_CTX_set_min_proto_version(cctx, TLS1_2_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.cli, -1);
	assert_int_equal(k.srv, -1);
	conn_close(&k);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

/* The client refuses a server of another CA: a rogue server. */
static void
test_handshake_foreign_server(void **state)
{
	SSL_CTX *sctx = server_ctx(), *cctx = client_ctx(g_other, "alice");
	struct conn k;

	(void)state;
	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.cli, -1);
	/* The server sends its CA too, which the client does not trust. */
	assert_int_equal(SSL_get_verify_result(k.c),
	    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	assert_int_equal(k.srv, -1);
	conn_close(&k);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

static void
test_peer_name_before_handshake(void **state)
{
	SSL_CTX *sctx = server_ctx();
	char name[NAME_MAX_LEN + 1];
	SSL *ssl;

	(void)state;
	assert_non_null(ssl = SSL_new(sctx));
	assert_int_equal(pki_peer_name(ssl, name, sizeof(name)), SS_ERR_CERT);
	assert_int_equal(pki_peer_name(ssl, name, 0), SS_ERR_INVALID);
	assert_int_equal(pki_peer_name(NULL, name, sizeof(name)),
	    SS_ERR_INVALID);
	SSL_free(ssl);
	SSL_CTX_free(sctx);
}

/* Writes DIR/crl.pem, signed by DIR's CA, revoking the certificate crt. */
static void
write_crl(const char *dir, const char *crt)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), dir, "crl.pem");
	crlfile_write(path, "w", dir, -60, 86400, crt, 0);
}

static void
test_handshake_revoked(void **state)
{
	char crt[PATH_MAX], crl[PATH_MAX], name[NAME_MAX_LEN + 1];
	SSL_CTX *sctx, *alice, *bob;
	struct conn k;

	(void)state;
	path_of(crt, sizeof(crt), g_dir, "alice.crt");
	path_of(crl, sizeof(crl), g_dir, "crl.pem");
	write_crl(g_dir, crt);
	sctx = server_ctx();
	alice = client_ctx(g_dir, "alice");
	bob = client_ctx(g_dir, "bob");

	conn_open(&k, sctx, alice, "localhost");
	assert_int_equal(k.srv, -1);
	assert_int_equal(SSL_get_verify_result(k.s), X509_V_ERR_CERT_REVOKED);
	conn_close(&k);

	conn_open(&k, sctx, bob, "localhost");
	assert_int_equal(k.srv, 1);
	assert_int_equal(pki_peer_name(k.s, name, sizeof(name)), SS_OK);
	assert_string_equal(name, "bob");
	conn_close(&k);

	SSL_CTX_free(bob);
	SSL_CTX_free(alice);
	SSL_CTX_free(sctx);
	assert_int_equal(unlink(crl), 0);
}

/* A revocation list that exists but does not load stops the server. */
static void
test_server_bad_crl(void **state)
{
	struct ss_error err;
	char crl[PATH_MAX], crt[PATH_MAX];
	SSL_CTX *sctx, *cctx;
	struct conn k;
	FILE *f;

	(void)state;
	path_of(crl, sizeof(crl), g_dir, "crl.pem");
	assert_non_null(f = fopen(crl, "w"));
	assert_true(fputs("not a CRL\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_null(pki_server_ctx(g_dir, &err));
	assert_non_null(strstr(err.msg, "crl.pem"));
	assert_null(strchr(err.msg, '\n'));

	/* A certificate in crl.pem is no revocation list, nor trusted. */
	copy_into(g_other, "ca.crt", g_dir, "crl.pem", 0644);
	assert_null(pki_server_ctx(g_dir, &err));
	assert_non_null(strstr(err.msg, "crl.pem"));

	/*
	 * One signed by another CA (with the same issuer name) loads, but then
	 * no client gets in: its signature fails, and revocation fails closed.
	 */
	path_of(crt, sizeof(crt), g_other, "bob.crt");
	write_crl(g_other, crt);
	copy_into(g_other, "crl.pem", g_dir, "crl.pem", 0644);
	path_of(crt, sizeof(crt), g_other, "crl.pem");
	assert_int_equal(unlink(crt), 0);
	sctx = server_ctx();
	cctx = client_ctx(g_dir, "bob");
	conn_open(&k, sctx, cctx, "localhost");
	assert_int_equal(k.srv, -1);
	assert_int_equal(SSL_get_verify_result(k.s),
	    X509_V_ERR_CRL_SIGNATURE_FAILURE);
	conn_close(&k);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	assert_int_equal(unlink(crl), 0);
}

/* ---- encryption-key certificates --------------------------------------- */

static X509_STORE *
store(void)
{
	struct ss_error err;
	X509_STORE *st = pki_ca_store(g_dir, &err);

	if (st == NULL)
		print_error("pki_ca_store: %s\n", err.msg);
	assert_non_null(st);
	return st;
}

static void
test_enc_cert_ok(void **state)
{
	X509_STORE *st = store();
	uint8_t *der, pk[32], sk[32], derived[32];
	EVP_PKEY *pkey;
	size_t len, dlen = sizeof(derived);

	(void)state;
	assert_int_equal(pki_load_enc_cert(g_dir, "bob", &der, &len), SS_OK);
	assert_true(len > 100 && len < 2048);
	assert_int_equal(pki_verify_enc_cert(st, der, len, "bob", pk), SS_OK);

	/* The certified key is the public half of bob's private key. */
	assert_int_equal(pki_load_enc_key(g_dir, "bob", sk), SS_OK);
	assert_non_null(pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519,
	    NULL, sk, sizeof(sk)));
	assert_int_equal(EVP_PKEY_get_raw_public_key(pkey, derived, &dlen), 1);
	assert_int_equal(dlen, 32);
	assert_memory_equal(derived, pk, 32);
	EVP_PKEY_free(pkey);
	OPENSSL_cleanse(sk, sizeof(sk));

	/* alice's key is another. */
	free(der);
	assert_int_equal(pki_load_enc_cert(g_dir, "alice", &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert(st, der, len, "alice", derived),
	    SS_OK);
	assert_memory_not_equal(derived, pk, 32);
	free(der);

	assert_int_equal(pki_load_enc_cert(g_dir, "nobody", &der, &len),
	    SS_ERR_IO);
	assert_null(der);
	assert_int_equal(len, 0);
	assert_int_equal(pki_load_enc_cert(g_dir, "../x", &der, &len),
	    SS_ERR_INVALID);
	assert_int_equal(pki_load_enc_key(g_dir, "nobody", sk), SS_ERR_IO);
	X509_STORE_free(st);
}

/*
 * pki_verify_enc_cert_keep hands over the certificate it parsed: the same
 * DER, whose key is the one written to pk; nothing on a failed check.
 */
static void
test_enc_cert_keep(void **state)
{
	X509_STORE *st = store();
	uint8_t *der, pk[32], pk2[32], *re = NULL;
	X509 *other = X509_new();	/* what *out held: the call clears it */
	X509 *x = other;
	size_t len, rlen = sizeof(pk2);

	(void)state;
	assert_int_equal(pki_load_enc_cert(g_dir, "bob", &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert_keep(st, der, len, "bob", pk, &x),
	    SS_OK);
	assert_non_null(x);
	assert_int_equal(i2d_X509(x, &re), (int)len);
	assert_memory_equal(re, der, len);
	assert_int_equal(EVP_PKEY_get_raw_public_key(X509_get0_pubkey(x), pk2,
	    &rlen), 1);
	assert_memory_equal(pk2, pk, sizeof(pk));
	OPENSSL_free(re);
	X509_free(x);

	/* Refused: nothing handed over. */
	assert_non_null(x = other);
	assert_int_equal(pki_verify_enc_cert_keep(st, der, len, "alice", pk,
	    &x), SS_ERR_CERT);
	assert_null(x);
	x = other;
	assert_int_equal(pki_verify_enc_cert_keep(st, der, len - 1, "bob", pk,
	    &x), SS_ERR_CERT);
	assert_null(x);
	/* Without out it checks as pki_verify_enc_cert does. */
	assert_int_equal(pki_verify_enc_cert_keep(st, der, len, "bob", pk2,
	    NULL), SS_OK);
	assert_memory_equal(pk2, pk, sizeof(pk));
	X509_free(other);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_cert_wrong_name(void **state)
{
	static const char *names[] = { "alice", "Bob", "bo", "bobb", "bob." };
	X509_STORE *st = store();
	uint8_t *der, pk[32];
	size_t len, i;

	(void)state;
	assert_int_equal(pki_load_enc_cert(g_dir, "bob", &der, &len), SS_OK);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (pki_verify_enc_cert(st, der, len, names[i], pk) != SS_ERR_CERT)
			fail_msg("bob's certificate passed as %s's", names[i]);
	}
	assert_int_equal(pki_verify_enc_cert(st, der, len, "", pk),
	    SS_ERR_INVALID);
	assert_int_equal(pki_verify_enc_cert(st, der, len, NULL, pk),
	    SS_ERR_INVALID);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_cert_flipped(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	X509_STORE *st = store();
	uint8_t *der, *bad, pk[32];
	size_t len, i, m;

	(void)state;
	assert_int_equal(pki_load_enc_cert(g_dir, "bob", &der, &len), SS_OK);
	assert_non_null(bad = malloc(len));
	/* Every byte, flipped in three ways: nothing gets through. */
	for (i = 0; i < len; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			memcpy(bad, der, len);
			bad[i] ^= masks[m];
			if (pki_verify_enc_cert(st, bad, len, "bob", pk) == SS_OK)
				fail_msg("byte %zu ^ 0x%02x still verifies", i,
				    masks[m]);
		}
	}
	/* And the original still does: the loop tested the flips. */
	assert_int_equal(pki_verify_enc_cert(st, der, len, "bob", pk), SS_OK);
	free(bad);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_cert_foreign_ca(void **state)
{
	X509_STORE *st = store();
	uint8_t *der, pk[32];
	size_t len;

	(void)state;
	/* Same name, key type and profile; another CA. */
	assert_int_equal(pki_load_enc_cert(g_other, "bob", &der, &len), SS_OK);
	assert_int_equal(pki_verify_enc_cert(st, der, len, "bob", pk),
	    SS_ERR_CERT);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_cert_tls_cert(void **state)
{
	char path[PATH_MAX];
	X509_STORE *st = store();
	uint8_t *der, pk[32];
	size_t len;

	(void)state;
	/* bob's TLS certificate is valid, and bob's, but holds an EC key. */
	path_of(path, sizeof(path), g_dir, "bob.crt");
	pem_cert_der(path, &der, &len);
	assert_int_equal(pki_verify_enc_cert(st, der, len, "bob", pk),
	    SS_ERR_CERT);
	free(der);
	/* The CA's own certificate is no party's key either. */
	path_of(path, sizeof(path), g_dir, "ca.crt");
	pem_cert_der(path, &der, &len);
	assert_int_equal(pki_verify_enc_cert(st, der, len, "bob", pk),
	    SS_ERR_CERT);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_cert_lengths(void **state)
{
	X509_STORE *st = store();
	uint8_t *der, *longer, pk[32];
	size_t len;

	(void)state;
	assert_int_equal(pki_load_enc_cert(g_dir, "bob", &der, &len), SS_OK);
	/* A trailing byte, a missing byte, nothing at all. */
	assert_non_null(longer = malloc(len + 1));
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(pki_verify_enc_cert(st, longer, len + 1, "bob", pk),
	    SS_ERR_CERT);
	assert_int_equal(pki_verify_enc_cert(st, der, len - 1, "bob", pk),
	    SS_ERR_CERT);
	assert_int_equal(pki_verify_enc_cert(st, der, 0, "bob", pk),
	    SS_ERR_INVALID);
	assert_int_equal(pki_verify_enc_cert(st, der, (size_t)1 << 40, "bob",
	    pk), SS_ERR_TOO_LARGE);
	assert_int_equal(pki_verify_enc_cert(NULL, der, len, "bob", pk),
	    SS_ERR_INVALID);
	assert_int_equal(pki_verify_enc_cert(st, NULL, len, "bob", pk),
	    SS_ERR_INVALID);
	free(longer);
	free(der);
	X509_STORE_free(st);
}

static void
test_enc_key_wrong_type(void **state)
{
	char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	uint8_t sk[32];

	(void)state;
	/* An EC key filed as an encryption key is refused. */
	path_of(dir, sizeof(dir), g_tmp, "wrongtype");
	assert_int_equal(mkdir(dir, 0700), 0);
	path_of(from, sizeof(from), g_dir, "bob.key");
	path_of(to, sizeof(to), dir, "eve.enc.key");
	copy_file(from, to, 0600);
	assert_int_equal(pki_load_enc_key(dir, "eve", sk), SS_ERR_INVALID);
	/* So is a file that is no key at all. */
	path_of(from, sizeof(from), g_dir, "bob.enc.crt");
	copy_file(from, to, 0600);
	assert_int_equal(pki_load_enc_key(dir, "eve", sk), SS_ERR_CRYPTO);
	assert_int_equal(pki_load_enc_key(dir, "../x", sk), SS_ERR_INVALID);
	assert_int_equal(pki_load_enc_key(dir, "eve", NULL), SS_ERR_INVALID);
}

/*
 * A TLS key is loaded whether PKCS#8 (as mkcerts.sh writes it) or SEC1
 * ("EC PRIVATE KEY"), and is the certificate's key either way.
 */
static void
test_key_formats(void **state)
{
	char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct ss_error err;
	EVP_PKEY *key = NULL, *again = NULL;
	X509 *cert = NULL, *cert2 = NULL;
	unsigned char *pem;
	size_t pemlen;
	BIO *b;

	(void)state;
	path_of(dir, sizeof(dir), g_tmp, "sec1");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(pki_load_signing_key(g_dir, "bob", &key, &cert, &err),
	    SS_OK);
	path_of(from, sizeof(from), g_dir, "bob.crt");
	path_of(to, sizeof(to), dir, "bob.crt");
	copy_file(from, to, 0644);
	path_of(to, sizeof(to), dir, "bob.key");
	assert_non_null(b = BIO_new_file(to, "w"));
	assert_int_equal(PEM_write_bio_PrivateKey_traditional(b, key, NULL, NULL,
	    0, NULL, NULL), 1);
	BIO_free(b);
	assert_int_equal(slurp(to, &pem, &pemlen), 0);
	assert_non_null(memmem(pem, pemlen, "BEGIN EC PRIVATE KEY", 20));
	free(pem);
	assert_int_equal(chmod(to, 0600), 0);
	assert_int_equal(pki_load_signing_key(dir, "bob", &again, &cert2,
	    &err), SS_OK);
	assert_int_equal(EVP_PKEY_eq(key, again), 1);
	EVP_PKEY_free(key);
	EVP_PKEY_free(again);
	X509_free(cert);
	X509_free(cert2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_mkcerts_files),
		cmocka_unit_test(test_mkcerts_bad_args),
		cmocka_unit_test(test_mkcerts_keeps_ca),
		cmocka_unit_test(test_mkcerts_force),
		cmocka_unit_test(test_ctx_load),
		cmocka_unit_test(test_key_perms),
		cmocka_unit_test(test_handshake_ok),
		cmocka_unit_test(test_handshake_ip),
		cmocka_unit_test(test_handshake_wrong_host),
		cmocka_unit_test(test_expect_host_invalid),
		cmocka_unit_test(test_host_valid),
		cmocka_unit_test(test_handshake_foreign_client),
		cmocka_unit_test(test_handshake_server_cert_as_client),
		cmocka_unit_test(test_handshake_no_client_cert),
		cmocka_unit_test(test_handshake_tls12_refused),
		cmocka_unit_test(test_handshake_foreign_server),
		cmocka_unit_test(test_peer_name_before_handshake),
		cmocka_unit_test(test_handshake_revoked),
		cmocka_unit_test(test_server_bad_crl),
		cmocka_unit_test(test_enc_cert_ok),
		cmocka_unit_test(test_enc_cert_keep),
		cmocka_unit_test(test_enc_cert_wrong_name),
		cmocka_unit_test(test_enc_cert_flipped),
		cmocka_unit_test(test_enc_cert_foreign_ca),
		cmocka_unit_test(test_enc_cert_tls_cert),
		cmocka_unit_test(test_enc_cert_lengths),
		cmocka_unit_test(test_enc_key_wrong_type),
		cmocka_unit_test(test_key_formats),
	};

	return cmocka_run_group_tests_name("pki", tests, group_setup,
	    group_teardown);
}
