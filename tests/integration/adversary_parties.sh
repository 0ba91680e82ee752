#!/usr/bin/env bash
# adversary_parties.sh: issue 11's attacks by colluding parties (up to t,
# with the server on their side), played by tests/adversary/party.py
# against real mpc-clients: points chosen on a polynomial through honest
# points, one dealer spoiling three honest sumpoints, a dealer sharing two
# polynomials to two groups, a recipient falsely reporting an honest dealer,
# a dealer's garbage share, and a party signing two sumpoints. Each ends
# with every honest party refusing, or printing the same correct sum with
# the right label, and no honest party named.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/adversary/harness.sh"

VIA_TIMEOUT=${VIA_TIMEOUT:-20}
HONEST=(alice bob carol dave erin frank grace heidi ivan)

python_proto || bail "protoc --python_out failed"
make_certs "${HONEST[@]}" mallory trudy || bail "mkcerts.sh failed"
own_certs "${HONEST[@]}"
need_client
need_v2
start_server || bail "server did not start"
start_mitm || bail "mitm.py did not start"

# publish SESSION PARTY...: the colluders' PublishKey (their keys must be in
# the directory before honest parties share).
publish() {
	local s=$1 p pids=(); shift
	for p in "$@"; do mal "$s-pub-$p" "$p" publish "$s"; pids+=("$BG"); done
	wait_all "${pids[@]}"
}

# shares SESSION PARTY=V...: each PARTY shares V at once, mallory and trudy
# with party.py (as SESSION-share-PARTY), the others with `share`; waits.
shares() {
	local s=$1 pv p pids=(); shift
	for pv in "$@"; do
		p=${pv%%=*}
		case $p in
		mallory | trudy) mal "$s-share-$p" "$p" share "$s" "${pv#*=}" ;;
		*) step "$s-share-$p" "$p" share "$s" -- "${pv#*=}" ;;
		esac
		pids+=("$BG")
	done
	wait_all "${pids[@]}"
}

# honest_runs SESSION PARTY=V...: the honest parties' `run`, in the
# background; their pids in RUNS.
honest_runs() {
	local s=$1 pv; shift
	RUNS=()
	for pv in "$@"; do step "$s-${pv%%=*}" "${pv%%=*}" run "$s" -- "${pv#*=}"; RUNS+=("$BG"); done
}

# named_off SESSION PARTY...: the parties among PARTY... that an honest
# reader's result of SESSION (its JSON "points") names off the polynomial.
named_off() {
	local s=$1 r; shift
	for r in "${HONEST[@]}"; do
		[ -f "$T/$s-$r.out" ] || continue
		/usr/bin/python3 -c 'import json, sys
try:
    off = json.loads(open(sys.argv[1]).read().splitlines()[-1])["points"]["off"]
except (ValueError, IndexError, KeyError, TypeError):
    off = []
print("\n".join("%s (by %s)" % (p, sys.argv[2]) for p in off if p in sys.argv[3:]))' \
		    "$T/$s-$r.out" "$r" "$@"
	done
}

# ---- control: party.py behaving -----------------------------------------------------
create ctl alice --parties alice,bob,mallory --threshold 1 || not_ok "control: alice creates ctl"
publish ctl mallory
honest_runs ctl alice=1000 bob=20
mal ctl-share mallory share ctl 300; wait_all "$BG"
mal ctl-cohort mallory cohort ctl; c=$BG
mal ctl-sum mallory sumpoint ctl
wait_all "${RUNS[@]}" "$c" "$BG"
mal_did "control: party.py does each step" ctl-share ctl-cohort ctl-sum &&
    outcomes "control: party.py, behaving, and two real clients: both print the verified sum" \
    ctl "verified 1320" alice bob

# ---- colluders' points on a polynomial through honest points ----------------------------
# n = m = 5, t = 2, quorum 5. mallory and trudy (4, 5) post points of G,
# the polynomial through alice's and bob's sumpoints and (0, 999999): four
# points on G, three on the honest H. Neither has a quorum: inconsistent,
# every point suspect, carol not named (version 1 named her).
create poly alice --parties alice,bob,carol,mallory,trudy --threshold 2 ||
    not_ok "control: alice creates poly"
