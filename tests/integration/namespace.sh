#!/usr/bin/env bash
# namespace.sh: session ids in their creators' namespaces (issue 12 point
# 4, docs/PROTOCOL.md 2.1). An outsider with a valid certificate sends
# every RPC that names a session, for an id before and after it exists (as
# CREATOR/NAME and as a bare NAME) and for one that never does, and gets
# byte for byte the same codes and messages; CreateSession in another's
# namespace is refused alike whether or not the id exists. Two creators
# using one NAME get two sessions, each completing with its own sum; a
# bare NAME that names two of a party's sessions is refused naming both,
# and the qualified ids work. A restart from the journal, and one from a
# snapshot, keep both.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol dave erin || exit 1
python_proto || bail "cannot generate the proto's Python classes"
start_server --snapshot-interval 3600 || exit 1

NONCE=AAAAAAAAAAAAAAAAAAAAAA==
# probe ID: every RPC that names a session, as erin (a party of none),
# pipelined on one connection; one line per answer: id, code, message, body.
probe() {
	local id=$1
	rawclient "$ADDR" "$T/certs/erin.crt" "$T/certs/erin.key" --timeout 10 \
	    "{\"id\":1,\"method\":\"CREATE_SESSION\",\"create_session\":{\"params\":{\"session_id\":\"$id\",\"parties\":[\"alice\",\"bob\",\"erin\"],\"threshold\":1,\"length\":1,\"min_cohort\":3,\"nonce\":\"$NONCE\"}}}" \
	    "{\"id\":2,\"method\":\"SUBMIT_SHARES\",\"submit_shares\":{\"session_id\":\"$id\",\"party\":\"erin\"}}" \
	    "{\"id\":3,\"method\":\"GET_SHARE\",\"get_share\":{\"session_id\":\"$id\",\"party\":\"erin\"}}" \
	    "{\"id\":4,\"method\":\"POST_SUMPOINT\",\"post_sumpoint\":{\"session_id\":\"$id\",\"party\":\"erin\",\"values\":[\"1\"]}}" \
	    "{\"id\":5,\"method\":\"LIST_SUMPOINTS\",\"list_sumpoints\":{\"session_id\":\"$id\"}}" \
	    "{\"id\":6,\"method\":\"GET_STATUS\",\"get_status\":{\"session_id\":\"$id\"}}" \
	    "{\"id\":7,\"method\":\"POST_COHORT\",\"post_cohort\":{\"session_id\":\"$id\",\"party\":\"erin\"}}" \
	    "{\"id\":8,\"method\":\"GET_COHORT\",\"get_cohort\":{\"session_id\":\"$id\"}}" \
	    "{\"id\":9,\"method\":\"DELETE_SESSION\",\"delete_session\":{\"session_id\":\"$id\"}}" \
	    "{\"id\":10,\"method\":\"GET_STATUS\",\"get_status\":{\"session_id\":\"$id\",\"watch_ms\":300}}"
}

probe alice/payroll >"$T/before-q.out" 2>&1
probe payroll >"$T/before-b.out" 2>&1
probe alice/never >"$T/never.out" 2>&1
check_eq "an outsider's ten answers for a missing id: CreateSession refused, the rest NOT_FOUND" \
    "PERMISSION_DENIED NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND NOT_FOUND" \
    "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["code"] for l in open(sys.argv[1])))' "$T/before-q.out")"
check_eq "CreateSession in alice's namespace: erin is told to use its own" \
    '"erin may create sessions only in its own namespace: name it erin/payroll"' \
    "$(head -n 1 "$T/before-q.out" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["message"]))')"
check_eq "the others say: no session alice/payroll" "no session alice/payroll" \
    "$(sed -n 2p "$T/before-q.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])')"

check "alice creates payroll (alice, bob, carol)" \
    client alice create payroll --parties alice,bob,carol --threshold 1
check_eq "its id is alice's: alice/payroll, printed so" "created session alice/payroll" \
    "$(client alice create payroll --parties alice,bob,carol --threshold 1 --nonce "$(nonce_of alice/payroll)" |
       sed -n 's/^session \(.*\) is in place.*/created session \1/p')"
probe alice/payroll >"$T/after-q.out" 2>&1
probe payroll >"$T/after-b.out" 2>&1
check_eq "erin's answers for alice/payroll, once it exists, are byte for byte those before" \
    "$(cat "$T/before-q.out")" "$(cat "$T/after-q.out")"
check_eq "and for the bare payroll too" "$(cat "$T/before-b.out")" "$(cat "$T/after-b.out")"
check_eq "and those for an id that never existed, but for the id itself" \
    "$(sed 's/never/payroll/g' "$T/never.out")" "$(cat "$T/after-q.out")"
