#!/usr/bin/env bash
# backup.sh: scripts/backup-state.sh copies a running server's state folder
# (docs/OPERATIONS.md). A client keeps creating sessions, each recorded once
# acknowledged, while snapshots run every 2 seconds; a copy is taken meanwhile;
# a second server started on the copy holds every session acknowledged
# before the copy began. The copy refuses an existing destination.
source "$(dirname "$0")/lib.sh"
need_client
BACKUP=$ROOT/scripts/backup-state.sh

make_certs alice bob || exit 1
# The writer is one party creating as fast as it can: its open sessions
# are bounded by --max-sessions alone, as before the per-party quota.
start_server --snapshot-interval 2 --max-sessions-per-party 1024 || exit 1
FIRST_PID=$SERVER_PID FIRST_ADDR=$ADDR

# The writer: creates s1, s2... until stopped; a name goes to acked only
# once its create succeeded.
: >"$T/acked"
writer() {
	local i=1
	while [ ! -e "$T/stop" ]; do
		client alice create "s$i" --parties alice,bob --threshold 1 >/dev/null 2>&1 &&
		    echo "s$i" >>"$T/acked"
		i=$((i + 1))
	done
}
writer &
WRITER=$!
PIDS+=("$WRITER")

acked_at_least() { [ "$(wc -l <"$T/acked")" -ge "$1" ]; }
wait_for acked_at_least 20 || bail "no session was created"
# Let at least one snapshot pass, so that the copy has a snapshot and the
# journal after it.
wait_for test -e "$T/state/snapshot.bin" || bail "no snapshot was written"
cp "$T/acked" "$T/acked-before"
check "a copy taken while the server runs and acknowledges" \
    "$BACKUP" "$T/state" "$T/copy" --tries 1000
n_during=$(wc -l <"$T/acked")
sleep 0.5
touch "$T/stop"; wait "$WRITER"
check "the server went on acknowledging after the copy" \
    acked_at_least $((n_during + 1))
check_fails "a copy into an existing folder is refused" "exists" \
    "$BACKUP" "$T/state" "$T/copy" --tries 1000

start_server --state-dir "$T/copy" || exit 1
missing=0
while read -r s; do
	client alice status "$s" >/dev/null 2>&1 || { missing=$((missing + 1)); echo "# $s missing"; }
done <"$T/acked-before"
check_eq "every session acknowledged before the copy ($(wc -l <"$T/acked-before")) is in it" \
    0 "$missing"
check "the server on the copy goes on: a new session" \
    client alice create after-restore --parties alice,bob --threshold 1
stop_server
SERVER_PID=$FIRST_PID ADDR=$FIRST_ADDR
stop_server
finish
