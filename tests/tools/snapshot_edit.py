#!/usr/bin/python3
"""snapshot_edit.py: reads and edits mpc-server's snapshot file, as a
malicious server could, and rewrites its trailing SHA-256 so that the
server loads the result.

The layout is the one documented at the top of server/snapshot.c (str =
u32 length + bytes; integers little-endian in versions 2 to 4, big-endian
in version 1, whose version field reads 00 00 00 01):
  "SSUMSNAP" u32 version u64 journal_seq
  u32 nkeys, each: str name, u32 len, DER; version 3: u32 len, the DER of
    the signing certificate (0: none)
  u32 nsessions, each: str id, u32 n, n * str party, u32 threshold,
    u32 length, u32 decimals, u32 deadline_seconds; version 3: u8 protocol
    version (1, or 2 followed by u32 min_cohort, u64 deadline_unix, 16
    bytes of nonce, 32 of digest D); then u64 created_unix, u64
    deadline_unix, u32 phase, str fail_reason, version 4: str creator, then per party: u8 flags
    (1 shares, 2 in cohort, 4 sumpoint), the n sealed shares it sent
    (recipient order) when flag 1, its L sumpoint values when flag 4, and
    in a protocol-version-2 session six statements (u32 body length, 0:
    none; else the body, u32 signature length, the signature): the first
    SUBMIT, COHORT and SUMPOINT, then the second (conflicting) ones
  SHA-256 of everything before it
A sealed share of L elements is 32 + 8 L + 16 bytes (core/sealed.h).

usage:
  snapshot_edit.py FILE dump
  snapshot_edit.py FILE flip SESSION SENDER RECIPIENT [BYTE]
      XOR 0x01 into byte BYTE (default: the first ciphertext byte after enc)
      of SENDER's share for RECIPIENT
  snapshot_edit.py FILE swap SESSION SENDER RECIPIENT1 RECIPIENT2
      exchange SENDER's shares for RECIPIENT1 and RECIPIENT2
  snapshot_edit.py FILE copy FROM_SESSION TO_SESSION SENDER
      replace SENDER's shares in TO_SESSION by those it sent in FROM_SESSION
"""
import hashlib
import json
import struct
import sys

MAGIC = b"SSUMSNAP"
HASH_LEN = 32


def sealed_len(length):
    return 32 + 8 * length + 16


class Reader:
    def __init__(self, data, order="<"):
        self.d, self.off, self.order = data, 0, order

    def take(self, n):
        if self.off + n > len(self.d):
            raise ValueError("truncated at offset %d" % self.off)
        b = self.d[self.off:self.off + n]
        self.off += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack(self.order + "I", self.take(4))[0]

    def u64(self):
        return struct.unpack(self.order + "Q", self.take(8))[0]

    def str(self):
        return self.take(self.u32()).decode()

    def statement(self):
        """A statement's (body, signature), or None."""
        n = self.u32()
        if n == 0:
            return None
        body = self.take(n)
        return body, self.take(self.u32())


# The keys a party's statements are noted under in the dump.
STATEMENTS = ("SUBMIT", "COHORT", "SUMPOINT",
              "SUBMIT (second)", "COHORT (second)", "SUMPOINT (second)")


def parse_v2_params(r, se):
    """Version 3's protocol-version byte and version 2's parameters."""
    se["protocol"] = r.u8()
    if se["protocol"] == 2:
        se["min_cohort"], se["deadline_at"] = r.u32(), r.u64()
        se["nonce"], se["digest"] = r.take(16).hex(), r.take(32).hex()
    elif se["protocol"] != 1:
        raise ValueError("unknown protocol version %d" % se["protocol"])


