/*
 * handshakes.h: the connections still in their TLS handshake, in accept
 * order, and which of them makes way when a newcomer needs a slot.
 *
 * Each connection embeds a struct handshake while it is unauthenticated
 * (connection.c). The choice looks at the HANDSHAKES_SCAN oldest and takes
 * the oldest of the least advanced: a client that has sent nothing, then
 * one that has sent bytes but no whole ClientHello the server answered,
 * then the oldest of all. A party sends its whole ClientHello as it
 * connects and the server answers it at once, so connections opened and
 * left silent, or fed a byte and left, make way before a party's
 * handshake does, however slowly that runs (a loaded machine, a sanitizer
 * build). To be kept instead of it a connection must send a ClientHello
 * the server answers, which costs the server that answer's key exchange
 * and signature, and then still goes before younger ones. The scan is
 * bounded so that an accept costs the same under any flood.
 */
#ifndef SS_HANDSHAKES_H
#define SS_HANDSHAKES_H

#include <stdint.h>

#include <event2/bufferevent.h>

/* How many of the oldest handshakes a newcomer looks at. */
#define HANDSHAKES_SCAN 64

/* One connection in its handshake. */
struct handshake {
	struct handshake *newer, *older;
	struct bufferevent *bev;        /* its TLS socket: how far it has come */
	uint64_t accepted_ms;           /* CLOCK_MONOTONIC: its deadline counts from it */
	int listed;
};

/* Every connection in its handshake: newest first, oldest last. */
struct handshakes {
	struct handshake *newest, *oldest;
	unsigned n;
};

/* Adds h, just accepted (accepted_ms and bev set), as the newest. */
void handshakes_add(struct handshakes *l, struct handshake *h);

/* Takes h out of the list; one not in it is left as it is. */
void handshakes_remove(struct handshakes *l, struct handshake *h);

/* The handshake that makes way for a newcomer, or NULL if none is listed. */
struct handshake *handshakes_victim(const struct handshakes *l);

/* The oldest, if it has run limit_ms or more by now; else NULL. */
struct handshake *handshakes_expired(const struct handshakes *l,
    uint64_t now_ms, uint64_t limit_ms);

#endif
