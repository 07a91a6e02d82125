package io.quackrunner.receipts;

import java.util.List;
import java.util.Optional;

/**
 * What {@link ReceiptVerifier} found: one {@link CheckResult} per {@link ReceiptCheck}, in enum
 * order, and the statement if it could be read.
 *
 * @param results one result per check
 * @param statement the receipt statement, empty if the payload was unreadable
 */
public record VerificationReport(List<CheckResult> results, Optional<ReceiptStatement> statement) {
  /** Copies the results. */
  public VerificationReport {
    results = List.copyOf(results);
  }

  /** Returns true if no check failed (skipped checks do not fail a receipt). */
  public boolean ok() {
    return results.stream().noneMatch(r -> r.outcome() == CheckResult.Outcome.FAIL);
  }

  /** Returns the result of {@code check}. */
  public CheckResult result(ReceiptCheck check) {
    return results.stream().filter(r -> r.check() == check).findFirst().orElseThrow();
  }
}
