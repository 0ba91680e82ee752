#!/usr/bin/env bash
# tls-audit.sh: testssl.sh (Debian's package) against a running mpc-server.
#
# Serves a folder over HTTP on a free loopback port (python3 -m http.server,
# bound to 127.0.0.1), makes certificates in a temporary folder with
# `mkcerts.sh --crl-url http://127.0.0.1:PORT/crl.pem`, signs an empty CRL
# (`mkcerts.sh --gencrl`) and serves that crl.pem at the URL, checks that the
# URL in server.crt serves a CRL that the CA signed and that does not revoke
# server.crt, starts bin/mpc-server on a free loopback port, and runs testssl.sh's default checks (protocols, cipher
# categories, forward secrecy, server defaults and certificate,
# vulnerabilities, every cipher, client simulations) with a client
# certificate: Debian 12's testssl.sh 3.0.8 has no --mtls, so it gets an
# openssl wrapper that adds -cert/-key to each `s_client` it runs (what
# --mtls does in testssl.sh 3.2). Its bash-socket checks need no client
# certificate: the server's first flight comes before it asks for one.
#
# Passes when only TLS 1.3 is offered, no finding is above LOW (except ids
# in TLS_AUDIT_WAIVE, empty by default, each printed with its reason), and
# the scan itself reported no problem. Prints a summary; the full log and
# JSON stay in OUTDIR. The HTTP server and mpc-server are always stopped.
#
# usage: tests/tools/tls-audit.sh [OUTDIR]     (default build/tls-audit)
# Environment: TLS_AUDIT_WAIVE="id ..." (default: none; an id without a
# reason in WHY below is refused), TESTSSL=path to testssl.sh,
# SERVER_BIN=path to mpc-server.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/build/tls-audit}
SERVER_BIN=${SERVER_BIN:-$ROOT/bin/mpc-server}
WAIVE=${TLS_AUDIT_WAIVE-}

# Why each waivable finding does not apply to this service: none at present.
# (cert_revocation is no longer waived: the certificates name a CRL
# distribution point and this script serves crl.pem there.)
declare -A WHY=()

die() { echo "tls-audit: $*" >&2; exit 1; }

for w in $WAIVE; do
	[ -n "${WHY[$w]:-}" ] || die "TLS_AUDIT_WAIVE names $w, which has no recorded reason to be waived"
done

# ---- testssl.sh, installed on demand ------------------------------------------
TESTSSL=${TESTSSL:-$(command -v testssl || command -v testssl.sh || true)}
if [ -z "$TESTSSL" ]; then
	echo "tls-audit: installing Debian's testssl.sh package"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "testssl.sh is missing; install the Debian package testssl.sh (needs root)"
		SUDO=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! { $SUDO apt-get update -qq >/dev/null &&
	    $SUDO apt-get install -y -qq --no-install-recommends testssl.sh >/dev/null; }; then
		die "could not install testssl.sh"
	fi
	TESTSSL=$(command -v testssl || command -v testssl.sh) || die "testssl.sh not found after installing it"
fi
[ -x "$SERVER_BIN" ] || die "$SERVER_BIN is not built (make)"

# ---- a server ---------------------------------------------------------------
T=$(mktemp -d /tmp/ss-tls-XXXXXX)
SERVER_PID=""
HTTP_PID=""
cleanup() {
	local pid
	for pid in "$SERVER_PID" "$HTTP_PID"; do
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$OUT"
rm -f "$OUT/testssl.json" "$OUT/testssl.log"

# The CRL distribution point: a folder holding only crl.pem (never the
# certificates folder, which holds the keys), served on a port the kernel
# picks, so the URL is known before the certificates that name it are made.
mkdir -m 700 "$T/www"
/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory "$T/www" 0 \
    >"$T/http.out" 2>"$T/http.log" &
HTTP_PID=$!
HTTP_PORT=""
for _ in $(seq 1 100); do
	HTTP_PORT=$(sed -n 's/^Serving HTTP on [^ ]* port \([0-9][0-9]*\) .*/\1/p' "$T/http.out")
	[ -n "$HTTP_PORT" ] && break
	kill -0 "$HTTP_PID" 2>/dev/null || break
	sleep 0.05
done
[ -n "$HTTP_PORT" ] || { cat "$T/http.out" "$T/http.log"; die "python3 -m http.server did not start"; }
CRL_URL=http://127.0.0.1:$HTTP_PORT/crl.pem

{ "$ROOT/scripts/mkcerts.sh" --out "$T/certs" --crl-url "$CRL_URL" auditor &&
    "$ROOT/scripts/mkcerts.sh" --out "$T/certs" --gencrl; } >"$T/mkcerts.log" 2>&1 ||
	{ cat "$T/mkcerts.log"; die "mkcerts.sh failed"; }
cp "$T/certs/crl.pem" "$T/www/crl.pem"

# What a relying party would do: fetch the URL server.crt names, and check
# the CRL there against the CA and server.crt against it.
url=$(openssl x509 -in "$T/certs/server.crt" -noout -ext crlDistributionPoints 2>/dev/null |
    sed -n 's/^ *URI://p')
[ "$url" = "$CRL_URL" ] || die "server.crt names the CRL distribution point '$url', not $CRL_URL"
/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())' \
    "$url" >"$T/fetched-crl.pem" 2>"$T/fetch.err" ||
	{ cat "$T/fetch.err"; die "could not fetch $url"; }
openssl crl -in "$T/fetched-crl.pem" -CAfile "$T/certs/ca.crt" -noout >/dev/null 2>&1 ||
	die "$url does not serve a CRL signed by the project CA"
