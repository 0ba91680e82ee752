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
cache). Prints each command's instructions by area, then the CPU time of the
same two sessions run again without valgrind (which the load does change).

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

# (area, the entry points whose inclusive costs make it). The entry points
# of different areas do not call one another; "F<C" is F's inclusive cost
# when called from C only (a static function inlined into C is counted in C).
AREAS = [
    ("process start (loader, library constructors)", ["_dl_start", "_dl_init"]),
    ("TLS connection (context, own key and certificate, handshake)", ["conn_open"]),
    ("certificates (CA and CRL, parse, chain and ECDSA check, cache)",
     ["client_ca", "pki_verify_enc_cert_keep", "statement_load_signer",
      "d2i_X509<peers_fetch", "statement_signer_of_der", "certcache_lookup",
      "certcache_end"]),
    ("X25519 / HPKE", ["hpke_seal_auth_k", "hpke_open_auth_k", "hpke_key_new"]),
    ("ECDSA statements (sign, verify)", ["statement_verify_signer", "statement_sign"]),
    ("Shamir and field", ["shamir_split", "shamir_combine", "shamir_interpolate"]),
    ("protobuf (nanopb)", ["pb_encode", "pb_decode_ex"]),
    ("state records (party state folder)", ["pstate_open", "pstate_close"]),
]
# Shown beside the areas, not added: spread over all of them.
SPREAD = ["malloc", "free", "OSSL_DECODER_CTX_new_for_pkey"]


def fn_name(text):
    """The function of a callgrind_annotate line's "file:function [obj]"."""
    m = re.match(r"\s*[\d,]+\s+\([^)]*\)\s+[<>*]?\s*(\S+)", text)
    if not m:
        return None
    name = m.group(1).rsplit(":", 1)[-1]
    return re.sub(r"(\.part\.\d+|\.constprop\.\d+|\.isra\.\d+)$", "", name)


def annotate(out):
    """{function: inclusive Ir}, {(function, caller): Ir} and the total, from
    a callgrind file (callgrind_annotate --tree=caller: each function's
    callers, with the cost of their calls, above its own line)."""
    rep = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=caller",
                          "--threshold=100", out],
                         capture_output=True, text=True, check=True).stdout
    incl, via, callers, total = {}, {}, [], 0
    for line in rep.splitlines():
        ir = re.match(r"\s*([\d,]+)", line)
        if "PROGRAM TOTALS" in line and ir:
            total = int(ir.group(1).replace(",", ""))
        elif not line.strip():
            callers = []
        elif ir and re.match(r"\s*[\d,]+\s+\([^)]*\)\s+<", line):
            callers.append((fn_name(line), int(ir.group(1).replace(",", ""))))
        elif ir and re.match(r"\s*[\d,]+\s+\([^)]*\)\s+\*", line):
            name = fn_name(line)
            incl[name] = max(incl.get(name, 0), int(ir.group(1).replace(",", "")))
            for c, x in callers:
                via[(name, c)] = via.get((name, c), 0) + x
            callers = []
    return incl, via, total


def cost(entry, incl, via):
    if "<" in entry:
        fn, caller = entry.split("<")
        return via.get((fn, caller), 0)
    return incl.get(entry, 0)


def areas(incl, via, total):
    """[(area, Ir, [(entry, Ir)...])], then the rest."""
    rows, used = [], 0
    for area, entries in AREAS:
        parts = [(f, cost(f, incl, via)) for f in entries]
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
    incl, via, total = annotate(out)
    print(f"\n{label}: {total:,} instructions")
    for area, ir, parts in areas(incl, via, total):
        pct = 100.0 * ir / total if total else 0.0
        detail = ", ".join(f"{f} {x / 1e6:.1f}M" for f, x in parts if x)
        print(f"  {ir / 1e6:8.1f} M  {pct:5.1f} %  {area}" + (f"  [{detail}]" if detail else ""))
    print("  within them: " + ", ".join(f"{f} {incl.get(f, 0) / 1e6:.1f} M"
                                        for f in SPREAD))
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
    if outdir is None:
        a = bench.run_one(share)
        bench.run_one([*lg, "cohort", *shape, "--invite", pin[1]])
        c = bench.run_one(sump)
        print(f"\nwithout valgrind, {label}: share {a.cpu * 1e3:.1f} ms, sumpoint "
              f"{c.cpu * 1e3:.1f} ms of CPU (user + sys, wait4; load average "
              f"{bench.uptime()})")
        return
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
        # The same two commands' CPU time, for instructions per ms here.
        session(b, srv, "plain-1", args.n, args.L, files[0],
                os.path.join(srv.dir, "plain"), None, "first session (no records)")
        session(b, srv, "plain-2", args.n, args.L, files[0],
                os.path.join(srv.dir, "plain"), None, "second session")
        srv.stop()
    finally:
        bench.cleanup()
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
