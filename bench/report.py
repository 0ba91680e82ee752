#!/usr/bin/env python3
"""report.py: Markdown tables from a `bench.py --json FILE` run.

    python3 bench/report.py build/bench/final.json [SECTION...]

prints each section whose title starts with one of the words given (all of
them when none is given) and the targets, as GitHub Markdown tables, e.g.
`report.py FILE Growth` for the growth table in README.
"""
import json
import sys


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(" --- " for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        data = json.load(f)
    wanted = [w.lower() for w in sys.argv[2:]]
    for title, header, rows, notes in data["sections"]:
        if wanted and not any(title.lower().startswith(w) for w in wanted):
            continue
        print(f"### {title}\n")
        print(md_table(header, rows))
        print()
        for n in notes:
            print(f"- {n}")
        print()
    if not wanted or "targets" in wanted:
        print("### Targets\n")
        print(md_table(["target", "measured", "ratio", "verdict", "ratio is"],
                       [[a, b, f"{c:.2f}", d, e] for a, b, c, d, e in data["targets"]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
