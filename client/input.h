/*
 * input.h: a party's private input vector, from command-line arguments or
 * from a file of values separated by white space ('-' is standard input),
 * parsed as amounts with the session's decimals and checked against the
 * bound that keeps the sum of n inputs decodable.
 */
#ifndef SS_CLIENT_INPUT_H
#define SS_CLIENT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Longest text of one value: an int64 with 18 decimals needs 21. */
#define INPUT_TOKEN_MAX 64

struct input_src {
	const char *const *args;   /* values given as arguments, or */
	size_t nargs;
	const char *path;          /* non-NULL: a file of values, "-" = stdin */
	/* non-NULL: the values already in units of 10^-decimals (the
	 * library's callers), checked against the bound only */
	const int64_t *fixed;
	size_t nfixed;
};

/*
 * Reads exactly L values into out[0..L). Fails with a one-line reason in
 * e: SS_ERR_INVALID (a malformed value, or not exactly L of them),
 * SS_ERR_RANGE (a value outside +-amount_bound(nparties)), SS_ERR_IO.
 * Every buffer that held input text is wiped before return; on failure out
 * is wiped too.
 */
int input_read(const struct input_src *src, unsigned decimals,
    unsigned nparties, size_t L, int64_t *out, struct ss_error *e) SS_WUR;

/* 1 if arg reads as a number rather than an option: ^[+-]?[0-9.] */
int input_looks_numeric(const char *arg);

#endif
