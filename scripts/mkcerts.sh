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
# issue certificates for new parties and to renew one (--renew NAME: a new
# key and certificates, the CA untouched), and replaced only with --force,
# which no message of this script ever suggests.
#
# Made this way, in one folder, the CA's operator holds every private key: a
# test or a demo. A real deployment splits it (`request` and `sign`): each
# party, and the server, makes its keys and a certificate request on its own
# machine (`mkcerts.sh request NAME`), and the CA (`mkcerts.sh ca`, then
# `mkcerts.sh sign REQUEST...`) only checks and signs requests, so that no
# private key but its own ever reaches the CA's folder. An X25519 key cannot
# sign, so it travels as a bare public key (NAME.enc.pub) beside the
# request, which the CA certifies without a proof of possession.
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
DEFAULT_SERVER_NAMES=(localhost 127.0.0.1 ::1)

usage() {
	cat <<EOF
usage: scripts/mkcerts.sh [--out DIR] [--force] [--crl-url URL]
                          [--server-name NAME]... PARTY...
       scripts/mkcerts.sh [--out DIR] [--crl-url URL] [--server-name NAME]...
                          --renew NAME [--renew NAME]... [PARTY...]
       scripts/mkcerts.sh [--out DIR] --revoke NAME [--revoke NAME]...
       scripts/mkcerts.sh [--out DIR] --gencrl
For a real deployment, where each party keeps its keys to itself:
       scripts/mkcerts.sh ca [--out CADIR]                     (the CA)
       scripts/mkcerts.sh request NAME [--out DIR]             (each party)
       scripts/mkcerts.sh request server [--out DIR]           (the server)
       scripts/mkcerts.sh sign [--out CADIR] [--crl-url URL] [--replace]
                          [--server-name NAME]... REQUEST...   (the CA)

Makes, in DIR (default: certs/ at the top of the repository), PEM files:
  ca.crt, ca.key               the project CA (EC P-256)
  server.crt, server.key       mpc-server's TLS certificate, for the names
                               given with --server-name (default: localhost,
                               127.0.0.1 and ::1)
  PARTY.crt, PARTY.key         each party's TLS client certificate (CN=PARTY)
  PARTY.enc.crt, PARTY.enc.key each party's X25519 share-encryption key,
                               certified by the CA

If DIR already holds a CA, it is reused to issue certificates for parties
that have none yet, so parties can be added later; an existing party's files
are never overwritten, except by --renew.

  --out DIR   write into DIR (created with mode 0700 if it does not exist)
  --server-name NAME
              a name the server's certificate is for, repeatable: an IPv4
              or IPv6 address becomes an IP entry of its subjectAltName,
              anything else a DNS name (letters, digits, '-' and '.', no
              wildcards). Given once or more, these names replace the
              default localhost, 127.0.0.1, ::1 (name them too to keep
              them). Clients check the host of their --server, or their
              --server-name, against them. Used whenever a server
              certificate is issued: with a new CA, --renew server, or sign.
  --renew NAME
              a new key and new certificates for party NAME (NAME.key,
              NAME.crt, NAME.enc.key, NAME.enc.crt), or for the server with
              NAME "server" (server.key, server.crt: for the --server-name
              names, else for the names of the certificate it replaces),
              from the CA already in DIR, which is left as it is. Each old
              file is replaced by a rename, never half-written. The old
              certificates stay valid until they expire: if an old key may
              have leaked, --revoke NAME first, then --renew NAME.
  --force     make a new CA, server certificate and the named parties'
              certificates, replacing existing files, the CA included:
              every certificate issued so far, for parties not named too,
              stops verifying. To reissue one party's or the server's
              certificate, use --renew instead.
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
              start and at SIGHUP) and to the parties, whose clients then
              refuse NAME's encryption key too. Issues nothing; to give
              NAME new certificates, --renew NAME.
  --gencrl    write DIR/crl.pem as --revoke does, revoking nothing: it lists
              the certificates revoked so far, none at first (an empty CRL,
              for a new --crl-url). Issues nothing.
  -h, --help  print this help and exit

