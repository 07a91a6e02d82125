#!/bin/sh
# quack-cc build|run --source=NAME.c [--opt=-O2]: compiles with gcc; `run` also runs the program.
set -eu
verb=$1; shift
source= opt=-O2
for a in "$@"; do
  case $a in
    --source=*) source=${a#--source=} ;;
    --opt=*) opt=${a#--opt=} ;;
    *) echo "quack-cc: unknown argument $a" >&2; exit 64 ;;
  esac
done
case $verb in
  build)
    gcc "$opt" -o "$OUT_DIR/program" "/workspace/in/$source"
    printf '{"tool":"cc","verb":"build","outputs":["program"]}\n' > "$OUT_DIR/manifest.json" ;;
  run)
    gcc "$opt" -o /tmp/program "/workspace/in/$source"
    /tmp/program | tee "$OUT_DIR/output.txt"
    printf '{"tool":"cc","verb":"run","outputs":["output.txt"]}\n' > "$OUT_DIR/manifest.json" ;;
  *) echo "quack-cc: unknown verb $verb" >&2; exit 64 ;;
esac
