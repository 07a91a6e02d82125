package io.quackrunner.errors;

/**
 * The one root of every error QuackRunner raises on purpose; it carries a stable {@link ErrorKind}.
 *
 * <p>The message is a single line fit for a CLI error or an RFC 9457 {@code detail}; it never holds
 * a stack trace or secret.
 */
public class RunnerException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorKind kind;

  /** Creates an error of the given kind with a one-line message. */
  public RunnerException(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** Creates an error of the given kind with a one-line message and the underlying cause. */
  public RunnerException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** Returns the stable kind of this error. */
  public ErrorKind kind() {
    return kind;
  }
}
