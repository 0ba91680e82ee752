#!/usr/bin/env python3
"""include_graph.py: the layers of the product code, checked.

Builds the graph of `#include "..."` edges between the modules of core/,
server/ and client/ (a module is NAME.c with its NAME.h; a header without
a .c of its own, such as pki_internal.h, is no module but text its
includers take in, so its includes count as theirs) and fails when

  - the modules include each other in a circle (the cycle is printed, e.g.
    "server/store -> server/journal -> server/snapshot -> server/store"), or
  - a file of core/ includes one of server/ or client/, or a file of one
    program includes one of the other (core/ is shared and depends on
    nothing above it; the server and the client share only core/).

A quoted include is looked up as the compiler does (Makefile): the
including file's folder, then core/; what is found in neither (generated
or system headers) is not a module.

usage: include_graph.py [--dot] [ROOT]   (ROOT: the repository, default .)
Prints one line per finding and a summary; exits 1 on any finding.
"""
import os
import re
import sys

DIRS = ('core', 'server', 'client')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(root, path):
    """'server/journal.h' -> 'server/journal'; None for a header without a .c."""
    stem = os.path.splitext(path)[0]
    if path.endswith('.h') and not os.path.isfile(os.path.join(root, stem + '.c')):
        return None
    return stem


def resolve(root, folder, header):
    """The repository path the compiler would read for #include "header"."""
    for d in (folder, 'core'):
        rel = os.path.normpath(os.path.join(d, header))
        if os.path.isfile(os.path.join(root, rel)):
            return rel
    return None


def file_includes(root):
    """{file: [(header as written, file it resolves to)]} for the three folders."""
    out = {}
    for d in DIRS:
        base = os.path.join(root, d)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith(('.c', '.h')):
                continue
            path = d + '/' + name
            with open(os.path.join(root, path), encoding='utf-8') as f:
                text = f.read()
            out[path] = [(h, t) for h in INCLUDE.findall(text)
                         for t in [resolve(root, d, h)]
                         if t is not None and t.split('/')[0] in DIRS]
    return out


def edges(root):
    """{module: {module it includes: the first chain of includes seen}}."""
    incs = file_includes(root)
    graph = {}
    for path in incs:
        mod = module_of(root, path)
        if mod is None:
            continue
        graph.setdefault(mod, {})
        # Through headers without a .c, as the preprocessor goes.
        stack, seen = [(path, '%s' % path)], {path}
        while stack:
            f, why = stack.pop()
            for header, target in incs.get(f, []):
                chain = '%s includes "%s"' % (why, header)
                dep = module_of(root, target)
                if dep is None:
                    if target not in seen:
                        seen.add(target)
                        stack.append((target, chain))
                elif dep != mod:
                    graph[mod].setdefault(dep, chain)
    return graph, incs


def layer_findings(incs):
    """Every file's own includes: core/ takes nothing from above it."""
    out = []
    for path in sorted(incs):
        top = path.split('/')[0]
        for header, target in incs[path]:
            other = target.split('/')[0]
            why = '%s includes "%s"' % (path, header)
            if top == 'core' and other != 'core':
                out.append('layer: core/ depends on nothing above it, but %s' % why)
            elif {top, other} == {'server', 'client'}:
                out.append('layer: the server and the client share only core/, '
                           'but %s' % why)
    return out


def cycles(graph):
    """One cycle per strongly connected component of more than one module."""
    index, low, stack, on_stack, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        # Recursion depth is bounded by the number of modules (a few dozen).
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [(cycle_in(graph, comp), comp) for comp in comps]


def cycle_in(graph, comp):
    """A path start -> ... -> start inside one component, by breadth first."""
    start, members = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                path.reverse()
                return path + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp + [start]


def main(argv):
    args = [a for a in argv[1:] if a != '--dot']
    root = args[0] if args else '.'
    graph, incs = edges(root)
    if '--dot' in argv:
        print('digraph includes {')
        for mod in sorted(graph):
            for dep in sorted(graph[mod]):
                print('  "%s" -> "%s";' % (mod, dep))
        print('}')
        return 0
    findings = layer_findings(incs)
    for cyc, comp in cycles(graph):
        steps = ['%s (%s)' % (cyc[i], graph[cyc[i]][cyc[i + 1]])
                 for i in range(len(cyc) - 1)]
        if len(comp) > len(cyc) - 1:
            steps.append('all of %s reach each other' % ', '.join(comp))
        findings.append('cycle: %s\n    %s' % (' -> '.join(cyc),
                                              '\n    '.join(steps)))
    for f in findings:
        print(f)
    nedges = sum(len(v) for v in graph.values())
    print('include_graph: %d modules, %d edges; %d finding%s' % (
        len(graph), nedges, len(findings), '' if len(findings) == 1 else 's'))
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
