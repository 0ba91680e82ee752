#!/usr/bin/env bash
# adversary.sh: issue 11's attacks by a lying server on real version-2
# clients, through the man in the middle of tests/adversary/ (mitm.py): each
# ends with every honest party refusing, or printing the same correct sum
# with the right label. Squatting needs no lie from the server; the others
# are the server showing different cohorts to different parties, firing the
# deadline early, making up or withholding sumpoints, an empty cohort or
# one that differs between calls, a version-1 session, a party's own
# submission hidden from it (and two of its `share` commands at once, where
# no lie is needed), an input shared again in a second instance of a
# session id after the server dropped a party, and in a corrupt party's
# copy of a session pinned by flags. (The mutation of each kind of item relayed is adversary_matrix.sh;
# colluding parties are adversary_parties.sh.)
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/adversary/harness.sh"

VIA_TIMEOUT=${VIA_TIMEOUT:-15}

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol dave erin mallory || bail "mkcerts.sh failed"
own_certs alice bob carol dave erin mallory
need_client
need_v2
start_server || bail "server did not start"
start_mitm || bail "mitm.py did not start"

# no_sum_in NAME...: none of those outputs holds a sum.
no_sum_in() {
	local n
	for n in "$@"; do grep -q '"sum"' "$T/$n.out" 2>/dev/null && return 1; done
	return 0
}

if /usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import v2; v2.self_check()' \
    "$ADV" 2>"$T/self-check.err"; then
	ok "harness: v2.py reproduces tests/data/v2-vectors.txt and RFC 9180's auth-mode vector"
else
	not_ok "harness: v2.py reproduces tests/data/v2-vectors.txt and RFC 9180's auth-mode vector" \
	    "$(tail -n 3 "$T/self-check.err")"
fi

# ---- control: the man in the middle relaying ----------------------------------
create relay alice --parties alice,bob,carol --threshold 1 || not_ok "control: alice creates relay"
run_all relay alice=1000 bob=20 carol=300
outcomes "control: through the man in the middle, relaying, every party prints the verified sum" \
    relay "verified 1320" alice bob carol

# ---- squatting (an honest server) -------------------------------------------------
# mallory creates payroll first, with bob and herself and t = 1: it is
# mallory/payroll (docs/PROTOCOL.md 2.1), and alice's create is not
# squatted. bob, who agreed to alice's parameters (given as flags, nonce
# included), refuses mallory's session when pointed at it and shares nothing.
check "squatting: mallory creates payroll (bob, mallory; t = 1) first" \
    via mallory create payroll --parties bob,mallory --threshold 1
check "squatting: alice's create of payroll is hers, alice/payroll" \
    via alice create payroll --parties alice,bob,carol --threshold 1
check_fails "squatting: bob refuses to run mallory/payroll, showing the parameters the server holds" \
    'bob,mallory' via bob run mallory/payroll --parties alice,bob,carol --threshold 1 \
    --nonce 00112233445566778899aabbccddeeff --min-cohort 3 -- 61000
out=$(via mallory --json status mallory/payroll 2>&1)
check_eq "squatting: ... and bob shared nothing in mallory's session" "[]" \
    "$(/usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("shared", []))' "$out" 2>&1)"

# ---- a version-1 session ------------------------------------------------------------
# The server reports payroll2's parameters without their nonce: a
# version-1 session, which nothing pins.
create v1 alice --parties alice,bob --threshold 1 || not_ok "control: alice creates v1"
rule v1 '[{"do": "params", "set": {"nonce": ""}}]'
step v1-bob bob run v1 -- 5
wait_all "$BG"
delivered "a session reported without its nonce" v1 'nonce' &&
    refuses "a session reported without its nonce (version 1): bob refuses to act on it" \
    v1-bob 'without a nonce'

# ---- cohort equivocation, one cohort ---------------------------------------------
# bob and carol are shown the cohort {alice} and only alice's share.
create eq1 alice --parties alice,bob,carol --threshold 1 || not_ok "control: alice creates eq1"
rule eq1 '[{"do": "cohort", "cohort": ["alice"], "to": ["bob", "carol"]}]'
run_all eq1 alice=1000 bob=20 carol=300
judge "equivocation, one cohort {alice}: bob and carol refuse it" eq1 \
    'refused: .*fewer than its min_cohort.*' bob carol
outcomes "... and alice, shown the real cohort, refuses to go on without their COHORTs" eq1 \
    'refused: .*COHORT signatures of: bob, carol' alice
check "... and no one printed a sum (alice's input)" no_sum_in eq1-alice eq1-bob eq1-carol

# ---- cohort equivocation, two cohorts {V} u S and S -----------------------------------
# n = 4, t = 1, min_cohort 2, a deadline that has passed when the cohort is
# checked: size and deadline checks pass. alice and bob are shown {alice,
# bob, carol}, carol and dave {bob, carol}; the man in the middle keeps the
# COHORTs posted and shows each group only those of its cohort's members.
create eq2 alice --parties alice,bob,carol,dave --threshold 1 --min-cohort 2 --deadline 6 ||
    not_ok "control: alice creates eq2"
