#!/usr/bin/env bash
# reload.sh: SIGHUP reloads crl.pem, server.crt and server.key (issue 12,
# point 5), in the event loop, without a restart.
#
# - A party revoked with `mkcerts.sh --revoke`, its crl.pem copied in and
#   the server sent SIGHUP: its new connections fail at the handshake, the
#   others' succeed, a connection it opened before goes on being served, and
#   the directory stops serving its published encryption key. One log line
#   says what was loaded (fingerprint, revocations).
# - A renewed server certificate: with server.crt alone (its key not yet
#   there) the reload is refused and the old pair stays; with both, a new
#   connection sees the new certificate (openssl s_client's fingerprint).
# - A damaged crl.pem, one signed by another CA, and a removed one: each
#   reload is refused with a log line naming the file, the server goes on
#   serving with the list in force (the revoked party stays out).
# - SIGTERM still stops the server cleanly afterwards.
# - A SIGHUP that comes during start-up (a server held at its state
#   folder's lock by tests/tools/flock_gate.c) neither stops the server nor
#   is lost: it reloads once the server is up.
source "$(dirname "$0")/lib.sh"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol || bail "mkcerts.sh failed"
make_other_certs alice || bail "mkcerts.sh for the other CA failed"
need_client

getkeys() { printf '{"id":1,"method":"GET_KEYS","get_keys":{"parties":["%s"]}}' "$1"; }
# as NAME ARGS...: rawclient with NAME's certificate.
as() { local n=$1; shift; rawclient "$ADDR" "$T/certs/$n.crt" "$T/certs/$n.key" "$@"; }
# code_as NAME: the code of NAME's GetKeys on a new connection, or "failed".
code_as() {
	as "$1" "$(getkeys alice)" 2>/dev/null |
	    /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["code"])' 2>/dev/null ||
	    echo failed
}
# nkeys NAME: how many certificates GetKeys [NAME] returns, asked by alice.
nkeys() {
	as alice "$(getkeys "$1")" 2>/dev/null | /usr/bin/python3 -c 'import json, sys
print(len(json.loads(sys.stdin.readline())["body"]["get_keys"].get("keys", [])))' 2>/dev/null
}
# fp FILE: the SHA-256 fingerprint of a PEM certificate, as the server logs it.
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^[^=]*=//'; }
# seen_fp: the fingerprint of the certificate a new connection is shown.
seen_fp() {
	timeout 20 openssl s_client -connect "$ADDR" -CAfile "$T/certs/ca.crt" \
	    -cert "$T/certs/alice.crt" -key "$T/certs/alice.key" </dev/null 2>/dev/null |
	    openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/^[^=]*=//'
}
hups() { grep -c 'SIGHUP: ' "$T/server.log"; }
# hup: sends SIGHUP and waits for the server's line about it; LAST is that line.
hup() {
	local before
	before=$(hups)
	kill -HUP "$SERVER_PID"
	wait_for eval '[ "$(hups)" -gt "$before" ]' || { LAST="no SIGHUP line"; return 1; }
	LAST=$(grep 'SIGHUP: ' "$T/server.log" | tail -n 1)
}
# refused_reload NAME PATTERN: hup, its line refuses the reload matching PATTERN.
refused_reload() {
	hup
	if grep -q 'reload refused, the certificate, key and revocation list loaded before stay in force' <<<"$LAST" &&
	    grep -Eq "$2" <<<"$LAST"; then
		ok "$1"
	else
		not_ok "$1" "$LAST"
	fi
}
alive() {
	if kill -0 "$SERVER_PID" 2>/dev/null; then ok "$1"; else not_ok "$1" "the server exited"; fi
}

start_server || bail "server did not start"
old_fp=$(fp "$T/server-certs/server.crt")
if grep -q "loaded from $T/server-certs: server.crt (SHA-256 $old_fp, valid until [0-9T:-]*Z) with server.key, ca.crt, no crl.pem" "$T/server.log"; then
	ok "the start-up log says what was loaded (fingerprint, no crl.pem)"
else
	not_ok "the start-up log says what was loaded (fingerprint, no crl.pem)" "$(grep loaded "$T/server.log")"
fi
check_eq "control: bob gets in before his revocation" OK "$(code_as bob)"
check_eq "control: the directory serves bob's encryption key" 1 "$(nkeys bob)"

# bob's connection, opened (and served once) before the reload.
as bob --timeout 30 --hold "$T/go" "$(getkeys alice)" "$(getkeys carol)" >"$T/held.out" 2>"$T/held.err" &
HELD=$!
PIDS+=("$HELD")
wait_for test -e "$T/go.ready" || not_ok "bob's held connection is served" "$(cat "$T/held.err")"

# ---- a revocation ----------------------------------------------------------

"$ROOT/scripts/mkcerts.sh" --out "$T/certs" --revoke bob >"$T/revoke.log" 2>&1 || bail "mkcerts.sh --revoke bob: $(cat "$T/revoke.log")"
cp "$T/certs/crl.pem" "$T/server-certs/crl.pem"
hup
if grep -Eq "SIGHUP: reloaded from $T/server-certs: server.crt \(SHA-256 $old_fp, .*crl.pem issued [0-9T:-]+Z revoking 2 certificate\(s\); new connections use them" <<<"$LAST"; then
	ok "SIGHUP: one log line says what was loaded (crl.pem revoking bob's 2 certificates)"
else
	not_ok "SIGHUP: one log line says what was loaded (crl.pem revoking bob's 2 certificates)" "$LAST"
