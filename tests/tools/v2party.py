#!/usr/bin/python3
"""v2party.py: a scripted party of protocol version 2, for tests.

Builds the requests of a version-2 party as items for rawclient.py (a
Request as protobuf JSON, bytes in base64): the session parameters with
their nonce, PublishKey, and SubmitShares, PostCohort and PostSumpoint with
their signed statements, laid out as docs/PROTOCOL-V2.md section 3 says and
signed with the party's TLS key (NAME.key, ECDSA P-256 with SHA-256) by
python3-cryptography: an implementation of the statements independent of
core/. It also reads what the server answered (rawclient.py's JSON lines)
and verifies every statement in it against the parties' certificates.

usage: v2party.py --certs DIR --party NAME COMMAND ARGS...

  create ID PARAMS...        CreateSession item
  digest ID PARAMS...        D of those parameters, hex
  publish                    PublishKey item (NAME.enc.crt)
  submit ID --d HEX --position P --fill F [PARAMS]
                             SubmitShares item: n ciphertexts of sealed_len(L)
                             bytes, the one for recipient j filled with F + j,
                             and the SUBMIT naming their digests
  cohort ID --d HEX --members 1,2 --shares FILE [PARAMS]
                             PostCohort item: the COHORT on those members and
                             the SUBMITs the GetShare answer in FILE relayed
  sumpoint ID --d HEX --position P --values V,V --cohort FILE
                             PostSumpoint item: the SUMPOINT on the cohort
                             digest of the first COHORT in the GetCohort
                             answer in FILE
  verify FILE                checks every statement and signing certificate
                             in the answers in FILE against DIR's certificates
                             (a statement's signer must be NAME.crt of the
                             party it is relayed for); prints what it checked
  field EXPR FILE            prints EXPR evaluated on the first answer "r"

PARAMS: --parties A,B,C --threshold T --length L [--decimals K]
[--min-cohort M] [--deadline-unix S] --nonce HEX. Exit status 0, 1 when
verify finds a bad statement, 2 on bad usage.
"""
import argparse
import base64
import hashlib
import json
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

CONTEXT = b"secure-sum/v2 "


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def b64(b):
    return base64.b64encode(b).decode()


def unb64(s):
    return base64.b64decode(s) if s else b""


def lstr(s):
    b = s.encode("ascii")
    return u32(len(b)) + b


