package io.quackrunner.receipts;

/**
 * The outcome of one {@link ReceiptCheck}, with a one-line reason.
 *
 * @param check which check
 * @param outcome passed, failed, or skipped because its input was not given or an earlier check
 *     failed
 * @param reason one line saying why
 */
public record CheckResult(ReceiptCheck check, Outcome outcome, String reason) {
  /** Whether a check passed, failed or was not run. */
  public enum Outcome {
    PASS,
    FAIL,
    SKIPPED
  }

  static CheckResult pass(ReceiptCheck check, String reason) {
    return new CheckResult(check, Outcome.PASS, reason);
  }

  static CheckResult fail(ReceiptCheck check, String reason) {
    return new CheckResult(check, Outcome.FAIL, reason);
  }

  static CheckResult skipped(ReceiptCheck check, String reason) {
    return new CheckResult(check, Outcome.SKIPPED, reason);
  }
}
