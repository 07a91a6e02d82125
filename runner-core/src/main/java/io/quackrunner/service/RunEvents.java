package io.quackrunner.service;

import io.quackrunner.store.RunRecord;

/** Observes the runs of a {@link RunService}, e.g. for metrics; methods must not block. */
public interface RunEvents {
  /** An observer that ignores everything. */
  RunEvents NONE = new RunEvents() {};

  /** Called when a run reached a terminal status in this process. */
  default void finished(RunRecord record) {}

  /**
   * Called after a sandbox ran.
   *
   * @param wallTimeMs the sandbox's own wall time in milliseconds
   * @param overheadMs time spent around it (workspace, inputs, collection) in milliseconds
   */
  default void executed(long wallTimeMs, long overheadMs) {}

  /**
   * Called when a new run was accepted (validated, planned and its trigger claimed in the store),
   * just before it is queued; for service benchmarks.
   *
   * @param runId the run's id
   * @param admitNanos the time {@link RunService#submit} took until then, in nanoseconds
   */
  default void admitted(String runId, long admitNanos) {}

  /** Called when a request was refused before execution and recorded as REJECTED. */
  default void rejected(RunRecord record) {}
}
