package io.quackrunner.limits;

import java.util.Locale;

/** The limits a run can breach; a breached run names exactly one of them. */
public enum LimitKind {
  /** Wall-clock time, enforced by the runner's timer; the sandbox is killed at the deadline. */
  WALL_TIME,
  /** CPU time, enforced by RLIMIT_CPU per process and checked against the cgroup's total. */
  CPU_TIME,
  /** Memory, enforced by the memory cgroup; a breach is an OOM kill. */
  MEMORY,
  /** Processes and threads, enforced by the pids cgroup. */
  PIDS,
  /** Bytes of stdout plus stderr, enforced by the runner's log capture. */
  OUTPUT,
  /** Size of any single file, enforced by RLIMIT_FSIZE (SIGXFSZ). */
  FILE_SIZE,
  /** Total bytes in out/, enforced by the size of the out/ tmpfs (ENOSPC). */
  OUT_DIR,
  /** Total bytes in /tmp, enforced by the size of the /tmp tmpfs (ENOSPC). */
  TMP_DIR;

  /** Returns the snake_case name used in JSON, receipts and CLI messages. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
