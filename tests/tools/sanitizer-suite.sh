#!/usr/bin/env bash
# sanitizer-suite.sh: the whole test suite on an ASan+UBSan build: every unit
# test program in B/tests, then every integration test through tests/run.sh
# with SERVER_BIN and CLIENT_BIN pointing at B/bin. `make test-asan` builds
# B (build-asan) and runs this.
#
# Sanitizer reports go to B/san-logs/ (log_path), so that a report from a
# server or client process that the tests did not look at still fails the
# run: any report there is a failure, printed at the end. Ends with one line
# "N passed, N failed" like tests/run.sh.
#
# usage: tests/tools/sanitizer-suite.sh [B]
set -u
cd "$(dirname "$0")/../.."
B=${1:-build-asan}
logs=$PWD/$B/san-logs
tlogs=$B/test-logs
rm -rf "$logs"
mkdir -p "$logs" "$tlogs"

# halt_on_error: the first report ends the process, so that no test can pass
# after one. detect_leaks: LeakSanitizer at exit (ASan's default on Linux).
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:log_path=$logs/asan:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"

passed=0
failed=0
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$tlogs/$name.log" 2>&1
	rc=$?
	ok=$(grep -cE '^ok ' "$tlogs/$name.log")
	notok=$(grep -cE '^not ok ' "$tlogs/$name.log")
	grep -E '^(not )?ok ' "$tlogs/$name.log" | sed "s/^/[$name] /"
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - [$name] exited with status $rc without reporting a failure (see $tlogs/$name.log)"
		notok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
done
echo "# unit tests under ASan+UBSan: $passed passed, $failed failed"

SERVER_BIN=$PWD/$B/bin/mpc-server CLIENT_BIN=$PWD/$B/bin/mpc-client \
    tests/run.sh --integration | tee "$tlogs/integration.out"
line=$(tail -n 1 "$tlogs/integration.out")
ip=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$line")
if_=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$line")
passed=$((passed + ${ip:-0}))
failed=$((failed + ${if_:-1}))

nreports=$(find "$logs" -type f | wc -l)
if [ "$nreports" -gt 0 ]; then
	echo "not ok - sanitizer reports from $nreports process(es), in $logs:"
	for f in "$logs"/*; do
		echo "---- $f"
		grep -m1 -E 'ERROR|runtime error|SUMMARY' "$f"
		grep -m1 -A12 -E '^ *#0 ' "$f"
	done
	failed=$((failed + nreports))
else
	echo "ok - no ASan, LeakSanitizer or UBSan report from any process"
	passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
