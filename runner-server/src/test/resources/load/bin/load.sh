#!/bin/sh
# load.sh run --mode=MODE: prints "exec <execution id>", then behaves as MODE says.
mode=
for a in "$@"; do
  case $a in
    --mode=*) mode=${a#--mode=} ;;
  esac
done
echo "exec $RUNNER_EXECUTION_ID"
case $mode in
  quick) echo done ;;
  python) exec python3 -c 'print("done")' ;;
  slow) i=0; while [ $i -lt 10 ]; do echo "tick $i"; sleep 0.1; i=$((i + 1)); done; echo done ;;
  fail) echo failing >&2; exit 3 ;;
  bomb) exec python3 -c 'b = b"x" * (512 << 20); print(len(b))' ;;
  hang) echo hanging; exec sleep 60 ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
