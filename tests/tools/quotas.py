#!/usr/bin/python3
"""quotas.py: clients that press on mpc-server's limits, for tests/integration/quotas.sh.

Each subcommand prints one JSON object with what it saw; the shell script
decides what passes. Every socket it opens is closed before it exits.

  memflood   --conns TLS connections at once (with --cert), each announcing a
             frame of --len bytes and sending all of it but --short bytes
             (the issue's 18 x 120 MiB into 127 MiB frames, scaled down);
             reports for each what the server answered (RESOURCE_EXHAUSTED,
             a close, or nothing within --wait, the frame held), and the
             server's VmHWM, then holds the connections --hold seconds.
  plainhold  keeps --conns plain TCP connections open (re-opening those the
             server closes) until SIGTERM or --duration, never sending a
             byte (with --byte: one byte each, a record type's, then
             nothing); writes --ready once they are first open.
  slowhello  one TCP connection that dribbles the start of a TLS record,
             one byte every --every seconds, so that it is never idle;
             reports when the server closed it, counted from connect.
  stallhello one TCP connection that sends a whole ClientHello (made by
             Python's TLS client), reads what the server answers, and sends
             nothing more; reports when the server closed it, counted from
             connect, and how many bytes it had answered.
  getflood   a session of --name and --name2 (with --cert2) with --length
             values, each filled; then --requests GetShare requests sent
             at once on one connection, read only after --wait seconds:
             reports their codes, the refusals' messages, whether the
             answers came in order, the server's VmRSS and VmHWM, and a
             GetShare on a new connection afterwards.
  pindelete  session pd0 as getflood's (--length values), then --requests
             GetShare of it on one connection read later, and its creator
             deletes it; then session pd1 of the same size, while those
             answers still send from pd0's memory (refused, the server's
             budget counting pd0 until it is freed); then reads the answers
             and makes pd2 (taken). Reports each step's outcome, the
             answers' codes and sizes, and the server's VmRSS.
  churn      --cycles times: session cN as getflood's (--length values)
             made, filled and deleted by its creator; reports how many
             cycles succeeded, the bytes they sent, and the most and the
             last bytes of journal segments in --state-dir seen after each.

Uses abuse.py's TLS and framing helpers (same folder).
"""
import os
import signal
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from abuse import (Ctx, closed_by_server, emit, exchange, now, parser,  # noqa: E402
                   read_frame, setup_big_session)


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


# ---- memflood ----------------------------------------------------------------

def flood_one(c, a, slot, out, socks):
    """One connection's frame; out[slot] says what became of it."""
    try:
        s = c.tls(timeout=30.0)
    except (OSError, ssl.SSLError) as e:
        out[slot] = "connect failed: %s" % e
        return
    socks[slot] = s
    body = a.len - a.short
    chunk = b"\x08" * (1 << 20)
    try:
        s.sendall(a.len.to_bytes(4, "big"))
        while body > 0:
            n = min(body, len(chunk))
            s.sendall(chunk[:n])
            body -= n
    except (OSError, ssl.SSLError):
        pass    # refused and closed mid-frame: the answer may still be there
    s.settimeout(a.wait)
    try:
        r = c.response(read_frame(s))
        out[slot] = "%s: %s" % (c.pb.Code.Name(r.code), r.message)
    except socket.timeout:
        out[slot] = "held"
    except (OSError, EOFError, ssl.SSLError) as e:
        out[slot] = "closed: %s" % e


