/*
 * test_server_journal.c: the journal replays every acknowledged change, cuts a
 * torn last record, refuses damage elsewhere, and refuses a change it cannot
 * write without changing anything; its segments replay in order, and a gap
 * or a torn tail before the newest is refused. Segments of versions 3
 * (big-endian) and 4 (before protocol version 2) replay to the same state,
 * and an upgrade goes on from them. A version-2 session (its statements,
 * conflicts and signing certificates) replays to the same state, alone or
 * after a snapshot. Synced records leave the page cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/sha.h>
#include <xxhash.h>

#include "buf.h"
#include "certs.h"
#include "err.h"
#include "field.h"
#include "files.h"
#include "filler.h"
#include "history.h"
#include "journal.h"
#include "journal_file.h"
#include "lifecycle.h"
#include "sealed.h"
#include "signers.h"
#include "snapshot.h"
#include "tempdir.h"

#define L 2
/* The first segment of a new journal, and the one a snapshot at 6 starts. */
#define SEG1 "journal.00000000000000000001.bin"
#define SEG7 "journal.00000000000000000007.bin"
#define MARK "journal.synced"

static char names[3][NAME_BUF] = { "alice", "bob", "carol" };
static enum journal_fsync policy = FSYNC_ALWAYS;        /* of open_store */
static int logged;
static char last_log[1024];     /* the text of the last line logged */

static void
count_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	logged++;
}

static int
exists(const char *dir, const char *name)
{
	char path[512];

	path_of(path, sizeof(path), dir, name);
	return access(path, F_OK) == 0;
}

/* A store loaded from dir (snapshot, then journal), with the journal attached. */
static struct store *
open_store(const char *dir, struct journal **j, int expect)
{
	struct store_limits lim;
	struct store_log log;
	struct store *s = NULL;
	struct ss_error err;
	int rc;

	store_default_limits(&lim);
	assert_int_equal(snapshot_load(dir, &lim, &s, &err), SS_OK);
	rc = journal_open(j, dir, s, policy, count_log, &err);
	assert_int_equal(rc, expect);
	if (rc != SS_OK) {
		store_free(s);
		return NULL;
	}
	log = journal_store_log(*j);
	store_set_log(s, &log);
	return s;
}

static void
close_store(struct store *s, struct journal *j)
{
	journal_close(j);
	store_free(s);
}

static int
submit(struct store *s, const char *sender, uint8_t fill, struct ss_error *st)
{
	struct submitted_share sh[3];
	uint8_t ct[3][64];
	int dup, i;

	for (i = 0; i < 3; i++) {
		memset(ct[i], fill + i, sizeof(ct[i]));
		sh[i].recipient = names[i];
		sh[i].ct = ct[i];
		sh[i].ct_len = sealed_len(L);
	}
	return store_submit(s, sender, "s1", sender, sh, 3, 1, &dup, st);
}

/* The parameters of alice, bob and carol's session id (t = 1, length L). */
static void
spec_of(struct session_spec *p, const char *id)
{
	memset(p, 0, sizeof(*p));
	/* alice's unless the id names another's namespace (PROTOCOL.md 2.1) */
	snprintf(p->id, sizeof(p->id), "%s%s", strchr(id, '/') ? "" : "alice/",
	    id);
	p->n = 3;
	p->parties = names;
	p->threshold = 1;
	p->length = L;
}

/* create, three submissions (cohort fixed), one sumpoint, one key */
static void
populate(struct store *s)
{
	struct session_spec p;
	struct ss_error st;
	uint64_t dl, v[L] = { 7, FIELD_P - 7 };
	uint8_t der[4] = { 1, 2, 3, 4 };
	int created, dup;

	spec_of(&p, "s1");
	p.deadline_seconds = 60;
	assert_int_equal(store_create(s, "alice", &p, 1000, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(s, "alice", 0x10, &st), SS_OK);
	assert_int_equal(submit(s, "bob", 0x20, &st), SS_OK);
	assert_int_equal(submit(s, "carol", 0x30, &st), SS_OK);
	assert_int_equal(store_post_sumpoint(s, "bob", "s1", "bob", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(store_put_key(s, "alice", der, sizeof(der), &dup, &st), SS_OK);
}

static void
assert_same(struct store *a, struct store *b)
{
	struct session *x = store_find(a, "alice/s1"), *y = store_find(b, "alice/s1");
	uint32_t i;

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(x->phase, y->phase);
	assert_int_equal(x->deadline_unix, y->deadline_unix);
	assert_int_equal(x->created_unix, y->created_unix);
	for (i = 0; i < 3; i++) {
		assert_int_equal(x->shares[i] != NULL, y->shares[i] != NULL);
		if (x->shares[i] != NULL)
			assert_memory_equal(x->shares[i], y->shares[i], 3 * x->ct_len);
		assert_int_equal(x->in_cohort[i], y->in_cohort[i]);
		assert_int_equal(x->sumpoints[i] != NULL, y->sumpoints[i] != NULL);
		if (x->sumpoints[i] != NULL)
			assert_memory_equal(x->sumpoints[i], y->sumpoints[i], 8 * L);
	}
	assert_int_equal(a->nkeys, b->nkeys);
	assert_int_equal(a->journal_seq, b->journal_seq);
	assert_int_equal(a->stored_bytes, b->stored_bytes);
}

static void
test_replay_without_snapshot(void **state)
{
	struct journal *j1, *j2;
	char *dir = tempdir();
	struct store *a, *b;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	populate(a);
	assert_int_equal(a->journal_seq, 6);
	assert_int_equal(journal_sync(j1), SS_OK);
	/* As after a crash: nothing but the journal. */
	b = open_store(dir, &j2, SS_OK);
	assert_same(a, b);
	assert_int_equal(store_find(b, "alice/s1")->phase, PHASE_AGGREGATING);
	close_store(a, j1);
	close_store(b, j2);
	rmdir_all(dir);
}

static void
test_snapshot_then_journal(void **state)
{
	struct journal *j1, *j2;
	char *dir = tempdir();
	struct ss_error err;
	struct store *a, *b;
	struct ss_error st;
	uint64_t v[L] = { 1, 2 };
	int dup;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	populate(a);
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(journal_start_segment(j1), SS_OK);
	assert_int_equal(journal_remove_segments(j1, a->journal_seq), SS_OK);
	assert_int_equal(journal_has_records(j1), 0);
	assert_false(exists(dir, SEG1));
	assert_true(exists(dir, "journal.00000000000000000007.bin"));
	assert_int_equal(store_post_sumpoint(a, "carol", "s1", "carol", v, L, 1, &dup, &st), SS_OK);
	b = open_store(dir, &j2, SS_OK);
	assert_same(a, b);
	assert_int_equal(b->journal_seq, 7);
	close_store(b, j2);
	/* A crash between the snapshot's rename and the removal: old records are skipped. */
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	b = open_store(dir, &j2, SS_OK);
	assert_same(a, b);
	close_store(a, j1);
	close_store(b, j2);
	rmdir_all(dir);
}

static off_t
file_size(const char *dir, const char *name)
{
	char path[512];
	struct stat sb;

	path_of(path, sizeof(path), dir, name);
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* The size of the first segment, the only one unless a test makes more. */
static off_t
journal_size(const char *dir)
{
	return file_size(dir, SEG1);
}

/* How many files dir holds. */
static int
count_files(const char *dir)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	/* journal.newest and journal.synced only name a segment: not counted. */
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -vx -e journal.newest -e journal.synced | wc -l",
	    dir);
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "%d", &n), 1);
	assert_int_equal(pclose(p), 0);
	return n;
}

