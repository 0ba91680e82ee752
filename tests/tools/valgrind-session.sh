#!/usr/bin/env bash
# valgrind-session.sh: two whole 3-party sessions (create, share, sumpoint,
# result), one of 2-element and one of 100,000-element vectors (frames over
# the server's 64 KiB in-place line, and over the 2 MiB extent its
# --warm-memory lends, and takes back at exit), with mpc-server and every mpc-client
# process under valgrind memcheck. Passes only when every process exits as
# it should, the sums are right, and every valgrind log reports zero errors
# and no definitely or indirectly lost bytes. `make test-valgrind` builds BIN (build-vg/bin) and
# runs this; prints TAP lines, then one line per process.
#
# usage: tests/tools/valgrind-session.sh BINDIR
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "${1:-$ROOT/build-vg/bin}" && pwd)
T=$(mktemp -d /tmp/ss-vg-XXXXXX)
SERVER_PID=
npass=0
nfail=0

cleanup() {
	[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok()     { npass=$((npass + 1)); echo "ok - $1"; }
not_ok() { nfail=$((nfail + 1)); echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '#   %s\n' "$@"; }

VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
    --track-fds=no)

# vg NAME CMD...: runs CMD under valgrind, its log in $T/vg-NAME.log.
vg() {
	local name=$1; shift
	"${VG[@]}" --log-file="$T/vg-$name.log" "$@"
}

"$ROOT/scripts/mkcerts.sh" --out "$T/certs" alice bob carol >"$T/mkcerts.log" 2>&1 ||
	{ echo "Bail out! mkcerts.sh failed"; cat "$T/mkcerts.log"; exit 1; }
mkdir -p "$T/server-certs"
cp "$T/certs/ca.crt" "$T/certs/server.crt" "$T/certs/server.key" "$T"/certs/*.enc.crt \
    "$T/server-certs/"
chmod 600 "$T/server-certs/server.key"

# Not through vg(): a backgrounded function is a subshell, and $! must be
# valgrind itself so that SIGTERM reaches the server.
"${VG[@]}" --log-file="$T/vg-server.log" "$BIN/mpc-server" --listen 127.0.0.1:0 \
    --certs "$T/server-certs" --state-dir "$T/state" --warm-memory 4194304 \
    >"$T/server.out" 2>"$T/server.log" &
SERVER_PID=$!
ADDR=
for _ in $(seq 1 600); do	# valgrind starts slowly: up to 60 s
	line=$(grep -m1 '^listening on ' "$T/server.out" 2>/dev/null)
	if [ -n "$line" ]; then ADDR=${line#listening on }; break; fi
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$ADDR" ]; then
	echo "Bail out! the server did not start under valgrind"
	sed 's/^/#   /' "$T/server.log" "$T/vg-server.log"
	exit 1
fi
ok "mpc-server listens under valgrind ($ADDR)"

# bgstep NAME PARTY ARGS...: step in the background; its exit status in
# $T/NAME.rc, reported by steps_done. Version 2's sumpoints must run
# together: each waits for the others' COHORT signatures.
bgstep() {
	local name=$1 party=$2; shift 2
	( vg "$name" "$BIN/mpc-client" --server "$ADDR" --certs "$T/certs" \
	    --party "$party" --state "$T/state-$party" --timeout 120 "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"
	  echo $? >"$T/$name.rc" ) &
	BG_PIDS+=("$!")
}
BG_PIDS=()

# steps_done NAME...: waits for the background steps (not the server),
# then reports each.
steps_done() {
	local name rc
	wait "${BG_PIDS[@]}"
	BG_PIDS=()
	for name in "$@"; do
		rc=$(cat "$T/$name.rc" 2>/dev/null || echo "?")
		if [ "$rc" = 0 ]; then ok "$name"
		else not_ok "$name" "exit status $rc" "$(tail -n 3 "$T/$name.err")"; fi
	done
}

# invite_of FILE: the invite code in the --json document of a create.
invite_of() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["invite"])' "$1" 2>/dev/null
}

# step NAME PARTY ARGS...: one client command under valgrind.
step() {
	local name=$1 party=$2; shift 2
	if vg "$name" "$BIN/mpc-client" --server "$ADDR" --certs "$T/certs" \
	    --party "$party" --state "$T/state-$party" --timeout 120 "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"; then
		ok "$name"
	else
		not_ok "$name" "exit status $?" "$(tail -n 3 "$T/$name.err")"
	fi
}

step create alice --json create vg --parties alice,bob,carol --threshold 1 --length 2
INV=$(invite_of "$T/create.out")
step share-alice alice share vg --invite "$INV" 1000 -7
step share-bob bob share vg --invite "$INV" -- -250 3
step share-carol carol share vg --invite "$INV" 42 4
for p in alice bob carol; do bgstep "sumpoint-$p" "$p" sumpoint vg --invite "$INV"; done
steps_done sumpoint-alice sumpoint-bob sumpoint-carol
step result carol result vg --invite "$INV"
if [ "$(tr -s ' \n' ' ' <"$T/result.out" | sed 's/ *$//')" = "792 0" ]; then
	ok "the sum is 792 0"
else
	not_ok "the sum is 792 0" "got: $(cat "$T/result.out")"
fi

# A session of 100,000-element vectors: its frames are over 64 KiB, so the
# server reads them into buffers of their own, keeps those as the stored
# shares and sumpoints, and sends them back by reference; a submission
# (2.4 MB) takes a whole extent of the warm memory.
L=100000
seq 1 $L >"$T/long-alice.in"
seq 1 $L | sed 's/^/-/' >"$T/long-bob.in"
yes 7 | head -n $L >"$T/long-carol.in"
step create-long alice --json create long --parties alice,bob,carol --threshold 1 --length $L
INV=$(invite_of "$T/create-long.out")
for p in alice bob carol; do
	step "share-long-$p" "$p" share long --invite "$INV" --input "$T/long-$p.in"
done
for p in alice bob carol; do bgstep "sumpoint-long-$p" "$p" sumpoint long --invite "$INV"; done
steps_done sumpoint-long-alice sumpoint-long-bob sumpoint-long-carol
step result-long alice result long --invite "$INV"
if [ "$(tr -s ' \n' '\n\n' <"$T/result-long.out" | grep -c '^7$')" = "$L" ]; then
	ok "the $L sums are all 7"
else
	not_ok "the $L sums are all 7" "got: $(head -c 200 "$T/result-long.out")"
fi

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=
if [ "$rc" -eq 0 ]; then ok "mpc-server exits 0 on SIGTERM"
else not_ok "mpc-server exits 0 on SIGTERM" "exit status $rc (99: valgrind errors)" \
    "$(tail -n 3 "$T/server.log")"; fi
# A log without its final summary means valgrind never finished.
if [ "$(find "$T" -name 'vg-*.log' | wc -l)" -ne 17 ]; then	# server + 8 + 8 commands
	not_ok "one valgrind log per process" "$(ls "$T")"
fi

# Every log: valgrind finished (its ERROR SUMMARY is there), no errors,
# nothing definitely or indirectly lost.
echo "# valgrind memcheck, per process:"
for log in "$T"/vg-*.log; do
	name=$(basename "$log" .log); name=${name#vg-}
	errs=$(grep -oE 'ERROR SUMMARY: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n1)
	lost=$(grep -E '(definitely|indirectly) lost in' "$log" |
	    sed -E 's/^==[0-9]+== +([0-9,]+) .*/\1/' | tr -d , |
	    awk '{ s += $1 } END { print s + 0 }')
	inuse=$(sed -nE 's/.*in use at exit: ([0-9,]+) bytes.*/\1/p' "$log" | tr -d ,)
	printf '#   %-16s errors %s, definitely+indirectly lost %s bytes (in use at exit %s)\n' \
	    "$name" "${errs:-?}" "${lost:-0}" "${inuse:-?}"
	if [ -z "$errs" ]; then
		not_ok "valgrind: $name is clean" "no ERROR SUMMARY: valgrind did not finish"
	elif [ "$errs" -ne 0 ] || [ "${lost:-0}" -ne 0 ]; then
		not_ok "valgrind: $name is clean" "$(grep -v '^==[0-9]*== *$' "$log" | head -n 40)"
	else
		ok "valgrind: $name is clean"
	fi
done
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
