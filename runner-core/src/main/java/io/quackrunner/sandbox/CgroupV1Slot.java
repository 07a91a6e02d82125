package io.quackrunner.sandbox;

import io.quackrunner.limits.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A slot on cgroup v1 hierarchies (memory, pids, cpuacct, freezer), plus the cgroup2 {@code
 * unified} hierarchy of hybrid hosts, whose {@code cgroup.kill} kills the whole slot at once.
 * Without it, killing freezes the slot, SIGKILLs every member and thaws it, so no process can fork
 * away in between.
 */
final class CgroupV1Slot implements CgroupSlot {
  private final int index;
  private final Path memory;
  private final Path pidsDir;
  private final Path cpuacct;
  private final Path freezer;
  private final Path unified;
  private long oomBase;
  private long pidsMaxBase;

  CgroupV1Slot(int index, Path memory, Path pids, Path cpuacct, Path freezer, Path unified) {
    this.index = index;
    this.memory = memory;
    this.pidsDir = pids;
    this.cpuacct = cpuacct;
    this.freezer = freezer;
    this.unified = unified;
    for (Path p : joinDirectories()) {
      CgroupFiles.mkdirs(p);
    }
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public List<Path> joinDirectories() {
    List<Path> dirs = new ArrayList<>(List.of(memory, pidsDir));
    if (cpuacct != null) {
      dirs.add(cpuacct);
    }
    if (freezer != null) {
      dirs.add(freezer);
    }
    if (unified != null) {
      dirs.add(unified);
    }
    return dirs;
  }

  @Override
  public void prepare(Limits limits) {
    Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
    boolean swapAccounting = Files.exists(memsw);
    if (swapAccounting) {
      CgroupFiles.write(memsw, "-1"); // memsw must stay >= limit_in_bytes while both change
    }
    CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
    if (swapAccounting) {
      CgroupFiles.write(memsw, Long.toString(limits.memoryBytes()));
    }
    CgroupFiles.write(memory.resolve("memory.max_usage_in_bytes"), "0");
    CgroupFiles.write(pidsDir.resolve("pids.max"), Long.toString(limits.pids()));
    if (cpuacct != null) {
      CgroupFiles.write(cpuacct.resolve("cpuacct.usage"), "0");
    }
    oomBase = CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill");
    pidsMaxBase = CgroupFiles.keyed(pidsDir.resolve("pids.events"), "max");
  }

  @Override
  public CgroupUsage usage() {
    return new CgroupUsage(
        CgroupFiles.readLong(memory.resolve("memory.max_usage_in_bytes")),
        cpuacct == null ? 0 : CgroupFiles.readLong(cpuacct.resolve("cpuacct.usage")),
        CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill") - oomBase,
        CgroupFiles.keyed(pidsDir.resolve("pids.events"), "max") - pidsMaxBase);
  }

  @Override
  public void kill() {
    if (unified != null) {
      CgroupFiles.write(unified.resolve("cgroup.kill"), "1");
      return;
    }
    if (freezer == null) {
      // No atomic way to stop forks: kill repeatedly until empty (pids.max bounds the work).
      for (int round = 0; round < 100 && !pids().isEmpty(); round++) {
        pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      }
      return;
    }
    CgroupFiles.write(freezer.resolve("freezer.state"), "FROZEN");
    try {
      for (int i = 0;
          i < 1000 && !CgroupFiles.read(freezer.resolve("freezer.state")).equals("FROZEN");
          i++) {
        Thread.onSpinWait();
      }
      for (long pid : CgroupFiles.pids(freezer)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } finally {
      CgroupFiles.write(freezer.resolve("freezer.state"), "THAWED");
    }
  }

  @Override
  public boolean awaitEmpty(Duration timeout) {
    return CgroupV2Slot.awaitEmpty(this, timeout);
  }

  @Override
  public List<Long> pids() {
    return CgroupFiles.pids(unified != null ? unified : memory);
  }
}
