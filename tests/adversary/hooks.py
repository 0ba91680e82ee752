"""hooks.py: what the man in the middle (mitm.py) does to what it relays.

A rule {"do": NAME, ...} of the rules file names one hook below, with its
arguments; "to" (the callers it applies to) and "methods" (the methods, by
name) narrow it. A response hook gets (ctx, rule, request, response) and
changes the response in place, returns another, or returns DROP (the client
never gets an answer). A request hook gets (ctx, rule, request) and returns
None (relay it), a Response (answered here, the real server never sees the
request) or DROP. Every hook that changes something says so with ctx.log,
so that a test can tell its attack was delivered.
"""
import base64
import json
import secrets

import v2
import wire

DROP = object()
REQUEST_HOOKS, RESPONSE_HOOKS = {}, {}


def request_hook(name):
    def register(f):
        REQUEST_HOOKS[name] = f
        return f
    return register


def response_hook(name):
    def register(f):
        RESPONSE_HOOKS[name] = f
        return f
    return register


class Context:
    """Who asked what: the caller, the session, the method; and the world."""

    def __init__(self, world, party, session, method):
        self.world, self.party, self.session, self.method = world, party, session, method
        self.hook = None

    def log(self, what):
        self.world.log(self.session, self.party, self.method, self.hook, what)


class Board:
    """What the relay has seen, for the hooks that answer from a script:
    each session's parameters, each dealer's SubmitShares, and the COHORTs
    board_cohorts kept."""

    def __init__(self):
        self.params, self.submits, self.cohorts = {}, {}, {}

    def saw_request(self, ctx, req):
        if req.WhichOneof("body") == "submit_shares":
            self.submits.setdefault(ctx.session, {})[ctx.party] = req.submit_shares
        elif req.WhichOneof("body") == "create_session":
            self.params.setdefault(ctx.session, req.create_session.params)

    def saw_response(self, ctx, req, resp):
        if resp.code == wire.pb.OK and resp.WhichOneof("body") == "get_status":
            self.params[ctx.session] = resp.get_status.params


def applies(rule, ctx):
    return "methods" not in rule or ctx.method in rule["methods"]


def call(ctx, rule, f, *args):
    """f(ctx, rule, *args); a hook that fails is logged as an ERROR (a test
    whose attack broke is not a passing test) and drops the connection."""
    ctx.hook = rule["do"]
    try:
        return f(ctx, rule, *args)
    except Exception as e:
        ctx.hook = "ERROR"
        ctx.log("%s: %s: %r" % (rule["do"], type(e).__name__, e))
        raise


def on_request(ctx, rules, req):
    for rule in rules:
        f = REQUEST_HOOKS.get(rule["do"])
        if f is not None and applies(rule, ctx):
            answer = call(ctx, rule, f, req)
            if answer is not None:
                return answer
    return None


def on_response(ctx, rules, req, resp):
    for rule in rules:
        f = RESPONSE_HOOKS.get(rule["do"])
        if f is not None and applies(rule, ctx) and resp.code == wire.pb.OK:
            resp = call(ctx, rule, f, req, resp) or resp
            if resp is DROP:
                return DROP
    return resp


def response(method_field, code=None, message=""):
    """An empty Response with the body of method_field set."""
    r = wire.pb.Response(code=code or wire.pb.OK, message=message)
    getattr(r, method_field).SetInParent()
    return r


# ---- request hooks --------------------------------------------------------

@request_hook("drop")
def drop(ctx, rule, req):
    """Never answers the request (its "methods"); with "answer", answers it
    with that status instead, without relaying it."""
    if rule.get("answer"):
        ctx.log("answered %s without relaying" % rule["answer"])
        return response(req.WhichOneof("body"), wire.pb.Code.Value(rule["answer"]),
                        "the man in the middle says no")
    ctx.log("withheld the answer")
    return DROP


@request_hook("fake_ok")
def fake_ok(ctx, rule, req):
    """Answers OK without relaying: the real server never sees it."""
    ctx.log("answered OK without relaying")
    return response(req.WhichOneof("body"))


