#!/usr/bin/env bash
# tamper.sh: the server is the adversary, through its own files.
#
# Real parties (bin/mpc-client) share into several sessions until each
# session's cohort is fixed; the server is stopped (SIGTERM writes
# $T/state/snapshot.bin), and the snapshot is edited as a malicious server
# could edit its own memory (tests/tools/snapshot_edit.py recomputes the
# checksum):
#   s-flip:  one byte of alice's ciphertext for bob flipped     (altered)
#   s-swap:  alice's ciphertexts for bob and carol exchanged    (re-routed)
#   s-dst:   alice's shares replaced by hers from s-src         (replayed)
#   s-honest and s-src untouched: the right sum (sanity)
# In protocol version 2 every ciphertext is named by its dealer's signed
# SUBMIT, which the server checks too: restarted on any of these edits, it
# refuses the snapshot (the statement no longer matches the shares) and
# leaves it in place; it starts again on the unedited one, on which the
# sessions complete with the right sum. A server that does not check, and
# relays altered, re-routed or replayed ciphertexts, is met by the clients'
# own checks: tests/integration/adversary_matrix.sh (a man in the middle
# with the test CA's server certificate) and test_client_cmd_sumpoint.
# The server's files must hold no input and no party's private key.
source "$(dirname "$0")/lib.sh"

EDIT=$ROOT/tests/tools/snapshot_edit.py
SNAP=$T/state/snapshot.bin
PARTIES=(alice bob carol)
declare -A INPUT=([alice]=123456789 [bob]=987654321 [carol]=246813579)
SUM=$((123456789 + 987654321 + 246813579))
SESSIONS=(s-honest s-flip s-swap s-src s-dst)

python_proto || bail "protoc --python_out failed"
make_certs "${PARTIES[@]}" || bail "mkcerts.sh failed"
need_client

# status SESSION: "PHASE posted=a,b" as alice sees it, by a raw GetStatus.
status() {
	rawclient "$ADDR" "$T/certs/alice.crt" "$T/certs/alice.key" \
	    "{\"id\":1,\"method\":\"GET_STATUS\",\"get_status\":{\"session_id\":\"$1\"}}" |
	/usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.readline()); s = r["body"].get("get_status", {})
print(s.get("phase", r["code"]), "posted=" + ",".join(s.get("posted", [])))'
}

# contains FILE VALUE: whether FILE holds VALUE as 8 bytes big- or
# little-endian, or as a decimal string.
contains() {
	/usr/bin/python3 -c 'import sys
d = open(sys.argv[1], "rb").read(); v = int(sys.argv[2])
sys.exit(0 if v.to_bytes(8, "big") in d or v.to_bytes(8, "little") in d
         or str(v).encode() in d else 1)' "$1" "$2"
}

