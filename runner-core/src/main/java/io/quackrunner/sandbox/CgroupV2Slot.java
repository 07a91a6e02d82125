package io.quackrunner.sandbox;

import io.quackrunner.limits.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A slot in the cgroup v2 unified hierarchy: a pre-configured parent ({@code slot-N}, controllers
 * enabled below it) that gets a fresh leaf cgroup ({@code slot-N/run}) for every run ({@code
 * memory.max}, {@code pids.max}, {@code cgroup.kill}; Linux
 * Documentation/admin-guide/cgroup-v2.rst).
 *
 * <p>A fresh leaf starts every counter at zero, {@code memory.peak} included, on every kernel: no
 * reset is needed (writing {@code memory.peak} needs Linux ≥ 6.12) and no earlier run's high-water
 * mark can reach a receipt. Where the kernel has no {@code memory.peak} (before 5.19) the peak is
 * the highest {@code memory.current} read while the run was watched, a lower bound.
 */
final class CgroupV2Slot implements CgroupSlot {
  /** The name of the per-run leaf under the slot. */
  static final String RUN = "run";

  private final int index;
  private final Path dir;
  private final Path leaf;
  private volatile long sampledPeak;

  CgroupV2Slot(int index, Path dir) {
    this.index = index;
    this.dir = dir;
    this.leaf = dir.resolve(RUN);
    CgroupFiles.mkdirs(dir);
    CgroupV2Tree.enable(dir);
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public List<Path> joinDirectories() {
    return List.of(leaf);
  }

  @Override
  public void prepare(Limits limits) {
    removeLeaf(); // what a crashed holder left: emptied on lease, removed here
    if (Files.isDirectory(leaf)) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.ISOLATION_UNAVAILABLE,
          "cannot remove the previous run's cgroup " + leaf);
    }
    CgroupFiles.mkdirs(leaf);
    sampledPeak = 0;
    CgroupFiles.write(leaf.resolve("memory.max"), Long.toString(limits.memoryBytes()));
    Path swap = leaf.resolve("memory.swap.max");
    if (Files.exists(swap)) {
      CgroupFiles.write(swap, "0");
    }
    CgroupFiles.write(leaf.resolve("pids.max"), Long.toString(limits.pids()));
    Path oomGroup = leaf.resolve("memory.oom.group");
    if (Files.exists(oomGroup)) {
      CgroupFiles.write(oomGroup, "1"); // an OOM kill takes the whole run, not one process
    }
  }

  @Override
  public CgroupUsage usage() {
    Path peakFile = leaf.resolve("memory.peak");
    long peak;
    if (Files.exists(peakFile)) {
      peak = CgroupFiles.readLong(peakFile);
    } else {
      peak = Math.max(sampledPeak, CgroupFiles.readLong(leaf.resolve("memory.current")));
      sampledPeak = peak;
    }
    return new CgroupUsage(
        peak,
        CgroupFiles.keyed(leaf.resolve("cpu.stat"), "usage_usec") * 1000,
        CgroupFiles.keyed(leaf.resolve("memory.events"), "oom_kill"),
        CgroupFiles.keyed(leaf.resolve("pids.events"), "max"));
  }

  @Override
  public void kill() {
    if (Files.isDirectory(leaf)) {
      CgroupFiles.write(leaf.resolve("cgroup.kill"), "1");
    }
  }

  @Override
  public boolean awaitEmpty(Duration timeout) {
    return awaitEmpty(this, timeout);
  }

  @Override
  public void finish() {
    removeLeaf();
  }

  /** Removes the leaf once empty; a leaf still busy stays and is removed by the next prepare. */
  private void removeLeaf() {
    if (!Files.isDirectory(leaf)) {
      return;
    }
    kill();
    awaitEmpty(Duration.ofSeconds(5));
    // EBUSY while the last member finishes exiting; on a slow host (TCG, heavy load) that can take
    // longer than a few tries, and a leaf left here fails the slot's next prepare.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      try {
        Files.deleteIfExists(leaf); // rmdir: a cgroup's interface files are not real files
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          return;
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
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
    return Files.isDirectory(leaf) ? CgroupFiles.pids(leaf) : List.of();
  }
}