class Certs:
    """DIR's certificates and the party's key."""

    def __init__(self, folder):
        self.folder = folder

    def cert(self, name):
        with open("%s/%s.crt" % (self.folder, name), "rb") as f:
            return x509.load_pem_x509_certificate(f.read())

    def der(self, name):
        return self.cert(name).public_bytes(serialization.Encoding.DER)

    def enc_der(self, name):
        with open("%s/%s.enc.crt" % (self.folder, name), "rb") as f:
            c = x509.load_pem_x509_certificate(f.read())
        return c.public_bytes(serialization.Encoding.DER)

    def signer(self, name):
        return hashlib.sha256(self.der(name)).digest()

    def sign(self, name, body):
        with open("%s/%s.key" % (self.folder, name), "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
        return key.sign(body, ec.ECDSA(hashes.SHA256()))


def params_of(a):
    return {
        "session_id": a.id, "parties": a.parties.split(","),
        "threshold": a.threshold, "length": a.length,
        "decimals": a.decimals, "min_cohort": a.min_cohort,
        "deadline_unix": str(a.deadline_unix),
        "nonce": b64(bytes.fromhex(a.nonce)),
    }


def digest_of(a):
    enc = b"secure-sum/v2 params\0" + lstr(a.id)
    parties = a.parties.split(",")
    enc += u32(len(parties)) + b"".join(lstr(p) for p in parties)
    enc += u32(a.threshold) + u32(a.length) + u32(a.decimals)
    enc += u32(a.min_cohort) + u64(a.deadline_unix) + bytes.fromhex(a.nonce)
    return hashlib.sha256(enc).digest()


def item(rid, method, field, body):
    return json.dumps({"id": rid, "method": method, field: body})


def statement(certs, party, kind, d, fields):
    body = CONTEXT + kind + b"\0" + d + certs.signer(party) + fields
    return {"body": b64(body), "signature": b64(certs.sign(party, body))}


def ciphertexts(a):
    n, size = len(a.parties.split(",")), 48 + 8 * a.length
    return [bytes([(a.fill + j) & 0xff]) * size for j in range(n)]


def cmd_submit(c, a):
    parties = a.parties.split(",")
    cts = ciphertexts(a)
    fields = u32(a.position) + u32(len(parties))
    fields += b"".join(hashlib.sha256(ct).digest() for ct in cts)
    st = statement(c, a.party, b"SUBMIT", bytes.fromhex(a.d), fields)
    shares = [{"recipient": p, "ciphertext": b64(ct)}
              for p, ct in zip(parties, cts)]
    return item(21, "SUBMIT_SHARES", "submit_shares", {
        "session_id": a.id, "party": a.party, "shares": shares, "submit": st})


def first_answer(path):
    with open(path) as f:
        return json.loads(f.readline())


def bitmap(n, members):
    b = bytearray((n + 7) // 8)
    for i in members:
        b[(i - 1) // 8] |= 1 << ((i - 1) % 8)
    return bytes(b)


def cmd_cohort(c, a):
    parties = a.parties.split(",")
    members = [int(i) for i in a.members.split(",")]
    shares = first_answer(a.shares)["body"]["get_share"]["shares"]
    by_sender = {s["sender"]: unb64(s["submit"]["body"]) for s in shares}
    bodies = [by_sender[parties[i - 1]] for i in members]
    submits = hashlib.sha256(b"".join(
        hashlib.sha256(b).digest() for b in bodies)).digest()
    fields = u32(len(parties)) + bitmap(len(parties), members) + submits
    st = statement(c, a.party, b"COHORT", bytes.fromhex(a.d), fields)
    return item(31, "POST_COHORT", "post_cohort", {
        "session_id": a.id, "party": a.party, "cohort": st})


def cmd_sumpoint(c, a):
    sig = first_answer(a.cohort)["body"]["get_cohort"]["signatures"][0]
    body = unb64(sig["cohort"]["body"])
    head = len(CONTEXT) + len(b"COHORT\0")
    # The cohort digest: the COHORT body without its signer field.
    cohort_digest = hashlib.sha256(body[:head + 32] + body[head + 64:]).digest()
    values = [int(v) for v in a.values.split(",")]
    vdig = hashlib.sha256(b"".join(u64(v) for v in values)).digest()
    fields = cohort_digest + u32(a.position) + u32(len(values)) + vdig
    st = statement(c, a.party, b"SUMPOINT", bytes.fromhex(a.d), fields)
    return item(41, "POST_SUMPOINT", "post_sumpoint", {
        "session_id": a.id, "party": a.party,
        "values": [str(v) for v in values], "statement": st})


def check(c, name, st, why, kinds):
    """One relayed statement: name's certificate signed it, of a kind."""
    body, sig = unb64(st["body"]), unb64(st["signature"])
    kind = body[len(CONTEXT):].split(b"\0", 1)[0]
    head = len(CONTEXT) + len(kind) + 1
    if kind not in kinds or body[head + 32:head + 64] != c.signer(name):
        raise ValueError("%s: not a %s statement of %s" % (why, kinds, name))
    c.cert(name).public_key().verify(sig, body, ec.ECDSA(hashes.SHA256()))
    return 1


def verify_answer(c, r):
    """Every statement and signing certificate of one answer; how many."""
    b, n = r.get("body", {}), 0
    for k in b.get("get_keys", {}).get("keys", []):
        if unb64(k.get("signing_certificate")) != c.der(k["party"]):
            raise ValueError("GetKeys: %s's signing certificate" % k["party"])
        n += 1
    for s in b.get("get_share", {}).get("shares", []):
        n += check(c, s["sender"], s["submit"], "GetShare", [b"SUBMIT"])
    lists = b.get("get_cohort", {}).get("signatures", []) + \
        b.get("list_sumpoints", {}).get("cohort_signatures", [])
    for s in lists:
        n += check(c, s["party"], s["cohort"], "cohort", [b"COHORT"])
    for s in b.get("list_sumpoints", {}).get("sumpoints", []):
        n += check(c, s["party"], s["statement"], "ListSumpoints",
                   [b"SUMPOINT"])
    for x in b.get("get_status", {}).get("conflicts", []):
        kinds = [b"SUBMIT", b"COHORT", b"SUMPOINT"]
        n += check(c, x["party"], x["first"], "conflict", kinds)
        n += check(c, x["party"], x["second"], "conflict", kinds)
        if unb64(x["first"]["body"]) == unb64(x["second"]["body"]):
            raise ValueError("a conflict of one body")
    return n


def add_params(ap, required=True):
    ap.add_argument("--parties", required=required)
    ap.add_argument("--threshold", type=int, default=1)
    ap.add_argument("--length", type=int, default=1)
    ap.add_argument("--decimals", type=int, default=0)
    ap.add_argument("--min-cohort", type=int, default=0)
    ap.add_argument("--deadline-unix", type=int, default=0)
    ap.add_argument("--nonce", default="00" * 16)


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--certs", required=True)
    ap.add_argument("--party", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("create", "digest", "submit", "cohort"):
        p = sub.add_parser(name)
        p.add_argument("id")
        add_params(p)
    sub.add_parser("publish")
    s = sub.choices["submit"]
    s.add_argument("--d", required=True)
    s.add_argument("--position", type=int, required=True)
    s.add_argument("--fill", type=int, required=True)
    s = sub.choices["cohort"]
    s.add_argument("--d", required=True)
    s.add_argument("--members", required=True)
    s.add_argument("--shares", required=True)
    s = sub.add_parser("sumpoint")
    s.add_argument("id")
    s.add_argument("--d", required=True)
    s.add_argument("--position", type=int, required=True)
    s.add_argument("--values", required=True)
    s.add_argument("--cohort", required=True)
    s = sub.add_parser("verify")
    s.add_argument("file")
    s = sub.add_parser("field")
    s.add_argument("expr")
    s.add_argument("file")
    return ap.parse_args()


def main():
    a = parse()
    c = Certs(a.certs)
    if a.cmd == "create":
        print(item(11, "CREATE_SESSION", "create_session",
                   {"params": params_of(a)}))
    elif a.cmd == "digest":
        print(digest_of(a).hex())
    elif a.cmd == "publish":
        print(item(51, "PUBLISH_KEY", "publish_key",
                   {"certificate": b64(c.enc_der(a.party))}))
    elif a.cmd == "submit":
        print(cmd_submit(c, a))
    elif a.cmd == "cohort":
        print(cmd_cohort(c, a))
    elif a.cmd == "sumpoint":
        print(cmd_sumpoint(c, a))
    elif a.cmd == "field":
        print(eval(a.expr, {"r": first_answer(a.file), "b64": unb64}))
    else:
        n = 0
        with open(a.file) as f:
            for line in f:
                try:
                    n += verify_answer(c, json.loads(line))
                except Exception as e:  # noqa: BLE001 (any failure is bad)
                    print("v2party: verify: %s" % e, file=sys.stderr)
                    return 1
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
