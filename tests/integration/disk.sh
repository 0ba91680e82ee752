#!/usr/bin/env bash
# disk.sh: a full disk under the state directory (a 4 MiB tmpfs). Mutating
# calls answer UNAVAILABLE and change nothing; reads keep working; no
# half-written snapshot replaces a good one; once space returns the server
# recovers by itself (a client retrying at that moment succeeds), and
# everything acknowledged survives a SIGKILL.
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
for p in alice bob carol; do check "$p posts its sumpoint" client "$p" sumpoint s1; done

expected=$(paste -d' ' "$T/alice.in" "$T/bob.in" "$T/carol.in" |
    awk '{ printf "%s%d", (NR > 1 ? " " : ""), $1 + $2 + $3 } END { print "" }')
[ -n "$expected" ] || not_ok "the expected sum could be computed"
check_eq "the sum is right" "$expected" "$(client alice result s1 2>/dev/null)"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --snapshot-interval 1 || exit 1
check_eq "the sum is still right after a SIGKILL and restart" "$expected" \
    "$(client bob result s1 2>/dev/null)"
finish
