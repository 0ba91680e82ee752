#!/usr/bin/env bash
# cli.sh: mpc-client's command-line contract (docs/CLI.md) with a real
# server and clients: an exit status of its own, and a --json error
# document with that status and a stable code, for usage, refused, not
# found, not ready, integrity, unavailable and any other failure; every --json document has
# "version":1, and a sum near 2^60 comes out exact, as a string, through a
# parser that keeps integers as their text; --version; global options
# after the command (while -7 stays a value); defaults from the
# environment and from client.conf, flags winning over the environment,
# the environment over the file; a bad line of the file named, a file its
# group may write refused.
source "$(dirname "$0")/lib.sh"

make_certs alice bob || exit 1
start_server || exit 1
R=$REAL_CLIENT_BIN
CONF=$XDG_CONFIG_HOME/secure-sum/client.conf

# jget EXPR < JSON: EXPR on the last document of the input (d), parsed with
# every JSON number kept as ("num", TEXT): exact, and told apart from a
# string. Prints "(no JSON)" if there is none.
jget() {
	/usr/bin/python3 -c 'import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
try:
    num = lambda s: ("num", s)
    d = json.loads(lines[-1], parse_int=num, parse_float=num)
except (IndexError, ValueError):
    print("(no JSON)"); sys.exit(0)
print(eval(sys.argv[1]))' "$1"
}

# check_status NAME STATUS CODE CMD...: CMD (given --json) exits STATUS and
# prints {"version":1,"error":{"code":CODE,"exit":STATUS,...}} as its last
# document on stdout.
check_status() {
	local name=$1 want=$2 code=$3 rc got; shift 3
	"$@" >"$T/st.out" 2>"$T/st.err"
	rc=$?
	got=$(jget '"%s %s %s %s" % (d["version"][1], d["error"]["code"],
	    d["error"]["exit"][1], bool(d["error"]["message"]))' <"$T/st.out" 2>&1)
	if [ "$rc" = "$want" ] && [ "$got" = "1 $code $want True" ]; then
		ok "$name: exit $want, code $code"
	else
		not_ok "$name: exit $want, code $code" "exit $rc, document: $got" \
		    "$(tail -n 2 "$T/st.err")"
	fi
}

# ---- --version ----------------------------------------------------------
check_eq "--version prints VERSION" "mpc-client $(cat "$ROOT/VERSION")" \
    "$("$R" --version 2>&1)"

# ---- an exit status per class, with its JSON error ----------------------
check_status "no SESSION is a usage error" 2 usage client alice --json status
check_status "an unknown option after the command is a usage error" 2 usage \
    client alice --json status s1 --bogus
check_status "status of a session that does not exist" 4 not_found \
    client alice --json status nosuch
check "alice creates s1 (alice, bob; threshold 1)" \
    client alice create s1 --parties alice,bob --threshold 1
check_status "s1 created again with other parameters is refused" 3 refused \
    client alice --json create s1 --parties alice,bob --threshold 1 --length 2
check_status "sumpoint while s1 still takes shares is not ready" 5 not_ready \
    client bob --json sumpoint s1

# The largest input two parties may give: their sum is 2^60 - 2.
big=576460752303423487
check "alice shares $big" client alice share s1 "$big"
check_status "a second share is refused" 3 refused client alice --json share s1 1
: >"$T/file"
check_status "records under a file, not a folder: another failure" 1 failed \
    client alice --json --state "$T/file/alice" share s1 1
check_status "result before any sumpoint is not ready" 5 not_ready \
    client alice --json result s1
check "bob shares $big" client bob share s1 "$big"
check_sumpoints s1 alice bob
client alice --json result s1 >"$T/r.out" 2>"$T/r.err"
check_eq "result --json: exit 0" "0" "$?"
check_eq "... version 1, and the sum 2^60 - 2 exactly, as a string" \
    "('num', '1') ['1152921504606846974']" \
    "$(jget '"%s %s" % (d["version"], d["sum"])' <"$T/r.out")"
check_status "an unverified sum with --require-verified is not ready" 5 \
    not_ready client alice --json result s1 --require-verified
check_eq "status --json has version 1 too" "('num', '1') COMPLETE" \
    "$(client alice --json status s1 2>/dev/null | jget '"%s %s" % (d["version"], d["phase"])')"