/*
 * journal_open refuses dir's journal with expect, naming file, and changes
 * nothing (neither file's size nor the files there).
 */
static void
assert_refused_file(const char *dir, const char *file, int expect,
    const char *needle)
{
	struct store_limits lim;
	struct journal *j;
	struct store *s = NULL;
	struct ss_error err;
	off_t size = file_size(dir, file);
	int files = count_files(dir);

	store_default_limits(&lim);
	assert_int_equal(snapshot_load(dir, &lim, &s, &err), SS_OK);
	assert_int_equal(journal_open(&j, dir, s, FSYNC_ALWAYS, count_log, &err),
	    expect);
	assert_non_null(strstr(err.msg, file));
	assert_non_null(strstr(err.msg, needle));
	assert_int_equal(file_size(dir, file), size);   /* nothing cut */
	assert_int_equal(count_files(dir), files);
	store_free(s);
}

static void
assert_refused(const char *dir, int expect, const char *needle)
{
	assert_refused_file(dir, SEG1, expect, needle);
}

/*
 * A closed journal in a new dir with populate()'s 6 records, synced (the
 * mark past them, as after their answers) or not (the mark before them);
 * the path of its segment in path, its size returned.
 */
static off_t
populated_as(char *dir, char *path, size_t len, int synced)
{
	struct journal *j;
	struct store *a;
	off_t size;

	a = open_store(dir, &j, SS_OK);
	populate(a);
	if (synced)
		assert_int_equal(journal_sync(j), SS_OK);
	size = journal_size(dir);
	close_store(a, j);
	snprintf(path, len, "%s/%s", dir, SEG1);
	return size;
}

/* populated_as, unsynced, in a folder without a mark (an older server's). */
static off_t
populated(char *dir, char *path, size_t len)
{
	char mark[512];
	off_t size = populated_as(dir, path, len, 0);

	path_of(mark, sizeof(mark), dir, MARK);
	assert_int_equal(unlink(mark), 0);
	return size;
}

/* Opens dir, expecting one line logged that holds needle and seq records. */
static void
assert_cut(char *dir, const char *needle, uint64_t seq)
{
	struct journal *j;
	struct store *b;

	logged = 0;
	last_log[0] = '\0';
	b = open_store(dir, &j, SS_OK);
	assert_int_equal(logged, 1);
	assert_non_null(strstr(last_log, needle));
	assert_int_equal(b->journal_seq, seq);
	close_store(b, j);
}

/*
 * Without a mark: zeros after the last record (a power loss on a file
 * system that grew the file before its data were written) are cut off and
 * logged, not refused.
 */
static void
test_zero_filled_tail_is_cut(void **state)
{
	char *dir = tempdir(), path[512];
	static const uint8_t zeros[100];
	off_t before;
	FILE *f;

	(void)state;
	before = populated(dir, path, sizeof(path));
	assert_non_null(f = fopen(path, "ab"));
	assert_int_equal(fwrite(zeros, 1, sizeof(zeros), f), sizeof(zeros));
	assert_int_equal(fclose(f), 0);
	assert_cut(dir, "(100 bytes, zero bytes, no record", 6);
	assert_int_equal(journal_size(dir), before);
	rmdir_all(dir);
}

/*
 * Without a mark: a whole last record with a flipped byte is cut, but
 * never called unacknowledged: a synced and answered record could look the
 * same.
 */
static void
test_flipped_last_record_may_be_acknowledged(void **state)
{
	char *dir = tempdir(), path[512];
	off_t before;
	FILE *f;
	int c;

	(void)state;
	before = populated(dir, path, sizeof(path));
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseeko(f, before - 1, SEEK_SET), 0);
	assert_int_not_equal(c = fgetc(f), EOF);
	assert_int_equal(fseeko(f, before - 1, SEEK_SET), 0);
	assert_int_not_equal(fputc(c ^ 0x10, f), EOF);
	assert_int_equal(fclose(f), 0);
	assert_cut(dir, "MAY HAVE BEEN ACKNOWLEDGED", 5);
	assert_null(strstr(last_log, "no answer"));
	rmdir_all(dir);
}

static void
test_torn_last_record_is_cut(void **state)
{
	struct journal *j2;
	char *dir = tempdir(), path[512];
	struct store *b;
	off_t before, full;

	(void)state;
	before = populated(dir, path, sizeof(path));
	/* Cut the last record (the key) in half, as a crash mid-write would. */
	assert_int_equal(truncate(path, before - 5), 0);
	logged = 0;
	b = open_store(dir, &j2, SS_OK);
	assert_int_equal(logged, 1);
	assert_non_null(strstr(last_log, "1 record cut short"));
	assert_int_equal(b->journal_seq, 5);
	assert_int_equal(b->nkeys, 0);
	assert_non_null(store_find(b, "alice/s1")->sumpoints[1]);
	full = journal_size(dir);
	assert_true(full < before - 5);
	/* It appends after the cut, and the next start sees it all. */
	{
		uint8_t der[2] = { 9, 9 };
		struct ss_error st;
		int dup;

		assert_int_equal(store_put_key(b, "bob", der, 2, &dup, &st), SS_OK);
	}
	close_store(b, j2);
	logged = 0;
	b = open_store(dir, &j2, SS_OK);
	assert_int_equal(logged, 0);
	assert_int_equal(b->journal_seq, 6);
	assert_non_null(store_get_key(b, "bob"));
	close_store(b, j2);
	rmdir_all(dir);
}

static void
flip(const char *dir, off_t at)
{
	char path[512];
	uint8_t c;
	FILE *f;

	path_of(path, sizeof(path), dir, SEG1);
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, at, SEEK_SET), 0);
	assert_int_equal(fread(&c, 1, 1, f), 1);
	c ^= 0x40;
	assert_int_equal(fseek(f, at, SEEK_SET), 0);
	assert_int_equal(fwrite(&c, 1, 1, f), 1);
	fclose(f);
}

