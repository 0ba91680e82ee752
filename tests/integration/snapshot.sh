#!/usr/bin/env bash
# snapshot.sh: the periodic snapshot is written by a child process, never in
# the event loop. tests/tools/snapshot_gate.c (LD_PRELOAD) holds the rename
# of each snapshot at a gate the test opens: while a snapshot is held there
# the server must answer reads and journal changes (with the snapshot in the
# loop it could not even answer). Then: the child is reaped (no zombie),
# the segments its snapshot holds are removed, SIGTERM ends a held child and
# writes the final snapshot, and a failed fork falls back to a snapshot in
# the loop. Every step waits for an event the shim or the server reports.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
use_gate snapshot_gate SNAPSHOT_GATE_DIR --snapshot-interval 1 || { finish; exit; }

gate_entered() { grep -q "^enter $1 " "$GATE/log" 2>/dev/null; }
gate_pid() { grep -m1 "^enter $1 " "$GATE/log" | cut -d' ' -f3; }
gone() { [ ! -e "/proc/$1" ]; }
segments() { ls "$T/state" | grep -c '^journal\.[0-9]\{20\}\.bin$'; }
SEG1=journal.00000000000000000001.bin

start_gated || exit 1
check "create s1 (a change for the first snapshot)" \
    client alice create s1 --parties alice,bob,carol --threshold 1
if wait_for gate_entered 1; then ok "a snapshot is held at its rename"
else not_ok "a snapshot is held at its rename" "$(tail -n 3 "$T/server.log")"; fi
child=$(gate_pid 1)
check_eq "the snapshot is written by a child of the server" "$SERVER_PID" \
    "$(ps -o ppid= -p "$child" 2>/dev/null | tr -d ' ')"
# With the snapshot in the event loop, neither call could be answered now.
check "the server answers a read while the snapshot is held" \
    client bob --timeout 10 status s1
check "the server journals a change while the snapshot is held" \
    client bob --timeout 10 create s2 --parties alice,bob,carol --threshold 1
check_eq "appends went to a new segment; the snapshot's is kept until it is on disk" \
    "2 yes no" "$(segments) $([ -e "$T/state/$SEG1" ] && echo yes || echo no) \
$([ -e "$T/state/snapshot.bin" ] && echo yes || echo no)"

touch "$GATE/open.1"
# s2 is a change: the next snapshot starts once the first has been reaped.
if wait_for gate_entered 2; then ok "the next snapshot starts after the first ends"
else not_ok "the next snapshot starts after the first ends" "$(tail -n 3 "$T/server.log")"; fi
if wait_for gone "$child"; then ok "the first snapshot's process was reaped (no zombie)"
else not_ok "the first snapshot's process was reaped (no zombie)" "$(ps -o stat= -p "$child")"; fi
check_eq "its snapshot is on disk and the segment it holds is gone" "yes no" \
    "$([ -s "$T/state/snapshot.bin" ] && echo yes || echo no) \
$([ -e "$T/state/$SEG1" ] && echo yes || echo no)"
check_eq "no snapshot failed" "" "$(grep 'snapshot failed' "$T/server.log")"

# SIGTERM while the second is held: it is ended, the final one written.
child=$(gate_pid 2)
touch "$GATE/open.3"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?
check_eq "SIGTERM during a snapshot: exit status 0" "0" "$rc"
if wait_for gone "$child"; then ok "no snapshot process outlives the server"
else not_ok "no snapshot process outlives the server" "$(ps -o stat=,ppid= -p "$child")"; fi
check_eq "the final snapshot was written in the loop, the held one never renamed" \
    "done 3 $SERVER_PID" "$(grep '^done' "$GATE/log" | tail -n 1)"
check_eq "one segment is left, holding no record" "1 12" \
    "$(segments) $(stat -c %s "$T/state"/journal.*.bin)"

# A fork that fails: the snapshot is written in the loop this time.
for i in $(seq 4 40); do touch "$GATE/open.$i"; done
touch "$GATE/nofork"
start_gated || exit 1
check "s1 and s2 are there after the restart" client carol status s2
check "create s3 while fork fails" \
    client alice create s3 --parties alice,bob,carol --threshold 1
if wait_for grep -q "writing the snapshot in the event loop this time" "$T/server.log"
then ok "a failed fork is logged and the snapshot written in the loop"
else not_ok "a failed fork is logged and the snapshot written in the loop" \
    "$(tail -n 3 "$T/server.log")"; fi
wait_for test "$(segments)" = 1
check_eq "the segments the in-loop snapshot holds are gone" "1" "$(segments)"
rm -f "$GATE/nofork"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_gated || exit 1
check "s3 survives a SIGKILL after the in-loop snapshot" client carol status s3
stop_server
finish
