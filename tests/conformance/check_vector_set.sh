#!/bin/sh
# Fails when the project's vector folder is incomplete (each .trace needs its
# .expected and the set must not shrink) or differs from the shared copy
# beside the checkout, when that copy exists.
# Usage: check_vector_set.sh PROJECT_VECTORS SHARED_VECTORS
set -u
ours=$1 shared=$2
minimum=35   # vectors shipped with the project; raise it when adding vectors
n=$(ls "$ours"/*.trace 2>/dev/null | wc -l)
[ "$n" -ge "$minimum" ] || { echo "only $n vectors in $ours, expected at least $minimum" >&2; exit 1; }
status=0
for t in "$ours"/*.trace; do
  [ -f "${t%.trace}.expected" ] || { echo "no expected answers for $t" >&2; status=1; }
done
if [ -d "$shared" ]; then
  for f in "$shared"/*; do
    b=$(basename "$f")
    if [ ! -f "$ours/$b" ]; then
      echo "vector file $b is in $shared but not in the project: copy it to $ours" >&2; status=1
    elif ! cmp -s "$f" "$ours/$b"; then
      echo "vector file $b differs from $shared/$b: refresh the project's copy" >&2; status=1
    fi
  done
else
  echo "note: $shared not found; only the project's own vectors were checked"
fi
exit $status
