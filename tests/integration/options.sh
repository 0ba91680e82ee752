#!/usr/bin/env bash
# options.sh: option values the server cannot serve are refused at start
# (issue 12 point 8). --max-frame past its range (2147483644 once spun at
# 100 % CPU) is refused with the range named; the largest allowed value
# serves. A --max-connections the open-file limit cannot hold is refused
# with what to do; the default is lowered to fit, with a log line.
# --max-memory, --max-sessions-per-party and --max-bytes-per-party out of
# range are refused with the range named. --warm-memory over --max-memory,
# or of more extents than half of vm.max_map_count,
# is refused; a server with it says so at start and sums vectors whose
# frames are made of its extents (core/bigmem.h's pool), and of fresh
# memory once they are used up, in session after session.
source "$(dirname "$0")/lib.sh"

make_certs alice bob || exit 1

# srv ARGS...: mpc-server in the foreground on a fresh folder, at most 10 s.
srv() {
	timeout 10 "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" \
	    --state-dir "$T/state-x" "$@" >"$T/srv.out" 2>"$T/srv.err"
}
srv --max-frame 2147483644; rc=$?
check_eq "--max-frame 2147483644: exit status 2" "2" "$rc"
if grep -q -- "--max-frame wants a whole number from 1024 to 1073741824" "$T/srv.err"
then ok "its message gives the range"; else not_ok "its message gives the range" "$(cat "$T/srv.err")"; fi
check_eq "nothing was created" "no" "$([ -e "$T/state-x" ] && echo yes || echo no)"

for o in "--max-memory 16777215 16777216 9223372036854775807" \
    "--max-sessions-per-party 0 1 16777216" "--max-bytes-per-party 0 1 9223372036854775807"; do
	set -- $o
	srv "$1" "$2"; rc=$?
	if [ "$rc" = 2 ] && grep -q -- "$1 wants a whole number from $3 to $4, got '$2'" "$T/srv.err"
	then ok "$1 $2 is refused, naming the range"
	else not_ok "$1 $2 is refused, naming the range" "exit status $rc" "$(cat "$T/srv.err")"; fi
done

srv --max-memory 134217728 --warm-memory 134217729; rc=$?
check_eq "--warm-memory over --max-memory: exit status 2" "2" "$rc"
check "its message names both" grep -q -- \
    "--warm-memory 134217729 is more than the memory budget (--max-memory 134217728)" "$T/srv.err"

# A pool of more 2 MiB extents than half of vm.max_map_count is refused:
# each one used becomes a mapping of its own.
maps=$(cat /proc/sys/vm/max_map_count)
over=$(( (maps / 2 + 1) * 2097152 ))
srv --max-memory "$over" --warm-memory "$over"; rc=$?
check_eq "--warm-memory of more extents than half of vm.max_map_count: exit status 2" "2" "$rc"
check "its message names vm.max_map_count and the most it allows" grep -q -- \
    "--warm-memory $over is $((maps / 2 + 1)) extents of 2 MiB, each a mapping of its own once used, more than half of vm.max_map_count ($maps): at most $(( maps / 2 * 2097152 )) bytes here" "$T/srv.err"

# 8 MiB of warm memory: a frame of two 2.4 MB shares takes 2 extents, so
# the first session's two submissions use up the pool, and the later ones
# get them back once a session is dropped.
start_server --warm-memory 8388608 --metrics-listen 127.0.0.1:0 || exit 1
check "a start-up line gives the warm memory" grep -q \
    "warm memory 8388608 bytes touched in .* s (--warm-memory)" "$T/server.log"
M=$(sed -n 's/.* info: metrics listen=\([^ ]*\) .*/\1/p' "$T/server.log" | head -n 1)
# warm NAME: the value of mpc_server_warm_memory_NAME from /metrics.
warm() {
	curl -sS --max-time 10 "http://$M/metrics" | awk -v n="mpc_server_warm_memory_$1" '$1 == n { print $2 }'
}
check_eq "/metrics: all of it is held at start" "8388608 8388608" "$(warm bytes) $(warm max_bytes)"
L=300000
seq 1 $L >"$T/in-a"
seq 1 $L | awk '{ print 2 * $1 }' >"$T/in-b"
seq 1 $L | awk '{ print 3 * $1 }' >"$T/want"
for s in w1 w2 w3; do
	client alice create $s --parties alice,bob --threshold 1 --length $L >/dev/null
	bgc $s-alice alice run $s --input "$T/in-a"
	client bob run $s --input "$T/in-b" >"$T/$s.sum" 2>"$T/$s.err"; rc=$?
	wait "$BG"
	check_eq "$s: bob's run with the warm memory exits 0" "0" "$rc"
	if tr -s ' \n' '\n\n' <"$T/$s.sum" | grep . | cmp -s - "$T/want"
	then ok "$s: the sum of the two vectors is right"
	else not_ok "$s: the sum of the two vectors is right" "$(head -c 300 "$T/$s.sum")" "$(cat "$T/$s.err")"; fi
	check "$s: alice's too" cmp -s "$T/$s.sum" "$T/$s-alice.out"
	case $s in
	w1) check_eq "w1 took all of it" "0" "$(warm bytes)" ;;
	w2) check "delete w1" client alice delete w1
	    check_eq "w1's extents came back" "8388608" "$(warm bytes)" ;;
	w3) check_eq "w3 took them again" "0" "$(warm bytes)" ;;
	esac
done
stop_server

start_server --max-frame 1073741824 || exit 1
check "the largest --max-frame serves a create" \
    client alice create s1 --parties alice,bob --threshold 1 --length 1
stop_server

# lowfd ARGS...: the server under an open-file limit of 200 (soft and hard).
lowfd() {
	spawn_listening "$T/low.out" "$T/low.log" bash -c 'ulimit -n 200 && exec "$0" "$@"' \
	    "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" \
	    --state-dir "$T/state-low" "$@"
}
bash -c 'ulimit -n 200 && exec "$0" "$@"' "$SERVER_BIN" --listen 127.0.0.1:0 \
    --certs "$T/server-certs" --state-dir "$T/state-low" --max-connections 1000 \
    >"$T/srv.out" 2>"$T/srv.err"; rc=$?
check_eq "--max-connections 1000 under ulimit -n 200: exit status 1" "1" "$rc"
if grep -q "limit (ulimit -n, RLIMIT_NOFILE) is 200; raise the limit .* or give --max-connections 136 or less" "$T/srv.err"
then ok "its message says what to do"; else not_ok "its message says what to do" "$(cat "$T/srv.err")"; fi
check_eq "it read nothing and took no lock" "no" "$([ -e "$T/state-low/lock" ] && echo yes || echo no)"

if lowfd; then
	ok "the default --max-connections under ulimit -n 200 starts"
	ADDR=$LISTEN_ADDR SERVER_PID=$SPAWNED
	check_eq "a log line gives the lowered bound" "1" \
	    "$(grep -c 'open-file limit is 200: at most 136 connections' "$T/low.log")"
	check "it serves a create" client alice create s2 --parties alice,bob --threshold 1 --length 1
	stop_server
else not_ok "the default --max-connections under ulimit -n 200 starts"; fi
finish
