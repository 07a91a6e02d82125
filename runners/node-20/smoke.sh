#!/bin/sh
# The node-20 runner's smoke test, run in the sandbox on its image: node starts and reports its
# version, and writes to OUT_DIR.
set -eu
node --version
node -e 'require("fs").writeFileSync(process.env.OUT_DIR + "/smoke.txt", process.version)'
