#!/usr/bin/env bash
# deploy.sh: certificates for real deployments (scripts/mkcerts.sh), each
# checked over real TLS, on loopback only (127.0.0.0/8).
#
# - The profiles mkcerts.sh issues, by `openssl verify -purpose`: the
#   server's for TLS servers only, a party's for TLS clients only, the
#   encryption key's for key agreement only.
# - Names: a server certificate naming 127.0.0.2 and sum.example.org (not
#   127.0.0.1), served at 127.0.0.2: reached at 127.0.0.2; refused at
#   127.0.0.1; reached at 127.0.0.1 with `mpc-client --server-name
#   sum.example.org`, refused with --server-name other.example.org.
# - --renew of a party and of the server: new keys, the same CA, sessions
#   still work; no message suggests --force (which replaces the CA).
# - The request/sign flow with separate folders for the CA, the server and
#   each party: no private key reaches the CA's folder; sign refuses a bad
#   signature, a subject other than CN=NAME, a bad or reserved name, a
#   private key sent as NAME.enc.pub, one key in two certificates; then a whole session with these
#   certificates, the server holding only ca.crt, server.crt, server.key.
source "$(dirname "$0")/lib.sh"

need_client
MK=$ROOT/scripts/mkcerts.sh
NSTATE=0

# serve_at LISTEN DIR: the server on LISTEN (HOST:0) with the certificate
# folder DIR; sets SERVER_PID and ADDR.
serve_at() {
	spawn_listening "$T/server.out" "$T/server.log" "$SERVER_BIN" \
	    --listen "$1" --certs "$2" --state-dir "$T/state-$((++NSTATE))" || return 1
	SERVER_PID=$SPAWNED ADDR=$LISTEN_ADDR
}
# cl DIR PARTY ARGS...: mpc-client as PARTY with the certificates in DIR.
cl() {
	local dir=$1 party=$2; shift 2
	"$CLIENT_BIN" --server "$ADDR" --certs "$dir" --party "$party" --timeout 20 "$@"
}
# purpose NAME PURPOSE CERT CA WANT: `openssl verify -purpose PURPOSE`
# of CERT against CA passes (WANT=pass) or fails (WANT=fail).
purpose() {
	local got=fail
	openssl verify -CAfile "$4" -purpose "$2" "$3" >/dev/null 2>&1 && got=pass
	check_eq "$1" "$5" "$got"
}
# check_ne NAME A B: passes when A and B differ.
check_ne() {
	if [ "$2" != "$3" ]; then ok "$1"; else not_ok "$1" "both are: $2"; fi
}
# no_force NAME: the last failure's message does not mention --force.
no_force() {
	if grep -q -- '--force' "$T/last.err"; then not_ok "$1" "$(cat "$T/last.err")"
	else ok "$1"; fi
}
# enc_profile NAME CERT CA: CERT is an encryption-key certificate from CA:
# keyUsage keyAgreement alone, critical, no extendedKeyUsage, an X25519
# key. (OpenSSL's sslclient and sslserver purposes accept a keyAgreement
# certificate without extendedKeyUsage, for static Diffie-Hellman; what
# keeps it out of TLS 1.3 is its key, which cannot sign.)
enc_profile() {
	local name=$1 crt=$2 ca=$3
	purpose "$name is the CA's (-purpose any)" any "$crt" "$ca" pass
	check_eq "$name: keyUsage keyAgreement alone, critical; no extendedKeyUsage" \
	    "X509v3 Key Usage: critical|Key Agreement|" \
	    "$(openssl x509 -in "$crt" -noout -ext keyUsage,extendedKeyUsage | sed 's/^ *//' | paste -sd '|')|"
	check_eq "$name: an X25519 key" "X25519 Public-Key:" \
	    "$(openssl x509 -in "$crt" -noout -pubkey | openssl pkey -pubin -noout -text_pub | head -n 1)"
}
# pub_of FILE: the public key of a certificate or private key, PEM.
pub_of() {
	case $1 in
	*.crt) openssl x509 -in "$1" -noout -pubkey ;;
	*) openssl pkey -in "$1" -pubout ;;
	esac
}
# server_folder DIR FROM: DIR gets only what a server needs from FROM.
server_folder() {
	mkdir -p "$1"
	cp -p "$2/ca.crt" "$2/server.crt" "$2/server.key" "$1/"
}
# run_session DIR_A DIR_B SESSION: alice and bob, each with its own folder,
# create SESSION and `run` it together; the sum 42 + 58 is checked. bob
# publishes his key first (README: any command does, even a status of a
# session not created yet), since create refuses a party whose key it
# cannot find.
run_session() {
	local a=$1 b=$2 s=$3 pa pb
	check_fails "bob's first command, a status of $s before it exists, publishes his key" \
	    "session $s does not exist" cl "$b" bob status "$s"
	check "alice creates $s" cl "$a" alice create "$s" --parties alice,bob --threshold 1
	cl "$a" alice run "$s" 42 >"$T/$s-alice.out" 2>"$T/$s-alice.err" &
	pa=$!
	cl "$b" bob run "$s" 58 >"$T/$s-bob.out" 2>"$T/$s-bob.err" &
	pb=$!
	PIDS+=("$pa" "$pb")
	wait "$pa"; wait "$pb"
	check_eq "$s: alice's run prints the sum" "100" "$(cat "$T/$s-alice.out")"
	check_eq "$s: bob's run prints the sum" "100" "$(cat "$T/$s-bob.out")"
}

