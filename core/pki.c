/*
 * pki.c: certificates and keys for secure-sum, on OpenSSL 3.0.
 *
 * Both ends speak TLS 1.3 only and each verifies the other against the one
 * project CA (DIR/ca.crt); the server also honours DIR/crl.pem, and so does
 * every check of an encryption-key certificate (pki_ca_store). A party's
 * identity is the single CN of its verified certificate. Private keys are read
 * by this file itself, from a descriptor whose mode has been checked (so the
 * checked file is the one loaded), into memory that is wiped afterwards.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "path.h"
#include "pki.h"
#include "pki_internal.h"
#include "spki.h"
#include "x509ctx.h"

/* Key files are a few hundred bytes; anything much larger is not ours. */
#define PKI_KEY_FILE_MAX  (64 * 1024)
/* Encryption-key certificates are about 400 bytes of DER. */
#define PKI_CERT_DER_MAX  (16 * 1024)
/* RFC 1035: at most 253 characters in a DNS name's text form. */
#define PKI_HOST_MAX      253


/* ---- errors ------------------------------------------------------------ */

/*
 * Sets e to code and a one-line reason: the printf-style message, then, if
 * OpenSSL queued an error, ": " and its first (root-cause) entry. Clears the
 * queue so that the next call starts clean.
 */