def parse(data):
    """The snapshot as a dict, with the offset of every sender's share block."""
    if hashlib.sha256(data[:-HASH_LEN]).digest() != data[-HASH_LEN:]:
        raise ValueError("checksum does not match")
    r = Reader(data[:-HASH_LEN])
    if r.take(8) != MAGIC:
        raise ValueError("not a snapshot (bad magic)")
    if struct.unpack(">I", r.d[8:12])[0] == 1:
        r.order = ">"      # version 1, written before the little-endian rule
    version = r.u32()
    if version not in (1, 2, 3, 4):
        raise ValueError("unknown version %d" % version)
    snap = {"version": version, "journal_seq": r.u64(), "keys": [], "sessions": {}}
    for _ in range(r.u32()):
        name = r.str()
        r.take(r.u32())
        if version >= 3:
            r.take(r.u32())
        snap["keys"].append(name)
    for _ in range(r.u32()):
        se = {"id": r.str()}
        n = r.u32()
        se["parties"] = [r.str() for _ in range(n)]
        se["threshold"], se["length"], se["decimals"], se["deadline_seconds"] = (
            r.u32(), r.u32(), r.u32(), r.u32())
        se["protocol"] = 1
        if version >= 3:
            parse_v2_params(r, se)
        se["created_unix"], se["deadline_unix"] = r.u64(), r.u64()
        se["phase"], se["fail_reason"] = r.u32(), r.str()
        se["creator"] = r.str() if version >= 4 else ""
        se["ct_len"] = sealed_len(se["length"])
        se["state"] = {}
        for p in se["parties"]:
            flags = r.u8()
            st = {"flags": flags}
            if flags & 1:
                st["shares_offset"] = r.off
                r.take(n * se["ct_len"])
            if flags & 4:
                st["sumpoint"] = [r.u64() for _ in range(se["length"])]
            if se["protocol"] == 2:
                for kind in STATEMENTS:
                    stmt = r.statement()
                    if stmt is not None:
                        st[kind] = True
                        # In hex: the dump is JSON.
                        st.setdefault("bodies", {})[kind] = stmt[0].hex()
            se["state"][p] = st
        snap["sessions"][se["id"]] = se
    if r.off != len(r.d):
        raise ValueError("%d bytes left over after the last session"
                         % (len(r.d) - r.off))
    return snap


def share_offset(snap, session, sender, recipient):
    se = snap["sessions"].get(session)
    if se is None:
        raise ValueError("no session %s" % session)
    st = se["state"].get(sender)
    if st is None or "shares_offset" not in st:
        raise ValueError("%s holds no shares from %s" % (session, sender))
    if recipient not in se["parties"]:
        raise ValueError("%s is not a party of %s" % (recipient, session))
    j = se["parties"].index(recipient)
    return st["shares_offset"] + j * se["ct_len"], se["ct_len"]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, cmd, args = argv[1], argv[2], argv[3:]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    try:
        snap = parse(bytes(data))
        if cmd == "dump" and not args:
            print(json.dumps(snap, indent=1))
            return 0
        if cmd == "flip" and len(args) in (3, 4):
            off, ct_len = share_offset(snap, *args[:3])
            byte = int(args[3]) if len(args) == 4 else 32
            if not 0 <= byte < ct_len:
                raise ValueError("byte %d is outside the %d-byte share" % (byte, ct_len))
            data[off + byte] ^= 0x01
        elif cmd == "swap" and len(args) == 4:
            a, ct_len = share_offset(snap, args[0], args[1], args[2])
            b, _ = share_offset(snap, args[0], args[1], args[3])
            data[a:a + ct_len], data[b:b + ct_len] = data[b:b + ct_len], data[a:a + ct_len]
        elif cmd == "copy" and len(args) == 3:
            src, dst, sender = args
            s, d = snap["sessions"].get(src), snap["sessions"].get(dst)
            if s is None or d is None:
                raise ValueError("no session %s" % (dst if s else src))
            if s["parties"] != d["parties"] or s["length"] != d["length"]:
                raise ValueError("%s and %s differ in parties or length" % (src, dst))
            # Offsets of the whole blocks: sender's share for the first party.
            so, _ = share_offset(snap, src, sender, s["parties"][0])
            do, _ = share_offset(snap, dst, sender, d["parties"][0])
            n = len(s["parties"]) * s["ct_len"]
            data[do:do + n] = data[so:so + n]
        else:
            sys.exit(__doc__)
    except ValueError as e:
        sys.exit("snapshot_edit: %s: %s" % (path, e))
    data[-HASH_LEN:] = hashlib.sha256(bytes(data[:-HASH_LEN])).digest()
    with open(path, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
