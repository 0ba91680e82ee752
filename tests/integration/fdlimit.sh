#!/usr/bin/env bash
# fdlimit.sh: the server out of file descriptors (issue 12, point 8): accept
# backs off instead of spinning.
#
# The server starts with room for its --max-connections (options.sh checks
# that refusal at start); then its open-file limit is lowered under it
# (prlimit --pid, as anything else taking descriptors would) and a client
# opens more plain TCP connections than it has descriptors left. accept
# fails with EMFILE; the server must pause accepting (10 ms doubling to 1 s)
# rather than retry at once: over a few seconds its CPU time stays low, its
# log holds one line for the episode, not thousands, and the retries are
# few. Once the connections go, it accepts again, logs that once with the
# count of deferred accepts, and an honest create succeeds.
#
# (A limit given before the start cannot do it: --max-connections must fit
# under it, or the default is lowered to fit, and the connections over it
# are then closed at accept, with no EMFILE.)
source "$(dirname "$0")/lib.sh"

make_certs alice bob || bail "mkcerts.sh failed"
need_client
command -v prlimit >/dev/null || bail "prlimit (util-linux) is not installed"

HOLD=150
start_server --max-connections 200 --handshake-timeout 120 || bail "server did not start"
check "control: alice creates a session" client alice create s1 --parties alice,bob --threshold 1

# cpu_ticks: the server's user + system time, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
hard=$(prlimit --pid "$SERVER_PID" --nofile --noheadings --output HARD)
base=$(ls "/proc/$SERVER_PID/fd" | wc -l)
soft=$((base + 20))
prlimit --pid "$SERVER_PID" --nofile="$soft:$hard" || bail "prlimit --pid could not lower the server's limit"

# The holder: HOLD plain TCP connections, kept until $T/release exists.
/usr/bin/python3 - "$ADDR" "$HOLD" "$T/held" "$T/release" >"$T/holder.out" 2>&1 <<'PY' &
import os, socket, sys, time
host, _, port = sys.argv[1].rpartition(":")
n, ready, release = int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = [socket.create_connection((host, int(port)), timeout=10) for _ in range(n)]
open(ready, "w").close()
for _ in range(1200):
    if os.path.exists(release):
        break
    time.sleep(0.05)
for s in socks:
    s.close()
PY
HOLDER=$!
PIDS+=("$HOLDER")
wait_for test -e "$T/held" || bail "the holder could not open $HOLD connections: $(cat "$T/holder.out")"
wait_for grep -q 'accept: Too many open files' "$T/server.log" ||
    not_ok "accept fails with EMFILE once the descriptors are used up" "$(tail -n 3 "$T/server.log")"

# Over 4 s of exhaustion: CPU time, and what the log gained.
tck=$(getconf CLK_TCK)
lines0=$(wc -l <"$T/server.log")
c0=$(cpu_ticks) t0=$(now_ms)
sleep 4
c1=$(cpu_ticks) t1=$(now_ms)
lines1=$(wc -l <"$T/server.log")
cpu_ms=$(( (c1 - c0) * 1000 / tck )) wall_ms=$((t1 - t0))
# Spinning takes all the CPU it is given; a paused accept next to none.
if [ $((cpu_ms * 5)) -lt "$wall_ms" ]; then
	ok "out of descriptors, the server does not spin ($cpu_ms ms CPU in $wall_ms ms)"
else
	not_ok "out of descriptors, the server does not spin" "$cpu_ms ms CPU in $wall_ms ms"
fi
check_eq "... and logs nothing more while it lasts" "$lines0" "$lines1"
check_eq "one log line for the episode" 1 "$(grep -c 'accept: Too many open files; pausing new connections' "$T/server.log")"
check_eq "the server is still running" 0 "$(kill -0 "$SERVER_PID" 2>/dev/null; echo $?)"

# The connections go; the limit stays low: accepting must resume by itself,
# though the closed connections in the backlog fill the descriptors again
# in bursts (one episode still).
touch "$T/release"
wait "$HOLDER"
check "after the connections go, an honest create succeeds" \
    client alice create s2 --parties alice,bob --threshold 1
wait_for grep -q 'accepting connections normally again after' "$T/server.log"
line=$(grep 'accepting connections normally again after' "$T/server.log")
check_eq "still one line for the episode's start, the backlog's burst included" 1 \
    "$(grep -c 'accept: Too many open files' "$T/server.log")"
check_eq "one log line when the episode ends" 1 "$(grep -c 'accepting connections normally again after' "$T/server.log")"
deferred=$(sed -n 's/.*in which \([0-9]*\) accepts were deferred.*/\1/p' <<<"$line")
secs=$(sed -n 's/.*again after \([0-9]*\)\..*/\1/p' <<<"$line")
# At least 10 ms between two failed accepts: 100 a second at most (a spin
# makes hundreds of thousands).
if [ -n "$deferred" ] && [ -n "$secs" ] && [ "$deferred" -ge 1 ] && [ "$deferred" -le $(((secs + 1) * 100)) ]; then
	ok "it names the deferred accepts, few for the episode's length ($deferred in ${secs}+ s)"
else
	not_ok "it names the deferred accepts, few for the episode's length" "$line"
fi
prlimit --pid "$SERVER_PID" --nofile="$hard:$hard"
check "with the limit back, bob reads the session" client bob status s2

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check_eq "SIGTERM then stops it cleanly (exit status)" 0 "$?"
echo "1..$((NPASS + NFAIL))"
finish
