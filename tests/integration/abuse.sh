#!/usr/bin/env bash
# abuse.sh: hostile connections against the real server, on loopback.
#
# - 1,000 TCP connections that never start a handshake and 200 that finish
#   it and stall mid-frame (each announcing a 128 MiB frame and sending 100
#   bytes of it), kept open and reopened as the server drops them, while a
#   5-party session of real mpc-client processes runs: it must finish in
#   about the time it takes alone (at most 3x + 1 s), and the server must
#   not allocate for the frames announced.
# - The handshake timeout (1 s here) and idle timeout (2 s) are enforced:
#   the server closes those connections after them, without a byte.
# - Plain connections that never start a handshake hold at most half of
#   --max-connections (a newcomer closes the oldest of them), so a TLS
#   client is served while they press on the slots, and again after some
#   close (quotas.sh covers authenticated parties under a re-opening flood).
# - One identity holding every slot with authenticated connections keeps no
#   one out: a newcomer closes that identity's oldest connection.
# - A frame over --max-frame is refused before its body is sent.
# - Garbage after the handshake closes that connection with an error and
#   nothing else; other connections are unaffected.
# - A client that never reads its replies cannot make the server buffer
#   without bound (VmRSS from /proc), and is dropped after the idle timeout.
#
# The hostile clients are tests/tools/abuse.py; figures go out as TAP
# comments. Every process started here is reaped (lib.sh kills the rest).
source "$(dirname "$0")/lib.sh"

T_START=$(date +%s.%N)
ABUSE=$ROOT/tests/tools/abuse.py
PARTIES=(alice bob carol dave erin)
declare -A VALS=([alice]=17 [bob]=-5 [carol]=123456 [dave]=0 [erin]=-99)
SUM=123369
MAX_FRAME=134217728
# Memory bounds are reported, not checked, under ASan (lib.sh: SAN).

# The flood needs about 1,250 descriptors here.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 1400 ]; then
	echo "Bail out! need 1400 open files for the flood; ulimit -n is $(ulimit -n)"
	exit 1
fi
python_proto || bail "protoc --python_out failed"
make_certs "${PARTIES[@]}" || bail "mkcerts.sh failed"
need_client

