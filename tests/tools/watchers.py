#!/usr/bin/python3
"""watchers.py: many parties' connections waiting on one session (the watch).

Opens COUNT TLS connections to a real mpc-server as one party (mutual TLS
with the test CA's certificates), reads the session's version with one
GetStatus, then sends on every connection a GetStatus that watches that
version (docs/PROTOCOL.md 7.6.1). It checks that the server holds them all
(no answer for --hold-ms), waits until the server has read them all (a
window of 100 ms in which it used at most 1 ms of CPU, bounded by 10 s),
measures the server's CPU over the next second of holding them,
then makes one change -- a PublishKey by another party of the session,
which changes every session naming it -- and times each answer from the
moment the change was sent: every one must come, OK, with a new version.
Times are also given from the change's acknowledgement: with --fsync
always every answer that reports a change waits, as the change's own
answer does, for its journal record to be on disk. With --expect-timeout
it makes no change and checks instead that each answer comes once its
watch_ms passed, with the same version. With --creates K the session is
one that does not exist: the requests watch version 0, the changer
creates K sessions of other names while they are held (the server's CPU
per creation is reported: a creation must not make it look at every
waiter again), and each answer must come NOT_FOUND once its watch_ms
passed.

Prints one JSON object: held, early (answered while they should be held),
woken, bad (answers not OK or without a new version), the wake-up latency
in ms (median, p90, max), the server's CPU (its utime + stime from
/proc, with --server-pid) per second of holding and for the wake, and its
resident memory (VmRSS) before the connections and while they are held. Exit
status 0 when every connection was held and woken as it should be, 1 when
not, 2 on bad usage.
"""
import argparse
import json
import os
import resource
import selectors
import socket
import ssl
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="HOST:PORT")
    ap.add_argument("--py", required=True, help="folder holding securesum_pb2.py")
    ap.add_argument("--certs", required=True, help="the test certificates' folder")
    ap.add_argument("--party", required=True, help="who waits (NAME.crt, NAME.key)")
    ap.add_argument("--changer", help="who changes the session: publishes "
                    "NAME.enc.crt (a party of the session that has not yet)")
    ap.add_argument("--session", required=True)
    ap.add_argument("--count", type=int, default=1, help="connections waiting")
    ap.add_argument("--watch-ms", type=int, default=20000)
    ap.add_argument("--hold-ms", type=int, default=300,
                    help="how long every request must stay unanswered")
    ap.add_argument("--server-pid", type=int, help="to read the server's CPU")
    ap.add_argument("--creates", type=int, default=0,
                    help="watch a missing session; the changer creates this "
                    "many sessions of other names meanwhile")
    ap.add_argument("--expect-timeout", action="store_true",
                    help="change nothing; each answer comes at watch_ms")
    ap.add_argument("--timeout", type=float, default=60.0)
    return ap.parse_args()


def cpu_ms(pid):
    """The CPU time of the process's threads in ms (schedstat's ns, finer
    than stat's clock ticks), or None without a pid."""
    if pid is None:
        return None
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass    # a thread that ended meanwhile
    return total / 1e6


def rss_kib(pid):
    """The process's resident memory in KiB (VmRSS), or None without a pid."""
    if pid is None:
        return None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


class Conn:
    """One TLS connection with framed requests and responses."""

    def __init__(self, ctx, host, port):
        raw = socket.create_connection((host, port), timeout=30)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        self.buf = bytearray()
        self.answers = []     # (time, Response)
        self.closed = False   # the server ended the connection

    def send(self, pb, req):
        payload = req.SerializeToString()
        self.sock.sendall(len(payload).to_bytes(4, "big") + payload)

    def parse(self, pb):
        """Takes every whole response out of the buffer, with the time now."""
        t = time.perf_counter()
        while len(self.buf) >= 4:
            n = int.from_bytes(self.buf[:4], "big")
            if len(self.buf) < 4 + n:
                break
            resp = pb.Response()
            resp.ParseFromString(bytes(self.buf[4:4 + n]))
            del self.buf[:4 + n]
            self.answers.append((t, resp))

    def recv(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionError, ssl.SSLEOFError):
            data = b""
        if not data:
            self.closed = True
        self.buf += data

    def read_available(self, pb):
        """Reads what has arrived (non-blocking socket) and parses it."""
        while not self.closed:
            try:
                self.recv()
            except (ssl.SSLWantReadError, BlockingIOError):
                break
        self.parse(pb)

    def call(self, pb, req):
        """One request and its answer, blocking."""
        self.sock.setblocking(True)
        self.send(pb, req)
        while not self.answers:
            if self.closed:
                raise ConnectionError("the server closed the connection")
            self.recv()
            self.parse(pb)
        return self.answers.pop(0)[1]