static void
set_err(struct ss_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(struct ss_error *e, int code, const char *fmt, ...)
{
	char msg[SS_ERROR_MSG_MAX], ossl[256];
	unsigned long oe;
	va_list ap;

	oe = ERR_get_error();
	ERR_clear_error();
	if (e == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)ss_error_set(e, code, "%s", msg);
	if (oe != 0) {
		ERR_error_string_n(oe, ossl, sizeof(ossl));
		/* Truncation of the reason is acceptable; it stays one line. */
		(void)ss_error_set(e, code, "%.*s: %s", (int)sizeof(msg) - 300,
		    msg, ossl);
	}
}

/* Joins dir, name and suffix ("dir/name.suffix") after checking name. */
int
pki_party_path(char *out, size_t outlen, const char *dir, const char *name,
    const char *suffix)
{
	char file[NAME_MAX_LEN + 16];
	int n;

	if (!name_valid(name))
		return SS_ERR_INVALID;
	n = snprintf(file, sizeof(file), "%s%s", name, suffix);
	if (n < 0 || (size_t)n >= sizeof(file))
		return SS_ERR_INTERNAL;
	return path_join(out, outlen, dir, file);
}

/* ---- certificate names ------------------------------------------------ */

/*
 * The subject's one CN, as a valid name, into out. Certificates with no CN,
 * several CNs, an odd string type, an embedded NUL or an invalid name are
 * refused: an identity must be unambiguous.
 */
static int
cert_cn(X509 *x, char out[NAME_MAX_LEN + 1])
{
	const X509_NAME *subject;
	const X509_NAME_ENTRY *entry;
	const ASN1_STRING *s;
	const unsigned char *data;
	int idx, len, type;

	out[0] = '\0';
	if ((subject = X509_get_subject_name(x)) == NULL)
		return SS_ERR_CERT;
	idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (idx < 0)
		return SS_ERR_CERT;
	if (X509_NAME_get_index_by_NID(subject, NID_commonName, idx) != -1)
		return SS_ERR_CERT;
	if ((entry = X509_NAME_get_entry(subject, idx)) == NULL ||
	    (s = X509_NAME_ENTRY_get_data(entry)) == NULL)
		return SS_ERR_CERT;
	/* Valid names are ASCII, which these three types hold byte for byte. */
	type = ASN1_STRING_type(s);
	if (type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING &&
	    type != V_ASN1_IA5STRING)
		return SS_ERR_CERT;
	len = ASN1_STRING_length(s);
	data = ASN1_STRING_get0_data(s);
	if (data == NULL || len <= 0 || len > NAME_MAX_LEN ||
	    memchr(data, '\0', (size_t)len) != NULL)
		return SS_ERR_CERT;
	memcpy(out, data, (size_t)len);
	out[len] = '\0';
	if (!name_valid(out)) {
		out[0] = '\0';
		return SS_ERR_CERT;
	}
	return SS_OK;
}

/* ---- private key files ------------------------------------------------- */

/* The rule ssh applies to its keys: nobody but the owner may touch them. */
static int
private_mode_ok(const struct stat *st)
{
	return (st->st_mode & 077) == 0;
}

int
pki_check_private_file(const char *path)
{
	struct stat st;

	if (path == NULL)
		return SS_ERR_INVALID;
	if (stat(path, &st) != 0)
		return SS_ERR_IO;
	if (!S_ISREG(st.st_mode))
		return SS_ERR_INVALID;
	if (!private_mode_ok(&st))
		return SS_ERR_KEY_PERMS;
	return SS_OK;
}

/*
 * Reads a private key file whole into a malloc'd buffer, after checking the
 * mode of the very file opened (no window between check and read). The
 * caller wipes and frees *buf. Failures are described in e.
 */
static int
read_private_file(const char *path, unsigned char **buf, size_t *len,
    struct ss_error *e)
{
	struct stat st;
	unsigned char *p = NULL;
	size_t off = 0, cap = 0;
	ssize_t r;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		set_err(e, SS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		set_err(e, SS_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
		ret = SS_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(e, SS_ERR_INVALID, "%s is not a regular file", path);
		ret = SS_ERR_INVALID;
		goto out;
	}
	if (!private_mode_ok(&st)) {
		set_err(e, SS_ERR_KEY_PERMS, "%s has mode %04o: group or others can "
		    "reach this private key; chmod 600 it",
		    path, (unsigned)(st.st_mode & 07777));
		ret = SS_ERR_KEY_PERMS;
		goto out;
	}
	if (st.st_size <= 0 || st.st_size > PKI_KEY_FILE_MAX) {
		set_err(e, SS_ERR_INVALID, "%s: size %lld is not that of a key file",
		    path, (long long)st.st_size);
		ret = SS_ERR_INVALID;
		goto out;
	}
	/* One spare byte shows whether the file grew while we read it. */
	cap = (size_t)st.st_size + 1;
	if ((p = malloc(cap)) == NULL) {
		set_err(e, SS_ERR_ALLOC, "%s: out of memory", path);
		ret = SS_ERR_ALLOC;
		goto out;
	}
	while (off < cap) {
		r = read(fd, p + off, cap - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			set_err(e, SS_ERR_IO, "cannot read %s: %s", path,
			    strerror(errno));
			ret = SS_ERR_IO;
			goto out;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	if (off != (size_t)st.st_size) {
		set_err(e, SS_ERR_IO, "%s changed while being read", path);
		ret = SS_ERR_IO;
		goto out;
	}
	*buf = p;
	*len = off;
	p = NULL;
	ret = SS_OK;
 out:
	if (p != NULL) {
		OPENSSL_cleanse(p, cap);
		free(p);
	}
	(void)close(fd);
	return ret;
}

/*
 * Never prompt: keys are unencrypted by design, and a server must not block
 * on a terminal. Refusing makes an encrypted key a plain load failure.
 */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * Decodes the PEM private key in buf as a key of type (an OpenSSL key type
 * name): with the type named, OpenSSL 3.0 sets up only that type's
 * decoders, ~1.9 M instructions against ~5 M for PEM_read_bio_PrivateKey,
 * which tries every type. NULL if it is not one.
 */
static EVP_PKEY *
decode_typed(const unsigned char *buf, size_t len, const char *type)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, type,
	    EVP_PKEY_KEYPAIR, NULL, NULL);
	if (dctx == NULL || OSSL_DECODER_from_data(dctx, &buf, &len) != 1 ||
	    len != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return pkey;
}

/*
 * Loads the private key in path, after the mode check. type names the
 * key's type when the caller knows it (a fast path; a key of another type
 * is still loaded, for the caller's own check to name it), or is NULL.
 */
int
pki_read_private_key(const char *path, const char *type, EVP_PKEY **pkey,
    struct ss_error *e)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int ret;

	*pkey = NULL;
	if ((ret = read_private_file(path, &buf, &len, e)) != SS_OK)
		return ret;
	if (type != NULL && (*pkey = decode_typed(buf, len, type)) != NULL) {
		ret = SS_OK;
		goto out;
	}
	/* len <= PKI_KEY_FILE_MAX, so it fits an int. */
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		set_err(e, SS_ERR_CRYPTO, "%s: cannot make a memory BIO", path);
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	ERR_clear_error();
	*pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (*pkey == NULL) {
		/*
		 * OpenSSL's reasons for these two are cryptic ("interrupted or
		 * cancelled", "unsupported"): say it plainly instead.
		 */
		if (memmem(buf, len, "ENCRYPTED", 9) != NULL) {
			ERR_clear_error();
			set_err(e, SS_ERR_CRYPTO, "%s is encrypted; secure-sum "
			    "needs an unencrypted key file of mode 0600", path);
		} else if (memmem(buf, len, "-----BEGIN ", 11) == NULL) {
			ERR_clear_error();
			set_err(e, SS_ERR_CRYPTO, "%s is not a PEM private key", path);
		} else {
			set_err(e, SS_ERR_CRYPTO, "cannot load private key %s", path);
		}
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	ret = SS_OK;
 out:
	BIO_free(bio);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return ret;
}

/* ---- TLS contexts ------------------------------------------------------ */

/* Settings both ends share: TLS 1.3 only, the CA, strict verification. */
static int
common_setup(SSL_CTX *ctx, const char *dir, struct ss_error *e)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, "ca.crt") != SS_OK) {
		set_err(e, SS_ERR_TOO_LARGE, "certificate folder name is too long "
		    "or empty");
		return SS_ERR_TOO_LARGE;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot restrict TLS to version 1.3");
		return SS_ERR_CRYPTO;
	}
	/*
	 * Keep read and write buffers for the connection's life: releasing them
	 * between records saves little and costs an allocation per record.
	 */
	SSL_CTX_clear_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1) {
		set_err(e, SS_ERR_CERT, "cannot load CA certificate %s", path);
		return SS_ERR_CERT;
	}
	/*
	 * Strict RFC 5280 checks on every chain: mkcerts.sh makes compliant
	 * certificates, so anything sloppier did not come from it.
	 */
	if (X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx),
	    X509_V_FLAG_X509_STRICT) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot set certificate verification flags");
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