publish poly mallory trudy
shares poly alice=1000 bob=20 carol=300 mallory=7 trudy=9
pids=()
for p in alice bob carol; do step "poly-sp-$p" $p sumpoint poly; pids+=("$BG"); done
mal poly-cohort-m mallory cohort poly; pids+=("$BG")
mal poly-cohort-t trudy cohort poly; pids+=("$BG")
mal poly-sp-m mallory sumpoint poly --through alice,bob --zero 999999; pids+=("$BG")
mal poly-sp-t trudy sumpoint poly --through alice,bob --zero 999999; pids+=("$BG")
wait_all "${pids[@]}"
pids=()
for p in alice bob carol; do step "poly-$p" $p result poly; pids+=("$BG"); done
wait_all "${pids[@]}"
if mal_did "colluders on a polynomial through honest points" poly-sp-m poly-sp-t; then
	outcomes "colluders on a polynomial through honest points (n = m = 5, t = 2): every party finds the sumpoints inconsistent, no sum" \
	    poly inconsistent alice bob carol
	check_eq "... and no honest party is named off the polynomial" "" "$(named_off poly alice bob carol)"
fi

# ---- one dealer spoiling three honest sumpoints --------------------------------------------
# n = 10, t = 2, quorum 8: mallory's shares to alice, bob and carol are off
# her polynomial by 1. Seven points lie on one polynomial, three off it.
create spoil alice --parties "$(IFS=,; echo "${HONEST[*]}"),mallory" --threshold 2 ||
    not_ok "control: alice creates spoil"
publish spoil mallory
runs=()
for i in "${!HONEST[@]}"; do runs+=("${HONEST[$i]}=$((i * 100 + 1))"); done
honest_runs spoil "${runs[@]}"
mal spoil-share mallory share spoil 5 --bad alice=1 --bad bob=1 --bad carol=1; wait_all "$BG"
mal spoil-cohort mallory cohort spoil; c=$BG
mal spoil-sum mallory sumpoint spoil
wait_all "${RUNS[@]}" "$c" "$BG"
if mal_did "one dealer spoiling three honest sumpoints" spoil-share spoil-cohort spoil-sum; then
	outcomes "one dealer spoiling three honest sumpoints (n = 10, t = 2): every party finds the sumpoints inconsistent, no sum" \
	    spoil inconsistent "${HONEST[@]}"
	check_eq "... and no honest party is named off the polynomial" "" \
	    "$(named_off spoil "${HONEST[@]}")"
fi

# ---- a dealer sharing two polynomials to two groups -----------------------------------------
# n = 7, t = 2: mallory (6) submits shares of one polynomial to the server
# and gives the man in the middle a second SUBMIT with shares of another for
# dave and erin, which it shows them. trudy (7) colludes. The man in the
# middle keeps every COHORT from the real server (which would refuse dave's
# and erin's) and shows them all: the parties' own checks must hold.
create split alice --parties alice,bob,carol,dave,erin,mallory,trudy --threshold 2 ||
    not_ok "control: alice creates split"
