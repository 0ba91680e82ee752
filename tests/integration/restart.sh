#!/usr/bin/env bash
# restart.sh: the server's state survives a restart. A session whose sharing
# phase is over when the server is killed (SIGKILL, right after the last
# acknowledgement: the journal holds it, the cohort's signatures included)
# completes, with the right sum, after a restart; SIGTERM stops the server within 2 seconds with status 0 and a
# final snapshot; the state of a server of the previous file formats is
# read and goes on in the current ones; a corrupt snapshot stops the start
# with a message naming the file, which stays in place.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
start_server --snapshot-interval 3600 || exit 1

check "create" client alice create s1 --parties alice,bob,carol --threshold 1 --length 2
check "alice shares" client alice share s1 5 -1
check "bob shares" client bob share s1 6 -2
check "carol shares" client carol share s1 7 -3
# Every member signs the cohort (bob and carol post nothing yet).
sign_only s1-bob s1 bob
sign_only s1-carol s1 carol
check "alice posts her sumpoint" client alice sumpoint s1

# No snapshot has been written: everything acknowledged is in the journal.
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
check_eq "no snapshot was written before the kill" "no" \
    "$([ -e "$T/state/snapshot.bin" ] && echo yes || echo no)"
start_server || exit 1
check "bob's sumpoint after a SIGKILL and a restart from the journal" client bob sumpoint s1
check "carol's sumpoint" client carol sumpoint s1
check_eq "the sum after a SIGKILL and restart" "18 -6" "$(client carol result s1 2>/dev/null)"

# SIGTERM writes a final snapshot at once.
check "create a second session" client alice create s2 --parties alice,bob,carol --threshold 2
check "alice shares in s2" client alice share s2 40
t0=$(date +%s%N)
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "SIGTERM: exit status 0" "0" "$rc"
if [ "$ms" -le 2000 ]; then ok "SIGTERM: stopped in $ms ms (limit 2000)"
else not_ok "SIGTERM: stopped in $ms ms (limit 2000)"; fi
check_eq "SIGTERM wrote a final snapshot" "yes" \
    "$([ -s "$T/state/snapshot.bin" ] && echo yes || echo no)"
check_eq "the snapshot let the journal go: one segment, its 12-byte header alone" "12" \
    "$(stat -c %s "$T/state"/journal.*.bin)"
start_server || exit 1
check "bob shares in s2 after a SIGTERM restart" client bob share s2 2
check "carol shares in s2" client carol share s2 0
sumpoints s2 alice bob carol
check_eq "s2's sum spans the restart" "42" "$(client alice result s2 2>/dev/null)"
stop_server

# An upgrade: the state a server of a previous format left (a version-3
# journal, a version-1 snapshot: tests/data/migration, big-endian; a
# version-4 journal, a version-2 snapshot: little-endian, before protocol
# version 2) is read, goes on in the current formats, and survives restarts
# in them.
M=$ROOT/tests/data/migration
phase() { client "$1" status "$2" 2>/dev/null | sed -n 's/^phase: //p'; }
hex4() { od -An -tx1 -j"$2" -N4 "$1" | tr -d ' \n'; }
mkdir -p "$T/state-v3" "$T/state-v1" "$T/state-v4" "$T/state-v2" "$T/state-v5" \
    "$T/state-s3"
cp "$M/journal-v3.bin" "$T/state-v3/journal.00000000000000000001.bin"
cp "$M/snapshot-v1.bin" "$T/state-v1/snapshot.bin"
cp "$M/journal-v4.bin" "$T/state-v4/journal.00000000000000000001.bin"
cp "$M/snapshot-v2.bin" "$T/state-v2/snapshot.bin"
# Before sessions' creators: journal version 5 (v5), snapshot version 3 (s3).
cp "$M/journal-v5.bin" "$T/state-v5/journal.00000000000000000001.bin"
cp "$M/snapshot-v3.bin" "$T/state-s3/snapshot.bin"
for v in v3 v1 v4 v2 v5 s3; do
	start_server --state-dir "$T/state-$v" || exit 1
	check_eq "$v: round-1 is COMPLETE" "COMPLETE" "$(phase alice round-1)"
	check_eq "$v: round-2 is AGGREGATING" "AGGREGATING" "$(phase bob round-2)"
	check_eq "$v: round-3 is FAILED" "FAILED" "$(phase carol round-3)"
	check "$v: a new session after the upgrade" client alice create new-$v \
	    --parties alice,bob,carol --threshold 1 --length 2
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
	start_server --state-dir "$T/state-$v" || exit 1
	check_eq "$v: the new session survives a SIGKILL" "SHARING" "$(phase bob new-$v)"
	kill -TERM "$SERVER_PID"; wait "$SERVER_PID"
	check_eq "$v: the final snapshot is version 4, little-endian" "04000000" \
	    "$(hex4 "$T/state-$v/snapshot.bin" 8)"
	check_eq "$v: one segment is left, of version 6" "1 06000000" \
	    "$(ls "$T/state-$v"/journal.*.bin | wc -l) $(hex4 "$T/state-$v"/journal.*.bin 8)"
	start_server --state-dir "$T/state-$v" || exit 1
	check_eq "$v: round-1 is still COMPLETE in the new formats" "COMPLETE" \
	    "$(phase alice round-1)"
	check_eq "$v: so is the new session" "SHARING" "$(phase carol new-$v)"
	# Its creator was not recorded: only the rule of an ended session holds.
	check_fails "$v: alice may not delete round-2 (AGGREGATING, its creator unknown)" \
	    "only its creator may delete it" client alice delete round-2
	check "$v: bob deletes round-1 (COMPLETE)" client bob delete round-1
	check_eq "$v: alice, its creator now, deletes new-$v" "deleted session alice/new-$v" \
	    "$(client alice delete new-$v | sed 's/ (.*//')"
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
	start_server --state-dir "$T/state-$v" || exit 1
	check_eq "$v: after a SIGKILL both stay deleted, round-2 stays" "AGGREGATING" \
	    "$(phase alice round-1)$(phase alice new-$v)$(phase alice round-2)"
	stop_server
done

# A damaged snapshot is never silently dropped.
snap="$T/state/snapshot.bin"
before=$(sha256sum "$snap" | cut -d' ' -f1)
# Flip every bit of byte 40 (a fixed value could already be there).
b=$(od -An -tu1 -j40 -N1 "$snap" | tr -d ' ')
printf "$(printf '\\%03o' $(( b ^ 255 )))" | dd of="$snap" bs=1 seek=40 conv=notrunc status=none
after=$(sha256sum "$snap" | cut -d' ' -f1)
# (timeout: a server that wrongly starts is stopped instead of hanging the test)
if timeout 10 "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" --state-dir "$T/state" \
    >"$T/bad.out" 2>"$T/bad.err"; then
	not_ok "a corrupt snapshot stops the start" "the server started"
else
	if grep -q "$snap" "$T/bad.err"; then ok "a corrupt snapshot stops the start, naming the file"
	else not_ok "the refusal names the file" "$(cat "$T/bad.err")"; fi
fi
check_eq "the corrupt snapshot is left in place, unchanged" "$after" \
    "$(sha256sum "$snap" | cut -d' ' -f1)"
[ "$before" != "$after" ] || not_ok "the test corrupted the snapshot"

finish
