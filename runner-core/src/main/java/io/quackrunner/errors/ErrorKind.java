package io.quackrunner.errors;

/**
 * The stable kinds of error QuackRunner reports, each mapped to exactly one CLI exit code and one
 * HTTP status (the single table of STYLE habit 4; documented in docs/EXIT-CODES.md).
 *
 * <p>The first four names are the canonical error kinds of SPEC-UBL-RUNNER v1.0. The problem {@code
 * type} URI of RFC 9457 responses is {@code https://quackrunner.io/problems/} followed by {@link
 * #slug()}.
 */
public enum ErrorKind {
  /**
   * The trigger or request is malformed, unknown or not authorized (UBL {@code InvalidTrigger}).
   */
  INVALID_TRIGGER("invalid-trigger", 125, 403),
  /** The sandbox could not execute the request (UBL {@code ExecutionFailed}). */
  EXECUTION_FAILED("execution-failed", 125, 500),
  /** An output broke the rules: a link, device, FIFO, missing declared output or bad manifest. */
  ARTIFACT_VIOLATION("artifact-violation", 125, 422),
  /**
   * The receipt could not be signed or appended to the ledger (UBL {@code ReceiptCommitFailed}).
   */
  RECEIPT_COMMIT_FAILED("receipt-commit-failed", 125, 500),
  /** Bad command-line usage or an unknown command, option, tool, verb or field. */
  USAGE("usage", 125, 400),
  /** A configuration or identity file is missing or invalid. */
  CONFIGURATION("configuration", 125, 500),
  /** The named thing (run, tool, runtime, artifact) does not exist. */
  NOT_FOUND("not-found", 125, 404),
  /** Isolation is unavailable or refused (e.g. the unisolated backend was not enabled). */
  ISOLATION_UNAVAILABLE("isolation-unavailable", 125, 503),
  /** A verification (signature, canonical form, hash, inclusion, consistency) failed. */
  VERIFICATION_FAILED("verification-failed", 1, 422),
  /** The caller gave no valid credentials (HTTP Bearer token). */
  UNAUTHENTICATED("unauthenticated", 77, 401),
  /** The request conflicts with the state of a run (e.g. cancelling a run that has ended). */
  CONFLICT("conflict", 125, 409),
  /**
   * An idempotency key was used before, by the same tenant, for a different request; nothing was
   * executed.
   */
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 125, 422),
  /** The request body or an inline input is larger than the configured limit. */
  TOO_LARGE("too-large", 125, 413),
  /** The run queue is full; the request may be repeated later (nothing was accepted). */
  BUSY("busy", 75, 429),
  /** A part of the service is not available (e.g. no receipt ledger is configured). */
  UNAVAILABLE("unavailable", 69, 503),
  /** An internal invariant broke; a bug. */
  INTERNAL("internal", 125, 500);

  private final String slug;
  private final int exitCode;
  private final int httpStatus;

  ErrorKind(String slug, int exitCode, int httpStatus) {
    this.slug = slug;
    this.exitCode = exitCode;
    this.httpStatus = httpStatus;
  }

  /** Returns the stable lower-case name used in problem types and log lines. */
  public String slug() {
    return slug;
  }

  /** Returns the process exit code the CLI uses for this kind. */
  public int exitCode() {
    return exitCode;
  }

  /** Returns the HTTP status the server answers with for this kind. */
  public int httpStatus() {
    return httpStatus;
  }
}
