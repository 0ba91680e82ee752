#!/usr/bin/env bash
# backup-state.sh: copies an mpc-server state folder, while the server runs,
# into a new folder that a server can start from (installed as
# mpc-backup-state; docs/OPERATIONS.md explains the procedure).
#
# The copy holds every change the server acknowledged before the copy
# began. It relies on how the server writes its files (server/journal.h,
# server/snapshot.c): snapshot.bin is only ever replaced whole, by a rename;
# journal segments are only appended to, the newest only; a snapshot first
# starts a new segment, and only once the new snapshot is renamed into place
# are the segments it covers removed. So: note the snapshot's inode and the
# list of segments, copy the snapshot, then the segments oldest first, and
# look again. If neither changed, no segment the snapshot needs was removed
# and no older segment was cut short, and the newest segment's copy ends at
# most in a record being written, never acknowledged, which the server cuts
# off at start. If either changed (a snapshot ran meanwhile), start again.
set -euo pipefail

usage() {
	echo "usage: ${0##*/} STATE_DIR NEW_DIR [--tries N]" >&2
	exit 2
}
[ $# -eq 2 ] || [ $# -eq 4 ] || usage
src=$1 dst=$2 tries=100
if [ $# -eq 4 ]; then
	[ "$3" = --tries ] && [[ $4 =~ ^[1-9][0-9]*$ ]] || usage
	tries=$4
fi
[ -d "$src" ] || { echo "${0##*/}: $src: not a folder" >&2; exit 1; }
[ ! -e "$dst" ] || { echo "${0##*/}: $dst exists; give a new folder" >&2; exit 1; }

# The snapshot's inode ("none" without one) and the segments, one per line.
# Globs, not ls and grep: the fewer processes, the smaller the window in
# which a snapshot can run.
shopt -s nullglob
look() {
	local ino=none f
	ino=$(stat -c %i "$src/snapshot.bin" 2>/dev/null) || ino=none
	echo "$ino"
	# journal.bin (an older server's) is the oldest: first.
	[ -e "$src/journal.bin" ] && echo journal.bin
	for f in "$src"/journal.[0-9]*.bin; do
		f=${f##*/}
		[[ $f =~ ^journal\.[0-9]{20}\.bin$ ]] && echo "$f"
	done
	return 0
}

umask 077
for ((i = 1; i <= tries; i++)); do
	rm -rf "$dst.part"
	mkdir "$dst.part"
	before=$(look)
	if [ "$(head -n 1 <<<"$before")" != none ]; then
		cp -p "$src/snapshot.bin" "$dst.part/" 2>/dev/null || continue
	fi
	ok=1
	while read -r seg; do
		cp -p "$src/$seg" "$dst.part/" 2>/dev/null || { ok=0; break; }
	done < <(tail -n +2 <<<"$before")
	if [ "$ok" = 1 ] && [ "$(look)" = "$before" ]; then
		sync -f "$dst.part"
		mv "$dst.part" "$dst"
		echo "${0##*/}: $src copied to $dst ($(($(wc -l <<<"$before") - 1)) journal segments)"
		exit 0
	fi
done
rm -rf "$dst.part"
echo "${0##*/}: a snapshot ran during each of $tries copies; try again, or with a longer --snapshot-interval" >&2
exit 1
