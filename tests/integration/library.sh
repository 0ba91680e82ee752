#!/usr/bin/env bash
# library.sh: libsecuresum (include/securesum.h) embeds a party. The example
# examples/sum.c is built three ways (against the build tree's static
# library, against its shared library, and with pkg-config against a
# DESTDIR install), and computes a sum with a real mpc-server: alice and
# bob through the library, carol through mpc-client; all three get the same
# verified sum, the library's programs print only what they chose to (its
# warnings reach their log callback, never stdout or stderr directly), and
# its failures come back as codes with a message. A second session goes
# step by step (share, then the sumpoints, then result) through the library
# beside mpc-client. The shared library
# exports securesum_* alone, under its soname, and neither library refers
# to stdout, stderr or a printing function (tests/tools/lib-quiet.sh).
source "$(dirname "$0")/lib.sh"
need_client

LIB=$ROOT/build/lib
version=$(cat "$ROOT/VERSION")
[ -f "$LIB/libsecuresum.a" ] && [ -f "$LIB/libsecuresum.so.$version" ] ||
	bail "build/lib/libsecuresum.{a,so} are not built (make)"

# ---- the library itself ------------------------------------------------
check_eq "the soname is libsecuresum.so.${version%%.*}" \
    "libsecuresum.so.${version%%.*}" \
    "$(readelf -d "$LIB/libsecuresum.so.$version" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')"
others=$(nm -D --defined-only "$LIB/libsecuresum.so.$version" |
    awk '$3 !~ /^securesum_/ && $3 != "SECURESUM_0" { print $3 }')
check_eq "the shared library exports securesum_* alone" "" "$others"
others=$(nm -g --defined-only "$LIB/libsecuresum.a" 2>/dev/null |
    awk 'NF == 3 && $3 !~ /^securesum_/ { print $3 }')
check_eq "the static library defines securesum_* alone" "" "$others"
# It never prints: no stdout, stderr or printf-family symbol in either.
check "the shared library refers to no stdout, stderr or printing function" \
    "$ROOT/tests/tools/lib-quiet.sh" "$LIB/libsecuresum.so.$version"
check "... nor does the static library" \
    "$ROOT/tests/tools/lib-quiet.sh" "$LIB/libsecuresum.a"
check "the shared library needs no protobuf library" \
    bash -c "! readelf -d '$LIB/libsecuresum.so.$version' | grep -q 'NEEDED.*proto'"

# ---- the example, built three ways ---------------------------------------
CC=${CC:-cc}
EXFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1)
check "sum.c builds against libsecuresum.a" \
    "$CC" "${EXFLAGS[@]}" -I"$ROOT/include" -o "$T/sum-static" "$ROOT/examples/sum.c" \
    "$LIB/libsecuresum.a" -lprotobuf-nanopb -lssl -lcrypto
check "sum.c builds against libsecuresum.so" \
    "$CC" "${EXFLAGS[@]}" -I"$ROOT/include" -o "$T/sum-shared" "$ROOT/examples/sum.c" \
    -L"$LIB" -lsecuresum -Wl,-rpath,"$LIB"
check "sum-shared is linked to libsecuresum.so.${version%%.*}" \
    bash -c "ldd '$T/sum-shared' | grep -q 'libsecuresum.so.${version%%.*} => $LIB/'"

D=$T/dest
if make -C "$ROOT" --no-print-directory install DESTDIR="$D" PREFIX=/usr \
    >"$T/install.log" 2>&1; then ok "make install DESTDIR PREFIX=/usr"
else not_ok "make install DESTDIR PREFIX=/usr" "$(tail -n 3 "$T/install.log")"; fi
mkdir -p "$T/ex"
cp "$ROOT/examples/sum.c" "$ROOT/examples/Makefile" "$T/ex/"
export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
check "make -C examples builds sum with pkg-config against the install" \
    make -C "$T/ex" --no-print-directory sum
check "... and with STATIC=1 against its libsecuresum.a" \
    bash -c "cp -r '$T/ex' '$T/ex-static' && make -C '$T/ex-static' --no-print-directory clean sum STATIC=1"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
check "the static build needs no libsecuresum.so" \
    bash -c "! ldd '$T/ex-static/sum' | grep -q libsecuresum"

# ---- a sum: alice and bob through the library, carol through mpc-client ---
make_certs alice bob carol || bail "cannot make certificates"
start_server || bail "server did not start"
# Every party publishes its key first (status of a session not yet made).
for p in bob carol; do client "$p" status s0 >/dev/null 2>&1; done

ex() { "$1" "$ADDR" "$T/certs" "$2" "${@:3}"; }
invite=$(ex "$T/sum-static" alice create s1 1 alice,bob,carol 2>"$T/create.err")
check_eq "create through the library prints the invite code alone" "1" \
    "$(printf '%s\n' "$invite" | grep -c .)"
check "... a valid one" test "${#invite}" -gt 20

