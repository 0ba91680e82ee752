/*
 * party.c: the logic of each mpc-client command.
 *
 * Nothing the server says is taken on trust beyond what it is trusted for
 * (availability): session parameters, names and lists are checked before
 * use; the other parties' encryption keys come only from certificates our
 * CA issued for those names; every share is authenticated end to end; and
 * the result is checked for consistency when the sumpoints allow it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "amount.h"
#include "conn.h"
#include "buf.h"
#include "err.h"
#include "field.h"
#include "frame.h"
#include "hpke.h"
#include "input.h"
#include "output.h"
#include "party.h"
#include "pki.h"
#include "sealed.h"
#include "shamir.h"
#include "wire.h"

/* Longest DER certificate accepted from the server. */
#define KEY_CERT_MAX (64 * 1024)
/* Polling: first pause, and the longest. */
#define POLL_FIRST_MS 50
#define POLL_MAX_MS   500

static int
fail(struct client *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct client *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
}

/* Wipes and frees memory that held secrets. */
static void
wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

static void
sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Sleeps for *delay (never past the deadline), then doubles it. */
static void
backoff(struct client *c, uint64_t *delay)
{
	uint64_t now = conn_now_ms(), d = *delay;

	if (now >= c->deadline)
		return;
	if (d > c->deadline - now)
		d = c->deadline - now;
	sleep_ms(d);
	*delay = *delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : *delay * 2;
}

static int
expired(const struct client *c)
{
	return conn_now_ms() >= c->deadline;
}

void
client_start(struct client *c)
{
	conn_init(&c->conn);
	c->ca = NULL;
	c->err[0] = '\0';
	progress_init(&c->progress);
	/* Every call of the command retries within its --timeout. */
	retry_init(&c->rpc, c->server, c->certs, c->party,
	    c->timeout_s * 1000u, &c->progress);
	c->deadline = c->rpc.deadline;
}

void
client_free(struct client *c)
{
	progress_clear(&c->progress);
	conn_close(&c->conn);
	X509_STORE_free(c->ca);
	c->ca = NULL;
}

/* Whether the session's messages fit the server's default frame size. */
static int
fits_frame(size_t n, size_t L)
{
	return frame_session_fits(n, L, FRAME_DEFAULT_MAX, NULL);
}

/* ---- talking to the server --------------------------------------------- */

/*
 * One exchange, retried (retry.c) after a lost connection, a refused
 * connect, a timeout or UNAVAILABLE, within the command's --timeout. The
 * request is resent as it is: every request of the protocol is idempotent
 * when repeated with the same content.
 */
static int
call(struct client *c, struct wire_request *req, const struct wire_limits *lim,
    struct wire_response *resp)
{
	int r;

	r = retry_call(&c->rpc, &c->conn, req, lim, resp, c->err,
	    sizeof(c->err));
	if (r == SS_OK)
		out_sanitize(resp->message);
	return r;
}

/* The reason for a response with an error code, as one line in c->err. */
static int
server_error(struct client *c, const struct wire_response *r, int method,
    const char *session)
{
	const char *msg = r->message[0] != '\0' ? r->message :
	    "(no message)";

	if (r->code == ST_NOT_FOUND && session != NULL &&
	    method != WIRE_GET_KEYS && method != WIRE_PUBLISH_KEY)
		return fail(c, SS_ERR_NOT_FOUND, "session %s does not exist",
		    session);
	if (r->code == ST_PERMISSION_DENIED && session != NULL &&
	    method != WIRE_GET_KEYS && method != WIRE_PUBLISH_KEY)
		return fail(c, SS_ERR_INVALID, "permission denied: %s is not "
		    "a party of session %s (%s)", c->party, session, msg);
	return fail(c, r->code == ST_DEADLINE_EXCEEDED ? SS_ERR_TIMEOUT :
	    SS_ERR_PROTOCOL, "%s refused: %s: %s", wire_method_name(method),
	    status_name(r->code), msg);
}

static const struct wire_limits small_limits = {
	.max_items = CLIENT_MAX_PARTIES, .max_bytes = 0, .max_values = 0,
};

static int
name_index(const struct wire_names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return (int)i;
	return -1;
}

/* Every name valid, and each one a party of the session. */
static int
names_ok(const struct wire_names *l, const struct wire_names *parties,
    int unique)
{
	size_t i, j;

	if (l->n > parties->n)
		return 0;
	for (i = 0; i < l->n; i++) {
		if (!name_valid(l->v[i]) || name_index(parties, l->v[i]) < 0)
			return 0;
		if (unique)
			for (j = 0; j < i; j++)
				if (strcmp(l->v[i], l->v[j]) == 0)
					return 0;
	}
	return 1;
}

/* Checks the session parameters the server sent. */
static int
check_params(struct client *c, const struct wire_response *r,
    const char *session)
{
	const struct wire_params *p = &r->params;
	size_t i, j, n = p->parties.n;

	if (!r->has_params)
		return fail(c, SS_ERR_PROTOCOL, "the server sent no parameters "
		    "for session %s", session);
	if (strcmp(p->session_id, session) != 0)
		return fail(c, SS_ERR_PROTOCOL, "the server answered about "
		    "another session than %s", session);
	if (n < 2 || n > CLIENT_MAX_PARTIES || p->threshold < 1 ||
	    p->threshold >= n || p->length < 1 ||
	    p->decimals > AMOUNT_MAX_DECIMALS)
		return fail(c, SS_ERR_PROTOCOL, "the server sent impossible "
		    "parameters for session %s (%zu parties, threshold %u, "
		    "length %u, decimals %u)", session, n, p->threshold,
		    p->length, p->decimals);
	if (!fits_frame(n, p->length))
		return fail(c, SS_ERR_TOO_LARGE, "session %s is too large: %zu "
		    "parties with vectors of %u elements do not fit the %u-byte "
		    "frame limit", session, n, p->length,
		    (unsigned)FRAME_DEFAULT_MAX);
	for (i = 0; i < n; i++) {
		if (!name_valid(p->parties.v[i]))
			return fail(c, SS_ERR_PROTOCOL, "the server sent an "
			    "invalid party name for session %s", session);
		for (j = 0; j < i; j++)
			if (strcmp(p->parties.v[i], p->parties.v[j]) == 0)
				return fail(c, SS_ERR_PROTOCOL, "the server "
				    "listed %s twice in session %s",
				    p->parties.v[i], session);
	}
	if (!names_ok(&r->cohort, &p->parties, 1))
		return fail(c, SS_ERR_PROTOCOL, "the server sent a cohort that "
		    "is not made of the parties of session %s", session);
	if (name_index(&p->parties, c->party) < 0)
		return fail(c, SS_ERR_INVALID, "%s is not a party of session %s",
		    c->party, session);
	return SS_OK;
}

/*
 * GetStatus, checked. SS_ERR_NOT_FOUND (with the reason in c->err) when the
 * session does not exist, so that `run` can wait for it.
 */
