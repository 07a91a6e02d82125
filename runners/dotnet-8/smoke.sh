#!/bin/sh
# The dotnet-8 runner's smoke test (never runs here: the image cannot be built, see recipe.json).
set -eu
dotnet --version
echo ok > "$OUT_DIR/smoke.txt"
