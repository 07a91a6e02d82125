package io.quackrunner.temporal.worker;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.server.RunDocuments;
import io.quackrunner.store.RunRecord;
import io.quackrunner.temporal.api.FailureTypes;
import io.quackrunner.temporal.api.RunResult;
import io.temporal.failure.ApplicationFailure;
import java.util.Set;

/**
 * Maps how a run ended, or why a request was refused, to the {@link ApplicationFailure} the
 * activity fails with (the failure table of docs/TEMPORAL.md).
 */
final class Failures {
  /**
   * The runner's own conditions, which a later attempt may not meet: every other kind is the
   * request's fault, and repeating the same request cannot turn its refusal into an acceptance.
   */
  static final Set<ErrorKind> RETRYABLE =
      Set.of(
          ErrorKind.BUSY,
          ErrorKind.UNAVAILABLE,
          ErrorKind.INTERNAL,
          ErrorKind.RECEIPT_COMMIT_FAILED,
          ErrorKind.ISOLATION_UNAVAILABLE,
          ErrorKind.CONFIGURATION,
          ErrorKind.SCHEMA_MISMATCH,
          ErrorKind.EXECUTION_FAILED);

  private Failures() {}

  /** Returns the failure type of a run that ended without succeeding. */
  static String type(RunRecord r) {
    if (r.status() == RunStatus.FAILED && r.errorKind() == ErrorKind.ARTIFACT_VIOLATION) {
      return FailureTypes.ARTIFACT_VIOLATION;
    }
    if (r.status() == RunStatus.FAILED && r.errorKind() == ErrorKind.INVALID_TRIGGER) {
      return FailureTypes.INVALID_TRIGGER;
    }
    return r.status().name();
  }

  /**
   * Returns the non-retryable failure of a run that executed (or was recovered) and did not
   * succeed: QuackRunner never repeats a tool's run, and the same trigger cannot make another.
   */
  static ApplicationFailure ofRun(RunRecord r, RunResult result) {
    StringBuilder m = new StringBuilder("run ").append(r.id()).append(" ended ").append(r.status());
    if (r.exitCode() != null) {
      m.append(" with exit code ").append(r.exitCode());
    }
    if (r.signal() != null) {
      m.append(" by signal ").append(r.signal());
    }
    if (r.errorDetail() != null) {
      m.append(": ").append(r.errorDetail());
    }
    return ApplicationFailure.newNonRetryableFailure(m.toString(), type(r), result);
  }

  /**
   * Returns the failure of a request refused before anything executed, typed with its RFC 9457
   * problem type and carrying the problem document: non-retryable for a bad request, retryable for
   * the runner's own transient conditions (queue full, database busy, receipt commit failed).
   */
  static ApplicationFailure rejected(RunnerException e) {
    String type = FailureTypes.PROBLEM_BASE + e.kind().slug();
    Object problem = RunDocuments.problem(e);
    return RETRYABLE.contains(e.kind())
        ? ApplicationFailure.newFailure(e.getMessage(), type, problem)
        : ApplicationFailure.newNonRetryableFailure(e.getMessage(), type, problem);
  }
}