openssl verify -crl_check -CRLfile "$T/fetched-crl.pem" -CAfile "$T/certs/ca.crt" \
    "$T/certs/server.crt" >"$T/verify.out" 2>&1 ||
	{ cat "$T/verify.out"; die "server.crt does not verify against the CRL served at $url"; }
echo "tls-audit: CRL distribution point $url serves the CA's crl.pem ($(openssl crl -in "$T/fetched-crl.pem" -noout -text | grep -c 'Serial Number:') revoked); server.crt verifies against it"
"$SERVER_BIN" --listen 127.0.0.1:0 --certs "$T/certs" --state-dir "$T/state" \
    >"$T/server.out" 2>"$OUT/server.log" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 100); do
	ADDR=$(sed -n 's/^listening on //p' "$T/server.out")
	[ -n "$ADDR" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.05
done
[ -n "$ADDR" ] || { cat "$OUT/server.log"; die "mpc-server did not start"; }

# The openssl testssl.sh runs: the system's, with our client certificate.
cat >"$T/openssl" <<EOF
#!/bin/sh
if [ "\$1" = s_client ]; then
	shift
	exec /usr/bin/openssl s_client -cert "$T/certs/auditor.crt" -key "$T/certs/auditor.key" "\$@"
fi
exec /usr/bin/openssl "\$@"
EOF
chmod 700 "$T/openssl"

echo "tls-audit: $("$TESTSSL" --version 2>/dev/null | grep -m1 -o 'testssl.sh *[0-9][^ ]*' || echo testssl.sh) against mpc-server at $ADDR (takes about a minute)"
start=$(date +%s)
"$TESTSSL" --openssl "$T/openssl" --add-ca "$T/certs/ca.crt" --warnings batch \
    --color 0 --quiet --jsonfile "$OUT/testssl.json" --logfile "$OUT/testssl.log" \
    "$ADDR" >/dev/null 2>"$T/testssl.err"
rc=$?
echo "tls-audit: testssl.sh exited $rc after $(( $(date +%s) - start )) s; full report: $OUT/testssl.log"
[ -s "$OUT/testssl.json" ] || { cat "$T/testssl.err"; die "testssl.sh wrote no findings"; }
kill -0 "$SERVER_PID" 2>/dev/null || die "mpc-server died during the scan (see $OUT/server.log)"

# ---- verdict ----------------------------------------------------------------
export WAIVE
WHY_JSON=$(for k in "${!WHY[@]}"; do printf '%s\t%s\n' "$k" "${WHY[$k]}"; done)
export WHY_JSON
/usr/bin/python3 - "$OUT/testssl.json" <<'PYEOF'
import collections, json, os, sys

findings = json.load(open(sys.argv[1]))
waive = set(os.environ.get("WAIVE", "").split())
why = dict(line.split("\t", 1) for line in os.environ["WHY_JSON"].splitlines() if line)
by_id = {f["id"]: f for f in findings}
bad, waived = [], []
ABOVE_LOW = {"MEDIUM", "HIGH", "CRITICAL"}
# testssl.sh's notes about its own run, not about the server.
SCANNER_NOTES = {"engine_problem"}

count = collections.Counter(f["severity"] for f in findings)
print("severity counts: " + ", ".join("%s %d" % (s, count[s]) for s in
      ("CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "OK", "INFO") if count[s]))

print("protocols:")
for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"):
    f = by_id.get(p)
    shown = f["finding"] if f else "(not tested)"
    print("  %-7s %s" % (p, shown))
    offered = f is not None and f["finding"].startswith("offered")
    if p == "TLS1_3" and not offered:
        bad.append("TLS 1.3 is not offered: %s" % shown)
    if p != "TLS1_3" and (f is None or not f["finding"].startswith("not offered")):
        bad.append("%s: %s (only TLS 1.3 may be offered)" % (p, shown))
ciphers = [f["finding"].split()[1] for f in findings if f["id"].startswith("cipher_x")]
print("cipher suites offered: " + (" ".join(ciphers) or "(none found)"))
for i in ("PFS_ECDHE_curves", "DH_groups", "cert_signatureAlgorithm", "cert_keySize",
          "cert_chain_of_trust", "cert_trust", "cert_expirationStatus",
          "sessionresumption_ticket", "sessionresumption_ID"):
    if i in by_id:
        print("  %-26s %s" % (i, by_id[i]["finding"]))
vulns = [f for f in findings if f["id"] in (
    "heartbleed", "CCS", "ROBOT", "secure_renego", "secure_client_renego", "CRIME_TLS",
    "POODLE_SSL", "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST",
    "LUCKY13", "RC4")]
print("vulnerability checks: %d, all %s" % (len(vulns), "OK" if all(
    f["severity"] == "OK" for f in vulns) else "see below"))

for f in findings:
    sev, fid = f["severity"], f["id"]
    if sev in ABOVE_LOW:
        (waived if fid in waive else bad).append("%s %s: %s" % (sev, fid, f["finding"]))
        if fid in waive:
            waived[-1] += "\n      waived: " + why.get(fid, "(no reason recorded)")
    elif sev == "WARN" and fid not in SCANNER_NOTES:
        bad.append("scan problem %s: %s" % (fid, f["finding"]))
    elif sev == "LOW":
        print("  LOW %s: %s" % (fid, f["finding"] or "--"))
for w in waived:
    print("  " + w)
if bad:
    print("FAILED:")
    for b in bad:
        print("  " + b)
    sys.exit(1)
print("PASSED: only TLS 1.3 offered; no finding above LOW%s" %
      (" (%d waived, above)" % len(waived) if waived else ""))
PYEOF
