#!/usr/bin/env python3
# v2-share-vector.py: writes tests/data/v2-share-vector.txt, the test vector
# of a version-2 sealed share (docs/PROTOCOL.md section 9.6), from the
# document's layout and tests/adversary/v2.py's HPKE, an implementation
# independent of core/ that checks itself against RFC 9180's auth-mode
# vector before it is used. test_core_sealed opens the ciphertext with
# core/sealed.c and seals the info and plaintext with core/hpke.c's fixed
# ephemeral key, so the document, the file and the code must all agree.
#
# Usage: python3 tests/data/v2-share-vector.py > tests/data/v2-share-vector.txt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "adversary"))
import v2  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import x25519  # noqa: E402


def main():
    v2.self_check()
    priv = x25519.X25519PrivateKey.from_private_bytes
    sk_s = bytes(range(0x10, 0x30))     # alice, the sender
    sk_r = bytes(range(0x40, 0x60))     # bob, the recipient
    sk_e = bytes(range(0x70, 0x90))     # the ephemeral key: fresh in real use
    # D of the parameters of tests/data/v2-vectors.txt.
    d = bytes.fromhex("887f9a8371c8e113961aae6c123ea6e4"
                      "fd8afd876e2375a1f80d3258232fdd3d")
    sender, recipient, values = "alice", "bob", [52000, v2.P - 7]
    info = v2.share_info(d, sender, recipient, len(values))
    pt = b"".join(v2.u64(v) for v in values)
    ct = v2.seal_auth(priv(sk_r).public_key(), priv(sk_s), info, pt,
                      sk_e=priv(sk_e))
    assert v2.open_share(d, sender, recipient, len(values), priv(sk_r),
                         priv(sk_s).public_key(), ct) == values
    rows = [
        ("D", d.hex()),
        ("sender", sender),
        ("recipient", recipient),
        ("length", len(values)),
        ("values", ",".join(str(v) for v in values)),
        ("skS", sk_s.hex()),
        ("pkS", v2.raw(priv(sk_s).public_key()).hex()),
        ("skR", sk_r.hex()),
        ("pkR", v2.raw(priv(sk_r).public_key()).hex()),
        ("skE", sk_e.hex()),
        ("info", info.hex()),
        ("plaintext", pt.hex()),
        ("ciphertext", ct.hex()),
    ]
    print("# A protocol-version-2 sealed share (docs/PROTOCOL.md section 9.6),")
    print("# written by tests/data/v2-share-vector.py with tests/adversary/v2.py;")
    print("# checked by test_core_sealed. One \"name = value\" per line; hex is")
    print("# lower case; integers are decimal. aad is empty.")
    for name, value in rows:
        print(f"{name} = {value}")


if __name__ == "__main__":
    main()
