package io.quackrunner.execution;

import io.quackrunner.errors.ErrorKind;

/** The CLI exit code of a finished run: the one mapping behind docs/EXIT-CODES.md. */
public final class ExitCodes {
  private ExitCodes() {}

  /**
   * Returns the command's own code on success or failure, 124 on timeout, {@code 128 + signal} (137
   * for SIGKILL) on a limit, cancel or interruption, 125 on an artifact violation by a command that
   * exited 0 or when no exit code exists.
   */
  public static int of(RunStatus status, Integer exitCode, Integer signal, ErrorKind errorKind) {
    return switch (status) {
      case SUCCEEDED -> 0;
      case TIMED_OUT -> 124;
      case LIMIT_EXCEEDED, CANCELLED, INTERRUPTED -> 128 + (signal == null ? 9 : signal);
      case FAILED ->
          errorKind == ErrorKind.ARTIFACT_VIOLATION && (exitCode == null || exitCode == 0)
              ? ErrorKind.ARTIFACT_VIOLATION.exitCode()
              : exitCode == null ? 125 : exitCode;
      default -> 125;
    };
  }
}
