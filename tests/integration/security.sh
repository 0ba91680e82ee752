#!/usr/bin/env bash
# security.sh: who may talk to the server, and what bad input gets back.
#
# Transport: the server refuses a client with no certificate, one from
# another CA, one offering only TLS 1.2, and one whose certificate is not made
# for TLS client use; mpc-client refuses a server whose certificate does not
# verify against its CA or does not name the host it dialled.
# Identity: a party acting for another, or creating outside its namespace
# or its session, gets PERMISSION_DENIED; outside a session, the answer of
# a missing one (docs/PROTOCOL.md 2.1); and changes nothing.
# Bad input: precise statuses, connections closed where the stream is no
# longer trustworthy, and the server goes on serving everyone else.
#
# Raw requests go through tests/tools/rawclient.py (Python protobuf classes
# generated here from proto/); real parties run bin/mpc-client.
source "$(dirname "$0")/lib.sh"

P=2305843009213693951              # 2^61 - 1
CT_LEN=56                          # sealed share of L=1: enc 32 + 8 + tag 16

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol dave || bail "mkcerts.sh failed"
# Another CA, with a party of the same name as one of ours.
make_other_certs alice || bail "mkcerts.sh --out other failed"
start_server --max-frame 4096 || bail "server did not start"
MAIN_ADDR=$ADDR
MAIN_PID=$SERVER_PID

# ---- helpers ------------------------------------------------------------

# rawc CERT KEY ARGS...: rawclient.py against the main server with that
# client certificate ("" "" for none), verifying the server against our CA.
rawc() { rawclient "${RAW_ADDR:-$MAIN_ADDR}" "$@"; }
# raw PARTY ARGS...: as one of our parties.
raw() { local who=$1; shift; rawc "$T/certs/$who.crt" "$T/certs/$who.key" "$@"; }

# req ID METHOD BODY_FIELD BODY_JSON: one Request as JSON.
req() { printf '{"id":%s,"method":"%s","%s":%s}' "$1" "$2" "$3" "$4"; }

# codes: "ID:CODE ID:CODE ..." from rawclient's JSON lines on stdin.
codes() {
	/usr/bin/python3 -c 'import json, sys
print(" ".join("%s:%s" % (d["id"], d["code"]) for d in map(json.loads, sys.stdin)))'
}

# field EXPR: evaluates EXPR on the first response "r" read from stdin.
field() {
	/usr/bin/python3 -c 'import json, sys
r = json.loads(sys.stdin.readline())
print(eval(sys.argv[1]))' "$1"
}

# expect_codes NAME "ID:CODE..." RAW_ARGS...: a raw exchange as alice or
# whoever RAW_ARGS say, compared on ids and codes.
expect_codes() {
	local name=$1 want=$2 got; shift 2
	got=$("$@" 2>"$T/raw.err" | codes)
	[ -z "$got" ] && got="(no response: $(head -c 200 "$T/raw.err"))"
	check_eq "$name" "$want" "$got"
}

# refused NAME RAWC_ARGS...: the server answers nothing; the handshake fails
# or the connection ends before any response.
refused() {
	local name=$1 rc; shift
	rawc "$@" "$(req 1 GET_KEYS get_keys '{"parties":["alice"]}')" >"$T/raw.out" 2>"$T/raw.err"
	rc=$?
	if [ -s "$T/raw.out" ]; then
		not_ok "$name" "the server answered:" "$(head -c 300 "$T/raw.out")"
	elif [ "$rc" -eq 3 ] || [ "$rc" -eq 4 ]; then
		ok "$name"
	else
		not_ok "$name" "rawclient exit status $rc" "$(cat "$T/raw.err")"
	fi
}

b64() { base64 -w0; }
ct() { head -c "${1:-$CT_LEN}" /dev/urandom | b64; }

