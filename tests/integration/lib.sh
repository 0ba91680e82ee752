# lib.sh: shared harness for integration tests, sourced by each script.
#
# Every test runs real bin/mpc-server and bin/mpc-client processes over TLS
# on loopback, with certificates from scripts/mkcerts.sh in a fresh temporary
# folder. The server listens on port 0 (a free port the kernel picks) and the
# harness reads the real port from its "listening on" line. Every process
# started here is killed and reaped on exit, whatever happens.
#
# Protocol version 2: share, run, sumpoint and result need the session
# pinned (--invite CODE or its parameters). CLIENT_BIN is a wrapper
# (pinned_client below) that execs the real client, REAL_CLIENT_BIN, with
# the invite code of the session's last successful `create` added when the
# test gave no pin of its own; `create` itself records the code (and the
# nonce) in $T/invites. So every test speaks the v2 command line without
# repeating the code in each call; a test about pinning itself calls
# REAL_CLIENT_BIN, or passes its own --invite or --nonce. The parties'
# records (--state) go under $T/xdg-state, through XDG_STATE_HOME.
# Sessions are CREATOR/NAME (docs/PROTOCOL.md 2.1): the code is kept under
# the id create printed, '/' as '+', and a bare NAME finds it when one
# creator's session of that NAME has one.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$ROOT/bin/mpc-server}
REAL_CLIENT_BIN=${CLIENT_BIN:-$ROOT/bin/mpc-client}
# Under ASan (make test-asan) the server's VmRSS is mostly the sanitizer's:
# shadow memory and a quarantine of freed blocks. Memory bounds are then
# reported but not checked: SANITIZED is 1 (for a jcheck's condition) and
# SAN the TAP directive that says so (for a line's name).
SAN="" SANITIZED=0
if grep -qa __asan_init "$SERVER_BIN" 2>/dev/null; then
	SAN=" # SKIP ASan build: VmRSS is the sanitizer's" SANITIZED=1
fi
T=$(mktemp -d /tmp/ss-it-XXXXXX)
CLIENT_BIN=$T/mpc-client
export XDG_STATE_HOME=$T/xdg-state
# No configuration file or environment defaults of the user's (docs/CLI.md).
export XDG_CONFIG_HOME=$T/xdg-config
unset SECURE_SUM_SERVER SECURE_SUM_CERTS SECURE_SUM_PARTY
export SS_IT_INVITES=$T/invites SS_IT_REAL_CLIENT=$REAL_CLIENT_BIN
mkdir -p "$SS_IT_INVITES"
cat >"$CLIENT_BIN" <<'WRAPPER'
#!/usr/bin/env bash
# pinned_client: the real mpc-client, with the session's invite code added
# (after SESSION) to share, run, sumpoint and result when none is given;
# create records the code of what it made in $SS_IT_INVITES/SESSION.
args=("$@")
i=0
while [ "$i" -lt "${#args[@]}" ]; do
	case "${args[$i]}" in
	--server|--server-name|--certs|--party|--timeout|--trace|--state) i=$((i + 2)) ;;
	--*) i=$((i + 1)) ;;
	*) break ;;
	esac