# ---- profiles and names ---------------------------------------------------

C=$T/certs
if "$MK" --out "$C" --server-name 127.0.0.2 --server-name sum.example.org \
    alice bob >"$T/mk.log" 2>&1; then
	ok "mkcerts.sh --server-name 127.0.0.2 --server-name sum.example.org alice bob"
else
	bail "mkcerts.sh failed: $(cat "$T/mk.log")"
fi
san=$(openssl x509 -in "$C/server.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')
check_eq "the server certificate names exactly these, as IP and DNS entries" \
    "IPAddress:127.0.0.2,DNS:sum.example.org" "$san"
purpose "server.crt passes -purpose sslserver" sslserver "$C/server.crt" "$C/ca.crt" pass
purpose "server.crt fails -purpose sslclient" sslclient "$C/server.crt" "$C/ca.crt" fail
purpose "alice.crt passes -purpose sslclient" sslclient "$C/alice.crt" "$C/ca.crt" pass
purpose "alice.crt fails -purpose sslserver" sslserver "$C/alice.crt" "$C/ca.crt" fail
enc_profile "alice.enc.crt" "$C/alice.enc.crt" "$C/ca.crt"
check_fails "mkcerts.sh refuses a --server-name that is neither a name nor an address" \
    "invalid --server-name '1\.2\.3'" "$MK" --out "$T/bad" --server-name 1.2.3
check_fails "... and a wildcard" "invalid --server-name '\*\.example\.org'" \
    "$MK" --out "$T/bad" --server-name '*.example.org'
check_eq "... having made nothing" "" "$(ls "$T/bad" 2>/dev/null)"

S1=$T/server1
server_folder "$S1" "$C"
serve_at 127.0.0.2:0 "$S1" || bail "the server did not start on 127.0.0.2"
case $ADDR in 127.0.0.2:*) ok "the server listens on $ADDR" ;;
*) not_ok "the server listens on 127.0.0.2" "$ADDR" ;; esac
check "reached at 127.0.0.2, named in its certificate: create" \
    cl "$C" alice create n1 --parties alice,bob --threshold 1
check "... and status" cl "$C" bob status n1
stop_server

serve_at 127.0.0.1:0 "$S1" || bail "the server did not start on 127.0.0.1"
check_fails "reached at 127.0.0.1, which its certificate does not name: refused" \
    "the server 127\.0\.0\.1:[0-9]+ failed verification: IP address mismatch" \
    cl "$C" alice status n1
check "reached at 127.0.0.1 with --server-name sum.example.org: accepted" \
    cl "$C" alice --server-name sum.example.org create n2 --parties alice,bob --threshold 1
check_fails "with --server-name other.example.org: refused" \
    "the server 127\.0\.0\.1:[0-9]+ \(as other\.example\.org\) failed verification: hostname mismatch" \
    cl "$C" alice --server-name other.example.org status n2
