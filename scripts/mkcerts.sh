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
# Revocation (--revoke NAME) is the other mode: `openssl ca -revoke` adds
# the party's NAME.crt and NAME.enc.crt to a small CA database (DIR/ca-db/,
# which only this script reads) and `openssl ca -gencrl` signs DIR/crl.pem
# from it. mpc-server loads crl.pem at start, and refuses a revoked TLS
# certificate at the handshake and a revoked encryption-key certificate
# wherever it checks one; so do clients that find crl.pem in their folder.
# --gencrl re-signs crl.pem from that database without revoking anything
# (an empty list at first), for --crl-url: certificates issued with it name
# a URL (a crlDistributionPoints extension) where the operator serves
# DIR/crl.pem to relying parties that fetch CRLs, such as TLS scanners.
set -euo pipefail

prog=mkcerts
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CA_DAYS=3650            # the CA outlives several generations of leaves
LEAF_DAYS=825           # the longest lifetime browsers accept; ample here
# crl.pem is a local file, not fetched from a distribution point, so a short
# nextUpdate would protect against nothing, and an expired CRL makes the
# server refuse every client. Revoking again (even the same name) re-signs it.
CRL_DAYS=3650
CA_SUBJECT="/CN=secure-sum CA"
SERVER_SUBJECT="/CN=secure-sum server"
SERVER_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"

