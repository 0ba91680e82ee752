#!/usr/bin/env python3
"""code_size.py: the size figures of the product code (issue 10, point 8).

Reads the C files of core/, server/ and client/ and prints every function
over the limit (default 80 lines, counted from the line that opens it to its
closing brace at column 0) and every .c file over 1,000 lines, then the
median function length. Exits 1 when any is over, so `make check-size`
fails on a regression.
"""
import glob
import re
import statistics
import sys

FUNC_LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 80
FILE_LIMIT = 1000
# A definition starts at column 0 with a name and "(" (OpenBSD style puts
# the return type on the line before), and ends at the first "}" at column 0.
START = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\(')


def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        m = START.match(lines[i])
        if m and not lines[i].rstrip().endswith(';'):
            j = i
            while j < len(lines) and lines[j] != '}':
                if lines[j].rstrip().endswith(';') and j == i:
                    break
                j += 1
            if j < len(lines) and lines[j] == '}':
                yield m.group(1), i + 1, j - i + 1
                i = j
        i += 1


def main():
    over = 0
    lengths = []
    files = sorted(glob.glob('core/*.c') + glob.glob('server/*.c') +
                   glob.glob('client/*.c'))
    for f in files:
        n = sum(1 for _ in open(f, encoding='utf-8'))
        if n > FILE_LIMIT:
            print(f'{f}: {n} lines (limit {FILE_LIMIT})')
            over += 1
        for name, line, length in functions(f):
            lengths.append(length)
            if length > FUNC_LIMIT:
                print(f'{f}:{line}: {name} is {length} lines '
                      f'(limit {FUNC_LIMIT})')
                over += 1
    longest = max(lengths) if lengths else 0
    print(f'code_size: {len(files)} files, {len(lengths)} functions, '
          f'median {statistics.median(lengths):g} lines, longest {longest}; '
          f'{over} over the limits')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