@request_hook("answer_shares")
def answer_shares(ctx, rule, req):
    """Answers GetShare from the SubmitShares it relayed, for the cohort
    rule["cohort"], whatever phase the real server is in."""
    if req.WhichOneof("body") != "get_share":
        return None
    params = ctx.world.board.params.get(ctx.session)
    subs = ctx.world.board.submits.get(ctx.session, {})
    resp = response("get_share")
    for sender in [p for p in params.parties if p in rule["cohort"]]:
        sub = subs.get(sender)
        ct = [s.ciphertext for s in sub.shares if s.recipient == ctx.party] if sub else []
        if ct:
            resp.get_share.shares.add(sender=sender, ciphertext=ct[0], submit=sub.submit)
    ctx.log("answered GetShare itself with shares from %s" %
            ",".join(s.sender for s in resp.get_share.shares))
    return resp


@request_hook("board_cohorts")
def board_cohorts(ctx, rule, req):
    """Keeps the COHORTs posted to it (answering OK, never relaying them),
    and answers GetCohort with the cohort rule["cohort"] and the COHORTs it
    kept from its members: each group sees only what the lie needs."""
    which = req.WhichOneof("body")
    kept = ctx.world.board.cohorts.setdefault(ctx.session, {})
    if which == "post_cohort":
        kept[ctx.party] = req.post_cohort.cohort
        ctx.log("kept %s's COHORT, answered OK" % ctx.party)
        return response("post_cohort")
    if which != "get_cohort":
        return None
    resp = response("get_cohort")
    resp.get_cohort.cohort.extend(rule["cohort"])
    for m in rule["cohort"]:
        if m in kept:
            resp.get_cohort.signatures.add(party=m, cohort=kept[m])
    ctx.log("answered GetCohort: [%s], signed by %s" % (
        ",".join(rule["cohort"]), ",".join(s.party for s in resp.get_cohort.signatures)))
    return resp


# ---- response hooks: cohorts, phases, sumpoints ---------------------------

@response_hook("cohort")
def cohort(ctx, rule, req, resp):
    """Shows the cohort rule["cohort"] (and the phase rule["phase"], if
    given) in GetStatus, GetCohort and ListSumpoints, and only shares from
    its members in GetShare."""
    members, which = rule["cohort"], resp.WhichOneof("body")
    body = getattr(resp, which)
    if which in ("get_status", "list_sumpoints", "get_cohort"):
        if which == "get_status" and "phase" in rule:
            body.phase = wire.pb.Phase.Value(rule["phase"])
        if which == "get_status" and body.phase == wire.pb.SHARING:
            return None
        del body.cohort[:]
        body.cohort.extend(members)
        ctx.log("cohort shown: [%s]" % ",".join(members))
    elif which == "get_share":
        keep = [s for s in body.shares if s.sender in members]
        if len(keep) != len(body.shares):
            del body.shares[:]
            body.shares.extend(keep)
            ctx.log("shares only from [%s]" % ",".join(members))
    return None


@response_hook("params")
def params(ctx, rule, req, resp):
    """Reports other parameters in GetStatus and ListSumpoints: the fields
    of rule["set"] (bytes in hex), e.g. {"nonce": ""}, a version-1
    session."""
    which = resp.WhichOneof("body")
    if which not in ("get_status", "list_sumpoints"):
        return None
    p = getattr(resp, which).params
    for k, v in rule["set"].items():
        setattr(p, k, bytes.fromhex(v) if isinstance(getattr(p, k), bytes) else v)
    ctx.log("reported the parameters with %s" % json.dumps(rule["set"]))
    return None


@response_hook("hide_shared")
def hide_shared(ctx, rule, req, resp):
    """GetStatus shows rule["who"] as not having shared (not in `shared`, in
    `missing`), although the real server holds its submission: a server
    that would have the party sign a second SUBMIT for one D, which every
    reader takes as proof that it cheated."""
    if resp.WhichOneof("body") != "get_status":
        return None
    body, who = resp.get_status, rule["who"]
    if who in body.shared:
        keep = [p for p in body.shared if p != who]
        del body.shared[:]
        body.shared.extend(keep)
        if who not in body.missing:
            body.missing.append(who)
        ctx.log("hid %s from shared" % who)
    return None


