/*
 * crl.c: checks DIR/crl.pem before a server trusts it; see crl.h. The
 * checks are those OpenSSL applies to the list at every handshake, made
 * once on the file, so that a list that would refuse every client is
 * named and refused rather than loaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crl.h"
#include "path.h"

/* DIR/FILE into out; SS_ERR_TOO_LARGE if it does not fit. */
static int
crl_path(char *out, size_t outlen, const char *dir, const char *file,
    struct ss_error *e)
{
	if (path_join(out, outlen, dir, file) != SS_OK)
		return ss_error_set(e, SS_ERR_TOO_LARGE, "certificate folder "
		    "name %s is too long", dir);
	return SS_OK;
}

/* ASN.1 time t in seconds since 1970 and as text; SS_ERR_CERT if unreadable. */
static int
crl_time(const ASN1_TIME *t, int64_t *secs, char *text, size_t textlen)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return SS_ERR_CERT;
	*secs = (int64_t)timegm(&tm);
	if (strftime(text, textlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		text[0] = '\0';
	return SS_OK;
}

/* One list of the file, against the CA: issuer, signature, dates. */
static int
crl_check_one(X509_CRL *crl, X509 *ca, const char *path, struct crl_info *info,
    struct ss_error *e)
{
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
	EVP_PKEY *key = X509_get0_pubkey(ca);
	int64_t issued;
	char text[32];

	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0 ||
	    key == NULL || X509_CRL_verify(crl, key) != 1)
		return ss_error_set(e, SS_ERR_CERT, "%s is not signed by the CA "
		    "of ca.crt beside it; make it with the CA's scripts/mkcerts.sh "
		    "--revoke NAME or --gencrl", path);
	if (crl_time(X509_CRL_get0_lastUpdate(crl), &issued, text,
	    sizeof(text)) != SS_OK || X509_cmp_current_time(
	    X509_CRL_get0_lastUpdate(crl)) > 0)
		return ss_error_set(e, SS_ERR_CERT, "%s is issued in the future "
		    "(lastUpdate %s); check the clocks, then re-sign it with "
		    "scripts/mkcerts.sh --gencrl", path, text);
	if (next == NULL || X509_cmp_current_time(next) <= 0)
		return ss_error_set(e, SS_ERR_CERT, "%s has expired (or gives no "
		    "nextUpdate) and would refuse every client; re-sign it with "
		    "scripts/mkcerts.sh --gencrl", path);
	if (rev != NULL)
		info->revoked += (unsigned long)sk_X509_REVOKED_num(rev);
	if (issued >= info->issued) {
		info->issued = issued;
		memcpy(info->issued_text, text, sizeof(info->issued_text));
	}
	return SS_OK;
}

/* Every list in the open file, at least one; the PEM reader stops at the end. */
static int
crl_check_all(BIO *bio, X509 *ca, const char *path, struct crl_info *info,
    struct ss_error *e)
{
	X509_CRL *crl;
	unsigned long err;
	int n = 0, rc;

	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		rc = crl_check_one(crl, ca, path, info, e);
		X509_CRL_free(crl);
		if (rc != SS_OK)
			return rc;
		n++;
	}
	err = ERR_peek_last_error();
	ERR_clear_error();
	/* The end of the file shows as "no start line"; anything else is damage. */
	if (n == 0 || ERR_GET_REASON(err) != PEM_R_NO_START_LINE)
		return ss_error_set(e, SS_ERR_CERT, "%s is not a PEM revocation "
		    "list or is damaged (after %d good ones); copy it again from "
		    "the CA's folder", path, n);
	return SS_OK;
}

/* DIR/ca.crt's certificate in *ca. */
static int
crl_read_ca(const char *dir, X509 **ca, struct ss_error *e)
{
	char path[PATH_MAX];
	BIO *bio;
	int rc;

	*ca = NULL;
	if ((rc = crl_path(path, sizeof(path), dir, "ca.crt", e)) != SS_OK)
		return rc;
	if ((bio = BIO_new_file(path, "r")) != NULL)
		*ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (*ca == NULL)
		return ss_error_set(e, SS_ERR_CERT, "cannot read the CA "
		    "certificate %s", path);
	return SS_OK;
}

int
crl_check(const char *dir, struct crl_info *info, struct ss_error *e)
{
	char path[PATH_MAX];
	struct stat st;
	X509 *ca;
	BIO *bio;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = crl_path(path, sizeof(path), dir, "crl.pem", e)) != SS_OK)
		return rc;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		return ss_error_set(e, SS_ERR_IO, "cannot stat %s: %s", path,
		    strerror(errno));
	}
	info->present = 1;
	if ((rc = crl_read_ca(dir, &ca, e)) != SS_OK)
		return rc;
	ERR_clear_error();
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		X509_free(ca);
		return ss_error_set(e, SS_ERR_IO, "cannot open %s: %s", path,
		    strerror(errno));
	}
	rc = crl_check_all(bio, ca, path, info, e);
	BIO_free(bio);
	X509_free(ca);
	return rc;
}
