#!/usr/bin/env bash
# retries.sh: mpc-client rides out an unreliable server. (a) A client
# started before the server listens waits for it; (b) parties in `run` see
# the server killed with SIGKILL and restarted on the same port, and finish
# with the right sum, also (b3) when the restarted server has lost their
# shares (restored from an older state), which `run` then sends again, byte
# for byte; (c) a server that never comes is given up at --timeout, with the
# last error and the number of attempts; a certificate failure is not
# retried. (d) Without --wait, a one-shot command whose server refuses the
# connection fails in under 2 s; a retry longer than 2 s says so on stderr,
# which is not a terminal here.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol || bail "mkcerts.sh failed"
make_other_certs alice || bail "mkcerts.sh --out other failed"

# start_server_on PORT [EXTRA ARGS...]: start_server, on a given port (the
# server takes the last --listen it is given).
start_server_on() {
	local port=$1; shift
	start_server --listen "127.0.0.1:$port" "$@"
}

# wait_shared SESSION N: until N parties have shared (at most 10 s).
wait_shared() {
	local i
	for i in $(seq 1 100); do
		[ "$(client alice --json status "$1" 2>/dev/null |
		    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["shared"]))' 2>/dev/null)" = "$2" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# A free port: the one a server on port 0 got, once that server is gone.