/* Without a mark, or with one past it, damage before the last record is refused. */
static void
test_damage_in_the_middle_is_refused(void **state)
{
	/* Offsets into the file: the first record's payload, and its length field. */
	static const off_t at[] = { 12 + 20 + 3, 12 + 1 };
	char path[512];
	size_t i;
	int synced;

	(void)state;
	for (synced = 0; synced <= 1; synced++) {
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			char *dir = tempdir();

			if (synced)
				(void)populated_as(dir, path, sizeof(path), 1);
			else
				(void)populated(dir, path, sizeof(path));
			flip(dir, at[i]);
			assert_refused(dir, SS_ERR_CHECKSUM, "offset 12");
			rmdir_all(dir);
		}
	}
}

static void write_file_named(const char *dir, const char *name,
    const uint8_t *d, size_t len);

/* Flips one byte of dir's first segment at offset at (from the end if negative). */
static void
flip_at(const char *dir, off_t at)
{
	flip(dir, at >= 0 ? at : journal_size(dir) + at);
}

/*
 * With a mark past the records (their answers could have gone): the last
 * record damaged, or the segment cut short of the mark, is refused with
 * what to do, and nothing is changed.
 */
static void
test_damage_before_the_mark_is_refused(void **state)
{
	char *dir = tempdir(), path[512];
	off_t size;

	(void)state;
	size = populated_as(dir, path, sizeof(path), 1);
	flip_at(dir, -1);
	assert_refused(dir, SS_ERR_CHECKSUM, "MAY HAVE BEEN ACKNOWLEDGED");
	assert_refused(dir, SS_ERR_CHECKSUM, "truncate -s");
	flip_at(dir, -1);
	/* The last record (the key: 20 + 22 bytes) gone whole: cut short of the mark. */
	assert_int_equal(truncate(path, size - 42), 0);
	assert_refused(dir, SS_ERR_CHECKSUM, "cut short");
	/* Zeros where the synced records were. */
	assert_int_equal(truncate(path, 12), 0);
	assert_int_equal(truncate(path, size), 0);
	assert_refused(dir, SS_ERR_CHECKSUM, "damaged at offset 12");
	/* Even its header cut short (what a crash while it was made leaves). */
	assert_int_equal(truncate(path, 5), 0);
	assert_refused(dir, SS_ERR_CHECKSUM, "cut short at offset 5");
	rmdir_all(dir);
}

/*
 * With a mark before them (nothing was synced for an answer), damage
 * anywhere in the records is cut from its start with a line that says that
 * none was acknowledged, how many bytes and records; appends go on.
 */
static void
test_damage_past_the_mark_is_cut(void **state)
{
	static const uint8_t zeros[100];
	char *dir = tempdir(), path[512], line[200];
	off_t size;
	FILE *f;

	(void)state;
	size = populated_as(dir, path, sizeof(path), 0);
	flip_at(dir, 12 + 20 + 3);
	snprintf(line, sizeof(line), "at offset 12 (%lld bytes, 6 records)",
	    (long long)(size - 12));
	assert_cut(dir, line, 0);
	assert_non_null(strstr(last_log, "NONE OF THEM WAS ACKNOWLEDGED"));
	assert_int_equal(journal_size(dir), 12);
	rmdir_all(dir);

	/* Zeros after synced records: cut, none of them a record. */
	dir = tempdir();
	size = populated_as(dir, path, sizeof(path), 1);
	assert_non_null(f = fopen(path, "ab"));
	assert_int_equal(fwrite(zeros, 1, sizeof(zeros), f), sizeof(zeros));
	assert_int_equal(fclose(f), 0);
	assert_cut(dir, "(100 bytes, 0 records: zero bytes only)", 6);
	assert_non_null(strstr(last_log, "NONE OF THEM WAS ACKNOWLEDGED"));
	assert_int_equal(journal_size(dir), size);
	rmdir_all(dir);
}

/*
 * The mark says under which --fsync policy it was written: with "no" or
 * "everysec", a tail cut past it may have been acknowledged, and the line
 * says so; a start never refuses it.
 */
static void
test_policy_is_said(void **state)
{
	static const struct {
		enum journal_fsync policy;
		const char *needle;
	} c[] = {
		{ FSYNC_NO, "with --fsync no nothing can be proven" },
		{ FSYNC_EVERYSEC, "with --fsync everysec answers do not wait" },
	};
	char path[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *dir = tempdir();

		policy = c[i].policy;
		(void)populated_as(dir, path, sizeof(path), 0);
		flip_at(dir, -1);
		assert_cut(dir, c[i].needle, 5);
		assert_non_null(strstr(last_log, "1 record)"));
		rmdir_all(dir);
	}
	policy = FSYNC_ALWAYS;
}

/* Overwrites n bytes of dir/MARK at off with 0xff. */
static void
spoil_mark(const char *dir, long off, size_t n)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path), dir, MARK);
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	while (n-- > 0)
		assert_int_not_equal(fputc(0xff, f), EOF);
	assert_int_equal(fclose(f), 0);
}

/*
 * A mark with one slot torn (a power loss while it was written) is read
 * from the other; with both damaged, or of another version, the start is
 * refused, naming it.
 */
static void
test_damaged_mark(void **state)
{
	char *dir = tempdir(), path[512];
	struct journal *j;
	struct store *b;

	(void)state;
	(void)populated_as(dir, path, sizeof(path), 1);
	/* The sync wrote generation 2, in the first slot; the second holds 1. */
	spoil_mark(dir, 16 + 8, 1);
	flip_at(dir, -1);
	/* Generation 1 is the mark at the open: before every record. */
	assert_cut(dir, "NONE OF THEM WAS ACKNOWLEDGED", 5);
	spoil_mark(dir, 16, 96);
	assert_refused_file(dir, MARK, SS_ERR_CHECKSUM, MARK " is damaged");
	spoil_mark(dir, 8, 1);
	assert_refused_file(dir, MARK, SS_ERR_VERSION, "unsupported version");
	/* Removed, the folder starts by the rules of before. */
	path_of(path, sizeof(path), dir, MARK);
	assert_int_equal(unlink(path), 0);
	b = open_store(dir, &j, SS_OK);
	assert_int_equal(b->journal_seq, 5);
	close_store(b, j);
	rmdir_all(dir);
}