usage() {
	cat <<EOF
usage: scripts/mkcerts.sh [--out DIR] [--force] [--crl-url URL] PARTY...
       scripts/mkcerts.sh [--out DIR] --revoke NAME [--revoke NAME]...
       scripts/mkcerts.sh [--out DIR] --gencrl

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
  --crl-url URL
              put a CRL distribution point (crlDistributionPoints, URI:URL)
              into every certificate this run issues: the server's and the
              parties' (TLS and encryption-key); not into the CA's, nor into
              certificates already in DIR. URL is http:// or https://,
              without spaces, commas, '#', '\$' or quotes. This only names the
              URL: the operator must actually serve DIR/crl.pem there, kept
              current after every --revoke (make the first one with
              --gencrl). mpc-server and the clients never fetch it; they read
              crl.pem from their folder.
  --revoke NAME
              revoke party NAME's certificates (DIR/NAME.crt and
              DIR/NAME.enc.crt, whichever exist; issued by DIR's CA) and
              write DIR/crl.pem, signed by the CA, listing every certificate
              revoked so far (kept in DIR/ca-db/). Revoking a name again only
              re-signs crl.pem. Give crl.pem to mpc-server (it reads it at
              start: restart it) and to the parties, whose clients then
              refuse NAME's encryption key too. Issues nothing; to give
              NAME new certificates, remove DIR/NAME.* and name it again.
  --gencrl    write DIR/crl.pem as --revoke does, revoking nothing: it lists
              the certificates revoked so far, none at first (an empty CRL,
              for a new --crl-url). Issues nothing.
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
	local cdp=""
	[ -z "$crl_url" ] || cdp="crlDistributionPoints  = URI:$crl_url"
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
$cdp

[client]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
$cdp

# An X25519 key can only agree on keys: no signature, no TLS.
[enc]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyAgreement
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
$cdp
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

# ---- revocation -----------------------------------------------------------

# write_ca_config FILE DB: what `openssl ca` needs to revoke and to sign
# CRLs, and nothing more: this configuration never issues a certificate.
write_ca_config() {
	cat >"$1" <<EOF
[ca]
default_ca = revoker

[revoker]
database         = $2/index.txt
crlnumber        = $2/crlnumber
certificate      = $out/ca.crt
private_key      = $out/ca.key
default_md       = sha256
default_crl_days = $CRL_DAYS
unique_subject   = no

[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

# serial_of CERT: the certificate's serial number in hex.
serial_of() {
	local s
	s=$(openssl x509 -in "$1" -noout -serial 2>/dev/null </dev/null) || return 1
	printf '%s\n' "${s#serial=}"
}

# revoked_in DB SERIAL: whether the database lists SERIAL as revoked.
revoked_in() {
	awk -F '\t' -v s="$2" '$1 == "R" && toupper($4) == toupper(s) { f = 1 }
	    END { exit !f }' "$1/index.txt"
}

# revoke_mode [NAME...]: revokes each party's certificates and writes
# crl.pem; with no NAME (--gencrl), only re-signs it.
revoke_mode() {
	local name f serial db cfg n
	local -a msgs=()
	declare -A seen_r=()
	for name in "$@"; do
		valid_party "$name"
		[ -z "${seen_r[$name]:-}" ] || die "party '$name' is named twice"
		seen_r[$name]=1
	done
	command -v openssl >/dev/null 2>&1 || die "the openssl command is not installed"
	umask 077
	[ -d "$out" ] || die "$out does not exist: there is no CA to revoke with"
	check_ca
	if [ -e "$out/crl.pem" ] && ! [ -f "$out/ca-db/index.txt" ]; then
		die "$out/crl.pem exists but $out/ca-db/index.txt, the list it is made from, does not: refusing to write a crl.pem that could drop revocations"
	fi
	for name in "$@"; do
		n=0
		for f in "$name.crt" "$name.enc.crt"; do
			[ -e "$out/$f" ] || continue
			n=$((n + 1))
			# Expired certificates may still be revoked: no time check.
			openssl verify -no_check_time -purpose any -CAfile "$out/ca.crt" \
			    "$out/$f" >/dev/null 2>&1 </dev/null ||
				die "$out/$f was not issued by $out/ca.crt: this CA cannot revoke it"
		done
		[ "$n" -gt 0 ] ||
			die "neither $out/$name.crt nor $out/$name.enc.crt exists: nothing to revoke for '$name'"
	done

	# openssl ca works on a copy of the database; DIR gets it back whole.
	stage=$(mktemp -d -- "$out/.mkcerts.XXXXXX") || die "cannot create a staging folder in $out"
	trap 'rm -rf -- "$stage"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	db=$stage/ca-db
	if [ -d "$out/ca-db" ]; then
		cp -pR -- "$out/ca-db" "$db" || die "cannot copy $out/ca-db"
	else
		mkdir -- "$db" || die "cannot create $db"
	fi
	[ -e "$db/index.txt" ] || : >"$db/index.txt"
	[ -e "$db/crlnumber" ] || printf '01\n' >"$db/crlnumber"
	cfg=$stage/ca.cnf
	write_ca_config "$cfg" "$db"

	for name in "$@"; do
		for f in "$name.crt" "$name.enc.crt"; do
			[ -e "$out/$f" ] || continue
			serial=$(serial_of "$out/$f") || die "$out/$f is not a readable certificate"
			if revoked_in "$db" "$serial"; then
				msgs+=("$f (serial $serial) was already revoked")
				continue
			fi
			ossl ca -batch -config "$cfg" -revoke "$out/$f"
			revoked_in "$db" "$serial" || die "openssl ca did not record $f as revoked"
			msgs+=("revoked $f (serial $serial)")
		done
	done
	ossl ca -batch -config "$cfg" -gencrl -crlexts crl_ext -out "$stage/crl.pem"
	# Signed by our CA, or nothing is installed.
	ossl crl -in "$stage/crl.pem" -CAfile "$out/ca.crt" -noout
	chmod 0644 "$stage/crl.pem"
	rm -f -- "$db"/*.old

	# The database first: stopped between the two moves, the next run signs
	# a crl.pem from it listing everything; the other order could lose one.
	rm -rf -- "$out/ca-db.old"
	if [ -d "$out/ca-db" ]; then
		mv -- "$out/ca-db" "$out/ca-db.old"
	fi
	mv -- "$db" "$out/ca-db"
	rm -rf -- "$out/ca-db.old"
	mv -f -- "$stage/crl.pem" "$out/crl.pem"

	for f in "${msgs[@]}"; do
		printf '%s: %s\n' "$prog" "$f"
	done
	n=$(awk -F '\t' '$1 == "R"' "$out/ca-db/index.txt" | wc -l)
	printf '%s: wrote %s (%d certificates revoked in all); restart mpc-server to load it, and give it to the parties\n' \
	    "$prog" "$out/crl.pem" "$n"
}

# ---- arguments ----------------------------------------------------------
out=$root/certs
force=0
parties=()
revoke=()
gencrl=0
crl_url=""
have_crl_url=0
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--force) force=1 ;;
	--revoke)
		[ $# -ge 2 ] || die "--revoke needs a party name"
		revoke+=("$2")
		shift ;;
	--revoke=*) revoke+=("${1#--revoke=}") ;;
	--out)
		[ $# -ge 2 ] || die "--out needs a folder"
		out=$2
		shift ;;
	--out=*) out=${1#--out=} ;;
	--gencrl) gencrl=1 ;;
	--crl-url)
		[ $# -ge 2 ] || die "--crl-url needs a URL"
		crl_url=$2
		have_crl_url=1
		shift ;;
	--crl-url=*) crl_url=${1#--crl-url=}; have_crl_url=1 ;;
	--) shift; parties+=("$@"); break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) parties+=("$1") ;;
	esac
	shift
done
[ -n "$out" ] || die "--out needs a folder"
if [ "$have_crl_url" -eq 1 ]; then
	# It goes into an openssl configuration file: nothing there may end the
	# value, start a comment or expand a variable.
	url_re="^https?://[][A-Za-z0-9._~:/?@!&()*+;=%-]+\$"
	[[ $crl_url =~ $url_re ]] ||
		die "invalid --crl-url '$crl_url': give an http:// or https:// URL without spaces, commas, '#', '\$' or quotes"
fi
if [ "${#revoke[@]}" -gt 0 ] || [ "$gencrl" -eq 1 ]; then
	if [ "${#parties[@]}" -gt 0 ] || [ "$force" -eq 1 ] || [ "$have_crl_url" -eq 1 ]; then
		die "--revoke and --gencrl issue nothing: run them without --force, --crl-url and parties to issue"
	fi
	revoke_mode "${revoke[@]}"
	exit 0
fi

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
	rm -rf -- "$out/ca-db"
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
