/*
 * vectors.h: for unit tests, the values of a "name = value" file under
 * tests/data (blank lines and '#' comments skipped), such as
 * tests/data/v2-vectors.txt. Paths are relative to the repository root,
 * where the test runner starts the tests. Include after <cmocka.h>.
 */
#ifndef SS_TEST_VECTORS_H
#define SS_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS_V2 "tests/data/v2-vectors.txt"

/*
 * The value of name in the file at path, malloc'd (free it), or NULL if the
 * file has no such line. A missing file fails the test.
 */
static inline char *
vector_get(const char *path, const char *name)
{
	char *line = NULL, *value = NULL, *eq, *end;
	size_t cap = 0, nlen = strlen(name);
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (value == NULL && getline(&line, &cap, f) != -1) {
		if (line[0] == '#' || strncmp(line, name, nlen) != 0)
			continue;
		eq = line + nlen;
		if (strncmp(eq, " = ", 3) != 0)
			continue;
		end = eq + strlen(eq);
		while (end > eq && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		value = strdup(eq + 3);
		assert_non_null(value);
	}
	free(line);
	fclose(f);
	return value;
}

/* The hex value of name, decoded and malloc'd; its length in *len. */
static inline uint8_t *
vector_hex(const char *path, const char *name, size_t *len)
{
	char *hex = vector_get(path, name);
	uint8_t *out;
	size_t i, n;
	unsigned int byte;

	assert_non_null(hex);
	n = strlen(hex);
	assert_int_equal(n % 2, 0);
	out = malloc(n / 2 + 1);
	assert_non_null(out);
	for (i = 0; i < n / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (uint8_t)byte;
	}
	free(hex);
	*len = n / 2;
	return out;
}

/* Checks that the value of name is exactly want. */
static inline void
vector_expect(const char *path, const char *name, const char *want)
{
	char *got = vector_get(path, name);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Checks that the hex value of name is exactly the bytes p[0..n). */
static inline void
vector_expect_hex(const char *path, const char *name, const uint8_t *p,
    size_t n)
{
	size_t len;
	uint8_t *want = vector_hex(path, name, &len);

	assert_int_equal(len, n);
	assert_memory_equal(want, p, n);
	free(want);
}

#endif
