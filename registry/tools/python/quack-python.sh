#!/bin/sh
# quack-python run --script=NAME.py: runs /workspace/in/NAME.py with python3.
set -eu
verb=$1; shift
[ "$verb" = run ] || { echo "quack-python: unknown verb $verb" >&2; exit 64; }
script=
for a in "$@"; do
  case $a in
    --script=*) script=${a#--script=} ;;
    *) echo "quack-python: unknown argument $a" >&2; exit 64 ;;
  esac
done
cd /workspace/in
exec python3 "/workspace/in/$script"