def status_request(pb, session, version=0, watch_ms=0, rid=1):
    req = pb.Request(id=rid, method=pb.GET_STATUS)
    req.get_status.session_id = session
    req.get_status.watch_version = version
    req.get_status.watch_ms = watch_ms
    return req


def tls_context(certs, party):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(os.path.join(certs, "ca.crt"))
    ctx.load_cert_chain(os.path.join(certs, party + ".crt"),
                        os.path.join(certs, party + ".key"))
    return ctx


def collect(pb, conns, until, deadline):
    """Reads answers until until() or the deadline; False on the deadline."""
    sel = selectors.DefaultSelector()
    for c in conns:
        c.sock.setblocking(False)
        sel.register(c.sock, selectors.EVENT_READ, c)
    try:
        while not until():
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            for key, _ in sel.select(timeout=min(left, 0.05)):
                key.data.read_available(pb)
                if key.data.closed:
                    sel.unregister(key.fileobj)
            # TLS may hold decrypted bytes that select() cannot see.
            for c in conns:
                if not c.closed and c.sock.pending():
                    c.read_available(pb)
        return True
    finally:
        sel.close()


def settle(pb, conns, pid, window=0.1, quiet_ms=1.0, bound=10.0):
    """Waits until the server has worked through the requests it was sent:
    on a busy machine it may still be reading them once --hold-ms passed,
    and that work is not the cost of holding them. Settled is a window of
    `window` s in which the server used at most `quiet_ms` of CPU; a server
    that spends CPU on every held request all the time never settles, and
    after `bound` s the holding is measured anyway. Returns the ms waited."""
    if pid is None:
        return 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < bound:
        before = cpu_ms(pid)
        collect(pb, conns, lambda: False, time.perf_counter() + window)
        if cpu_ms(pid) - before <= quiet_ms:
            break
    return (time.perf_counter() - t0) * 1000.0


def publish(pb, args, host, port):
    """PublishKey by the changer: when it was sent, and when acknowledged."""
    path = os.path.join(args.certs, args.changer + ".enc.crt")
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    c = Conn(tls_context(args.certs, args.changer), host, port)
    req = pb.Request(id=7, method=pb.PUBLISH_KEY)
    req.publish_key.certificate = der
    t0 = time.perf_counter()
    resp = c.call(pb, req)
    t_ack = time.perf_counter()
    if resp.code != 0 or resp.publish_key.duplicate:
        sys.exit("watchers: the change was not made: code %d, duplicate %s"
                 % (resp.code, resp.publish_key.duplicate))
    c.sock.close()
    return t0, t_ack


def create_others(pb, args, host, port):
    """The changer's CreateSession of --creates sessions named c0, c1, ...
    (with the changer and the waiter, threshold 1), one after the other."""
    c = Conn(tls_context(args.certs, args.changer), host, port)
    for i in range(args.creates):
        req = pb.Request(id=100 + i, method=pb.CREATE_SESSION)
        p = req.create_session.params
        p.session_id = "%s/c%d" % (args.changer, i)
        p.parties.extend([args.changer, args.party])
        p.threshold = 1
        p.length = 1
        resp = c.call(pb, req)
        if resp.code != 0:
            sys.exit("watchers: CreateSession %s: code %d %s"
                     % (p.session_id, resp.code, resp.message))
    c.sock.close()


def open_all(args, host, port):
    ctx = tls_context(args.certs, args.party)
    return [Conn(ctx, host, port) for _ in range(args.count)]


