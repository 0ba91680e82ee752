#!/usr/bin/python3
"""validation_walk.py: walks the tables of docs/VALIDATION.md.

Reads every row whose first cell is F<n> (fixture) or V<n> (validation
row), expands the request's macros, sends it with tests/tools/rawclient.py
on a connection of its own as the row's caller to the row's server, and
prints one TAP line per row: the code, the response id (the request's, or 0
with `id=0`), the part of the message the row names, and with `close` that
the server then closed the connection. Fixtures must pass for the rows to
mean anything; a failed fixture is reported like a row.

It also checks that the table is whole: ids unique and numbered without
gaps, every row walked, and every field of every request message of the
proto (and of the messages they hold) named in a `field` cell.

Usage: validation_walk.py --doc docs/VALIDATION.md --proto proto/securesum.proto
           --rawclient tests/tools/rawclient.py --py DIR --ca CA.crt
           --dir TESTDIR --server default=HOST:PORT --server small=HOST:PORT
Certificates of caller NAME: TESTDIR/certs/NAME.crt and NAME.key; {{der:F}}
reads TESTDIR/F. Exit status 0 when every line is ok.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import time

ROW = re.compile(r"^\|\s*([FV])(\d+)\s*\|")


def parse_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = ROW.match(line)
            if not m:
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 9:
                raise SystemExit("%s:%d: %d cells, 9 expected" % (path, lineno, len(cells)))
            rid, field, rule, past, server, who, request, expect, msg = cells
            request = request.strip()
            if not (request.startswith("`") and request.endswith("`")):
                raise SystemExit("%s:%d: the request must be in backticks" % (path, lineno))
            rows.append({"id": rid, "kind": m.group(1), "n": int(m.group(2)),
                         "field": field, "past": past, "server": server, "as": who,
                         "request": request[1:-1], "expect": expect, "message": msg,
                         "line": lineno})
    return rows


def proto_fields(path):
    """Message.field for Request and every message reachable from its body."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)
    messages = {}
    for m in re.finditer(r"message\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[m.end():i - 1]
        body = re.sub(r"oneof\s+\w+\s*\{", "", body).replace("}", "")
        fields = re.findall(r"(?:repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*\d+\s*;", body)
        messages[m.group(1)] = fields
    want, todo, seen = set(), ["Request"], set()
    while todo:
        msg = todo.pop()
        if msg in seen:
            continue
        seen.add(msg)
        for typ, name in messages.get(msg, []):
            if msg == "Request" and typ in messages:
                # The body oneof: each body is a message of its own.
                todo.append(typ)
                want.add("Request.body")
                continue
            want.add("%s.%s" % (msg, name))
            if typ in messages:
                todo.append(typ)
    return want


def expand(s, testdir):
    def macro(m):
        kind, _, arg = m.group(1).partition(":")
        if kind == "name":
            return "x" * int(arg)
        if kind == "names":
            n = int(arg)
            return json.dumps(["alice"] + ["p%d" % i for i in range(2, n + 1)])
        if kind == "empties":
            return ",".join(["{}"] * int(arg))
        if kind == "ct":
            n, _, seed = arg.partition(":")
            n = int(n)
            if seed:
                out, k = b"", 0
                while len(out) < n:
                    out += hashlib.sha256(("%s/%d" % (seed, k)).encode()).digest()
                    k += 1
                data = out[:n]
            else:
                data = os.urandom(n)
            return base64.b64encode(data).decode()
        if kind == "zeros":
            return base64.b64encode(bytes(int(arg))).decode()
        if kind in ("der", "der+"):
            der = subprocess.run(["openssl", "x509", "-in", os.path.join(testdir, arg),
                                  "-outform", "DER"], check=True,
                                 capture_output=True).stdout
            return base64.b64encode(der + (b"\0" if kind == "der+" else b"")).decode()
        if kind == "now_ms":
            return str(int(time.time() * 1000) + int(arg))
        raise SystemExit("unknown macro {{%s}}" % m.group(1))
    return re.sub(r"\{\{([^}]*)\}\}", macro, s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", required=True)
    ap.add_argument("--proto", required=True)
    ap.add_argument("--rawclient", required=True)
    ap.add_argument("--py", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--server", action="append", default=[], help="NAME=HOST:PORT")
    ap.add_argument("--jobs", type=int, default=4,
                    help="validation rows sent at once (fixtures go one by one)")
    a = ap.parse_args()
    servers = dict(s.split("=", 1) for s in a.server)

    failed = 0

    def tap(good, name, *why):
        nonlocal failed
        print(("ok - " if good else "not ok - ") + name)
        if not good:
            failed += 1
            for w in why:
                print("#   " + str(w)[:600])
        sys.stdout.flush()

    def run_row(r):
        """Sends one row; returns (walked, good, label, why)."""
        name = "%s %s: %s" % (r["id"], r["field"] if r["field"] != "-" else "fixture",
                              r["past"])
        req = r["request"]
        if req.startswith("sleep:"):
            time.sleep(float(req[6:]))
            return 1, True, None, []
        if r["server"] not in servers:
            return 0, False, name, ["no server %r" % r["server"]]
        exp = r["expect"].split()
        code, want_id0, want_close = exp[0], "id=0" in exp, "close" in exp
        item = expand(req, a.dir)
        cmd = ["/usr/bin/python3", a.rawclient, "--server", servers[r["server"]],
               "--py", a.py, "--ca", a.ca,
               "--cert", os.path.join(a.dir, "certs", r["as"] + ".crt"),
               "--key", os.path.join(a.dir, "certs", r["as"] + ".key"),
               "--expect", "1"]
        if want_close:
            cmd.append("--expect-close")
        cmd.append(item)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
        if not lines:
            return 1, False, name, ["no response (rawclient exit %d)" % p.returncode,
                                    p.stderr.strip()]
        resp = json.loads(lines[0])
        why = []
        if resp["code"] != code:
            why.append("code %s, expected %s" % (resp["code"], code))
        if want_id0:
            if resp["id"] != 0:
                why.append("id %s, expected 0" % resp["id"])
        elif item.startswith("{"):
            want = json.loads(item).get("id", 0)
            if str(resp["id"]) != str(want):
                why.append("id %s, expected %s" % (resp["id"], want))
        if r["message"] and r["message"] not in resp["message"]:
            why.append("message %r lacks %r" % (resp["message"], r["message"]))
        if p.returncode != 0:
            why.append("rawclient exit %d: %s" % (p.returncode, p.stderr.strip()))
        if why:
            why.append("response: " + lines[0])
        return 1, not why, "%s -> %s" % (name, r["expect"]), why

    rows = parse_rows(a.doc)
    walked = 0
    # Fixtures in order; the validation rows change nothing another row
    # depends on, so they go several at a time (TAP lines in table order).
    fixtures = [r for r in rows if r["kind"] == "F"]
    checks = [r for r in rows if r["kind"] == "V"]
    results = [run_row(r) for r in fixtures]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results += list(pool.map(run_row, checks))
    for w, good, label, why in results:
        walked += w
        if label is not None:
            tap(good, label, *why)

    # The table itself.
    for kind in "FV":
        ns = [r["n"] for r in rows if r["kind"] == kind]
        tap(ns == list(range(1, len(ns) + 1)),
            "the %s rows are numbered 1 to %d without gaps or repeats" % (kind, len(ns)),
            "numbers: %s" % ns)
    nv = sum(r["kind"] == "V" for r in rows)
    tap(walked == len(rows) and nv > 0,
        "every row of %s was walked (%d validation rows, %d fixtures)"
        % (os.path.basename(a.doc), nv, len(rows) - nv))
    named = set()
    for r in rows:
        if r["kind"] != "V":
            continue
        base = None
        for part in r["field"].split(","):
            part = part.strip().split(" ")[0]
            if "." in part:
                base = part.split(".")[0]
                named.add(part)
            elif base and part:
                named.add(base + "." + part)
    missing = sorted(proto_fields(a.proto) - named)
    tap(not missing, "every request field of the proto has a row", "missing: %s" % missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
