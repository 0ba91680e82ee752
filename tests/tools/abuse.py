#!/usr/bin/python3
"""abuse.py: hostile connections against mpc-server, for tests/integration/abuse.sh.

Each subcommand plays one kind of abusive client on loopback, bounded in
count and time, and prints one JSON object with what it saw; the shell
script decides what passes. Every socket it opens is closed before it exits.

  flood     N TCP connections that never start a handshake, and M TLS
            connections that finish it and then stall mid-frame (a length
            header and part of the body), kept open (and, with --refill,
            reopened when the server closes them) until SIGTERM or
            --duration; reports when the server closed each kind.
  maxconn   holds --hold plain connections (the server's --max-connections),
            then checks that one more is closed at once without a byte, that
            a TLS client is refused, and that after --release of the held
            ones a TLS client is served again.
  hog       holds --hold TLS connections as --cert2 (each served once), so
            filling --max-connections; then reports what a TLS client as
            --cert gets, and which held ones the server closed.
  bigframe  sends one frame header announcing --len bytes and only --body of
            them; reports the response (if any) and the server's VmRSS.
  garbage   a well-behaved connection, then a victim one sending garbage
            (--mode frame: a frame that is no Request, followed by a valid
            request; tls: raw bytes under TLS; pre: bytes that are no TLS at
            all); reports what the victim got and that the first connection
            is still served.
  probe     a TLS handshake with --cert, then nothing sent: reports what the
            server does (in TLS 1.3 it judges the client certificate after
            the client's side of the handshake, so a refusal comes as an
            alert here, e.g. "alert: SSLV3_ALERT_CERTIFICATE_EXPIRED").
  noread    creates a session with vectors of --length elements, fills it,
            then pipelines --requests GetShare/ListSumpoints requests on
            --conns connections without reading, samples the server's VmRSS,
            and then reads everything that comes.

Python classes come from `protoc --python_out=DIR proto/securesum.proto`
(--py DIR), as for rawclient.py.
"""
import argparse
import errno
import json
import os
import selectors
import signal
import socket
import ssl
import statistics
import sys
import time

P = (1 << 61) - 1
HDR = 4


def now():
    return time.monotonic()


def rss_kb(pid):
    """The process's VmRSS in KiB, or None if it is gone."""
    if not pid:
        return None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def stats(values):
    if not values:
        return {"n": 0}
    return {"n": len(values), "min": round(min(values), 3),
            "median": round(statistics.median(values), 3),
            "max": round(max(values), 3)}


def frame(payload):
    return len(payload).to_bytes(4, "big") + payload


