package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fixed set of reusable cgroups, {@code quackrunner/slot-N} under each hierarchy, leased to one
 * sandbox at a time.
 *
 * <p>A lease is an exclusive lock on {@code <lockDir>/slot-N.lock}, so separate runner processes
 * (many {@code runner exec} at once, or a server beside them) share the slots safely, and a crashed
 * holder's lock is released by the kernel. A newly leased slot is emptied first.
 */
public final class CgroupPool {
  private final CgroupMode mode;
  private final Path root;
  private final Path v2Pool;
  private final Path lockDir;
  private final int size;
  private final boolean useUnified;
  private final Map<Integer, CgroupSlot> slots = new HashMap<>();

  /**
   * The lock files of the slots leased in this JVM, by any pool. fcntl locks belong to the process,
   * and closing any descriptor of a file drops the process's locks on it (POSIX): a second pool of
   * this JVM that opened a held slot's file to try it would, on closing it, free the slot for other
   * processes while its run goes on, and their lease would empty (kill) it. So a slot held here is
   * never opened again until its lease ends.
   */
  private static final Set<Path> HELD_IN_JVM = ConcurrentHashMap.newKeySet();

  /** A leased slot; closing it empties the slot and releases the lease. */
  public final class Lease implements AutoCloseable {
    private final CgroupSlot slot;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private Lease(CgroupSlot slot, FileChannel channel, FileLock lock) {
      this.slot = slot;
      this.channel = channel;
      this.lock = lock;
    }

    /** Returns the leased slot. */
    public CgroupSlot slot() {
      return slot;
    }

    /**
     * Kills every process in the slot while this lease holds it; once the lease is closed it does
     * nothing, because the slot may by then be another run's (a late cancel must not kill it).
     */
    public synchronized void kill() {
      if (!closed) {
        slot.kill();
      }
    }

    @Override
    public void close() {
      try {
        slot.kill();
        if (slot.awaitEmpty(Duration.ofSeconds(5))) {
          slot.finish();
        }
      } finally {
        synchronized (this) {
          closed = true; // no kill through this lease from here on: the slot is free for others
        }
        try {
          lock.release();
          channel.close();
        } catch (IOException ignored) {
          // the kernel drops the lock with the descriptor
        }
        synchronized (CgroupPool.this) {
          HELD_IN_JVM.remove(lockFile(slot.index()));
          CgroupPool.this.notifyAll();
        }
      }
    }
  }

  private CgroupPool(
      CgroupMode mode, Path root, Path v2Pool, Path lockDir, int size, boolean useUnified) {
    this.mode = mode;
    this.v2Pool = v2Pool;
    this.root = root;
    this.lockDir = lockDir;
    this.size = size;
    this.useUnified = useUnified;
  }

