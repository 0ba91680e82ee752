/*
 * answer_sink.c: answers into an output buffer, charged until sent; see
 * answer_sink.h.
 */
#include <stdlib.h>
#include <string.h>

#include "answer_sink.h"
#include "err.h"

/* A block of copied bytes and what it is charged. */
struct block {
	struct budget *budget;
	uint64_t cost;
	uint8_t data[];
};

/* libevent is done with a block: its bytes are sent, or dropped. */
static void
block_sent(const void *data, size_t len, void *arg)
{
	struct block *k = arg;

	(void)data; (void)len;
	if (k->budget != NULL)
		budget_give(k->budget, k->cost);
	free(k);
}

/* Adds len bytes at p as one block, with the pieces of the refs before it. */
static void
add_block(struct answer_sink *s, const uint8_t *p, size_t len)
{
	struct block *k;

	if (s->failed || len == 0)
		return;
	if ((k = malloc(sizeof(*k) + len)) == NULL) {
		s->failed = 1;
		return;
	}
	memcpy(k->data, p, len);
	k->budget = s->budget;
	/* The block's piece and the references' before it (budget.h). */
	k->cost = len + BUDGET_PIECE_COST * (1 + s->refs);
	if (evbuffer_add_reference(s->out, k->data, len, block_sent, k) != 0) {
		free(k);
		s->failed = 1;
		return;
	}
	if (k->budget != NULL)
		budget_force(k->budget, k->cost);
	s->refs = 0;
}

static void
flush_stage(struct answer_sink *s)
{
	add_block(s, s->stage, s->len);
	s->len = 0;
}

static void
sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct answer_sink *s = (struct answer_sink *)b;

	if (s->len + len > sizeof(s->stage))
		flush_stage(s);
	if (len > sizeof(s->stage)) {
		add_block(s, data, len);
		return;
	}
	memcpy(s->stage + s->len, data, len);
	s->len += len;
}

void
answer_sink_init(struct answer_sink *s, struct evbuffer *out, struct budget *b)
{
	s->base.append = sink_append;
	s->out = out;
	s->budget = b;
	s->len = 0;
	s->refs = 0;
	s->failed = 0;
}

/* The output buffer is done with a session's bytes. */
static void
held_sent(const void *data, size_t len, void *owner)
{
	(void)data; (void)len;
	session_unpin(owner);
}

void
answer_sink_held(ProtobufCBuffer *b, size_t len, const uint8_t *data,
    struct session *owner)
{
	struct answer_sink *s = (struct answer_sink *)b;

	if (owner == NULL) {
		sink_append(b, len, data);
		return;
	}
	/* What comes before goes first, in order. */
	flush_stage(s);
	if (s->failed)
		return;
	session_pin(owner);
	if (evbuffer_add_reference(s->out, data, len, held_sent, owner) != 0) {
		session_unpin(owner);
		s->failed = 1;
		return;
	}
	s->refs++;
}

int
answer_sink_finish(struct answer_sink *s)
{
	flush_stage(s);
	return s->failed ? SS_ERR_ALLOC : SS_OK;
}
