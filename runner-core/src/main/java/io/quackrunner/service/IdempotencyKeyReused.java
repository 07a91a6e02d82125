package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/**
 * The error of an idempotency key reused by one tenant for a different request: kind {@link
 * ErrorKind#IDEMPOTENCY_KEY_REUSED}, naming the run that holds the key; nothing was executed.
 */
public final class IdempotencyKeyReused extends RunnerException {
  private static final long serialVersionUID = 1L;
  private final String originalRunId;

  /** Creates the error naming the run that first used the key. */
  public IdempotencyKeyReused(String originalRunId) {
    super(
        ErrorKind.IDEMPOTENCY_KEY_REUSED,
        "the idempotency key was already used for a different request (run "
            + originalRunId
            + "); nothing was executed");
    this.originalRunId = originalRunId;
  }

  /** Returns the id of the run that holds the key. */
  public String originalRunId() {
    return originalRunId;
  }
}