Real deployment (README.md, "A real deployment", walks through it):
  ca          make only the CA, ca.crt and ca.key, in CADIR; refuses a CADIR
              that already holds one
  request NAME
              on party NAME's own machine: writes into DIR a new NAME.key
              (ECDSA P-256) and NAME.csr (its certificate request, CN=NAME,
              signed by NAME.key), and a new NAME.enc.key (X25519) with its
              public key NAME.enc.pub. NAME.csr and NAME.enc.pub go to the
              CA; the keys never leave DIR. "request server" makes
              server.key and server.csr (CN=server) only. Refuses to
              overwrite: to renew, request into a new DIR and move the
              files in once the certificates come back.
  sign REQUEST...
              on the CA's machine: for each REQUEST, a file NAME.csr (and,
              for a party, NAME.enc.pub beside it), checks the request's
              signature, that its subject is exactly CN=NAME for a valid
              party name (or CN=server), that its keys are P-256 and
              X25519 public keys, and that neither is certified already
              for another name or kind (nor twice in one run), then writes CADIR/NAME.crt (client
              profile; server.crt: server profile, for the --server-name
              names) and CADIR/NAME.enc.crt (encryption profile). Send them,
              with CADIR/ca.crt, back to NAME. Signs nothing unless every
              REQUEST passes. Refuses to replace certificates already in
              CADIR without --replace, and a CADIR holding NAME's private
              keys (use --renew there). The X25519 key has no proof of
              possession: the CA operator must make sure that NAME.enc.pub
              came from NAME, over the same authenticated channel as
              NAME.csr (README.md says how).
  --replace   sign: replace CADIR/NAME.crt and NAME.enc.crt (a renewal)

A party name is 1 to 64 characters from A-Z a-z 0-9 . _ -, not starting with
'.' or '-'; "ca" and "server" are reserved, and names ending in ".enc" would
collide with another party's key files. The words ca, request and sign are
commands only as the first argument (a party of that name: -- NAME).
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

