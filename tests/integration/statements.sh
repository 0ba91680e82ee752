#!/usr/bin/env bash
# statements.sh: a session of protocol version 2 against the real server,
# driven by raw clients over real TLS (tests/tools/rawclient.py with each
# party's certificate; the requests and their signed statements built by
# tests/tools/v2party.py, an implementation of docs/PROTOCOL.md
# independent of core/, signing with python3-cryptography). The server
# reports D and the parameters it pinned, records each party's signing
# certificate, takes and relays SUBMIT, COHORT and SUMPOINT statements that
# every reader can verify, refuses the bad ones with precise statuses, and
# keeps a second, different statement as a conflict. All of it survives a
# SIGKILL (the journal) and a SIGTERM (the snapshot).
source "$(dirname "$0")/lib.sh"

PY=$T/py
/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
	bail "python3-cryptography is not installed (scripts/install-deps.sh)"
python_proto || bail "protoc --python_out failed"
make_certs alice bob carol || bail "mkcerts.sh failed"
start_server --snapshot-interval 3600 || bail "server did not start"

NONCE=000102030405060708090a0b0c0d0e0f
PARAMS=(--parties alice,bob,carol --threshold 1 --length 2 --min-cohort 3 --nonce "$NONCE")
# v2 PARTY ARGS...: tests/tools/v2party.py as PARTY.
v2() {
	local party=$1; shift
	/usr/bin/python3 "$ROOT/tests/tools/v2party.py" --certs "$T/certs" --party "$party" "$@"
}
# raw PARTY ITEM...: rawclient.py over PARTY's own TLS connection.
raw() {
	local party=$1; shift
	rawclient "$ADDR" "$T/certs/$party.crt" "$T/certs/$party.key" "$@"
}
# ask NAME PARTY ITEM: the answer to ITEM as PARTY, kept in $T/NAME.json.
ask() {
	raw "$2" "$3" >"$T/$1.json" 2>"$T/$1.err" || echo "rawclient failed" >"$T/$1.json"
}
# field NAME EXPR: EXPR on the answer kept as NAME ("r"; b64 decodes).
field() { v2 alice field "$2" "$T/$1.json" 2>&1; }
# code NAME: the status of the answer kept as NAME, and its message.
code() { field "$1" 'r["code"] + " " + r["message"]'; }

read_items() {
	local sid=$1
	STATUS='{"id":61,"method":"GET_STATUS","get_status":{"session_id":"'$sid'"}}'
	COHORT='{"id":62,"method":"GET_COHORT","get_cohort":{"session_id":"'$sid'"}}'
	LIST='{"id":63,"method":"LIST_SUMPOINTS","list_sumpoints":{"session_id":"'$sid'"}}'
	KEYS='{"id":64,"method":"GET_KEYS","get_keys":{"parties":["alice","bob","carol"]}}'
	SHARE='{"id":65,"method":"GET_SHARE","get_share":{"session_id":"'$sid'","party":"bob"}}'
}
read_items alice/v2

# ---- the session, created -------------------------------------------------
D=$(v2 alice digest alice/v2 "${PARAMS[@]}")
ask create alice "$(v2 alice create alice/v2 "${PARAMS[@]}")"
check_eq "CreateSession of a version-2 session" "OK True" \
    "$(field create 'r["code"] + " " + str(r["body"]["create_session"]["created"])')"
check_eq "the server's D is the digest of the parameters" "$D" \
    "$(field create 'b64(r["body"]["create_session"]["digest"]).hex()')"
ask create2 alice "$(v2 alice create alice/v2 "${PARAMS[@]}")"
check_eq "the same create again: not created, the same D" "False $D" \
    "$(field create2 'str(r["body"]["create_session"].get("created", False)) + " " + b64(r["body"]["create_session"]["digest"]).hex()')"
ask squat carol "$(v2 carol create alice/v2 "${PARAMS[@]}")"
check_eq "carol, a party, may not create in alice's namespace" \
    "PERMISSION_DENIED carol may create sessions only in its own namespace: name it carol/v2" \
    "$(code squat)"
