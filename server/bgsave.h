/*
 * bgsave.h: the periodic snapshot written by a child process, as Redis's
 * BGSAVE. fork() hands the child the store as it is at that moment
 * (copy-on-write); the child writes, fsyncs and renames the snapshot while
 * the loop goes on serving, and says through a pipe why it failed, if it
 * did. The server decides when to start one and what to do with the
 * outcome (the journal's segments); this module runs and reaps the child.
 */
#ifndef SS_BGSAVE_H
#define SS_BGSAVE_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "store.h"

struct bgsave {
	pid_t pid;          /* the child writing a snapshot; 0: none */
	int fd;             /* its pipe: why it failed, if it did */
	uint64_t seq;       /* the last journal record its snapshot includes */
	uint64_t version;   /* the store's version it saves */
};

/* What an ended child did. */
struct bgsave_result {
	uint64_t seq;           /* what its snapshot holds (b's seq, version) */
	uint64_t version;
	struct ss_error err;    /* SS_OK: the snapshot is on disk; else why not */
};

/*
 * Forks a child that writes s to dir/snapshot.bin and exits. SS_ERR_IO
 * when no process could be started (e says why): the caller may then write
 * the snapshot itself.
 */
int bgsave_start(struct bgsave *b, const struct store *s, const char *dir,
    struct ss_error *e) SS_WUR;

/* Whether a child is writing a snapshot. */
int bgsave_running(const struct bgsave *b);

/*
 * Collects the child if it has ended, without waiting: 1 and *r what it
 * did, or 0 while it runs (or when none does, or one that is not ours to
 * wait for was forgotten, which is logged).
 */
int bgsave_reap(struct bgsave *b, struct bgsave_result *r) SS_WUR;

/* Ends the child at once, and waits for it: a newer snapshot supersedes it. */
void bgsave_kill(struct bgsave *b);

#endif