/* Temporary files a killed writer left in the state folder go at start, logged. */
static void
test_leftover_temp_files_go(void **state)
{
	static const uint8_t junk[7] = "partial";
	char *dir = tempdir(), path[512];
	struct journal *j;
	struct store *b;

	(void)state;
	(void)populated_as(dir, path, sizeof(path), 1);
	write_file_named(dir, "journal.newest.tmp", junk, sizeof(junk));
	write_file_named(dir, MARK ".tmp", junk, sizeof(junk));
	logged = 0;
	b = open_store(dir, &j, SS_OK);
	assert_int_equal(logged, 2);
	assert_non_null(strstr(last_log, "left by a write that never finished"));
	assert_false(exists(dir, "journal.newest.tmp"));
	assert_false(exists(dir, MARK ".tmp"));
	assert_int_equal(b->journal_seq, 6);
	close_store(b, j);
	rmdir_all(dir);
}

/* Writes the whole file DIR/NAME. */
static void
write_file_named(const char *dir, const char *name, const uint8_t *d, size_t len)
{
	char path[512];

	path_of(path, sizeof(path), dir, name);
	write_file(path, d, len, 0600);
}

/* Writes the whole first segment. */
static void
write_journal(const char *dir, const uint8_t *d, size_t len)
{
	write_file_named(dir, SEG1, d, len);
}

enum sum_kind { SUM_XXH3, SUM_SHA256 };

/* Journal versions up to 3 are big-endian, later ones little-endian. */
static void
store32(uint8_t *p, uint32_t v, uint32_t version)
{
	buf_store_uint(p, 4, version <= 3, v);
}

static void
store64(uint8_t *p, uint64_t v, uint32_t version)
{
	buf_store_uint(p, 8, version <= 3, v);
}

/*
 * Appends a key record (name, 4-byte "certificate") with sequence seq to d
 * at *len in the format of version, built here byte by byte rather than by
 * the journal's writer, with the checksum of the format: XXH3-64 of seq
 * then the payload. SUM_SHA256 puts version 1's truncated SHA-256 in its
 * place instead.
 */
static void
craft_key_record(uint8_t *d, size_t *len, uint64_t seq, const char *name,
    uint8_t fill, enum sum_kind kind, uint32_t version)
{
	uint8_t *rec = d + *len, *payload = rec + 20, *p, h[32], whole[8 + 64];
	/* From version 5 on, a signing certificate (length 0: none) comes first. */
	size_t nl = strlen(name), sign = version >= 5 ? 4 : 0;
	size_t plen = 1 + 4 + nl + sign + 4 + 4;

	store32(rec, (uint32_t)plen, version);
	store64(rec + 4, seq, version);
	payload[0] = 5;   /* key */
	store32(payload + 1, (uint32_t)nl, version);
	memcpy(payload + 5, name, nl);
	p = payload + 5 + nl;
	if (sign > 0)
		store32(p, 0, version);
	store32(p + sign, 4, version);
	memset(p + sign + 4, fill, 4);
	/* seq || payload, contiguous, for the one-shot hashes. */
	assert_true(plen <= sizeof(whole) - 8);
	memcpy(whole, rec + 4, 8);
	memcpy(whole + 8, payload, plen);
	if (kind == SUM_XXH3) {
		store64(rec + 12, XXH3_64bits(whole, 8 + plen), version);
	} else {
		assert_non_null(SHA256(whole, 8 + plen, h));
		memcpy(rec + 12, h, 8);
	}
	*len += 20 + plen;
}

static size_t
journal_header(uint8_t *d, uint32_t version)
{
	memcpy(d, "SSUMJRNL", 8);
	store32(d + 8, version, version);
	return 12;
}

/*
 * Records crafted outside the journal's writer replay only with the right
 * checksum: the old SHA-256 one, or a changed byte of a record that would
 * still apply, is damage and refused (this fails if checksums were ignored).
 * So in both versions read: 3, big-endian, and this one.
 */
static void
test_record_checksum_is_xxh3(void **state)
{
	static const struct { enum sum_kind kind; int flip; uint32_t v; } cases[] = {
		{ SUM_XXH3, 0, JOURNAL_VERSION },
		{ SUM_SHA256, 0, JOURNAL_VERSION },
		{ SUM_XXH3, 1, JOURNAL_VERSION },
		{ SUM_XXH3, 0, 3 },
		{ SUM_SHA256, 0, 3 },
		{ SUM_XXH3, 1, 3 },
	};
	struct journal *j;
	struct store *s;
	uint8_t d[256];
	size_t i, len;
	char *dir;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dir = tempdir();
		len = journal_header(d, cases[i].v);
		craft_key_record(d, &len, 1, "dave", 0x11, cases[i].kind, cases[i].v);
		if (cases[i].flip)
			d[len - 1] ^= 0x01;   /* the certificate's last byte */
		craft_key_record(d, &len, 2, "erin", 0x22, SUM_XXH3, cases[i].v);
		write_journal(dir, d, len);
		if (cases[i].kind == SUM_XXH3 && !cases[i].flip) {
			s = open_store(dir, &j, SS_OK);
			assert_int_equal(s->journal_seq, 2);
			assert_non_null(store_get_key(s, "dave"));
			assert_non_null(store_get_key(s, "erin"));
			close_store(s, j);
			assert_int_equal(journal_size(dir), (off_t)len);
		} else {
			assert_refused(dir, SS_ERR_CHECKSUM, "offset 12");
		}
		rmdir_all(dir);
	}
}

/*
 * A version-1 journal.bin (SHA-256 checksums) with a record is refused by
 * name, never misread; one as a clean stop leaves it (header only) is read
 * as holding nothing and left for the next snapshot to remove, so an upgrade
 * does not stop at it.
 */
static void
test_old_version_is_refused(void **state)
{
	uint8_t d[256], now[256];
	struct journal *j;
	struct store *s;
	size_t len;
	char *dir;

	(void)state;
	dir = tempdir();
	len = journal_header(d, 1);
	craft_key_record(d, &len, 1, "dave", 0x11, SUM_SHA256, 1);
	write_file_named(dir, JOURNAL_FILE, d, len);
	assert_refused_file(dir, JOURNAL_FILE, SS_ERR_VERSION, "version (1;");
	rmdir_all(dir);

	dir = tempdir();
	len = journal_header(d, 1);
	write_file_named(dir, JOURNAL_FILE, d, len);
	logged = 0;
	s = open_store(dir, &j, SS_OK);
	assert_non_null(s);
	assert_int_equal(logged, 1);
	assert_int_equal(journal_has_records(j), 1);   /* journal.bin is to go */
	assert_int_equal(file_size(dir, JOURNAL_FILE), 12);
	{
		char path[512];
		uint8_t got[64];
		FILE *f;

		/* Appends go to a new segment of this version. */
		snprintf(path, sizeof(path), "%s/%s", dir, SEG1);
		assert_non_null(f = fopen(path, "rb"));
		len = fread(got, 1, sizeof(got), f);
		fclose(f);
		assert_int_equal(len, journal_header(now, JOURNAL_VERSION));
		assert_memory_equal(got, now, len);
	}
	assert_int_equal(journal_remove_segments(j, 0), SS_OK);
	assert_int_equal(journal_has_records(j), 0);
	assert_int_equal(count_files(dir), 1);
	journal_close(j);
	store_free(s);
	rmdir_all(dir);
}