ask squat alice "$(v2 alice create alice/v2 "${PARAMS[@]/$NONCE/ff$(printf '%030d' 0)}")"
check_eq "the same id with another nonce: ALREADY_EXISTS" "ALREADY_EXISTS" \
    "$(field squat 'r["code"]')"
ask status bob "$STATUS"
check_eq "GetStatus reports min_cohort, the nonce and D" "3 $NONCE $D" \
    "$(field status '"%s %s %s" % (r["body"]["get_status"]["params"]["min_cohort"], b64(r["body"]["get_status"]["params"]["nonce"]).hex(), b64(r["body"]["get_status"]["digest"]).hex())')"

# ---- keys and signing certificates -------------------------------------------
for p in alice bob carol; do
	ask pub-$p $p "$(v2 $p publish)"
	check_eq "$p publishes its key over its own connection" "OK " "$(code pub-$p)"
done
ask keys carol "$KEYS"
check_eq "GetKeys returns each party's TLS certificate as its signing certificate" "3" \
    "$(v2 carol verify "$T/keys.json")"

# ---- SUBMIT --------------------------------------------------------------------
ask bad bob "$(v2 bob submit alice/v2 --d "$D" --position 2 --fill 32 "${PARAMS[@]}" |
    /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); del r["submit_shares"]["submit"]; print(json.dumps(r))')"
check_eq "SubmitShares without its SUBMIT: INVALID_ARGUMENT" \
    "INVALID_ARGUMENT session alice/v2 is of protocol version 2: the request must carry the caller's signed SUBMIT statement" \
    "$(code bad)"
ask bad alice "$(v2 alice submit alice/v2 --d "$D" --position 2 --fill 32 "${PARAMS[@]}")"
check_eq "a SUBMIT for another position: INVALID_ARGUMENT" \
    "INVALID_ARGUMENT the SUBMIT statement is for position 2; alice is at position 1 of session alice/v2" \
    "$(code bad)"
ask bad carol "$(v2 alice submit alice/v2 --d "$D" --position 1 --fill 16 "${PARAMS[@]}" | sed 's/"party": "alice"/"party": "carol"/')"
check_eq "alice's SUBMIT sent by carol: PERMISSION_DENIED" \
    "PERMISSION_DENIED the SUBMIT statement names another signer than the caller's TLS certificate" \
    "$(code bad)"
for i in 1 2 3; do
	p=$(echo alice bob carol | cut -d' ' -f$i)
	ask sub-$p $p "$(v2 $p submit v2 --d "$D" --position $i --fill $((16 * i)) "${PARAMS[@]}")"
	check_eq "$p shares with its SUBMIT" "OK " "$(code sub-$p)"
done
ask again alice "$(v2 alice submit alice/v2 --d "$D" --position 1 --fill 16 "${PARAMS[@]}")"
check_eq "the same shares and SUBMIT again (a new signature): a duplicate" "OK True" \
    "$(field again 'r["code"] + " " + str(r["body"]["submit_shares"]["duplicate"])')"
ask shares-bob bob "$SHARE"
check_eq "GetShare relays every dealer's SUBMIT, each verifying against its certificate" "3" \
    "$(v2 bob verify "$T/shares-bob.json")"

# ---- COHORT ----------------------------------------------------------------------
for i in 1 2 3; do
	p=$(echo alice bob carol | cut -d' ' -f$i)
	ask sh-$p $p "${SHARE/\"bob\"/\"$p\"}"
	ask coh-$p $p "$(v2 $p cohort v2 --d "$D" --members 1,2,3 --shares "$T/sh-$p.json" "${PARAMS[@]}")"
	check_eq "$p signs the cohort" "OK " "$(code coh-$p)"
done
ask bad alice "$(v2 alice cohort alice/v2 --d "$D" --members 1,2 --shares "$T/sh-alice.json" "${PARAMS[@]}")"
check_eq "a second COHORT of alice's on another cohort: ALREADY_EXISTS, kept" \
    "ALREADY_EXISTS alice already signed a different COHORT statement for session alice/v2; both are kept as proof that alice equivocated" \
    "$(code bad)"
