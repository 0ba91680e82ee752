#!/usr/bin/env bash
# layers.sh: the modules of core/, server/ and client/ include each other in
# one direction only, and core/ includes nothing above it
# (tests/tools/include_graph.py, also `make check-includes`). The checker is
# shown a planted cycle and a planted layer break first, so that a checker
# that cannot fail does not pass.
source "$(dirname "$0")/lib.sh"

GRAPH=$ROOT/tests/tools/include_graph.py

# plant NAME FILE LINE: a copy of the three folders in $T/NAME with LINE
# added to FILE; prints the checker's exit status and output there.
plant() {
	mkdir -p "$T/$1"
	cp -R "$ROOT/core" "$ROOT/server" "$ROOT/client" "$T/$1/"
	printf '%s\n' "$3" >>"$T/$1/$2"
	python3 "$GRAPH" "$T/$1" >"$T/$1.out" 2>&1
	echo "$?"
}

rc=$(plant cycle core/name.h '#include "frame.h"')
if [ "$rc" = 1 ] && grep -q '^cycle: core/frame -> core/name -> core/frame' "$T/cycle.out"; then
	ok "the checker names a planted cycle (core/name.h including frame.h)"
else
	not_ok "the checker missed a planted cycle (exit $rc)" "$(cat "$T/cycle.out")"
fi
rc=$(plant layer core/name.h '#include "../server/store.h"')
if [ "$rc" = 1 ] && grep -q '^layer: core/.*core/name.h includes "../server/store.h"' "$T/layer.out"; then
	ok "the checker names core/ including a header of server/"
else
	not_ok "the checker missed core/ including server/ (exit $rc)" "$(cat "$T/layer.out")"
fi

if python3 "$GRAPH" "$ROOT" >"$T/tree.out" 2>&1; then
	ok "no include cycle and no layer break: $(tail -n 1 "$T/tree.out")"
else
	not_ok "the modules' includes break the layers" "$(cat "$T/tree.out")"
fi

finish
