#!/bin/sh
# Installs the Debian 12 packages secure-sum needs to build, test and run its
# demo, and those of `make lint` and `make fuzz` (clang-14 with its fuzzer
# runtime, clang-tidy, cppcheck), when any is missing. Uses sudo when not
# run as root.
set -eu

PKGS="build-essential pkg-config libssl-dev openssl libevent-dev
libprotobuf-c-dev protobuf-c-compiler protobuf-compiler nanopb libnanopb-dev libxxhash-dev
libcmocka-dev python3 python3-protobuf python3-cryptography valgrind
clang-14 libclang-rt-14-dev clang-tidy-14 cppcheck"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
