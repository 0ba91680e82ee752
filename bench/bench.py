#!/usr/bin/env python3
"""bench.py: the secure-sum benchmark (issue 5), run by `make bench`.

Every figure comes from real processes on this machine, in this run:

  end to end   real mpc-server + real mpc-client parties over mTLS on
               loopback (create, share, sumpoint, result with HPKE and every
               check), the sum checked against the plain sum
  per party    CPU time (user + sys, from wait4) of one real party's share
               and sumpoint commands in large sessions whose other parties
               are played by bench/loadgen ("fill": the share addressed to
               the measured party is sealed for real, the rest are random)
  server load  bench/loadgen alone against mpc-server: a 300-party session,
               small-RPC rate over 1 and 64 connections, new connections per
               second, bulk relay with 1 MiB shares, memory held
  references   `openssl speed -evp aes-128-gcm` (16 KiB blocks, one core),
               the in-process handshake loop (loadgen hsref), and a gRPC C++
               server with mTLS doing the same calls (bench/grpc_ref,
               REFERENCE ONLY)
  growth       end to end for n = 5..100 at L = 1 and L = 1..10^6 at n = 5

docs/BENCHMARKS.md explains each measurement and the targets.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "bin", "mpc-server")
# Parties in the server-load section's session (see section_load).
SESSION_N = 300
CLIENT = os.path.join(ROOT, "bin", "mpc-client")
MKCERTS = os.path.join(ROOT, "scripts", "mkcerts.sh")
P = 2**61 - 1
MiB = 1 << 20

STARTED = []   # processes to kill on exit
E2E_CASES = [(5, 2, 1), (10, 4, 1), (100, 49, 1), (10, 4, 100000), (5, 2, 1000000)]
# `run` as users run it (issue 14 point 3): (n, L); t = (n - 1) // 2.
RUN_CASES = [(10, 1), (30, 1), (100, 1), (300, 1), (10, 100000)]
# Issue 14 point 4's targets: wall (s) for (n, L), and CPU per party at (100, 1).
RUN_TARGETS = {(10, 1): 0.120, (100, 1): 3.0, (300, 1): 20.0, (10, 100000): 1.2}
RUN_CPU_TARGET = 0.060
# The phases of a loadgen session after its parties connected and created it.
SESSION_WORK = ("publish_key", "submit", "get_share", "post_cohort", "post_sumpoint",
                "list_sumpoints")


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


def uptime():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# Issue 14 point 6: above this 1-minute load average (at the start or the end
# of the run) the figures are printed but no target gets a verdict.
VERDICT_LOAD_MAX = 1.5


def busiest(*loads):
    """The highest 1-minute load average among uptime() strings."""
    return max(float(x.split()[0]) for x in loads)


# The load average at the end of a run counts the benchmark's own processes
# (a `run` case at n = 300 leaves it near 90 on a quiet machine), so it
# cannot tell whether anything else was running. What can: the machine's
# busy CPU time over the run (/proc/stat: user, nice, system) less the CPU
# time of this process and every child it reaped. Above this many cores on
# average, something else was running and no target gets a verdict.
OTHERS_CORES_MAX = 0.25


class MachineShare:
    """CPU time used by processes other than the benchmark during a run."""

    def __init__(self):
        self.t0, self.busy0, self.own0 = time.monotonic(), self.busy(), self.own()

    @staticmethod
    def busy():
        with open("/proc/stat") as f:
            user, nice, system = (int(x) for x in f.readline().split()[1:4])
        return (user + nice + system) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def own():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def others(self):
        """(core-seconds used by others, seconds elapsed)."""
        wall = time.monotonic() - self.t0
        return max(0.0, (self.busy() - self.busy0) - (self.own() - self.own0)), wall


def verdict(said, busy):
    return f"(busy) {said.lower()}, no verdict" if busy > VERDICT_LOAD_MAX else said


def die(msg):
    print(f"bench: error: {msg}", file=sys.stderr)
    cleanup()
    sys.exit(1)


def cleanup():
    for p in STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()


# ---- /proc --------------------------------------------------------------

def proc_cpu(pid):
    """CPU seconds of pid: its thread's schedstat (nanoseconds) when it has
    one thread, as mpc-server with --fsync no does; else utime + stime of
    /proc/PID/stat (clock ticks, but counting every thread, the journal's
    fsync thread included, and threads that have exited)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        if len(tasks) == 1:
            with open(f"/proc/{pid}/task/{tasks[0]}/schedstat") as f:
                return int(f.read().split()[0]) / 1e9
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def proc_io(pid):
    out = {}
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = int(v)
    return out


class ServerSample:
    def __init__(self, srv):
        self.t = time.monotonic()
        self.cpu = proc_cpu(srv.pid)
        io = proc_io(srv.pid)
        self.rchar, self.wchar = io["rchar"], io["wchar"]
        self.journal = srv.journal_size()
        st = proc_status(srv.pid)
        self.rss, self.hwm = st["VmRSS"], st["VmHWM"]

    def wire(self, later):
        """Bytes the server read from and wrote to its sockets between two
        samples: rchar, and wchar less what went into the journal's files (no
        snapshot is written during a run: --snapshot-interval 3600)."""
        rin = later.rchar - self.rchar
        rout = (later.wchar - self.wchar) - max(0, later.journal - self.journal)
        return rin, rout


# ---- servers ------------------------------------------------------------

class Server:
    def __init__(self, bench, extra=(), name="mpc-server", state=None):
        """state: the state folder of a server stopped before (a restart)."""
        self.dir = tempfile.mkdtemp(prefix="srv-", dir=bench.tmp)
        self.state = state or os.path.join(self.dir, "state")
        args = [bench.server_bin, "--listen", "127.0.0.1:0", "--certs", bench.server_certs,
                "--state-dir", self.state, "--snapshot-interval", "3600",
                *extra]
        self.out = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=self.out, text=True)
        STARTED.append(self.proc)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+)", line or "")
        if not m:
            die(f"{name} did not start: {line!r}; see {self.dir}/server.log")
        self.addr = m.group(1)
        self.pid = self.proc.pid
        self.warm_seconds = None
        with open(os.path.join(self.dir, "server.log")) as f:
            w = re.search(r"warm memory \d+ bytes touched in ([0-9.]+) s", f.read())
            if w:
                self.warm_seconds = float(w.group(1))

    def journal_size(self):
        """Bytes in the journal's segment files (journal.<seq>.bin)."""
        total = 0
        try:
            names = os.listdir(self.state)
        except OSError:
            return 0
        for name in names:
            if re.fullmatch(r"journal(\.\d+)?\.bin", name):
                try:
                    total += os.path.getsize(os.path.join(self.state, name))
                except OSError:
                    pass
        return total

    def sample(self):
        return ServerSample(self)

    def stop(self, keep=False):
        """keep: leave the state folder for a restart (Server(state=...))."""
        # SIGKILL: a final snapshot of gigabytes would only slow the bench.
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class GrpcServer:
    def __init__(self, bench):
        exe = os.path.join(bench.build, "grpc", "ref_server")
        self.proc = subprocess.Popen([exe, "--listen", "127.0.0.1:0", "--certs",
                                      bench.server_certs],
                                     stdout=subprocess.PIPE, text=True)
        STARTED.append(self.proc)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+)", line or "")
        if not m:
            die(f"the gRPC reference server did not start: {line!r}")
        self.addr = m.group(1)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---- running processes --------------------------------------------------

class Result:
    def __init__(self, rc, wall, cpu, maxrss_kb, out, err):
        self.rc, self.wall, self.cpu, self.maxrss = rc, wall, cpu, maxrss_kb
        self.out, self.err = out, err


TIME = "/usr/bin/time"


