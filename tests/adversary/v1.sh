#!/usr/bin/env bash
# v1.sh: the attacks of issue 11 on protocol version 1, reproduced with
# unmodified version-1 clients: a party squatting a session id (honest
# server), and, through the man in the middle (a lying server), cohort
# equivocation with one cohort and with two, fabricated sumpoints and an
# empty cohort, and sumpoints replayed from another session. Each test
# passes when the attack SUCCEEDS: the proof that the harness bites. Not
# part of `make test` (the version-2 client refuses
# version-1 sessions; tests/integration/adversary*.sh are the attacks
# failing); run it against version-1 binaries, e.g. those of commit 5fce1a6:
#
#   SERVER_BIN=/tmp/v1/bin/mpc-server CLIENT_BIN=/tmp/v1/bin/mpc-client \
#       bash tests/adversary/v1.sh
source "$(dirname "$0")/../integration/lib.sh"
source "$ROOT/tests/adversary/harness.sh"
V1=1

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol dave mallory || bail "mkcerts.sh failed"
need_client
start_server || bail "server did not start"
start_mitm --record "$T/responses.rec" || bail "mitm.py did not start"

# session S PARTY:V...: alice creates S of those parties (t = 1), each
# shares its V, then each posts its sumpoint, through the man in the middle.
session() {
	local s=$1 pv parties; shift
	parties=$(printf '%s\n' "$@" | cut -d: -f1 | paste -sd,)
	check "control: alice creates $s ($parties; t = 1)" \
	    via alice create "$s" --parties "$parties" --threshold 1
	for pv in "$@"; do via "${pv%%:*}" share "$s" "${pv#*:}" >/dev/null 2>&1; done
	for pv in "$@"; do via "${pv%%:*}" sumpoint "$s" >/dev/null 2>&1; done
}

# ---- squatting (honest server) --------------------------------------------
# mallory creates payroll with bob and herself, threshold 1, before alice.
check "mallory squats payroll with parties bob,mallory and threshold 1" \
    client mallory create payroll --parties bob,mallory --threshold 1
check_fails "alice's create of payroll gets ALREADY_EXISTS" 'ALREADY_EXISTS|already exists|different' \
    client alice create payroll --parties alice,bob,carol --threshold 1
bgc bob-run bob run payroll 61000
out=$(client mallory run payroll 0 2>&1)
wait_all "$BG"
check_eq "v1 squatting: bob's run joins without a word, and the sum tells mallory bob's input" \
    "61000" "$out"

# ---- cohort equivocation, one cohort ----------------------------------------
# bob and carol are shown the cohort {alice}: each posts f_alice(x_j), and
# result interpolates alice's input.
rule eq1 '[{"do": "cohort", "cohort": ["alice"], "to": ["bob", "carol"]},
           {"do": "sumpoints", "keep": ["bob", "carol"], "to": ["bob", "carol"]}]'
session eq1 alice:1000 bob:20 carol:300
out=$(via bob result eq1 2>/dev/null)
delivered "v1 equivocation with one cohort" eq1 'cohort shown: \[alice\]' &&
    check_eq "v1 equivocation with one cohort: bob's result prints alice's input" "1000" "$out"

# ---- cohort equivocation, two cohorts {V} u S and S ----------------------------
# V = alice, S = {bob, carol}; alice and bob see {alice, bob, carol}, carol
# and dave see {bob, carol}: each group reconstructs its cohort's sum, and
# the server subtracts.
rule eq2 '[{"do": "cohort", "cohort": ["alice", "bob", "carol"], "to": ["alice", "bob"]},
           {"do": "sumpoints", "keep": ["alice", "bob"], "to": ["alice", "bob"]},
           {"do": "cohort", "cohort": ["bob", "carol"], "to": ["carol", "dave"]},
           {"do": "sumpoints", "keep": ["carol", "dave"], "to": ["carol", "dave"]}]'
session eq2 alice:1000 bob:20 carol:300 dave:4000
s1=$(via bob result eq2 2>/dev/null)
s2=$(via carol result eq2 2>/dev/null)
delivered "v1 equivocation with two cohorts" eq2 'cohort shown: \[bob,carol\]' &&
    check_eq "v1 equivocation with two cohorts: bob's sum ($s1) minus carol's ($s2) is alice's input" \
    "1000" "$(( ${s1:-0} - ${s2:-0} ))"

# ---- fabricated sumpoints and an empty cohort ------------------------------------
session fab alice:1000 bob:20 carol:300
check_eq "control: with the man in the middle relaying, bob's result is the sum" \
    "1320" "$(via bob result fab 2>/dev/null)"
rule fab '[{"do": "fabricate_sumpoints", "secret": 4242, "to": ["bob"]},
           {"do": "cohort", "cohort": [], "to": ["carol"], "methods": ["LIST_SUMPOINTS"]}]'
out=$(via bob result fab 2>/dev/null)
delivered "v1 fabricated sumpoints" fab 'made up' &&
    check_eq "v1 fabricated sumpoints: bob's result prints the server's number" "4242" "$out"
out=$(via carol result fab 2>/dev/null)
delivered "v1 empty cohort" fab 'cohort shown: \[\]' &&
    check_eq "v1 empty cohort: carol's result prints a sum of an empty cohort" "1320" "$out"


# ---- sumpoints replayed from another session -----------------------------------
session rp alice:1 bob:2 carol:3
rule rp '[{"do": "mutate", "what": "sumpoints", "how": "replay", "from": "fab"}]'
out=$(via bob result rp 2>/dev/null)
delivered "v1 replayed sumpoints" rp 'replay' &&
    check_eq "v1 sumpoints replayed from session fab: bob's result of rp (1+2+3) prints fab's sum" "1320" "$out"

finish