@response_hook("sumpoints")
def sumpoints(ctx, rule, req, resp):
    """ListSumpoints keeps only the sumpoints of rule["keep"]."""
    if resp.WhichOneof("body") != "list_sumpoints":
        return None
    body = resp.list_sumpoints
    keep = [s for s in body.sumpoints if s.party in rule["keep"]]
    dropped = [s.party for s in body.sumpoints if s.party not in rule["keep"]]
    del body.sumpoints[:]
    body.sumpoints.extend(keep)
    if dropped:
        ctx.log("withheld the sumpoints of %s" % ",".join(dropped))
    return None


@response_hook("fabricate_sumpoints")
def fabricate_sumpoints(ctx, rule, req, resp):
    """ListSumpoints answers t+1 made-up points of a polynomial whose value
    at 0 is rule["secret"], each carrying the statement the real poster
    signed (if any) for other values."""
    if resp.WhichOneof("body") != "list_sumpoints":
        return None
    body = resp.list_sumpoints
    t, L = body.params.threshold, body.params.length
    real = {s.party: s for s in body.sumpoints}
    polys = [v2.random_poly(rule["secret"], t) for _ in range(L)]
    del body.sumpoints[:]
    for x, party in enumerate(list(body.params.parties)[:t + 1], start=1):
        sp = body.sumpoints.add(party=party, x=x,
                                values=[v2.poly_eval(f, x) for f in polys])
        if party in real and real[party].HasField("statement"):
            sp.statement.CopyFrom(real[party].statement)
    ctx.log("made up %d sumpoints with sum %d" % (t + 1, rule["secret"]))
    return None


@response_hook("alt_submission")
def alt_submission(ctx, rule, req, resp):
    """In GetShare, replaces the dealer's share and SUBMIT with those of its
    second submission (party.py share --alt FILE)."""
    if resp.WhichOneof("body") != "get_share":
        return None
    with open(rule["file"]) as f:
        alt = json.load(f)
    for s in resp.get_share.shares:
        if s.sender == alt["dealer"] and ctx.party in alt["shares"]:
            s.ciphertext = base64.b64decode(alt["shares"][ctx.party])
            s.submit.body = base64.b64decode(alt["submit"]["body"])
            s.submit.signature = base64.b64decode(alt["submit"]["signature"])
            ctx.log("showed %s's second submission" % alt["dealer"])
    return None


@response_hook("alt_sumpoints")
def alt_sumpoints(ctx, rule, req, resp):
    """ListSumpoints shows the second sumpoints of rule["files"] (party.py
    sumpoint --alt) in the place of their posters' own."""
    if resp.WhichOneof("body") != "list_sumpoints":
        return None
    for path in rule["files"]:
        with open(path, "rb") as f:
            alt = wire.pb.Sumpoint.FromString(f.read())
        for sp in resp.list_sumpoints.sumpoints:
            if sp.party == alt.party:
                sp.CopyFrom(alt)
                ctx.log("showed %s's second sumpoint" % alt.party)
    return None


# ---- response hooks: the mutation of one kind of item ---------------------

# kind -> {response body: (list field, owner field, item field)}
KINDS = {
    "shares": {"get_share": ("shares", "sender", "ciphertext")},
    "keys": {"get_keys": ("keys", "party", "certificate")},
    "signing_keys": {"get_keys": ("keys", "party", "signing_certificate")},
    "submits": {"get_share": ("shares", "sender", "submit")},
    "cohorts": {"get_cohort": ("signatures", "party", "cohort"),
                "list_sumpoints": ("cohort_signatures", "party", "cohort")},
    "sumpoint_statements": {"list_sumpoints": ("sumpoints", "party", "statement")},
    "sumpoints": {"list_sumpoints": ("sumpoints", "party", "values")},
}