# is_ipv4 TEXT: TEXT is a dotted-quad IPv4 address (no leading zeros,
# which some parsers read as octal).
is_ipv4() {
	local o
	[[ $1 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
	for o in "${BASH_REMATCH[@]:1}"; do
		[[ $o =~ ^(0|[1-9][0-9]*)$ ]] && [ "$o" -le 255 ] || return 1
	done
}

# is_ipv6 TEXT: TEXT is an IPv6 address in RFC 4291 text form (hex groups,
# one "::" at most, an IPv4 tail allowed), without brackets or zone.
is_ipv6() {
	local a=$1 head tail n
	local groups='^([0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{1,4})*)?$'
	[[ $a == *:* ]] || return 1
	if [[ $a == *.* ]]; then
		is_ipv4 "${a##*:}" || return 1
		a=${a%:*}:0:0              # the IPv4 tail is two groups
		[[ $a != :0:0 ]] || return 1
	fi
	if [[ $a == *::* ]]; then
		head=${a%%::*} tail=${a#*::}
		[[ $tail != *::* ]] || return 1
	else
		head=$a tail=""
	fi
	[[ $head =~ $groups ]] && [[ $tail =~ $groups ]] || return 1
	n=0
	[ -z "$head" ] || n=$((n + $(tr -cd : <<<"$head" | wc -c) + 1))
	[ -z "$tail" ] || n=$((n + $(tr -cd : <<<"$tail" | wc -c) + 1))
	if [[ $a == *::* ]]; then
		[ "$n" -le 7 ]
	else
		[ "$n" -eq 8 ]
	fi
}

# san_entry NAME: the subjectAltName entry for a --server-name, "IP:..." or
# "DNS:..."; dies if NAME is neither an address nor a DNS name.
san_entry() {
	local name=$1 label
	if is_ipv4 "$name" || is_ipv6 "$name"; then
		printf 'IP:%s\n' "$name"
		return
	fi
	# All digits and dots, or a colon: a mistyped address, not a name.
	if [[ $name =~ ^[0-9.]+$ ]] || [[ $name == *:* ]]; then
		die "invalid --server-name '$name': not an IPv4 or IPv6 address"
	fi
	name=${name%.}                 # an absolute name's final dot
	if [ "${#name}" -lt 1 ] || [ "${#name}" -gt 253 ]; then
		die "invalid --server-name '$1': a DNS name has 1 to 253 characters"
	fi
	local -a labels
	IFS=. read -ra labels <<<"$name"
	for label in "${labels[@]}"; do
		[[ $label =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$ ]] ||
			die "invalid --server-name '$1': each dot-separated label of a DNS name is 1 to 63 of A-Z a-z 0-9 -, not starting or ending with '-' (no wildcards)"
	done
	[[ $name != *..* ]] || die "invalid --server-name '$1': empty label"
	printf 'DNS:%s\n' "$name"
}

# set_server_san NAME...: server_san, the server certificate's
# subjectAltName, from these names (each checked, none twice).
set_server_san() {
	local name entry
	local -A had=()
	server_san=""
	for name in "$@"; do
		entry=$(san_entry "$name") || exit 1
		[ -z "${had[$entry]:-}" ] || die "--server-name '$name' is named twice"
		had[$entry]=1
		server_san+="${server_san:+, }$entry"
	done
}

# san_of CERT: the subjectAltName of an existing server certificate, in the
# form set_server_san makes (openssl prints "IP Address:" for "IP:").
san_of() {
	local text
	text=$(openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null </dev/null) ||
		return 1
	text=$(sed -n '2,$p' <<<"$text" | tr -d ' \n')
	text=${text//IPAddress:/IP:}
	[ -n "$text" ] || return 1
	printf '%s\n' "${text//,/, }"
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
subjectAltName         = $server_san
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

# issue_pub PUBFILE SUBJECT PROFILE CERTFILE: a certificate from the CA for
# the public key in PUBFILE. -force_pubkey lets the CA certify keys that
# cannot sign a request (X25519): for the keys we make ourselves (issue), a
# proof of possession would prove nothing; for a party's request (sign), the
# caller has checked the request's own signature where there is one.
issue_pub() {
	local pub=$1 subject=$2 profile=$3 crt=$4 sn
	sn=$(serial)
	ossl x509 -new -force_pubkey "$pub" -subj "$subject" \
	    -CA "$ca_crt" -CAkey "$ca_key" \
	    -days "$LEAF_DAYS" -sha256 -set_serial "$sn" \
	    -extfile "$stage/ext.cnf" -extensions "$profile" -out "$crt"
	chmod 0644 "$crt"
}

# issue KEYFILE SUBJECT PROFILE CERTFILE: the same for the public half of
# KEYFILE.
issue() {
	ossl pkey -in "$1" -pubout -out "$1.pub"
	issue_pub "$1.pub" "$2" "$3" "$4"
	rm -f -- "$1.pub"
}

# check_ca: the existing CA is whole, private, unexpired, and its key and
# certificate belong together; better to stop here than to issue
# certificates nobody can verify.
check_ca() {
	local f mode
	for f in ca.crt ca.key; do
		# Not a hint to --force: a CA kept elsewhere is used there.
		[ -f "$out/$f" ] ||
			die "$out/$f is missing: $out holds no whole CA; run this where the CA's ca.crt and ca.key are (or give that folder with --out)"
	done
	mode=$(stat -c %a -- "$out/ca.key") || die "cannot stat $out/ca.key"
	if (( 8#$mode & 8#077 )); then
		die "$out/ca.key has mode $mode: group or others can reach the CA key; chmod 600 it"
	fi
	openssl x509 -in "$out/ca.crt" -noout -checkend 86400 >/dev/null 2>&1 ||
		die "$out/ca.crt expires within a day or is unreadable: this CA can issue nothing more; a new CA means new certificates for the server and every party (see --help)"
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

# ---- shared steps -----------------------------------------------------------

# open_out: DIR exists (made private if new) and can be written to.
open_out() {
	command -v openssl >/dev/null 2>&1 || die "the openssl command is not installed"
	# Everything created from here on, folders and keys alike, is private
	# until chmod says otherwise.
	umask 077
	if [ -e "$out" ] && ! [ -d "$out" ]; then
		die "$out exists and is not a folder"
	fi
	mkdir -p -- "$out" || die "cannot create $out"
	[ -w "$out" ] || die "cannot write to $out"
}

# open_stage: the staging folder inside DIR, removed at exit, with the
# extension profiles in it.
open_stage() {
	stage=$(mktemp -d -- "$out/.mkcerts.XXXXXX") || die "cannot create a staging folder in $out"
	trap 'rm -rf -- "$stage"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	write_extensions "$stage/ext.cnf"
}

# report FILE...: says what was written.
report() {
	local f
	for f in "$@"; do
		printf '%s: wrote %s\n' "$prog" "$out/$f"
	done
}

# make_server: a new server key and certificate, staged.
make_server() {
	gen_ec "$stage/server.key"
	issue "$stage/server.key" "$SERVER_SUBJECT" server "$stage/server.crt"
	written+=(server.crt server.key)
}

# make_party NAME: a new key and certificate pair of each kind, staged.
make_party() {
	gen_ec "$stage/$1.key"
	issue "$stage/$1.key" "/CN=$1" client "$stage/$1.crt"
	gen_x25519 "$stage/$1.enc.key"
	issue "$stage/$1.enc.key" "/CN=$1" enc "$stage/$1.enc.crt"
	written+=("$1.crt" "$1.key" "$1.enc.crt" "$1.enc.key")
}

# ---- the CA alone (ca) --------------------------------------------------------

ca_mode() {
	open_out
	if [ -e "$out/ca.crt" ] || [ -e "$out/ca.key" ]; then
		die "$out already holds a CA (ca.crt or ca.key): sign requests with it"
	fi
	open_stage
	make_ca
	install_staged ca.crt ca.key
	report ca.crt ca.key
	printf '%s: give %s to the server and every party; keep ca.key here\n' \
	    "$prog" "$out/ca.crt"
}

# ---- a party's or the server's own request (request) ------------------------

# request_mode NAME: NAME's keys and certificate request, made where they
# stay. Nothing of the CA is needed or read.
request_mode() {
	local name=$1 f
	local -a files
	[ "$name" = server ] || valid_party "$name"
	if [ "$name" = server ]; then
		files=(server.key server.csr)
	else
		files=("$name.key" "$name.csr" "$name.enc.key" "$name.enc.pub")
	fi
	open_out
	for f in "${files[@]}"; do
		[ ! -e "$out/$f" ] ||
			die "$out/$f already exists; to renew, request into a new folder (--out) and move the files in once the certificates come back"
	done
	open_stage
	# A configuration of our own: the system's cannot add to the request.
	printf '[req]\ndistinguished_name = dn\n[dn]\n' >"$stage/req.cnf"
	gen_ec "$stage/$name.key"
	ossl req -new -config "$stage/req.cnf" -key "$stage/$name.key" \
	    -subj "/CN=$name" -sha256 -out "$stage/$name.csr"
	chmod 0644 "$stage/$name.csr"
	if [ "$name" != server ]; then
		gen_x25519 "$stage/$name.enc.key"
		ossl pkey -in "$stage/$name.enc.key" -pubout -out "$stage/$name.enc.pub"
		chmod 0644 "$stage/$name.enc.pub"
	fi
	install_staged "${files[@]}"
	report "${files[@]}"
	if [ "$name" = server ]; then
		printf '%s: send %s to the CA, with the names clients will reach the server by; keep server.key here\n' \
		    "$prog" "$out/server.csr"
	else
		printf '%s: send %s and %s to the CA; keep the .key files here\n' \
		    "$prog" "$out/$name.csr" "$out/$name.enc.pub"
	fi
}

# ---- the CA signs requests (sign) --------------------------------------------

# check_request CSR: the party (or "server") CSR names, once its
# signature, subject and key are checked; into $stage/NAME.pub (and
# $stage/NAME.enc.pub for a party) go the public keys to certify. Dies on
# anything else.
check_request() {
	local csr=$1 name base got text encpub
	base=${csr##*/}
	[[ $base == *.csr ]] || die "$csr: a request is a file NAME.csr"
	name=${base%.csr}
	[ "$name" = server ] || valid_party "$name"
	if ! [ -f "$csr" ] || ! [ -r "$csr" ]; then
		die "$csr: no such readable file"
	fi
	openssl req -in "$csr" -noout >/dev/null 2>&1 </dev/null ||
		die "$csr: not a PEM certificate request"
	# req -verify reports a bad signature but exits 0 (OpenSSL 3.0).
	got=$(openssl req -in "$csr" -noout -verify 2>&1 </dev/null) || got=""
	[ "$got" = "Certificate request self-signature verify OK" ] ||
		die "$csr: its signature does not verify (not made by the key it carries, or damaged)"
	got=$(openssl req -in "$csr" -noout -subject -nameopt RFC2253 2>/dev/null </dev/null) || got=""
	[ "$got" = "subject=CN=$name" ] ||
		die "$csr: its subject is '${got#subject=}', not CN=$name as its file name says"
	ossl req -in "$csr" -noout -pubkey -out "$stage/$name.pub"
	text=$(openssl pkey -pubin -in "$stage/$name.pub" -noout -text_pub 2>/dev/null </dev/null) || text=""
	grep -q '^NIST CURVE: P-256$' <<<"$text" ||
		die "$csr: its key is not an ECDSA P-256 key"
	[ "$name" != server ] || { printf '%s\n' "$name"; return; }
	encpub=${csr%.csr}.enc.pub
	[ -f "$encpub" ] || die "$encpub is missing: party $name's encryption key travels beside $csr"
	# Read as a public key: a private key sent by mistake is refused here.
	openssl pkey -pubin -in "$encpub" -out "$stage/$name.enc.pub" >/dev/null 2>&1 </dev/null ||
		die "$encpub: not a PEM public key (if it is NAME.enc.key, that private key must never leave its party: send NAME.enc.pub)"
	text=$(openssl pkey -pubin -in "$stage/$name.enc.pub" -noout -text_pub 2>/dev/null </dev/null) || text=""
	[ "$(head -n1 <<<"$text")" = "X25519 Public-Key:" ] ||
		die "$encpub: not an X25519 public key"
	printf '%s\n' "$name"
}

# key_id PEM: a digest of the public key in PEM (a public key, or a
# certificate's), to tell one key from another.
key_id() {
	local der
	der=$(openssl pkey -pubin -in "$1" -outform DER 2>/dev/null </dev/null | sha256sum) ||
		return 1
	printf '%s\n' "${der%% *}"
}

# check_fresh_keys NAME...: dies if a key of these requests (staged as
# $stage/NAME.pub and NAME.enc.pub) is certified already in DIR under
# another file, or comes twice: a key copied from, or sent in the name of,
# another party would let one party's certificates stand for another's.
# Replacing NAME.crt with a certificate for the same key is allowed.
check_fresh_keys() {
	local f id name target
	local -A owner=()
	for f in "$out"/*.crt; do
		if [ ! -e "$f" ] || [ "${f##*/}" = ca.crt ]; then continue; fi
		openssl x509 -in "$f" -noout -pubkey -out "$stage/cert.pub" 2>/dev/null </dev/null ||
			die "$f is not a readable certificate"
		id=$(key_id "$stage/cert.pub") || die "cannot read the key of $f"
		owner[$id]=${f##*/}
	done
	for name in "$@"; do
		for f in "$name.pub" "$name.enc.pub"; do
			[ -e "$stage/$f" ] || continue
			target=${f%.pub}.crt
			id=$(key_id "$stage/$f") || die "cannot read the key of $name's request"
			if [ -n "${owner[$id]:-}" ] && [ "${owner[$id]}" != "$target" ]; then
				die "$name's request carries the key of ${owner[$id]} (in $out, or in another request): every certificate needs a key of its own"
			fi
			owner[$id]=$target
		done
	done
}

# sign_mode REQUEST...: checks every request, then issues from DIR's CA.
sign_mode() {
	local csr name f
	local -a names=()
	local -A had=()
	[ "$#" -gt 0 ] || die "sign: give the requests to sign, NAME.csr files"
	open_out
	check_ca
	open_stage
	for csr in "$@"; do
		name=$(check_request "$csr") || exit 1
		[ -z "${had[$name]:-}" ] || die "two requests for '$name'"
		had[$name]=1
		names+=("$name")
		for f in "$name.key" "$name.enc.key"; do
			[ ! -e "$out/$f" ] ||
				die "$out/$f exists: this folder made $name's keys itself; use --renew $name here instead of a request"
		done
		if [ "$replace" -eq 0 ]; then
			for f in "$name.crt" "$name.enc.crt"; do
				[ ! -e "$out/$f" ] ||
					die "$out/$f already exists; to replace it with one for this request, sign --replace"
			done
		fi
	done
	if [ "${#server_names[@]}" -gt 0 ] && [ -z "${had[server]:-}" ]; then
		die "--server-name names the server: it goes with server.csr, which is not among the requests"
	fi
	check_fresh_keys "${names[@]}"
	ca_crt=$out/ca.crt
	ca_key=$out/ca.key
	written=()
	for name in "${names[@]}"; do
		if [ "$name" = server ]; then
			issue_pub "$stage/server.pub" "$SERVER_SUBJECT" server "$stage/server.crt"
			written+=(server.crt)
		else
			issue_pub "$stage/$name.pub" "/CN=$name" client "$stage/$name.crt"
			issue_pub "$stage/$name.enc.pub" "/CN=$name" enc "$stage/$name.enc.crt"
			written+=("$name.crt" "$name.enc.crt")
		fi
	done
	install_staged "${written[@]}"
	report "${written[@]}"
	printf '%s: send each its certificates and %s\n' "$prog" "$out/ca.crt"
}

# ---- arguments ----------------------------------------------------------
out=$root/certs
force=0
parties=()
revoke=()
renew=()
server_names=()
gencrl=0
replace=0
crl_url=""
have_crl_url=0
mode=issue
case ${1:-} in
ca | request | sign) mode=$1; shift ;;
esac
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--force) force=1 ;;
	--replace) replace=1 ;;
	--revoke)
		[ $# -ge 2 ] || die "--revoke needs a party name"
		revoke+=("$2")
		shift ;;
	--revoke=*) revoke+=("${1#--revoke=}") ;;
	--renew)
		[ $# -ge 2 ] || die "--renew needs a party name or 'server'"
		renew+=("$2")
		shift ;;
	--renew=*) renew+=("${1#--renew=}") ;;
	--server-name)
		[ $# -ge 2 ] || die "--server-name needs a DNS name or an IP address"
		server_names+=("$2")
		shift ;;
	--server-name=*) server_names+=("${1#--server-name=}") ;;
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
if [ "${#server_names[@]}" -gt 0 ]; then
	set_server_san "${server_names[@]}"
else
	set_server_san "${DEFAULT_SERVER_NAMES[@]}"
fi
# only_with MODE ALLOWED...: dies if an option outside ALLOWED was given.
only_with() {
	local what=$1 o
	shift
	for o in force revoke renew gencrl replace crl_url server_names parties; do
		[[ " $* " == *" $o "* ]] && continue
		case $o in
		force | gencrl | replace) [ "${!o}" -eq 0 ] ;;
		crl_url) [ "$have_crl_url" -eq 0 ] ;;
		revoke) [ "${#revoke[@]}" -eq 0 ] ;;
		renew) [ "${#renew[@]}" -eq 0 ] ;;
		server_names) [ "${#server_names[@]}" -eq 0 ] ;;
		parties) [ "${#parties[@]}" -eq 0 ] ;;
		esac || die "$what: ${o//_/-} does not apply here (see --help)"
	done
}
case $mode in
ca)
	only_with "ca"
	ca_mode
	exit 0 ;;