ex "$T/sum-shared" alice run s1 "$invite" 5 >"$T/alice.out" 2>"$T/alice.err" &
PA=$!; PIDS+=("$PA")
LD_LIBRARY_PATH=$D/usr/lib ex "$T/ex/sum" bob run s1 "$invite" 7 \
    >"$T/bob.out" 2>"$T/bob.err" &
PB=$!; PIDS+=("$PB")
client carol run s1 --invite "$invite" 30 >"$T/carol.out" 2>"$T/carol.err"
rc_c=$?
wait "$PA"; rc_a=$?
wait "$PB"; rc_b=$?
check_eq "carol (mpc-client) exits 0" 0 "$rc_c"
check_eq "alice (libsecuresum.so) exits 0" 0 "$rc_a"
check_eq "bob (the installed library, pkg-config) exits 0" 0 "$rc_b"
check_eq "carol's sum" "42" "$(cat "$T/carol.out")"
check_eq "alice's sum, from the returned struct" \
    "42|verified (3 sumpoints, quorum 3, cohort of 3)" \
    "$(paste -sd'|' "$T/alice.out")"
check_eq "bob's sum" "42|verified (3 sumpoints, quorum 3, cohort of 3)" \
    "$(paste -sd'|' "$T/bob.out")"
check_eq "the library wrote nothing to stderr but through the log callback" "" \
    "$(grep -v '^sum: ' "$T/alice.err" "$T/bob.err")"
check "its warnings reached the callback (the label said)" \
    grep -q '^sum: sum verified: 3 sumpoints agree' "$T/alice.err"

LD_LIBRARY_PATH=$D/usr/lib ex "$T/ex-static/sum" carol result s1 "$invite" \
    >"$T/res.out" 2>"$T/res.err"
check_eq "result through the library (installed .a) reads the same sum" \
    "42|verified (3 sumpoints, quorum 3, cohort of 3)" "$(paste -sd'|' "$T/res.out")"

# ---- step by step: share and sumpoint through the library ------------------
inv3=$(ex "$T/sum-static" bob create s3 1 alice,bob,carol 2>/dev/null)
check_eq "alice shares through the library" "shared" \
    "$(ex "$T/sum-shared" alice share s3 "$inv3" -4 2>"$T/sh.err")"
check_eq "... printing nothing of its own" "" "$(grep -v '^sum: ' "$T/sh.err")"
check_eq "bob shares through the library" "shared" \
    "$(ex "$T/sum-static" bob share s3 "$inv3" 10 2>/dev/null)"
check "carol shares with mpc-client" client carol share s3 --invite "$inv3" 100
# The consistency round: every member's sumpoint waits for the others'.
ex "$T/sum-shared" alice sumpoint s3 "$inv3" >"$T/spa.out" 2>"$T/spa.err" &
PA=$!; PIDS+=("$PA")
ex "$T/sum-static" bob sumpoint s3 "$inv3" >"$T/spb.out" 2>"$T/spb.err" &
PB=$!; PIDS+=("$PB")
check "carol posts her sumpoint with mpc-client" client carol sumpoint s3 --invite "$inv3"
wait "$PA"; rc_a=$?
wait "$PB"; rc_b=$?
check_eq "alice and bob post theirs through the library" "0 posted 0 posted" \
    "$rc_a $(cat "$T/spa.out") $rc_b $(cat "$T/spb.out")"
check_eq "the sum of s3 through the library" \
    "106|verified (3 sumpoints, quorum 3, cohort of 3)" \
    "$(ex "$T/sum-shared" alice result s3 "$inv3" 2>/dev/null | paste -sd'|')"
check_eq "... and through mpc-client" "106" \
    "$(client bob result s3 --invite "$inv3" 2>/dev/null)"

# ---- failures: codes and messages, nothing printed by the library -----------
other=$(ex "$T/sum-static" alice create s2 1 alice,bob 2>/dev/null)
ex "$T/sum-shared" bob result s1 "$other" >"$T/bad.out" 2>"$T/bad.err"
check_eq "a wrong invite code fails (exit 1 of the example)" 1 "$?"
check "... with the library's message and code" \
    grep -Eq '^sum: .*s1.* \(.+\)$' "$T/bad.err"
check_eq "... and nothing on stdout" "" "$(cat "$T/bad.out")"
ex "$T/sum-shared" bob result nosuch "$invite" >/dev/null 2>"$T/nf.err"
check "an unknown session is SECURESUM_ERR_NOT_FOUND's phrase" \
    grep -q "does not exist" "$T/nf.err"
ex "$T/sum-shared" bob run s1 "$invite" 1.5 >/dev/null 2>"$T/dec.err"
check "a value with decimals the session lacks is refused before sending" \
    grep -q "not a number with at most 0 decimals" "$T/dec.err"
"$T/sum-shared" 127.0.0.1:1 "$T/certs" alice result s1 "$invite" >/dev/null 2>"$T/down.err"
check "a refused connection comes back as a code with its message" \
    grep -Eq 'sum: .*\(.*(unavailable|time|connect).*\)' "$T/down.err"
finish