# ---- global options after the command; -7 still a value -----------------
check "create s2, every global option after the command" \
    "$CLIENT_BIN" create s2 --parties alice,bob --threshold 1 \
    --server "$ADDR" --certs "$T/certs" --party alice --timeout 30
check "alice shares -7, the global options after the value" \
    "$CLIENT_BIN" share s2 -7 --server "$ADDR" --certs "$T/certs" --party alice
check "bob shares 10, --json among them" \
    "$CLIENT_BIN" share s2 --json --server="$ADDR" 10 --certs "$T/certs" --party bob
check_sumpoints s2 alice bob
check_eq "the sum of s2 is 3" "3" \
    "$(client alice result s2 2>"$T/s2.err")"

# ---- defaults: flags, then the environment, then client.conf -----------
envs() { SECURE_SUM_SERVER=$1 SECURE_SUM_CERTS=$T/certs SECURE_SUM_PARTY=alice "${@:2}"; }
phase() { "$@" --json status s1 2>"$T/ph.err" | jget 'd.get("phase")'; }
check_eq "the environment gives server, certs and party" "COMPLETE" \
    "$(phase envs "$ADDR" "$R")"
check_eq "a flag wins over the environment" "COMPLETE" \
    "$(phase envs 127.0.0.1:1 "$R" --server "$ADDR")"
# conf FORMAT ARGS...: client.conf is printf's output, private.
conf() { printf "$@" >"$CONF" && chmod 600 "$CONF"; }
mkdir -p "${CONF%/*}"
conf '# the defaults of this test\nserver = %s\n\ncerts=%s\n  party\t= alice  \ntimeout = 30\n' \
    "$ADDR" "$T/certs"
check_eq "client.conf alone gives them" "COMPLETE" "$(phase "$R")"
chmod 620 "$CONF"
check_status "a client.conf its group may write is refused" 2 usage "$R" --json status s1
check "... saying so" grep -q "^mpc-client: $CONF is writable by its group (mode 0620)" "$T/st.err"
conf 'server = 127.0.0.1:1\ncerts = /nonexistent\nparty = nobody\n'
check_eq "the environment wins over client.conf" "COMPLETE" \
    "$(phase envs "$ADDR" "$R")"
conf 'server = %s\ncerts = %s\n' "$ADDR" "$T/certs"
check_status "no party anywhere is a usage error" 2 usage "$R" --json status s1
check_eq "... saying where to give it" \
    "--party is missing: give --party NAME, set SECURE_SUM_PARTY, or add 'party = NAME' to $CONF" \
    "$(jget 'd["error"]["message"]' <"$T/st.out")"
conf 'server = %s\nsever = %s\n' "$ADDR" "$ADDR"
check_status "a bad line in client.conf is a usage error, even with every flag" \
    2 usage client alice --json status s1
check "... naming the file and the line" grep -q "^mpc-client: $CONF:2: unknown key 'sever'" "$T/st.err"
mkdir -p "$T/home/.config/secure-sum"
printf 'server = %s\ncerts = %s\nparty = bob\n' "$ADDR" "$T/certs" \
    >"$T/home/.config/secure-sum/client.conf"
chmod 600 "$T/home/.config/secure-sum/client.conf"
check_eq "without XDG_CONFIG_HOME: ~/.config/secure-sum/client.conf" "COMPLETE" \
    "$(phase env -u XDG_CONFIG_HOME HOME="$T/home" "$R")"
rm -f "$CONF"

# ---- integrity: this party's records damaged ----------------------------
check "create s3" client alice create s3 --parties alice,bob --threshold 1
check "alice shares 1" client alice share s3 1
rec=$(ls -t "$XDG_STATE_HOME/secure-sum/alice"/d-* | head -n 1)  # s3's, the newest
/usr/bin/python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1
open(sys.argv[1], "wb").write(b)' "$rec"
check_status "run on damaged records is an integrity failure" 7 integrity \
    client alice --json --timeout 10 run s3 1

# ---- unavailable: no server --------------------------------------------
stop_server
check_status "a server that refuses the connection is unavailable" 6 unavailable \
    client alice --json status s1

finish
