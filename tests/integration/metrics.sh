#!/usr/bin/env bash
# metrics.sh: the server's logs and metrics (issue 12, point 6) with a real
# server and real clients on loopback.
#
# --metrics-listen serves GET /metrics: the exposition parses (HELP and
# TYPE before each family, monotone buckets ending in +Inf equal to
# _count: tests/tools/promcheck.py) before and after a whole session, and
# its counters move with it (requests by method and status, sessions by
# phase, bytes held, journal fsyncs, snapshots). The HTTP side is bounded
# (405, 404, 431, and a connection past its 16 closed at once). The log
# has one key=value line per request, the same count as the latency
# histogram, with nothing but those keys, and start-up lines for what was
# loaded; --log-level warn drops them. GetServerInfo (and mpc-client
# server-info) answers any party with a certificate, and only one: the
# whole server's figures to a --monitor identity (ops), a party's own
# sessions, connections and bytes to any other, so that one in no session
# learns nothing of the others'.
# DeleteSession and ListSessions are logged by name, and a deletion counted.
source "$(dirname "$0")/lib.sh"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol dave ops || bail "mkcerts.sh failed"
start_server --metrics-listen 127.0.0.1:0 --snapshot-interval 1 --monitor watch,ops ||
    bail "server did not start"
M=$(sed -n 's/.* info: metrics listen=\([^ ]*\) .*/\1/p' "$T/server.log" | head -n 1)
[ -n "$M" ] || bail "no 'metrics listen=' line in the log"

# scrape NAME: GET /metrics into $T/NAME.prom, checked and flattened into $T/NAME.samples.
scrape() {
	curl -sS --max-time 10 -o "$T/$1.prom" -D "$T/$1.head" "http://$M/metrics" &&
	    /usr/bin/python3 "$ROOT/tests/tools/promcheck.py" <"$T/$1.prom" >"$T/$1.samples"
}
# value NAME SAMPLE: the value of one flattened sample (labels sorted), or 0.
value() {
	awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }' "$T/$1.samples"
}

check "the exposition parses before any request" scrape before
check "it is served as text format 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/before.head"
check_eq "no request counted yet" 0 "$(value before 'mpc_server_request_duration_seconds_count')"

# --- a whole session moves the counters ----------------------------------
check "create a 3-party session" client alice create s1 --parties alice,bob,carol --threshold 1
check "alice shares" client alice share s1 5
check "bob shares" client bob share s1 6
check "carol shares" client carol share s1 7
check_sumpoints s1 alice bob carol
check_eq "the sum" 18 "$(client carol result s1 2>/dev/null)"
check_fails "dave (no party) is refused the status, as for a missing session" \
    "session s1 does not exist" client dave status s1

check "the exposition parses after the session" scrape after
check_eq "one CreateSession OK" 1 "$(value after 'mpc_server_requests_total{code="OK",method="CREATE_SESSION"}')"
check_eq "three SubmitShares OK" 3 "$(value after 'mpc_server_requests_total{code="OK",method="SUBMIT_SHARES"}')"
check_eq "three PostSumpoint OK" 3 "$(value after 'mpc_server_requests_total{code="OK",method="POST_SUMPOINT"}')"
check "dave's refusal is counted under its status" \
    grep -Eq '^mpc_server_requests_total\{code="(NOT_FOUND|PERMISSION_DENIED)",method="GET_STATUS"\} 1$' "$T/after.samples"
check_eq "one session COMPLETE" 1 "$(value after 'mpc_server_sessions{phase="COMPLETE"}')"
check_eq "none SHARING" 0 "$(value after 'mpc_server_sessions{phase="SHARING"}')"
check "bytes are held" awk '$1 == "mpc_server_stored_bytes" && $2 > 0 { f = 1 } END { exit !f }' "$T/after.samples"
check "the journal's fdatasyncs are timed" \
    awk '$1 == "mpc_server_journal_fsync_duration_seconds_count" && $2 > 0 { f = 1 } END { exit !f }' "$T/after.samples"
check_eq "the journal is healthy" 1 "$(value after mpc_server_journal_healthy)"
total=$(awk '$1 ~ /^mpc_server_requests_total/ { n += $2 } END { print n + 0 }' "$T/after.samples")
check_eq "requests by method and status add up to the latency histogram's count" \
    "$total" "$(value after mpc_server_request_duration_seconds_count)"
