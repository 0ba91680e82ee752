/*
 * trace.c: hashing what the server acknowledged, and appending its line to
 * the trace file. Both go through buf_writer: the hash as a writer whose
 * sink is the digest, the line as a writer in memory sent in one write.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "client.h"
#include "err.h"
#include "trace.h"

/* "OK " + method + 3 names of at most 64 + 64 hex digits, and spaces. */
#define TRACE_LINE_MAX 512

/* A writer whose bytes go to a SHA-256. */
struct digest {
	EVP_MD_CTX *md;
	struct buf_writer w;
};

static int
digest_begin(struct digest *d)
{
	if ((d->md = EVP_MD_CTX_new()) == NULL)
		return SS_ERR_ALLOC;
	if (EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->md);
		return SS_ERR_CRYPTO;
	}
	buf_writer_init_sink(&d->w, buf_sink_digest, d->md);
	return SS_OK;
}

static int
digest_end(struct digest *d, uint8_t md[TRACE_HASH_LEN])
{
	unsigned int n = 0;
	int r;

	if ((r = buf_writer_error(&d->w)) == SS_OK &&
	    (EVP_DigestFinal_ex(d->md, md, &n) != 1 || n != TRACE_HASH_LEN))
		r = SS_ERR_CRYPTO;
	EVP_MD_CTX_free(d->md);
	d->md = NULL;
	return r;
}

int
trace_hash_shares(const uint8_t *cts, size_t len, uint8_t md[TRACE_HASH_LEN])
{
	struct digest d;
	int r;

	if ((r = digest_begin(&d)) != SS_OK)
		return r;
	buf_put(&d.w, cts, len);
	return digest_end(&d, md);
}

int
trace_hash_sumpoint(const uint64_t *values, size_t L,
    uint8_t md[TRACE_HASH_LEN])
{
	struct digest d;
	size_t i;
	int r;

	if ((r = digest_begin(&d)) != SS_OK)
		return r;
	for (i = 0; i < L; i++)
		buf_put_u64(&d.w, values[i]);
	return digest_end(&d, md);
}

static void
put_str(struct buf_writer *w, const char *s)
{
	buf_put(w, s, strlen(s));
}

/* The line of md into memory writer w. */
static void
put_line(struct buf_writer *w, const char *method, const char *session,
    const char *party, const uint8_t md[TRACE_HASH_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	put_str(w, "OK ");
	put_str(w, method);
	put_str(w, " ");
	put_str(w, session);
	put_str(w, " ");
	put_str(w, party);
	put_str(w, " ");
	for (i = 0; i < TRACE_HASH_LEN; i++) {
		buf_put_u8(w, (uint8_t)hex[md[i] >> 4]);
		buf_put_u8(w, (uint8_t)hex[md[i] & 0x0f]);
	}
	put_str(w, "\n");
}

int
trace_append(const char *path, const char *method, const char *session,
    const char *party, const uint8_t md[TRACE_HASH_LEN])
{
	struct buf_writer w;
	int fd, r;

	buf_writer_init(&w, TRACE_LINE_MAX);
	put_line(&w, method, session, party, md);
	if ((r = buf_writer_error(&w)) == SS_OK) {
		/* O_APPEND: each write lands whole at the end of the file. */
		if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0666)) < 0)
			r = SS_ERR_IO;
		else {
			r = buf_sink_fd(&fd, w.data, w.len);
			if (close(fd) != 0 && r == SS_OK)
				r = SS_ERR_IO;
		}
	}
	buf_writer_free(&w);
	return r;
}

/*
 * Appends the line of md for c, which `hashed` (the hash's outcome) says
 * holds the hash; says so on the terminal if it cannot.
 */
static void
trace_ack(struct client *c, const char *method, const char *session,
    int hashed, const uint8_t md[TRACE_HASH_LEN])
{
	if (hashed != SS_OK)
		client_note(c, "cannot hash for the trace file");
	else if (trace_append(c->trace, method, session, c->party, md) != SS_OK)
		client_note(c, "cannot append to the trace file %s", c->trace);
}

void
trace_shares(struct client *c, const char *session, const uint8_t *cts,
    size_t len)
{
	uint8_t md[TRACE_HASH_LEN];

	if (c->trace != NULL)
		trace_ack(c, "SubmitShares", session,
		    trace_hash_shares(cts, len, md), md);
}

void
trace_sumpoint(struct client *c, const char *session, const uint64_t *values,
    size_t L)
{
	uint8_t md[TRACE_HASH_LEN];

	if (c->trace != NULL)
		trace_ack(c, "PostSumpoint", session,
		    trace_hash_sumpoint(values, L, md), md);
}