def run_many(cmds, check=True):
    """Starts every command at once; returns a Result per command: its CPU
    time (user + sys, from wait4: microseconds) and its peak RSS.

    The peak RSS comes from /usr/bin/time -f %M, not from our own wait4: a
    child forked from this Python process inherits its resident size in
    ru_maxrss (Linux folds the pre-exec memory into it), while /usr/bin/time
    is small when it forks the command. Its own CPU (~1 ms) is in the CPU
    figure."""
    t0 = time.monotonic()
    procs = []
    for cmd in cmds:
        so = tempfile.TemporaryFile()
        se = tempfile.TemporaryFile()
        mf = tempfile.NamedTemporaryFile(delete=False)
        mf.close()
        p = subprocess.Popen([TIME, "-f", "%M", "-o", mf.name, *cmd], stdout=so, stderr=se)
        procs.append((p, so, se, mf.name, cmd))
    results = []
    for p, so, se, mname, cmd in procs:
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        so.seek(0)
        se.seek(0)
        try:
            with open(mname) as f:
                maxrss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            maxrss = 0
        os.unlink(mname)
        r = Result(p.returncode, wall, ru.ru_utime + ru.ru_stime, maxrss,
                   so.read().decode(errors="replace"), se.read().decode(errors="replace"))
        so.close()
        se.close()
        if check and r.rc != 0:
            die(f"{' '.join(cmd[:8])}... exited {r.rc}: {r.err.strip()[-400:]}")
        results.append(r)
    return results


def run_one(cmd, check=True):
    return run_many([cmd], check)[0]


def parse_result_lines(text):
    rows = []
    for line in text.splitlines():
        if not line.startswith("RESULT "):
            continue
        d = {}
        for tok in line.split()[1:]:
            k, _, v = tok.partition("=")
            try:
                d[k] = float(v) if re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", v) else v
            except ValueError:
                d[k] = v
        rows.append(d)
    return rows


# ---- the benchmark ------------------------------------------------------