static void
test_unwritable_journal_changes_nothing(void **state)
{
	struct journal *j1, *j2;
	char *dir = tempdir();
	struct store *a, *b;
	struct rlimit old, small;
	struct ss_error st;
	uint64_t v[L] = { 3, 4 };
	off_t size;
	int dup;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	populate(a);
	size = journal_size(dir);
	/* A file-size limit at the current size: the next append fails (EFBIG). */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = (rlim_t)size + 10;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(store_post_sumpoint(a, "carol", "s1", "carol", v, L, 1, &dup, &st),
	    SS_ERR_UNAVAILABLE);
	assert_non_null(strstr(st.msg, "journal"));
	assert_null(store_find(a, "alice/s1")->sumpoints[2]);
	assert_int_equal(journal_size(dir), size);   /* the partial record was removed */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	/* Space is back: the same call succeeds, and survives a restart. */
	assert_int_equal(store_post_sumpoint(a, "carol", "s1", "carol", v, L, 1, &dup, &st), SS_OK);
	assert_false(dup);
	b = open_store(dir, &j2, SS_OK);
	assert_same(a, b);
	close_store(a, j1);
	close_store(b, j2);
	rmdir_all(dir);
}

static void
test_deadline_close_is_journalled(void **state)
{
	struct session_spec p;
	struct journal *j1, *j2;
	char *dir = tempdir();
	struct store *a, *b;
	struct ss_error st;
	uint64_t dl;
	int created;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "alice/s1");
	p.n = 3;
	p.parties = names;
	p.threshold = 1;
	p.length = L;
	p.deadline_seconds = 5;
	assert_int_equal(store_create(a, "alice", &p, 100, &created, &dl, &st), SS_OK);
	assert_int_equal(submit(a, "alice", 1, &st), SS_OK);
	assert_int_equal(submit(a, "bob", 2, &st), SS_OK);
	store_tick(a, 105);
	assert_int_equal(store_find(a, "alice/s1")->phase, PHASE_AGGREGATING);
	b = open_store(dir, &j2, SS_OK);
	assert_same(a, b);
	close_store(a, j1);
	close_store(b, j2);
	rmdir_all(dir);
}

/*
 * The sync thread: a request returns at once, and notify_fd reports the
 * fdatasync that covered it; a blocking sync and a rotation go through the
 * running thread; closing joins it; everything replays.
 */
