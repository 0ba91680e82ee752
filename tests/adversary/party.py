#!/usr/bin/python3
"""party.py: a malicious party of protocol version 2, for the colluder tests.

It speaks the protocol itself (wire.py, with v2.py's cryptography) with its
own certificate, and deviates where told: shares chosen or spoilt values,
two polynomials to two groups, garbage to one recipient; signs what it
likes; posts chosen points; withholds. Without a deviation each step is
what an honest party does, which the control tests use to show that real
clients accept it.

  party.py --server HOST:PORT --certs DIR --py DIR --party NAME ACTION SESSION [...]

  publish SESSION               PublishKey (the encryption certificate; the
                                server records the signing certificate)
  share SESSION V...            SubmitShares of the vector V... with
      --bad P=DELTA             P's share of every element off by DELTA
      --garbage P               P's ciphertext random bytes (SUBMIT matches it)
      --alt FILE --alt-for P,.. --alt-value V...
                                a second polynomial (its own SUBMIT) for the
                                parties P, written to FILE for the man in
                                the middle (hooks.alt_submission)
  cohort SESSION [--alt FILE]   waits for the cohort, signs COHORT over the
                                SUBMITs it received (with FILE's second
                                SUBMIT of its dealer instead), PostCohort
  sumpoint SESSION              waits for unanimous COHORTs, opens and adds
                                its shares, signs SUMPOINT, PostSumpoint;
      --through P,.. --zero V   instead, a point of the polynomial of degree
                                t through the sumpoints of P,.. (t of them,
                                waited for) and (0, V)
      --alt FILE                signed, but written to FILE (a Sumpoint) for
                                the man in the middle instead of posted
  conflict SESSION KIND         signs and posts a second KIND (cohort or
                                sumpoint) with other contents

Prints one JSON object: what it did, or {"error": ...} with exit status 1.
"""
import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import v2  # noqa: E402
import wire  # noqa: E402


class Refused(Exception):
    pass