class Ctx:
    """Server address, TLS settings and the protobuf module."""

    def __init__(self, a):
        self.host, _, port = a.server.rpartition(":")
        self.host = self.host.strip("[]")
        self.port = int(port)
        self.a = a
        self.pb = None
        if a.py:
            sys.path.insert(0, a.py)
            import securesum_pb2  # noqa: E402 (generated at test time)
            self.pb = securesum_pb2

    def context(self, cert=None, key=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(self.a.ca)
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    def tcp(self, timeout=5.0):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        # No Nagle: a request must not wait for the ACK of the handshake.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def tls(self, cert=None, key=None, timeout=5.0):
        cert = cert or self.a.cert
        key = key or self.a.key
        raw = self.tcp(timeout)
        try:
            return self.context(cert, key).wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise

    def request(self, rid, method, **body):
        """A serialized Request frame; body is one field=dict pair."""
        from google.protobuf import json_format
        (field, value), = body.items()
        req = json_format.ParseDict({"id": rid, "method": method, field: value},
                                    self.pb.Request())
        return frame(req.SerializeToString())

    def response(self, data):
        r = self.pb.Response()
        r.ParseFromString(data)
        return r


def read_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("the server closed the connection")
        buf += chunk
    return bytes(buf)


def read_frame(sock):
    n = int.from_bytes(read_exact(sock, HDR), "big")
    return read_exact(sock, n)


def closed_by_server(sock, wait):
    """Waits up to `wait` s: 'eof', 'reset', 'alert: ...', 'data:N' or 'open'."""
    sock.settimeout(wait)
    got = 0
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return "eof" if got == 0 else "data:%d" % got
            got += len(chunk)
    except socket.timeout:
        return "open" if got == 0 else "data:%d" % got
    except ssl.SSLError as e:
        if isinstance(e, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
            return "eof" if got == 0 else "data:%d" % got
        return "alert: %s" % (e.reason or e)
    except ConnectionResetError:
        return "reset" if got == 0 else "data:%d" % got
    except OSError as e:
        return "error: %s" % e


def emit(obj):
    print(json.dumps(obj, sort_keys=True), flush=True)


# ---- flood ---------------------------------------------------------------

class Flood:
    """Everything non-blocking in one selector loop, so that the moment the
    server closes a connection is seen at once, even while others are being
    reopened (a blocking handshake would hide closes behind it)."""
    IDLE, STALL = "idle", "stall"
    MAX_HANDSHAKING = 16
    # States of a stalled connection before it stalls.
    CONNECTING, HANDSHAKING, STALLED = "connecting", "handshaking", "stalled"

    def __init__(self, c, a):
        self.c, self.a = c, a
        self.sel = selectors.DefaultSelector()
        self.ctx = c.context(a.cert, a.key)
        # fd -> {"kind", "sock", "state", "t_open", "t_send"}
        self.conns = {}
        self.life = {self.IDLE: [], self.STALL: []}
        self.opened = {self.IDLE: 0, self.STALL: 0}
        self.failed = {self.IDLE: 0, self.STALL: 0}
        self.data = {self.IDLE: 0, self.STALL: 0}
        self.how = {}
        self.max_open = 0
        self.stop = False
        # Stalled-to-be connections waiting for a handshake slot, and how
        # many are connecting or handshaking now: a few at a time, so that
        # on a loaded machine our own slowness does not push a handshake
        # past the server's handshake timeout (which would be counted as a
        # failure, or as a stall closed too early).
        self.queued = 0
        self.handshaking = 0
        self.payload = a.frame_len.to_bytes(4, "big") + b"\x08" * a.body

    def new_socket(self, kind):
        s = socket.socket(socket.AF_INET6 if ":" in self.c.host else socket.AF_INET,
                          socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = s.connect_ex((self.c.host, self.c.port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            self.failed[kind] += 1
            return None
        return s

    def open(self, kind):
        t = now()
        s = self.new_socket(kind)
        if s is None:
            return
        if kind == self.IDLE:
            self.track(s, {"kind": kind, "state": self.STALLED, "t_open": t, "t_send": t},
                       selectors.EVENT_READ)
        else:
            self.track(s, {"kind": kind, "state": self.CONNECTING, "t_open": t,
                           "t_send": None}, selectors.EVENT_WRITE)
            self.handshaking += 1
        self.opened[kind] += 1
        self.max_open = max(self.max_open, len(self.conns))

    def track(self, s, st, events):
        st["sock"] = s
        self.conns[s.fileno()] = st
        self.sel.register(s, events)

    def reopen(self, kind):
        """With --refill, a new connection of kind in place of one gone."""
        if not self.a.refill or self.stop:
            return
        if kind == self.IDLE:
            self.open(kind)
        else:
            self.queued += 1

    def pump(self):
        """Opens queued stalled-to-be connections while slots are free."""
        while self.queued and self.handshaking < self.MAX_HANDSHAKING and not self.stop:
            self.queued -= 1
            self.open(self.STALL)

    def drop(self, st):
        if st["state"] != self.STALLED:
            self.handshaking -= 1
        self.sel.unregister(st["sock"])
        del self.conns[st["sock"].fileno()]
        st["sock"].close()

    def fail(self, st):
        self.failed[st["kind"]] += 1
        self.opened[st["kind"]] -= 1
        self.drop(st)
        self.reopen(st["kind"])

    def advance(self, st):
        """Moves a stalled-to-be connection through connect and handshake."""
        s = st["sock"]
        if st["state"] == self.CONNECTING:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                return self.fail(st)
            self.sel.unregister(s)
            del self.conns[s.fileno()]
            s = self.ctx.wrap_socket(s, server_hostname=self.c.host,
                                     do_handshake_on_connect=False)
            st["state"] = self.HANDSHAKING
            self.track(s, st, selectors.EVENT_WRITE | selectors.EVENT_READ)
        try:
            s.do_handshake()
        except ssl.SSLWantReadError:
            self.sel.modify(s, selectors.EVENT_READ)
            return None
        except ssl.SSLWantWriteError:
            self.sel.modify(s, selectors.EVENT_WRITE)
            return None
        except (OSError, ssl.SSLError):
            return self.fail(st)
        # A length header, then only part of the body: about 100 bytes,
        # which a fresh connection's socket buffer always takes.
        try:
            n = s.send(self.payload)
        except (OSError, ssl.SSLError):
            return self.fail(st)
        if n != len(self.payload):
            return self.fail(st)
        st["state"], st["t_send"] = self.STALLED, now()
        self.handshaking -= 1
        self.sel.modify(s, selectors.EVENT_READ)
        return None

    def on_event(self, st):
        if st["state"] != self.STALLED:
            return self.advance(st)
        s, kind = st["sock"], st["kind"]
        how = None
        try:
            chunk = s.recv(65536)
            if chunk:
                self.data[kind] += len(chunk)
                return None
            how = "eof"
        except (ssl.SSLWantReadError, BlockingIOError):
            return None
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
            how = "eof"
        except ConnectionResetError:
            how = "reset"
        except ssl.SSLError as e:
            how = "alert"
            self.how.setdefault("alerts", []).append(str(e.reason or e))
        except OSError as e:
            how = "error"
            self.how.setdefault("errors", []).append(str(e))
        t = now()
        self.drop(st)
        # Idle ones count from the connect, stalled ones from their last byte.
        self.life[kind].append(t - (st["t_open"] if kind == self.IDLE else st["t_send"]))
        key = "%s_%s" % (kind, how)
        self.how[key] = self.how.get(key, 0) + 1
        self.reopen(kind)
        return None

    def pending(self):
        return self.handshaking + self.queued

    def open_now(self):
        n = {self.IDLE: 0, self.STALL: 0}
        for st in self.conns.values():
            if st["state"] == self.STALLED:
                n[st["kind"]] += 1
        return n

    def loop_once(self, timeout):
        for key, _ in self.sel.select(timeout=timeout):
            st = self.conns.get(key.fd)
            if st is not None and st["sock"] is key.fileobj:
                self.on_event(st)
        self.pump()

    def run(self):
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        t0 = now()
        end = t0 + self.a.duration
        # The stalled ones first, while the server is not yet busy with the
        # idle ones' handshake timeouts.
        self.queued = self.a.stall
        self.pump()
        while self.pending() and not self.stop and now() < end:
            self.loop_once(0.2)
        for _ in range(self.a.idle):
            self.open(self.IDLE)
        setup = now() - t0
        if self.a.ready:
            held = self.open_now()
            with open(self.a.ready + ".tmp", "w") as f:
                f.write("%d %d\n" % (held[self.IDLE], held[self.STALL]))
            os.rename(self.a.ready + ".tmp", self.a.ready)
        while not self.stop and now() < end:
            self.loop_once(min(0.2, max(0.0, end - now())))
        open_now = {self.IDLE: 0, self.STALL: 0}
        for st in list(self.conns.values()):
            open_now[st["kind"]] += 1
            st["sock"].close()
        self.sel.close()
        out = {"setup_s": round(setup, 3), "ran_s": round(now() - t0, 3),
               "max_open": self.max_open, "close_kinds": self.how}
        for kind in (self.IDLE, self.STALL):
            out[kind] = {"opened": self.opened[kind], "failed": self.failed[kind],
                         "closed_by_server": len(self.life[kind]),
                         "open_at_end": open_now[kind],
                         "bytes_from_server": self.data[kind],
                         "lifetime_s": stats(self.life[kind])}
        emit(out)

    def on_signal(self, *_):
        self.stop = True


def cmd_flood(c, a):
    Flood(c, a).run()


# ---- maxconn ---------------------------------------------------------------

def get_keys_ok(c, rid=1):
    """One GetKeys exchange on a new TLS connection: the code name or an error."""
    try:
        s = c.tls()
    except (OSError, ssl.SSLError) as e:
        return "handshake failed: %s" % e
    try:
        s.settimeout(5)
        s.sendall(c.request(rid, "GET_KEYS", get_keys={"parties": []}))
        r = c.response(read_frame(s))
        return c.pb.Code.Name(r.code) + (" id=%d" % r.id)
    except (OSError, EOFError, ssl.SSLError) as e:
        return "no response: %s" % (getattr(e, "reason", None) or e)
    finally:
        s.close()


def cmd_maxconn(c, a):
    held = []
    out = {}
    try:
        for _ in range(a.hold):
            held.append(c.tcp())
        time.sleep(0.5)
        # None of the held ones may have been closed.
        out["held_closed"] = sum(closed_by_server(s, 0.001) != "open" for s in held)
        t = now()
        probe = c.tcp()
        out["probe"] = closed_by_server(probe, 3.0)
        out["probe_close_ms"] = round((now() - t) * 1000, 1)
        probe.close()
        out["tls_when_full"] = get_keys_ok(c)
        for s in held[:a.release]:
            s.close()
        del held[:a.release]
        time.sleep(0.3)
        out["tls_after_release"] = get_keys_ok(c, 2)
        out["held_still_open"] = sum(closed_by_server(s, 0.001) == "open" for s in held)
    finally:
        for s in held:
            s.close()
    emit(out)


# ---- hog -------------------------------------------------------------------

def cmd_hog(c, a):
    """--hold TLS connections as --cert2, each served one GetKeys, oldest
    first; then a GetKeys as --cert on a new one. Reports the newcomer's
    answer and which of the held ones the server closed (by age)."""
    held, out = [], {}
    try:
        for i in range(a.hold):
            s = c.tls(a.cert2, a.key2)
            held.append(s)
            s.settimeout(5)
            s.sendall(c.request(i + 1, "GET_KEYS", get_keys={"parties": []}))
            c.response(read_frame(s))
            time.sleep(0.01)
        out["newcomer"] = get_keys_ok(c, 100)
        out["closed"] = [i for i, s in enumerate(held)
                         if closed_by_server(s, 0.2) != "open"]
    finally:
        for s in held:
            s.close()
    emit(out)


# ---- bigframe --------------------------------------------------------------

def cmd_bigframe(c, a):
    out = {"rss_before_kb": rss_kb(a.pid)}
    s = c.tls()
    try:
        t = now()
        s.sendall(a.len.to_bytes(4, "big") + os.urandom(a.body))
        s.settimeout(a.wait)
        try:
            r = c.response(read_frame(s))
            out["response_ms"] = round((now() - t) * 1000, 1)
            out["response"] = {"id": r.id, "code": c.pb.Code.Name(r.code),
                               "message": r.message}
            out["after"] = closed_by_server(s, 2.0)
        except socket.timeout:
            out["response"] = None
            out["after"] = "open"
        except (OSError, EOFError, ssl.SSLError) as e:
            out["response"] = None
            out["after"] = "closed: %s" % e
        out["rss_after_kb"] = rss_kb(a.pid)
    finally:
        s.close()
    emit(out)


# ---- probe -------------------------------------------------------------------

def cmd_probe(c, a):
    try:
        s = c.tls()
    except ssl.SSLError as e:
        emit({"handshake": "failed", "outcome": "alert: %s" % (e.reason or e)})
        return
    except OSError as e:
        emit({"handshake": "failed", "outcome": "error: %s" % e})
        return
    try:
        # Nothing to read from an accepting server: it would wait for us.
        emit({"handshake": "done", "outcome": closed_by_server(s, a.wait)})
    finally:
        s.close()


# ---- garbage ---------------------------------------------------------------

def cmd_garbage(c, a):
    out = {}
    ctl = c.tls()
    try:
        ctl.settimeout(5)
        ctl.sendall(c.request(1, "GET_KEYS", get_keys={"parties": []}))
        out["control_before"] = c.pb.Code.Name(c.response(read_frame(ctl)).code)
        if a.mode == "pre":
            v = c.tcp()
            # No TLS record: a record header whose version's major byte is
            # not 3, which OpenSSL closes on without an alert. (Random bytes
            # had a 3 there one time in 256, and got a 7-byte alert.)
            v.sendall(b"NOTLS" + b"\x00" * 59)
            out["victim"] = closed_by_server(v, 3.0)
            v.close()
        else:
            v = c.tls()
            v.settimeout(3)
            if a.mode == "frame":
                # Not a Request (wire type 7 does not exist), then a valid one.
                v.sendall(frame(b"\xff" * 10) +
                          c.request(2, "GET_KEYS", get_keys={"parties": []}))
                try:
                    r = c.response(read_frame(v))
                    out["victim_response"] = {"id": r.id, "code": c.pb.Code.Name(r.code),
                                              "message": r.message}
                except (OSError, EOFError, ssl.SSLError) as e:
                    out["victim_response"] = "none: %s" % e
                out["victim"] = closed_by_server(v, 3.0)
            else:
                # Raw bytes into the TCP stream under the TLS layer.
                os.write(v.fileno(), os.urandom(64))
                out["victim"] = closed_by_server(v, 3.0)
            v.close()
        ctl.sendall(c.request(3, "GET_KEYS", get_keys={"parties": []}))
        r = c.response(read_frame(ctl))
        out["control_after"] = "%s id=%d" % (c.pb.Code.Name(r.code), r.id)
    except (OSError, EOFError, ssl.SSLError) as e:
        out["error"] = str(e)
    finally:
        ctl.close()
    out["new_connection"] = get_keys_ok(c, 4)
    emit(out)


# ---- noread ----------------------------------------------------------------

def exchange(c, s, data):
    s.sendall(data)
    return c.response(read_frame(s))


def setup_big_session(c, a):
    """Session `sid` of alice (--cert) and bob (--cert2), both submitted and posted."""
    pb = c.pb
    L, sid = a.length, a.session
    if "/" not in sid:      # created in its creator's namespace (PROTOCOL.md 2.1)
        sid = "%s/%s" % (a.name, sid)
    ct_len = 48 + 8 * L
    me = c.tls()
    other = c.tls(a.cert2, a.key2)
    names = [a.name, a.name2]
    try:
        me.settimeout(60)
        other.settimeout(60)
        r = exchange(c, me, c.request(1, "CREATE_SESSION", create_session={"params": {
            "session_id": sid, "parties": names, "threshold": 1, "length": L}}))
        if r.code != 0:
            return "create: %s %s" % (pb.Code.Name(r.code), r.message)
        if not r.create_session.created:
            return None      # made and filled by an earlier run
        for s, who in ((me, a.name), (other, a.name2)):
            req = pb.Request(id=2, method=pb.SUBMIT_SHARES)
            req.submit_shares.session_id = sid
            req.submit_shares.party = who
            for to in names:
                req.submit_shares.shares.add(recipient=to, ciphertext=os.urandom(ct_len))
            r = exchange(c, s, frame(req.SerializeToString()))
            if r.code != 0:
                return "submit %s: %s %s" % (who, pb.Code.Name(r.code), r.message)
        # Values near p (fixed64 on the wire: every element takes 8 bytes).
        values = [P - 1 - (i % 1000) for i in range(L)]
        for s, who in ((me, a.name), (other, a.name2)):
            req = pb.Request(id=3, method=pb.POST_SUMPOINT)
            req.post_sumpoint.session_id = sid
            req.post_sumpoint.party = who
            req.post_sumpoint.values.extend(values)
            r = exchange(c, s, frame(req.SerializeToString()))
            if r.code != 0:
                return "post %s: %s %s" % (who, pb.Code.Name(r.code), r.message)
    finally:
        me.close()
        other.close()
    return None


def cmd_noread(c, a):
    out = {}
    t0 = now()
    err = setup_big_session(c, a)
    out["setup_s"] = round(now() - t0, 2)
    if err:
        out["error"] = err
        emit(out)
        return
    pb = c.pb
    reqs = bytearray()
    for i in range(a.requests):
        if i % 2 == 0:
            reqs += c.request(100 + i, "LIST_SUMPOINTS", list_sumpoints={"session_id": a.session})
        else:
            reqs += c.request(100 + i, "GET_SHARE",
                              get_share={"session_id": a.session, "party": a.name})
    time.sleep(0.3)
    out["rss_baseline_kb"] = rss_kb(a.pid)
    conns = []
    try:
        for _ in range(a.conns):
            s = c.tls()
            s.settimeout(10)
            s.sendall(reqs)      # small: fits the socket buffers, never blocks
            conns.append(s)
        samples = []
        end = now() + a.sample
        while now() < end:
            samples.append(rss_kb(a.pid) or 0)
            time.sleep(0.1)
        out["rss_stalled_kb"] = stats(samples)
        out["server_alive_while_stalled"] = rss_kb(a.pid) is not None
        # Now read everything: all responses must come, in order.
        got, sizes, codes, rss_read = 0, [], {}, []
        for s in conns:
            s.settimeout(a.read_timeout)
            try:
                for i in range(a.requests):
                    data = read_frame(s)
                    r = c.response(data)
                    if r.id != 100 + i:
                        out.setdefault("id_mismatch", []).append([100 + i, r.id])
                    codes[pb.Code.Name(r.code)] = codes.get(pb.Code.Name(r.code), 0) + 1
                    sizes.append(len(data) + HDR)
                    got += 1
                    if got % 8 == 0:
                        rss_read.append(rss_kb(a.pid) or 0)
            except (OSError, EOFError, ssl.SSLError) as e:
                out.setdefault("read_errors", []).append(str(e))
        out["responses_expected"] = a.requests * a.conns
        out["responses_read"] = got
        out["codes"] = codes
        out["response_bytes"] = stats(sizes)
        out["unbounded_would_be_mb"] = round(sum(sizes) / 2 ** 20, 1)
        out["rss_reading_kb"] = stats(rss_read)
    finally:
        for s in conns:
            s.close()
    out["ran_s"] = round(now() - t0, 2)
    emit(out)


def cmd_stalled(c, a):
    """Pipelines requests without reading for --sample s, then reads what comes."""
    reqs = bytearray()
    for i in range(a.requests):
        reqs += c.request(100 + i, "LIST_SUMPOINTS", list_sumpoints={"session_id": a.session})
    s = c.tls()
    t = now()
    got = 0
    try:
        s.sendall(reqs)
        time.sleep(a.sample)
        s.settimeout(a.read_timeout)
        try:
            for _ in range(a.requests):
                read_frame(s)
                got += 1
            how = "all read"
        except (OSError, EOFError, ssl.SSLError) as e:
            how = "closed: %s" % e
    finally:
        s.close()
    emit({"responses_read": got, "responses_expected": a.requests, "end": how,
          "ran_s": round(now() - t, 2)})


def parser(doc):
    """The options every tool of this kind takes (quotas.py too)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="HOST:PORT")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--py", help="folder holding securesum_pb2.py")
    ap.add_argument("--pid", type=int, help="the server's pid, for VmRSS")
    return ap


def main():
    ap = parser(__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    f = sub.add_parser("flood")
    f.add_argument("--idle", type=int, default=1000)
    f.add_argument("--stall", type=int, default=200)
    f.add_argument("--frame-len", type=int, default=134217728)
    f.add_argument("--body", type=int, default=100)
    f.add_argument("--duration", type=float, default=30.0)
    f.add_argument("--refill", action="store_true")
    f.add_argument("--ready", help="file written once every connection is open")

    m = sub.add_parser("maxconn")
    m.add_argument("--hold", type=int, required=True)
    m.add_argument("--release", type=int, default=5)

    h = sub.add_parser("hog")
    h.add_argument("--hold", type=int, required=True)
    h.add_argument("--cert2", required=True)
    h.add_argument("--key2", required=True)

    b = sub.add_parser("bigframe")
    b.add_argument("--len", type=int, required=True)
    b.add_argument("--body", type=int, default=0)
    b.add_argument("--wait", type=float, default=3.0)

    pr = sub.add_parser("probe")
    pr.add_argument("--wait", type=float, default=1.5)

    g = sub.add_parser("garbage")
    g.add_argument("--mode", choices=["frame", "tls", "pre"], required=True)

    for name in ("noread", "stalled"):
        n = sub.add_parser(name)
        n.add_argument("--session", default="big")
        n.add_argument("--requests", type=int, default=64)
        n.add_argument("--sample", type=float, default=2.0)
        n.add_argument("--read-timeout", type=float, default=20.0)
        if name == "noread":
            n.add_argument("--cert2", required=True)
            n.add_argument("--key2", required=True)
            n.add_argument("--name", default="alice")
            n.add_argument("--name2", default="bob")
            n.add_argument("--length", type=int, default=1000000)
            n.add_argument("--conns", type=int, default=1)

    a = ap.parse_args()
    c = Ctx(a)
    {"flood": cmd_flood, "maxconn": cmd_maxconn, "hog": cmd_hog, "bigframe": cmd_bigframe,
     "garbage": cmd_garbage, "probe": cmd_probe, "noread": cmd_noread, "stalled": cmd_stalled}[a.cmd](c, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
