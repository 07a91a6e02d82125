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

  /** The request names a tool, version or verb the worker's registry does not hold. */
  public static final String UNKNOWN_TOOL = PROBLEM_BASE + "unknown-tool";

  /** The request has a member, parameter or limit the API does not define. */
  public static final String UNKNOWN_FIELD = PROBLEM_BASE + "unknown-field";

  /**
   * A value breaks the schema: a wrong type, a missing required member, parameters that fail the
   * verb's JSON Schema, or an {@code idempotency_key} (the worker derives it).
   */
  public static final String SCHEMA_VIOLATION = PROBLEM_BASE + "schema-violation";

  /** Bad usage, e.g. both a derived key and a signed trigger. */
  public static final String USAGE = PROBLEM_BASE + "usage";

  /** No such input digest, run or receipt. */
  public static final String NOT_FOUND = PROBLEM_BASE + "not-found";

  /** The request asks for what the worker's tenant may not have (env outside the allow-list). */
  public static final String FORBIDDEN = PROBLEM_BASE + "forbidden";

  /** The signed trigger was refused by the tenant's trigger policy (docs/TRIGGERS.md). */
  public static final String INVALID_TRIGGER_PROBLEM = PROBLEM_BASE + "invalid-trigger";

  /** The trigger was used before for a different request; nothing was executed. */
  public static final String IDEMPOTENCY_KEY_REUSED = PROBLEM_BASE + "idempotency-key-reused";

  /** The request conflicts with the state of a run. */
  public static final String CONFLICT = PROBLEM_BASE + "conflict";

  /** An inline input is larger than the worker accepts. */
  public static final String TOO_LARGE = PROBLEM_BASE + "too-large";

  /** The run queue is full (retryable). */
  public static final String BUSY = PROBLEM_BASE + "busy";

  /**
   * Every type a workflow's retry policy should list as non-retryable (the activity marks them so
   * itself; listing them also protects against a worker of another version): the run statuses and
   * UBL kinds above, and the problem type of every error kind that is the request's fault. The
   * retryable ones are the runner's own conditions: {@code busy}, {@code unavailable}, {@code
   * internal}, {@code receipt-commit-failed}, {@code isolation-unavailable}, {@code configuration},
   * {@code execution-failed}.
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
          INVALID_TRIGGER_PROBLEM,
          PROBLEM_BASE + "artifact-violation",
          USAGE,
          PROBLEM_BASE + "bad-request",
          PROBLEM_BASE + "bad-json",
          UNKNOWN_FIELD,
          SCHEMA_VIOLATION,
          UNKNOWN_TOOL,
          PROBLEM_BASE + "unsupported-media-type",
          PROBLEM_BASE + "method-not-allowed",
          NOT_FOUND,
          PROBLEM_BASE + "verification-failed",
          PROBLEM_BASE + "unauthenticated",
          FORBIDDEN,
          CONFLICT,
          IDEMPOTENCY_KEY_REUSED,
          PROBLEM_BASE + "callback-refused",
          TOO_LARGE,
          PROBLEM_BASE + "uri-too-long",
          PROBLEM_BASE + "headers-too-large",
          PROBLEM_BASE + "range-not-satisfiable");

  private FailureTypes() {}
}
