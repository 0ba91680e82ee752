#!/usr/bin/env bash
# fsync.sh: under --fsync always, no answer leaves the server before the
# fdatasync covering its journal record has returned; while that fdatasync
# is in flight the event loop goes on (handshakes, new records written and
# held); answers go out per connection as the syncs they wait for end; a
# failed fdatasync stops the server without acknowledging anything more.
# Under --fsync everysec answers are not held, the loop goes on during the
# timer's fdatasync, and a failed one is logged and the server goes on.
# Under --fsync always an answer waits for the synced mark too, written and
# synced after its record's fdatasync.
#
# tests/tools/fsync_gate.c (LD_PRELOAD) holds each fdatasync of the server
# until the test opens its gate (DIR/open.N for the Nth call), so every step
# waits for an event the shim or the server reports, never for a time. The
# only sleeps give a wrongly released answer the chance to arrive.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
python_proto || bail "protoc --python_out failed"
use_gate fsync_gate FSYNC_GATE_DIR --snapshot-interval 3600 || { finish; exit; }

# gate_says LINE: waits for the shim to log LINE.
gate_says() { wait_for grep -qxs "$1" "$GATE/log"; }
# gate_reached N: the Nth fdatasync is at the gate.
gate_reached() { gate_says "enter $1"; }

# check_waiting NAME PID OUT: passes when PID still runs and printed nothing.
check_waiting() {
	if kill -0 "$2" 2>/dev/null && [ ! -s "$3" ]; then ok "$1"
	else not_ok "$1" "the client finished: $(cat "$3")"; fi
}

# check_answered NAME PID: passes when the client PID exits 0.
check_answered() {
	if wait "$2"; then ok "$1"; else not_ok "$1" "exit status $?"; fi
}

# Every command first publishes its party's key, which the first time is a
# change of its own, with its own fdatasync. Published here, on a server
# without the gate and the same state folder, every later PublishKey is a
# duplicate that writes nothing: the gate's numbers below are the creates'.
start_server --snapshot-interval 3600 || exit 1
for p in alice bob carol; do
	client "$p" status none >/dev/null 2>&1
done
stop_server
start_gated || exit 1
create() {
	client "$1" create "$2" --parties alice,bob,carol --threshold 1 --length 2 \
	    >"$T/$2.out" 2>"$T/$2.err" &
}
# raw_create PARTY SESSION: the CreateSession of PARTY/SESSION alone, from rawclient.py in
# the background. mpc-client reads before it changes anything (it
# publishes its key, looks the parties' keys up), and while a sync is in
# flight every answer waits for it, a read's too: its create would not be
# sent until that sync returned.
raw_create() {
	rawclient "$ADDR" "$T/certs/$1.crt" "$T/certs/$1.key" \
	    "{\"id\":1,\"method\":\"CREATE_SESSION\",\"create_session\":{\"params\":{\"session_id\":\"$1/$2\",\"parties\":[\"alice\",\"bob\",\"carol\"],\"threshold\":1,\"length\":2}}}" \
	    >"$T/$2.out" 2>"$T/$2.err" &
}

# 1. One change: held for exactly as long as its fdatasync.
create alice s1; a=$!; PIDS+=("$a")
if gate_reached 1; then ok "the create reached fdatasync"
else not_ok "the create reached fdatasync" "$(cat "$T/server.log")"; fi
# With fdatasync in the loop, the server could not even complete a handshake now.
if timeout 30 openssl s_client -connect "$ADDR" -servername localhost \
    -CAfile "$T/certs/ca.crt" -cert "$T/certs/bob.crt" -key "$T/certs/bob.key" \
    </dev/null >"$T/s_client.out" 2>&1 && grep -q "^Verify return code: 0" "$T/s_client.out"
then ok "the event loop completes a TLS handshake while fdatasync is in flight"
else not_ok "the event loop completes a TLS handshake while fdatasync is in flight" \
    "$(tail -n 3 "$T/s_client.out")"; fi
sleep 1
check_waiting "no answer to the create while its fdatasync is in flight" "$a" "$T/s1.out"
touch "$GATE/open.1"
check_answered "the create is answered once its fdatasync returned" "$a"
check_eq "that fdatasync had returned before the answer" "done 1" \
    "$(grep -x 'done 1' "$GATE/log")"

# 2. A change made while a sync is in flight waits for the next sync, not
#    for the one already running; the earlier change goes out on its own.
create bob s2; b=$!; PIDS+=("$b")
gate_reached 2 || not_ok "bob's create reached fdatasync"
# A long id: its bytes cannot turn up by chance elsewhere in the journal.
s3=carol-during-sync-2
raw_create carol $s3; c=$!; PIDS+=("$c")
for i in $(seq 1 600); do
	cat "$T/state"/journal.*.bin | grep -q $s3 && break
	sleep 0.05
