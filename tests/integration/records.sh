#!/usr/bin/env bash
# records.sh: a party's own records (--state, docs/PARTY-STATE.md) keep it
# from contradicting itself across crashes and commands (issue 11 point 5):
#   - a party killed mid-session and run again with its state folder goes
#     on where it stood: the session completes with the right sum and the
#     server records no conflicting statement; run again with another
#     input it refuses, naming the input recorded;
#   - an input already shared in another instance of the same session id
#     (the server lost the session, which was created again) is refused
#     without --reuse-input, and shared with it;
#   - a party whose records were lost refuses to act again in a session
#     the server holds its statements in;
#   - --state DIR moves the folder, and it is the party's alone;
#   - and what an honest party's records prevent, a dishonest one does: a
#     scripted mallory (tests/tools/v2party.py) signs two SUBMITs, and
#     `status` and `result --json` show the conflict, verified here; her
#     ciphertexts, filler, do not open, and each recipient reports it,
#     naming her and her SUBMIT (evidence, not proof), and posts nothing.
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
	bail "python3-cryptography is not installed (scripts/install-deps.sh)"
python_proto || bail "protoc --python_out failed"
make_certs alice bob carol mallory || bail "mkcerts.sh failed"
start_server || bail "server did not start"

# status_of SESSION KEY: KEY of the session's status, as alice sees it.
status_of() {
	client alice --json status "$1" 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin); v = d.get(sys.argv[1], "(no status: %s)" % d)
print(",".join(v) if isinstance(v, list) else v)' "$2"
}

# ---- a party restarted mid-session ---------------------------------------
check "create r1" client alice create r1 --parties alice,bob,carol --threshold 1
bgc r1-alice alice run r1 -- 40
apid=$BG
for _ in $(seq 1 200); do
	[ "$(status_of r1 shared)" = alice ] && break
	sleep 0.05
done
check_eq "alice's run shared, and waits for the others" "alice" "$(status_of r1 shared)"
kill -9 "$apid"; wait "$apid" 2>/dev/null
check_fails "alice, run again with another input, refuses it" \
    "already recorded sharing the input .* refusing to share another" client alice run r1 -- 41
check_fails "... and share says it shared already" "already shared an input in session alice/r1" \
    client alice share r1 41
bgc r1-alice2 alice run r1 -- 40
apid=$BG
bgc r1-bob bob run r1 -- 2
bpid=$BG
check "carol runs r1" client carol run r1 -- -1
check_eq "carol's run prints the sum" "41" "$(cat "$T/last.out")"
for p in alice bob; do
	pid=$apid; [ "$p" = bob ] && pid=$bpid
	if wait "$pid"; then
		check_eq "$p's run prints the sum (alice restarted)" "41" "$(cat "$T/r1-$p"*.out | tail -n 1)"
	else
		not_ok "$p's run (alice restarted)" "$(tail -n 3 "$T/r1-$p"*.err)"
	fi
done
check_eq "the server holds no conflicting statement from anyone" "" "$(status_of r1 conflicts)"
check_eq "r1 is complete" "COMPLETE" "$(status_of r1 phase)"

# ---- the same input in a second instance of the session id --------------
check "create r2" client alice create r2 --parties alice,bob,carol --threshold 1
check "alice shares 7 in r2" client alice share r2 7
first=$(invite_of r2)
# The server loses r2 (another state folder): r2 is created again, a new nonce.
stop_server
start_server --state-dir "$T/state2" || bail "server did not start again"
check "create r2 again (another instance)" client alice create r2 --parties alice,bob,carol --threshold 1
if [ "$(invite_of r2)" != "$first" ]; then ok "... under another invite code"
else not_ok "... under another invite code" "the same: $first"; fi
check_fails "alice's same input in the second instance is refused without --reuse-input" \
    "already shared this input in another instance of a session named r2, in this or another creator's namespace \\($first\\).*--reuse-input" \
    client alice share r2 7
check_eq "... and nothing was sent" "" "$(status_of r2 shared)"
check "another input is shared" client bob share r2 7
check "with --reuse-input, alice shares it anyway" client alice share r2 --reuse-input 7
check_eq "r2 holds both" "alice,bob" "$(status_of r2 shared)"

# ---- records lost ---------------------------------------------------------
check "create r3" client alice create r3 --parties alice,bob,carol --threshold 1
check "bob shares in r3" client bob share r3 3
rm -rf "$XDG_STATE_HOME/secure-sum/bob"
check_fails "bob, his records lost, refuses to act in r3 again" \
    "records for session digest .* were lost: the server holds its SUBMIT" \
    client bob share r3 3
check_fails "... nor runs" "were lost" client bob run r3 -- 3

# ---- --state DIR ----------------------------------------------------------
check "create r4" client alice create r4 --parties alice,bob,carol --threshold 1
check "carol shares in r4 with --state" client carol --state "$T/carol-state" share r4 9
if ls "$T/carol-state"/d-* >/dev/null 2>&1; then ok "... her record is in that folder"
else not_ok "... her record is in that folder" "$(ls -la "$T/carol-state" 2>&1)"; fi
check_fails "that folder is carol's: bob may not use it" "another party|carol" \
    client bob --state "$T/carol-state" share r4 1