fi
check_eq "revoked bob's new connection fails" failed "$(code_as bob)"
check_fails "mpc-client as bob fails" 'certificate|refuse|closed|reset' client bob status s-none
check_eq "alice still gets in" OK "$(code_as alice)"
check_eq "carol still gets in" OK "$(code_as carol)"
touch "$T/go"
if wait "$HELD" && [ "$(grep -c '"code": "OK"' "$T/held.out")" = 2 ]; then
	ok "bob's connection opened before the reload is still served"
else
	not_ok "bob's connection opened before the reload is still served" "$(cat "$T/held.out" "$T/held.err")"
fi
check_eq "the directory no longer serves bob's revoked encryption key" 0 "$(nkeys bob)"
if grep -q "dropping bob's certificates" "$T/server.log"; then
	ok "... and the log says so"
else
	not_ok "... and the log says so"
fi

# ---- a new server certificate ------------------------------------------------

"$ROOT/scripts/mkcerts.sh" --out "$T/certs" --renew server >"$T/renew.log" 2>&1 || bail "mkcerts.sh --renew server: $(cat "$T/renew.log")"
new_fp=$(fp "$T/certs/server.crt")
[ "$new_fp" != "$old_fp" ] || bail "the renewed certificate has the old fingerprint"
check_eq "control: a new connection sees the old certificate" "$old_fp" "$(seen_fp)"
cp "$T/certs/server.crt" "$T/server-certs/server.crt"
refused_reload "server.crt without its new key: reload refused" 'server\.key.*(mismatch|does not match)'
check_eq "... a new connection still sees the old certificate" "$old_fp" "$(seen_fp)"
check_eq "... and alice gets in" OK "$(code_as alice)"
cp "$T/certs/server.key" "$T/server-certs/server.key"
chmod 600 "$T/server-certs/server.key"
hup
if grep -q "SIGHUP: reloaded from $T/server-certs: server.crt (SHA-256 $new_fp" <<<"$LAST"; then
	ok "with its key: reloaded, the log names the new fingerprint"
else
	not_ok "with its key: reloaded, the log names the new fingerprint" "$LAST"
fi
check_eq "a new connection sees the new certificate" "$new_fp" "$(seen_fp)"
check_eq "alice gets in against the new certificate" OK "$(code_as alice)"
check "mpc-client as alice works (create)" client alice create s-after --parties alice,carol --threshold 1

# ---- bad revocation lists ---------------------------------------------------

cp "$T/server-certs/crl.pem" "$T/crl.good"
head -c 300 "$T/crl.good" >"$T/server-certs/crl.pem"
refused_reload "a truncated crl.pem: reload refused, naming it" "$T/server-certs/crl.pem is not a PEM revocation list or is damaged"
alive "... the server is still running"
check_eq "... bob is still refused (the list in force stays)" failed "$(code_as bob)"
check_eq "... alice still gets in" OK "$(code_as alice)"

"$ROOT/scripts/mkcerts.sh" --out "$T/other" --gencrl >"$T/gencrl.log" 2>&1 || bail "mkcerts.sh --gencrl: $(cat "$T/gencrl.log")"
cp "$T/other/crl.pem" "$T/server-certs/crl.pem"
refused_reload "a crl.pem of another CA: reload refused" "crl.pem is not signed by the CA"
check_eq "... bob is still refused" failed "$(code_as bob)"
check_eq "... alice still gets in" OK "$(code_as alice)"

rm -f "$T/server-certs/crl.pem"
refused_reload "crl.pem removed: reload refused (it would lift 2 revocations)" "crl.pem is gone, which would lift 2 revocations"
check_eq "... bob is still refused" failed "$(code_as bob)"

cp "$T/crl.good" "$T/server-certs/crl.pem"
hup
if grep -q "SIGHUP: reloaded" <<<"$LAST"; then ok "the good crl.pem back: reloaded"; else not_ok "the good crl.pem back: reloaded" "$LAST"; fi
check_eq "... alice gets in" OK "$(code_as alice)"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'signal 15: finishing what is in flight' "$T/server.log"; then
	ok "SIGTERM after the reloads still stops the server cleanly"
else
	not_ok "SIGTERM after the reloads still stops the server cleanly" "exit status $rc" "$(tail -n 3 "$T/server.log")"
fi

# ---- a SIGHUP during start-up ------------------------------------------------

# The server held at its first flock (the state folder's lock, early in its
# start) gets SIGHUP: it must neither die (SIGHUP's default action) nor lose
# it, but reload once it is up.
if build_shim flock_gate; then
	mkdir -p "$T/fgate"
	asan=${ASAN_OPTIONS:-}
	env LD_PRELOAD="$T/flock_gate.so" FLOCK_GATE_DIR="$T/fgate" \
	    ASAN_OPTIONS="${asan:+$asan:}verify_asan_link_order=0" \
	    "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/server-certs" \
	    --state-dir "$T/state-hup" >"$T/hup.out" 2>"$T/hup.log" &
	P=$!
	PIDS+=("$P")
	wait_for grep -q '^enter ' "$T/fgate/log" 2>/dev/null || bail "the server never reached its flock"
	kill -HUP "$P"
	touch "$T/fgate/open"
	if wait_for grep -q '^listening on ' "$T/hup.out"; then
		ok "a SIGHUP during start-up does not stop the server"
	else
		not_ok "a SIGHUP during start-up does not stop the server" "$(tail -n 3 "$T/hup.log")"
	fi
	if wait_for grep -q 'SIGHUP: reloaded' "$T/hup.log"; then
		ok "... it reloads once it is up"
	else
		not_ok "... it reloads once it is up" "$(tail -n 3 "$T/hup.log")"
	fi
	kill -TERM "$P"
	wait "$P"
	check_eq "... and SIGTERM stops it (exit status)" 0 "$?"
fi

echo "1..$((NPASS + NFAIL))"
finish
