#!/usr/bin/env python3
# v2-vectors.py: writes tests/data/v2-vectors.txt, the protocol-version-2
# test vectors (session parameters, D, invite code, statement bodies), from
# the byte layouts of docs/PROTOCOL.md alone: an implementation
# independent of core/, so that the C unit tests checking the file byte for
# byte check the code against the document.
#
# Usage: python3 tests/data/v2-vectors.py > tests/data/v2-vectors.txt
import base64
import hashlib
import struct

P = (1 << 61) - 1


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def lstr(s):
    b = s.encode("ascii")
    return u32(len(b)) + b


def crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def invite(d):
    raw = d + crc24(d).to_bytes(3, "big")
    sym = base64.b32encode(raw).decode().lower()
    assert len(sym) == 56 and "=" not in sym
    return "ss2-" + "-".join(sym[i:i + 8] for i in range(0, 56, 8))


def params_encoding(sid, parties, t, L, k, min_cohort, deadline, nonce):
    out = b"secure-sum/v2 params\0" + lstr(sid) + u32(len(parties))
    for p in parties:
        out += lstr(p)
    out += u32(t) + u32(L) + u32(k) + u32(min_cohort) + u64(deadline) + nonce
    return out


def header(kind, d, signer):
    return b"secure-sum/v2 " + kind + b"\0" + d + signer


def bitmap(n, members):
    b = bytearray((n + 7) // 8)
    for i in members:
        b[(i - 1) // 8] |= 1 << ((i - 1) % 8)
    return bytes(b)


def main():
    sid = "payroll"
    parties = ["alice", "bob", "carol", "dave", "erin"]
    t, L, k, min_cohort, deadline = 2, 3, 2, 4, 1767225600
    nonce = bytes(range(16))
    enc = params_encoding(sid, parties, t, L, k, min_cohort, deadline, nonce)
    d = hashlib.sha256(enc).digest()

    signer = bytes(range(0xA0, 0xC0))
    n = len(parties)
    # SUBMIT by bob (position 2); the digest for recipient j is 32 bytes of j.
    digests = b"".join(bytes([j]) * 32 for j in range(1, n + 1))
    submit = header(b"SUBMIT", d, signer) + u32(2) + u32(n) + digests
    # COHORT {alice, bob, dave, erin}. Its submits digest is over the
    # members' SUBMITs, in position order: here each member's is the SUBMIT
    # above with that member's position (one signer field for all, as the
    # vector has one).
    members = [1, 2, 4, 5]
    member_submits = [header(b"SUBMIT", d, signer) + u32(i) + u32(n) + digests
                      for i in members]
    submits_digest = hashlib.sha256(b"".join(
        hashlib.sha256(b).digest() for b in member_submits)).digest()
    cohort_fields = u32(n) + bitmap(n, members) + submits_digest
    cohort = header(b"COHORT", d, signer) + cohort_fields
    cohort_digest = hashlib.sha256(
        b"secure-sum/v2 COHORT\0" + d + cohort_fields).digest()
    # SUMPOINT of carol (position 3).
    values = [52000, P - 7, 0]
    values_digest = hashlib.sha256(b"".join(u64(v) for v in values)).digest()
    sumpoint = (header(b"SUMPOINT", d, signer) + cohort_digest + u32(3) +
                u32(L) + values_digest)

    rows = [
        ("session", sid),
        ("parties", ",".join(parties)),
        ("threshold", t),
        ("length", L),
        ("decimals", k),
        ("min_cohort", min_cohort),
        ("deadline", deadline),
        ("nonce", nonce.hex()),
        ("params_encoding", enc.hex()),
        ("D", d.hex()),
        ("invite", invite(d)),
        ("signer", signer.hex()),
        ("submit_position", 2),
        ("submit_digests", "32 bytes of value j for recipient j"),
        ("submit_body", submit.hex()),
        ("cohort_members", ",".join(str(i) for i in members)),
        ("cohort_submits", "the SUBMIT above with position i, for i in C"),
        ("submits_digest", submits_digest.hex()),
        ("cohort_body", cohort.hex()),
        ("cohort_digest", cohort_digest.hex()),
        ("sumpoint_position", 3),
        ("sumpoint_values", ",".join(str(v) for v in values)),
        ("values_digest", values_digest.hex()),
        ("sumpoint_body", sumpoint.hex()),
    ]
    print("# Protocol version 2 test vectors (docs/PROTOCOL.md section 22),")
    print("# written by tests/data/v2-vectors.py from the document's layouts;")
    print("# checked byte for byte by test_core_params, test_core_invite and")
    print("# test_core_statement. One \"name = value\" per line; hex is")
    print("# lower case; integers are decimal.")
    for name, value in rows:
        print(f"{name} = {value}")


if __name__ == "__main__":
    main()
