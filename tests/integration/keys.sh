#!/usr/bin/env bash
# keys.sh: the parties' encryption keys before sharing (issue 13, point 3),
# each party with a certificate folder of its own (the CA certificate and
# its own keys only) and a server that knows no key until a party publishes
# it: every command publishes its party's key; create refuses a party whose
# key is neither published nor in the creator's folder (or, with
# --allow-unknown, warns); status shows whose keys are still missing; and
# the first party to share does not wait for the others to have shared.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol dave erin || bail "mkcerts.sh failed"
# The server's folder without the parties' key certificates: its directory
# starts empty, as in a deployment where only the parties publish.
rm -f "$T"/server-certs/*.enc.crt
for p in alice bob carol dave erin; do
	mkdir -p "$T/own/$p"
	chmod 700 "$T/own/$p"
	cp -p "$T/certs/ca.crt" "$T/certs/$p".* "$T/own/$p/"
done
need_client
start_server || bail "server did not start"

# cl PARTY ARGS...: mpc-client as PARTY with its own folder.
cl() {
	local p=$1; shift
	"$CLIENT_BIN" --server "$ADDR" --certs "$T/own/$p" --party "$p" --timeout 30 "$@"
}

# json_field FILE EXPR: EXPR of the JSON object j in FILE, printed.
json_field() {
	/usr/bin/python3 -c 'import json, sys
j = json.loads(open(sys.argv[1]).read())
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

# ---- create refuses parties without a key ----------------------------------------
check_fails "create refuses bob and carol, whose keys nobody published" \
    'no encryption key for bob, carol: neither .*own/alice/NAME.enc.crt nor published.*--allow-unknown' \
    cl alice create s1 --parties alice,bob,carol --threshold 1
check_fails "... and created nothing" 'session s1 does not exist' cl alice status s1

# A status of a session that does not exist yet fails, but publishes.
cl bob status s1 >/dev/null 2>&1
check_fails "once bob ran a command, only carol is refused" \
    'no encryption key for carol: ' cl alice create s1 --parties alice,bob,carol --threshold 1

# ---- --allow-unknown, and status --------------------------------------------------
check "create --allow-unknown creates s1 all the same" \
    cl alice create s1 --parties alice,bob,carol --threshold 1 --allow-unknown
cp "$T/last.err" "$T/create.err"
check "... warning that carol's key is not known" \
    grep -Eq 'warning: no encryption key is known yet for carol' "$T/create.err"
check "alice's status of s1" cl alice status s1
check_eq "... shows carol's key missing" "keys_missing: carol" \
    "$(grep '^keys_missing:' "$T/last.out")"
cl bob --json status s1 >"$T/st.json" 2>"$T/st.err"
check_eq "bob's status --json of s1 shows carol's key missing" "['carol']" \
    "$(json_field "$T/st.json" 'j["keys_missing"]')"

# carol's first command, a status, publishes her key.
check "carol's status of s1" cl carol --json status s1
cp "$T/last.out" "$T/st.json"
check_eq "... in which no key is missing any more" "[]" \
    "$(json_field "$T/st.json" 'j["keys_missing"]')"

# ---- the first to share does not wait for the others --------------------------------
# Every key is published: alice's share seals to bob and carol at once,
# though neither has shared.
check "alice shares in s1 before bob and carol have shared" cl alice --timeout 10 share s1 -- 1000
check_eq "... and s1 shows only alice as shared" "shared: alice" \
    "$(cl alice status s1 2>&1 | grep '^shared:')"
pids=()
for pv in bob=20 carol=300; do
	cl "${pv%%=*}" run s1 -- "${pv#*=}" >"$T/s1-${pv%%=*}.out" 2>"$T/s1-${pv%%=*}.err" &
	pids+=($!)
	PIDS+=($!)
done
cl alice run s1 -- 1000 >"$T/s1-alice.out" 2>"$T/s1-alice.err"
for p in "${pids[@]}"; do wait "$p"; done
check_eq "every party of s1, each with its own folder, prints the sum" "1320 1320 1320" \
    "$(cat "$T/s1-alice.out" "$T/s1-bob.out" "$T/s1-carol.out" | tr '\n' ' ' | sed 's/ $//')"

# ---- a key in the creator's folder counts --------------------------------------------
check_fails "create refuses dave, whose key is nowhere" 'no encryption key for dave: ' \
    cl alice create s2 --parties alice,dave --threshold 1
cp -p "$T/certs/dave.enc.crt" "$T/own/alice/"
check "with dave.enc.crt in alice's folder, create accepts dave" \
    cl alice create s2 --parties alice,dave --threshold 1
check_eq "... and alice's status of s2 shows no key missing" "keys_missing: (none)" \
    "$(cl alice status s2 2>&1 | grep '^keys_missing:')"

# ---- create publishes too ---------------------------------------------------------------
check "erin, whose first command is a create, creates s3 with bob" \
    cl erin create s3 --parties bob,erin --threshold 1
check_eq "... and bob's status of s3 shows erin's key published" "keys_missing: (none)" \
    "$(cl bob status s3 2>&1 | grep '^keys_missing:')"

finish
