#!/usr/bin/env bash
# demo.sh: one secure sum among five parties on this machine. Makes
# certificates in a temporary folder, starts mpc-server on a free loopback
# port, runs five mpc-client processes with random signed inputs, prints the
# sum they computed, checks it against the plain sum, and stops the server.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/secure-sum-demo-XXXXXX)
SERVER_PID=
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

parties=(alice bob carol dave erin)
echo "== certificates for ${parties[*]} (in $T/certs)"
"$ROOT/scripts/mkcerts.sh" --out "$T/certs" "${parties[@]}" >/dev/null
# The server gets only what a server may hold: no party private key.
mkdir -p "$T/server-certs"
cp "$T/certs/ca.crt" "$T/certs/server.crt" "$T/certs/server.key" "$T"/certs/*.enc.crt "$T/server-certs/"

echo "== starting mpc-server"
"$ROOT/bin/mpc-server" --listen 127.0.0.1:0 --certs "$T/server-certs" \
    --state-dir "$T/state" >"$T/server.out" 2>"$T/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	grep -q '^listening on ' "$T/server.out" 2>/dev/null && break
	sleep 0.05
done
addr=$(sed -n 's/^listening on //p' "$T/server.out")
[ -n "$addr" ] || { echo "demo: the server did not start:"; cat "$T/server.log"; exit 1; }
echo "   $(cat "$T/server.out")"

# Each party's records (docs/PARTY-STATE.md) in the demo's folder.
export XDG_STATE_HOME=$T/state-home
client() {
	"$ROOT/bin/mpc-client" --server "$addr" --certs "$T/certs" --party "$@"
}
created=$(client alice create demo --parties "$(IFS=,; echo "${parties[*]}")" --threshold 2)
echo "$created" | sed 's/^/   /'
invite=$(sed -n 's/^invite: //p' <<<"$created")
[ -n "$invite" ] || { echo "demo: create printed no invite code"; exit 1; }

expected=0
declare -A input
for p in "${parties[@]}"; do
	# A random signed input in [-1000000, 1000000].
	r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	input[$p]=$(( r % 2000001 - 1000000 ))
	expected=$(( expected + input[$p] ))
done

echo "== five parties run their steps at once (each input stays with its party)"
for p in "${parties[@]}"; do
	echo "   $p: input ${input[$p]}"
	client "$p" --timeout 60 run demo --invite "$invite" -- "${input[$p]}" \
	    >"$T/$p.out" 2>"$T/$p.err" &
	PIDS+=($!)
done
status=0
i=0
for p in "${parties[@]}"; do
	if ! wait "${PIDS[$i]}"; then
		echo "demo: $p failed: $(cat "$T/$p.err")"
		status=1
	fi
	i=$((i + 1))
done
[ "$status" -eq 0 ] || exit 1

got=$(cat "$T/alice.out")
echo "== sum computed by the parties: $got ($(sed -n 's/^mpc-client: sum //p' "$T/alice.err"))"
echo "   plain sum of the inputs:     $expected"
for p in "${parties[@]}"; do
	if [ "$(cat "$T/$p.out")" != "$got" ]; then
		echo "demo: $p printed $(cat "$T/$p.out"), alice printed $got"; exit 1
	fi
done
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
if [ "$got" = "$expected" ]; then
	echo "== OK: every party computed the right sum; the server saw only ciphertexts and sumpoints"
else
	echo "demo: MISMATCH: expected $expected"; exit 1
fi