# submit_body SESSION PARTY LEN: SubmitShares of random bytes of LEN for each
# of alice, bob and carol (the server cannot tell them from real ciphertexts).
submit_body() {
	printf '{"session_id":"%s","party":"%s","shares":[' "$1" "$2"
	printf '{"recipient":"alice","ciphertext":"%s"},' "$(ct "$3")"
	printf '{"recipient":"bob","ciphertext":"%s"},' "$(ct "$3")"
	printf '{"recipient":"carol","ciphertext":"%s"}]}' "$(ct "$3")"
}
params3() {
	printf '{"params":{"session_id":"%s","parties":["alice","bob","carol"],"threshold":1,"length":1}}' "$1"
}

# ---- transport: who may connect -----------------------------------------

expect_codes "control: alice with her certificate gets an answer" "1:OK" \
    raw alice "$(req 1 GET_KEYS get_keys '{"parties":["alice"]}')"
refused "a client without a certificate is refused" "" ""
refused "a client certified by another CA is refused" \
    "$T/other/alice.crt" "$T/other/alice.key"
refused "a TLS 1.2 client is refused" \
    "$T/certs/alice.crt" "$T/certs/alice.key" --tls 1.2

host=${MAIN_ADDR%:*} port=${MAIN_ADDR##*:}
s_client() {
	timeout 10 openssl s_client -connect "$host:$port" -CAfile "$T/certs/ca.crt" \
	    -cert "$T/certs/alice.crt" -key "$T/certs/alice.key" "$@" </dev/null 2>&1
}
if s_client -tls1_3 | grep -Eq '^New, TLSv1\.3, Cipher is [A-Z]'; then
	ok "control: openssl s_client -tls1_3 completes a handshake"
else
	not_ok "control: openssl s_client -tls1_3 completes a handshake"
fi
out=$(s_client -tls1_2)
if grep -Eq '^New, TLSv1\.2, Cipher is [A-Z]' <<<"$out"; then
	not_ok "openssl s_client -tls1_2 completes no handshake" "$(grep -m1 '^New,' <<<"$out")"
else
	ok "openssl s_client -tls1_2 completes no handshake"
fi

refused "the server's own certificate as a client certificate is refused" \
    "$T/certs/server.crt" "$T/certs/server.key"
# A CA-issued certificate with a valid party name, made for TLS servers only:
# only the extended key usage can refuse it.
cat >"$T/ext-srv.cnf" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/alice-srv.key" 2>/dev/null &&
openssl req -new -key "$T/alice-srv.key" -subj /CN=alice -out "$T/alice-srv.csr" 2>/dev/null &&
openssl x509 -req -in "$T/alice-srv.csr" -CA "$T/certs/ca.crt" -CAkey "$T/certs/ca.key" \
    -set_serial 0x$(openssl rand -hex 16) -days 30 -sha256 \
    -extfile "$T/ext-srv.cnf" -out "$T/alice-srv.crt" 2>/dev/null
refused "a CA-issued CN=alice certificate with only serverAuth usage is refused" \
    "$T/alice-srv.crt" "$T/alice-srv.key"

# ---- identity: nobody acts for another ----------------------------------

# s1: all three have "submitted" (random bytes of the right length), so its
# cohort is fixed and GetShare and PostSumpoint would succeed for the caller.
# s2: still sharing; nobody has submitted.
expect_codes "control: alice creates s1 and s2" "1:OK 2:OK" \
    raw alice "$(req 1 CREATE_SESSION create_session "$(params3 alice/s1)")" \
    "$(req 2 CREATE_SESSION create_session "$(params3 alice/s2)")"
for p in alice bob carol; do
	expect_codes "control: $p submits shares to s1" "1:OK" \
	    raw $p "$(req 1 SUBMIT_SHARES submit_shares "$(submit_body s1 $p $CT_LEN)")"
done
out=$(raw alice "$(req 1 GET_STATUS get_status '{"session_id":"s1"}')" 2>&1)
check_eq "control: s1 has fixed its cohort" "AGGREGATING alice,bob,carol" \
    "$(field 'r["body"]["get_status"]["phase"] + " " + ",".join(r["body"]["get_status"].get("cohort", []))' <<<"$out" 2>&1)"

expect_codes "SubmitShares by alice with party=bob is PERMISSION_DENIED" "1:PERMISSION_DENIED" \
    raw alice "$(req 1 SUBMIT_SHARES submit_shares "$(submit_body s2 bob $CT_LEN)")"
out=$(raw alice "$(req 1 GET_STATUS get_status '{"session_id":"s2"}')" 2>&1)
check_eq "... and s2 records no shares from bob (or anyone)" "[]" \
    "$(field 'r["body"]["get_status"].get("shared", [])' <<<"$out" 2>&1)"

out=$(raw alice "$(req 1 GET_SHARE get_share '{"session_id":"s1","party":"bob"}')" 2>&1)
check_eq "GetShare by alice with party=bob is PERMISSION_DENIED, no ciphertext" \
    "PERMISSION_DENIED {}" "$(field 'r["code"] + " " + json.dumps(r["body"])' <<<"$out" 2>&1)"
out=$(raw alice "$(req 1 GET_SHARE get_share '{"session_id":"s1","party":"alice"}')" 2>&1)
check_eq "control: GetShare by alice for herself returns 3 ciphertexts" "OK 3" \
    "$(field 'r["code"] + " " + str(len(r["body"]["get_share"]["shares"]))' <<<"$out" 2>&1)"

expect_codes "PostSumpoint by alice with party=bob is PERMISSION_DENIED" "1:PERMISSION_DENIED" \
    raw alice "$(req 1 POST_SUMPOINT post_sumpoint '{"session_id":"s1","party":"bob","values":["5"]}')"
out=$(raw alice "$(req 1 GET_STATUS get_status '{"session_id":"s1"}')" 2>&1)
check_eq "... and s1 records no sumpoint from bob" "[]" \
    "$(field 'r["body"]["get_status"].get("posted", [])' <<<"$out" 2>&1)"

expect_codes "a non-member reading s1's status is NOT_FOUND, as for a missing id" "1:NOT_FOUND" \
    raw dave "$(req 1 GET_STATUS get_status '{"session_id":"alice/s1"}')"
expect_codes "a non-member listing s1's sumpoints is NOT_FOUND" "1:NOT_FOUND" \
    raw dave "$(req 1 LIST_SUMPOINTS list_sumpoints '{"session_id":"s1"}')"
expect_codes "a non-member fetching shares of s1 is NOT_FOUND" "1:NOT_FOUND" \
    raw dave "$(req 1 GET_SHARE get_share '{"session_id":"alice/s1","party":"dave"}')"
expect_codes "CreateSession by a non-member, in its own namespace, is PERMISSION_DENIED" \
    "1:PERMISSION_DENIED" raw dave "$(req 1 CREATE_SESSION create_session "$(params3 dave/s-dave)")"
expect_codes "CreateSession in another's namespace is PERMISSION_DENIED" "1:PERMISSION_DENIED" \
    raw dave "$(req 1 CREATE_SESSION create_session "$(params3 alice/s-dave)")"
expect_codes "... and neither session exists" "1:NOT_FOUND 2:NOT_FOUND" \
    raw alice "$(req 1 GET_STATUS get_status '{"session_id":"s-dave"}')" \
    "$(req 2 GET_STATUS get_status '{"session_id":"dave/s-dave"}')"

der() { openssl x509 -in "$1" -outform DER | b64; }
bob_cert=$(der "$T/certs/bob.enc.crt")
expect_codes "PublishKey by alice of bob's encryption certificate is PERMISSION_DENIED" \
    "1:PERMISSION_DENIED" \
    raw alice "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$bob_cert\"}")"
