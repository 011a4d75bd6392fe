#!/bin/sh
# The docs link check fails on a link to a missing file and on an anchor no
# heading makes, ignores links inside code, and passes the tree without them.
set -eu
check=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/docs"
printf '# Top\nSee [a](docs/a.md#the-b-part) and [web](https://example.org).\n' \
	>"$tmp/README.md"
printf '# A\n## The `b` part\n```\n[not a link](nowhere.md)\n```\n' \
	>"$tmp/docs/a.md"
python3 "$check" "$tmp" >/dev/null || { echo "clean tree refused"; exit 1; }
printf 'Back to [top](../README.md#top), [gone](gone.md).\n' >>"$tmp/docs/a.md"
if python3 "$check" "$tmp" >"$tmp/out"; then
	echo "link to a missing file not caught"; exit 1
fi
grep -q '^docs/a.md:6: gone.md: no such file$' "$tmp/out" ||
	{ cat "$tmp/out"; exit 1; }
printf 'x\n' >"$tmp/docs/gone.md"
python3 "$check" "$tmp" >/dev/null || { echo "fixed tree refused"; exit 1; }
printf '[bad](a.md#no-such-part)\n' >>"$tmp/docs/gone.md"
if python3 "$check" "$tmp" >/dev/null; then
	echo "missing anchor not caught"; exit 1
fi
echo "docs link check: catches both, passes clean"
