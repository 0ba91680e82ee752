#!/usr/bin/env bash
# statelock.sh: one server per state folder (issue 12 point 1). A second
# mpc-server on the folder of a running one exits non-zero naming the
# holder's pid, and reads nothing: what the first acknowledged survives its
# restart. The lock outlives the snapshot's forked child, is not inherited
# across exec (O_CLOEXEC), and dies with its holder (a SIGKILL'd server
# leaves no stale lock). A leftover snapshot.bin.tmp is removed at start,
# after the lock is taken, with a log line.
source "$(dirname "$0")/lib.sh"

make_certs alice bob || exit 1
start_server --snapshot-interval 1 || exit 1
FIRST=$SERVER_PID
check "the first server acknowledges a create" \
    client alice create s1 --parties alice,bob --threshold 1 --length 1

# second SUFFIX: a second server on the same folder, in the foreground.
second() {
	timeout 10 "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" \
	    --state-dir "$T/state" >"$T/second$1.out" 2>"$T/second$1.err"
}
second 1; rc=$?
check_eq "a second server exits with status 1" "1" "$rc"
if grep -q "pid $FIRST" "$T/second1.err"; then ok "its message names the holder's pid ($FIRST)"
else not_ok "its message names the holder's pid ($FIRST)" "$(cat "$T/second1.err")"; fi
check_eq "it never listened" "" "$(cat "$T/second1.out")"
check_eq "the lock file holds the first server's pid" "$FIRST" "$(cat "$T/state/lock")"

# The snapshot child (--snapshot-interval 1) closes its copy of the
# descriptor on exit; the lock must stay with the parent.
check "a change after the refusal is acknowledged" client alice share s1 5
if wait_for test -s "$T/state/snapshot.bin"; then ok "a snapshot was written by the forked child"
else not_ok "a snapshot was written by the forked child"; fi
sleep 1.2
second 2; rc=$?
check_eq "after a snapshot child came and went, a second server is still refused" "1" "$rc"

lockfd=$(for f in /proc/"$FIRST"/fd/*; do
	[ "$(readlink "$f")" = "$T/state/lock" ] && basename "$f"; done)
flags=$(sed -n 's/^flags:[[:space:]]*//p' /proc/"$FIRST"/fdinfo/"$lockfd" 2>/dev/null)
check_eq "the lock's descriptor is close-on-exec" "1" \
    "$(( (8#${flags:-0} & 8#2000000) != 0 ))"

# The scenario of the issue: the first server restarts; nothing it
# acknowledged is gone.
stop_server
start_server || exit 1
check "bob shares in s1 after the restart" client bob share s1 7
sumpoints s1 alice bob
check_eq "s1's sum holds both acknowledged shares" "12" "$(client alice result s1 2>/dev/null)"

# A killed holder leaves the file but no lock: a new server starts. A
# snapshot writer killed mid-write leaves snapshot.bin.tmp: the next start
# removes it, once the folder is locked, with a log line.
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
head -c 4096 /dev/urandom >"$T/state/snapshot.bin.tmp"
start_server || exit 1
check_eq "after a SIGKILL the next server takes the lock" "$SERVER_PID" "$(cat "$T/state/lock")"
check_eq "the leftover snapshot.bin.tmp is gone" "no" \
    "$([ -e "$T/state/snapshot.bin.tmp" ] && echo yes || echo no)"
check_eq "one log line says so, with its size" "1" \
    "$(grep -c 'removed .*snapshot.bin.tmp (4096 bytes)' "$T/server.log")"
check_eq "the sum is still there" "12" "$(client alice result s1 2>/dev/null)"
stop_server
finish