check "with --server-name 127.0.0.2 (an address it names), reached at 127.0.0.1: accepted" \
    cl "$C" alice --server-name 127.0.0.2 status n2
check_fails "a --server-name that is no name is a usage error" \
    "mpc-client: --server-name: 'a b' is neither a DNS name" cl "$C" alice --server-name 'a b' status n2
cl "$C" alice --server-name 'a b' status n2 >/dev/null 2>&1
check_eq "... exit status 2, as every usage error" "2" "$?"
stop_server

# ---- --renew ----------------------------------------------------------------

mkdir -p "$T/old"
cp -p "$C/ca.crt" "$C/ca.key" "$C/alice.crt" "$C/alice.key" "$C/server.key" "$T/old/"
check_fails "adding alice again points to --renew, not to --force" \
    "alice\.crt already exists; party 'alice' has its certificates \(--renew alice" \
    "$MK" --out "$C" alice
no_force "... and does not mention --force"
check_fails "naming no party points to --renew" "add, or --renew NAME \(or --renew server\)" "$MK" --out "$C"
no_force "... and does not mention --force"
check "mkcerts.sh --renew alice" "$MK" --out "$C" --renew alice
if cmp -s "$C/ca.crt" "$T/old/ca.crt" && cmp -s "$C/ca.key" "$T/old/ca.key"; then
	ok "the CA is untouched"
else
	not_ok "the CA is untouched"
fi
check_ne "alice has a new key" "$(pub_of "$C/alice.key")" "$(pub_of "$T/old/alice.key")"
check_ne "the old alice.crt does not match the new key" \
    "$(pub_of "$T/old/alice.crt")" "$(pub_of "$C/alice.key")"
check_eq "the new alice.crt matches it" "$(pub_of "$C/alice.key")" "$(pub_of "$C/alice.crt")"
check_eq "the new alice.enc.crt matches the new alice.enc.key" \
    "$(pub_of "$C/alice.enc.key")" "$(pub_of "$C/alice.enc.crt")"
check_eq "the new keys are private (0600)" "600 600" \
    "$(stat -c %a "$C/alice.key") $(stat -c %a "$C/alice.enc.key")"
check_ne "with a new serial number" "$(openssl x509 -in "$C/alice.crt" -noout -serial)" \
    "$(openssl x509 -in "$T/old/alice.crt" -noout -serial)"
purpose "the renewed alice.crt passes -purpose sslclient" sslclient "$C/alice.crt" "$C/ca.crt" pass
check_fails "--renew of a party without certificates is refused" \
    "party 'zed' has nothing to renew" "$MK" --out "$C" --renew zed
check_fails "--renew with --force is refused" "error: --renew keeps the CA and --force replaces it" \
    "$MK" --out "$C" --renew alice --force
check "mkcerts.sh --renew server (its names kept)" "$MK" --out "$C" --renew server
check_ne "the server has a new key" "$(pub_of "$C/server.key")" "$(pub_of "$T/old/server.key")"
check_eq "... under the same names" "$san" \
    "$(openssl x509 -in "$C/server.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')"
check_fails "--server-name without --renew server, where a server certificate exists: pointed to --renew server" \
    "under it: --renew server --server-name" "$MK" --out "$C" --server-name 127.0.0.1 carol
check "mkcerts.sh --renew server --server-name 127.0.0.1 (new names)" \
    "$MK" --out "$C" --renew server --server-name 127.0.0.1
check_eq "... which replace the old ones" "IPAddress:127.0.0.1" \
    "$(openssl x509 -in "$C/server.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')"
S2=$T/server2
server_folder "$S2" "$C"
serve_at 127.0.0.1:0 "$S2" || bail "the server did not start with its renewed certificate"
run_session "$C" "$C" r1
stop_server

# ---- request and sign: nobody but the party holds its keys -----------------

CA=$T/ca SRV=$T/srv A=$T/alice B=$T/bob IN=$T/inbox
check "mkcerts.sh ca" "$MK" ca --out "$CA"
check "alice's request, on her machine" "$MK" request alice --out "$A"
check "bob's request, on his machine" "$MK" request bob --out "$B"
check "the server's request, on its machine" "$MK" request server --out "$SRV"
check_eq "alice's folder: her keys, her request and her public encryption key" \
    "alice.csr alice.enc.key alice.enc.pub alice.key" "$(cd "$A" && echo *)"