request)
	only_with "request NAME" parties
	[ "${#parties[@]}" -eq 1 ] || die "request: name one party, or 'server'"
	request_mode "${parties[0]}"
	exit 0 ;;
sign)
	only_with "sign" parties replace crl_url server_names
	sign_mode "${parties[@]}"
	exit 0 ;;
esac
if [ "${#revoke[@]}" -gt 0 ] || [ "$gencrl" -eq 1 ]; then
	only_with "--revoke and --gencrl issue nothing" revoke gencrl
	revoke_mode "${revoke[@]}"
	exit 0
fi
only_with "issuing certificates" force crl_url server_names parties renew

declare -A seen=()
for p in "${parties[@]}"; do
	valid_party "$p"
	[ -z "${seen[$p]:-}" ] || die "party '$p' is named twice"
	seen[$p]=1
done
for p in "${renew[@]}"; do
	[ "$p" = server ] || valid_party "$p"
	[ -z "${seen[$p]:-}" ] || die "'$p' is named twice (to add a party or to renew one)"
	seen[$p]=1
done
[ "${#renew[@]}" -eq 0 ] || [ "$force" -eq 0 ] ||
	die "--renew keeps the CA and --force replaces it: give one of them"
renew_server=0
renew_parties=()
for p in "${renew[@]}"; do
	if [ "$p" = server ]; then renew_server=1; else renew_parties+=("$p"); fi
