#!/usr/bin/env bash
# lib-quiet.sh LIBRARY [OBJECT...]: fails, naming them, when LIBRARY
# (libsecuresum.so or .a) refers to stdout or stderr, or to a function
# that prints (the printf, puts, putc, fwrite, perror and err/warn
# families): the library never prints (include/securesum.h); its lines go
# to the caller's callbacks, and mpc-client prints them (client/cli*.c).
# Given the library's objects, it names those that refer to each symbol.
# Run by `make check-lib-quiet` (and so `make lint`) and by
# tests/integration/library.sh.
set -u
lib=${1:?usage: lib-quiet.sh LIBRARY [OBJECT...]}
shift
prints='^(stdout|stderr|(__)?v?[fd]?printf(_chk)?|puts|fputs(_unlocked)?'
prints+='|(_IO_)?f?putc(_unlocked)?|putchar(_unlocked)?|fwrite(_unlocked)?'
prints+='|perror|psignal|psiginfo|v?(err|errx|warn|warnx)|error|error_at_line)$'

# The undefined symbols of a file, without their version (@GLIBC_...).
undefined() {
	case $1 in
	*.so*) nm -D -u "$1" ;;
	*) nm -u "$1" ;;
	esac 2>/dev/null | awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }'
}

[ -r "$lib" ] || { echo "lib-quiet: $lib not found (make lib)" >&2; exit 2; }
bad=$(undefined "$lib" | grep -E "$prints" | sort -u)
if [ -z "$bad" ]; then
	echo "lib-quiet: $(basename "$lib") refers to no stdout, stderr or printing function"
	exit 0
fi
echo "lib-quiet: $(basename "$lib") prints; it refers to:" $bad >&2
for o in "$@"; do
	got=$(undefined "$o" | grep -E "$prints" | sort -u | tr '\n' ' ')
	[ -n "$got" ] && echo "  $o: $got" >&2
done
echo "lib-quiet: hand the line to the caller (client_say, the progress or step callback) and print it in client/cli*.c" >&2
exit 1
