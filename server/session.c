/*
 * session.c: one session's memory and the questions asked of it; see
 * session.h.
 */
#include <stdlib.h>
#include <string.h>

#include "sealed.h"
#include "session.h"

void
session_free(struct session *se)
{
	uint32_t i;

	if (se == NULL)
		return;
	for (i = 0; se->shares != NULL && i < se->p.n; i++)
		free(se->shares[i]);
	for (i = 0; se->sumpoints != NULL && i < se->p.n; i++)
		free(se->sumpoints[i]);
	free(se->shares);
	free(se->sumpoints);
	free(se->in_cohort);
	free(se->by_name);
	free(se->p.parties);
	free(se);
}

/* qsort_r context for ordering party indices by name. */
static int
cmp_party(const void *a, const void *b, void *arg)
{
	const char (*names)[NAME_BUF] = arg;

	return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

struct session *
session_new(const struct session_params *p)
{
	struct session *se;
	uint32_t i;

	if (p->n == 0 || (se = calloc(1, sizeof(*se))) == NULL)
		return NULL;
	se->p = *p;
	se->p.parties = calloc(p->n, NAME_BUF);
	se->by_name = calloc(p->n, sizeof(*se->by_name));
	se->shares = calloc(p->n, sizeof(*se->shares));
	se->sumpoints = calloc(p->n, sizeof(*se->sumpoints));
	se->in_cohort = calloc(p->n, 1);
	if (se->p.parties == NULL || se->by_name == NULL || se->shares == NULL ||
	    se->sumpoints == NULL || se->in_cohort == NULL) {
		session_free(se);
		return NULL;
	}
	memcpy(se->p.parties, p->parties, (size_t)p->n * NAME_BUF);
	for (i = 0; i < p->n; i++)
		se->by_name[i] = i;
	qsort_r(se->by_name, p->n, sizeof(*se->by_name), cmp_party, se->p.parties);
	se->ct_len = sealed_len(p->length);
	se->phase = PHASE_SHARING;
	return se;
}

const char *
session_repeated_party(const struct session *se)
{
	uint32_t i;

	for (i = 1; i < se->p.n; i++)
		if (strcmp(se->p.parties[se->by_name[i - 1]],
		    se->p.parties[se->by_name[i]]) == 0)
			return se->p.parties[se->by_name[i]];
	return NULL;
}

long
session_party_index(const struct session *se, const char *name)
{
	size_t lo = 0, hi = se->p.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, se->p.parties[se->by_name[mid]]);

		if (c == 0)
			return (long)se->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

size_t
session_count_shared(const struct session *se)
{
	size_t i, k = 0;

	for (i = 0; i < se->p.n; i++)
		k += se->shares[i] != NULL;
	return k;
}

uint64_t
session_bytes(const struct session *se)
{
	uint64_t b = 0;
	uint32_t i;

	for (i = 0; i < se->p.n; i++) {
		if (se->shares[i] != NULL)
			b += (uint64_t)se->p.n * se->ct_len;
		if (se->sumpoints[i] != NULL)
			b += (uint64_t)se->p.length * 8;
	}
	return b;
}