expect_codes "PublishKey by alice of another CA's alice certificate is PERMISSION_DENIED" \
    "1:PERMISSION_DENIED" \
    raw alice "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$(der "$T/other/alice.enc.crt")\"}")"
expect_codes "control: PublishKey by alice of her own certificate is OK" "1:OK" \
    raw alice "$(req 1 PUBLISH_KEY publish_key "{\"certificate\":\"$(der "$T/certs/alice.enc.crt")\"}")"
out=$(raw carol "$(req 1 GET_KEYS get_keys '{"parties":["bob"]}')" 2>&1)
check_eq "... and the directory still holds bob's own certificate" "$bob_cert" \
    "$(field 'r["body"]["get_keys"]["keys"][0]["certificate"]' <<<"$out" 2>&1)"

# ---- bad input -----------------------------------------------------------

expect_codes "unknown method 99 is INVALID_ARGUMENT" "7:INVALID_ARGUMENT" \
    raw alice '{"id":7,"method":99,"get_status":{"session_id":"s1"}}'
expect_codes "method 0 (unspecified) is INVALID_ARGUMENT" "8:INVALID_ARGUMENT" \
    raw alice '{"id":8,"get_status":{"session_id":"s1"}}'
expect_codes "a body that does not match the method is INVALID_ARGUMENT" "9:INVALID_ARGUMENT" \
    raw alice "$(req 9 GET_SHARE get_status '{"session_id":"s1"}')"
