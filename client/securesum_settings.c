/*
 * securesum_settings.c: libsecuresum's handle (include/securesum.h) and
 * its settings: made and freed, each setting checked as it is given, the
 * last failure's message, the version, and the amount conversions. The
 * operations over the handle are in securesum.c.
 */
#define SECURESUM_BUILDING 1

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "securesum.h"

#include "addr.h"
#include "amount.h"
#include "client.h"
#include "err.h"
#include "name.h"
#include "pki.h"
#include "securesum_internal.h"

#ifndef SS_VERSION
#error "SS_VERSION must be defined (the Makefile gives it from VERSION)"
#endif

#define DEFAULT_TIMEOUT_S 120
#define MAX_TIMEOUT_S     2147483   /* INT_MAX ms, as mpc-client's */

securesum *
securesum_new(void)
{
	securesum *h = calloc(1, sizeof(*h));

	if (h != NULL) {
		h->timeout_s = DEFAULT_TIMEOUT_S;
		ss_error_clear(&h->err);
	}
	return h;
}

void
securesum_free(securesum *h)
{
	if (h != NULL) {
		char **const strings[] = { &h->server, &h->server_name,
		    &h->certs, &h->party, &h->state, &h->trace };
		size_t i;

		for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			free(*(strings[i]));   /* parenthesised for cppcheck 2.10 */
		OPENSSL_cleanse(h, sizeof(*h));
	}
	free(h);
}

/* *slot = a copy of val (NULL: unset). */
static int
set_string(securesum *h, char **slot, const char *val)
{
	char *copy = NULL;

	if (val != NULL && (copy = strdup(val)) == NULL)
		return ss_error_set(&h->err, SS_ERR_ALLOC, "out of memory");
	free(*slot);
	*slot = copy;
	ss_error_clear(&h->err);
	return SS_OK;
}

int
securesum_set_server(securesum *h, const char *host_port)
{
	struct hostport hp;

	if (host_port == NULL || addr_split(host_port, &hp, 0) != SS_OK)
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "server: '%.80s' is not HOST:PORT (or [IPv6]:PORT)",
		    host_port ? host_port : "");
	return set_string(h, &h->server, host_port);
}

int
securesum_set_certs(securesum *h, const char *dir)
{
	if (dir == NULL || *dir == '\0')
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "certs: give the folder of ca.crt and this party's "
		    "certificates and keys");
	return set_string(h, &h->certs, dir);
}

int
securesum_set_party(securesum *h, const char *name)
{
	if (name == NULL || !name_valid(name))
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "party: invalid name: %s", CLIENT_NAME_RULE);
	return set_string(h, &h->party, name);
}

int
securesum_set_state(securesum *h, const char *dir)
{
	return set_string(h, &h->state, dir);
}

int
securesum_set_server_name(securesum *h, const char *name)
{
	if (name != NULL && !pki_host_valid(name))
		return ss_error_set(&h->err, SS_ERR_INVALID,
		    "server name: '%.80s' is neither a DNS name (letters, "
		    "digits, '-', '.') nor an IP address", name);
	return set_string(h, &h->server_name, name);
}

int
securesum_set_timeout(securesum *h, unsigned seconds)
{
	if (seconds == 0 || seconds > MAX_TIMEOUT_S)
		return ss_error_set(&h->err, SS_ERR_RANGE,
		    "timeout: give 1 to %d seconds", MAX_TIMEOUT_S);
	h->timeout_s = seconds;
	ss_error_clear(&h->err);
	return SS_OK;
}

int
securesum_set_trace(securesum *h, const char *file)
{
	return set_string(h, &h->trace, file);
}

int
securesum_set_wait(securesum *h, int wait)
{
	h->wait = wait != 0;
	ss_error_clear(&h->err);
	return SS_OK;
}

void
securesum_set_log(securesum *h, securesum_log_fn *fn, void *arg)
{
	h->log = fn;
	h->log_arg = arg;
}

void
securesum_set_progress(securesum *h, securesum_progress_fn *fn, void *arg)
{
	h->progress = fn;
	h->progress_arg = arg;
}

void
securesum_set_step(securesum *h, securesum_step_fn *fn, void *arg)
{
	h->step = fn;
	h->step_arg = arg;
}

const char *
securesum_message(const securesum *h)
{
	return h->err.code == SS_OK ? "" : ss_error_msg(&h->err);
}

const char *
securesum_strerror(int code)
{
	return ss_strerror(code);
}

const char *
securesum_version(void)
{
	return SS_VERSION;
}

int
securesum_parse_amount(const char *text, unsigned decimals, int64_t *out)
{
	if (text == NULL || out == NULL)
		return SS_ERR_INVALID;
	return amount_parse(text, decimals, out);
}

int
securesum_format_amount(int64_t value, unsigned decimals, char *buf,
    size_t len)
{
	if (buf == NULL)
		return SS_ERR_INVALID;
	return amount_format(value, decimals, buf, len);
}

