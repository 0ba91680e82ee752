#!/usr/bin/env bash
# lifecycle.sh: a session's end (issue 12 point 2). `delete` is its
# creator's at any time and any party's once it is COMPLETE or FAILED;
# anyone else is told what it is told of a missing session. `list` shows a
# party's sessions with phase, age, creator and expiry. A deleted or
# expired (--session-ttl) session leaves memory, journal and snapshot: no
# restart, clean or SIGKILL, brings it back. A SIGKILL while the delete
# record waits for its fdatasync (tests/tools/fsync_gate.c holds it) loses
# nothing: the retried delete finds the session gone and says so.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol dave || exit 1
start_server --snapshot-interval 1 || exit 1

# ids long enough to be told apart in the snapshot's bytes
check "alice creates doomed-payroll-1" \
    client alice create doomed-payroll-1 --parties alice,bob,carol --threshold 1
check "alice creates done-survey-2" \
    client alice create done-survey-2 --parties alice,bob --threshold 1
check "bob creates kept-census-3" \
    client bob create kept-census-3 --parties bob,carol --threshold 1

check_eq "alice lists her two sessions, oldest first, as SHARING, creator alice" \
    "alice/doomed-payroll-1 SHARING alice|alice/done-survey-2 SHARING alice" \
    "$(client alice list | awk '{ print $1, $2, $6 }' | paste -sd'|')"
client carol --json list >"$T/carol.json" 2>"$T/carol.err"
check_eq "carol's --json list: her two sessions, creators, parties, an age, an expiry" \
    "alice/doomed-payroll-1 alice 3 ok|bob/kept-census-3 bob 2 ok" \
    "$(python3 -c '
import json, sys, time
d = json.load(open(sys.argv[1]))
for s in d["sessions"]:
    ok = 0 <= s["age_seconds"] < 600 and s["expires_unix"] > time.time() + 29 * 86400
    print(s["session"], s["creator"], s["parties"], "ok" if ok else s)
' "$T/carol.json" | paste -sd'|')"
check_eq "dave is in no session" "no sessions of dave" "$(client dave list)"
check_eq "dave's --json list is empty" '{"version":1,"sessions":[]}' "$(client dave --json list)"

# An outsider learns nothing: the same answer as for a missing session.
client dave delete doomed-payroll-1 >/dev/null 2>"$T/dave1.err"; rc1=$?
client dave delete doomed-payroll-9 >/dev/null 2>"$T/dave2.err"; rc2=$?
check_eq "dave's delete of an existing and of a missing session: the same failure (exit 4, not found)" \
    "4 4 $(sed 's/doomed-payroll-9/ID/' "$T/dave2.err")" \
    "$rc1 $rc2 $(sed 's/doomed-payroll-1/ID/' "$T/dave1.err")"
check_fails "bob may not delete alice's session while it is SHARING" \
    "only its creator may delete it" client bob delete doomed-payroll-1
client alice delete doomed-payroll-1 --trace "$T/del.trace" >"$T/del.out" 2>"$T/del.err"
check_eq "alice, its creator, deletes it (by its NAME; the line names its id)" \
    "deleted session alice/doomed-payroll-1" \
    "$(sed 's/ (.*//' "$T/del.out")"
check_eq "--trace records the deletion (SHA-256 of the session id)" \
    "OK DeleteSession alice/doomed-payroll-1 alice $(printf %s alice/doomed-payroll-1 | sha256sum | cut -d' ' -f1)" \
    "$(cat "$T/del.trace")"
check_fails "it is gone for bob" "does not exist" client bob status doomed-payroll-1
check_eq "and from alice's list" "alice/done-survey-2" "$(client alice list | awk '{ print $1 }')"

# Any party once it is COMPLETE.
bgc runa alice run done-survey-2 5; ra=$BG
bgc runb bob run done-survey-2 7; rb=$BG
wait "$ra"; sa=$?; wait "$rb"; sb=$?
check_eq "done-survey-2 runs to its sum" "0 0 12" "$sa $sb $(cat "$T/runa.out")"
check_eq "bob, not its creator, deletes it once COMPLETE" \
    '{"version":1,"session":"alice/done-survey-2","deleted":true}' \
    "$(client bob --json delete done-survey-2 | sed 's/,"released_bytes":[0-9]*//')"

# The next snapshot no longer holds them; no restart brings them back.
if wait_for sh -c "test -s '$T/state/snapshot.bin' &&
    ! grep -qa -e doomed-payroll-1 -e done-survey-2 '$T/state/snapshot.bin'"; then
	ok "the next snapshot holds neither deleted session"
else not_ok "the next snapshot holds neither deleted session"; fi
check "the kept session is in it" grep -qa kept-census-3 "$T/state/snapshot.bin"
stop_server
start_server --snapshot-interval 3600 || exit 1
check_eq "after a clean restart: alice has no session, carol kept-census-3" \
    "no sessions of alice|bob/kept-census-3" \
    "$( { client alice list; client carol list | awk '{ print $1 }'; } | paste -sd'|')"
check "the deleted id may be created again" \
    client alice create doomed-payroll-1 --parties alice,bob --threshold 1