check "received and sent bytes moved" awk '($1 == "mpc_server_received_bytes_total" || $1 == "mpc_server_sent_bytes_total") && $2 > 1000 { n++ } END { exit n != 2 }' "$T/after.samples"
check "connections were accepted" awk '$1 == "mpc_server_connections_accepted_total" && $2 >= 4 { f = 1 } END { exit !f }' "$T/after.samples"

# A snapshot every second once something changed.
snapshotted() { scrape snap && [ "$(value snap 'mpc_server_snapshots_total{result="ok"}')" -ge 1 ]; }
check "a snapshot is counted" wait_for snapshotted
check "its age and duration are small" awk '($1 == "mpc_server_snapshot_age_seconds" || $1 == "mpc_server_snapshot_duration_seconds") && $2 < 30 { n++ } END { exit n != 2 }' "$T/snap.samples"

# --- the log: one line per request, only key=value ----------------------
lines=$(grep -c ' mpc-server: info: request ' "$T/server.log")
check_eq "one log line per request" "$(value snap mpc_server_request_duration_seconds_count)" "$lines"
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z mpc-server: info: request peer=[A-Za-z0-9._-]+ addr=127\.0\.0\.1:[0-9]+ method=[A-Z_]+ session=([A-Za-z0-9._/-]+|-) status=[A-Z_]+ in=[0-9]+ out=[0-9]+ us=[0-9]+$'
check_eq "every request line has exactly time, peer, addr, method, session, status, bytes and µs" \
    "$lines" "$(grep ' mpc-server: info: request ' "$T/server.log" | grep -Ec "$re")"
check "alice's CreateSession is logged with its session" \
    grep -Eq 'request peer=alice addr=[^ ]+ method=CREATE_SESSION session=alice/s1 status=OK ' "$T/server.log"
check "dave's refusal is logged" grep -Eq 'request peer=dave .* method=GET_STATUS session=s1 status=(NOT_FOUND|PERMISSION_DENIED) ' "$T/server.log"
check "start-up: what was loaded" grep -Eq 'info: loaded state=[^ ]+ sessions=0 snapshot_sessions=0 journal_records=0 stored_bytes=0 seconds=[0-9.]+$' "$T/server.log"
check "start-up: certificates" grep -Eq 'info: certificates dir=[^ ]+ crl=no published_keys=5$' "$T/server.log"
check "start-up: listening" grep -Eq 'info: listening addr=127\.0\.0\.1:[0-9]+ max_connections=[0-9]+ fsync=always version=' "$T/server.log"

# --- GetServerInfo ---------------------------------------------------------
info() {
	rawclient "$ADDR" "$T/certs/$1.crt" "$T/certs/$1.key" \
	    '{"id":7,"method":"GET_SERVER_INFO","get_server_info":{}}'
}
# figures NAME: code, version, sessions complete, connections, stored
# bytes, requests and journal health in NAME's GetServerInfo.
figures() {
	info "$1" 2>&1 | /usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.readline())
b = r["body"]["get_server_info"]
g = lambda k, c: int(b.get(k, b.get(c, 0)))
print(r["code"], b["version"], g("sessions_complete", "sessionsComplete"), g("connections", "connections"),
      g("stored_bytes", "storedBytes"), g("requests", "requests"), b.get("journalHealthy", b.get("journal_healthy")))' 2>&1
}
V=$("$SERVER_BIN" --version | cut -d' ' -f2)
check_eq "GetServerInfo answers dave (in no session): version, health, and his own figures only (no session, this connection, no bytes)" \
    "OK $V 0 1 0 0 True" "$(figures dave)"
read -r _ _ a_complete a_conns a_stored a_requests _ <<<"$(figures alice)"
check_eq "... alice, a party of s1: her session, this connection, her bytes, no request count" \
    "1 1 yes 0" "$a_complete $a_conns $([ "${a_stored:-0}" -gt 0 ] && echo yes) $a_requests"
read -r o_code _ o_complete _ o_stored o_requests _ <<<"$(figures ops)"
check_eq "... ops, a --monitor identity in no session: the whole server's (s1, more bytes than alice's, the requests)" \
    "OK 1 yes yes" "$o_code $o_complete $([ "${o_stored:-0}" -gt "${a_stored:-0}" ] && echo yes) $([ "${o_requests:-0}" -gt 10 ] && echo yes)"