/* What one end adds to the common settings. */
typedef int (*role_setup_fn)(SSL_CTX *ctx, const char *dir, const char *party,
    struct ss_error *e);

/* A context of method, with the common settings and then the role's; NULL on failure. */
static SSL_CTX *
make_ctx(const SSL_METHOD *method, const char *dir, const char *party,
    role_setup_fn role, struct ss_error *e)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(method)) == NULL) {
		set_err(e, SS_ERR_CRYPTO, "cannot create a TLS context");
		return NULL;
	}
	if (common_setup(ctx, dir, e) != SS_OK ||
	    role(ctx, dir, party, e) != SS_OK) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Loads our own certificate and key into ctx and checks they match. */
static int
use_cert_and_key(SSL_CTX *ctx, const char *crt, const char *key, struct ss_error *e)
{
	EVP_PKEY *pkey = NULL;
	int ret;

	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1) {
		set_err(e, SS_ERR_CERT, "cannot load certificate %s", crt);
		return SS_ERR_CERT;
	}
	/* Our TLS keys are EC P-256 keys (scripts/mkcerts.sh). */
	if ((ret = pki_read_private_key(key, "EC", &pkey, e)) != SS_OK)
		return ret;
	if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot use private key %s", key);
		EVP_PKEY_free(pkey);
		return SS_ERR_CRYPTO;
	}
	/* The context holds its own reference now. */
	EVP_PKEY_free(pkey);
	if (SSL_CTX_check_private_key(ctx) != 1) {
		set_err(e, SS_ERR_CERT, "private key %s does not match %s", key, crt);
		return SS_ERR_CERT;
	}
	return SS_OK;
}

/*
 * Loads DIR/crl.pem, if it exists, into store and then checks every
 * certificate verified against store for revocation. A CRL that exists but
 * does not load is an error, not a silent pass: revocations must not be
 * lost. Used for the server's TLS clients and, through pki_ca_store, for
 * the parties' encryption-key certificates.
 */
