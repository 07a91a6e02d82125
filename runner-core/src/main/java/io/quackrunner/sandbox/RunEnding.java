package io.quackrunner.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitKind;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * How one sandbox ended: the command's exit code or signal and the limit that ended it, decided
 * from bubblewrap's {@code --json-status-fd} objects and the cgroup's counters after the run.
 *
 * <p>The watchdog's 10 ms poll only decides <em>when</em> a run is stopped, never <em>why</em>: on
 * cgroup v2 {@code memory.oom.group} makes the kernel kill every process of the run's leaf,
 * bubblewrap included, so an OOM kill leaves no exit code, and the poll can miss it when everything
 * dies between two ticks. The counters ({@code memory.events oom_kill}, {@code pids.events max},
 * the CPU total) are what name the limit.
 *
 * @param exitCode the command's exit code, or null when bubblewrap was killed before it reported
 *     one
 * @param signal the signal that ended the command ({@code exitCode - 128}, or SIGKILL when there is
 *     no exit code), or null
 * @param limit the limit that ended the run, or null
 */
record RunEnding(Integer exitCode, Integer signal, LimitKind limit) {
  static final int SIGKILL = 9;
  static final int SIGXCPU = 24;
  static final int SIGXFSZ = 25;

  /**
   * What bubblewrap reported.
   *
   * @param started whether it reported the command's pid (it had started the command)
   * @param exitCode the command's exit code, or null (bubblewrap was killed first, or never got
   *     that far)
   */
  record Status(boolean started, Integer exitCode) {
    static final Status NONE = new Status(false, null);

    /** One mapper for every run (thread-safe once configured; a new one per call costs ~1 ms). */
    private static final ObjectMapper STATUS_JSON = new ObjectMapper();

    /**
     * Parses the concatenated JSON objects of {@code --json-status-fd} ({@code {"child-pid": N}},
     * then {@code {"exit-code": N}}); an object cut short by a kill counts as absent.
     *
     * @throws IOException when the bytes are not JSON at all
     */
    static Status parse(byte[] json) throws IOException {
      ObjectMapper om = STATUS_JSON;
      Integer code = null;
      boolean started = false;
      var it = om.readValues(om.getFactory().createParser(json), JsonNode.class);
      try {
        while (it.hasNext()) {
          JsonNode n = it.next();
          started |= n.has("child-pid");
          if (n.has("exit-code")) {
            code = n.get("exit-code").asInt();
          }
        }
      } catch (RuntimeException truncated) {
        // bwrap killed (cancel, timeout, OOM group kill) while writing an object leaves it cut
        // short: the objects before it are complete, and a cut-off one carries no exit code.
      }
      return new Status(started, started ? code : null);
    }
  }

  /**
   * Decides the ending.
   *
   * @param status what bubblewrap reported
   * @param breach the limit the runner stopped the run for (watchdog, output cap, wall time), or
   *     null
   * @param cancelled whether the run was cancelled
   * @param usage the cgroup's counters once the run's cgroup is empty
   * @param cpuLimitMs the run's CPU time limit in milliseconds
   * @param fullDirectory the out/ or /tmp limit when that tmpfs is full, else null (read only when
   *     the command exited)
   * @param bwrapMessage bubblewrap's last stderr line, for the error when nothing explains the end
   * @throws RunnerException of kind EXECUTION_FAILED when bubblewrap reported no exit code and no
   *     limit, cancel or counter explains it (the sandbox did not start, or something outside the
   *     run killed it)
   */
  static RunEnding decide(
      Status status,
      LimitKind breach,
      boolean cancelled,
      CgroupUsage usage,
      long cpuLimitMs,
      Supplier<LimitKind> fullDirectory,
      Supplier<String> bwrapMessage) {
    Integer exitCode = status.exitCode();
    if (exitCode == null) {
      LimitKind limit = breach != null ? breach : counted(usage, null, cpuLimitMs);
      if (limit == null && !cancelled) {
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED,
            status.started()
                ? "the sandbox was killed before the command's exit was reported, and no limit"
                    + " was exceeded"
                : "the sandbox did not start the command: " + bwrapMessage.get());
      }
      return new RunEnding(null, SIGKILL, limit);
    }
    Integer signal = exitCode > 128 && exitCode <= 128 + 64 ? exitCode - 128 : null;
    LimitKind limit = breach;
    if (limit == null) {
      limit = counted(usage, signal, cpuLimitMs);
    }
    if (limit == null && signal != null && signal == SIGXFSZ) {
      limit = LimitKind.FILE_SIZE;
    }
    if (limit == null) {
      limit = fullDirectory.get();
    }
    return new RunEnding(exitCode, signal, limit);
  }

  /** The limit the kernel's counters (or a SIGXCPU) show was hit, or null. */
  private static LimitKind counted(CgroupUsage usage, Integer signal, long cpuLimitMs) {
    if (usage.oomKills() > 0) {
      return LimitKind.MEMORY;
    }
    if (usage.pidsMaxEvents() > 0) {
      return LimitKind.PIDS;
    }
    if ((signal != null && signal == SIGXCPU) || usage.cpuTimeNanos() / 1_000_000 > cpuLimitMs) {
      return LimitKind.CPU_TIME;
    }
    return null;
  }
}
