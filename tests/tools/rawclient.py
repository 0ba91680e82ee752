#!/usr/bin/python3
"""rawclient.py: a raw secure-sum protocol client for tests.

Connects over TLS, sends the given items in one write (so several requests
are pipelined on one connection), then reads responses and prints each as
one JSON line: {"id": ..., "code": "NAME", "message": ..., "body": {...}}.

An ITEM is one of:
  {...}         a Request as protobuf JSON, e.g.
                '{"id": 1, "method": "GET_STATUS", "get_status": {"session_id": "s1"}}'
                (field names as in proto/ or in lowerCamelCase; bytes in
                base64; an enum may be given by number, even an unknown one)
  hex:HEX       these raw bytes, unframed
  frame:HEX     a frame holding these raw bytes as its payload

Python classes come from `protoc --python_out=DIR proto/securesum.proto`;
pass DIR with --py.

With --hold FILE, the first request is sent and answered alone; then
FILE.ready is created and the rest wait until FILE exists (a connection
kept open across something the test does to the server, such as a reload).

With --pause-after N --go FILE it reads the first N bytes of the answers,
says "paused" on stderr, and reads the rest only once FILE exists: a slow
reader, with the rest of a large answer still queued in the server.

Exit status: 0 when every expected response arrived (and, with
--expect-close, the server then closed the connection); 3 when the TLS
handshake failed; 4 when the connection ended or failed before every
expected response arrived; 5 when --expect-close was given and the
connection stayed open; 2 on bad usage. Reasons go to stderr.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import time

MAX_FRAME = 256 << 20


def die(status, msg):
    print("rawclient: " + msg, file=sys.stderr)
    sys.exit(status)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="HOST:PORT")
    ap.add_argument("--py", required=True, help="folder holding securesum_pb2.py")
    ap.add_argument("--ca", required=True, help="CA certificate that verifies the server")
    ap.add_argument("--cert", help="client certificate (PEM); none when omitted")
    ap.add_argument("--key", help="client private key (PEM)")
    ap.add_argument("--tls", choices=["1.2", "1.3"], default="1.3",
                    help="the only TLS version offered (default 1.3)")
    ap.add_argument("--sni", help="name to verify the server certificate against "
                    "(default: HOST)")
    ap.add_argument("--expect", type=int,
                    help="responses to wait for (default: one per JSON item)")
    ap.add_argument("--expect-close", action="store_true",
                    help="after the responses, require the server to close")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per read")
    ap.add_argument("--hold", metavar="FILE",
                    help="after the first response, create FILE.ready and "
                    "wait (up to 60 s) for FILE before sending the rest")
    ap.add_argument("--pause-after", type=int, default=0, metavar="N",
                    help="read N bytes, then wait for --go FILE to exist")
    ap.add_argument("--go", metavar="FILE", help="see --pause-after")
    ap.add_argument("--rcvbuf", type=int, default=0, metavar="BYTES",
                    help="the socket's receive buffer (0: the system's)")
    ap.add_argument("items", nargs="*", metavar="ITEM")
    return ap.parse_args()


def encode_items(pb, items):
    from google.protobuf import json_format

    out, nreq = bytearray(), 0
    for it in items:
        if it.startswith("hex:"):
            out += bytes.fromhex(it[4:])
        elif it.startswith("frame:"):
            payload = bytes.fromhex(it[6:])
            out += len(payload).to_bytes(4, "big") + payload
        else:
            try:
                req = json_format.ParseDict(json.loads(it), pb.Request())
            except (ValueError, json_format.ParseError) as e:
                die(2, "bad request %r: %s" % (it[:80], e))
            payload = req.SerializeToString()
            out += len(payload).to_bytes(4, "big") + payload
            nreq += 1
    return bytes(out), nreq


# Bytes read ahead by the pause (--pause-after), handed out first.
pending = bytearray()


def read_exact(conn, n):
    global pending
    buf, pending = pending[:n], pending[n:]
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError("the server closed the connection")
        buf += chunk
    return bytes(buf)


def hold(path):
    """Says the connection is ready, then waits for the test's go."""
    open(path + ".ready", "w").close()
    for _ in range(1200):
        if os.path.exists(path):
            return
        time.sleep(0.05)
    die(4, "%s never appeared" % path)


def read_responses(pb, conn, expect, got):
    """Reads and prints responses until expect have arrived in all."""
    while got < expect:
        n = int.from_bytes(read_exact(conn, 4), "big")
        if n > MAX_FRAME:
            die(4, "response frame of %d bytes" % n)
        resp = pb.Response()
        resp.ParseFromString(read_exact(conn, n))
        show(pb, resp)
        got += 1
    return got


def pause(conn, n, go, timeout):
    global pending
    pending = bytearray(read_exact(conn, n))
    print("rawclient: paused", file=sys.stderr, flush=True)
    waited = 0.0
    while not os.path.exists(go):
        if waited > 60:
            die(4, "%s never appeared" % go)
        time.sleep(0.05)
        waited += 0.05


def show(pb, resp):
    from google.protobuf import json_format

    try:
        code = pb.Code.Name(resp.code)
    except ValueError:
        code = str(resp.code)
    which = resp.WhichOneof("body")
    body = {}
    if which:
        body = {which: json_format.MessageToDict(getattr(resp, which),
                                                  preserving_proto_field_name=True)}
    print(json.dumps({"id": resp.id, "code": code, "message": resp.message,
                      "body": body}, sort_keys=False), flush=True)


def main():
    a = parse_args()
    sys.path.insert(0, a.py)
    import securesum_pb2 as pb  # noqa: E402 (generated at test time)

    first, rest = (a.items[:1], a.items[1:]) if a.hold else (a.items, [])
    data, nreq = encode_items(pb, first)
    later, nlater = encode_items(pb, rest)
    expect = nreq + nlater if a.expect is None else a.expect
    host, _, port = a.server.rpartition(":")
    host = host.strip("[]")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    version = ssl.TLSVersion.TLSv1_3 if a.tls == "1.3" else ssl.TLSVersion.TLSv1_2
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_verify_locations(a.ca)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)

    try:
        if a.rcvbuf:
            # Set before connect, so that the window never grows past it.
            raw = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
            raw.settimeout(a.timeout)
            raw.connect((host, int(port)))
        else:
            raw = socket.create_connection((host, int(port)), timeout=a.timeout)
        # Without it, Nagle holds the request back until the server's
        # delayed ACK of our handshake's last flight: 40 ms per exchange.
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = ctx.wrap_socket(raw, server_hostname=a.sni or host)
    except (OSError, ssl.SSLError) as e:
        die(3, "handshake failed: %s" % e)

    got = 0
    try:
        conn.sendall(data)
        if a.hold:
            got = read_responses(pb, conn, nreq, got)
            hold(a.hold)
            conn.sendall(later)
        if a.pause_after:
            pause(conn, a.pause_after, a.go, a.timeout)
        got = read_responses(pb, conn, expect, got)
    except (OSError, EOFError, ssl.SSLError) as e:
        die(4, "connection ended after %d of %d responses: %s" % (got, expect, e))

    if a.expect_close:
        try:
            extra = conn.recv(1)
        except socket.timeout:
            die(5, "the server kept the connection open")
        except (OSError, ssl.SSLError):
            extra = b""
        if extra:
            die(5, "the server sent more bytes instead of closing")
    else:
        try:
            conn.unwrap()  # close_notify, so the server sees a clean close
        except (OSError, ssl.SSLError):
            pass
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