static void
test_sync_thread(void **state)
{
	struct journal *j1, *j2;
	char *dir = tempdir(), path[512];
	FILE *f;
	int c;
	struct ss_error err;
	struct store *a, *b;
	struct pollfd pfd;
	struct ss_error st;
	uint64_t v[L] = { 5, 6 };
	int dup, i;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	assert_int_equal(journal_sync_thread_start(j1, &err), SS_OK);
	populate(a);
	assert_int_equal(journal_written_seq(j1), 6);
	journal_sync_request(j1);
	pfd.fd = journal_notify_fd(j1);
	pfd.events = POLLIN;
	for (i = 0; i < 100 && journal_synced_seq(j1) != journal_written_seq(j1); i++) {
		assert_int_equal(poll(&pfd, 1, 10000), 1);   /* not a timeout */
		assert_int_equal(journal_sync_poll(j1), SS_OK);
	}
	assert_int_equal(journal_synced_seq(j1), 6);
	/* Nothing new: no request reaches the thread, nothing to report. */
	journal_sync_request(j1);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(store_post_sumpoint(a, "carol", "s1", "carol", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(journal_sync(j1), SS_OK);
	assert_int_equal(journal_synced_seq(j1), 7);
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	/* A new segment while the thread runs: it syncs that one from then on. */
	assert_int_equal(journal_start_segment(j1), SS_OK);
	assert_int_equal(journal_remove_segments(j1, a->journal_seq), SS_OK);
	assert_int_equal(journal_has_records(j1), 0);
	assert_int_equal(store_post_sumpoint(a, "alice", "s1", "alice", v, L, 1, &dup, &st), SS_OK);
	assert_int_equal(journal_sync(j1), SS_OK);
	assert_int_equal(journal_synced_seq(j1), 8);
	close_store(a, j1);
	b = open_store(dir, &j2, SS_OK);
	assert_int_equal(b->journal_seq, 8);
	assert_non_null(store_find(b, "alice/s1")->sumpoints[2]);
	assert_non_null(store_find(b, "alice/s1")->sumpoints[0]);
	close_store(b, j2);
	/* The thread's mark covers record 8, in the new segment: its damage is refused. */
	path_of(path, sizeof(path), dir, "journal.00000000000000000008.bin");
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	assert_int_not_equal(c = fgetc(f), EOF);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	assert_int_not_equal(fputc(c ^ 0x5a, f), EOF);
	assert_int_equal(fclose(f), 0);
	assert_refused_file(dir, "journal.00000000000000000008.bin",
	    SS_ERR_CHECKSUM, "MAY HAVE BEEN ACKNOWLEDGED");
	rmdir_all(dir);
}

/*
 * Once the sync thread has made records durable, their pages leave the page
 * cache (only a start reads them), but for the one the next records go on
 * in; what was dropped replays whole.
 */
static void
test_synced_pages_leave_the_cache(void **state)
{
	struct journal *j1, *j2;
	char *dir = tempdir(), path[512];
	const char *why;
	struct ss_error err;
	struct store *a, *b;
	int i;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	assert_int_equal(journal_sync_thread_start(j1, &err), SS_OK);
	path_of(path, sizeof(path), dir, SEG1);
	if ((why = page_cache_unseen(dir)) != NULL)
		print_message("# the page cache is not checked: %s\n", why);
	for (i = 0; i < 64; i += 32) {
		/* Written, not yet synced: the pages are cached. */
		fill_keys(a, i, 32);
		assert_true(why != NULL || cached_pages(path) >= 15);
		assert_int_equal(journal_sync(j1), SS_OK);
		/* The second time from the page the first sync kept. */
		assert_true(why != NULL || cached_pages(path) <= 1);
	}
	close_store(a, j1);
	b = open_store(dir, &j2, SS_OK);
	assert_int_equal(b->nkeys, 64);
	assert_int_equal(b->journal_seq, 64);
	close_store(b, j2);
	rmdir_all(dir);
}

/*
 * Records 1-6 in the first segment, 7 in a second, as a snapshot started at
 * 6 leaves them; the snapshot itself is written only when with_snapshot.
 */
static struct store *
two_segments(const char *dir, struct journal **j, int with_snapshot)
{
	struct store *a;
	struct ss_error st;
	uint64_t v[L] = { 1, 2 };
	struct ss_error err;
	int dup;

	a = open_store(dir, j, SS_OK);
	populate(a);
	assert_int_equal(journal_sync(*j), SS_OK);
	assert_int_equal(journal_start_segment(*j), SS_OK);
	/* Nothing written since: the new segment is kept, not made again. */
	assert_int_equal(journal_start_segment(*j), SS_OK);
	if (with_snapshot)
		assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(store_post_sumpoint(a, "carol", "s1", "carol", v, L, 1, &dup, &st), SS_OK);
	assert_true(exists(dir, SEG1));
	assert_true(exists(dir, SEG7));
	assert_int_equal(count_files(dir), with_snapshot ? 3 : 2);
	return a;
}

/*
 * Segments replay in order, with or without a snapshot of the first; one
 * whose records the snapshot holds goes only with journal_remove_segments,
 * and the start after needs nothing else.
 */
static void
test_segments_replay_in_order(void **state)
{
	struct journal *j1, *j2;
	struct store *a, *b;
	int snap;

	(void)state;
	for (snap = 0; snap <= 1; snap++) {
		char *dir = tempdir();

		a = two_segments(dir, &j1, snap);
		assert_int_equal(journal_has_records(j1), 1);
		b = open_store(dir, &j2, SS_OK);
		assert_same(a, b);
		assert_int_equal(b->journal_seq, 7);
		/* The newest continues: appends go on in it. */
		assert_string_equal(strrchr(journal_path(j2), '/') + 1, SEG7);
		close_store(b, j2);
		/* Without a snapshot holding records 1-6, nothing may go. */
		assert_int_equal(journal_remove_segments(j1, snap ? 6 : 0), SS_OK);
		assert_int_equal(exists(dir, SEG1), !snap);
		assert_int_equal(journal_has_records(j1), 1);   /* record 7 */
		b = open_store(dir, &j2, SS_OK);
		assert_same(a, b);
		close_store(b, j2);
		close_store(a, j1);
		rmdir_all(dir);
	}
}

/* A missing segment, or one whose records do not start at its name, is refused. */
static void
test_segment_gap_is_refused(void **state)
{
	char *dir = tempdir(), from[512], to[512];
	struct journal *j1;
	struct store *a;

	(void)state;
	a = two_segments(dir, &j1, 0);
	close_store(a, j1);
	/* Named as starting at 5 or 8: record 7 is not what its name says. */
	snprintf(from, sizeof(from), "%s/%s", dir, SEG7);
	snprintf(to, sizeof(to), "%s/journal.00000000000000000005.bin", dir);
	assert_int_equal(rename(from, to), 0);
	assert_refused_file(dir, "journal.00000000000000000005.bin", SS_ERR_INVALID,
	    "has sequence 7, expected 5");
	snprintf(to, sizeof(to), "%s/journal.00000000000000000008.bin", dir);
	snprintf(from, sizeof(from), "%s/journal.00000000000000000005.bin", dir);
	assert_int_equal(rename(from, to), 0);
	assert_refused_file(dir, "journal.00000000000000000008.bin", SS_ERR_INVALID,
	    "missing");
	snprintf(from, sizeof(from), "%s/%s", dir, SEG7);
	assert_int_equal(rename(to, from), 0);
	/* The first segment gone: records 1-6 are missing. */
	snprintf(from, sizeof(from), "%s/%s", dir, SEG1);
	assert_int_equal(unlink(from), 0);
	assert_refused_file(dir, SEG7, SS_ERR_INVALID, "missing");
	rmdir_all(dir);
}

/* A new dir holding two_segments()'s journal, closed. */
static char *
closed_two_segments(void)
{
	char *dir = tempdir();
	struct journal *j;
	struct store *a;

	a = two_segments(dir, &j, 0);
	close_store(a, j);
	return dir;
}

/*
 * The newest segment deleted is refused, naming it, though the segments
 * left run on without a gap; a folder without journal.newest (an older
 * server's) starts as it did.
 */
static void
test_deleted_newest_segment_is_refused(void **state)
{
	char *dir = closed_two_segments(), path[512];
	struct journal *j1;
	struct store *a;

	(void)state;
	path_of(path, sizeof(path), dir, SEG7);
	assert_int_equal(unlink(path), 0);
	assert_refused_file(dir, "journal.newest", SS_ERR_INVALID,
	    SEG7 " is missing");
	/* Damaged, it is refused too: it cannot say what is missing. */
	path_of(path, sizeof(path), dir, "journal.newest");
	assert_int_equal(truncate(path, 5), 0);
	assert_refused_file(dir, "journal.newest", SS_ERR_INVALID, "damaged");
	assert_int_equal(unlink(path), 0);
	a = open_store(dir, &j1, SS_OK);
	assert_int_equal(a->journal_seq, 6);
	close_store(a, j1);
	rmdir_all(dir);
}

/*
 * A torn tail is cut only in the newest segment: in an older one it is
 * damage (the records after it are in the next segment), refused by name.
 */
static void
test_torn_older_segment_is_refused(void **state)
{
	char *dir = closed_two_segments(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, SEG1);
	assert_int_equal(truncate(path, file_size(dir, SEG1) - 5), 0);
	assert_refused_file(dir, SEG1, SS_ERR_CHECKSUM, "not the newest");
	rmdir_all(dir);
}

/*
 * An upgrade: the journal.bin of a server before segments is replayed first,
 * appends go to a new segment after its records, and it goes with the next
 * snapshot's removal.
 */
static void
test_journal_bin_is_the_oldest_segment(void **state)
{
	char *dir = tempdir();
	struct ss_error err;
	struct journal *j;
	struct store *s;
	struct ss_error st;
	uint8_t d[256], der[2] = { 7, 7 };
	size_t len;
	int dup;

	(void)state;
	len = journal_header(d, JOURNAL_VERSION);
	craft_key_record(d, &len, 1, "dave", 0x11, SUM_XXH3, JOURNAL_VERSION);
	craft_key_record(d, &len, 2, "erin", 0x22, SUM_XXH3, JOURNAL_VERSION);
	write_file_named(dir, JOURNAL_FILE, d, len);
	s = open_store(dir, &j, SS_OK);
	assert_int_equal(s->journal_seq, 2);
	assert_true(exists(dir, "journal.00000000000000000003.bin"));
	assert_int_equal(store_put_key(s, "frank", der, 2, &dup, &st), SS_OK);
	close_store(s, j);
	assert_int_equal(file_size(dir, JOURNAL_FILE), (off_t)len);   /* not appended to */
	s = open_store(dir, &j, SS_OK);
	assert_int_equal(s->journal_seq, 3);
	assert_non_null(store_get_key(s, "dave"));
	assert_non_null(store_get_key(s, "frank"));
	assert_int_equal(snapshot_write(s, dir, &err), SS_OK);
	assert_int_equal(journal_start_segment(j), SS_OK);
	assert_int_equal(journal_remove_segments(j, s->journal_seq), SS_OK);
	assert_false(exists(dir, JOURNAL_FILE));
	assert_false(exists(dir, "journal.00000000000000000003.bin"));
	assert_true(exists(dir, "journal.00000000000000000004.bin"));
	close_store(s, j);
	s = open_store(dir, &j, SS_OK);
	assert_int_equal(s->journal_seq, 3);
	assert_non_null(store_get_key(s, "erin"));
	close_store(s, j);
	rmdir_all(dir);
}

/* Whether a and b have the very same snapshot. */
static void
assert_same_snapshot(const struct store *a, const struct store *b)
{
	char pa[512], pb[512], *da = tempdir(), *db = tempdir();
	struct ss_error err;
	uint8_t *x, *y;
	size_t xlen, ylen;

	assert_int_equal(snapshot_write(a, da, &err), SS_OK);
	assert_int_equal(snapshot_write(b, db, &err), SS_OK);
	path_of(pa, sizeof(pa), da, SNAPSHOT_FILE);
	path_of(pb, sizeof(pb), db, SNAPSHOT_FILE);
	assert_int_equal(slurp(pa, &x, &xlen), 0);
	assert_int_equal(slurp(pb, &y, &ylen), 0);
	assert_int_equal(xlen, ylen);
	assert_memory_equal(x, y, xlen);
	free(x);
	free(y);
	rmdir_all(da);
	rmdir_all(db);
}

/* The changes of history_run on a store without a journal, as if journalled. */
static struct store *
history_store(void)
{
	struct store_limits lim;
	struct store *s;

	store_default_limits(&lim);
	assert_non_null(s = store_new(&lim));
	history_run(s);
	history_forget_creators(s);     /* as the older files it is compared with */
	s->journal_seq = HISTORY_CHANGES;
	return s;
}

/* The format version in dir/name's header, read as the journal does. */
static uint32_t
header_version(const char *dir, const char *name)
{
	char path[512];
	uint8_t *d;
	size_t len;
	uint32_t v;

	path_of(path, sizeof(path), dir, name);
	assert_int_equal(slurp(path, &d, &len), 0);
	assert_true(len >= JOURNAL_FILE_HEADER);
	v = journal_file_version(d);
	free(d);
	return v;
}

/*
 * A segment of an older version (tests/data/migration: version 3,
 * big-endian but for the sumpoint values; version 4, little-endian, before
 * protocol version 2), written by the server of that version after the
 * changes of history_run, replays to the very state the same changes make
 * now. It is never appended to: records go to a new segment of this
 * version, the next start reads both, and the next snapshot lets it go.
 */
static void
older_version_is_replayed(const char *file, uint32_t version)
{
	static const char seg18[] = "journal.00000000000000000018.bin";
	struct store *live = history_store(), *b;
	uint8_t der[2] = { 4, 4 };
	struct journal *j;
	struct ss_error st;
	struct ss_error err;
	char *dir = tempdir();
	off_t size;
	int dup;

	copy_into(".", file, dir, SEG1, 0600);
	size = file_size(dir, SEG1);
	assert_int_equal(header_version(dir, SEG1), version);
	b = open_store(dir, &j, SS_OK);
	assert_int_equal(b->journal_seq, HISTORY_CHANGES);
	assert_same_snapshot(live, b);
	assert_int_equal(header_version(dir, seg18), JOURNAL_VERSION);
	assert_int_equal(store_put_key(b, "bob", der, 2, &dup, &st), SS_OK);
	assert_int_equal(store_put_key(live, "bob", der, 2, &dup, &st), SS_OK);
	live->journal_seq++;
	close_store(b, j);
	assert_int_equal(file_size(dir, SEG1), size);
	b = open_store(dir, &j, SS_OK);
	assert_same_snapshot(live, b);
	assert_int_equal(snapshot_write(b, dir, &err), SS_OK);
	assert_int_equal(journal_start_segment(j), SS_OK);
	assert_int_equal(journal_remove_segments(j, b->journal_seq), SS_OK);
	assert_false(exists(dir, SEG1));
	assert_int_equal(count_files(dir), 2);  /* the snapshot and segment 19 */
	close_store(b, j);
	b = open_store(dir, &j, SS_OK);
	assert_same_snapshot(live, b);
	close_store(b, j);
	store_free(live);
	rmdir_all(dir);
}

static void
test_version_3_is_replayed(void **state)
{
	(void)state;
	older_version_is_replayed(HISTORY_JOURNAL_V3, 3);
}

static void
test_version_4_is_replayed(void **state)
{
	(void)state;
	older_version_is_replayed(HISTORY_JOURNAL_V4, 4);
}

/* Version 5: before sessions' creators and delete records. */
static void
test_version_5_is_replayed(void **state)
{
	(void)state;
	older_version_is_replayed(HISTORY_JOURNAL_V5, 5);
}

/*
 * An upgrade after a clean stop of the previous server: its version-1
 * snapshot, and the version-3 segment it started for the next record,
 * holding none. The segment becomes one of this version, and records go on
 * in it.
 */
static void
test_clean_stop_upgrade(void **state)
{
	static const char seg18[] = "journal.00000000000000000018.bin";
	struct store *live = history_store(), *b;
	uint8_t d[JOURNAL_FILE_HEADER], der[2] = { 5, 5 };
	struct journal *j;
	struct ss_error st;
	char *dir = tempdir();
	int dup;

	(void)state;
	copy_into(".", HISTORY_SNAPSHOT_V1, dir, SNAPSHOT_FILE, 0600);
	write_file_named(dir, seg18, d, journal_header(d, 3));
	b = open_store(dir, &j, SS_OK);
	assert_same_snapshot(live, b);
	assert_int_equal(count_files(dir), 2);  /* no segment was added */
	assert_int_equal(header_version(dir, seg18), JOURNAL_VERSION);
	assert_int_equal(file_size(dir, seg18), JOURNAL_FILE_HEADER);
	assert_int_equal(store_put_key(b, "bob", der, 2, &dup, &st), SS_OK);
	assert_int_equal(store_put_key(live, "bob", der, 2, &dup, &st), SS_OK);
	live->journal_seq++;
	close_store(b, j);
	assert_true(file_size(dir, seg18) > JOURNAL_FILE_HEADER);
	b = open_store(dir, &j, SS_OK);
	assert_same_snapshot(live, b);
	close_store(b, j);
	store_free(live);
	rmdir_all(dir);
}

/* ---- deletion (issue 12) --------------------------------------------------- */

/*
 * A deletion and an expiry are journalled before they are made: a restart
 * (the journal alone, or a snapshot taken before them and the records
 * after) does not bring the sessions back, and the creator survives too.
 */
static void
test_delete_replay(void **state)
{
	struct session_spec p;
	struct journal *j;
	struct ss_error st;
	char *dir = tempdir();
	struct store *s;
	uint64_t dl, released;
	int created;

	(void)state;
	s = open_store(dir, &j, SS_OK);
	populate(s);                            /* s1 by alice: records 1-6 */
	spec_of(&p, "carol/s2");
	assert_int_equal(store_create(s, "carol", &p, 1000, &created, &dl,
	    &st), SS_OK);                       /* record 7 */
	assert_int_equal(snapshot_write(s, dir, &st), SS_OK);
	assert_int_equal(journal_start_segment(j), SS_OK);
	assert_int_equal(lifecycle_delete(s, "alice", "s1", 1001, &released,
	    &st), SS_OK);
	assert_true(released > 0);
	assert_int_equal(s->journal_seq, 8);
	assert_int_equal(journal_sync(j), SS_OK);
	close_store(s, j);
	/* The snapshot holds s1; the delete record after it drops it. */
	s = open_store(dir, &j, SS_OK);
	assert_null(store_find(s, "alice/s1"));
	assert_non_null(store_find(s, "carol/s2"));
	assert_string_equal(store_find(s, "carol/s2")->creator, "carol");
	assert_int_equal(s->journal_seq, 8);
	/* An expiry is journalled the same way. */
	s->lim.session_ttl = 10;
	store_tick(s, 5000);                    /* the start: idle from here */
	assert_non_null(store_find(s, "carol/s2"));
	store_tick(s, 5010);
	assert_null(store_find(s, "carol/s2"));
	assert_int_equal(s->journal_seq, 9);
	assert_int_equal(journal_sync(j), SS_OK);
	close_store(s, j);
	s = open_store(dir, &j, SS_OK);
	assert_int_equal(s->nsessions, 0);
	/* The id may be used again, and that survives a restart too. */
	assert_int_equal(store_create(s, "carol", &p, 6000, &created, &dl, &st),
	    SS_OK);
	assert_int_equal(journal_sync(j), SS_OK);
	close_store(s, j);
	s = open_store(dir, &j, SS_OK);
	assert_string_equal(store_find(s, "carol/s2")->creator, "carol");
	assert_int_equal(store_find(s, "carol/s2")->created_unix, 6000);
	close_store(s, j);
	rmdir_all(dir);
}

/* ---- version 2 ------------------------------------------------------------ */

/*
 * Every change of a version-2 session is journalled with what it carries:
 * the journal alone (as after a crash) replays to the very state, and so
 * do a snapshot and the records after it.
 */
static void
test_v2_replay(void **state)
{
	uint8_t submits[STATEMENT_HASH_LEN], cdig[STATEMENT_HASH_LEN];
	uint64_t values[2] = { 9, 10 };
	struct store_signed by = { NULL, NULL };
	struct journal *j1, *j2;
	struct signed_stmt sp;
	struct statement_in in;
	struct session *se;
	struct ss_error err;
	char *dir = tempdir();
	struct store *a, *b;
	int dup;

	(void)state;
	a = open_store(dir, &j1, SS_OK);
	assert_int_equal(signers_history(a, signers), 12);
	assert_int_equal(a->journal_seq, 12);
	assert_int_equal(journal_sync(j1), SS_OK);
	b = open_store(dir, &j2, SS_OK);
	assert_same_snapshot(a, b);
	close_store(b, j2);
	assert_int_equal(snapshot_write(a, dir, &err), SS_OK);
	assert_int_equal(journal_start_segment(j1), SS_OK);
	assert_int_equal(journal_remove_segments(j1, a->journal_seq), SS_OK);
	/* bob's sumpoint after the snapshot: record 13, in the new segment. */
	se = store_find(a, SIGNERS_SESSION);
	signers_cohort_digests(se, submits, cdig);
	signers_sumpoint(&signers[1], se->digest, cdig, 2, values, 2, &sp);
	in = signed_stmt_in(&sp);
	by.cert = signers[1].cert;
	by.stmt = &in;
	assert_int_equal(store_post_sumpoint_signed(a, "bob", SIGNERS_SESSION,
	    "bob", values, 2, NULL, 1100, &by, &dup, &err), SS_OK);
	assert_int_equal(se->phase, PHASE_COMPLETE);
	assert_int_equal(journal_sync(j1), SS_OK);
	b = open_store(dir, &j2, SS_OK);
	assert_int_equal(b->journal_seq, 13);
	assert_same_snapshot(a, b);
	signed_stmt_free(&sp);
	close_store(a, j1);
	close_store(b, j2);
	rmdir_all(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_without_snapshot),
		cmocka_unit_test(test_snapshot_then_journal),
		cmocka_unit_test(test_torn_last_record_is_cut),
		cmocka_unit_test(test_zero_filled_tail_is_cut),
		cmocka_unit_test(test_flipped_last_record_may_be_acknowledged),
		cmocka_unit_test(test_damage_in_the_middle_is_refused),
		cmocka_unit_test(test_damage_before_the_mark_is_refused),
		cmocka_unit_test(test_damage_past_the_mark_is_cut),
		cmocka_unit_test(test_policy_is_said),
		cmocka_unit_test(test_damaged_mark),
		cmocka_unit_test(test_leftover_temp_files_go),
		cmocka_unit_test(test_record_checksum_is_xxh3),
		cmocka_unit_test(test_old_version_is_refused),
		cmocka_unit_test(test_unwritable_journal_changes_nothing),
		cmocka_unit_test(test_deadline_close_is_journalled),
		cmocka_unit_test(test_sync_thread),
		cmocka_unit_test(test_synced_pages_leave_the_cache),
		cmocka_unit_test(test_segments_replay_in_order),
		cmocka_unit_test(test_segment_gap_is_refused),
		cmocka_unit_test(test_torn_older_segment_is_refused),
		cmocka_unit_test(test_deleted_newest_segment_is_refused),
		cmocka_unit_test(test_journal_bin_is_the_oldest_segment),
		cmocka_unit_test(test_version_3_is_replayed),
		cmocka_unit_test(test_version_4_is_replayed),
		cmocka_unit_test(test_version_5_is_replayed),
		cmocka_unit_test(test_clean_stop_upgrade),
		cmocka_unit_test(test_v2_replay),
		cmocka_unit_test(test_delete_replay),
	};

	return cmocka_run_group_tests(tests, signers_setup, signers_teardown);
}
