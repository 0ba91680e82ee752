#!/usr/bin/env bash
# disk.sh: a full disk under the state directory (a 4 MiB tmpfs). Mutating
# calls answer UNAVAILABLE and change nothing; reads keep working; no
# half-written snapshot replaces a good one; once space returns the server
# recovers by itself (a client retrying at that moment succeeds), and
# everything acknowledged survives a SIGKILL. A snapshot's process that
# runs out of space fails alone: the server keeps the journal's segments
# and goes on acknowledging changes.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
mkdir -p "$T/state"
if ! mount -t tmpfs -o size=4m tmpfs "$T/state" 2>"$T/mount.err"; then
	echo "ok - disk faults # SKIP cannot mount a tmpfs here: $(cat "$T/mount.err")"
	exit 0
fi
CLEANUP_HOOKS+=("umount '$T/state' 2>/dev/null")

# Inputs of 1000 elements: each submission is 3 sealed shares of 8 KB.
L=1000
for p in alice bob carol; do
	for i in $(seq 1 $L); do echo $(( i * ${#p} )); done >"$T/$p.in"
done
start_server --snapshot-interval 1 || exit 1
check "create" client alice create s1 --parties alice,bob,carol --threshold 1 --length $L
check "alice shares while there is space" client alice share s1 --input "$T/alice.in"
sleep 1.5   # a periodic snapshot now holds alice's shares

# Fill the file system.
dd if=/dev/zero of="$T/state/filler" bs=64k 2>/dev/null
check_eq "the state file system is full" "0" "$(df --output=avail "$T/state" | tail -1 | tr -d ' ')"
snap_before=$(sha256sum "$T/state/snapshot.bin" | cut -d' ' -f1)

check_fails "bob's share is refused while the disk is full (UNAVAILABLE, not acknowledged)" \
    "UNAVAILABLE|journal" client bob --timeout 3 share s1 --input "$T/bob.in"
check "status still answers while the disk is full" client carol status s1
check_eq "bob's refused share left no trace" "shared: alice" "$(grep '^shared:' "$T/last.out")"
sleep 1.5   # snapshots attempted now fail for want of space
check_eq "no half-written snapshot replaced the good one" "$snap_before" \
    "$(sha256sum "$T/state/snapshot.bin" | cut -d' ' -f1)"
check_eq "no temporary snapshot is left behind" "" "$(ls "$T/state" | grep tmp)"

# Space returns while bob's client is retrying.
client bob --timeout 30 share s1 --input "$T/bob.in" >"$T/bob.out" 2>"$T/bob.err" &
bob_pid=$!; PIDS+=("$bob_pid")
sleep 1
rm -f "$T/state/filler"
if wait "$bob_pid"; then ok "bob's retried share is accepted once space returns"
else not_ok "bob's retried share is accepted once space returns" "$(cat "$T/bob.err")"; fi
check "carol shares" client carol share s1 --input "$T/carol.in"
check_sumpoints s1 alice bob carol

expected=$(paste -d' ' "$T/alice.in" "$T/bob.in" "$T/carol.in" |
    awk '{ printf "%s%d", (NR > 1 ? " " : ""), $1 + $2 + $3 } END { print "" }')
[ -n "$expected" ] || not_ok "the expected sum could be computed"
check_eq "the sum is right" "$expected" "$(client alice result s1 2>/dev/null)"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --snapshot-interval 1 || exit 1
check_eq "the sum is still right after a SIGKILL and restart" "$expected" \
    "$(client bob result s1 2>/dev/null)"

# The disk fills while a snapshot's process writes: room for journal
# records and a segment's header, not for the snapshot. The child fails,
# the server logs it, keeps the segments and goes on acknowledging.
check "create s2" client alice create s2 --parties alice,bob,carol --threshold 1 --length $L
check "alice shares in s2" client alice share s2 --input "$T/alice.in"
sleep 1.5   # a periodic snapshot now holds both sessions
snap_size=$(stat -c %s "$T/state/snapshot.bin")
dd if=/dev/zero of="$T/state/reserve" bs=64k count=1 2>/dev/null
dd if=/dev/zero of="$T/state/filler" bs=64k 2>/dev/null
rm -f "$T/state/reserve"   # 64 KiB free: bob's record (24 KB) fits, a snapshot not
[ "$snap_size" -gt 65536 ] && ok "the snapshot ($snap_size bytes) cannot fit in the room left" ||
    not_ok "the snapshot ($snap_size bytes) cannot fit in the room left"
snap_before=$(sha256sum "$T/state/snapshot.bin" | cut -d' ' -f1)
marked=$(wc -l <"$T/server.log")
check "bob's share in s2 is acknowledged on a nearly full disk" \
    client bob --timeout 10 share s2 --input "$T/bob.in"
for i in $(seq 1 600); do
	tail -n +"$((marked + 1))" "$T/server.log" | grep -q "snapshot failed" && break
	sleep 0.05
done
failed=$(tail -n +"$((marked + 1))" "$T/server.log" | grep -m1 "snapshot failed")
if grep -q "No space left" <<<"$failed"; then ok "the snapshot's process failed for want of space, and the server says why"
else not_ok "the snapshot's process failed for want of space, and the server says why" "$failed"; fi
check "the server still answers" client carol --timeout 10 status s2
check_eq "bob's share is in effect" "shared: alice,bob" "$(grep '^shared:' "$T/last.out")"
check_eq "the failed snapshot did not replace the good one" "$snap_before" \
    "$(sha256sum "$T/state/snapshot.bin" | cut -d' ' -f1)"
check_eq "no temporary snapshot is left behind" "" "$(ls "$T/state" | grep tmp)"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
rm -f "$T/state/filler"
start_server --snapshot-interval 1 || exit 1
check "bob's share survives a SIGKILL: the segments were kept" client carol status s2
check_eq "bob's share is in effect after the restart" "shared: alice,bob" \
    "$(grep '^shared:' "$T/last.out")"
finish