deadline=$(( $(date +%s) + 6 ))    # no earlier than the one create set
rule eq2 '[{"do": "cohort", "cohort": ["alice", "bob", "carol"], "to": ["alice", "bob"]},
           {"do": "board_cohorts", "cohort": ["alice", "bob", "carol"], "to": ["alice", "bob"]},
           {"do": "cohort", "cohort": ["bob", "carol"], "to": ["carol", "dave"]},
           {"do": "board_cohorts", "cohort": ["bob", "carol"], "to": ["carol", "dave"]}]'
pids=()
for pv in alice=1000 bob=20 carol=300 dave=4000; do
	step "eq2-share-${pv%%=*}" "${pv%%=*}" share eq2 -- "${pv#*=}"
	pids+=("$BG")
done
wait_all "${pids[@]}"
past "$deadline"
pids=()
for p in alice bob carol dave; do step "eq2-$p" $p sumpoint eq2; pids+=("$BG"); done
wait_all "${pids[@]}"
judge "equivocation, two cohorts {alice,bob,carol} and {bob,carol}: every party refuses" \
    eq2 'refused: .*(signed another cohort|leaves out this party).*' alice bob carol dave

# ---- the deadline fired early ---------------------------------------------------------
# n = 4, min_cohort 3, deadline in 120 s: three have shared when the man in
# the middle reports the cohort fixed without dave, answering GetShare from
# the shares it relayed.
create early alice --parties alice,bob,carol,dave --threshold 1 --min-cohort 3 --deadline 120 ||
    not_ok "control: alice creates early"
pids=()
for pv in alice=1000 bob=20 carol=300; do
	step "early-share-${pv%%=*}" "${pv%%=*}" share early -- "${pv#*=}"
	pids+=("$BG")
done
wait_all "${pids[@]}"
rule early '[{"do": "cohort", "cohort": ["alice", "bob", "carol"], "phase": "AGGREGATING"},
             {"do": "answer_shares", "cohort": ["alice", "bob", "carol"]}]'
pids=()
for p in alice bob carol; do step "early-$p" $p sumpoint early; pids+=("$BG"); done
wait_all "${pids[@]}"
judge "the deadline fired early by the server: every party refuses the cohort" \
    early 'refused: .*before its deadline.*' alice bob carol

# ---- sumpoints: made up, withheld; cohorts: empty, or another ---------------------------
create fab alice --parties alice,bob,carol --threshold 1 || not_ok "control: alice creates fab"
rule fab '[{"do": "fabricate_sumpoints", "secret": 4242}]'
run_all fab alice=1000 bob=20 carol=300
judge "fabricated sumpoints: every party refuses (no point signed by its poster)" fab \
    'refused: .*0 sumpoints taken.*more listed but ignored.*' alice bob carol

# n = 5, t = 1: the quorum is floor(5/2) + 1 + 1 = 4.
create held alice --parties alice,bob,carol,dave,erin --threshold 1 || not_ok "control: alice creates held"
rule held '[{"do": "sumpoints", "keep": ["alice", "bob", "carol"]}]'
run_all held alice=1000 bob=20 carol=300 dave=4000 erin=50000
judge "withheld sumpoints (3 of 5 shown, quorum 4): every party prints the sum unverified" \
    held "unverified 55320" alice bob carol dave erin
step held-strict alice result held --require-verified
wait_all "$BG"
refuses "... and result --require-verified refuses it" held-strict 'require-verified'
rule held '[{"do": "sumpoints", "keep": ["alice", "bob", "carol", "dave"]}]'
step held-4 bob result held
wait_all "$BG"
check_eq "withheld sumpoint (4 of 5 shown, quorum 4): the sum is still verified" \
    "verified 55320" "$(outcome held-4)"

# The cohort in ListSumpoints: empty, or not GetStatus's.
rule relay '[{"do": "cohort", "cohort": []}]'
step relay-empty carol result relay
wait_all "$BG"
delivered "an empty cohort" relay 'cohort shown: \[\]' &&
    refuses "an empty cohort in GetStatus and ListSumpoints: result refuses" relay-empty \
    'has 0 members, fewer than its min_cohort'
rule relay '[{"do": "cohort", "cohort": ["alice", "bob"], "methods": ["LIST_SUMPOINTS"]}]'
step relay-other carol result relay
wait_all "$BG"
delivered "ListSumpoints' cohort differs from GetStatus's" relay 'cohort shown: \[alice,bob\]' &&
    refuses "ListSumpoints' cohort differs from GetStatus's: result refuses" relay-other \
    'not the one its status shows'

