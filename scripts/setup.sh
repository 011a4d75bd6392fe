#!/bin/sh
# Installs the Debian packages swiotlb-sim needs (only those missing), then
# configures and builds. Usage: scripts/setup.sh [--sanitize]
#   default:     Release-with-asserts build in build/
#   --sanitize:  AddressSanitizer + UBSan build in build-asan/
set -eu
cd "$(dirname "$0")/.."

packages="cmake make gcc pkg-config libcyaml-dev libgsl-dev gnuplot-nox python3 python3-simpy xz-utils gzip time"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi

builddir=build
flags=""
if [ "${1:-}" = "--sanitize" ]; then
  builddir=build-asan
  flags="-DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
fi
jobs=$(nproc 2>/dev/null || echo 2)
# shellcheck disable=SC2086
cmake -S . -B "$builddir" $flags >/dev/null
cmake --build "$builddir" -j "$jobs" >&2
