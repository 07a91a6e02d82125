package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.util.function.Supplier;

/**
 * The end of every run, however it ended (executed, failed to start, cancelled while queued,
 * interrupted by recovery): writes the terminal record, has its one receipt issued and recorded
 * (DESIGN invariant 2), closes its live log and completes its waiters.
 */
final class RunFinisher {
  private final RunStore store;
  private final ReceiptIssuer receipts;
  private final RunLogs logs;
  private final RunCompletions completions;
  private final Supplier<RunEvents> events;
  private final Runnable receiptRecorded;

  /**
   * Creates the finisher of one service.
   *
   * @param events the current observer of finished runs
   * @param receiptRecorded called after each receipt is recorded (wakes callback delivery)
   */
  RunFinisher(
      RunStore store,
      ReceiptIssuer receipts,
      RunLogs logs,
      RunCompletions completions,
      Supplier<RunEvents> events,
      Runnable receiptRecorded) {
    this.store = store;
    this.receipts = receipts;
    this.logs = logs;
    this.completions = completions;
    this.events = events;
    this.receiptRecorded = receiptRecorded;
  }

  /**
   * Ends a run unless another writer ended it first; a receipt that cannot be issued is logged
   * ({@code receipt.failed}) and left to recovery, and the run still ends.
   *
   * @param result what the sandbox reported, or null when the run did not execute to the end
   * @return whether this call ended the run
   */
  boolean finish(String id, Completion c, ExecutionResult result) {
    if (!StoreRetry.untilAvailable("finish", id, () -> store.finish(id, c))) {
      return false;
    }
    ended(id, result);
    return true;
  }

  /** Issues the receipt of a run that just became terminal, then wakes its waiters. */
  void ended(String id, ExecutionResult result) {
    RunRecord rec = StoreRetry.untilAvailable("read", id, () -> store.find(id)).orElseThrow();
    try {
      rec = receipt(rec, result);
    } catch (RuntimeException e) {
      JsonLog.warn("receipt.failed", "run_id", id, "detail", e.getMessage());
    }
    close(rec);
  }

  /**
   * Ends a run as {@link #finish} does, except that a receipt that cannot be issued is thrown to
   * the caller (after the run's waiters are woken): a caller that executes on its own thread
   * ({@code runner exec}) reports it and exits with its code.
   *
   * <p>A finish the store refuses (the run was already ended by another writer, e.g. recovery by
   * another node that found this one dead) writes nothing and issues no receipt: the run keeps the
   * end and the one receipt that writer gave it.
   *
   * @return the run's record after its receipt was recorded
   * @throws io.quackrunner.errors.RunnerException of kind RECEIPT_COMMIT_FAILED from the issuer, or
   *     CONFLICT when the store refused the finish
   */
  RunRecord finishOrThrow(String id, Completion c, ExecutionResult result) {
    if (!StoreRetry.untilAvailable("finish", id, () -> store.finish(id, c))) {
      RunRecord now = store.find(id).orElseThrow();
      logs.close(id);
      if (now.status().isTerminal()) {
        completions.complete(id, now);
      }
      throw new RunnerException(
          ErrorKind.CONFLICT,
          "run "
              + id
              + " was already ended ("
              + now.status()
              + ") by another writer; this "
              + c.status()
              + " was not recorded and no receipt was issued");
    }
    RunRecord rec = store.find(id).orElseThrow();
    try {
      rec = receipt(rec, result);
    } finally {
      close(rec);
    }
    return rec;
  }

  private RunRecord receipt(RunRecord rec, ExecutionResult result) {
    IssuedReceipt ir = receipts.issue(rec, result);
    if (ir == null) {
      return rec;
    }
    StoreRetry.untilAvailable(
        "receipt", rec.id(), () -> store.setReceipt(rec.id(), ir.envelopeJson(), ir.ledgerIndex()));
    receiptRecorded.run();
    return StoreRetry.untilAvailable("read", rec.id(), () -> store.find(rec.id())).orElseThrow();
  }

  private void close(RunRecord rec) {
    logs.close(rec.id());
    JsonLog.info(
        "run.finished",
        "run_id",
        rec.id(),
        "status",
        rec.status().name(),
        "exit_code",
        rec.exitCode(),
        "error",
        rec.errorDetail());
    events.get().finished(rec);
    completions.complete(rec.id(), rec);
  }
}
