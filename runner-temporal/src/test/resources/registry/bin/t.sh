#!/bin/sh
# t.sh VERB --script=TEXT [--n=N]: runs TEXT with sh in /workspace.
verb=$1; shift
script=
for a in "$@"; do
  case $a in
    --script=*) script=${a#--script=} ;;
    --n=*) N=${a#--n=}; export N ;;
  esac
done
cd /workspace
exec sh -c "$script"
