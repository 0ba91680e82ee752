/*
 * trace.c: hashing what the server acknowledged, and appending its line to
 * the trace file. Both go through buf_writer: the hash as a writer whose
 * sink is the digest (core/digest.h), the line as a writer in memory sent
 * in one write. A line that cannot be written is an error of the command:
 * an audit with a hole in it would say that nothing happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "digest.h"
#include "err.h"
#include "trace.h"
#include "wire.h"

/* "OK " + method + 3 names of at most 64 + 64 hex digits, and spaces. */
#define TRACE_LINE_MAX 512

int
trace_hash(const struct wire_request *req, uint8_t md[TRACE_HASH_LEN])
{
	struct digest d;
	size_t i;
	int r;

	if (req->method != WIRE_SUBMIT_SHARES &&
	    req->method != WIRE_POST_SUMPOINT &&
	    (req->method != WIRE_POST_COHORT || req->stmt == NULL))
		return SS_ERR_INVALID;
	if ((r = digest_begin(&d)) != SS_OK)
		return r;
	/* A COHORT: the body its signature covers. */
	if (req->method == WIRE_POST_COHORT)
		buf_put(&d.w, req->stmt->body, req->stmt->body_len);
	for (i = 0; req->method == WIRE_SUBMIT_SHARES && i < req->nshares; i++)
		buf_put(&d.w, req->shares[i].ct, req->shares[i].ct_len);
	for (i = 0; req->method == WIRE_POST_SUMPOINT && i < req->nvalues; i++)
		buf_put_u64(&d.w, req->values[i]);
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

int
trace_check(const struct client *c, struct ss_error *e)
{
	int fd;

	if (c->trace == NULL)
		return SS_OK;
	if ((fd = open(c->trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) < 0)
		return ss_error_set(e, SS_ERR_IO, "--trace %s: cannot open it for "
		    "appending: %s (give a file in a folder you may write to)",
		    c->trace, strerror(errno));
	if (close(fd) != 0)
		return ss_error_set(e, SS_ERR_IO, "--trace %s: %s", c->trace,
		    strerror(errno));
	return SS_OK;
}

int
trace_change(const struct client *c, const char *method, const char *session,
    const uint8_t md[TRACE_HASH_LEN], struct ss_error *e)
{
	if (c->trace == NULL)
		return SS_OK;
	errno = 0;
	if (trace_append(c->trace, method, session, c->party, md) != SS_OK)
		return ss_error_set(e, SS_ERR_IO, "the server took %s for session "
		    "%s, but --trace %s cannot be appended to: %s (the audit "
		    "now lacks this line)", method, session, c->trace,
		    errno != 0 ? strerror(errno) : "write failed");
	return SS_OK;
}

int
trace_request(const struct client *c, const struct wire_request *req,
    struct ss_error *e)
{
	uint8_t md[TRACE_HASH_LEN];
	int r;

	if (c->trace == NULL)
		return SS_OK;
	if ((r = trace_hash(req, md)) != SS_OK)
		return ss_error_set(e, r, "cannot hash %s for --trace %s",
		    wire_method_name(req->method), c->trace);
	return trace_change(c, wire_method_name(req->method), req->session_id,
	    md, e);
}