expect_codes "a method without a body is INVALID_ARGUMENT" "10:INVALID_ARGUMENT" \
    raw alice '{"id":10,"method":"GET_STATUS"}'

# A real request over --max-frame 4096: a 6000-byte certificate.
big=$(head -c 6000 /dev/zero | b64)
expect_codes "a frame over --max-frame is RESOURCE_EXHAUSTED, then the connection closes" \
    "0:RESOURCE_EXHAUSTED" \
    raw alice --expect 1 --expect-close \
    "$(req 11 PUBLISH_KEY publish_key "{\"certificate\":\"$big\"}")" \
    "$(req 12 GET_STATUS get_status '{"session_id":"s1"}')"
# Bytes that are not a frame at all: "GET / HTTP/1.1" reads as a huge length.
expect_codes "an HTTP request line is RESOURCE_EXHAUSTED, then the connection closes" \
    "0:RESOURCE_EXHAUSTED" \
    raw alice --expect 1 --expect-close "hex:$(printf 'GET / HTTP/1.1\r\n\r\n' | od -An -tx1 | tr -d ' \n')"
expect_codes "a frame of garbage is INVALID_ARGUMENT, then the connection closes" \
    "0:INVALID_ARGUMENT" \
    raw alice --expect 1 --expect-close "frame:ffffffffffffffffffff" \
    "$(req 13 GET_STATUS get_status '{"session_id":"s1"}')"

expect_codes "a ciphertext one byte short is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 SUBMIT_SHARES submit_shares "$(submit_body s2 alice $((CT_LEN - 1)))")"
expect_codes "a ciphertext one byte long is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 SUBMIT_SHARES submit_shares "$(submit_body s2 alice $((CT_LEN + 1)))")"
expect_codes "an empty ciphertext is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 SUBMIT_SHARES submit_shares "$(submit_body s2 alice 0)")"
out=$(raw alice "$(req 1 GET_STATUS get_status '{"session_id":"s2"}')" 2>&1)
check_eq "... and s2 still records no shares" "[]" \
    "$(field 'r["body"]["get_status"].get("shared", [])' <<<"$out" 2>&1)"

expect_codes "a sumpoint value of 2^61-1 is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 POST_SUMPOINT post_sumpoint "{\"session_id\":\"s1\",\"party\":\"alice\",\"values\":[\"$P\"]}")"
expect_codes "a sumpoint value of 2^64-1 is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 POST_SUMPOINT post_sumpoint '{"session_id":"s1","party":"alice","values":["18446744073709551615"]}')"
expect_codes "a sumpoint of the wrong length is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 POST_SUMPOINT post_sumpoint '{"session_id":"s1","party":"alice","values":["1","2"]}')"
expect_codes "control: a sumpoint value of 2^61-2 is OK" "1:OK" \
    raw alice "$(req 1 POST_SUMPOINT post_sumpoint "{\"session_id\":\"s1\",\"party\":\"alice\",\"values\":[\"$((P - 1))\"]}")"