class Party:
    def __init__(self, a):
        self.a, self.name = a, a.party
        self.c = wire.Client(a.server, a.certs, a.party)
        self.signer = v2.Signer(a.certs, a.party)
        self.sk, _ = v2.enc_keys(a.certs, a.party)

    async def call(self, method, field, body, ok=True):
        resp = await self.c.call(wire.pb.Method.Value(method), field, body)
        if ok and resp.code != wire.pb.OK:
            raise Refused("%s: %s %s" % (method, wire.pb.Code.Name(resp.code), resp.message))
        return resp

    async def status(self, session):
        r = await self.call("GET_STATUS", "get_status", wire.pb.GetStatusRequest(session_id=session))
        st = r.get_status
        self.params, self.d = st.params, v2.digest_of(st.params)
        self.parties = list(st.params.parties)
        self.pos = self.parties.index(self.name) + 1
        return st

    async def wait_for(self, what, pred, timeout=30.0):
        end = time.monotonic() + timeout
        while True:
            got = await pred()
            if got:
                return got
            if time.monotonic() > end:
                raise Refused("timed out waiting for " + what)
            await asyncio.sleep(0.1)

    async def publish(self, session):
        with open(os.path.join(self.a.certs, self.name + ".enc.crt"), "rb") as f:
            from cryptography import x509
            from cryptography.hazmat.primitives import serialization
            der = x509.load_pem_x509_certificate(f.read()).public_bytes(
                serialization.Encoding.DER)
        await self.call("PUBLISH_KEY", "publish_key", wire.pb.PublishKeyRequest(certificate=der))
        return {"published": self.name}

    def deal(self, values, bad=None, garbage=()):
        """Ciphertexts for every party (position order) of shares of values."""
        t = self.params.threshold
        polys = [v2.random_poly(v, t) for v in values]
        cts = []
        for j, r in enumerate(self.parties, start=1):
            ys = [v2.field(v2.poly_eval(f, j) + (bad or {}).get(r, 0)) for f in polys]
            if r in garbage:
                cts.append(secrets.token_bytes(32 + 8 * len(ys) + 16))
            else:
                cts.append(v2.seal_share(self.d, self.name, r, ys, self.sk,
                                         v2.enc_public(self.a.certs, r)))
        return cts

    def sign_submit(self, cts):
        body = v2.submit_body(self.d, self.signer.digest, self.pos,
                              [v2.sha256(c) for c in cts])
        return wire.pb.Statement(body=body, signature=self.signer.sign(body))

    async def share(self, session, values, bad, garbage, alt):
        await self.status(session)
        await self.publish(session)
        cts = self.deal(values, bad, garbage)
        req = wire.pb.SubmitSharesRequest(session_id=session, party=self.name,
                                          submit=self.sign_submit(cts))
        for r, ct in zip(self.parties, cts):
            req.shares.add(recipient=r, ciphertext=ct)
        if alt:
            self.write_alt(alt, cts)
        await self.call("SUBMIT_SHARES", "submit_shares", req)
        return {"shared": values, "D": self.d.hex()}

    def write_alt(self, path, cts):
        """A second polynomial for the parties of --alt-for: its SUBMIT and
        their ciphertexts, for the man in the middle."""
        alt_cts = self.deal(self.a.alt_value)
        mixed = [alt_cts[i] if r in self.a.alt_for else cts[i]
                 for i, r in enumerate(self.parties)]
        st = self.sign_submit(mixed)
        b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
        with open(path, "w") as f:
            json.dump({"dealer": self.name, "submit": {"body": b64(st.body),
                       "signature": b64(st.signature)},
                       "shares": {r: b64(mixed[i]) for i, r in enumerate(self.parties)
                                  if r in self.a.alt_for}}, f)

    async def cohort_fixed(self, session):
        async def fixed():
            st = await self.status(session)
            return st if st.phase in (wire.pb.AGGREGATING, wire.pb.COMPLETE) else None
        st = await self.wait_for("the cohort", fixed)
        r = await self.call("GET_COHORT", "get_cohort", wire.pb.GetCohortRequest(session_id=session))
        return st, list(r.get_cohort.cohort)

    async def my_shares(self, session):
        r = await self.call("GET_SHARE", "get_share",
                            wire.pb.GetShareRequest(session_id=session, party=self.name))
        return {s.sender: s for s in r.get_share.shares}

    def cohort_statement(self, members, shares, alt=None):
        bodies = []
        for m in members:
            body = shares[m].submit.body
            if alt and alt["dealer"] == m:
                body = base64.b64decode(alt["submit"]["body"])
            bodies.append(body)
        positions = [self.parties.index(m) + 1 for m in members]
        body = v2.cohort_body(self.d, self.signer.digest, len(self.parties),
                              positions, v2.submits_digest(bodies))
        return wire.pb.Statement(body=body, signature=self.signer.sign(body))

    async def cohort(self, session, alt_path=None):
        _, members = await self.cohort_fixed(session)
        alt = json.load(open(alt_path)) if alt_path else None
        st = self.cohort_statement(members, await self.my_shares(session), alt)
        await self.call("POST_COHORT", "post_cohort", wire.pb.PostCohortRequest(
            session_id=session, party=self.name, cohort=st))
        return {"cohort": members, "digest": v2.cohort_digest(st.body).hex()}

    async def unanimous(self, session, members):
        """The cohort digest, once every member of C posted its COHORT."""
        async def all_in():
            r = await self.call("GET_COHORT", "get_cohort",
                                wire.pb.GetCohortRequest(session_id=session))
            sigs = {s.party: s.cohort.body for s in r.get_cohort.signatures}
            if not all(m in sigs for m in members):
                return None
            digests = {v2.cohort_digest(b) for b in sigs.values()}
            if len(digests) != 1:
                raise Refused("the members signed different cohorts")
            return digests.pop()
        return await self.wait_for("every member's COHORT", all_in)

    async def points_of(self, session, who):
        async def posted():
            r = await self.call("LIST_SUMPOINTS", "list_sumpoints",
                                wire.pb.ListSumpointsRequest(session_id=session))
            got = {s.party: (s.x, list(s.values)) for s in r.list_sumpoints.sumpoints}
            return got if all(w in got for w in who) else None
        got = await self.wait_for("the sumpoints of " + ",".join(who), posted)
        return [got[w] for w in who]

    async def sumpoint(self, session, through=None, zero=0, alt=None):
        _, members = await self.cohort_fixed(session)
        cdigest = await self.unanimous(session, members)
        L = self.params.length
        if through:
            pts = await self.points_of(session, through)
            values = [v2.lagrange_at([(0, v2.field(zero))] + [(x, ys[e]) for x, ys in pts],
                                     self.pos) for e in range(L)]
        else:
            shares, values = await self.my_shares(session), [0] * L
            for m in members:
                ys = v2.open_share(self.d, m, self.name, L, self.sk,
                                   v2.enc_public(self.a.certs, m), shares[m].ciphertext)
                values = [(a + b) % v2.P for a, b in zip(values, ys)]
        st = self.sign_sumpoint(cdigest, values)
        if alt:
            self.write_alt_sumpoint(alt, values, st)
        else:
            await self.post_sumpoint(session, values, st)
        return {"values": values, "cohort_digest": cdigest.hex()}

    def sign_sumpoint(self, cdigest, values):
        body = v2.sumpoint_body(self.d, self.signer.digest, cdigest, self.pos, values)
        return wire.pb.Statement(body=body, signature=self.signer.sign(body))

    def write_alt_sumpoint(self, path, values, st):
        """A second signed sumpoint, for the man in the middle to show
        (hooks.alt_sumpoints) instead of posting it."""
        sp = wire.pb.Sumpoint(party=self.name, x=self.pos, values=values, statement=st)
        with open(path, "wb") as f:
            f.write(sp.SerializeToString())

    async def post_sumpoint(self, session, values, st, ok=True):
        return await self.call("POST_SUMPOINT", "post_sumpoint", wire.pb.PostSumpointRequest(
            session_id=session, party=self.name, values=values, statement=st), ok=ok)

    async def conflict(self, session, kind):
        """A second statement of KIND with other contents; the server is
        expected to answer ALREADY_EXISTS and keep both as a Conflict."""
        _, members = await self.cohort_fixed(session)
        if kind == "sumpoint":
            cdigest = await self.unanimous(session, members)
            values = [1] * self.params.length
            resp = await self.post_sumpoint(session, values, self.sign_sumpoint(cdigest, values),
                                            ok=False)
        else:
            others = members[:-1] if len(members) > 1 else members
            st = self.cohort_statement(others, await self.my_shares(session))
            resp = await self.call("POST_COHORT", "post_cohort", wire.pb.PostCohortRequest(
                session_id=session, party=self.name, cohort=st), ok=False)
        return {"code": wire.pb.Code.Name(resp.code), "message": resp.message}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for o in ("server", "certs", "py", "party"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("action", choices=["publish", "share", "cohort", "sumpoint", "conflict"])
    ap.add_argument("session")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--bad", action="append", default=[], metavar="P=DELTA")
    ap.add_argument("--garbage", action="append", default=[], metavar="P")
    ap.add_argument("--alt")
    ap.add_argument("--alt-for", default="")
    ap.add_argument("--alt-value", default="")
    ap.add_argument("--through", default="")
    ap.add_argument("--zero", type=int, default=0)
    a = ap.parse_args()
    a.alt_for = [p for p in a.alt_for.split(",") if p]
    a.alt_value = [int(v) for v in a.alt_value.split(",") if v]
    return a


async def run(a):
    p = Party(a)
    try:
        if a.action == "publish":
            return await p.publish(a.session)
        if a.action == "share":
            bad = {k: int(v) for k, v in (b.split("=") for b in a.bad)}
            return await p.share(a.session, [int(v) for v in a.args], bad,
                                 set(a.garbage), a.alt)
        if a.action == "cohort":
            return await p.cohort(a.session, a.alt)
        if a.action == "sumpoint":
            through = [w for w in a.through.split(",") if w]
            return await p.sumpoint(a.session, through, a.zero, a.alt)
        return await p.conflict(a.session, a.args[0])
    finally:
        await p.c.close()


def main():
    a = parse_args()
    wire.load_proto(a.py)
    try:
        out = asyncio.run(run(a))
    except (Refused, OSError, ValueError, EOFError) as e:
        print(json.dumps({"error": str(e)}))
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