def cmd_memflood(c, a):
    out = [None] * a.conns
    socks = [None] * a.conns
    res = {"hwm_before_kb": status_kb(a.pid, "VmHWM"),
           "rss_before_kb": status_kb(a.pid, "VmRSS")}
    threads = [threading.Thread(target=flood_one, args=(c, a, i, out, socks))
               for i in range(a.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res["hwm_after_kb"] = status_kb(a.pid, "VmHWM")
    res["rss_after_kb"] = status_kb(a.pid, "VmRSS")
    res["exhausted"] = sum(1 for o in out if o.startswith("RESOURCE_EXHAUSTED"))
    res["held"] = sum(1 for o in out if o == "held")
    res["closed"] = sum(1 for o in out if o.startswith("closed"))
    res["outcomes"] = sorted(set(o[:160] for o in out))
    emit(res)
    time.sleep(a.hold)
    for s in socks:
        if s is not None:
            s.close()


# ---- plainhold ---------------------------------------------------------------

def plain_open(c, a):
    s = c.tcp()
    if a.byte:
        s.sendall(b"\x16")     # a handshake record's type, and no more
    return s


def cmd_plainhold(c, a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    socks, reopened = [], 0
    for _ in range(a.conns):
        socks.append(plain_open(c, a))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d\n" % len(socks))
    t_end = now() + a.duration
    while not stop and now() < t_end:
        for i, s in enumerate(socks):
            if s is not None and closed_by_server(s, 0.0001) == "open":
                continue
            if s is not None:
                s.close()
            try:
                socks[i] = plain_open(c, a)
                reopened += 1
            except OSError:
                socks[i] = None     # tried again on the next round
        time.sleep(0.02)
    for s in socks:
        if s is not None:
            s.close()
    emit({"conns": a.conns, "reopened": reopened})


# ---- slowhello ---------------------------------------------------------------

def cmd_slowhello(c, a):
    s = c.tcp()
    t0 = now()
    # A handshake record's header announcing 512 bytes, then its body byte by byte.
    pending = b"\x16\x03\x01\x02\x00" + b"\x00" * 512
    how, sent = "open", 0
    s.settimeout(a.every)
    while now() - t0 < a.limit and sent < len(pending):
        try:
            s.sendall(pending[sent:sent + 1])
            sent += 1
            if s.recv(1) == b"":
                how = "eof"
                break
            how = "data"
            break
        except socket.timeout:
            continue
        except OSError as e:
            how = "closed: %s" % e
            break
    emit({"closed_after_s": round(now() - t0, 2), "how": how, "bytes_sent": sent})
    s.close()


# ---- stallhello --------------------------------------------------------------

def cmd_stallhello(c, a):
    """A ClientHello as a party's would be, then silence: the server answers
    it (ServerHello ... CertificateRequest) and waits for our certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=False)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    s = c.tcp()
    t0 = now()
    s.sendall(hello)
    answered, how = 0, "open"
    s.settimeout(0.2)
    while now() - t0 < a.limit:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:
            how = "closed: %s" % e
            break
        if not chunk:
            how = "eof"
            break
        answered += len(chunk)
    emit({"closed_after_s": round(now() - t0, 2), "how": how,
          "hello_bytes": len(hello), "answered_bytes": answered})
    s.close()


# ---- getflood ----------------------------------------------------------------

def read_answers(c, s, n, first_id):
    """n answers on s: codes counted, refusals' messages, ids out of order."""
    codes, msgs, order = {}, set(), True
    for i in range(n):
        r = c.response(read_frame(s))
        name = c.pb.Code.Name(r.code)
        codes[name] = codes.get(name, 0) + 1
        if r.code != 0:
            msgs.add(r.message[:200])
        order = order and r.id == first_id + i
    return codes, sorted(msgs), order


def cmd_getflood(c, a):
    res = {}
    err = setup_big_session(c, a)
    if err:
        emit({"error": err})
        return
    one = c.request(1, "GET_SHARE", get_share={"session_id": a.session, "party": a.name})
    reqs = b"".join(c.request(100 + i, "GET_SHARE", get_share={
        "session_id": a.session, "party": a.name}) for i in range(a.requests))
    res["rss_before_kb"] = status_kb(a.pid, "VmRSS")
    s = c.tls(timeout=60.0)
    try:
        s.sendall(reqs)
        time.sleep(a.wait)
        res["rss_stalled_kb"] = status_kb(a.pid, "VmRSS")
        res["codes"], res["refusals"], res["in_order"] = read_answers(
            c, s, a.requests, 100)
    except (OSError, EOFError, ssl.SSLError) as e:
        res["error"] = "flood: %s" % e
    finally:
        s.close()
    res["hwm_after_kb"] = status_kb(a.pid, "VmHWM")
    s = c.tls(timeout=30.0)
    try:
        r = exchange(c, s, one)
        res["after"] = "%s %d" % (c.pb.Code.Name(r.code), len(r.get_share.shares))
    except (OSError, EOFError, ssl.SSLError) as e:
        res["after"] = "failed: %s" % e
    finally:
        s.close()
    emit(res)


# ---- pindelete ---------------------------------------------------------------

def delete_session(c, sid):
    """alice (--cert) deletes sid: 'OK' or the code and message."""
    s = c.tls(timeout=30.0)
    try:
        r = exchange(c, s, c.request(1, "DELETE_SESSION", delete_session={"session_id": sid}))
    finally:
        s.close()
    return "OK" if r.code == 0 else "%s %s" % (c.pb.Code.Name(r.code), r.message)


def make_session(c, a, name):
    """Session NAME as getflood's; on a refusal, what was made is deleted."""
    a.session = name
    try:
        err = setup_big_session(c, a)
    except (OSError, EOFError, ssl.SSLError) as e:
        err = "failed: %s" % e
    if err:
        delete_session(c, "%s/%s" % (a.name, name))
    return err or "OK"


def cmd_pindelete(c, a):
    res = {}
    sid = "%s/pd0" % a.name
    res["pd0"] = make_session(c, a, "pd0")
    if res["pd0"] != "OK":
        emit(res)
        return
    reader = c.tls(timeout=60.0)
    try:
        reader.sendall(b"".join(c.request(100 + i, "GET_SHARE", get_share={
            "session_id": sid, "party": a.name}) for i in range(a.requests)))
        time.sleep(a.wait)
        res["delete_pd0"] = delete_session(c, sid)
        res["rss_deleted_kb"] = status_kb(a.pid, "VmRSS")
        res["pd1"] = make_session(c, a, "pd1")
        res["rss_pd1_kb"] = status_kb(a.pid, "VmRSS")
        codes, sizes = {}, set()
        for i in range(a.requests):
            r = c.response(read_frame(reader))
            codes[c.pb.Code.Name(r.code)] = codes.get(c.pb.Code.Name(r.code), 0) + 1
            sizes.update(len(x.ciphertext) for x in r.get_share.shares)
            sizes.add("%d shares" % len(r.get_share.shares))
        res["codes"], res["sizes"] = codes, sorted(map(str, sizes))
    except (OSError, EOFError, ssl.SSLError) as e:
        res["error"] = "reader: %s" % e
    finally:
        reader.close()
    time.sleep(0.5)
    res["pd2"] = make_session(c, a, "pd2")
    res["rss_end_kb"] = status_kb(a.pid, "VmRSS")
    emit(res)


# ---- churn -------------------------------------------------------------------

def journal_bytes(state_dir):
    total = 0
    for f in os.listdir(state_dir):
        if f.startswith("journal.") and f.endswith(".bin"):
            try:
                total += os.path.getsize(os.path.join(state_dir, f))
            except OSError:
                pass    # removed meanwhile
    return total


def cmd_churn(c, a):
    res = {"ok": 0, "errors": [], "most_journal": 0}
    for i in range(a.cycles):
        name = "c%d" % i
        err = make_session(c, a, name)
        if err == "OK":
            err = delete_session(c, "%s/%s" % (a.name, name))
        if err == "OK":
            res["ok"] += 1
        else:
            res["errors"].append(err[:200])
        res["most_journal"] = max(res["most_journal"], journal_bytes(a.state_dir))
    res["sent"] = a.cycles * 6 * (48 + 8 * a.length)
    res["last_journal"] = journal_bytes(a.state_dir)
    emit(res)


def two_party(sub, cmd, length):
    """A subcommand whose sessions are --name's and --name2's (--cert2), of --length values."""
    p = sub.add_parser(cmd)
    p.add_argument("--cert2", required=True)
    p.add_argument("--key2", required=True)
    p.add_argument("--name", default="alice")
    p.add_argument("--name2", default="bob")
    p.add_argument("--length", type=int, default=length)
    return p


def main():
    ap = parser(__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    m = sub.add_parser("memflood")
    m.add_argument("--conns", type=int, default=18)
    m.add_argument("--len", type=int, required=True)
    m.add_argument("--short", type=int, default=1)
    m.add_argument("--wait", type=float, default=3.0)
    m.add_argument("--hold", type=float, default=0.0)

    p = sub.add_parser("plainhold")
    p.add_argument("--conns", type=int, required=True)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--ready")
    p.add_argument("--byte", action="store_true")

    s = sub.add_parser("slowhello")
    s.add_argument("--every", type=float, default=0.5)
    s.add_argument("--limit", type=float, default=30.0)

    h = sub.add_parser("stallhello")
    h.add_argument("--limit", type=float, default=30.0)

    g = two_party(sub, "getflood", 500)
    g.add_argument("--session", default="gf")
    g.add_argument("--requests", type=int, default=6000)
    g.add_argument("--wait", type=float, default=2.0)

    d = two_party(sub, "pindelete", 200000)
    d.add_argument("--requests", type=int, default=8)
    d.add_argument("--wait", type=float, default=1.0)

    ch = two_party(sub, "churn", 200000)
    ch.add_argument("--cycles", type=int, default=20)
    ch.add_argument("--state-dir", required=True)

    a = ap.parse_args()
    c = Ctx(a)
    {"memflood": cmd_memflood, "plainhold": cmd_plainhold,
     "slowhello": cmd_slowhello, "stallhello": cmd_stallhello,
     "getflood": cmd_getflood, "pindelete": cmd_pindelete,
     "churn": cmd_churn}[a.cmd](c, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
