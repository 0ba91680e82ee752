/*
 * handshakes.c: the list of connections in their TLS handshake and the
 * choice of the one that makes way. See handshakes.h.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "handshakes.h"

void
handshakes_add(struct handshakes *l, struct handshake *h)
{
	h->newer = NULL;
	h->older = l->newest;
	if (l->newest != NULL)
		l->newest->newer = h;
	else
		l->oldest = h;
	l->newest = h;
	h->listed = 1;
	l->n++;
}

void
handshakes_remove(struct handshakes *l, struct handshake *h)
{
	if (!h->listed)
		return;
	if (h->newer != NULL)
		h->newer->older = h->older;
	else
		l->newest = h->older;
	if (h->older != NULL)
		h->older->newer = h->newer;
	else
		l->oldest = h->newer;
	h->newer = h->older = NULL;
	h->listed = 0;
	l->n--;
}

/* How far a handshake has come, as far as a newcomer's choice goes. */
enum stage {
	SILENT,         /* its client has sent nothing: no byte read, none waiting */
	SPOKEN,         /* some bytes, but no whole ClientHello we answered */
	ANSWERED        /* our ServerHello is sent: a whole ClientHello came */
};

static enum stage
stage(const struct handshake *h)
{
	SSL *ssl = bufferevent_openssl_get_ssl(h->bev);
	BIO *rbio = ssl != NULL ? SSL_get_rbio(ssl) : NULL;
	BIO *wbio = ssl != NULL ? SSL_get_wbio(ssl) : NULL;
	int waiting = 0;

	if (wbio != NULL && BIO_number_written(wbio) != 0)
		return ANSWERED;
	if (rbio == NULL || BIO_number_read(rbio) != 0)
		return SPOKEN;
	if (ioctl(bufferevent_getfd(h->bev), FIONREAD, &waiting) != 0)
		return SPOKEN;
	return waiting == 0 ? SILENT : SPOKEN;
}

struct handshake *
handshakes_victim(const struct handshakes *l)
{
	struct handshake *h = l->oldest, *victim = l->oldest;
	enum stage least = ANSWERED, st;
	unsigned seen;

	for (seen = 0; h != NULL && seen < HANDSHAKES_SCAN; h = h->newer, seen++) {
		if ((st = stage(h)) < least) {
			least = st;
			victim = h;
			if (st == SILENT)
				break;
		}
	}
	return victim;
}

struct handshake *
handshakes_expired(const struct handshakes *l, uint64_t now_ms,
    uint64_t limit_ms)
{
	struct handshake *h = l->oldest;

	return h != NULL && now_ms - h->accepted_ms >= limit_ms ? h : NULL;
}
