package io.quackrunner.sandbox;

import io.quackrunner.limits.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One reusable cgroup (one per controller hierarchy on v1) that holds one sandbox at a time.
 *
 * <p>Slots are made once and reused. On v1 no run pays for mkdir/rmdir (≈10 ms here); on v2 each
 * run gets a fresh leaf under its pre-configured slot, so every counter starts at zero.
 */
public interface CgroupSlot {
  /** Returns the slot's index in its pool; it also picks the sandbox uid. */
  int index();

  /** Returns the directories whose {@code cgroup.procs} a sandbox process joins. */
  List<Path> joinDirectories();

  /** Writes the memory and pids limits and zeroes the per-run counters. */
  void prepare(Limits limits);

  /** Returns the counters since {@link #prepare}. */
  CgroupUsage usage();

  /** Sends SIGKILL to every process in the slot, setsid daemons included. */
  void kill();

  /** Waits until no process is left; returns false if some remain after {@code timeout}. */
  boolean awaitEmpty(Duration timeout);

  /** Releases what the run used once the slot is empty (v2: removes the run's leaf cgroup). */
  default void finish() {}

  /** Returns the pids now in the slot. */
  List<Long> pids();
}
