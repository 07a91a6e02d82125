# JVM options for bin/runner and bin/aot-train (sourced, not run). A JDK AOT cache is valid only
# for the options it was trained with, so both take them from here. Figures: docs/BENCHMARKS.md.
# Needs $root (the checkout).

# Short-lived commands (everything but `serve`) want start-up, not peak speed: the serial GC, C1
# only, and no hsperfdata file (jps/jstat cannot see a CLI call; nothing else reads it).
runner_cli_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData)

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
