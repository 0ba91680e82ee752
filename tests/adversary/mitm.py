#!/usr/bin/python3
"""mitm.py: a man in the middle between real mpc-clients and a real mpc-server.

It plays the malicious server of the threat model: it listens on a free
loopback port with the test CA's server certificate (so real clients trust
it), accepts a party's connection, and connects to the real server as that
same party (it holds the test's certs folder). It relays every frame, and
the rewrite hooks of hooks.py, chosen per session in a rules file, change,
drop, answer from a script, or replay what passes, and can show different
answers to different parties.

  mitm.py --upstream HOST:PORT --certs DIR --py DIR --rules FILE --log FILE
          [--record FILE] [--replay FILE]

Prints "listening on 127.0.0.1:PORT" once it accepts connections, and runs
until SIGTERM. The rules file is JSON, read again whenever it changes:

  {"SESSION": [{"do": "HOOK", "to": ["PARTY", ...], ...hook arguments}]}

A hook without "to" applies to every caller. GetKeys and PublishKey name no
session: they take the rules of the session last named on the connection.
Every hook that changed something appends a JSON line to the log: session,
party, method, hook, what it did; a test checks that its attack was
delivered. With --record, every response relayed is appended to FILE
(session, party, method, the Response in base64), which hooks replay in
another session (--replay FILE, or the record of this run).
"""
import argparse
import asyncio
import base64
import json
import os
import signal
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from google.protobuf.message import DecodeError  # noqa: E402

import wire  # noqa: E402
import hooks  # noqa: E402


class Rules:
    """The rules file, read again when its modification time changes."""

    def __init__(self, path):
        self.path, self.mtime, self.rules = path, None, {}

    def for_session(self, session):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return []
        if mtime != self.mtime:
            with open(self.path) as f:
                text = f.read()
            try:
                self.rules = json.loads(text) if text.strip() else {}
                self.mtime = mtime
            except ValueError:
                pass  # being written: keep the old rules, read it again next time
        return self.rules.get(session or "", [])


class World:
    """What the man in the middle knows, across connections: the rules, the
    log, the recorded responses, and what hooks keep (hooks.Board)."""

    def __init__(self, args):
        self.args = args
        self.rules = Rules(args.rules)
        self.log_file = open(args.log, "a")
        self.record_file = open(args.record, "a") if args.record else None
        self.replay_path = args.replay or args.record
        self.board = hooks.Board()

    def log(self, session, party, method, hook, what):
        self.log_file.write(json.dumps({"session": session, "party": party,
                                        "method": method, "hook": hook,
                                        "what": what}) + "\n")
        self.log_file.flush()

    def record(self, session, party, method, resp):
        if self.record_file is None or resp.code != wire.pb.OK:
            return
        self.record_file.write(json.dumps({
            "session": session, "party": party, "method": method,
            "response": base64.b64encode(resp.SerializeToString()).decode()}) + "\n")
        self.record_file.flush()

    def recorded(self, session, party, method):
        """The last response recorded for (session, party, method), or None."""
        found = None
        if not self.replay_path or not os.path.exists(self.replay_path):
            return None
        with open(self.replay_path) as f:
            for line in f:
                r = json.loads(line)
                if (r["session"], r["party"], r["method"]) == (session, party, method):
                    found = r["response"]
        if found is None:
            return None
        resp = wire.pb.Response()
        resp.ParseFromString(base64.b64decode(found))
        return resp


class Relay:
    """One client connection and its upstream connection as the same party."""

    def __init__(self, world, party, client_w, up_r, up_w):
        self.world, self.party = world, party
        self.client_w, self.up_r, self.up_w = client_w, up_r, up_w
        self.session = None
        self.pending = {}  # request id -> (Request, session)

    def context(self, session, method):
        return hooks.Context(self.world, self.party, session, method)

    def active(self, session):
        return [h for h in self.world.rules.for_session(session)
                if "to" not in h or self.party in h["to"]]

    async def send_client(self, resp):
        self.client_w.write(wire.frame(resp.SerializeToString()))
        await self.client_w.drain()

    async def requests(self, client_r):
        while (data := await wire.read_frame(client_r)) is not None:
            req = wire.pb.Request()
            try:
                req.ParseFromString(data)
            except DecodeError:  # not a Request: the real server answers it
                self.up_w.write(wire.frame(data))
                await self.up_w.drain()
                continue
            self.session = wire.session_of(req) or self.session
            ctx = self.context(self.session, wire.method_name(req))
            self.world.board.saw_request(ctx, req)
            answer = hooks.on_request(ctx, self.active(self.session), req)
            if answer is hooks.DROP:
                continue
            if answer is not None:
                answer.id = req.id
                await self.send_client(answer)
                continue
            self.pending[req.id] = (req, self.session)
            self.up_w.write(wire.frame(req.SerializeToString()))
            await self.up_w.drain()

    async def responses(self):
        while (data := await wire.read_frame(self.up_r)) is not None:
            resp = wire.pb.Response()
            resp.ParseFromString(data)
            req, session = self.pending.pop(resp.id, (None, self.session))
            if req is None:  # an answer to no request of ours: pass it on
                await self.send_client(resp)
                continue
            ctx = self.context(session, wire.method_name(req))
            self.world.record(session, self.party, ctx.method, resp)
            self.world.board.saw_response(ctx, req, resp)
            resp = hooks.on_response(ctx, self.active(session), req, resp)
            if resp is not hooks.DROP:
                await self.send_client(resp)


async def pump(coro, others):
    """Runs one direction; when it ends, for whatever reason, the other
    direction is cancelled so that both connections close."""
    try:
        await coro
    except (OSError, EOFError, ssl.SSLError, asyncio.IncompleteReadError, ValueError):
        pass
    except Exception:  # a hook's failure, logged already: the test sees it
        pass
    finally:
        for t in others:
            t.cancel()


async def handle(world, client_r, client_w):
    party = wire.peer_party(client_w)
    try:
        up_r, up_w = await wire.connect(world.args.upstream, world.args.certs, party)
    except (OSError, ssl.SSLError):
        client_w.close()
        return
    relay = Relay(world, party, client_w, up_r, up_w)
    t1 = asyncio.ensure_future(relay.requests(client_r))
    t2 = asyncio.ensure_future(relay.responses())
    await asyncio.gather(pump(t1, [t2]), pump(t2, [t1]), return_exceptions=True)
    for w in (client_w, up_w):
        w.close()


async def main_async(args):
    world = World(args)
    server = await asyncio.start_server(
        lambda r, w: handle(world, r, w), "127.0.0.1", 0,
        ssl=wire.server_context(args.certs))
    port = server.sockets[0].getsockname()[1]
    print("listening on 127.0.0.1:%d" % port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    async with server:
        await stop.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True, help="the real server, HOST:PORT")
    ap.add_argument("--certs", required=True, help="the test's certs folder")
    ap.add_argument("--py", required=True, help="folder holding securesum_pb2.py")
    ap.add_argument("--rules", required=True, help="JSON rules, per session")
    ap.add_argument("--log", required=True, help="JSON lines: the hooks that fired")
    ap.add_argument("--record", help="append every response relayed to FILE")
    ap.add_argument("--replay", help="recorded responses to replay (default: --record)")
    args = ap.parse_args()
    wire.load_proto(args.py)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