  /**
   * Opens a pool of {@code size} slots under the cgroup root (normally {@code /sys/fs/cgroup}).
   *
   * @param useUnified on hybrid hosts, also join the cgroup2 {@code unified} hierarchy and kill
   *     with its {@code cgroup.kill}; false forces the v1 freezer path
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE when there are no usable cgroups or they
   *     cannot be written (e.g. not root and not delegated)
   */
  public static CgroupPool open(Path root, Path lockDir, int size, boolean useUnified) {
    CgroupMode mode = CgroupMode.detect(root);
    if (mode == CgroupMode.NONE) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "no cgroup hierarchy with memory and pids under " + root);
    }
    Path v2Pool =
        mode == CgroupMode.V2 ? CgroupV2Tree.prepare(root, Path.of("/proc/self/cgroup")) : null;
    try {
      Files.createDirectories(lockDir);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot create lock directory " + lockDir + ": " + e);
    }
    CgroupPool pool =
        new CgroupPool(mode, root, v2Pool, lockDir, size, useUnified && mode == CgroupMode.HYBRID);
    // Make slot 0 now: a hierarchy that cannot be written fails here, at start-up, with
    // ISOLATION_UNAVAILABLE, not at the first run.
    pool.slot(0);
    if (v2Pool != null) {
      pool.sweep();
    }
    return pool;
  }

  /**
   * Removes the run leaves that runners killed mid-run left in free slots, so nothing of theirs
   * stays in the cgroup tree once a new runner starts (a held slot is its holder's to clean).
   */
  private void sweep() {
    for (int i = 0; i < size; i++) {
      if (Files.isDirectory(v2Pool.resolve("slot-" + i).resolve(CgroupV2Slot.RUN))) {
        Lease l = tryLease(i);
        if (l != null) {
          l.close();
        }
      }
    }
  }

  /** Returns the pool parent on cgroup v2 ({@code <delegated root>/quackrunner}), else null. */
  public Path v2PoolDir() {
    return v2Pool;
  }

  /** Returns the host's cgroup mode. */
  public CgroupMode mode() {
    return mode;
  }

  /** Returns whether killing uses {@code cgroup.kill} (true) or the v1 freezer (false). */
  public boolean killsWithCgroupKill() {
    return mode == CgroupMode.V2 || useUnified;
  }

  /**
   * Leases a free slot, waiting up to {@code wait} for one.
   *
   * @throws RunnerException of kind EXECUTION_FAILED when none frees up in time
   */
  public Lease acquire(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      for (int i = 0; i < size; i++) {
        Lease l = tryLease(i);
        if (l != null) {
          return l;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "no free sandbox slot (" + size + " in use)");
      }
      synchronized (this) {
        try {
          wait(Math.max(1, Math.min(50, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted waiting for a slot");
        }
      }
    }
  }

  private Lease tryLease(int i) {
    if (!HELD_IN_JVM.add(lockFile(i))) {
      return null; // leased by this pool or another pool of this JVM
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(lockFile(i), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        release(i);
        return null;
      }
      CgroupSlot slot = slot(i);
      if (!slot.pids().isEmpty()) { // a holder crashed mid-run; its pdeathsig should have acted
        slot.kill();
        if (!slot.awaitEmpty(Duration.ofSeconds(5))) {
          throw new RunnerException(
              ErrorKind.ISOLATION_UNAVAILABLE, "cgroup slot " + i + " cannot be emptied");
        }
      }
      return new Lease(slot, ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      release(i);
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot lock slot " + i + ": " + e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      release(i);
      throw e;
    }
  }

  private synchronized void release(int i) {
    HELD_IN_JVM.remove(lockFile(i));
  }

  private Path lockFile(int i) {
    return lockDir.resolve("slot-" + i + ".lock").toAbsolutePath().normalize();
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  private synchronized CgroupSlot slot(int i) {
    return slots.computeIfAbsent(i, this::create);
  }

  private CgroupSlot create(int i) {
    String name = "quackrunner/slot-" + i;
    if (mode == CgroupMode.V2) {
      return new CgroupV2Slot(i, v2Pool.resolve("slot-" + i));
    }
    Path cpuacct = hierarchy("cpuacct");
    Path freezer = hierarchy("freezer");
    return new CgroupV1Slot(
        i,
        hierarchy("memory").resolve(name),
        hierarchy("pids").resolve(name),
        cpuacct == null ? null : cpuacct.resolve(name),
        freezer == null ? null : freezer.resolve(name),
        useUnified ? root.resolve("unified").resolve(name) : null);
  }

  /** Finds the v1 hierarchy holding a controller, also when co-mounted ("cpu,cpuacct"). */
  private Path hierarchy(String controller) {
    Path direct = root.resolve(controller);
    if (Files.isDirectory(direct)) {
      return direct;
    }
    try (var dirs = Files.list(root)) {
      for (Path p : dirs.toList()) {
        if (List.of(p.getFileName().toString().split(",")).contains(controller)) {
          return p;
        }
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.ISOLATION_UNAVAILABLE, "cannot list " + root + ": " + e);
    }
    if (controller.equals("memory") || controller.equals("pids")) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "no " + controller + " cgroup hierarchy under " + root);
    }
    return null;
  }
}
