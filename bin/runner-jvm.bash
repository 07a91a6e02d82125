# JVM options for bin/runner and bin/aot-train (sourced, not run). A JDK AOT cache is valid only
# for the options it was trained with, so both take them from here. Figures: docs/BENCHMARKS.md.
# Needs $root (the checkout).

# Short-lived commands (everything but `serve`) want start-up, not peak speed: the serial GC, C1
# only, and no hsperfdata file (jps/jstat cannot see a CLI call; nothing else reads it).
runner_cli_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData)

# `runner serve` is long-lived and keeps the full JIT (C1 and C2) and no AOT cache (so these flags
# need not match bin/aot-train's), but is bounded so that an idle gateway stays small (issue 19:
# idle RSS <= 150 MB; figures in docs/BENCHMARKS.md, "Server RSS"): the serial GC (no G1 remembered
# sets or concurrent threads; pauses on a heap this size are milliseconds); a 32 MiB initial heap
# (the serial GC's default, 1/64 of RAM, lets eden fill hundreds of MiB of pages before the first
# collection: 190 MiB idle on a 24 GB machine); a 256 MiB heap bound (the CI-sized load of LoadIT
# and MemoryBench's 100 queued runs and 100 followers live well under it), so RSS stays under about
# 256 MiB + code cache + metaspace; 64 MiB of code cache and 128 MiB of metaspace (bounds, not
# targets); 512 KiB platform-thread stacks (run workers are virtual threads).
runner_serve_flags=(-XX:+UseSerialGC -Xms32m -Xmx256m -XX:ReservedCodeCacheSize=64m
  -XX:MaxMetaspaceSize=128m -Xss512k)

# sqlite-jdbc extracts its native library from its jar into /tmp on every start (inflate, MD5 of
# both copies, write, scan /tmp for stale copies) unless org.sqlite.lib.path names a directory
# holding it. The build unpacks the library of the same sqlite-jdbc version into
# runner-cli/target/sqlite-native/<arch>/ (runner-cli/pom.xml); without it the driver extracts as
# before. Bash's $HOSTTYPE spells the architecture as sqlite-jdbc does (x86_64, aarch64).
runner_sqlite_flags=()
if [ -f "$root/runner-cli/target/sqlite-native/${HOSTTYPE:-}/libsqlitejdbc.so" ]; then
  runner_sqlite_flags=(-Dorg.sqlite.lib.path="$root/runner-cli/target/sqlite-native/$HOSTTYPE"
    -Dorg.sqlite.lib.name=libsqlitejdbc.so)
fi