check_eq "the server's folder: its key and request" "server.csr server.key" "$(cd "$SRV" && echo *)"
check_eq "the CA's folder: the CA alone" "ca.crt ca.key" "$(cd "$CA" && echo *)"
check_fails "a second request over existing keys is refused" "alice\.key already exists" \
    "$MK" request alice --out "$A"
# What travels to the CA: requests and public keys only.
mkdir -p "$IN"
cp "$A/alice.csr" "$A/alice.enc.pub" "$B/bob.csr" "$B/bob.enc.pub" "$SRV/server.csr" "$IN/"

# Refusals first, each in a folder of its own; none signs anything.
bad() { rm -rf "$T/badin"; mkdir -p "$T/badin"; cp "$@" "$T/badin/"; }
bad "$IN/alice.csr" "$IN/alice.enc.pub"
/usr/bin/python3 - "$T/badin/alice.csr" <<'PY'
import base64, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
der = bytearray(base64.b64decode("".join(lines[1:-2])))
der[-5] ^= 1    # inside the ECDSA signature, the last field
body = base64.encodebytes(bytes(der)).decode()
open(p, "w").write(lines[0] + "\n" + body + lines[-2] + "\n")
PY
check_fails "sign refuses a request whose signature does not verify" \
    "alice\.csr: its signature does not verify" "$MK" sign --out "$CA" "$T/badin/alice.csr"
bad "$IN/alice.csr" "$IN/alice.enc.pub"
mv "$T/badin/alice.csr" "$T/badin/carol.csr"
mv "$T/badin/alice.enc.pub" "$T/badin/carol.enc.pub"
check_fails "sign refuses a request whose subject is not CN=NAME (alice's, as carol.csr)" \
    "carol\.csr: its subject is 'CN=alice', not CN=carol" "$MK" sign --out "$CA" "$T/badin/carol.csr"
bad "$IN/alice.csr" "$IN/alice.enc.pub"
mv "$T/badin/alice.csr" "$T/badin/-x.csr"
check_fails "sign refuses a bad name" "invalid party name '-x'" "$MK" sign --out "$CA" -- "$T/badin/-x.csr"
mv "$T/badin/-x.csr" "$T/badin/ca.csr"
check_fails "sign refuses a reserved name" "party name 'ca' is reserved" "$MK" sign --out "$CA" "$T/badin/ca.csr"
bad "$IN/alice.csr"
cp "$A/alice.enc.key" "$T/badin/alice.enc.pub"
check_fails "sign refuses a private key sent as alice.enc.pub" \
    "alice\.enc\.pub: not a PEM public key" "$MK" sign --out "$CA" "$T/badin/alice.csr"
rm -f "$T/badin/alice.enc.pub"
check_fails "sign refuses a party request without its encryption key" \
    "alice\.enc\.pub is missing" "$MK" sign --out "$CA" "$T/badin/alice.csr"
bad "$IN/alice.csr" "$IN/alice.enc.pub"
cp "$IN/bob.enc.pub" "$T/badin/bob.enc.pub"
cp "$A/alice.key" "$T/badin/bob.csr"
check_fails "sign signs nothing when one of its requests is bad" \
    "bob\.csr: not a PEM certificate request" \
    "$MK" sign --out "$CA" "$T/badin/alice.csr" "$T/badin/bob.csr"
check_eq "... the CA's folder is as it was" "ca.crt ca.key" "$(cd "$CA" && echo *)"
bad "$IN/bob.csr"
cp "$IN/alice.enc.pub" "$T/badin/bob.enc.pub"
check_fails "sign refuses one key in two certificates (alice's encryption key sent as bob's)" \
    "bob's request carries the key of alice\.enc\.crt" \
    "$MK" sign --out "$CA" "$IN/alice.csr" "$T/badin/bob.csr"
check_eq "... the CA's folder is as it was" "ca.crt ca.key" "$(cd "$CA" && echo *)"

check_fails "sign refuses --server-name without the server's request" \
    "it goes with server\.csr, which is not among the requests" \
    "$MK" sign --out "$CA" --server-name 127.0.0.1 "$IN/alice.csr"
