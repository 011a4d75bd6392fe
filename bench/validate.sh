#!/bin/sh
# bench/validate.sh - the validation against the real kernel's measurements:
# runs bench/validate.py (Python 3, standard library only) with the same
# arguments. Run from anywhere after scripts/setup.sh; exit status 1 when a
# bar is missed (see scenarios/validation/README.md).
exec python3 "$(dirname "$0")/validate.py" "$@"
