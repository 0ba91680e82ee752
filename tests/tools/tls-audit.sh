#!/usr/bin/env bash
# tls-audit.sh: testssl.sh (Debian's package) against a running mpc-server.
#
# Makes certificates in a temporary folder, starts bin/mpc-server on a free
# loopback port, and runs testssl.sh's default checks (protocols, cipher
# categories, forward secrecy, server defaults and certificate,
# vulnerabilities, every cipher, client simulations) with a client
# certificate: Debian 12's testssl.sh 3.0.8 has no --mtls, so it gets an
# openssl wrapper that adds -cert/-key to each `s_client` it runs (what
# --mtls does in testssl.sh 3.2). Its bash-socket checks need no client
# certificate: the server's first flight comes before it asks for one.
#
# Passes when only TLS 1.3 is offered, no finding is above LOW (except the
# waived ids in TLS_AUDIT_WAIVE, each printed with its reason), and the
# scan itself reported no problem. Prints a summary; the full log and JSON
# stay in OUTDIR.
#
# usage: tests/tools/tls-audit.sh [OUTDIR]     (default build/tls-audit)
# Environment: TLS_AUDIT_WAIVE="id ..." (default: cert_revocation),
# TESTSSL=path to testssl.sh, SERVER_BIN=path to mpc-server.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/build/tls-audit}
SERVER_BIN=${SERVER_BIN:-$ROOT/bin/mpc-server}
WAIVE=${TLS_AUDIT_WAIVE-cert_revocation}

# Why each waivable finding does not apply to this service.
declare -A WHY=(
	[cert_revocation]="testssl.sh wants a CRL distribution point or OCSP URI in server.crt, for clients on the public web PKI. Here every client pins the project CA (ca.crt) and the operator hands out crl.pem (mkcerts.sh --revoke) with it; there is no revocation service to point at, and a URL nobody serves would only silence the check."
)

die() { echo "tls-audit: $*" >&2; exit 1; }

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
	$SUDO apt-get update -qq >/dev/null &&
	    $SUDO apt-get install -y -qq --no-install-recommends testssl.sh >/dev/null ||
		die "could not install testssl.sh"
	TESTSSL=$(command -v testssl || command -v testssl.sh) || die "testssl.sh not found after installing it"
fi
[ -x "$SERVER_BIN" ] || die "$SERVER_BIN is not built (make)"

# ---- a server ---------------------------------------------------------------
T=$(mktemp -d /tmp/ss-tls-XXXXXX)
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$OUT"
rm -f "$OUT/testssl.json" "$OUT/testssl.log"

"$ROOT/scripts/mkcerts.sh" --out "$T/certs" auditor >"$T/mkcerts.log" 2>&1 ||
	{ cat "$T/mkcerts.log"; die "mkcerts.sh failed"; }
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