# ab ARGS...: abuse.py as alice against the server in ADDR / SERVER_PID.
ab() {
	/usr/bin/python3 "$ABUSE" --server "$ADDR" --py "$PY" --ca "$T/certs/ca.crt" \
	    --cert "$T/certs/alice.crt" --key "$T/certs/alice.key" --pid "$SERVER_PID" "$@"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# session SID [quiet]: creates a 5-party session and runs every party's
# `run` at once; sets SESSION_S to the seconds the runs took (-1 if one
# failed) and checks every output. Quiet: no "ok" line, SESSION_BAD counts.
SESSION_BAD=0
session() {
	local sid=$1 quiet=${2:-} p i=0 t0 bad=0
	local -a pids=()
	client alice create "$sid" --parties "$(IFS=,; echo "${PARTIES[*]}")" \
	    --threshold 2 >/dev/null 2>"$T/create.err" ||
		{ not_ok "create session $sid" "$(cat "$T/create.err")"; SESSION_S=-1; return; }
	t0=$(now)
	for p in "${PARTIES[@]}"; do
		client "$p" run "$sid" -- "${VALS[$p]}" >"$T/$sid-$p.out" 2>"$T/$sid-$p.err" &
		pids+=($!)
	done
	for p in "${PARTIES[@]}"; do
		if ! wait "${pids[$i]}" || [ "$(cat "$T/$sid-$p.out")" != "$SUM" ]; then
			bad=1
			not_ok "session $sid: $p prints the sum" "$(tail -n 2 "$T/$sid-$p.err")"
		fi
		i=$((i + 1))
	done
	SESSION_S=$(elapsed "$t0" "$(now)")
	if [ "$bad" -ne 0 ]; then
		SESSION_S=-1
		SESSION_BAD=$((SESSION_BAD + 1))
	elif [ -z "$quiet" ]; then
		ok "session $sid: all 5 parties print $SUM (${SESSION_S} s)"
	fi
}

# ---- a 5-party session, alone and under a connection flood ---------------

start_server --handshake-timeout 1 --idle-timeout 2 || bail "server did not start"
MAIN_ADDR=$ADDR MAIN_PID=$SERVER_PID
RSS0=$(rss_kb "$MAIN_PID")

session alone1
A1=$SESSION_S
session alone2
A2=$SESSION_S
ALONE=$(awk -v a="$A1" -v b="$A2" 'BEGIN { print (a > b ? a : b) }')

# Started directly (not through ab) so that $! is python itself; it also
# stops by itself after --duration.
/usr/bin/python3 "$ABUSE" --server "$ADDR" --py "$PY" --ca "$T/certs/ca.crt" \
    --cert "$T/certs/alice.crt" --key "$T/certs/alice.key" --pid "$SERVER_PID" \
    flood --idle 1000 --stall 200 --frame-len "$MAX_FRAME" --body 100 --refill \
    --duration 40 --ready "$T/flood.ready" >"$T/flood.json" 2>"$T/flood.err" &
FLOOD=$!
PIDS+=("$FLOOD")
for _ in $(seq 1 300); do
	[ -e "$T/flood.ready" ] && break
	kill -0 "$FLOOD" 2>/dev/null || break
	sleep 0.05
done
if [ -e "$T/flood.ready" ]; then
	read -r n_idle n_stall <"$T/flood.ready"
	check_eq "the flood holds 1000 idle and 200 stalled connections" "1000 200" "$n_idle $n_stall"
	# Sessions one after another for 4.5 s: through the first rounds of
	# handshake timeouts (1 s) and idle timeouts (2 s), and the reconnects
	# that follow each; the slowest one counts.
	T_FLOOD=$(now)
	ABUSED=0 RSS_FLOOD=0 k=0 TIMES=""
	while [ "$k" -lt 2 ] ||
	    awk -v e="$(elapsed "$T_FLOOD" "$(now)")" 'BEGIN { exit !(e < 4.5) }'; do
		k=$((k + 1))
		session "abused$k" quiet
		TIMES="$TIMES $SESSION_S"
		ABUSED=$(awk -v a="$ABUSED" -v b="$SESSION_S" 'BEGIN { print (b > a || b < 0 ? b : a) }')
		r=$(rss_kb "$MAIN_PID")
		[ "${r:-0}" -gt "$RSS_FLOOD" ] && RSS_FLOOD=$r
		[ "$k" -ge 30 ] && break
	done
	[ "$SESSION_BAD" -eq 0 ] &&
		ok "$k 5-party sessions in a row under the flood all print $SUM"
else
	not_ok "the flood holds 1000 idle and 200 stalled connections" "$(cat "$T/flood.err")"
	ABUSED=-1
fi
kill -TERM "$FLOOD" 2>/dev/null
wait "$FLOOD" 2>/dev/null

echo "# 5-party session alone: ${A1} s and ${A2} s; under the flood:${TIMES:- -} s"
# The bound is loose enough for a machine running another test suite
# (issue 12 point 9: under such load 2.41 s against 0.49 s alone was seen)
# and still far below what a starved session takes (it waits out
# --timeout, 30 s).
LIMIT=$(awk -v a="$ALONE" 'BEGIN { printf "%.2f", 5 * a + 2 }')
if awk -v x="$ABUSED" -v l="$LIMIT" 'BEGIN { exit !(x >= 0 && x <= l) }'; then
	ok "under the flood the slowest session takes ${ABUSED} s, within 5 x ${ALONE} + 2 = ${LIMIT} s"
else
	not_ok "under the flood the slowest session takes ${ABUSED} s, within 5 x ${ALONE} + 2 = ${LIMIT} s"
fi
if [ -s "$T/flood.json" ]; then
	echo "# flood: $(j "$T/flood.json" 'json.dumps(r)')"
	echo "# server VmRSS: ${RSS0} KiB at start, ${RSS_FLOOD} KiB under the flood (200 frames of 128 MiB announced)"
	# Closed no sooner than the timeout, and not much later: the margin is
	# for a loaded machine, where the server's loop (and ours) runs late.
	jcheck "connections that never start a handshake are closed after the 1 s handshake timeout ($(j "$T/flood.json" '"%(min)s-%(max)s s" % r["idle"]["lifetime_s"]'))" \
	    "$T/flood.json" 'r["idle"]["closed_by_server"] >= 1000 and r["idle"]["lifetime_s"]["min"] >= 0.9 and r["idle"]["lifetime_s"]["max"] <= 4.0'
	jcheck "stalled connections are closed 2 s (the idle timeout) after their last byte ($(j "$T/flood.json" '"%(min)s-%(max)s s" % r["stall"]["lifetime_s"]'))" \
	    "$T/flood.json" 'r["stall"]["closed_by_server"] >= 200 and r["stall"]["lifetime_s"]["min"] >= 1.9 and r["stall"]["lifetime_s"]["max"] <= 5.0'
	jcheck "... both without the server sending a byte" \
	    "$T/flood.json" 'r["idle"]["bytes_from_server"] == 0 and r["stall"]["bytes_from_server"] == 0'
	jcheck "... and every connection the flood opened was accepted" \
	    "$T/flood.json" 'r["idle"]["failed"] == 0 and r["stall"]["failed"] == 0 and r["max_open"] >= 1200'
	if [ -n "$SAN" ] || { [ -n "$RSS_FLOOD" ] && [ "$RSS_FLOOD" -lt $((RSS0 + 256 * 1024)) ]; }; then
		ok "200 announced 128 MiB frames allocate nothing: VmRSS ${RSS_FLOOD} KiB$SAN"
	else
		not_ok "200 announced 128 MiB frames allocate nothing: VmRSS ${RSS_FLOOD:-?} KiB"
	fi
else
	not_ok "the flood reported" "$(cat "$T/flood.err")"
fi
n=$(grep -c 'handshake timeout; closing' "$T/server.log")
m=$(grep -c 'idle timeout; closing' "$T/server.log")
echo "# server log: $n handshake timeouts, $m idle timeouts"

# ---- frames over the limit, and garbage ----------------------------------

ab bigframe --len $((MAX_FRAME + 1)) >"$T/big1.json" 2>"$T/big.err"
echo "# frame of max+1: $(j "$T/big1.json" 'json.dumps(r)')"
jcheck "a header announcing max-frame + 1 bytes is answered RESOURCE_EXHAUSTED (id 0) with no body sent, then closed" \
    "$T/big1.json" 'r["response"]["id"] == 0 and r["response"]["code"] == "RESOURCE_EXHAUSTED" and "over the limit" in r["response"]["message"] and r["after"] == "eof"'
ab bigframe --len 4294967295 >"$T/big2.json" 2>>"$T/big.err"
jcheck "a header announcing 4 GiB is refused the same way, at once (no allocation: VmRSS unchanged)" \
    "$T/big2.json" 'r["response"]["code"] == "RESOURCE_EXHAUSTED" and r["after"] == "eof" and r["response_ms"] < 2000 and (r["rss_after_kb"] - r["rss_before_kb"] < 16384 or '"$SANITIZED"')'
ab bigframe --len "$MAX_FRAME" --body 1000 --wait 1.2 >"$T/big3.json" 2>>"$T/big.err"
echo "# frame of exactly max, 1000 bytes sent: $(j "$T/big3.json" 'json.dumps(r)')"
jcheck "a frame of exactly max-frame with 1000 bytes sent waits for the rest, with nothing allocated for it" \
    "$T/big3.json" 'r["response"] is None and r["after"] == "open" and (r["rss_after_kb"] - r["rss_before_kb"] < 16384 or '"$SANITIZED"')'

ab garbage --mode frame >"$T/g1.json" 2>"$T/g.err"
echo "# garbage frame: $(j "$T/g1.json" 'json.dumps(r)')"
jcheck "a frame that is no Request gets INVALID_ARGUMENT (id 0) and the connection closes" \
    "$T/g1.json" 'r["victim_response"]["id"] == 0 and r["victim_response"]["code"] == "INVALID_ARGUMENT"'
jcheck "... and nothing else: the valid request after it is not answered" "$T/g1.json" 'r["victim"] == "eof"'
jcheck "... while another open connection and a new one are served" \
    "$T/g1.json" 'r["control_after"] == "OK id=3" and r["new_connection"] == "OK id=4"'
ab garbage --mode tls >"$T/g2.json" 2>>"$T/g.err"
echo "# garbage under TLS: $(j "$T/g2.json" 'json.dumps(r)')"
jcheck "raw bytes under the TLS layer close that connection with a TLS error and no data; others are served" \
    "$T/g2.json" '(r["victim"] in ("eof", "reset") or r["victim"].startswith("alert")) and r["control_after"] == "OK id=3" and r["new_connection"] == "OK id=4"'
ab garbage --mode pre >"$T/g3.json" 2>>"$T/g.err"
echo "# bytes that are no TLS: $(j "$T/g3.json" 'json.dumps(r)')"
jcheck "bytes that are no TLS handshake close that connection; others are served" \
    "$T/g3.json" 'r["victim"] != "open" and not r["victim"].startswith("data") and r["control_after"] == "OK id=3" and r["new_connection"] == "OK id=4"'

# ---- past --max-connections ------------------------------------------------

if start_server --state-dir "$T/state-max" --max-connections 20 --handshake-timeout 30; then
	ab maxconn --hold 20 --release 5 >"$T/max.json" 2>"$T/max.err"
	echo "# max-connections 20: $(j "$T/max.json" 'json.dumps(r)')"
	# 20 plain connections against 20 slots: the first 10 made way for the
	# next 10 (at most half may be in a handshake), and the probe, a 21st,
	# for one more; the TLS clients each close one more as they connect.
	jcheck "plain connections hold at most half of the 20 slots" "$T/max.json" \
	    'r["held_closed"] >= 10'
	jcheck "a TLS client is served while plain connections hold their share" \
	    "$T/max.json" 'r["tls_when_full"].startswith("OK")'
	jcheck "once 5 close, a TLS client is served again" \
	    "$T/max.json" 'r["tls_after_release"] == "OK id=2"'
	stop_server
else
	not_ok "a server with --max-connections 20 starts"
fi

# ---- one identity holding every slot ---------------------------------------

if start_server --state-dir "$T/state-hog" --max-connections 6; then
	ab hog --hold 6 --cert2 "$T/certs/bob.crt" --key2 "$T/certs/bob.key" >"$T/hog.json" 2>"$T/hog.err"
	echo "# bob holding all 6 slots: $(j "$T/hog.json" 'json.dumps(r)')"
	jcheck "bob holding every slot: alice is served all the same" "$T/hog.json" \
	    'r["newcomer"] == "OK id=100"'
	jcheck "... and only bob's oldest connection was closed for her" "$T/hog.json" \
	    'r["closed"] == [0]'
	stop_server
else
	not_ok "a server with --max-connections 6 starts"
fi

# ---- a client that never reads its replies --------------------------------

# Its own server: a 3 s idle timeout leaves time to measure before the
# server drops the connection for not reading.
if start_server --state-dir "$T/state-noread" --idle-timeout 3; then
	ab noread --cert2 "$T/certs/bob.crt" --key2 "$T/certs/bob.key" --length 1000000 \
	    --requests 24 --sample 1.5 >"$T/noread.json" 2>"$T/noread.err"
	echo "# non-reading client: $(j "$T/noread.json" 'json.dumps(r)')"
	# The server pauses reading once 64 MiB wait; one more response may be
	# in flight, and the kernel's socket buffers hold a few MiB more.
	bound=$(j "$T/noread.json" 'r["rss_baseline_kb"] + 65536 + 2 * r["response_bytes"]["max"] // 1024 + 49152')
	jcheck "24 pipelined GetShare/ListSumpoints of 16-18 MB each, unread: VmRSS stays under baseline + 64 MiB + 2 responses + 48 MiB ($bound KiB)$SAN" \
	    "$T/noread.json" "(r['rss_stalled_kb']['max'] <= $bound or $SANITIZED) and r['server_alive_while_stalled']"
	jcheck "... far below what buffering them all would take$SAN" \
	    "$T/noread.json" '(r["rss_stalled_kb"]["max"] - r["rss_baseline_kb"]) * 1024 < r["unbounded_would_be_mb"] * 2**20 / 2 or '"$SANITIZED"
	jcheck "... and once it reads, all 24 responses arrive, in order" \
	    "$T/noread.json" 'r["responses_read"] == 24 and r["codes"] == {"OK": 24} and "id_mismatch" not in r'
	ab stalled --requests 24 --sample 4.5 >"$T/stalled.json" 2>"$T/stalled.err"
	echo "# non-reading client for 4.5 s: $(j "$T/stalled.json" 'json.dumps(r)')"
	jcheck "a client that reads nothing for longer than the idle timeout is dropped" \
	    "$T/stalled.json" 'r["end"].startswith("closed") and r["responses_read"] < 24'
	if grep -q 'alice: idle timeout; closing' "$T/server.log"; then ok "... as the server's log says"
	else not_ok "... as the server's log says" "$(tail -n 3 "$T/server.log")"; fi
	# Not a pass/fail check: the 64 MiB bound is per connection.
	ab noread --cert2 "$T/certs/bob.crt" --key2 "$T/certs/bob.key" --length 1000000 \
	    --requests 8 --conns 4 --sample 1.5 >"$T/noread4.json" 2>"$T/noread4.err"
	echo "# 4 non-reading connections: VmRSS $(j "$T/noread4.json" 'r["rss_baseline_kb"]') -> $(j "$T/noread4.json" 'r["rss_stalled_kb"]["max"]') KiB (the bound is per connection)"
	stop_server
else
	not_ok "a server with --idle-timeout 3 starts"
fi

ADDR=$MAIN_ADDR SERVER_PID=$MAIN_PID
if kill -0 "$MAIN_PID" 2>/dev/null && [ "$(ab garbage --mode frame 2>/dev/null | j /dev/stdin 'r["new_connection"]')" = "OK id=4" ]; then
	ok "after all that, the first server is still serving"
else
	not_ok "after all that, the first server is still serving" "$(tail -n 5 "$T/server.log")"
fi
echo "# abuse.sh wall time: $(elapsed "$T_START" "$(now)") s"
finish