static int
load_crl(X509_STORE *store, const char *dir, struct ss_error *e)
{
	char path[PATH_MAX];
	struct stat st;
	X509_LOOKUP *lookup;

	if (path_join(path, sizeof(path), dir, "crl.pem") != SS_OK) {
		set_err(e, SS_ERR_TOO_LARGE, "certificate folder name is too long");
		return SS_ERR_TOO_LARGE;
	}
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		set_err(e, SS_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
		return SS_ERR_IO;
	}
	ERR_clear_error();
	/*
	 * X509_load_crl_file takes only the CRLs in the file: a certificate
	 * slipped into crl.pem must not become a trust anchor, as it would with
	 * X509_STORE_load_file.
	 */
	if ((lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file())) == NULL) {
		set_err(e, SS_ERR_CRYPTO, "cannot create a file lookup for %s", path);
		return SS_ERR_CRYPTO;
	}
	if (X509_load_crl_file(lookup, path, X509_FILETYPE_PEM) <= 0) {
		set_err(e, SS_ERR_CERT, "cannot load revocation list %s", path);
		return SS_ERR_CERT;
	}
	/* The chain is one CA deep: the leaf certificate is what to check. */
	if (X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot enable revocation checks");
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

/* The server's side: no resumption, client certificates required, the CRL. */
static int
server_setup(SSL_CTX *ctx, const char *dir, const char *unused,
    struct ss_error *e)
{
	char ca[PATH_MAX], crt[PATH_MAX], key[PATH_MAX];
	STACK_OF(X509_NAME) *names;
	int rc;

	(void)unused;
	if (path_join(ca, sizeof(ca), dir, "ca.crt") != SS_OK ||
	    path_join(crt, sizeof(crt), dir, "server.crt") != SS_OK ||
	    path_join(key, sizeof(key), dir, "server.key") != SS_OK) {
		set_err(e, SS_ERR_TOO_LARGE, "certificate folder name is too long "
		    "or empty");
		return SS_ERR_TOO_LARGE;
	}
	/*
	 * No resumption at all, for now: every connection proves its client's
	 * certificate afresh, against the CRL as it stands.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (SSL_CTX_set_num_tickets(ctx, 0) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot disable session tickets");
		return SS_ERR_CRYPTO;
	}
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* Clients must present a certificate made for TLS client use. */
	if (SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot set the client certificate purpose");
		return SS_ERR_CRYPTO;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    NULL);
	ERR_clear_error();
	if ((names = SSL_load_client_CA_file(ca)) == NULL) {
		set_err(e, SS_ERR_CERT, "cannot read CA names from %s", ca);
		return SS_ERR_CERT;
	}
	SSL_CTX_set_client_CA_list(ctx, names);	/* takes ownership */
	if ((rc = use_cert_and_key(ctx, crt, key, e)) != SS_OK)
		return rc;
	return load_crl(SSL_CTX_get_cert_store(ctx), dir, e);
}

SSL_CTX *
pki_server_ctx(const char *dir, struct ss_error *e)
{
	ss_error_clear(e);
	return make_ctx(TLS_server_method(), dir, NULL, server_setup, e);
}

/*
 * A party's side: the server's certificate checked for server use, our own
 * certificate, which must be the party's.
 */
static int
client_setup(SSL_CTX *ctx, const char *dir, const char *party,
    struct ss_error *e)
{
	char crt[PATH_MAX], key[PATH_MAX], cn[NAME_MAX_LEN + 1];
	X509 *own;
	int rc;

	if (pki_party_path(crt, sizeof(crt), dir, party, ".crt") != SS_OK ||
	    pki_party_path(key, sizeof(key), dir, party, ".key") != SS_OK) {
		set_err(e, SS_ERR_TOO_LARGE, "certificate folder name is too long "
		    "or empty");
		return SS_ERR_TOO_LARGE;
	}
	/* The server must present a certificate made for TLS server use. */
	if (SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot set the server certificate purpose");
		return SS_ERR_CRYPTO;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/*
	 * The TLS context does not read crl.pem: refusing revoked clients is
	 * the server's job. The client's checks of the other parties'
	 * encryption-key certificates do read it (pki_ca_store).
	 */
	if ((rc = use_cert_and_key(ctx, crt, key, e)) != SS_OK)
		return rc;
	/*
	 * Catch a misfiled certificate here, with a clear message, rather than
	 * as a baffling PERMISSION_DENIED from the server later.
	 */
	if ((own = SSL_CTX_get0_certificate(ctx)) == NULL ||
	    cert_cn(own, cn) != SS_OK) {
		set_err(e, SS_ERR_CERT, "%s has no valid party name as its CN", crt);
		return SS_ERR_CERT;
	}
	if (strcmp(cn, party) != 0) {
		set_err(e, SS_ERR_CERT, "%s is the certificate of \"%s\", not of "
		    "\"%s\"", crt, cn, party);
		return SS_ERR_CERT;
	}
	return SS_OK;
}

SSL_CTX *
pki_client_ctx(const char *dir, const char *party, struct ss_error *e)
{
	ss_error_clear(e);
	if (!name_valid(party)) {
		set_err(e, SS_ERR_INVALID, "invalid party name: use 1 to 64 of "
		    "A-Z a-z 0-9 . _ -, not starting with '.' or '-'");
		return NULL;
	}
	return make_ctx(TLS_client_method(), dir, party, client_setup, e);
}

/* ---- per-connection checks --------------------------------------------- */

/* 1 if host is a plausible DNS name: letters, digits, '-', '.'. */
static int
dns_name_ok(const char *host, size_t len)
{
	size_t i;
	char c;

	if (len == 0 || len > PKI_HOST_MAX || host[0] == '.' || host[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Reads host as pki_expect_host takes it: an IP literal (bracketed IPv6
 * too) into ip, *iplen 4 or 16; or a DNS name, *iplen 0. SS_ERR_INVALID
 * for anything else.
 */
static int
host_parse(const char *host, unsigned char ip[16], size_t *iplen)
{
	char inner[INET6_ADDRSTRLEN];
	size_t len;

	if (host == NULL)
		return SS_ERR_INVALID;
	len = strnlen(host, PKI_HOST_MAX + 1);
	if (len == 0 || len > PKI_HOST_MAX)
		return SS_ERR_INVALID;
	/* "[::1]" as written in HOST:PORT is the address ::1. */
	if (host[0] == '[' && host[len - 1] == ']') {
		if (len < 3 || len - 2 >= sizeof(inner))
			return SS_ERR_INVALID;
		memcpy(inner, host + 1, len - 2);
		inner[len - 2] = '\0';
		*iplen = 16;
		return inet_pton(AF_INET6, inner, ip) == 1 ? SS_OK :
		    SS_ERR_INVALID;
	}
	/*
	 * inet_pton, not X509_VERIFY_PARAM_set1_ip_asc, decides what is an
	 * address: OpenSSL's parser would take "1.2.3.4junk" as 1.2.3.4.
	 */
	if (inet_pton(AF_INET, host, ip) == 1) {
		*iplen = 4;
		return SS_OK;
	}
	if (inet_pton(AF_INET6, host, ip) == 1) {
		*iplen = 16;
		return SS_OK;
	}
	*iplen = 0;
	return dns_name_ok(host, len) ? SS_OK : SS_ERR_INVALID;
}

int
pki_host_valid(const char *host)
{
	unsigned char ip[16];
	size_t iplen;

	return host_parse(host, ip, &iplen) == SS_OK;
}

int
pki_expect_host(SSL *ssl, const char *host)
{
	unsigned char ip[16];
	X509_VERIFY_PARAM *param;
	size_t iplen;

	if (ssl == NULL || host_parse(host, ip, &iplen) != SS_OK)
		return SS_ERR_INVALID;
	if ((param = SSL_get0_param(ssl)) == NULL)
		return SS_ERR_INTERNAL;
	if (iplen > 0) {
		/* The address must be in the certificate's iPAddress SANs. */
		if (X509_VERIFY_PARAM_set1_host(param, NULL, 0) != 1 ||
		    X509_VERIFY_PARAM_set1_ip(param, ip, iplen) != 1)
			return SS_ERR_CRYPTO;
		return SS_OK;
	}
	/* Clear any address set before: the name alone must match. */
	if (X509_VERIFY_PARAM_set1_ip(param, NULL, 0) != 1)
		return SS_ERR_CRYPTO;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set1_host(ssl, host) != 1)
		return SS_ERR_CRYPTO;
	/* SNI carries DNS names only (RFC 6066, section 3). */
	if (SSL_set_tlsext_host_name(ssl, host) != 1)
		return SS_ERR_CRYPTO;
	return SS_OK;
}

int
pki_peer_name(SSL *ssl, char *out, size_t outlen)
{
	char cn[NAME_MAX_LEN + 1];
	X509 *peer;
	size_t len;
	int ret;

	if (ssl == NULL || out == NULL || outlen == 0)
		return SS_ERR_INVALID;
	out[0] = '\0';
	/* Only a finished handshake has a verified peer. */
	if (!SSL_is_init_finished(ssl))
		return SS_ERR_CERT;
	if ((peer = SSL_get0_peer_certificate(ssl)) == NULL)
		return SS_ERR_CERT;
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		return SS_ERR_CERT;
	if ((ret = cert_cn(peer, cn)) != SS_OK)
		return ret;
	len = strlen(cn);
	if (len >= outlen)
		return SS_ERR_TOO_LARGE;
	memcpy(out, cn, len + 1);
	return SS_OK;
}

/* ---- encryption keys --------------------------------------------------- */

int
pki_load_enc_cert(const char *dir, const char *name, uint8_t **der,
    size_t *len)
{
	char path[PATH_MAX];
	unsigned char *buf = NULL, *p;
	X509 *x = NULL;
	BIO *bio = NULL;
	int n, ret;

	if (der == NULL || len == NULL)
		return SS_ERR_INVALID;
	*der = NULL;
	*len = 0;
	if ((ret = pki_party_path(path, sizeof(path), dir, name, ".enc.crt")) !=
	    SS_OK)
		return ret;
	ERR_clear_error();
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		ret = SS_ERR_IO;
		goto out;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		ret = SS_ERR_CERT;
		goto out;
	}
	n = i2d_X509(x, NULL);
	if (n <= 0 || n > PKI_CERT_DER_MAX) {
		ret = n <= 0 ? SS_ERR_CRYPTO : SS_ERR_TOO_LARGE;
		goto out;
	}
	if ((buf = malloc((size_t)n)) == NULL) {
		ret = SS_ERR_ALLOC;
		goto out;
	}
	p = buf;	/* i2d_X509 advances p */
	if (i2d_X509(x, &p) != n) {
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	*der = buf;
	*len = (size_t)n;
	buf = NULL;
	ret = SS_OK;
 out:
	free(buf);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return ret;
}

X509_STORE *
pki_ca_store(const char *dir, struct ss_error *e)
{
	char path[PATH_MAX];
	X509_STORE *store;

	ss_error_clear(e);
	if (path_join(path, sizeof(path), dir, "ca.crt") != SS_OK) {
		set_err(e, SS_ERR_TOO_LARGE, "certificate folder name is too long "
		    "or empty");
		return NULL;
	}
	ERR_clear_error();
	if ((store = X509_STORE_new()) == NULL) {
		set_err(e, SS_ERR_CRYPTO, "cannot create a certificate store");
		return NULL;
	}
	if (X509_STORE_load_file(store, path) != 1) {
		set_err(e, SS_ERR_CERT, "cannot load CA certificate %s", path);
		X509_STORE_free(store);
		return NULL;
	}
	if (X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT) != 1) {
		set_err(e, SS_ERR_CRYPTO, "cannot set certificate verification flags");
		X509_STORE_free(store);
		return NULL;
	}
	/* A revoked party's encryption key is refused like its TLS key. */
	if (load_crl(store, dir, e) != SS_OK) {
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

int
pki_raw_x25519(const EVP_PKEY *pkey, int private, uint8_t out[HPKE_KEY_LEN])
{
	unsigned char raw[HPKE_KEY_LEN];
	size_t len = sizeof(raw);
	int ok;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_X25519)
		return SS_ERR_INVALID;
	ok = private ? EVP_PKEY_get_raw_private_key(pkey, raw, &len) :
	    EVP_PKEY_get_raw_public_key(pkey, raw, &len);
	if (ok != 1 || len != sizeof(raw)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return SS_ERR_CRYPTO;
	}
	memcpy(out, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return SS_OK;
}


int
pki_verify_enc_cert(X509_STORE *store, const uint8_t *der, size_t len,
    const char *name, uint8_t pk[HPKE_KEY_LEN])
{
	return pki_verify_enc_cert_keep(store, der, len, name, pk, NULL);
}

int
pki_verify_enc_cert_keep(X509_STORE *store, const uint8_t *der, size_t len,
    const char *name, uint8_t pk[HPKE_KEY_LEN], X509 **out)
{
	char cn[NAME_MAX_LEN + 1];
	unsigned char raw[HPKE_KEY_LEN];
	const unsigned char *p = der;
	X509_STORE_CTX *vctx = NULL;
	X509 *x = NULL;
	uint32_t flags;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (store == NULL || der == NULL || pk == NULL || len == 0 ||
	    !name_valid(name))
		return SS_ERR_INVALID;
	if (len > PKI_CERT_DER_MAX)
		return SS_ERR_TOO_LARGE;
	ERR_clear_error();
	/*
	 * Our CA's shape is parsed where decoding its key is cheap
	 * (x509ctx.h), any other in full. Whole buffer, one certificate, no
	 * trailing bytes, either way.
	 */
	if ((spki_x25519_key(der, len, raw) != SS_OK ||
	    (x = x509ctx_parse(der, len)) == NULL) &&
	    ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len)) {
		ret = SS_ERR_CERT;
		goto out;
	}
	if ((vctx = X509_STORE_CTX_new()) == NULL) {
		ret = SS_ERR_ALLOC;
		goto out;
	}
	if (X509_STORE_CTX_init(vctx, store, x, NULL) != 1 ||
	    X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_ANY) != 1) {
		ret = SS_ERR_CRYPTO;
		goto out;
	}
	/* Chain, signatures and validity period (at the current time). */
	if (X509_verify_cert(vctx) != 1) {
		ret = SS_ERR_CERT;
		goto out;
	}
	if (cert_cn(x, cn) != SS_OK || strcmp(cn, name) != 0) {
		ret = SS_ERR_CERT;
		goto out;
	}
	/* A CA certificate is never a party's encryption key. */
	flags = X509_get_extension_flags(x);
	if ((flags & EXFLAG_INVALID) != 0 || X509_check_ca(x) != 0) {
		ret = SS_ERR_CERT;
		goto out;
	}
	/* mkcerts.sh always marks these keys for key agreement; require it. */
	if ((flags & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(x) & KU_KEY_AGREEMENT) == 0) {
		ret = SS_ERR_CERT;
		goto out;
	}
	/* Our CA's shape read off the DER, any other parsed: X25519 only. */
	if ((ret = pki_enc_key_of_der(der, len, raw)) != SS_OK)
		goto out;
	memcpy(pk, raw, sizeof(raw));
	ret = SS_OK;
	if (out != NULL) {
		*out = x;
		x = NULL;
	}
 out:
	X509_STORE_CTX_free(vctx);
	X509_free(x);
	ERR_clear_error();
	return ret;
}

int
pki_enc_key_of_der(const uint8_t *der, size_t len, uint8_t pk[HPKE_KEY_LEN])
{
	const unsigned char *p = der;
	X509 *x;
	int ret = SS_ERR_CERT;

	if (der == NULL || pk == NULL || len == 0)
		return SS_ERR_INVALID;
	if (len > PKI_CERT_DER_MAX)
		return SS_ERR_TOO_LARGE;
	/* Our CA's shape, read off its DER: no parse, no key decoders. */
	if (spki_x25519_key(der, len, pk) == SS_OK)
		return SS_OK;
	ERR_clear_error();
	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL && p == der + len &&
	    X509_get0_pubkey(x) != NULL &&
	    EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_X25519)
		ret = pki_raw_x25519(X509_get0_pubkey(x), 0, pk);
	X509_free(x);
	ERR_clear_error();
	return ret;
}