check "the CA signs the three requests, the server's for 127.0.0.1 and ::1" \
    "$MK" sign --out "$CA" --server-name 127.0.0.1 --server-name ::1 \
    "$IN/alice.csr" "$IN/bob.csr" "$IN/server.csr"
check_eq "the CA's folder holds certificates and its own key, no other key" \
    "alice.crt alice.enc.crt bob.crt bob.enc.crt ca.crt ca.key server.crt" "$(cd "$CA" && echo *)"
keys=$(cd "$T" && find inbox ca -name '*.key' ! -path ca/ca.key | tr '\n' ' ')
check_eq "no .key file crossed to the CA" "" "$keys"
check_fails "signing alice again without --replace is refused" \
    "alice\.crt already exists; to replace it with one for this request, sign --replace" \
    "$MK" sign --out "$CA" "$IN/alice.csr"
check "carol's request" "$MK" request carol --out "$T/carol"
bad "$T/carol/carol.csr"
cp "$IN/bob.enc.pub" "$T/badin/carol.enc.pub"
check_fails "sign refuses carol's request with bob's certified encryption key" \
    "carol's request carries the key of bob\.enc\.crt" "$MK" sign --out "$CA" "$T/badin/carol.csr"
# Back to each machine: its certificates and the CA's.
cp "$CA/ca.crt" "$CA/alice.crt" "$CA/alice.enc.crt" "$A/"
cp "$CA/ca.crt" "$CA/bob.crt" "$CA/bob.enc.crt" "$B/"
cp "$CA/ca.crt" "$CA/server.crt" "$SRV/"
rm -f "$A/alice.csr" "$A/alice.enc.pub" "$B/bob.csr" "$B/bob.enc.pub" "$SRV/server.csr"
check_eq "the server's folder: ca.crt, server.crt, server.key and nothing else" \
    "ca.crt server.crt server.key" "$(cd "$SRV" && echo *)"
purpose "the signed server.crt passes -purpose sslserver" sslserver "$SRV/server.crt" "$SRV/ca.crt" pass
purpose "the signed server.crt fails -purpose sslclient" sslclient "$SRV/server.crt" "$SRV/ca.crt" fail
purpose "the signed alice.crt passes -purpose sslclient" sslclient "$A/alice.crt" "$A/ca.crt" pass
purpose "the signed alice.crt fails -purpose sslserver" sslserver "$A/alice.crt" "$A/ca.crt" fail
enc_profile "the signed alice.enc.crt" "$A/alice.enc.crt" "$A/ca.crt"
check_eq "alice.crt certifies the key alice made" "$(pub_of "$A/alice.key")" "$(pub_of "$A/alice.crt")"
check_eq "alice.enc.crt certifies the encryption key alice made" \
    "$(pub_of "$A/alice.enc.key")" "$(pub_of "$A/alice.enc.crt")"

serve_at 127.0.0.1:0 "$SRV" || bail "the server did not start with its own folder"
run_session "$A" "$B" d1
stop_server
# The same certificates over IPv6 loopback, where the machine has it.
if serve_at '[::1]:0' "$SRV" 2>/dev/null; then
	check "the server signed for ::1 is reached at [::1]" \
	    cl "$A" alice create d2 --parties alice,bob --threshold 1 --allow-unknown
	stop_server
else
	ok "the server signed for ::1 is reached at [::1] # SKIP no IPv6 loopback"
fi

# A renewal the same way: bob requests into a new folder, the CA signs
# with --replace, and bob moves the new files in.
check "bob's renewal request, into a new folder" "$MK" request bob --out "$B/new"
check "the CA signs it with --replace" "$MK" sign --out "$CA" --replace "$B/new/bob.csr"
cp "$CA/bob.crt" "$CA/bob.enc.crt" "$B/new/"
mv "$B/new/bob.key" "$B/new/bob.enc.key" "$B/new/bob.crt" "$B/new/bob.enc.crt" "$B/"
check_eq "bob's new certificate matches his new key" "$(pub_of "$B/bob.key")" "$(pub_of "$B/bob.crt")"
serve_at 127.0.0.1:0 "$SRV" || bail "the server did not start"
run_session "$A" "$B" d3
stop_server

finish