check "and deleted again" client alice delete doomed-payroll-1
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --snapshot-interval 3600 || exit 1
check_fails "after a SIGKILL (the journal's delete record alone) it stays gone" \
    "does not exist" client alice status doomed-payroll-1
PORT=${ADDR##*:}
stop_server

# A SIGKILL while the delete record waits for its fdatasync.
use_gate fsync_gate FSYNC_GATE_DIR --snapshot-interval 3600 || { finish; exit; }
start_gated --listen "127.0.0.1:$PORT" || exit 1
bgc kdel bob --wait delete kept-census-3; kd=$BG
if wait_for grep -qxs "enter 1" "$GATE/log"; then ok "the delete's record reached fdatasync"
else not_ok "the delete's record reached fdatasync" "$(cat "$T/server.log")"; fi
check_eq "no answer yet" "" "$(cat "$T/kdel.out")"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --listen "127.0.0.1:$PORT" --snapshot-interval 3600 || exit 1
if wait "$kd"; then ok "the retried delete succeeds after the restart"
else not_ok "the retried delete succeeds after the restart" "$(cat "$T/kdel.err")"; fi
# Its id as the server named it, or as typed when the answer was lost.
check_eq "it says the session is gone" "deleted session kept-census-3" \
    "$(sed 's/ (.*//; s|session bob/|session |' "$T/kdel.out")"
check_eq "carol has no session left" "no sessions of carol" "$(client carol list)"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --listen "127.0.0.1:$PORT" --snapshot-interval 3600 || exit 1
check_eq "nor after another SIGKILL" "no sessions of carol" "$(client carol list)"
stop_server

# A deletion while a large GetShare answer is still being sent from the
# session's memory (a slow reader: 4 KiB read of 16 MB): it goes out whole,
# the same bytes as before the deletion, and the server goes on.
start_server --state-dir "$T/big" --snapshot-interval 3600 || exit 1
python_proto
seq 1 1000000 >"$T/million"
check "alice creates big-5 (length 10^6)" \
    client alice create big-5 --parties alice,bob --threshold 1 --length 1000000
check "alice and bob share: the cohort is fixed" \
    sh -c "'$CLIENT_BIN' --server '$ADDR' --certs '$T/certs' --party alice share big-5 \
    --input '$T/million' >/dev/null && '$CLIENT_BIN' --server '$ADDR' --certs '$T/certs' \
    --party bob share big-5 --input '$T/million' >/dev/null"
GS='{"id":5,"method":"GET_SHARE","get_share":{"session_id":"big-5","party":"alice"}}'
held_get() {
	rawclient "$ADDR" "$T/certs/alice.crt" "$T/certs/alice.key" --timeout 30 "$@" "$GS"
}
held_get >"$T/gs1.out" 2>"$T/gs1.err"
check_eq "alice's GetShare: OK, two shares" "OK 2" \
    "$(python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["code"], len(r["body"]["get_share"]["shares"]))' <"$T/gs1.out")"
held_get --rcvbuf 65536 --pause-after 4096 --go "$T/go" >"$T/gs2.out" 2>"$T/gs2.err" &
slow=$!; PIDS+=("$slow")
if wait_for grep -q paused "$T/gs2.err"; then ok "a slow reader holds most of the answer in the server"
else not_ok "a slow reader holds most of the answer in the server" "$(cat "$T/gs2.err")"; fi
check "alice deletes big-5 meanwhile" client alice delete big-5
touch "$T/go"
if wait "$slow"; then ok "the answer in flight arrives whole"
else not_ok "the answer in flight arrives whole" "$(cat "$T/gs2.err")"; fi
check_eq "with the very bytes sent before the deletion" \
    "$(sha256sum <"$T/gs1.out")" "$(sha256sum <"$T/gs2.out")"
check_eq "the server goes on: big-5 is gone" "no sessions of bob" "$(client bob list)"
stop_server

# --session-ttl: an idle session is dropped, for good.
start_server --state-dir "$T/ttl" --session-ttl 2 --snapshot-interval 3600 || exit 1
check "alice creates a session on a server with --session-ttl 2" \
    client alice create idle-4 --parties alice,bob --threshold 1
if wait_for sh -c "'$REAL_CLIENT_BIN' --server '$ADDR' --certs '$T/certs' --party bob list |
    grep -q '^no sessions of bob'"; then ok "idle for 2 s, it is dropped"
else not_ok "idle for 2 s, it is dropped" "$(client bob list)"; fi
if wait_for grep -q 'dropped 1 session(s) idle for --session-ttl 2 s' "$T/server.log"
then ok "the server logs the drop"; else not_ok "the server logs the drop" "$(tail -n 3 "$T/server.log")"; fi
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --state-dir "$T/ttl" --snapshot-interval 3600 || exit 1
check_eq "a SIGKILL and a restart without --session-ttl do not bring it back" \
    "no sessions of bob" "$(client bob list)"
check_fails "--session-ttl takes 0 to 315360000" "session-ttl wants a whole number" \
    "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" --state-dir "$T/x" \
    --session-ttl 315360001
finish
