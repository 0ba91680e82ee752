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
# Files of the previous formats (journal 3, snapshot 1: big-endian; journal
# 4, snapshot 2: before protocol version 2; journal 5, snapshot 3: before
# sessions' creators and delete records), which the generator can no
# longer write, so that the migration paths are fuzzed too: as one segment
# (flags 0), with its checksums rewritten (flags 1), as a whole snapshot and
# without its SHA-256.
m=tests/data/migration
for v in 3 4 5; do
	{ printf '\000'; cat "$m/journal-v$v.bin"; } >fuzz/corpus/journal/v$v-history
	{ printf '\001'; cat "$m/journal-v$v.bin"; } >fuzz/corpus/journal/v$v-history-fix-sums
done
for v in 1 2 3; do
	cp "$m/snapshot-v$v.bin" fuzz/corpus/snapshot_raw/v$v-history
	head -c -32 "$m/snapshot-v$v.bin" >fuzz/corpus/snapshot/v$v-history
done
# Real certificates for spki (DER, made once by scripts/mkcerts.sh and
# `openssl x509 -outform DER`: the CA, alice.crt with its P-256 key and
# alice.enc.crt with its X25519 key); mkcerts.sh makes new keys at every
# run, so they are kept rather than made here.
mkdir -p fuzz/corpus/spki
cp fuzz/certs/*.der fuzz/corpus/spki/
for d in fuzz/corpus/*/; do
	printf '%-14s %2d files %6d bytes\n' "$(basename "$d")" \
	    "$(find "$d" -type f | wc -l)" "$(cat "$d"* | wc -c)"
done