def main():
    args = parse_args()
    if not args.expect_timeout and not args.changer:
        sys.exit("watchers: --changer or --expect-timeout")
    if args.creates:
        args.expect_timeout = True
    sys.path.insert(0, args.py)
    import securesum_pb2 as pb

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host, port = args.server.rsplit(":", 1)
    port = int(port)
    rss0 = rss_kib(args.server_pid)
    conns = open_all(args, host, port)
    first = conns[0].call(pb, status_request(pb, args.session))
    if args.creates:
        if first.code != pb.NOT_FOUND:
            sys.exit("watchers: GetStatus of a missing session answered "
                     "code %d" % first.code)
        version = 0
    elif first.code != 0 or first.get_status.version == 0:
        sys.exit("watchers: GetStatus answered code %d, version %d"
                 % (first.code, first.get_status.version))
    else:
        version = first.get_status.version
    for i, c in enumerate(conns):
        c.send(pb, status_request(pb, args.session, version, args.watch_ms, 2 + i))
    t_sent = time.perf_counter()
    # All held by now; then the server's CPU over a second of holding.
    collect(pb, conns, lambda: False, t_sent + args.hold_ms / 1000.0)
    settle_ms = settle(pb, conns, args.server_pid)
    rss1 = rss_kib(args.server_pid)
    cpu0, t_hold = cpu_ms(args.server_pid), time.perf_counter()
    if args.server_pid is not None and not args.expect_timeout:
        collect(pb, conns, lambda: False, t_hold + 1.0)
    cpu1 = cpu_ms(args.server_pid)
    hold_s = time.perf_counter() - t_hold
    early = sum(1 for c in conns if c.answers)
    cpu_creates = None
    if args.creates:
        c0 = cpu_ms(args.server_pid)
        create_others(pb, args, host, port)
        cpu_creates = cpu_ms(args.server_pid) - c0 if c0 is not None else None
        early = sum(1 for c in conns if c.answers)
    if args.expect_timeout:
        t0 = t_ack = t_sent
    else:
        t0, t_ack = publish(pb, args, host, port)
    done = collect(pb, conns, lambda: all(c.answers for c in conns),
                   time.perf_counter() + args.timeout)
    cpu2 = cpu_ms(args.server_pid)
    lat, after_ack, bad = [], [], 0
    for c in conns:
        if not c.answers:
            continue
        t, resp = c.answers[-1]
        lat.append((t - t0) * 1000.0)
        after_ack.append((t - t_ack) * 1000.0)
        if args.creates:
            if resp.code != pb.NOT_FOUND:
                bad += 1
            continue
        changed = resp.get_status.version != version
        if resp.code != 0 or changed == args.expect_timeout:
            bad += 1
    lat.sort()
    after_ack.sort()
    out = {
        "count": args.count, "held": args.count - early, "early": early,
        "woken": len(lat), "bad": bad, "complete": done,
        "median_ms": round(statistics.median(lat), 2) if lat else None,
        "p90_ms": round(lat[int(0.9 * (len(lat) - 1))], 2) if lat else None,
        "max_ms": round(lat[-1], 2) if lat else None,
        # the same from the change's acknowledgement (its journal fsync,
        # which every answer reporting it waits for too)
        "ack_ms": round((t_ack - t0) * 1000.0, 2),
        "after_ack_median_ms": round(statistics.median(after_ack), 2) if lat else None,
        "after_ack_max_ms": round(after_ack[-1], 2) if lat else None,
    }
    if cpu_creates is not None:
        out["creates"] = args.creates
        out["server_cpu_ms_per_create"] = round(cpu_creates / args.creates, 3)
    if cpu0 is not None:
        out["settle_ms"] = round(settle_ms, 2)
        out["server_cpu_ms_per_s_holding"] = round((cpu1 - cpu0) / hold_s, 2)
        out["server_cpu_ms_wake"] = round(cpu2 - cpu1, 2)
        # what each held request and its connection add to the server's RSS
        out["server_rss_kib_before"] = rss0
        out["server_rss_kib_holding"] = rss1
        out["server_rss_kib_per_held"] = round((rss1 - rss0) / args.count, 2)
    print(json.dumps(out))
    for c in conns:
        c.sock.close()
    ok = done and early == 0 and bad == 0 and len(lat) == args.count
    if args.expect_timeout and lat and lat[0] < args.watch_ms * 0.9:
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
