#!/usr/bin/env bash
# mkcerts.sh: makes the project's certificates: a CA, the server's TLS
# certificate, and for each party a TLS client certificate and a certificate
# for its X25519 share-encryption key. Uses only the openssl command.
#
# Every file is PEM. Private keys are unencrypted (the server and clients run
# unattended) and therefore mode 0600. New files are written to a staging
# folder inside DIR and renamed into place, so that an interrupted run never
# leaves a half-written file, and a replaced key never inherits the mode of
# the file it replaces.
#
# The CA is the root of every party's trust: an existing one is reused to
# issue certificates for new parties, and replaced only with --force.
#
# Revocation is not implemented yet. It is meant to slot in as another mode
# (--revoke NAME) beside "issue": `openssl ca -revoke` accepts certificates
# missing from its database, so it can work from ca.key, ca.crt and the
# party's NAME.crt and NAME.enc.crt alone, then write crl.pem, which
# mpc-server already loads when present.
set -euo pipefail

prog=mkcerts
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CA_DAYS=3650            # the CA outlives several generations of leaves
LEAF_DAYS=825           # the longest lifetime browsers accept; ample here
CA_SUBJECT="/CN=secure-sum CA"
SERVER_SUBJECT="/CN=secure-sum server"
SERVER_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"

usage() {
	cat <<EOF
usage: scripts/mkcerts.sh [--out DIR] [--force] PARTY...

Makes, in DIR (default: certs/ at the top of the repository), PEM files:
  ca.crt, ca.key               the project CA (EC P-256)
  server.crt, server.key       mpc-server's TLS certificate, for localhost,
                               127.0.0.1 and ::1
  PARTY.crt, PARTY.key         each party's TLS client certificate (CN=PARTY)
  PARTY.enc.crt, PARTY.enc.key each party's X25519 share-encryption key,
                               certified by the CA

If DIR already holds a CA, it is reused to issue certificates for parties
that have none yet, so parties can be added later; an existing party's files
are never overwritten.

  --out DIR   write into DIR (created with mode 0700 if it does not exist)
  --force     make a new CA, server certificate and the named parties'
              certificates, replacing existing files; certificates of parties
              not named are left in place but no longer verify
  -h, --help  print this help and exit

A party name is 1 to 64 characters from A-Z a-z 0-9 . _ -, not starting with
'.' or '-'; "ca" and "server" are reserved, and names ending in ".enc" would
collide with another party's key files.
EOF
}

die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}

warn() {
	printf '%s: warning: %s\n' "$prog" "$*" >&2
}

# ossl ARGS...: runs openssl quietly (it chats on stderr even on success);
# on failure, dies with the first line it printed that looks like a reason.
ossl() {
	local out reason
	if ! out=$(openssl "$@" 2>&1 </dev/null); then
		reason=$(printf '%s\n' "$out" | grep -m1 -iE 'error|unable|invalid|problem|no such' || true)
		[ -n "$reason" ] || reason=$(printf '%s\n' "$out" | head -n1)
		die "openssl $1 failed: ${reason:-no reason given}"
	fi
}

# valid_party NAME: succeeds if NAME may name a party; else says why and dies.
valid_party() {
	local name=$1
	if ! [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$ ]]; then
		die "invalid party name '$name': use 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.' or '-'"
	fi
	case $name in
	ca | server)
		die "party name '$name' is reserved: $name.crt and $name.key are the ${name/ca/CA}'s own files" ;;
	*.enc)
		die "party name '$name' is refused: its files would clash with party '${name%.enc}''s encryption-key files" ;;
	esac
}

# serial: a fresh random 128-bit serial number, as the CA/B Forum asks, so
# that certificates need no serial file and two runs never collide.
serial() {
	local hex
	hex=$(openssl rand -hex 16) || die "openssl rand failed"
	printf '0x%s\n' "$hex"
}