done
check_eq "a record is written while an fdatasync is in flight" "1" \
    "$(cat "$T/state"/journal.*.bin | grep -c $s3)"
sleep 1
check_waiting "bob has no answer while sync 2 is in flight" "$b" "$T/s2.out"
check_waiting "carol has no answer while sync 2 is in flight" "$c" "$T/$s3.out"
touch "$GATE/open.2"
check_answered "bob is answered when sync 2 returns" "$b"
if gate_reached 3; then ok "carol's record gets a sync of its own (group commit goes on)"
else not_ok "carol's record gets a sync of its own (group commit goes on)"; fi
sleep 1
check_waiting "carol still has no answer: sync 2 began before her record" "$c" "$T/$s3.out"
touch "$GATE/open.3"
check_answered "carol is answered when sync 3 returns" "$c"
check "... with OK" grep -q '"code": "OK"' "$T/$s3.out"

# 3. A failed fdatasync: the server stops, the change is never acknowledged.
client alice --timeout 5 create s4 --parties alice,bob,carol --threshold 1 \
    >"$T/s4.out" 2>"$T/s4.err" &
d=$!; PIDS+=("$d")
if ! gate_reached 4; then
	not_ok "the fourth create reached fdatasync"
	finish; exit   # the server would not stop by itself: nothing to wait for
fi
touch "$GATE/fail" "$GATE/open.4"
wait "$SERVER_PID"
check_eq "a failed fdatasync stops the server with status 1" "1" "$?"
if grep -q "stopping without acknowledging" "$T/server.log"; then
	ok "the server says why it stopped"
else not_ok "the server says why it stopped" "$(tail -n 3 "$T/server.log")"; fi
if wait "$d"; then not_ok "the change whose fdatasync failed is not acknowledged" "$(cat "$T/s4.out")"
else ok "the change whose fdatasync failed is not acknowledged"; fi

# Everything acknowledged is there after a restart (no shim).
start_server --snapshot-interval 3600 || exit 1
for s in s1 s2 $s3; do check "session $s is there after the restart" client alice status "$s"; done
stop_server

# 4. --fsync everysec, with a fresh gate (the shim counts from 1 again).
rm -rf "$GATE"; mkdir -p "$GATE"
start_gated --fsync everysec || exit 1
check "everysec: a create is answered without waiting for fdatasync" \
    client alice create e1 --parties alice,bob,carol --threshold 1
if gate_reached 1; then ok "everysec: the timer's fdatasync runs"
else not_ok "everysec: the timer's fdatasync runs"; fi
check "everysec: the server answers while that fdatasync is in flight" \
    client bob create e2 --parties alice,bob,carol --threshold 1
touch "$GATE/fail" "$GATE/open.1"
gate_says "failed 1" || not_ok "everysec: the shim failed the fdatasync"
for i in $(seq 1 600); do
	grep -q "fsync of .*journal\..*bin" "$T/server.log" && break
	sleep 0.05
done
if grep -q "fsync of .*journal\..*bin" "$T/server.log"; then ok "everysec: a failed fdatasync is logged"
else not_ok "everysec: a failed fdatasync is logged" "$(tail -n 3 "$T/server.log")"; fi
rm -f "$GATE/fail"
touch "$GATE/open.2"
check "everysec: the server goes on after a failed fdatasync" client carol status e2
if gate_says "done 2"; then ok "everysec: the next second's fdatasync is tried again"
else not_ok "everysec: the next second's fdatasync is tried again"; fi
touch "$GATE"/open.{3..9}   # the syncs a stop may ask for
stop_server

# 5. --fsync always, the synced mark gated too: an answer waits for the mark
#    (journal.synced) to be on disk after its record's fdatasync, so that a
#    start never takes a record that was answered for one that was not.
rm -rf "$GATE"; mkdir -p "$GATE"
export FSYNC_GATE_MARKS=1
start_gated || exit 1
unset FSYNC_GATE_MARKS
create alice m1; a=$!; PIDS+=("$a")
gate_reached 1 || not_ok "the create reached fdatasync"
touch "$GATE/open.1"
if gate_says "mark-enter 1"; then ok "after its record's fdatasync, the mark's runs"
else not_ok "after its record's fdatasync, the mark's runs" "$(cat "$GATE/log")"; fi
check_eq "... once the record's had returned" "done 1" "$(grep -x 'done 1' "$GATE/log")"
sleep 1
check_waiting "no answer while the mark's fdatasync is in flight" "$a" "$T/m1.out"
touch "$GATE/mark-open.1"
check_answered "the create is answered once the mark is on disk" "$a"
touch "$GATE"/open.{2..9} "$GATE"/mark-open.{2..9}
stop_server
finish