client erin status alice/payroll >"$T/st1.out" 2>"$T/st1.err"; r1=$?
client erin status alice/never >"$T/st2.out" 2>"$T/st2.err"; r2=$?
check_eq "mpc-client status as erin: the same failure for an existing and a missing id" \
    "$r2 $(sed 's/never/payroll/g' "$T/st2.err")" "$r1 $(cat "$T/st1.err")"
check_fails "erin cannot create alice/payroll2 (another's namespace), checked before sending" \
    "erin creates sessions in its own namespace only" \
    client erin create alice/payroll2 --parties alice,erin --threshold 1

check "bob creates payroll too (bob, carol, dave): bob/payroll" \
    client bob create payroll --parties bob,carol,dave --threshold 1
check_eq "alice and bob list one payroll each, their own" "alice/payroll|bob/payroll" \
    "$( { client alice list; client dave list; } | awk '{ print $1 }' | paste -sd'|')"
check_fails "carol, in both, is asked to name one: both ids listed" \
    "session name payroll is ambiguous: you are a party of 2 sessions of that name \\(alice/payroll, bob/payroll\\); name one as CREATOR/NAME" \
    client carol status payroll
check_eq "carol's status of bob/payroll names it" "bob/payroll" \
    "$(client carol --json status bob/payroll | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')"

# Both complete, each with its own sum; alice and dave type the bare NAME
# (with the invite: the harness cannot tell which payroll they mean).
bgc a1 alice run payroll --invite "$(invite_of alice/payroll)" 1; p1=$BG
bgc a2 bob run alice/payroll 2; p2=$BG
bgc a3 carol run alice/payroll --invite "$(invite_of alice/payroll)" 4; p3=$BG
bgc b1 bob run bob/payroll 10; p4=$BG
bgc b2 carol run bob/payroll 20; p5=$BG
bgc b3 dave run payroll --invite "$(invite_of bob/payroll)" 40; p6=$BG
rcs=""
for p in "$p1" "$p2" "$p3" "$p4" "$p5" "$p6"; do wait "$p"; rcs="$rcs $?"; done
check_eq "all six runs succeed" " 0 0 0 0 0 0" "$rcs"
check_eq "alice/payroll sums to 7 for its three parties" "7 7 7" \
    "$(cat "$T/a1.out" "$T/a2.out" "$T/a3.out" | paste -sd' ')"
check_eq "bob/payroll sums to 70 for its three" "70 70 70" \
    "$(cat "$T/b1.out" "$T/b2.out" "$T/b3.out" | paste -sd' ')"
check_eq "dave's result by the bare NAME says bob/payroll" "bob/payroll 70" \
    "$(client dave --json result payroll --invite "$(invite_of bob/payroll)" |
       python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["session"], d["sum"][0])')"

# Restarts: a kill (no final snapshot) replays the journal; then a snapshot.
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --snapshot-interval 1 || exit 1
check "the restart replayed both from the journal (no snapshot)" \
    grep -Eq 'loaded state=[^ ]+ sessions=2 snapshot_sessions=0 ' "$T/server.log"
check_eq "after it: both sessions, COMPLETE, their creators" \
    "alice/payroll COMPLETE alice|bob/payroll COMPLETE bob" \
    "$(client carol list | awk '{ print $1, $2, $6 }' | paste -sd'|')"
if wait_for sh -c "test -s '$T/state/snapshot.bin' && grep -qa bob/payroll '$T/state/snapshot.bin'"; then
	ok "a snapshot holds both"
else not_ok "a snapshot holds both"; fi
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --snapshot-interval 3600 || exit 1
check "the next restart loaded both from the snapshot" \
    grep -Eq 'loaded state=[^ ]+ sessions=2 snapshot_sessions=2 ' "$T/server.log"
check_eq "after a restart from the snapshot: both still there" \
    "alice/payroll COMPLETE alice|bob/payroll COMPLETE bob" \
    "$(client carol list | awk '{ print $1, $2, $6 }' | paste -sd'|')"
check_eq "and each resolves for its own party: alice's and dave's bare payroll" \
    "7|70" \
    "$( { client alice result payroll --invite "$(invite_of alice/payroll)";
          client dave result payroll --invite "$(invite_of bob/payroll)"; } 2>/dev/null | paste -sd'|')"
probe alice/payroll >"$T/restart-q.out" 2>&1
check_eq "erin's answers after the restarts are still those for a missing id" \
    "$(cat "$T/before-q.out")" "$(cat "$T/restart-q.out")"

finish
