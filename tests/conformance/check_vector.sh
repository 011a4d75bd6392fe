#!/bin/sh
# Replays one conformance vector and compares the answers byte for byte.
# Usage: check_vector.sh SWIOTLB_SIM VECTOR_PATH_WITHOUT_SUFFIX
set -u
bin=$1 vec=$2
for f in "$vec.trace" "$vec.expected"; do
  [ -f "$f" ] || { echo "missing vector file: $f" >&2; exit 1; }
done
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$bin" replay "$vec.trace" >"$out" || { echo "replay exited non-zero" >&2; exit 1; }
if ! cmp -s "$out" "$vec.expected"; then
  echo "answers differ from $vec.expected (first differences):" >&2
  diff "$vec.expected" "$out" | head -20 >&2
  exit 1
fi
