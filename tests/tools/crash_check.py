#!/usr/bin/python3
"""crash_check.py: checks that every change mpc-server acknowledged is still
in effect, from the clients' trace files (mpc-client --trace: one line
"OK METHOD SESSION PARTY SHA256" per acknowledged change).

usage:
  crash_check.py status TRACE STATUS_JSON...
      each STATUS_JSON is `mpc-client --json status SESSION` output: every
      acknowledged CreateSession must show its session, every SubmitShares
      its party as shared, every PostCohort its party as signed, every
      PostSumpoint its party as posted; a session whose last line is an
      acknowledged DeleteSession must be gone (no STATUS_JSON for it)
  crash_check.py snapshot TRACE SNAPSHOT
      every acknowledged CreateSession must match the session's digest D in
      the snapshot, every SubmitShares, byte for byte (SHA-256), the
      sender's ciphertexts, every PostCohort the body of the party's COHORT
      statement, and every PostSumpoint the party's sumpoint values (as
      8-byte little-endian words); lines before a session's DeleteSession
      are not checked there (the snapshot may predate the deletion)
Prints one line "acknowledged N, lost M" and exits 1 when M > 0.
"""
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snapshot_edit  # noqa: E402


def acks(path):
    out = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 5 and w[0] == "OK":
                out.append(tuple(w[1:]))
    return out


def in_effect(trace):
    """The lines a later DeleteSession of their session did not undo, and
    the sessions whose last line is a DeleteSession (gone for good)."""
    last = {}
    for i, (method, session, _, _) in enumerate(trace):
        if method == "DeleteSession":
            last[session] = i
    kept = [t for i, t in enumerate(trace)
            if t[0] != "DeleteSession" and i > last.get(t[1], -1)]
    gone = {t[1] for t in trace} - {t[1] for t in kept}
    return kept, gone


def check_status(trace, files):
    status = {}
    for f in files:
        with open(f) as fh:
            st = json.load(fh)
        status[st["session"]] = st
    trace, gone = in_effect(trace)
    lost = [("DeleteSession", s, "-") for s in sorted(gone) if s in status]
    key = {"SubmitShares": "shared", "PostCohort": "signed", "PostSumpoint": "posted"}
    for method, session, party, _ in trace:
        st = status.get(session)
        if st is None or (method in key and party not in st.get(key[method], [])):
            lost.append((method, session, party))
        elif method not in key and method != "CreateSession":
            raise ValueError("unknown method %s in the trace" % method)
    return lost


def held_in_snapshot(data, se, st, method):
    """What the snapshot holds for an acknowledged change of method, as the
    bytes whose SHA-256 the trace names (None: nothing)."""
    if st is not None and method == "SubmitShares" and "shares_offset" in st:
        off = st["shares_offset"]
        return data[off:off + len(se["parties"]) * se["ct_len"]]
    if st is not None and method == "PostSumpoint" and "sumpoint" in st:
        # The trace hashes sumpoint values as little-endian words.
        return b"".join(struct.pack("<Q", v) for v in st["sumpoint"])
    if st is not None and method == "PostCohort" and "COHORT" in st.get("bodies", {}):
        return bytes.fromhex(st["bodies"]["COHORT"])
    return None


def check_snapshot(trace, path):
    with open(path, "rb") as f:
        data = f.read()
    snap = snapshot_edit.parse(data)
    trace, _ = in_effect(trace)
    lost = []
    for method, session, party, digest in trace:
        se = snap["sessions"].get(session)
        st = se["state"].get(party) if se else None
        if method == "CreateSession":
            # The trace names D itself, which the snapshot keeps.
            if se is None or se.get("digest") != digest:
                lost.append((method, session, party))
            continue
        held = held_in_snapshot(data, se, st, method)
        if held is None or hashlib.sha256(held).hexdigest() != digest:
            lost.append((method, session, party))
    return lost


def main(argv):
    if len(argv) < 4 or argv[1] not in ("status", "snapshot"):
        sys.exit(__doc__)
    trace = acks(argv[2])
    lost = (check_status(trace, argv[3:]) if argv[1] == "status"
            else check_snapshot(trace, argv[3]))
    print("acknowledged %d, lost %d" % (len(trace), len(lost)))
    for item in lost:
        print("lost: %s %s %s" % item)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
