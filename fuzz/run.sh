#!/usr/bin/env bash
# run.sh: runs libFuzzer targets for a set time each and prints, per target,
# the executions, coverage, corpus size and findings; exits non-zero when a
# target found anything or could not run. `make fuzz` and `make fuzz-smoke`
# call it (see mk/fuzz.mk).
#
# usage: fuzz/run.sh [--build DIR] [--seconds N] [--jobs J] \
#            [-- LIBFUZZER-FLAGS... --] TARGET...
#
# Each target NAME runs DIR/fuzz/fuzz_NAME on the writable corpus
# DIR/corpus/NAME (new inputs land there) plus the seeds fuzz/corpus/NAME
# (only read). Crashes, leaks, timeouts and out-of-memory inputs are saved
# in DIR/findings/NAME/; the log is DIR/logs/NAME.log. Every run is also
# appended to DIR/fuzz-history.tsv, for the totals in fuzz/README.md.
set -u
cd "$(dirname "$0")/.."

build=build-fuzz
seconds=60
jobs=1
flags=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--one) one=1; shift ;;
	--) shift
		while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
		[ $# -gt 0 ] && shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "run.sh: no target named" >&2; exit 2; }
mkdir -p "$build/logs" "$build/results"

# run_one NAME: one target; writes DIR/results/NAME.tsv.
run_one() {
	local t=$1 bin="$build/fuzz/fuzz_$1" log="$build/logs/$1.log"
	local corpus="$build/corpus/$1" found="$build/findings/$1"
	local tmp base before after rc execs cov secs start new
	mkdir -p "$corpus" "$found"
	if [ ! -x "$bin" ]; then
		printf '%s\t0\t0\t0\t0\t-1\tnot built: %s\n' "$t" "$bin" >"$build/results/$t.tsv"
		return
	fi
	before=$(ls "$found" | sort)
	# The harness's temporary folders (a crash skips its own clean-up), on
	# tmpfs when there is one: the snapshot and journal targets fsync.
	base=${TMPDIR:-/tmp}
	[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
	tmp=$(mktemp -d "$base/ss-fuzz-run.XXXXXX")
	start=$(date +%s)
	TMPDIR=$tmp ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$found/" \
	    ${flags[@]+"${flags[@]}"} "$corpus" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	rm -rf "$tmp"
	after=$(ls "$found" | sort)
	new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep -c . || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+')
	# Found nothing but failed anyway (could not start, a setup abort):
	# that is a finding too, so that it is never silently green.
	if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then
		new=1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "${execs:-0}" "${cov:-0}" \
	    "$(find "$corpus" -type f | wc -l)" "$new" \
	    "$(grep -m1 -E '^SUMMARY|^fuzz invariant|==ERROR' "$log" | cut -c1-120)" \
	    >"$build/results/$t.tsv"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" \
	    "${execs:-0}" "${cov:-0}" "$new" >>"$build/fuzz-history.tsv"
}

if [ "${one:-0}" = 1 ]; then
	run_one "$1"
	exit 0
fi

echo "fuzz: $# target(s), $seconds s each, $jobs at a time; logs in $build/logs/"
for t in "$@"; do rm -f "$build/results/$t.tsv"; done
# Each target in its own process so that -j2 is two libFuzzer processes.
printf '%s\n' "$@" | xargs -P "$jobs" -I{} "$0" --one --build "$build" \
    --seconds "$seconds" -- ${flags[@]+"${flags[@]}"} -- {}

total=0
printf '\n%-14s %6s %12s %8s %7s %7s %s\n' target seconds executions exec/s cov corpus findings
for t in "$@"; do
	if [ ! -f "$build/results/$t.tsv" ]; then
		printf '%-14s did not report\n' "$t"; total=$((total + 1)); continue
	fi
	IFS=$'\t' read -r name secs execs cov corp new what <"$build/results/$t.tsv"
	rate=0
	[ "$secs" -gt 0 ] && rate=$((execs / secs))
	printf '%-14s %6s %12s %8s %7s %7s %s\n' "$name" "$secs" "$execs" "$rate" "$cov" "$corp" \
	    "$( [ "$new" -eq 0 ] && echo 0 || echo "$new  $what")"
	[ "$new" -ne 0 ] && total=$((total + 1))
done
if [ "$total" -gt 0 ]; then
	echo "fuzz: $total target(s) with findings; inputs in $build/findings/, logs in $build/logs/"
	exit 1
fi
echo "fuzz: no findings"
