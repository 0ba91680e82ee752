#!/usr/bin/env python3
"""promcheck.py: checks a Prometheus text exposition (format 0.0.4) read from
stdin, as a scraper would parse it, and prints its samples.

Checks: every line is a comment, blank, or NAME{LABELS} VALUE; each family
has "# HELP" and "# TYPE" before its first sample, once; sample names belong
to the family announced (histograms: _bucket, _sum, _count); label syntax;
values are floats; histogram buckets are cumulative (monotone in le and in
count), end with le="+Inf", and that bucket equals _count; counters are not
negative. Exit 1 with a message on the first failure. Output: one line per
sample, "NAME{LABELS} VALUE", labels sorted, so that shell tests can grep.
"""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s)(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))


def fail(msg):
    print("promcheck: " + msg, file=sys.stderr)
    sys.exit(1)


def labels_of(text):
    return dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', text or ""))


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def check_histogram(name, samples):
    buckets = [(float(l["le"]), v) for n, l, v in samples if n == name + "_bucket"]
    counts = [v for n, l, v in samples if n == name + "_count"]
    if not buckets or not counts:
        fail("histogram %s lacks buckets or _count" % name)
    if buckets[-1][0] != math.inf:
        fail("histogram %s does not end with le=\"+Inf\"" % name)
    for (le1, c1), (le2, c2) in zip(buckets, buckets[1:]):
        if not le1 < le2 or c2 < c1:
            fail("histogram %s: buckets not monotone at le=%s" % (name, le2))
    if buckets[-1][1] != counts[0]:
        fail("histogram %s: +Inf bucket %s != _count %s" % (name, buckets[-1][1], counts[0]))


def main():
    helps, types, samples, seen = {}, {}, {}, set()
    out = []
    for no, line in enumerate(sys.stdin.read().split("\n"), 1):
        if line == "":
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                fail("line %d: malformed %s" % (no, parts[1]))
            table = helps if parts[1] == "HELP" else types
            if parts[2] in table or parts[2] in seen:
                fail("line %d: %s of %s repeated or after its samples" % (no, parts[1], parts[2]))
            if parts[1] == "TYPE" and parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                fail("line %d: unknown type %s" % (no, parts[3]))
            table[parts[2]] = parts[3]
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("line %d: not a sample: %r" % (no, line))
        name, labels, value = m.group(1), labels_of(m.group(2)), m.group(3)
        try:
            v = float(value)
        except ValueError:
            fail("line %d: value %r is not a float" % (no, value))
        fam = family_of(name, types)
        if fam not in helps or fam not in types:
            fail("line %d: %s has no HELP and TYPE before it" % (no, name))
        if types[fam] == "counter" and v < 0:
            fail("line %d: counter %s is negative" % (no, name))
        seen.add(fam)
        samples.setdefault(fam, []).append((name, labels, v))
        lab = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
        out.append("%s{%s} %s" % (name, lab, value) if lab else "%s %s" % (name, value))
    if not samples:
        fail("no samples")
    for fam, t in types.items():
        if t == "histogram":
            check_histogram(fam, samples.get(fam, []))
    print("\n".join(out))


if __name__ == "__main__":
    main()