check_fails "carol, without it, has no record of r4 and refuses to go on" "were lost" \
    client carol share r4 9

# ---- a party that equivocates -------------------------------------------
v2() {
	local party=$1; shift
	/usr/bin/python3 "$ROOT/tests/tools/v2party.py" --certs "$T/certs" --party "$party" "$@"
}
check "create r5 with mallory" client alice create r5 --parties alice,bob,mallory --threshold 1
P5=(--parties alice,bob,mallory --threshold 1 --length 1 --min-cohort 3 --nonce "$(nonce_of r5)")
D5=$(v2 mallory digest alice/r5 "${P5[@]}")
rawclient "$ADDR" "$T/certs/mallory.crt" "$T/certs/mallory.key" "$(v2 mallory publish)" >/dev/null 2>&1
first=$(rawclient "$ADDR" "$T/certs/mallory.crt" "$T/certs/mallory.key" \
    "$(v2 mallory submit alice/r5 --d "$D5" --position 3 --fill 1 "${P5[@]}")" 2>&1)
second=$(rawclient "$ADDR" "$T/certs/mallory.crt" "$T/certs/mallory.key" \
    "$(v2 mallory submit alice/r5 --d "$D5" --position 3 --fill 2 "${P5[@]}")" 2>&1)
check_eq "mallory's two SUBMITs: the first taken, the second ALREADY_EXISTS" "OK ALREADY_EXISTS" \
    "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["code"], json.loads(sys.argv[2])["code"])' "$first" "$second" 2>&1)"
check "status as bob" client bob status r5
if grep -Eq '^conflicts: mallory signed two different SUBMIT statements, SHA-256 [0-9a-f]{16}\.\.\. and [0-9a-f]{16}\.\.\. \(both verified here: proof\)$' "$T/last.out"; then
	ok "status shows the conflict, verified here"
else
	not_ok "status shows the conflict, verified here" "$(grep '^conflicts' "$T/last.out")"
fi
# conflicts_of: the conflicts of a JSON answer on stdin, without their bytes.
conflicts_of() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
c = [{k: x[k] for k in ("party", "type", "verified")} for x in d.get("conflicts", [])]
print(d.get("label"), json.dumps(d.get("sum")), json.dumps(c, separators=(",", ":")))'
}
check_eq "status --json too" 'None null [{"party":"mallory","type":"SUBMIT","verified":true}]' \
    "$(client bob --json status r5 2>/dev/null | conflicts_of)"
check_eq "... with both statements, body and signature, for whoever checks" "2 2" \
    "$(client bob --json status r5 2>/dev/null | python3 -c 'import json, sys
c = json.load(sys.stdin)["conflicts"][0]
print(sum(1 for k in ("first", "second") if c[k]["body"].startswith("7365637572652d73756d2f7632205355424d495400")),
      sum(1 for k in ("first", "second") if len(c[k]["signature"]) > 100))')"
check "alice shares in r5" client alice share r5 1
check "bob shares in r5" client bob share r5 2
# The cohort is fixed; mallory signs it over what the others hold, so that
# the session completes and result has a verdict to show the conflict with.
sumpoints_start r5 alice bob
for _ in $(seq 1 100); do
	client bob status r5 2>/dev/null | grep -q '^phase: AGGREGATING$' && break
	sleep 0.05
done
rawclient "$ADDR" "$T/certs/mallory.crt" "$T/certs/mallory.key" \
    '{"id":65,"method":"GET_SHARE","get_share":{"session_id":"r5","party":"mallory"}}' \
    >"$T/r5-shares.json" 2>&1
cohort=$(rawclient "$ADDR" "$T/certs/mallory.crt" "$T/certs/mallory.key" \
    "$(v2 mallory cohort alice/r5 --d "$D5" --members 1,2,3 --shares "$T/r5-shares.json" "${P5[@]}")" 2>&1)
check_eq "mallory signs the cohort" "OK" \
    "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["code"])' "$cohort" 2>&1)"
# mallory's ciphertexts are filler: no one can open them. Each recipient
# reports it, naming mallory and her SUBMIT, and posts nothing.
i=0
for p in alice bob; do
	if wait "${SP_PIDS[$i]}"; then
		not_ok "$p refuses mallory's share" "it posted"
	elif grep -q "the share from mallory does not open (it fails authentication): reported by $p, naming dealer mallory and its SUBMIT (SHA-256 [0-9a-f]\{64\}); evidence, not proof; no sumpoint posted" "$T/sp-r5-$p.err"; then
		ok "$p refuses mallory's share: reported by $p, naming mallory and her SUBMIT"
	else
		not_ok "$p refuses mallory's share, reporting it" "$(tail -n 2 "$T/sp-r5-$p.err")"
	fi
	i=$((i + 1))
done
check_eq "result --json: no sum, and the conflict, verified" \
    'too few sumpoints null [{"party":"mallory","type":"SUBMIT","verified":true}]' \
    "$(client alice --json result r5 2>/dev/null | conflicts_of)"

finish
