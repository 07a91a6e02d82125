#!/bin/sh
# The python-3.11 runner's smoke test, run in the sandbox on its image: python3.11 starts and
# reports its version, and writes to OUT_DIR.
set -eu
python3.11 --version
python3.11 -c 'import os, sys; open(os.path.join(os.environ["OUT_DIR"], "smoke.txt"), "w").write(sys.version)'