publish split mallory trudy
rule split "[{\"do\": \"alt_submission\", \"file\": \"$T/split.alt\", \"to\": [\"dave\", \"erin\"]},
             {\"do\": \"board_cohorts\", \"cohort\": [\"alice\", \"bob\", \"carol\", \"dave\", \"erin\", \"mallory\", \"trudy\"]}]"
honest_runs split alice=1000 bob=20 carol=300 dave=4000 erin=50000
mal split-share-m mallory share split 5 --alt "$T/split.alt" --alt-for dave,erin --alt-value 500000
m=$BG
mal split-share-t trudy share split 9
wait_all "$m" "$BG"
mal split-cohort-m mallory cohort split; pids=("$BG")
mal split-cohort-t trudy cohort split; pids+=("$BG")
wait_all "${RUNS[@]}" "${pids[@]}"
judge "a dealer sharing two polynomials to two groups (n = 7, t = 2): every party refuses" \
    split 'refused: .*signed the cohort over other SUBMITs.*' alice bob carol dave erin

# ---- each reader shown a different consistent set ---------------------------------------------
# n = 7, t = 2, quorum 6; everyone deals honestly. mallory and trudy post
# their true sumpoints, and also sign second ones on the polynomial G
# through alice's and bob's and (0, 777). The server shows alice, bob and
# carol all seven true sumpoints, and dave and erin {alice, bob, mallory',
# trudy'}: four points on G, consistent, short of the quorum. A verified sum
# is the true one; the lie can only be printed unverified, which says that
# other readers may see another sum.
create sets alice --parties alice,bob,carol,dave,erin,mallory,trudy --threshold 2 ||
    not_ok "control: alice creates sets"
publish sets mallory trudy
shares sets alice=1000 bob=20 carol=300 dave=4000 erin=50000 mallory=7 trudy=9
pids=()
for p in alice bob carol dave erin; do step "sets-sp-$p" $p sumpoint sets; pids+=("$BG"); done
for p in mallory trudy; do
	mal "sets-cohort-$p" $p cohort sets; pids+=("$BG")
	mal "sets-sp-$p" $p sumpoint sets; pids+=("$BG")
	mal "sets-alt-$p" $p sumpoint sets --through alice,bob --zero 777 --alt "$T/sets-$p.alt"
	pids+=("$BG")
done
wait_all "${pids[@]}"
rule sets "[{\"do\": \"alt_sumpoints\", \"files\": [\"$T/sets-mallory.alt\", \"$T/sets-trudy.alt\"], \"to\": [\"dave\", \"erin\"]},
            {\"do\": \"sumpoints\", \"keep\": [\"alice\", \"bob\", \"mallory\", \"trudy\"], \"to\": [\"dave\", \"erin\"]}]"
pids=()
for p in alice bob carol dave erin; do step "sets-$p" $p result sets; pids+=("$BG"); done
wait_all "${pids[@]}"
if mal_did "each reader shown a different consistent set" sets-alt-mallory sets-alt-trudy &&
    delivered "each reader shown a different consistent set" sets 'second sumpoint'; then
	outcomes "each reader shown a different consistent set (n = 7, t = 2): readers shown seven print the verified sum" \
	    sets "verified 55336" alice bob carol
	outcomes "... readers shown four on another polynomial print its sum 777 unverified, never verified" \
	    sets "unverified 777" dave erin
fi

# ---- a recipient falsely reporting an honest dealer ------------------------------------------
# n = 5, t = 1, quorum 4: mallory says alice's share did not open and posts
# no sumpoint. Nothing signed by alice says otherwise: alice is not blamed,
# and the four honest sumpoints make the verified sum.
create report alice --parties alice,bob,carol,dave,mallory --threshold 1 ||
    not_ok "control: alice creates report"
publish report mallory
honest_runs report alice=1000 bob=20 carol=300 dave=4000
mal report-share mallory share report 7; wait_all "$BG"
mal report-cohort mallory cohort report
wait_all "${RUNS[@]}" "$BG"
if mal_did "a recipient falsely reporting an honest dealer" report-share report-cohort; then
	outcomes "a recipient falsely reporting an honest dealer: every party prints the verified sum" \
	    report "verified 5327" alice bob carol dave
	out=$(via bob --json status report 2>&1)
	check "... and status shows no conflict: alice is not blamed" \
	    /usr/bin/python3 -c 'import json, sys; sys.exit(1 if json.loads(sys.argv[1]).get("conflicts") else 0)' "$out"
fi

# ---- a dealer's garbage share ---------------------------------------------------------------
# n = 4, t = 1, quorum 4: mallory's ciphertext to bob is random bytes, with
# a SUBMIT that names them. bob reports mallory (evidence, not proof) and
# posts no sumpoint; alice and carol print the sum, unverified.
create garb alice --parties alice,bob,carol,mallory --threshold 1 || not_ok "control: alice creates garb"
publish garb mallory
honest_runs garb alice=1000 bob=20 carol=300
mal garb-share mallory share garb 7 --garbage bob; wait_all "$BG"
mal garb-cohort mallory cohort garb; c=$BG
mal garb-sum mallory sumpoint garb
wait_all "${RUNS[@]}" "$c" "$BG"
if mal_did "a dealer's garbage share" garb-share garb-cohort garb-sum; then
	outcomes "a dealer's garbage share: alice and carol print the sum unverified" \
	    garb "unverified 1327" alice carol
	refuses "... bob refuses, reporting mallory as the dealer of the share that did not open" \
	    garb-bob 'share from mallory does not open.*reported by bob, naming dealer mallory and its SUBMIT' 
fi

# ---- two sumpoints signed by one party -------------------------------------------------------
# mallory signs and posts a second SUMPOINT with other values: the server
# keeps the first; the two statements are proof, shown by status.
create conf alice --parties alice,bob,mallory --threshold 1 || not_ok "control: alice creates conf"
publish conf mallory
honest_runs conf alice=1000 bob=20
mal conf-share mallory share conf 300; wait_all "$BG"
mal conf-cohort mallory cohort conf; c=$BG
mal conf-sum mallory sumpoint conf; wait_all "$c" "$BG"
mal conf-second mallory conflict conf sumpoint; wait_all "$BG" "${RUNS[@]}"
if mal_did "two sumpoints signed by mallory" conf-share conf-cohort conf-sum conf-second; then
	outcomes "two sumpoints signed by mallory: the first stands, every party prints the verified sum" \
	    conf "verified 1320" alice bob
	out=$(via alice --json status conf 2>&1)
	check_eq "... and status shows mallory's two SUMPOINTs as a conflict, verified by the reader" \
	    "mallory SUMPOINT True" "$(/usr/bin/python3 -c 'import json, sys
print(",".join("%s %s %s" % (c["party"], c["type"], c["verified"])
               for c in json.loads(sys.argv[1]).get("conflicts", [])))' "$out" 2>&1)"
fi

finish
