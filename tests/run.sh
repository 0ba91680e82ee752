#!/usr/bin/env bash
# Runs the test suite: every unit-test program (cmocka, TAP output) and every
# integration script (TAP lines, real mpc-server and mpc-client over TLS on
# loopback). Ends with one line "N passed, N failed"; exits non-zero on any
# failure, including a program that dies without reporting.
set -u
cd "$(dirname "$0")/.."

mode=${1:-all}
passed=0
failed=0
logdir=build/test-logs
mkdir -p "$logdir"

# run_tap NAME CMD...: runs CMD, echoes its TAP lines, counts results.
run_tap() {
	local name=$1; shift
	local log="$logdir/$name.log" rc ok notok
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" >"$log" 2>&1
	rc=$?
	ok=$(grep -cE '^ok ' "$log")
	notok=$(grep -cE '^not ok ' "$log")
	grep -E '^(not )?ok ' "$log" | sed "s/^/[$name] /"
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - [$name] exited with status $rc without reporting a failure (see $log)"
		notok=1
	fi
	if [ "$notok" -gt 0 ]; then
		echo "---- $log (last 30 lines)"; tail -n 30 "$log"; echo "----"
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
}

if [ "$mode" = all ] || [ "$mode" = --unit ]; then
	# One program per source: a stale binary whose source is gone is not
	# run, and a source whose program is missing is a failure.
	for src in tests/unit/test_*.c; do
		t=build/tests/$(basename "$src" .c)
		if [ ! -x "$t" ]; then
			echo "not ok - [$(basename "$t")] was not built (make $t)"
			failed=$((failed + 1))
			continue
		fi
		run_tap "$(basename "$t")" "$t"
	done
fi
if [ "$mode" = all ] || [ "$mode" = --integration ]; then
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run_tap "$(basename "$t" .sh)" bash "$t"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
