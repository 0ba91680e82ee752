#!/usr/bin/env bash
# options.sh: option values the server cannot serve are refused at start
# (issue 12 point 8). --max-frame past its range (2147483644 once spun at
# 100 % CPU) is refused with the range named; the largest allowed value
# serves. A --max-connections the open-file limit cannot hold is refused
# with what to do; the default is lowered to fit, with a log line.
# --max-memory, --max-sessions-per-party and --max-bytes-per-party out of
# range are refused with the range named.
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
