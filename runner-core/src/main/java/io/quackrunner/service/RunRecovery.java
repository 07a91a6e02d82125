package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Recovery of runs whose owner process died, by any process sharing the {@link RunStore} (DESIGN
 * invariants 1 and 2): a run is taken over with the store's compare-and-set on its owner, so
 * exactly one process recovers it.
 *
 * <ul>
 *   <li>RUNNING becomes INTERRUPTED with the digests of its partial logs and a receipt; its sandbox
 *       workspace is removed; it is never re-executed.
 *   <li>QUEUED is resumed here, except a raw command ({@link CommandTool}), whose caller is gone
 *       with its process: it is INTERRUPTED without executing.
 *   <li>A terminal run without a recorded receipt gets the one already in the ledger, or a new one
 *       when none was appended — never a second.
 * </ul>
 */
final class RunRecovery {
  private final RunStore store;
  private final String owner;
  private final java.util.function.Predicate<String> alive;
  private final ReceiptIssuer receipts;
  private final Path sandboxRoot;
  private final RunFinisher finisher;
  private final Consumer<String> resume;
  private final Function<RunRecord, RunDetails> interruptedDetails;

  /**
   * Creates the recovery of one process.
   *
   * @param owner this process's owner id
   * @param alive whether an owner id is alive ({@link NodeRegistry#alive})
   * @param sandboxRoot the sandbox backend's work root, where a dead run's workspace is removed
   * @param resume queues a taken-over QUEUED run in this process
   * @param interruptedDetails the details document of a run cut off while executing
   */
  RunRecovery(
      RunStore store,
      String owner,
      java.util.function.Predicate<String> alive,
      ReceiptIssuer receipts,
      Path sandboxRoot,
      RunFinisher finisher,
      Consumer<String> resume,
      Function<RunRecord, RunDetails> interruptedDetails) {
    this.store = store;
    this.owner = owner;
    this.alive = alive;
    this.receipts = receipts;
    this.sandboxRoot = sandboxRoot;
    this.finisher = finisher;
    this.resume = resume;
    this.interruptedDetails = interruptedDetails;
  }

  /**
   * Recovers every run left by a dead process; runs of live processes are left alone.
   *
   * @return how many runs were interrupted and how many resumed
   */
  RunService.Recovery recoverAll() {
    return recoverAll(false);
  }

  /**
   * Recovers as {@link #recoverAll()} does; a quiet sweep (the heartbeat's) logs only when it
   * recovered something.
   */
  RunService.Recovery recoverAll(boolean quiet) {
    int interrupted = 0;
    int resumed = 0;
    for (RunRecord r : store.byStatus(RunStatus.RUNNING)) {
      if (abandoned(r) && recoverOne(r)) {
        interrupted++;
      }
    }
    for (RunRecord r : store.byStatus(RunStatus.QUEUED)) {
      if (abandoned(r) && recoverOne(r)) {
        if (CommandTool.is(r)) {
          interrupted++;
        } else {
          resumed++;
        }
      }
    }
    int reconciled = 0;
    for (RunRecord r : store.terminalWithoutReceipt()) {
      // A run of this process between its terminal write and its receipt is its finisher's: a
      // sweep reconciling it would append a second receipt.
      if (!r.owner().equals(owner) && reconcileReceipt(r)) {
        reconciled++;
      }
    }
    if (!quiet || interrupted + resumed + reconciled > 0) {
      JsonLog.info(
          "recovery.done", "interrupted", interrupted, "resumed", resumed, "receipts", reconciled);
    }
    return new RunService.Recovery(interrupted, resumed);
  }

  private boolean abandoned(RunRecord r) {
    return !r.owner().equals(owner) && !alive.test(r.owner());
  }

  /**
   * Takes over one non-terminal run of a dead owner and interrupts or resumes it. A RUNNING run is
   * interrupted by one conditional statement ({@link RunStore#interrupt}: still RUNNING, still the
   * dead owner's, that owner not a live node), and only the caller whose statement changed the row
   * issues its receipt; a QUEUED run is taken over ({@link RunStore#takeOver}) and queued here.
   *
   * @return false when another process took it over first
   */
  boolean recoverOne(RunRecord r) {
    if (r.status() == RunStatus.RUNNING) {
      if (!store.interrupt(r.id(), r.owner(), owner, interruption(r))) {
        return false;
      }
      discard(r);
      finisher.ended(r.id(), null);
      JsonLog.info("run.interrupted", "run_id", r.id(), "owner", r.owner());
      return true;
    }
    if (!store.takeOver(r.id(), r.owner(), owner)) {
      return false;
    }
    if (r.status() == RunStatus.QUEUED && !CommandTool.is(r)) {
      JsonLog.info("run.resumed", "run_id", r.id());
      resume.accept(r.id());
      return true;
    }
    discard(r);
    if (finisher.finish(r.id(), interruption(r), null)) {
      JsonLog.info("run.interrupted", "run_id", r.id());
    }
    return true;
  }

  private void discard(RunRecord r) {
    try {
      io.quackrunner.sandbox.Workspace.discard(sandboxRoot, r.id());
    } catch (RunnerException e) {
      JsonLog.warn("recovery.sweep_failed", "run_id", r.id(), "detail", e.getMessage());
    }
  }

  private Completion interruption(RunRecord r) {
    return new Completion(
        RunStatus.INTERRUPTED,
        Instant.now(),
        null,
        null,
        ErrorKind.EXECUTION_FAILED,
        "the runner stopped while the run was executing; it was not re-executed",
        Results.json(interruptedDetails.apply(r)));
  }

  /**
   * Records the receipt of a terminal run that has none, when this process owns the run or takes it
   * over from a dead owner: the receipt already in the ledger if the owner appended one before
   * dying, else a new one.
   *
   * @return whether a receipt was recorded by this call
   */
  boolean reconcileReceipt(RunRecord r) {
    if (!r.owner().equals(owner)
        && (alive.test(r.owner()) || !store.adoptForReceipt(r.id(), r.owner(), owner))) {
      return false; // its live owner, or another recovering process, records the receipt
    }
    Optional<IssuedReceipt> found = receipts.find(r.id());
    IssuedReceipt ir = found.isPresent() ? found.get() : receipts.issue(r, null);
    if (ir != null && store.setReceipt(r.id(), ir.envelopeJson(), ir.ledgerIndex())) {
      JsonLog.info("recovery.receipt", "run_id", r.id(), "found_in_ledger", found.isPresent());
      return true;
    }
    return false;
  }

  /**
   * Waits until a terminal run's receipt is recorded by its owner, or records it here when the
   * owner died before doing so; returns at once when this service issues no receipts.
   *
   * @throws RunnerException of kind EXECUTION_FAILED when the waiting thread is interrupted
   */
  RunRecord awaitReceipt(RunRecord terminal) {
    RunRecord r = terminal;
    while (r.receiptJson() == null && receipts != ReceiptIssuer.NONE) {
      if (reconcileReceipt(r)) {
        return store.find(r.id()).orElseThrow();
      }
      try {
        Thread.sleep(RunCompletions.POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "interrupted waiting for run " + r.id());
      }
      r = store.find(r.id()).orElseThrow();
    }
    return r;
  }
}
