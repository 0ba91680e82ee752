/*
 * params.c: the rules, canonical encoding and digest of a version-2
 * session's parameters; see params.h and docs/PROTOCOL.md section 17.
 *
 * Messages never echo a name that failed the name rule: it may hold
 * anything, terminal escapes included. They name its position instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "name.h"
#include "params.h"

#define NAME_RULE "1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.' or '-'"

/* A party's name with its 1-based position, for finding repeated names. */
struct named_pos {
	const char *name;
	uint32_t pos;
};

static int
cmp_named_pos(const void *a, const void *b)
{
	const struct named_pos *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Every name valid, none twice. Sorting makes the check O(n log n): an
 * all-pairs comparison of 65536 names would take seconds.
 */
static int
check_party_names(const struct session_params *p, struct ss_error *e)
{
	struct named_pos *v;
	uint32_t i;
	int rc = SS_OK;

	for (i = 0; i < p->n; i++)
		if (!name_valid(p->parties[i]))
			return ss_error_set(e, SS_ERR_INVALID, "party %u of %u "
			    "is not a valid name: use " NAME_RULE, i + 1, p->n);
	if ((v = calloc(p->n, sizeof(*v))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory checking "
		    "%u party names", p->n);
	for (i = 0; i < p->n; i++) {
		v[i].name = p->parties[i];
		v[i].pos = i + 1;
	}
	qsort(v, p->n, sizeof(*v), cmp_named_pos);
	for (i = 1; i < p->n && rc == SS_OK; i++)
		if (strcmp(v[i - 1].name, v[i].name) == 0)
			rc = ss_error_set(e, SS_ERR_INVALID, "party %s is listed "
			    "twice, at positions %u and %u", v[i].name,
			    v[i - 1].pos, v[i].pos);
	free(v);
	return rc;
}

/* The numeric rules, in the order a reader of the parameters meets them. */
static int
check_numbers(const struct session_params *p, struct ss_error *e)
{
	if (p->t < 1 || p->t > p->n - 1)
		return ss_error_set(e, SS_ERR_INVALID, "threshold must be "
		    "between 1 and n-1 = %u, got %u", p->n - 1, p->t);
	if (p->length < 1)
		return ss_error_set(e, SS_ERR_INVALID, "vector length must be "
		    "at least 1, got 0");
	if (p->decimals > PARAMS_MAX_DECIMALS)
		return ss_error_set(e, SS_ERR_INVALID, "decimals must be 0 to "
		    "%d, got %u", PARAMS_MAX_DECIMALS, p->decimals);
	/* t <= n - 1 here, so t + 1 does not overflow. */
	if (p->min_cohort < p->t + 1 || p->min_cohort > p->n)
		return ss_error_set(e, SS_ERR_INVALID, "min_cohort must be "
		    "between t+1 = %u and n = %u, got %u", p->t + 1, p->n,
		    p->min_cohort);
	if (p->deadline > (uint64_t)INT64_MAX)
		return ss_error_set(e, SS_ERR_INVALID, "deadline %llu is not a "
		    "Unix time", (unsigned long long)p->deadline);
	return SS_OK;
}

int
params_validate(const struct session_params *p, struct ss_error *e)
{
	int rc;

	if (p == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no parameters");
	if (!session_id_valid(p->session_id))
		return ss_error_set(e, SS_ERR_INVALID, "session id must be "
		    "NAME or CREATOR/NAME, each " NAME_RULE);
	if (p->n < PARAMS_MIN_PARTIES || p->n > PARAMS_MAX_PARTIES)
		return ss_error_set(e, SS_ERR_INVALID, "a session needs %d to "
		    "%d parties, got %u", PARAMS_MIN_PARTIES, PARAMS_MAX_PARTIES,
		    p->n);
	if (p->parties == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no party list");
	if ((rc = check_party_names(p, e)) != SS_OK)
		return rc;
	return check_numbers(p, e);
}

int
params_choose_min_cohort(uint32_t stated, uint32_t n, uint64_t deadline,
    uint32_t *min_cohort, struct ss_error *e)
{
	if (min_cohort == NULL)
		return ss_error_set(e, SS_ERR_INVALID, "no min_cohort output");
	if (stated != 0) {
		*min_cohort = stated;
		return SS_OK;
	}
	if (deadline != PARAMS_NO_DEADLINE)
		return ss_error_set(e, SS_ERR_INVALID, "a session with a "
		    "deadline must state its minimum cohort (--min-cohort N, "
		    "t+1 <= N <= n): the deadline must not decide how few "
		    "parties a sum may cover");
	*min_cohort = n;
	return SS_OK;
}

int
params_exposes_one_input(const struct session_params *p)
{
	return p != NULL && p->min_cohort > p->t && p->min_cohort - p->t == 1;
}

int
params_new_nonce(uint8_t nonce[PARAMS_NONCE_LEN])
{
	if (RAND_bytes(nonce, PARAMS_NONCE_LEN) != 1) {
		memset(nonce, 0, PARAMS_NONCE_LEN);
		return SS_ERR_CRYPTO;
	}
	return SS_OK;
}

void
params_encode(const struct session_params *p, struct buf_writer *w)
{
	uint32_t i;

	/* The context string and its NUL: "secure-sum/v2 params\0". */
	buf_put(w, PARAMS_CONTEXT, sizeof(PARAMS_CONTEXT));
	buf_put_string(w, p->session_id);
	buf_put_u32(w, p->n);
	for (i = 0; i < p->n; i++)
		buf_put_string(w, p->parties[i]);
	buf_put_u32(w, p->t);
	buf_put_u32(w, p->length);
	buf_put_u32(w, p->decimals);
	buf_put_u32(w, p->min_cohort);
	buf_put_u64(w, p->deadline);
	buf_put(w, p->nonce, PARAMS_NONCE_LEN);
}

int
params_digest(const struct session_params *p, uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e)
{
	struct digest h;
	int rc;

	memset(d, 0, PARAMS_DIGEST_LEN);
	if ((rc = params_validate(p, e)) != SS_OK)
		return rc;
	/* Streamed into the hash: 65536 names need not sit in memory twice. */
	if ((rc = digest_begin(&h)) == SS_OK) {
		params_encode(p, &h.w);
		rc = digest_end(&h, d);
	}
	if (rc != SS_OK)
		return ss_error_set(e, rc, "cannot hash the parameters");
	return SS_OK;
}

int
params_digest_of(const char *session_id, const char (*parties)[NAME_BUF],
    uint32_t n, uint32_t t, uint32_t length, uint32_t decimals,
    uint32_t min_cohort, uint64_t deadline,
    const uint8_t nonce[PARAMS_NONCE_LEN], uint8_t d[PARAMS_DIGEST_LEN],
    struct ss_error *e)
{
	struct session_params p;
	const char **names;
	uint32_t i;
	int rc;

	memset(d, 0, PARAMS_DIGEST_LEN);
	memset(&p, 0, sizeof(p));
	/* A view: the names stay where they are, pointed to. */
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL)
		return ss_error_set(e, SS_ERR_ALLOC, "out of memory");
	for (i = 0; i < n; i++)
		names[i] = parties[i];
	p.session_id = session_id;
	p.parties = names;
	p.n = n;
	p.t = t;
	p.length = length;
	p.decimals = decimals;
	p.min_cohort = min_cohort;
	p.deadline = deadline;
	memcpy(p.nonce, nonce, PARAMS_NONCE_LEN);
	rc = params_digest(&p, d, e);
	free(names);
	return rc;
}