check "without a client certificate there is no answer" bash -c \
    "! /usr/bin/python3 '$ROOT/tests/tools/rawclient.py' --server $ADDR --py '$PY' --ca '$T/certs/ca.crt' \
    '{\"id\":7,\"method\":\"GET_SERVER_INFO\",\"get_server_info\":{}}' 2>/dev/null | grep -q '\"code\": \"OK\"'"

check "mpc-client server-info shows the same" bash -c \
    "'$CLIENT_BIN' --server $ADDR --certs '$T/certs' --party ops server-info >'$T/si.out' &&
    grep -qx 'sessions_complete: 1' '$T/si.out' && grep -qx 'journal_healthy: yes' '$T/si.out' &&
    grep -qx 'server_version: $("$SERVER_BIN" --version | cut -d' ' -f2)' '$T/si.out'"
check "... and with --json one object" bash -c \
    "'$CLIENT_BIN' --server $ADDR --certs '$T/certs' --party ops --json server-info |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(not (d[\"version\"] == 1 and d[\"server_version\"] and d[\"sessions_complete\"] == 1 and d[\"connections\"] >= 1))'"
check "... and dave's shows no session" bash -c \
    "'$CLIENT_BIN' --server $ADDR --certs '$T/certs' --party dave server-info | grep -qx 'sessions_complete: 0'"
check_fails "server-info takes no SESSION" "unexpected argument 's1'" client dave server-info s1

# --- DeleteSession and ListSessions: logged by name, the deletion counted -
check "alice creates s2" client alice create s2 --parties alice,bob --threshold 1
check "alice lists her sessions" client alice list
check "alice deletes s2" client alice delete s2
check "ListSessions is logged by name" \
    grep -Eq 'request peer=alice addr=[^ ]+ method=LIST_SESSIONS session=- status=OK ' "$T/server.log"
check "DeleteSession is logged with its session" \
    grep -Eq 'request peer=alice addr=[^ ]+ method=DELETE_SESSION session=s2 status=OK ' "$T/server.log"
check "the exposition parses after the deletion" scrape dropped
check_eq "one session dropped as deleted" 1 "$(value dropped 'mpc_server_sessions_dropped_total{reason="deleted"}')"
check "none expired (the sample is there, at 0)" \
    grep -qx 'mpc_server_sessions_dropped_total{reason="expired"} 0' "$T/dropped.samples"

# --- the HTTP side is bounded ---------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
check_eq "POST /metrics is 405" 405 "$(code -X POST "http://$M/metrics")"
check_eq "GET /other is 404" 404 "$(code "http://$M/other")"
check_eq "GET /metrics?x=1 is 200" 200 "$(code "http://$M/metrics?x=1")"
check_eq "a head over 8 KiB is 431" 431 "$(code -H "X-Long: $(head -c 9000 /dev/zero | tr '\0' a)" "http://$M/metrics")"
held=$(/usr/bin/python3 - "$M" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
held = [socket.create_connection((host, int(port)), timeout=5) for _ in range(16)]
time.sleep(0.5)   # the server accepts them all
extra = socket.create_connection((host, int(port)), timeout=5)
try:
    closed = extra.recv(1) == b""
except (ConnectionResetError, socket.timeout):
    closed = False
held[0].sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
first = held[0].recv(64)
print("closed" if closed else "open", first.split(b"\r\n")[0].decode())
PY
)
check_eq "16 open scrapes are served, a 17th is closed at once" "closed HTTP/1.1 200 OK" "$held"
check "the endpoint serves again once they are gone" scrape again
check "the server is alive" kill -0 "$SERVER_PID"

# --- a restart reports what it loaded; --log-level warn is quiet ----------
stop_server
n=$(wc -l <"$T/server.log")
start_server --log-level warn || bail "server did not restart"
check "the session is still there" client alice status s1
check_eq "at warn no request line and no start-up line" 0 \
    "$(tail -n +$((n + 1)) "$T/server.log" | grep -c ' info: ')"
stop_server
start_server || bail "server did not restart"
check "the restart logs the session it loaded" grep -Eq 'info: loaded state=[^ ]+ sessions=1 ' "$T/server.log"
check_fails "--log-level wants a level" "[-]-log-level wants error, warn, info or debug, got 'loud'" \
    "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" --state-dir "$T/state2" --log-level loud
check_fails "--metrics-listen is checked at start" "[-]-metrics-listen wants HOST:PORT, got nonsense" \
    "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" --state-dir "$T/state3" --metrics-listen nonsense

finish