ask cohort carol "$COHORT"
check_eq "GetCohort: the cohort and its three signatures, verifying" "3 3" \
    "$(field cohort 'len(r["body"]["get_cohort"]["cohort"])') $(v2 carol verify "$T/cohort.json")"
ask status alice "$STATUS"
check_eq "GetStatus: three signers, one conflict" "3 1" \
    "$(field status '"%d %d" % (len(r["body"]["get_status"]["signers"]), len(r["body"]["get_status"]["conflicts"]))')"

# ---- SUMPOINT --------------------------------------------------------------------
ask bad alice "$(v2 alice sumpoint alice/v2 --d "$D" --position 1 --values 5,6 --cohort "$T/cohort.json" |
    sed 's/"values": \["5", "6"\]/"values": ["5", "7"]/')"
check_eq "a SUMPOINT of other values: INVALID_ARGUMENT" \
    "INVALID_ARGUMENT the SUMPOINT statement's values digest is not that of the values sent" "$(code bad)"
for i in 1 2; do
	p=$(echo alice bob | cut -d' ' -f$i)
	ask sp-$p $p "$(v2 $p sumpoint v2 --d "$D" --position $i --values $i,$((i + 10)) --cohort "$T/cohort.json")"
	check_eq "$p posts its sumpoint with its SUMPOINT" "OK " "$(code sp-$p)"
done
ask list carol "$LIST"
check_eq "ListSumpoints: the SUMPOINTs and the cohort's signatures, all verifying" "5" \
    "$(v2 carol verify "$T/list.json")"
ask status alice "$STATUS"
check_eq "the conflict verifies: two COHORTs of alice's, signed by her" "2" \
    "$(v2 carol verify "$T/status.json")"

# ---- what survives a SIGKILL, and a snapshot ---------------------------------------
# The answers that hold everything; keys sorted so that they compare as text.
# GetStatus's version is left out: a restart takes a new boot epoch, so
# that no version seen before it is current after (PROTOCOL.md 7.6.1).
snap() {
	local out=$1 it
	: >"$out"
	for it in "$STATUS" "$COHORT" "$LIST" "$KEYS" "$SHARE"; do
		raw bob "$it" 2>/dev/null | /usr/bin/python3 -c 'import json,sys
r = json.load(sys.stdin)
r.get("body", {}).get("get_status", {}).pop("version", None)
print(json.dumps(r, sort_keys=True))' >>"$out"
	done
}
# same_as_before NAME TEST: the answers now (kept as NAME) are those before.
same_as_before() {
	snap "$T/$1"
	if cmp -s "$T/before" "$T/$1"; then ok "$2"
	else not_ok "$2" "$(diff "$T/before" "$T/$1" | head -c 300)"; fi
}
snap "$T/before"
check_eq "every answer verifies before the restarts" "16" "$(v2 bob verify "$T/before")"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
check_eq "no snapshot was written before the SIGKILL" "no" \
    "$([ -e "$T/state/snapshot.bin" ] && echo yes || echo no)"
start_server || bail "server did not restart"
same_as_before after-kill "after a SIGKILL: the same statements, signatures, certificates and conflict (the journal)"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"
check_eq "SIGTERM wrote a snapshot of version 4, the journal left one empty segment" \
    "04000000 12" \
    "$(od -An -tx1 -j8 -N4 "$T/state/snapshot.bin" | tr -d ' \n') $(stat -c %s "$T/state"/journal.*.bin)"
start_server || bail "server did not restart"
same_as_before after-snapshot "after a snapshot: the same statements, signatures, certificates and conflict"
# The session goes on after both: carol's sumpoint completes it.
ask sp-carol carol "$(v2 carol sumpoint alice/v2 --d "$D" --position 3 --values 3,13 --cohort "$T/cohort.json")"
check_eq "carol posts hers after the restarts" "OK " "$(code sp-carol)"
ask status alice "$STATUS"
check_eq "the session is COMPLETE" "COMPLETE" "$(field status 'r["body"]["get_status"]["phase"]')"
stop_server
finish