static int
get_status(struct client *c, const char *session, struct wire_response *st)
{
	struct wire_request req;
	int r;

	memset(&req, 0, sizeof(req));
	req.method = WIRE_GET_STATUS;
	req.session_id = session;
	if ((r = call(c, &req, &small_limits, st)) != SS_OK)
		return r;
	if (st->code == ST_FAILED_PRECONDITION) {
		/* A failed session answers every call so, with its reason. */
		r = fail(c, SS_ERR_INVALID, "session %s failed: %s", session,
		    st->message[0] != '\0' ? st->message : "(no reason given)");
		goto out;
	}
	if (st->code != ST_OK) {
		r = server_error(c, st, WIRE_GET_STATUS, session);
		goto out;
	}
	if ((r = check_params(c, st, session)) != SS_OK)
		goto out;
	if (!names_ok(&st->shared, &st->params.parties, 1) ||
	    !names_ok(&st->posted, &st->params.parties, 1) ||
	    !names_ok(&st->missing, &st->params.parties, 1)) {
		r = fail(c, SS_ERR_PROTOCOL, "the server's status of session "
		    "%s names parties that are not in it", session);
		goto out;
	}
	if (st->phase < PHASE_SHARING || st->phase > PHASE_FAILED) {
		r = fail(c, SS_ERR_PROTOCOL, "the server sent an unknown phase "
		    "(%d) for session %s", st->phase, session);
		goto out;
	}
	return SS_OK;
 out:
	wire_response_free(st);
	return r;
}

/* A FAILED session's error, with the server's reason when it gave one. */
static int
failed_session(struct client *c, const struct wire_response *st,
    const char *session)
{
	char who[512];

	out_join(who, sizeof(who), &st->shared, ",");
	if (st->message[0] != '\0')
		return fail(c, SS_ERR_INVALID, "session %s failed: %s (shared: "
		    "%s)", session, st->message, who);
	return fail(c, SS_ERR_INVALID, "session %s failed: the sharing "
	    "deadline passed with fewer than %u parties' shares (shared: %s)",
	    session, st->params.threshold + 1, who);
}

/* ---- keys ---------------------------------------------------------------- */

static int
ca_store(struct client *c)
{
	struct ss_error e;

	if (c->ca != NULL)
		return SS_OK;
	ss_error_clear(&e);
	if ((c->ca = pki_ca_store(c->certs, &e)) == NULL)
		return fail(c, SS_ERR_CERT, "%s", e.msg[0] != '\0' ? e.msg :
		    "cannot load the CA certificate");
	return SS_OK;
}

/*
 * The DER of the first certificate in the PEM file at path, taken out of its
 * PEM armour without being parsed: pki_verify_enc_cert then parses and
 * checks it, once. (pki_load_enc_cert parses it into an X509 and re-encodes
 * it, and with OpenSSL 3.0 the parse, public-key decoding included, is the
 * larger part of a certificate's cost: a share or sumpoint step reads n of
 * them. See docs/BENCHMARKS.md.)
 */
static int
read_cert_der(const char *path, uint8_t **der, size_t *len)
{
	unsigned char *data = NULL;
	char *pem_name = NULL;
	long n = 0;
	BIO *bio;
	int r = SS_ERR_CERT;

	*der = NULL;
	*len = 0;
	ERR_clear_error();
	if ((bio = BIO_new_file(path, "r")) == NULL)
		return SS_ERR_IO;
	/* The labels PEM_read_bio_X509 accepts, without its decoding. */
	if (PEM_bytes_read_bio(&data, &n, &pem_name, PEM_STRING_X509, bio, NULL,
	    NULL) == 1 && n > 0) {
		if (n > KEY_CERT_MAX)
			r = SS_ERR_TOO_LARGE;
		else if ((*der = malloc((size_t)n)) == NULL)
			r = SS_ERR_ALLOC;
		else {
			memcpy(*der, data, (size_t)n);
			*len = (size_t)n;
			r = SS_OK;
		}
	}
	OPENSSL_free(data);
	OPENSSL_free(pem_name);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

/* Loads DIR/NAME.enc.crt if it exists: 1 found, 0 absent, <0 error. */
static int
local_key(struct client *c, const char *name, uint8_t pk[32], uint8_t **derp,
    size_t *lenp)
{
	char path[4096];
	struct stat sb;
	uint8_t *der = NULL;
	size_t len = 0;
	int r, n;

	n = snprintf(path, sizeof(path), "%s/%s.enc.crt", c->certs, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(c, SS_ERR_TOO_LARGE, "certificate folder name is "
		    "too long");
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return fail(c, SS_ERR_IO, "%s: %s", path, strerror(errno));
	}
	if ((r = read_cert_der(path, &der, &len)) != SS_OK)
		return fail(c, r, "cannot read %s: %s", path, ss_strerror(r));
	if ((r = pki_verify_enc_cert(c->ca, der, len, name, pk)) != SS_OK) {
		free(der);
		return fail(c, r, "%s is not an encryption-key certificate our "
		    "CA issued for %s: %s", path, name, ss_strerror(r));
	}
	if (derp != NULL) {
		*derp = der;
		*lenp = len;
	} else
		free(der);
	return 1;
}

/*
 * Fills pks[i] with the encryption key of names[i]: from DIR/NAME.enc.crt
 * when there is one, otherwise from the server's directory. Either way the
 * certificate must be our CA's, for that name. Waits for keys not published
 * yet when `wait`, until the deadline.
 */
static int
get_keys(struct client *c, const char *const *names, size_t n,
    uint8_t (*pks)[32], int wait)
{
	struct wire_limits lim = {
		.max_items = CLIENT_MAX_PARTIES, .max_bytes = KEY_CERT_MAX,
		.max_values = 0,
	};
	struct wire_request req;
	struct wire_response resp;
	const char **missing = NULL;
	char list[512];
	uint64_t delay = POLL_FIRST_MS;
	unsigned char *have = NULL;
	size_t i, k, nmissing;
	int r, idx;

	if ((r = ca_store(c)) != SS_OK)
		return r;
	if ((have = calloc(n ? n : 1, 1)) == NULL ||
	    (missing = calloc(n ? n : 1, sizeof(*missing))) == NULL) {
		r = fail(c, SS_ERR_ALLOC, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = local_key(c, names[i], pks[i], NULL, NULL)) < 0)
			goto out;
		have[i] = (unsigned char)r;
	}
	for (;;) {
		nmissing = 0;
		for (i = 0; i < n; i++)
			if (!have[i])
				missing[nmissing++] = names[i];
		if (nmissing == 0) {
			r = SS_OK;
			break;
		}
		memset(&req, 0, sizeof(req));
		req.method = WIRE_GET_KEYS;
		req.names = missing;
		req.nnames = nmissing;
		if ((r = call(c, &req, &lim, &resp)) != SS_OK)
			goto out;
		if (resp.code != ST_OK) {
			r = server_error(c, &resp, WIRE_GET_KEYS, NULL);
			wire_response_free(&resp);
			goto out;
		}
		for (k = 0; k < resp.nkeys; k++) {
			const struct wire_key *key = &resp.keys[k];

			/* Only what we asked for; the first answer for a name. */
			for (idx = -1, i = 0; i < n; i++)
				if (!have[i] && strcmp(names[i], key->party) == 0) {
					idx = (int)i;
					break;
				}
			if (idx < 0)
				continue;
			if ((r = pki_verify_enc_cert(c->ca, key->der,
			    key->der_len, names[idx], pks[idx])) != SS_OK) {
				fail(c, r, "the server's key certificate for %s "
				    "is not one our CA issued for %s: %s",
				    names[idx], names[idx], ss_strerror(r));
				wire_response_free(&resp);
				goto out;
			}
			/* Every other slot for the same name gets the key too. */
			for (i = 0; i < n; i++)
				if (!have[i] && strcmp(names[i], names[idx]) == 0) {
					memcpy(pks[i], pks[idx], 32);
					have[i] = 1;
				}
		}
		wire_response_free(&resp);
		for (nmissing = 0, i = 0; i < n; i++)
			if (!have[i])
				missing[nmissing++] = names[i];
		if (nmissing == 0)
			continue;
		{
			struct wire_names l;
			wire_name *v = calloc(nmissing, sizeof(*v));

			if (v == NULL) {
				r = fail(c, SS_ERR_ALLOC, "out of memory");
				goto out;
			}
			for (i = 0; i < nmissing; i++)
				snprintf(v[i], sizeof(v[i]), "%s", missing[i]);
			l.v = v;
			l.n = nmissing;
			l.cap = nmissing;
			out_join(list, sizeof(list), &l, ", ");
			free(v);
		}
		if (!wait || expired(c)) {
			r = fail(c, SS_ERR_NOT_FOUND, "no encryption key for %s: "
			    "not in %s and not published to the server%s",
			    list, c->certs, wait ? " before the timeout" : "");
			goto out;
		}
		progress_show(&c->progress, "waiting for the encryption keys "
		    "of: %s", list);
		backoff(c, &delay);
	}
 out:
	progress_clear(&c->progress);
	free(have);
	free(missing);
	return r;
}

