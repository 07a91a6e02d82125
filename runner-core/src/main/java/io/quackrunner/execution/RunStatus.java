package io.quackrunner.execution;

/**
 * The life-cycle state of a run: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT |
 * LIMIT_EXCEEDED | CANCELLED | INTERRUPTED}, and {@code REJECTED} for a request refused before
 * execution (DESIGN.md, "Statuses").
 */
public enum RunStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  LIMIT_EXCEEDED,
  CANCELLED,
  INTERRUPTED,
  REJECTED;

  /** Returns whether this status is final: the run will not change any more. */
  public boolean isTerminal() {
    return this != QUEUED && this != RUNNING;
  }
}
