"""v2.py: protocol version 2's cryptography, written again for the harness.

An implementation independent of core/, from docs/PROTOCOL.md and the
version-2 decisions, for the colluding parties of party.py (with the
encoders of tests/data/v2-vectors.py, which writes the vectors): the session
digest D and the invite code, the signed statements (SUBMIT, COHORT with its
submits digest, SUMPOINT), HPKE auth mode (RFC 9180: DHKEM(X25519,
HKDF-SHA256), HKDF-SHA256, AES-128-GCM) and the version-2 sealed share,
Shamir sharing over GF(2^61 - 1). self_check() runs it against
tests/data/v2-vectors.txt and RFC 9180's auth-mode vector, so that a party
made with it is refused for what it does, never for a bug of its own.
"""
import hashlib
import hmac
import importlib.util
import os
import secrets
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def _vectors_module():
    """tests/data/v2-vectors.py, the Python implementation of the byte
    layouts that writes the test vectors: its encoders are reused here."""
    path = os.path.join(ROOT, "tests", "data", "v2-vectors.py")
    spec = importlib.util.spec_from_file_location("v2_vectors", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_vec = _vectors_module()
P, u32, u64, crc24, invite = _vec.P, _vec.u32, _vec.u64, _vec.crc24, _vec.invite
params_encoding, header, bitmap = _vec.params_encoding, _vec.header, _vec.bitmap


def sha256(b):
    return hashlib.sha256(b).digest()


# ---- parameters, D, invite ------------------------------------------------

def digest_of(sp):
    """D of a SessionParams message."""
    return sha256(params_encoding(sp.session_id, list(sp.parties), sp.threshold,
                                  sp.length, sp.decimals, sp.min_cohort,
                                  sp.deadline_unix, sp.nonce))






# ---- statements -----------------------------------------------------------





def submit_body(d, signer, position, digests):
    """SUBMIT of the dealer at position: digests[j-1] is SHA-256 of the
    ciphertext for recipient j."""
    return header(b"SUBMIT", d, signer) + u32(position) + u32(len(digests)) + b"".join(digests)


def submits_digest(submit_bodies):
    """Over the members of C in position order: SHA-256 of the concatenated
    SHA-256 of each member's SUBMIT body."""
    return sha256(b"".join(sha256(b) for b in submit_bodies))


def cohort_body(d, signer, n, positions, sdigest):
    return header(b"COHORT", d, signer) + u32(n) + bitmap(n, positions) + sdigest


def cohort_digest(body):
    """SHA-256 of a COHORT body without its signer field."""
    return sha256(body[:21 + 32] + body[21 + 64:])


def values_digest(values):
    return sha256(b"".join(u64(v) for v in values))


def sumpoint_body(d, signer, cdigest, position, values):
    return (header(b"SUMPOINT", d, signer) + cdigest + u32(position) +
            u32(len(values)) + values_digest(values))


def submit_recipient_digest(body, j):
    """digests[j-1] of a SUBMIT body."""
    off = 21 + 64 + 8 + 32 * (j - 1)
    return body[off:off + 32]


class Signer:
    """A party's TLS key pair (NAME.key, NAME.crt): signs statements."""

    def __init__(self, certs, party):
        with open(os.path.join(certs, party + ".key"), "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        with open(os.path.join(certs, party + ".crt"), "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.der = cert.public_bytes(serialization.Encoding.DER)
        self.digest = sha256(self.der)

    def sign(self, body):
        return self.key.sign(body, ec.ECDSA(hashes.SHA256()))


# ---- HPKE auth mode (RFC 9180) and the sealed share ------------------------

KEM_ID, KDF_ID, AEAD_ID, MODE_AUTH = 0x20, 1, 1, 2
KEM_SUITE = b"KEM" + struct.pack(">H", KEM_ID)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", KEM_ID, KDF_ID, AEAD_ID)


def extract(salt, ikm):
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, n):
    return expand(prk, struct.pack(">H", n) + b"HPKE-v1" + suite + label + info, n)


def raw(pub):
    return pub.public_bytes(serialization.Encoding.Raw,
                            serialization.PublicFormat.Raw)


def key_schedule(shared, info):
    s = HPKE_SUITE
    ctx = (bytes([MODE_AUTH]) + labeled_extract(s, b"", b"psk_id_hash", b"") +
           labeled_extract(s, b"", b"info_hash", info))
    secret = labeled_extract(s, shared, b"secret", b"")
    return (labeled_expand(s, secret, b"key", ctx, 16),
            labeled_expand(s, secret, b"base_nonce", ctx, 12))


def auth_encap(pk_r, sk_s, sk_e=None):
    """(shared secret, enc) of AuthEncap; sk_e fixed only by the self-check."""
    sk_e = sk_e or x25519.X25519PrivateKey.generate()
    enc = raw(sk_e.public_key())
    dh = sk_e.exchange(pk_r) + sk_s.exchange(pk_r)
    kem_ctx = enc + raw(pk_r) + raw(sk_s.public_key())
    prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, prk, b"shared_secret", kem_ctx, 32), enc


def seal_auth(pk_r, sk_s, info, pt, aad=b"", sk_e=None):
    """enc || ciphertext || tag, the first message of an auth-mode context."""
    shared, enc = auth_encap(pk_r, sk_s, sk_e)
    key, nonce = key_schedule(shared, info)
    return enc + AESGCM(key).encrypt(nonce, pt, aad)