done
cmd=${args[$i]:-}
s=$((i + 1))
sess=${args[$s]:-}
key=${sess//\//+}
case "$cmd" in
create)
	out=$("$SS_IT_REAL_CLIENT" "$@")
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	code=$(sed -n 's/^invite: //p; s/.*"invite":"\([^"]*\)".*/\1/p' <<<"$out" | head -n 1)
	nonce=$(sed -n 's/^nonce: //p; s/.*"nonce":"\([^"]*\)".*/\1/p' <<<"$out" | head -n 1)
	made=$(sed -n 's/^created session \([^ ]*\) .*/\1/p; s/^session \([^ ]*\) is in place.*/\1/p; s/^{.*"session":"\([^"]*\)".*/\1/p' <<<"$out" | head -n 1)
	[ -n "$made" ] && key=${made//\//+}
	if [ "$rc" -eq 0 ] && [ -n "$code" ]; then
		printf '%s\n' "$code" >"$SS_IT_INVITES/$key"
		printf '%s\n' "$nonce" >"$SS_IT_INVITES/$key.nonce"
	fi
	exit "$rc" ;;
share|run|sumpoint|result)
	for a in "${args[@]}"; do
		case "$a" in --invite|--invite=*|--nonce|--nonce=*) exec "$SS_IT_REAL_CLIENT" "$@" ;; esac
	done
	f=$SS_IT_INVITES/$key
	if [ -n "$sess" ] && [ ! -f "$f" ]; then
		m=("$SS_IT_INVITES"/*+"$key")
		[ "${#m[@]}" -eq 1 ] && f=${m[0]}
	fi
	if [ -n "$sess" ] && [ -f "$f" ]; then
		args=("${args[@]:0:$((s + 1))}" --invite "$(cat "$f")" "${args[@]:$((s + 1))}")
	fi ;;
esac
exec "$SS_IT_REAL_CLIENT" "${args[@]}"
WRAPPER
chmod 755 "$CLIENT_BIN"
PY=$T/py           # Python classes of the proto, once python_proto made them
PIDS=()
CLEANUP_HOOKS=()   # commands run at exit before the folder is removed
NPASS=0
NFAIL=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for p in "${CLEANUP_HOOKS[@]}"; do eval "$p"; done
	rm -rf "$T"
}
trap cleanup EXIT

ok()     { NPASS=$((NPASS + 1)); echo "ok - $1"; }
not_ok() { NFAIL=$((NFAIL + 1)); echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; return 0; }
# bail MESSAGE: gives up on the whole script, the TAP way.
bail()   { echo "Bail out! $*"; exit 1; }
# need_client: bails out unless mpc-client is built.
need_client() { [ -x "$REAL_CLIENT_BIN" ] || bail "bin/mpc-client is not built"; }

# invite_of SESSION, nonce_of SESSION: what the last successful create of
# SESSION (CREATOR/NAME, or a NAME one creator used) printed (pinned_client
# keeps them).
invite_file() {
	local key=${1//\//+} m
	if [ -f "$SS_IT_INVITES/$key" ]; then echo "$SS_IT_INVITES/$key"; return; fi
	m=("$SS_IT_INVITES"/*+"$key")
	echo "${m[0]}"
}
invite_of() { cat "$(invite_file "$1")"; }
nonce_of() { cat "$(invite_file "$1").nonce"; }

# make_certs PARTY...: all parties' files in $T/certs; the server's own
# folder $T/server-certs holds only what a server may hold: the CA
# certificate, its own key pair and the parties' public encryption certificates.
make_certs() {
	"$ROOT/scripts/mkcerts.sh" --out "$T/certs" "$@" >"$T/mkcerts.log" 2>&1 || {
		cat "$T/mkcerts.log"; return 1; }
	mkdir -p "$T/server-certs"
	cp "$T/certs/ca.crt" "$T/certs/server.crt" "$T/certs/server.key" "$T/server-certs/"
	cp "$T"/certs/*.enc.crt "$T/server-certs/"
	chmod 600 "$T/server-certs/server.key"
}

# make_other_certs PARTY...: an unrelated CA with its own parties of those
# names in $T/other, the impostor.
make_other_certs() {
	"$ROOT/scripts/mkcerts.sh" --out "$T/other" "$@" >"$T/mkcerts-other.log" 2>&1 || {
		cat "$T/mkcerts-other.log"; return 1; }
}

# python_proto: the Python classes of proto/securesum.proto in $PY, which
# the tools of tests/tools (rawclient.py, abuse.py...) are given.
python_proto() {
	mkdir -p "$PY"
	protoc --proto_path="$ROOT/proto" --python_out="$PY" "$ROOT/proto/securesum.proto"
}

# rawclient SERVER CERT KEY ARGS...: tests/tools/rawclient.py against SERVER
# (HOST:PORT), verifying it against our CA, with that client certificate
# ("" "" for none). Needs python_proto.
rawclient() {
	local server=$1 crt=$2 key=$3 auth=()
	shift 3
	[ -n "$crt" ] && auth=(--cert "$crt" --key "$key")
	/usr/bin/python3 "$ROOT/tests/tools/rawclient.py" --server "$server" --py "$PY" \
	    --ca "$T/certs/ca.crt" "${auth[@]}" "$@"
}

# start_server [EXTRA ARGS...]: starts the server on a free port; sets
# SERVER_PID and ADDR (127.0.0.1:PORT). State lives in $T/state unless
# --state-dir is given again.
start_server() {
	spawn_listening "$T/server.out" "$T/server.log" "$SERVER_BIN" \
	    --listen 127.0.0.1:0 --certs "$T/server-certs" --state-dir "$T/state" "$@" ||
	    return 1
	SERVER_PID=$SPAWNED ADDR=$LISTEN_ADDR
}

# spawn_listening OUT LOG CMD...: starts CMD in the background (stdout to
# OUT, stderr added to LOG), killed at exit; SPAWNED is its pid. Waits up
# to 10 s for its "listening on HOST:PORT" line: then LISTEN_ADDR is
# HOST:PORT; else LOG is shown and it fails.
spawn_listening() {
	local out=$1 log=$2 i line
	shift 2
	: >"$out"
	"$@" >"$out" 2>>"$log" &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
	for i in $(seq 1 200); do
		line=$(grep -m1 '^listening on ' "$out" 2>/dev/null)
		if [ -n "$line" ]; then
			LISTEN_ADDR=${line#listening on }
			return 0
		fi
		kill -0 "$SPAWNED" 2>/dev/null || break
		sleep 0.05
	done
	echo "# $(basename "$out" .out) did not start:"; sed 's/^/#   /' "$log"
	return 1
}

# build_shim NAME: builds tests/tools/NAME.c as $T/NAME.so (an LD_PRELOAD
# shim); a failure is reported.
build_shim() {
	cc -shared -fPIC -o "$T/$1.so" "$ROOT/tests/tools/$1.c" -ldl 2>"$T/cc.err" && return 0
	not_ok "the $1 shim builds" "$(cat "$T/cc.err")"
	return 1
}

# use_gate SHIM VAR [SERVER ARGS...]: builds tests/tools/SHIM.c, a shim that
# holds a system call of the server at a gate until the test opens it (a
# file in $GATE, the folder it is told in VAR); start_gated ARGS... then
# starts the server with it and SERVER ARGS before ARGS. Returns 1, reported,
# if the shim does not build.
use_gate() {
	GATE=$T/gate GATE_SHIM=$1 GATE_VAR=$2
	GATE_ARGS=("${@:3}")
	mkdir -p "$GATE"
	build_shim "$GATE_SHIM"
}
start_gated() {
	start_preloaded "$T/$GATE_SHIM.so" "$GATE_VAR" "$GATE" "${GATE_ARGS[@]}" "$@"
}

# start_preloaded SO VAR VALUE ARGS...: start_server ARGS with the test
# shim SO preloaded and VAR=VALUE for it. The shim is no ASan runtime: ASan
# would refuse to run after it otherwise.
start_preloaded() {
	local so=$1 var=$2 val=$3 asan=${ASAN_OPTIONS:-} rc
	shift 3
	export "$var=$val" LD_PRELOAD=$so
	export ASAN_OPTIONS="${asan:+$asan:}verify_asan_link_order=0"
	start_server "$@"
	rc=$?
	unset "$var" LD_PRELOAD
	if [ -n "$asan" ]; then export ASAN_OPTIONS=$asan; else unset ASAN_OPTIONS; fi
	return $rc
}

stop_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	return 0
}

# client PARTY ARGS...: runs mpc-client as PARTY against the server.
client() {
	local party=$1; shift
	"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party "$party" --timeout 30 "$@"
}

# bgc NAME PARTY ARGS...: mpc-client as PARTY in the background, the
# process itself (so that signals reach it, and cleanup kills it), its
# output in $T/NAME.out and $T/NAME.err; BG is its pid.
bgc() {
	local name=$1 party=$2; shift 2
	"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party "$party" --timeout 30 "$@" \
	    >"$T/$name.out" 2>"$T/$name.err" &
	BG=$!
	PIDS+=("$BG")
}

# sumpoints_start SESSION PARTY...: every PARTY's `sumpoint` at once, in
# the background: each one waits for the COHORT signatures of every member
# of the cohort (the consistency round of version 2), so they cannot go one
# after the other. Output in $T/sp-SESSION-PARTY.out and .err; SP_PIDS
# holds their pids, in order.
sumpoints_start() {
	local s=$1 p
	shift
	SP_PIDS=()
	for p in "$@"; do
		client "$p" sumpoint "$s" >"$T/sp-$s-$p.out" 2>"$T/sp-$s-$p.err" &
		SP_PIDS+=($!)
	done
}

# sumpoints SESSION PARTY...: sumpoints_start, then 1 if any failed.
sumpoints() {
	local i rc=0
	sumpoints_start "$@"
	for i in "${SP_PIDS[@]}"; do wait "$i" || rc=1; done
	return $rc
}

# check_sumpoints SESSION PARTY...: sumpoints_start, with one TAP line per
# party, "PARTY posts its sumpoint (SESSION)".
check_sumpoints() {
	local s=$1 p i=0
	sumpoints_start "$@"
	shift
	for p in "$@"; do
		if wait "${SP_PIDS[$i]}"; then ok "$p posts its sumpoint ($s)"
		else not_ok "$p posts its sumpoint ($s)" "$(tail -n 3 "$T/sp-$s-$p.err")"; fi
		i=$((i + 1))
	done
}

# sign_only NAME SESSION PARTY: in the background, once the cohort of
# SESSION is fixed, PARTY's `sumpoint` from a folder of certificates
# without its encryption key: it checks the cohort and signs its COHORT
# (and waits, as every member does, for the others'), then fails before it
# can open a share: a member that signs and never posts a sumpoint. Output
# in $T/NAME.out and .err; BG is its pid.
sign_only() {
	local name=$1 s=$2 p=$3 dir=$T/nokey-$3
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir"
		cp -p "$T"/certs/* "$dir/"
		rm -f "$dir/$p.enc.key"
	fi
	(
		for _ in $(seq 1 600); do
			client "$p" status "$s" 2>/dev/null | grep -q '^phase: SHARING$' || break
			sleep 0.05
		done
		exec "$CLIENT_BIN" --server "$ADDR" --certs "$dir" --party "$p" \
		    --timeout 30 sumpoint "$s"
	) >"$T/$name.out" 2>"$T/$name.err" &
	BG=$!
	PIDS+=("$BG")
}

# now_ms: milliseconds of the clock, for the time a step took.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_for CMD...: until CMD succeeds, up to 30 s (sanitizer builds on a
# busy machine); returns 1 if it never does.
wait_for() {
	local i
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T/last.out" 2>"$T/last.err"; then ok "$name"
	else not_ok "$name" "exit status $?" "$(tail -n 3 "$T/last.err")"; fi
}

# check_fails NAME PATTERN COMMAND...: passes when COMMAND exits non-zero
# and its stderr matches the extended regex PATTERN.
check_fails() {
	local name=$1 pattern=$2; shift 2
	if "$@" >"$T/last.out" 2>"$T/last.err"; then
		not_ok "$name" "succeeded but should have failed" "$(head -n 3 "$T/last.out")"
	elif grep -Eq "$pattern" "$T/last.err"; then ok "$name"
	else not_ok "$name" "stderr did not match /$pattern/" "$(tail -n 3 "$T/last.err")"; fi
}

# j FILE EXPR (the JSON tools print, abuse.py, quotas.py): EXPR evaluated on the JSON object in FILE as "r".
j() {
	/usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}
# jcheck NAME FILE EXPR: passes when EXPR is true of FILE's JSON.
jcheck() {
	local v
	v=$(j "$2" "bool($3)")
	if [ "$v" = True ]; then ok "$1"; else not_ok "$1" "false: $3" "$(head -c 600 "$2")"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

finish() {
	[ "$NFAIL" -eq 0 ]
}