/*
 * Our private encryption key, checked against our own certificate, made
 * ready for sealing and opening once for the whole command (the caller
 * frees *key with hpke_key_free); *der is the certificate.
 */
static int
own_key(struct client *c, struct hpke_key **key, uint8_t **der,
    size_t *derlen)
{
	uint8_t pk_cert[32], pk_key[32], sk[32];
	int r;

	*key = NULL;
	*der = NULL;
	memset(sk, 0, sizeof(sk));
	if ((r = ca_store(c)) != SS_OK)
		return r;
	if ((r = local_key(c, c->party, pk_cert, der, derlen)) < 0)
		return r;
	if (r == 0)
		return fail(c, SS_ERR_NOT_FOUND, "%s/%s.enc.crt does not exist: "
		    "our encryption-key certificate is needed", c->certs,
		    c->party);
	if ((r = pki_load_enc_key(c->certs, c->party, sk)) != SS_OK) {
		r = fail(c, r, "cannot load %s/%s.enc.key: %s", c->certs,
		    c->party, r == SS_ERR_KEY_PERMS ? "it is readable by "
		    "others (chmod 600 it)" : ss_strerror(r));
		goto fail;
	}
	r = hpke_key_new(sk, key);
	OPENSSL_cleanse(sk, sizeof(sk));
	if (r != SS_OK) {
		r = fail(c, r, "cannot use %s/%s.enc.key: %s", c->certs,
		    c->party, ss_strerror(r));
		goto fail;
	}
	hpke_key_public(*key, pk_key);
	if (CRYPTO_memcmp(pk_key, pk_cert, 32) != 0) {
		r = fail(c, SS_ERR_CERT, "%s/%s.enc.key does not belong to "
		    "%s/%s.enc.crt", c->certs, c->party, c->certs, c->party);
		goto fail;
	}
	return SS_OK;
 fail:
	OPENSSL_cleanse(sk, sizeof(sk));
	hpke_key_free(*key);
	*key = NULL;
	free(*der);
	*der = NULL;
	return r;
}

static int
publish_key(struct client *c, const uint8_t *der, size_t len)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	memset(&req, 0, sizeof(req));
	req.method = WIRE_PUBLISH_KEY;
	req.cert = der;
	req.cert_len = len;
	if ((r = call(c, &req, &small_limits, &resp)) != SS_OK)
		return r;
	/* Publishing again is fine: the server says duplicate. */
	if (resp.code != ST_OK)
		r = fail(c, SS_ERR_PROTOCOL, "publishing our encryption key "
		    "failed: %s: %s", status_name(resp.code),
		    resp.message[0] != '\0' ? resp.message : "(no message)");
	wire_response_free(&resp);
	return r;
}

/* ---- create -------------------------------------------------------------- */

int
party_check_create(const struct create_args *a, const char *creator,
    char *err, size_t errlen)
{
	size_t i, j, n = a->nparties;
	int in = 0;

	if (!name_valid(a->session)) {
		snprintf(err, errlen, "invalid session name: use 1 to 64 of "
		    "A-Z a-z 0-9 . _ -, not starting with '.' or '-'");
		return SS_ERR_INVALID;
	}
	if (n < 2) {
		snprintf(err, errlen, "a session needs at least 2 parties");
		return SS_ERR_INVALID;
	}
	if (n > CLIENT_MAX_PARTIES) {
		snprintf(err, errlen, "at most %d parties", CLIENT_MAX_PARTIES);
		return SS_ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		if (!name_valid(a->parties[i])) {
			char q[80];

			snprintf(q, sizeof(q), "%.64s", a->parties[i]);
			out_sanitize(q);
			snprintf(err, errlen, "invalid party name '%s': use 1 "
			    "to 64 of A-Z a-z 0-9 . _ -, not starting with '.' "
			    "or '-'", q);
			return SS_ERR_INVALID;
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->parties[i], a->parties[j]) == 0) {
				snprintf(err, errlen, "party %s is listed "
				    "twice", a->parties[i]);
				return SS_ERR_INVALID;
			}
		if (strcmp(a->parties[i], creator) == 0)
			in = 1;
	}
	if (a->threshold < 1 || a->threshold > n - 1) {
		snprintf(err, errlen, "the threshold must be between 1 and %zu "
		    "(the number of parties - 1)", n - 1);
		return SS_ERR_INVALID;
	}
	if (a->length < 1) {
		snprintf(err, errlen, "the length must be at least 1");
		return SS_ERR_INVALID;
	}
	if (!fits_frame(n, a->length)) {
		snprintf(err, errlen, "%zu parties with vectors of %u elements "
		    "do not fit the %u-byte frame limit", n, a->length,
		    (unsigned)FRAME_DEFAULT_MAX);
		return SS_ERR_INVALID;
	}
	if (a->decimals > AMOUNT_MAX_DECIMALS) {
		snprintf(err, errlen, "at most %d decimals", AMOUNT_MAX_DECIMALS);
		return SS_ERR_INVALID;
	}
	if (!in) {
		snprintf(err, errlen, "the creator (%s) must be one of the "
		    "parties", creator);
		return SS_ERR_INVALID;
	}
	return SS_OK;
}

