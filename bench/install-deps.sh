#!/usr/bin/env bash
# install-deps.sh: the Debian packages the benchmark needs beyond the
# project's own (scripts/install-deps.sh): the gRPC C++ reference
# (libgrpc++-dev, libprotobuf-dev, protobuf-compiler-grpc, g++, pkg-config) and the tools for
# the measurements and profiles (time, linux-perf, valgrind). Only
# `make bench` runs this; `make test` never installs the gRPC reference.
set -euo pipefail

pkgs=(libgrpc++-dev libprotobuf-dev protobuf-compiler-grpc g++ pkg-config time linux-perf valgrind)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "bench: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "bench: need root or sudo to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
