/*
 * test_fuzz_regressions.c: replays every input the fuzzers ever crashed on
 * (the files in tests/data/regressions/TARGET/), and every seed of their
 * corpora (fuzz/corpus/TARGET/), through the very entry points of the fuzz
 * targets: fuzz/harness.c is compiled into this test. An input that crashes
 * again, or breaks one of the harness's invariants, aborts this program,
 * which tests/run.sh reports as a failure.
 *
 * Run from the top of the repository (tests/run.sh does), or set
 * SS_SOURCE_ROOT to it.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../fuzz/harness.c"

static const char *
source_root(void)
{
	const char *r = getenv("SS_SOURCE_ROOT");

	return r != NULL ? r : ".";
}

/* Runs every file of DIR through t; returns how many there were. */
static int
replay_dir(const struct fuzz_target *t, const char *dir)
{
	char path[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		uint8_t *data;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    e->d_name) < sizeof(path));
		data = slurp(path, &len);
		t->run(data, len);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

static void
replay(void **state)
{
	const struct fuzz_target *t = *state;
	char dir[1024];
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/data/regressions/%s", source_root(), t->name);
	n = replay_dir(t, dir);
	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", source_root(), t->name);
	n += replay_dir(t, dir);
	/* The seeds at least must be there; else this tests nothing. */
	assert_true(n > 0);
}

/* One test per target, named for it. */
#define REPLAY(i) { fuzz_targets[i].name, replay, NULL, NULL, (void *)&fuzz_targets[i] }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		REPLAY(0), REPLAY(1), REPLAY(2), REPLAY(3), REPLAY(4), REPLAY(5),
		REPLAY(6), REPLAY(7), REPLAY(8), REPLAY(9), REPLAY(10),
		REPLAY(11), REPLAY(12), REPLAY(13),
	};

	_Static_assert(sizeof(tests) / sizeof(tests[0]) ==
	    sizeof(fuzz_targets) / sizeof(fuzz_targets[0]) - 1,
	    "one test per fuzz target");
	return cmocka_run_group_tests_name("regressions", tests, NULL, NULL);
}