# write_extensions FILE: the extension profiles, in a file of our own so that
# the system's openssl.cnf cannot add to or change them.
write_extensions() {
	cat >"$1" <<EOF
[ca]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[server]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = $SERVER_SAN
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[client]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# An X25519 key can only agree on keys: no signature, no TLS.
[enc]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyAgreement
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
}

# gen_ec KEYFILE / gen_x25519 KEYFILE: a new private key, mode 0600.
gen_ec() {
	ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -pkeyopt ec_param_enc:named_curve -out "$1"
	chmod 0600 "$1"
}

gen_x25519() {
	ossl genpkey -algorithm X25519 -out "$1"
	chmod 0600 "$1"
}

# make_ca: a self-signed CA into the staging folder.
make_ca() {
	local sn
	sn=$(serial)
	gen_ec "$stage/ca.key"
	ossl x509 -new -key "$stage/ca.key" -subj "$CA_SUBJECT" \
	    -days "$CA_DAYS" -sha256 -set_serial "$sn" \
	    -extfile "$stage/ext.cnf" -extensions ca -out "$stage/ca.crt"
	chmod 0644 "$stage/ca.crt"
}

# issue KEYFILE SUBJECT PROFILE CERTFILE: a certificate from the CA for the
# public half of KEYFILE. -force_pubkey lets the CA certify keys that cannot
# sign a request (X25519); we made every key ourselves a moment ago, so a
# request's proof of possession would prove nothing.
issue() {
	local key=$1 subject=$2 profile=$3 crt=$4 sn
	sn=$(serial)
	ossl pkey -in "$key" -pubout -out "$key.pub"
	ossl x509 -new -force_pubkey "$key.pub" -subj "$subject" \
	    -CA "$ca_crt" -CAkey "$ca_key" \
	    -days "$LEAF_DAYS" -sha256 -set_serial "$sn" \
	    -extfile "$stage/ext.cnf" -extensions "$profile" -out "$crt"
	rm -f -- "$key.pub"
	chmod 0644 "$crt"
}

# check_ca: the existing CA is whole, private, unexpired, and its key and
# certificate belong together; better to stop here than to issue
# certificates nobody can verify.
check_ca() {
	local f mode
	for f in ca.crt ca.key; do
		[ -f "$out/$f" ] || die "$out/$f is missing; use --force to make a new CA"
	done
	mode=$(stat -c %a -- "$out/ca.key") || die "cannot stat $out/ca.key"
	if (( 8#$mode & 8#077 )); then
		die "$out/ca.key has mode $mode: group or others can reach the CA key; chmod 600 it"
	fi
	openssl x509 -in "$out/ca.crt" -noout -checkend 86400 >/dev/null 2>&1 ||
		die "$out/ca.crt expires within a day or is unreadable; use --force to make a new CA"
	local crt_pub key_pub
	crt_pub=$(openssl x509 -in "$out/ca.crt" -noout -pubkey 2>/dev/null) ||
		die "$out/ca.crt is not a readable certificate"
	key_pub=$(openssl pkey -in "$out/ca.key" -pubout 2>/dev/null </dev/null) ||
		die "$out/ca.key is not a readable unencrypted private key"
	[ "$crt_pub" = "$key_pub" ] || die "$out/ca.key does not match $out/ca.crt"
}

# install_staged FILE...: moves staged files into DIR. rename(2) replaces a target
# atomically and keeps the staged file's mode.
install_staged() {
	local f
	for f in "$@"; do
		mv -f -- "$stage/$f" "$out/$f"
	done
}

# ---- arguments ----------------------------------------------------------
out=$root/certs
force=0
parties=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--force) force=1 ;;
	--out)
		[ $# -ge 2 ] || die "--out needs a folder"
		out=$2
		shift ;;
	--out=*) out=${1#--out=} ;;
	--) shift; parties+=("$@"); break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) parties+=("$1") ;;
	esac
	shift
done
[ -n "$out" ] || die "--out needs a folder"
# A later --revoke option would set mode=revoke here and branch below.