n=0
for id in "" "../etc" "-s1" ".s1" "s 1" "s1/x/y" "/x" "x/" "$(printf 'x%.0s' $(seq 65))" "s\u00e91"; do
	n=$((n + 1))
	expect_codes "an invalid session id '${id:0:20}' is INVALID_ARGUMENT" "$n:INVALID_ARGUMENT" \
	    raw alice "$(req $n GET_STATUS get_status "{\"session_id\":\"$id\"}")"
done
expect_codes "an invalid session id in CreateSession is INVALID_ARGUMENT" "1:INVALID_ARGUMENT" \
    raw alice "$(req 1 CREATE_SESSION create_session "$(params3 '../s')")"

expect_codes "after all that, a normal request on a new connection is OK" "1:OK" \
    raw bob "$(req 1 GET_STATUS get_status '{"session_id":"s1"}')"
expect_codes "pipelined requests on one connection get responses with matching ids" \
    "101:OK 102:NOT_FOUND 103:INVALID_ARGUMENT 104:PERMISSION_DENIED 105:OK 106:OK" \
    raw carol "$(req 101 GET_STATUS get_status '{"session_id":"s1"}')" \
    "$(req 102 GET_STATUS get_status '{"session_id":"nope"}')" \
    '{"id":103,"method":99}' \
    "$(req 104 GET_SHARE get_share '{"session_id":"s1","party":"bob"}')" \
    "$(req 105 GET_KEYS get_keys '{"parties":["alice","bob"]}')" \
    "$(req 106 LIST_SUMPOINTS list_sumpoints '{"session_id":"s1"}')"
if kill -0 "$MAIN_PID" 2>/dev/null; then ok "the server is still running"
else not_ok "the server is still running" "$(tail -n 5 "$T/server.log")"; fi

# ---- mpc-client checks the server ----------------------------------------

if [ ! -x "$CLIENT_BIN" ]; then
	not_ok "mpc-client checks the server's certificate and name" "bin/mpc-client is not built"
	finish; exit
fi

check "control: mpc-client creates a session via 127.0.0.1" \
    client alice create s-ctl --parties alice,bob --threshold 1
check_fails "mpc-client with another CA's folder refuses our server" \
    'certificate|verif' \
    "$CLIENT_BIN" --server "$MAIN_ADDR" --certs "$T/other" --party alice --timeout 10 \
    create s-other --parties alice,bob --threshold 1

# A rogue server with the other CA's server certificate, which accepts our
# parties: a client that did not check would create the session there.
mkdir -p "$T/rogue-certs"
cp "$T/certs/ca.crt" "$T/rogue-certs/"
cp "$T/other/server.crt" "$T/other/server.key" "$T/rogue-certs/"
if start_server --certs "$T/rogue-certs" --state-dir "$T/state-rogue"; then
	check_fails "mpc-client refuses a server certified by another CA" \
	    'certificate|verif' client alice create s-rogue --parties alice,bob --threshold 1
else
	not_ok "mpc-client refuses a server certified by another CA" "rogue server did not start"
fi

# Our own server, reached at 127.0.0.2 (loopback, but not in its certificate).
if start_server --listen 127.0.0.2:0 --state-dir "$T/state-nm"; then
	RAW_ADDR=$ADDR expect_codes "control: the server at $ADDR answers when its name is checked as localhost" \
	    "1:OK" raw alice --sni localhost "$(req 1 GET_KEYS get_keys '{"parties":[]}')"
	check_fails "mpc-client refuses a server whose certificate does not name 127.0.0.2" \
	    'host|name|IP|address|match|certificate|verif' \
	    client alice create s-nm --parties alice,bob --threshold 1
	out=$(RAW_ADDR=$ADDR raw alice --sni localhost "$(req 1 GET_STATUS get_status '{"session_id":"s-nm"}')" 2>&1)
	check_eq "... and sent it nothing: no session s-nm there" "NOT_FOUND" \
	    "$(field 'r["code"]' <<<"$out" 2>&1)"
else
	not_ok "mpc-client refuses a server whose certificate does not name 127.0.0.2" \
	    "server did not start on 127.0.0.2"
fi
ADDR=$MAIN_ADDR

finish
