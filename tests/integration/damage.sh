#!/usr/bin/env bash
# damage.sh: the start on a damaged journal, on real files. The end of the
# newest segment (zeros a power loss left, a whole last record with a
# flipped byte) is cut off with a log line saying what it was, and the
# server starts with what came before; the newest segment deleted stops the
# start, naming it, instead of starting with its sessions gone.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
start_server --snapshot-interval 3600 || exit 1
check "create s1" client alice create s1 --parties alice,bob,carol --threshold 1 --length 2
check "alice shares in s1" client alice share s1 5 -1
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
newest() { ls "$T/state"/journal.*.bin | tail -n 1; }
cp -a "$T/state" "$T/good"

# ---- zeros after the last record --------------------------------------------
size=$(stat -c %s "$(newest)")
head -c 4096 /dev/zero >>"$(newest)"
: >"$T/server.log"
if start_server --snapshot-interval 3600; then
	ok "a zero-filled journal tail does not stop the start"
	check_eq "the tail is cut, the records before it kept" "$size" "$(stat -c %s "$(newest)")"
	check_eq "the log line says how many bytes and that they were zeros" "1" \
	    "$(grep -c "(4096 bytes, zero bytes, no record" "$T/server.log")"
	check "s1 is there after the cut" client bob share s1 6 -2
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
else
	not_ok "a zero-filled journal tail does not stop the start" "$(tail -n 3 "$T/server.log")"
fi

# ---- a flipped byte in the whole last record ---------------------------------
rm -rf "$T/state"; cp -a "$T/good" "$T/state"
f=$(newest); size=$(stat -c %s "$f")
printf '\377' | dd of="$f" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
: >"$T/server.log"
if start_server --snapshot-interval 3600; then
	ok "a flipped byte in the last record: the start goes on"
	check_eq "... its line says it may have been acknowledged" "1" \
	    "$(grep -c "MAY HAVE BEEN ACKNOWLEDGED" "$T/server.log")"
	check_eq "... and never that it was not" "0" "$(grep -c "no answer" "$T/server.log")"
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
else
	not_ok "a flipped byte in the last record: the start goes on" "$(tail -n 3 "$T/server.log")"
fi

# ---- the newest segment deleted ----------------------------------------------
rm -rf "$T/state"; cp -a "$T/good" "$T/state"
start_server --snapshot-interval 3600 || exit 1
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"   # a snapshot, a new segment
start_server --snapshot-interval 3600 || exit 1
check "create s2 in the new segment" client alice create s2 --parties alice,bob,carol --threshold 1
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
gone=$(basename "$(newest)")
rm -f "$T/state/$gone"
: >"$T/server.log"
if start_server --snapshot-interval 3600; then
	not_ok "the newest segment deleted stops the start"
	stop_server
else
	ok "the newest segment deleted stops the start"
	check_eq "... and the message names it" "1" \
	    "$(grep -c "$gone is missing" "$T/server.log")"
fi

finish
