#!/usr/bin/env python3
"""party_profile.py: where one party's CPU goes, in instructions (issue 14
point 2), measured so that the machine's load does not change the figure.

A real mpc-server and a session of n parties whose other n - 1 are played by
bench/loadgen (as bench.py's `party` section does: `fill` publishes their
keys and submits, sealing the measured party's share for real; `cohort` signs
their COHORTs once the measured party has submitted). The measured party
p0001 runs `share`, then `sumpoint`, each under `valgrind --tool=callgrind`,
twice: in a first session with empty records (every certificate verified),
and in a second one with the records the first left (certificates from the
cache). Prints each command's instructions by area.

    make bench-build     # bin/*, build/bench/{loadgen,mkparties}
    python3 bench/party_profile.py [--n 100] [--keep DIR]

Areas are inclusive costs (callgrind_annotate --inclusive=yes) of entry
points that do not call one another, taken in order; "the rest" is the
command's total less their sum. Instructions are user space only (the
kernel's share, ~13 % of a party's CPU in perf profiles, is not counted).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the benchmark's server, certificates, loadgen)

# (area, the entry points whose inclusive costs make it). Functions deeper in
# a stack come first within an area only when they are not also under an
# earlier area's entry; each name is counted once, in the first area naming it.
AREAS = [
    ("process start (loader, OpenSSL init, config)",
     ["_dl_start", "_dl_init", "OPENSSL_init_crypto", "OPENSSL_init_ssl",
      "client_load_config"]),
    ("TLS connect (handshake, context, own key and certificate)",
     ["SSL_do_handshake", "SSL_connect", "SSL_CTX_new_ex", "SSL_CTX_new",
      "SSL_CTX_use_certificate_chain_file", "SSL_CTX_use_PrivateKey_file",
      "SSL_CTX_load_verify_locations", "SSL_CTX_load_verify_file",
      "X509_STORE_load_file"]),
    ("certificates (parse, chain, ECDSA of the CA)",
     ["X509_verify_cert", "d2i_X509", "ASN1_item_d2i", "ASN1_item_d2i_ex",
      "PEM_bytes_read_bio", "PEM_read_bio_X509", "X509_digest",
      "X509_CRL_get0_by_serial"]),
    ("X25519 / HPKE", ["hpke_seal_auth_k", "hpke_open_auth_k", "hpke_key_new"]),
    ("ECDSA statements (sign, verify)",
     ["EVP_DigestSign", "EVP_DigestVerify", "EVP_PKEY_sign", "EVP_PKEY_verify"]),
    ("Shamir and field", ["shamir_share", "shamir_split", "shamir_combine",
                          "shamir_interpolate", "shamir_eval"]),
    ("protobuf (nanopb)", ["pb_encode", "pb_decode", "pb_decode_ex"]),
    ("state records (party state folder)", ["pstate_open", "pstate_close",
                                            "pstate_cert_put"]),
    ("malloc / free (the rest's)", ["malloc", "free", "realloc", "calloc"]),
]


def annotate(out):
    """{function name: inclusive Ir} and the total, from a callgrind file."""
    rep = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", out],
                         capture_output=True, text=True, check=True).stdout
    incl, total = {}, 0
    for line in rep.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(?:\*\s+)?([^:]+):(\S+)", line)
        if m and "PROGRAM TOTALS" not in line:
            ir = int(m.group(1).replace(",", ""))
            name = m.group(3).split("'")[0]
            incl[name] = max(incl.get(name, 0), ir)
        m = re.match(r"\s*([\d,]+)\s+.*PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
    return incl, total


def areas(incl, total):
    """[(area, Ir, [(fn, Ir)...])] and the rest."""
    rows, used, seen = [], 0, set()
    for area, fns in AREAS:
        parts = [(f, incl[f]) for f in fns if f in incl and f not in seen]
        seen.update(fns)
        ir = sum(x for _, x in parts)
        rows.append((area, ir, parts))
        used += ir
    rows.append(("the rest", total - used, []))
    return rows


def callgrind(cmd, out):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        "--trace-children=no", *cmd], capture_output=True, text=True)
    if r.returncode != 0:
        bench.die(f"{' '.join(cmd[:8])} ... failed under callgrind:\n{r.stderr[-2000:]}")


def show(label, out):
    incl, total = annotate(out)
    print(f"\n{label}: {total:,} instructions")
    for area, ir, parts in areas(incl, total):
        pct = 100.0 * ir / total if total else 0.0
        detail = ", ".join(f"{f} {x / 1e6:.1f}M" for f, x in parts if x)
        print(f"  {ir / 1e6:8.1f} M  {pct:5.1f} %  {area}" + (f"  [{detail}]" if detail else ""))
    return total


def session(b, srv, sid, n, L, inp, state, outdir, label):
    t = (n - 1) // 2
    lg = [b.loadgen, "--server", srv.addr, "--certs", b.certs, "--prefix", "p"]
    shape = ["--session", sid, "--n", str(n), "--t", str(t), "--L", str(L),
             "--target", "1"]
    r = bench.run_one([*lg, "--server-pid", str(srv.pid), "fill", "--create", *shape])
    pin = ("--invite", bench.parse_result_lines(r.out)[0]["invite"])
    share = b.client(srv, b.party(1), "share", sid, *pin, *inp, state=state)
    sump = b.client(srv, b.party(1), "sumpoint", sid, *pin, state=state)
    total = 0
    out = os.path.join(outdir, f"callgrind.share.{label}")
    callgrind(share, out)
    total += show(f"share, n={n}, {label}", out)
    bench.run_one([*lg, "cohort", *shape, "--invite", pin[1]])
    out = os.path.join(outdir, f"callgrind.sumpoint.{label}")
    callgrind(sump, out)
    total += show(f"sumpoint, n={n}, {label}", out)
    print(f"share + sumpoint, {label}: {total:,} instructions")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(bench.ROOT, "build", "bench"))
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--L", type=int, default=1)
    ap.add_argument("--keep", help="leave the callgrind files in this folder")
    args = ap.parse_args()
    if args.n < 3 or args.L < 1:
        bench.die("--n must be 3 or more and --L 1 or more")
    for exe in (bench.SERVER, bench.CLIENT):
        if not os.access(exe, os.X_OK):
            bench.die(f"{exe} is missing: run make bench-build first")
    if shutil.which("valgrind") is None:
        bench.die("valgrind is missing: apt-get install valgrind")
    b = bench.Bench(argparse.Namespace(build=args.build, server_bin=bench.SERVER,
                                       quick=True, profile=False))
    outdir = args.keep or tempfile.mkdtemp(prefix="callgrind-", dir=b.tmp)
    os.makedirs(outdir, exist_ok=True)
    try:
        b.make_certs(max(args.n, 1000))
        files, _ = b.inputs(1, args.L, 7)
        srv = bench.Server(b)
        state = os.path.join(srv.dir, "parties")
        session(b, srv, "prof-1", args.n, args.L, files[0], state, outdir,
                "first session (no records)")
        session(b, srv, "prof-2", args.n, args.L, files[0], state, outdir,
                "second session (certificates cached)")
        srv.stop()
    finally:
        bench.cleanup()
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
