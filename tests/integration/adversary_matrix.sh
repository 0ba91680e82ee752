#!/usr/bin/env bash
# adversary_matrix.sh: the lying server changes one kind of item it relays
# -- shares, encryption keys, signing certificates, SUBMIT, COHORT and
# SUMPOINT statements, sumpoint values -- in one way: fabricated, dropped,
# swapped, truncated, replayed from another session, or replayed from an
# earlier instance of the same session id (held by another server). For
# each, the three parties of a fresh session run it through the man in the
# middle, and each must end refusing, or printing the correct sum with the
# right label. The sessions of one kind run at the same time.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/adversary/harness.sh"

KINDS=${KINDS:-"shares keys signing_keys submits cohorts sumpoint_statements sumpoints"}
HOWS=${HOWS:-"fabricate drop swap truncate replay-other replay-earlier"}
VIA_TIMEOUT=${VIA_TIMEOUT:-15}
declare -A INPUT=([alice]="1000 -1" [bob]="20 -2" [carol]="300 0")
SUM="1320 -3"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol || bail "mkcerts.sh failed"
make_other_certs alice bob carol || bail "mkcerts.sh --out other failed"
own_certs alice bob carol
need_client
need_v2

# expect KIND HOW: what every honest party must end with, a regex over
# outcome's words. Almost everything is refused; a certificate replayed is
# the certificate itself; one sumpoint dropped, or shown without its
# statement (the reader ignores it), leaves two of three, fewer than the
# quorum floor(3/2) + 1 + 1 = 3: unverified.
expect() {
	case "$1 $2" in
	"keys replay-"* | "signing_keys replay-"*) echo "verified $SUM" ;;
	"sumpoints drop" | "sumpoint_statements drop") echo "unverified $SUM" ;;
	*) echo "refused: .*(${REASON[$1]}).*" ;;
	esac
}

# What a refusal must say, by kind: the check that caught the change.
declare -A REASON=(
	[shares]="the share from .* (is not the ciphertext its SUBMIT names|has [0-9]+ bytes)|shares for a cohort"
	[keys]="key certificate for|no encryption key for"
	[signing_keys]="signing certificate|TLS certificate, not"
	[submits]="SUBMIT statement|statement is missing"
	[cohorts]="COHORT statement|statement is missing"
	[sumpoint_statements]="sumpoints? taken for session"
	[sumpoints]="sumpoints? taken for session"
)

# says EXPECTED: the outcome in words, for the test's name.
says() {
	case $1 in
	refused*) echo "every party refuses" ;;
	"verified $SUM") echo "every party prints the verified sum" ;;
	"unverified $SUM") echo "every party prints the sum unverified" ;;
	esac
}

# name KIND HOW: the session of that attack.
name() { echo "m-${1//_/-}-$2"; }

# hook KIND HOW: the man in the middle's rules for it.
hook() {
	local how=$2 from=""
	case $how in
	replay-other) how=replay from=rec ;;
	replay-earlier) how=replay from=$(name "$1" "$2") ;;
	esac
	printf '[{"do": "mutate", "what": "%s", "how": "%s", "from": "%s", "other_certs": "%s"}]' \
	    "$1" "$how" "$from" "$T/other"
}

# play SESSION...: alice creates each SESSION (alice, bob, carol; t = 1;
# L = 2) and the three parties run them all at once, with INPUT offset by
# INPUT_OFFSET (a party never shares one input in two instances of an id);
# waits for every one.
play() {
	local s p x v pids=()
	for s in "$@"; do
		create "$s" alice --parties alice,bob,carol --threshold 1 --length 2 ||
		    not_ok "control: alice creates $s"
		for p in alice bob carol; do
			v=()
			for x in ${INPUT[$p]}; do v+=($((x + ${INPUT_OFFSET:-0}))); done
			step "$s-$p" $p run "$s" -- "${v[@]}"
			pids+=("$BG")
		done
	done
	wait_all "${pids[@]}"
}

# ---- the earlier instances, and another session, on server A ----------------
start_server --state-dir "$T/state-a" || bail "server A did not start"
start_mitm --record "$T/responses.rec" || bail "mitm.py did not start"
earlier=()
for k in $KINDS; do earlier+=("$(name "$k" replay-earlier)"); done
INPUT_OFFSET=7 play rec "${earlier[@]}"
check_eq "control: through the man in the middle, relaying, each party prints the verified sum" \
    "verified $((1320 + 21)) $((-3 + 21))" "$(outcome rec-alice)"
stop_mitm
stop_server

# ---- the attacks, on server B --------------------------------------------------
start_server --state-dir "$T/state-b" || bail "server B did not start"
start_mitm --replay "$T/responses.rec" || bail "mitm.py did not start"
for k in $KINDS; do
	sessions=()
	for h in $HOWS; do
		rule "$(name "$k" "$h")" "$(hook "$k" "$h")"
		sessions+=("$(name "$k" "$h")")
	done
	play "${sessions[@]}"
	for h in $HOWS; do
		e=$(expect "$k" "$h")
		judge "$k $h: $(says "$e")" "$(name "$k" "$h")" "$e" alice bob carol
	done
done

finish