done

open_out

# ---- what to make -------------------------------------------------------
new_ca=1
if [ -e "$out/ca.crt" ] || [ -e "$out/ca.key" ]; then
	if [ "$force" -eq 0 ]; then
		new_ca=0
		if [ "${#server_names[@]}" -gt 0 ] && [ "$renew_server" -eq 0 ]; then
			die "$out/ca.crt already exists; to reissue the server's certificate for these names under it: --renew server --server-name NAME..."
		fi
		[ "${#parties[@]}" -gt 0 ] || [ "${#renew[@]}" -gt 0 ] ||
			die "$out/ca.crt already exists; name new parties to add, or --renew NAME (or --renew server) to reissue one under the same CA"
		check_ca
	fi
elif [ "${#renew[@]}" -gt 0 ]; then
	die "$out holds no CA (ca.crt, ca.key): there is nothing to renew under; --renew works in the folder of the CA that issued the certificates"
fi

# With a new CA every certificate is reissued; else only what is missing,
# and what --renew names.
new_server=1
if [ "$new_ca" -eq 0 ]; then
	if [ "$renew_server" -eq 1 ]; then
		[ -e "$out/server.crt" ] || [ -e "$out/server.key" ] ||
			die "$out has no server certificate to renew"
		# The names it had, unless new ones are given.
		if [ "${#server_names[@]}" -eq 0 ] && [ -e "$out/server.crt" ]; then
			server_san=$(san_of "$out/server.crt") ||
				die "cannot read the names of $out/server.crt; give them with --server-name"
		fi
	elif [ -e "$out/server.key" ] && [ -e "$out/server.crt" ]; then
		new_server=0
	elif [ -e "$out/server.crt" ]; then
		# Signed from the server's own request: its key is on its machine.
		new_server=0
	elif [ -e "$out/server.key" ]; then
		die "$out/server.key exists without server.crt; --renew server makes both anew"
	fi
	if [ "$new_server" -eq 0 ] && [ "${#server_names[@]}" -gt 0 ]; then
		die "$out/server.crt already exists; to reissue it for these names: --renew server --server-name NAME..."
	fi
fi

if [ "$force" -eq 0 ]; then
	for p in "${parties[@]}"; do
		for f in "$p.crt" "$p.key" "$p.enc.crt" "$p.enc.key"; do
			[ ! -e "$out/$f" ] ||
				die "$out/$f already exists; party '$p' has its certificates (--renew $p gives it a new key and certificates under the same CA)"
		done
	done
fi
for p in "${renew_parties[@]}"; do
	[ -e "$out/$p.crt" ] || [ -e "$out/$p.key" ] ||
		die "$out/$p.crt does not exist: party '$p' has nothing to renew (name it without --renew to add it)"
	[ -e "$out/$p.key" ] ||
		die "$out/$p.key does not exist: party '$p' made its own keys; it renews with 'request' into a new folder, and the CA with 'sign --replace'"
done

# ---- make it ------------------------------------------------------------
open_stage

if [ "$new_ca" -eq 1 ]; then
	make_ca
	ca_crt=$stage/ca.crt
	ca_key=$stage/ca.key
else
	ca_crt=$out/ca.crt
	ca_key=$out/ca.key
fi

written=()
[ "$new_server" -eq 0 ] || make_server
for p in "${parties[@]}" "${renew_parties[@]}"; do
	make_party "$p"
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

report "${written[@]}"