int
party_create(struct client *c, const struct create_args *a)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	if ((r = party_check_create(a, c->party, c->err, sizeof(c->err))) !=
	    SS_OK)
		return r;
	memset(&req, 0, sizeof(req));
	req.method = WIRE_CREATE_SESSION;
	req.session_id = a->session;
	req.names = a->parties;
	req.nnames = a->nparties;
	req.threshold = a->threshold;
	req.length = a->length;
	req.decimals = a->decimals;
	req.deadline_seconds = a->deadline;
	if ((r = call(c, &req, &small_limits, &resp)) != SS_OK)
		return r;
	if (resp.code == ST_ALREADY_EXISTS) {
		r = fail(c, SS_ERR_INVALID, "session %s already exists with "
		    "different parameters", a->session);
		goto out;
	}
	if (resp.code == ST_PERMISSION_DENIED) {
		r = fail(c, SS_ERR_INVALID, "the server refused to let %s "
		    "create session %s: %s", c->party, a->session,
		    resp.message[0] != '\0' ? resp.message : "(no message)");
		goto out;
	}
	if (resp.code != ST_OK) {
		r = server_error(c, &resp, WIRE_CREATE_SESSION, NULL);
		goto out;
	}
	if (c->json) {
		size_t i;

		printf("{\"session\":");
		out_json_string(stdout, a->session);
		printf(",\"created\":%s,\"parties\":[",
		    resp.created ? "true" : "false");
		for (i = 0; i < a->nparties; i++) {
			if (i > 0)
				putchar(',');
			out_json_string(stdout, a->parties[i]);
		}
		printf("],\"threshold\":%u,\"length\":%u,\"decimals\":%u,"
		    "\"deadline\":", a->threshold, a->length, a->decimals);
		if (resp.deadline_unix != 0)
			printf("%llu}\n", (unsigned long long)resp.deadline_unix);
		else
			printf("null}\n");
	} else if (resp.created) {
		printf("created session %s (%zu parties, threshold %u, "
		    "length %u)\n", a->session, a->nparties, a->threshold,
		    a->length);
	} else if (c->rpc.attempts > 1) {
		/* An earlier attempt may have made it, its answer lost. */
		printf("session %s is in place with these parameters\n",
		    a->session);
	} else {
		printf("session %s already exists with the same parameters\n",
		    a->session);
	}
 out:
	wire_response_free(&resp);
	return r;
}

/* ---- share --------------------------------------------------------------- */

/* Notes a step of `run` on a terminal; commands print to stdout instead. */
static void
note(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->progress.enabled)
		return;
	progress_clear(&c->progress);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Our sealed submission to one session: n ciphertexts, one for every party.
 * Sealing is randomised, so it is made once and kept: every retry, and in
 * `run` every resubmission after a server lost it, sends these very bytes,
 * which the server takes as a duplicate of what it already holds. A new
 * sealing would be a different submission: ALREADY_EXISTS.
 */
struct submission {
	size_t n, clen;
	uint8_t *cts;              /* n * clen bytes */
	wire_name *names;          /* the recipients, in party order */
	struct wire_share *ws;     /* points into cts and names */
};

/*
 * Appends "OK METHOD SESSION PARTY SHA256" to the trace file: an audit of
 * what the server acknowledged, which the crash test compares with what the
 * server holds after every restart. The bytes hashed are exactly the ones
 * the server stores.
 */
static void
trace_ack(struct client *c, const char *method, const char *session,
    const void *data, size_t len)
{
	unsigned char md[32];
	char hex[65];
	FILE *f;
	int i;

	if (c->trace == NULL)
		return;
	if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1) {
		note(c, "cannot hash for the trace file");
		return;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if ((f = fopen(c->trace, "a")) == NULL ||
	    fprintf(f, "OK %s %s %s %s\n", method, session, c->party, hex) < 0 ||
	    fclose(f) != 0)
		note(c, "cannot append to the trace file %s", c->trace);
}