# ---- a party's own submission hidden from it; two of its commands at once ----------------
# The server keeps alice's SubmitShares but shows her as not having shared:
# a second `share` (or `run`) must send the very same SUBMIT again, not sign
# another, which every reader would take as proof that alice cheated.
create hide alice --parties alice,bob,carol --threshold 1 || not_ok "control: alice creates hide"
step hide-1 alice share hide -- 1000
wait_all "$BG"
check_eq "control: alice shares in hide" "(no sum)" "$(outcome hide-1)"
rule hide '[{"do": "hide_shared", "who": "alice", "to": ["alice"]}]'
step hide-2 alice share hide -- 1000
wait_all "$BG"
delivered "alice's submission hidden from her" hide 'hid alice from shared'
# conflicts PARTY SESSION: the conflicts PARTY's status shows, as JSON.
conflicts() {
	via "$1" --json status "$2" 2>/dev/null | /usr/bin/python3 -c \
	    'import json, sys; print(json.dumps(json.loads(sys.stdin.read().strip().splitlines()[-1]).get("conflicts", [])))'
}
check_eq "her submission hidden, alice sends the same SUBMIT again: bob's status shows no conflict" \
    "[]" "$(conflicts bob hide)"
rule hide '[]'
run_all hide alice=1000 bob=20 carol=300
outcomes "... and every party prints the verified sum" hide "verified 1320" alice bob carol
# Two `share` commands of alice's at once, through an honest relay: one
# SUBMIT is on record, and both send it.
pids=()
for k in 1 2 3 4 5 6; do
	create "twice$k" alice --parties alice,bob,carol --threshold 1 ||
	    not_ok "control: alice creates twice$k"
	step "twice$k-a" alice share "twice$k" -- 1000
	pids+=("$BG")
	step "twice$k-b" alice share "twice$k" -- 1000
	pids+=("$BG")
done
wait_all "${pids[@]}"
got=""
for k in 1 2 3 4 5 6; do got+="$(conflicts bob "twice$k") "; done
check_eq "two shares of alice's at once, 6 times: no conflict in any session" "[] [] [] [] [] [] " "$got"

# ---- one input in two instances of a session id -----------------------------------------
# Instance 1 of pay (t = 1, min_cohort 2, a 6 s deadline): the server drops
# carol's SubmitShares, so the cohort is {alice, bob} and their sum is
# printed. Instance 2, on a fresh server with a new nonce: the same input
# again would give the server a second sum to subtract.
create pay alice --parties alice,bob,carol --threshold 1 --min-cohort 2 --deadline 6 ||
    not_ok "control: alice creates pay"
rule pay '[{"do": "drop", "methods": ["SUBMIT_SHARES"], "answer": "UNAVAILABLE", "to": ["carol"]}]'
VIA_TIMEOUT=10 run_all pay alice=1000 bob=20 carol=300
check_eq "control: instance 1 of pay closes without carol: alice prints alice+bob (2 < quorum 3)" \
    "unverified 1020" "$(outcome pay-alice)"
stop_mitm
start_server --state-dir "$T/state-2" || bail "second server did not start"
start_mitm || bail "mitm.py did not start"
create pay alice --parties alice,bob,carol --threshold 1 --min-cohort 2 --deadline 30 ||
    not_ok "control: alice creates pay again"
step pay2-alice alice share pay -- 1000
wait_all "$BG"
refuses "the same input in a second instance of pay: alice refuses to share it" pay2-alice \
    'already shared this input in another instance of a session named pay'
check "... saying why, and how to do it anyway (--reuse-input)" grep -q -- '--reuse-input' "$T/pay2-alice.err"
step pay2-alice-new alice share pay -- 1001
wait_all "$BG"
check_eq "control: another input in the second instance is shared" "(no sum)" \
    "$(outcome pay2-alice-new)"

# ---- one input in two creators' sessions of one name ------------------------------
# alice pins bonus by its parameters as flags, nonce included, and shares
# in alice/bonus. mallory, a party of it, creates mallory/bonus with the
# same parameters, which a server may answer alice's bare `bonus` with
# (here a fresh server that holds only mallory's, so even an honest one
# does): the same input again would give the server two sums to subtract.
BONUS=(--parties alice,bob,mallory --threshold 1 --nonce 0f1e2d3c4b5a69788796a5b4c3d2e1f0)
check "control: alice creates bonus with the parameters as flags" via alice create bonus "${BONUS[@]}"
bgvia bonus-alice alice --json share bonus "${BONUS[@]}" -- 1000
wait_all "$BG"
check_eq "control: alice shares in alice/bonus" "(no sum)" "$(outcome bonus-alice)"
stop_mitm
start_server --state-dir "$T/state-3" || bail "third server did not start"
start_mitm || bail "mitm.py did not start"
check "mallory creates bonus with alice's parameters: mallory/bonus" \
    via mallory create bonus "${BONUS[@]}"
bgvia bonus2-alice alice --json share bonus "${BONUS[@]}" -- 1000
wait_all "$BG"
refuses "the same input in mallory/bonus, reached by the bare name: alice refuses to share it" \
    bonus2-alice 'already shared this input in another instance of a session named bonus'
out=$(via mallory --json status mallory/bonus 2>&1)
check_eq "... and the server holds no share of alice's in mallory/bonus" "[]" \
    "$(/usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("shared", []))' "$out" 2>&1)"

finish