declare -A seen=()
for p in "${parties[@]}"; do
	valid_party "$p"
	[ -z "${seen[$p]:-}" ] || die "party '$p' is named twice"
	seen[$p]=1
done

command -v openssl >/dev/null 2>&1 || die "the openssl command is not installed"

# Everything created from here on, folders and keys alike, is private until
# chmod says otherwise.
umask 077

if [ -e "$out" ] && ! [ -d "$out" ]; then
	die "$out exists and is not a folder"
fi
mkdir -p -- "$out" || die "cannot create $out"
[ -w "$out" ] || die "cannot write to $out"

# ---- what to make -------------------------------------------------------
new_ca=1
if [ -e "$out/ca.crt" ] || [ -e "$out/ca.key" ]; then
	if [ "$force" -eq 0 ]; then
		new_ca=0
		[ "${#parties[@]}" -gt 0 ] ||
			die "$out/ca.crt already exists; name new parties to add, or use --force to replace the CA"
		check_ca
	fi
fi

# With a new CA every certificate is reissued; else only what is missing.
new_server=1
if [ "$new_ca" -eq 0 ]; then
	if [ -e "$out/server.crt" ] && [ -e "$out/server.key" ]; then
		new_server=0
	elif [ -e "$out/server.crt" ] || [ -e "$out/server.key" ]; then
		die "only one of $out/server.crt and $out/server.key exists; use --force to start over"
	fi
fi

if [ "$force" -eq 0 ]; then
	for p in "${parties[@]}"; do
		for f in "$p.crt" "$p.key" "$p.enc.crt" "$p.enc.key"; do
			[ ! -e "$out/$f" ] ||
				die "$out/$f already exists; party '$p' has its certificates (use --force to replace them)"
		done
	done
fi

# ---- make it ------------------------------------------------------------
stage=$(mktemp -d -- "$out/.mkcerts.XXXXXX") || die "cannot create a staging folder in $out"
trap 'rm -rf -- "$stage"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
write_extensions "$stage/ext.cnf"

if [ "$new_ca" -eq 1 ]; then
	make_ca
	ca_crt=$stage/ca.crt
	ca_key=$stage/ca.key
else
	ca_crt=$out/ca.crt
	ca_key=$out/ca.key
fi

written=()
if [ "$new_server" -eq 1 ]; then
	gen_ec "$stage/server.key"
	issue "$stage/server.key" "$SERVER_SUBJECT" server "$stage/server.crt"
	written+=(server.crt server.key)
fi
for p in "${parties[@]}"; do
	gen_ec "$stage/$p.key"
	issue "$stage/$p.key" "/CN=$p" client "$stage/$p.crt"
	gen_x25519 "$stage/$p.enc.key"
	issue "$stage/$p.enc.key" "/CN=$p" enc "$stage/$p.enc.crt"
	written+=("$p.crt" "$p.key" "$p.enc.crt" "$p.enc.key")
done

# Leaves first, the CA last: a run cut short in between leaves the old CA,
# under which the files already moved simply fail to verify.
install_staged "${written[@]}"
if [ "$new_ca" -eq 1 ]; then
	# A revocation list signed by a replaced CA would make the server refuse
	# every client; it revoked nothing the new CA issued.
	if [ -e "$out/crl.pem" ]; then
		rm -f -- "$out/crl.pem"
		warn "removed $out/crl.pem, signed by the replaced CA"
	fi
	install_staged ca.crt ca.key
	written=(ca.crt ca.key "${written[@]}")

	# Tell about certificates the new CA did not issue: they are now dead.
	declare -A fresh=()
	for f in "${written[@]}"; do fresh[$f]=1; done
	for f in "$out"/*.crt; do
		[ -e "$f" ] || continue
		[ -n "${fresh[${f##*/}]:-}" ] ||
			warn "$f was issued by the replaced CA and no longer verifies"
	done
fi

for f in "${written[@]}"; do
	printf '%s: wrote %s\n' "$prog" "$out/$f"
done
