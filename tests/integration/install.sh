#!/usr/bin/env bash
# install.sh: `make install` into a temporary DESTDIR with PREFIX=/usr lays
# out the programs, man pages, systemd unit, sysusers.d file, docs and
# mpc-client's bash completion (which completes commands and options); the
# installed programs answer --version with VERSION; the man pages render
# without warnings; systemd-analyze verify accepts the unit (skipped when
# it is not installed); libsecuresum is installed (its header, both
# libraries, the .so links to the soname, securesum.pc that pkg-config
# reads); `make uninstall` removes every file again.
source "$(dirname "$0")/lib.sh"

D=$T/dest
version=$(cat "$ROOT/VERSION")
if make -C "$ROOT" --no-print-directory install DESTDIR="$D" PREFIX=/usr \
    >"$T/install.log" 2>&1; then ok "make install DESTDIR PREFIX=/usr"
else not_ok "make install DESTDIR PREFIX=/usr" "$(tail -n 3 "$T/install.log")"; fi

for f in bin/mpc-server bin/mpc-client bin/mpc-mkcerts bin/mpc-backup-state; do
	check "installed, executable: /usr/$f" test -x "$D/usr/$f"
done
for f in share/man/man8/mpc-server.8 share/man/man1/mpc-client.1 \
    share/man/man1/mpc-mkcerts.1 lib/systemd/system/mpc-server.service \
    lib/sysusers.d/secure-sum.conf share/doc/secure-sum/OPERATIONS.md \
    share/doc/secure-sum/README.md; do
	check "installed: /usr/$f" test -f "$D/usr/$f"
done
check "installed: the bash completion" \
    test -f "$D/usr/share/bash-completion/completions/mpc-client"
# The installed completion, sourced, completes a command and an option of it.
comp() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	_mpc_client; echo "${COMPREPLY[*]}"' _ \
	    "$D/usr/share/bash-completion/completions/mpc-client" "$@" 2>&1
}
check_eq "the completion completes a command" "status" \
    "$(comp mpc-client --server h:1 sta)"
check_eq "... an option of the command" "--require-verified" \
    "$(comp mpc-client result s1 --req)"
check_eq "... and global options after the command" "--server --server-name" \
    "$(comp mpc-client result s1 --serv)"
check_eq "the installed mpc-server --version" "mpc-server $version" \
    "$("$D/usr/bin/mpc-server" --version 2>&1)"
check_eq "the installed mpc-client --version" "mpc-client $version" \
    "$("$D/usr/bin/mpc-client" --version 2>&1)"
check "the installed mpc-mkcerts makes certificates" \
    "$D/usr/bin/mpc-mkcerts" --out "$T/inst-certs" alice
check_eq "the unit runs the installed path" \
    "ExecStart=/usr/bin/mpc-server" \
    "$(grep -o '^ExecStart=[^ ]*' "$D/usr/lib/systemd/system/mpc-server.service")"

major=${version%%.*}
check "installed: /usr/include/securesum.h" test -f "$D/usr/include/securesum.h"
check "installed: /usr/lib/libsecuresum.a" test -f "$D/usr/lib/libsecuresum.a"
check "installed: /usr/lib/libsecuresum.so.$version" \
    test -f "$D/usr/lib/libsecuresum.so.$version"
check_eq "libsecuresum.so.$major links to libsecuresum.so.$version" \
    "libsecuresum.so.$version" "$(readlink "$D/usr/lib/libsecuresum.so.$major")"
check_eq "libsecuresum.so links to libsecuresum.so.$major" \
    "libsecuresum.so.$major" "$(readlink "$D/usr/lib/libsecuresum.so")"
check_eq "the installed library's soname" "libsecuresum.so.$major" \
    "$(readelf -d "$D/usr/lib/libsecuresum.so.$version" |
    sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')"
pc() { PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D \
    pkg-config "$@" securesum 2>&1 | sed 's/ *$//'; }
check_eq "pkg-config --modversion securesum" "$version" "$(pc --modversion)"
check_eq "pkg-config --cflags securesum" "-I$D/usr/include" "$(pc --cflags)"
check_eq "pkg-config --libs securesum" "-L$D/usr/lib -lsecuresum" "$(pc --libs)"
check "pkg-config --static --libs securesum adds nanopb and OpenSSL" \
    bash -c "[[ '$(pc --static --libs)' == *-lprotobuf-nanopb*-lssl*-lcrypto* ]]"

for m in "$D"/usr/share/man/man*/*; do
	w=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	check_eq "man -l ${m##*/}: no warnings" "" "$w"
done

if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart to exist: the same unit, pointed at DESTDIR.
	sed "s|/usr/bin/mpc-server|$D/usr/bin/mpc-server|" \
	    "$D/usr/lib/systemd/system/mpc-server.service" >"$T/mpc-server.service"
	w=$(systemd-analyze verify --man=no "$T/mpc-server.service" 2>&1)
	check_eq "systemd-analyze verify mpc-server.service" "" "$w"
else
	echo "# systemd-analyze is not installed: the unit is not verified"
fi

check "make uninstall" make -C "$ROOT" --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr
check_eq "no file left after make uninstall" "" "$(find "$D" -type f)"
finish
