package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A slot in the cgroup v2 unified hierarchy ({@code memory.max}, {@code pids.max}, {@code
 * cgroup.kill}; Linux Documentation/admin-guide/cgroup-v2.rst).
 *
 * <p>{@code memory.peak} is reset per open file (Linux ≥ 6.12), so the slot keeps one descriptor
 * open from reset to read.
 */
final class CgroupV2Slot implements CgroupSlot {
  private final int index;
  private final Path dir;
  private long oomBase;
  private long pidsMaxBase;
  private long cpuBaseUsec;
  private FileChannel peak;

  CgroupV2Slot(int index, Path dir) {
    this.index = index;
    this.dir = dir;
    CgroupFiles.mkdirs(dir);
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public List<Path> joinDirectories() {
    return List.of(dir);
  }

  @Override
  public void prepare(Limits limits) {
    CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
    CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
    CgroupFiles.write(dir.resolve("pids.max"), Long.toString(limits.pids()));
    oomBase = CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill");
    pidsMaxBase = CgroupFiles.keyed(dir.resolve("pids.events"), "max");
    cpuBaseUsec = CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec");
    try {
      if (peak == null) {
        peak =
            FileChannel.open(
                dir.resolve("memory.peak"), StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      peak.write(ByteBuffer.wrap("reset".getBytes(StandardCharsets.US_ASCII)), 0);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot reset " + dir + "/memory.peak: " + e);
    }
  }

  @Override
  public CgroupUsage usage() {
    long peakBytes;
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      peak.read(b, 0);
      peakBytes =
          Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim());
    } catch (IOException | RuntimeException e) {
      throw new RunnerException(ErrorKind.ISOLATION_UNAVAILABLE, "cannot read memory.peak: " + e);
    }
    return new CgroupUsage(
        peakBytes,
        (CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec") - cpuBaseUsec) * 1000,
        CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill") - oomBase,
        CgroupFiles.keyed(dir.resolve("pids.events"), "max") - pidsMaxBase);
  }

  @Override
  public void kill() {
    CgroupFiles.write(dir.resolve("cgroup.kill"), "1");
  }

  @Override
  public boolean awaitEmpty(Duration timeout) {
    return awaitEmpty(this, timeout);
  }

  static boolean awaitEmpty(CgroupSlot slot, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!slot.pids().isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Override
  public List<Long> pids() {
    return CgroupFiles.pids(dir);
  }
}