static void
submission_free(struct submission *sub)
{
	/* The memset below makes a second call free NULLs. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	free(sub->cts);
	free(sub->names);
	free(sub->ws);
	memset(sub, 0, sizeof(*sub));
}

/*
 * Reads our input, Shamir-shares every element and seals one vector of
 * shares for every party of the session whose status is st (ourselves
 * included), into sub. Publishes our encryption key and fetches the
 * others' first.
 */
static int
seal_input(struct client *c, const char *session,
    const struct wire_response *st, const struct input_src *in,
    struct submission *sub)
{
	const struct wire_params *p = &st->params;
	const size_t n = p->parties.n, L = p->length;
	const size_t clen = sealed_len(L);
	int64_t *values = NULL;
	uint64_t *secrets = NULL, *shares = NULL;
	uint8_t (*pks)[32] = NULL, *der = NULL;
	struct hpke_key *key = NULL;
	const char **names = NULL;
	size_t derlen = 0, i;
	int r;

	memset(sub, 0, sizeof(*sub));
	/* check_params bounded n and L by the frame, so these cannot wrap. */
	if (clen == 0 || !fits_frame(n, L))
		return fail(c, SS_ERR_TOO_LARGE, "session %s is too large",
		    session);
	if ((values = calloc(L, sizeof(*values))) == NULL ||
	    (secrets = calloc(L, sizeof(*secrets))) == NULL ||
	    (shares = calloc(n * L, sizeof(*shares))) == NULL ||
	    (pks = calloc(n, sizeof(*pks))) == NULL ||
	    (names = calloc(n, sizeof(*names))) == NULL ||
	    (sub->cts = malloc(n * clen)) == NULL ||
	    (sub->names = calloc(n, sizeof(*sub->names))) == NULL ||
	    (sub->ws = calloc(n, sizeof(*sub->ws))) == NULL) {
		r = fail(c, SS_ERR_ALLOC, "out of memory for %zu parties and "
		    "%zu elements", n, L);
		goto out;
	}
	sub->n = n;
	sub->clen = clen;
	for (i = 0; i < n; i++) {
		/* Our own copies: st is freed long before a resubmission. */
		snprintf(sub->names[i], sizeof(sub->names[i]), "%s",
		    p->parties.v[i]);
		names[i] = sub->names[i];
	}

	/* The input first: a typo should fail before anything is sent. */
	if ((r = input_read(in, p->decimals, (unsigned)n, L, values, c->err,
	    sizeof(c->err))) != SS_OK)
		goto out;
	for (i = 0; i < L; i++)
		if ((r = field_from_int64(values[i], &secrets[i])) != SS_OK) {
			r = fail(c, r, "input %zu cannot be encoded", i + 1);
			goto out;
		}
	OPENSSL_cleanse(values, L * sizeof(*values));

	if ((r = own_key(c, &key, &der, &derlen)) != SS_OK)
		goto out;
	if ((r = publish_key(c, der, derlen)) != SS_OK)
		goto out;
	if ((r = get_keys(c, names, n, pks, 1)) != SS_OK)
		goto out;

	if ((r = shamir_split(secrets, L, (unsigned)n, p->threshold,
	    shares)) != SS_OK) {
		r = fail(c, r, "sharing failed: %s", ss_strerror(r));
		goto out;
	}
	OPENSSL_cleanse(secrets, L * sizeof(*secrets));
	for (i = 0; i < n; i++) {
		if ((r = sealed_seal_k(session, c->party, names[i],
		    &shares[i * L], L, key, pks[i], sub->cts + i * clen, clen)) !=
		    SS_OK) {
			r = fail(c, r, "sealing the share for %s failed: %s",
			    names[i], ss_strerror(r));
			goto out;
		}
		sub->ws[i].recipient = sub->names[i];
		sub->ws[i].ct = sub->cts + i * clen;
		sub->ws[i].ct_len = clen;
	}
	r = SS_OK;
 out:
	if (r != SS_OK)
		submission_free(sub);
	hpke_key_free(key);
	wipe_free(values, values != NULL ? L * sizeof(*values) : 0);
	wipe_free(secrets, secrets != NULL ? L * sizeof(*secrets) : 0);
	wipe_free(shares, shares != NULL ? n * L * sizeof(*shares) : 0);
	free(pks);
	free(names);
	free(der);
	return r;
}

/*
 * SubmitShares of sub. `quiet`: report on a terminal only (for `run`);
 * `again`: a resubmission by `run` after the server lost the first.
 */
static int
submit(struct client *c, const char *session, const struct submission *sub,
    int quiet, int again)
{
	struct wire_request req;
	struct wire_response resp;
	int r;

	memset(&req, 0, sizeof(req));
	req.method = WIRE_SUBMIT_SHARES;
	req.session_id = session;
	req.party = c->party;
	req.shares = sub->ws;
	req.nshares = sub->n;
	if ((r = call(c, &req, &small_limits, &resp)) != SS_OK)
		return r;
	if (resp.code == ST_ALREADY_EXISTS) {
		/*
		 * Our retries resend the same bytes, which the server calls a
		 * duplicate: this is another submission, made before.
		 */
		r = fail(c, SS_ERR_INVALID, "%s already submitted other shares "
		    "for session %s; the first submission stands", c->party,
		    session);
		goto out;
	}
	if (resp.code == ST_FAILED_PRECONDITION) {
		r = fail(c, SS_ERR_INVALID, "session %s no longer takes shares: "
		    "%s", session, resp.message[0] != '\0' ? resp.message :
		    "its sharing phase is over");
		goto out;
	}
	if (resp.code != ST_OK) {
		r = server_error(c, &resp, WIRE_SUBMIT_SHARES, session);
		goto out;
	}
	trace_ack(c, "SubmitShares", session, sub->cts, sub->n * sub->clen);
	if (quiet) {
		note(c, "%s: shares for session %s %s (%zu ciphertexts, "
		    "%zu bytes)", c->party, session, again ? "submitted again "
		    "(the server had lost them)" : "submitted", sub->n,
		    sub->n * sub->clen);
	} else if (c->json) {
		printf("{\"session\":");
		out_json_string(stdout, session);
		printf(",\"party\":");
		out_json_string(stdout, c->party);
		printf(",\"ciphertexts\":%zu,\"bytes\":%zu,\"duplicate\":%s}\n",
		    sub->n, sub->n * sub->clen, resp.duplicate ? "true" :
		    "false");
	} else {
		printf("%s: shares for session %s submitted (%zu ciphertexts, "
		    "%zu bytes)\n", c->party, session, sub->n,
		    sub->n * sub->clen);
	}
	r = SS_OK;
 out:
	wire_response_free(&resp);
	return r;
}

int
party_share(struct client *c, const char *session, const struct input_src *in)
{
	struct wire_response st;
	struct submission sub;
	char who[512];
	int r;

	if ((r = get_status(c, session, &st)) != SS_OK)
		return r;
	if (wire_names_has(&st.shared, c->party)) {
		/* By hand, a second `share` is a mistake: say so. */
		r = fail(c, SS_ERR_INVALID, "%s already shared an input in "
		    "session %s; a party shares once", c->party, session);
	} else if (st.phase == PHASE_FAILED) {
		r = failed_session(c, &st, session);
	} else if (st.phase != PHASE_SHARING) {
		out_join(who, sizeof(who), &st.cohort, ",");
		r = fail(c, SS_ERR_INVALID, "session %s no longer takes shares: "
		    "its cohort is fixed (%s)", session, who);
	} else if ((r = seal_input(c, session, &st, in, &sub)) == SS_OK) {
		r = submit(c, session, &sub, 0, 0);
		submission_free(&sub);
	}
	wire_response_free(&st);
	return r;
}

/* ---- sumpoint ------------------------------------------------------------ */

/*
 * Fetches the shares addressed to us in the session whose status is st,
 * opens every one and adds them: our sumpoint, L values in *sump (the
 * caller frees it), from *mp shares.
 */
static int
compute_sumpoint(struct client *c, const char *session,
    const struct wire_response *st, uint64_t **sump, size_t *mp)
{
	const struct wire_params *p = &st->params;
	const size_t n = p->parties.n, L = p->length, clen = sealed_len(L);
	struct wire_limits lim = { .max_items = n, .max_bytes = clen,
	    .max_values = 0 };
	struct wire_request req;
	struct wire_response gs;
	uint64_t *sum = NULL, *plain = NULL;
	uint8_t (*pks)[32] = NULL;
	struct hpke_key *key = NULL;
	const char **senders = NULL;
	unsigned char *seen = NULL;
	size_t i, e, m;
	uint8_t *der = NULL;
	size_t derlen;
	int r, idx, have_gs = 0;

	*sump = NULL;
	*mp = 0;
	memset(&req, 0, sizeof(req));
	req.method = WIRE_GET_SHARE;
	req.session_id = session;
	req.party = c->party;
	if ((r = call(c, &req, &lim, &gs)) != SS_OK)
		return r;
	have_gs = 1;
	if (gs.code != ST_OK) {
		r = gs.code == ST_FAILED_PRECONDITION ?
		    fail(c, SS_ERR_INVALID, "GetShare refused: %s",
		    gs.message[0] != '\0' ? gs.message : "not yet") :
		    server_error(c, &gs, WIRE_GET_SHARE, session);
		goto out;
	}
	m = gs.nshares;
	/* Exactly one share from every cohort member, or the sum is wrong. */
	if (m != st->cohort.n) {
		r = fail(c, SS_ERR_PROTOCOL, "the server sent %zu shares for a "
		    "cohort of %zu", m, st->cohort.n);
		goto out;
	}
	if ((seen = calloc(n, 1)) == NULL ||
	    (senders = calloc(m ? m : 1, sizeof(*senders))) == NULL ||
	    (pks = calloc(m ? m : 1, sizeof(*pks))) == NULL ||
	    (sum = calloc(L, sizeof(*sum))) == NULL ||
	    (plain = calloc(L, sizeof(*plain))) == NULL) {
		r = fail(c, SS_ERR_ALLOC, "out of memory");
		goto out;
	}
	for (i = 0; i < m; i++) {
		const struct wire_incoming *in = &gs.shares[i];

		if (!wire_names_has(&st->cohort, in->sender) ||
		    (idx = name_index(&p->parties, in->sender)) < 0) {
			r = fail(c, SS_ERR_PROTOCOL, "the server sent a share "
			    "from outside the cohort");
			goto out;
		}
		if (seen[idx]) {
			r = fail(c, SS_ERR_PROTOCOL, "the server sent two shares "
			    "from %s", in->sender);
			goto out;
		}
		seen[idx] = 1;
		if (in->ct_len != clen) {
			r = fail(c, SS_ERR_PROTOCOL, "the share from %s has %zu "
			    "bytes, not %zu", in->sender, in->ct_len, clen);
			goto out;
		}
		senders[i] = in->sender;
	}
	if ((r = get_keys(c, senders, m, pks, 1)) != SS_OK)
		goto out;
	if ((r = own_key(c, &key, &der, &derlen)) != SS_OK)
		goto out;
	for (i = 0; i < m; i++) {
		r = sealed_open_k(session, senders[i], c->party, L, key, pks[i],
		    gs.shares[i].ct, gs.shares[i].ct_len, plain);
		if (r == SS_ERR_AUTH) {
			r = fail(c, r, "share from %s failed authentication: "
			    "altered, replayed or mis-addressed", senders[i]);
			goto out;
		}
		if (r != SS_OK) {
			r = fail(c, r, "cannot open the share from %s: %s",
			    senders[i], ss_strerror(r));
			goto out;
		}
		for (e = 0; e < L; e++)
			sum[e] = field_add(sum[e], plain[e]);
	}
	OPENSSL_cleanse(plain, L * sizeof(*plain));
	*sump = sum;
	sum = NULL;
	*mp = m;
	r = SS_OK;
 out:
	hpke_key_free(key);
	if (have_gs)
		wire_response_free(&gs);
	wipe_free(plain, plain != NULL ? L * sizeof(*plain) : 0);
	wipe_free(sum, sum != NULL ? L * sizeof(*sum) : 0);
	free(seen);
	free(senders);
	free(pks);
	free(der);
	return r;
}

/*
 * PostSumpoint of sum (L values, from m shares). The same values again are
 * a duplicate OK, so retries and `run`'s reposting are safe. `quiet`:
 * report on a terminal only (for `run`); `again`: a repost by `run` after
 * the server lost the first.
 */
static int
post_sumpoint(struct client *c, const char *session, const uint64_t *sum,
    size_t L, size_t m, int quiet, int again)
{
	struct wire_request req;
	struct wire_response ps;
	int r;

	memset(&req, 0, sizeof(req));
	req.method = WIRE_POST_SUMPOINT;
	req.session_id = session;
	req.party = c->party;
	req.values = sum;
	req.nvalues = L;
	if ((r = call(c, &req, &small_limits, &ps)) != SS_OK)
		return r;
	if (ps.code == ST_ALREADY_EXISTS) {
		r = fail(c, SS_ERR_INVALID, "%s already posted a different "
		    "sumpoint for session %s", c->party, session);
		goto out;
	}
	if (ps.code == ST_FAILED_PRECONDITION) {
		r = fail(c, SS_ERR_INVALID, "PostSumpoint refused: %s",
		    ps.message[0] != '\0' ? ps.message : "wrong phase");
		goto out;
	}
	if (ps.code != ST_OK) {
		r = server_error(c, &ps, WIRE_POST_SUMPOINT, session);
		goto out;
	}
	{
		uint8_t *be = malloc(L * 8 + 1);
		size_t e;

		if (be == NULL) {
			note(c, "cannot trace the sumpoint: out of memory");
		} else {
			for (e = 0; e < L; e++)
				buf_store_u64_be(be + 8 * e, sum[e]);
			trace_ack(c, "PostSumpoint", session, be, L * 8);
			free(be);
		}
	}
	if (quiet) {
		note(c, "%s: sumpoint for session %s %s (%zu shares)",
		    c->party, session, again ? "posted again (the server had "
		    "lost it)" : "posted", m);
	} else if (c->json) {
		printf("{\"session\":");
		out_json_string(stdout, session);
		printf(",\"party\":");
		out_json_string(stdout, c->party);
		printf(",\"shares\":%zu,\"duplicate\":%s}\n", m,
		    ps.duplicate ? "true" : "false");
	} else {
		printf("%s: sumpoint for session %s posted (%zu shares)\n",
		    c->party, session, m);
	}
	r = SS_OK;
 out:
	wire_response_free(&ps);
	return r;
}

static int
waiting_for_shares(struct client *c, const struct wire_response *st,
    const char *session)
{
	char who[512];

	out_join(who, sizeof(who), &st->missing, ", ");
	return fail(c, SS_ERR_INVALID, "session %s is still in its sharing "
	    "phase, waiting for shares from: %s", session, who);
}

int
party_sumpoint(struct client *c, const char *session)
{
	struct wire_response st;
	uint64_t *sum = NULL;
	size_t m = 0;
	int r;

	if ((r = get_status(c, session, &st)) != SS_OK)
		return r;
	if (st.phase == PHASE_FAILED)
		r = failed_session(c, &st, session);
	else if (st.phase == PHASE_SHARING)
		r = waiting_for_shares(c, &st, session);
	else if ((r = compute_sumpoint(c, session, &st, &sum, &m)) == SS_OK)
		r = post_sumpoint(c, session, sum, st.params.length, m, 0, 0);
	wipe_free(sum, sum != NULL ? st.params.length * sizeof(*sum) : 0);
	wire_response_free(&st);
	return r;
}

/* ---- result -------------------------------------------------------------- */

static int
print_sum(struct client *c, const char *session, const uint64_t *secret,
    size_t L, unsigned decimals, const struct wire_names *cohort)
{
	char num[48];
	size_t e;

	if (c->json) {
		printf("{\"session\":");
		out_json_string(stdout, session);
		printf(",\"sum\":[");
	}
	for (e = 0; e < L; e++) {
		if (amount_format(field_to_int64(secret[e]), decimals, num,
		    sizeof(num)) != SS_OK)
			return fail(c, SS_ERR_INTERNAL, "cannot format element "
			    "%zu of the sum", e + 1);
		if (e > 0)
			putchar(c->json ? ',' : ' ');
		fputs(num, stdout);
	}
	if (c->json) {
		printf("],\"cohort\":");
		out_json_names(stdout, cohort);
		printf("}\n");
	} else
		putchar('\n');
	return SS_OK;
}

/* Reconstructs the sum from the posted sumpoints, checking them. */
static int
do_result(struct client *c, const char *session,
    const struct wire_response *st)
{
	const struct wire_params *p = &st->params;
	const size_t n = p->parties.n, L = p->length;
	const unsigned t = p->threshold;
	struct wire_limits lim = { .max_items = n, .max_bytes = 0,
	    .max_values = L };
	struct wire_request req;
	struct wire_response ls;
	struct shamir_verdict verdict;
	const uint64_t **ys = NULL;
	uint64_t *xs = NULL, *secret = NULL;
	unsigned char *seen = NULL;
	char who[512], cohort[512];
	size_t i, e, m;
	int r, idx;

	memset(&req, 0, sizeof(req));
	req.method = WIRE_LIST_SUMPOINTS;
	req.session_id = session;
	if ((r = call(c, &req, &lim, &ls)) != SS_OK)
		return r;
	if (ls.code != ST_OK) {
		r = ls.code == ST_FAILED_PRECONDITION ?
		    fail(c, SS_ERR_INVALID, "ListSumpoints refused: %s",
		    ls.message[0] != '\0' ? ls.message : "not yet") :
		    server_error(c, &ls, WIRE_LIST_SUMPOINTS, session);
		goto out;
	}
	if ((r = check_params(c, &ls, session)) != SS_OK)
		goto out;
	/* The parameters must be those the status gave: they define x and L. */
	if (ls.params.parties.n != n || ls.params.threshold != t ||
	    ls.params.length != L || ls.params.decimals != p->decimals) {
		r = fail(c, SS_ERR_PROTOCOL, "the server sent two different "
		    "sets of parameters for session %s", session);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (strcmp(ls.params.parties.v[i], p->parties.v[i]) != 0) {
			r = fail(c, SS_ERR_PROTOCOL, "the server sent two "
			    "different party lists for session %s", session);
			goto out;
		}
	m = ls.nsumpoints;
	if ((seen = calloc(n, 1)) == NULL ||
	    (xs = calloc(m ? m : 1, sizeof(*xs))) == NULL ||
	    (ys = calloc(m ? m : 1, sizeof(*ys))) == NULL ||
	    (secret = calloc(L, sizeof(*secret))) == NULL) {
		r = fail(c, SS_ERR_ALLOC, "out of memory");
		goto out;
	}
	for (i = 0; i < m; i++) {
		const struct wire_sumpoint *sp = &ls.sumpoints[i];

		if ((idx = name_index(&p->parties, sp->party)) < 0) {
			r = fail(c, SS_ERR_PROTOCOL, "the server listed a "
			    "sumpoint from outside session %s", session);
			goto out;
		}
		if (seen[idx]) {
			r = fail(c, SS_ERR_PROTOCOL, "the server listed two "
			    "sumpoints from %s", sp->party);
			goto out;
		}
		seen[idx] = 1;
		/* x is the party's position; the server's x must agree. */
		if (sp->x != (uint32_t)idx + 1) {
			r = fail(c, SS_ERR_PROTOCOL, "the server gave %s the "
			    "point x=%u, but its position is %d", sp->party,
			    sp->x, idx + 1);
			goto out;
		}
		if (sp->values.n != L) {
			r = fail(c, SS_ERR_PROTOCOL, "the sumpoint of %s has "
			    "%zu elements, not %zu", sp->party, sp->values.n, L);
			goto out;
		}
		for (e = 0; e < L; e++)
			if (sp->values.v[e] >= FIELD_P) {
				r = fail(c, SS_ERR_PROTOCOL, "the sumpoint of %s "
				    "holds a value outside the field", sp->party);
				goto out;
			}
		xs[i] = (uint64_t)idx + 1;
		ys[i] = sp->values.v;
	}
	if (m < (size_t)t + 1) {
		struct wire_names posted;
		wire_name *v = calloc(m ? m : 1, sizeof(*v));

		if (v == NULL) {
			r = fail(c, SS_ERR_ALLOC, "out of memory");
			goto out;
		}
		for (i = 0; i < m; i++)
			snprintf(v[i], sizeof(v[i]), "%s", ls.sumpoints[i].party);
		posted.v = v;
		posted.n = m;
		posted.cap = m;
		out_join(who, sizeof(who), &posted, ",");
		free(v);
		r = fail(c, SS_ERR_INVALID, "%zu sumpoint%s posted for session "
		    "%s%s%s%s; %u needed", m, m == 1 ? "" : "s", session,
		    m > 0 ? " (" : "", m > 0 ? who : "", m > 0 ? ")" : "",
		    t + 1);
		goto out;
	}
	memset(&verdict, 0, sizeof(verdict));
	r = shamir_combine(xs, ys, m, t, L, secret, &verdict);
	if (r == SS_ERR_INCONSISTENT) {
		if (verdict.bad_point >= 0 && (size_t)verdict.bad_point < m)
			r = fail(c, r, "the sumpoint of %s is inconsistent with "
			    "the others (element %zu): no sum printed",
			    ls.sumpoints[verdict.bad_point].party,
			    verdict.first_bad_element + 1);
		else
			r = fail(c, r, "the sumpoints are inconsistent (element "
			    "%zu), and too few to tell which is wrong: no sum "
			    "printed", verdict.first_bad_element + 1);
		goto out;
	}
	if (r != SS_OK) {
		r = fail(c, r, "cannot reconstruct the sum: %s", ss_strerror(r));
		goto out;
	}
	if ((r = print_sum(c, session, secret, L, p->decimals, &ls.cohort)) !=
	    SS_OK)
		goto out;
	if (ls.cohort.n < n && !c->json) {
		struct wire_names out_of;
		wire_name *v = calloc(n, sizeof(*v));

		out_join(cohort, sizeof(cohort), &ls.cohort, ",");
		if (v != NULL) {
			out_of.v = v;
			out_of.n = 0;
			out_of.cap = n;
			for (i = 0; i < n; i++)
				if (!wire_names_has(&ls.cohort, p->parties.v[i]))
					snprintf(v[out_of.n++], sizeof(*v), "%s",
					    p->parties.v[i]);
			out_join(who, sizeof(who), &out_of, ",");
			fflush(stdout);
			fprintf(stderr, "cohort: %s (without %s)\n", cohort,
			    who);
			free(v);
		}
	}
	r = SS_OK;
 out:
	wire_response_free(&ls);
	free(seen);
	free(xs);
	free(ys);
	free(secret);
	return r;
}

int
party_result(struct client *c, const char *session)
{
	struct wire_response st;
	int r;

	if ((r = get_status(c, session, &st)) != SS_OK)
		return r;
	if (st.phase == PHASE_FAILED)
		r = failed_session(c, &st, session);
	else
		r = do_result(c, session, &st);
	wire_response_free(&st);
	return r;
}

/* ---- status -------------------------------------------------------------- */

static void
print_deadline(uint64_t unix_s)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)unix_s;

	if (unix_s == 0) {
		printf("none\n");
		return;
	}
	if ((uint64_t)t != unix_s || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		printf("%llu\n", (unsigned long long)unix_s);
	else
		printf("%s (unix %llu)\n", buf, (unsigned long long)unix_s);
}

int
party_status(struct client *c, const char *session)
{
	struct wire_response st;
	char list[8192];
	int r;

	if ((r = get_status(c, session, &st)) != SS_OK)
		return r;
	if (c->json) {
		printf("{\"session\":");
		out_json_string(stdout, session);
		printf(",\"phase\":\"%s\",\"parties\":",
		    phase_name(st.phase));
		out_json_names(stdout, &st.params.parties);
		printf(",\"threshold\":%u,\"length\":%u,\"decimals\":%u",
		    st.params.threshold, st.params.length, st.params.decimals);
		printf(",\"shared\":");
		out_json_names(stdout, &st.shared);
		printf(",\"cohort\":");
		out_json_names(stdout, &st.cohort);
		printf(",\"posted\":");
		out_json_names(stdout, &st.posted);
		printf(",\"missing\":");
		out_json_names(stdout, &st.missing);
		printf(",\"deadline\":");
		if (st.deadline_unix != 0)
			printf("%llu", (unsigned long long)st.deadline_unix);
		else
			printf("null");
		if (st.phase == PHASE_FAILED) {
			printf(",\"reason\":");
			out_json_string(stdout, st.message[0] != '\0' ?
			    st.message : "(no reason given)");
		}
		printf("}\n");
	} else {
		printf("session: %s\n", session);
		printf("phase: %s\n", phase_name(st.phase));
		out_join(list, sizeof(list), &st.params.parties, ",");
		printf("parties: %s\n", list);
		printf("threshold: %u\nlength: %u\ndecimals: %u\n",
		    st.params.threshold, st.params.length, st.params.decimals);
		out_join(list, sizeof(list), &st.shared, ",");
		printf("shared: %s\n", list);
		out_join(list, sizeof(list), &st.cohort, ",");
		printf("cohort: %s\n", list);
		out_join(list, sizeof(list), &st.posted, ",");
		printf("posted: %s\n", list);
		out_join(list, sizeof(list), &st.missing, ",");
		printf("missing: %s\n", list);
		printf("deadline: ");
		print_deadline(st.deadline_unix);
		if (st.phase == PHASE_FAILED)
			printf("reason: %s\n", st.message[0] != '\0' ?
			    st.message : "(no reason given)");
	}
	wire_response_free(&st);
	return SS_OK;
}

/* ---- run ----------------------------------------------------------------- */

/*
 * Once threshold+1 sumpoints are posted, how long `run` waits for more
 * before it reconstructs without them: it goes on at COMPLETE, or when no
 * new sumpoint has come for this long, or at its --timeout. Any t+1
 * sumpoints give the sum; the others are only for cross-checking, so a
 * party that shared and then vanished delays the others by this much, not
 * by the whole --timeout.
 */
#define RUN_GRACE_MS 2000

/* What `run` has sent, kept to send the same again if the server lost it. */
struct run_state {
	struct submission sub;     /* our sealed shares */
	int have_sub;
	uint64_t *sum;             /* our posted sumpoint, L values */
	size_t L, m;               /* ... its length, and shares in it */
	wire_name *cohort;         /* the cohort it was computed for */
	size_t ncohort;
	int warned;                /* said that the cohort closed without us */
	size_t last_posted;        /* sumpoints seen posted ... */
	uint64_t quiet_since;      /* ... and since when no new one came */
};

static void
run_state_free(struct run_state *rs)
{
	submission_free(&rs->sub);
	free(rs->sum);
	free(rs->cohort);
	memset(rs, 0, sizeof(*rs));
}

/* Whether our sumpoint was computed for the cohort st reports. */
static int
same_cohort(const struct run_state *rs, const struct wire_response *st)
{
	size_t i;

	if (rs->sum == NULL || rs->ncohort != st->cohort.n)
		return 0;
	for (i = 0; i < rs->ncohort; i++)
		if (strcmp(rs->cohort[i], st->cohort.v[i]) != 0)
			return 0;
	return 1;
}

/*
 * Fetches our shares, adds them and posts the sumpoint, remembering it
 * and its cohort for a repost.
 */
static int
run_sumpoint(struct client *c, const char *session, struct run_state *rs,
    const struct wire_response *st)
{
	uint64_t *sum = NULL;
	size_t m = 0, i;
	int r;

	if ((r = compute_sumpoint(c, session, st, &sum, &m)) != SS_OK)
		return r;
	free(rs->sum);
	free(rs->cohort);
	rs->sum = sum;
	rs->L = st->params.length;
	rs->m = m;
	rs->ncohort = 0;
	if ((rs->cohort = calloc(st->cohort.n ? st->cohort.n : 1,
	    sizeof(*rs->cohort))) == NULL)
		return fail(c, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < st->cohort.n; i++)
		memcpy(rs->cohort[i], st->cohort.v[i], sizeof(rs->cohort[i]));
	rs->ncohort = st->cohort.n;
	return post_sumpoint(c, session, rs->sum, rs->L, rs->m, 1, 0);
}

/*
 * One step of `run` on the status st: 1 when it is time to reconstruct, 0
 * to poll again (*acted set when it sent something, so that the next poll
 * comes soon), or an error.
 */
static int
run_step(struct client *c, const char *session, const struct input_src *in,
    struct run_state *rs, const struct wire_response *st, int *acted)
{
	const size_t need = (size_t)st->params.threshold + 1;
	uint64_t now;
	char who[512];
	int r;

	*acted = 0;
	if (st->phase == PHASE_FAILED)
		return failed_session(c, st, session);

	if (st->phase == PHASE_SHARING) {
		if (!wire_names_has(&st->shared, c->party)) {
			/*
			 * Our shares are not in: not sent yet, or sent and
			 * lost by a server restarted from an older state.
			 * Either way the same sealed bytes go (again).
			 */
			if (!rs->have_sub) {
				if ((r = seal_input(c, session, st, in,
				    &rs->sub)) != SS_OK)
					return r;
				rs->have_sub = 1;
				r = submit(c, session, &rs->sub, 1, 0);
			} else
				r = submit(c, session, &rs->sub, 1, 1);
			*acted = 1;
			return r;
		}
		out_join(who, sizeof(who), &st->missing, ", ");
		if (expired(c))
			return fail(c, SS_ERR_TIMEOUT, "timed out after %u s "
			    "waiting for shares from: %s", c->timeout_s, who);
		progress_show(&c->progress, "waiting for shares: %zu/%zu "
		    "(missing: %s)", st->shared.n, st->params.parties.n, who);
		return 0;
	}

	/* AGGREGATING or COMPLETE: the cohort is fixed. */
	if (!wire_names_has(&st->cohort, c->party) && !rs->warned) {
		/* Our sumpoint still helps the others; our input is not in. */
		progress_clear(&c->progress);
		fprintf(stderr, "mpc-client: warning: the sharing phase of "
		    "session %s closed before %s's shares were in: the sum "
		    "will not include %s's input\n", session, c->party,
		    c->party);
		rs->warned = 1;
	}
	if (!wire_names_has(&st->posted, c->party)) {
		*acted = 1;
		/* The same values again, unless the cohort is another. */
		if (same_cohort(rs, st))
			return post_sumpoint(c, session, rs->sum, rs->L, rs->m,
			    1, 1);
		return run_sumpoint(c, session, rs, st);
	}
	if (st->phase == PHASE_COMPLETE)
		return 1;
	now = conn_now_ms();
	if (st->posted.n >= need) {
		if (st->posted.n != rs->last_posted) {
			rs->last_posted = st->posted.n;
			rs->quiet_since = now;
		}
		if (now - rs->quiet_since >= RUN_GRACE_MS || expired(c))
			return 1;
	}
	out_join(who, sizeof(who), &st->missing, ", ");
	if (expired(c))
		return fail(c, SS_ERR_TIMEOUT, "timed out after %u s waiting "
		    "for sumpoints: %zu posted, %zu needed (missing: %s)",
		    c->timeout_s, st->posted.n, need, who);
	progress_show(&c->progress, "waiting for sumpoints: %zu/%zu "
	    "(missing: %s)", st->posted.n, st->cohort.n, who);
	return 0;
}

int
party_run(struct client *c, const char *session, const struct input_src *in)
{
	struct run_state rs;
	struct wire_response st;
	uint64_t delay = POLL_FIRST_MS;
	char who[512];
	int r, acted;

	memset(&rs, 0, sizeof(rs));
	for (;;) {
		r = get_status(c, session, &st);
		if (r == SS_ERR_NOT_FOUND) {
			/* Not created yet (or lost with a server's state). */
			if (expired(c)) {
				r = fail(c, SS_ERR_TIMEOUT, "timed out after %u "
				    "s waiting for session %s to be created",
				    c->timeout_s, session);
				goto done;
			}
			progress_show(&c->progress, "waiting for session %s to "
			    "be created", session);
			backoff(c, &delay);
			continue;
		}
		if (r != SS_OK)
			goto done;
		r = run_step(c, session, in, &rs, &st, &acted);
		if (r == 1)
			break;
		wire_response_free(&st);
		if (r != SS_OK)
			goto done;
		if (acted)
			delay = POLL_FIRST_MS;  /* see its effect soon */
		backoff(c, &delay);
	}
	progress_clear(&c->progress);
	r = do_result(c, session, &st);
	if (r == SS_OK && st.phase != PHASE_COMPLETE && st.missing.n > 0) {
		out_join(who, sizeof(who), &st.missing, ",");
		fflush(stdout);
		fprintf(stderr, "mpc-client: note: the sum is from %zu "
		    "sumpoints; %s did not post one\n", st.posted.n, who);
	}
	wire_response_free(&st);
 done:
	progress_clear(&c->progress);
	run_state_free(&rs);
	return r;
}
