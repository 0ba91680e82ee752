/*
 * sum.c: a party of secure-sum in a few lines of C, over libsecuresum
 * (include/securesum.h). It creates a session, or runs a party's whole
 * part and prints the sum, or takes one step (share, sumpoint), or reads
 * the sum again:
 *
 *   sum SERVER CERTS PARTY create SESSION THRESHOLD A,B,C
 *   sum SERVER CERTS PARTY run SESSION INVITE VALUE...
 *   sum SERVER CERTS PARTY share SESSION INVITE VALUE...
 *   sum SERVER CERTS PARTY sumpoint SESSION INVITE
 *   sum SERVER CERTS PARTY result SESSION INVITE
 *
 * create prints the invite code; run and result print the sum (one
 * decimal string per element) and then whether it is verified; share and
 * sumpoint say "shared" and "posted". The
 * library's warnings and progress come through log() on stderr.
 * Build: make -C examples (pkg-config securesum), or see its Makefile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <securesum.h>

#define MAX_PARTIES 64
#define MAX_VALUES  64

static void
log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "sum: %s\n", line);
}

/* Prints why the call failed; exits 1. */
static void
fail(securesum *h, int r)
{
	fprintf(stderr, "sum: %s (%s)\n", securesum_message(h),
	    securesum_strerror(r));
	securesum_free(h);
	exit(1);
}

static int
create(securesum *h, char **argv)
{
	struct securesum_create_args a;
	struct securesum_created out;
	const char *parties[MAX_PARTIES];
	char *list = argv[2], *tok, *save = NULL;
	size_t n = 0;
	int r;

	for (tok = strtok_r(list, ",", &save); tok != NULL && n < MAX_PARTIES;
	    tok = strtok_r(NULL, ",", &save))
		parties[n++] = tok;
	memset(&a, 0, sizeof(a));
	a.session = argv[0];
	a.parties = parties;
	a.nparties = n;
	a.threshold = (unsigned)strtoul(argv[1], NULL, 10);
	if ((r = securesum_create(h, &a, &out)) < 0)
		fail(h, r);
	printf("%s\n", out.invite);
	return 0;
}

static void
print_sum(const struct securesum_sum *s)
{
	size_t i;

	for (i = 0; i < s->length; i++)
		printf("%s%s", i > 0 ? " " : "", s->text[i]);
	printf("\n%s (%zu sumpoints, quorum %u, cohort of %zu)\n",
	    s->verified ? "verified" : "UNVERIFIED", s->sumpoints, s->quorum,
	    s->ncohort);
}

/*
 * The values of argv[0..n) in the session's units, read with its decimals
 * (from its status). 0, 1 when the library failed (said), 2 for bad input.
 */
static int
read_values(securesum *h, const char *session, char **argv, size_t n,
    int64_t *values)
{
	struct securesum_status *st;
	size_t i;
	int r;

	if (n == 0 || n > MAX_VALUES) {
		fprintf(stderr, "sum: give 1 to %d values\n", MAX_VALUES);
		return 2;
	}
	if ((r = securesum_status(h, session, &st)) < 0)
		fail(h, r);
	for (i = 0; i < n; i++)
		if (securesum_parse_amount(argv[i], st->decimals,
		    &values[i]) < 0) {
			fprintf(stderr, "sum: '%s' is not a number with at most "
			    "%u decimals\n", argv[i], st->decimals);
			securesum_status_free(st);
			return 2;
		}
	securesum_status_free(st);
	return 0;
}

/* run or share: SESSION INVITE VALUE... */
static int
with_values(securesum *h, int argc, char **argv, int share)
{
	struct securesum_sum *sum;
	int64_t values[MAX_VALUES];
	size_t n = (size_t)argc - 2;
	int r;

	if ((r = read_values(h, argv[0], argv + 2, n, values)) != 0)
		return r;
	if (share) {
		if ((r = securesum_share(h, argv[0], argv[1], values, n, 0)) < 0)
			fail(h, r);
		printf("shared\n");
		return 0;
	}
	if ((r = securesum_run(h, argv[0], argv[1], values, n, 0, &sum)) < 0)
		fail(h, r);
	print_sum(sum);
	securesum_sum_free(sum);
	return 0;
}

static int
sumpoint(securesum *h, char **argv)
{
	int r;

	if ((r = securesum_sumpoint(h, argv[0], argv[1])) < 0)
		fail(h, r);
	printf("posted\n");
	return 0;
}

static int
result(securesum *h, char **argv)
{
	struct securesum_sum *sum;
	int r;

	if ((r = securesum_result(h, argv[0], argv[1], 0, &sum)) < 0)
		fail(h, r);
	print_sum(sum);
	securesum_sum_free(sum);
	return 0;
}

int
main(int argc, char **argv)
{
	securesum *h;
	int rc = 2, r;

	if (argc < 6) {
		fprintf(stderr, "usage: sum SERVER CERTS PARTY create SESSION "
		    "THRESHOLD A,B,C\n"
		    "       sum SERVER CERTS PARTY run|share SESSION INVITE "
		    "VALUE...\n"
		    "       sum SERVER CERTS PARTY sumpoint|result SESSION "
		    "INVITE\n(libsecuresum %s)\n", securesum_version());
		return 2;
	}
	if ((h = securesum_new()) == NULL)
		return 1;
	if ((r = securesum_set_server(h, argv[1])) < 0 ||
	    (r = securesum_set_certs(h, argv[2])) < 0 ||
	    (r = securesum_set_party(h, argv[3])) < 0 ||
	    (r = securesum_set_timeout(h, 60)) < 0)
		fail(h, r);
	securesum_set_log(h, log_line, NULL);
	if (strcmp(argv[4], "create") == 0 && argc == 8)
		rc = create(h, argv + 5);
	else if (strcmp(argv[4], "run") == 0 && argc >= 8)
		rc = with_values(h, argc - 5, argv + 5, 0);
	else if (strcmp(argv[4], "share") == 0 && argc >= 8)
		rc = with_values(h, argc - 5, argv + 5, 1);
	else if (strcmp(argv[4], "sumpoint") == 0 && argc == 7)
		rc = sumpoint(h, argv + 5);
	else if (strcmp(argv[4], "result") == 0 && argc == 7)
		rc = result(h, argv + 5);
	else
		fprintf(stderr, "sum: unknown command or wrong arguments: %s\n",
		    argv[4]);
	securesum_free(h);
	return rc;
}
