#!/bin/sh
# The layer check fails on an include that points up, through the folder
# prefix or a relative path, and passes the same tree without it.
set -eu
check=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/low" "$tmp/high"
printf 'swsim_layer(low)\nswsim_layer(high BELOW low\n  LIBS m)\n' \
	>"$tmp/CMakeLists.txt"
printf '#include "low/low.h"\n' >"$tmp/high/high.h"
printf '/* nothing */\n' >"$tmp/low/low.h"
python3 "$check" "$tmp" >/dev/null || { echo "clean tree refused"; exit 1; }
printf '#include "high/high.h"\n' >"$tmp/low/up.c"
if python3 "$check" "$tmp" >"$tmp/out"; then
	echo "upward include by prefix not caught"; exit 1
fi
grep -q '^low/up.c:1: includes high/high.h: low/ may not include high/$' \
	"$tmp/out" || { cat "$tmp/out"; exit 1; }
printf '#include "../high/high.h"\n' >"$tmp/low/up.c"
if python3 "$check" "$tmp" >/dev/null; then
	echo "upward include by relative path not caught"; exit 1
fi
echo "layer check: catches both, passes clean"