def open_auth(sk_r, pk_s, info, blob, aad=b""):
    enc = blob[:32]
    pk_e = x25519.X25519PublicKey.from_public_bytes(enc)
    dh = sk_r.exchange(pk_e) + sk_r.exchange(pk_s)
    kem_ctx = enc + raw(sk_r.public_key()) + raw(pk_s)
    prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, prk, b"shared_secret", kem_ctx, 32)
    key, nonce = key_schedule(shared, info)
    return AESGCM(key).decrypt(nonce, blob[32:], aad)


def share_info(d, sender, recipient, L):
    return (b"secure-sum/v2 share\0" + d + u32(len(sender)) + sender.encode() +
            u32(len(recipient)) + recipient.encode() + u64(L))


def seal_share(d, sender, recipient, values, sk_s, pk_r):
    pt = b"".join(u64(v) for v in values)
    return seal_auth(pk_r, sk_s, share_info(d, sender, recipient, len(values)), pt)


def open_share(d, sender, recipient, L, sk_r, pk_s, blob):
    pt = open_auth(sk_r, pk_s, share_info(d, sender, recipient, L), blob)
    return [struct.unpack_from("<Q", pt, 8 * i)[0] for i in range(L)]


def enc_keys(certs, party):
    """(private, public) X25519 keys of party's NAME.enc.key/NAME.enc.crt."""
    with open(os.path.join(certs, party + ".enc.key"), "rb") as f:
        sk = serialization.load_pem_private_key(f.read(), None)
    return sk, enc_public(certs, party)


def enc_public(certs, party):
    with open(os.path.join(certs, party + ".enc.crt"), "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).public_key()


# ---- GF(p) and Shamir -----------------------------------------------------

def field(v):
    return v % P


def poly_eval(coeffs, x):
    y = 0
    for c in reversed(coeffs):
        y = (y * x + c) % P
    return y


def random_poly(secret, t):
    return [field(secret)] + [secrets.randbelow(P) for _ in range(t)]


def lagrange_at(points, x):
    """The polynomial through points [(x_i, y_i)] evaluated at x."""
    total = 0
    for i, (xi, yi) in enumerate(points):
        num = den = 1
        for j, (xj, _) in enumerate(points):
            if i != j:
                num = num * (x - xj) % P
                den = den * (xi - xj) % P
        total = (total + yi * num * pow(den, P - 2, P)) % P
    return total


def to_int(v):
    """A field element as the signed integer it encodes."""
    return v - P if v > P // 2 else v


# ---- self-check -----------------------------------------------------------

def read_records(path):
    recs, cur = [], {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                if cur:
                    recs.append(cur)
                cur = {}
                continue
            k, _, v = line.partition("=")
            cur[k.strip()] = v.strip()
    if cur:
        recs.append(cur)
    return recs


def need(cond, what):
    if not cond:
        raise ValueError("v2.py disagrees with the reference: " + what)


def check_vectors(path):
    v = read_records(path)[0]
    nonce = bytes.fromhex(v["nonce"])
    enc = params_encoding(v["session"], v["parties"].split(","),
                          int(v["threshold"]), int(v["length"]),
                          int(v["decimals"]), int(v["min_cohort"]),
                          int(v["deadline"]), nonce)
    need(enc.hex() == v["params_encoding"], "params encoding")
    d = sha256(enc)
    need(d.hex() == v["D"] and invite(d) == v["invite"], "D or invite")
    signer = bytes.fromhex(v["signer"])
    n = len(v["parties"].split(","))
    digests = [bytes([j]) * 32 for j in range(1, n + 1)]
    need(submit_body(d, signer, int(v["submit_position"]),
                       digests).hex() == v["submit_body"], "SUBMIT body")
    members = [int(i) for i in v["cohort_members"].split(",")]
    sd = submits_digest([submit_body(d, signer, i, digests) for i in members])
    need(sd.hex() == v["submits_digest"], "submits digest")
    cohort = cohort_body(d, signer, n, members, sd)
    need(cohort.hex() == v["cohort_body"], "COHORT body")
    need(cohort_digest(cohort).hex() == v["cohort_digest"], "cohort digest")
    vals = [int(x) for x in v["sumpoint_values"].split(",")]
    need(values_digest(vals).hex() == v["values_digest"], "values digest")
    body = sumpoint_body(d, signer, bytes.fromhex(v["cohort_digest"]),
                         int(v["sumpoint_position"]), vals)
    need(body.hex() == v["sumpoint_body"], "SUMPOINT body")


def check_hpke(path):
    auth = [r for r in read_records(path) if r.get("mode") == "2"][0]
    seq0 = read_records(path)[read_records(path).index(auth) + 1]
    h = {k: bytes.fromhex(val) for k, val in {**auth, **seq0}.items()
         if k not in ("mode", "kem_id", "kdf_id", "aead_id", "seq")}
    priv = x25519.X25519PrivateKey.from_private_bytes
    blob = seal_auth(priv(h["skRm"]).public_key(), priv(h["skSm"]), h["info"],
                     h["pt"], h["aad"], sk_e=priv(h["skEm"]))
    need(blob == h["enc"] + h["ct"], "HPKE auth-mode seal")
    need(open_auth(priv(h["skRm"]), priv(h["skSm"]).public_key(), h["info"],
                     blob, h["aad"]) == h["pt"], "HPKE auth-mode open")


def self_check():
    check_vectors(os.path.join(ROOT, "tests", "data", "v2-vectors.txt"))
    check_hpke(os.path.join(ROOT, "tests", "data", "hpke-x25519-sha256-aes128gcm.txt"))
