package io.quackrunner.temporal.api;

import java.util.List;

/**
 * The {@code type} strings of the {@code ApplicationFailure}s the QuackRunner activities raise (the
 * failure table of docs/TEMPORAL.md).
 *
 * <p>A run that executed and did not succeed fails with its status ({@code FAILED}, {@code
 * TIMED_OUT}, …) or its UBL error kind ({@code ArtifactViolation}, {@code InvalidTrigger}), always
 * non-retryable, with the RunResult as details. A request refused before execution fails with the
 * RFC 9457 problem type of the HTTP API ({@value #PROBLEM_BASE} + kind) and the problem document as
 * details.
 */
public final class FailureTypes {
  /** The tool exited non-zero or was killed by a signal. */
  public static final String FAILED = "FAILED";

  /** The run exceeded its wall-time limit. */
  public static final String TIMED_OUT = "TIMED_OUT";

  /** The run exceeded a resource limit (memory, processes, output, CPU). */
  public static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";

  /** The run was cancelled by someone else than this activity (e.g. {@code DELETE /runs/{id}}). */
  public static final String CANCELLED = "CANCELLED";

  /** The runner stopped while the run executed; recovery gave it a receipt, it was not re-run. */
  public static final String INTERRUPTED = "INTERRUPTED";

  /** The tool's outputs broke the registry's rules (UBL {@code ArtifactViolation}). */
  public static final String ARTIFACT_VIOLATION = "ArtifactViolation";

  /** The trigger was refused (UBL {@code InvalidTrigger}). */
  public static final String INVALID_TRIGGER = "InvalidTrigger";

  /** The prefix of every problem type. */
  public static final String PROBLEM_BASE = "https://quackrunner.io/problems/";

  /** Bad request: unknown tool, verb or field, schema violation, idempotency key given. */
  public static final String USAGE = PROBLEM_BASE + "usage";

  /** No such tool, version, input digest or run. */
  public static final String NOT_FOUND = PROBLEM_BASE + "not-found";

  /** The derived trigger was already used for a different request. */
  public static final String CONFLICT = PROBLEM_BASE + "conflict";

  /** An inline input is larger than the worker accepts. */
  public static final String TOO_LARGE = PROBLEM_BASE + "too-large";

  /** The run queue is full (retryable). */
  public static final String BUSY = PROBLEM_BASE + "busy";

  /**
   * Every type a workflow's retry policy should list as non-retryable (the activity marks them so
   * itself; listing them also protects against a worker of another version).
   */
  public static final List<String> NON_RETRYABLE =
      List.of(
          FAILED,
          TIMED_OUT,
          LIMIT_EXCEEDED,
          CANCELLED,
          INTERRUPTED,
          ARTIFACT_VIOLATION,
          INVALID_TRIGGER,
          USAGE,
          NOT_FOUND,
          CONFLICT,
          TOO_LARGE,
          PROBLEM_BASE + "invalid-trigger");

  private FailureTypes() {}
}
