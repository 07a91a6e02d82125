package io.quackrunner.service;

import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.store.RunRecord;

/**
 * Signs the one receipt of a finished run and appends it to the ledger (DESIGN invariant 2).
 *
 * <p>Called exactly once per run that reached a terminal status, whatever the status.
 */
public interface ReceiptIssuer {
  /** An issuer for a runner without a ledger: issues nothing; receipts are reported unavailable. */
  ReceiptIssuer NONE = (record, result) -> null;

  /**
   * Issues the receipt of a terminal run.
   *
   * @param record the run's terminal record
   * @param result what the sandbox reported, or null when the run never executed (cancelled while
   *     queued) or was cut off (INTERRUPTED)
   * @return the receipt, or null when this runner issues none; while the shared database is
   *     unreachable the ledger's issuer waits for it ({@link StoreRetry}) rather than fail
   * @throws io.quackrunner.errors.RunnerException of kind RECEIPT_COMMIT_FAILED when signing or
   *     appending fails
   */
  IssuedReceipt issue(RunRecord record, ExecutionResult result);

  /**
   * Finds the receipt already issued for an execution id, for recovery after a crash between the
   * ledger append and the run record's update.
   *
   * @return the receipt, or empty when none was issued (or this issuer keeps none)
   */
  default java.util.Optional<IssuedReceipt> find(String executionId) {
    return java.util.Optional.empty();
  }
}
