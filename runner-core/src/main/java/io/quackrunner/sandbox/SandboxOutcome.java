package io.quackrunner.sandbox;

import io.quackrunner.limits.LimitKind;
import io.quackrunner.logs.LogDigest;
import java.time.Instant;

/**
 * What happened in one sandbox; the workspace stays open for artifact collection until closed.
 *
 * @param exitCode the command's exit code, or {@code 128 + signal}; null when bubblewrap itself was
 *     killed before it reported one (the runner's kill, or on cgroup v2 the kernel's {@code
 *     memory.oom.group} kill of the whole run)
 * @param signal the signal that ended the command, or null
 * @param breached the limit that ended the run, or null
 * @param startedAt when the sandbox process started
 * @param finishedAt when its last process was gone
 * @param usage the kernel's counters for the run
 * @param stdout the kept stdout (null for interactive sessions)
 * @param stderr the kept stderr (null for interactive sessions)
 * @param workspace the run's workspace; close it after collecting out/
 * @param sandboxUid the host uid the sandbox ran as
 */
public record SandboxOutcome(
    Integer exitCode,
    Integer signal,
    LimitKind breached,
    Instant startedAt,
    Instant finishedAt,
    CgroupUsage usage,
    LogDigest stdout,
    LogDigest stderr,
    Workspace workspace,
    int sandboxUid) {

  /** Returns the wall time in milliseconds. */
  public long wallTimeMs() {
    return java.time.Duration.between(startedAt, finishedAt).toMillis();
  }
}
