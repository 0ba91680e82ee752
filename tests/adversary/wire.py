"""wire.py: the secure-sum wire protocol as the adversary harness speaks it.

Frames (a 4-byte big-endian length, then one protobuf Request or Response),
the generated Python classes of proto/securesum.proto, and the TLS contexts
of the harness's two roles: a server (the man in the middle, with the test
CA's server certificate, requiring a party's client certificate) and a
client (a party, with its own certificate, verifying the server against the
CA). Everything here is asyncio, one thread: an SSL object is never used by
two threads at once.
"""
import asyncio
import importlib
import os
import ssl
import sys

MAX_FRAME = 256 << 20

pb = None  # securesum_pb2, once load_proto has run


def load_proto(py_dir):
    """Imports securesum_pb2 from py_dir (protoc --python_out)."""
    global pb
    sys.path.insert(0, py_dir)
    pb = importlib.import_module("securesum_pb2")
    return pb


def server_context(certs):
    """TLS 1.3 only, the test CA's server certificate, client certificates
    required and verified against the CA: a server a real client trusts."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(os.path.join(certs, "server.crt"),
                        os.path.join(certs, "server.key"))
    ctx.load_verify_locations(os.path.join(certs, "ca.crt"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_context(certs, party):
    """TLS 1.3 only, as PARTY (NAME.crt, NAME.key of the certs folder),
    verifying the server against the CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(os.path.join(certs, "ca.crt"))
    ctx.load_cert_chain(os.path.join(certs, party + ".crt"),
                        os.path.join(certs, party + ".key"))
    return ctx


def peer_party(writer):
    """The CN of the peer's verified client certificate."""
    cert = writer.get_extra_info("peercert") or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def split_addr(addr):
    host, _, port = addr.rpartition(":")
    return host.strip("[]"), int(port)


async def connect(addr, certs, party):
    """A TLS connection to addr as party: (reader, writer)."""
    host, port = split_addr(addr)
    return await asyncio.open_connection(
        host, port, ssl=client_context(certs, party), server_hostname=host)


async def read_frame(reader):
    """One frame's payload, or None at a clean end of stream."""
    try:
        head = await reader.readexactly(4)
    except asyncio.IncompleteReadError as e:
        if e.partial:
            raise
        return None
    n = int.from_bytes(head, "big")
    if n > MAX_FRAME:
        raise ValueError("frame of %d bytes" % n)
    return await reader.readexactly(n)


def frame(payload):
    return len(payload).to_bytes(4, "big") + payload


def session_of(msg):
    """The session a Request names in its body, or None (GetKeys,
    PublishKey name none): the NAME of its id, which a client sends as
    CREATOR/NAME or NAME alone (docs/PROTOCOL.md 2.1), so that rules and
    records keep one key per session."""
    which = msg.WhichOneof("body")
    if which is None:
        return None
    body = getattr(msg, which)
    if which == "create_session":
        sid = body.params.session_id
    else:
        sid = getattr(body, "session_id", None) or None
    return sid.rsplit("/", 1)[-1] if sid else sid


def method_name(req):
    try:
        return pb.Method.Name(req.method)
    except ValueError:
        return str(req.method)


class Client:
    """A party's connection for request/response exchanges, one at a time."""

    def __init__(self, addr, certs, party):
        self.addr, self.certs, self.party = addr, certs, party
        self.reader = self.writer = None
        self.next_id = 1

    async def call(self, method, field, body):
        """Sends one Request (method, body in field) and returns the
        Response."""
        if self.writer is None:
            self.reader, self.writer = await connect(self.addr, self.certs,
                                                     self.party)
        req = pb.Request(id=self.next_id, method=method)
        self.next_id += 1
        getattr(req, field).CopyFrom(body)
        self.writer.write(frame(req.SerializeToString()))
        await self.writer.drain()
        data = await read_frame(self.reader)
        if data is None:
            raise EOFError("the server closed the connection")
        resp = pb.Response()
        resp.ParseFromString(data)
        if resp.id != req.id:
            raise ValueError("response %d to request %d" % (resp.id, req.id))
        return resp

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (OSError, ssl.SSLError):
                pass
            self.writer = None
