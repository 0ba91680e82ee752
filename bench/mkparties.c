/*
 * mkparties.c: issues many party certificates at once for the benchmark.
 *
 * scripts/mkcerts.sh runs eight openssl commands per party, which is fine
 * for a handful of parties and far too slow for the 1,000 the benchmark
 * needs. This tool does the same job in-process, from the CA that
 * mkcerts.sh made, with the same profiles (see write_extensions there):
 *
 *   NAME.crt / NAME.key          ECDSA P-256, CN=NAME, clientAuth
 *   NAME.enc.crt / NAME.enc.key  X25519, CN=NAME, keyUsage keyAgreement
 *
 * usage: mkparties DIR PREFIX COUNT
 * makes PREFIX0001 .. PREFIX<COUNT> (4 digits, more when COUNT > 9999) in
 * DIR, which must hold ca.crt and ca.key; existing parties are kept.
 * Benchmark use only: it never replaces the CA and is not installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define LEAF_DAYS 825

static void
die(const char *what)
{
	fprintf(stderr, "mkparties: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int
add_ext(X509 *ca, X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static X509 *
issue(X509 *ca, EVP_PKEY *cakey, EVP_PKEY *key, const char *cn, int enc)
{
	unsigned char sn[16];
	BIGNUM *bn;
	X509 *x;
	X509_NAME *name;

	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1)
		die("X509_new");
	if (RAND_bytes(sn, sizeof(sn)) != 1)
		die("RAND_bytes");
	sn[0] &= 0x7f;
	sn[0] |= 0x40;
	if ((bn = BN_bin2bn(sn, sizeof(sn), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		die("serial");
	BN_free(bn);
	if ((name = X509_NAME_new()) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1)
		die("names");
	X509_NAME_free(name);
	if (X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * LEAF_DAYS) == NULL)
		die("validity");
	if (X509_set_pubkey(x, key) != 1)
		die("pubkey");
	if (!add_ext(ca, x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(ca, x, NID_key_usage, enc ? "critical,keyAgreement" :
	    "critical,digitalSignature") ||
	    (!enc && !add_ext(ca, x, NID_ext_key_usage, "clientAuth")) ||
	    !add_ext(ca, x, NID_subject_key_identifier, "hash") ||
	    !add_ext(ca, x, NID_authority_key_identifier, "keyid:always"))
		die("extensions");
	if (X509_sign(x, cakey, EVP_sha256()) == 0)
		die("sign");
	return x;
}

/* Writes to path.tmp with mode, then renames: never a half-written file. */
static void
write_pem(const char *path, mode_t mode, X509 *x, EVP_PKEY *key)
{
	char tmp[4200];
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL)
		die(tmp);
	if ((x != NULL && PEM_write_X509(f, x) != 1) ||
	    (key != NULL && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
	    NULL) != 1))
		die(tmp);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die(path);
}

int
main(int argc, char **argv)
{
	char path[4096], name[80];
	EVP_PKEY *cakey, *k;
	X509 *ca, *x;
	FILE *f;
	long count, i, made = 0;
	int width;

	if (argc != 4) {
		fprintf(stderr, "usage: mkparties DIR PREFIX COUNT\n");
		return 2;
	}
	count = strtol(argv[3], NULL, 10);
	if (count < 1 || count > 1000000 || strlen(argv[2]) > 40)
		die("bad COUNT or PREFIX");
	width = count > 9999 ? 7 : 4;
	umask(022);
	snprintf(path, sizeof(path), "%s/ca.crt", argv[1]);
	if ((f = fopen(path, "r")) == NULL || (ca = PEM_read_X509(f, NULL, NULL,
	    NULL)) == NULL)
		die(path);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ca.key", argv[1]);
	if ((f = fopen(path, "r")) == NULL ||
	    (cakey = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		die(path);
	fclose(f);
	for (i = 1; i <= count; i++) {
		snprintf(name, sizeof(name), "%s%0*ld", argv[2], width, i);
		snprintf(path, sizeof(path), "%s/%s.enc.crt", argv[1], name);
		if (access(path, F_OK) == 0)
			continue;
		if ((k = EVP_EC_gen("P-256")) == NULL)
			die("EC key");
		x = issue(ca, cakey, k, name, 0);
		snprintf(path, sizeof(path), "%s/%s.key", argv[1], name);
		write_pem(path, 0600, NULL, k);
		snprintf(path, sizeof(path), "%s/%s.crt", argv[1], name);
		write_pem(path, 0644, x, NULL);
		X509_free(x);
		EVP_PKEY_free(k);
		if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
			die("X25519 key");
		x = issue(ca, cakey, k, name, 1);
		snprintf(path, sizeof(path), "%s/%s.enc.key", argv[1], name);
		write_pem(path, 0600, NULL, k);
		/* Last: its presence says the party is complete. */
		snprintf(path, sizeof(path), "%s/%s.enc.crt", argv[1], name);
		write_pem(path, 0644, x, NULL);
		X509_free(x);
		EVP_PKEY_free(k);
		made++;
	}
	X509_free(ca);
	EVP_PKEY_free(cakey);
	fprintf(stderr, "mkparties: %ld new parties in %s\n", made, argv[1]);
	return 0;
}
