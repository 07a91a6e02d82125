#!/bin/sh
# The busybox-1 runner's smoke test, run in the sandbox on its image: the runtime reports its
# version and can write to OUT_DIR.
set -eu
busybox | head -n 1
echo ok > "$OUT_DIR/smoke.txt"