start_server || bail "server did not start"
PORT=${ADDR##*:}
stop_server

# ---- (a) the server comes up after the client started ---------------------
t0=$(now_ms)
bgc a alice --wait create s1 --parties alice,bob,carol --threshold 1
cpid=$BG
sleep 1
if kill -0 "$cpid" 2>/dev/null; then ok "(a) with no server listening, the client with --wait keeps trying"
else not_ok "(a) with no server listening, the client with --wait keeps trying" "$(cat "$T/a.err")"; fi
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
if wait "$cpid"; then
	ok "(a) create succeeds once the server listens, $(( $(now_ms) - t0 )) ms after it started"
else
	not_ok "(a) create succeeds once the server listens" "$(cat "$T/a.err")"
fi
check_eq "(a) ... and reports the session created" \
    "created session alice/s1 (3 parties, threshold 1, length 1, decimals 0, min_cohort 3, deadline none)" \
    "$(head -n 1 "$T/a.out")"
check "(a) the session is there" client bob status s1

# ---- (b) SIGKILL and restart while parties run ----------------------------
bgc b-alice alice run s1 -- 40
apid=$BG
bgc b-bob bob run s1 -- -5
bpid=$BG
wait_shared s1 2 || not_ok "(b) alice and bob shared before the kill"
sleep 1.5    # a periodic snapshot (--snapshot-interval 1) as well as the journal
if kill -0 "$apid" 2>/dev/null && kill -0 "$bpid" 2>/dev/null; then
	ok "(b) alice's and bob's runs wait for carol"
else
	not_ok "(b) alice's and bob's runs wait for carol" "$(cat "$T/b-alice.err" "$T/b-bob.err")"
fi
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
sleep 1      # both runs now meet refused connections
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
check "(b) carol runs after the restart" client carol run s1 -- 7
check_eq "(b) carol's run prints the sum" "42" "$(cat "$T/last.out")"
for p in alice bob; do
	pid=$apid; [ "$p" = bob ] && pid=$bpid
	if wait "$pid"; then
		check_eq "(b) $p's run, across the kill, prints the sum" "42" "$(cat "$T/b-$p.out")"
	else
		not_ok "(b) $p's run survives the kill" "$(tail -n 3 "$T/b-$p.err")"
	fi
done

# (b2) killed while alice's run waits for the others' sumpoints.
check "(b2) create s2" client alice create s2 --parties alice,bob,carol --threshold 2 --length 2
check "(b2) bob shares" client bob share s2 1 2
check "(b2) carol shares" client carol share s2 -- 10 -20
bgc b2 alice run s2 100 200
apid=$BG
# bob and carol sign the cohort (and post nothing yet), so alice posts.
sign_only b2-bob s2 bob
sign_only b2-carol s2 carol
for i in $(seq 1 100); do
	client bob --json status s2 2>/dev/null | grep -q '"posted":\["alice"\]' && break
	sleep 0.1
done
sleep 1.5
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
sleep 1
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
check_sumpoints s2 bob carol
if wait "$apid"; then
	check_eq "(b2) alice's run, across the kill, prints the sum" "111 182" "$(cat "$T/b2.out")"
else
	not_ok "(b2) alice's run survives the kill" "$(tail -n 3 "$T/b2.err")"
fi

# (b3) the restarted server lost what the runs had sent (an older state is
# put back): they notice in the status and send the same bytes again.
check "(b3) create s3" client alice create s3 --parties alice,bob,carol --threshold 1
stop_server
cp -a "$T/state" "$T/state-old"
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
bgc b3-alice alice run s3 -- 1000
apid=$BG
bgc b3-bob bob run s3 -- 200
bpid=$BG
wait_shared s3 2 || not_ok "(b3) alice and bob shared before the kill"
kill -STOP "$apid" "$bpid"    # held still while the state goes back
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
rm -rf "$T/state"; mv "$T/state-old" "$T/state"
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
check_eq "(b3) the restarted server has lost both submissions" '"shared":[]' \
    "$(client carol --json status s3 2>&1 | grep -o '"shared":\[[^]]*\]')"
kill -CONT "$apid" "$bpid"
# Each run sees itself missing from `shared` and submits again.
if wait_shared s3 2; then ok "(b3) alice's and bob's runs submitted their lost shares again"
else not_ok "(b3) alice's and bob's runs submitted their lost shares again" \
    "$(client alice status s3 2>&1 | grep shared)"; fi
check "(b3) carol runs" client carol run s3 -- 30
check_eq "(b3) carol's run prints the sum" "1230" "$(cat "$T/last.out")"
for p in alice bob; do
	pid=$apid; [ "$p" = bob ] && pid=$bpid
	if wait "$pid"; then
		check_eq "(b3) $p's run prints the sum" "1230" "$(cat "$T/b3-$p.out")"
	else
		not_ok "(b3) $p's run survives the lost state" "$(tail -n 3 "$T/b3-$p.err")"
	fi
done

# ---- (c) a server that never comes --------------------------------------
stop_server
t0=$(now_ms)
"$CLIENT_BIN" --server "127.0.0.1:$PORT" --certs "$T/certs" --party alice --timeout 3 \
    --wait status s1 >"$T/c.out" 2>"$T/c.err"
rc=$?
el=$(( $(now_ms) - t0 ))
if [ "$rc" -ne 0 ]; then ok "(c) with no server, the client fails"
else not_ok "(c) with no server, the client fails"; fi
if [ "$el" -ge 2800 ] && [ "$el" -le 4500 ]; then ok "(c) ... after about --timeout 3 s ($el ms)"
else not_ok "(c) ... after about --timeout 3 s" "took $el ms"; fi
if grep -Eq 'cannot connect to 127\.0\.0\.1:[0-9]+: Connection refused \(gave up after [0-9]+ attempts in [0-9.]+ s' "$T/c.err"; then
	ok "(c) ... saying what failed last and how many attempts were made"
else
	not_ok "(c) ... saying what failed last and how many attempts were made" "$(cat "$T/c.err")"
fi
"$CLIENT_BIN" --server "127.0.0.1:$PORT" --certs "$T/certs" --party alice --timeout 2 --json \
    run s1 5 >"$T/cj.out" 2>/dev/null
check_eq "(c) run --json gives up too, with one error object" "1" \
    "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(int("gave up after" in d["error"]["message"]))' <"$T/cj.out" 2>&1)"

if grep -Eq '^mpc-client: cannot connect to 127\.0\.0\.1:[0-9]+: .*; retrying \(attempt [0-9]+\)$' "$T/c.err"; then
	ok "(c) ... having said on stderr, not a terminal, that it was retrying"
else
	not_ok "(c) ... having said on stderr, not a terminal, that it was retrying" "$(cat "$T/c.err")"
fi

# ---- (d) without --wait, a refused connection fails fast -----------------
for cmd in "status s1" "create s9 --parties alice,bob --threshold 1"; do
	t0=$(now_ms)
	# shellcheck disable=SC2086  # cmd is split into its words on purpose
	"$CLIENT_BIN" --server "127.0.0.1:$PORT" --certs "$T/certs" --party alice \
	    $cmd >"$T/d.out" 2>"$T/d.err"
	rc=$?
	el=$(( $(now_ms) - t0 ))
	if [ "$rc" -ne 0 ] && [ "$el" -lt 2000 ] &&
	    grep -q 'gave up after [0-9]* attempts\? in [0-9.]* s: is the server running? --wait keeps retrying' "$T/d.err"; then
		ok "(d) $cmd with no server fails in $el ms, pointing at --wait"
	else
		not_ok "(d) $cmd with no server fails in under 2 s, pointing at --wait" "rc $rc, $el ms" "$(cat "$T/d.err")"
	fi
	if grep -q '; retrying (attempt' "$T/d.err"; then
		not_ok "(d) ... with no retry line for a wait under 2 s" "$(cat "$T/d.err")"
	fi
done

# A certificate failure is a verdict, not a network fault: no retries.
start_server_on "$PORT" --snapshot-interval 1 || bail "no restart on $PORT"
t0=$(now_ms)
"$CLIENT_BIN" --server "$ADDR" --certs "$T/other" --party alice --timeout 20 \
    status s1 >"$T/v.out" 2>"$T/v.err"
rc=$?
el=$(( $(now_ms) - t0 ))
if [ "$rc" -ne 0 ] && [ "$el" -lt 2000 ] && grep -q 'failed verification' "$T/v.err"; then
	ok "a server certificate that does not verify fails at once ($el ms), not retried"
else
	not_ok "a server certificate that does not verify fails at once" "rc $rc, $el ms" "$(cat "$T/v.err")"
fi
# Our certificate refused by the server (another CA's alice, our ca.crt).
# The encryption key stays our CA's: every command checks it, before it
# connects, against our CA (it publishes it first), and this is about the
# TLS certificate the server refuses.
mkdir -p "$T/mixed"
cp "$T/certs/ca.crt" "$T/mixed/"; cp "$T/other/alice."* "$T/mixed/"
cp "$T/certs/alice.enc."* "$T/mixed/"; chmod 600 "$T/mixed/"*.key
t0=$(now_ms)
"$CLIENT_BIN" --server "$ADDR" --certs "$T/mixed" --party alice --timeout 20 \
    status s1 >"$T/m.out" 2>"$T/m.err"
rc=$?
el=$(( $(now_ms) - t0 ))
if [ "$rc" -ne 0 ] && [ "$el" -lt 3000 ] && grep -q 'refuse our certificate' "$T/m.err"; then
	ok "a client certificate the server refuses fails within a few attempts ($el ms)"
else
	not_ok "a client certificate the server refuses fails within a few attempts" "rc $rc, $el ms" "$(cat "$T/m.err")"
fi

finish
