#!/bin/sh
# The base runner's smoke test, run in the sandbox on its image: the image's Debian reports its
# version, and the run can write to OUT_DIR.
set -eu
echo "debian $(cat /etc/debian_version)"
echo ok > "$OUT_DIR/smoke.txt"
