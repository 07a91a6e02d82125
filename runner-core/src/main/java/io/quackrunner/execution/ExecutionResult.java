package io.quackrunner.execution;

import io.quackrunner.artifacts.Artifact;
import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.Limits;
import io.quackrunner.logs.LogDigest;
import io.quackrunner.runtime.EnvironmentFingerprint;
import io.quackrunner.sandbox.PhaseTimes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Everything known about one finished execution (the core of the seed's RunResult).
 *
 * @param executionId unique id of the run; also the sandbox id
 * @param status final status
 * @param exitCode the command's exit code ({@code 128 + signal} when a signal ended it), or null
 *     when the runner killed the sandbox
 * @param signal the signal that ended the command, or null
 * @param limitExceeded the breached limit, or null
 * @param errorKind the canonical error kind when the run did not succeed, or null
 * @param failureReason one line on why the run did not succeed, or null
 * @param startedAt sandbox start (UTC)
 * @param finishedAt sandbox end (UTC), never before {@code startedAt}
 * @param wallTimeMs wall time in milliseconds (monotonic clock)
 * @param cpuTimeMs CPU time of all sandbox processes in milliseconds
 * @param peakMemoryBytes peak memory of the sandbox in bytes
 * @param stdout kept stdout
 * @param stderr kept stderr
 * @param artifacts collected artifacts, sorted by path
 * @param violations refused entries of out/
 * @param limits the limits applied
 * @param fingerprint the environment fingerprint
 * @param sandbox backend identity
 * @param argv the command that ran
 * @param outDir where artifacts, reports and sums were written
 * @param phases where the time went, phase by phase
 * @param egress what the run did through its egress proxy, or null when it had no egress
 * @param lockFile the lock file the tool's files ship for the runtime's lock kind, hashed before
 *     the run started, or null when they ship none
 */
public record ExecutionResult(
    String executionId,
    RunStatus status,
    Integer exitCode,
    Integer signal,
    LimitKind limitExceeded,
    ErrorKind errorKind,
    String failureReason,
    Instant startedAt,
    Instant finishedAt,
    long wallTimeMs,
    long cpuTimeMs,
    long peakMemoryBytes,
    LogDigest stdout,
    LogDigest stderr,
    List<Artifact> artifacts,
    List<ArtifactViolation> violations,
    Limits limits,
    EnvironmentFingerprint fingerprint,
    SandboxIdentity sandbox,
    List<String> argv,
    Path outDir,
    PhaseTimes phases,
    io.quackrunner.egress.EgressReport egress,
    io.quackrunner.runtime.LockFile lockFile) {

  /** A result of a run without egress. */
  public ExecutionResult(
      String executionId,
      RunStatus status,
      Integer exitCode,
      Integer signal,
      LimitKind limitExceeded,
      ErrorKind errorKind,
      String failureReason,
      Instant startedAt,
      Instant finishedAt,
      long wallTimeMs,
      long cpuTimeMs,
      long peakMemoryBytes,
      LogDigest stdout,
      LogDigest stderr,
      List<Artifact> artifacts,
      List<ArtifactViolation> violations,
      Limits limits,
      EnvironmentFingerprint fingerprint,
      SandboxIdentity sandbox,
      List<String> argv,
      Path outDir,
      PhaseTimes phases) {
    this(
        executionId,
        status,
        exitCode,
        signal,
        limitExceeded,
        errorKind,
        failureReason,
        startedAt,
        finishedAt,
        wallTimeMs,
        cpuTimeMs,
        peakMemoryBytes,
        stdout,
        stderr,
        artifacts,
        violations,
        limits,
        fingerprint,
        sandbox,
        argv,
        outDir,
        phases,
        null,
        null);
  }

  /**
   * Returns the exit code the CLI reports: the command's own on success or failure, 124 on timeout,
   * {@code 128 + signal} (137 for SIGKILL) on a limit or cancel, 125 on an artifact violation
   * (docs/EXIT-CODES.md).
   */
  public int cliExitCode() {
    return ExitCodes.of(status, exitCode, signal, errorKind);
  }
}
