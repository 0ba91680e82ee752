#!/usr/bin/env bash
# validation.sh: walks docs/VALIDATION.md, the table of every request field,
# its bound, and the status past it.
#
# Two real servers (`default`: every limit at its default; `small`:
# --max-sessions 3 --max-stored-bytes 455), the certificates the rows name,
# then tests/tools/validation_walk.py sends each row of the table through
# tests/tools/rawclient.py and checks what comes back. The server must be
# alive and serving at the end.
source "$(dirname "$0")/lib.sh"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol dave || bail "mkcerts.sh failed"
# Neither server gets the parties' encryption certificates: the key
# directory starts empty, and certificates count against stored bytes.
rm -f "$T"/server-certs/*.enc.crt

# Certificates the PublishKey rows use: bob's from another CA, an expired
# one for bob (notAfter yesterday: OpenSSL 3.0's x509 accepts -days -1),
# and a second valid one for alice.
make_other_certs bob || bail "mkcerts.sh --out other failed"
cat >"$T/enc.cnf" <<EOF
[enc]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyAgreement
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
# enc_cert NAME DAYS OUT: an encryption-key certificate from our CA.
enc_cert() {
	mkdir -p "$(dirname "$3")"
	openssl genpkey -algorithm X25519 -out "$3.key" 2>/dev/null &&
	openssl pkey -in "$3.key" -pubout -out "$3.pub" 2>/dev/null &&
	openssl x509 -new -force_pubkey "$3.pub" -subj "/CN=$1" -CA "$T/certs/ca.crt" \
	    -CAkey "$T/certs/ca.key" -days "$2" -sha256 -set_serial "0x$(openssl rand -hex 16)" \
	    -extfile "$T/enc.cnf" -extensions enc -out "$3" 2>/dev/null
}
enc_cert bob -1 "$T/expired/bob.enc.crt" && enc_cert alice 30 "$T/second/alice.enc.crt" ||
	bail "cannot make the extra certificates"

start_server || bail "the default server did not start"
DEFAULT_ADDR=$ADDR DEFAULT_PID=$SERVER_PID
start_server --state-dir "$T/state-small" --max-sessions 3 --max-stored-bytes 455 ||
	bail "the small server did not start"
SMALL_ADDR=$ADDR SMALL_PID=$SERVER_PID

t0=$(date +%s.%N)
/usr/bin/python3 "$ROOT/tests/tools/validation_walk.py" --doc "$ROOT/docs/VALIDATION.md" \
    --proto "$ROOT/proto/securesum.proto" --rawclient "$ROOT/tests/tools/rawclient.py" \
    --py "$PY" --ca "$T/certs/ca.crt" --dir "$T" \
    --server "default=$DEFAULT_ADDR" --server "small=$SMALL_ADDR"
walk=$?
echo "# walked in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

for s in "default $DEFAULT_PID $DEFAULT_ADDR" "small $SMALL_PID $SMALL_ADDR"; do
	set -- $s
	got=$(rawclient "$3" "$T/certs/carol.crt" "$T/certs/carol.key" \
	    '{"id":1,"method":"GET_KEYS","get_keys":{}}' 2>&1)
	if kill -0 "$2" 2>/dev/null && grep -q '"code": "OK"' <<<"$got"; then
		ok "the $1 server is still serving"
	else
		not_ok "the $1 server is still serving" "$got"
	fi
done
[ "$walk" -eq 0 ] || NFAIL=$((NFAIL + 1))
finish
