#!/usr/bin/env bash
# damage.sh: the start on a damaged journal, on real files. journal.synced
# marks how far the newest segment was synced before answers went out:
# damage past it (zeros a power loss left, a record never synced) is cut
# off with a line saying how many bytes and records and that none was
# acknowledged; damage before it (a flipped byte in an answered record, a
# segment cut short) stops the start, naming the segment and offset and
# what to do, and changes nothing. With --fsync no a power loss never
# leaves a server that will not start, and the line says that nothing was
# proven. A segment missing or cut short stops the start, naming it;
# temporary files left by killed writers go at start.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || exit 1
newest() { ls "$T/state"/journal.*.bin | tail -n 1; }
# state_sum: what the state folder holds (the lock file aside: a pid), to see
# that a refusal changed nothing.
state_sum() { (cd "$T/state" && md5sum $(ls | grep -vx lock) 2>/dev/null); }
# refused NAME PATTERN: the server does not start, its log matches the
# extended regex PATTERN, and the state folder is as it was.
refused() {
	local before; before=$(state_sum)
	: >"$T/server.log"
	if start_server --snapshot-interval 3600 >/dev/null; then
		not_ok "$1" "it started"
		stop_server
		return
	fi
	if grep -Eq "$2" "$T/server.log"; then ok "$1"
	else not_ok "$1" "log did not match /$2/" "$(tail -n 3 "$T/server.log")"; fi
	check_eq "... and nothing in the state folder changed" "$before" "$(state_sum)"
}
kill9() { kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; }
# flip_last FILE: inverts the bits of FILE's last byte (whatever it was).
flip_last() {
	local size byte
	size=$(stat -c %s "$1")
	byte=$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')
	printf "\\$(printf '%03o' $((255 - byte)))" |
	    dd of="$1" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
}
fresh() { rm -rf "$T/state"; cp -a "$T/good" "$T/state"; }

start_server --snapshot-interval 3600 || exit 1
check "create s1" client alice create s1 --parties alice,bob,carol --threshold 1 --length 2
check "alice shares in s1" client alice share s1 5 -1
kill9
cp -a "$T/state" "$T/good"

# ---- zeros after the last (acknowledged) record: past the mark -----------------
size=$(stat -c %s "$(newest)")
head -c 4096 /dev/zero >>"$(newest)"
: >"$T/server.log"
if start_server --snapshot-interval 3600; then
	ok "a zero-filled journal tail does not stop the start"
	check_eq "the tail is cut, the records before it kept" "$size" "$(stat -c %s "$(newest)")"
	check_eq "the line says how many bytes and records, and that none was acknowledged" "1" \
	    "$(grep -c "(4096 bytes, 0 records: zero bytes only), past offset $size .*NONE OF THEM WAS ACKNOWLEDGED" "$T/server.log")"
	check "s1 is there after the cut" client bob share s1 6 -2
	kill9
else
	not_ok "a zero-filled journal tail does not stop the start" "$(tail -n 3 "$T/server.log")"
fi

# ---- a flipped byte in the whole last record, which was answered ---------------
fresh
f=$(newest); size=$(stat -c %s "$f")
flip_last "$f"
refused "a flipped byte in an acknowledged last record stops the start" \
    "$(basename "$f") is damaged at offset [0-9]+, before offset $size up to which it was synced.*MAY HAVE BEEN ACKNOWLEDGED.*Restore the state folder from a backup"
# The way out the message gives: cut there, remove the mark.
off=$(grep -Eo "damaged at offset [0-9]+" "$T/server.log" | grep -Eo "[0-9]+$")
if [ -n "$off" ] && truncate -s "$off" "$f" && rm "$T/state/journal.synced" &&
    start_server --snapshot-interval 3600; then
	ok "cut where the message says and without the mark, the server starts"
	check "... with s1, created before the damaged record" client alice status s1
	kill9
else
	not_ok "cut where the message says and without the mark, the server starts" "$(tail -n 3 "$T/server.log")"
fi

# ---- the newest segment cut short of the mark ---------------------------------
fresh
f=$(newest)
truncate -s 100 "$f"
refused "the newest segment cut short of the mark stops the start" \
    "$(basename "$f") is damaged at offset 12, before offset [0-9]+ up to which it was synced"

# ---- --fsync no: a power loss leaves a tail that was never synced --------------
fresh
start_server --snapshot-interval 3600 --fsync no || exit 1
check "--fsync no: create s2" client alice create s2 --parties alice,bob,carol --threshold 1
kill9
# The records written since the start never reached the disk: zeros.
f=$(newest); size=$(stat -c %s "$f")
cut=$(stat -c %s "$T/good/$(basename "$f")")
head -c $((size - cut)) /dev/zero | dd of="$f" bs=1 seek="$cut" conv=notrunc 2>/dev/null
: >"$T/server.log"
if start_server --snapshot-interval 3600 --fsync no; then
	ok "--fsync no: the server starts after a power loss"
	check_eq "... the line says that nothing could be proven" "1" \
	    "$(grep -c "cutting off the tail at offset $cut .*with --fsync no nothing can be proven" "$T/server.log")"
	check "... s1 is there" client bob share s1 6 -2
	kill9
else
	not_ok "--fsync no: the server starts after a power loss" "$(tail -n 3 "$T/server.log")"
fi

# ---- the newest segment deleted; an older one cut short -----------------------
fresh
start_server --snapshot-interval 3600 || exit 1
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"   # a snapshot, a new segment
start_server --snapshot-interval 1 || exit 1
# A directory in the snapshot's place: the snapshots fail, the segments stay.
mkdir "$T/state/snapshot.bin.tmp"
check "create s2 in the new segment" client alice create s2 --parties alice,bob,carol --threshold 1
wait_for grep -q "snapshot failed" "$T/server.log"
check "create s3 in the segment after" client alice create s3 --parties alice,bob,carol --threshold 1
kill9
rmdir "$T/state/snapshot.bin.tmp"
nseg=$(ls "$T/state"/journal.*.bin | wc -l)
if [ "$nseg" -ge 2 ]; then ok "two segments or more ($nseg)"; else not_ok "two segments or more ($nseg)"; fi
cp -a "$T/state" "$T/two"
gone=$(basename "$(newest)")
rm -f "$T/state/$gone"
refused "the newest segment deleted stops the start" "$gone is missing|names journal segment $gone as synced"
rm -rf "$T/state"; cp -a "$T/two" "$T/state"
older=$(ls "$T/state"/journal.*.bin | tail -n 2 | head -n 1)
truncate -s $(($(stat -c %s "$older") - 3)) "$older"
refused "an older segment cut short stops the start" \
    "$(basename "$older") is damaged at offset [0-9]+ \(a record cut short in a segment that is not the newest\)"

# ---- temporary files of killed writers ------------------------------------------
fresh
for t in snapshot.bin.tmp journal.newest.tmp journal.synced.tmp; do
	head -c 1000 /dev/urandom >"$T/state/$t"
done
: >"$T/server.log"
if start_server --snapshot-interval 3600; then
	check_eq "leftover temporary files are removed at start" "" \
	    "$(ls "$T/state" | grep '\.tmp$')"
	check_eq "... each with a line" "3" "$(grep -c "removed .*\.tmp" "$T/server.log")"
	stop_server
else
	not_ok "leftover temporary files are removed at start" "$(tail -n 3 "$T/server.log")"
fi

finish