def get_field(item, name):
    """The item's field: bytes, a list of values, or a copy of a Statement
    (None when absent)."""
    v = getattr(item, name)
    if isinstance(v, wire.pb.Statement):
        return wire.pb.Statement.FromString(v.SerializeToString()) if item.HasField(name) else None
    if isinstance(v, bytes):
        return v
    return list(v)


def set_field(item, name, value):
    cur = getattr(item, name)
    if isinstance(cur, wire.pb.Statement):
        if value is None:
            item.ClearField(name)
        else:
            cur.CopyFrom(value)
    elif isinstance(cur, bytes):
        setattr(item, name, value if value is not None else b"")
    else:
        del cur[:]
        cur.extend(value)


def fabricated(rule, name, owner, value):
    """A made-up value in the place of value."""
    if name in ("certificate", "signing_certificate"):
        # The same party's certificate from another CA: well formed, the
        # right name, the wrong issuer.
        return other_cert(rule["other_certs"], owner, name)
    if isinstance(value, bytes):
        return secrets.token_bytes(len(value))
    if isinstance(value, list):
        return [secrets.randbelow(v2.P) for _ in value]
    # A statement: its body changed in its last byte, the signature kept.
    return wire.pb.Statement(body=value.body[:-1] + bytes([value.body[-1] ^ 1]),
                             signature=value.signature)


def other_cert(folder, owner, name):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    suffix = ".enc.crt" if name == "certificate" else ".crt"
    with open("%s/%s%s" % (folder, owner, suffix), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return cert.public_bytes(serialization.Encoding.DER)


def truncated(value):
    if isinstance(value, wire.pb.Statement):
        return wire.pb.Statement(body=value.body[:-1], signature=value.signature)
    return value[:-1]


def replayed(ctx, rule, which, lst, owner_f, name, owner):
    """The item of the same owner in the response recorded for the same
    caller and method in session rule["from"]."""
    old = ctx.world.recorded(rule["from"], ctx.party, ctx.method)
    if old is None or old.WhichOneof("body") != which:
        return None
    for item in getattr(getattr(old, which), lst):
        if getattr(item, owner_f) == owner:
            return get_field(item, name)
    return None


@response_hook("mutate")
def mutate(ctx, rule, req, resp):
    """rule["how"] (fabricate, drop, swap, truncate, replay) done to the
    items of kind rule["what"] (KINDS) in the response: drop takes the first
    item away, swap exchanges the first two items' fields, the others change
    every item. rule["from"]: the session replayed."""
    which = resp.WhichOneof("body")
    spec = KINDS[rule["what"]].get(which)
    if spec is None:
        return None
    lst, owner_f, name = spec
    items, how, done = getattr(getattr(resp, which), lst), rule["how"], []
    if how == "drop" and len(items) > 0:
        # The first item: the whole entry where the field is what it is
        # (a share, a key, a sumpoint), else the field alone.
        done = [getattr(items[0], owner_f)]
        if name in ("ciphertext", "certificate", "values"):
            del items[0]
        else:
            set_field(items[0], name, None)
    elif how == "swap" and len(items) >= 2:
        a, b = get_field(items[0], name), get_field(items[1], name)
        set_field(items[0], name, b)
        set_field(items[1], name, a)
        done = [getattr(items[0], owner_f), getattr(items[1], owner_f)]
    elif how in ("fabricate", "truncate", "replay"):
        for i in items:
            owner, value = getattr(i, owner_f), get_field(i, name)
            if value is None:
                continue
            if how == "fabricate":
                new = fabricated(rule, name, owner, value)
            elif how == "truncate":
                new = truncated(value)
            else:
                new = replayed(ctx, rule, which, lst, owner_f, name, owner)
            if new is not None and (new != value or how == "replay"):
                set_field(i, name, new)
                done.append(owner + ("" if new != value else " (the same bytes)"))
    if done:
        ctx.log("%s %s of %s" % (how, rule["what"], ",".join(done)))
    return None
