package io.quackrunner.errors;

/**
 * The stable kinds of error QuackRunner reports, each mapped to exactly one title, one CLI exit
 * code and one HTTP status (the single table of STYLE habit 4; documented in docs/EXIT-CODES.md
 * and, as problem types, in docs/SERVER.md, both checked against this enum by tests).
 *
 * <p>The first four names are the canonical error kinds of SPEC-UBL-RUNNER v1.0. The RFC 9457
 * problem {@code type} URI of a kind is {@link #typeUri()}: {@code
 * https://quackrunner.io/problems/} followed by {@link #slug()}.
 */
public enum ErrorKind {
  /**
   * The trigger or request is malformed, unknown or not authorized (UBL {@code InvalidTrigger}): a
   * bad idempotency key or a trigger link the trust policy refuses.
   */
  INVALID_TRIGGER("invalid-trigger", "Invalid trigger", 125, 403),
  /** The sandbox could not execute the request (UBL {@code ExecutionFailed}). */
  EXECUTION_FAILED("execution-failed", "Execution failed", 125, 500),
  /** An output broke the rules: a link, device, FIFO, missing declared output or bad manifest. */
  ARTIFACT_VIOLATION("artifact-violation", "Artifact violation", 125, 422),
  /**
   * The receipt could not be signed or appended to the ledger (UBL {@code ReceiptCommitFailed}).
   */
  RECEIPT_COMMIT_FAILED("receipt-commit-failed", "Receipt commit failed", 125, 500),
  /** Bad command-line usage: an unknown command or option, a missing or malformed argument. */
  USAGE("usage", "Bad usage", 125, 400),
  /** The HTTP request itself is malformed (bad URI, bad percent-encoding, bad header). */
  BAD_REQUEST("bad-request", "Malformed HTTP request", 125, 400),
  /** A request body is not well-formed JSON (syntax, duplicate key, trailing data, too deep). */
  BAD_JSON("bad-json", "Malformed JSON", 125, 400),
  /** A request names a field, parameter or limit the API does not define. */
  UNKNOWN_FIELD("unknown-field", "Unknown field", 125, 400),
  /**
   * A value breaks the declared schema: a wrong type, a missing required field, a value out of
   * range or not matching its pattern, in a body, a query parameter or the tool's parameters.
   */
  SCHEMA_VIOLATION("schema-violation", "Schema violation", 125, 400),
  /** The request names a tool, tool version or verb the registry does not hold. */
  UNKNOWN_TOOL("unknown-tool", "Unknown tool, version or verb", 125, 400),
  /** A body was sent with a missing or unsupported {@code Content-Type}. */
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 125, 415),
  /** The resource exists but does not support the request method. */
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 125, 405),
  /** A configuration or identity file is missing or invalid. */
  CONFIGURATION("configuration", "Runner misconfigured", 125, 500),
  /** The named thing (run, tool, runtime, artifact, endpoint) does not exist. */
  NOT_FOUND("not-found", "Not found", 125, 404),
  /** Isolation is unavailable or refused (e.g. the unisolated backend was not enabled). */
  ISOLATION_UNAVAILABLE("isolation-unavailable", "Isolation unavailable", 125, 503),
  /** A verification (signature, canonical form, hash, inclusion, consistency) failed. */
  VERIFICATION_FAILED("verification-failed", "Verification failed", 1, 422),
  /** The caller gave no valid credentials (HTTP Bearer token). */
  UNAUTHENTICATED("unauthenticated", "Unauthenticated", 77, 401),
  /**
   * The caller is known but the request asks for what it may not have (e.g. an environment variable
   * outside the tool's allow-list).
   */
  FORBIDDEN("forbidden", "Forbidden", 77, 403),
  /**
   * The request conflicts with the state of a run or of the local files (e.g. cancelling a run that
   * has ended, a downloaded file that differs from the one already there).
   */
  CONFLICT("conflict", "Conflict", 125, 409),
  /**
   * An idempotency key was used before, by the same tenant, for a different request; nothing was
   * executed.
   */
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "Idempotency key reused", 125, 422),
  /**
   * A run request's {@code callback} URL is refused: not on the operator's allow-list (scheme,
   * host, port), or its name resolves to a loopback, link-local or private address that is not
   * allow-listed explicitly; nothing was executed.
   */
  CALLBACK_REFUSED("callback-refused", "Callback destination refused", 125, 400),
  /** The request body or an inline input is larger than the configured limit. */
  TOO_LARGE("too-large", "Payload too large", 125, 413),
  /** The request URI is longer than the server accepts. */
  URI_TOO_LONG("uri-too-long", "URI too long", 125, 414),
  /** The request's header fields are larger than the server accepts. */
  HEADERS_TOO_LARGE("headers-too-large", "Request header fields too large", 125, 431),
  /** A byte range lies wholly past the end of the representation (RFC 9110 §15.5.17). */
  RANGE_NOT_SATISFIABLE("range-not-satisfiable", "Range not satisfiable", 125, 416),
  /** The run queue is full; the request may be repeated later (nothing was accepted). */
  BUSY("busy", "Too many runs (rate limited)", 75, 429),
  /** A part of the service is not available or cannot be reached. */
  UNAVAILABLE("unavailable", "Unavailable", 69, 503),
  /**
   * The database's schema version is not the runner's: migrations are pending and were not allowed
   * ({@code --migrate}), the schema is newer than the runner, or a migration failed.
   */
  SCHEMA_MISMATCH("schema-mismatch", "Database schema mismatch", 78, 503),
  /** An internal invariant broke; a bug. */
  INTERNAL("internal", "Internal error", 125, 500);

  /** The prefix of every problem type URI. */
  public static final String TYPE_BASE = "https://quackrunner.io/problems/";

  private final String slug;
  private final String title;
  private final int exitCode;
  private final int httpStatus;

  ErrorKind(String slug, String title, int exitCode, int httpStatus) {
    this.slug = slug;
    this.title = title;
    this.exitCode = exitCode;
    this.httpStatus = httpStatus;
  }

  /** Returns the stable lower-case name used in problem types and log lines. */
  public String slug() {
    return slug;
  }

  /** Returns the short human-readable summary used as the RFC 9457 problem {@code title}. */
  public String title() {
    return title;
  }

  /** Returns the RFC 9457 problem {@code type} URI: {@link #TYPE_BASE} + {@link #slug()}. */
  public String typeUri() {
    return TYPE_BASE + slug;
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