def statement_bytes(n):
    """What the server holds of a version-2 session's statements once every
    party has posted: each party's SUBMIT (93 + 32 n bytes), COHORT
    (125 + n/8) and SUMPOINT (173), each with its signature (~71 bytes)."""
    return n * ((93 + 32 * n) + (125 + (n + 7) // 8) + 173 + 3 * 71)


def fmt_bytes(b):
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= div:
            return f"{b / div:.1f} {unit}"
    return f"{b:.0f} B"


def fmt_kb(kb):
    return f"{kb / 1024:.1f} MiB"


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.loadgen = os.path.join(self.build, "loadgen")
        self.server_bin = os.path.abspath(args.server_bin)
        self.quick = args.quick
        os.makedirs(self.build, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="ss-bench-")
        self.certs = os.path.join(self.build, "certs")
        self.server_certs = os.path.join(self.tmp, "server-certs")
        self.sections = []        # (title, header, rows, notes)
        self.targets = []         # (target, measured, ratio, verdict, how)
        self.growth = []          # rows of the growth table
        self.refs = {}
        self.e2e = {}
        self.runs = {}
        self.profiles = []        # (label, lines) with --profile

    # -- setup -------------------------------------------------------------

    def make_certs(self, nparties):
        if not os.path.exists(os.path.join(self.certs, "ca.crt")):
            subprocess.run([MKCERTS, "--out", self.certs], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run([os.path.join(self.build, "mkparties"), self.certs, "p",
                        str(nparties)], check=True, stderr=subprocess.DEVNULL)
        os.makedirs(self.server_certs, mode=0o700, exist_ok=True)
        for f in ("ca.crt", "server.crt", "server.key"):
            shutil.copy(os.path.join(self.certs, f), self.server_certs)
        os.chmod(os.path.join(self.server_certs, "server.key"), 0o600)

    def party(self, i):
        return f"p{i:04d}"

    def client(self, srv, party, *args, state=None):
        """An mpc-client command as party. Its records (--state) go to
        STATE/party, by default in the server's temporary folder, so that
        every case starts as a party's first session does: no records and
        no certificate verified yet."""
        state = state or os.path.join(srv.dir, "parties")
        return [CLIENT, "--server", srv.addr, "--certs", self.certs, "--party",
                party, "--timeout", "300", "--state", os.path.join(state, party),
                *args]

    def inputs(self, n, L, seed):
        """Input files (or values) for n parties, and the plain sum."""
        rnd = random.Random(seed)
        bound = 10**6
        d = os.path.join(self.build, "inputs")
        os.makedirs(d, exist_ok=True)
        files, total = [], [0] * L
        for i in range(n):
            v = [rnd.randint(-bound, bound) for _ in range(L)]
            for e in range(L):
                total[e] += v[e]
            if L > 16:
                path = os.path.join(d, f"in-{seed}-{L}-{i}.txt")
                if not os.path.exists(path):
                    with open(path + ".tmp", "w") as f:
                        f.write("\n".join(map(str, v)))
                        f.write("\n")
                    os.rename(path + ".tmp", path)
                files.append(["--input", path])
            else:
                files.append(["--", *map(str, v)])
            del v
        return files, total

    # -- references -------------------------------------------------------------

    def speed(self, evp, label):
        """One core's rate of `openssl speed -evp EVP` on 16 KiB blocks, bytes/s."""
        secs = "1" if self.quick else "3"
        out = subprocess.run(["openssl", "speed", "-mr", "-seconds", secs, "-bytes",
                              "16384", "-evp", evp],
                             capture_output=True, text=True).stdout
        m = re.search(r"\+F:\d+:" + re.escape(label) + r":([0-9.]+)", out)
        if not m:
            die(f"cannot parse openssl speed's output for {evp}")
        return float(m.group(1))

    def ref_aes(self):
        self.refs["aes"] = self.speed("aes-128-gcm", "AES-128-GCM")
        return self.refs["aes"]

    def ref_sha256(self):
        """The server hashes every ciphertext it keeps (checked against its
        dealer's SUBMIT): with the AES pass, the floor of an upload's CPU."""
        self.refs["sha256"] = self.speed("sha256", "sha256")
        return self.refs["sha256"]

    def ref_disk(self):
        """The disk's write rate where the servers keep their state (bench.tmp):
        dd bs=1M conv=fdatasync, as issue 14 names it; bytes per second."""
        count = "64" if self.quick else "256"
        path = os.path.join(self.tmp, "dd.bin")
        r = subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={count}",
                            "conv=fdatasync"], capture_output=True, text=True)
        try:
            os.unlink(path)
        except OSError:
            pass
        m = re.search(r"^(\d+) bytes .* copied, ([0-9.]+) s", r.stderr, re.M)
        if r.returncode != 0 or not m or float(m.group(2)) <= 0:
            die(f"cannot parse dd's output: {r.stderr!r}")
        self.refs["disk"] = int(m.group(1)) / float(m.group(2))
        return self.refs["disk"]

    def ref_handshake(self):
        secs = "1" if self.quick else "3"
        r = run_one([self.loadgen, "--certs", self.certs, "--prefix", "p",
                     "hsref", "--server-certs", self.server_certs, "--seconds", secs])
        row = parse_result_lines(r.out)[0]
        self.refs["hs"] = row
        return row

    # -- end to end -------------------------------------------------------------

    def end_to_end(self, n, t, L, seed=1):
        """One session with n real parties; returns a dict of figures."""
        files, total = self.inputs(n, L, seed)
        srv = Server(self)
        sid = f"e2e-{n}-{t}-{L}"
        names = ",".join(self.party(i + 1) for i in range(n))
        s0 = srv.sample()
        phases = {}

        def phase(name, cmds):
            a = srv.sample()
            rs = run_many(cmds)
            b = srv.sample()
            rin, rout = a.wire(b)
            phases[name] = {
                "wall": b.t - a.t, "server_cpu": b.cpu - a.cpu,
                "wire_in": rin, "wire_out": rout,
                "cpu_max": max(r.cpu for r in rs),
                "cpu_sum": sum(r.cpu for r in rs),
                "cpu_mean": sum(r.cpu for r in rs) / len(rs),
                "rss_max": max(r.maxrss for r in rs), "results": rs,
            }
            return rs

        rs = phase("create", [self.client(srv, self.party(1), "--json", "create", sid,
                                          "--parties", names, "--threshold", str(t),
                                          "--length", str(L))])
        invite = json.loads(rs[0].out)["invite"]
        pin = ("--invite", invite)
        phase("share", [self.client(srv, self.party(i + 1), "share", sid, *pin, *files[i])
                        for i in range(n)])
        phase("sumpoint", [self.client(srv, self.party(i + 1), "sumpoint", sid, *pin)
                           for i in range(n)])
        rs = phase("result", [self.client(srv, self.party(1), "--json", "result", sid,
                                          *pin)])
        s1 = srv.sample()
        got = json.loads(rs[0].out)
        # Every party posts, so n sumpoints on one polynomial: verified when
        # n reaches the agreement quorum floor(n/2) + t + 1.
        label = "verified" if n >= n // 2 + t + 1 else "unverified"
        ok = (got.get("sum") == json_sum(total) and len(got.get("cohort", [])) == n
              and got.get("label") == label)
        rin, rout = s0.wire(s1)
        res = {
            "n": n, "t": t, "L": L, "phases": phases, "ok": ok,
            "label": got.get("label"),
            "wall": sum(p["wall"] for p in phases.values()),
            "server_cpu": s1.cpu - s0.cpu,
            "party_cpu": sum(p["cpu_sum"] for p in phases.values()),
            "wire_in": rin, "wire_out": rout,
            "server_hwm": s1.hwm, "server_rss": s1.rss,
            "party_rss": max(p["rss_max"] for p in phases.values()),
            "held": n * n * (48 + 8 * L),
            "held_statements": statement_bytes(n),
        }
        srv.stop()
        if not ok:
            die(f"end to end ({n},{t},{L}): wrong sum, cohort or label "
                f"(expected {label}): {rs[0].out.strip()[:300]}")
        return res

    def section_e2e(self):
        cases = self.args.e2e_cases or E2E_CASES
        rows = []
        for n, t, L in cases:
            log(f"end to end n={n} t={t} L={L}")
            r = self.end_to_end(n, t, L)
            self.e2e[(n, t, L)] = r
            ph = r["phases"]
            rows.append([f"({n},{t},{L})",
                         fmt_s(ph["create"]["wall"]), fmt_s(ph["share"]["wall"]),
                         fmt_s(ph["sumpoint"]["wall"]), fmt_s(ph["result"]["wall"]),
                         fmt_s(r["wall"]),
                         f"{fmt_s(r['party_cpu'])} / {fmt_s(r['server_cpu'])}",
                         f"{fmt_bytes(r['wire_in'])} / {fmt_bytes(r['wire_out'])}",
                         fmt_kb(r["server_hwm"]),
                         " / ".join(f"{ph[k]['rss_max'] / 1024:.0f}"
                                    for k in ("share", "sumpoint", "result")) + " MiB",
                         f"yes, {r['label']}" if r["ok"] else "NO"])
        self.sections.append((
            "End to end: real parties (create, share, sumpoint, result; HPKE and every check)",
            ["(n,t,L)", "create", "share", "sumpoint", "result", "total wall",
             "CPU parties / server", "wire in / out", "server peak RSS", "party peak RSS share/sumpt/result",
             "sum ok, label"],
            rows,
            ["Protocol version 2: create prints the invite code; share, sumpoint and "
             "result pin the session with --invite; each party signs its SUBMIT, its "
             "COHORT and its SUMPOINT and verifies the others' (certificates checked "
             "against the CA: each party starts with no records and an empty "
             "certificate cache, --state in a fresh folder).",
             "Phases run one after another; inside a phase all n parties run at "
             "once as separate mpc-client processes (create and result: party 1).",
             "Sum ok: party 1's result is the plain sum, the cohort is all n, and it "
             "is labelled verified (n sumpoints >= the quorum floor(n/2) + t + 1).",
             "Wall time of a phase: from starting its processes to the last exit.",
             "CPU: user + sys of every party process of the four phases added up "
             "(wait4), and the server's over the run: what the case costs the "
             "machine, which moves less with its load than the wall time does.",
             "Wire: bytes mpc-server read from / wrote to its sockets (TLS records "
             "included), from /proc/PID/io rchar and wchar less the journal files' "
             "growth; no snapshot is written during a run (--snapshot-interval 3600).",
             "Server peak RSS: VmHWM of a fresh server per case. Party: the largest "
             "peak RSS (/usr/bin/time -f %M) of any party process in each phase.",
             "The server runs with its defaults otherwise: --fsync always (every "
             "acknowledged change is in the journal on disk)."]))
        for (n, t, L), limit in (((10, 4, 100000), 2.0), ((5, 2, 1000000), 5.0)):
            r = self.e2e.get((n, t, L))
            if r is None:
                continue
            self.target(f"end to end ({n},{t},{L}) wall < {limit:g} s",
                        fmt_s(r["wall"]), limit / r["wall"], r["wall"] < limit,
                        "limit / measured")

    # -- per party ----------------------------------------------------------------

    def run_session(self, n, L, sid, state=None):
        """One session of n parties each running `mpc-client run` as its own
        process, all started at once against a server already up with the
        session created (party 1's create, not timed): spawn to the last
        exit. Every party must print the plain sum, labelled verified.
        state: the parties' state folders (default: fresh, in the server's
        temporary folder)."""
        t = (n - 1) // 2
        files, total = self.inputs(n, L, 11)
        srv = Server(self)
        names = ",".join(self.party(i + 1) for i in range(n))
        r = run_one(self.client(srv, self.party(1), "--json", "create", sid,
                                "--parties", names, "--threshold", str(t),
                                "--length", str(L), state=state))
        pin = ("--invite", json.loads(r.out)["invite"])
        a = srv.sample()
        rs = run_many([self.client(srv, self.party(i + 1), "--json", "run", sid,
                                   *pin, *files[i], state=state) for i in range(n)])
        b = srv.sample()
        srv.stop()
        label = "verified" if n >= n // 2 + t + 1 else "unverified"
        for i, x in enumerate(rs):
            got = json.loads(x.out.strip().splitlines()[-1])
            if got.get("sum") != json_sum(total) or got.get("label") != label:
                die(f"run ({n},{L}): party {i + 1} printed {x.out.strip()[:300]}")
        cpus = sorted(x.cpu for x in rs)
        return {"wall": max(x.wall for x in rs), "server_cpu": b.cpu - a.cpu,
                "cpu_mean": sum(cpus) / n, "cpu_median": cpus[n // 2],
                "cpu_max": cpus[-1], "rss_max": max(x.maxrss for x in rs)}

    @staticmethod
    def run_row(n, L, got):
        """The table row of a case's sessions (sorted by wall): the median's."""
        med = got[len(got) // 2]
        return med, [f"({n},{L})", fmt_s(med["wall"]),
                     " / ".join(fmt_s(g["wall"]) for g in got),
                     fmt_s(med["cpu_mean"]), fmt_s(med["cpu_max"]),
                     fmt_s(med["server_cpu"]), fmt_kb(med["rss_max"])]

    def section_run(self):
        reps = 1 if self.quick else 3
        rows, warm_rows = [], []
        for n, L in RUN_CASES:
            if self.quick and n > 100:
                continue
            log(f"run n={n} L={L} ({reps} sessions, then {reps} more with the "
                "state folders of the first)")
            # The first session's state folders are kept for the warm ones.
            kept = tempfile.mkdtemp(prefix=f"parties-{n}-{L}-", dir=self.tmp)
            got = [self.run_session(n, L, f"run-{n}-{L}-{k}",
                                    kept if k == 0 else None) for k in range(reps)]
            warm = [self.run_session(n, L, f"again-{n}-{L}-{k}", kept)
                    for k in range(reps)]
            shutil.rmtree(kept, ignore_errors=True)
            got.sort(key=lambda g: g["wall"])
            warm.sort(key=lambda g: g["wall"])
            self.runs[(n, L)] = got
            med, row = self.run_row(n, L, got)
            rows.append(row)
            warm_rows.append(self.run_row(n, L, warm)[1])
            if (n, L) in RUN_TARGETS:
                lim = RUN_TARGETS[(n, L)]
                self.target(f"run ({n},{L}) wall <= {fmt_s(lim)}", fmt_s(med["wall"]),
                            lim / med["wall"], med["wall"] <= lim, "limit / median")
            if (n, L) == (100, 1):
                self.target(f"run (100,1) CPU per party <= {fmt_s(RUN_CPU_TARGET)}",
                            fmt_s(med["cpu_mean"]), RUN_CPU_TARGET / med["cpu_mean"],
                            med["cpu_mean"] <= RUN_CPU_TARGET, "limit / mean")
        head = ["(n,L)", "median wall", f"walls of {reps}", "CPU per party (mean)",
                "CPU per party (max)", "server CPU", "party peak RSS"]
        self.sections.append((
            "run as users run it: n separate `mpc-client run` processes, spawn to the last correct sum",
            head, rows,
            ["Per case: a fresh server, the session created by party 1 (not timed), "
             "then all n `run` processes started at once, each with a fresh --state "
             "(no records, no certificate verified yet); wall from the first spawn to "
             "the last exit; t = (n-1)/2; every party must print the plain sum, "
             "verified. The row is the session of median wall; CPU is user + sys "
             "from wait4 (including /usr/bin/time's ~1 ms). The targets are judged "
             "on this table."]))
        self.sections.append((
            "run again: the same parties' next sessions, their --state kept",
            head, warm_rows,
            ["As above, but each party's --state is the folder of its first session "
             "in the table above, as a party that has run before keeps it: its "
             "certificate cache holds the others' certificates, so each is checked "
             "against the CRL, not verified again. A fresh server each time; the "
             "parties publish their keys again. No target is judged on this table."]))

    def per_party_session(self, srv, sid, n, t, L, inp, state, perf=None):
        """The measured party p0001 in a session of n whose other parties
        loadgen plays: fill (they publish and submit, one real share each
        for p0001), p0001 shares, loadgen signs their COHORTs (which name
        p0001's SUBMIT, so only now), p0001 runs sumpoint. Returns the two
        Results, or with perf=LABEL runs both under perf instead."""
        lg = [self.loadgen, "--server", srv.addr, "--certs", self.certs, "--prefix", "p"]
        shape = ["--session", sid, "--n", str(n), "--t", str(t), "--L", str(L),
                 "--target", "1"]
        r = run_one([*lg, "--server-pid", str(srv.pid), "fill", "--create", *shape])
        pin = ("--invite", parse_result_lines(r.out)[0]["invite"])
        share = self.client(srv, self.party(1), "share", sid, *pin, *inp, state=state)
        sump = self.client(srv, self.party(1), "sumpoint", sid, *pin, state=state)
        if perf is None:
            rs = run_one(share)
        else:
            self.perf_command(share, f"mpc-client share, {perf}")
        run_one([*lg, "cohort", *shape, "--invite", pin[1]])
        if perf is None:
            return rs, run_one(sump)
        self.perf_command(sump, f"mpc-client sumpoint, {perf}")
        return None

    def per_party(self, n, t, L):
        srv = Server(self)
        sid = f"party-{n}-{L}"
        files, _ = self.inputs(1, L, 7)
        share, sump = self.per_party_session(srv, sid, n, t, L, files[0],
                                             os.path.join(srv.dir, "parties"))
        if self.args.profile and n == 1000:
            # Again under perf, in a session of its own and with records of
            # its own (the CPU figures above come from the run without perf).
            self.per_party_session(srv, sid + "-perf", n, t, L, files[0],
                                   os.path.join(srv.dir, "parties-perf"),
                                   perf=f"n={n} L={L}")
        srv.stop()
        return share, sump

    def section_party(self):
        cases = [(100, 49, 1), (1000, 499, 1), (10, 4, 1000000)]
        rows = []
        for n, t, L in cases:
            log(f"per party n={n} L={L}")
            share, sump = self.per_party(n, t, L)
            rows.append([f"n={n}, t={t}, L={L}", fmt_s(share.cpu), fmt_s(share.wall),
                         fmt_kb(share.maxrss), fmt_s(sump.cpu), fmt_s(sump.wall),
                         fmt_kb(sump.maxrss)])
            if (n, L) == (1000, 1):
                self.target("share step at n=1000, L=1 < 0.5 s CPU", fmt_s(share.cpu),
                            0.5 / share.cpu, share.cpu < 0.5, "limit / measured")
        self.sections.append((
            "Per party: CPU of one real party's commands (user + sys, wait4)",
            ["session", "share CPU", "share wall", "share RSS", "sumpoint CPU",
             "sumpoint wall", "sumpoint RSS"], rows,
            ["The whole `mpc-client share` / `sumpoint` process: start-up, TLS, "
             "loading and verifying n encryption-key certificates, Shamir, n HPKE "
             "seals (share) or n opens (sumpoint), the RPCs; version 2: share hashes "
             "the n ciphertexts, signs its SUBMIT and records its input (fsync); "
             "sumpoint checks the n signing certificates (none cached: a fresh "
             "--state), verifies n SUBMITs and n COHORTs, signs its COHORT and its "
             "SUMPOINT.",
             "The other n-1 parties are played by loadgen: fill (they publish their "
             "keys and submit with signed SUBMITs; their shares for the measured "
             "party are sealed for real under D, the rest are random bytes), then, "
             "after the measured party's share, cohort (they sign the cohort)."]))

    # -- profiles (--profile) -----------------------------------------------------

    def perf_report(self, data, label):
        rep = subprocess.run(["perf", "report", "-i", data, "--children", "--sort",
                              "sym", "--stdio", "-g", "none", "--percent-limit", "2"],
                             capture_output=True, text=True).stdout
        lines = [l.rstrip() for l in rep.splitlines()
                 if re.match(r"\s+[0-9]", l) and not re.search(r"\] 0x0000", l)]
        self.profiles.append((label, lines[:40]))

    def perf_server(self, srv, label, fn):
        """Runs fn() while perf samples the server, when --profile is on."""
        if not self.args.profile:
            return fn()
        data = os.path.join(self.build, f"perf-{label}.data")
        rec = subprocess.Popen(["perf", "record", "-q", "-F", "499", "--call-graph",
                                "dwarf,8192", "-p", str(srv.pid), "-o", data],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            return fn()
        finally:
            rec.send_signal(signal.SIGINT)
            rec.wait()
            self.perf_report(data, f"mpc-server, {label}")

    def perf_command(self, cmd, label):
        data = os.path.join(self.build, f"perf-{label}.data")
        subprocess.run(["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384",
                        "-o", data, "--", *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.perf_report(data, label)

    # -- server load ------------------------------------------------------------

    def lg(self, srv, mode, *args):
        r = run_one([self.loadgen, "--server", srv.addr, "--certs", self.certs,
                     "--prefix", "p", "--server-pid", str(srv.pid), mode, *args])
        return parse_result_lines(r.out)

    def upload_floor(self):
        """Bytes per server-CPU-second an upload could reach if the server did
        nothing but the two passes every byte needs: TLS's AES-128-GCM and
        the SHA-256 that checks each ciphertext against its SUBMIT."""
        return 1 / (1 / self.refs["aes"] + 1 / self.refs["sha256"])

    def section_load(self):
        secs = "1" if self.quick else "3"
        rows, notes = [], []
        hs = self.refs["hs"]
        aes = self.refs["aes"]

        # A large session through the server. In version 2 every GetShare
        # carries each dealer's SUBMIT, one 32-byte digest per recipient, so
        # a party downloads ~32 n^2 bytes: 32 MB at n = 1,000 (32 GB for the
        # session, all of it built as responses at once), 2.9 MB at n = 300.
        log(f"loadgen session n={SESSION_N}")
        srv = Server(self)
        base = srv.sample()
        ph = {r["phase"]: r for r in self.lg(srv, "session", "--n", str(SESSION_N), "--L", "1")}
        srv.stop()
        for name in ("connect", "create", "publish_key", "submit", "get_share",
                     "post_cohort", "post_sumpoint", "list_sumpoints", "total",
                     "after_close"):
            r = ph[name]
            rows.append([f"{SESSION_N}-party session: {name}", fmt_s(r["wall"]),
                         fmt_s(r["server_cpu"]),
                         f"{fmt_bytes(r['bytes_in'])} / {fmt_bytes(r['bytes_out'])}",
                         fmt_kb(r["server_rss_kb"]), ""])
        held = ph["submit"]["held_ct_bytes"] + ph["submit"]["held_statement_bytes"]
        self.mem_points = [
            (f"{SESSION_N}-party session, after all submissions ({SESSION_N} connections open)",
             held, ph["submit"]["server_rss_kb"] * 1024, base.rss * 1024),
            (f"{SESSION_N}-party session, 1.5 s after every party disconnected",
             held, ph["after_close"]["server_rss_kb"] * 1024, base.rss * 1024)]
        self.session_big = ph

        # Small RPCs over persistent connections.
        rate = {}
        for conns in (1, 64):
            log(f"loadgen rate conns={conns}")
            srv = Server(self)
            r = self.perf_server(srv, f"PostSumpoint rate, {conns} connections",
                                 lambda: self.lg(srv, "rate", "--conns", str(conns),
                                                 "--seconds", secs)[0])
            srv.stop()
            rate[conns] = r
            rows.append([f"PostSumpoint, {conns} connection{'s' if conns > 1 else ''}",
                         f"{r['rate']:,.0f} /s", fmt_s(r["server_cpu"]),
                         f"{r['rate_per_server_cpu']:,.0f} per server-CPU-s", "",
                         f"{r['rpcs']:.0f} calls in {r['wall']:.1f} s"])
        self.rate = rate

        # New connections; the handshake reference again right before, so
        # that both see the same machine (other processes, CPU clock).
        hs = self.ref_handshake()
        log("loadgen connrate")
        srv = Server(self)
        r = self.perf_server(srv, "new connections",
                             lambda: self.lg(srv, "connrate", "--seconds", secs,
                                             "--concurrency", "16")[0])
        srv.stop()
        self.connrate = r
        rows.append(["new connection (mTLS handshake + 1 PostSumpoint)",
                     f"{r['rate']:,.0f} /s", f"{r['server_cpu_per_conn_us']:.0f} us/conn",
                     f"{r['rate_per_server_cpu']:,.0f} per server-CPU-s", "",
                     f"in-process bound {hs['bound_per_core']:,.0f}/s "
                     f"({hs['server_cpu_per_hs_us']:.0f} us server CPU per handshake)"])
        ratio = r["rate_per_server_cpu"] / hs["bound_per_core"]
        self.target("new mTLS connections per server core >= 80 % of the "
                    "in-process handshake bound",
                    f"{r['rate_per_server_cpu']:,.0f}/s per core vs {hs['bound_per_core']:,.0f}/s",
                    ratio / 0.8, ratio >= 0.8, f"ratio {ratio:.2f} of the bound; / 0.80")

        # Bulk relay with 1 MiB shares, and the disk's rate right before.
        disk = self.ref_disk()
        rows.append(["disk write, dd bs=1M conv=fdatasync (reference)",
                     f"{disk / 1e6:,.0f} MB/s", "", "", "",
                     f"{'64' if self.quick else '256'} MiB into the benchmark's temporary folder"])
        self.bulk = {}
        sessions = "32" if self.quick else "128"
        # --warm-memory: what the sessions hold (2 x 2 MiB each) and 128 MiB
        # more, touched at start (docs/OPERATIONS.md); the default runs
        # without, every large block a first touch.
        warm = str((int(sessions) * 4 + 128) << 20)
        self.warm_label = wlabel = f"--warm-memory {int(warm) >> 20} MiB"
        for label, extra in (("default (--fsync always)", ()), ("--fsync no", ("--fsync", "no")),
                             (f"{wlabel}, --fsync always", ("--warm-memory", warm)),
                             (f"{wlabel}, --fsync no", ("--fsync", "no", "--warm-memory", warm))):
            log(f"loadgen bulk {label}")
            srv = Server(self, extra)
            base = srv.sample()
            res = {r["phase"]: r for r in self.perf_server(
                srv, f"bulk 1 MiB shares, {label}",
                lambda: self.lg(srv, "bulk", "--sessions", sessions, "--conns", "4"))}
            srv.stop()
            self.bulk[label] = res
            up, down = res["upload"], res["download"]
            relay = (up["payload_bytes"] + down["payload_bytes"]) / (up["wall"] + down["wall"])
            res["relay"] = relay
            for name, r in (("upload (SubmitShares)", up), ("download (GetShare)", down)):
                rows.append([f"bulk 1 MiB shares, {label}: {name}",
                             f"{r['mb_per_s']:,.0f} MB/s", fmt_s(r["server_cpu"]),
                             f"{r['payload_bytes'] / r['server_cpu'] / 1e6:,.0f} MB per server-CPU-s",
                             fmt_kb(r["server_rss_kb"]),
                             f"{fmt_bytes(r['payload_bytes'])} in {r['wall']:.2f} s"])
            rows.append([f"bulk relay, {label}: up+down", f"{relay / 1e6:,.0f} MB/s", "",
                         "", "", f"AES-128-GCM one core {aes / 1e6:,.0f} MB/s"])
            if "--warm-memory" in extra:
                rows.append([f"bulk, {label}: the memory touched at start",
                             f"{srv.warm_seconds:.2f} s" if srv.warm_seconds is not None
                             else "no log line", "", "", "",
                             "before the server listens; not in the figures above"])
            if label.startswith("default"):
                self.mem_points.append((f"bulk, {sessions} sessions of 2 x 2 MiB held",
                                        up["held_ct_bytes"], up["server_rss_kb"] * 1024,
                                        base.rss * 1024))
        self.sections.append((
            "Server load: bench/loadgen (synthetic ciphertexts, no party crypto) against mpc-server",
            ["workload", "rate / wall", "server CPU", "per server CPU", "server RSS", "detail"],
            rows,
            ["Server CPU: sum of its threads' run time (/proc/PID/task/*/schedstat) "
             "over the measured interval; 'per server-CPU-s' = work done / that CPU "
             "time, i.e. what one fully busy server core would do.",
             "Wire bytes here are counted on the server (/proc/PID/io), journal "
             "writes included in 'out' (loadgen cannot see the journal).",
             "Rate: each connection keeps 1 request in flight (no pipelining); "
             "the request is PostSumpoint of L=1 repeated (answered OK, duplicate).",
             "Bulk: sessions of 2 parties whose sealed shares are exactly 1 MiB "
             "(L = 131066); 4 connections, 1 request in flight each; each "
             "SubmitShares carries 2 shares, each GetShare returns 2. 'up+down' "
             "counts every share byte once in and once out over the total time."]))

    # -- gRPC reference ----------------------------------------------------------

    def section_grpc(self):
        secs = "1" if self.quick else "3"
        exe = os.path.join(self.build, "grpc", "ref_client")
        rows = []
        g = {}
        for mode, conns in (("small", 1), ("small", 64), ("upload", 4), ("download", 4)):
            log(f"gRPC reference {mode} conns={conns}")
            srv = GrpcServer(self)
            r = run_one([exe, "--target", srv.addr, "--certs", self.certs, "--party",
                         self.party(1), "--mode", mode, "--conns", str(conns),
                         "--seconds", secs, "--server-pid", str(srv.pid)])
            srv.stop()
            row = parse_result_lines(r.out)[0]
            g[(mode, conns)] = row
            if mode == "small":
                rows.append([f"gRPC Small (PostSumpoint-sized), {conns} conn",
                             f"{row['rate']:,.0f} /s", fmt_s(row["server_cpu"]),
                             f"{row['rate_per_server_cpu']:,.0f} per server-CPU-s",
                             fmt_kb(row["server_rss_kb"])])
            else:
                rows.append([f"gRPC {mode} 1 MiB, {conns} conns",
                             f"{row['mb_per_s']:,.0f} MB/s", fmt_s(row["server_cpu"]),
                             f"{row['mb_per_s'] * row['wall'] / row['server_cpu']:,.0f} MB per server-CPU-s",
                             fmt_kb(row["server_rss_kb"])])
        self.grpc = g
        up, down = g[("upload", 4)], g[("download", 4)]
        g_relay = 2 / (1 / up["mb_per_s"] + 1 / down["mb_per_s"]) * 1e6
        rows.append(["gRPC relay up+down (same definition)", f"{g_relay / 1e6:,.0f} MB/s",
                     "", "", ""])
        self.sections.append((
            "Reference: gRPC C++ 1.51 (Debian libgrpc++), mTLS, same load shape (REFERENCE ONLY)",
            ["workload", "rate", "server CPU", "per server CPU", "server RSS"], rows,
            ["bench/grpc_ref: synchronous server, client certificates required and "
             "verified against the same CA; async client, one connection per channel, "
             "1 call in flight per connection."]))

        # Targets that compare with gRPC and AES.
        aes = self.refs["aes"]
        ours = self.bulk["default (--fsync always)"]["relay"]
        nosync = self.bulk["--fsync no"]["relay"]
        self.target("bulk relay >= 50 % of one core's AES-128-GCM",
                    f"{ours / 1e6:,.0f} MB/s vs {aes / 1e6:,.0f} MB/s",
                    ours / aes / 0.5, ours >= 0.5 * aes,
                    f"ratio {ours / aes:.2f}; / 0.50 (with --fsync no: "
                    f"{nosync / 1e6:,.0f} MB/s, ratio {nosync / aes:.2f})")
        self.target("bulk relay >= 3x the gRPC reference (1 MiB messages)",
                    f"{ours / 1e6:,.0f} vs {g_relay / 1e6:,.0f} MB/s",
                    ours / g_relay / 3, ours >= 3 * g_relay,
                    f"ratio {ours / g_relay:.2f}; / 3 (--fsync no: {nosync / g_relay:.2f})")
        # Issue 14 point 5: upload per server CPU against gRPC's; relay
        # against gRPC (--fsync no) and against the disk (--fsync always).
        def per_cpu(r):
            return r["payload_bytes"] / r["server_cpu"]
        g_up = up["mb_per_s"] * 1e6 * up["wall"] / up["server_cpu"]
        # Judged with --warm-memory (the issue allows pre-faulting within
        # the memory budget); the default's figures are given beside.
        wlabel = self.warm_label
        cold_always = per_cpu(self.bulk["default (--fsync always)"]["upload"])
        up_always = per_cpu(self.bulk[f"{wlabel}, --fsync always"]["upload"])
        up_no = per_cpu(self.bulk[f"{wlabel}, --fsync no"]["upload"])
        self.target(f"upload per server-CPU-s >= gRPC's (1 MiB, --fsync always, {wlabel})",
                    f"{up_always / 1e6:,.0f} vs {g_up / 1e6:,.0f} MB",
                    up_always / g_up, up_always >= g_up,
                    f"ratio {up_always / g_up:.2f} (--fsync no: {up_no / 1e6:,.0f} MB, "
                    f"ratio {up_no / g_up:.2f}; without --warm-memory: "
                    f"{cold_always / 1e6:,.0f} MB, ratio {cold_always / g_up:.2f}; "
                    f"the SHA-256 and AES passes alone allow {self.upload_floor() / 1e6:,.0f} MB)")
        warm_no = self.bulk[f"{wlabel}, --fsync no"]["relay"]
        warm_always = self.bulk[f"{wlabel}, --fsync always"]["relay"]
        self.target(f"bulk relay, --fsync no >= 1.5x gRPC ({wlabel})",
                    f"{warm_no / 1e6:,.0f} vs {g_relay / 1e6:,.0f} MB/s",
                    warm_no / g_relay / 1.5, warm_no >= 1.5 * g_relay,
                    f"ratio {warm_no / g_relay:.2f}; / 1.5 (without --warm-memory: "
                    f"{nosync / g_relay:.2f})")
        disk = self.refs["disk"]
        self.target(f"bulk relay, --fsync always >= 90 % of the disk (dd, {wlabel})",
                    f"{warm_always / 1e6:,.0f} vs {disk / 1e6:,.0f} MB/s",
                    warm_always / disk / 0.9, warm_always >= 0.9 * disk,
                    f"ratio {warm_always / disk:.2f}; / 0.90 (without --warm-memory: "
                    f"{ours / disk:.2f})")
        r64 = self.rate[64]["rate"]
        self.target("small-RPC rate, 64 connections >= 50,000 /s", f"{r64:,.0f} /s",
                    r64 / 50000, r64 >= 50000, "measured / 50,000")
        g64 = g[("small", 64)]["rate"]
        self.target("small-RPC rate >= 4x gRPC (64 connections)",
                    f"{r64:,.0f} vs {g64:,.0f} /s", r64 / g64 / 4, r64 >= 4 * g64,
                    f"ratio {r64 / g64:.2f}; / 4 (1 connection: "
                    f"{self.rate[1]['rate'] / g[('small', 1)]['rate']:.2f})")

    def section_memory(self):
        rows = []
        worst = None
        for label, held, rss, base in self.mem_points:
            limit = 1.2 * held + 16 * MiB
            rows.append([label, fmt_bytes(held), fmt_kb(rss / 1024), fmt_kb(base / 1024),
                         fmt_kb(limit / 1024), f"{rss / limit:.2f}"])
            if worst is None or rss / limit > worst[1] / worst[2]:
                worst = (label, rss, limit)
        for key in ((5, 2, 1000000), (10, 4, 100000)):
            r = self.e2e.get(key)
            if r is None:
                continue
            held = r["held"] + r["held_statements"]
            limit = 1.2 * held + 16 * MiB
            rows.append([f"end to end {key}: peak over the run", fmt_bytes(held),
                         fmt_kb(r["server_hwm"]), "", fmt_kb(limit / 1024),
                         f"{r['server_hwm'] * 1024 / limit:.2f}"])
            if r["server_hwm"] * 1024 / limit > worst[1] / worst[2]:
                worst = (f"end to end {key}", r["server_hwm"] * 1024, limit)
        self.sections.append((
            "Server memory vs ciphertext and statement bytes held (target: RSS <= "
            "1.2 x held + 16 MiB)",
            ["point", "ciphertexts + statements held", "server RSS", "RSS at start",
             "limit", "RSS / limit"],
            rows,
            ["RSS: VmRSS of mpc-server right after the last SubmitShares was "
             "answered; end-to-end rows use VmHWM (the peak of the whole run).",
             "Held: the ciphertexts, and (version 2) the signed statements the server "
             "must keep with them: every SUBMIT (93 + 32 n bytes and a signature), "
             "so 32 n^2 bytes for a session of n, and each COHORT and SUMPOINT. At "
             "n = 1000 and L = 1 the SUBMITs (32.2 MB) are 57 % of the 56 MB of "
             "ciphertext; for long vectors they are negligible. Not held, but built "
             "while GetShare is answered: each party's response carries all n "
             "SUBMITs (32 n^2 bytes), which is why the load section's session has "
             f"{SESSION_N} parties, not 1,000 (32 GB of responses)."]))
        label, rss, limit = worst
        self.target("server RSS <= 1.2 x (ciphertext + statements) held + 16 MiB "
                    "(worst point)",
                    f"{label}: {fmt_kb(rss / 1024)} vs limit {fmt_kb(limit / 1024)}",
                    limit / rss, rss <= limit, "limit / measured")

    # -- disk work and the event loop ---------------------------------------------

    def section_stalls(self):
        secs = "2" if self.quick else "4"
        rows = []
        for label, extra in (("journal, --fsync always (default), no snapshot", ()),
                             ("journal, --fsync no, no snapshot", ("--fsync", "no")),
                             ("--fsync always + a snapshot every second",
                              ("--snapshot-interval", "1"))):
            log(f"stalls: {label}")
            srv = Server(self, extra)
            self.lg(srv, "bulk", "--sessions", "64", "--conns", "4")
            r = self.lg(srv, "rate", "--conns", "8", "--seconds", secs,
                        "--mutate-every", "200")[0]
            srv.stop()
            rows.append([label, f"{r['rate']:,.0f} /s", f"{r['mean_latency_ms']:.2f} ms",
                         f"{r['max_latency_ms']:.0f} ms", f"{r['mutations']:.0f}"])
        self.sections.append((
            "Disk work in the request path: small-RPC latency while the server holds "
            "256 MiB of shares",
            ["server", "PostSumpoint rate (8 conns)", "mean latency", "worst latency",
             "sessions created meanwhile"], rows,
            ["loadgen rate --mutate-every 200: every 200 ms connection 0 creates a "
             "session instead (a change to journal, and to snapshot at the next "
             "interval); the other calls are PostSumpoint duplicates that touch no disk.",
             "The worst latency is the longest any call waited. The snapshot is written "
             "by a forked child (the loop only starts a journal segment and forks; the "
             "default snapshot interval is 10 s, 1 s here to catch some) and the journal's "
             "fsync runs on its own thread, but under --fsync always every answer produced "
             "while a record is not yet on disk waits for it, and that fsync queues behind "
             "the child's writes."]))

    # -- growth -------------------------------------------------------------------

    def section_sessions(self):
        """Creates per second with few sessions held and with many, and the
        start (journal replay) of a server holding them (issue 12: the
        lookup scanned every session)."""
        total = 10000 if self.quick else 100000
        extra = ("--max-sessions", str(total), "--max-sessions-per-party", str(total),
                 "--fsync", "no")
        log(f"sessions: {total:,} creates")
        srv = Server(self, extra)
        first, last = self.lg(srv, "creates", "--sessions", str(total), "--depth", "16")
        srv.stop(keep=True)
        t0 = time.monotonic()
        again = Server(self, extra, state=srv.state)
        start = time.monotonic() - t0
        again.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)
        rows = [[f"{total:,} sessions of 2 parties, one connection, 16 in flight",
                 f"{first['rate']:,.0f} /s", f"{last['rate']:,.0f} /s",
                 f"{last['rate'] / first['rate']:.2f}", fmt_s(start)]]
        self.sections.append((
            "Session lookup: creates as the sessions held grow",
            ["case", "creates/s, first tenth", "creates/s, last tenth",
             "last / first", f"start with {total:,} (replay)"], rows,
            ["loadgen creates on a server with --fsync no (the lookup, not the disk, "
             "is measured); the start is the time from exec to 'listening' on the same "
             "state folder after a SIGKILL, every create replayed from the journal.",
             "With a scan per lookup the last tenth ran ~12x slower at 90,000 sessions "
             "(issue 12); the index keeps the ratio near 1."]))

    def section_growth(self):
        import math
        rows = []
        by_n = [(5, 2, 1), (10, 4, 1), (25, 12, 1), (50, 24, 1), (100, 49, 1)]
        by_L = [(5, 2, 1), (5, 2, 10000), (5, 2, 100000), (5, 2, 1000000)]
        srv_n = [75, 150, SESSION_N, 500]
        if self.quick:
            by_n = by_n[:4]
            srv_n = srv_n[:3]
        for case in by_n + by_L:
            r = self.e2e.get(case)
            if r is None:
                log(f"growth n={case[0]} L={case[2]}")
                r = self.end_to_end(*case, seed=2)
                self.e2e[case] = r

        def slope(xs, ys):
            """Exponent k of y ~ x^k between the first and last point."""
            try:
                return math.log(ys[-1] / ys[0]) / math.log(xs[-1] / xs[0])
            except (ValueError, ZeroDivisionError):
                return float("nan")

        notes = []
        for label, cases, var in (("n (L = 1)", by_n, 0), ("L (n = 5, t = 2)", by_L, 2)):
            for case in cases:
                r = self.e2e[case]
                ph = r["phases"]
                rows.append([label, f"n={case[0]} L={case[2]}", fmt_s(r["wall"]),
                             fmt_s(ph["share"]["cpu_mean"]), fmt_s(ph["sumpoint"]["cpu_mean"]),
                             fmt_s(ph["result"]["cpu_max"]), fmt_s(r["server_cpu"]),
                             fmt_kb(r["server_hwm"]),
                             fmt_kb(max(ph[k]["rss_max"] for k in ("share", "sumpoint", "result"))),
                             fmt_bytes(r["wire_in"] + r["wire_out"])])
            xs = [c[var] for c in cases]
            rs = [self.e2e[c] for c in cases]
            # The smallest cases are start-up bound; the exponents use the
            # upper half of the range, where the work dominates.
            k = len(cases) // 2
            ex = lambda f: slope(xs[k - 1:] if k > 0 else xs, [f(r) for r in (rs[k - 1:] if k > 0 else rs)])
            notes.append(
                f"vs {label.split()[0]}, measured exponents (y ~ x^k, from "
                f"{label.split()[0]}={xs[max(k - 1, 0)]} to {xs[-1]}): total wall "
                f"{ex(lambda r: r['wall']):.2f}, share CPU per party "
                f"{ex(lambda r: r['phases']['share']['cpu_mean']):.2f}, server CPU "
                f"{ex(lambda r: r['server_cpu']):.2f}, wire bytes "
                f"{ex(lambda r: r['wire_in'] + r['wire_out']):.2f}, server peak RSS above "
                f"7 MiB {ex(lambda r: max(r['server_hwm'] - 7 * 1024, 1)):.2f}")
        # The server alone, n parties through loadgen (no party processes).
        sn = []
        for n in srv_n:
            if n == SESSION_N and getattr(self, "session_big", None):
                ph = self.session_big
            else:
                log(f"growth: loadgen session n={n}")
                srv = Server(self)
                ph = {r["phase"]: r for r in self.lg(srv, "session", "--n", str(n), "--L", "1")}
                srv.stop()
            sn.append(ph)
            work = ph["submit"]["wall"] + ph["get_share"]["wall"]
            cpu = sum(ph[p]["server_cpu"] for p in SESSION_WORK)
            rows.append(["n, server only (loadgen, L = 1)", f"n={n} L=1",
                         fmt_s(ph["total"]["wall"]), "", "", "", fmt_s(cpu),
                         fmt_kb(ph["submit"]["server_rss_kb"]), "",
                         fmt_bytes(ph["total"]["bytes_in"] + ph["total"]["bytes_out"])])
        xs = srv_n
        notes.append(
            f"server only, n={xs[0]}..{xs[-1]}: exponents: server CPU after connecting "
            f"{slope(xs, [sum(p[q]['server_cpu'] for q in SESSION_WORK) for p in sn]):.2f}, "
            f"connect (handshakes) {slope(xs, [p['connect']['server_cpu'] for p in sn]):.2f}, "
            f"bytes {slope(xs, [p['total']['bytes_in'] + p['total']['bytes_out'] for p in sn]):.2f}, "
            f"RSS above 7 MiB {slope(xs, [max(p['submit']['server_rss_kb'] - 7 * 1024, 1) for p in sn]):.2f}")
        self.growth = rows
        self.sections.append((
            "Growth: time and memory vs n and vs L",
            ["vs", "case", "total wall", "share CPU/party", "sumpoint CPU/party",
             "result CPU", "server CPU", "server peak RSS", "party peak RSS", "wire total"],
            rows,
            ["End-to-end rows: real parties as above (all n at once on 2 cores). "
             "Server-only rows: loadgen session (connect, create, submit, get_share, "
             "post, list), RSS after the submissions, with n connections open.",
             "Expected: a party does O(n t L) field operations, O(n) HPKE seals or "
             "opens of 8L bytes and O(n) certificate checks, so O(n^2) for n parties "
             "in all at L = 1; the server holds and relays n^2 sealed shares of 48 + 8L "
             "bytes: O(n^2 L) bytes, O(n) handshakes.", *notes]))

    # -- output -------------------------------------------------------------------

    def target(self, what, measured, ratio, ok, how):
        self.targets.append((what, measured, ratio, "met" if ok else "MISSED", how))

    def table(self, header, rows):
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
        out = [line, "  ".join("-" * w for w in widths)]
        for r in rows:
            out.append("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
        return "\n".join(out)

    def print_all(self, load_start, share):
        hs = self.refs.get("hs")
        print("=" * 78)
        print("secure-sum benchmark  (make bench; bench/bench.py; docs/BENCHMARKS.md)")
        print(f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}   "
              f"git: {subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}")
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
        print(f"machine: {os.cpu_count()} cores, {model}; "
              f"{subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.strip()}")
        print(f"load average (1, 5, 15 min): at start {load_start}; at end {uptime()} "
              "(the end counts the benchmark's own processes)")
        others, wall = share.others()
        print(f"CPU used by other processes during the run: {others:.1f} core-s in "
              f"{wall:.0f} s ({others / wall:.2f} cores on average; /proc/stat less "
              "the benchmark's own and its children's)")
        up = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print(f"uptime at the end: {up}")
        if os.nice(0) != 0:
            print(f"niceness of the benchmark and everything it started: {os.nice(0)} "
                  "(run under nice: other processes get the CPU only when it idles)")
        if float(load_start.split()[0]) > 1.0:
            print("NOTE: the machine was busy at the start (load average > 1): "
                  "wall-clock figures and rates are lower than on a quiet machine; "
                  "CPU-time figures are less affected. Rerun when `uptime` shows < 1.")
        if self.quick:
            print("QUICK RUN (--quick): shorter measurements, fewer growth points")
        print()
        if "aes" in self.refs:
            print(f"reference: openssl speed -evp aes-128-gcm, 16 KiB blocks, one core: "
                  f"{self.refs['aes'] / 1e6:,.0f} MB/s")
        if "sha256" in self.refs:
            print(f"reference: openssl speed -evp sha256, 16 KiB blocks, one core: "
                  f"{self.refs['sha256'] / 1e6:,.0f} MB/s")
        if hs:
            print(f"reference: in-process TLS 1.3 mTLS handshake loop (memory BIO pair, "
                  f"server's SSL_CTX): {hs['server_cpu_per_hs_us']:.0f} us server CPU + "
                  f"{hs['client_cpu_per_hs_us']:.0f} us client CPU per handshake -> bound "
                  f"{hs['bound_per_core']:,.0f} handshakes/s per server core")
        for title, header, rows, notes in self.sections:
            print()
            print(f"== {title}")
            print(self.table(header, rows))
            for n in notes:
                print(f"   - {n}")
        for label, lines in self.profiles:
            print()
            print(f"== Profile (perf, --children, calls >= 2 %): {label}")
            for l in lines:
                print(l)
        if self.targets:
            busy = busiest(load_start)
            print()
            print("== Targets (issues 5, 11 and 14); ratio >= 1.00 means met")
            if busy > VERDICT_LOAD_MAX:
                print(f"NO VERDICTS: the 1-minute load average was {busy:.2f} at the "
                      f"start (above {VERDICT_LOAD_MAX}); the figures are "
                      "printed, marked (busy), and say nothing about the targets.")
            elif others / wall > OTHERS_CORES_MAX:
                busy = float("inf")
                print(f"NO VERDICTS: other processes used {others / wall:.2f} cores on "
                      f"average during the run (above {OTHERS_CORES_MAX}); the figures "
                      "are printed, marked (busy), and say nothing about the targets.")
            print(self.table(["target", "measured", "ratio", "verdict", "ratio is"],
                             [[a, b, f"{c:.2f}", verdict(d, busy), e]
                              for a, b, c, d, e in self.targets]))
        print("=" * 78)
        sys.stdout.flush()


def e2e_cases(text):
    """--e2e-cases: "100,49,1;10,4,1" -> [(100, 49, 1), (10, 4, 1)]."""
    try:
        cases = [tuple(int(x) for x in c.split(",")) for c in text.split(";") if c]
    except ValueError:
        cases = []
    if not cases or any(len(c) != 3 or not 1 <= c[1] < c[0] or c[2] < 1 for c in cases):
        raise argparse.ArgumentTypeError("cases are N,T,L with 1 <= T < N and L >= 1, "
                                         "separated by ';'")
    return cases


def json_sum(total):
    """A sum as `mpc-client --json` prints it: decimal strings (docs/CLI.md)."""
    return [str(v) for v in total]


def e2e_json(case, r):
    """An end-to-end case's figures, each phase's without its processes'
    output: wall, server CPU, the parties' largest and mean CPU."""
    phases = {k: {f: v for f, v in p.items() if f != "results"}
              for k, p in r["phases"].items()}
    return {"case": list(case), **{k: v for k, v in r.items() if k != "phases"},
            "phases": phases}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--quick", action="store_true", help="shorter runs (a smoke test)")
    ap.add_argument("--only", default="",
                    help="comma-separated: e2e,run,party,load,stalls,growth,sessions (load includes grpc)")
    ap.add_argument("--profile", action="store_true",
                    help="also sample the server (and the n=1000 party) with perf")
    ap.add_argument("--json", help="also write every figure to this file")
    ap.add_argument("--e2e-cases", type=e2e_cases, metavar="N,T,L[;N,T,L...]",
                    help="the end-to-end cases to run instead of the standard five")
    ap.add_argument("--server-bin", default=SERVER,
                    help="the mpc-server to measure (to try a server change side by side)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))

    def want(x):
        return not only or x in only

    for exe in (args.server_bin, CLIENT):
        if not os.access(exe, os.X_OK):
            die(f"{exe} is missing: run make first")
    b = Bench(args)
    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(1)))
    load_start = uptime()
    share = MachineShare()
    t0 = time.monotonic()
    try:
        log(f"load average at start: {load_start}")
        b.make_certs(1000)
        log("references: openssl speed, in-process handshake loop")
        b.ref_aes()
        b.ref_sha256()
        b.ref_handshake()
        if want("e2e"):
            b.section_e2e()
        if want("run"):
            b.section_run()
        if want("party"):
            b.section_party()
        if want("load"):
            b.section_load()
            b.section_memory()
            b.section_grpc()
        if want("stalls"):
            b.section_stalls()
        if want("growth"):
            b.section_growth()
        if want("sessions"):
            b.section_sessions()
    finally:
        cleanup()
        shutil.rmtree(b.tmp, ignore_errors=True)
    log(f"finished in {time.monotonic() - t0:.0f} s")
    b.print_all(load_start, share)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"refs": b.refs, "targets": b.targets, "sections": b.sections,
                       "e2e": [e2e_json(k, r) for k, r in b.e2e.items()],
                       "run": [{"case": list(k), "sessions": v} for k, v in b.runs.items()],
                       "load": [load_start, uptime()]},
                      f, indent=1, default=str)


if __name__ == "__main__":
    main()
