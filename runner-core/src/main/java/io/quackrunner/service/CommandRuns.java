package io.quackrunner.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.RunnerVersion;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.TriggerHashes;
import io.quackrunner.store.Claim;
import io.quackrunner.store.Completion;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs raw commands ({@code runner exec}) at most once per trigger, across every process sharing a
 * state directory: the trigger is claimed as a unique row in the {@link RunStore} (the same table
 * the gateway uses), the claimant executes and has the one receipt issued, and any other process
 * with the same trigger waits for that record to end and gets it back without executing.
 *
 * <p>A claimant that died mid-run leaves a RUNNING record; the next claimer marks it INTERRUPTED
 * with its receipt and never re-executes it (DESIGN invariants 1 and 2).
 */
public final class CommandRuns {
  /** The tool name command runs are recorded under. */
  public static final String TOOL = "exec";

  private static final Duration POLL = Duration.ofMillis(50);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Executor executor;
  private final RunStore store;
  private final ReceiptLog log;
  private final String owner = Owner.self();

  /** Creates the engine over an executor, the run store and the receipt log of one state dir. */
  public CommandRuns(Executor executor, RunStore store, ReceiptLog log) {
    this.executor = executor;
    this.store = store;
    this.log = log;
  }

  /**
   * What one {@code exec} call got.
   *
   * @param record the terminal record of the trigger's run
   * @param result what the sandbox reported, or null when this call executed nothing
   * @param replayed true when another call had executed (or was executing) the trigger
   * @param outDir where that run's artifacts and reports are
   */
  public record Outcome(RunRecord record, ExecutionResult result, boolean replayed, Path outDir) {
    /** Returns the CLI exit code of the run (docs/EXIT-CODES.md). */
    public int cliExitCode() {
      return CommandRuns.cliExitCode(record);
    }
  }

  /**
   * Executes {@code req} unless its trigger already ran.
   *
   * @param idempotencyKey the caller's key, or null for a fresh trigger (it executes every time)
   * @throws RunnerException of kind USAGE or NOT_FOUND for a bad request, IDEMPOTENCY_KEY_REUSED
   *     when the key was used for another request, RECEIPT_COMMIT_FAILED when the receipt cannot be
   *     issued
   */
  public Outcome exec(String tenant, ExecRequest req, String idempotencyKey, LogListener listener) {
    Executor.Prepared p = executor.prepare(req);
    byte[] canonical = TriggerHashes.canonicalRequest(p);
    String requestHash = TriggerHashes.sha256(canonical);
    String trigger =
        idempotencyKey != null
            ? TriggerHashes.ofKey(tenant, idempotencyKey)
            : TriggerHashes.fresh();
    RunRecord fresh =
        RunRecord.queued(
            p.executionId(),
            tenant,
            trigger,
            requestHash,
            TOOL,
            RunnerVersion.get(),
            TOOL,
            requestJson(canonical, req.outDir()),
            Instant.now(),
            owner);
    Claim c = store.claim(fresh);
    if (!c.created()) {
      if (!c.record().requestHash().equals(requestHash)) {
        throw new IdempotencyKeyReused(c.record().id());
      }
      RunRecord done = awaitForeign(c.record());
      return new Outcome(done, null, true, outDirOf(done));
    }
    if (!store.markRunning(fresh.id(), Instant.now())) {
      throw new RunnerException(ErrorKind.INTERNAL, "run " + fresh.id() + " left QUEUED under us");
    }
    ExecutionResult r;
    try {
      r = executor.execute(p, listener);
    } catch (RunnerException e) {
      finish(
          fresh.id(),
          new Completion(
              RunStatus.FAILED, Instant.now(), null, null, e.kind(), e.getMessage(), null),
          null);
      throw e;
    }
    finish(
        fresh.id(),
        new Completion(
            r.status(),
            r.finishedAt(),
            r.exitCode(),
            r.signal(),
            r.errorKind(),
            r.failureReason(),
            null),
        r);
    return new Outcome(store.find(fresh.id()).orElseThrow(), r, false, r.outDir());
  }

  private void finish(String id, Completion c, ExecutionResult r) {
    store.finish(id, c);
    RunRecord rec = store.find(id).orElseThrow();
    ReceiptLog.Committed committed;
    if (r != null) {
      committed = log.issue(r, rec.triggerHash(), null, r.outDir().resolve("reports"));
    } else {
      IssuedReceipt ir = new LedgerReceiptIssuer(log).issue(rec, null);
      committed =
          new ReceiptLog.Committed(
              ir.envelopeJson().getBytes(StandardCharsets.UTF_8), ir.ledgerIndex());
    }
    store.setReceipt(
        id, new String(committed.envelope(), StandardCharsets.UTF_8), committed.index());
  }

  /** Waits for another process's run; takes it over as INTERRUPTED if that process died. */
  private RunRecord awaitForeign(RunRecord r) {
    while (true) {
      RunRecord now = store.find(r.id()).orElseThrow();
      if (now.status().isTerminal() && now.receiptJson() != null) {
        return now;
      }
      if (now.status().isTerminal()
          && !Owner.alive(now.owner())
          && store.adoptForReceipt(now.id(), now.owner(), owner)) {
        // Its owner died between the ledger append and recording the receipt, or before issuing.
        LedgerReceiptIssuer issuer = new LedgerReceiptIssuer(log);
        IssuedReceipt ir = issuer.find(now.id()).orElseGet(() -> issuer.issue(now, null));
        store.setReceipt(now.id(), ir.envelopeJson(), ir.ledgerIndex());
        return store.find(now.id()).orElseThrow();
      }
      if (!now.status().isTerminal()
          && !Owner.alive(now.owner())
          && store.takeOver(now.id(), now.owner(), owner)) {
        executor.discardWorkspace(now.id());
        finish(
            now.id(),
            new Completion(
                RunStatus.INTERRUPTED,
                Instant.now(),
                null,
                null,
                ErrorKind.EXECUTION_FAILED,
                "the runner stopped while the run was executing; it was not re-executed",
                null),
            null);
        return store.find(now.id()).orElseThrow();
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "interrupted waiting for run " + r.id());
      }
    }
  }

  private static String requestJson(byte[] canonical, Path outDir) {
    try {
      ObjectNode n = (ObjectNode) JSON.readTree(canonical);
      n.put("out_dir", outDir.toString());
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot record the request: " + e, e);
    }
  }

  private static Path outDirOf(RunRecord r) {
    try {
      var n = JSON.readTree(r.requestJson()).get("out_dir");
      return n == null ? null : Path.of(n.asText());
    } catch (IOException e) {
      return null;
    }
  }

  static int cliExitCode(RunRecord r) {
    return io.quackrunner.execution.ExitCodes.of(
        r.status(), r.exitCode(), r.signal(), r.errorKind());
  }
}
