#!/usr/bin/env bash
# crash.sh: the server is killed with SIGKILL at random moments while
# sessions of n = 10 parties (t = 4) run, and restarted on the same port.
# Every party is a real `mpc-client run` that retries. After every restart,
# every change a client saw acknowledged (its --trace file) must still be in
# effect; at the end the final snapshot must hold exactly the acknowledged
# ciphertexts and sumpoints, and every session must give the right sum.
# Every third server runs with tests/tools/snapshot_gate.c holding its
# snapshots at their rename, so that its kill lands during a snapshot in a
# child (a new segment started, the old ones kept); the child must die with
# the server.
#
#   CRASH_KILLS=200 bash tests/integration/crash.sh     # the long mode
source "$(dirname "$0")/lib.sh"

KILLS=${CRASH_KILLS:-10}
N=10
THRESHOLD=4
parties=()
for i in $(seq -w 1 $N); do parties+=("p$i"); done
plist=$(IFS=,; echo "${parties[*]}")
TRACE=$T/trace.log
: >"$TRACE"

make_certs "${parties[@]}" || exit 1
use_gate snapshot_gate SNAPSHOT_GATE_DIR || { finish; exit; }
start_server --snapshot-interval 2 || exit 1
PORT=${ADDR##*:}

# A snapshot's process held at the gate must not outlive its server.
strays=0
during_snapshot=0
check_no_stray() {
	local pid i
	grep -q '^enter ' "$GATE/log" 2>/dev/null && during_snapshot=$((during_snapshot + 1))
	for pid in $(awk '$1 == "enter" { print $3 }' "$GATE/log" 2>/dev/null); do
		for i in $(seq 1 100); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
		[ -e "/proc/$pid" ] && { strays=$((strays + 1)); echo "# snapshot process $pid outlived its server"; }
	done
	rm -f "$GATE/log"
}

gated=0
restart() {
	local i
	# A gated server's first snapshot starts a second after it did.
	if [ "$gated" -eq 1 ]; then
		for i in $(seq 1 60); do grep -q '^enter ' "$GATE/log" 2>/dev/null && break; sleep 0.05; done
	fi
	kill -9 "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	check_no_stray
	gated=0
	if [ $((kills % 3)) -eq 2 ]; then
		gated=1
		start_gated --listen "127.0.0.1:$PORT" --snapshot-interval 1
	else
		start_server --listen "127.0.0.1:$PORT" --snapshot-interval 2
	fi
}

# After a restart: every acknowledgement traced so far is in effect.
check_acks() {
	local s files=()
	cp "$TRACE" "$T/trace.now"
	for s in "${sessions[@]}"; do
		"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party p01 --timeout 20 \
		    --json status "$s" >"$T/status-$s.json" 2>"$T/status.err" || {
			echo "status of $s failed: $(cat "$T/status.err")" >"$T/check.out"
			return 1
		}
		files+=("$T/status-$s.json")
	done
	/usr/bin/python3 "$ROOT/tests/tools/crash_check.py" status "$T/trace.now" "${files[@]}" \
	    >"$T/check.out" 2>&1
}

kills=0
lost_after_restart=0
sessions=()
wave=0
bad_runs=0
while [ "$kills" -lt "$KILLS" ]; do
	wave=$((wave + 1))
	s="crash$wave"
	sessions+=("$s")
	expected=0
	declare -A val=()
	for p in "${parties[@]}"; do
		val[$p]=$(( $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 2000001 - 1000000 ))
		expected=$(( expected + val[$p] ))
	done
	if ! "$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party p01 --timeout 60 \
	    create "$s" --parties "$plist" --threshold $THRESHOLD >/dev/null 2>"$T/create.err"; then
		not_ok "create $s" "$(cat "$T/create.err")"
		break
	fi
	rpids=()
	for p in "${parties[@]}"; do
		"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party "$p" --timeout 120 \
		    --trace "$TRACE" run "$s" -- "${val[$p]}" >"$T/$s-$p.out" 2>"$T/$s-$p.err" &
		rpids+=($!)
		PIDS+=($!)
	done
	# Kill at random moments while this wave runs (and at least once).
	while :; do
		sleep "0.$(( RANDOM % 6 + 2 ))"
		restart || { not_ok "restart after kill $((kills + 1))" "$(tail -n 3 "$T/server.log")"; break 2; }
		kills=$((kills + 1))
		if ! check_acks; then
			lost_after_restart=$((lost_after_restart + 1))
			echo "# after kill $kills: $(cat "$T/check.out")"
		fi
		alive=0
		for pid in "${rpids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ "$alive" -eq 0 ] && break
		[ "$kills" -ge "$KILLS" ] && break
	done
	i=0
	for p in "${parties[@]}"; do
		if ! wait "${rpids[$i]}" || [ "$(cat "$T/$s-$p.out")" != "$expected" ]; then
			bad_runs=$((bad_runs + 1))
			echo "# $s $p: got '$(cat "$T/$s-$p.out")', expected $expected: $(tail -n 2 "$T/$s-$p.err")"
		fi
		i=$((i + 1))
	done
done

check_eq "every restart kept every acknowledged change ($kills kills)" "0" "$lost_after_restart"
check_eq "every party of every session printed the right sum ($wave sessions of $N)" "0" "$bad_runs"
[ "$kills" -ge "$KILLS" ] && ok "the server was killed $kills times" || not_ok "the server was killed $kills times, wanted $KILLS"

check_eq "no snapshot process outlived a killed server" "0" "$strays"
if [ "$KILLS" -ge 3 ]; then
	[ "$during_snapshot" -ge 1 ] && ok "kills during a snapshot in a child: $during_snapshot" ||
	    not_ok "kills during a snapshot in a child: $during_snapshot"
fi
# The final state, byte for byte, against what was acknowledged.
touch "$GATE/open.all"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
if /usr/bin/python3 "$ROOT/tests/tools/crash_check.py" snapshot "$TRACE" "$T/state/snapshot.bin" \
    >"$T/final.out" 2>&1; then
	ok "the final snapshot holds every acknowledged ciphertext and sumpoint: $(head -n1 "$T/final.out")"
else
	not_ok "the final snapshot holds every acknowledged ciphertext and sumpoint" "$(cat "$T/final.out")"
fi
acked=$(wc -l <"$TRACE")
[ "$acked" -ge $(( wave * N )) ] && ok "acknowledged changes traced: $acked" ||
    not_ok "acknowledged changes traced: $acked, expected at least $(( wave * N ))"
echo "# crash test: kills survived $kills ($during_snapshot during a snapshot), sessions $wave (n=$N, t=$THRESHOLD), RPCs acknowledged $acked, lost 0 unless reported above"
finish
