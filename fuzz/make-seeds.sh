#!/bin/sh
# make-seeds.sh: rewrites the seed corpora fuzz/corpus/NAME/ with the output
# of the seed generator (fuzz/make-seeds.c, built by `make fuzz-build`).
# The generator is deterministic, so a rerun changes no file.
# usage: fuzz/make-seeds.sh [GENERATOR]   (`make fuzz-seeds` runs it)
set -eu
cd "$(dirname "$0")/.."
gen=${1:-build-fuzz/fuzz/make-seeds}
[ -x "$gen" ] || { echo "make-seeds.sh: $gen not built; run make fuzz-build" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The generator's own ASan must not fail it over OpenSSL's static caches.
ASAN_OPTIONS=detect_leaks=0 "$gen" "$tmp/corpus"
rm -rf fuzz/corpus
mkdir -p fuzz/corpus
cp -R "$tmp/corpus/." fuzz/corpus/
for d in fuzz/corpus/*/; do
	printf '%-14s %2d files %6d bytes\n' "$(basename "$d")" \
	    "$(find "$d" -type f | wc -l)" "$(cat "$d"* | wc -c)"
done
