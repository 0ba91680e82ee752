#!/usr/bin/env bash
# flow.sh: whole sessions through the real server and clients: scalar and
# vector inputs, negative and fixed-point values, t = n-1, --json output,
# idempotent steps, every party running `run` at once, and the overflow bound.
# (Each party's sumpoint waits for every cohort member's COHORT signature, so
# the parties post theirs at once: sumpoints and check_sumpoints in lib.sh.)
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol dave erin || exit 1
start_server || exit 1

# --- three parties, step by step, with negative values -------------------
check "create a 3-party session" client alice create s1 --parties alice,bob,carol --threshold 1
check "create again with the same parameters (and nonce) is idempotent" \
    client alice create s1 --parties alice,bob,carol --threshold 1 --nonce "$(nonce_of s1)"
check_fails "create with other parameters is ALREADY_EXISTS" "ALREADY_EXISTS|different parameters" \
    client alice create s1 --parties alice,bob,carol --threshold 2
check "alice shares -7" client alice share s1 -7
if grep -Eqx 'alice: shares for session alice/s1 submitted \([0-9]+ ciphertexts, [1-9][0-9]* bytes\)' "$T/last.out"; then
	ok "share's line names the party, the session, the ciphertexts and their bytes"
else
	not_ok "share's line names the party, the session, the ciphertexts and their bytes" "$(cat "$T/last.out")"
fi
check "bob shares 1000 after --" client bob share s1 -- 1000
check_fails "sumpoint before the cohort is fixed is refused" "sharing" client bob sumpoint s1
check "carol shares -2 (--json)" client carol --json share s1 -2
if grep -Eqx '\{"version":1,"session":"alice/s1","party":"carol","ciphertexts":[0-9]+,"bytes":[1-9][0-9]*,"duplicate":false\}' "$T/last.out"; then
	ok "share --json: one object with the ciphertexts, their bytes and duplicate"
else
	not_ok "share --json: one object with the ciphertexts, their bytes and duplicate" "$(cat "$T/last.out")"
fi
check_sumpoints s1 alice bob carol
check_eq "sumpoint's line names the party, the session and the shares added" \
    "alice: sumpoint for session alice/s1 posted (3 shares)" "$(cat "$T/sp-s1-alice.out")"
check_eq "sumpoint again: the same, a duplicate, with --json" \
    '{"version":1,"session":"alice/s1","party":"carol","shares":3,"duplicate":true}' \
    "$(client carol --json sumpoint s1 2>/dev/null)"
check_eq "the sum of -7, 1000 and -2" "991" "$(client carol result s1 2>/dev/null)"
json=$(client alice --json result s1 2>/dev/null)
check_eq "--json result has session, sum, cohort, label and points" \
    '{"version":1,"session":"alice/s1","sum":["991"],"cohort":["alice","bob","carol"],"label":"verified","quorum":3,"points":{"taken":3,"on":["alice","bob","carol"],"off":[],"suspect":[],"ignored":[]},"conflicts":[]}' \
    "$(tr -d ' \n' <<<"$json")"
check "status reports the session complete" bash -c \
    "'$CLIENT_BIN' --server $ADDR --certs $T/certs --party bob status s1 | grep -qi complete"

# --- vectors, fixed point, t = n-1 ---------------------------------------
check "create a vector session with decimals and t = n-1" \
    client alice create v1 --parties alice,bob,carol --threshold 2 --length 3 --decimals 2
check "alice shares a vector" client alice share v1 1.50 -2.25 0
check "bob shares a vector" client bob share v1 10 0.01 -0.5
check_fails "a value with more decimals than the session allows is refused" "decimal" \
    client carol share v1 1.234 0 0
check_fails "a vector of the wrong length is refused" "length|values" client carol share v1 1 2
check "carol shares a vector" client carol share v1 -- -0.50 2.24 100
sumpoints v1 alice bob carol
check_eq "fixed-point vector sum" "11.00 0.00 99.50" "$(client bob result v1 2>/dev/null)"
# t = n-1: the quorum n/2 + t + 1 = 4 exceeds n = 3: never verified.
check_fails "--require-verified refuses the (unverified) sum" \
    "the sum of session alice/v1 is unverified and --require-verified was given" \
    client bob result v1 --require-verified

# --- the overflow bound --------------------------------------------------
check "create a session for the bound" client alice create big --parties alice,bob --threshold 1
check_fails "an input whose n-fold sum could overflow is refused, naming the bound" \
    "576460752303423487" client alice share big 576460752303423488
check "the largest allowed input is accepted" client alice share big -576460752303423487
check "bob shares the other extreme" client bob share big 576460752303423487
sumpoints big alice bob
check_eq "extremes cancel" "0" "$(client alice result big 2>/dev/null)"

# --- five parties running every step at once -----------------------------
check "create a 5-party session" client alice create r5 --parties alice,bob,carol,dave,erin --threshold 2
declare -A vals=([alice]=17 [bob]=-5 [carol]=123456 [dave]=0 [erin]=-99)
rpids=()
for p in alice bob carol dave erin; do
	client "$p" run r5 -- "${vals[$p]}" >"$T/run-$p.out" 2>"$T/run-$p.err" &
	rpids+=($!)
done
i=0
for p in alice bob carol dave erin; do
	if wait "${rpids[$i]}"; then
		check_eq "run as $p prints the sum" "123369" "$(cat "$T/run-$p.out")"
		# n = 5, t = 2: all five agree, the quorum n/2 + t + 1 = 5.
		if grep -q '^mpc-client: sum verified: 5 sumpoints agree (quorum 5 of 5 parties)$' "$T/run-$p.err"; then
			ok "run as $p says the sum is verified"
		else
			not_ok "run as $p says the sum is verified" "$(cat "$T/run-$p.err")"
		fi
	else
		not_ok "run as $p" "$(tail -n 2 "$T/run-$p.err")"
	fi
	i=$((i + 1))
done

# --- long vectors: frames the server reads into one buffer and keeps ------
# 3 x 20,000 elements: each SubmitShares is ~480 kB, over the server's
# 64 KiB line above which a frame's shares are stored where they arrived.
L=20000
check "create a long-vector session" client alice create long --parties alice,bob,carol --threshold 1 --length $L
python3 - "$T" $L <<'PY'
import random, sys
t, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
cols = []
for p in ("alice", "bob", "carol"):
    v = [rng.randint(-10**9, 10**9) for _ in range(n)]
    cols.append(v)
    open(f"{t}/long-{p}.in", "w").write("\n".join(map(str, v)) + "\n")
open(f"{t}/long.sum", "w").write(" ".join(str(sum(c)) for c in zip(*cols)) + "\n")
PY
for p in alice bob carol; do
	check "$p shares $L values from a file" client "$p" share long --input "$T/long-$p.in"
done
check_sumpoints long alice bob carol
client bob result long >"$T/long.out" 2>"$T/long.err"
check_eq "the $L sums are right" "$(cat "$T/long.sum")" "$(cat "$T/long.out")"

finish
