#!/bin/sh
# Stage 2 of a bin/vm-test guest, run by the initramfs's switch_root from the host's root (read
# only over 9p). Sets up the cgroup layout of the mode, runs VmChecks in one JVM, writes its exit
# code to the results share and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
res=/run/vm-results
echo "vm-guest: up after $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"
echo "boot_s=$(cut -d' ' -f1 /proc/uptime)" >"$res/timings"
mode=$(cat "$res/mode")
root=$(dirname "$(dirname "$(dirname "$(readlink -f "$0")")")")
echo 1 >/proc/sys/kernel/sysrq
mkdir -p /run/quackrunner
ip link set lo up 2>/dev/null || true
case $mode in
  delegated)
    # What systemd does for a unit with Delegate=yes: controllers enabled down to the unit's parent,
    # the unit's own cgroup holding its main process, its subtree_control left to the unit.
    echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p /sys/fs/cgroup/system.slice/quackrunner.service
    echo "+memory +pids +cpu" >/sys/fs/cgroup/system.slice/cgroup.subtree_control
    unit=/sys/fs/cgroup/system.slice/quackrunner.service
    ;;
  bare) ;;
  *) echo "vm-guest: unknown mode $mode" ;;
esac
echo "vm-guest: mode $mode, root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
# The JVM is the unit's only process (its main process, as systemd starts it); this shell stays in
# the root cgroup.
run() {
  if [ -n "${unit:-}" ]; then
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$unit" "$@"
  else
    "$@"
  fi
}
run /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
  --enable-native-access=ALL-UNNAMED \
  -Dquackrunner.libexec="$(cat "$res/libexec")" \
  -cp "$(cat "$res/classpath")" io.quackrunner.execution.VmChecks "$res" "$mode" 2>&1
rc=$?
echo "vm-guest: checks exit $rc"
echo "$rc" >"$res/exit-code"
sync
echo o >/proc/sysrq-trigger
sleep 10
