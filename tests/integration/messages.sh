#!/usr/bin/env bash
# messages.sh: the errors of issue 13, point 6, each saying which file, flag
# or line is wrong: a missing NAME.enc.key is named as missing; a party
# denied a session hears it once, not twice; --input errors name the flag,
# the file and the line; and --trace records every acknowledged change,
# create and PostCohort included, while a trace file that cannot be written
# is an error (non-zero exit, naming the file), with stderr not a terminal,
# before anything is changed.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || bail "mkcerts.sh failed"
need_client
start_server || bail "server did not start"

# ---- a missing NAME.enc.key ---------------------------------------------------------
mkdir -p "$T/nokey"
chmod 700 "$T/nokey"
cp -p "$T/certs/ca.crt" "$T/certs/alice".* "$T/nokey/"
rm "$T/nokey/alice.enc.key"
check "create s1" client alice create s1 --parties alice,bob --threshold 1
check_fails "a missing alice.enc.key is named as missing, and what to do said" \
    "nokey/alice.enc.key does not exist: .*--certs" \
    "$CLIENT_BIN" --server "$ADDR" --certs "$T/nokey" --party alice --timeout 10 \
    share s1 --invite "$(invite_of s1)" 5
check "... not as an I/O error" bash -c '! grep -q "I/O error" "$1"' _ "$T/last.err"

# ---- a permission denial, said once ------------------------------------------------
check_fails "carol, not a party of s1, is told what a missing session tells" \
    'session s1 does not exist' client carol status s1
check_eq "... and the reason is said once" 1 \
    "$(grep -o 'session s1 does not exist' "$T/last.err" | wc -l)"

# ---- --input: the flag, the file, the line ------------------------------------------
check "create s3 (length 3)" client alice create s3 --parties alice,bob --threshold 1 --length 3
printf '1\n2\nseven\n' >"$T/bad.txt"
check_fails "an invalid value in --input names the flag, the file and its line" \
    "mpc-client: --input $T/bad.txt, line 3, value 3: invalid input 'seven'" \
    client alice share s3 --input "$T/bad.txt"
printf '1 2\n\n3\n4\n' >"$T/long.txt"
check_fails "a value too many in --input names its line" \
    "mpc-client: --input $T/long.txt, line 4: value 4 is one more than the 3 values" \
    client alice share s3 --input "$T/long.txt"
printf '1\n2\n' >"$T/short.txt"
check_fails "too few values in --input names the file" \
    "mpc-client: --input $T/short.txt holds 2 values; the session takes 3" \
    client alice share s3 --input "$T/short.txt"
check_fails "an --input file that does not exist is named" \
    "mpc-client: --input $T/none.txt: cannot open it: No such file" \
    client alice share s3 --input "$T/none.txt"

# ---- --trace: every acknowledged change ----------------------------------------------
TRACE=$T/trace.log
check "alice creates s2 with --trace" client alice --trace "$TRACE" create s2 --parties alice,bob --threshold 1
client alice --trace "$TRACE" run s2 -- 5 >"$T/s2-alice.out" 2>"$T/s2-alice.err" &
a=$!
PIDS+=("$a")
client bob --trace "$TRACE" run s2 -- 7 >"$T/s2-bob.out" 2>"$T/s2-bob.err"
wait "$a"
check_eq "both runs of s2 print the sum" "12 12" "$(cat "$T/s2-alice.out" "$T/s2-bob.out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the trace holds create, and each party's shares, COHORT and sumpoint" \
    "CreateSession alice/s2 alice|PostCohort alice/s2 alice|PostCohort alice/s2 bob|PostSumpoint alice/s2 alice|PostSumpoint alice/s2 bob|SubmitShares alice/s2 alice|SubmitShares alice/s2 bob" \
    "$(awk '$1 == "OK" && NF == 5 && length($5) == 64 { print $2, $3, $4 }' "$TRACE" | sort -u | paste -sd'|')"
# The server's state, against the hashes traced.
for s in s2; do client alice --json status "$s" >"$T/status-$s.json" 2>/dev/null; done
check "every change traced is in the server's status (crash_check.py)" \
    /usr/bin/python3 "$ROOT/tests/tools/crash_check.py" status "$TRACE" "$T/status-s2.json"

# ---- a trace that cannot be written --------------------------------------------------
# A path under a regular file: not writable, whoever runs the test.
: >"$T/plain"
check_fails "create with an unwritable --trace fails, naming the file" \
    "mpc-client: --trace $T/plain/trace.log: cannot open it for appending" \
    client alice --trace "$T/plain/trace.log" create s4 --parties alice,bob --threshold 1
check_fails "... before creating anything" 'session s4 does not exist' client alice status s4
check_fails "status with an unwritable --trace fails too" \
    "mpc-client: --trace $T/plain/trace.log" client alice --trace "$T/plain/trace.log" status s1

finish
