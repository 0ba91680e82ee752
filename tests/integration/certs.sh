#!/usr/bin/env bash
# certs.sh: certificates and private keys, each checked over real TLS.
#
# - Client certificates outside their validity period (expired, not yet
#   valid) are refused at the handshake; one issued the same way but valid
#   now gets in. (A certificate made for the wrong use, the server's own or
#   a serverAuth-only one with a party's name, is refused in security.sh.)
# - Revocation: `mkcerts.sh --revoke bob` writes crl.pem; a server started
#   with it refuses bob at the handshake and lets the others in, ignores
#   bob's encryption-key certificate, and refuses a revoked encryption-key
#   certificate on PublishKey; a client with crl.pem in its folder refuses to
#   seal a share to a party whose encryption key is revoked.
# - Private key files readable or writable by group or others are refused,
#   by the server (server.key) and the client (NAME.key, NAME.enc.key), with
#   an error naming the file.
# - mpc-client disables core dumps: hard and soft RLIMIT_CORE 0, and not
#   dumpable (its /proc files belong to root even when it runs as nobody).
source "$(dirname "$0")/lib.sh"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol || bail "mkcerts.sh failed"
need_client

# rawc CERT KEY ARGS...: rawclient.py with that client certificate.
rawc() { rawclient "$ADDR" "$@"; }
req() { printf '{"id":%s,"method":"%s","%s":%s}' "$1" "$2" "$3" "$4"; }
getkeys() { req 1 GET_KEYS get_keys "{\"parties\":[\"$1\"]}"; }
code_of() { /usr/bin/python3 -c 'import json, sys
for line in sys.stdin: print(json.loads(line)["code"]); break'; }

# refused NAME ALERT CERT KEY: a request with that certificate gets no
# answer, and a bare handshake (abuse.py probe: nothing sent, so nothing
# races the alert) ends with the server's TLS alert ALERT.
refused() {
	local name=$1 alert=$2 crt=$3 key=$4 rc got
	rawc "$crt" "$key" "$(getkeys alice)" >"$T/raw.out" 2>"$T/raw.err"
	rc=$?
	got=$(/usr/bin/python3 "$ROOT/tests/tools/abuse.py" --server "$ADDR" --ca "$T/certs/ca.crt" \
	    --cert "$crt" --key "$key" probe 2>&1 |
	    /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["outcome"])' 2>&1)
	if [ -s "$T/raw.out" ]; then
		not_ok "$name" "the server answered: $(head -c 200 "$T/raw.out")"
	elif [ "$rc" -ne 3 ] && [ "$rc" -ne 4 ]; then
		not_ok "$name" "rawclient exit status $rc" "$(cat "$T/raw.err")"
	elif [ "$got" != "alert: $alert" ]; then
		not_ok "$name" "expected the alert $alert, got: $got"
	else
		ok "$name"
	fi
}
# accepted NAME CERT KEY: a GetKeys exchange with that certificate is OK.
accepted() {
	local got
	got=$(rawc "$2" "$3" "$(getkeys alice)" 2>"$T/raw.err" | code_of)
	check_eq "$1" "OK" "${got:-no answer: $(head -c 200 "$T/raw.err")}"
}

# ---- certificates outside their validity period ---------------------------

# issue_at NAME START END: a client certificate for NAME (key in
# $T/dated/NAME-START.key) from our CA with these validity dates, by
# `openssl ca -startdate/-enddate`: OpenSSL 3.0's x509 command cannot set
# either date.
mkdir -p "$T/dated"
: >"$T/dated/index.txt"
cat >"$T/dated/ca.cnf" <<EOF
[ca]
default_ca = dated
[dated]
database       = $T/dated/index.txt
new_certs_dir  = $T/dated
serial         = $T/dated/serial
certificate    = $T/certs/ca.crt
private_key    = $T/certs/ca.key
default_md     = sha256
policy         = any_cn
unique_subject = no
copy_extensions = none
[any_cn]
commonName = supplied
[client]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
issue_at() {
	local name=$1 start=$2 end=$3 base=$T/dated/$1-$2
	openssl rand -hex 16 >"$T/dated/serial"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$base.key" 2>/dev/null &&
	chmod 600 "$base.key" &&
	openssl req -new -key "$base.key" -subj "/CN=$name" -out "$base.csr" 2>/dev/null &&
	openssl ca -batch -config "$T/dated/ca.cnf" -extensions client -notext \
	    -startdate "$start" -enddate "$end" -in "$base.csr" -out "$base.crt" \
	    >"$T/dated/ca.log" 2>&1
}
d() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
PAST1=$(d '2 years ago') PAST2=$(d '1 year ago') YESTERDAY=$(d '1 day ago')
NEXTMONTH=$(d '30 days') FUT1=$(d '1 year') FUT2=$(d '2 years')
issue_at alice "$PAST1" "$PAST2" && issue_at alice "$FUT1" "$FUT2" &&
    issue_at alice "$YESTERDAY" "$NEXTMONTH" ||
	{ echo "Bail out! openssl ca could not issue dated certificates"; cat "$T/dated/ca.log"; exit 1; }
EXPIRED=$T/dated/alice-$PAST1 FUTURE=$T/dated/alice-$FUT1 CURRENT=$T/dated/alice-$YESTERDAY
echo "# dated certificates: $(openssl x509 -in "$EXPIRED.crt" -noout -enddate), $(openssl x509 -in "$FUTURE.crt" -noout -startdate)"

start_server || bail "server did not start"
accepted "control: alice's certificate from openssl ca, valid since yesterday, is accepted" \
    "$CURRENT.crt" "$CURRENT.key"
refused "an expired client certificate is refused at the handshake (alert: certificate expired)" \
    SSLV3_ALERT_CERTIFICATE_EXPIRED "$EXPIRED.crt" "$EXPIRED.key"
refused "a client certificate not valid yet is refused at the handshake (alert: bad certificate)" \
    SSLV3_ALERT_BAD_CERTIFICATE "$FUTURE.crt" "$FUTURE.key"
if grep -q 'certificate verify failed' "$T/server.log"; then
	ok "... and the server logs the failed verification"
else
	not_ok "... and the server logs the failed verification" "$(tail -n 3 "$T/server.log")"
fi
# The real client, with the expired certificate in its folder.
mkdir -p "$T/expired-certs"
cp "$T/certs/ca.crt" "$T/certs/alice.enc.crt" "$T/certs/alice.enc.key" "$T/expired-certs/"
cp "$EXPIRED.crt" "$T/expired-certs/alice.crt"
cp "$EXPIRED.key" "$T/expired-certs/alice.key"
check_fails "mpc-client with an expired certificate fails, suspecting its certificate" \
    'certificate' "$CLIENT_BIN" --server "$ADDR" --certs "$T/expired-certs" --party alice \
    --timeout 10 status s-none
echo "# a certificate for the wrong use (wrong extended key usage) is refused in security.sh"

# Before any revocation: bob publishes his encryption key (as `share` does).
der() { openssl x509 -in "$1" -outform DER | base64 -w0; }
got=$(rawc "$T/certs/bob.crt" "$T/certs/bob.key" \
    "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$(der "$T/certs/bob.enc.crt")\"}")" 2>&1 | code_of)
check_eq "control: bob publishes his encryption key before he is revoked" "OK" "$got"
# A change, so that the state the server saves holds its key directory.
client alice create s-before --parties alice,bob --threshold 1 >/dev/null 2>&1
stop_server

# ---- revocation ----------------------------------------------------------

if "$ROOT/scripts/mkcerts.sh" --out "$T/certs" --revoke bob >"$T/revoke.log" 2>&1; then
	ok "mkcerts.sh --revoke bob"
else
	not_ok "mkcerts.sh --revoke bob" "$(cat "$T/revoke.log")"
fi
serials=$(openssl crl -in "$T/certs/crl.pem" -noout -text 2>/dev/null | awk '/Serial Number:/ { print $3 }' | sort | tr '\n' ' ')
want=$(for f in bob.crt bob.enc.crt; do openssl x509 -in "$T/certs/$f" -noout -serial | cut -d= -f2; done | sort | tr '\n' ' ')
check_eq "crl.pem lists bob's two certificates and nothing else" "$want" "$serials"
if openssl crl -in "$T/certs/crl.pem" -CAfile "$T/certs/ca.crt" -noout >/dev/null 2>&1; then
	ok "crl.pem is signed by the CA"
else
	not_ok "crl.pem is signed by the CA"
fi
"$ROOT/scripts/mkcerts.sh" --out "$T/certs" --revoke bob >"$T/revoke2.log" 2>&1
check_eq "revoking bob again is harmless: still his two certificates" "$want" \
    "$(openssl crl -in "$T/certs/crl.pem" -noout -text | awk '/Serial Number:/ { print $3 }' | sort | tr '\n' ' ')"
check_fails "mkcerts.sh --revoke of a party without certificates fails" 'nothing to revoke' \
    "$ROOT/scripts/mkcerts.sh" --out "$T/certs" --revoke zed

cp "$T/certs/crl.pem" "$T/server-certs/crl.pem"
start_server || bail "server with crl.pem did not start"
refused "revoked bob is refused at the handshake (alert: certificate revoked)" \
    SSLV3_ALERT_CERTIFICATE_REVOKED "$T/certs/bob.crt" "$T/certs/bob.key"
accepted "alice still gets in" "$T/certs/alice.crt" "$T/certs/alice.key"
accepted "carol still gets in" "$T/certs/carol.crt" "$T/certs/carol.key"
check_fails "mpc-client as bob fails" 'certificate|refuse|closed|reset' \
    client bob status s-none
if grep -q "ignoring $T/server-certs/bob.enc.crt: not a valid encryption-key certificate" "$T/server.log"; then
	ok "the server ignores bob's revoked bob.enc.crt in its folder"
else
	not_ok "the server ignores bob's revoked bob.enc.crt in its folder" "$(grep -i bob "$T/server.log" | tail -n 3)"
fi
got=$(rawc "$T/certs/alice.crt" "$T/certs/alice.key" "$(getkeys bob)" 2>&1 |
    /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.stdin.readline()); print(len(r["body"]["get_keys"].get("keys", [])))' 2>&1)
if [ "$got" = 0 ]; then
	ok "the directory no longer serves bob's revoked encryption key"
else
	# bob published it before the revocation; the restarted server
	# restored it from its state without checking it against crl.pem.
	not_ok "the directory no longer serves bob's revoked encryption key" \
	    "GetKeys [bob] returned $got certificate(s): the key bob published before his revocation was restored from the state directory without a check against crl.pem"
fi
stop_server

# Only carol's encryption key revoked, her TLS certificate still good: a CA
# folder without carol.crt, so that --revoke finds only carol.enc.crt.
mkdir -p "$T/ca2"
cp -p "$T/certs/ca.crt" "$T/certs/ca.key" "$T/certs/carol.enc.crt" "$T/ca2/"
cp -pR "$T/certs/ca-db" "$T/ca2/"
cp -p "$T/certs/crl.pem" "$T/ca2/"
if "$ROOT/scripts/mkcerts.sh" --out "$T/ca2" --revoke carol >"$T/revoke3.log" 2>&1 &&
    grep -q 'revoked carol.enc.crt' "$T/revoke3.log"; then
	ok "mkcerts.sh --revoke carol with only carol.enc.crt at hand revokes that one"
else
	not_ok "mkcerts.sh --revoke carol with only carol.enc.crt at hand revokes that one" "$(cat "$T/revoke3.log")"
fi
n=$(openssl crl -in "$T/ca2/crl.pem" -noout -text | grep -c 'Serial Number:')
check_eq "... and its crl.pem keeps bob's two revocations" "3" "$n"
cp "$T/ca2/crl.pem" "$T/server-certs/crl.pem"
start_server --state-dir "$T/state2" || bail "server did not start"
accepted "carol, whose TLS certificate is not revoked, gets in" "$T/certs/carol.crt" "$T/certs/carol.key"
got=$(rawc "$T/certs/carol.crt" "$T/certs/carol.key" \
    "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$(der "$T/certs/carol.enc.crt")\"}")" 2>&1 | code_of)
check_eq "PublishKey of carol's revoked encryption certificate is PERMISSION_DENIED" "PERMISSION_DENIED" "$got"
got=$(rawc "$T/certs/alice.crt" "$T/certs/alice.key" \
    "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$(der "$T/certs/alice.enc.crt")\"}")" 2>&1 | code_of)
check_eq "control: PublishKey of alice's encryption certificate is OK" "OK" "$got"
if grep -q "ignoring $T/server-certs/carol.enc.crt" "$T/server.log"; then
	ok "the server ignores carol's revoked carol.enc.crt in its folder"
else
	not_ok "the server ignores carol's revoked carol.enc.crt in its folder"
fi
# The client side: alice, with crl.pem and carol.enc.crt in her folder,
# will not seal a share to carol's revoked key.
mkdir -p "$T/alice-certs"
cp -p "$T/certs/ca.crt" "$T/certs"/alice.* "$T/certs/carol.enc.crt" "$T/ca2/crl.pem" "$T/alice-certs/"
check_fails "alice's create refuses carol, whose encryption certificate is revoked" \
    'carol\.enc\.crt is not an encryption-key certificate our CA issued for carol' \
    "$CLIENT_BIN" --server "$ADDR" --certs "$T/alice-certs" --party alice --timeout 10 \
    create s-rev --parties alice,carol --threshold 1
# Created from the folder without the CRL, for the share's own check.
check "control: alice creates the session with carol (a folder without the CRL)" \
    client alice create s-rev --parties alice,carol --threshold 1
check_fails "alice refuses to share with carol, whose encryption certificate is revoked" \
    'carol\.enc\.crt is not an encryption-key certificate our CA issued for carol' \
    "$CLIENT_BIN" --server "$ADDR" --certs "$T/alice-certs" --party alice --timeout 10 \
    share s-rev 5
got=$(rawc "$T/certs/alice.crt" "$T/certs/alice.key" "$(req 1 GET_STATUS get_status '{"session_id":"s-rev"}')" 2>&1 |
    /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.stdin.readline()); print(r["body"]["get_status"].get("shared", []))' 2>&1)
check_eq "... and submitted nothing" "[]" "$got"
stop_server
rm -f "$T/server-certs/crl.pem"

# ---- private key files ------------------------------------------------------

# server_refuses MODE: the server will not start with server.key of MODE.
server_refuses() {
	local mode=$1 rc
	cp -pR "$T/server-certs" "$T/sk-$mode"
	chmod "$mode" "$T/sk-$mode/server.key"
	timeout 20 "$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/sk-$mode" \
	    --state-dir "$T/state-sk-$mode" >"$T/sk.out" 2>"$T/sk.err"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		not_ok "the server refuses server.key of mode $mode" \
		    "exit status $rc (1 expected$([ "$rc" -gt 128 ] && echo ": killed by signal $((rc - 128))"))" \
		    "$(tail -n 2 "$T/sk.err")"
	elif grep -q "$T/sk-$mode/server.key has mode $mode: group or others can reach this private key; chmod 600 it" "$T/sk.err"; then
		ok "the server refuses server.key of mode $mode, naming the file"
	else
		not_ok "the server refuses server.key of mode $mode, naming the file" "$(cat "$T/sk.err")"
	fi
}
server_refuses 0640
server_refuses 0604
server_refuses 0620

start_server || bail "server did not start"
# client_refuses FILE MODE COMMAND...: the client fails naming FILE.
client_refuses() {
	local file=$1 mode=$2 pattern=$3; shift 3
	local dir=$T/ck-$file-$mode
	cp -pR "$T/certs" "$dir"
	chmod "$mode" "$dir/$file"
	check_fails "mpc-client refuses $file of mode $mode, naming the file" \
	    "$(sed "s|DIR|$dir|" <<<"$pattern")" \
	    "$CLIENT_BIN" --server "$ADDR" --certs "$dir" --party alice --timeout 10 "$@"
}
client alice create s-keys --parties alice,carol --threshold 1 >/dev/null 2>&1
client_refuses alice.key 0644 \
    'DIR/alice\.key has mode 0644: group or others can reach this private key; chmod 600 it' \
    status s-keys
client_refuses alice.key 0660 'DIR/alice\.key has mode 0660' status s-keys
client_refuses alice.enc.key 0640 \
    'cannot load DIR/alice\.enc\.key: it is readable by others \(chmod 600 it\)' share s-keys 5
client_refuses alice.enc.key 0602 'cannot load DIR/alice\.enc\.key' share s-keys 5
got=$(rawc "$T/certs/alice.crt" "$T/certs/alice.key" "$(req 1 GET_STATUS get_status '{"session_id":"s-keys"}')" 2>&1 |
    /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.stdin.readline()); print(r["body"]["get_status"].get("shared", []))' 2>&1)
check_eq "... and shared nothing" "[]" "$got"
chmod 0400 "$T/certs/alice.key"
check "control: a key of mode 0400 (owner read-only) is accepted" client alice status s-keys
chmod 0600 "$T/certs/alice.key"

# ---- core dumps ---------------------------------------------------------------

# A `run` that waits for carol, who never comes: inspect it while it waits.
# shared SESSION: the parties that have shared, as alice sees it.
shared() {
	rawc "$T/certs/alice.crt" "$T/certs/alice.key" \
	    "$(req 1 GET_STATUS get_status "{\"session_id\":\"$1\"}")" 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.readline()); print(",".join(r["body"]["get_status"].get("shared", [])))' 2>/dev/null
}
client alice create s-core --parties alice,carol --threshold 1 >/dev/null 2>&1
# Started with core dumps allowed (root may raise the hard limit), so that
# only the client itself can have turned them off; exec keeps $! the
# client's pid. A sleep started the same way is the control.
core_ok() { ulimit -Hc unlimited 2>/dev/null; ulimit -Sc unlimited 2>/dev/null || ulimit -Sc "$(ulimit -Hc)"; }
( core_ok; exec sleep 5 ) &
SLEEPER=$!
( core_ok; exec "$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party alice --timeout 20 \
    run s-core 42 >"$T/core.out" 2>"$T/core.err" ) &
RUN=$!
for _ in $(seq 1 50); do
	[ "$(shared s-core)" = alice ] && break
	sleep 0.1
done
if [ -r "/proc/$RUN/limits" ] && kill -0 "$RUN" 2>/dev/null; then
	line=$(grep '^Max core file size' "/proc/$RUN/limits")
	ctl=$(grep '^Max core file size' "/proc/$SLEEPER/limits" | awk '{ print $5, $6 }')
	check_eq "a waiting mpc-client has core dumps off, soft and hard limit (started with: $ctl)" \
	    "0 0" "$(awk '{ print $5, $6 }' <<<"$line")"
else
	not_ok "a waiting mpc-client has core dumps off, soft and hard limit" "no process $RUN: $(cat "$T/core.err")"
fi
if tr '\0' ' ' <"/proc/$RUN/cmdline" 2>/dev/null | grep -qw 42; then
	not_ok "its input no longer shows in /proc/PID/cmdline"
else
	ok "its input no longer shows in /proc/PID/cmdline"
fi
kill -TERM "$RUN" "$SLEEPER" 2>/dev/null
wait "$RUN" "$SLEEPER" 2>/dev/null

# Not dumpable: /proc/PID/ of a non-dumpable process belongs to root, so
# run the client as nobody to tell. A dumpable process as nobody is the
# control.
NOBODY=65534
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	chmod 711 "$T"
	mkdir -p "$T/nb"
	cp -p "$T/certs/ca.crt" "$T/certs"/alice.* "$T/nb/"
	chown -R "$NOBODY:$NOBODY" "$T/nb"
	chmod 700 "$T/nb"
	# setpriv execs its command: $! is the process itself.
	setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups sleep 5 &
	SLEEPER=$!
	sleep 0.2
	ctl=$(stat -c %u "/proc/$SLEEPER/status" 2>/dev/null)
	kill "$SLEEPER" 2>/dev/null
	wait "$SLEEPER" 2>/dev/null
	client alice create s-core2 --parties alice,carol --threshold 1 >/dev/null 2>&1
	setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
	    "$CLIENT_BIN" --server "$ADDR" --certs "$T/nb" --party alice --timeout 20 \
	    --state "$T/nb/state" run s-core2 7 >"$T/nb.out" 2>"$T/nb.err" &
	RUN=$!
	for _ in $(seq 1 50); do
		[ "$(shared s-core2)" = alice ] && break
		sleep 0.1
	done
	if kill -0 "$RUN" 2>/dev/null; then
		owner=$(stat -c %u "/proc/$RUN/status" 2>/dev/null)
		check_eq "mpc-client is not dumpable: run as nobody, its /proc files belong to root (a dumpable control: uid $ctl)" \
		    "0 $NOBODY" "$owner $ctl"
	else
		not_ok "mpc-client is not dumpable" "it exited: $(cat "$T/nb.err")"
	fi
	kill -TERM "$RUN" 2>/dev/null
	wait "$RUN" 2>/dev/null
	chmod 700 "$T"
else
	ok "mpc-client is not dumpable # SKIP needs root and setpriv"
fi

finish