# no_secrets_in FILE WHEN: no input and no party's private key bytes in FILE.
no_secrets_in() {
	local f=$1 when=$2 p raw
	for p in "${PARTIES[@]}"; do
		if contains "$f" "${INPUT[$p]}"; then
			not_ok "$when: $(basename "$f") does not hold $p's input ${INPUT[$p]}"
		else
			ok "$when: $(basename "$f") does not hold $p's input ${INPUT[$p]}"
		fi
	done
	if contains "$f" "$SUM"; then
		not_ok "$when: $(basename "$f") does not hold the sum $SUM"
	else
		ok "$when: $(basename "$f") does not hold the sum $SUM"
	fi
	for p in "${PARTIES[@]}"; do
		# The raw X25519 private key: the last 32 bytes of its PKCS#8 DER.
		raw=$(openssl pkey -in "$T/certs/$p.enc.key" -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n')
		if /usr/bin/python3 -c 'import sys
sys.exit(0 if bytes.fromhex(sys.argv[2]) in open(sys.argv[1], "rb").read() else 1)' "$f" "$raw"; then
			not_ok "$when: $(basename "$f") does not hold $p's encryption private key"
		else
			ok "$when: $(basename "$f") does not hold $p's encryption private key"
		fi
	done
}

# ---- sharing, with an honest server ---------------------------------------

start_server --snapshot-interval 3600 || bail "server did not start"
for s in "${SESSIONS[@]}"; do
	check "alice creates $s" client alice create "$s" --parties alice,bob,carol --threshold 1
done
for s in "${SESSIONS[@]}"; do
	for p in "${PARTIES[@]}"; do
		check "$p shares ${INPUT[$p]} into $s" client "$p" share "$s" "${INPUT[$p]}"
	done
done
for s in "${SESSIONS[@]}"; do
	check_eq "$s has fixed its cohort" "AGGREGATING posted=" "$(status "$s" 2>&1)"
done
stop_server
if [ -f "$SNAP" ]; then ok "SIGTERM wrote $SNAP"
else not_ok "SIGTERM wrote $SNAP" "$(tail -n 3 "$T/server.log")"; fi

# ---- what the server keeps -------------------------------------------------

no_secrets_in "$SNAP" "after sharing"
keys=$(cd "$T/server-certs" && ls -- *.key 2>/dev/null | tr '\n' ' ')
check_eq "the server's certs folder holds no key but server.key" "server.key " "$keys"
stray=$(find "$T/state" -regextype posix-extended -type f ! -name snapshot.bin \
    ! -name journal.newest ! -name journal.synced ! -name lock \
    ! -regex '.*/journal\.[0-9]{20}\.bin')
check_eq "the state folder holds only snapshot.bin, journal.newest, journal.synced, lock and journal segments" "" "$stray"
# journal.synced (server/journal_mark.h) is its 112 bytes of offsets and numbers.
check_eq "journal.synced is the synced mark's 112 bytes" "112" \
    "$(stat -c %s "$T/state/journal.synced" 2>/dev/null)"
# The lock file (server/statelock.c) holds the pid of the server and nothing else.
check_eq "the state folder's lock file holds only a pid" "1/1" \
    "$(grep -cxE '[0-9]+' "$T/state/lock" 2>/dev/null)/$(wc -l <"$T/state/lock" 2>/dev/null)"
# The final snapshot let every older segment go: one is left, with no record.
segs=("$T/state"/journal.*.bin)
check_eq "one journal segment is left after SIGTERM, holding no record" "1 12" \
    "${#segs[@]} $(stat -c %s "${segs[0]}")"
for f in "${segs[@]}"; do no_secrets_in "$f" "after sharing (journal)"; done
syms=$(nm "$SERVER_BIN" 2>/dev/null)
if ! grep -qw store_submit <<<"$syms"; then
	not_ok "mpc-server's symbols can be read" "nm found no store_submit"
elif grep -Ew 'pki_load_enc_key|hpke_open|hpke_open_auth|sealed_open|hpke_setup_receiver' <<<"$syms" >"$T/nm.out"; then
	not_ok "mpc-server links no code that loads a party's key or opens a share" "$(cat "$T/nm.out")"
else
	ok "mpc-server links no code that loads a party's key or opens a share"
fi

# A snapshot edited without its checksum is refused, named and left in place.
mkdir -p "$T/state-bad"
cp "$SNAP" "$T/state-bad/snapshot.bin"
printf '\001' | dd of="$T/state-bad/snapshot.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
cp "$T/state-bad/snapshot.bin" "$T/bad.copy"
: >"$T/server.log"
if start_server --state-dir "$T/state-bad" >/dev/null; then
	not_ok "a snapshot with a bad checksum stops the server from starting"
	stop_server
else
	ok "a snapshot with a bad checksum stops the server from starting"
	if grep -q "$T/state-bad/snapshot.bin" "$T/server.log"; then ok "... and its message names the file"
	else not_ok "... and its message names the file" "$(tail -n 2 "$T/server.log")"; fi
	check "... and leaves the file in place, unchanged" cmp "$T/bad.copy" "$T/state-bad/snapshot.bin"
fi

# waits_in_vain SESSION WHO PARTY...: every PARTY's sumpoint at once, with a
# 3 s --timeout: each signs the cohort and waits in vain for WHO's COHORT.
waits_in_vain() {
	local s=$1 who=$2 p i=0 pids=()
	shift 2
	for p in "$@"; do
		"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party "$p" --timeout 3 \
		    sumpoint "$s" >"$T/wv-$s-$p.out" 2>"$T/wv-$s-$p.err" &
		pids+=($!)
	done
	for p in "$@"; do
		if wait "${pids[$i]}"; then
			not_ok "$s: $p posts nothing without $who's signature on the cohort" "it posted"
		elif grep -q "waiting for the COHORT signatures of: .*$who" "$T/wv-$s-$p.err"; then
			ok "$s: $p posts nothing without $who's signature on the cohort"
		else
			not_ok "$s: $p posts nothing without $who's signature on the cohort" \
			    "$(tail -n 2 "$T/wv-$s-$p.err")"
		fi
		i=$((i + 1))
	done
}

# ---- the server turns malicious ------------------------------------------

check "snapshot_edit.py parses the snapshot" /usr/bin/python3 "$EDIT" "$SNAP" dump
cp "$SNAP" "$T/snapshot.orig"
# edited NAME EDIT...: the snapshot edited so, then the server refused on it.
edited() {
	local name=$1
	shift
	cp "$T/snapshot.orig" "$SNAP"
	check "edit: $name" /usr/bin/python3 "$EDIT" "$SNAP" "$@"
	cp "$SNAP" "$T/edited.copy"
	: >"$T/server.log"
	if start_server --snapshot-interval 3600 >/dev/null; then
		not_ok "the server refuses the snapshot edited to $name"
		stop_server
	elif grep -q "snapshot $SNAP is unusable" "$T/server.log"; then
		ok "the server refuses the snapshot edited to $name, naming it"
		check "... and leaves it in place, unchanged" cmp "$T/edited.copy" "$SNAP"
	else
		not_ok "the server refuses the snapshot edited to $name, naming it" \
		    "$(tail -n 2 "$T/server.log")"
	fi
}
edited "flip a byte of alice's share for bob in s-flip" flip alice/s-flip alice bob
edited "swap alice's shares for bob and carol in s-swap" swap alice/s-swap alice bob carol
edited "replay alice's shares from s-src in s-dst" copy alice/s-src alice/s-dst alice

# ---- the unedited state goes on ------------------------------------------

cp "$T/snapshot.orig" "$SNAP"
start_server --snapshot-interval 3600 || bail "server refused its own snapshot"
check_eq "the server resumed s-flip from its snapshot" "AGGREGATING posted=" "$(status s-flip 2>&1)"
check_sumpoints s-src "${PARTIES[@]}"
check_sumpoints s-honest "${PARTIES[@]}"
got=$(client bob --json result s-honest 2>"$T/result.err" |
    /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["sum"][0], ",".join(r["cohort"]))' 2>&1)
check_eq "(d) honest: the result of s-honest is the sum of the inputs" "$SUM alice,bob,carol" \
    "$got"
check_eq "(d) honest: s-honest is complete" "COMPLETE posted=alice,bob,carol" "$(status s-honest 2>&1)"

stop_server
no_secrets_in "$SNAP" "after the sumpoints"

finish
